"""A copy and its restore: the round trip gives back the data of the copy, in the file in use (its mode kept,
its other connections seeing the change), after keeping the state before; anything that is not an Approdo copy
this version can take is refused in Italian and changes nothing."""

from __future__ import annotations

import sqlite3
import stat

import pytest

from models.accounts import schools
from models.core import backups
from models.core import db as database
from models.core.errors import ApprodoError


def network_codes(db) -> set[str]:
    return {r[0] for r in db.execute("SELECT code FROM networks")}


def test_a_copy_restored_gives_back_its_data_in_the_same_file(demo_db, db_path, tmp_path, system):
    before = network_codes(demo_db)
    copy = backups.backup(demo_db, tmp_path / "copie" / "approdo.db")
    schools.create_network(demo_db, system, "RETEDOPO", "Rete creata dopo la copia")
    other = database.connect(db_path)  # another app process's connection, open during the restore
    assert "RETEDOPO" in network_codes(other)
    inode = db_path.stat().st_ino

    kept, version = backups.restore(demo_db, copy)

    assert version == len(database.MIGRATIONS)
    assert network_codes(demo_db) == before and network_codes(other) == before  # RETEDOPO gone, for both
    assert db_path.stat().st_ino == inode and stat.S_IMODE(db_path.stat().st_mode) == 0o600
    assert kept.parent == db_path.parent and stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert "RETEDOPO" in {r[0] for r in sqlite3.connect(kept).execute("SELECT code FROM networks")}
    assert demo_db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert demo_db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_copy_of_an_older_schema_is_brought_up_to_date(demo_db, tmp_path):
    old = tmp_path / "vecchia.db"
    conn = sqlite3.connect(old)
    conn.isolation_level = None
    for number, migration in enumerate(database.MIGRATIONS[:5], start=1):
        migration(database.sqlite_utils.Database(conn))
        conn.execute(f"PRAGMA user_version = {number}")
    conn.execute("INSERT INTO networks (code, name, created_at) VALUES ('RETEVECCHIA', 'Vecchia', 'ieri')")
    conn.close()
    kept, version = backups.restore(demo_db, old)
    assert version == len(database.MIGRATIONS) == database.schema_version(demo_db)
    assert network_codes(demo_db) == {"RETEVECCHIA"}


def refused(demo_db, source, *fragments):
    before = network_codes(demo_db)
    with pytest.raises(ApprodoError) as error:
        backups.restore(demo_db, source)
    assert error.value.message.startswith("Ripristino non fatto")
    for fragment in fragments:
        assert fragment in error.value.message
    assert network_codes(demo_db) == before  # nothing changed
    return error.value.message


def test_what_is_not_an_approdo_copy_is_refused(demo_db, db_path, tmp_path):
    text = tmp_path / "note.txt"
    text.write_text("non sono un database")
    refused(demo_db, text, "non è una copia del database di Approdo")
    other = tmp_path / "altro.db"
    sqlite3.connect(other).execute("CREATE TABLE spesa (voce TEXT)")
    refused(demo_db, other, "non una copia di Approdo")
    refused(demo_db, tmp_path / "manca.db", "non esiste")
    refused(demo_db, db_path, "è il database in uso")
    assert not list(db_path.parent.glob("*prima-del-ripristino*"))  # refused before any safety copy


def test_a_copy_from_a_newer_version_is_refused(demo_db, tmp_path):
    newer = backups.backup(demo_db, tmp_path / "nuova.db")
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {len(database.MIGRATIONS) + 1}")
    conn.close()
    refused(demo_db, newer, "versione più recente di Approdo", f"schema {len(database.MIGRATIONS) + 1}")


def test_a_postgresql_url_is_not_taken_for_a_file(monkeypatch):
    monkeypatch.setenv("APPRODO_DB", "postgresql://approdo@localhost/approdo")
    with pytest.raises(ApprodoError, match="PostgreSQL non è ancora supportato"):
        backups.engine()
