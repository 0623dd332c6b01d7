"""The connection the stores talk to: what they need of the engine, and nothing else.

Stores (models/<product>/store.py) take a `Connection` and use only:
- `db.execute(sql, params)`: a `Result` (`fetchone`, `fetchall`, iteration, `rowcount`);
- `db.query(sql, params)`: the rows as dicts, an iterator (stores call `next` on it);
- `executemany(db, sql, rows)`: one statement, a dict of named parameters per row;
- `execute_rows(db, sql, names, rows)`: the bulk path, a tuple per row in `names` order.
SQL with named parameters (`:name`); transactions are the callers' (`models.core.db.transaction`).

Today the connection is sqlite-utils' `Database` over sqlite3 (`models.core.db.connect`), which has this shape
already. A PostgreSQL connection will be a small class with the same methods over psycopg 3 (`:name` written as
`%(name)s`, rows as tuples or, for `query`, through `dict_row`); `tests/test_layers.py` keeps the stores from
reaching past this interface (no sqlite3, no sqlite_utils, no `.conn`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol


class Result(Protocol):
    """What a statement gives back: its rows, and how many rows it changed."""

    rowcount: int

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    def execute(self, sql: str, parameters: Any = None) -> Result: ...

    def query(self, sql: str, params: Any = None) -> Iterator[dict]: ...


def executemany(db: Connection, sql: str, rows: Iterable[Mapping[str, Any]]) -> None:
    """Run `sql` once per row, each row a dict of its named parameters (a few rows: the bulk path is
    `execute_rows`). On PostgreSQL: psycopg's executemany, pipelined."""
    db.conn.executemany(sql, rows)  # type: ignore[attr-defined]


_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


def execute_rows(db: Connection, sql: str, names: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Run `sql`, shared SQL with named parameters, once per row; each row a tuple of values in `names` order.

    The bulk path (a million rows of an import, a school's levels): SQLite binds by position faster than by
    name (a dict per row measured 25 % slower), so each `:name` becomes SQLite's numbered mark `?N`, the row's
    N-th value, and the tuples go to executemany as they are. On PostgreSQL a large INSERT will go through
    `COPY ... FROM STDIN` into a temporary table and the same statement reading from it (psycopg's
    `cursor.copy`), other statements through psycopg's pipelined executemany with `%s` marks in `names` order.
    `sql` is the code's: no `:` inside its quoted literals.
    """
    position = {name: n for n, name in enumerate(names, start=1)}
    db.conn.executemany(_NAMED.sub(lambda m: f"?{position[m[1]]}", sql), rows)  # type: ignore[attr-defined]
