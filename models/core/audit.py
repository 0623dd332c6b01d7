"""The audit log: logins, failed logins, account changes, reads of pupil data."""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime

import sqlite_utils

from models.core import clock
from models.core.permissions import Action, Actor, SchoolRef, require


def record(
    db: sqlite_utils.Database,
    actor: Actor | str,
    action: str,
    target: str = "",
    *,
    school_code: str | None = None,
    detail: str = "",
    now: datetime | None = None,
) -> None:
    """Append one entry; callers do this inside the transaction of the change."""
    db.execute(
        "INSERT INTO audit_log (at, actor, action, target, school_code, detail)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [
            clock.to_text(now or clock.utcnow()),
            actor.username if isinstance(actor, Actor) else actor,
            action,
            target,
            school_code,
            detail,
        ],
    )


def recent(db: sqlite_utils.Database, actor: Actor, limit: int = 200) -> list[dict]:
    """The latest entries, newest first."""
    require(actor, Action.READ_AUDIT)
    return list(
        db.query(
            "SELECT at, actor, action, target, school_code, detail FROM audit_log"
            " ORDER BY id DESC LIMIT ?",
            [limit],
        )
    )


# --- reads of pupil-level data ---------------------------------------------------


# The views already logged, by (user, school, what, detail, view): a page reruns on every click, and a
# rerun of the same view is not a new read. Bounded; a restarted server logs a view once more.
_LOGGED_VIEWS: OrderedDict[tuple, None] = OrderedDict()
_LOGGED_VIEWS_MAX = 50_000
_LOGGED_VIEWS_LOCK = threading.Lock()


def _first_time(key: tuple) -> bool:
    with _LOGGED_VIEWS_LOCK:
        if key in _LOGGED_VIEWS:
            _LOGGED_VIEWS.move_to_end(key)
            return False
        _LOGGED_VIEWS[key] = None
        if len(_LOGGED_VIEWS) > _LOGGED_VIEWS_MAX:
            _LOGGED_VIEWS.popitem(last=False)
        return True


def record_access(db: sqlite_utils.Database, actor: Actor, school_code: str, what: str, detail: str = "", *,
                  view: str | None = None) -> bool:
    """Log a read of pupil data (a page view, an export, a CLI score); True if a line was written.

    `view` names one user action that a page may rerun many times (an opening of the page, with what it
    shows): the read is logged the first time only. Without it (exports, the CLI) every call is logged.
    """
    from models.core.db import transaction

    if view is not None and not _first_time((actor.username, school_code, what, detail, view)):
        return False

    with transaction(db):
        db.execute("INSERT INTO access_log (at, actor, school_code, what, detail) VALUES (?, ?, ?, ?, ?)",
                   [clock.to_text(clock.utcnow()), actor.username, school_code, what, detail])
    return True


def access_log(db: sqlite_utils.Database, actor: Actor, school_code: str, limit: int = 500) -> list[dict]:
    """Who read the school's pupil data: for its dirigente (and admins)."""
    require(actor, Action.MANAGE_SCHOOL, SchoolRef(school_code),
            "Il registro degli accessi è del dirigente della scuola.")
    return list(db.query("SELECT at, actor, what, detail FROM access_log WHERE school_code = ?"
                         " ORDER BY id DESC LIMIT ?", [school_code, limit]))
