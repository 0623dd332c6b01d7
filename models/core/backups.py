"""Copies of the whole database and their restore, one way per engine.

SQLite (the only engine today) uses its online backup API both ways: a copy is one consistent snapshot
while the app writes, and a restore writes the copy's pages into the database in use through SQLite
itself, so the file keeps its inode and its mode (0600) and the connections of running app processes see
the restored data at their next read instead of a file swapped under them. A PostgreSQL database would
take its branch here (`pg_dump` / `pg_restore`), chosen by `engine()` from the same `APPRODO_DB`.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import sqlite_utils

from models.core import clock
from models.core import db as database
from models.core.errors import ApprodoError

# Tables every Approdo database has had since its first schema: a file without them is something else.
_APPRODO_TABLES = {"networks", "schools", "users", "sessions", "audit_log"}


def engine(location: str | Path | None = None) -> str:
    """Which engine holds the database: 'sqlite' for a file path (the only one supported so far)."""
    location = str(location if location is not None else os.environ.get("APPRODO_DB") or database.DEFAULT_PATH)
    if location.startswith(("postgresql://", "postgres://")):
        raise ApprodoError("PostgreSQL non è ancora supportato: APPRODO_DB deve essere il percorso di un file.")
    return "sqlite"


def backup(db: sqlite_utils.Database, target: str | Path) -> Path:
    """Write a consistent copy of the database in use to a new file (0600), even while the app runs."""
    return {"sqlite": _sqlite_backup}[engine()](db, target)


def restore(db: sqlite_utils.Database, source: str | Path) -> tuple[Path, int]:
    """Replace the contents of the database in use with the copy `source`, after keeping what it held.

    The state before is written first as a copy beside the database (nothing lost by a wrong restore); then
    the copy goes in, in one step, and a copy of an older version is brought up to the current schema.
    Returns that safety copy and the schema version.
    """
    return {"sqlite": _sqlite_restore}[engine()](db, source)


def _sqlite_backup(db: sqlite_utils.Database, target: str | Path) -> Path:
    try:
        return database.backup(db, target)
    except OSError as error:
        raise ApprodoError(f"Non riesco a scrivere la copia in {target}: {error.strerror}.") from None


def _sqlite_copy_version(source: str | Path) -> int:
    """The schema version of a copy, once it is known to be an Approdo database this version can take;
    refuses anything else with an Italian sentence."""
    source = Path(source)
    if not source.is_file():
        raise ApprodoError(f"Ripristino non fatto: {source} non esiste o non è un file.")
    with open(source, "rb") as file:
        if file.read(len(database.SQLITE_HEADER)) != database.SQLITE_HEADER:
            raise ApprodoError(f"Ripristino non fatto: {source} non è una copia del database di Approdo.")
    copy = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        version = copy.execute("PRAGMA user_version").fetchone()[0]
        intact = copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    except sqlite3.DatabaseError:
        raise ApprodoError(f"Ripristino non fatto: {source} non si legge come database (file danneggiato?).") from None
    finally:
        copy.close()
    if not _APPRODO_TABLES <= tables or version < 1:
        raise ApprodoError(f"Ripristino non fatto: {source} è un database SQLite ma non una copia di Approdo.")
    if version > len(database.MIGRATIONS):
        raise ApprodoError(
            f"Ripristino non fatto: la copia {source} viene da una versione più recente di Approdo (schema"
            f" {version}, questa arriva al {len(database.MIGRATIONS)}). Aggiorna prima Approdo, poi ripristina.")
    if not intact:
        raise ApprodoError(f"Ripristino non fatto: la copia {source} è danneggiata (controllo di integrità fallito).")
    return version


def _sqlite_restore(db: sqlite_utils.Database, source: str | Path) -> tuple[Path, int]:
    """The copy's pages written into the file in use by SQLite's backup API (see the module's docstring)."""
    source = Path(source)
    in_use = Path(db.execute("PRAGMA database_list").fetchone()[2])
    if source.exists() and in_use.exists() and source.resolve() == in_use.resolve():
        raise ApprodoError(f"Ripristino non fatto: {source} è il database in uso. Indica una copia.")
    _sqlite_copy_version(source)
    stamp = clock.utcnow().strftime("%Y%m%d-%H%M%S")
    kept = _sqlite_backup(db, in_use.with_name(f"{in_use.name}.prima-del-ripristino-{stamp}"))
    copy = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        copy.backup(db.conn)
    except sqlite3.Error as error:
        raise ApprodoError(f"Ripristino non fatto ({error}); il database è com'era, copia in {kept}.") from None
    finally:
        copy.close()
    if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        db.execute("PRAGMA journal_mode = WAL")
    version = database.migrate_schema(db)
    return kept, version
