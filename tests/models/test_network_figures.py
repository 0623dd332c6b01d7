"""The network dashboard and its report: who sees which rows, no pupil code anywhere, small cells hidden."""

import io
import re
import shutil
import subprocess
from datetime import date

import pytest
from docx import Document
from openpyxl import load_workbook

from models.core import suppression
from models.core.errors import PermissionDenied
from models.core.school_year import SchoolYear
from models.demo import synthetic
from models.follow_up import interventions, reviews
from models.network import figures as network_figures
from models.network import programme
from models.network import report as network_report
from models.protocols import word_export as docx_export
from models.risk import history
from tests.conftest import template

NETWORK, YEAR = "RETEDEMO", SchoolYear(2025)


@template("network_db", base="pupils_db")
def _network(db) -> None:
    """A second school of the demo network with data (built once per process, copied for each test)."""
    from models.core.permissions import Actor
    from models.pupils import importing as pupil_data

    system = Actor.system("test")
    cohort = synthetic.generate("secondaria_primo_grado", 60, [SchoolYear(2024), SchoolYear(2025)], seed=5,
                                last_month=2, prefix="MM")
    pupil_data.import_attendance(db, system, "MIMM00002B", synthetic.attendance_csv(cohort), "f.csv")
    pupil_data.import_outcomes(db, system, "MIMM00002B", synthetic.outcomes_csv(cohort), "o.csv")


@pytest.fixture
def network_db(pupils_db):
    """Two schools of the demo network with data (a copy of the template above)."""
    return pupils_db


def codes(db):
    return {r[0] for r in db.execute("SELECT DISTINCT pupil_code FROM attendance")}


@pytest.mark.parametrize("role, view, shown", [
    ("coordinatore_rete", "schools", {"MIIS00003C", "MIMM00002B", "MIEE00001A", "MIRI00004D"}),
    ("admin", "schools", {"MIIS00003C", "MIMM00002B", "MIEE00001A", "MIRI00004D"}),
    ("dirigente", "network", {"MIIS00003C"}),
    ("funzione_strumentale", "school", {"MIIS00003C"}),
])
def test_each_role_sees_its_rows(network_db, actors, role, view, shown):
    where = network_figures.scope(network_db, actors[role], NETWORK)
    assert where.view == view and set(where.shown) == shown


@pytest.mark.parametrize("role", ["docente", "other_coordinatore", "other_dirigente"])
def test_teachers_and_other_networks_see_nothing(network_db, actors, role):
    with pytest.raises(PermissionDenied):
        network_figures.scope(network_db, actors[role], NETWORK)


def test_a_dirigente_cannot_single_out_another_school(network_db, actors):
    with pytest.raises(PermissionDenied, match="solo sulla tua scuola"):
        network_figures.scope(network_db, actors["dirigente"], NETWORK, school_code="MIMM00002B")


def test_the_month_table_adds_up_to_the_pupils_of_the_year(network_db, actors):
    where = network_figures.scope(network_db, actors["coordinatore_rete"], NETWORK)
    months = network_figures.network_months(network_db, where, YEAR)
    pupils = network_db.execute("SELECT COUNT(DISTINCT school_code || pupil_code) FROM attendance"
                                " WHERE period = '2026-02'").fetchone()[0]
    assert months.at["febbraio 2026", "Totale"] == pupils
    assert list(months.index)[:2] == ["settembre 2025", "ottobre 2025"]


def test_level_history_is_recomputed_when_the_data_change(network_db, system, actors):
    first = history.level_history(network_db, "MIMM00002B")
    network_db.execute("DELETE FROM attendance WHERE school_code = 'MIMM00002B' AND period = '2026-02'")
    from models.pupils.importing import refresh_months

    refresh_months(network_db, "MIMM00002B")
    second = history.level_history(network_db, "MIMM00002B")
    assert "2026-02" in set(first["period"]) and "2026-02" not in set(second["period"])


def test_follow_up_counts_reviews_and_interventions_within_30_days(network_db, actors):
    funzione = actors["funzione_strumentale"]
    levels = history.level_history(network_db, "MIIS00003C")
    high = levels[(levels["level"] == "alto") & (levels["school_year"] == "2025/26")]
    first = high.groupby("pupil_code")["period"].min()
    for pupil, period in first.items():
        month = date.fromisoformat(period + "-01")
        reviews.record_review(network_db, funzione, "MIIS00003C", pupil, as_of=period, level="alto")
        interventions.add_intervention(network_db, funzione, "MIIS00003C", pupil, kind="Altro",
                                       happened_on=month.replace(day=20), owner="funzione")
    where = network_figures.scope(network_db, actors["coordinatore_rete"], NETWORK, school_code="MIIS00003C")
    figures = network_figures._school_follow_up(network_db, levels[levels["school_year"] == str(YEAR)], "MIIS00003C",
                                                YEAR, date(2026, 3, 1))
    assert figures["alto"] == len(first) and figures["reached"] == len(first)
    table = network_figures.follow_up(network_db, where, YEAR)
    expected = len(first) if len(first) >= 5 else "<5"
    assert table.iloc[0]["Con un intervento entro 30 giorni"] == expected


def all_report_texts(report: network_report.Report) -> str:
    document = Document(io.BytesIO(network_report.to_docx(report)))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


@pytest.mark.parametrize("role", ["coordinatore_rete", "dirigente", "funzione_strumentale"])
def test_no_pupil_code_reaches_the_report(network_db, actors, role):
    report = network_report.build(network_db, actors[role], NETWORK, YEAR)
    text = all_report_texts(report)
    book = load_workbook(io.BytesIO(network_report.to_xlsx(report)))
    cells = " ".join(str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row)
    for code in codes(network_db):
        assert code not in text and code not in cells


def pupil_counts_in_xlsx(data: bytes):
    """Every number in the sheets about pupils (protocols and percentages left out)."""
    book = load_workbook(io.BytesIO(data))
    for sheet in book:
        if sheet.title in ("Informazioni", "Protocolli", "Indicatori"):
            continue
        header = [c.value for c in sheet[1]]
        for row in sheet.iter_rows(min_row=2, values_only=True):
            for name, value in zip(header, row, strict=True):
                if isinstance(value, int) and "%" not in str(name):
                    yield sheet.title, name, value


@pytest.mark.parametrize("role", ["coordinatore_rete", "dirigente"])
def test_small_cells_are_suppressed_in_the_xlsx_and_word(network_db, actors, role):
    report = network_report.build(network_db, actors[role], NETWORK, YEAR)
    counts = list(pupil_counts_in_xlsx(network_report.to_xlsx(report)))
    assert counts and all(v == 0 or v >= 5 for _, _, v in counts), counts
    document = Document(io.BytesIO(network_report.to_docx(report)))
    for table in document.tables[1:]:  # the first is about protocols, not pupils
        header = [c.text for c in table.rows[0].cells]
        for row in table.rows[1:]:
            for name, cell in zip(header, row.cells, strict=True):
                if re.fullmatch(r"\d+", cell.text) and "%" not in name and "su" not in cell.text:
                    assert int(cell.text) == 0 or int(cell.text) >= 5, (name, cell.text)
    assert "<5" in all_report_texts(report)


def test_a_dirigente_cannot_work_out_the_other_schools_from_the_totals(network_db, actors):
    where = network_figures.scope(network_db, actors["dirigente"], NETWORK)
    month, schools = network_figures.schools_in_month(network_db, where, YEAR)
    assert list(schools.index) == sorted(schools.index[:-1]) + ["Totale"] or "Altre scuole" in schools.index
    for column in schools.columns:
        others = schools.at["Altre scuole", column]
        if others == suppression.SMALL:
            assert suppression.is_hidden(schools.at["Totale", column])


def test_programme_indicators_have_definitions_and_values_per_year(network_db, actors):
    where = network_figures.scope(network_db, actors["coordinatore_rete"], NETWORK)
    evaluation = programme.evaluate(network_db, where)
    frame = evaluation.frame()
    assert list(frame.columns) == ["2024/25", "2025/26"]
    assert frame.loc["Scuole con un protocollo approvato", "2025/26"] == "0 su 4"
    chronic = evaluation.counts["chronic"]["2025/26"]
    assert chronic[1] == network_db.execute("SELECT COUNT(DISTINCT school_code || pupil_code) FROM attendance"
                                            " WHERE period >= '2025-09'").fetchone()[0]
    assert all(i.definition for i in programme.INDICATORS)


def test_the_word_report_opens_in_libreoffice(network_db, actors, tmp_path):
    if not (docx_export.pdf_available() and shutil.which("pdftotext")):
        pytest.skip("LibreOffice or pdftotext not installed")
    report = network_report.build(network_db, actors["coordinatore_rete"], NETWORK, YEAR)
    pdf = docx_export.to_pdf(network_report.to_docx(report))
    assert pdf.startswith(b"%PDF")
    (tmp_path / "r.pdf").write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True).stdout
    assert "Rapporto della rete" in text and "Indicatori del programma" in text


def test_the_chronic_absence_indicator_and_the_pupil_chart_follow_the_networks_threshold(network_db, actors):
    from models.risk import pupil_sheet, rules

    where = network_figures.scope(network_db, actors["coordinatore_rete"], NETWORK)
    before = programme.evaluate(network_db, where).counts["chronic"]["2025/26"][0]
    rules.set_network_rules(network_db, actors["coordinatore_rete"], NETWORK, chronic=0.3, severe=0.4)
    after = programme.evaluate(network_db, where).counts["chronic"]["2025/26"][0]
    assert after < before
    dirigente = actors["dirigente"]
    code = network_db.execute("SELECT pupil_code FROM attendance WHERE school_code = ? LIMIT 1",
                              [dirigente.school_code]).fetchone()[0]
    record = pupil_sheet.pupil_record(network_db, dirigente, dirigente.school_code, code)
    assert record.rules.chronic == 0.3 and record.rules.legal_limit == 0.25


def test_the_report_agrees_its_verbs_with_one_school(network_db, actors):
    import dataclasses

    report = network_report.build(network_db, actors["coordinatore_rete"], NETWORK, YEAR)
    one = dataclasses.replace(report, protocol_summary={**report.protocol_summary, "approved": 1,
                                                        "current_core": 1})
    text = all_report_texts(one)
    assert f"1 scuola su {report.protocol_summary['schools']} ha il protocollo approvato; 1 ha accolto" in text
