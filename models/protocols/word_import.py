"""Import an existing Word protocol: sections, lists and tables become the Markdown subset.

A section starts at a heading style, or, in documents without headings, at a
short bold or upper-case paragraph that begins with a number ("3. FASE
AMMINISTRATIVA"). Text before the first section is kept as a section of its
own, so that no body text is lost. Titles are matched to the template's
sections; what does not match becomes a local section. The user reviews the
mapping before `apply_import` writes it, in one transaction.
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from dataclasses import dataclass, replace

import sqlite_utils
from docx import Document
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from models.accounts.schools import get_school
from models.core import audit, limits
from models.core.db import transaction
from models.core.errors import ApprodoError
from models.core.permissions import Action, Actor, ProtocolRef, require
from models.protocols import protocol as protocols
from models.protocols import titles
from models.protocols.structure import renumber_sections
from models.protocols.templates import SectionKind, load_template

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


# Parts are parsed only after the scan refused DOCTYPEs; still no DTD, no entities, no network.
SAFE_XML = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False)
_HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Fields that make a word processor fetch or run something when the document is opened or updated.
_FETCHING_FIELD = re.compile(r"\b(INCLUDEPICTURE|INCLUDETEXT|LINK|DDE|DDEAUTO|IMPORT)\b", re.IGNORECASE)


def xml_parts(archive: zipfile.ZipFile):
    """(name, root) of every XML part of a package already scanned by `open_docx`."""
    for entry in archive.infolist():
        if entry.filename.lower().endswith((".xml", ".rels", ".vml")):
            try:
                yield entry.filename, etree.fromstring(archive.read(entry), SAFE_XML)
            except etree.XMLSyntaxError:
                raise ApprodoError("Il documento Word è danneggiato e non si può leggere.") from None


def refuse_outside_links(data: bytes, what: str) -> None:
    """Refuse a Word file that makes whoever opens or converts it fetch from elsewhere: linked pictures, an
    attached template, frames, linked objects (external relationships other than hyperlinks), and fields
    such as INCLUDEPICTURE. Hyperlinks are kept: they are followed only when a reader clicks them."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for _, root in xml_parts(archive):
            linked = any(r.get("TargetMode", "").lower() == "external" and r.get("Type") != _HYPERLINK
                         for r in root.iter(_RELATIONSHIP))
            # A field's code may be cut into several runs: read them joined.
            fields = "".join(t.text or "" for t in root.iter(f"{_W}instrText")) + " ".join(
                f.get(f"{_W}instr", "") for f in root.iter(f"{_W}fldSimple"))
            if linked or _FETCHING_FIELD.search(fields):
                raise ApprodoError(
                    f"{what} contiene collegamenti a file esterni (immagini o oggetti collegati, un modello "
                    "allegato, cornici o campi che scaricano da internet): Approdo non li accetta. In Word "
                    "incorpora le immagini invece di collegarle (File › Informazioni › Modifica collegamenti "
                    "ai file › Interrompi collegamento) e salvalo di nuovo.")


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


class _FieldTracker:
    """Follows Word fields across paragraphs, to tell the paragraphs inside a table-of-contents field."""

    def __init__(self) -> None:
        self.stack: list[str] = []

    def inside_toc(self, paragraph: Paragraph) -> bool:
        inside = "TOC" in self.stack
        for element in paragraph._p.iter(qn("w:fldChar"), qn("w:instrText"), qn("w:fldSimple")):
            if element.tag == qn("w:instrText"):
                if self.stack and not self.stack[-1]:
                    self.stack[-1] = ((element.text or "").split() or [""])[0].upper()
            elif element.tag == qn("w:fldSimple"):
                inside = inside or (element.get(qn("w:instr")) or "").split()[:1] == ["TOC"]
            elif element.get(qn("w:fldCharType")) == "begin":
                self.stack.append("")
            elif element.get(qn("w:fldCharType")) == "end" and self.stack:
                self.stack.pop()
            inside = inside or "TOC" in self.stack
        style = (paragraph.style.name if paragraph.style is not None else "").lower()
        return inside or bool(re.match(r"(toc|sommario|indice|contents)\s*\d", style))


def _style_chain(paragraph: Paragraph):
    style = paragraph.style
    while style is not None:
        yield style
        style = style.base_style


def _outline_level(paragraph: Paragraph) -> int | None:
    """Word's outline level (1 = top) from the paragraph or its style: what the navigation pane shows."""
    elements = [paragraph._p.pPr] + [s.element.pPr for s in _style_chain(paragraph)]
    for p_pr in elements:
        level = p_pr.find(qn("w:outlineLvl")) if p_pr is not None else None
        if level is not None:
            value = int(level.get(qn("w:val"), "9"))
            return value + 1 if value < 9 else None
    return None


_TOC_LINE = re.compile(r"^\S.{1,150}?(?:\s*\.{4,}\s*|\t+\s*|\s{3,})\d{1,3}$")
_LETTERHEAD = re.compile(
    r"(\btel\b|\bfax\b|e-?mail|\bpec\b|www\.|https?:|@|c\.\s?f\.|codice fiscale|cod(\.|ice)\s*mecc|"
    r"ministero|repubblica italiana|ufficio scolastico|anno scolastico\s*\d{4})", re.IGNORECASE)
_ADDRESS = re.compile(r"\b(?:Via|Viale|Piazza|Corso|Largo|Piazzale)\s+[A-ZÀ-Ý]|\b\d{5}\s+[A-ZÀ-Ý]")


def _is_front_matter(paragraph: Paragraph) -> bool:
    """A line of the letterhead or of the cover: left out when it comes before the first section."""
    text = paragraph.text.strip()
    style = (paragraph.style.name if paragraph.style is not None else "").lower()
    letters = [c for c in text if c.isalpha()]
    return (style in ("title", "subtitle", "titolo", "sottotitolo", "header", "intestazione")
            or (len(text) < 200 and bool(_LETTERHEAD.search(text) or _ADDRESS.search(text)))
            or (len(text) < 120 and bool(letters) and all(c.isupper() for c in letters)))


def _title_candidate(paragraph: Paragraph) -> tuple[bool, int, bool] | None:
    """(numbered, depth, upper) for a paragraph that looks like a title in a document without heading styles."""
    text = paragraph.text.strip()
    if not text or len(text) > 100 or text[-1] in ".;,:" and not text.isupper():
        return None
    runs = [r for r in paragraph.runs if r.text.strip()]
    style_bold = any(s.font.bold for s in _style_chain(paragraph) if s.font is not None)
    bold = bool(runs) and all(r.bold or (r.bold is None and style_bold) for r in runs)
    letters = [c for c in text if c.isalpha()]
    upper = len(letters) >= 3 and all(c.isupper() for c in letters)
    number = _NUMBERED_TITLE.match(text)
    auto_numbered = paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None
    if not (bold or upper):
        return None
    depth = number.group(0).strip().rstrip(".)").count(".") + 1 if number else 1
    return (bool(number) or auto_numbered, depth, upper)


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
    """The document's sections in order, bodies in the Markdown subset.

    A section starts at the top level of the document's headings (heading
    styles or Word outline levels); in a document without them, at short bold
    or upper-case paragraphs (numbered or not) that are followed by body text.
    Tables of contents (by field or typed by hand after "INDICE"), the letterhead and the cover (the short
    lines before a page break) before the first section, and the closing lines at the end (place and date,
    the dirigente's signature) are left out; other text before the first section becomes a section of its own.
    """
    document = open_docx(data)
    # python-docx finds a paragraph's style by scanning every style of the file (all of them for a paragraph
    # without one, to find the default), and each paragraph's style is asked for several times: once per style.
    document.part.get_style = functools.cache(document.part.get_style)
    formats = _numbering_formats(document)
    items: list[Paragraph | Table] = []
    fields = _FieldTracker()
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            paragraph = Paragraph(child, document)
            style = (paragraph.style.name if paragraph.style is not None else "").lower()
            if not fields.inside_toc(paragraph) and paragraph.text.strip() and style != "toc heading" \
                    and not _TOC_LINE.match(paragraph.text.strip()):
                items.append(paragraph)
        elif child.tag == qn("w:tbl"):
            items.append(Table(child, document))
    levels = {id(i): _heading_level(i) or _outline_level(i) for i in items if isinstance(i, Paragraph)}
    used = [lv for lv in levels.values() if lv]
    roles = _roles(items, levels, min(used) if used else None)
    left_out = _cover_and_index(items, roles) | _closing(items, roles)

    sections: list[tuple[str, list[str]]] = [(PREAMBLE_TITLE, [])]
    list_open = False
    for item, role in zip(items, roles, strict=True):
        if id(item) in left_out:
            continue
        in_preamble = len(sections) == 1
        if isinstance(item, Table):
            if in_preamble and _front_matter_table(item):
                continue
            sections[-1][1].append(_table_markdown(item))
            list_open = False
            continue
        text = item.text.strip()
        if role == "title":
            sections.append((_title_text(text), []))
            list_open = False
            continue
        if in_preamble and _is_front_matter(item):
            continue
        if role == "subtitle":
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
        if _normal_title(title) in _SKIPPED_TITLES or (not body and title == PREAMBLE_TITLE):
            continue  # a table of contents typed by hand, or nothing before the first title
        result.append(ImportedSection(title[: protocols.MAX_TITLE], body + ("\n" if body else "")))
    if not any(s.body.strip() for s in result):
        raise ApprodoError("Il documento non contiene testo da importare.")
    return result


_PLACE_AND_DATE = re.compile(r"^[A-ZÀ-Ý][\w'À-ÿ .-]{1,40},\s*(?:lì\s*)?(?:\d{1,2}[ /.-]+(?:\d{1,2}|[a-zA-Z]+)[ /.-]+"
                             r"\d{2,4}|\d{4}-\d{2}-\d{2})\.?$")
_SIGNATURE = re.compile(r"^(?:(?:il|la)\s+dirigente|(?:prof|dott|ing|avv)\.?(?:ssa)?\s|firmato digitalmente|"
                        r"firma autografa|f\.to\b|\(firma)", re.IGNORECASE)
MAX_COVER_LINES = 15
MAX_CLOSING_LINES = 6


def _ends_page(paragraph: Paragraph) -> bool:
    """A page or section break at the end of the paragraph (the cover's last line)."""
    p_pr = paragraph._p.pPr
    return any(br.get(qn("w:type")) == "page" for br in paragraph._p.iter(qn("w:br"))) or (
        p_pr is not None and p_pr.find(qn("w:sectPr")) is not None)


def _cover_and_index(items: list, roles: list[str]) -> set[int]:
    """The cover (short lines before the first page break, ahead of the first title) and an index typed by hand
    ("INDICE" and the short lines after it, ahead of the first title): neither is text of a section."""
    first_title = next((n for n, role in enumerate(roles) if role == "title"), len(items))
    head = items[:first_title]
    left_out: set[int] = set()
    cover_end = next((n for n, item in enumerate(head) if isinstance(item, Paragraph) and _ends_page(item)), None)
    if cover_end is not None and cover_end < MAX_COVER_LINES and all(
            isinstance(i, Paragraph) and len(i.text.strip()) < 200 for i in head[:cover_end + 1]):
        left_out |= {id(i) for i in head[:cover_end + 1]}
    index = next((n for n, item in enumerate(head) if isinstance(item, Paragraph)
                  and _normal_title(_title_text(item.text)) in _SKIPPED_TITLES), None)
    if index is not None:
        for item in head[index:]:
            if not isinstance(item, Paragraph) or len(item.text.strip()) >= 150:
                break
            left_out.add(id(item))
    return left_out


def _closing(items: list, roles: list[str]) -> set[int]:
    """The closing lines of the document ("Como, 12 ottobre 2025", "Il Dirigente Scolastico", the name): not text
    of the last section. Only short body lines at the very end, starting at a place and date or a signature."""
    tail: list[Paragraph] = []
    for item, role in zip(reversed(items), reversed(roles), strict=True):
        if role != "body" or not isinstance(item, Paragraph) or len(item.text.strip()) >= 120 \
                or len(tail) >= MAX_CLOSING_LINES:
            break
        tail.append(item)
    tail.reverse()
    def signs(text: str) -> bool:  # "Il Dirigente Scolastico", not "Il dirigente convoca la famiglia."
        return bool(_SIGNATURE.match(text)) and len(text.split()) <= 6 and not text.endswith(".")

    start = next((n for n, item in enumerate(tail) if _PLACE_AND_DATE.match(item.text.strip())
                  or signs(item.text.strip())), None)
    return set() if start is None else {id(i) for i in tail[start:]}


def _roles(items: list, levels: dict[int, int | None], top: int | None) -> list[str]:
    """'title', 'subtitle' or 'body' for each item."""
    if top is not None:
        return ["body" if isinstance(i, Table) or not levels[id(i)] else
                "title" if levels[id(i)] == top else "subtitle" for i in items]
    candidates = [_title_candidate(i) if isinstance(i, Paragraph) else None for i in items]
    found = [c for c in candidates if c]
    numbered_top = any(numbered and depth == 1 for numbered, depth, _ in found)
    upper_over_bold = any(upper for *_, upper in found) and not all(upper for *_, upper in found)

    def is_top(candidate) -> bool:
        numbered, depth, upper = candidate
        if numbered_top:
            return (numbered and depth == 1) or (upper and not numbered)
        return upper or not upper_over_bold

    # Body text: a table, or a paragraph that is neither a title nor a line of a letterhead.
    body = [isinstance(i, Table) or (c is None and not _is_front_matter(i)) for i, c in zip(items, candidates,
                                                                                             strict=True)]
    roles = []
    for n, candidate in enumerate(candidates):
        following_body = n + 1 < len(items) and body[n + 1]
        following = candidates[n + 1] if n + 1 < len(items) else None
        if candidate is None:
            roles.append("body")
        elif is_top(candidate) and (following_body or (following and not is_top(following))):
            roles.append("title")  # a title, possibly followed at once by its first subtitle
        elif not is_top(candidate) and following_body:
            roles.append("subtitle")
        else:
            roles.append("body")
    return roles


def _front_matter_table(table: Table) -> bool:
    """A letterhead laid out as a table (logo, school, contacts): left out before the first section."""
    lines = [line.strip() for row in table.rows for c in row.cells for line in c.text.splitlines() if line.strip()]
    return all(len(t) < 200 and (_LETTERHEAD.search(t) or _ADDRESS.search(t) or t.isupper()) for t in lines)


def _normal_title(title: str) -> str:
    return " ".join(title.lower().split())


# --- mapping onto the template ----------------------------------------------------------


def suggest_mapping(sections: list[ImportedSection], targets: list) -> list[ImportedSection]:
    """Give each imported section the template section whose title fits best (each used once)."""
    matches = titles.best_matches([s.title for s in sections], {t.key: t.title for t in targets})
    return [replace(section, key=key) for section, (key, _) in zip(sections, matches, strict=True)]


@dataclass(frozen=True)
class Target:
    key: str
    title: str
    kind: SectionKind
    position: int  # its place in the protocol, from 1


@dataclass(frozen=True)
class ImportPlan:
    """What an import will do, for the user to review before anything is written."""

    sections: list[ImportedSection]
    targets: list[Target]  # the sections that accept imported text (a locked core section does not)
    order: tuple[str, ...]  # the keys of the protocol's sections before the import (or of the one it will create)
    core_title: str | None  # the network core the protocol follows; None: every section is the school's own

    @property
    def section_count(self) -> int:
        return len(self.order)

    def final_places(self, sections: list[ImportedSection] | None = None) -> list[tuple[int, Target | None]]:
        """Where each section lands: (position, the section it fills) or (position, None) for a new one."""
        sections = self.sections if sections is None else sections
        by_key = {t.key: t for t in self.targets}
        keys = [s.key if s.key in by_key else None for s in sections]
        position = {item: n for n, item in enumerate(import_order(list(self.order), keys), start=1)}
        return [(position[key], by_key[key]) if key is not None else (position[n], None)
                for n, key in enumerate(keys)]


def import_order(existing: list[str], imported: list[str | None]) -> list[str | int]:
    """The protocol's order after an import: the existing sections' keys, and for each new section its
    index in the document, placed where it stood there: after the section the document had before it
    (or, before any section that matched, just before the first one that did; with none, at the end)."""
    order: list[str | int] = list(existing)
    waiting: list[int] = []  # new sections met before any section that matched
    cursor: int | None = None
    for index, key in enumerate(imported):
        if key is not None and key in existing:
            if cursor is None:
                cursor = order.index(key)
                order[cursor:cursor] = waiting
            cursor = order.index(key) + 1
        elif cursor is None:
            waiting.append(index)
        else:
            order.insert(cursor, index)
            cursor += 1
    return order if cursor is not None else order + waiting


def check_can_import(db: sqlite_utils.Database, actor: Actor, school_code: str) -> None:
    """Refuse at once, before any file is read, an import the school's protocol cannot take."""
    school = get_school(db, actor, school_code)
    require(actor, Action.EDIT_PROTOCOL, ProtocolRef(school.network_code, school.code),
            "Solo il dirigente della scuola può importare il protocollo.")
    protocol = protocols.school_protocol(db, actor, school.code)
    if protocol is not None and not protocol.editable_status:
        raise ApprodoError(f"Il protocollo della scuola è {protocol.status_label.lower()}: per importare un "
                           "documento Word avvia prima una nuova revisione (torna in bozza).")


def import_targets(db: sqlite_utils.Database, actor: Actor,
                   school_code: str) -> tuple[list[Target], tuple[str, ...], str | None]:
    """The sections an import can fill, the keys of all sections in order, and the core followed (if any)."""
    protocol = protocols.school_protocol(db, actor, school_code)
    school = get_school(db, actor, school_code)
    core = protocols.core_for(db, school.network_code, school.level)
    if protocol is not None:
        sections = protocols.list_sections(db, actor, protocol.id)
        core_title = core.title if core is not None and protocol.core_id == core.id else None
    elif core is not None:
        template_local = [s for s in load_template(core.template_id).sections if s.kind is SectionKind.LOCAL]
        sections = protocols.list_sections(db, actor, core.id) + template_local
        core_title = core.title
    else:
        return [], (), None
    targets = [Target(s.key, s.title, s.kind, n) for n, s in enumerate(sections, start=1)
               if s.kind is not SectionKind.CORE_LOCKED]
    return targets, tuple(s.key for s in sections), core_title


def plan_import(db: sqlite_utils.Database, actor: Actor, school_code: str, data: bytes) -> ImportPlan:
    """Read the file and propose where each of its sections goes, for the user to review."""
    check_can_import(db, actor, school_code)
    targets, order, core_title = import_targets(db, actor, school_code)
    return ImportPlan(suggest_mapping(read_sections(data), targets), targets, order, core_title)


def apply_import(
    db: sqlite_utils.Database, actor: Actor, school_code: str, sections: list[ImportedSection]
) -> protocols.Protocol:
    """Write the reviewed sections into the school's protocol, all of them or none.

    The protocol is created when the school has none: from the network's core,
    or, while the network has no core for its level, with the school's own sections.
    """
    check_can_import(db, actor, school_code)
    for section in sections:
        protocols.check_text(section.body)
    with transaction(db):
        protocol = protocols.school_protocol(db, actor, school_code)
        if protocol is None:
            school = get_school(db, actor, school_code)
            if protocols.core_for(db, school.network_code, school.level) is not None:
                protocol = protocols.create_school_protocol(db, actor, school_code)
            else:
                protocol = protocols.create_own_protocol(db, actor, school_code)
        existing = protocols.list_sections(db, actor, protocol.id)
        by_key = {s.key: s for s in existing}
        written, new_ids, keys = 0, {}, []
        for index, section in enumerate(sections):
            target = by_key.get(section.key) if section.key else None
            if target is not None and target.kind is SectionKind.CORE_LOCKED:
                raise ApprodoError(f"«{target.title}» è una sezione bloccata del protocollo comune: scegli per "
                                   f"«{section.title}» un'altra sezione o una sezione nuova.")
            keys.append(target.key if target is not None else None)
            if target is None:
                target = protocols.add_local_section(db, actor, protocol.id, section.title)
                new_ids[index] = target.id
            if section.body.strip() and section.body != target.body:
                protocols.save_section(db, actor, target.id, section.body, target.version, "importato da Word")
                written += 1
        # New sections were added at the end: each goes where it stood in the document.
        ids = {s.key: s.id for s in existing}
        order = [ids[item] if isinstance(item, str) else new_ids[item]
                 for item in import_order([s.key for s in existing], keys)]
        if order != [s.id for s in existing] + list(new_ids.values()):
            renumber_sections(db, protocol.id, order)
        audit.record(db, actor, "protocollo_importato", f"protocollo {protocol.id}", school_code=school_code,
                     detail=f"{len(sections)} sezioni, {written} testi")
    return protocols.get_protocol(db, actor, protocol.id)
