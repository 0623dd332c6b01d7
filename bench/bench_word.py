"""Word export: one protocol, and a 40-school network zip, against a tuned bare docxtpl render, in turns.

The floor is what a competent engineer writes with docxtpl and no database: the same template, the context's
strings and contents computed beforehand (not timed), each section's blocks as plain text into a subdocument
that starts from a copied blank body (not `new_subdoc()`, which re-opens python-docx's default document every
time), styles by name. For the network it renders every protocol of the network into a zip. Both must give the
same text, paragraph by paragraph, in every document. The network zip must take at most 0.6x the floor.
"""

from __future__ import annotations

import functools
import io
import tempfile
import zipfile
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml import parse_xml
from docxtpl import DocxTemplate, Subdoc
from lxml import etree

from bench.harness import Result, best_of_pair, row
from models.accounts import auth, schools
from models.core import db as database
from models.core.permissions import Actor
from models.demo import demo
from models.protocols import protocol as protocols
from models.protocols import richtext
from models.protocols import word_export as docx_export
from models.protocols.word_export import DEFAULT_TEMPLATE

SCHOOLS = 40
RUNS = 3
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@functools.cache
def _blank_body() -> bytes:
    return etree.tostring(Document().element)


class BlankBody(Subdoc):
    """docxtpl's subdocument started from a copied blank body: the floor's five lines."""

    def __init__(self, template: DocxTemplate):
        self.tpl, self.docx = template, template.get_docx()
        self.subdocx = DocumentObject(parse_xml(_blank_body()), self.docx.part)


def floor_input(db, actor: Actor, protocol: protocols.Protocol) -> tuple[dict, list[tuple[str, list]]]:
    """What the floor is given ready-made: the context's strings and contents, each section's title and blocks."""
    parts = docx_export.protocol_parts(db, actor, protocol)
    return ({k: v for k, v in parts.values.items() if k != "logo"},
            [(section.title, section.blocks) for section in parts.sections])


def bare_render(template_bytes: bytes, plain: dict, sections: list[tuple[str, list]]) -> bytes:
    """The floor: docxtpl, the sections as plain text in copied blank bodies, no database, no checks."""
    template = DocxTemplate(io.BytesIO(template_bytes))
    bodies = []
    for number, (title, blocks) in enumerate(sections, start=1):
        subdoc = BlankBody(template)
        for block in blocks:
            if isinstance(block, richtext.Table):
                columns = max([len(block.header)] + [len(r) for r in block.rows])
                table = subdoc.add_table(rows=1 + len(block.rows), cols=columns)
                for r, cells in enumerate([block.header, *block.rows]):
                    for c, cell in enumerate(cells):
                        table.rows[r].cells[c].text = richtext.plain_text(cell)
            elif isinstance(block, richtext.ListBlock):
                for item in block.items:
                    subdoc.add_paragraph(richtext.plain_text(item.runs), style="List Bullet")
            else:
                subdoc.add_paragraph(richtext.plain_text(block.runs))
        bodies.append({"numero": number, "titolo": title, "corpo": subdoc})
    template.render({**plain, "logo": "", "sezioni": bodies}, autoescape=True)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def bare_zip(template_bytes: bytes, inputs: list[tuple[str, dict, list]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, plain, sections in inputs:
            archive.writestr(name, bare_render(template_bytes, plain, sections))
    return buffer.getvalue()


def document_text(docx: bytes) -> list[str]:
    """The text of every paragraph of the body (table cells included), in order, empty ones left out."""
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    texts = ("".join(t.text or "" for t in p.iter(f"{_W}t")).strip() for p in root.iter(f"{_W}p"))
    return [t for t in texts if t]


def zip_texts(data: bytes) -> dict[str, list[str]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: document_text(archive.read(name)) for name in archive.namelist() if name.endswith(".docx")}


def same_document(ours: bytes, floor: bytes) -> None:
    ours_text, floor_text = document_text(ours), document_text(floor)
    assert ours_text == floor_text, next((o, f) for o, f in zip(ours_text + [""], floor_text + [""], strict=False)
                                         if o != f)


def same_zip(ours: bytes, floor: bytes) -> None:
    ours_texts, floor_texts = zip_texts(ours), zip_texts(floor)
    assert sorted(ours_texts) == sorted(floor_texts), (sorted(ours_texts)[:3], sorted(floor_texts)[:3])
    for name, text in ours_texts.items():
        assert text == floor_texts[name], name


def one_protocol(db, actor: Actor, protocol: protocols.Protocol):
    """(ours, floor) for one protocol."""
    template_bytes = DEFAULT_TEMPLATE.read_bytes()
    plain, sections = floor_input(db, actor, protocol)
    return (lambda: docx_export.export_protocol(db, actor, protocol.id),
            lambda: bare_render(template_bytes, plain, sections))


def network(db, actor: Actor, network_code: str):
    """(ours, floor) for a network's zip: every protocol of the network, by file name."""
    template_bytes = DEFAULT_TEMPLATE.read_bytes()
    inputs = [(docx_export.file_name(p), *floor_input(db, actor, p)) for p in protocols.list_protocols(db, actor)
              if p.network_code == network_code]
    return (lambda: docx_export.export_network(db, actor, network_code),
            lambda: bare_zip(template_bytes, inputs))


def run() -> list[Result]:
    db = database.connect(Path(tempfile.mkdtemp()) / "bench.db")
    demo.install_demo(db)
    system = Actor.system("bench")
    dirigente_id = db.execute("SELECT id FROM users WHERE username = 'dirigente'").fetchone()[0]
    dirigente = auth.actor_for_user(db, dirigente_id)
    protocol = protocols.school_protocol(db, dirigente, "MIIS00003C")
    sections = len(protocols.list_sections(db, dirigente, protocol.id))
    ours, floor = one_protocol(db, dirigente, protocol)
    results = [row(f"esportazione Word di un protocollo ({sections} sezioni)",
                   lambda: best_of_pair(ours, floor, 5, same_document),
                   "docxtpl, corpo vuoto copiato, stesso testo", target_ratio=1.0)]

    schools.create_network(db, system, "RETE40", "Rete di 40 scuole")
    protocols.create_core(db, system, "RETE40", "secondaria_secondo_grado", "2025/26")
    for n in range(SCHOOLS):
        code = f"MIIS{n:05d}Z"
        schools.create_school(db, system, code, f"Istituto {n}", "RETE40", "secondaria_secondo_grado")
        protocols.create_school_protocol(db, system, code)
    ours, floor = network(db, system, "RETE40")
    results.append(row(f"zip di una rete di {SCHOOLS} scuole", lambda: best_of_pair(ours, floor, RUNS, same_zip),
                       f"{SCHOOLS + 1} render docxtpl, corpo vuoto copiato, in uno zip", target_ratio=0.6))
    return results
