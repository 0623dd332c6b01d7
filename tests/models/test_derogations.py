"""Derogations to the 25 % limit (DPR 122/2009 art. 14 c. 7): criteria per school, hours per pupil, shown apart."""

from datetime import date

import pytest

from models.core.errors import ApprodoError, PermissionDenied
from models.core.school_year import SchoolYear
from models.pupils import importing as pupil_data
from models.pupils import retention
from models.risk import derogations, pupil_sheet, school_risk

SCHOOL = "MIIS00003C"
MONTHLY = (b"Cod. alunno;Classe;Mese;Monte ore;Ore di assenza\n"
           b"D1;2A;10/2025;128;40\nD1;2A;11/2025;128;40\nD2;2A;10/2025;128;0\nD2;2A;11/2025;128;0\n")


@pytest.fixture
def school(demo_db, actors):
    pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL, MONTHLY, "mensile.csv")
    return demo_db


def test_hours_in_derogation_are_shown_apart_and_never_subtracted(school, actors):
    boss = actors["dirigente"]
    with pytest.raises(ApprodoError, match="Prima registra i criteri"):
        derogations.add(school, boss, SCHOOL, "D1", 40, derogations.SUGGESTED[0], date(2025, 11, 20))
    derogations.set_criteria(school, boss, SCHOOL, list(derogations.SUGGESTED), "delibera n. 12 del 10/10/2025")
    before = school_risk.school_risk(school, boss, SCHOOL).pupils.set_index("pupil_code")
    derogations.add(school, boss, SCHOOL, "D1", 25, derogations.SUGGESTED[0], date(2025, 11, 20), "terapia")
    derogations.add(school, boss, SCHOOL, "D1", 15, derogations.SUGGESTED[2], date(2025, 11, 21))
    after = school_risk.school_risk(school, boss, SCHOOL).pupils.set_index("pupil_code")
    # The hours and the projection stay as they were: 80 hours absent, of which 25 + 15 = 40 in derogation.
    assert after.loc["D1", "absence_hours"] == before.loc["D1", "absence_hours"] == 80
    assert after.loc["D1", "projected_ratio"] == before.loc["D1", "projected_ratio"]
    assert after.loc["D1", "level"] == before.loc["D1", "level"]
    assert after.loc["D1", "derogation_hours"] == 40 and after.loc["D2", "derogation_hours"] == 0
    assert after.loc["D1", "reasons"][-1].startswith("Di cui 40 ore in deroga")
    assert "consiglio di classe" in after.loc["D1", "reasons"][-1]
    assert not any("deroga" in r for r in after.loc["D2", "reasons"])
    record = pupil_sheet.pupil_record(school, boss, SCHOOL, "D1")
    assert record.derogation_hours == 40
    placed = derogations.of_pupil(school, actors["funzione_strumentale"], SCHOOL, "D1")
    assert [(d.hours, d.school_year, d.note) for d in placed] == [(15, "2025/26", ""), (25, "2025/26", "terapia")]


def test_only_the_dirigente_places_hours_and_only_under_the_collegio_criteria(school, actors):
    boss, funzione = actors["dirigente"], actors["funzione_strumentale"]
    with pytest.raises(PermissionDenied):
        derogations.set_criteria(school, funzione, SCHOOL, ["Salute"], "delibera 1")
    with pytest.raises(ApprodoError, match="delibera"):
        derogations.set_criteria(school, boss, SCHOOL, ["Salute"], " ")
    derogations.set_criteria(school, boss, SCHOOL, ["Salute", "Salute", " "], "delibera n. 3 del 09/10/2025")
    assert derogations.criteria(school, SCHOOL).items == ("Salute",)
    with pytest.raises(PermissionDenied):
        derogations.add(school, funzione, SCHOOL, "D1", 10, "Salute", date(2025, 11, 20))
    with pytest.raises(ApprodoError, match="criteri deliberati"):
        derogations.add(school, boss, SCHOOL, "D1", 10, "Vacanza", date(2025, 11, 20))
    with pytest.raises(ApprodoError, match="Le ore in deroga"):
        derogations.add(school, boss, SCHOOL, "D1", 0, "Salute", date(2025, 11, 20))
    with pytest.raises(PermissionDenied):  # a pupil the school does not have
        derogations.add(school, boss, SCHOOL, "NESSUNO", 10, "Salute", date(2025, 11, 20))
    placed = derogations.add(school, boss, SCHOOL, "D1", 10, "Salute", date(2025, 11, 20))
    with pytest.raises(PermissionDenied):  # another school's dirigente
        derogations.remove(school, actors["other_dirigente"], SCHOOL, placed.id)
    derogations.remove(school, boss, SCHOOL, placed.id)
    assert derogations.hours_by_pupil(school, SCHOOL, SchoolYear(2025)) == {}


def test_the_retention_removes_old_derogations(school, actors):
    boss = actors["dirigente"]
    derogations.set_criteria(school, boss, SCHOOL, ["Salute"], "delibera n. 3")
    derogations.add(school, boss, SCHOOL, "D1", 10, "Salute", date(2025, 11, 20))
    report = retention.purge(school, boss, SCHOOL, SchoolYear(2026), current=SchoolYear(2030), dry_run=True)
    assert report.removed["derogations"] == 1


def test_hours_are_filed_under_the_year_of_the_absences_not_of_the_decision(school, actors):
    boss = actors["dirigente"]
    derogations.set_criteria(school, boss, SCHOOL, list(derogations.SUGGESTED), "delibera n. 12 del 10/10/2025")
    # Decided in September 2026 for the absences of 2025/26 (the pupil's only data): filed under 2025/26.
    late = derogations.add(school, boss, SCHOOL, "D1", 12, derogations.SUGGESTED[0], date(2026, 9, 15))
    assert late.school_year == "2025/26"
    assert derogations.hours_by_pupil(school, SCHOOL, SchoolYear(2025)) == {"D1": 12}
    assert derogations.hours_by_pupil(school, SCHOOL, SchoolYear(2026)) == {}
    assert pupil_sheet.pupil_record(school, boss, SCHOOL, "D1").derogation_hours == 12
    chosen = derogations.add(school, boss, SCHOOL, "D1", 3, derogations.SUGGESTED[0], date(2025, 12, 1),
                             school_year="2025/26")
    assert chosen.school_year == "2025/26"
    with pytest.raises(ApprodoError, match="non ha dati di assenza nell'anno scolastico 2026/27"):
        derogations.add(school, boss, SCHOOL, "D1", 3, derogations.SUGGESTED[0], date(2026, 9, 15),
                        school_year="2026/27")
    with pytest.raises(ApprodoError, match="prima dell'anno scolastico 2025/26"):
        derogations.add(school, boss, SCHOOL, "D1", 3, derogations.SUGGESTED[0], date(2025, 6, 1))
