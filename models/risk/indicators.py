"""Risk indicators from monthly attendance, the levels they lead to, and why, in Italian.

`score(attendance, context, ...)` takes a school's monthly rows and returns
one row per pupil: the absence ratio so far, the projection at the recent
pace against the 25 % limit of the annual timetable (secondary schools:
DPR 122/2009 art. 14 c. 7; D.Lgs. 62/2017 art. 5), trend, late entries,
runs of bad months, context factors, a level and the sentences that explain
it. It has the shape of a scikit-learn transformer's output (frame in,
frame out) so that rules and a learned model can be evaluated alike.

Everything is vectorised with numpy over rows grouped by pupil (sums with
`np.add.reduceat`, runs and crossing months without loops, at most one sort),
and the sentences are built one condition at a time: a region's 1.4 M pupils
are scored in seconds. tests/models/risk_reference.py keeps the row-by-row
version this one must equal.
"""

from __future__ import annotations

import functools
import gc
import math
import re
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from models.accounts.schools import ENTRY_AGE, Level
from models.core.school_year import MONTH_NAMES, MONTHS, WEEKS, SchoolYear, month_label, month_name  # noqa: F401 - re-exported for the pages

LEVELS = ("alto", "medio", "basso", "dati_insufficienti")
# A pupil whose data stop before the list's month: outside the ranking, never projected.
STALE = "dati_fermi"
LEVEL_LABELS = {"alto": "Alto", "medio": "Medio", "basso": "Basso", "dati_insufficienti": "Dati insufficienti",
                STALE: "Dati fermi"}
_YEAR_WEEKS = sum(WEEKS.values())
NOT_AVAILABLE = "non disponibile"


@dataclass(frozen=True)
class Rules:
    """The thresholds of the levels; defaults documented on the risk page, editable per network."""

    chronic: float = 0.10  # chronic absence: 10 % of scheduled time (EWIMS)
    severe: float = 0.20
    legal_limit: float = 0.25  # validity of the year, secondary schools
    trend_points: float = 0.05  # recent months at least 5 points above the earlier ones
    late_per_month: float = 3.0  # late entries + early exits per month
    context_factors: int = 2
    min_months: int = 2
    min_hours: float = 20.0
    recent_months: int = 2


DEFAULT_RULES = Rules()


def percent(value: float) -> str:
    return f"{value * 100:.0f} %"


def hours(value: float) -> str:
    text = f"{value:.1f}".replace(".", ",")
    return text[:-2] if text.endswith(",0") else text



def rate(value: float) -> str:
    """A per-month figure, or "non disponibile" when the register's file did not have it."""
    return NOT_AVAILABLE if value is None or math.isnan(value) else hours(value)



def _school_months(school_year: SchoolYear) -> list[str]:
    return [f"{school_year.start + (m < 9):04d}-{m:02d}" for m in MONTHS]


# The columns of a scored list and their types (l2_level only comes with a context file): an empty list has
# them too, so that a teacher whose classes have nobody in the data gets an empty table, not an error.
_COLUMN_TYPES = {
    "pupil_code": object, "class_name": object, "months": np.int64, "scheduled_hours": float,
    "absence_hours": float, "absence_ratio": float, "recent_ratio": float, "earlier_ratio": float,
    "projected_ratio": float, "floor_ratio": float, "hours_left": float, "crossing_month": object,
    "late_per_month": float, "longest_severe_run": np.int64, "worsening": bool, "last_period": object, "stale": bool,
    "arrived_recently": bool, "age_delay": np.int64, "retention": bool, "l2_low": bool, "context_factors": np.int64,
    "level": object, "reasons": object,
}


def steady_ratio(pupil: pd.Series) -> float:
    """The year's end at the pupil's own rate so far over the hours left: that rate itself (a/s over the rest keeps
    a/s), unless the hours so far already pass the year's (then no more hours: the floor)."""
    return max(float(pupil["absence_ratio"]), float(pupil["floor_ratio"]))


def empty_list() -> pd.DataFrame:
    """A scored list of nobody, with every column."""
    return pd.DataFrame({name: pd.Series(dtype=kind) for name, kind in _COLUMN_TYPES.items()})
_MONTH_POS = np.full(13, -1)  # calendar month -> its place in the school year (-1: July, August)
_MONTH_POS[MONTHS] = np.arange(len(MONTHS))
_WEEK_LIST = np.array([WEEKS[m] for m in MONTHS])
_REMAINING_SHARE = np.array([_WEEK_LIST[i:].sum() / _YEAR_WEEKS for i in range(len(MONTHS))])


def month_position(month: np.ndarray) -> np.ndarray:
    """The place of calendar months (1-12) in the school year, 0 for September; -1 for July and August."""
    return _MONTH_POS[month]


@dataclass(frozen=True)
class MonthlyRows:
    """A school's monthly rows as plain arrays, grouped by pupil (ascending code) with months in order.

    What `score` computes from; `score_rows` takes it directly, so a reader that already has the rows in
    primary-key order (models/risk/school_risk.py) skips the frame altogether.
    """

    pupil_codes: np.ndarray  # one per pupil
    class_names: np.ndarray  # one per pupil: the class of the pupil's last row
    counts: np.ndarray  # rows per pupil (every pupil has at least one)
    month: np.ndarray  # per row: calendar month, 1-12, only September to June
    scheduled: np.ndarray  # per row, float
    absent: np.ndarray  # per row, float
    late: np.ndarray  # per row: late entries + early exits, 0 when unknown
    late_known: np.ndarray  # per row: the register's file had late entries or early exits


def score(
    attendance: pd.DataFrame,
    context: pd.DataFrame | None = None,
    *,
    level: Level | str,
    annual_hours: float | None,
    as_of: str | None = None,
    rules: Rules = DEFAULT_RULES,
    reasons: bool = True,
    class_annual: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """One row per pupil with indicators, `level` and `reasons` (a list of Italian sentences).

    `reasons=False`: every list left empty, for callers that keep only levels and figures.
    `class_annual`: the annual hours of the classes with their own week (the others take `annual_hours`).
    """
    if attendance.empty:
        return empty_list()
    # Ten distinct months at most: decide on the distinct periods, not on every row.
    period_ids, periods = pd.factorize(attendance["period"])
    as_of = as_of or max(periods)
    year = SchoolYear.containing(pd.Timestamp(as_of + "-01").date())
    months = _school_months(year)
    month_of_period = np.array([int(p[5:7]) if months[0] <= p <= as_of and p in months else 0 for p in periods],
                               dtype=np.int64)
    month = month_of_period[period_ids] if len(periods) else np.zeros(0, np.int64)
    keep = month > 0
    pupil_ids, codes = _pupil_ids(attendance["pupil_code"])
    pupil_ids, month = pupil_ids[keep], month[keep]
    if not len(pupil_ids):
        return empty_list()
    position = _MONTH_POS[month]
    key = pupil_ids.astype(np.int64) * 16 + position
    order = None if (key[1:] >= key[:-1]).all() else np.lexsort((position, pupil_ids))  # one stable sort at most

    # Row numbers in the frame of the kept rows, in order; None while that is simply every row.
    taken = None if keep.all() else np.flatnonzero(keep)
    if order is not None:
        taken = order if taken is None else taken[order]
        pupil_ids, month = pupil_ids[order], month[order]

    def column(name):
        values = attendance[name].to_numpy(float, na_value=np.nan)
        return values if taken is None else values[taken]

    starts = np.flatnonzero(np.r_[True, pupil_ids[1:] != pupil_ids[:-1]])
    ends = np.r_[starts[1:], len(pupil_ids)] - 1
    late_entries, early_exits = column("late_entries"), column("early_exits")
    # Late entries and early exits are optional in the register's file: a month without either
    # counts as unknown, not as zero, and a pupil with no such month has "non disponibile".
    # Codes and classes are taken from their own arrays (Arrow strings stay Arrow strings).
    rows = MonthlyRows(
        pupil_codes=codes.array.take(pupil_ids[starts]),
        class_names=attendance["class_name"].array.take(ends if taken is None else taken[ends]),
        counts=ends - starts + 1, month=month,
        scheduled=column("scheduled_hours"), absent=column("absence_hours"),
        late=_zero_for_nan(late_entries) + _zero_for_nan(early_exits),
        late_known=~(np.isnan(late_entries) & np.isnan(early_exits)))
    return score_rows(rows, context, level=level, annual_hours=annual_hours, as_of=as_of, rules=rules,
                      reasons=reasons, class_annual=class_annual)


def _pupil_ids(codes: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """pd.factorize(codes, sort=True), without hashing every row when the rows come grouped by pupil in code
    order (as the database gives them): then a pupil starts where the code differs from the row before."""
    values = codes.array
    if isinstance(values, pd.arrays.ArrowStringArray) and len(values) > 1:
        column = pa.chunked_array(values._pa_array).combine_chunks()  # noqa: SLF001 - Arrow's own column
        if column.null_count == 0:
            starts = np.r_[True, pc.not_equal(column.slice(1), column.slice(0, len(column) - 1))
                           .to_numpy(zero_copy_only=False)]
            firsts = column.take(pa.array(np.flatnonzero(starts)))
            if pc.all(pc.greater(firsts.slice(1), firsts.slice(0, len(firsts) - 1))).as_py() is not False:
                return np.cumsum(starts) - 1, pd.Index(pd.array(firsts, dtype=codes.dtype))
    return pd.factorize(codes, sort=True)


def _zero_for_nan(values: np.ndarray) -> np.ndarray:
    """np.nan_to_num of a column of counts: the same values at a third of its passes over millions of rows."""
    if np.isinf(values).any():
        return np.nan_to_num(values)  # infinities become the largest floats, as nan_to_num makes them
    return np.where(np.isnan(values), 0.0, values)


def _last_rows(starts: np.ndarray, ends: np.ndarray, n_rows: int, count: int) -> np.ndarray:
    """Per row: whether it is among the last `count` rows of its pupil (a few writes per pupil, no row scan)."""
    mask = np.zeros(n_rows, bool)
    for back in range(count):
        rows = ends - back
        mask[rows[rows >= starts]] = True
    return mask


def _longest_runs(bad: np.ndarray, month_pos: np.ndarray, starts: np.ndarray, n_pupils: int) -> np.ndarray:
    """Per pupil: the longest run of bad rows in consecutive months (0 without a bad row).

    Only the bad rows are looked at (a few in a hundred): a run goes on where the row before is the same
    pupil's, bad, and of the month just before.
    """
    longest = np.zeros(n_pupils, dtype=np.int64)
    at = np.flatnonzero(bad)
    if not len(at):
        return longest
    first_row = np.zeros(len(bad), bool)
    first_row[starts] = True
    before = np.maximum(at - 1, 0)
    goes_on = (at > 0) & ~first_row[at] & bad[before] & (month_pos[at] == month_pos[before] + 1)
    run_of = np.cumsum(~goes_on) - 1  # each bad row's run, numbered in row order
    run_length = np.bincount(run_of)
    run_pupil = np.searchsorted(starts, at[~goes_on], side="right") - 1
    np.maximum.at(longest, run_pupil, run_length)
    return longest


def _rows_reaching(absent: np.ndarray, starts: np.ndarray, counts: np.ndarray, limit: np.ndarray,
                   pupils: np.ndarray) -> np.ndarray:
    """For each pupil in the mask `pupils` (their total is past `limit`): the row where the running sum of
    absences first reaches it.

    The running sums are differences of one cumulative sum over all rows; only the masked pupils' rows are
    compared (a few in a hundred).
    """
    which = np.flatnonzero(pupils)
    if not len(which):
        return which
    total = np.cumsum(absent)
    before = np.r_[0.0, total[starts[1:] - 1]]
    own_counts = counts[which]
    rows = np.flatnonzero(np.repeat(pupils, counts))
    running = total[rows] - np.repeat(before[which], own_counts)
    reached = np.where(running >= np.repeat(limit[which], own_counts), rows, len(absent))
    first = np.minimum.reduceat(reached, np.r_[0, np.cumsum(own_counts)[:-1]])
    # Over millions of rows the running sum above loses the last digits: a pupil whose own total is past
    # the limit may show no row past it. Those few get their own running sum (the old code raised there).
    for k in np.flatnonzero(first == len(absent)).tolist():
        pupil = which[k]
        own = np.cumsum(absent[starts[pupil]:starts[pupil] + counts[pupil]]) >= limit[pupil]
        first[k] = starts[pupil] + (np.argmax(own) if own.any() else counts[pupil] - 1)
    return first


def score_rows(
    rows: MonthlyRows,
    context: pd.DataFrame | None = None,
    *,
    level: Level | str,
    annual_hours: float | None,
    as_of: str,
    rules: Rules = DEFAULT_RULES,
    reasons: bool = True,
    class_annual: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """`score` on rows already grouped (see MonthlyRows), all of them within `as_of`'s school year up to it.

    `reasons=False` leaves the sentences out (an empty list each) for callers that only count levels.
    """
    level = Level(level)
    year = SchoolYear.of_period(as_of)
    months = _school_months(year)
    n_pupils = len(rows.counts)
    if not n_pupils:
        return empty_list()
    counts = rows.counts
    n_rows = len(rows.month)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    ends = starts + counts - 1
    month_pos = _MONTH_POS[rows.month]
    sched, absent = rows.scheduled, rows.absent

    def per_pupil(values):
        return np.add.reduceat(values, starts)

    sched_sum, absent_sum = per_pupil(sched), per_pupil(absent)
    ratio = np.divide(absent_sum, sched_sum, out=np.zeros(n_pupils), where=sched_sum > 0)
    # Recent months: the last `recent_months` rows of each pupil.
    recent = _last_rows(starts, ends, n_rows, rules.recent_months)
    recent_abs, recent_sched = per_pupil(np.where(recent, absent, 0)), per_pupil(np.where(recent, sched, 0))
    earlier_abs, earlier_sched = absent_sum - recent_abs, sched_sum - recent_sched
    recent_ratio = np.divide(recent_abs, recent_sched, out=np.zeros(n_pupils), where=recent_sched > 0)
    earlier_ratio = np.divide(earlier_abs, earlier_sched, out=np.full(n_pupils, np.nan), where=earlier_sched > 0)
    recent_count = np.minimum(counts, rules.recent_months)
    pace = recent_abs / recent_count  # absence hours per month, lately
    late_months = per_pupil(rows.late_known.astype(float))
    late_per_month = np.divide(per_pupil(rows.late), late_months, out=np.full(n_pupils, np.nan),
                               where=late_months > 0)
    worsening = (counts > rules.recent_months) & (recent_ratio - np.nan_to_num(earlier_ratio, nan=1.0)
                                                  >= rules.trend_points) & (recent_ratio >= rules.chronic)

    # Longest run of consecutive months above the severe threshold: a run restarts at a bad month whose
    # previous row is not a bad month just before it (or of another pupil).
    bad = np.divide(absent, sched, out=np.zeros(n_rows), where=sched > 0) > rules.severe
    longest_run = _longest_runs(bad, month_pos, starts, n_pupils)

    # Validity of the year against the personalised annual timetable.
    first_pos, last_pos = month_pos[starts], month_pos[ends]
    legal = level is not Level.PRIMARIA and annual_hours
    annual = (annual_hours or 0) if not class_annual else \
        pd.Series(rows.class_names).map(class_annual).fillna(annual_hours or 0).to_numpy(float)
    annual = annual * _REMAINING_SHARE[first_pos]  # late arrivals: a shorter year
    # Each pupil's pace runs from their own last month: a later file holding only some pupils
    # (a mid-month correction, a newcomer) must not count the others' missing month as zero.
    months_left = len(MONTHS) - 1 - last_pos
    projected_abs = absent_sum + pace * months_left
    crossing_pos = np.full(n_pupils, -1)  # the month the limit is (or will be) crossed, -1: none
    if legal:
        limit = rules.legal_limit * annual
        hours_left = limit - absent_sum
        projected = np.divide(projected_abs, annual, out=np.zeros(n_pupils), where=annual > 0)
        floor = np.divide(absent_sum, annual, out=np.zeros(n_pupils), where=annual > 0)
        beyond = hours_left <= 0
        crossing_pos[beyond] = month_pos[_rows_reaching(absent, starts, counts, limit, beyond)]
        ahead = (hours_left > 0) & (pace > 0)
        with np.errstate(over="ignore"):  # a tiny pace: never, like infinity
            steps = np.ceil(np.divide(hours_left, pace, out=np.full(n_pupils, np.inf), where=ahead))
        soon = ahead & (steps <= months_left)
        crossing_pos[soon] = last_pos[soon] + steps[soon].astype(int)
    else:
        hours_left = np.full(n_pupils, np.nan)
        # Primary: the end-of-year ratio at the recent pace, without a legal limit.
        full_sched = sched_sum + (recent_sched / recent_count) * months_left
        projected = np.divide(projected_abs, full_sched, out=np.zeros(n_pupils), where=full_sched > 0)
        floor = np.divide(absent_sum, full_sched, out=np.zeros(n_pupils), where=full_sched > 0)

    # Data that stopped: a pupil whose last month is before the list's month (moved away, or a file
    # that covered only some classes) is not projected as if the missing months were attended.
    stale = np.array([m < as_of for m in months])[last_pos]
    projected = np.where(stale, ratio, projected)
    floor = np.where(stale, ratio, floor)  # the year's end if no more absences (the recent pace may be that)
    crossing_pos[stale & ~(hours_left <= 0)] = -1

    columns = {
        "pupil_code": rows.pupil_codes,
        "class_name": rows.class_names,
        "months": counts,
        "scheduled_hours": sched_sum,
        "absence_hours": absent_sum,
        "absence_ratio": ratio,
        "recent_ratio": recent_ratio,
        "earlier_ratio": earlier_ratio,
        "projected_ratio": projected,
        "floor_ratio": floor,
        "hours_left": hours_left,
        "crossing_month": crossing_pos,  # as month names once in order
        "late_per_month": late_per_month,
        "longest_severe_run": longest_run,
        "worsening": worsening,
        "last_period": last_pos,  # idem
        "stale": stale,
    }
    factors = _context(rows, context, level, year)
    columns.update(factors)
    insufficient = (counts < rules.min_months) | (sched_sum < rules.min_hours)
    beyond_limit = ((projected >= rules.legal_limit) | (hours_left <= 0)) if legal else np.zeros(n_pupils, bool)
    high = beyond_limit | (ratio >= rules.severe)
    medium = ((ratio >= rules.chronic) | worsening | (late_per_month >= rules.late_per_month)
              | (factors["context_factors"] >= rules.context_factors))
    rank = np.select([stale, insufficient, high, medium], [4, 3, 0, 1], 2)  # the place of LEVELS, then STALE
    # The list's order first (stable: equal pupils stay in code order), then one frame in that order.
    order = np.lexsort((-ratio, -projected, rank))
    columns = {name: values[order] for name, values in columns.items()}
    rank = rank[order]
    crossing_pos = columns["crossing_month"]
    columns["crossing_month"] = (_labels([*months, None], np.where(crossing_pos >= 0, crossing_pos, len(months)))
                                 if (crossing_pos >= 0).any()
                                 else np.full(n_pupils, None, dtype=object))
    columns["last_period"] = _labels(months, columns["last_period"])
    columns["level"] = _labels([*LEVELS, STALE], rank)
    if reasons:
        columns["reasons"] = _reasons(columns, rank, crossing_pos >= 0, rules, bool(legal))
    else:
        with paused_gc():
            columns["reasons"] = [[] for _ in range(n_pupils)]
    result = pd.DataFrame(columns, copy=False)  # fresh arrays: no copy into blocks
    result.attrs["as_of"] = as_of
    result.attrs["school_year"] = str(year)
    return result


def _labels(names: list, index: np.ndarray):
    """A string column of a few distinct values (months, levels): one Arrow take, no object per pupil."""
    return pd.array(pa.array(names, pa.large_string()).take(pa.array(index)), dtype="str")


def _context(rows: MonthlyRows, context: pd.DataFrame | None, level: Level, year: SchoolYear) -> dict:
    """The context factors per pupil, in the rows' pupil order."""
    n = len(rows.counts)
    if context is None or context.empty:
        return {"arrived_recently": np.zeros(n, bool), "age_delay": np.zeros(n, int),
                "retention": np.zeros(n, bool), "l2_low": np.zeros(n, bool), "context_factors": np.zeros(n, int)}
    # A hash lookup of each pupil in the context (first row of a code), not a merge.
    known = context.drop_duplicates("pupil_code").set_index("pupil_code").reindex(rows.pupil_codes)
    arrival = pd.to_numeric(known["arrival_year"], errors="coerce").to_numpy(float, na_value=np.nan)
    birth = pd.to_numeric(known["birth_year"], errors="coerce").to_numpy(float, na_value=np.nan)
    class_ids, classes = pd.factorize(pd.Series(rows.class_names))
    # The class year is the class name's first digit: a few class names, not every pupil.
    first_digit = pd.to_numeric(pd.Series([c[:1] if c[:1].isdecimal() else None for c in map(str, classes)] + [None],
                                          dtype=object), errors="coerce").to_numpy(float, na_value=np.nan)
    class_year = first_digit[class_ids]  # -1, a missing class: the None at the end
    expected_birth = year.start - (ENTRY_AGE[level] + class_year - 1)
    delay = np.clip(expected_birth - birth, 0, None)
    age_delay = np.where(np.isnan(delay), 0, delay).astype(int)
    arrived = np.nan_to_num(arrival, nan=-np.inf) >= year.start - 1
    retentions = pd.to_numeric(known["retentions"], errors="coerce").to_numpy(float, na_value=np.nan)
    retention = np.nan_to_num(retentions, nan=0.0) > 0
    l2_low = known["l2_level"].isin(["A1", "A2"]).to_numpy()
    return {"arrived_recently": arrived, "age_delay": age_delay, "retention": retention, "l2_low": l2_low,
            "l2_level": known["l2_level"].to_numpy(),
            "context_factors": arrived.astype(int) + (age_delay >= 1) + retention.astype(int) + l2_low.astype(int)}


def stale_label(period: str) -> str:
    return f"dati fermi a {month_label(period)}"


def _reasons(columns: dict, rank: np.ndarray, has_crossing: np.ndarray, rules: Rules,
             legal: bool) -> list[list[str]]:
    """The sentences of every pupil, built one condition at a time over the pupils it concerns."""
    n = len(rank)
    ratio, projected, hours_left = columns["absence_ratio"], columns["projected_ratio"], columns["hours_left"]
    crossing = columns["crossing_month"]
    stale, insufficient = rank == 4, rank == 3
    scored = rank < 3
    few_months = insufficient & (columns["months"] < rules.min_months)
    with np.errstate(invalid="ignore"):
        beyond = scored & (hours_left <= 0) if legal else np.zeros(n, bool)
        will_cross = scored & ~beyond & has_crossing if legal else np.zeros(n, bool)
        projection = scored & ~beyond & ~will_cross & (projected >= rules.chronic)
        late = scored & (columns["late_per_month"] >= rules.late_per_month)

    def values(name, mask):
        return columns[name][mask].tolist()

    def pct(name, mask):
        return _percents(columns[name][mask])

    def hrs(name, mask):
        return _hours(columns[name][mask].tolist())

    same: dict[str, str] = {}

    def shared(texts) -> list[str]:
        """One object per distinct sentence, as they are made: a million pupils share a few hundred thousand."""
        return [same.setdefault(text, text) for text in texts]

    names = {p: month_name(p) for p in set(crossing[has_crossing].tolist())}
    stopped = {p: stale_label(p).capitalize() for p in set(columns["last_period"][stale].tolist())}
    limit, recent, severe = percent(rules.legal_limit), rules.recent_months, percent(rules.severe)
    chronic = scored & (ratio >= rules.chronic)
    few_hours = insufficient & ~few_months
    sentences = [
        (stale, shared(f"{stopped[p]}: mancano i mesi successivi, quindi l'alunno è fuori dall'elenco del mese e non "
                 f"viene proiettato (assenze {al(r)} del monte ore fino ad allora)."
                 for p, r in zip(values("last_period", stale), pct("absence_ratio", stale), strict=True))),
        (few_months, shared(f"Solo {m} mese di dati: servono almeno {rules.min_months} mesi per una valutazione."
                      for m in values("months", few_months))),
        (few_hours, shared(f"Solo {h} ore di lezione registrate: troppo poche per una valutazione."
                     for h in hrs("scheduled_hours", few_hours))),
        (chronic, shared(f"Assenze {al(r)} del monte ore svolto finora ({a} ore su {s})"
                   + (f": oltre il {severe}, la soglia del livello alto." if high else ".")
                   for r, a, s, high in zip(pct("absence_ratio", chronic), hrs("absence_hours", chronic),
                                            hrs("scheduled_hours", chronic), ratio[chronic] >= rules.severe,
                                            strict=True))),
        (beyond, shared(f"Ha superato il limite del {limit} del monte ore annuo {a_month(names[c])}: l'anno non è"
                        " valido salvo deroghe del collegio." for c in values("crossing_month", beyond))),
        (will_cross, shared(f"Al ritmo degli ultimi {recent} mesi supera il {limit} {a_month(names[c])}"
                            f" (restano {h} ore)."
                      for c, h in zip(values("crossing_month", will_cross), hrs("hours_left", will_cross),
                                      strict=True))),
        (projection, shared(f"Proiezione a fine anno: {p} del monte ore annuo (restano {h} ore prima del limite)."
                      for p, h in zip(pct("projected_ratio", projection), hrs("hours_left", projection), strict=True))
         if legal else shared(f"Proiezione a fine anno al ritmo attuale: {p} di assenze."
                              for p in pct("projected_ratio", projection))),
    ]
    worse = scored & columns["worsening"]
    earlier = np.nan_to_num(columns["earlier_ratio"], nan=0.0)
    sentences.append((worse, shared(f"Assenze in aumento: {r} negli ultimi {recent} mesi contro {e}"
                                    " nei mesi precedenti."
                              for r, e in zip(pct("recent_ratio", worse), _percents(earlier[worse]), strict=True))))
    sentences.append((late, shared(f"In media {x} ingressi posticipati o uscite anticipate al mese."
                             for x in hrs("late_per_month", late))))
    runs = scored & (columns["longest_severe_run"] >= 2)
    sentences.append((runs, shared(f"Per {x} mesi di fila oltre il {severe} di assenze."
                             for x in values("longest_severe_run", runs))))
    arrived = scored & columns["arrived_recently"].astype(bool)
    sentences.append((arrived, ["In Italia da meno di due anni."] * int(arrived.sum())))
    delayed = scored & (columns["age_delay"] >= 1)
    sentences.append((delayed, shared(f"In ritardo di {d} {'anno' if d == 1 else 'anni'} rispetto all'età."
                                for d in values("age_delay", delayed))))
    repeated = scored & columns["retention"].astype(bool)
    sentences.append((repeated, ["Ha già ripetuto almeno un anno."] * int(repeated.sum())))
    l2_low = scored & columns["l2_low"].astype(bool)
    sentences.append((l2_low, shared(f"Livello di italiano {x}." for x in columns["l2_level"][l2_low].tolist())
                      if l2_low.any() else []))
    said = np.zeros(n, bool)
    for mask, _ in sentences[3:]:
        said |= mask
    quiet = scored & ~said
    sentences.append((quiet, shared(f"Assenze {al(r)} del monte ore: nessun segnale di rischio."
                                    for r in pct("absence_ratio", quiet))))
    with paused_gc():  # a list per pupil: the collector would rescan them all as they grow
        lists = [[] for _ in range(n)]
        for mask, texts in sentences:
            for i, text in zip(np.flatnonzero(mask).tolist(), texts, strict=True):
                lists[i].append(text)
    return lists


_PERCENT_TEXTS = np.array([f"{k} %" for k in range(10_001)], dtype=object)


@functools.lru_cache(maxsize=16_384)  # a percent per pupil, a few hundred distinct ones: the regex once each
def al(number: str) -> str:
    """«al 20 %», «all'8 %», «all'11 %», «all'80 %»: the article elides before a number read with a vowel
    (uno, undici, otto, ottanta, ottocento…)."""
    whole = re.match(r"\d+", number)
    digits = whole.group() if whole else ""
    return f"all'{number}" if digits in ("1", "11") or digits.startswith("8") else f"al {number}"


def a_month(name: str) -> str:
    """«a marzo», «ad aprile», «ad agosto», «ad ottobre»."""
    return f"ad {name}" if name[:1] in "aeiou" else f"a {name}"


def _percents(values: np.ndarray) -> list[str]:
    """`percent` of many values: rounding ×100 to the nearest integer, ties to even, is what `.0f` does."""
    scaled = values * 100
    rounded = np.rint(scaled)
    plain = np.isfinite(scaled) & ~np.signbit(scaled) & (rounded < len(_PERCENT_TEXTS))  # "-0 %", "nan %": one by one
    texts = np.empty(len(values), dtype=object)
    texts[plain] = _PERCENT_TEXTS[rounded[plain].astype(np.int64)]
    texts[~plain] = [percent(v) for v in values[~plain].tolist()]
    return texts.tolist()


def _hours(values: list[float]) -> list[str]:
    """`hours` of many values, each distinct value formatted once (sums of hours repeat a lot)."""
    known = {v: hours(v) for v in set(values)}
    # NaN is never found again and -0.0 would be found as 0.0: those are formatted where they are.
    return [hours(v) if v == 0 else known.get(v) or hours(v) for v in values]


@contextmanager
def paused_gc():
    """Build many small containers (tuples, lists) without the collector rescanning them as they come."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
