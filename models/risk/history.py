"""Every pupil's level month by month, kept as a cache for the network figures.

Scoring a school as of each month of a year is ten scorings per school; a
network of forty schools would wait seconds for its dashboard. The levels
are kept in `level_history` with a stamp of what they were computed from
(the school's imports and months, the network's thresholds, the timetable);
any change to those makes the next read recompute the school.

Internal to `models/`: callers check who may see what, and nothing here
leaves the server unaggregated.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict

import pandas as pd
import sqlite_utils

from models.core.db import transaction
from models.core.school_year import SchoolYear
from models.risk import indicators
from models.risk.rules import network_rules
from models.risk.school_risk import load_attendance, load_context, scoring_setup


def _stamp(db: sqlite_utils.Database, school_code: str) -> str:
    imports = db.execute("SELECT COALESCE(MAX(id), 0), COUNT(*) FROM imports WHERE school_code = ?",
                         [school_code]).fetchone()
    rows = db.execute("SELECT COALESCE(SUM(rows), 0) FROM attendance_months WHERE school_code = ?",
                      [school_code]).fetchone()[0]
    network, level, hours = db.execute("SELECT network_code, level, annual_hours FROM schools WHERE code = ?",
                                       [school_code]).fetchone()
    rules = asdict(network_rules(db, network))
    # "v2": months count only the pupils with data in them (older caches counted stopped pupils).
    return json.dumps(["v2", *imports, rows, level, hours, rules], sort_keys=True)


def _compute(db: sqlite_utils.Database, school_code: str) -> pd.DataFrame:
    setup = scoring_setup(db, school_code)
    attendance = load_attendance(db, school_code)
    context = load_context(db, school_code)
    frames = []
    for period in sorted(attendance["period"].unique()):
        scored = indicators.score(attendance, context, level=setup.level, annual_hours=setup.annual_hours,
                                  as_of=period, rules=setup.rules)
        scored = scored[~scored["stale"]]  # a month counts only the pupils with data in it
        frames.append(pd.DataFrame({"period": period, "pupil_code": scored["pupil_code"],
                                    "class_name": scored["class_name"], "level": scored["level"],
                                    "absence_ratio": scored["absence_ratio"]}))
    if not frames:
        return pd.DataFrame(columns=["period", "pupil_code", "class_name", "level", "absence_ratio"])
    return pd.concat(frames, ignore_index=True)


def level_history(db: sqlite_utils.Database, school_code: str) -> pd.DataFrame:
    """period, pupil_code, class_name, level, absence_ratio, school_year for every month with data.

    Recomputed when stale; kept in memory under its stamp, so the figures of one page (which ask for the
    same school several times) read it once. The stamp makes a stale copy impossible to return.
    """
    stamp = _stamp(db, school_code)
    key = (_database_file(db), school_code, stamp)
    with _LOCK:
        if key in _MEMO:
            return _MEMO[key]
    kept = db.execute("SELECT stamp FROM level_history_stamps WHERE school_code = ?", [school_code]).fetchone()
    if kept is None or kept[0] != stamp:
        fresh = _compute(db, school_code)
        with transaction(db):
            db.execute("DELETE FROM level_history WHERE school_code = ?", [school_code])
            db.conn.executemany(
                "INSERT INTO level_history (school_code, period, pupil_code, class_name, level, absence_ratio)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [(school_code, *row) for row in fresh.itertuples(index=False, name=None)])
            db.execute("INSERT OR REPLACE INTO level_history_stamps (school_code, stamp) VALUES (?, ?)",
                       [school_code, stamp])
    frame = pd.read_sql_query("SELECT period, pupil_code, class_name, level, absence_ratio FROM level_history"
                              " WHERE school_code = ? ORDER BY period, pupil_code", db.conn, params=[school_code])
    years = {p: str(SchoolYear.of_period(p)) for p in frame["period"].unique()}  # a few months, not every row
    frame["school_year"] = frame["period"].map(years)
    with _LOCK:  # Streamlit runs sessions on several threads
        while len(_MEMO) >= _MEMO_SIZE:
            _MEMO.pop(next(iter(_MEMO)))
        _MEMO[key] = frame
    return frame


def levels_at(db: sqlite_utils.Database, school_code: str, period: str) -> dict[str, str]:
    """Each pupil's level as the list stood at a month: {pupil code: level} (internal: callers scope pupils)."""
    levels = level_history(db, school_code)
    at = levels[levels["period"] == period]
    return dict(zip(at["pupil_code"], at["level"], strict=True))


_MEMO: dict[tuple, pd.DataFrame] = {}  # callers read the frames, never change them in place
_MEMO_SIZE = 64
_LOCK = threading.Lock()


def _database_file(db: sqlite_utils.Database) -> str:
    return db.execute("PRAGMA database_list").fetchone()[2]
