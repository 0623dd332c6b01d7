"""Unsaved section texts kept on the server, per user: what the editor holds survives a reload.

The editor writes the draft whenever the text changes and reads it back when a session starts without
one; a save of the section, or "Scarta", removes it. A draft is private to its author and is never a
version: nobody else sees it, and it can hold text that a save would still refuse (the checks run on save).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from models.core import clock
from models.core.errors import ApprodoError
from models.core.permissions import Action, Actor, require
from models.protocols import protocol as protocols
from models.protocols import store
from models.protocols.richtext import MAX_LENGTH


@dataclass(frozen=True)
class StoredDraft:
    section_id: int
    base: int  # the version the text started from
    original: str  # that version's text (to tell what changed, and to discard)
    text: str
    note: str
    updated_at: str


def _editable_section(db: sqlite_utils.Database, actor: Actor, section_id: int) -> protocols.Section:
    section = protocols.get_section(db, actor, section_id)  # raises if the actor may not read it
    protocol = protocols.get_protocol(db, actor, section.protocol_id)
    refusal = "Non puoi modificare questa sezione: la bozza non si salva."
    require(actor, Action.EDIT_PROTOCOL, protocol.ref, message=refusal)
    if not protocols.may_edit_section(actor, protocol, section):  # the workflow's state or a section of the network
        require(actor, Action.CHANGE_LOCKED_SECTION, message=refusal)
    return section


def keep(db: sqlite_utils.Database, actor: Actor, section_id: int, base: int, text: str, note: str = "") -> None:
    """Store what the actor is writing in a section (replacing their earlier draft of it)."""
    _editable_section(db, actor, section_id)
    if len(text) > MAX_LENGTH:
        raise ApprodoError(f"Il testo è troppo lungo: al massimo {MAX_LENGTH:,} caratteri.".replace(",", "."))
    store.keep_draft(db, actor.username, section_id, base, text, (note or "")[:protocols.MAX_NOTE],
                     clock.to_text(clock.utcnow()))


def forget(db: sqlite_utils.Database, actor: Actor, section_id: int) -> None:
    """Remove the actor's draft of a section (saved, or discarded): only their own."""
    store.forget_draft(db, actor.username, section_id)


def of_protocol(db: sqlite_utils.Database, actor: Actor, protocol_id: int) -> dict[int, StoredDraft]:
    """The actor's drafts of a protocol's live sections that they may still edit, by section id."""
    protocol = protocols.get_protocol(db, actor, protocol_id)
    sections = {s.id: s for s in protocols.list_sections(db, actor, protocol_id)}
    rows = store.protocol_drafts(db, actor.username, protocol_id)
    return {row[0]: StoredDraft(row[0], row[1], row[2] or "", *row[3:]) for row in rows
            if row[0] in sections and protocols.may_edit_section(actor, protocol, sections[row[0]])}
