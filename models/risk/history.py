"""Every pupil's level month by month, computed when the data arrive and only read by the network figures.

Scoring a school as of each month of a year is ten scorings per school; a network of forty schools
would wait seconds for its dashboard. So the levels are computed when a school's data change, inside
the writer's transaction (`models/core/changes.py`): an import recomputes the months it touched and
those after them in the same school year, nothing else. A page view only reads.

Levels live in generations. Readers see each school's live generation (`level_generations`). A change
of a network's thresholds queues a job (`rules.set_network_rules`); the job writes every school's
levels into a new generation (numbered by the job) and switches all the network's schools to it in
one transaction: readers see the old levels whole until then, the new ones whole after. A job is
idempotent and resumable: a school already written from the same data is not computed again, and a
job whose runner stopped (a server restart) is taken up by the next `resume`.

The live generation carries the data stamp it was computed from. Should a writer ever change data
without telling, the next read recomputes that school rather than show stale levels (`fallbacks`
counts those; the tests keep it at zero after imports and rules changes).

Internal to `models/`: callers check who may see what, and nothing here leaves the server unaggregated.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pandas as pd
import sqlite_utils

from models.core import clock
from models.core import db as database
from models.core.db import transaction
from models.core.school_year import SchoolYear
from models.risk import indicators, store
from models.risk.rules import network_rules, rules_from_json, rules_json
from models.risk.school_risk import (
    PACKED_SEPARATOR,
    data_stamp,
    database_file,
    load_attendance,
    load_context,
    scoring_setup,
)

COLUMNS = ["period", "pupil_code", "class_name", "level", "absence_ratio"]
HEARTBEAT = timedelta(seconds=60)  # a runner writes after each school; one silent this long has stopped
ACTIVE = ("in_attesa", "in_corso")
LOG = logging.getLogger(__name__)

fallbacks = 0  # reads that had to recompute (data changed without `changes.pupil_data_changed`)


@dataclass(frozen=True)
class Live:
    generation: int
    stamp: str
    rules: indicators.Rules


def _live(db: sqlite_utils.Database, school_code: str) -> Live | None:
    row = store.live_generation(db, school_code)
    return Live(row[0], row[1], rules_from_json(row[2])) if row else None


# --- computing and writing ---------------------------------------------------------------------


def _compute(db: sqlite_utils.Database, school_code: str, rules: indicators.Rules,
             months: Iterable[str] | None = None) -> pd.DataFrame:
    """The levels of every month with data (or of `months` only), with the given thresholds."""
    wanted = None if months is None else sorted(months)
    if wanted == []:
        return pd.DataFrame(columns=COLUMNS)
    setup = scoring_setup(db, school_code)
    # A month's level reads only its own school year: load from the first year asked for.
    since = SchoolYear.of_period(wanted[0]).first_month if wanted else None
    attendance = load_attendance(db, school_code, since=since)
    context = load_context(db, school_code)
    present = sorted(attendance["period"].unique())
    frames = []
    for period in present if wanted is None else sorted(set(wanted) & set(present)):
        scored = indicators.score(attendance, context, level=setup.level, as_of=period, rules=rules,
                                  reasons=False, **setup.hours)  # levels and ratios only: no sentences
        scored = scored[~scored["stale"]]  # a month counts only the pupils with data in it
        frames.append(pd.DataFrame({"period": period, "pupil_code": scored["pupil_code"],
                                    "class_name": scored["class_name"], "level": scored["level"],
                                    "absence_ratio": scored["absence_ratio"]}))
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(frames, ignore_index=True)


def _affected_months(db: sqlite_utils.Database, school_code: str, periods: Iterable[str]) -> list[str]:
    """Months whose level reads a changed month: it and the later months of its school year."""
    touched = [(SchoolYear.of_period(p), p) for p in periods]
    months = store.months(db, school_code)
    return sorted({m for m in months if any(SchoolYear.of_period(m) == year and p <= m for year, p in touched)}
                  | {p for _, p in touched})


def _write(db: sqlite_utils.Database, school_code: str, generation: int, frame: pd.DataFrame,
           months: list[str] | None = None) -> None:
    """Replace a generation's levels of a school (all of them, or of `months`): inside the caller's transaction."""
    if months is None or months:
        store.delete_levels(db, school_code, generation, months)
    # In primary-key order: SQLite appends to its B-tree instead of splitting pages all over it.
    frame = frame.sort_values(["period", "pupil_code"], kind="mergesort")
    columns = [frame[c].tolist() for c in COLUMNS]
    records = zip([school_code] * len(frame), [generation] * len(frame), *columns, strict=True)
    store.insert_levels(db, records)
    # The frame is the whole generation when no months are named: packed from it, in _read_rows's order.
    _pack(db, school_code, generation, columns if months is None else None)


def _read_rows(db: sqlite_utils.Database, school_code: str, generation: int) -> list[tuple]:
    """The generation's rows as columns (period, pupil_code, class_name, level, absence_ratio), in order."""
    with indicators.paused_gc():  # a tuple per row: no collection while they come
        rows = store.levels(db, school_code, generation)
        return list(zip(*rows, strict=True)) if rows else [(), (), (), (), ()]


def _pack(db: sqlite_utils.Database, school_code: str, generation: int, rows: list | None = None) -> None:
    """Rewrite the generation's packed row from its rows (inside the writer's transaction): `rows` as
    `_read_rows` gives them, when the caller holds them already."""
    store.delete_packed_levels(db, school_code, generation)
    periods, pupils, classes, levels, ratios = rows if rows is not None else _read_rows(db, school_code, generation)
    distinct = [sorted(set(column)) for column in (periods, classes, levels)]
    if (any(len(names) > 65_535 for names in distinct)
            or any(PACKED_SEPARATOR in value for value in (*pupils, *distinct[0], *distinct[1], *distinct[2]))):
        return
    indexes = np.empty((len(pupils), 3), dtype="<u2")
    for position, (column, names) in enumerate(zip((periods, classes, levels), distinct, strict=True)):
        number = {name: n for n, name in enumerate(names)}
        indexes[:, position] = [number[value] for value in column]
    joined = [PACKED_SEPARATOR.join(column) for column in (distinct[0], pupils, distinct[1], distinct[2])]
    store.insert_packed_levels(db, school_code, generation, len(pupils), *joined, indexes.tobytes(),
                               np.asarray(ratios, dtype="<f8").tobytes())


def _unpack(db: sqlite_utils.Database, school_code: str, generation: int) -> list | None:
    """The columns of `_read_rows` from the packed row; None if the generation has none."""
    row = store.packed_levels(db, school_code, generation)
    if row is None:
        return None
    count, periods, pupils, classes, levels, indexes, ratios = row
    if not count:
        return [(), (), (), (), ()]
    indexes = np.frombuffer(indexes, dtype="<u2").reshape(count, 3)
    names = [np.array(text.split(PACKED_SEPARATOR), dtype=object) for text in (periods, classes, levels)]
    return [names[0][indexes[:, 0]], pupils.split(PACKED_SEPARATOR), names[1][indexes[:, 1]], names[2][indexes[:, 2]],
            np.frombuffer(ratios, dtype="<f8")]


def _set_live(db: sqlite_utils.Database, school_code: str, generation: int, stamp: str,
              rules: indicators.Rules) -> None:
    store.set_live_generation(db, school_code, generation, stamp, rules_json(rules))


def data_changed(db: sqlite_utils.Database, school_code: str, periods: tuple[str, ...] | None) -> None:
    """A writer changed the school's data (inside its transaction, through `changes.pupil_data_changed`): bring
    the live levels up to date."""
    live = _live(db, school_code)
    if live is None:  # the school's first data: every month, with the network's thresholds
        rules, generation, months = network_rules(db, store.school_network(db, school_code)), 0, None
    else:  # the thresholds of the live generation, so that its months stay of one kind
        rules, generation = live.rules, live.generation
        months = None if periods is None else _affected_months(db, school_code, periods)
    _write(db, school_code, generation, _compute(db, school_code, rules, months), months)
    _set_live(db, school_code, generation, data_stamp(db, school_code), rules)



# --- reading ---------------------------------------------------------------------------------


def _fresh(db: sqlite_utils.Database, school_code: str) -> tuple[Live | None, str]:
    """The school's live generation and data stamp; recomputed first only if data changed without telling."""
    global fallbacks
    live, stamp = _live(db, school_code), data_stamp(db, school_code)
    if live is not None and live.stamp == stamp:
        return live, stamp
    if live is None and not store.has_months(db, school_code):
        return None, stamp  # no data, nothing to compute
    fallbacks += 1
    LOG.warning("Storico dei livelli di %s calcolato alla lettura: non era ancora conservato (un database di prima "
                "che lo fosse) o i dati sono cambiati senza changes.pupil_data_changed.", school_code)
    with transaction(db):
        data_changed(db, school_code, None)
    return _live(db, school_code), data_stamp(db, school_code)


def level_columns(db: sqlite_utils.Database, school_code: str) -> dict[str, np.ndarray] | None:
    """The live generation's rows as numpy columns (period, pupil_code, class_name, level: objects; absence_ratio:
    float), in month then pupil order; None when the school has no data. Kept in memory like `level_history`;
    callers read the arrays, never change them, and may keep in "derived" what they compute from them alone."""
    found = _columns(db, school_code)
    return None if found is None else found[1]


def _columns(db: sqlite_utils.Database, school_code: str) -> tuple[tuple, dict[str, np.ndarray]] | None:
    """(the memo's key of the live generation and data stamp, `level_columns`)."""
    live, stamp = _fresh(db, school_code)
    if live is None:
        return None
    key = (database_file(db), school_code, live.generation, stamp)
    with _LOCK:
        if ("columns", *key) in _MEMO:
            return key, _MEMO[("columns", *key)]
    columns = _unpack(db, school_code, live.generation) or _read_rows(db, school_code, live.generation)
    # Plain Python strings: the figures make sets and groups of these columns many times per view, and
    # Arrow-backed strings box every value on the way (4x slower for the whole dashboard).
    found = {**{name: _objects(values) for name, values in zip(COLUMNS[:4], columns, strict=False)},
             "absence_ratio": np.array(columns[4], dtype=float),  # NULL: NaN
             "derived": {}}  # what callers work out from these columns alone: kept, and forgotten, with them
    with _LOCK:  # Streamlit runs sessions on several threads
        _keep(("columns", *key), found)
    return key, found


def _objects(values) -> np.ndarray:
    if isinstance(values, np.ndarray) and values.dtype == object:
        return values
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _keep(key: tuple, value) -> None:
    while len(_MEMO) >= _MEMO_SIZE:
        _MEMO.pop(next(iter(_MEMO)))
    _MEMO[key] = value


def level_history(db: sqlite_utils.Database, school_code: str) -> pd.DataFrame:
    """period, pupil_code, class_name, level, absence_ratio, school_year for every month with data.

    A read of the live generation, kept in memory under its generation and data stamp (so a stale copy
    cannot be returned). Callers read the frame, never change it in place.
    """
    found = _columns(db, school_code)
    if found is None:
        return pd.DataFrame(columns=[*COLUMNS, "school_year"])
    key, columns = found
    with _LOCK:
        if key in _MEMO:
            return _MEMO[key]
    frame = pd.DataFrame({**{name: pd.Series(columns[name], dtype=object) for name in COLUMNS[:4]},
                          "absence_ratio": columns["absence_ratio"]})
    years = {p: str(SchoolYear.of_period(p)) for p in frame["period"].unique()}  # a few months, not every row
    frame["school_year"] = frame["period"].map(years).astype(object)
    with _LOCK:  # Streamlit runs sessions on several threads
        _keep(key, frame)
    return frame


def levels_of(db: sqlite_utils.Database, school_codes: Iterable[str]) -> dict[str, pd.DataFrame]:
    """{school code: its level history}: what one page or report reads once and passes down."""
    return {code: level_history(db, code) for code in school_codes}


def levels_at(db: sqlite_utils.Database, school_code: str, period: str) -> dict[str, str]:
    """Each pupil's level as the list stood at a month: {pupil code: level} (internal: callers scope pupils)."""
    levels = level_history(db, school_code)
    at = levels[levels["period"] == period]
    return dict(zip(at["pupil_code"], at["level"], strict=True))


_MEMO: dict[tuple, pd.DataFrame] = {}
_MEMO_SIZE = 128  # a school's columns and its frame: two entries
_LOCK = threading.Lock()


# --- recomputing a network after a change of thresholds ------------------------------------------


@dataclass(frozen=True)
class Job:
    id: int
    network_code: str
    status: str  # in_attesa, in_corso, completato, sostituito, errore
    done: int
    total: int
    error: str | None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def share(self) -> float:
        return self.done / self.total if self.total else 0.0


def latest_job(db: sqlite_utils.Database, network_code: str) -> Job | None:
    """The network's last recompute, running or finished (no pupil data: counts of schools)."""
    row = store.latest_job(db, network_code)
    return Job(*row) if row else None


def _job(db: sqlite_utils.Database, job_id: int) -> Job:
    return Job(*store.job(db, job_id))


def _now() -> str:
    return clock.to_text(clock.utcnow())


def worker_name() -> str:
    """Who runs a job: this machine and process (an app process's thread, or `cli.py worker`)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _claim(db: sqlite_utils.Database, worker: str, job_id: int | None = None) -> int | None:
    """Take a job for `worker` in one statement (`store.claim_job`): `job_id`, or the oldest one free (waiting, or
    running with a runner silent for `HEARTBEAT`); its id, or None."""
    with transaction(db):
        return store.claim_job(db, worker, _now(), clock.to_text(clock.utcnow() - HEARTBEAT), job_id)


def _superseded(db: sqlite_utils.Database, job: Job, schools: list[str]) -> bool:
    """A later change of thresholds makes this job's work useless: drop it (inside a transaction)."""
    if store.newest_job_id(db, job.network_code) == job.id:
        return False
    for code in schools:
        store.delete_levels(db, code, job.id)
        store.delete_packed_levels(db, code, job.id)
    store.forget_staged(db, job.id)
    store.supersede_job(db, job.id, _now())
    return True


def run_job(db: sqlite_utils.Database, job_id: int,
            progress: Callable[[int, int], None] | None = None) -> Job:
    """Recompute a network's levels with the job's thresholds into generation `job_id`, then switch to it.

    Returns the job as it ended (or as another runner leaves it, when that runner is alive).
    """
    if _claim(db, worker_name(), job_id) is None:
        return _job(db, job_id)
    return _run_claimed(db, job_id, progress)


def run_waiting(db: sqlite_utils.Database, worker: str | None = None) -> list[Job]:
    """Run every job free to take, oldest first, until none is left (`cli.py worker`); the jobs as they ended."""
    done = []
    while (job_id := _claim(db, worker or worker_name())) is not None:
        done.append(_run_claimed(db, job_id))
    return done


def _run_claimed(db: sqlite_utils.Database, job_id: int, progress: Callable[[int, int], None] | None = None) -> Job:
    job = _job(db, job_id)
    rules = rules_from_json(store.job_rules(db, job_id))
    try:
        schools = store.network_schools(db, job.network_code)
        for done, code in enumerate(schools, start=1):
            stamp = data_stamp(db, code)  # before the read: data arriving meanwhile leave it behind
            frame = None if store.staged_stamp(db, job_id, code) == stamp else _compute(db, code, rules)
            with transaction(db):
                if _superseded(db, job, schools):
                    return _job(db, job_id)
                if frame is not None:
                    _write(db, code, job_id, frame)
                    store.stage_school(db, job_id, code, stamp)
                store.job_progress(db, job_id, done, len(schools), _now())
            if progress:
                progress(done, len(schools))
        with transaction(db):  # the switch: under the write lock, so no import slips in between
            schools = store.network_schools(db, job.network_code)
            if _superseded(db, job, schools):
                return _job(db, job_id)
            for code in schools:
                stamp = data_stamp(db, code)
                if store.staged_stamp(db, job_id, code) != stamp:  # data came in during the job
                    _write(db, code, job_id, _compute(db, code, rules))
                _set_live(db, code, job_id, stamp, rules)
                store.delete_other_generations(db, code, job_id)
            store.forget_staged(db, job_id)
            store.finish_job(db, job_id, len(schools), _now())
    except Exception as error:
        LOG.exception("Ricalcolo dei livelli n. %s non riuscito.", job_id)
        if db.conn.in_transaction:
            db.conn.rollback()
        with transaction(db):
            store.fail_job(db, job_id, f"{type(error).__name__}: {error}"[:500], _now())
    return _job(db, job_id)


def resume(db: sqlite_utils.Database, network_code: str) -> Job | None:
    """Start the network's waiting (or orphaned) job on a background thread; safe to call on every poll.

    The job is claimed here, in the database: a job that another thread, app process or `cli.py worker`
    runs is left to it. The thread has its own connection and outlives the page that started it.
    """
    job = latest_job(db, network_code)
    if job is None or not job.active or _claim(db, worker_name(), job.id) is None:
        return job
    path = database_file(db)

    def work() -> None:
        own = database.connect(path)
        try:
            _run_claimed(own, job.id)
        finally:
            own.conn.close()

    threading.Thread(target=work, name=f"approdo-levels-{job.id}", daemon=True).start()
    return _job(db, job.id)
