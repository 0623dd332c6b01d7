"""Data that stopped: outside the month's ranking, not projected, not counted in months without data."""

from models.pupils import importing as pupil_data
from models.risk import history, indicators, school_risk

SCHOOL = "MIIS00003C"
HEADER = "Cod. alunno;Classe;Mese;Monte ore;Ore di assenza\n"


def rows(code, class_name, months, hours):
    return "".join(f"{code};{class_name};{m};100;{hours}\n" for m in months)


def test_a_pupil_whose_data_stop_in_february_is_shown_apart_in_june(demo_db, actors):
    autumn = ["10/2025", "11/2025", "12/2025", "01/2026", "02/2026"]
    spring = ["03/2026", "04/2026", "05/2026", "06/2026"]
    first = HEADER + rows("F1", "4A", autumn, 20) + rows("C1", "5B", autumn, 20)
    pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL, first.encode(), "autunno.csv")
    # March to June for class 5B only: 4A's pupils stop in February.
    later = HEADER + rows("C1", "5B", spring, 20)
    pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL, later.encode(), "primavera.csv")
    risk = school_risk.school_risk(demo_db, actors["dirigente"], SCHOOL, as_of="2026-06")
    pupils = risk.pupils.set_index("pupil_code")
    assert pupils.loc["C1", "level"] == "alto"
    stopped = pupils.loc["F1"]
    assert stopped["level"] == indicators.STALE
    assert stopped["reasons"][0].startswith("Dati fermi a febbraio 2026")
    assert not any("supera il 25 %" in r for r in stopped["reasons"])
    assert stopped["projected_ratio"] == stopped["absence_ratio"]  # not projected
    # The ranking of current pupils comes first; the stopped pupil is after all of them.
    assert list(risk.pupils["pupil_code"]) == ["C1", "F1"]
    # As of February, the same pupil is current and ranked.
    february = school_risk.school_risk(demo_db, actors["dirigente"], SCHOOL, as_of="2026-02").pupils
    assert february.set_index("pupil_code").loc["F1", "level"] == "alto"


def test_the_dashboard_counts_only_pupils_with_data_in_each_month(demo_db, actors):
    data = HEADER + rows("F1", "4A", ["10/2025", "11/2025"], 5) + rows("C1", "5B", ["10/2025", "11/2025",
                                                                                     "12/2025"], 5)
    pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL, data.encode(), "f.csv")
    levels = history.level_history(demo_db, SCHOOL)
    counts = levels.groupby("period")["pupil_code"].apply(sorted).to_dict()
    assert counts == {"2025-10": ["C1", "F1"], "2025-11": ["C1", "F1"], "2025-12": ["C1"]}
