"""Where a section's text came from, when it was taken from outside the protocol (an adopted good practice).

The note is one sentence ("Dalla pratica «…» della Rete …, versione 3."), set by whoever brought the text in,
shown under the section's heading in the editor and in the Word export.
"""

from __future__ import annotations

import sqlite_utils

MAX_NOTE = 400


def source_notes(db: sqlite_utils.Database, protocol_id: int) -> dict[int, str]:
    """Section id -> its source note, for the live sections of a protocol that have one."""
    return dict(db.execute(
        "SELECT id, source_note FROM protocol_sections WHERE protocol_id = ? AND removed_at IS NULL"
        " AND source_note IS NOT NULL AND source_note != ''", [protocol_id]).fetchall())


def set_source_note(db: sqlite_utils.Database, section_id: int, note: str | None) -> None:
    """Called inside the caller's transaction, after its own permission checks."""
    db.execute("UPDATE protocol_sections SET source_note = ? WHERE id = ?",
               [(note or "").strip()[:MAX_NOTE] or None, section_id])
