"""Word protocols in the layouts schools really use (tests/data/protocolli): the sections each must give."""

import re
from pathlib import Path

import pytest
from docx import Document

from models.protocols import protocol as protocols
from models.protocols import richtext
from models.protocols import word_import as docx_import
from tests.data.protocolli import genera

FOLDER = Path(genera.__file__).resolve().parent
LEFT_OUT = ["PEC", "tel.", "Via dei Mille", "MINISTERO", "Sommario", "INDICE", "........", "PROTOCOLLO DI ACCOGLIENZA",
            "Anno scolastico 2025/26", "LOGO"]


def test_the_committed_files_are_what_the_script_writes(tmp_path):
    for path in genera.build(tmp_path):
        assert (FOLDER / path.name).exists(), f"run genera.py: {path.name} is missing"
    assert set(genera.EXPECTED) == {p.name for p in FOLDER.glob("*.docx")}


@pytest.mark.parametrize("name", sorted(genera.EXPECTED))
def test_each_layout_gives_its_sections_with_their_text_and_nothing_of_the_letterhead(name):
    sections = docx_import.read_sections((FOLDER / name).read_bytes())
    assert [s.title for s in sections] == genera.EXPECTED[name]
    text = "\n".join(s.title + "\n" + s.body for s in sections)
    for fragment in LEFT_OUT:
        assert fragment not in text, f"{fragment!r} should have been left out of {name}"
    written = {p.text for p in Document(FOLDER / name).paragraphs}
    for key, body in genera.TEXTS.items():  # every body text arrives, under its own title or its parent's
        if body in written:
            holder = next((s for s in sections if s.title == genera.TITLES[key]), None) or next(
                s for s in sections if body[:40] in s.body)
            assert body[:40] in holder.body, (name, key)
    for section in sections:
        protocols.check_text(section.body)


def test_subtitles_stay_inside_their_section_as_headings():
    sections = {s.title: s for s in docx_import.read_sections(
        (FOLDER / "maiuscoli_con_sottotitoli.docx").read_bytes())}
    blocks = richtext.parse(sections["Le fasi dell'accoglienza"].body)
    assert [richtext.plain_text(b.runs) for b in blocks if isinstance(b, richtext.Heading)] == [
        "Fase amministrativa", "Fase comunicativo-relazionale", "Fase educativo-didattica"]
    numbered = {s.title: s for s in docx_import.read_sections((FOLDER / "grassetto_numerati.docx").read_bytes())}
    assert re.search(r"^### Il colloquio con la famiglia$", numbered["Fase comunicativo-relazionale"].body, re.M)


def test_the_issue_layout_maps_onto_the_template(demo_db, actors, core):
    """Bold numbered upper-case titles: every section found, most matched to the template's."""
    plan = docx_import.plan_import(demo_db, actors["dirigente"], "MIIS00003C",
                                   (FOLDER / "grassetto_numerati.docx").read_bytes())
    assert len(plan.sections) == 7
    mapped = {s.title: s.key for s in plan.sections}
    assert mapped["Fase amministrativa"] == "fase_amministrativa"
    assert mapped["Fase sociale"] == "fase_sociale"
