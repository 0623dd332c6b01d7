"""Tables derived from a school's pupil data hear of every change inside the writer's transaction.

The writers (imports, deletions, retention, the school's timetable) live in layers below the
figures built on their data (the level history in `models/risk/history.py`), so they cannot call
them: the figures register a listener here, and each writer calls `pupil_data_changed` before its
transaction commits. The data and what is derived from them land together, or not at all.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

# (db, school code, the months whose rows changed, or None when anything may have changed)
Listener = Callable[[sqlite_utils.Database, str, "tuple[str, ...] | None"], None]
_LISTENERS: list[Listener] = []


def listen(listener: Listener) -> None:
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def pupil_data_changed(db: sqlite_utils.Database, school_code: str, periods: tuple[str, ...] | None = None) -> None:
    """Call inside the writing transaction, after the writes."""
    for listener in _LISTENERS:
        listener(db, school_code, periods)
