"""A network's dashboard: protocols, pupils by risk level month by month, follow-up of high-risk pupils.

Aggregates only: no pupil code leaves this module, and every figure built from
fewer than 5 pupils is suppressed (`models/suppression.py`), totals included.
Who sees which rows is decided by `permissions.network_figures_view`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd
import sqlite_utils

from models.accounts.schools import Level, Network, School, get_network, list_networks, network_schools
from models.core import clock, suppression
from models.core.permissions import Action, Actor, SchoolRef, network_figures_view, require
from models.core.school_year import SchoolYear, month_label
from models.network import store
from models.obligation import figures as obligation_figures
from models.protocols.protocol import STATUS_LABELS, deliberation_day
from models.pupils import coverage
from models.risk import history, indicators

FOLLOW_UP_DAYS = 30
APPROVED = ("approvato", "pubblicato")


@dataclass(frozen=True)
class Scope:
    network: Network
    view: str  # see permissions.network_figures_view
    schools: tuple[School, ...]  # the schools the figures are built from, after the filters
    shown: tuple[str, ...]  # the schools shown row by row
    read: dict = field(default_factory=dict, compare=False, repr=False)  # what one request has read (see levels)
    everyone: tuple[School, ...] = ()  # every school the reader's figures of this network are built from
    reach: tuple[frozenset, ...] = ()  # every group of schools any view of the reader sums (see `reach`)
    known: tuple[str, ...] = ()  # schools whose figures the reader has anyway (their own)
    unseen: tuple[str, ...] = ()  # schools whose row the reader may not see, never to be isolated

    @property
    def totals(self) -> bool:
        return self.view != "school"

    @property
    def names(self) -> dict[str, str]:
        return {s.code: s.name for s in self.everyone or self.schools}

    @property
    def group(self) -> frozenset:
        """The scope's schools, as the group its totals sum."""
        return frozenset(s.code for s in self.schools)

    def rows(self) -> list[tuple[str, frozenset]]:
        """The rows of a table by school: each shown school, the others summed as «Altre scuole», the total."""
        return _rows(self.view, [s.code for s in self.schools], self.shown, self.names)


def scope(db: sqlite_utils.Database, actor: Actor, network_code: str, *, level: str | None = None,
          school_code: str | None = None) -> Scope:
    """The schools an actor's dashboard covers, after the level and school filters."""
    view = network_figures_view(actor, network_code)
    network = get_network(db, actor, network_code)
    everyone = network_schools(db, network_code)
    if view == "school":
        everyone = [s for s in everyone if s.code == actor.school_code]
    schools = everyone
    if level:
        schools = [s for s in schools if s.level == Level(level)]
    if school_code:
        require(actor, Action.FILTER_FIGURES, SchoolRef(school_code, network_code),
                message="Puoi filtrare solo sulla tua scuola.")
        schools = [s for s in schools if s.code == school_code]
    own = actor.school_code if view in ("network", "school") else None
    shown = tuple(s.code for s in schools if view == "schools" or s.code == own)
    return Scope(network, view, tuple(schools), shown, everyone=tuple(everyone),
                 reach=reach(view, everyone, own), known=(own,) if own else (),
                 unseen=tuple(s.code for s in everyone if s.code != own) if view in ("network", "region") else ())


def reach(view: str, everyone: list[School], own: str | None) -> tuple[frozenset, ...]:
    """Every group of schools whose sums a reader can reach: the rows of every table (each shown school, the
    others, the total) under every level and school filter the dashboard, the report and the CLI offer.

    `suppression.across` protects these together, so what one filter shows another cannot give away.
    """
    groups = []
    shown = [s.code for s in everyone if view == "schools" or s.code == own]
    for level in [None, *dict.fromkeys(s.level for s in everyone)]:
        in_level = [s for s in everyone if level is None or s.level == level]
        for code in [None, *(s.code for s in in_level if s.code in shown)]:
            codes = [s.code for s in in_level if code is None or s.code == code]
            groups += [group for _, group in _rows(view, codes, tuple(shown), {})]
    return tuple(dict.fromkeys(groups))


def _rows(view: str, codes: list[str], shown: tuple[str, ...], names: dict) -> list[tuple[str, frozenset]]:
    rows = [(names.get(c, c), frozenset([c])) for c in codes if c in shown]
    others = frozenset(c for c in codes if c not in shown)
    if others:
        rows.append(("Altre scuole", others))
    if view != "school" and codes:
        rows.append((suppression.TOTAL, frozenset(codes)))
    return rows


# --- protocols ------------------------------------------------------------------------


def protocols(db: sqlite_utils.Database, where: Scope) -> tuple[pd.DataFrame, dict[str, int]]:
    """Per shown school: status, version, approval, sections adapted, open comments, core up to date.

    With a summary over all the scope's schools (protocols are not pupil data: no suppression).
    """
    rows, summary = [], {"schools": len(where.schools), "with_protocol": 0, "approved": 0, "current_core": 0}
    for school in where.schools:
        found = store.school_protocol(db, school.code)
        stats = store.protocol_counts(db, found[0]) if found else None
        if found:
            summary["with_protocol"] += 1
            summary["approved"] += found[1] in APPROVED
            summary["current_core"] += stats["pending"] == 0
        if school.code in where.shown:
            rows.append({
                "Scuola": school.name, "Grado": school.level_label,
                "Stato": STATUS_LABELS[found[1]] if found else "Non avviato",
                "Revisione": found[2] if found else None,
                "Approvato il": _italian_date(found[3]) if found and found[1] in APPROVED else "",
                "Sezioni adattate": stats["adapted"] if found else None,
                "Sezioni proprie": stats["local"] if found else None,
                "Commenti aperti": stats["comments"] if found else None,
                "Nucleo comune aggiornato": ("Sì" if stats["pending"] == 0 else f"No ({stats['pending']} da vedere)")
                if found else "",
            })
    return pd.DataFrame(rows, dtype=object), summary


def networks_overview(db: sqlite_utils.Database, actor: Actor) -> pd.DataFrame:
    """One row per network the actor sees: schools, protocols started and approved (no pupil figures)."""
    rows = []
    for network in list_networks(db, actor):
        where = scope(db, actor, network.code)
        _, summary = protocols(db, where)
        rows.append({"Codice": network.code, "Rete": network.name, "Scuole": summary["schools"],
                     "Con protocollo": summary["with_protocol"], "Protocolli approvati": summary["approved"],
                     "Nucleo comune aggiornato": summary["current_core"]})
    return pd.DataFrame(rows)


def _italian_date(text: str | None) -> str:
    day = deliberation_day(text)
    return day.strftime("%d/%m/%Y") if day else (text or "")


# --- risk month by month -----------------------------------------------------------------


@dataclass(frozen=True)
class YearLevels:
    """One school's levels in one school year: numpy columns (period, pupil_code, level, absence_ratio) in month
    then pupil order, as `history.level_columns` keeps them (views of them, not copies); internal, pupil-level."""

    period: np.ndarray
    pupil_code: np.ndarray
    level: np.ndarray
    absence_ratio: np.ndarray
    kept: dict = field(default_factory=dict, compare=False, repr=False)  # what is worked out from these alone

    def __getitem__(self, column: str) -> np.ndarray:
        return getattr(self, column)

    def __len__(self) -> int:
        return len(self.period)

    def months(self) -> list[tuple[str, slice]]:
        """(period, its rows) for each month, in order."""
        if not len(self.period):
            return []
        starts = [0, *(np.flatnonzero(self.period[1:] != self.period[:-1]) + 1).tolist()]
        return [(self.period[a], slice(a, b)) for a, b in zip(starts, [*starts[1:], len(self.period)], strict=True)]


_NO_LEVELS = YearLevels(*(np.empty(0, dtype=object) for _ in range(3)), np.empty(0))


def scope_levels(db: sqlite_utils.Database, where: Scope) -> dict[str, dict[str, np.ndarray] | None]:
    """Each school's levels by month (computed when the data came), read once per scope for every school the
    reader reaches (the filters only pick rows: suppression is decided over all of them); internal,
    pupil-level, never shown as is."""
    if "levels" not in where.read:
        where.read["levels"] = {s.code: history.level_columns(db, s.code) for s in where.everyone or where.schools}
    return where.read["levels"]


def year_levels(db: sqlite_utils.Database, where: Scope, school_code: str, year: SchoolYear) -> YearLevels:
    """One school's levels in one school year, ordered by month and pupil (the year's rows are together: a slice)."""
    columns = scope_levels(db, where)[school_code]
    if columns is None:
        return _NO_LEVELS
    periods = columns["period"]
    key = ("year", year.start)
    if key not in columns["derived"]:  # one per school year while the levels stay the same
        rows = slice(int(np.searchsorted(periods, year.first_month, side="left")),  # September to August
                     int(np.searchsorted(periods, f"{year.start + 1:04d}-08", side="right")))
        columns["derived"][key] = YearLevels(periods[rows], columns["pupil_code"][rows], columns["level"][rows],
                                             columns["absence_ratio"][rows])
    return columns["derived"][key]


def worked_out(levels, name: str, compute):
    """`compute(levels)`, kept with a school year's levels (they do not change: it is the same answer)."""
    kept = getattr(levels, "kept", None)  # a frame of levels (tests): nothing kept
    if kept is None:
        return compute(levels)
    if name not in kept:
        kept[name] = compute(levels)
    return kept[name]


def levels_by_month(db: sqlite_utils.Database, where: Scope, year: SchoolYear) -> pd.DataFrame:
    """Long table: school_code, period, level, pupils, for every school the reader reaches (raw counts;
    internal, never shown as is)."""
    if ("by_month", year) in where.read:
        return where.read[("by_month", year)]
    rows = [(code, period, level, pupils) for code, months in _month_counts(db, where, year).items()
            for period, levels in months.items() for level, pupils in levels.items()]
    counts = pd.DataFrame(rows, columns=["school_code", "period", "level", "pupils"])
    where.read[("by_month", year)] = counts  # three figures of a view count the same months
    return counts


def _month_counts(db: sqlite_utils.Database, where: Scope, year: SchoolYear) -> dict[str, dict[str, dict]]:
    """{school: {period: {level: pupils}}} for every school the reader reaches and its whole months of the year,
    in month and level order (raw counts; internal)."""
    key = ("month_counts", year)
    if key in where.read:
        return where.read[key]
    found = {}
    left_out = partial_months(db, where, year)
    for school in where.everyone or where.schools:
        school_levels = year_levels(db, where, school.code, year)
        partial = left_out.get(school.code) or {}
        # a month missing classes is not the school's month: it would count a part as the whole
        months = {period: dict(sorted(Counter(school_levels.level[rows].tolist()).items()))
                  for period, rows in school_levels.months() if period not in partial}
        if months:
            found[school.code] = months
    where.read[key] = found
    return found


def partial_months(db: sqlite_utils.Database, where: Scope, year: SchoolYear
                   ) -> dict[str, dict[str, coverage.MonthClasses]]:
    """school -> its partial months of the year (some classes of the year not loaded): left out of every figure."""
    key = ("partial", year)
    if key not in where.read:
        where.read[key] = {
            school: {p: m for p, m in months.items() if m.partial}
            for school, months in coverage.months_of(db, (s.code for s in where.everyone or where.schools),
                                                     year).items()}
    return where.read[key]


def partial_notes(db: sqlite_utils.Database, where: Scope, year: SchoolYear) -> list[str]:
    """'Scuola: marzo 2026 (mancano 4A)' for the shown schools' partial months of the year (no pupil data)."""
    notes = []
    for code in where.shown:
        for period, month in partial_months(db, where, year).get(code, {}).items():
            if SchoolYear.of_period(period) == year:
                notes.append(f"{where.names[code]}: {month.describe()}")
    return notes


def protected_months(db: sqlite_utils.Database, where: Scope, year: SchoolYear) -> dict[str, dict]:
    """{period: {group: {level label or "Totale": shown}}}: every month's figures of every group the reader
    reaches, suppressed together (`suppression.across`); every table, chart and file picks from these."""
    key = ("protected", year)
    if key not in where.read:
        by_period: dict[str, dict[str, dict]] = {}
        for code, months in sorted(_month_counts(db, where, year).items()):
            for period, levels in months.items():
                by_period.setdefault(period, {})[code] = levels
        where.read[key] = {
            period: suppression.across(_wide(by_period[period]), where.reach, known=where.known,
                                       unseen=where.unseen, total_column=True, spare=SPARE_LEVELS)
            for period in sorted(by_period)}
    return where.read[key]


# No share is computed from these: given up first to protect a small cell, the trend keeps its points.
SPARE_LEVELS = [indicators.LEVEL_LABELS["basso"], indicators.LEVEL_LABELS["dati_insufficienti"]]


def _cells(protected: dict, group: frozenset, columns) -> dict:
    """A group's shown cells; a group no view reaches (none should be asked) is hidden whole."""
    return protected.get(group) or dict.fromkeys(columns, suppression.HIDDEN)


def _with_data(db, where: Scope, year: SchoolYear) -> dict[str, set[str]]:
    """{period: the schools with data in that month}, in month order."""
    key = ("with_data", year)
    if key not in where.read:
        with_data: dict[str, set[str]] = {}
        for code, months in _month_counts(db, where, year).items():
            for period in months:
                with_data.setdefault(period, set()).add(code)
        where.read[key] = dict(sorted(with_data.items()))
    return where.read[key]


def _periods(db, where: Scope, year: SchoolYear, group: frozenset) -> list[str]:
    """The months in which some school of `group` has data, in order."""
    return [period for period, schools in _with_data(db, where, year).items() if schools & group]


def _wide(schools: dict[str, dict[str, int]]) -> pd.DataFrame:
    """Rows = schools (in code order), columns = the level labels: a month's counts, as `across` takes them."""
    return pd.DataFrame([[levels.get(level, 0) for level in indicators.LEVELS] for levels in schools.values()],
                        index=list(schools), columns=[indicators.LEVEL_LABELS[c] for c in indicators.LEVELS],
                        dtype=int)


def _month_columns() -> list[str]:
    return [*(indicators.LEVEL_LABELS[c] for c in indicators.LEVELS), suppression.TOTAL]


def network_months(db: sqlite_utils.Database, where: Scope, year: SchoolYear) -> pd.DataFrame:
    """Rows = months, columns = levels and total, over the scope's schools; suppressed.

    For a view of one school only, the rows are that school's months.
    """
    protected = protected_months(db, where, year)
    periods = _periods(db, where, year, where.group)
    if not periods:
        return pd.DataFrame()
    rows = {indicators.month_label(p): _cells(protected[p], where.group, _month_columns()) for p in periods}
    return pd.DataFrame.from_dict(rows, orient="index", dtype=object)[_month_columns()]


def schools_in_month(db: sqlite_utils.Database, where: Scope, year: SchoolYear,
                     period: str | None = None) -> tuple[str | None, pd.DataFrame]:
    """Rows = shown schools (and the total of all the scope's schools), columns = levels; one month; suppressed.

    Schools not shown row by row (a dirigente sees only their own) are summed into «Altre scuole».
    """
    periods = _periods(db, where, year, where.group)
    if not periods:
        return None, pd.DataFrame()
    period = period or periods[-1]
    with_data = _with_data(db, where, year).get(period, set())
    protected = protected_months(db, where, year).get(period, {})
    rows = {label: _cells(protected, group, _month_columns()) for label, group in where.rows() if group & with_data}
    return period, pd.DataFrame.from_dict(rows, orient="index", columns=_month_columns(), dtype=object)


def flagged_rates(db: sqlite_utils.Database, where: Scope, year: SchoolYear, group: frozenset) -> dict[str, object]:
    """{period: share of the group's pupils at `alto` or `medio`}: a rate, or "<5"/"n.d." where it is built
    from fewer than 5 pupils or from a count the reader's other views hide (a shown share would give it)."""
    protected = protected_months(db, where, year)
    high, medium = indicators.LEVEL_LABELS["alto"], indicators.LEVEL_LABELS["medio"]
    rates = {}
    for period in _periods(db, where, year, group):
        cells = _cells(protected[period], group, _month_columns())
        parts = [cells[high], cells[medium], cells[suppression.TOTAL]]
        hidden = [v for v in parts if suppression.is_hidden(v)]
        rates[period] = (suppression.FEW if suppression.SMALL in hidden else suppression.HIDDEN) if hidden else (
            suppression.rate(suppression.count(parts[0] + parts[1]), parts[2]))
    return rates


def trend(db: sqlite_utils.Database, where: Scope, year: SchoolYear) -> pd.DataFrame:
    """Share of pupils at `alto` or `medio` per month, per shown school and for the network, for a chart.

    Long table (series, period, rate, segment); a point hidden in the tables is left out, and `segment` counts
    the months left out before a point of its series: a line per (series, segment) breaks there.
    """
    points, _ = suppression.line_points(_trend_rates(db, where, year))
    return points.rename(columns={"key": "period"})[["series", "period", "rate", "segment"]]


def trend_hidden(db: sqlite_utils.Database, where: Scope, year: SchoolYear) -> dict[str, list[str]]:
    """{series: [periods]}: the months of `trend` whose point is hidden ("<5", "n.d."), to say so by the chart."""
    return suppression.line_points(_trend_rates(db, where, year))[1]


def _trend_rates(db: sqlite_utils.Database, where: Scope, year: SchoolYear) -> dict[str, dict[str, object]]:
    groups = {where.names[c]: frozenset([c]) for c in where.shown}
    if where.totals:
        groups[f"Rete ({len(where.schools)} scuole)"] = where.group
    return {name: flagged_rates(db, where, year, group) for name, group in groups.items()}


# --- follow-up of high-risk pupils ------------------------------------------------------------


def follow_up(db: sqlite_utils.Database, where: Scope, year: SchoolYear, today: date | None = None) -> pd.DataFrame:
    """Per shown school (and the total): pupils at `alto` during the year, how many were reviewed, how many had
    an intervention within 30 days of the end of the month they first appeared at `alto`, overdue follow-ups.

    Counts and shares are suppressed below 5 pupils.
    """
    today = today or clock.local_date()
    if not where.schools:
        return pd.DataFrame()
    key = ("follow_up", year, today)
    if key not in where.read:
        counts = pd.DataFrame.from_dict(
            {s.code: _school_follow_up(db, year_levels(db, where, s.code, year), s.code, year, today)
             for s in where.everyone or where.schools}, orient="index")
        where.read[key] = suppression.across(counts, where.reach, known=where.known, unseen=where.unseen)
    columns = ["alto", "reviewed", "reached", "overdue"]
    shown = pd.DataFrame.from_dict({label: _cells(where.read[key], group, columns) for label, group in where.rows()},
                                   orient="index", dtype=object)[columns]
    out = pd.DataFrame(index=shown.index)
    out["Alunni ad alto rischio nell'anno"] = shown["alto"]
    out["Rivisti"] = shown["reviewed"]
    out["Rivisti %"] = [suppression.rate(n, d) for n, d in zip(shown["reviewed"], shown["alto"], strict=True)]
    out[f"Con un intervento entro {FOLLOW_UP_DAYS} giorni"] = shown["reached"]
    out[f"Intervento entro {FOLLOW_UP_DAYS} giorni %"] = [
        suppression.rate(n, d) for n, d in zip(shown["reached"], shown["alto"], strict=True)]
    out["Verifiche scadute"] = shown["overdue"]
    return out


def _school_follow_up(db, school_levels: pd.DataFrame, school_code: str, year: SchoolYear, today: date
                      ) -> dict[str, int]:
    first_high = worked_out(school_levels, "first_high", _first_high)
    start, end = year.first_day.isoformat(), year.last_day.isoformat()
    reviewed = store.pupils_reviewed(db, school_code, start,
                                     (date.fromisoformat(end) + timedelta(days=FOLLOW_UP_DAYS)).isoformat())
    done = store.intervention_days(db, school_code)
    by_pupil: dict[str, list[date]] = {}
    for pupil, day in done:
        by_pupil.setdefault(pupil, []).append(date.fromisoformat(day))
    reached = 0
    for pupil, period in first_high.items():
        month_start = date.fromisoformat(period + "-01")
        deadline = (month_start + timedelta(days=32)).replace(day=1) + timedelta(days=FOLLOW_UP_DAYS - 1)
        reached += any(month_start <= day <= deadline for day in by_pupil.get(pupil, []))
    overdue = store.overdue_follow_ups(db, school_code, today.isoformat())
    return {"alto": len(first_high), "reviewed": len(set(first_high) & reviewed), "reached": reached,
            "overdue": overdue}


def _first_high(school_levels) -> dict[str, str]:
    """{pupil: the first month at `alto`} of a year's levels (in month order)."""
    high = np.asarray(school_levels["level"]) == "alto"
    first_high: dict[str, str] = {}
    for pupil, period in zip(np.asarray(school_levels["pupil_code"])[high].tolist(),
                             np.asarray(school_levels["period"])[high].tolist(), strict=True):
        first_high.setdefault(pupil, period)
    return first_high


# --- the compulsory-education procedure (art. 114 c. 4 D.Lgs. 297/1994) ----------------------------------

OBLIGATION_COLUMNS = ["Mese", "Scuola", "Casi aperti", "Giorni dall'apertura alla comunicazione (media)",
                      "Ripresa entro 7 giorni %", "Segnalazioni al sindaco"]


def obligation(db: sqlite_utils.Database, where: Scope, year: SchoolYear) -> pd.DataFrame:
    """Per month in which cases opened and per shown school (the others summed as «Altre scuole»), with the
    total of the scope: cases opened, mean days from opening to the family notice, share of notified cases
    whose attendance resumed within the seven days, reports to the mayor. Counts and shares suppressed."""
    frames = []
    for school in where.everyone or where.schools:
        counts = obligation_figures.by_month(db, school.code, year)
        if not counts.empty:
            frames.append(counts.assign(school_code=school.code))
    if not frames:
        return pd.DataFrame(columns=OBLIGATION_COLUMNS)
    data = pd.concat(frames, ignore_index=True)
    measures = ["opened", "notified", "resumed_in_time", "mayor"]
    rows = []
    for period, month in data.groupby("period"):
        parts = month.set_index("school_code")[measures].astype(int)
        protected = suppression.across(parts, where.reach, known=where.known, unseen=where.unseen)
        days = month.set_index("school_code")["notice_days"]
        for label, group in where.rows():
            if not group & set(parts.index):
                continue
            shown = _cells(protected, group, measures)
            notified = shown["notified"]
            total_days = days[days.index.isin(group)].sum()
            # The days follow the notified cases: shown for exactly the same groups, so no more can be worked
            # out; an average of fewer than 5 notices is not shown either.
            mean = (suppression.HIDDEN if notified == suppression.HIDDEN else suppression.FEW) \
                if suppression.is_hidden(notified) else (round(total_days / notified, 1) if notified else None)
            rows.append(dict(zip(OBLIGATION_COLUMNS, [
                month_label(period), label, shown["opened"], mean,
                suppression.rate(shown["resumed_in_time"], notified), shown["mayor"]], strict=True)))
    return pd.DataFrame(rows, columns=OBLIGATION_COLUMNS, dtype=object)


def school_years(db: sqlite_utils.Database, where: Scope) -> list[SchoolYear]:
    """The school years with attendance data in the scope's schools, newest first."""
    codes = [s.code for s in where.schools]
    if not codes:
        return []
    return sorted({SchoolYear.of_period(period) for period in store.periods_with_data(db, codes)}, reverse=True)
