"""The audit log: logins, failed logins, account changes, reads of pupil data."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta

import sqlite_utils

from models.core import clock, store
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
    store.insert_audit(db, clock.to_text(now or clock.utcnow()), actor.username if isinstance(actor, Actor) else actor,
                       action, target, school_code, detail)


def recent(db: sqlite_utils.Database, actor: Actor, limit: int = 200) -> list[dict]:
    """The latest entries, newest first."""
    require(actor, Action.READ_AUDIT)
    return store.recent_audit(db, limit)


# --- reads of pupil-level data ---------------------------------------------------


# A view already logged is kept, by a hash of (user, school, what, detail, view), in the database: a page
# reruns on every click, and a rerun of the same view is not a new read, in whichever app process it runs.
# Kept for the longest a session lasts (12 hours), then forgotten.
VIEWS_KEPT = timedelta(hours=12)


def _view_key(key: tuple) -> str:
    return hashlib.sha256(json.dumps(key, ensure_ascii=False).encode()).hexdigest()


def _logged(db: sqlite_utils.Database, view_key: str) -> bool:
    """A read, no lock: what a rerun asks."""
    return store.view_logged(db, view_key)


def _first_time(db: sqlite_utils.Database, view_key: str) -> bool:
    """Mark the view as logged (inside the caller's transaction); False if it already was."""
    now = clock.utcnow()
    return store.log_view_once(db, view_key, clock.to_text(now), clock.to_text(now - VIEWS_KEPT))


def record_access(db: sqlite_utils.Database, actor: Actor, school_code: str, what: str, detail: str = "", *,
                  view: str | None = None) -> bool:
    """Log a read of pupil data (a page view, an export, a CLI score); True if a line was written.

    `view` names one user action that a page may rerun many times (an opening of the page, with what it
    shows): the read is logged the first time only. Without it (exports, the CLI) every call is logged.
    """
    from models.core.db import transaction

    view_key = None if view is None else _view_key((actor.username, school_code, what, detail, view))
    if view_key is not None and _logged(db, view_key):  # a rerun: no write, no lock
        return False
    with transaction(db):
        if view_key is not None and not _first_time(db, view_key):  # another process was first
            return False
        store.insert_access(db, clock.to_text(clock.utcnow()), actor.username, school_code, what, detail)
    return True


def access_log(db: sqlite_utils.Database, actor: Actor, school_code: str, limit: int = 500) -> list[dict]:
    """Who read the school's pupil data: for its dirigente (and admins)."""
    require(actor, Action.MANAGE_SCHOOL, SchoolRef(school_code),
            "Il registro degli accessi è del dirigente della scuola.")
    return store.school_accesses(db, school_code, limit)
