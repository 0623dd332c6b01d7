"""The risk list is scored once per school, data, month, thresholds and class scope; every read is still logged."""

from __future__ import annotations

import pytest

from models.core.school_year import SchoolYear
from models.demo import synthetic
from models.pupils import importing as pupil_data
from models.risk import indicators, rules, school_risk

SCHOOL, NETWORK = "MIIS00003C", "RETEDEMO"


@pytest.fixture
def scorings(monkeypatch):
    calls = []
    real = indicators.score_rows  # every scoring path ends here (the frame path and the packed read)
    monkeypatch.setattr(indicators, "score_rows", lambda *a, **k: calls.append(k.get("as_of")) or real(*a, **k))
    return calls


def logged(db) -> int:
    return db.execute("SELECT COUNT(*) FROM access_log WHERE school_code = ? AND what = 'elenco rischio'",
                      [SCHOOL]).fetchone()[0]


def test_reading_the_same_list_again_does_not_score_but_is_logged(pupils_db, actors, scorings):
    funzione = actors["funzione_strumentale"]
    first = school_risk.school_risk(pupils_db, funzione, SCHOOL, as_of="2026-01")
    before = logged(pupils_db)
    again = [school_risk.school_risk(pupils_db, funzione, SCHOOL, as_of="2026-01") for _ in range(3)]
    assert scorings == ["2026-01"]
    assert logged(pupils_db) == before + 3  # each read is in the access log
    for risk in again:
        assert risk.pupils.equals(first.pupils) and risk.classes == first.classes
    # A caller changing its copy does not change what the next reader gets.
    again[0].pupils.loc[:, "level"] = "basso"
    assert school_risk.school_risk(pupils_db, funzione, SCHOOL, as_of="2026-01").pupils.equals(first.pupils)


def test_each_month_and_each_class_scope_is_its_own_list(pupils_db, actors, scorings):
    school_risk.school_risk(pupils_db, actors["funzione_strumentale"], SCHOOL, as_of="2026-01")
    school_risk.school_risk(pupils_db, actors["funzione_strumentale"], SCHOOL, as_of="2025-12")
    teacher = school_risk.school_risk(pupils_db, actors["docente"], SCHOOL, as_of="2026-01")
    assert scorings == ["2026-01", "2025-12", "2026-01"]
    assert set(teacher.pupils["class_name"]) <= {"3A", "4B"}  # never the whole school's cached list


def test_an_import_gives_a_fresh_list(pupils_db, system, actors, scorings):
    funzione = actors["funzione_strumentale"]
    before = school_risk.school_risk(pupils_db, funzione, SCHOOL, as_of="2026-01")
    cohort = synthetic.generate("secondaria_secondo_grado", 150, [SchoolYear(2025)], seed=3, last_month=2)
    lines = synthetic.attendance_csv(cohort).decode().splitlines()
    january = [lines[0]] + [";".join(c[:4] + [c[3]] + c[5:]) for c in (line.split(";") for line in lines[1:])
                            if c[2] == "01/2026"]  # everyone absent the whole of January
    pupil_data.import_attendance(pupils_db, system, SCHOOL, "\n".join(january).encode(), "gennaio.csv")
    scorings.clear()
    after = school_risk.school_risk(pupils_db, funzione, SCHOOL, as_of="2026-01")
    assert scorings == ["2026-01"]
    assert (after.pupils["level"] == "alto").sum() > (before.pupils["level"] == "alto").sum()


def test_a_change_of_thresholds_gives_a_fresh_list(pupils_db, actors, scorings):
    funzione = actors["funzione_strumentale"]
    before = school_risk.school_risk(pupils_db, funzione, SCHOOL, as_of="2026-01")
    rules.set_network_rules(pupils_db, actors["coordinatore_rete"], NETWORK, chronic=0.05, severe=0.12)
    scorings.clear()
    after = school_risk.school_risk(pupils_db, funzione, SCHOOL, as_of="2026-01")
    assert scorings == ["2026-01"] and after.rules.chronic == 0.05
    assert (after.pupils["level"] == "basso").sum() < (before.pupils["level"] == "basso").sum()


def test_the_latest_month_reads_the_years_rows_kept_at_import_never_a_stale_copy(pupils_db, actors, monkeypatch):
    funzione = actors["funzione_strumentale"]
    kept = pupils_db.execute("SELECT * FROM attendance_year_packed WHERE school_code = ?", [SCHOOL]).fetchall()
    assert kept and {row[2] for row in kept} == {school_risk.data_stamp(pupils_db, SCHOOL)}
    grouped = []  # the reads that group the attendance rows instead
    real = school_risk._packed_rows
    monkeypatch.setattr(school_risk, "_packed_rows", lambda *args: grouped.append(args[2:]) or real(*args))
    latest = school_risk.school_risk(pupils_db, funzione, SCHOOL)
    assert grouped == []
    school_risk.forget_kept_lists()
    pupils_db.execute("DELETE FROM attendance_year_packed")
    assert school_risk.school_risk(pupils_db, funzione, SCHOOL).pupils.equals(latest.pupils) and grouped
    # Rows changed by hand, without telling and without a new import: the kept copy goes with the change.
    pupils_db.conn.executemany(f"INSERT INTO attendance_year_packed VALUES ({', '.join('?' * 8)})", kept)
    pupils_db.execute("UPDATE attendance SET absence_hours = scheduled_hours WHERE school_code = ?", [SCHOOL])
    assert pupils_db.execute("SELECT COUNT(*) FROM attendance_year_packed").fetchone()[0] == 0
    school_risk.forget_kept_lists()
    changed = school_risk.school_risk(pupils_db, funzione, SCHOOL).pupils
    assert (changed["absence_ratio"][changed["scheduled_hours"] > 0] == 1.0).all()
