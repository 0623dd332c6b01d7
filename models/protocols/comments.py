"""Comments on protocol sections: add, reply, resolve.

Visible to whoever may read the protocol (the school's staff, and the
network for its core); teachers read them but do not write.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from models.core import audit, clock
from models.core.db import transaction
from models.core.errors import ApprodoError
from models.core.permissions import Action, Actor, require
from models.protocols import protocol as protocols

MAX_COMMENT = 2000


@dataclass(frozen=True)
class Comment:
    id: int
    section_id: int
    parent_id: int | None
    author: str
    body: str
    created_at: str
    resolved_at: str | None
    resolved_by: str | None

    @property
    def resolved(self) -> bool:
        return self.resolved_at is not None



def comment_text(body: str | None) -> str:
    """A comment as stored (section comments and proposals alike): trimmed, not empty, not too long."""
    body = (body or "").strip()
    if not body:
        raise ApprodoError("Il commento è vuoto.")
    if len(body) > MAX_COMMENT:
        raise ApprodoError(f"Il commento è troppo lungo (massimo {MAX_COMMENT} caratteri).")
    return body

def _protocol_for_section(db, actor: Actor, section_id: int) -> protocols.Protocol:
    section = protocols.get_section(db, actor, section_id)
    return protocols.get_protocol(db, actor, section.protocol_id)


def list_comments(db: sqlite_utils.Database, actor: Actor, section_id: int) -> list[Comment]:
    """Threads in order: each top-level comment followed by its replies."""
    _protocol_for_section(db, actor, section_id)
    rows = [Comment(**row) for row in db.query(
        "SELECT id, section_id, parent_id, author, body, created_at, resolved_at, resolved_by"
        " FROM section_comments WHERE section_id = ? ORDER BY id", [section_id])]
    ordered = []
    for top in (c for c in rows if c.parent_id is None):
        ordered.append(top)
        ordered.extend(c for c in rows if c.parent_id == top.id)
    return ordered


def open_count(db: sqlite_utils.Database, actor: Actor, protocol_id: int) -> dict[int, int]:
    """Unresolved top-level comments per section of a protocol."""
    protocols.get_protocol(db, actor, protocol_id)
    rows = db.execute(
        "SELECT c.section_id, COUNT(*) FROM section_comments c JOIN protocol_sections s ON s.id = c.section_id"
        " WHERE s.protocol_id = ? AND s.removed_at IS NULL AND c.parent_id IS NULL AND c.resolved_at IS NULL"
        " GROUP BY c.section_id",
        [protocol_id]).fetchall()
    return dict(rows)


def add_comment(
    db: sqlite_utils.Database, actor: Actor, section_id: int, body: str, parent_id: int | None = None
) -> Comment:
    protocol = _protocol_for_section(db, actor, section_id)
    require(actor, Action.COMMENT_PROTOCOL, protocol.ref,
            message="Il tuo ruolo può leggere i commenti ma non scriverne.")
    body = comment_text(body)
    with transaction(db):
        if parent_id is not None:
            parent = db.execute("SELECT section_id, parent_id FROM section_comments WHERE id = ?",
                                [parent_id]).fetchone()
            if parent is None or parent[0] != section_id:
                raise ApprodoError("Il commento a cui rispondi non esiste in questa sezione.")
            if parent[1] is not None:
                parent_id = parent[1]  # replies stay one level deep
        cursor = db.execute(
            "INSERT INTO section_comments (section_id, parent_id, author, body, created_at) VALUES (?, ?, ?, ?, ?)",
            [section_id, parent_id, actor.username, body, clock.to_text(clock.utcnow())])
        audit.record(db, actor, "commento_aggiunto", f"protocollo {protocol.id}", school_code=protocol.school_code)
    return next(c for c in list_comments(db, actor, section_id) if c.id == cursor.lastrowid)


def resolve_comment(db: sqlite_utils.Database, actor: Actor, comment_id: int) -> None:
    row = db.execute("SELECT section_id FROM section_comments WHERE id = ?", [comment_id]).fetchone()
    if row is None:
        raise ApprodoError("Questo commento non esiste.")
    protocol = _protocol_for_section(db, actor, row[0])
    require(actor, Action.COMMENT_PROTOCOL, protocol.ref, message="Il tuo ruolo non può chiudere i commenti.")
    with transaction(db):
        db.execute("UPDATE section_comments SET resolved_at = ?, resolved_by = ? WHERE id = ? AND resolved_at IS NULL",
                   [clock.to_text(clock.utcnow()), actor.username, comment_id])
        audit.record(db, actor, "commento_risolto", f"protocollo {protocol.id}", school_code=protocol.school_code)
