"""Import an existing Word protocol: sections, lists and tables become the Markdown subset.

A section starts at a heading style, or, in documents without headings, at a
short bold or upper-case paragraph that begins with a number ("3. FASE
AMMINISTRATIVA"). Text before the first section is kept as a section of its
own, so that no body text is lost. Titles are matched to the template's
sections; what does not match becomes a local section. The user reviews the
mapping before `apply_import` writes it, in one transaction.
"""

from __future__ import annotations

import difflib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, replace

import sqlite_utils
from docx import Document
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from models import audit, limits, protocols
from models.db import transaction
from models.errors import ApprodoError
from models.permissions import Actor
from models.schools import get_school
from models.templates import SectionKind, load_template

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = limits.MAX_DOCX_UNPACKED
PREAMBLE_TITLE = "Introduzione (dal documento)"
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_NUMBERED_TITLE = re.compile(r"^\s*(?:\d+(?:\.\d+)*[.)]?|[IVXLC]+[.)])\s+(?=\S)")
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]#|<>{}!~])")
_SKIPPED_TITLES = {"indice", "sommario", "indice generale"}


@dataclass(frozen=True)
class ImportedSection:
    title: str
    body: str  # in the Markdown subset
    key: str | None = None  # the template section it goes into; None = a new local section


def open_docx(data: bytes):
    """A python-docx Document, or an Italian error for what is not a safe, readable .docx."""
    if len(data) > MAX_FILE_BYTES:
        raise ApprodoError("Il file è troppo grande: al massimo 20 MB.")
    if data.startswith(_OLE_SIGNATURE):
        raise ApprodoError("Il file è protetto da password oppure è nel vecchio formato .doc: "
                           "aprilo in Word e salvalo come .docx senza password.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ApprodoError("Il file non è un documento Word (.docx).") from None
    with archive:
        # A zip bomb passes for a .docx until it is unpacked: look at the sizes first, then count what
        # python-docx would build, with a streaming scan, before it builds anything.
        try:
            limits.check_zip(archive, "Word", MAX_UNPACKED_BYTES)
        except ApprodoError:
            raise ApprodoError("Il file, una volta aperto, è troppo grande per essere un protocollo.") from None
        if "word/document.xml" not in archive.namelist():
            raise ApprodoError("Il file non è un documento Word (.docx).")
        _scan_parts(archive)
    try:
        return Document(io.BytesIO(data))
    except Exception:  # python-docx raises many kinds on a damaged file
        raise ApprodoError("Il documento Word è danneggiato e non si può leggere.") from None


def _scan_parts(archive: zipfile.ZipFile) -> None:
    """Paragraphs, table cells and elements of every XML part; DOCTYPE and entities refused."""
    counted = {b"p": (limits.MAX_PARAGRAPHS, "troppi paragrafi"),
               b"tc": (limits.MAX_PARAGRAPHS, "troppe celle di tabella")}
    counts: dict[bytes, int] = {}
    for entry in archive.infolist():  # every part, whatever its name: relations may point anywhere
        try:
            with archive.open(entry) as stream:
                limits.scan_xml(stream, "Word", entry.filename, counted, counts=counts)
        except ApprodoError:
            raise
        except Exception:  # a bad checksum, an unknown compression, a password: all damaged to us
            raise ApprodoError("Il documento Word è danneggiato e non si può leggere.") from None


# --- reading ------------------------------------------------------------------------


def escape(text: str) -> str:
    """Plain text that the Markdown subset shows as it is."""
    text = _MARKDOWN_SPECIALS.sub(r"\\\1", text)
    return re.sub(r"^(\s*)(\d+)([.)])(\s)", r"\1\2\\\3\4", re.sub(r"^(\s*)([-+])(\s)", r"\1\\\2\3", text))


def _runs_markdown(paragraph: Paragraph) -> str:
    """The paragraph's text with bold and italic kept, Markdown characters escaped."""
    pieces: list[tuple[str, bool, bool]] = []
    for run in paragraph.runs:
        text = run.text.replace("\t", " ")
        if not text:
            continue
        style = (bool(run.bold), bool(run.italic))
        if pieces and pieces[-1][1:] == style:
            pieces[-1] = (pieces[-1][0] + text, *style)
        else:
            pieces.append((text, *style))
    if not pieces:  # e.g. text inside hyperlinks or fields only
        pieces = [(paragraph.text, False, False)]
    out = []
    for text, bold, italic in pieces:
        lines = [escape(line) for line in text.split("\n")]
        formatted = []
        for line in lines:
            core = line.strip()
            if core and (bold or italic):
                marker = "**" if bold else ""
                marker += "*" if italic else ""
                lead, trail = line[: len(line) - len(line.lstrip())], line[len(line.rstrip()):]
                line = f"{lead}{marker}{core}{marker[::-1]}{trail}"
            formatted.append(line)
        out.append("  \n".join(formatted))
    return "".join(out).strip()


def _heading_level(paragraph: Paragraph) -> int | None:
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    match = re.fullmatch(r"(?:Heading|Titolo|Intestazione)\s*(\d)", name.strip(), re.IGNORECASE)
    return int(match.group(1)) if match else None


def _list_info(paragraph: Paragraph, numbering_formats: dict[tuple[int, int], str]) -> tuple[bool, int] | None:
    """(ordered, level) for a list paragraph, or None."""
    p_pr = paragraph._p.pPr
    num_pr = p_pr.numPr if p_pr is not None else None
    style_name = (paragraph.style.name if paragraph.style is not None else "") or ""
    if num_pr is None and paragraph.style is not None and paragraph.style.element.pPr is not None:
        num_pr = paragraph.style.element.pPr.numPr
    if num_pr is None or num_pr.numId is None:
        if re.search(r"list (bullet|number)|elenco", style_name, re.IGNORECASE):
            return ("number" in style_name.lower() or "numer" in style_name.lower(), 0)
        return None
    level = num_pr.ilvl.val if num_pr.ilvl is not None else 0
    fmt = numbering_formats.get((num_pr.numId.val, level), "bullet")
    return (fmt not in ("bullet", "none"), level)


def _numbering_formats(document) -> dict[tuple[int, int], str]:
    """(numId, level) -> numFmt ("decimal", "bullet"...) from the numbering part."""
    try:
        numbering = document.part.numbering_part.element
    except (KeyError, NotImplementedError):
        return {}
    abstract = {}
    for element in numbering.findall(qn("w:abstractNum")):
        levels = {}
        for lvl in element.findall(qn("w:lvl")):
            fmt = lvl.find(qn("w:numFmt"))
            levels[int(lvl.get(qn("w:ilvl")))] = fmt.get(qn("w:val")) if fmt is not None else "bullet"
        abstract[element.get(qn("w:abstractNumId"))] = levels
    formats = {}
    for num in numbering.findall(qn("w:num")):
        abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
        for level, fmt in abstract.get(abstract_id, {}).items():
            formats[(int(num.get(qn("w:numId"))), level)] = fmt
    return formats


def _is_toc(paragraph: Paragraph) -> bool:
    instructions = " ".join(t.text or "" for t in paragraph._p.iter(qn("w:instrText")))
    style = (paragraph.style.name if paragraph.style is not None else "").lower()
    return "TOC" in instructions or style.startswith(("toc", "sommario", "indice"))


def _looks_like_title(paragraph: Paragraph) -> bool:
    """A short, bold or upper-case paragraph beginning with a number: a title in a style-less document."""
    text = paragraph.text.strip()
    if not text or len(text) > 120 or not _NUMBERED_TITLE.match(text):
        return False
    runs = [r for r in paragraph.runs if r.text.strip()]
    bold = bool(runs) and all(r.bold for r in runs)
    letters = [c for c in text if c.isalpha()]
    upper = bool(letters) and all(c.isupper() for c in letters)
    return bold or upper


def _table_markdown(table: Table) -> str:
    rows = []
    for index, row in enumerate(table.rows):
        cells = []
        for cell in row.cells:
            if index == 0:  # a header row is bold by style, not by meaning
                text = escape(" ".join(" ".join(p.text for p in cell.paragraphs).split()))
            else:
                text = " ".join(md for p in cell.paragraphs if (md := _runs_markdown(p)))
            cells.append(text.replace("  \n", " ") or " ")
        rows.append(cells)
    if not rows:
        return ""
    width = max(len(r) for r in rows)
    rows = [r + [" "] * (width - len(r)) for r in rows]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(lines)


def _title_text(text: str) -> str:
    title = _NUMBERED_TITLE.sub("", text.strip(), count=1).strip()
    if title.isupper():
        title = title.capitalize()
    return " ".join(title.split()) or text.strip()


def read_sections(data: bytes) -> list[ImportedSection]:
    """The document's sections in order, bodies in the Markdown subset."""
    document = open_docx(data)
    formats = _numbering_formats(document)
    items: list[Paragraph | Table] = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            items.append(Paragraph(child, document))
        elif child.tag == qn("w:tbl"):
            items.append(Table(child, document))
    heading_levels = [lv for i in items if isinstance(i, Paragraph) and (lv := _heading_level(i))]
    top = min(heading_levels) if heading_levels else None

    sections: list[tuple[str, list[str]]] = [(PREAMBLE_TITLE, [])]
    list_open = False
    for item in items:
        if isinstance(item, Table):
            sections[-1][1].append(_table_markdown(item))
            list_open = False
            continue
        text = item.text.strip()
        if not text or _is_toc(item):
            continue
        level = _heading_level(item)
        starts_section = (level == top) if top is not None else _looks_like_title(item)
        if starts_section:
            sections.append((_title_text(text), []))
            list_open = False
            continue
        if level is not None:  # a deeper heading stays inside the section
            sections[-1][1].append("### " + escape(_title_text(text)))
            list_open = False
            continue
        listed = _list_info(item, formats)
        if listed:
            ordered, depth = listed
            marker = "1." if ordered else "-"
            line = "   " * depth + f"{marker} {_runs_markdown(item)}"
            if list_open:
                sections[-1][1][-1] += "\n" + line
            else:
                sections[-1][1].append(line)
            list_open = True
            continue
        sections[-1][1].append(_runs_markdown(item))
        list_open = False

    result = []
    for title, blocks in sections:
        body = "\n\n".join(b for b in blocks if b.strip())
        if not body and (title == PREAMBLE_TITLE or title.lower() in _SKIPPED_TITLES):
            continue
        result.append(ImportedSection(title[: protocols.MAX_TITLE], body + ("\n" if body else "")))
    if not any(s.body.strip() for s in result):
        raise ApprodoError("Il documento non contiene testo da importare.")
    return result


# --- mapping onto the template ----------------------------------------------------------


def _normal(title: str) -> str:
    text = unicodedata.normalize("NFKD", title.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", text).split())


_STOPWORDS = {"e", "ed", "di", "del", "della", "dei", "delle", "degli", "la", "il", "lo", "le", "gli", "i", "a",
              "al", "alla", "in", "per", "con", "da", "dal", "dalla", "nostra", "nostro", "l", "un", "una"}


def _significant(title: str) -> set[str]:
    return {word for word in title.split() if word not in _STOPWORDS and len(word) > 2}


def suggest_mapping(sections: list[ImportedSection], targets: list) -> list[ImportedSection]:
    """Give each imported section the template section whose title fits best (each used once)."""
    free = {t.key: _normal(t.title) for t in targets}
    mapped = []
    for section in sections:
        title = _normal(section.title)
        words = _significant(title)
        best, best_score = None, 0.0
        for key, target in free.items():
            target_words = _significant(target)
            shared = words & target_words
            overlap = len(shared) / max(1, min(len(words), len(target_words)))
            score = max(difflib.SequenceMatcher(a=title, b=target).ratio(), overlap)
            if score > best_score:
                best, best_score = key, score
        if best is not None and best_score >= 0.6:
            del free[best]
            mapped.append(replace(section, key=best))
        else:
            mapped.append(replace(section, key=None))
    return mapped


@dataclass(frozen=True)
class Target:
    key: str
    title: str
    kind: SectionKind


def import_targets(db: sqlite_utils.Database, actor: Actor, school_code: str) -> list[Target]:
    """The sections an import can fill: the school's protocol, or the core plus the template's local ones."""
    protocol = protocols.school_protocol(db, actor, school_code)
    if protocol is not None:
        return [Target(s.key, s.title, s.kind) for s in protocols.list_sections(db, actor, protocol.id)]
    school = get_school(db, actor, school_code)
    core = protocols.core_for(db, school.network_code, school.level)
    if core is None:
        raise ApprodoError(f"La rete non ha ancora un protocollo comune per la {school.level_label.lower()}: "
                           "l'importazione parte da quello.")
    targets = [Target(s.key, s.title, s.kind) for s in protocols.list_sections(db, actor, core.id)]
    return targets + [Target(s.key, s.title, s.kind) for s in load_template(core.template_id).sections
                      if s.kind is SectionKind.LOCAL]


def plan_import(db: sqlite_utils.Database, actor: Actor, school_code: str, data: bytes) -> list[ImportedSection]:
    """Read the file and propose where each of its sections goes, for the user to review."""
    targets = import_targets(db, actor, school_code)
    return suggest_mapping(read_sections(data), targets)


def apply_import(
    db: sqlite_utils.Database, actor: Actor, school_code: str, sections: list[ImportedSection]
) -> protocols.Protocol:
    """Write the reviewed sections into the school's protocol, all of them or none.

    The protocol is created from the network's core when the school has none.
    A text matched to a locked section (which the school may not change) is
    kept as a local section, so that nothing is lost.
    """
    for section in sections:
        protocols.check_text(section.body)
    with transaction(db):
        protocol = protocols.school_protocol(db, actor, school_code)
        if protocol is None:
            protocol = protocols.create_school_protocol(db, actor, school_code)
        by_key = {s.key: s for s in protocols.list_sections(db, actor, protocol.id)}
        written = 0
        for section in sections:
            target = by_key.get(section.key) if section.key else None
            if target is None or target.kind is SectionKind.CORE_LOCKED:
                target = protocols.add_local_section(db, actor, protocol.id, section.title)
            if section.body.strip() and section.body != target.body:
                protocols.save_section(db, actor, target.id, section.body, target.version, "importato da Word")
                written += 1
        audit.record(db, actor, "protocollo_importato", f"protocollo {protocol.id}", school_code=school_code,
                     detail=f"{len(sections)} sezioni, {written} testi")
    return protocols.get_protocol(db, actor, protocol.id)
