"""Monday–Saturday schools, uneven days, rows per lesson hour, the Ambrosian carnival: the corpus files of
tests/data/registri (see its README), with the cases and hours worked out by hand here."""

from datetime import date

import pytest

from models.core.errors import ApprodoError
from models.obligation import cases as obligation
from models.obligation import hours as evasion_hours
from models.pupils import importing as pupil_data
from models.pupils import school_calendar
from models.pupils.school_calendar import Week
from tests.models.test_obligation import today  # noqa: F401 - fixture
from tests.models.test_register_corpus import CORPUS

SCHOOL = "MIIS00003C"


def load(db, actor, name: str):
    return pupil_data.import_attendance(db, actor, SCHOOL, (CORPUS / name).read_bytes(), name)


def month(db, pupil: str, period: str) -> dict:
    return next(db.query("SELECT * FROM attendance WHERE pupil_code = ? AND period = ?", [pupil, period]))


def opened(db, actor) -> dict[str, date]:
    return {c.pupil_code: c.opened_on for c in obligation.cases(db, actor, SCHOOL, date(2026, 3, 20))}


# --- the week --------------------------------------------------------------------------------------------


def test_a_week_is_read_as_a_school_writes_it():
    assert Week.even(30, 6).hours == (5, 5, 5, 5, 5, 5)
    assert Week.even(30, 5).hours == (6, 6, 6, 6, 6, 0)
    week = Week.parse("lun 6, mar 6, mer 5, gio 5, ven 4, sabato 4")
    assert (week.weekly, week.annual, week.on(date(2025, 11, 8))) == (30, 990, 4)  # 8/11/2025: a Saturday
    assert Week.parse("lun 6,mar 6,mer 6,gio 6,ven 6,sab 0").days == (True,) * 5 + (False,)
    assert week.text() == "lun 6, mar 6, mer 5, gio 5, ven 4, sab 4"
    # 32 hours over five days, as the demo school's: Italian decimals, and read back as written.
    assert Week.even(32, 5).text() == "lun 6,4, mar 6,4, mer 6,4, gio 6,4, ven 6,4"
    assert Week.parse(Week.even(32, 5).text()) == Week.even(32, 5)
    assert Week.parse("lun 6.5; mar 5,5").hours == (6.5, 5.5, 0, 0, 0, 0)
    for text, message in (("lun 6, dom 4", "non è un giorno"), ("lun 6, lun 4", "due volte"),
                          ("lun 14", "da 0 a 12"), ("lun 0", "da 1 a 60")):
        with pytest.raises(ApprodoError, match=message):
            Week.parse(text)
    with pytest.raises(ApprodoError, match="5 .* o 6"):
        Week.even(30, 4)


@pytest.mark.usefixtures("today")
def test_monday_to_saturday_five_hour_days(demo_db, actors):
    """2C: 30 hours over six days of five. Every Saturday is a lesson day and five hours are a whole day."""
    boss = actors["dirigente"]
    school_calendar.set_week(demo_db, boss, SCHOOL, "2C", Week.even(30, 6))
    load(demo_db, boss, "sabato_eventi_2C.csv")  # absent every lesson day of October: not "più ore perse"
    # October 2025: 31 days, 4 Sundays, no holiday: 27 lesson days of 5 hours.
    october = month(demo_db, "S2C01", "2025-10")
    assert (october["scheduled_hours"], october["absence_hours"], october["days_absent"]) == (135, 135, 27)
    found = opened(demo_db, boss)
    # S2C01: 1-4, 6-11, 13-18 October are the first sixteen lesson days: the sixteenth is Saturday 18.
    # S2C02: eight Saturdays and eight Wednesdays, 10 January to 4 March: the sixteenth is 4 March.
    # S2C03: four hours a day are never a whole five-hour day; S2C04: one justified Saturday.
    assert found == {"S2C01": date(2025, 10, 18), "S2C02": date(2026, 3, 4)}


@pytest.mark.usefixtures("today")
def test_with_the_five_day_reading_the_same_list_has_no_case(demo_db, actors):
    """The bug of issue 26: a whole day taken as 32 h / 5 = 6 hours, and no Saturday."""
    boss = actors["dirigente"]
    load(demo_db, boss, "sabato_eventi_2C.csv")
    found = opened(demo_db, boss)
    # S2C01's 5-hour rows are not whole 6.4-hour days; S2C02 has only eight weekdays on a Monday–Friday week.
    assert found == {}
    # Setting the week afterwards recomputes the months and the rule sees the cases.
    school_calendar.set_week(demo_db, boss, SCHOOL, None, Week.even(30, 6))
    assert month(demo_db, "S2C01", "2025-10")["scheduled_hours"] == 135
    assert opened(demo_db, boss) == {"S2C01": date(2025, 10, 18), "S2C02": date(2026, 3, 4)}


@pytest.mark.usefixtures("today")
def test_rows_per_lesson_hour_are_summed_per_day(demo_db, actors):
    """3D: lun 6, mar 6, mer 5, gio 5, ven 4, sab 4; one row per lesson hour missed."""
    boss = actors["dirigente"]
    school_calendar.set_week(demo_db, boss, SCHOOL, "3D", Week.parse("lun 6, mar 6, mer 5, gio 5, ven 4, sab 4"))
    summary = load(demo_db, boss, "ore_lezione_3D.csv")
    assert summary.kind == "events"
    stored = demo_db.execute("SELECT hours, justified FROM attendance_events WHERE pupil_code = 'H3D01'"
                             " AND day = '2025-11-03'").fetchall()
    assert stored == [(6.0, 0)]  # six rows, one absence of six hours
    # November 2025: 1 November (Saturday) a holiday, then four of each weekday: 4 x 30 = 120 hours.
    # H3D01 misses 3-8 and 10-15 November (30 + 30) and 17-20 (6 + 6 + 5 + 5): 82 hours on 16 days.
    november = month(demo_db, "H3D01", "2025-11")
    assert (november["scheduled_hours"], november["absence_hours"], november["days_absent"]) == (120, 82, 16)
    # H3D03's Saturdays are two justified hours and two not: one day absent, not a justified day.
    h3d03 = month(demo_db, "H3D03", "2025-11")
    assert (h3d03["days_absent"], h3d03["justified_days"], h3d03["justified_hours"]) == (16, 0, 4)
    # H3D01: sixteen whole days, the sixteenth Thursday 20 November. H3D02 misses five of the six Monday
    # hours (13 whole days), H3D03 two justified hours on each Saturday (14): no case.
    assert opened(demo_db, boss) == {"H3D01": date(2025, 11, 20)}


def test_an_hour_repeated_is_refused(demo_db, actors):
    data = b"codAlunno,classe,data,oraLezione,codEvento,giustificata\nR1,3D,2025-11-03,1,A,N\nR1,3D,2025-11-03,1,A,N\n"
    with pytest.raises(pupil_data.ImportRejected) as rejected:
        pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL, data, "ore.csv")
    assert "ora ripetuta" in rejected.value.message + str(rejected.value.report.as_rows())


# --- the school's calendar -------------------------------------------------------------------------------


@pytest.mark.usefixtures("today")
def test_the_ambrosian_carnival(demo_db, actors):
    """1E, Monday–Friday six hours. 2026: Ash Wednesday 18 February; Roman carnival 16-17, Ambrosian 20-21."""
    boss = actors["dirigente"]
    school_calendar.set_week(demo_db, boss, SCHOOL, "1E", Week.even(30, 5))
    load(demo_db, boss, "ambrosiano_eventi_1E.csv")
    # Roman rite: February's weekdays 2-27 are 20, less 16 and 17: 18 days, 108 hours. A1E01's days
    # 2-6, 9-13, 18-20, 23-24 count (16 and 17 are holidays): 15, not a case.
    assert month(demo_db, "A1E01", "2026-02")["scheduled_hours"] == 108
    assert opened(demo_db, boss) == {}
    school_calendar.set_school_calendar(demo_db, boss, SCHOOL, rite="ambrosiano")
    # Ambrosian: 16 and 17 are lesson days, Friday 20 is closed: 19 days, 114 hours; A1E01's days are
    # 2-6, 9-13, 16-19, 23-24: the sixteenth is Tuesday 24 February.
    assert month(demo_db, "A1E01", "2026-02")["scheduled_hours"] == 114
    assert opened(demo_db, boss) == {"A1E01": date(2026, 2, 24)}
    calendar = school_calendar.calendar_for(demo_db, "2025/26", SCHOOL)
    assert calendar.is_lesson_day(date(2026, 2, 16)) and not calendar.is_lesson_day(date(2026, 2, 20))
    assert not school_calendar.calendar_for(demo_db, "2025/26").is_lesson_day(date(2026, 2, 16))  # the region's


def test_days_the_council_closed_or_opened(demo_db, actors):
    boss = actors["dirigente"]
    school_calendar.set_week(demo_db, boss, SCHOOL, "1E", Week.even(30, 5))
    load(demo_db, boss, "ambrosiano_eventi_1E.csv")
    school_calendar.set_school_calendar(demo_db, boss, SCHOOL, closed="23/02/2026 - 24/02/2026 ponte",
                                        opened="16/02/2026 recupero")
    # 20 weekdays, less 17 (carnival) and 23-24 (closed), 16 opened: 17 days of 6 hours.
    assert month(demo_db, "A1E01", "2026-02")["scheduled_hours"] == 102
    with pytest.raises(ApprodoError, match="sia tra i giorni chiusi"):
        school_calendar.set_school_calendar(demo_db, boss, SCHOOL, opened="23/02/2026 recupero")
    with pytest.raises(ApprodoError, match="domenica"):
        school_calendar.set_school_calendar(demo_db, boss, SCHOOL, opened="22/02/2026 recupero")
    with pytest.raises(ApprodoError, match="romano"):
        school_calendar.set_school_calendar(demo_db, boss, SCHOOL, rite="bizantino")
    from models.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        school_calendar.set_school_calendar(demo_db, actors["coordinatore_rete"], SCHOOL, rite="ambrosiano")


def test_carnival_days_by_rite():
    # Ash Wednesday: 5 March 2025, 18 February 2026, 10 February 2027.
    assert school_calendar.carnival_days(2025, "romano") == (date(2025, 3, 3), date(2025, 3, 4))
    assert school_calendar.carnival_days(2025, "ambrosiano") == (date(2025, 3, 7), date(2025, 3, 8))
    assert school_calendar.carnival_days(2026, "ambrosiano") == (date(2026, 2, 20), date(2026, 2, 21))
    assert school_calendar.carnival_days(2027, "romano") == (date(2027, 2, 8), date(2027, 2, 9))


def test_the_shipped_calendar_follows_the_regional_rule():
    """DGR IX/3318/2012: from 12 September (a Saturday or Sunday: the Monday after) to 8 June (a Sunday: the
    Saturday before); carnival the two days before Ash Wednesday; Easter from the Thursday before to the
    Tuesday after."""
    expected = {"2024/25": (date(2024, 9, 12), date(2025, 6, 7), date(2025, 4, 20)),  # 8 June 2025: a Sunday
                "2025/26": (date(2025, 9, 12), date(2026, 6, 8), date(2026, 4, 5)),
                "2026/27": (date(2026, 9, 14), date(2027, 6, 8), date(2027, 3, 28))}  # 12/9/2026: a Saturday
    for year, (first, last, easter) in expected.items():
        calendar = school_calendar._build(year, school_calendar._shipped()[year], False)
        assert (calendar.first_day, calendar.last_day) == (first, last)
        assert school_calendar.easter(easter.year) == easter
        holidays = {label: (s, e) for s, e, label in calendar.holidays}
        assert holidays["Carnevale"] == school_calendar.carnival_days(easter.year, "romano")
        assert holidays["Vacanze di Pasqua"] == (date.fromordinal(easter.toordinal() - 3),
                                                 date.fromordinal(easter.toordinal() + 2))


# --- the 25 % limit on the class's own hours ---------------------------------------------------------------


@pytest.mark.usefixtures("today")
def test_the_limit_is_a_quarter_of_the_class_hours(demo_db, actors):
    boss = actors["dirigente"]
    school_calendar.set_week(demo_db, boss, SCHOOL, "2C", Week.even(30, 6))
    load(demo_db, boss, "sabato_eventi_2C.csv")
    found = evasion_hours.evasion(demo_db, boss, SCHOOL, date(2025, 10, 31))
    row = found[found["pupil_code"] == "S2C01"].iloc[0]
    # 30 hours x 33 weeks = 990 annual hours (not the school's 1056). The data start in October, so the year is
    # the share of teaching weeks from October on (32.4 of 35.4, as in the risk list's projection): 906 hours,
    # and the limit a quarter of it, 226.5 (with the school's hours it would have been 241.6).
    assert (row["annual_hours"], row["limit_hours"], row["unjustified_hours"]) == (906, 226.5, 135)
