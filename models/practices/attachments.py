"""Attachments of a practice: Word (.docx) or PDF, checked like every upload before they are stored.

A Word file passes the Word import's checks (size, zip directory, XML scan, no DOCTYPE) and its text is checked
for pupil codes like the record's fields. A PDF is checked for its signature and size, and refused when it is
encrypted or carries active content (scripts, launch actions, embedded files); its visible strings are checked
for pupil codes where the file stores them uncompressed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath

import sqlite_utils

from models.core import audit, clock
from models.core.db import transaction
from models.core.errors import ApprodoError, PermissionDenied
from models.core.permissions import Actor
from models.practices import records
from models.protocols import word_import

MAX_BYTES = word_import.MAX_FILE_BYTES
MAX_PER_PRACTICE = 10
MAX_NAME = 120
MIME = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "pdf": "application/pdf"}
_PDF_ACTIVE = (b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFile", b"/RichMedia", b"/XFA")
_PDF_STRING = re.compile(rb"\(((?:[^()\\]|\\.){1,500})\)")


@dataclass(frozen=True)
class Attachment:
    id: int
    file_name: str
    kind: str
    size: int
    uploaded_by: str
    uploaded_at: str

    @property
    def mime(self) -> str:
        return MIME[self.kind]


def _clean_name(file_name: str) -> str:
    name = PurePath((file_name or "").replace("\\", "/")).name.strip()
    name = re.sub(r"[\x00-\x1f<>:\"|?*]", "_", name)[:MAX_NAME]
    if not name:
        raise ApprodoError("Il file allegato non ha un nome.")
    return name


def _docx_text(data: bytes) -> str:
    document = word_import.open_docx(data)
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        texts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(texts)


def _check_pdf(data: bytes) -> str:
    if not data.lstrip()[:5] == b"%PDF-":
        raise ApprodoError("Il file non è un PDF valido.")
    if b"/Encrypt" in data:
        raise ApprodoError("Il PDF è protetto da password: salvalo di nuovo senza protezione.")
    if any(marker in data for marker in _PDF_ACTIVE):
        raise ApprodoError("Il PDF contiene codice, azioni automatiche o file incorporati: esportalo di nuovo come "
                           "semplice documento (per esempio «Salva come PDF» da Word).")
    return "\n".join(m.group(1).decode("latin-1") for m in _PDF_STRING.finditer(data))


def add_attachment(db: sqlite_utils.Database, actor: Actor, practice_id: int, file_name: str,
                   data: bytes) -> Attachment:
    practice = records.get_practice(db, actor, practice_id)
    if not records.may_edit(actor, practice):
        raise PermissionDenied("Puoi leggere questa pratica ma non aggiungerle allegati.")
    name = _clean_name(file_name)
    if len(data) > MAX_BYTES:
        raise ApprodoError(f"Il file {name} è troppo grande: al massimo {MAX_BYTES // 2**20} MB.")
    extension = PurePath(name).suffix.lower()
    if extension == ".docx":
        kind, text = "docx", _docx_text(data)
    elif extension == ".pdf":
        kind, text = "pdf", _check_pdf(data)
    else:
        raise ApprodoError(f"Il file {name} non è un documento Word (.docx) né un PDF: si allegano solo questi.")
    records.attach_check_text(db, practice, f"Allegato {name}", text)
    with transaction(db):
        count = db.execute("SELECT COUNT(*) FROM practice_attachments WHERE practice_id = ?",
                           [practice_id]).fetchone()[0]
        if count >= MAX_PER_PRACTICE:
            raise ApprodoError(f"Una pratica ha al massimo {MAX_PER_PRACTICE} allegati.")
        now = clock.to_text(clock.utcnow())
        attachment_id = db.execute(
            "INSERT INTO practice_attachments (practice_id, file_name, kind, content, uploaded_by, uploaded_at)"
            " VALUES (?, ?, ?, ?, ?, ?)", [practice_id, name, kind, data, actor.username, now]).lastrowid
        audit.record(db, actor, "pratica_allegato", f"pratica {practice_id}", school_code=practice.school_code,
                     detail=name)
    return Attachment(attachment_id, name, kind, len(data), actor.username, now)


def list_attachments(db: sqlite_utils.Database, actor: Actor, practice_id: int) -> list[Attachment]:
    records.get_practice(db, actor, practice_id)
    return [Attachment(*row) for row in db.execute(
        "SELECT id, file_name, kind, LENGTH(content), uploaded_by, uploaded_at FROM practice_attachments"
        " WHERE practice_id = ? ORDER BY id", [practice_id])]


def attachment_content(db: sqlite_utils.Database, actor: Actor, attachment_id: int) -> tuple[Attachment, bytes]:
    row = db.execute("SELECT practice_id FROM practice_attachments WHERE id = ?", [attachment_id]).fetchone()
    if row is None:
        raise ApprodoError("Questo allegato non esiste.")
    found = next(a for a in list_attachments(db, actor, row[0]) if a.id == attachment_id)
    data = db.execute("SELECT content FROM practice_attachments WHERE id = ?", [attachment_id]).fetchone()[0]
    return found, data
