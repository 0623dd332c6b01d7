"""Attachments of a practice: Word (.docx) or PDF, checked like every upload before they are stored.

A Word file passes the Word import's checks (size, zip directory, XML scan, no DOCTYPE), has no links that
fetch from elsewhere and no embedded objects, and the text of every part (body, headers, footers, comments,
notes, document properties, alternative texts) is checked for pupil codes like the record's fields. A PDF is
parsed by pypdf in a child process (`pdf_check`): refused when it is encrypted, carries active content
(scripts, launch actions, embedded files) or is also a web page; its text is checked for pupil codes.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

import sqlite_utils

from models.core import audit, clock
from models.core.db import transaction
from models.core.errors import ApprodoError
from models.core.permissions import Action, Actor, require
from models.practices import pdf_check, records, store
from models.protocols import word_import

MAX_BYTES = word_import.MAX_FILE_BYTES
MAX_PER_PRACTICE = 10
MAX_NAME = 120
MIME = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "pdf": "application/pdf"}
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Attributes Word fills with its own revision and paragraph identifiers: never a person's text.
_WORD_IDS = re.compile(r"\{[^}]*\}(rsid\w*|paraId|textId|durableId)$")


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
    """The text of every XML part: paragraphs (runs joined, as a reader reads them), then every text node
    and attribute value, so that a code in a header, a comment, a note, a property or an image's alternative
    text is found as in the body."""
    word_import.open_docx(data)
    word_import.refuse_outside_links(data, "Il documento Word")
    texts = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if any(name.lower().startswith("word/embeddings/") for name in archive.namelist()):
            raise ApprodoError("Il documento Word contiene oggetti o file incorporati (per esempio un foglio di "
                               "Excel): allega solo il documento, senza oggetti incorporati.")
        for _, root in word_import.xml_parts(archive):
            texts += ["".join(t.text or "" for t in p.iter(f"{_W}t")) for p in root.iter(f"{_W}p")]
            for element in root.iter():
                if isinstance(element.tag, str) and element.text and element.text.strip():
                    texts.append(element.text)
                texts += [value for key, value in element.attrib.items() if not _WORD_IDS.match(key)]
    return "\n".join(texts)


def add_attachment(db: sqlite_utils.Database, actor: Actor, practice_id: int, file_name: str,
                   data: bytes) -> Attachment:
    practice = records.get_practice(db, actor, practice_id)
    require(actor, Action.DRAFT_PRACTICES, practice.ref,
            message="Puoi leggere questa pratica ma non aggiungerle allegati.")
    name = _clean_name(file_name)
    if len(data) > MAX_BYTES:
        raise ApprodoError(f"Il file {name} è troppo grande: al massimo {MAX_BYTES // 2**20} MB.")
    extension = PurePath(name).suffix.lower()
    if extension == ".docx":
        kind, text = "docx", _docx_text(data)
    elif extension == ".pdf":
        kind, text = "pdf", pdf_check.check_pdf(data)
    else:
        raise ApprodoError(f"Il file {name} non è un documento Word (.docx) né un PDF: si allegano solo questi.")
    records.attach_check_text(db, practice, f"Allegato {name}", text)
    with transaction(db):
        count = store.attachment_count(db, practice_id)
        if count >= MAX_PER_PRACTICE:
            raise ApprodoError(f"Una pratica ha al massimo {MAX_PER_PRACTICE} allegati.")
        now = clock.to_text(clock.utcnow())
        attachment_id = store.insert_attachment(db, practice_id, name, kind, data, actor.username, now)
        audit.record(db, actor, "pratica_allegato", f"pratica {practice_id}", school_code=practice.school_code,
                     detail=name)
    return Attachment(attachment_id, name, kind, len(data), actor.username, now)


def list_attachments(db: sqlite_utils.Database, actor: Actor, practice_id: int) -> list[Attachment]:
    records.get_practice(db, actor, practice_id)
    return [Attachment(*row) for row in store.attachments(db, practice_id)]


def attachment_content(db: sqlite_utils.Database, actor: Actor, attachment_id: int) -> tuple[Attachment, bytes]:
    practice_id = store.attachment_practice(db, attachment_id)
    if practice_id is None:
        raise ApprodoError("Questo allegato non esiste.")
    found = next(a for a in list_attachments(db, actor, practice_id) if a.id == attachment_id)
    return found, store.attachment_content(db, attachment_id)
