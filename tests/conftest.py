"""Shared fixtures: each test gets its own database file and an actor per role."""

from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import PasswordHasher
from streamlit.runtime.pages_manager import PagesManager

from models.accounts import auth, schools
from models.core import db as database
from models.core.permissions import Actor
from models.demo import demo

ROOT = Path(__file__).resolve().parent.parent
OTHER_NETWORK = "RETEALTRA"
OTHER_SCHOOL = "BGIC00009Z"


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    """Argon2id still, with small costs: the production parameters take ~50 ms a hash."""
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    auth.forget_unknown_failures()  # failed logins of unknown names live in memory, not in the test's database


@pytest.fixture(autouse=True)
def navigation_as_on_a_running_server(monkeypatch):
    """Run app.py on every rerun, as a server does once any session has called st.navigation.

    AppTest forgets between runs that st.navigation is in use and, because a
    pages/ folder exists, replays the last page file without app.py (the
    situation of the first visitor of a fresh server, which the e2e tests
    cover in a real browser).
    """
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture
def db_path(tmp_path, monkeypatch):
    path = tmp_path / "approdo.db"
    monkeypatch.setenv("APPRODO_DB", str(path))
    return path


@pytest.fixture
def db(db_path):
    return database.connect(db_path)


@pytest.fixture
def system() -> Actor:
    return Actor.system("test")


@pytest.fixture
def demo_db(db, system):
    """The demo network, plus a second network with one school and its dirigente."""
    demo.install_demo(db, with_protocols=False, with_pupils=False)
    schools.create_network(db, system, OTHER_NETWORK, "Rete di un'altra provincia")
    schools.create_school(db, system, OTHER_SCHOOL, "Istituto comprensivo altrove", OTHER_NETWORK, "primaria")
    auth.create_user(db, system, "altro.dirigente", demo.DEMO_PASSWORD, "dirigente", school_code=OTHER_SCHOOL)
    auth.create_user(db, system, "altro.coord", demo.DEMO_PASSWORD, "coordinatore_rete", network_code=OTHER_NETWORK)
    return db


def actor_named(db, username: str) -> Actor:
    user_id = db.execute("SELECT id FROM users WHERE username = ?", [username]).fetchone()[0]
    return auth.actor_for_user(db, user_id)


@pytest.fixture
def actors(demo_db) -> dict[str, Actor]:
    """The demo accounts by role, and 'other_*' for the second network."""
    found = {role: actor_named(demo_db, username) for username, role, _, _ in demo.USERS}
    found["other_dirigente"] = actor_named(demo_db, "altro.dirigente")
    found["other_coordinatore"] = actor_named(demo_db, "altro.coord")
    return found


@pytest.fixture
def core(demo_db, actors):
    """The demo network's core protocol for upper secondary schools, made by the coordinator."""
    from models.protocols import protocol as protocols

    return protocols.create_core(demo_db, actors["coordinatore_rete"], "RETEDEMO", "secondaria_secondo_grado",
                                 "2025/26")


@pytest.fixture
def school_protocol(demo_db, actors, core):
    """The dirigente's school protocol (MIIS00003C), started from the core."""
    from models.protocols import protocol as protocols

    return protocols.create_school_protocol(demo_db, actors["dirigente"], "MIIS00003C")


@pytest.fixture
def pupils_db(demo_db, system):
    """The demo school MIIS00003C with a small synthetic cohort; the demo teacher has classes 3A and 4B."""
    from models.core.school_year import SchoolYear
    from models.demo import synthetic
    from models.pupils import importing as pupil_data
    from models.risk import school_risk

    cohort = synthetic.generate("secondaria_secondo_grado", 150, [SchoolYear(2024), SchoolYear(2025)], seed=3,
                                last_month=2)
    pupil_data.import_attendance(demo_db, system, "MIIS00003C", synthetic.attendance_csv(cohort), "f.csv")
    pupil_data.import_context(demo_db, system, "MIIS00003C", synthetic.context_csv(cohort), "c.csv")
    school_risk.assign_classes(demo_db, system, "docente", ["3A", "4B"])
    return demo_db


# --- proof under pressure: the slow marker and the counts printed at the end of the run ---------------

PROOF: dict[str, int] = {}


def count_proof(what: str, n: int = 1) -> None:
    """Add to a figure printed at the end of the run (cases tried, leaks found, lost updates)."""
    PROOF[what] = PROOF.get(what, 0) + n


def pytest_addoption(parser):
    parser.addoption("--run-slow", action="store_true", default=False,
                     help="run the tests marked slow (the fuzzers at full count); .ci/run sets it")


def pytest_configure(config):
    # Hypothesis examples: a quick count by default, the full count (>= 1,000 per importer) with --run-slow.
    config.fuzz_examples = 1000 if config.getoption("--run-slow") else 60


def pytest_collection_modifyitems(config, items):
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --run-slow (as .ci/run does)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter):
    if PROOF:
        terminalreporter.section("Approdo: prove sotto pressione")
        for what, n in sorted(PROOF.items()):
            number = f"{n:,}".replace(",", "\u202f")  # Italian thousands: 1 060
            terminalreporter.write_line(f"{what}: {number}")
