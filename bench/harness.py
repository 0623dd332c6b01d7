"""The harness: ours and its floor measured in turns, checked for the same answer, with the machine's load noted.

Every pair goes through `best_of_pair`: the two sides alternate (who goes first alternates too), each run starts
after a full collection with the collector paused until it ends (the same GC state for both), and the answers of
the first round must agree (`same`) before any time counts. A side that memory or warm caches could favour runs
in its own child process (`in_child`): its time is measured there, around the work alone. `row` records the load
average at the start and end of a row and reruns the row when the load moved by more than `LOAD_MOVED` meanwhile.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import pickle
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

RESULTS_FILE = Path(__file__).resolve().parent / "results.json"
ROOT = Path(__file__).resolve().parent.parent
LOAD_MOVED = 1.0  # a row whose 1-minute load average moved more than this is not "ok"
RERUNS = 2  # how many times such a row is measured again


@dataclass
class Result:
    name: str
    ours_s: float
    floor_s: float
    floor: str
    target_ratio: float | None = None
    errors: int | None = None  # for load runs: errors users saw, which must be none
    limit_s: float | None = None  # a target in seconds rather than (or besides) a ratio
    load_start: float | None = None  # the 1-minute load average when the row began and ended
    load_end: float | None = None
    loads_itself: bool = False  # a crowd of browsers: the load it raises is what it measures, not a disturbance

    @property
    def ratio(self) -> float:
        return self.ours_s / self.floor_s if self.floor_s else float("inf")

    @property
    def load_moved(self) -> bool:
        return (not self.loads_itself and self.load_start is not None and self.load_end is not None
                and abs(self.load_end - self.load_start) > LOAD_MOVED)

    @property
    def verdict(self) -> str:
        if self.errors:
            return f"{self.errors} ERRORI"
        if self.target_ratio is None and self.limit_s is None:
            return "0 errori" if self.errors == 0 else ""
        met = ((self.target_ratio is None or self.ratio <= self.target_ratio)
               and (self.limit_s is None or self.ours_s <= self.limit_s))
        if self.load_moved:  # a ratio taken while the machine changed is no evidence either way
            return "CARICO"
        return "ok" if met else "OLTRE"

    @property
    def target(self) -> str:
        parts = ([f"{self.target_ratio:.1f}x"] if self.target_ratio else []) + (
            [f"<{self.limit_s:g}s"] if self.limit_s else [])
        return " ".join(parts) or "-"

    @property
    def load(self) -> str:
        return "-" if self.load_start is None else f"{self.load_start:.1f}>{self.load_end:.1f}"


def load_average() -> float:
    return os.getloadavg()[0]


@dataclass
class Measured:
    """What a side run in a child process returns: the seconds of its work alone, its answer, its peak."""

    seconds: float
    answer: object
    peak_mb: float


def _timed(function: Callable[[], object]) -> tuple[float, object]:
    """Seconds and return value of one run, after a full collection and with the collector paused."""
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        value = function()
        seconds = time.perf_counter() - start
    finally:
        if enabled:
            gc.enable()
    if isinstance(value, Measured):
        return value.seconds, value.answer
    return seconds, value


def equal(ours: object, floor: object) -> None:
    assert ours == floor, f"ours and the floor differ: {str(ours)[:300]} != {str(floor)[:300]}"


def best_of_pair(ours: Callable[[], object], floor: Callable[[], object], repeat: int = 3,
                 same: Callable[[object, object], None] = equal) -> tuple[float, float]:
    """The fastest run of each side, run in turns (who goes first alternates), the same number of times, in the
    same GC state; `same(ours's answer, the floor's answer)` must pass on the first round before anything counts.
    A side returning a `Measured` (see `in_child`) is timed by its child."""
    times: tuple[list[float], list[float]] = ([], [])
    sides = ((0, ours), (1, floor))
    for round_ in range(repeat):
        answers: list[object] = [None, None]
        for side, function in (sides if round_ % 2 == 0 else sides[::-1]):
            seconds, answers[side] = _timed(function)
            times[side].append(seconds)
        if round_ == 0:
            same(*answers)
        answers.clear()
    return min(times[0]), min(times[1])


def row(name: str, measure: Callable[[], tuple[float, float]], floor: str, **targets) -> Result:
    """A row of the table: `measure` gives (ours, floor) seconds; rerun (at most RERUNS times) while the load
    average moved by more than LOAD_MOVED during it. The load at start and end is printed and kept."""
    for attempt in range(RERUNS + 1):
        start = load_average()
        print(f"  {name}: carico all'inizio {start:.2f}", flush=True)
        ours_s, floor_s = measure()
        result = Result(name, ours_s, floor_s, floor, load_start=start, load_end=load_average(), **targets)
        print(f"  {name}: {ours_s:.3f} s / {floor_s:.3f} s = {result.ratio:.2f}x, carico alla fine "
              f"{result.load_end:.2f} ({result.load})"
              + (" (il carico si è mosso: si ripete)" if result.load_moved and attempt < RERUNS else ""), flush=True)
        if not result.load_moved:
            break
    return result


def report(results: list[Result]) -> Path:
    header = (f"{'benchmark':<44} {'ours':>10} {'floor':>10} {'ratio':>7} {'target':>9} {'met':>9} {'load':>9}"
              "  floor is")
    print(header)
    print("-" * len(header))
    for r in results:
        print(f"{r.name:<44} {r.ours_s * 1000:>8.2f}ms {r.floor_s * 1000:>8.2f}ms "
              f"{r.ratio:>6.2f}x {r.target:>9} {r.verdict or '-':>9} {r.load:>9}  {r.floor}")
    path = RESULTS_FILE
    path.write_text(json.dumps({
        "machine": {"python": platform.python_version(), "processor": platform.machine(), "cores": os.cpu_count()},
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "results": [{**asdict(r), "ratio": r.ratio, "met": r.verdict} for r in results],
    }, indent=2))
    print(f"\nJSON: {path}")
    return path


# --- a side in its own process ----------------------------------------------------------------------------


def in_child(target: str, *args: object) -> Measured:
    """Run `module:function(*args)` in a fresh Python process. The function sets up (untimed) and returns
    `(work, answer)`: `work()` is timed alone, with the collector paused as in `best_of_pair`, then
    `answer(work's value)` is sent back. Peak memory is the child's VmHWM (ru_maxrss carries the parent's over)."""
    with tempfile.TemporaryDirectory(prefix="approdo-bench-") as folder:
        out = Path(folder) / "answer.pickle"
        subprocess.run([sys.executable, "-m", "bench.harness", target, json.dumps([str(a) for a in args]),  # noqa: S603
                        str(out)], cwd=ROOT, check=True)
        seconds, answer, peak_mb = pickle.loads(out.read_bytes())  # noqa: S301 - our own child's file
    return Measured(seconds, answer, peak_mb)


def _child(target: str, args: list[str], out: Path) -> None:
    module, name = target.split(":")
    work, answer = getattr(importlib.import_module(module), name)(*args)
    seconds, value = _timed(work)
    peak_mb = next(int(line.split()[1]) for line in open("/proc/self/status")  # noqa: SIM115
                   if line.startswith("VmHWM:")) / 1024
    out.write_bytes(pickle.dumps((seconds, answer(value), peak_mb)))


if __name__ == "__main__":  # the child of `in_child`: python -m bench.harness module:function '["args"]' out
    _child(sys.argv[1], json.loads(sys.argv[2]), Path(sys.argv[3]))
