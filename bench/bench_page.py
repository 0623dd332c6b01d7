"""The risk page of a 1,500-pupil school, rendered by AppTest, against the model call it makes, in turns.

Ours is a rerun of the page (the list kept, as when a user comes back to it); the floor scores the list from the
database. Both must list the same pupils (those at high and medium risk, the page's default filter).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from bench.harness import Result, best_of_pair, row
from models.accounts import auth
from models.core import db as database
from models.core.permissions import Actor
from models.core.school_year import SchoolYear
from models.demo import demo, synthetic
from models.follow_up import list_export
from models.pupils import importing as pupil_data
from models.risk import school_risk

ROOT = Path(__file__).resolve().parent.parent
PUPILS = 1_500
SCHOOL = "MIIS00003C"
SHOWN = ("alto", "medio")  # the levels the page lists at first


def page(db, token: str):
    """(ours, floor, filter_changed): a rerun of the page and the model's scoring, each giving the codes listed;
    and a rerun after a filter changed (the list kept, not scored again). Call with APPRODO_DB set to the db."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    original = PagesManager.__init__

    def init(self, *args, **kwargs):  # as on a running server (see tests/pages/conftest.py)
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.session_state["approdo_token"] = token
    app.run()
    app.switch_page("pages/risk.py")
    app.run()
    actor = auth.resolve_session(db, token)

    def listed() -> list[str]:
        assert not app.exception
        table = next(d.value for d in app.dataframe if list_export.COLUMNS["codice_alunno"] in d.value.columns)
        return sorted(table[list_export.COLUMNS["codice_alunno"]])

    def ours() -> list[str]:
        app.run()
        return listed()

    def floor() -> list[str]:
        school_risk.forget_kept_lists()
        pupils = school_risk.school_risk(db, actor, SCHOOL).pupils
        return sorted(pupils.loc[pupils["level"].isin(SHOWN), "pupil_code"])

    flips = [0]

    def filter_changed() -> list[str]:
        flips[0] += 1
        levels = next(m for m in app.multiselect if m.label == "Livelli")
        levels.set_value(["alto"] if flips[0] % 2 else list(SHOWN))
        app.run()
        return listed()

    return ours, floor, filter_changed


def run() -> list[Result]:
    path = Path(tempfile.mkdtemp()) / "page.db"
    os.environ["APPRODO_DB"] = str(path)
    db = database.connect(path)
    demo.install_demo(db, with_protocols=False, with_pupils=False)
    cohort = synthetic.generate("secondaria_secondo_grado", PUPILS, [SchoolYear(2025)], seed=5, last_month=2)
    pupil_data.import_attendance(db, Actor.system("bench"), SCHOOL, synthetic.attendance_csv(cohort), "f.csv")
    ours, floor, filter_changed = page(db, auth.login(db, "funzione", demo.DEMO_PASSWORD))

    def changed_then_floor():  # two filter changes a pair: the levels come back to the page's default each time
        filter_changed()
        return filter_changed()

    return [row(f"pagina rischio, scuola di {PUPILS:_} alunni (AppTest)".replace("_", "."),
                lambda: best_of_pair(ours, floor, 3), "il modello da solo, calcolando l'elenco",
                limit_s=1.0),
            row("  la stessa, un filtro cambiato due volte", lambda: best_of_pair(changed_then_floor, floor, 3),
                "il modello da solo, calcolando l'elenco")]
