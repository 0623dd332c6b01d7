"""Day-by-day event lists, the regional calendar, and names that are not codes."""

import pytest

from models.core.errors import ApprodoError, PermissionDenied
from models.pupils import importing as pupil_data
from models.pupils import pseudonyms, school_calendar
from models.pupils.importing import ImportRejected
from models.risk import school_risk

SCHOOL = "MIIS00003C"
EVENTS = (
    b"Codice alunno;Classe;Data;Tipo evento;Ore perse;Giustificata;Motivo\n"
    b"E1;3A;06/10/2025;Assenza;;SI;malattia\n"
    b"E1;3A;07/10/2025;Assenza;5;NO;\n"
    b"E1;3A;09/10/2025;Ritardo;1;SI;trasporto\n"
    b"E1;3A;14/11/2025;Uscita;2;;\n"
    b"E2;3A;2025-10-20;A;6;S;\n"
)


def months(db, code):
    return {r["period"]: r for r in db.query("SELECT * FROM attendance WHERE pupil_code = ? ORDER BY period",
                                             [code])}


def test_the_calendar_counts_school_days_of_lombardy():
    days = school_calendar._build("2025/26", school_calendar._shipped()["2025/26"], False).days_by_month()
    # September 2025: lessons from Friday 12, 13 weekdays; December: to Monday 22, 8 December a holiday.
    assert days["2025-09"] == 13
    assert days["2025-12"] == 15
    assert days["2026-06"] == 5  # 1-8 June: five weekdays, less 2 June, plus Monday 8
    assert "2026-07" not in days
    assert set(school_calendar.shipped_years()) >= {"2024/25", "2025/26", "2026/27"}


def test_a_day_by_day_list_is_recognised_stored_and_summed_into_months(demo_db, actors):
    summary = pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL, EVENTS, "eventi.csv")
    assert (summary.kind, summary.rows, summary.pupils, summary.periods) == ("events", 5, 2, ("2025-10", "2025-11"))
    assert "5 eventi giorno per giorno" in summary.message()
    stored = demo_db.execute("SELECT pupil_code, day, kind, hours, justified, reason FROM attendance_events"
                             " ORDER BY pupil_code, day").fetchall()
    assert stored[0] == ("E1", "2025-10-06", "assenza", None, 1, "malattia")
    assert stored[-1] == ("E2", "2025-10-20", "assenza", 6.0, 1, None)
    e1 = months(demo_db, "E1")
    weekly = school_calendar.weeks(demo_db, SCHOOL).default.weekly
    october_days = school_calendar.calendar_for(demo_db, "2025/26").days_by_month()["2025-10"]
    daily = weekly / 5
    assert e1["2025-10"]["scheduled_hours"] == pytest.approx(daily * october_days)
    assert e1["2025-10"]["absence_hours"] == pytest.approx(daily + 5 + 1)  # a day without hours = a whole day
    assert (e1["2025-10"]["days_absent"], e1["2025-10"]["late_entries"], e1["2025-10"]["early_exits"]) == (2, 1, 0)
    assert e1["2025-10"]["justified_hours"] == pytest.approx(daily + 1)
    assert e1["2025-10"]["justified_days"] == 1
    # November: one exit whose justification is not stated, so the split is unknown, not zero.
    assert e1["2025-11"]["early_exits"] == 1 and e1["2025-11"]["justified_hours"] is None
    # E2 has no event in November: the list names only who missed something, so November was attended.
    assert months(demo_db, "E2")["2025-11"]["absence_hours"] == 0


def test_weekly_hours_per_class_set_the_monte_ore(demo_db, actors):
    school_calendar.set_week(demo_db, actors["dirigente"], SCHOOL, "3a", school_calendar.Week.even(30, 5))
    pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL, EVENTS, "eventi.csv")
    october_days = school_calendar.calendar_for(demo_db, "2025/26").days_by_month()["2025-10"]
    assert months(demo_db, "E1")["2025-10"]["scheduled_hours"] == pytest.approx(6 * october_days)
    with pytest.raises(PermissionDenied):
        school_calendar.set_week(demo_db, actors["coordinatore_rete"], SCHOOL, "3A", school_calendar.Week.even(30, 5))
    with pytest.raises(ApprodoError, match="da 1 a 60"):
        school_calendar.Week.even(80, 6)


def test_the_admin_corrects_the_calendar_and_it_counts(demo_db, actors):
    before = school_calendar.calendar_for(demo_db, "2025/26").days_by_month()["2025-10"]
    school_calendar.set_calendar(demo_db, actors["admin"], "2025/26", "12/09/2025", "08/06/2026",
                                 "31/10/2025 ponte\n22/12/2025 - 06/01/2026 Natale")
    corrected = school_calendar.calendar_for(demo_db, "2025/26")
    assert corrected.edited and corrected.days_by_month()["2025-10"] == before - 1
    with pytest.raises(PermissionDenied):
        school_calendar.set_calendar(demo_db, actors["dirigente"], "2025/26", "12/09/2025", "08/06/2026", "")
    with pytest.raises(ApprodoError, match="Riga 1"):
        school_calendar.parse_holidays("Natale dal 22")
    with pytest.raises(ApprodoError, match="Manca il calendario scolastico 2030/31"):
        school_calendar.calendar_for(demo_db, "2030/31")


@pytest.mark.parametrize(("line", "column", "fragment"), [
    ("E9;3A;31/02/2025;Assenza;;SI;", "Data", "data non riconosciuta"),
    ("E9;3A;06/10/2025;Gita;;SI;", "Tipo evento", "evento non riconosciuto"),
    ("E9;3A;06/10/2025;Assenza;20;SI;", "Ore perse", "non plausibili"),
    ("E9;3A;06/10/2025;Assenza;;forse;", "Giustificata", "SI o NO"),
    ("E1;3A;06/10/2025;Assenza;;SI;", "Data", "già assente"),
    ("E1;3B;08/10/2025;Ritardo;1;SI;", "Classe", "due classi"),
])
def test_bad_events_are_reported_by_row_and_nothing_is_written(demo_db, actors, line, column, fragment):
    data = EVENTS + line.encode() + b"\n"
    with pytest.raises(ImportRejected) as rejected:
        pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL, data, "eventi.csv")
    assert any(p.row == 7 and p.column == column and fragment in p.message for p in rejected.value.report.problems)
    assert demo_db.execute("SELECT COUNT(*) FROM attendance_events").fetchone()[0] == 0
    assert demo_db.execute("SELECT COUNT(*) FROM attendance").fetchone()[0] == 0


def test_crosses_mean_justified_and_blanks_not(demo_db, actors):
    data = (b"Alunno;Classe;Giorno;Evento;Ore;Giust.\n"
            b"C1;2A;2025-10-06;assenza;5;X\nC1;2A;2025-10-07;assenza;5;\n")
    pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL, data, "x.csv")
    assert demo_db.execute("SELECT justified FROM attendance_events ORDER BY day").fetchall() == [(1,), (0,)]


def test_reimporting_events_replaces_their_months_and_deleting_removes_them(demo_db, actors):
    pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL, EVENTS, "eventi.csv")
    again = pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL, EVENTS, "eventi.csv")
    assert again.replaced_periods == ("2025-10", "2025-11")
    assert demo_db.execute("SELECT COUNT(*) FROM attendance_events").fetchone()[0] == 5
    history = pupil_data.list_imports(demo_db, actors["dirigente"], SCHOOL)
    assert history[0]["rows_now"] == 5 and history[1]["rows_now"] == 0
    pupil_data.delete_import(demo_db, actors["dirigente"], SCHOOL, again.import_id)
    assert demo_db.execute("SELECT COUNT(*) FROM attendance_events").fetchone()[0] == 0


def test_an_event_list_scores(demo_db, actors):
    pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL, EVENTS, "eventi.csv")
    pupils = school_risk.school_risk(demo_db, actors["dirigente"], SCHOOL).pupils
    assert set(pupils["pupil_code"]) == {"E1", "E2"}
    assert (pupils["months"] == 2).all()


# --- names are not codes ---------------------------------------------------------------------------

NAMES = (
    b"Alunno;Data di nascita;Classe;Mese;Monte ore;Ore di assenza\n"
    b"Zanardelli Mario;03/04/2011;2A;10/2025;100;10\n"
    b"BRAMBILLASCO ANNA MARIA;2011-07-21;2A;10/2025;100;5\n"
    b"D'Amico Luca;12/12/2010;2A;10/2025;100;0\n"
)


def test_a_column_of_names_is_refused_with_an_explanation(demo_db, actors):
    with pytest.raises(ApprodoError) as refused:
        pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL, NAMES, "nomi.csv")
    assert "sembra contenere nomi e cognomi" in refused.value.message
    assert "pseudonimizzare" in refused.value.message and "Zanardelli" not in refused.value.message
    assert demo_db.execute("SELECT COUNT(*) FROM attendance").fetchone()[0] == 0


def test_pseudonymising_stores_only_codes_and_the_same_pupil_keeps_the_code(demo_db, actors):
    first = pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL, NAMES, "nomi.csv", pseudonymise=True)
    codes = [r[0] for r in demo_db.execute("SELECT pupil_code FROM attendance ORDER BY pupil_code")]
    assert len(codes) == 3 and all(c.startswith("PS") and len(c) == 14 for c in codes)
    dump = "\n".join(demo_db.conn.iterdump())
    assert "Zanardelli" not in dump and "BRAMBILLASCO" not in dump
    key = first.key_file.decode("utf-8-sig").splitlines()
    assert key[0] == "nome;data di nascita;codice" and len(key) == 4
    rossi = next(line for line in key if line.startswith("Zanardelli Mario")).split(";")[2]
    # November, names written another way: same codes.
    later = (b"Alunno;Data di nascita;Classe;Mese;Monte ore;Ore di assenza\n"
             b"MARIO  ZANARDELLI;2011-04-03;2A;11/2025;100;10\n")
    pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL, later, "nov.csv", pseudonymise=True)
    assert demo_db.execute("SELECT COUNT(*) FROM attendance WHERE pupil_code = ?", [rossi]).fetchone()[0] == 2
    # Another school's secret gives other codes.
    other = pseudonyms.school_secret(demo_db, "MIMM00002B")
    assert pseudonyms.code_for(other, "Zanardelli Mario", "03/04/2011") != rossi


def test_a_week_for_a_class_the_school_does_not_have_is_refused_naming_the_known_ones(demo_db, actors):
    boss = actors["dirigente"]
    pupil_data.import_attendance(demo_db, boss, SCHOOL, EVENTS, "eventi.csv")
    with pytest.raises(ApprodoError) as refused:
        school_calendar.set_week(demo_db, boss, SCHOOL, "9Z", school_calendar.Week.even(30, 5))
    assert str(refused.value).startswith("La classe «9Z» non c'è nei dati della scuola. Classi note: 3A.")
    assert not school_calendar.school_weeks(demo_db, boss, SCHOOL).classes
    school_calendar.set_week(demo_db, boss, SCHOOL, " 3a ", school_calendar.Week.even(30, 5))  # as typed, any case
    assert [name for name, _ in school_calendar.school_weeks(demo_db, boss, SCHOOL).classes] == ["3A"]
