import sqlite3
import threading

import pytest

from models.core import db as database


def test_new_database_is_migrated_to_the_latest_version(db):
    assert database.schema_version(db) == len(database.MIGRATIONS)
    assert {"networks", "schools", "users", "sessions", "audit_log"} <= set(db.table_names())


def test_migrating_twice_changes_nothing(db_path):
    first = database.connect(db_path)
    before = first.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    second = database.connect(db_path)
    assert database.migrate_schema(second) == len(database.MIGRATIONS)
    assert second.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() == before


def test_an_older_database_gets_only_the_missing_migrations(db_path, monkeypatch):
    applied = []

    def extra(db):
        applied.append("extra")
        db.execute("CREATE TABLE extra (id INTEGER PRIMARY KEY)")

    database.connect(db_path)
    monkeypatch.setattr(database, "MIGRATIONS", [*database.MIGRATIONS, extra])
    db = database.connect(db_path)
    assert applied == ["extra"]
    assert database.schema_version(db) == len(database.MIGRATIONS)
    database.connect(db_path)
    assert applied == ["extra"]


def test_pragmas_wal_foreign_keys_and_busy_timeout(db):
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == database.BUSY_TIMEOUT_MS


def test_foreign_keys_refuse_a_school_in_a_missing_network(db):
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(
            "INSERT INTO schools (code, name, network_code, level, created_at)"
            " VALUES ('MIEE00001A', 'x', 'NOPE', 'primaria', 'now')"
        )


def test_transaction_is_all_or_nothing(db):
    with pytest.raises(RuntimeError):
        with database.transaction(db):
            db.execute("INSERT INTO networks (code, name, created_at) VALUES ('AA', 'a', 'now')")
            with database.transaction(db):  # nested: a savepoint
                db.execute("INSERT INTO networks (code, name, created_at) VALUES ('BB', 'b', 'now')")
            raise RuntimeError("boom")
    assert db.execute("SELECT COUNT(*) FROM networks").fetchone()[0] == 0


def test_concurrent_writers_queue_instead_of_failing(db_path):
    database.connect(db_path)
    errors = []

    def writer(prefix):
        try:
            conn = database.connect(db_path)
            for i in range(50):
                with database.transaction(conn):
                    conn.execute(
                        "INSERT INTO networks (code, name, created_at) VALUES (?, 'n', 'now')",
                        [f"{prefix}{i:03d}"],
                    )
        except Exception as error:  # any "database is locked" lands here
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(p,)) for p in ("AA", "BB", "CC")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert database.connect(db_path).execute("SELECT COUNT(*) FROM networks").fetchone()[0] == 150


def test_backup_during_writes_is_a_consistent_copy(db_path, tmp_path):
    db = database.connect(db_path)
    stop = threading.Event()

    def keep_writing():
        conn = database.connect(db_path)
        i = 0
        while not stop.is_set():
            with database.transaction(conn):
                conn.execute(
                    "INSERT INTO networks (code, name, created_at) VALUES (?, 'n', 'now')", [f"N{i:05d}"]
                )
            i += 1

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        for n in range(3):
            copy = database.backup(db, tmp_path / f"copy{n}.db")
            check = sqlite3.connect(copy)
            assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert check.execute("PRAGMA user_version").fetchone()[0] == len(database.MIGRATIONS)
            check.close()
    finally:
        stop.set()
        thread.join()


def test_database_path_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("APPRODO_DB", str(tmp_path / "x.db"))
    assert database.database_path() == tmp_path / "x.db"
    monkeypatch.delenv("APPRODO_DB")
    assert str(database.database_path()) == "data/approdo.db"


@pytest.mark.parametrize("style", ["execute", "executescript"])
def test_a_failing_migration_leaves_the_schema_at_the_old_version(db_path, monkeypatch, style):
    """A migration that breaks half-way writes nothing: neither its tables nor the new version number."""

    def half_done(db):
        statements = "CREATE TABLE half_done (id INTEGER PRIMARY KEY); INSERT INTO half_done VALUES (1);"
        if style == "executescript":
            db.executescript(statements)
        else:
            for statement in statements.split(";")[:2]:
                db.execute(statement)
        raise RuntimeError("migration failed")

    database.connect(db_path)
    monkeypatch.setattr(database, "MIGRATIONS", [*database.MIGRATIONS, half_done])
    with pytest.raises(RuntimeError):
        database.connect(db_path)
    db = database.connect(db_path, migrate=False)
    assert database.schema_version(db) == len(database.MIGRATIONS) - 1
    assert "half_done" not in db.table_names()


def test_migrations_never_use_sqlite3s_own_executescript():
    """sqlite3's executescript commits first, which would make a migration half-apply; sqlite-utils' does not."""
    import inspect

    for migration in database.MIGRATIONS:
        assert "conn.executescript" not in inspect.getsource(migration), migration.__name__
