"""Hostile files of issue 15: each is refused in Italian, or read correctly, in seconds and with bounded memory.

Every file is made in the test (small on disk, or not on disk at all) and fed to the real import function in
a child process (`tests/proof/hostile_files.py`), which reports the outcome, the seconds the import took and
its peak resident memory (VmHWM). The child runs under a 3 GB address-space limit and a timeout, so that a
missing limit fails the test instead of taking the machine down. The big files run with --run-slow.
"""

import csv
import io
import json
import re
import subprocess
import sys
from datetime import date

import pytest

from models.core.errors import ApprodoError
from models.follow_up import interventions
from models.follow_up import list_export as risk_export
from models.protocols import word_export as docx_export
from models.pupils import importing as pupil_data
from tests.conftest import ROOT, count_proof, peak_proof

SCHOOL = "MIIS00003C"
# Refused in seconds, not minutes: the slowest files here (20,000 Excel rows, an export with a stored template)
# take about a second on a quiet machine, and took 10-13 s with the 2 cores at load 10, which failed a bound of
# 10 s. 30 s is ample under load and still seconds, not the minutes the limits are there to stop.
MAX_SECONDS = 30
MAX_PEAK_MB = 500
CHILD_TIMEOUT_S = 120


def feed(maker: str, target: str, db_path) -> dict:
    """Run the maker's file through `target` in a child; the outcome as the child reports it."""
    try:
        done = subprocess.run([sys.executable, "-m", "tests.proof.hostile_files", maker, target, str(db_path)],
                              cwd=ROOT, capture_output=True, text=True, timeout=CHILD_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{maker}: the import was still running after {CHILD_TIMEOUT_S} s")
    assert done.returncode == 0, f"{maker}: the child died ({done.returncode}): {done.stderr[-2000:]}"
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert "crash" not in outcome, f"{maker}: not an Italian error but {outcome['crash']}"
    assert outcome["seconds"] < MAX_SECONDS, outcome
    assert outcome["peak_mb"] < MAX_PEAK_MB, outcome
    count_proof("file ostili provati in un processo a parte")
    peak_proof("picco di memoria più alto di un file ostile (MB)", outcome["peak_mb"])
    return outcome


def refused(outcome: dict, *phrases: str) -> None:
    assert "error" in outcome, f"accepted instead of refused: {outcome}"
    for phrase in phrases:
        assert phrase in outcome["error"], outcome["error"]
    count_proof("file ostili rifiutati con un messaggio in italiano")


# --- big files (--run-slow) -------------------------------------------------------------------------------


@pytest.mark.slow
def test_one_value_in_the_last_excel_column_does_not_widen_20000_rows(demo_db, db_path):
    outcome = feed("xlsx_last_column", "attendance", db_path)
    assert outcome.get("rows") == 20_000, outcome
    stored = demo_db.execute("SELECT COUNT(*), COUNT(DISTINCT pupil_code) FROM attendance").fetchone()
    assert stored == (20_000, 2_000)
    count_proof("file ostili letti correttamente")


@pytest.mark.slow
def test_an_excel_file_with_a_million_rows_is_refused_before_parsing(demo_db, db_path):
    outcome = feed("xlsx_million_rows", "attendance", db_path)
    assert outcome["size_kb"] < 500
    refused(outcome, "troppe righe")
    assert demo_db.execute("SELECT COUNT(*) FROM attendance").fetchone()[0] == 0


@pytest.mark.slow
def test_a_word_file_of_millions_of_empty_paragraphs_is_refused(tmp_path):
    outcome = feed("docx_empty_paragraphs", "word_import", tmp_path / "unused.db")
    assert outcome["size_kb"] < 600
    refused(outcome, "troppi paragrafi")


@pytest.mark.slow
def test_a_csv_with_a_million_columns_is_refused(demo_db, db_path):
    refused(feed("csv_million_columns", "attendance", db_path), "troppe colonne")


@pytest.mark.slow
def test_a_100_mb_line_is_refused_before_it_is_parsed(demo_db, db_path):
    refused(feed("csv_one_line", "attendance", db_path), "riga troppo lunga", "riga 2")


# --- small files -----------------------------------------------------------------------------------------


def test_a_sheet_with_a_doctype_is_refused_in_italian(demo_db, db_path):
    refused(feed("xlsx_doctype", "attendance", db_path), "DOCTYPE")


def test_a_sheet_with_an_undefined_entity_is_refused_in_italian(demo_db, db_path):
    refused(feed("xlsx_undefined_entity", "attendance", db_path), "danneggiato")


def test_a_word_file_with_a_doctype_is_refused_in_italian(tmp_path):
    refused(feed("docx_doctype", "word_import", tmp_path / "unused.db"), "DOCTYPE")


def test_a_nul_after_the_first_4_kb_never_reaches_a_stored_code(demo_db, db_path):
    refused(feed("csv_late_nul", "attendance", db_path), "riga 300", "«Cod. alunno»", "carattere nullo")
    assert demo_db.execute("SELECT COUNT(*) FROM attendance").fetchone()[0] == 0


def test_a_file_mixing_utf8_and_windows_1252_is_refused_not_misread(demo_db, db_path):
    refused(feed("csv_mixed_encoding", "attendance", db_path), "mescola due codifiche", "riga 22")
    assert demo_db.execute("SELECT COUNT(*) FROM attendance").fetchone()[0] == 0


@pytest.mark.parametrize(("maker", "phrase"), [("template_repetition", "calcolo"),
                                               ("template_nested_ranges", "range"),
                                               ("template_lipsum", "lipsum")])
def test_a_runaway_word_template_is_refused_in_seconds(tmp_path, maker, phrase):
    refused(feed(maker, "word_template", tmp_path / "unused.db"), phrase)


# --- issue 31: limits that a UTF-16 part or a template's own repetitions went around --------------------------


@pytest.mark.parametrize("target", ["word_import", "word_template"])
def test_a_word_file_saved_as_utf16_is_counted_like_any_other(tmp_path, target):
    """Issue 31 #7: the scan read raw bytes, so a UTF-16 document.xml passed with any number of paragraphs."""
    outcome = feed("docx_utf16_paragraphs", target, tmp_path / "unused.db")
    assert outcome["size_kb"] < 100
    refused(outcome, "troppi paragrafi")


def test_an_excel_sheet_saved_as_utf16_is_refused_over_the_row_limit(demo_db, db_path):
    """Issue 31 #7: a small XLSX with a UTF-16 sheet imported 1.4 M rows over the 500 k limit."""
    outcome = feed("xlsx_utf16_rows", "attendance", db_path)
    refused(outcome, "troppe righe")
    assert demo_db.execute("SELECT COUNT(*) FROM attendance").fetchone()[0] == 0


def test_the_sheet_reader_stops_at_the_row_limit_whatever_the_scan_saw(demo_db, actors, monkeypatch):
    from models.core import limits
    from models.pupils import tabular
    from tests.proof.hostile_files import ATTENDANCE_HEADERS, _row, attendance_rows, sheet, xlsx

    monkeypatch.setattr(tabular, "_check_workbook_parts", lambda archive, name: None)
    monkeypatch.setattr(limits, "MAX_SHEET_ROWS", 50)
    body = "".join(_row(n + 2, values) for n, values in enumerate(attendance_rows(80)))
    with pytest.raises(ApprodoError, match=r"troppe righe \(più di 50\)"):
        pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL,
                                     xlsx(sheet(_row(1, ATTENDANCE_HEADERS) + body)), "lunga.xlsx")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig"])
def test_the_xml_scan_counts_and_refuses_in_every_encoding_a_parser_reads(encoding):
    from models.core import limits

    declared = "UTF-8" if encoding == "utf-8-sig" else encoding.upper()[:6]
    xml = f'<?xml version="1.0" encoding="{declared}"?><w:body>' + "<w:p/>" * 150_000 + "</w:body>"
    # A chunk boundary falls inside the wide characters too: the counts are exact.
    assert limits.scan_xml(io.BytesIO(xml.encode(encoding)), "f", "p", {b"p": (10**6, "x")}) == {b"p": 150_000}
    with pytest.raises(ApprodoError, match="troppi paragrafi"):
        limits.scan_xml(io.BytesIO(xml.encode(encoding)), "f", "p", {b"p": (100_000, "troppi paragrafi")})
    with pytest.raises(ApprodoError, match="DOCTYPE"):
        limits.scan_xml(io.BytesIO('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e "x">]><d/>'.encode(encoding)),
                        "f", "p", {})
    with pytest.raises(ApprodoError, match=r"codifica dei caratteri.*\(UTF-7\)"):
        limits.scan_xml(io.BytesIO(b'<?xml version="1.0" encoding="UTF-7"?>+ADw-w:p/+AD4-'), "f", "p", {})


def test_a_template_that_repeats_the_section_bodies_is_refused_at_upload(tmp_path):
    """Issue 31 #5: 5,000 × {{p sezione.corpo }} (here 2,000) passed the check and the trial, then 2 GB at export."""
    refused(feed("template_amplified", "word_template", tmp_path / "unused.db"), "più di 2 volte")


def test_a_stored_template_that_repeats_the_bodies_is_refused_at_export_in_bounded_memory(
        demo_db, actors, school_protocol, db_path):
    from tests.proof.hostile_files import LOOP, word_template

    demo_db.execute("INSERT INTO word_templates (network_code, content, uploaded_by, uploaded_at) VALUES "
                    "('RETEDEMO', ?, 'prima della correzione', '2026-01-01T00:00:00')",
                    [word_template("{{ titolo }} {{ scuola_nome }}", *LOOP)])
    refused(feed("template_amplified", "stored_template_export", db_path), "più di 2 volte")


def test_the_rendered_size_is_bounded_at_every_export(demo_db, actors, school_protocol, monkeypatch):
    """Whatever the count lets through, one document's XML stops at MAX_RENDERED_CHARS, at a real export too."""
    import tracemalloc

    from tests.proof.hostile_files import word_template

    monkeypatch.setattr(docx_export, "MAX_BODY_USES", 10_000)
    monkeypatch.setattr(docx_export, "MAX_RENDERED_CHARS", 2 * 2**20)
    demo_db.execute("INSERT INTO word_templates (network_code, content, uploaded_by, uploaded_at) VALUES "
                    "('RETEDEMO', ?, 'prima della correzione', '2026-01-01T00:00:00')",
                    [word_template("{{ titolo }} {{ scuola_nome }}", "{%p for sezione in sezioni %}",
                                   *["{{p sezione.corpo }}"] * 200, "{%p endfor %}")])
    tracemalloc.start()
    try:
        with pytest.raises(ApprodoError, match="documento troppo grande"):
            docx_export.export_protocol(demo_db, actors["dirigente"], school_protocol.id)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 60 * 2**20


# --- in process: the template check at export, the trial's own limits, formulas in CSV exports --------------


def test_a_runaway_template_already_stored_is_refused_at_export(demo_db, actors, school_protocol):
    from tests.proof.hostile_files import word_template

    bad = word_template("{{ titolo ~ ('x' * 20000000) }} {{ scuola_nome }}", "{%p for s in sezioni %}",
                        "{{p s.corpo }}", "{%p endfor %}")
    demo_db.execute("INSERT INTO word_templates (network_code, content, uploaded_by, uploaded_at)"
                    " VALUES ('RETEDEMO', ?, 'prima della correzione', '2026-01-01T00:00:00')", [bad])
    with pytest.raises(ApprodoError, match="non si può compilare: il modello fa un calcolo"):
        docx_export.export_protocol(demo_db, actors["dirigente"], school_protocol.id)
    count_proof("file ostili rifiutati con un messaggio in italiano")


def test_the_trial_render_has_a_time_limit(monkeypatch):
    from tests.proof.hostile_files import LOOP, word_template

    # A limit no render can meet (the trial of an ordinary template now takes less than 0.05 s in its child).
    monkeypatch.setattr(docx_export, "TRIAL_TIMEOUT_S", 0.001)
    with pytest.raises(ApprodoError, match="troppo tempo"):
        docx_export.check_word_template(word_template("{{ titolo }} {{ scuola_nome }}", *LOOP))


def starts_a_formula(field: str) -> bool:
    field = field.lstrip(" \"")
    return field[:1] in ("=", "+", "@") or (field[:1] == "-" and not re.fullmatch(r"-[\d.,]+", field))

PAYLOADS = ["x,=1+1", "x;=1+1", "a\t@SUM(A1)", "riga\n=HYPERLINK(\"http://x\")", 'x, "=1+1', "x|+1", " =1+1",
            "'=1+1", "x,-2+3"]


def naive_fields(text: str) -> list[str]:
    """Fields as a spreadsheet that splits on any separator, ignoring quotes, would make them."""
    fields = [text]
    for separator in (";", ",", "\t", "|", "\r", "\n"):
        fields = [part for field in fields for part in field.split(separator)]
    return [f.strip(" \"") for f in fields if f.strip(" \"")]


def test_csv_exports_start_no_formula_however_a_spreadsheet_splits_them(pupils_db, actors):
    funzione = actors["funzione_strumentale"]
    report = pupil_data.Report("x,=1+1.csv")
    for payload in PAYLOADS:
        report.add([2], payload, payload)
    interventions.set_kinds(pupils_db, funzione, SCHOOL, ["x,=1+1", "Altro"])
    pupil = pupils_db.execute("SELECT pupil_code FROM attendance WHERE period = '2026-02' LIMIT 1").fetchone()[0]
    interventions.add_intervention(pupils_db, funzione, SCHOOL, pupil, kind="x,=1+1", happened_on=date(2026, 2, 2),
                                   owner="funzione")
    pupils_db.execute("UPDATE attendance SET class_name = 'x,@SUM(A1)' WHERE class_name = '2A'")
    exports = [report.to_csv(), risk_export.export_list(pupils_db, funzione, SCHOOL, "csv")[1]]
    checked = 0
    for data in exports:
        text = data.decode("utf-8-sig")
        parsed = [cell for row in csv.reader(io.StringIO(text), delimiter=";") for cell in row]
        assert {"x,'=1+1", "x,'@SUM(A1)"} & set(parsed)  # the text is still there, neutralised
        for field in parsed + naive_fields(text):
            assert not starts_a_formula(field), field
            checked += 1
    assert all(row.count('"') % 2 == 0 for row in exports[0].decode("utf-8-sig").split("\r\n"))
    count_proof("campi CSV controllati contro le formule (anche divisi su altri separatori)", checked)


# --- the limits at small scale, in process ----------------------------------------------------------------


def test_a_csv_with_too_many_columns_is_refused_saying_how_many(demo_db, actors):
    data = (";".join(f"c{i}" for i in range(1_000)) + "\n" + ";" * 999 + "\n").encode()
    with pytest.raises(ApprodoError, match=r"troppe colonne \(1\.000, al massimo 500\)"):
        pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL, data, "larga.csv")
    count_proof("file ostili rifiutati con un messaggio in italiano")


def test_an_endless_cell_in_a_sheet_is_refused_naming_row_and_column(demo_db, actors):
    from tests.proof.hostile_files import ATTENDANCE_HEADERS, _row, attendance_rows, sheet, xlsx

    rows = attendance_rows(3)
    rows[1][1] = "A" * 6_000
    body = "".join(_row(n + 2, values) for n, values in enumerate(rows))
    with pytest.raises(ApprodoError, match="riga 3, colonna «Classe» è troppo lunga"):
        pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL,
                                     xlsx(sheet(_row(1, ATTENDANCE_HEADERS) + body)), "lunga.xlsx")
    count_proof("file ostili rifiutati con un messaggio in italiano")


def test_a_value_far_right_of_the_headers_is_not_a_column(demo_db, actors):
    from tests.proof.hostile_files import ATTENDANCE_HEADERS, _cell, _row, attendance_rows, sheet, xlsx

    header = _row(1, ATTENDANCE_HEADERS)[:-len("</row>")] + _cell("AZ1", "nota a margine") + "</row>"
    body = "".join(_row(n + 2, values + [""] * 40 + ["x"]) for n, values in enumerate(attendance_rows(30)))
    summary = pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL,
                                           xlsx(sheet(header + body, dimension="A1:XFD1048576")), "margine.xlsx")
    assert summary.rows == 30
    count_proof("file ostili letti correttamente")


def test_the_streaming_checks_count_exactly_across_chunk_boundaries():
    from models.core import limits

    lines = (b"a" * 99_999 + b"\n") * 200  # 20 MB: crosses the 16 MB chunks of the line scan
    assert limits.check_text_shape(lines, "f.csv") == (200, 99_999)
    long_at_170 = lines[:169 * 100_000] + b"b" * 100_001 + b"\n" + lines[:1000]
    with pytest.raises(ApprodoError, match="riga 170"):
        limits.check_text_shape(long_at_170, "f.csv")
    for misalign in range(7):  # a tag cut by the 1 MB chunks of the XML scan is counted once
        xml = b" " * misalign + b"<w:p/>" * 400_000 + b"<w:tc>" * 3
        counted = limits.scan_xml(io.BytesIO(xml), "f", "p", {b"p": (10**6, "x"), b"tc": (10**6, "x")})
        assert counted == {b"p": 400_000, b"tc": 3}
    with pytest.raises(ApprodoError, match="DOCTYPE"):
        limits.scan_xml(io.BytesIO(b" " * (2**20 - 4) + b"<!DOCTYPE x>"), "f", "p", {})
    count_proof("controlli a flusso verificati ai bordi dei blocchi", 10)
