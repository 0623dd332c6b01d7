"""Raw counts of the compulsory-education procedure per month of opening, for the network figures.

Internal: no actor, no pupil code out. `models.network.figures.obligation` checks who asks and suppresses.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import sqlite_utils

from models.core.school_year import SchoolYear
from models.obligation import rule, store
from models.obligation.cases import NOT_CONFIRMED

COLUMNS = ["period", "opened", "notified", "notice_days", "resumed_in_time", "mayor"]


def by_month(db: sqlite_utils.Database, school_code: str, year: SchoolYear) -> pd.DataFrame:
    """Per month in which cases opened: cases opened, of them with the family informed (and the days from
    opening to that notice, summed), resumed within the seven days, reported to the mayor."""
    rows = store.cases_by_month(db, school_code, year.first_day.isoformat(), year.last_day.isoformat(), NOT_CONFIRMED)
    records = []
    for opened, family, resumed, mayor in rows:
        opened_on = date.fromisoformat(opened)
        notice = date.fromisoformat(family) if family else None
        records.append({
            "period": opened[:7], "opened": 1, "notified": int(notice is not None),
            "notice_days": (notice - opened_on).days if notice else 0,
            "resumed_in_time": int(notice is not None and resumed is not None
                                   and date.fromisoformat(resumed) <= rule.deadline(notice)),
            "mayor": int(mayor is not None)})
    if not records:
        return pd.DataFrame(columns=COLUMNS)
    return pd.DataFrame(records).groupby("period", as_index=False).sum()[COLUMNS]
