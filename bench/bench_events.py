"""Day-by-day events: import of 1,000,000 events (a region's month or two) against a floor in the same run.

The floor is what any import must do at least: a bare `pandas.read_csv` of the file plus a bare
`sqlite3` `executemany` of the same rows. Ours also checks every cell, stores the events and
derives the monthly rows over the regional calendar; the target is at most 2 x the floor.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bench.harness import Result, ingest_in_child
from models.core import db as database
from models.demo import demo

EVENTS = 1_000_000
PER_PUPIL = 20
ROOT = Path(__file__).resolve().parent.parent



def events_csv(events: int = EVENTS, seed: int = 3) -> bytes:
    """A register's event list: each pupil has PER_PUPIL events on distinct school days of Oct-Nov 2025."""
    rng = np.random.default_rng(seed)
    days = pd.bdate_range("2025-10-01", "2025-11-28")
    pupils = events // PER_PUPIL
    chosen = np.argsort(rng.random((pupils, len(days))), axis=1)[:, :PER_PUPIL].ravel()
    kind = rng.choice(np.array(["A", "R", "U"]), size=events, p=[0.6, 0.25, 0.15])
    hours = np.where(kind == "A", rng.choice(np.array(["", "5", "6"]), size=events),
                     np.where(kind == "R", "1", "2"))
    frame = pd.DataFrame({
        "Codice alunno": np.repeat(np.array([f"R{n:07d}" for n in range(pupils)], dtype=object), PER_PUPIL),
        "Classe": np.repeat(rng.choice(np.array(["1A", "2B", "3C", "4D", "5E"]), pupils), PER_PUPIL),
        "Data": np.asarray(days.strftime("%d/%m/%Y"))[chosen],
        "Evento": kind, "Ore": hours, "Giustificata": rng.choice(np.array(["SI", "NO"]), size=events),
    })
    return frame.to_csv(sep=";", index=False).encode("utf-8")


def _floor(csv_path: Path, db_path: Path) -> float:
    start = time.perf_counter()
    frame = pd.read_csv(csv_path, sep=";", decimal=",", dtype=str, keep_default_na=False)
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE t (a TEXT, b TEXT, c TEXT, d TEXT, e TEXT, f TEXT)")
    with conn:
        conn.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)", frame.itertuples(index=False, name=None))
    conn.close()
    return time.perf_counter() - start


def run() -> list[Result]:
    tmp = Path(tempfile.mkdtemp())
    csv_path = tmp / "eventi.csv"
    csv_path.write_bytes(events_csv())
    db_path = tmp / "approdo.db"
    db = database.connect(db_path)
    demo.install_demo(db, with_protocols=False, with_pupils=False)
    db.conn.close()
    ours, peak_mb, kind, rows = ingest_in_child(db_path, csv_path)
    assert kind == "events" and rows == EVENTS, (kind, rows)
    floor = min(_floor(csv_path, tmp / f"floor{n}.db") for n in range(2))
    return [Result(f"ingest {EVENTS:,} day-by-day events (peak {peak_mb:.0f} MB)".replace(",", "."), ours, floor,
                   "bare read_csv + sqlite3 executemany", target_ratio=2.0)]


if __name__ == "__main__":
    from bench.harness import report

    report(run())
