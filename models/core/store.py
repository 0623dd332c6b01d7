"""The SQL of the core's own tables (the audit log, the log of reads of pupil data and the views already logged),
and what only SQLite answers about the database itself.

Shared SQL (named parameters, ON CONFLICT, RETURNING); callers own permissions and transactions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from models.core.connection import Connection


def in_list(prefix: str, values: Sequence) -> tuple[str, dict]:
    """`:p0, :p1, ...` and their values, for an IN list of named parameters (`prefix` tells two lists apart)."""
    named = {f"{prefix}{i}": value for i, value in enumerate(values)}
    return ", ".join(f":{key}" for key in named), named


def inserted_id(db: Connection, sql: str, params: dict) -> int:
    """The id an `INSERT ... RETURNING id` gave the new row (both engines; lastrowid is SQLite's). Read with
    fetchall: a RETURNING statement stays open until all its rows are read, and an open statement keeps SQLite
    from committing."""
    return db.execute(sql, params).fetchall()[0][0]


def insert_sql(table: str, columns: Iterable[str]) -> str:
    """`INSERT INTO table (a, b) VALUES (:a, :b)`: each column bound by its own name (table and column names from
    the code, never from users)."""
    columns = list(columns)
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(':' + column for column in columns)})"


def upsert_sql(table: str, columns: Iterable[str], key: tuple[str, ...]) -> str:
    """`insert_sql`, where a row with the same `key` columns takes the new values of the other columns."""
    columns = list(columns)
    others = ", ".join(f"{column} = excluded.{column}" for column in columns if column not in key)
    return f"{insert_sql(table, columns)} ON CONFLICT ({', '.join(key)}) DO UPDATE SET {others}"


def insert(db: Connection, table: str, row: Mapping[str, object]) -> None:
    """One new row of `table`: each key of `row` a column, bound to its value (table and column names from the
    code, never from users). Each column is named once, where otherwise it is written three times (the column, its
    parameter and the parameter's value)."""
    db.execute(insert_sql(table, row), row)


def insert_returning_id(db: Connection, table: str, row: Mapping[str, object]) -> int:
    """`insert`, and the new row's id."""
    return inserted_id(db, insert_sql(table, row) + " RETURNING id", row)


def upsert(db: Connection, table: str, row: Mapping[str, object], key: tuple[str, ...]) -> None:
    """`insert`, or, where a row with the same `key` columns is there already, that row's other columns take the
    values of `row` (ON CONFLICT ... DO UPDATE, where SQLite alone would have INSERT OR REPLACE)."""
    db.execute(upsert_sql(table, row, key), row)


def insert_audit(db: Connection, at: str, actor: str, action: str, target: str, school_code: str | None,
                 detail: str) -> None:
    insert(db, "audit_log", {"at": at, "actor": actor, "action": action, "target": target, "school_code": school_code,
                             "detail": detail})


def recent_audit(db: Connection, limit: int) -> list[dict]:
    """The latest entries, newest first."""
    return list(db.query("SELECT at, actor, action, target, school_code, detail FROM audit_log"
                         " ORDER BY id DESC LIMIT :limit", {"limit": limit}))


def view_logged(db: Connection, view_key: str) -> bool:
    return db.execute("SELECT 1 FROM logged_views WHERE view_key = :key", {"key": view_key}).fetchone() is not None


def log_view_once(db: Connection, view_key: str, at: str, forget_before: str) -> bool:
    """Mark the view as logged, forgetting those logged at `forget_before` or earlier; False if it already was."""
    db.execute("DELETE FROM logged_views WHERE at <= :old", {"old": forget_before})
    return bool(db.execute("INSERT INTO logged_views (view_key, at) VALUES (:key, :at) ON CONFLICT (view_key)"
                           " DO NOTHING RETURNING view_key", {"key": view_key, "at": at}).fetchall())


def insert_access(db: Connection, at: str, actor: str, school_code: str, what: str, detail: str) -> None:
    insert(db, "access_log", {"at": at, "actor": actor, "school_code": school_code, "what": what, "detail": detail})


def school_accesses(db: Connection, school_code: str, limit: int) -> list[dict]:
    """Who read the school's pupil data, newest first."""
    return list(db.query("SELECT at, actor, what, detail FROM access_log WHERE school_code = :school"
                         " ORDER BY id DESC LIMIT :limit", {"school": school_code, "limit": limit}))


def database_file(db: Connection) -> str:
    """The file of the main database ('' for one in memory). SQLite only: on PostgreSQL there is no file, and
    files kept beside the database (the pseudonym secrets) will need their own setting."""
    return db.execute("PRAGMA database_list").fetchone()[2]
