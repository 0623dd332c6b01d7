"""Pupil data: ingest of 1 M attendance rows and scoring, each against a floor measured in the same run."""

from __future__ import annotations

import json
import sqlite3
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bench.harness import Result, best_of, ingest_in_child
from models.core import db as database
from models.core.permissions import Actor
from models.core.school_year import SchoolYear
from models.demo import demo, synthetic
from models.risk import indicators, school_risk

PUPILS = 100_000
REGION = 1_400_000
ROOT = Path(__file__).resolve().parent.parent



def _floor_ingest(csv_path: Path, db_path: Path) -> float:
    start = time.perf_counter()
    frame = pd.read_csv(csv_path, sep=";", decimal=",")
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE t (a TEXT, b TEXT, c TEXT, d REAL, e REAL, f INTEGER, g INTEGER)")
    with conn:
        conn.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)", frame.itertuples(index=False, name=None))
    conn.close()
    return time.perf_counter() - start


def _region_frame(pupils: int, rng) -> pd.DataFrame:
    """A region's worth of monthly rows, made directly with numpy (the generator is for realism, not bulk)."""
    months = [f"{2025 + (m < 9):04d}-{m:02d}" for m in synthetic.MONTHS]
    codes = np.repeat(np.array([f"R{n:07d}" for n in range(pupils)], dtype=object), len(months))
    sched = rng.uniform(80, 140, pupils * len(months)).round()
    return pd.DataFrame({"pupil_code": codes, "class_name": np.repeat(rng.choice(["1A", "2B", "3C"], pupils), 10),
                         "period": np.tile(months, pupils), "scheduled_hours": sched,
                         "absence_hours": (sched * rng.beta(1.2, 12, len(sched))).round(1),
                         "late_entries": rng.poisson(0.5, len(sched)), "early_exits": rng.poisson(0.3, len(sched))})


def run() -> list[Result]:
    tmp = Path(tempfile.mkdtemp())
    cohort = synthetic.generate("secondaria_secondo_grado", PUPILS, [SchoolYear(2025)], seed=9)
    csv_path = tmp / "frequenze.csv"
    csv_path.write_bytes(synthetic.attendance_csv(cohort))
    rows = len(cohort.attendance)

    db_path = tmp / "approdo.db"
    db = database.connect(db_path)
    demo.install_demo(db, with_protocols=False, with_pupils=False)
    db.conn.close()
    ours_ingest, peak_mb, _, _ = ingest_in_child(db_path, csv_path)
    floor_ingest = min(_floor_ingest(csv_path, tmp / f"floor{n}.db") for n in range(2))

    # Scoring 100 k pupils end to end: read from the database, indicators, levels, reasons.
    db = database.connect(db_path)

    system = Actor.system("bench")

    def ours_score():  # the same path as the page and the CLI, access log included
        school_risk.school_risk(db, system, "MIIS00003C", channel="bench")

    def floor_read():
        db.execute("SELECT pupil_code, class_name, period, scheduled_hours, absence_hours, late_entries,"
                   " early_exits FROM attendance WHERE school_code = 'MIIS00003C'").fetchall()

    score_s, read_s = best_of(ours_score, 3), best_of(floor_read, 3)

    region = _region_frame(REGION, np.random.default_rng(1))
    start = time.perf_counter()
    indicators.score(region, None, level="secondaria_secondo_grado", annual_hours=1056)
    region_s = time.perf_counter() - start
    region_floor = best_of(lambda: region.groupby("pupil_code")["absence_hours"].sum(), 1)

    (tmp / "ingest.json").write_text(json.dumps({"rows": rows, "peak_mb": peak_mb}))
    return [
        Result(f"ingest {rows:,} attendance rows (peak {peak_mb:.0f} MB)".replace(",", "."), ours_ingest,
               floor_ingest, "bare read_csv + sqlite3 executemany", target_ratio=2.0),
        Result(f"score {PUPILS:,} pupils from the database".replace(",", "."), score_s, read_s,
               "bare SELECT of the same rows (target < 2 s)"),
        Result(f"score {REGION:,} pupils in memory (region)".replace(",", "."), region_s, region_floor,
               "one pandas groupby-sum (target < 30 s)"),
    ]


