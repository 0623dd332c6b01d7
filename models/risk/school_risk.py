"""A school's risk list as its staff see it: scoped by role, logged on every read."""

from __future__ import annotations

import json
import re
import threading
import warnings
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sqlite_utils

from models.accounts.schools import DEFAULT_ANNUAL_HOURS, Level, School, get_school
from models.core import audit
from models.core import store as core_store
from models.core.db import transaction
from models.core.errors import ApprodoError
from models.core.permissions import Action, Actor, SchoolRef, has_classes, require
from models.core.school_year import SchoolYear
from models.pupils import coverage, school_calendar
from models.risk import derogations, indicators, store
from models.risk.pupil_access import require_pupil, teacher_classes
from models.risk.rules import network_rules

_ATTENDANCE_COLUMNS = store.ATTENDANCE_COLUMNS


@dataclass(frozen=True)
class RiskList:
    school_code: str
    as_of: str | None
    school_year: str | None
    pupils: pd.DataFrame  # see indicators.score
    classes: tuple[str, ...]  # the classes the actor may see (all for school staff)
    legal_limit_applies: bool
    rules: indicators.Rules


def classes_of(db: sqlite_utils.Database, username: str) -> tuple[str, ...]:
    """A teacher's classes by username (for the admin page; no pupil data)."""
    return tuple(store.classes_of_username(db, username))


def assign_classes(db: sqlite_utils.Database, actor: Actor, username: str, classes: list[str]) -> None:
    """Set a teacher's classes: the school's dirigente or an admin."""
    row = store.user_for_classes(db, username)
    if row is None:
        raise ApprodoError(f"L'utente «{username}» non esiste.")
    user_id, role, school_code = row
    if not has_classes(role):
        raise ApprodoError("Le classi si assegnano ai docenti.")
    require(actor, Action.MANAGE_SCHOOL, SchoolRef(school_code),
            "Solo il dirigente della scuola assegna le classi ai docenti.")
    cleaned = sorted({c.strip().upper() for c in classes if c.strip()})
    if any(len(c) > 40 for c in cleaned):
        raise ApprodoError("Nome di classe troppo lungo.")
    with transaction(db):
        store.set_teacher_classes(db, user_id, cleaned)
        audit.record(db, actor, "classi_assegnate", username, school_code=school_code, detail=", ".join(cleaned))


def load_attendance(db: sqlite_utils.Database, school_code: str, classes: tuple[str, ...] | None = None,
                    pupil_code: str | None = None, since: str | None = None) -> pd.DataFrame:
    """Monthly rows of a school, from `since` on (internal: callers check access first)."""
    rows = store.attendance(db, school_code, since, pupil_code)
    frame = pd.DataFrame(rows, columns=_ATTENDANCE_COLUMNS)
    if classes is not None:
        # A teacher sees the pupils now in their classes (by each pupil's latest month), with all
        # their months; not the pupils they had in an earlier year.
        latest = frame.sort_values("period").groupby("pupil_code")["class_name"].last()
        mine = latest[latest.isin(classes)].index
        frame = frame[frame["pupil_code"].isin(mine)]
    return frame


def load_context(db: sqlite_utils.Database, school_code: str, *, audit_groups: bool = False) -> pd.DataFrame:
    """The pupils' context; citizenship and sex only when asked, for the fairness audit (never for scoring)."""
    columns = ["pupil_code", "birth_year", "arrival_year", "l2_level", "retentions"]
    if audit_groups:
        columns += ["citizenship_group", "sex"]
    return pd.DataFrame(store.pupil_context(db, school_code, columns), columns=columns)


@dataclass(frozen=True)
class Scoring:
    """How a school's pupils are scored: its level, its annual timetable, its network's thresholds."""

    level: str
    annual_hours: float | None
    rules: indicators.Rules
    class_annual: dict[str, float] = field(default_factory=dict)  # classes with their own week

    @property
    def hours(self) -> dict:
        """The keywords of `indicators.score` that say the annual hours."""
        return {"annual_hours": self.annual_hours, "class_annual": self.class_annual}


def _annual_hours(db: sqlite_utils.Database, school_code: str, level: str,
                  hours: float | None) -> tuple[float | None, dict[str, float]]:
    """The school's annual hours (its default week's when set) and those of the classes with their own week."""
    weeks = school_calendar.weeks(db, school_code)
    default = weeks.default.annual if weeks.school_set else hours or DEFAULT_ANNUAL_HOURS[Level(level)]
    return default, weeks.annual()


def scoring_setup(db: sqlite_utils.Database, school_code: str) -> Scoring:
    """Internal (no actor): for the batch computations that callers have already authorised."""
    level, hours, network = store.school_scoring(db, school_code)
    default, classes = _annual_hours(db, school_code, level, hours)
    return Scoring(level, default, network_rules(db, network), classes)


def data_stamp(db: sqlite_utils.Database, school_code: str) -> str:
    """What a school's scores are computed from, besides the thresholds: its imports and rows, its level and
    timetable. Any import, deletion or purge changes it (internal: no pupil data in it)."""
    # Outcomes enter no score: their imports do not count. The weeks and the school's calendar change the monte
    # ore and the annual hours. "v3": months count only the pupils with data in them; the thresholds apart.
    return json.dumps(["v3", *store.data_stamp_parts(db, school_code)])


def periods(db: sqlite_utils.Database, actor: Actor, school_code: str) -> list[str]:
    """The months with attendance data, oldest first (from a small table kept by the importer)."""
    require(actor, Action.READ_PUPILS, SchoolRef(school_code))
    return store.months(db, school_code)


def months_held(db: sqlite_utils.Database, actor: Actor, school_code: str) -> dict[str, coverage.MonthClasses]:
    """Each month with the classes it holds and misses: a partial month is never the school's month."""
    require(actor, Action.READ_PUPILS, SchoolRef(school_code))
    return coverage.months(db, school_code)


def school_risk(
    db: sqlite_utils.Database,
    actor: Actor,
    school_code: str,
    *,
    as_of: str | None = None,
    channel: str = "pagina",
    rules: indicators.Rules | None = None,
    view: str | None = None,
) -> RiskList:
    """Score the school's pupils the actor may see, with its network's thresholds, and log the read.

    `view`: the page's id for this opening of it; reruns of one view are logged once (audit.record_access).
    """
    require(actor, Action.READ_PUPILS, SchoolRef(school_code))
    school = get_school(db, actor, school_code)
    rules = rules or network_rules(db, school.network_code)
    classes = teacher_classes(db, actor)
    months = periods(db, actor, school_code)
    if as_of is not None and as_of not in months:
        raise ApprodoError(f"Non ci sono dati di frequenza per il mese {as_of}.")
    pupils, all_classes = _scored(db, school, classes, months, as_of, rules)
    if pupils.attrs.get("school_year"):  # hours in derogation shown apart, never subtracted
        attrs = pupils.attrs
        pupils = derogations.with_sentences(pupils, derogations.hours_by_pupil(
            db, school_code, SchoolYear.parse(attrs["school_year"])))
        pupils.attrs = attrs
    audit.record_access(db, actor, school_code, "elenco rischio",
                        f"{channel}: {len(pupils)} alunni" + (f", classi {', '.join(classes)}" if classes else ""),
                        view=None if view is None else f"{view}|{as_of}")
    shown_classes = classes if classes is not None else all_classes
    return RiskList(school_code, pupils.attrs.get("as_of"), pupils.attrs.get("school_year"), pupils,
                    shown_classes, school.effective_annual_hours is not None and school.level != "primaria", rules)


def _scored(db: sqlite_utils.Database, school: School, classes: tuple[str, ...] | None, months: list[str],
            as_of: str | None, rules: indicators.Rules) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """The scored list and its classes, kept per school, data stamp, month, thresholds and class scope.

    Changing a filter of the risk page reruns it with the same key: the list is not scored again. An import,
    a deletion or a change of thresholds changes the key, so a stale list is never returned. Callers check
    access and log the read every time; the kept frame is copied out, never handed to be changed.
    """
    stamp = data_stamp(db, school.code)
    key = (database_file(db), school.code, stamp, as_of, rules, classes)
    with _SCORED_LOCK:
        if key in _SCORED:
            _SCORED.move_to_end(key)
            pupils, all_classes = _SCORED[key]
            return pupils.copy(), all_classes
    setup = dict(level=school.level, rules=rules, **scoring_setup(db, school.code).hours)
    read = _read_school_year(db, school.code, as_of or months[-1], months, classes, stamp) if months else None
    if read is not None:
        rows, list_month = read
        pupils = indicators.score_rows(rows, load_context(db, school.code), as_of=as_of or list_month, **setup)
    else:  # July or August data, hours the packed read cannot carry exactly: the rows as a frame
        # Only the school year being scored is read: earlier years do not enter the indicators.
        since = SchoolYear.of_period(as_of or months[-1]).first_month if months else None
        attendance = load_attendance(db, school.code, classes, since=since)
        pupils = indicators.score(attendance, load_context(db, school.code), as_of=as_of, **setup)
    # School staff choose among the classes of the pupils listed; a teacher sees their own.
    all_classes = tuple(sorted(pupils["class_name"].unique()))
    with _SCORED_LOCK:  # Streamlit runs sessions on several threads
        _SCORED[key] = (pupils, all_classes)
        while len(_SCORED) > _SCORED_SIZE:
            _SCORED.popitem(last=False)
    return pupils.copy(), all_classes


_SCORED: OrderedDict[tuple, tuple[pd.DataFrame, tuple[str, ...]]] = OrderedDict()
_SCORED_SIZE = 32  # a few schools x months x class scopes: a few MB at most
_SCORED_LOCK = threading.Lock()


def forget_kept_lists() -> None:
    """Empty the kept lists of this process (benchmarks measure the scoring, not a kept list)."""
    with _SCORED_LOCK:
        _SCORED.clear()


def database_file(db: sqlite_utils.Database) -> str:
    """The file behind a connection: caches in memory are per database (tests open many)."""
    return core_store.database_file(db)


def _packed_rows(db: sqlite_utils.Database, school_code: str, since: str, until: str) -> tuple | None:
    """The rows from `since` to `until` grouped by pupil in primary-key order, as arrays: codes, class of the
    last month, last month, months per pupil, and every row packed (`store.PACKED`), each pupil's months in order;
    None: hours the packing cannot carry exactly, a summer month, or no rows. Internal: callers check access."""
    with indicators.paused_gc():  # 100,000 tuples: no collection while they come
        found = store.packed_by_pupil(db, school_code, since, until)
    if not found:
        return None
    codes, class_names, last_periods, counts, packs = (np.array(c, dtype=object) for c in zip(*found, strict=True))
    counts = counts.astype(np.int64)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # text that does not parse to its end must not pass silently
            packed = np.fromstring(",".join(packs), dtype=np.int64, sep=",")
    except (DeprecationWarning, ValueError):
        return None
    if len(packed) != counts.sum():
        return None
    # Each pupil's months in order and all of them September to June, as the scoring takes them (checked here,
    # once: the rows kept packed are read as they were written).
    month = packed >> 50
    if len(month) and month.max() > 12:
        return None
    position = indicators.month_position(month)
    if (position < 0).any():
        return None
    pupil_of_row = np.repeat(np.arange(len(codes)), counts)
    key = pupil_of_row * 16 + position
    if not (key[1:] > key[:-1]).all():  # SQLite gave a pupil's months out of order: put them in order
        packed = packed[np.lexsort((position, pupil_of_row))]
    return codes, class_names, last_periods, counts, packed


# --- a school year's rows kept packed (a table derived from attendance, models/core/changes.py) ------------

# Joins the texts of packed rows, here and in models/risk/history.py: never in a code, a class, a month or a
# level (each packer checks: a school year, or a generation, holding one is not packed).
PACKED_SEPARATOR = "\x1f"


def data_changed(db: sqlite_utils.Database, school_code: str, periods: tuple[str, ...] | None) -> None:
    """A writer changed the school's rows (inside its transaction): keep each touched school year's rows packed,
    so that its risk list reads one row instead of grouping a million (`_read_school_year`)."""
    months = store.months(db, school_code)
    latest = {SchoolYear.of_period(p).first_month: p for p in months}  # each school year's latest month
    years = set(latest) if periods is None else {SchoolYear.of_period(p).first_month for p in periods}
    if periods is None:
        store.delete_packed_years(db, school_code)  # every year, those left without months too
    else:
        for since in years:
            store.delete_packed_years(db, school_code, since)
    stamp = data_stamp(db, school_code)
    for since in sorted(years):
        until = latest.get(since)
        # Summer months or hours the packing cannot carry: the list reads the rows (see `_scored`).
        if until is None or not _school_months_only(months, since, until):
            continue
        rows = _packed_rows(db, school_code, since, until)
        if rows is None:
            continue
        codes, class_names, last_periods, counts, packed = rows
        texts = [PACKED_SEPARATOR.join(column.tolist()) for column in (codes, class_names, last_periods)]
        if any(PACKED_SEPARATOR in value for column in (codes, class_names) for value in column.tolist()) or \
                counts.max() > 255:
            continue
        store.insert_packed_year(db, school_code, since, stamp, *texts, counts.astype("<u1").tobytes(),
                                 packed.astype("<i8").tobytes())


def _kept_rows(db: sqlite_utils.Database, school_code: str, since: str, stamp: str) -> tuple | None:
    """`_packed_rows` of a whole school year as kept by `data_changed`; None when not kept for this data stamp."""
    row = store.packed_year(db, school_code, since)
    if row is None or row[0] != stamp:
        return None
    codes, class_names, last_periods = (np.array(text.split(PACKED_SEPARATOR), dtype=object) for text in row[1:4])
    return (codes, class_names, last_periods, np.frombuffer(row[4], dtype="<u1").astype(np.int64),
            np.frombuffer(row[5], dtype="<i8"))


def _school_months_only(months: list[str], since: str, until: str) -> bool:
    """The months the importer wrote (always YYYY-MM) stand for the rows' months: none of them in summer."""
    return all(re.fullmatch(r"\d{4}-(0[1-6]|09|1[0-2])", p) for p in months if since <= p <= until)


def _read_school_year(db: sqlite_utils.Database, school_code: str, until: str, months: list[str],
                      classes: tuple[str, ...] | None,
                      stamp: str | None = None) -> tuple[indicators.MonthlyRows, str] | None:
    """The school year of `until`, up to it, grouped by pupil in primary-key order; None: read the frame.

    One row per pupil (its code, the class of its last month, its rows packed as text) instead of a
    Python tuple per month: building a million tuples and floats costs more than the whole scoring. The
    year's latest month reads the rows kept packed for the school's data `stamp` (`data_changed`), if any.
    Returns the rows and the list's month (`until`, or a teacher's pupils' latest month).
    """
    since = SchoolYear.of_period(until).first_month
    if not _school_months_only(months, since, until):
        return None
    latest_of_year = max(p for p in months if SchoolYear.of_period(p).first_month == since)
    whole_year = until == latest_of_year and (classes is None or until == months[-1])
    with _read_transaction(db):  # several SELECTs on one snapshot
        found = _kept_rows(db, school_code, since, stamp) if whole_year and stamp is not None else None
        if found is None:
            found = _packed_rows(db, school_code, since, until)
        latest = None
        if found is not None and classes is not None and until != months[-1]:
            # a teacher's pupils: by their latest class, any month
            latest = {code: class_name for code, class_name, _ in store.latest_classes(db, school_code, since)}
    if found is None:
        return None
    codes, class_names, last_periods, counts, packed = found
    if classes is not None:
        current = class_names if latest is None else np.array([latest[c] for c in codes.tolist()], dtype=object)
        mine = np.isin(current, np.array(classes, dtype=object))
        row_mask = np.repeat(mine, counts)
        codes, class_names, last_periods, counts, packed = (codes[mine], class_names[mine], last_periods[mine],
                                                           counts[mine], packed[row_mask])
        if not len(codes):
            return None  # nobody: the frame path says so as it always has
        if until == months[-1]:
            until = max(last_periods.tolist())
    late = (packed >> 40) & 1023
    rows = indicators.MonthlyRows(
        pupil_codes=codes, class_names=class_names, counts=counts, month=(packed >> 50).astype(np.uint8),
        scheduled=((packed >> 20) & 0xFFFFF) / 10.0, absent=(packed & 0xFFFFF) / 10.0,
        late=np.where(late == 1023, 0, late).astype(float), late_known=late != 1023)
    return rows, until


@contextmanager
def _read_transaction(db: sqlite_utils.Database):
    """Several SELECTs on one snapshot: an import committed between them must not mix two states."""
    store.savepoint(db, "risk_read")
    try:
        yield
    finally:
        store.release(db, "risk_read")


def subject_hours(db: sqlite_utils.Database, actor: Actor, school_code: str, pupil_code: str) -> pd.DataFrame:
    """A pupil's lesson and absence hours per subject and month, when the school imported a per-subject report
    (empty otherwise): period, subject, scheduled_hours, absence_hours."""
    require_pupil(db, actor, school_code, pupil_code)
    return pd.DataFrame(store.subject_hours(db, school_code, pupil_code),
                        columns=["period", "subject", "scheduled_hours", "absence_hours"])


def visible_pupils(db: sqlite_utils.Database, actor: Actor, school_code: str) -> dict[str, str]:
    """{pupil code: current class} of the latest school year with data, as far as the actor may see."""
    months = periods(db, actor, school_code)
    if not months:
        return {}
    since = SchoolYear.of_period(months[-1]).first_month
    rows = store.latest_classes(db, school_code, since)
    classes = teacher_classes(db, actor)
    return {code: class_name for code, class_name, _ in rows if classes is None or class_name in classes}
