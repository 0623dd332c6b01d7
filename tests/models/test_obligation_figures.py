"""The compulsory-education procedure in the network figures: per school and month, small cells suppressed."""

from datetime import date

import pytest

from models.core.errors import PermissionDenied
from models.core.school_year import SchoolYear
from models.network import figures, report
from models.obligation import cases as obligation
from tests.models.test_obligation import HEADER, events, load, school_days, today  # noqa: F401 - fixture

SCHOOL = "MIIS00003C"
YEAR = SchoolYear(2025)


@pytest.fixture
def procedure(demo_db, actors, today):  # noqa: F811 - the fixture imported above
    """Seven cases opened on 2 February 2026: six families informed after 3 days, resumption recorded for
    five within the seven days, one case reported to the mayor."""
    boss = actors["dirigente"]
    sixteen = school_days(date(2026, 1, 12), 16)
    lines = [line for n in range(7) for line in events(f"OB{n}", sixteen)]
    load(demo_db, boss, lines)
    found = obligation.cases(demo_db, boss, SCHOOL)
    assert len(found) == 7 and {c.opened_on for c in found} == {date(2026, 2, 2)}
    for n, case in enumerate(found[:6]):
        obligation.record_family_notice(demo_db, boss, SCHOOL, case.id, date(2026, 2, 5), f"{n}/2026", "PEC",
                                        received_on=date(2026, 2, 6))
        if n < 5:
            obligation.record_resumption(demo_db, boss, SCHOOL, case.id, date(2026, 2, 9))
        else:
            obligation.record_mayor_notice(demo_db, boss, SCHOOL, case.id, date(2026, 2, 13), "9/2026", "Milano")
    return demo_db


def test_the_coordinator_sees_the_counts_per_school_and_month_small_ones_hidden(procedure, actors):
    where = figures.scope(procedure, actors["coordinatore_rete"], "RETEDEMO")
    table = figures.obligation(procedure, where, YEAR)
    row = table[table["Scuola"] == "Istituto di istruzione superiore «Ponte Nuovo»"].iloc[0]
    assert row["Mese"] == "febbraio 2026" and row["Casi aperti"] == 7
    assert row["Giorni dall'apertura alla comunicazione (media)"] == 3.0
    assert row["Ripresa entro 7 giorni %"] == pytest.approx(83.3)  # 5 of 6
    assert row["Segnalazioni al sindaco"] == "<5"  # one report: a small cell
    assert "OB" not in table.to_csv()  # no pupil code
    built = report.build(procedure, actors["coordinatore_rete"], "RETEDEMO", YEAR)
    assert built.obligation.equals(table)
    import io

    from docx import Document
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(report.to_xlsx(built)))["Obbligo scolastico"]
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert values[0][:3] == ["Mese", "Scuola", "Casi aperti"] and ["<5"] == [v for v in values[1] if v == "<5"]
    words = "\n".join(p.text for p in Document(io.BytesIO(report.to_docx(built))).paragraphs)
    assert "Obbligo scolastico (art. 114 c. 4 D.Lgs. 297/1994)" in words


def test_a_teacher_sees_no_figures_and_the_funzione_only_its_school(procedure, actors):
    with pytest.raises(PermissionDenied):
        figures.obligation(procedure, figures.scope(procedure, actors["docente"], "RETEDEMO"), YEAR)
    own = figures.obligation(procedure, figures.scope(procedure, actors["funzione_strumentale"], "RETEDEMO"), YEAR)
    assert set(own["Scuola"]) == {"Istituto di istruzione superiore «Ponte Nuovo»"}


def test_a_year_without_cases_is_an_empty_table(demo_db, actors):
    where = figures.scope(demo_db, actors["coordinatore_rete"], "RETEDEMO")
    assert figures.obligation(demo_db, where, YEAR).empty
