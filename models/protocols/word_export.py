"""Word export of protocols with docxtpl: one protocol, the core, or a whole network as a zip.

Section text is never given to Jinja: it becomes docxtpl subdocuments built
with python-docx from the parsed Markdown subset (real Word headings, lists
and tables). The template itself is rendered in a sandboxed Jinja
environment with autoescape on, so `&`, `<` or quotes in a school's name
are text, and a network's own uploaded template cannot reach Python. Every
template is checked when Jinja parses it: only the documented fields,
filters and the one loop over the sections, no functions, no arithmetic
(so no `'x' * 2000000000`, no `range`, no `lipsum`).

The parent reads the database and parses the sections (each section's length, and the protocol's total,
checked first); the document itself is composed in a child process with a time and a memory limit, for an
uploaded template's trial render and for every real export alike: a template or a section that still
runs away costs that child, never the server, and gives a clear Italian error with nothing written.
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
import multiprocessing
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import types
import weakref
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import sqlite_utils
from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.oxml.parser import OxmlElement
from docx.shared import Cm
from docx.text.paragraph import Paragraph
from docxtpl import DocxTemplate, InlineImage
from docxtpl.subdoc import Subdoc
from jinja2 import Template, TemplateError, nodes
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from lxml import etree
from openpyxl import Workbook
from openpyxl.styles import Font

from models.accounts import school_logo
from models.accounts.schools import LEVEL_LABELS, dirigente_full_name, get_network, list_schools
from models.core import audit, clock, word_layout
from models.core.db import store_upload, transaction
from models.core.errors import ApprodoError
from models.core.permissions import Action, Actor, ProtocolRef, require
from models.core.spreadsheet import safe_cell
from models.protocols import protocol as protocols
from models.protocols import provenance, richtext, store
from models.protocols.word_import import open_docx, refuse_outside_links

WORD_DIR = Path(__file__).resolve().parents[2] / "guidelines" / "word"
DEFAULT_TEMPLATE = WORD_DIR / "protocollo.docx"
VARIABLES = frozenset({
    "titolo", "scuola_nome", "scuola_codice", "scuola_comune", "rete_nome", "anno_scolastico", "stato", "versione",
    "data", "delibera_organo", "delibera_data", "delibera_numero", "dirigente_nome", "logo", "indice", "sezioni",
})
REQUIRED_VARIABLES = frozenset({"titolo", "scuola_nome", "sezioni"})
SECTION_FIELDS = frozenset({"numero", "titolo", "corpo"})
FILTERS = ("upper", "lower", "title", "capitalize", "trim", "default", "length")
TESTS = ("defined", "undefined", "none", "string", "number", "even", "odd", "eq", "ne")
LOOP_FIELDS = frozenset({"index", "index0", "revindex", "revindex0", "first", "last", "length"})
MAX_TEMPLATE_BYTES = 10 * 1024 * 1024
# Templates whose styles (_STYLES_OF_BYTES), cleaned XML (_Template, _PATCHED) and checked, compiled parts
# (_CheckedEnvironment.compile, _COMPILED) a process keeps for its next document; a full cache starts afresh.
_KEPT_TEMPLATES = 8
TRIAL_TIMEOUT_S = 20  # a sample protocol of one section
EXPORT_TIMEOUT_S = 90  # a real protocol of 300 pages takes a few seconds
# A network's zip: its documents composed by two children in turns (each with one export's limits).
NETWORK_CHILDREN = min(2, os.cpu_count() or 1)
# What one render may expand to, at upload (the trial) and at every real export alike: a section's body is
# placed at most twice, a template holds a bounded number of fields, and the XML Jinja writes for all the
# parts of one document together stops at a size far above a 300-page protocol's.
MAX_BODY_USES = 2
MAX_EXPRESSIONS = 1000
MAX_RENDERED_CHARS = 80 * 1024 * 1024
# Address space a render may take beyond what its child holds when it starts (the libraries, ~400 MB).
RENDER_MEMORY_BYTES = 1100 * 1024**2
# A protocol's sections together, checked before any work (each one is at most richtext.MAX_LENGTH).
MAX_EXPORT_CHARS = 2_000_000
PDF_TIMEOUT_S = 120
PDF_PASSES = 3  # page numbers rarely move after the first pass; a third settles the rare case
APPROVAL_TITLE = "Approvazione"  # the template's closing heading, listed last in the table of contents
LOGO_HEIGHT = Cm(2.2)
TABLE_FONT_PT = 10
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# XML 1.0 forbids most control characters; python-docx would refuse them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Fields:
    """What a Word template may use: plain variables, and lists to loop over with the fields of their items."""

    names: frozenset[str]
    lists: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def describe(self) -> str:
        loops = "; ".join(f"il ciclo su {name} ({', '.join(sorted(items))})" for name, items in self.lists.items())
        return (f"le variabili {', '.join(sorted(self.names))}; {loops}; i filtri {', '.join(FILTERS)}; "
                "i test if/else")


INDEX_FIELDS = frozenset({"livello", "testo", "pagina"})
PROTOCOL_FIELDS = Fields(VARIABLES - {"sezioni", "indice"}, {"sezioni": SECTION_FIELDS, "indice": INDEX_FIELDS})

# Nodes that only combine what the checks below allowed; anything not listed here or handled there is refused.
_PLAIN_NODES = (nodes.Template, nodes.Output, nodes.TemplateData, nodes.Const, nodes.If, nodes.CondExpr,
                nodes.Not, nodes.And, nodes.Or, nodes.Compare, nodes.Operand, nodes.Concat)
_REFUSED = {
    nodes.Call: "chiama una funzione (per esempio range o lipsum): nei modelli non si chiamano funzioni",
    nodes.BinExpr: "fa un calcolo (per esempio 'x' * 1000): nei modelli non si fanno calcoli né ripetizioni",
    nodes.UnaryExpr: "fa un calcolo: nei modelli non si fanno calcoli",
    nodes.Getitem: "usa le parentesi quadre: nei modelli si usano solo i campi con il punto",
    nodes.Assign: "usa {% set %}: nei modelli non si definiscono variabili",
    nodes.AssignBlock: "usa {% set %}: nei modelli non si definiscono variabili",
    nodes.Macro: "definisce una macro", nodes.CallBlock: "usa {% call %}", nodes.FilterBlock: "usa {% filter %}",
    nodes.Include: "include un altro modello", nodes.Import: "importa un altro modello",
    nodes.FromImport: "importa un altro modello", nodes.Extends: "estende un altro modello",
}


class _TemplateCheck:
    """Walk a parsed template and refuse, with an Italian reason, what the documented fields do not allow."""

    def __init__(self, fields: Fields, expansions: dict[str, int]):
        self.fields = fields
        self.expansions = expansions  # counted across every part of one document

    def refuse(self, reason: str) -> None:
        raise SecurityError(f"il modello {reason}. Si possono usare: {self.fields.describe()}")

    def visit(self, node: nodes.Node, items: dict[str, frozenset[str]]) -> None:
        if isinstance(node, nodes.For):
            self.visit_for(node, items)
        elif isinstance(node, nodes.Name):
            known = self.fields.names | set(self.fields.lists) | set(items) | ({"loop"} if items else set())
            if node.ctx != "load" or node.name not in known:
                self.refuse(f"usa «{node.name}», che non è una variabile ammessa")
        elif isinstance(node, nodes.Getattr):
            owner = node.node.name if isinstance(node.node, nodes.Name) else None
            allowed = LOOP_FIELDS if owner == "loop" and items else items.get(owner, frozenset())
            if node.attr not in allowed:
                where = owner or "…"
                self.refuse(f"usa «{where}.{node.attr}», che non è un campo ammesso")
            if node.attr == "corpo" and self._count("corpo") > MAX_BODY_USES:
                self.refuse(f"inserisce il testo delle sezioni più di {MAX_BODY_USES} volte")
        elif isinstance(node, nodes.Output):
            for child in node.iter_child_nodes():
                self.visit(child, items)
            fields = sum(not isinstance(child, nodes.TemplateData) for child in node.nodes)
            if self._count("fields", fields) > MAX_EXPRESSIONS:
                self.refuse(f"ha più di {MAX_EXPRESSIONS} campi")
        elif isinstance(node, (nodes.Filter, nodes.Test)):
            allowed = FILTERS if isinstance(node, nodes.Filter) else TESTS
            if node.name not in allowed or node.kwargs or node.dyn_args or node.dyn_kwargs:
                self.refuse(f"usa il filtro o il test «{node.name}», che non è ammesso")
            for child in [node.node, *node.args]:
                if child is not None:
                    self.visit(child, items)
        elif isinstance(node, _PLAIN_NODES):
            for child in node.iter_child_nodes():
                self.visit(child, items)
        else:
            reason = next((text for kind, text in _REFUSED.items() if isinstance(node, kind)), None)
            self.refuse(reason or f"usa un costrutto che non è ammesso ({type(node).__name__})")

    def _count(self, what: str, add: int = 1) -> int:
        self.expansions[what] = self.expansions.get(what, 0) + add
        return self.expansions[what]

    def visit_for(self, node: nodes.For, items: dict[str, frozenset[str]]) -> None:
        if items:
            self.refuse("ha un ciclo dentro un altro ciclo")
        if not isinstance(node.iter, nodes.Name) or node.iter.name not in self.fields.lists:
            self.refuse("ha un ciclo su qualcosa che non è " + " o ".join(self.fields.lists or ["un elenco ammesso"]))
        if not isinstance(node.target, nodes.Name) or node.recursive:
            self.refuse("ha un ciclo che non è della forma «for sezione in sezioni»")
        inner = {node.target.name: self.fields.lists[node.iter.name]}
        for child in [*node.body, *([node.test] if node.test is not None else [])]:
            self.visit(child, inner)
        for child in node.else_:
            self.visit(child, items)


class _BoundedTemplate(Template):
    """A template whose output, summed over every part rendered in one environment, stops at a size."""

    def render(self, *args, **kwargs) -> str:
        pieces = []
        for piece in self.generate(*args, **kwargs):
            self.environment.rendered_chars += len(piece)
            if self.environment.rendered_chars > MAX_RENDERED_CHARS:
                raise ApprodoError("Il modello Word produce un documento troppo grande (oltre "
                                   f"{MAX_RENDERED_CHARS // 2**20} MB di testo): semplificalo, o riparti dal "
                                   "modello predefinito.")
            pieces.append(piece)
        return "".join(pieces)


class _CheckedEnvironment(SandboxedEnvironment):
    """The sandbox, with no globals, only the allowed filters and tests, and a check of every parsed template.

    One environment renders one document: the checks count the fields and the rendered size over all its parts.
    """

    template_class = _BoundedTemplate

    intercepted_binops = frozenset({"*", "**", "%", "+", "//", "/"})

    def __init__(self, fields: Fields | None):
        super().__init__(autoescape=True)
        self.globals.clear()
        self.filters = {name: self.filters[name] for name in FILTERS}
        self.tests = {name: self.tests[name] for name in TESTS}
        self.checked_fields = fields
        self.expansions: dict[str, int] = {}
        self.rendered_chars = 0

    def _parse(self, source, name, filename):
        tree = super()._parse(source, name, filename)
        if self.checked_fields is not None:
            _TemplateCheck(self.checked_fields, self.expansions).visit(tree, {})
        return tree

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
        """Jinja's compile, kept per source: the same template part is checked and compiled once per process
        (its counts added again for each document, and checked again against the limits)."""
        if not isinstance(source, str) or self.checked_fields is None:
            return super().compile(source, name, filename, raw, defer_init)
        fields = self.checked_fields
        key = (fields.names, tuple(sorted(fields.lists.items())), self.autoescape, source, name, filename, raw,
               defer_init)
        kept = _COMPILED.get(key)
        if kept is not None:
            code, counts = kept
            totals = {what: self.expansions.get(what, 0) + n for what, n in counts.items()}
            if totals.get("corpo", 0) <= MAX_BODY_USES and totals.get("fields", 0) <= MAX_EXPRESSIONS:
                self.expansions.update(totals)
                return code
            # over a limit with this document's other parts: checked again, for the refusal's own words
        before = dict(self.expansions)
        code = super().compile(source, name, filename, raw, defer_init)
        if len(_COMPILED) >= 8 * _KEPT_TEMPLATES:
            _COMPILED.clear()
        _COMPILED[key] = code, {what: n - before.get(what, 0) for what, n in self.expansions.items()}
        return code

    # The check above already refuses calls and arithmetic; these refuse them again at run time.
    def call(self, __context, __obj, *args, **kwargs):
        raise SecurityError("nei modelli non si chiamano funzioni")

    def call_binop(self, context, operator, left, right):
        raise SecurityError("nei modelli non si fanno calcoli")


# Compiled template parts by (fields, autoescape, source, ...): with the counts their check added.
_COMPILED: dict[tuple, tuple[types.CodeType | str, dict[str, int]]] = {}


def _environment(fields: Fields | None = PROTOCOL_FIELDS) -> SandboxedEnvironment:
    """The checked sandbox; `fields=None` only parses (to list a template's variables before checking it)."""
    return _CheckedEnvironment(fields)


def _clean(text: str) -> str:
    return _CONTROL.sub("", text or "")


def _one_line(text: str) -> str:
    """Plain template variables are one line: docxtpl would turn a newline into a space anyway."""
    return " ".join(_clean(text).split())


# --- section bodies as subdocuments -------------------------------------------


_R, _RPR, _B, _I, _T, _BR, _TAB = (qn(f"w:{tag}") for tag in ("r", "rPr", "b", "i", "t", "br", "tab"))
_PRESERVE = qn("xml:space")
_RUN_PIECES = re.compile(r"(\t|\r)")


def _add_runs(paragraph, runs: richtext.Runs) -> None:
    """The runs' text with bold and italic, written as lxml elements: the XML python-docx's `add_run(text)`,
    `.bold` and `.italic` write (an empty <w:rPr/> included), without its schema-ordered insertions
    (a quarter of a network export went there). `paragraph` is a python-docx paragraph or its <w:p>."""
    p = getattr(paragraph, "_p", paragraph)
    for run in runs:
        for index, part in enumerate(_clean(run.text).split("\n")):
            if index:
                etree.SubElement(etree.SubElement(p, _R), _BR)
            if part:
                r = etree.SubElement(p, _R)
                properties = etree.SubElement(r, _RPR)
                if run.bold:
                    etree.SubElement(properties, _B)
                if run.italic:
                    etree.SubElement(properties, _I)
                for piece in _RUN_PIECES.split(part):  # as python-docx: a tab element, a break for \r
                    if piece in ("\t", "\r"):
                        etree.SubElement(r, _TAB if piece == "\t" else _BR)
                    elif piece:
                        text = etree.SubElement(r, _T)
                        text.text = piece
                        if len(piece.strip()) < len(piece):
                            text.set(_PRESERVE, "preserve")


def _restarted_numbering(document_part, style_num_id: int) -> int:
    """A new w:num on the same list definition, starting again at 1 (each list counts from 1)."""
    numbering = document_part.numbering_part.element
    abstract_id = numbering.num_having_numId(style_num_id).abstractNumId.val
    num = numbering.add_num(abstract_id)
    num.add_lvlOverride(ilvl=0).add_startOverride(1)
    return num.numId


def _set_numbering(paragraph, num_id: int, level: int = 0) -> None:
    p_pr = paragraph._p.get_or_add_pPr()
    num_pr = p_pr.get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = level
    num_pr.get_or_add_numId().val = num_id


def _list_style(ordered: bool, level: int) -> str:
    base = "List Number" if ordered else "List Bullet"
    return base if level == 0 else f"{base} {min(level + 1, 3)}"


class _Styles:
    """A template's paragraph and table styles, resolved once: python-docx scans every style on each lookup."""

    def __init__(self, part):
        self.part = part
        self.by_name = {style.name: style for style in part.styles}
        self._ids: dict[tuple[str, WD_STYLE_TYPE], str | None] = {}
        self.list_number_id = self._numbering_of("List Number")

    def __contains__(self, name: str | None) -> bool:
        return name in self.by_name

    def style_id(self, name: str, kind: WD_STYLE_TYPE = WD_STYLE_TYPE.PARAGRAPH) -> str | None:
        """What python-docx writes for this style name (None for the template's default style)."""
        key = (name, kind)
        if key not in self._ids:
            self._ids[key] = self.part.get_style_id(name, kind)
        return self._ids[key]

    def _numbering_of(self, name: str) -> int | None:
        style = self.by_name.get(name)
        num_pr = style.element.pPr.numPr if style is not None and style.element.pPr is not None else None
        return None if num_pr is None or num_pr.numId is None else num_pr.numId.val


_STYLES: weakref.WeakKeyDictionary[DocxTemplate, _Styles] = weakref.WeakKeyDictionary()
_STYLES_OF_BYTES: dict[bytes, _Styles] = {}  # a template's styles are those of its bytes: kept for the next document


def template_styles(template: DocxTemplate) -> _Styles:
    """The styles of this template, looked up once for all its sections (and for every document of the same
    template bytes that this process renders: a network's zip, or a child of the warmed fork server)."""
    if template not in _STYLES:
        source = template.template_file
        key = source.getvalue() if isinstance(source, io.BytesIO) else None
        styles = _STYLES_OF_BYTES.get(key) if key is not None else None
        if styles is None:
            styles = _Styles(template.get_docx().part)
            if key is not None:
                if len(_STYLES_OF_BYTES) >= _KEPT_TEMPLATES:
                    _STYLES_OF_BYTES.clear()
                _STYLES_OF_BYTES[key] = styles
        styles.part = template.get_docx().part  # ids not looked up yet are looked up in this document
        _STYLES[template] = styles
    return _STYLES[template]


@functools.cache
def _blank_document() -> bytes:
    """python-docx's default document, whose body docxtpl's `new_subdoc` starts every subdocument from."""
    return etree.tostring(Document().element)


class SectionBody(Subdoc):
    """A docxtpl subdocument that does not re-open python-docx's default package (~7 ms) for every section."""

    def __init__(self, template: DocxTemplate):  # not super().__init__: that is what this avoids
        self.tpl = template
        self.docx = template.get_docx()
        self.subdocx = DocumentObject(parse_xml(_blank_document()), self.docx.part)


_P, _PPR, _PSTYLE, _VAL, _SECTPR = (qn(f"w:{tag}") for tag in ("p", "pPr", "pStyle", "val", "sectPr"))


def _paragraph(subdoc, styles: _Styles, style: str | None) -> Paragraph:
    """`subdoc.add_paragraph(style=...)` with the style id resolved once; unknown styles give plain text.

    The XML python-docx writes (before the body's closing section properties), built directly."""
    p = OxmlElement("w:p")
    if style in styles:
        etree.SubElement(etree.SubElement(p, _PPR), _PSTYLE).set(_VAL, styles.style_id(style))
    body = subdoc.subdocx._body
    last = body._element[-1] if len(body._element) else None
    if last is not None and last.tag == _SECTPR:
        last.addprevious(p)
    else:
        body._element.append(p)
    return Paragraph(p, body)


def fill_subdoc(subdoc, blocks: list[richtext.Block]) -> None:
    """Write blocks with the template's own styles; a template without a style gets plain text."""
    styles = template_styles(subdoc.tpl)
    for block in blocks:
        if isinstance(block, richtext.Heading):
            _add_runs(_paragraph(subdoc, styles, "Heading 2"), block.runs)
        elif isinstance(block, richtext.Paragraph):
            _add_runs(_paragraph(subdoc, styles, None), block.runs)
        elif isinstance(block, richtext.ListBlock):
            num_id = _restarted_numbering(subdoc.part, styles.list_number_id) \
                if block.ordered and styles.list_number_id is not None else None
            for number, item in enumerate(block.items, start=1):
                style = _list_style(block.ordered, item.level)
                added = _paragraph(subdoc, styles, style)
                if style not in styles:  # no list style in this template: write the marker
                    added.add_run("    " * item.level + (f"{number}. " if block.ordered else "• "))
                elif num_id is not None and item.level == 0:
                    _set_numbering(added, num_id)
                _add_runs(added, item.runs)
        else:
            _add_table(subdoc, block, styles)


def _add_table(subdoc, block: richtext.Table, styles: _Styles) -> None:
    columns = max([len(block.header)] + [len(row) for row in block.rows])
    table = subdoc.add_table(rows=1 + len(block.rows), cols=columns)
    if "Table Grid" in styles:  # as `table.style = "Table Grid"`, without its scan of every style
        table._tbl.tblStyle_val = styles.style_id("Table Grid", WD_STYLE_TYPE.TABLE)
    texts = []
    # Through the rows' <w:tc> elements: python-docx's `row.cells` rebuilds the whole grid at each row.
    for row_index, (row, tr) in enumerate(zip([block.header, *block.rows], table._tbl.tr_lst, strict=True)):
        texts.append([])
        for column, tc in enumerate(tr.tc_lst):
            runs = row[column] if column < len(row) else ()
            if row_index == 0:
                runs = tuple(richtext.Run(r.text, True, r.italic) for r in runs)
            _add_runs(tc.p_lst[0], runs)
            texts[-1].append("".join(r.text for r in runs))
    word_layout.table_font(table, TABLE_FONT_PT)
    word_layout.fit_columns(table, texts, word_layout.text_width_cm(subdoc.docx.sections[-1]), TABLE_FONT_PT)
    word_layout.mark_header_row(table)


# --- one protocol ---------------------------------------------------------------


def _template_bytes(db: sqlite_utils.Database, network_code: str) -> bytes:
    stored = store.word_template(db, network_code)
    if stored is None:
        return DEFAULT_TEMPLATE.read_bytes()
    refuse_outside_links(stored, "Il modello Word della rete")  # stored before this check: not passed on
    return stored


@dataclass(frozen=True)
class SectionParts:
    number: int
    title: str
    note: str | None  # where an adopted text came from, right under the heading
    blocks: list[richtext.Block]


@dataclass(frozen=True)
class DocumentParts:
    """What a document shows, read and parsed by the parent: plain values, and no object tied to a template."""

    values: dict  # one-line strings, and the table of contents
    sections: list[SectionParts]
    logo_png: bytes | None = None


def protocol_parts(db: sqlite_utils.Database, actor: Actor, protocol: protocols.Protocol,
                   pages: list[str] | None = None) -> DocumentParts:
    """Everything the Word template shows, as one-line strings and the sections' parsed blocks.

    `pages` holds the page number of each table-of-contents entry, in order,
    when a PDF pass has measured them; without it the entries have no number
    (Word fills them in when it updates the fields on opening).
    """
    listed = protocols.list_sections(db, actor, protocol.id)
    total = sum(len(section.body) for section in listed)
    if total > MAX_EXPORT_CHARS:
        raise ApprodoError(f"Il protocollo è troppo lungo per essere esportato: le sezioni insieme hanno "
                           f"{total:,} caratteri, al massimo {MAX_EXPORT_CHARS:,}.".replace(",", ".")
                           + " Dividilo, o accorcia le sezioni più lunghe.")
    values = protocols.placeholder_values(db, actor, protocol)
    network = get_network(db, actor, protocol.network_code)
    sections, entries = [], []
    notes = provenance.source_notes(db, protocol.id)
    for number, section in enumerate(listed, start=1):
        blocks = protocols.rendered_blocks(db, actor, protocol, section.body)
        title = _one_line(section.title)
        note = _clean(notes[section.id]) if section.id in notes else None
        sections.append(SectionParts(number, title, note, blocks))
        entries.append((1, f"{number}. {title}"))
        entries += [(2, _one_line("".join(r.text for r in b.runs))) for b in blocks
                    if isinstance(b, richtext.Heading)]
    entries.append((1, APPROVAL_TITLE))
    pages = pages or []
    index = [{"livello": level, "testo": text, "pagina": pages[n] if n < len(pages) else ""}
             for n, (level, text) in enumerate(entries)]
    logo_png = None
    if protocol.school_code:
        school_name = values.get("scuola.nome", "")
        signer = dirigente_full_name(db, actor, protocol.school_code)
        logo_png = school_logo.school_logo(db, actor, protocol.school_code) or None
    else:
        school_name, signer = network.name, ""
    return DocumentParts({
        "titolo": _one_line(cover_title(protocol, school_name)),
        "scuola_nome": _one_line(school_name),
        "scuola_codice": _one_line(protocol.school_code or ""),
        "scuola_comune": _one_line(values.get("scuola.comune", "")),
        "rete_nome": _one_line(network.name),
        "anno_scolastico": protocol.school_year,
        "stato": protocol.status_label,
        "versione": str(protocol.revision),
        "data": date.today().strftime("%d/%m/%Y"),
        "delibera_organo": protocol.deliberation_body or protocols.DEFAULT_DELIBERATION_BODY,
        "delibera_data": protocol.deliberation_date or "",
        "delibera_numero": _one_line(protocol.deliberation_number or ""),
        "dirigente_nome": _one_line(signer),
        "logo": "",
        "indice": index,
    }, sections, logo_png)


def _context(template: DocxTemplate, parts: DocumentParts) -> dict:
    """The template's context from the parts: the sections as subdocuments, the logo as a picture."""
    sections = []
    for section in parts.sections:
        subdoc = SectionBody(template)
        if section.note is not None:
            _add_runs(subdoc.add_paragraph(), (richtext.Run(section.note, italic=True),))
        fill_subdoc(subdoc, section.blocks)
        sections.append({"numero": section.number, "titolo": section.title, "corpo": subdoc})
    context = {**parts.values, "sezioni": sections}
    if parts.logo_png:
        context["logo"] = InlineImage(template, io.BytesIO(parts.logo_png), height=LOGO_HEIGHT)
    return context


def cover_title(protocol: protocols.Protocol, school_name: str) -> str:
    """The title without the school's name, which the letterhead above it already shows."""
    suffix = f" – {school_name}"
    return protocol.title[: -len(suffix)] if school_name and protocol.title.endswith(suffix) else protocol.title


@dataclass(frozen=True)
class Metadata:
    """Document properties as a reader's file manager and the PDF show them (not "python-docx")."""

    title: str
    author: str
    subject: str
    keywords: str = ""
    language: str = "it-IT"
    image_text: str = ""  # the alternative text of a picture that has none yet (the school's logo)
    # Taken where the properties are decided (the app's process), not where a child process applies them.
    made_at: datetime = field(default_factory=lambda: clock.utcnow().replace(tzinfo=None))

    def apply(self, document) -> None:
        properties = document.core_properties
        properties.title, properties.author, properties.subject = self.title, self.author, self.subject
        properties.language, properties.comments = self.language, ""
        properties.created = properties.modified = self.made_at
        # python-docx 1.2 writes keywords and lastModifiedBy in a wrong namespace, next to the empty right ones:
        # Word and LibreOffice read the right ones. One of each, in the core-properties namespace.
        element = properties._element
        for name, value in (("keywords", self.keywords), ("lastModifiedBy", self.author)):
            for stray in element.findall(f"{{{_CUSTOM_NS}}}{name}"):
                element.remove(stray)
            found = element.find(f"{{{_CORE_NS}}}{name}")
            if found is None:
                found = etree.SubElement(element, f"{{{_CORE_NS}}}{name}")
            found.text = value
        set_language(document, self.language)
        if self.image_text:
            for picture in document.element.body.iter(qn("wp:docPr")):
                if not picture.get("descr"):
                    picture.set("descr", self.image_text)


_CORE_NS = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
_CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"


def set_language(document, language: str) -> None:
    """The language of the document's text (docDefaults), which a screen reader and the PDF's /Lang take:
    the file's property alone does not set it. Runs with a language of their own (a translation) keep it."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = styles.makeelement(qn("w:docDefaults"), {})
        styles.insert(0, defaults)
    run_defaults = defaults.find(qn("w:rPrDefault"))
    if run_defaults is None:
        run_defaults = defaults.makeelement(qn("w:rPrDefault"), {})
        defaults.insert(0, run_defaults)
    run_properties = run_defaults.find(qn("w:rPr"))
    if run_properties is None:
        run_properties = run_defaults.makeelement(qn("w:rPr"), {})
        run_defaults.append(run_properties)
    lang = run_properties.find(qn("w:lang"))
    if lang is None:
        lang = run_properties.makeelement(qn("w:lang"), {})
        run_properties.append(lang)
    lang.set(qn("w:val"), language)


def describe_picture(shape, text: str) -> None:
    """The alternative text of a picture added with python-docx (a chart of the report)."""
    shape._inline.docPr.set("descr", text)


def _protocol_job(db: sqlite_utils.Database, actor: Actor, protocol: protocols.Protocol,
                  template_bytes: bytes, pages: list[str] | None = None) -> _Job:
    """What a child composes for this protocol: its parts, read here, and the document's properties."""
    parts = protocol_parts(db, actor, protocol, pages)
    values = parts.values
    level = LEVEL_LABELS[protocol.level].lower()
    metadata = Metadata(f"{values['titolo']} – {values['scuola_nome']}", values["scuola_nome"],
                        f"Protocollo di accoglienza, {level}, anno scolastico {protocol.school_year}",
                        f"protocollo di accoglienza; {values['rete_nome']}",
                        image_text=f"Logo della scuola: {values['scuola_nome']}")
    return _Job(template_bytes, parts, metadata)


def _protocol_docx(db: sqlite_utils.Database, actor: Actor, protocol: protocols.Protocol,
                   template_bytes: bytes, pages: list[str] | None = None) -> tuple[bytes, DocumentParts]:
    """The rendered document with its properties set (composed in a child process), and its parts."""
    job = _protocol_job(db, actor, protocol, template_bytes, pages)
    return render_in_child(job, EXPORT_TIMEOUT_S, _EXPORT_LIMITS), job.parts


_PATCHED: dict[str, str] = {}


class _Template(DocxTemplate):
    """docxtpl's template, its cleaning of a part's XML for Jinja (a dozen regular expressions over the whole
    part) kept per part: every document of one template starts from the same parts."""

    def patch_xml(self, src_xml: str) -> str:
        patched = _PATCHED.get(src_xml)
        if patched is None:
            if len(_PATCHED) >= 8 * _KEPT_TEMPLATES:
                _PATCHED.clear()
            patched = _PATCHED[src_xml] = super().patch_xml(src_xml)
        return patched


def render(template_bytes: bytes, build_context: Callable[[DocxTemplate], dict],
           metadata: Callable[[], Metadata] | None = None, fields: Fields = PROTOCOL_FIELDS) -> bytes:
    """Render a fresh DocxTemplate (never one shared between requests) to .docx bytes."""
    template = _Template(io.BytesIO(template_bytes))
    context = build_context(template)
    try:
        template.render(context, jinja_env=_environment(fields), autoescape=True)
    except TemplateError as error:
        raise ApprodoError(f"Il modello Word non si può compilare: {error.message}.") from None
    if metadata is not None:
        metadata().apply(template.docx)  # get_docx() would reload the unrendered template
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def export_protocol(db: sqlite_utils.Database, actor: Actor, protocol_id: int) -> bytes:
    """The protocol as a Word document (bytes), rendered from the network's template."""
    protocol = protocols.get_protocol(db, actor, protocol_id)
    data, _ = _protocol_docx(db, actor, protocol, _template_bytes(db, protocol.network_code))
    with transaction(db):
        audit.record(db, actor, "protocollo_esportato", f"protocollo {protocol.id}", school_code=protocol.school_code)
    return data


def export_protocol_pdf(db: sqlite_utils.Database, actor: Actor, protocol_id: int) -> bytes:
    """The protocol as the PDF a school publishes, its table of contents with page numbers.

    LibreOffice does not recompute a Word table of contents when it converts,
    so the entries are written by us: a first conversion tells on which page
    each heading lands (from the PDF's bookmarks), the next one prints those
    numbers; the loop stops when the numbers no longer move.
    """
    protocol = protocols.get_protocol(db, actor, protocol_id)
    template_bytes = _template_bytes(db, protocol.network_code)
    pages: list[str] = ["00"] * 200  # two digits as placeholders: the entries' layout stays as it will be
    pdf = b""
    for _ in range(PDF_PASSES):
        docx, context = _protocol_docx(db, actor, protocol, template_bytes, pages)
        pdf = to_pdf(docx)
        measured = heading_pages(pdf, [entry["testo"] for entry in context.values["indice"]])
        if measured is None or measured == pages[: len(measured)]:
            break
        pages = measured
    with transaction(db):
        audit.record(db, actor, "protocollo_esportato", f"protocollo {protocol.id} (PDF)",
                     school_code=protocol.school_code)
    return pdf


def file_name(protocol: protocols.Protocol, extension: str = "docx") -> str:
    who = protocol.school_code or f"rete_{protocol.network_code}_{protocol.level.value}"
    return f"protocollo_accoglienza_{who}.{extension}"


# --- PDF through LibreOffice ------------------------------------------------------


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_available() -> bool:
    return soffice() is not None


# A tagged PDF (headings, tables with their header rows, the pictures' alternative text, the language, for a
# screen reader), PDF/UA where LibreOffice can (7.5 and later; an older one ignores the option), the
# document's title shown in the window rather than the file name.
PDF_FILTER = ('pdf:writer_pdf_Export:{"UseTaggedPDF":{"type":"boolean","value":"true"},'
              '"PDFUACompliance":{"type":"boolean","value":"true"},'
              '"ExportBookmarks":{"type":"boolean","value":"true"},'
              '"DisplayPDFDocumentTitle":{"type":"boolean","value":"true"}}')


# LibreOffice would fetch a linked picture or template while it converts: it runs with no network. Where
# the kernel allows a network namespace of its own (root, or a user namespace as anyone), it has only a loopback
# that is down; anywhere, its profile and environment send every request to a proxy that is not there.
_DEAD_PROXY = "http://127.0.0.1:9"
_OFFLINE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry">
""" + "".join(
    f'<item oor:path="/org.openoffice.Inet/Settings"><prop oor:name="{name}" oor:op="fuse"><value>{value}</value>'
    "</prop></item>\n"
    for name, value in (("ooInetProxyType", 1), ("ooInetHTTPProxyName", "127.0.0.1"), ("ooInetHTTPProxyPort", 9),
                        ("ooInetHTTPSProxyName", "127.0.0.1"), ("ooInetHTTPSProxyPort", 9),
                        ("ooInetFTPProxyName", "127.0.0.1"), ("ooInetFTPProxyPort", 9), ("ooInetNoProxy", ""))
) + "</oor:items>\n"


@functools.cache
def no_network_prefix() -> tuple[str, ...]:
    """`unshare -rn` (or `-n` as root without user namespaces) when it works here, else nothing."""
    binary = shutil.which("unshare")
    for flags in (("-rn",), ("-n",)) if binary else ():
        try:
            done = subprocess.run([binary, *flags, "true"], capture_output=True, timeout=10, check=False)  # noqa: S603
        except (OSError, subprocess.TimeoutExpired):
            continue
        if done.returncode == 0:
            return (binary, *flags)
    return ()


def _offline_environment(folder: str) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items()
                   if key in ("PATH", "LANG", "LC_ALL", "TZ", "TMPDIR", "SAL_USE_VCLPLUGIN")}
    proxies = {name: _DEAD_PROXY for name in ("http_proxy", "https_proxy", "ftp_proxy", "all_proxy")}
    return {**environment, **proxies, **{name.upper(): value for name, value in proxies.items()},
            "no_proxy": "", "NO_PROXY": "", "HOME": folder}


def to_pdf(docx: bytes, timeout: float = PDF_TIMEOUT_S) -> bytes:
    """Convert with `soffice --headless --convert-to pdf` (tagged: PDF_FILTER) in a private profile, with a timeout
    and no network."""
    binary = soffice()
    if binary is None:
        raise ApprodoError("Per il PDF serve LibreOffice, che su questo server non è installato.")
    with tempfile.TemporaryDirectory(prefix="approdo-pdf-") as folder:
        source = Path(folder) / "protocollo.docx"
        source.write_bytes(docx)
        profile = Path(folder) / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(_OFFLINE_SETTINGS, encoding="utf-8")
        try:
            subprocess.run(  # noqa: S603 - fixed arguments, no shell
                [*no_network_prefix(), binary, f"-env:UserInstallation=file://{profile}", "--headless",
                 "--convert-to", PDF_FILTER, "--outdir", folder, str(source)],
                check=True, capture_output=True, timeout=timeout, env=_offline_environment(folder),
            )
        except subprocess.TimeoutExpired:
            raise ApprodoError("La conversione in PDF ha impiegato troppo tempo: riprova più tardi.") from None
        except subprocess.CalledProcessError:
            raise ApprodoError("LibreOffice non è riuscito a convertire il documento in PDF.") from None
        target = Path(folder) / "protocollo.pdf"
        if not target.exists():
            raise ApprodoError("LibreOffice non ha prodotto il PDF.")
        return target.read_bytes()


def heading_pages(pdf: bytes, titles: list[str]) -> list[str] | None:
    """The page of each title, in order, read from the PDF's bookmarks (None without poppler's pdftohtml)."""
    binary = shutil.which("pdftohtml")
    if binary is None:
        return None
    with tempfile.TemporaryDirectory(prefix="approdo-pdf-") as folder:
        source = Path(folder) / "protocollo.pdf"
        source.write_bytes(pdf)
        try:
            result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
                [binary, "-xml", "-i", "-q", "-stdout", str(source)],
                check=True, capture_output=True, timeout=PDF_TIMEOUT_S)
        except (subprocess.TimeoutExpired, subprocess.CalledProcessError):
            return None
    # pdftohtml's own output; still, no DTD, entities or network for whatever a title holds.
    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, recover=True)
    root = etree.fromstring(result.stdout, parser)
    if root is None:
        return None
    # Bookmarks in document order: the outline nests sub-headings inside their section.
    bookmarks = [(" ".join("".join(item.itertext()).split()), item.get("page", ""))
                 for item in root.iter("item")]
    pages, position = [], 0
    for title in titles:
        wanted = " ".join(title.split())
        found = next((n for n in range(position, len(bookmarks)) if bookmarks[n][0] == wanted), None)
        if found is None:
            pages.append("")
            continue
        pages.append(bookmarks[found][1])
        position = found + 1
    return pages


# --- a whole network ----------------------------------------------------------------


def export_network(
    db: sqlite_utils.Database,
    actor: Actor,
    network_code: str,
    progress: Callable[[int, int, str], None] | None = None,
) -> bytes:
    """A zip with every protocol of the network (cores and schools) and an index sheet."""
    network = get_network(db, actor, network_code)
    require(actor, Action.EDIT_PROTOCOL, ProtocolRef(network.code, None),
            "L'esportazione della rete è per il coordinatore della rete.")
    in_network = [p for p in protocols.list_protocols(db, actor) if p.network_code == network.code]
    members = [s for s in list_schools(db, actor) if s.network_code == network.code]
    by_school = {p.school_code: p for p in in_network if p.school_code}
    template_bytes = _template_bytes(db, network.code)
    index = Workbook()
    sheet = index.active
    sheet.title = "Indice"
    sheet.append(["File", "Scuola", "Codice meccanografico", "Grado", "Stato", "Revisione", "Delibera"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    # The cores first, then every school of the network (also those without a protocol yet), by name.
    rows = [(p, None) for p in in_network if p.is_core] + [(by_school.get(s.code), s) for s in members]
    # The documents composed by NETWORK_CHILDREN children, each with one export's limits, while this process reads
    # the next protocol.
    documents = render_all_in_child((_protocol_job(db, actor, p, template_bytes) for p, _ in rows if p is not None),
                                    EXPORT_TIMEOUT_S, _EXPORT_LIMITS, children=NETWORK_CHILDREN)
    buffer = io.BytesIO()
    with contextlib.closing(documents), zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        done = 0
        for protocol, school in rows:
            if protocol is None:
                sheet.append([safe_cell(v) for v in (
                    "", school.name, school.code, school.level_label, "nessun protocollo", None, "")])
                continue
            if progress:
                progress(done, len(in_network), protocol.school_code or protocol.title)
            name = file_name(protocol)
            archive.writestr(name, next(documents))
            done += 1
            sheet.append([safe_cell(v) for v in (
                name, school.name if school else f"Protocollo comune della rete ({network.name})",
                protocol.school_code or "", LEVEL_LABELS[protocol.level], protocol.status_label, protocol.revision,
                protocol.deliberation_text)])
        for column, width in zip("ABCDEFG", (48, 50, 22, 28, 18, 10, 52), strict=True):
            sheet.column_dimensions[column].width = width
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        index_bytes = io.BytesIO()
        index.save(index_bytes)
        archive.writestr("indice.xlsx", index_bytes.getvalue())
    if progress:
        progress(len(in_network), len(in_network), "")
    with transaction(db):
        audit.record(db, actor, "rete_esportata", network.code, detail=f"{len(in_network)} protocolli")
    return buffer.getvalue()


# --- a network's own Word template ---------------------------------------------------


def check_word_template(data: bytes) -> None:
    """Refuse a template that is not a .docx, uses unknown variables, lacks required ones, or runs away."""
    if len(data) > MAX_TEMPLATE_BYTES:
        raise ApprodoError("Il modello Word è troppo grande (massimo 10 MB).")
    open_docx(data)  # the same safety checks as an import
    refuse_outside_links(data, "Il modello Word")
    try:
        used = DocxTemplate(io.BytesIO(data)).get_undeclared_template_variables(jinja_env=_environment(None))
    except TemplateError as error:
        raise ApprodoError(f"Il modello Word contiene un errore di sintassi: {error.message}.") from None
    unknown, missing = sorted(used - VARIABLES), sorted(REQUIRED_VARIABLES - used)
    problems = []
    if unknown:
        problems.append("variabili sconosciute: " + ", ".join(unknown))
    if missing:
        problems.append("variabili mancanti: " + ", ".join(missing))
    if problems:
        raise ApprodoError(
            f"Il modello Word non va bene ({'; '.join(problems)}). Le variabili ammesse sono: "
            + ", ".join(sorted(VARIABLES)) + ".")
    try:  # the field and construct check, on every part, before anything is rendered
        DocxTemplate(io.BytesIO(data)).get_undeclared_template_variables(jinja_env=_environment())
    except TemplateError as error:
        raise ApprodoError(f"Il modello Word non si può compilare: {error.message}.") from None
    _trial_render(data)


def _trial_render(data: bytes) -> None:
    """A trial render with a sample protocol, in a child process with the limits of every export.

    Errors show now, not at a school's export.
    """
    render_in_child(_Job(data, _SAMPLE), TRIAL_TIMEOUT_S, _TRIAL_LIMITS)


_SAMPLE = DocumentParts(
    {"titolo": "Prova", "scuola_nome": "Scuola di prova", "scuola_codice": "XXXX00000X",
     "rete_nome": "Rete di prova", "anno_scolastico": "2025/26", "stato": "Bozza", "versione": "1",
     "data": "01/01/2026", "delibera_data": "", "delibera_numero": ""},
    [SectionParts(1, "Sezione di prova", None, richtext.parse("Testo di prova con **grassetto**.\n\n- uno\n- due\n"))])


_WARM_UP = DocumentParts(_SAMPLE.values, [SectionParts(1, "Sezione di prova", "Nota", richtext.parse(
    "### Titolo\n\nTesto con **grassetto** e *corsivo*.\n\n- uno\n  - due\n\n1. primo\n2. secondo\n\n"
    "| Chi | Quando |\n|---|---|\n| Noi | oggi |\n"))])


def warm() -> None:
    """One export of every kind of block with the default template (see word_warm)."""
    _Job(DEFAULT_TEMPLATE.read_bytes(), _WARM_UP, Metadata("Prova", "Prova", "Prova", image_text="Prova")).run()


# --- composing a document in a child process ---------------------------------------------------


@dataclass(frozen=True)
class _Job:
    template_bytes: bytes
    parts: DocumentParts
    metadata: Metadata | None = None

    def run(self) -> bytes:
        return render(self.template_bytes, functools.partial(_context, parts=self.parts),
                      (lambda: self.metadata) if self.metadata else None)


@dataclass(frozen=True)
class _Limits:
    too_slow: str
    too_big: str


_TRIAL_LIMITS = _Limits(
    f"Il modello Word impiega troppo tempo per essere compilato (oltre {TRIAL_TIMEOUT_S} secondi con un "
    "protocollo di prova): semplificalo.",
    "Il modello Word richiede troppa memoria per essere compilato con un protocollo di prova: semplificalo, "
    "o riparti dal modello predefinito.")
_EXPORT_LIMITS = _Limits(
    "Il protocollo richiede troppo tempo per essere composto in Word: accorcia le sezioni più lunghe o dividi "
    "le tabelle più grandi (se la rete usa un suo modello Word, prova con quello predefinito). Non è stato "
    "prodotto alcun file.",
    "Il protocollo richiede troppa memoria per essere composto in Word: accorcia le sezioni più lunghe o "
    "dividi le tabelle più grandi (se la rete usa un suo modello Word, prova con quello predefinito). Non è "
    "stato prodotto alcun file.")
_FAILED = "Il documento Word non si è potuto comporre: riprova; se si ripete, avvisa chi gestisce Approdo."
_OUT_OF_MEMORY = 3
_COUNTS = ("MAX_BODY_USES", "MAX_EXPRESSIONS", "MAX_RENDERED_CHARS")


@functools.cache
def _children() -> multiprocessing.context.BaseContext:
    """Children forked from a server process that has this module loaded already (no threads, no import
    per export), never from the app's own multi-threaded process."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__, "models.protocols.word_warm"])
    return context


_MAIN_SWAP = threading.Lock()


@contextlib.contextmanager
def _bare_main():
    """Streamlit runs each page as `__main__` with the page's path as its `__file__`: a child of the forkserver
    would run that page again to rebuild its main module (and fail without a session). The child needs nothing
    from it, so while a child is launched `__main__` is a bare module."""
    with _MAIN_SWAP:
        saved = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            if saved is not None:
                sys.modules["__main__"] = saved


def render_in_child(job: _Job, seconds: float, limits: _Limits) -> bytes:
    """`job.run()` in a child process limited to `seconds` and RENDER_MEMORY_BYTES; ApprodoError beyond."""
    return next(render_all_in_child([job], seconds, limits))


def render_all_in_child(jobs: Iterable[_Job], seconds: float, limits: _Limits,
                        children: int = 1) -> Iterator[bytes]:
    """Each job's document, in order, composed by at most `children` child processes (each composing many, one
    after the other); each job with the limits of a single export (`seconds` and RENDER_MEMORY_BYTES from where
    its child stands when it starts that job). The next job is taken from `jobs` (the parent reads its
    protocol) while the children compose the ones before."""
    context = _children()
    counts = {name: globals()[name] for name in _COUNTS}  # as this process has them (a test may lower them)
    started: list[tuple] = []  # (process, job writer, result receiver)
    in_flight: list[tuple[int, float]] = []  # (child, deadline) of each job sent, in order

    def start() -> None:
        job_reader, job_writer = context.Pipe(duplex=False)
        receiver, sender = context.Pipe(duplex=False)
        child = context.Process(target=_child_main, args=(job_reader, sender, seconds, RENDER_MEMORY_BYTES, counts),
                                daemon=True)
        with _bare_main():
            child.start()
        sender.close()
        job_reader.close()
        started.append((child, job_writer, receiver))

    def oldest() -> bytes:
        number, deadline = in_flight.pop(0)
        child, _, receiver = started[number]
        return _received(receiver, child, deadline, limits)

    try:
        pool = max(1, children)
        for index, job in enumerate(jobs):
            number = index % pool  # in turns: the oldest job in flight, when `pool` are, is this child's
            if number == len(started):
                start()
            if len(in_flight) == pool:
                yield oldest()  # that child's previous document: the child now waits for this job
            # Sent only while the child waits for it (never while it sends a document back): no pipe fills up.
            started[number][1].send(job)
            in_flight.append((number, time.monotonic() + seconds))
        while in_flight:
            yield oldest()
    finally:
        for child, job_writer, receiver in started:
            job_writer.close()
            child.kill()
            child.join()
            receiver.close()


def _received(receiver, child, deadline: float, limits: _Limits) -> bytes:
    try:
        if not receiver.poll(max(0.0, deadline - time.monotonic())):
            raise ApprodoError(limits.too_slow)
        outcome, value = receiver.recv()
    except EOFError:
        outcome, value = "gone", None
    if outcome == "ok":
        return value
    if outcome == "error":
        raise ApprodoError(value)
    child.kill()
    child.join()
    if child.exitcode == -signal.SIGXCPU:
        raise ApprodoError(limits.too_slow)
    if child.exitcode in (_OUT_OF_MEMORY, -signal.SIGKILL, -signal.SIGSEGV):
        raise ApprodoError(limits.too_big)
    raise ApprodoError(_FAILED)


def _address_space() -> int:
    try:
        return int(Path("/proc/self/statm").read_text().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 400 * 1024**2


def _limit_next_job(seconds: float, memory: int) -> None:
    """The limits of one export, from where this child stands now: its address space may grow by `memory`,
    its CPU time by `seconds` (SIGXCPU beyond). Soft limits, so that the next job can be given its own."""
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = _address_space() + memory
    resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
    used = resource.getrusage(resource.RUSAGE_SELF)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    cpu = math.ceil(used.ru_utime + used.ru_stime + seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu if hard == resource.RLIM_INFINITY else min(cpu, hard), hard))


def _child_main(jobs, sender, seconds: float, memory: int, counts: dict[str, int]) -> None:
    """The child: for each job it is sent, limits on itself, then the document (or the Italian error) back
    through the pipe; it ends when the parent closes its end."""
    globals().update(counts)
    while True:
        try:
            job = jobs.recv()
        except EOFError:
            return
        _limit_next_job(seconds, memory)
        try:
            sender.send(("ok", job.run()))
        except ApprodoError as error:
            sender.send(("error", error.message))
        except MemoryError:
            os._exit(_OUT_OF_MEMORY)


def save_network_template(db: sqlite_utils.Database, actor: Actor, network_code: str, data: bytes) -> None:
    network = get_network(db, actor, network_code)
    require(actor, Action.EDIT_PROTOCOL, ProtocolRef(network.code, None),
            "Solo il coordinatore della rete può cambiare il modello Word.")
    check_word_template(data)
    with transaction(db):
        store_upload(db, "word_templates", "network_code", network.code, data, actor.username)
        audit.record(db, actor, "modello_word_caricato", network.code)


def reset_network_template(db: sqlite_utils.Database, actor: Actor, network_code: str) -> None:
    network = get_network(db, actor, network_code)
    require(actor, Action.EDIT_PROTOCOL, ProtocolRef(network.code, None),
            "Solo il coordinatore della rete può cambiare il modello Word.")
    with transaction(db):
        store.delete_word_template(db, network.code)
        audit.record(db, actor, "modello_word_predefinito", network.code)


def has_custom_template(db: sqlite_utils.Database, network_code: str) -> bool:
    return store.has_word_template(db, network_code)

