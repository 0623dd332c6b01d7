"""A network of 10 schools: the dashboard's figures and the learned model, against bare pandas / scikit-learn."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from sklearn.linear_model import LogisticRegression

from bench.harness import Result, best_of
from models.accounts import schools
from models.core import db as database
from models.core.permissions import Actor
from models.core.school_year import SchoolYear
from models.demo import demo, synthetic
from models.network import figures as network_figures
from models.network import programme
from models.pupils import importing as pupil_data
from models.risk import learn

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
    where = network_figures.scope(db, system, "RETEDEMO")
    year = SchoolYear(2025)

    def dashboard():
        network_figures.network_months(db, where, year)
        network_figures.schools_in_month(db, where, year)
        network_figures.follow_up(db, where, year)
        programme.evaluate(db, where)

    cold = best_of(lambda: (db.execute("DELETE FROM level_history_stamps"), dashboard()), 1)
    warm = best_of(dashboard, 3)

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
               "a bare read of the cached levels + pandas groupby"),
        Result("  the same, first view after new data (recompute)", cold, floor, "same floor"),
        Result(f"train + validate + audit the model ({len(frame):,} pupil-years)".replace(",", "."), ours_model,
               bare_fit, "the same features + one bare LogisticRegression fit"),
    ]
