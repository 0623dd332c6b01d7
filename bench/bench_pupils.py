"""Pupil data: ingest of 1 M attendance rows and scoring, each against its tightest floor, in turns.

- Ingest: each side in its own process, on a fresh copy of the database: ours (`import_attendance`) against a
  bare `read_csv` + `executemany` with the collector paused. Both must store the same rows, pupils and hours.
- Scoring 100,000 pupils from the database: ours (read, indicators, levels, reasons) against one SQL `GROUP BY`
  per pupil of the same school year; both must give every pupil the same absence ratio. Target 2.0x. The bare
  SELECT + fetchall of the rows (the earlier floor) is kept as a second row.
- Scoring 1.1 M pupils: each side in its own process (memory); under 15 s and 1 GB. The rows are written by
  SQLite, then kept packed as an import keeps them (see `big_school`).
- A region of 1.4 M pupils in memory against one pandas groupby-sum of the same hours: at most 6x.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from bench.harness import Measured, Result, best_of_pair, in_child, row
from models.core import db as database
from models.core.permissions import Actor
from models.core.school_year import SchoolYear
from models.demo import demo, synthetic
from models.pupils import importing
from models.risk import indicators, school_risk

PUPILS = 100_000
BIG = 1_100_000
BIG_SCHOOL = "MIRI00004D"  # the other upper secondary school of the demo network, empty in the bench database
SCHOOL = "MIIS00003C"
REGION = 1_400_000
RUNS = 3


# --- ingest: each side in a child (python -m bench.harness) -------------------------------------------------


_STORED = {  # what both sides must have stored: rows, pupils, and absence hours or absences
    "attendance": "SELECT COUNT(*), COUNT(DISTINCT pupil_code), ROUND(SUM(absence_hours), 1) FROM attendance",
    "events": "SELECT COUNT(*), COUNT(DISTINCT pupil_code), SUM(kind = 'assenza') FROM attendance_events",
}
_FLOOR_STORED = {"attendance": "SELECT COUNT(*), COUNT(DISTINCT a), ROUND(SUM(e), 1) FROM t",
                 "events": "SELECT COUNT(*), COUNT(DISTINCT a), SUM(d = 'A') FROM t"}


def ingest_ours(db_path: str, csv_path: str, kind: str = "attendance"):
    """Child side: our importer (it tells the layout from the file) on a fresh copy of the database."""
    copy = Path(tempfile.mkdtemp()) / "approdo.db"
    shutil.copy(db_path, copy)
    db = database.connect(copy)
    data = Path(csv_path).read_bytes()

    def stored(_summary) -> tuple:
        return db.execute(_STORED[kind] + " WHERE school_code = ?", [SCHOOL]).fetchone()

    return lambda: importing.import_attendance(db, Actor.system("bench"), SCHOOL, data, Path(csv_path).name), stored


def ingest_floor(csv_path: str, kind: str = "attendance"):
    """Child side: what any import does at least, a bare read_csv + executemany (the collector paused)."""
    conn = sqlite3.connect(Path(tempfile.mkdtemp()) / "floor.db")
    read = {"decimal": ","} if kind == "attendance" else {"dtype": str, "keep_default_na": False}

    def work() -> None:
        frame = pd.read_csv(csv_path, sep=";", **read)
        columns = len(frame.columns)
        conn.execute(f"CREATE TABLE t ({', '.join('abcdefg'[:columns])})")
        with conn:
            conn.executemany(f"INSERT INTO t VALUES ({', '.join('?' * columns)})",
                             frame.itertuples(index=False, name=None))

    return work, lambda _none: conn.execute(_FLOOR_STORED[kind]).fetchone()


def ingest(db_path: Path, csv_path: Path, kind: str = "attendance", runs: int = 3,
           peaks: list[float] | None = None) -> tuple[float, float]:
    """(ours, floor) seconds: each side in its own process, in turns; `peaks` gets our child's peak MB."""
    def ours() -> Measured:
        measured = in_child("bench.bench_pupils:ingest_ours", db_path, csv_path, kind)
        if peaks is not None:
            peaks.append(measured.peak_mb)
        return measured

    return best_of_pair(ours, lambda: in_child("bench.bench_pupils:ingest_floor", csv_path, kind), runs)


# --- scoring ----------------------------------------------------------------------------------------------


def school_year_of(db, school_code: str) -> tuple[str, str]:
    """The months the list is scored on: the school year of the latest month, up to it."""
    last = db.execute("SELECT MAX(period) FROM attendance_months WHERE school_code = ?", [school_code]).fetchone()[0]
    return SchoolYear.of_period(last).first_month, last


def score_ours(db, school_code: str):
    """Read and score, every time: the page keeps the scored list per data stamp, which is not measured here."""
    school_risk.forget_kept_lists()
    return school_risk.school_risk(db, Actor.system("bench"), school_code, channel="bench")


def score_floor(db, school_code: str, months: tuple[str, str]):
    """The floor: one SQL GROUP BY per pupil over the same school year, its absence ratio."""
    return db.execute("SELECT pupil_code, CASE WHEN SUM(scheduled_hours) > 0"
                      " THEN SUM(absence_hours) / SUM(scheduled_hours) ELSE 0 END FROM attendance"
                      " WHERE school_code = ? AND period >= ? AND period <= ? GROUP BY pupil_code",
                      [school_code, *months]).fetchall()


def bare_read(db, school_code: str) -> list:
    """The earlier floor: the same rows, the same columns, one SELECT + fetchall and nothing else."""
    return db.execute("SELECT pupil_code, class_name, period, scheduled_hours, absence_hours, late_entries,"
                      " early_exits FROM attendance WHERE school_code = ?", [school_code]).fetchall()


def ratios(answer) -> pd.Series:
    """Absence ratio by pupil code, in code order, from our list, the floor's rows or a ratio Series."""
    if isinstance(answer, school_risk.RiskList):
        answer = answer.pupils.set_index("pupil_code")["absence_ratio"]
    elif isinstance(answer, pd.DataFrame):
        answer = answer.set_index("pupil_code")["absence_ratio"]
    elif not isinstance(answer, pd.Series):
        answer = pd.Series(dict(answer), dtype=float)
    return answer.astype(float).sort_index()


def same_ratios(ours, floor) -> None:
    ours, floor = ratios(ours), ratios(floor)
    assert ours.index.equals(floor.index), f"pupils differ: {len(ours)} against {len(floor)}"
    largest = float(np.abs(ours.to_numpy() - floor.to_numpy()).max()) if len(ours) else 0.0
    assert largest < 1e-9, f"absence ratios differ by up to {largest}"


def same_rows(ours, floor) -> None:
    """Ours scored every pupil of the rows the bare read returned."""
    assert len(ours.pupils) == len({r[0] for r in floor}), (len(ours.pupils), len(floor))


def score_ours_child(db_path: str, school_code: str):
    db = database.connect(db_path)
    return lambda: score_ours(db, school_code), ratios


def score_floor_child(db_path: str, school_code: str):
    db = database.connect(db_path)
    months = school_year_of(db, school_code)
    return lambda: score_floor(db, school_code, months), ratios


# --- a region in memory -----------------------------------------------------------------------------------


def region_frame(pupils: int, rng) -> pd.DataFrame:
    """A region's worth of monthly rows, made directly with numpy (the generator is for realism, not bulk)."""
    months = [f"{2025 + (m < 9):04d}-{m:02d}" for m in synthetic.MONTHS]
    codes = np.repeat(np.array([f"R{n:07d}" for n in range(pupils)], dtype=object), len(months))
    sched = rng.uniform(80, 140, pupils * len(months)).round()
    return pd.DataFrame({"pupil_code": codes, "class_name": np.repeat(rng.choice(["1A", "2B", "3C"], pupils), 10),
                         "period": np.tile(months, pupils), "scheduled_hours": sched,
                         "absence_hours": (sched * rng.beta(1.2, 12, len(sched))).round(1),
                         "late_entries": rng.poisson(0.5, len(sched)), "early_exits": rng.poisson(0.3, len(sched))})


def region_ours(region: pd.DataFrame) -> pd.DataFrame:
    return indicators.score(region, None, level="secondaria_secondo_grado", annual_hours=1056)


def region_floor(region: pd.DataFrame) -> pd.Series:
    sums = region.groupby("pupil_code")[["absence_hours", "scheduled_hours"]].sum()
    return sums["absence_hours"] / sums["scheduled_hours"]


# --- the bench --------------------------------------------------------------------------------------------


def empty_database(path: Path) -> Path:
    db = database.connect(path)
    demo.install_demo(db, with_protocols=False, with_pupils=False)
    db.conn.close()
    return path


def big_school(db_path: Path, pupils: int) -> int:
    """Ten months for `pupils` pupils written by SQLite itself (the importer's path is measured above), then the
    school year's rows kept packed for the risk list as an import keeps them (`school_risk.data_changed`); the
    level history, which the list does not read, is left out (ten scorings of the school, minutes here)."""
    conn = sqlite3.connect(db_path)
    months = ", ".join(f"('{2025 + (m < 9):04d}-{m:02d}')" for m in synthetic.MONTHS)
    with conn:
        conn.execute(f"""
            WITH RECURSIVE pupil(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM pupil WHERE i < {pupils - 1}),
                 month(period) AS (VALUES {months})
            INSERT INTO attendance (school_code, pupil_code, period, class_name, scheduled_hours, absence_hours,
                                    late_entries, early_exits, import_id)
            SELECT '{BIG_SCHOOL}', printf('R%07d', i), period, (1 + i % 5) || char(65 + i / 5 % 6),
                   80 + abs(random() % 61), abs(random() % 400) / 10.0, abs(random() % 4), abs(random() % 2), 0
            FROM pupil, month""")
        conn.execute("INSERT INTO attendance_months SELECT school_code, period, COUNT(*) FROM attendance"
                     " WHERE school_code = ? GROUP BY period", [BIG_SCHOOL])
    rows = conn.execute("SELECT COUNT(*) FROM attendance WHERE school_code = ?", [BIG_SCHOOL]).fetchone()[0]
    conn.close()
    db = database.connect(db_path)
    with database.transaction(db):
        school_risk.data_changed(db, BIG_SCHOOL, None)
    db.conn.close()
    return rows


def run() -> list[Result]:
    tmp = Path(tempfile.mkdtemp())
    cohort = synthetic.generate("secondaria_secondo_grado", PUPILS, [SchoolYear(2025)], seed=9)
    csv_path = tmp / "frequenze.csv"
    csv_path.write_bytes(synthetic.attendance_csv(cohort))
    rows = len(cohort.attendance)
    db_path = empty_database(tmp / "approdo.db")
    peaks: list[float] = []
    results = [row(f"importazione di {rows:,} righe di frequenza".replace(",", "."),
                   lambda: ingest(db_path, csv_path, runs=RUNS, peaks=peaks),
                   "read_csv + executemany, GC in pausa (ognuno nel suo processo)", target_ratio=2.0)]
    results[-1].name += f" (picco {max(peaks):.0f} MB)"

    importing.import_attendance(database.connect(db_path), Actor.system("bench"), SCHOOL, csv_path.read_bytes(),
                                csv_path.name)
    db = database.connect(db_path)
    months = school_year_of(db, SCHOOL)
    results += [
        row(f"rischio di {PUPILS:,} alunni dal database".replace(",", "."),
            lambda: best_of_pair(lambda: score_ours(db, SCHOOL), lambda: score_floor(db, SCHOOL, months), RUNS,
                                 same_ratios),
            "GROUP BY SQL per alunno (quota di assenze), stesso anno", target_ratio=2.0),
        row("  lo stesso, contro la lettura nuda delle righe",
            lambda: best_of_pair(lambda: score_ours(db, SCHOOL), lambda: bare_read(db, SCHOOL), RUNS, same_rows),
            f"SELECT + fetchall delle stesse {rows:,} righe".replace(",", ".")),
    ]
    db.conn.close()

    big_db = empty_database(tmp / "big.db")
    big_rows = big_school(big_db, BIG)
    peaks.clear()

    def ours_big() -> Measured:
        measured = in_child("bench.bench_pupils:score_ours_child", big_db, BIG_SCHOOL)
        peaks.append(measured.peak_mb)
        return measured

    results.append(row(f"rischio di {BIG / 1e6:.1f} M di alunni dal database".replace(".", ","),
                       lambda: best_of_pair(ours_big, lambda: in_child("bench.bench_pupils:score_floor_child",
                                                                       big_db, BIG_SCHOOL), RUNS, same_ratios),
                       f"GROUP BY SQL per alunno, {big_rows:,} righe (ognuno nel suo processo)".replace(",", "."),
                       limit_s=15.0))
    results[-1].name += f" (picco {max(peaks):.0f} MB)"
    big_db.unlink()

    region = region_frame(REGION, np.random.default_rng(1))
    results.append(row(f"rischio di {REGION / 1e6:.1f} M di alunni in memoria (una regione)".replace(".", ","),
                       lambda: best_of_pair(lambda: region_ours(region), lambda: region_floor(region), RUNS,
                                            same_ratios),
                       "groupby-sum pandas delle stesse ore", target_ratio=6.0))
    return results
