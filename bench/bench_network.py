"""A network of 10 schools: the dashboard's figures and the learned model, against bare pandas / scikit-learn."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from sklearn.linear_model import LogisticRegression

from bench.harness import Result, best_of
from models.accounts import schools
from models.core import changes
from models.core import db as database
from models.core.permissions import Actor
from models.core.school_year import SchoolYear
from models.demo import demo, synthetic
from models.network import figures as network_figures
from models.network import programme
from models.pupils import importing as pupil_data
from models.risk import history, learn

SCHOOLS, PUPILS = 10, 800
YEARS = [SchoolYear(2023), SchoolYear(2024), SchoolYear(2025)]


def build() -> tuple:
    path = Path(tempfile.mkdtemp()) / "network.db"
    db = database.connect(path)
    system = Actor.system("bench")
    demo.install_demo(db, with_protocols=False, with_pupils=False)
    for n in range(SCHOOLS):
        code = f"MIIS9{n:04d}X"
        schools.create_school(db, system, code, f"Scuola {n}", "RETEDEMO", "secondaria_secondo_grado")
        cohort = synthetic.generate("secondaria_secondo_grado", PUPILS, YEARS, seed=n, last_month=2,
                                    prefix=f"N{n}")
        for kind, data in (("attendance", synthetic.attendance_csv(cohort)),
                           ("context", synthetic.context_csv(cohort)), ("outcomes", synthetic.outcomes_csv(cohort))):
            pupil_data.IMPORTERS[kind](db, system, code, data, f"{kind}.csv")
    return db, system


def run() -> list[Result]:
    db, system = build()
    year = SchoolYear(2025)

    def dashboard():  # what a view of the page builds, from its scope on
        where = network_figures.scope(db, system, "RETEDEMO")
        network_figures.network_months(db, where, year)
        network_figures.schools_in_month(db, where, year)
        network_figures.follow_up(db, where, year)
        programme.evaluate(db, where)

    warm = best_of(dashboard, 3)
    # New data: one month of one school again, with other absences each time; the levels follow at import.
    cohort = synthetic.generate("secondaria_secondo_grado", PUPILS, YEARS, seed=0, last_month=2, prefix="N0")
    lines = synthetic.attendance_csv(cohort).decode().splitlines()
    february = [line.split(";") for line in lines[1:] if line.split(";")[2] == "02/2026"]

    def new_month(n: int) -> bytes:
        rows = [";".join(c[:4] + [f"{float(c[3].replace(',', '.')) * (0.05 + 0.1 * n):.1f}".replace(".", ",")]
                         + c[5:]) for c in february]
        return "\n".join([lines[0], *rows]).encode()

    imports, colds = [], []
    for n in range(3):
        data = new_month(n)
        imports.append(best_of(lambda data=data: pupil_data.import_attendance(db, system, "MIIS90000X", data,
                                                                               "febbraio.csv"), 1))
        history._MEMO.clear()  # as a fresh server would: nothing of the network in memory
        colds.append(best_of(dashboard, 1))
    cold = min(colds)
    derived, changes.DERIVED = changes.DERIVED, ()  # the same import without the levels: what they cost at import
    try:
        bare_import = best_of(lambda: pupil_data.import_attendance(db, system, "MIIS90000X", new_month(3), "f.csv"), 3)
    finally:
        changes.DERIVED = derived
    pupil_data.import_attendance(db, system, "MIIS90000X", new_month(0), "febbraio.csv")  # levels right again

    def floor_dashboard():
        frame = pd.read_sql_query("SELECT school_code, period, level, absence_ratio FROM level_history", db.conn)
        frame.groupby(["school_code", "period", "level"]).size()
        frame.groupby("school_code")["absence_ratio"].mean()

    floor = best_of(floor_dashboard, 3)

    frame = learn.labelled(learn.network_frame(db, "RETEDEMO", 2))

    def bare_model():
        # The features every model needs (the indicators of each year), then one plain fit.
        features = learn.labelled(learn.network_frame(db, "RETEDEMO", 2))
        train = features[features["school_year"] < features["school_year"].max()]
        LogisticRegression(max_iter=2000).fit(pd.DataFrame(learn.matrix(train)).fillna(0).to_numpy(),
                                              train["y"].to_numpy())

    ours_model = best_of(lambda: learn.evaluate(db, system, "RETEDEMO"), 2)
    bare_fit = best_of(bare_model, 2)
    return [
        Result(f"network dashboard, {SCHOOLS} schools x {PUPILS} pupils, levels cached", warm, floor,
               "a bare read of the cached levels + pandas groupby", target_ratio=1.5),
        Result("  the same, first view after an import", cold, floor, "same floor (levels kept at import)",
               target_ratio=1.5),
        Result("  one month of one school imported, levels included", min(imports), bare_import,
               "the same import without the levels"),
        Result(f"train + validate + audit the model ({len(frame):,} pupil-years)".replace(",", "."), ours_model,
               bare_fit, "the same features + one bare LogisticRegression fit"),
    ]
