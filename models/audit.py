"""The audit log: logins, failed logins, account changes, reads of pupil data."""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from models import clock
from models.errors import PermissionDenied
from models.permissions import Actor, Capability, can, can_read_access_log


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
    if not can(actor, Capability.READ_AUDIT):
        raise PermissionDenied()
    return list(
        db.query(
            "SELECT at, actor, action, target, school_code, detail FROM audit_log"
            " ORDER BY id DESC LIMIT ?",
            [limit],
        )
    )


# --- reads of pupil-level data ---------------------------------------------------


def record_access(db: sqlite_utils.Database, actor: Actor, school_code: str, what: str, detail: str = "") -> None:
    """Log a read of pupil data (a page view, an export, a CLI score)."""
    from models.db import transaction

    with transaction(db):
        db.execute("INSERT INTO access_log (at, actor, school_code, what, detail) VALUES (?, ?, ?, ?, ?)",
                   [clock.to_text(clock.utcnow()), actor.username, school_code, what, detail])


def access_log(db: sqlite_utils.Database, actor: Actor, school_code: str, limit: int = 500) -> list[dict]:
    """Who read the school's pupil data: for its dirigente (and admins)."""
    if not can_read_access_log(actor, school_code):
        raise PermissionDenied("Il registro degli accessi è del dirigente della scuola.")
    return list(db.query("SELECT at, actor, what, detail FROM access_log WHERE school_code = ?"
                         " ORDER BY id DESC LIMIT ?", [school_code, limit]))
