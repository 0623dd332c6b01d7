"""The compulsory-education rule (art. 114 c. 4 D.Lgs. 297/1994) on built calendars, and its procedure."""

from datetime import UTC, date, datetime, timedelta

import pytest

from models.core import clock
from models.core.errors import ApprodoError, PermissionDenied
from models.obligation import cases as obligation
from models.obligation import hours, rule
from models.pupils import importing as pupil_data
from models.pupils import school_calendar

SCHOOL = "MIIS00003C"
FIVE_DAYS = school_calendar.Week.even(32, 5)
# Pupil codes as a register makes them (letters and digits): named by what each pupil's case shows.
CASO = "OB001"
QUINDICI = "OB002"
GIUSTIFICATO = "OB003"
ORARIO = "OB004"
DOMENICHE = "OB005"
ANZIANO = "OB006"
SENZAETA = "OB007"
INATTESA = "OB008"
ALTRO = "OB009"
ORE = "OB010"
ALTRI = "OB011"
HEADER = "Codice alunno;Classe;Data;Evento;Ore;Giustificata"


def school_days(start: date, n: int, *, every: int = 1) -> list[date]:
    """`n` school days of 2025/26 from `start` (Monday to Friday, not holidays), one every `every`."""
    cal = school_calendar._build(
        "2025/26", school_calendar._shipped()["2025/26"], False)
    out, day, seen = [], start, 0
    while len(out) < n:
        if rule.is_school_day(day, lambda _year: cal, FIVE_DAYS):
            if seen % every == 0:
                out.append(day)
            seen += 1
        day += timedelta(days=1)
    return out


def events(pupil: str, days: list[date], justified: str = "NO", hours_text: str = "", kind: str = "A") -> list[str]:
    return [f"{pupil};1A;{d:%d/%m/%Y};{kind};{hours_text};{justified}" for d in days]


def load(db, actor, lines: list[str]) -> None:
    pupil_data.import_attendance(db, actor, SCHOOL, "\n".join([HEADER, *lines]).encode(), "eventi.csv")


def context(db, actor, births: dict[str, int]) -> None:
    rows = "\n".join(f"{p};{y}" for p, y in births.items())
    pupil_data.import_context(db, actor, SCHOOL, f"Codice alunno;Anno di nascita\n{rows}".encode(), "contesto.csv")


@pytest.fixture
def today(monkeypatch):
    """The clock set to a day (Rome's noon), as the other tests set it."""
    def set_day(day: date):
        monkeypatch.setattr(clock, "utcnow", lambda: datetime(day.year, day.month, day.day, 11, 0, tzinfo=UTC))
    set_day(date(2026, 3, 20))
    return set_day


# --- the rule on dates ----------------------------------------------------------------------------------


def test_the_window_is_three_calendar_months_ending_on_the_day():
    assert rule.window_start(date(2026, 1, 15)) == date(2025, 10, 16)
    assert rule.window_start(date(2026, 5, 31)) == date(2026, 3, 1)  # 31 February does not exist
    assert rule.window_start(date(2026, 3, 1)) == date(2025, 12, 2)


def test_sixteen_days_within_three_months_is_a_case_and_fifteen_is_not():
    days = school_days(date(2025, 10, 1), 16)
    found = rule.first_case(days)
    assert found is not None and found.opened_on == days[-1] and len(found.days) == 16
    assert found.window_start == rule.window_start(days[-1])
    assert rule.first_case(days[:15]) is None


def test_sixteen_days_spread_over_seven_months_are_not_a_case():
    spread = [date(2025, 9, 15) + timedelta(days=14 * n) for n in range(16)]  # one every two weeks
    assert spread[-1] - spread[0] > timedelta(days=200)
    assert rule.first_case(spread) is None


def test_sundays_and_holidays_are_not_school_days():
    cal = school_calendar._build("2025/26", school_calendar._shipped()["2025/26"], False)
    calendars = lambda _year: cal  # noqa: E731
    six_days = school_calendar.Week.even(30, 6)
    assert not rule.is_school_day(date(2025, 10, 5), calendars, six_days)  # a Sunday
    assert not rule.is_school_day(date(2025, 12, 25), calendars, six_days)  # Christmas holidays
    assert not rule.is_school_day(date(2025, 11, 1), calendars, six_days)  # Ognissanti (a Saturday, and a holiday)
    assert rule.is_school_day(date(2025, 10, 4), calendars, six_days)  # a Saturday counts where the week has it
    assert not rule.is_school_day(date(2025, 10, 4), calendars, FIVE_DAYS)  # and not where it has none
    assert not rule.is_school_day(date(2025, 7, 10), calendars, six_days)  # after the last day of lessons


def test_a_whole_day_is_an_absence_covering_that_days_hours():
    assert rule.whole_day(None, 6)
    assert rule.whole_day(6.0, 6.4)  # 32 h over five days: six whole hours
    assert rule.whole_day(5.0, 5)  # a five-hour day of a 30-hour, six-day week
    assert not rule.whole_day(5.0, 6)
    assert not rule.whole_day(2.0, 4)


def test_ages_six_to_sixteen_and_unknown():
    from models.core.school_year import SchoolYear

    year = SchoolYear(2025)
    assert rule.compulsory_age(2010, year) is True  # 15
    assert rule.compulsory_age(2009, year) is True  # 16 this year
    assert rule.compulsory_age(2008, year) is False  # 17
    assert rule.compulsory_age(None, year) is None


# --- detection from the register's events -----------------------------------------------------------------


def test_cases_from_day_by_day_events(demo_db, actors, today):
    boss = actors["dirigente"]
    sixteen = school_days(date(2025, 10, 1), 16)
    lines = (events(CASO, sixteen) + events(QUINDICI, sixteen[:15])
             + events(GIUSTIFICATO, sixteen, justified="SI")
             + events(ORARIO, sixteen, hours_text="2")  # hourly absences: never a day
             + events(DOMENICHE, [date(2025, 10, 5) + timedelta(days=7 * n) for n in range(10)]
                      + sixteen[:6])  # ten Sundays and six school days
             + events(ANZIANO, sixteen) + events(SENZAETA, sixteen)
             + events(INATTESA, sixteen[:10]) + events(INATTESA, sixteen[10:], justified=""))
    load(demo_db, boss, lines)
    context(demo_db, boss, {CASO: 2011, QUINDICI: 2011, GIUSTIFICATO: 2011, ORARIO: 2011,
                            DOMENICHE: 2011, ANZIANO: 2007, INATTESA: 2012})
    found = {c.pupil_code: c for c in obligation.cases(demo_db, boss, SCHOOL)}
    assert set(found) == {CASO, SENZAETA, INATTESA}
    case = found[CASO]
    assert (case.opened_on, case.window_end, case.unjustified_days) == (sixteen[-1], sixteen[-1], sixteen)
    assert case.status == "famiglia_da_informare" and case.due and case.age_known
    assert not found[SENZAETA].age_known  # listed with "età non nota", never dropped
    assert found[INATTESA].pending_days == 6  # blank justification counts, and is shown as such
    # Reading twice records nothing new.
    again = obligation.cases(demo_db, boss, SCHOOL)
    assert [c.id for c in again] == [c.id for c in found.values()]


def test_monthly_data_only_cannot_be_checked(demo_db, actors):
    monthly = (b"Cod. alunno;Classe;Mese;Monte ore;Ore assenza\nM1;1A;10/2025;120;60\n")
    pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL, monthly, "mensile.csv")
    status = obligation.coverage(demo_db, actors["dirigente"], SCHOOL)
    assert not status.checkable and "prospetti mensili" in status.reason
    assert obligation.cases(demo_db, actors["dirigente"], SCHOOL) == []


def test_a_list_without_justification_cannot_be_checked(demo_db, actors):
    lines = ["Codice alunno;Classe;Data;Evento", *(f"X1;1A;{d:%d/%m/%Y};A" for d in school_days(date(2025, 10, 1), 16))]
    pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL, "\n".join(lines).encode(), "e.csv")
    status = obligation.coverage(demo_db, actors["dirigente"], SCHOOL)
    assert not status.checkable and "Giustificata" in status.reason


# --- the procedure ------------------------------------------------------------------------------------------


def test_family_notice_deadline_late_and_mayor(demo_db, actors, today):
    boss = actors["dirigente"]
    sixteen = school_days(date(2026, 1, 12), 16)
    load(demo_db, boss, events(CASO, sixteen))
    case = obligation.cases(demo_db, boss, SCHOOL)[0]
    # Italian validation: not in the future, not before the case opened, a protocol number, a channel.
    with pytest.raises(ApprodoError, match="nel futuro"):
        obligation.record_family_notice(demo_db, boss, SCHOOL, case.id, date(2026, 3, 21), "1", obligation.CHANNELS[0])
    with pytest.raises(ApprodoError, match="viene prima"):
        obligation.record_family_notice(demo_db, boss, SCHOOL, case.id, sixteen[0], "1", obligation.CHANNELS[0])
    with pytest.raises(ApprodoError, match="protocollo"):
        obligation.record_family_notice(demo_db, boss, SCHOOL, case.id, date(2026, 3, 2), " ", obligation.CHANNELS[0])
    # Mayor before the family: refused.
    with pytest.raises(ApprodoError, match="famiglia"):
        obligation.record_mayor_notice(demo_db, boss, SCHOOL, case.id, date(2026, 3, 2), "2", "Milano")
    # Late: the family step has been due for more than a week.
    today(date(2026, 3, 30))
    assert obligation.cases(demo_db, boss, SCHOOL)[0].late
    # The letters print «Prot. n.» themselves: typed with the number, it is not printed twice.
    case = obligation.record_family_notice(demo_db, boss, SCHOOL, case.id, date(2026, 3, 30), "Prot. n. 123/2026",
                                           "PEC", received_on=date(2026, 3, 30))  # delivered the same day
    assert (case.status, case.deadline) == ("in_attesa", date(2026, 4, 6))
    assert case.family_notice.protocol_no == "123/2026"
    assert not case.due
    today(date(2026, 4, 2))
    assert obligation.cases(demo_db, boss, SCHOOL)[0].status == "in_attesa"
    with pytest.raises(ApprodoError, match="viene prima"):  # before the seven days are over
        obligation.record_mayor_notice(demo_db, boss, SCHOOL, case.id, date(2026, 4, 1), "2", "Milano")
    # Seven days on without new attendance data: the mayor step is due.
    today(date(2026, 4, 6))
    case = obligation.cases(demo_db, boss, SCHOOL)[0]
    assert (case.status, case.due_on, case.late) == ("sindaco_da_informare", date(2026, 4, 6), False)
    today(date(2026, 4, 14))
    assert obligation.cases(demo_db, boss, SCHOOL)[0].late
    case = obligation.record_mayor_notice(demo_db, boss, SCHOOL, case.id, date(2026, 4, 14), "130/2026",
                                          "Valfiorita")
    assert case.status == "sindaco_informato" and case.mayor_notice.municipality == "Valfiorita"
    case = obligation.close_case(demo_db, boss, SCHOOL, case.id, date(2026, 4, 14), "Segnalato al sindaco")
    assert case.status == "chiuso"
    assert obligation.cases(demo_db, boss, SCHOOL) == []  # closed: no longer open on that day
    # The steps are in the access log.
    what = [r[0] for r in demo_db.execute("SELECT what FROM access_log WHERE school_code = ?", [SCHOOL])]
    assert {"obbligo scolastico: famiglia", "obbligo scolastico: sindaco", "obbligo scolastico: chiusura"} <= set(what)


def test_attendance_resumed_is_seen_in_later_data(demo_db, actors, today):
    boss = actors["dirigente"]
    sixteen = school_days(date(2026, 1, 12), 16)
    load(demo_db, boss, events(CASO, sixteen) + events(ALTRO, [date(2026, 2, 2)], justified="SI"))
    case = obligation.cases(demo_db, boss, SCHOOL)[0]
    today(date(2026, 2, 5))
    obligation.record_family_notice(demo_db, boss, SCHOOL, case.id, date(2026, 2, 5), "5", obligation.CHANNELS[0])
    # A later export of February: two more unjustified days, then the pupil is back (another pupil's event
    # shows the data reach 20 February).
    later = events(CASO, sixteen) + events(CASO, [date(2026, 2, 6), date(2026, 2, 9)]) \
        + events(ALTRO, [date(2026, 2, 20)], justified="SI")
    load(demo_db, boss, later)
    today(date(2026, 2, 23))
    case = obligation.cases(demo_db, boss, SCHOOL)[0]
    assert case.status == "ripresa" and case.resumption.source == "dati"
    assert case.resumption.on == date(2026, 2, 10)
    assert not case.due


def test_only_the_schools_dirigente_and_funzione_see_cases(demo_db, actors):
    for role in ("dirigente", "funzione_strumentale"):
        obligation.cases(demo_db, actors[role], SCHOOL)
    for role in ("docente", "coordinatore_rete", "admin", "other_dirigente"):
        with pytest.raises(PermissionDenied):
            obligation.cases(demo_db, actors[role], SCHOOL)


def test_evasion_by_hours_reuses_the_projection(demo_db, actors, today):
    boss = actors["dirigente"]
    # 40 unjustified days of about 6.4 hours by the end of November: a quarter of 1056 is 264 hours.
    load(demo_db, boss, events(ORE, school_days(date(2025, 9, 15), 45)))
    found = hours.evasion(demo_db, boss, SCHOOL, date(2025, 11, 30))
    row = found.set_index("pupil_code").loc[ORE]
    assert row["reached"] and row["unjustified_hours"] >= row["limit_hours"]


def test_evasion_is_projected_at_the_pace_of_the_latest_month_with_data(demo_db, actors, today):
    boss = actors["dirigente"]
    load(demo_db, boss, events(ORE, school_days(date(2025, 10, 1), 10)) + events(ALTRI, [date(2025, 10, 2)]))
    found = hours.evasion(demo_db, boss, SCHOOL, date(2025, 11, 20)).set_index("pupil_code")
    assert list(found.index) == [ORE]  # a single day is far from a quarter of the year
    row = found.loc[ORE]
    assert not row["reached"] and row["unjustified_hours"] < row["limit_hours"]
    assert "2025-12" <= row["crossing_month"] <= "2026-06"  # within the year at October's pace


def test_the_clock_offset_moves_the_apps_day(monkeypatch):
    monkeypatch.setenv(clock.OFFSET_ENV, "7")
    shift = clock.utcnow() - datetime.now(UTC)
    assert abs(shift - timedelta(days=7)) < timedelta(seconds=5)


def test_two_sessions_reading_at_once_record_each_case_once(demo_db, db_path, actors, monkeypatch):
    import threading
    import time

    from models.core import db as database

    load(demo_db, actors["dirigente"], events(CASO, school_days(date(2025, 10, 1), 16)))
    detect = rule.first_case

    def slow_detection(days, *args):
        time.sleep(0.2)  # widen the window between reading the cases and writing one
        return detect(days, *args)

    monkeypatch.setattr(rule, "first_case", slow_detection)
    barrier, errors, found = threading.Barrier(4), [], []

    def read(username: str) -> None:
        connection = database.connect(db_path)
        barrier.wait()
        try:
            found.append([c.pupil_code for c in obligation.cases(connection, actors[username], SCHOOL)])
        except Exception as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)

    threads = [threading.Thread(target=read, args=(name,)) for name in ("dirigente", "funzione_strumentale") * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and found == [[CASO]] * 4
    assert demo_db.execute("SELECT COUNT(*) FROM obligation_cases").fetchone()[0] == 1


# --- the seven days from the family's receipt; "da fare dal"; the quarter-of-hours case -----------------------


@pytest.fixture
def notified(demo_db, actors, today):
    """CASO's case (opened on 2 February 2026), on 20 March 2026."""
    load(demo_db, actors["dirigente"], events(CASO, school_days(date(2026, 1, 12), 16)))
    return obligation.cases(demo_db, actors["dirigente"], SCHOOL)[0]


@pytest.mark.parametrize(("channel", "received_on", "term_start", "known"), [
    ("Raccomandata A/R", date(2026, 3, 14), date(2026, 3, 14), True),  # the return card's date
    ("Raccomandata A/R", None, date(2026, 3, 20), False),  # no card yet: sending (10/03) + 10 days
    ("PEC", date(2026, 3, 10), date(2026, 3, 10), True),  # the delivery receipt
    ("PEC", None, date(2026, 3, 20), False),
    ("Registro elettronico (comunicazione)", date(2026, 3, 12), date(2026, 3, 12), True),  # read in the register
    ("Consegna a mano con firma", date(2026, 3, 15), date(2026, 3, 10), True),  # handed over: the same day
    ("Colloquio con verbale", None, date(2026, 3, 10), True),
])
def test_the_seven_days_run_from_the_receipt_as_the_way_of_sending_documents_it(
        demo_db, actors, notified, channel, received_on, term_start, known):
    boss = actors["dirigente"]
    case = obligation.record_family_notice(demo_db, boss, SCHOOL, notified.id, date(2026, 3, 10), "7/2026", channel,
                                           received_on)
    assert (case.family_notice.term_start, case.family_notice.receipt_known) == (term_start, known)
    assert case.deadline == term_start + timedelta(days=7)


def test_the_mayor_step_opens_seven_days_after_the_receipt_recorded_later(demo_db, actors, notified, today):
    boss = actors["dirigente"]
    today(date(2026, 3, 10))
    case = obligation.record_family_notice(demo_db, boss, SCHOOL, notified.id, date(2026, 3, 10), "7/2026",
                                           "Raccomandata A/R")
    assert case.deadline == date(2026, 3, 27)  # 10 + 10 days allowed for the post + 7
    with pytest.raises(ApprodoError, match="viene prima dell'invio"):
        obligation.record_family_receipt(demo_db, boss, SCHOOL, case.id, date(2026, 3, 9))
    today(date(2026, 3, 16))
    with pytest.raises(ApprodoError, match="nel futuro"):
        obligation.record_family_receipt(demo_db, boss, SCHOOL, case.id, date(2026, 3, 17))
    case = obligation.record_family_receipt(demo_db, boss, SCHOOL, case.id, date(2026, 3, 13))  # the card is back
    assert (case.deadline, case.family_notice.receipt_known) == (date(2026, 3, 20), True)
    with pytest.raises(ApprodoError, match="già registrato"):
        obligation.record_family_receipt(demo_db, boss, SCHOOL, case.id, date(2026, 3, 14))
    today(date(2026, 3, 19))
    assert obligation.cases(demo_db, boss, SCHOOL)[0].status == "in_attesa"
    with pytest.raises(ApprodoError, match="dal ricevimento"):
        obligation.record_mayor_notice(demo_db, boss, SCHOOL, case.id, date(2026, 3, 19), "8/2026", "Milano")
    today(date(2026, 3, 20))
    case = obligation.cases(demo_db, boss, SCHOOL)[0]
    assert (case.status, case.due_on) == ("sindaco_da_informare", date(2026, 3, 20))


def test_attendance_resumed_after_seven_days_from_sending_but_within_seven_from_receipt(demo_db, actors, today):
    boss = actors["dirigente"]
    sixteen = school_days(date(2026, 1, 12), 16)
    load(demo_db, boss, events(CASO, sixteen))
    case = obligation.cases(demo_db, boss, SCHOOL)[0]
    today(date(2026, 2, 10))
    obligation.record_family_notice(demo_db, boss, SCHOOL, case.id, date(2026, 2, 5), "5", "Raccomandata A/R",
                                    date(2026, 2, 10))  # received on Tuesday 10: the seven days end on 17
    # Absent Friday 6 to Thursday 12 February, at school again from Friday 13 (sending + 7 was the 12th).
    later = events(CASO, sixteen) + events(CASO, school_days(date(2026, 2, 6), 5)) \
        + events(ALTRO, [date(2026, 2, 20)], justified="SI")
    load(demo_db, boss, later)
    today(date(2026, 2, 23))
    case = obligation.cases(demo_db, boss, SCHOOL)[0]
    assert (case.status, case.resumption.on) == ("ripresa", date(2026, 2, 13))


def test_the_family_step_is_due_from_the_day_the_case_opened_not_the_upload(demo_db, actors, notified):
    # Uploaded on 20 March; the sixteenth day was 2 February: due since then, and late.
    assert (notified.due_on, notified.detected_on) == (date(2026, 2, 2), date(2026, 3, 20))
    assert notified.late


def test_the_period_starts_on_the_first_day_of_lessons(demo_db, actors, today):
    boss = actors["dirigente"]
    first = school_days(date(2025, 9, 1), 1)[0]
    load(demo_db, boss, events("PRESTO1", school_days(first, 16)))
    case = obligation.cases(demo_db, boss, SCHOOL)[0]
    assert case.window_start < first  # three months back reach the summer
    assert case.period_start == first
    assert case.unjustified_days == school_days(first, 16)  # lesson days of the calendar only
    # Everything that shows the window starts it on the first day of lessons: the export and the council's sheet.
    import json

    from models.council import pack as council_pack
    from tests.models.test_letters import text_of

    exported = json.loads(obligation.export(demo_db, boss, SCHOOL, fmt="json"))
    assert [(c["codice_alunno"], c["dal"]) for c in exported] == [("PRESTO1", first.isoformat())]
    assert f";{first:%d/%m/%Y};" in obligation.export(demo_db, boss, SCHOOL).decode()
    sheet = text_of(council_pack.pack_for_pupil(demo_db, boss, SCHOOL, "PRESTO1").docx)
    assert f"giustificati dal {first:%d/%m/%Y} al {case.window_end:%d/%m/%Y}" in sheet


def test_a_quarter_of_the_annual_hours_opens_a_case_of_its_own_kind(demo_db, actors, today):
    boss = actors["dirigente"]
    # Four hours a day (never a whole day: 32 / 5 = 6.4), 70 school days from 15 September: a quarter of 1056 is
    # 264 hours, reached with the 66th day.
    days = school_days(date(2025, 9, 15), 70)
    load(demo_db, boss, events(ORE, days, hours_text="4"))
    found = obligation.cases(demo_db, boss, SCHOOL)
    assert [(c.pupil_code, c.kind) for c in found] == [(ORE, obligation.HOURS)]
    case = found[0]
    assert case.opened_on == days[65] and case.due_on == days[65]
    assert (case.hours_unjustified, case.hours_limit) == (280.0, 264.0)
    assert case.unjustified_days == [] and case.status == "famiglia_da_informare"
    # Its letter is its own.
    from models.obligation import letters
    from tests.models.test_letters import text_of
    text = text_of(letters.case_letter(demo_db, boss, SCHOOL, case.id, letters.FAMILY))
    assert "ha fatto 280 ore di assenza senza giustificato motivo" in text and "264 ore" in text
    # Read again: nothing new recorded.
    assert [c.id for c in obligation.cases(demo_db, boss, SCHOOL)] == [case.id]


def test_the_age_from_the_full_date_of_birth():
    from models.core.school_year import SchoolYear

    year = SchoolYear(2025)
    # Sixteen on 10 October 2025: of compulsory age until 9 October, not after (the year alone keeps them all year).
    assert rule.compulsory_age(2009, year, "2009-10-10", date(2025, 10, 9)) is True
    assert rule.compulsory_age(2009, year, "2009-10-10", date(2025, 10, 10)) is False
    assert rule.compulsory_age(2009, year, None, date(2025, 10, 10)) is True
    # Six on 20 December 2025: enrolled in September as the law requires, so of compulsory age from the start.
    assert rule.compulsory_age(2019, year, "2019-12-20", date(2025, 9, 15)) is True
    assert rule.compulsory_age(2020, year, "2020-01-10", date(2026, 3, 2)) is False  # an early entrant (5)


def test_a_case_needs_the_compulsory_age_on_its_day(demo_db, actors, today):
    boss = actors["dirigente"]
    sixteen = school_days(date(2026, 1, 12), 16)  # the sixteenth day is Monday 2 February 2026
    load(demo_db, boss, events("PRIMA1", sixteen) + events("DOPO2", sixteen))
    rows = "Codice alunno;Data di nascita\nPRIMA1;03/02/2010\nDOPO2;02/02/2010\n"
    pupil_data.import_context(demo_db, boss, SCHOOL, rows.encode(), "contesto.csv")
    assert demo_db.execute("SELECT birth_date FROM pupil_context WHERE pupil_code = 'PRIMA1'").fetchone() == (
        "2010-02-03",)
    # PRIMA1 turns sixteen the day after the case opens; DOPO2 on that very day, so the duty had ended.
    assert sixteen[-1] == date(2026, 2, 2)
    assert {c.pupil_code for c in obligation.cases(demo_db, boss, SCHOOL)} == {"PRIMA1"}


def test_a_pupil_first_seen_late_in_the_year_opens_no_hours_case_on_a_shortened_year(demo_db, actors, today):
    boss = actors["dirigente"]
    today(date(2026, 5, 29))
    # Absent four hours a day from 4 May only: the projection takes May as the first month (a shorter year),
    # and the list shows the quarter of that shorter year as reached; no case opens on it.
    days = school_days(date(2026, 5, 4), 15)
    load(demo_db, boss, events("TARDI1", days, hours_text="4"))
    listed = hours.evasion(demo_db, boss, SCHOOL, date(2026, 5, 29)).set_index("pupil_code")
    assert listed.loc["TARDI1", "reached"] and listed.loc["TARDI1", "annual_hours"] < 1056
    assert [c for c in obligation.cases(demo_db, boss, SCHOOL) if c.kind == obligation.HOURS] == []
