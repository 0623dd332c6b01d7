"""Hostile input: every importer either imports or refuses in Italian, and a refusal changes nothing.

The fuzzers run a quick count by default and at least 1,000 examples per
importer with --run-slow (the `slow` tests, which .ci/run enables).
"""

import io
import zipfile
from datetime import date

import pytest
from docx import Document
from docx.opc.oxml import serialize_part_xml
from docx.oxml.ns import qn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from models.accounts import schools
from models.core.errors import ApprodoError
from models.core.school_year import SchoolYear
from models.follow_up import interventions
from models.follow_up import list_export as risk_export
from models.network import report as network_report
from models.protocols import protocol as protocols
from models.protocols import word_export as docx_export
from models.protocols import word_import as docx_import
from models.pupils import importing as pupil_data
from tests.conftest import count_proof

SCHOOL = "MIIS00003C"
QUICK, FULL = 60, 1000
HEADERS = {
    "attendance": "Cod. alunno;Classe;Mese;Monte ore;Ore di assenza;N° entrate posticipate;N° uscite anticipate",
    "context": "Cod. alunno;Anno di nascita;Anno di arrivo in Italia;Livello italiano;Ripetenze;Cittadinanza;Sesso",
    "outcomes": "Cod. alunno;Anno scolastico;Esito",
}
TABLES = {"attendance": "attendance", "context": "pupil_context", "outcomes": "outcomes"}
HOSTILE = ["=1+1", "+cmd|' /C calc'!A0", "-2", "@SUM(A1)", "{{ ''.__class__.__mro__ }}", "{% for x in range(9) %}",
           "'; DROP TABLE attendance; --", "\" OR 1=1 --", "Robert'); DELETE FROM users;--", "\x00", "\u202e",
           "ä" * 50, "12,5", "12:30", "-5", "1e308", "NaN", "31/02/2026", "2026-13", ""]

cell = st.one_of(st.sampled_from(HOSTILE), st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=15),
                 st.integers(-10, 400).map(str), st.floats(allow_nan=True, allow_infinity=True).map(str))


def table_bytes(kind: str, rows: list[list[str]], encoding: str) -> bytes:
    width = len(HEADERS[kind].split(";"))
    lines = [HEADERS[kind]] + [";".join(c.replace(";", ",").replace("\n", " ").replace("\r", " ").replace('"', "'")
                                        for c in (row + [""] * width)[:width]) for row in rows]
    return "\n".join(lines).encode(encoding, errors="replace")


def rows_in(db, kind) -> int:
    return db.execute(f"SELECT COUNT(*) FROM {TABLES[kind]}").fetchone()[0]


def import_or_refuse(db, actor, kind: str, data: bytes) -> None:
    """The property: an import lands whole or raises ApprodoError and leaves the table as it was."""
    before = rows_in(db, kind)
    try:
        summary = pupil_data.IMPORTERS[kind](db, actor, SCHOOL, data, "ostile.csv")
    except ApprodoError as error:
        assert error.message and rows_in(db, kind) == before
        count_proof("input ostili rifiutati con un messaggio")
    else:
        assert rows_in(db, kind) >= before and summary.rows >= 1
        count_proof("input ostili importati correttamente")
    count_proof(f"casi provati: importatore {kind}")
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []


tables = st.tuples(st.lists(st.lists(cell, min_size=1, max_size=8), min_size=1, max_size=6),
                   st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))


def fuzz(kind: str, examples: int, *, raw: bool = False):
    strategy = st.binary(max_size=3000) if raw else tables

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(strategy)
    def run(demo_db, actors, data):
        payload = data if raw else table_bytes(kind, *data)
        import_or_refuse(demo_db, actors["dirigente"], kind, payload)

    return run


test_attendance_tables = fuzz("attendance", QUICK)
test_context_tables = fuzz("context", QUICK)
test_outcome_tables = fuzz("outcomes", QUICK)
test_attendance_bytes = fuzz("attendance", QUICK // 2, raw=True)
test_attendance_tables_full = pytest.mark.slow(fuzz("attendance", FULL))
test_context_tables_full = pytest.mark.slow(fuzz("context", FULL))
test_outcome_tables_full = pytest.mark.slow(fuzz("outcomes", FULL))
test_all_importers_bytes_full = pytest.mark.slow(fuzz("attendance", FULL, raw=True))


# --- the Word importer -----------------------------------------------------------------------

paragraphs = st.lists(st.tuples(st.sampled_from([None, "Heading 1", "Heading 2", "List Bullet"]),
                                st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40))), max_size=12)


BLANK = Document()  # parsed once: each file is this blank document with its paragraphs
# The id of each style, looked up once: python-docx finds a style by its name by scanning every style of the file,
# for each paragraph (most of the time of making a file). Setting the id is what add_paragraph(style=) does.
STYLE_IDS = {name: BLANK.styles[name].style_id for name in ("Heading 1", "Heading 2", "List Bullet")}


def _other_parts() -> bytes:
    """What BLANK.save writes, every part but word/document.xml: saved and compressed once (its styles alone are
    some 800 KB of XML), each file then adds its own document.xml to a copy."""
    saved = io.BytesIO()
    BLANK.save(saved)
    out = io.BytesIO()
    with zipfile.ZipFile(saved) as blank, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as others:
        for entry in blank.infolist():
            if entry.filename != DOCUMENT_PART:
                others.writestr(entry, blank.read(entry))
    return out.getvalue()


DOCUMENT_PART = "word/document.xml"
OTHER_PARTS = _other_parts()


def docx_bytes(items) -> bytes:
    """The file BLANK.save would write with these paragraphs: the same parts, word/document.xml last."""
    body = BLANK.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    for style, text in items:
        clean = "".join(ch for ch in text if ch.isprintable() or ch in "\t")
        paragraph = BLANK.add_paragraph(clean)
        if style:
            paragraph._p.style = STYLE_IDS[style]
    out = io.BytesIO(OTHER_PARTS)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as package:
        package.writestr(DOCUMENT_PART, serialize_part_xml(BLANK.element))
    return out.getvalue()


def word_fuzz(examples: int):
    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.one_of(paragraphs.map(docx_bytes), st.binary(max_size=2000)))
    def run(data):
        try:
            sections = docx_import.read_sections(data)
        except ApprodoError as error:
            assert error.message
        else:
            assert isinstance(sections, list)
        count_proof("casi provati: importatore Word")

    return run


test_word_importer = word_fuzz(QUICK)
test_word_importer_full = pytest.mark.slow(word_fuzz(FULL))


def test_oversized_files_are_refused_before_reading(demo_db, actors, monkeypatch):
    from models.pupils import tabular

    monkeypatch.setattr(tabular, "MAX_FILE_BYTES", 1000)
    with pytest.raises(ApprodoError, match="troppo grande"):
        pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL, b"x" * 1001, "enorme.csv")
    monkeypatch.setattr(docx_import, "MAX_FILE_BYTES", 1000)
    with pytest.raises(ApprodoError):
        docx_import.read_sections(b"x" * 1001)
    count_proof("casi provati: file troppo grandi", 2)


def test_a_zip_bomb_named_docx_is_refused(monkeypatch):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (30 * 1024 * 1024))
    with pytest.raises(ApprodoError):
        docx_import.read_sections(out.getvalue())
    count_proof("casi provati: bombe zip")


# --- template injection, formulas and SQL metacharacters in every text field ------------------------

INJECTION = "{{ ''.__class__.__mro__[1].__subclasses__() }}{% raw %}x{% endraw %}"


def test_template_payloads_in_every_text_field_come_out_as_text(demo_db, actors, system, school_protocol):
    dirigente = actors["dirigente"]
    schools.update_school_facts(demo_db, dirigente, SCHOOL, comune=INJECTION, dirigente_name=INJECTION,
                                referente_intercultura="{{ 7*7 }}")
    section = next(s for s in protocols.list_sections(demo_db, dirigente, school_protocol.id)
                   if s.kind.value != "core_locked")
    for payload in (INJECTION, "{{ 7*7 }}", "{{ config }}"):
        with pytest.raises(ApprodoError, match="(?i)modello|segnaposto"):
            protocols.save_section(demo_db, dirigente, section.id, f"Testo {payload}", base_version=section.version)
    after = next(s for s in protocols.list_sections(demo_db, dirigente, school_protocol.id) if s.id == section.id)
    assert after.version == section.version  # refused: nothing saved
    data = docx_export.export_protocol(demo_db, dirigente, school_protocol.id)
    text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    text += "\n".join(c.text for t in Document(io.BytesIO(data)).tables for r in t.rows for c in r.cells)
    # The school's facts reach the cover and the placeholders as plain text, never run.
    assert "__subclasses__" in text and "{{ 7*7 }}" in text and "x{% endraw %}" in text
    assert "<class" not in text and " 49" not in text
    count_proof("casi provati: iniezioni di modello", 4)


def test_formula_payloads_are_neutralised_in_every_export(pupils_db, actors, system):
    funzione = actors["funzione_strumentale"]
    pupils_db.execute("UPDATE attendance SET class_name = '=HYPERLINK(\"http://x\")' WHERE class_name = '2A'")
    interventions.set_kinds(pupils_db, funzione, SCHOOL, ["@SUM(A1)", "+1+1", "-1-1"])
    pupil = pupils_db.execute("SELECT pupil_code FROM attendance WHERE period = '2026-02' LIMIT 1").fetchone()[0]
    interventions.add_intervention(pupils_db, funzione, SCHOOL, pupil, kind="@SUM(A1)",
                                   happened_on=date(2026, 2, 2), owner="funzione")
    schools.create_school(pupils_db, system, "MIIC00005E", "=cmd|' /C calc'!A0", "RETEDEMO", "primaria")
    cells = []
    for fmt in ("xlsx", "csv"):
        _, data = risk_export.export_list(pupils_db, funzione, SCHOOL, fmt)
        if fmt == "xlsx":
            cells += [c for row in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True) for c in row]
        else:
            cells += [c for line in data.decode("utf-8-sig").splitlines() for c in line.split(";")]
    report = network_report.build(pupils_db, actors["coordinatore_rete"], "RETEDEMO", SchoolYear(2025))
    book = load_workbook(io.BytesIO(network_report.to_xlsx(report)))
    cells += [c for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]
    zipped = docx_export.export_network(pupils_db, actors["coordinatore_rete"], "RETEDEMO")
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        index = load_workbook(io.BytesIO(archive.read("indice.xlsx"))).active
    cells += [c for row in index.iter_rows(values_only=True) for c in row]
    rejected = pupil_data.Report("=evil.csv")
    rejected.add([2], "=HYPERLINK()", "@bad")
    cells += [c for line in rejected.to_csv().decode("utf-8-sig").splitlines() for c in line.split(";")]
    texts = [c for c in cells if isinstance(c, str) and c]
    assert any(t.startswith("'=") or t.startswith("'@") for t in texts)
    assert not [t for t in texts if t[0] in "=+@" or (t[0] == "-" and not t[1:2].isdigit())]
    count_proof("celle esportate controllate contro le formule", len(texts))


SQL_NAMES = ["Robert'); DROP TABLE schools;--", "x\" OR \"1\"=\"1", "%_\\", "a;b", "😀 Scuola «Ünïcode»"]


@pytest.mark.parametrize("name", SQL_NAMES)
def test_sql_metacharacters_in_names_are_stored_as_text(demo_db, system, actors, name):
    from models.accounts import auth

    schools.create_network(demo_db, system, "RETESQL", name)
    schools.create_school(demo_db, system, "MISQ00001A", name, "RETESQL", "primaria", comune=name)
    auth.create_user(demo_db, system, "utente.sql", "una-password-lunga-1", "dirigente", school_code="MISQ00001A",
                     full_name=name)
    interventions.set_kinds(demo_db, actors["funzione_strumentale"], SCHOOL, [name, "Altro"])
    assert schools.get_school(demo_db, system, "MISQ00001A").name == name.strip()
    assert demo_db.execute("SELECT COUNT(*) FROM schools").fetchone()[0] == 6
    assert interventions.kinds(demo_db, actors["funzione_strumentale"], SCHOOL)[0] == " ".join(name.split())
    count_proof("casi provati: metacaratteri SQL", 4)
