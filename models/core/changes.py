"""Tables derived from a school's pupil data hear of every change inside the writer's transaction.

Each writer of the rows the levels read (imports, deletions, retention, the school's timetable, the demo)
calls `pupil_data_changed` before its transaction commits: the data and what is derived from them land
together, or not at all. The writers live in layers below the derived tables (the level history in
`models/risk/history.py`), so they cannot import them; the derived tables are named here, in `DERIVED`,
and looked up at each call. Nothing is registered by importing a module: a process that never imported
the level history (a worker, a CLI command, a second app process) keeps it up to date all the same.
"""

from __future__ import annotations

import importlib

import sqlite_utils

# The modules that keep tables derived from pupil data; each has
# data_changed(db, school code, the months whose rows changed or None when anything may have changed).
DERIVED: tuple[str, ...] = ("models.risk.history", "models.risk.school_risk")


def pupil_data_changed(db: sqlite_utils.Database, school_code: str, periods: tuple[str, ...] | None = None) -> None:
    """Call inside the writing transaction, after the writes."""
    for name in DERIVED:
        importlib.import_module(name).data_changed(db, school_code, periods)
