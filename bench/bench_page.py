"""The risk page of a 1,500-pupil school, rendered by AppTest, against the model call it makes."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from bench.harness import Result, best_of
from models.accounts import auth
from models.core import db as database
from models.core.permissions import Actor
from models.core.school_year import SchoolYear
from models.demo import demo, synthetic
from models.pupils import importing as pupil_data
from models.risk import school_risk

ROOT = Path(__file__).resolve().parent.parent
PUPILS = 1_500


def run() -> list[Result]:
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    path = Path(tempfile.mkdtemp()) / "page.db"
    os.environ["APPRODO_DB"] = str(path)
    db = database.connect(path)
    demo.install_demo(db, with_protocols=False, with_pupils=False)
    cohort = synthetic.generate("secondaria_secondo_grado", PUPILS, [SchoolYear(2025)], seed=5, last_month=2)
    pupil_data.import_attendance(db, Actor.system("bench"), "MIIS00003C", synthetic.attendance_csv(cohort), "f.csv")
    token = auth.login(db, "funzione", demo.DEMO_PASSWORD)
    original = PagesManager.__init__

    def init(self, *args, **kwargs):  # as on a running server (see tests/pages/conftest.py)
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.session_state["approdo_token"] = token
    app.run()
    app.switch_page("pages/risk.py")
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        app.run()
        timings.append(time.perf_counter() - start)
    assert not app.exception and app.dataframe
    filtered = []
    for n in range(3):  # a filter changed: the list is kept, not scored again
        levels = next(m for m in app.multiselect if m.label == "Livelli")
        levels.set_value(["alto"] if n % 2 == 0 else ["alto", "medio"])
        start = time.perf_counter()
        app.run()
        filtered.append(time.perf_counter() - start)
    assert not app.exception and app.dataframe
    funzione = auth.resolve_session(db, token)
    # Scored each time, as without the kept list.
    model = best_of(lambda: (school_risk.forget_kept_lists(), school_risk.school_risk(db, funzione, "MIIS00003C")), 3)
    PagesManager.__init__ = original
    return [Result(f"risk page of a {PUPILS:,} pupil school (AppTest)".replace(",", "."), min(timings), model,
                   "the model call alone (target < 1 s)"),
            Result("  the same, a filter changed", min(filtered), model, "the model call alone (scoring the list)")]
