"""The database on disk: private files, and a backup that never writes onto a database in use."""

import os
import sqlite3
import stat

import pytest

from models.core import db as database
from tests.conftest import cli_in_process, copy_prepared, count_proof


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def permissive_umask():
    """The usual umask (022), under which files come out world-readable unless made private on purpose."""
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def live(tmp_path, monkeypatch):
    """A demo database as the CLI makes it (`init-db --demo`, built once), and a way to run the CLI against it."""
    path = copy_prepared("init-db --demo", tmp_path / "live.db")
    return path, cli_in_process(path, monkeypatch)


def test_the_database_its_journal_files_and_backups_are_private(tmp_path, permissive_umask):
    path = tmp_path / "nuovo.db"
    db = database.connect(path)
    db.execute("CREATE TABLE prova (x)")  # a write, so that the write-ahead log exists
    files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
    copy = database.backup(db, tmp_path / "copie" / "copia.db")
    files.append(copy)
    for file in files:
        assert file.exists(), file
        assert mode(file) == 0o600, (file.name, oct(mode(file)))
    count_proof("file del database creati leggibili solo dal proprietario", len(files))


def test_backup_refuses_to_write_onto_its_own_database(live, tmp_path):
    path, run = live
    counts_before = sqlite3.connect(path).execute("SELECT COUNT(*) FROM users").fetchone()[0]
    link = tmp_path / "altro-nome.db"
    link.symlink_to(path)
    spellings = [str(path), str(tmp_path / "." / "live.db"), str(link),
                 str(path) + "-wal", str(path) + "-shm"]
    for target in spellings:
        result = run("backup", target)
        assert result.returncode == 1, (target, result.stdout)
        assert "Traceback" not in result.stderr and "non sovrascrivo" in result.stderr, result.stderr
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT COUNT(*) FROM users").fetchone()[0] == counts_before
    count_proof("copie di sicurezza sul database stesso rifiutate (database integro)", len(spellings))


def test_backup_refuses_to_overwrite_another_database(live, tmp_path):
    path, run = live
    other = tmp_path / "altro.db"
    conn = sqlite3.connect(other)  # open, in WAL mode: it has a -wal beside it
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE mia (x)")
    conn.execute("INSERT INTO mia VALUES (42)")
    conn.commit()
    result = run("backup", str(other))
    assert result.returncode == 1 and "non sovrascrivo" in result.stderr, result.stderr
    assert conn.execute("SELECT x FROM mia").fetchall() == [(42,)]
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    count_proof("copie di sicurezza su un altro database rifiutate", 1)


def test_backup_to_a_new_file_still_works(live, tmp_path):
    path, run = live
    target = tmp_path / "copie" / "approdo-2026-01-31.db"
    result = run("backup", str(target))
    assert result.returncode == 0, result.stderr
    copy = sqlite3.connect(target)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT COUNT(*) FROM users").fetchone()[0] > 0
    assert mode(target) == 0o600
