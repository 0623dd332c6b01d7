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
from models.protocols import store

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
    rows = [Comment(**row) for row in store.section_comments(db, section_id)]
    ordered = []
    for top in (c for c in rows if c.parent_id is None):
        ordered.append(top)
        ordered.extend(c for c in rows if c.parent_id == top.id)
    return ordered


def open_count(db: sqlite_utils.Database, actor: Actor, protocol_id: int) -> dict[int, int]:
    """Unresolved top-level comments per section of a protocol."""
    protocols.get_protocol(db, actor, protocol_id)
    return store.open_comment_counts(db, protocol_id)


def add_comment(
    db: sqlite_utils.Database, actor: Actor, section_id: int, body: str, parent_id: int | None = None
) -> Comment:
    protocol = _protocol_for_section(db, actor, section_id)
    require(actor, Action.COMMENT_PROTOCOL, protocol.ref,
            message="Il tuo ruolo può leggere i commenti ma non scriverne.")
    body = comment_text(body)
    with transaction(db):
        if parent_id is not None:
            parent = store.comment_place(db, parent_id)
            if parent is None or parent[0] != section_id:
                raise ApprodoError("Il commento a cui rispondi non esiste in questa sezione.")
            if parent[1] is not None:
                parent_id = parent[1]  # replies stay one level deep
        comment_id = store.insert_comment(db, section_id, parent_id, actor.username, body,
                                          clock.to_text(clock.utcnow()))
        audit.record(db, actor, "commento_aggiunto", f"protocollo {protocol.id}", school_code=protocol.school_code)
    return next(c for c in list_comments(db, actor, section_id) if c.id == comment_id)


def resolve_comment(db: sqlite_utils.Database, actor: Actor, comment_id: int) -> None:
    row = store.comment_place(db, comment_id)
    if row is None:
        raise ApprodoError("Questo commento non esiste.")
    protocol = _protocol_for_section(db, actor, row[0])
    require(actor, Action.COMMENT_PROTOCOL, protocol.ref, message="Il tuo ruolo non può chiudere i commenti.")
    with transaction(db):
        store.resolve_comment(db, comment_id, clock.to_text(clock.utcnow()), actor.username)
        audit.record(db, actor, "commento_risolto", f"protocollo {protocol.id}", school_code=protocol.school_code)
