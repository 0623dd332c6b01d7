"""The rule of art. 114 c. 4 D.Lgs. 297/1994 (as rewritten by D.L. 123/2023 art. 12, L. 159/2023), on dates.

The law: the pupil of compulsory-education age who is absent «per più di quindici giorni, anche non
consecutivi, in tre mesi, senza giustificati motivi» is a case. Approdo reads it so:

- **Unjustified absence day**: a school day on which the register holds a whole-day ``assenza`` event
  that is not marked justified. A whole-day event is one without hours, or with at least the whole
  hours of that day for the class (its week, `models.pupils.school_calendar.Week`: 6 h on Monday, 4 h
  on Saturday): an hourly absence, a late entry or an early exit never makes a day, since the pupil was
  at school that day. Registers that write one row per lesson hour are summed per day at import.
- **Justification**: only what the register says counts (school circulars of 2024–25: only
  justifications entered in the register). ``justified = 1`` never counts; ``0`` counts; a blank
  (NULL: not justified yet) counts too, and the case shows how many of its days are still blank so
  the school checks them before writing to the family. If the register's file says nothing about
  justification for any absence, the rule cannot be checked at all (see `cases.coverage`).
- **School day**: a lesson day of the school's calendar (the regional one with the school's rite and the
  days its council closed or opened) on which the class's week has lessons: Saturday only where the week
  has Saturday hours.
- **Three months**: the three calendar months ending on the day D, i.e. from the day after the same
  day-of-month three months earlier (``window_start``) to D included; a day-of-month the earlier month
  lacks becomes that month's last day (31 May → from 1 March; 15 January → from 16 October).
- **More than fifteen**: the case opens on the first day D on which the window holds sixteen or more
  unjustified days; exactly fifteen is not a case.
- **Age**: six to sixteen (L. 296/2006 art. 1 c. 622: ten years of compulsory education). From the full date
  of birth, where the context file gives it: from the school year of the compulsory enrolment (six by 31
  December) to the sixteenth birthday, on the day the case would open. From the year only: the school
  year's starting calendar year minus the birth year between 6 and 16. A pupil whose birth year is
  unknown is kept, marked «età non nota».
"""

from __future__ import annotations

import calendar as month_calendar
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from models.core.school_year import SchoolYear

THRESHOLD = 15  # more than fifteen days
MONTHS = 3
DEADLINE_DAYS = 7  # «entro sette giorni» from the notice to the family
AGE_RANGE = (6, 16)


def months_before(day: date, months: int) -> date:
    """The same day-of-month `months` earlier, clamped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, month_calendar.monthrange(year, month)[1]))


def window_start(day: date) -> date:
    """First day of the three calendar months ending on `day` (see the module's docstring)."""
    return months_before(day, MONTHS) + timedelta(days=1)


@dataclass(frozen=True)
class Detection:
    opened_on: date
    window_start: date
    window_end: date
    days: tuple[date, ...]  # the unjustified days in the window, oldest first


def first_case(days: Iterable[date], threshold: int = THRESHOLD) -> Detection | None:
    """The first day on which the unjustified days of the three months ending that day exceed `threshold`.

    The count only grows on an absence day, so the day searched for is itself one of `days`.
    """
    ordered = sorted(set(days))
    start = 0
    for end, day in enumerate(ordered):
        begin = window_start(day)
        while ordered[start] < begin:
            start += 1
        if end - start + 1 > threshold:
            return Detection(day, begin, day, tuple(ordered[start:end + 1]))
    return None


def is_school_day(day: date, calendars: Callable[[SchoolYear], object], week) -> bool:
    """A lesson day of the school's calendar on which the class's week has hours (`week.on(day) > 0`)."""
    if week.on(day) <= 0:
        return False
    cal = calendars(SchoolYear.containing(day))
    return cal is not None and cal.is_lesson_day(day)


def whole_day(hours: float | None, day_hours: float) -> bool:
    """An `assenza` event is a day of absence when it has no hours or covers that day's whole hours for the
    class (`day_hours`, from its week; a fraction of an hour left over, as in 32 h over five days, is not
    asked for)."""
    if hours is None or (isinstance(hours, float) and math.isnan(hours)):
        return True
    return hours >= math.floor(day_hours + 1e-9)


def compulsory_age(birth_year: int | None, school_year: SchoolYear, birth_date: date | str | None = None,
                   on: date | None = None) -> bool | None:
    """True within the compulsory age, False outside, None when the birth year is unknown.

    From the year only: 6 to 16 in the school year (its first calendar year minus the birth year), which keeps a
    pupil for the whole school year in which they turn 16 or 17 since the day is not known. From the full date
    (the context file's, on the day `on`): the obligation starts with the school year of the compulsory enrolment
    (turning six by 31 December, D.Lgs. 59/2004 art. 2) and ends on the sixteenth birthday (L. 296/2006 art. 1
    c. 622: ten years of education, «tra i 6 e i 16 anni»).
    """
    if birth_date and on is not None:
        born = birth_date if isinstance(birth_date, date) else date.fromisoformat(birth_date)
        sixteenth = date(born.year + 16, born.month, 28 if (born.month, born.day) == (2, 29) else born.day)
        return born.year <= school_year.start - AGE_RANGE[0] and on < sixteenth
    if birth_year is None or (isinstance(birth_year, float) and math.isnan(birth_year)):
        return None
    age = school_year.start - int(birth_year)
    return AGE_RANGE[0] <= age <= AGE_RANGE[1]


def deadline(family_notice_on: date) -> date:
    """The last of the seven days within which attendance must resume."""
    return family_notice_on + timedelta(days=DEADLINE_DAYS)


def resumed_on(notice_on: date, absent_days: set[date], covered_until: date | None,
               calendars: Callable[[SchoolYear], object], week, until: date | None = None) -> date | None:
    """The day attendance resumed within the seven days after the notice, as the register's data show it.

    `until`: the last of the seven days when they run from the family's receipt (`cases.FamilyNotice`), not the
    sending. Resumed: on a school day of the class (its week, the school's calendar) from the notice to the end
    of the seven days (and covered by the data) the pupil has no whole-day unjustified absence, and none on the
    covered school days after it up to the deadline; the day returned is the first such day.
    None when the data do not show it (yet).
    """
    if covered_until is None:
        return None
    last = min(until or deadline(notice_on), covered_until)
    days = [notice_on + timedelta(days=n) for n in range(1, (last - notice_on).days + 1)]
    school_days = [d for d in days if is_school_day(d, calendars, week)]
    absent = [n for n, d in enumerate(school_days) if d in absent_days]
    after = absent[-1] + 1 if absent else 0
    return school_days[after] if after < len(school_days) else None
