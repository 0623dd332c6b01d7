"""Day-by-day events: import of 1,000,000 events (a region's month or two) against a floor, in turns.

The floor is what any import must do at least: a bare `pandas.read_csv` of the file plus a bare
`sqlite3` `executemany` of the same rows with the collector paused, each side in its own process. Ours also
checks every cell, stores the events and derives the monthly rows over the regional calendar; both must store
the same events, pupils and absences. The target is at most 2 x the floor.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from bench import bench_pupils
from bench.harness import Result, row

EVENTS = 1_000_000
PER_PUPIL = 20
RUNS = 3


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


def run() -> list[Result]:
    tmp = Path(tempfile.mkdtemp())
    csv_path = tmp / "eventi.csv"
    csv_path.write_bytes(events_csv())
    db_path = bench_pupils.empty_database(tmp / "approdo.db")
    peaks: list[float] = []
    result = row(f"importazione di {EVENTS:,} eventi giorno per giorno".replace(",", "."),
                 lambda: bench_pupils.ingest(db_path, csv_path, "events", RUNS, peaks),
                 "read_csv + executemany, GC in pausa (ognuno nel suo processo)", target_ratio=2.0)
    result.name += f" (picco {max(peaks):.0f} MB)"
    return [result]
