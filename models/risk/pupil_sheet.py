"""One pupil's sheet: months, indicators and the levels the list gave month by month.

Apart from `school_risk` because it reads the kept level history, which builds on `school_risk`'s loaders.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import sqlite_utils

from models.accounts.schools import get_school
from models.core import audit
from models.core.permissions import Actor
from models.core.school_year import SchoolYear
from models.risk import derogations, history, indicators
from models.risk.rules import network_rules
from models.risk.school_risk import load_attendance, load_context, require_pupil, scoring_setup


@dataclass(frozen=True)
class PupilRecord:
    pupil_code: str
    class_name: str
    months: pd.DataFrame  # one row per month: the attendance columns and absence_pct
    levels: pd.DataFrame  # period, school_year, level, absence_ratio: the list as it stood each month
    latest: pd.Series  # the indicators row (see indicators.score) at the last month
    legal_limit_applies: bool
    rules: indicators.Rules  # the network's thresholds, for the lines of the chart
    derogation_hours: float = 0.0  # of the absence hours of the latest school year, those in derogation


def pupil_record(db: sqlite_utils.Database, actor: Actor, school_code: str, pupil_code: str, *,
                 view: str | None = None) -> PupilRecord:
    """One pupil's months, indicators and level month by month; the view is logged (once per `view`)."""
    class_name = require_pupil(db, actor, school_code, pupil_code)
    school = get_school(db, actor, school_code)
    rules = network_rules(db, school.network_code)
    frame = load_attendance(db, school_code, pupil_code=pupil_code).sort_values("period", ignore_index=True)
    frame["absence_pct"] = 100 * frame["absence_hours"] / frame["scheduled_hours"].where(frame["scheduled_hours"] > 0)
    context = load_context(db, school_code)
    context = context[context["pupil_code"] == pupil_code]
    # The month-by-month levels are those the list gave (kept when the data came), not scored again here.
    school_levels = history.level_history(db, school_code)
    levels = frame[["period"]].merge(school_levels.loc[school_levels["pupil_code"] == pupil_code,
                                                       ["period", "school_year", "level", "absence_ratio"]],
                                     on="period", how="left")  # one row per month of the pupil, in order
    scored = indicators.score(frame, context, level=school.level, rules=rules, **scoring_setup(db, school_code).hours)
    scored = derogations.with_sentences(scored, derogations.hours_by_pupil(
        db, school_code, SchoolYear.parse(scored.attrs["school_year"])))
    latest = scored.iloc[0]
    audit.record_access(db, actor, school_code, "scheda alunno", pupil_code, view=view)
    return PupilRecord(pupil_code, class_name, frame, levels, latest,
                       school.effective_annual_hours is not None and school.level != "primaria", rules,
                       float(latest["derogation_hours"]))
