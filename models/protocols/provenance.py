"""Where a section's text came from, when it was taken from outside the protocol (an adopted good practice).

The note is one sentence ("Dalla pratica «…» della Rete …, versione 3."), set by whoever brought the text in,
shown under the section's heading in the editor and in the Word export.
"""

from __future__ import annotations

import sqlite_utils

from models.protocols import store

MAX_NOTE = 400


def source_notes(db: sqlite_utils.Database, protocol_id: int) -> dict[int, str]:
    """Section id -> its source note, for the live sections of a protocol that have one."""
    return store.source_notes(db, protocol_id)


def set_source_note(db: sqlite_utils.Database, section_id: int, note: str | None) -> None:
    """Called inside the caller's transaction, after its own permission checks."""
    store.set_source_note(db, section_id, (note or "").strip()[:MAX_NOTE] or None)
