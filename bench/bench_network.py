"""A network of 10 schools: the dashboard's figures and the learned model, against their tightest floors, in turns.

The dashboard's floor is one SQL `GROUP BY` of the same figures (pupils per school, month and level of the live
levels); both must count the same pupils in every cell before a time counts. The first view after an import runs
each side in a new process (nothing of the network in memory, no warm connection).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from sklearn.linear_model import LogisticRegression

from bench.harness import Result, best_of_pair, in_child, row
from models.accounts import schools
from models.core import changes
from models.core import db as database
from models.core.permissions import Actor
from models.core.school_year import SchoolYear
from models.demo import demo, synthetic
from models.network import figures as network_figures
from models.network import programme
from models.pupils import importing as pupil_data
from models.risk import learn

NETWORK = "RETEDEMO"
SCHOOLS, PUPILS = 10, 800
YEARS = [SchoolYear(2023), SchoolYear(2024), SchoolYear(2025)]
YEAR = SchoolYear(2025)
RUNS = 3


def build(folder: Path, schools_: int = SCHOOLS, pupils: int = PUPILS) -> Path:
    path = folder / "network.db"
    db = database.connect(path)
    system = Actor.system("bench")
    demo.install_demo(db, with_protocols=False, with_pupils=False)
    for n in range(schools_):
        code = f"MIIS9{n:04d}X"
        schools.create_school(db, system, code, f"Scuola {n}", NETWORK, "secondaria_secondo_grado")
        cohort = synthetic.generate("secondaria_secondo_grado", pupils, YEARS, seed=n, last_month=2,
                                    prefix=f"N{n}")
        for kind, data in (("attendance", synthetic.attendance_csv(cohort)),
                           ("context", synthetic.context_csv(cohort)), ("outcomes", synthetic.outcomes_csv(cohort))):
            pupil_data.IMPORTERS[kind](db, system, code, data, f"{kind}.csv")
    db.conn.close()
    return path


def dashboard(db, year: SchoolYear = YEAR):
    """What a view of the page builds, from its scope on; returns the scope (its figures kept in it)."""
    where = network_figures.scope(db, Actor.system("bench"), NETWORK)
    network_figures.network_months(db, where, year)
    network_figures.schools_in_month(db, where, year)
    network_figures.follow_up(db, where, year)
    programme.evaluate(db, where)
    return where


def floor_dashboard(db, year: SchoolYear = YEAR) -> list[tuple]:
    """The floor: the same counts (school, month, level: pupils) by one SQL GROUP BY of the live levels."""
    return db.execute("SELECT h.school_code, h.period, h.level, COUNT(*) FROM level_history h"
                      " JOIN level_generations g ON g.school_code = h.school_code AND g.generation = h.generation"
                      " JOIN schools s ON s.code = h.school_code"
                      " WHERE s.network_code = ? AND h.period >= ? AND h.period <= ?"
                      " GROUP BY h.school_code, h.period, h.level",
                      [NETWORK, year.first_month, f"{year.start + 1:04d}-08"]).fetchall()


def counts(answer, db=None, year: SchoolYear = YEAR) -> list[tuple]:
    """Sorted (school, month, level, pupils) from our scope (its counts kept by the view) or the floor's rows."""
    if isinstance(answer, network_figures.Scope):
        frame = network_figures.levels_by_month(db, answer, year)
        answer = frame[["school_code", "period", "level", "pupils"]].itertuples(index=False, name=None)
    return sorted((str(s), str(p), str(level), int(n)) for s, p, level, n in answer)


def same_counts(db):
    def same(ours, floor) -> None:
        ours, floor = counts(ours, db), counts(floor)
        assert ours and ours == floor, f"{len(ours)} cells against {len(floor)}"
    return same


def dashboard_child(db_path: str):
    """Child side: a new process, a new connection, nothing in memory; its first view."""
    db = database.connect(db_path)
    return lambda: dashboard(db), lambda where: counts(where, db)


def floor_child(db_path: str):
    db = database.connect(db_path)
    return lambda: floor_dashboard(db), counts


def month_again(db, school_code: str, n: int) -> bytes:
    """February of a school again, as a register file, with other absences for each n."""
    rows = db.execute("SELECT pupil_code, class_name, scheduled_hours FROM attendance WHERE school_code = ?"
                      " AND period = '2026-02' ORDER BY pupil_code", [school_code]).fetchall()
    lines = [f"{code};{class_name};02/2026;{hours:.1f};{hours * (0.05 + 0.1 * n):.1f}".replace(".", ",")
             for code, class_name, hours in rows]
    return "\n".join(["Cod. alunno;Classe;Mese;Monte ore;Ore di assenza", *lines]).encode()


def imports(db, school_code: str = "MIIS90000X"):
    """(ours, floor): one month of one school imported with the levels kept, and the same import without them.
    Each side imports other absences each time, the same ones for both in each round."""
    system = Actor.system("bench")
    files = [month_again(db, school_code, n) for n in range(4)]
    made = [0, 0]

    def month(side: int) -> bytes:
        made[side] += 1
        return files[made[side] % len(files)]

    def stored(_summary) -> tuple:
        return db.execute("SELECT COUNT(*), ROUND(SUM(absence_hours), 1) FROM attendance"
                          " WHERE school_code = ? AND period = '2026-02'", [school_code]).fetchone()

    def ours():
        return stored(pupil_data.import_attendance(db, system, school_code, month(0), "febbraio.csv"))

    def floor():
        derived, changes.DERIVED = changes.DERIVED, ()  # the derived tables (the levels) not told
        try:
            return stored(pupil_data.import_attendance(db, system, school_code, month(1), "febbraio.csv"))
        finally:
            changes.DERIVED = derived

    return ours, floor


def model(db):
    """(ours, floor): train + validate + audit, against the same features and one bare fit; both train on the
    same pupil-years."""
    def ours() -> int:
        return learn.evaluate(db, Actor.system("bench"), NETWORK)["metrics"]["train_pupils"]

    def floor() -> int:
        features = learn.labelled(learn.network_frame(db, NETWORK, 2))
        train = features[features["school_year"] < features["school_year"].max()]
        LogisticRegression(max_iter=2000).fit(pd.DataFrame(learn.matrix(train)).fillna(0).to_numpy(),
                                              train["y"].to_numpy())
        return len(train)

    return ours, floor


def run() -> list[Result]:
    path = build(Path(tempfile.mkdtemp()))
    db = database.connect(path)
    dashboard(db)  # the levels kept in this process
    results = [row(f"cruscotto di rete, {SCHOOLS} scuole × {PUPILS} alunni, livelli in memoria",
                   lambda: best_of_pair(lambda: dashboard(db), lambda: floor_dashboard(db), RUNS, same_counts(db)),
                   "un GROUP BY SQL degli stessi conteggi", target_ratio=1.5)]
    ours_import, bare_import = imports(db)
    results.append(row("  un mese di una scuola importato, livelli compresi",
                       lambda: best_of_pair(ours_import, bare_import, RUNS),
                       "la stessa importazione senza i livelli"))
    ours_import()  # the levels right again, after an import: then a new process opens the dashboard
    results.append(row("  il cruscotto, prima apertura dopo un'importazione, processo nuovo",
                       lambda: best_of_pair(lambda: in_child("bench.bench_network:dashboard_child", path),
                                            lambda: in_child("bench.bench_network:floor_child", path), RUNS),
                       "lo stesso GROUP BY, processo nuovo", target_ratio=1.5))
    pupil_years = len(learn.labelled(learn.network_frame(db, NETWORK, 2)))
    ours_model, bare_fit = model(db)
    results.append(row(f"addestramento + verifica + audit del modello ({pupil_years:,} alunni-anno)".replace(",", "."),
                       lambda: best_of_pair(ours_model, bare_fit, 2),
                       "stesse variabili + un fit nudo di LogisticRegression"))
    return results
