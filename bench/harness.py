"""A tiny harness: time a callable (best of N), compare it with its floor, collect rows."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

RESULTS_FILE = Path(__file__).resolve().parent / "results.json"


@dataclass
class Result:
    name: str
    ours_s: float
    floor_s: float
    floor: str
    target_ratio: float | None = None
    errors: int | None = None  # for load runs: errors users saw, which must be none
    limit_s: float | None = None  # a target in seconds rather than (or besides) a ratio

    @property
    def ratio(self) -> float:
        return self.ours_s / self.floor_s if self.floor_s else float("inf")

    @property
    def verdict(self) -> str:
        if self.errors:
            return f"{self.errors} ERRORI"
        if self.target_ratio is None and self.limit_s is None:
            return "0 errori" if self.errors == 0 else ""
        met = ((self.target_ratio is None or self.ratio <= self.target_ratio)
               and (self.limit_s is None or self.ours_s <= self.limit_s))
        return "ok" if met else "OLTRE"

    @property
    def target(self) -> str:
        parts = ([f"{self.target_ratio:.1f}x"] if self.target_ratio else []) + (
            [f"<{self.limit_s:g}s"] if self.limit_s else [])
        return " ".join(parts) or "-"


def best_of(function: Callable[[], object], repeat: int = 5) -> float:
    """The fastest of `repeat` runs: the least disturbed by a noisy machine."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def best_of_pair(ours: Callable[[], object], floor: Callable[[], object], repeat: int = 3) -> tuple[float, float]:
    """`best_of` for a measure and its floor, run in turns: both see the machine in the same states."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for function, kept in ((ours, times[0]), (floor, times[1])):
            start = time.perf_counter()
            function()
            kept.append(time.perf_counter() - start)
    return min(times[0]), min(times[1])


def report(results: list[Result]) -> Path:
    header = f"{'benchmark':<44} {'ours':>10} {'floor':>10} {'ratio':>7} {'target':>9} {'met':>9}  floor is"
    print(header)
    print("-" * len(header))
    for r in results:
        print(f"{r.name:<44} {r.ours_s * 1000:>8.2f}ms {r.floor_s * 1000:>8.2f}ms "
              f"{r.ratio:>6.2f}x {r.target:>9} {r.verdict or '-':>9}  {r.floor}")
    path = RESULTS_FILE
    path.write_text(json.dumps({
        "machine": {"python": platform.python_version(), "processor": platform.machine()},
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "results": [{**asdict(r), "ratio": r.ratio, "met": r.verdict} for r in results],
    }, indent=2))
    print(f"\nJSON: {path}")
    return path


_INGEST = """
import sys, time
from models.core import db as database
from models.core.permissions import Actor
from models.pupils import importing
db = database.connect(sys.argv[1])
data = open(sys.argv[2], "rb").read()
start = time.perf_counter()
summary = importing.import_attendance(db, Actor.system("bench"), "MIIS00003C", data, sys.argv[3])
# VmHWM, not ru_maxrss: Linux carries the parent's resident size over fork + exec into
# ru_maxrss, so a bench parent holding 5 GB made every child "peak" at 5 GB.
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:")) / 1024
print(time.perf_counter() - start, peak, summary.kind, summary.rows)
"""


def ingest_in_child(db_path: Path, csv_path: Path) -> tuple[float, float, str, int]:
    """Import a register file into the demo school in a fresh process: seconds, peak MB, layout, rows."""
    out = subprocess.run([sys.executable, "-c", _INGEST, str(db_path), str(csv_path), csv_path.name],  # noqa: S603
                         cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True, check=True)
    seconds, peak_mb, kind, rows = out.stdout.split()
    return float(seconds), float(peak_mb), kind, int(rows)
