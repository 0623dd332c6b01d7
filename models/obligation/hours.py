"""Evasion by hours: unjustified absence hours at or above a quarter of the personalised annual hours.

Art. 114 c. 4 D.Lgs. 297/1994 (as rewritten by D.L. 123/2023): evasion is also established when the pupil
misses, without justified reasons, at least a quarter of the personalised annual timetable. The hours are
those of the register's day-by-day events that are not marked justified (absences without hours count
the class's hours of that day, as in the monthly sums; late entries and early exits count their hours).
The projection is the risk list's 25 % projection (`models.risk.indicators.score`), run on these hours:
same pace, same months; the annual timetable is the class's own (its week times 33 weeks, the school's
week when the class has none). In primary schools, which have no legal monte ore, the annual hours are
the class's week (27 hours by default) over 33 weeks.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import sqlite_utils

from models.accounts.schools import Level, School, get_school
from models.core import audit, clock
from models.core.permissions import Action, Actor, SchoolRef, require
from models.core.school_year import SchoolYear
from models.obligation import rule, store
from models.pupils import school_calendar
from models.risk import indicators

COLUMNS = ["pupil_code", "class_name", "unjustified_hours", "annual_hours", "limit_hours", "reached",
           "crossing_month", "age_known", "reached_on"]


def evasion(db: sqlite_utils.Database, actor: Actor, school_code: str, as_of: date | None = None, *,
            view: str | None = None) -> pd.DataFrame:
    """Pupils of compulsory age who reached a quarter of the annual hours unjustified, or would at the current
    pace within the school year (`crossing_month`: the month it is reached or would be; `reached_on`: the day
    it was reached). Logged as a read."""
    require(actor, Action.FOLLOW_OBLIGATION, SchoolRef(school_code))
    as_of = as_of or clock.local_date()
    found, rows = quarter_reached(db, get_school(db, actor, school_code), as_of)
    audit.record_access(db, actor, school_code, "obbligo scolastico: ore", f"{rows} righe",
                        view=None if view is None else f"{view}|{as_of}")
    return found


def quarter_reached(db: sqlite_utils.Database, school: School, as_of: date) -> tuple[pd.DataFrame, int]:
    """`evasion` without the checks and the log (for `cases`, which checks and logs), and the month rows read."""
    school_code = school.code
    year = SchoolYear.containing(as_of)
    weeks = school_calendar.weeks(db, school_code)
    events = pd.DataFrame(
        store.events_between(db, school_code, year.first_day.isoformat(), as_of.isoformat()),
        columns=["pupil_code", "class_name", "day", "kind", "hours", "justified"])
    months = pd.DataFrame(
        store.scheduled_between(db, school_code, year.first_month, f"{as_of:%Y-%m}"),
        columns=["pupil_code", "class_name", "period", "scheduled_hours"])
    if events.empty or months.empty:
        return pd.DataFrame(columns=COLUMNS), len(months)
    hours = pd.Series(school_calendar.event_hours(weeks, events), index=events.index)
    events["unjustified"] = hours.where(events["justified"].astype(float).ne(1), 0.0)
    events["period"] = events["day"].str[:7]
    unjustified = events.groupby(["pupil_code", "period"])["unjustified"].sum()
    frame = months.merge(unjustified.rename("absence_hours").reset_index(), on=["pupil_code", "period"], how="left")
    frame["absence_hours"] = frame["absence_hours"].fillna(0.0)
    frame["late_entries"] = np.nan
    frame["early_exits"] = np.nan
    level = Level(school.level)
    # A quarter of the class's own annual hours: its week times 33 (the school's when it has none of its own).
    annual = weeks.default.annual if weeks.school_set else school.effective_annual_hours
    if level is Level.PRIMARIA:
        # The projection applies the limit to levels with a legal monte ore: primary takes the one of its timetable.
        level, annual = Level.SECONDARIA_PRIMO_GRADO, annual or weeks.default.annual
    # The pace is the one of the latest month with data: a month not loaded yet is not a month attended.
    scored = indicators.score(frame, None, level=level, annual_hours=annual, as_of=frame["period"].max(),
                              rules=indicators.Rules(legal_limit=0.25, min_months=1, min_hours=0),
                              class_annual=weeks.annual())
    births = {p: (y, d) for p, y, d in store.births(db, school_code)}

    def eligible_of(pupil: str) -> bool | None:
        born_year, born_on = births.get(pupil, (None, None))
        return rule.compulsory_age(born_year, year, born_on, as_of)

    eligible = scored["pupil_code"].map(eligible_of)
    flagged = scored[(eligible.ne(False)) & ((scored["hours_left"] <= 0) | scored["crossing_month"].notna())]
    limit = flagged["absence_hours"] + flagged["hours_left"]
    # The day the running total of unjustified hours reached the quarter (NaN for a projection).
    running = events.sort_values("day", kind="stable")
    running = running.assign(total=running.groupby("pupil_code")["unjustified"].cumsum())
    limits = dict(zip(flagged["pupil_code"], limit, strict=True))
    reached = running[running["total"] >= running["pupil_code"].map(limits) - 1e-9]
    reached_on = reached.groupby("pupil_code")["day"].min()
    return pd.DataFrame({
        "pupil_code": flagged["pupil_code"], "class_name": flagged["class_name"],
        "unjustified_hours": flagged["absence_hours"].round(1), "annual_hours": (limit / 0.25).round(0),
        "limit_hours": limit.round(1), "reached": flagged["hours_left"] <= 0,
        "crossing_month": flagged["crossing_month"], "age_known": eligible[flagged.index].notna(),
        "reached_on": flagged["pupil_code"].map(reached_on).where(flagged["hours_left"] <= 0),
    }, columns=COLUMNS).sort_values(["reached", "crossing_month"], ascending=[False, True]).reset_index(drop=True), \
        len(months)
