"""Today's scoring as it was before issue 21, kept as the reference the fast one must equal.

Moved here unchanged from models/risk/indicators.py (pandas frame in, itertuples + `_reasons` per row): the
exactness tests compare `indicators.score` with `score` below, column by column and bit for bit. Only the
formatters and constants are shared with the module.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from models.accounts.schools import ENTRY_AGE, Level
from models.core.school_year import MONTHS, WEEKS, SchoolYear
from models.risk.indicators import (
    DEFAULT_RULES,
    LEVELS,
    STALE,
    Rules,
    a_month,
    al,
    empty_list,
    hours,
    month_name,
    percent,
    stale_label,
)

_YEAR_WEEKS = sum(WEEKS.values())


def _school_months(school_year: SchoolYear) -> list[str]:
    return [f"{school_year.start + (m < 9):04d}-{m:02d}" for m in MONTHS]


def score(
    attendance: pd.DataFrame,
    context: pd.DataFrame | None = None,
    *,
    level: Level | str,
    annual_hours: float | None,
    as_of: str | None = None,
    rules: Rules = DEFAULT_RULES,
) -> pd.DataFrame:
    """One row per pupil with indicators, `level` and `reasons` (a list of Italian sentences)."""
    level = Level(level)
    if attendance.empty:
        return empty_list()
    as_of = as_of or attendance["period"].max()
    year = SchoolYear.containing(pd.Timestamp(as_of + "-01").date())
    months = _school_months(year)
    months_index = {p: i for i, p in enumerate(months)}
    rows = attendance[(attendance["period"] >= months[0]) & (attendance["period"] <= as_of)]
    rows = rows[rows["period"].isin(months_index)].sort_values(["pupil_code", "period"], kind="stable")
    if rows.empty:
        return empty_list()

    codes = rows["pupil_code"].to_numpy()
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    pupil_of_row = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(codes)]))
    n_pupils = len(starts)
    sched = rows["scheduled_hours"].to_numpy(float)
    absent = rows["absence_hours"].to_numpy(float)
    # Late entries and early exits are optional in the register's file: a month without either
    # counts as unknown, not as zero, and a pupil with no such month has "non disponibile".
    late_entries, early_exits = rows["late_entries"].to_numpy(float), rows["early_exits"].to_numpy(float)
    late_known = ~(np.isnan(late_entries) & np.isnan(early_exits))
    late = np.nan_to_num(late_entries) + np.nan_to_num(early_exits)
    period_codes, period_values = pd.factorize(rows["period"])  # ten distinct months: map those, not the rows
    month_pos = np.array([months_index[p] for p in period_values])[period_codes]

    def per_pupil(values):
        return np.add.reduceat(values, starts)

    n_months = np.diff(np.r_[starts, len(codes)])
    sched_sum, absent_sum = per_pupil(sched), per_pupil(absent)
    ratio = np.divide(absent_sum, sched_sum, out=np.zeros(n_pupils), where=sched_sum > 0)
    # Recent months: the last `recent_months` rows of each pupil.
    from_end = np.repeat(np.diff(np.r_[starts, len(codes)]), np.diff(np.r_[starts, len(codes)])) - (
        np.arange(len(codes)) - np.repeat(starts, np.diff(np.r_[starts, len(codes)]))) - 1
    recent = from_end < rules.recent_months
    recent_abs, recent_sched = per_pupil(np.where(recent, absent, 0)), per_pupil(np.where(recent, sched, 0))
    earlier_abs, earlier_sched = absent_sum - recent_abs, sched_sum - recent_sched
    recent_ratio = np.divide(recent_abs, recent_sched, out=np.zeros(n_pupils), where=recent_sched > 0)
    earlier_ratio = np.divide(earlier_abs, earlier_sched, out=np.full(n_pupils, np.nan), where=earlier_sched > 0)
    recent_count = np.minimum(n_months, rules.recent_months)
    pace = recent_abs / recent_count  # absence hours per month, lately
    late_months = per_pupil(late_known.astype(float))
    late_per_month = np.divide(per_pupil(late), late_months, out=np.full(n_pupils, np.nan), where=late_months > 0)
    worsening = (n_months > rules.recent_months) & (recent_ratio - np.nan_to_num(earlier_ratio, nan=1.0)
                                                    >= rules.trend_points) & (recent_ratio >= rules.chronic)

    # Longest run of consecutive months above the severe threshold.
    bad = (np.divide(absent, sched, out=np.zeros(len(sched)), where=sched > 0) > rules.severe).astype(int)
    consecutive = np.r_[False, (month_pos[1:] == month_pos[:-1] + 1) & (pupil_of_row[1:] == pupil_of_row[:-1])]
    run = np.zeros(len(bad), dtype=int)
    # A short loop over months (at most 10 passes), not over rows.
    run[:] = bad
    for _ in range(len(months)):
        extended = np.where(bad.astype(bool) & consecutive, np.r_[0, run[:-1]] + 1, bad)
        if np.array_equal(extended, run):
            break
        run = extended
    longest_run = np.maximum.reduceat(run, starts)

    # Validity of the year against the personalised annual timetable.
    first_month = month_pos[starts]
    last_pos = month_pos[np.r_[starts[1:] - 1, len(codes) - 1]]
    week_list = np.array([WEEKS[m] for m in MONTHS])
    remaining_weeks_share = np.array([week_list[i:].sum() / _YEAR_WEEKS for i in range(len(MONTHS))])
    legal = level is not Level.PRIMARIA and annual_hours
    annual = (annual_hours or 0) * remaining_weeks_share[first_month]  # late arrivals: a shorter year
    # Each pupil's pace runs from their own last month: a later file holding only some pupils
    # (a mid-month correction, a newcomer) must not count the others' missing month as zero.
    months_left = len(MONTHS) - 1 - last_pos
    projected_abs = absent_sum + pace * months_left
    if legal:
        limit = rules.legal_limit * annual
        hours_left = limit - absent_sum
        projected = np.divide(projected_abs, annual, out=np.zeros(n_pupils), where=annual > 0)
        year_hours = annual
        cumulative = np.cumsum(absent) - np.repeat(np.r_[0, np.cumsum(absent)[starts[1:] - 1]],
                                                   np.diff(np.r_[starts, len(codes)]))
        crossed_row = cumulative >= np.repeat(limit, np.diff(np.r_[starts, len(codes)]))
        crossing = np.full(n_pupils, None, dtype=object)
        for pupil in np.flatnonzero(hours_left <= 0):
            first = np.flatnonzero(crossed_row[starts[pupil]:starts[pupil] + n_months[pupil]])[0]
            crossing[pupil] = months[month_pos[starts[pupil] + first]]
        ahead = (hours_left > 0) & (pace > 0)
        steps = np.ceil(np.divide(hours_left, pace, out=np.full(n_pupils, np.inf), where=ahead))
        for pupil in np.flatnonzero(ahead & (steps <= months_left)):
            crossing[pupil] = months[last_pos[pupil] + int(steps[pupil])]
    else:
        hours_left = np.full(n_pupils, np.nan)
        # Primary: the end-of-year ratio at the recent pace, without a legal limit.
        full_sched = sched_sum + (recent_sched / recent_count) * months_left
        projected = np.divide(projected_abs, full_sched, out=np.zeros(n_pupils), where=full_sched > 0)
        year_hours = full_sched
        crossing = np.full(n_pupils, None, dtype=object)

    # Data that stopped: a pupil whose last month is before the list's month (moved away, or a file
    # that covered only some classes) is not projected as if the missing months were attended.
    last_period = np.array(months, dtype=object)[last_pos]
    stale = last_period < as_of
    projected = np.where(stale, ratio, projected)
    # No more absences from now: the hours so far over the year's.
    floor = np.where(stale, ratio, np.divide(absent_sum, year_hours, out=np.zeros(n_pupils), where=year_hours > 0))
    crossing = np.where(stale & ~(hours_left <= 0), None, crossing)

    result = pd.DataFrame({
        "pupil_code": codes[starts],
        "class_name": rows["class_name"].to_numpy()[np.r_[starts[1:] - 1, len(codes) - 1]],
        "months": n_months,
        "scheduled_hours": sched_sum,
        "absence_hours": absent_sum,
        "absence_ratio": ratio,
        "recent_ratio": recent_ratio,
        "earlier_ratio": earlier_ratio,
        "projected_ratio": projected,
        "floor_ratio": floor,
        "hours_left": hours_left,
        "crossing_month": crossing,
        "late_per_month": late_per_month,
        "longest_severe_run": longest_run,
        "worsening": worsening,
        "last_period": last_period,
        "stale": stale,
    })
    result = _add_context(result, context, level, year)
    result["level"] = np.where(stale, STALE, _levels(result, rules, bool(legal)))
    # Only the columns the sentences need, as plain numpy/object columns (iterating Arrow strings is slow).
    needed = result[["level", "months", "scheduled_hours", "absence_hours", "absence_ratio", "recent_ratio",
                     "earlier_ratio", "projected_ratio", "hours_left", "late_per_month", "longest_severe_run",
                     "worsening", "arrived_recently", "age_delay", "retention", "l2_low"]].copy()
    needed["crossing_month"] = result["crossing_month"].astype(object)
    needed["l2_level"] = result["l2_level"].astype(object) if "l2_level" in result else None
    needed["level"] = needed["level"].astype(object)
    needed["last_period"] = result["last_period"].astype(object)
    result["reasons"] = [_reasons(row, rules, bool(legal)) for row in needed.itertuples(index=False)]
    result["_order"] = np.select([result["level"].to_numpy() == name for name in (*LEVELS, STALE)],
                                 range(len(LEVELS) + 1))
    result = result.sort_values(["_order", "projected_ratio", "absence_ratio"], ascending=[True, False, False])
    result.attrs["as_of"] = as_of
    result.attrs["school_year"] = str(year)
    return result.drop(columns="_order").reset_index(drop=True)


def _add_context(result: pd.DataFrame, context: pd.DataFrame | None, level: Level, year: SchoolYear):
    columns = ["arrived_recently", "age_delay", "retention", "l2_low"]
    if context is None or context.empty:
        for column in columns:
            result[column] = False if column != "age_delay" else 0
        result["context_factors"] = 0
        return result
    known = result[["pupil_code", "class_name"]].merge(context, on="pupil_code", how="left")
    arrival = pd.to_numeric(known["arrival_year"], errors="coerce")
    birth = pd.to_numeric(known["birth_year"], errors="coerce")
    class_year = pd.to_numeric(known["class_name"].astype(str).str.extract(r"^(\d)")[0], errors="coerce")
    expected_birth = year.start - (ENTRY_AGE[level] + class_year - 1)
    result["arrived_recently"] = (arrival >= year.start - 1).fillna(False).to_numpy()
    result["age_delay"] = (expected_birth - birth).clip(lower=0).fillna(0).astype(int).to_numpy()
    result["retention"] = (pd.to_numeric(known["retentions"], errors="coerce") > 0).fillna(False).to_numpy()
    result["l2_low"] = known["l2_level"].isin(["A1", "A2"]).to_numpy()
    result["l2_level"] = known["l2_level"].to_numpy()
    result["context_factors"] = (result["arrived_recently"].astype(int) + (result["age_delay"] >= 1)
                                 + result["retention"].astype(int) + result["l2_low"].astype(int))
    return result


def _levels(result: pd.DataFrame, rules: Rules, legal: bool) -> np.ndarray:
    insufficient = (result["months"] < rules.min_months) | (result["scheduled_hours"] < rules.min_hours)
    beyond_limit = (result["projected_ratio"] >= rules.legal_limit) | (result["hours_left"] <= 0) if legal \
        else pd.Series(False, index=result.index)
    high = beyond_limit | (result["absence_ratio"] >= rules.severe)
    medium = ((result["absence_ratio"] >= rules.chronic) | result["worsening"]
              | (result["late_per_month"] >= rules.late_per_month)
              | (result["context_factors"] >= rules.context_factors))
    return np.select([insufficient, high, medium], ["dati_insufficienti", "alto", "medio"], "basso")


def _reasons(row, rules: Rules, legal: bool) -> list[str]:
    if row.level == STALE:
        return [f"{stale_label(row.last_period).capitalize()}: mancano i mesi successivi, quindi l'alunno è fuori "
                f"dall'elenco del mese e non viene proiettato (assenze {al(percent(row.absence_ratio))} del monte ore "
                "fino ad allora)."]
    if row.level == "dati_insufficienti":
        if row.months < rules.min_months:
            return [f"Solo {row.months} mese di dati: servono almeno {rules.min_months} mesi per una valutazione."]
        return [f"Solo {hours(row.scheduled_hours)} ore di lezione registrate: troppo poche per una valutazione."]
    reasons = []
    if row.absence_ratio >= rules.chronic:
        reasons.append(f"Assenze {al(percent(row.absence_ratio))} del monte ore svolto finora "
                       f"({hours(row.absence_hours)} ore su {hours(row.scheduled_hours)})"
                       + (f": oltre il {percent(rules.severe)}, la soglia del livello alto."
                          if row.absence_ratio >= rules.severe else "."))
    if legal:
        if row.hours_left <= 0:
            reasons.append(f"Ha superato il limite del {percent(rules.legal_limit)} del monte ore annuo "
                           f"{a_month(month_name(row.crossing_month))}: l'anno non è valido salvo deroghe del "
                           "collegio.")
        elif isinstance(row.crossing_month, str):
            reasons.append(f"Al ritmo degli ultimi {rules.recent_months} mesi supera il {percent(rules.legal_limit)} "
                           f"{a_month(month_name(row.crossing_month))} (restano {hours(row.hours_left)} ore).")
        elif row.projected_ratio >= rules.chronic:
            reasons.append(f"Proiezione a fine anno: {percent(row.projected_ratio)} del monte ore annuo "
                           f"(restano {hours(row.hours_left)} ore prima del limite).")
    elif row.projected_ratio >= rules.chronic:
        reasons.append(f"Proiezione a fine anno al ritmo attuale: {percent(row.projected_ratio)} di assenze.")
    if row.worsening:
        earlier = row.earlier_ratio if not math.isnan(row.earlier_ratio) else 0.0
        reasons.append(f"Assenze in aumento: {percent(row.recent_ratio)} negli ultimi {rules.recent_months} mesi "
                       f"contro {percent(earlier)} nei mesi precedenti.")
    if row.late_per_month >= rules.late_per_month:
        reasons.append(f"In media {hours(row.late_per_month)} ingressi posticipati o uscite anticipate al mese.")
    if row.longest_severe_run >= 2:
        reasons.append(f"Per {row.longest_severe_run} mesi di fila oltre il {percent(rules.severe)} di assenze.")
    if row.arrived_recently:
        reasons.append("In Italia da meno di due anni.")
    if row.age_delay >= 1:
        reasons.append(f"In ritardo di {row.age_delay} {'anno' if row.age_delay == 1 else 'anni'} rispetto all'età.")
    if row.retention:
        reasons.append("Ha già ripetuto almeno un anno.")
    if row.l2_low:
        reasons.append(f"Livello di italiano {row.l2_level}.")
    if not reasons:
        reasons.append(f"Assenze {al(percent(row.absence_ratio))} del monte ore: nessun segnale di rischio.")
    return reasons


def with_derogations(result: pd.DataFrame, derogated: dict[str, float]) -> pd.DataFrame:
    """The list as the page shows it: the hours in derogation (DPR 122/2009 art. 14 c. 7) beside each pupil,
    never subtracted, and the sentence saying so after the pupil's reasons; row by row, as above."""
    if not result.attrs.get("school_year"):
        return result
    out = result.copy()
    hours_in = [float(derogated.get(code, 0.0)) for code in out["pupil_code"]]
    out["reasons"] = [[*reasons, "Di cui " + f"{h:g} ore in deroga (DPR 122/2009 art. 14 c. 7): restano nel "
                       "conteggio; decide il consiglio di classe se l'anno è valido."] if h else list(reasons)
                      for reasons, h in zip(out["reasons"], hours_in, strict=True)]
    out["derogation_hours"] = np.array(hours_in, dtype=float)
    out.attrs = dict(result.attrs)
    return out
