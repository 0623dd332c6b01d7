"""Word export: one protocol against a bare docxtpl render of the same context, and a 40-school network.

The floor renders with docxtpl as its documentation shows (a `new_subdoc` per section, styles by name);
Approdo builds its section bodies without re-opening python-docx's default package and resolves each
style once, so the network zip must take at most 0.6 times the 41 bare renders (issue 21).
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from docxtpl import DocxTemplate

from bench.harness import Result, best_of
from models.accounts import auth, schools
from models.core import db as database
from models.core.permissions import Actor
from models.demo import demo
from models.protocols import protocol as protocols
from models.protocols import richtext
from models.protocols import word_export as docx_export

SCHOOLS = 40
RUNS = 3  # the network rows are the fastest of three runs, ours and the floor alike


def _bare_render(template_bytes: bytes, context_blocks: list[tuple[str, list]], plain: dict) -> bytes:
    """The floor: docxtpl with the same sections as subdocuments, no database, no parsing, no checks."""
    template = DocxTemplate(io.BytesIO(template_bytes))
    sections = []
    for number, (title, blocks) in enumerate(context_blocks, start=1):
        subdoc = template.new_subdoc()
        for block in blocks:
            if isinstance(block, richtext.Table):
                table = subdoc.add_table(rows=1 + len(block.rows), cols=len(block.header))
                for r, row in enumerate([block.header, *block.rows]):
                    for c, cell in enumerate(row):
                        table.rows[r].cells[c].text = richtext.plain_text(cell)
            elif isinstance(block, richtext.ListBlock):
                for item in block.items:
                    subdoc.add_paragraph(richtext.plain_text(item.runs), style="List Bullet")
            else:
                subdoc.add_paragraph(richtext.plain_text(block.runs))
        sections.append({"numero": number, "titolo": title, "corpo": subdoc})
    template.render({**plain, "sezioni": sections}, autoescape=True)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def run() -> list[Result]:
    path = Path(tempfile.mkdtemp()) / "bench.db"
    db = database.connect(path)
    demo.install_demo(db)
    system = Actor.system("bench")
    dirigente_id = db.execute("SELECT id FROM users WHERE username = 'dirigente'").fetchone()[0]
    dirigente = auth.actor_for_user(db, dirigente_id)
    protocol = protocols.school_protocol(db, dirigente, "MIIS00003C")
    template_bytes = docx_export.DEFAULT_TEMPLATE.read_bytes()
    blocks = [(s.title, protocols.rendered_blocks(db, dirigente, protocol, s.body))
              for s in protocols.list_sections(db, dirigente, protocol.id)]
    plain = {k: "x" for k in docx_export.VARIABLES if k != "sezioni"}

    ours = best_of(lambda: docx_export.export_protocol(db, dirigente, protocol.id))
    floor = best_of(lambda: _bare_render(template_bytes, blocks, plain))

    # A network of 40 schools, each with its protocol.
    schools.create_network(db, system, "RETE40", "Rete di 40 scuole")
    core = protocols.create_core(db, system, "RETE40", "secondaria_secondo_grado", "2025/26")
    for n in range(SCHOOLS):
        code = f"MIIS{n:05d}Z"
        schools.create_school(db, system, code, f"Istituto {n}", "RETE40", "secondaria_secondo_grado")
        protocols.create_school_protocol(db, system, code)
    network_s = best_of(lambda: docx_export.export_network(db, system, "RETE40"), repeat=RUNS)
    network_floor = best_of(lambda: [_bare_render(template_bytes, blocks, plain) for _ in range(SCHOOLS + 1)],
                            repeat=RUNS)
    assert core
    return [
        Result(f"export one protocol ({len(blocks)} sections)", ours, floor,
               "bare docxtpl render, same sections", target_ratio=1.5),
        Result(f"export a {SCHOOLS}-school network zip", network_s, network_floor,
               f"{SCHOOLS + 1} bare docxtpl renders", target_ratio=0.6),
    ]
