"""Shared fixtures: each test gets its own database file and an actor per role.

Databases are built once and copied (`prepared`): a test that asks for `demo_db`, `pupils_db` or `model_db` (or
for anything built on them, such as `actors`) starts from a file copy of a database built once per run (by the
first of xdist's processes that needs it, for all of them), never from a rebuild.
"""

from __future__ import annotations

import atexit
import fcntl
import functools
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from streamlit.components.v2 import manifest_scanner
from streamlit.runtime.pages_manager import PagesManager

from models.accounts import auth, schools
from models.core import clock
from models.core import db as database
from models.core.permissions import Actor
from models.demo import demo

ROOT = Path(__file__).resolve().parent.parent
OTHER_NETWORK = "RETEALTRA"
OTHER_SCHOOL = "BGIC00009Z"
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
REAL_UTCNOW = clock.utcnow


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    """Argon2id still, with small costs: the production parameters take ~50 ms a hash."""
    monkeypatch.setattr(auth, "_hasher", FAST_HASHER)
    auth.forget_check_budget()  # this process's budget of password checks outlives the test's database


class StillClock:
    """The clock `auth` reads, in a test: it moves only when the test moves it (say, by an Argon2 check's cost)
    and when `auth` pauses (by the pause asked), so seconds are compared without waiting, whatever the load."""

    def __init__(self):
        self.now = 1000.0

    def perf_counter(self) -> float:
        return self.now

    monotonic = perf_counter

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def still_clock(monkeypatch) -> StillClock:
    """`auth` on a StillClock, with no average check time left by an earlier test."""
    still = StillClock()
    monkeypatch.setattr(auth, "time", still)
    monkeypatch.setattr(auth, "_check_time", auth._CheckTime())
    return still


# A server looks for installed Streamlit components once, when it starts; AppTest looks again at the first run of
# every new AppTest, reading the metadata of each installed package (~400: 0.4-0.6 s an AppTest, most of a page
# test's time). The packages installed do not change during a run: looked for once per test process, as a server.
manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)


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


# --- databases built once, copied for each test ---------------------------------------------------------------

class Template:
    """A database made once per run by `build` (on top of a copy of `base`, if any)."""

    def __init__(self, build: Callable[[Path], None], base: str | None = None):
        self.build, self.base = build, base


TEMPLATES: dict[str, Template] = {}
_PREPARED: dict[str, Path] = {}
_FOLDER: list[Path] = []


def template(name: str, base: str | None = None):
    """Register a builder of database `name`. If `name` is a fixture, the `db` of a test that uses it starts as a
    copy of that database: `build(db)` gets a connection to a copy of `base` (or an empty migrated database)."""

    def register(build: Callable[[database.sqlite_utils.Database], None]):
        def build_file(path: Path) -> None:
            db = database.connect(path)
            build(db)
            _close(db.conn)

        TEMPLATES[name] = Template(build_file, base)
        return build

    return register


def file_template(name: str):
    """Register a builder that makes database `name` itself at the path it is given (a command line run)."""

    def register(build: Callable[[Path], None]):
        TEMPLATES[name] = Template(build)
        return build

    return register


def _close(conn: sqlite3.Connection) -> None:
    """Everything in the main file (no -wal left to copy), then closed."""
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


SHARED_TEMPLATES_ENV = "APPRODO_TEST_TEMPLATES"  # set by the controller of a run in several processes (xdist)


def _folder() -> Path:
    """Where the templates are: the run's folder shared by its processes, or one of this process's own."""
    if not _FOLDER:
        shared = os.environ.get(SHARED_TEMPLATES_ENV)
        if shared:
            _FOLDER.append(Path(shared))
        else:
            _FOLDER.append(Path(tempfile.mkdtemp(prefix="approdo-templates-")))
            atexit.register(shutil.rmtree, _FOLDER[0], True)
    return _FOLDER[0]


def prepared(name: str) -> Path:
    """The file of template `name`, built on first use. In a run of several processes (xdist) the first process
    that needs it builds it, under a lock, and the others wait for it and copy the same file (a demo with its
    training is seconds of CPU: built once a run, not once a process)."""
    if name not in _PREPARED:
        path = _folder() / f"{name}.db"
        with open(_folder() / f"{name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when closed; a base is locked after what builds on it
            if not path.exists():
                _build(name, path)
        _PREPARED[name] = path
    return _PREPARED[name]


def _build(name: str, path: Path) -> None:
    spec = TEMPLATES[name]
    building = path.with_name(f"{name}.building-{os.getpid()}.db")  # the name appears only once it is whole
    if spec.base:
        shutil.copyfile(prepared(spec.base), building)
        os.chmod(building, 0o600)
    with pytest.MonkeyPatch.context() as patch:  # the tests' cheap hashes; the real clock, whatever a test set
        patch.setattr(auth, "_hasher", FAST_HASHER)
        patch.setattr(clock, "utcnow", REAL_UTCNOW)
        patch.delenv(clock.OFFSET_ENV, raising=False)
        spec.build(building)
    with sqlite3.connect(building) as conn:  # a builder that left a connection open: still one whole file
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    os.replace(building, path)


def copy_prepared(name: str, target: Path) -> Path:
    """A private copy of template `name` at `target` (readable by its owner only, as the app makes them)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(prepared(name), target)
    os.chmod(target, 0o600)
    return target


def _chain(name: str) -> list[str]:
    chain = [name]
    while TEMPLATES[chain[-1]].base:
        chain.append(TEMPLATES[chain[-1]].base)
    return chain


def _template_for(fixturenames) -> str | None:
    """The most complete template among the fixtures a test uses; they must build on one another."""
    wanted = [name for name in TEMPLATES if name in fixturenames]
    if not wanted:
        return None
    top = max(wanted, key=lambda name: len(_chain(name)))
    stray = set(wanted) - set(_chain(top))
    assert not stray, f"{top} does not contain {sorted(stray)}: a test can start from one database only"
    return top


@template("schema")
def _schema(db) -> None:
    """An empty database with every migration applied."""


@template("demo_db", base="schema")
def _demo(db) -> None:
    """The demo network, plus a second network with one school and its dirigente."""
    system = Actor.system("test")
    demo.install_demo(db, with_protocols=False, with_pupils=False)
    schools.create_network(db, system, OTHER_NETWORK, "Rete di un'altra provincia")
    schools.create_school(db, system, OTHER_SCHOOL, "Istituto comprensivo altrove", OTHER_NETWORK, "primaria")
    auth.create_user(db, system, "altro.dirigente", demo.DEMO_PASSWORD, "dirigente", school_code=OTHER_SCHOOL)
    auth.create_user(db, system, "altro.coord", demo.DEMO_PASSWORD, "coordinatore_rete", network_code=OTHER_NETWORK)


@template("pupils_db", base="demo_db")
def _pupils(db) -> None:
    """The demo school MIIS00003C with a small synthetic cohort; the demo teacher has classes 3A and 4B."""
    from models.core.school_year import SchoolYear
    from models.demo import synthetic
    from models.pupils import importing as pupil_data
    from models.risk import school_risk

    system = Actor.system("test")
    cohort = synthetic.generate("secondaria_secondo_grado", 150, [SchoolYear(2024), SchoolYear(2025)], seed=3,
                                last_month=2)
    pupil_data.import_attendance(db, system, "MIIS00003C", synthetic.attendance_csv(cohort), "f.csv")
    pupil_data.import_context(db, system, "MIIS00003C", synthetic.context_csv(cohort), "c.csv")
    school_risk.assign_classes(db, system, "docente", ["3A", "4B"])


MODEL_SCHOOL, MODEL_SMALL_SCHOOL = "MIIS00003C", "MIRI00004D"


@template("model_db", base="demo_db")
def _model(db) -> None:
    """Three years of pupils with outcomes in two demo schools (1,200 and 40 pupils) and the network's model,
    trained on them (version 1)."""
    from models.core.school_year import SchoolYear
    from models.demo import synthetic
    from models.pupils import importing as pupil_data
    from models.risk import learn

    system = Actor.system("test")
    years = [SchoolYear(2023), SchoolYear(2024), SchoolYear(2025)]
    for code, pupils, seed in ((MODEL_SCHOOL, 1200, 4), (MODEL_SMALL_SCHOOL, 40, 6)):
        cohort = synthetic.generate("secondaria_secondo_grado", pupils, years, seed=seed, last_month=2,
                                    context_weight=1.5)
        pupil_data.import_attendance(db, system, code, synthetic.attendance_csv(cohort), "a.csv")
        pupil_data.import_context(db, system, code, synthetic.context_csv(cohort), "c.csv")
        pupil_data.import_outcomes(db, system, code, synthetic.outcomes_csv(cohort), "o.csv")
    learn.train(db, system, "RETEDEMO")


@file_template("init-db --demo")
def _full_demo(path: Path) -> None:
    """What `cli.py init-db --demo` makes (protocols, pupils, both networks), by the command itself."""
    subprocess.run([sys.executable, "cli.py", "init-db", "--demo"], cwd=ROOT,
                   env={**os.environ, "APPRODO_DB": str(path)}, check=True, capture_output=True, timeout=300)


@dataclass
class CliOutcome:
    """What a run of the command line gave: the fields of a finished subprocess."""

    returncode: int
    stdout: str
    stderr: str


def cli_in_process(db_file: Path, monkeypatch) -> Callable[..., CliOutcome]:
    """`cli.py ARGS` run in this process (click's CliRunner, as sqlite-utils tests its CLI) against `db_file`: the
    code path of a real run after argument parsing, without a Python start-up per command. A test about the
    process itself (exit status, a traceback never shown) runs `cli.py` as a subprocess instead."""
    from click.testing import CliRunner

    import cli

    monkeypatch.chdir(ROOT)
    runner = CliRunner()

    def run(*args: str, stdin: str = "") -> CliOutcome:
        result = runner.invoke(cli.cli, list(args), input=stdin, env={"APPRODO_DB": str(db_file)},
                               catch_exceptions=False)
        return CliOutcome(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture
def db_path(tmp_path, monkeypatch):
    path = tmp_path / "approdo.db"
    monkeypatch.setenv("APPRODO_DB", str(path))
    return path


@pytest.fixture
def db(db_path, request):
    """The test's database: a copy of the template its fixtures ask for (the migrated schema at least)."""
    copy_prepared(_template_for(request.fixturenames) or "schema", db_path)
    return database.connect(db_path)


@pytest.fixture
def system() -> Actor:
    return Actor.system("test")


@pytest.fixture
def demo_db(db):
    """The demo network, plus a second network with one school and its dirigente."""
    return db


def actor_named(db, username: str) -> Actor:
    user_id = db.execute("SELECT id FROM users WHERE username = ?", [username]).fetchone()[0]
    return auth.actor_for_user(db, user_id)


def publish_core(db, coordinator: Actor, core_id: int, *, reopen: bool = True) -> None:
    """Publish the network's core (schools receive it as published), then open a new revision (a draft) so the
    test may go on editing it."""
    from datetime import date

    from models.protocols import protocol as protocols

    demo.publish(db, coordinator, core_id, "1", date(2025, 9, 10))
    if reopen:
        protocols.move(db, coordinator, core_id, "bozza")


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
def pupils_db(demo_db):
    """The demo school MIIS00003C with a small synthetic cohort; the demo teacher has classes 3A and 4B."""
    return demo_db


@pytest.fixture
def model_db(demo_db):
    """Pupils with outcomes in MIIS00003C (1,200) and MIRI00004D (40), and the network's model trained on them."""
    return demo_db
# --- proof under pressure: the slow marker and the counts printed at the end of the run ---------------

PROOF: dict[str, int] = {}


PEAKS: set[str] = set()  # figures that are the highest value seen, not a count


def count_proof(what: str, n: int = 1) -> None:
    """Add to a figure printed at the end of the run (cases tried, leaks found, lost updates)."""
    PROOF[what] = PROOF.get(what, 0) + n


def peak_proof(what: str, value) -> None:
    """Keep the highest value seen of a figure printed at the end of the run (a peak of memory)."""
    PEAKS.add(what)
    PROOF[what] = max(PROOF.get(what, value), value)


def pytest_addoption(parser):
    parser.addoption("--run-slow", action="store_true", default=False,
                     help="run the tests marked slow (the fuzzers at full count); .ci/run sets it")
    parser.addoption("--record-durations", action="store_true", default=False,
                     help=f"write the time of each test of this run taking {RECORDED_FROM} s or more to "
                          "tests/durations.json (the order of the runs in several processes)")


def pytest_configure(config):
    # Hypothesis examples: a quick count by default, the full count (>= 1,000 per importer) with --run-slow.
    config.fuzz_examples = 1000 if config.getoption("--run-slow") else 60
    # The controller of a run in several processes: one folder of templates for all of them (they inherit the
    # environment when they start, after this), removed at the end of the run.
    if (not hasattr(config, "workerinput") and getattr(config.option, "numprocesses", None)
            and SHARED_TEMPLATES_ENV not in os.environ):
        folder = tempfile.mkdtemp(prefix="approdo-templates-")
        os.environ[SHARED_TEMPLATES_ENV] = folder
        config.add_cleanup(lambda: (shutil.rmtree(folder, True), os.environ.pop(SHARED_TEMPLATES_ENV, None)))


def pytest_collection_modifyitems(config, items):
    if hasattr(config, "workerinput"):  # the processes of xdist: the order in which the controller hands out
        longest_first(items)
        if config.getvalue("loadgroup"):
            keep_xdist_groups(items)
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --run-slow (as .ci/run does)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


# --- the order of a run in several processes: the longest first -----------------------------------------------
# A long test handed out last keeps one process busy while the other has finished; handed out first, the short
# ones fill in around it. xdist hands out its groups (xdist_group) first, the biggest first, then single tests in
# the order collected: here, the longest first. tests/durations.json holds the seconds of each test taking
# RECORDED_FROM s or more (`pytest --record-durations` updates it with a run's tests); an unlisted test counts
# as 0 and keeps its place among those.

DURATIONS = ROOT / "tests" / "durations.json"
RECORDED_FROM = 0.5
_MEASURED: dict[str, float] = {}
_SKIPPED: set[str] = set()  # not run: what the file says of them stays


def _groups(item) -> str:
    """The test's xdist_group names, as pytest-xdist joins them ("" for none)."""
    return "_".join(sorted({str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                            for mark in item.iter_markers("xdist_group")}))


def _plain(nodeid: str) -> str:
    """The test's id without the "@group" that loadgroup appends."""
    head, at, tail = nodeid.rpartition("@")
    return head if at and "]" not in tail and "::" not in tail else nodeid


def longest_first(items) -> None:
    known = json.loads(DURATIONS.read_text()) if DURATIONS.exists() else {}
    units = [_groups(item) or item.nodeid for item in items]  # what loadgroup hands out whole
    seconds: dict[str, float] = {}
    first: dict[str, int] = {}
    for index, (item, unit) in enumerate(zip(items, units, strict=True)):
        seconds[unit] = seconds.get(unit, 0.0) + known.get(_plain(item.nodeid), 0.0)
        first.setdefault(unit, index)
    # A group stays together and in its order (its module-scoped fixtures are built once).
    order = sorted(range(len(items)), key=lambda n: (-seconds[units[n]], first[units[n]]))
    items[:] = [items[n] for n in order]


def keep_xdist_groups(items) -> None:
    """pytest-xdist 3.8 marks a test of an xdist_group by appending "@group" to `item._nodeid`, which pytest 9.2 no
    longer reads (pytest-xdist#1386): loadgroup then spreads a group over both processes, and each builds the
    group's module fixtures again, more than once. Appended here to the id pytest reads."""
    from _pytest.nodeid import coerce_node_id

    for item in items:
        if (group := _groups(item)) and _plain(item.nodeid) == item.nodeid:
            item._id = coerce_node_id(f"{item.nodeid}@{group}")


def pytest_runtest_logreport(report):
    nodeid = _plain(report.nodeid)
    _MEASURED[nodeid] = _MEASURED.get(nodeid, 0.0) + report.duration  # setup, call, teardown
    if report.skipped:
        _SKIPPED.add(nodeid)


def _record_durations() -> None:
    known = json.loads(DURATIONS.read_text()) if DURATIONS.exists() else {}
    for nodeid, duration in _MEASURED.items():
        if nodeid in _SKIPPED:
            continue
        known.pop(nodeid, None)
        if duration >= RECORDED_FROM:
            known[nodeid] = round(duration, 1)
    DURATIONS.write_text(json.dumps(dict(sorted(known.items())), indent=0) + "\n")


def pytest_sessionfinish(session):
    """Under xdist each worker sends its counts to the controller, which prints them all."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["approdo_proof"] = {"counts": dict(PROOF), "peaks": sorted(PEAKS)}
    elif session.config.getoption("--record-durations"):
        _record_durations()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):  # xdist's hook, on the controller: a worker has finished
    sent = getattr(node, "workeroutput", {}).get("approdo_proof", {"counts": {}, "peaks": []})
    for what, n in sent["counts"].items():
        (peak_proof if what in sent["peaks"] else count_proof)(what, n)


def pytest_terminal_summary(terminalreporter):
    if PROOF:
        terminalreporter.section("Approdo: prove sotto pressione")
        for what, n in sorted(PROOF.items()):
            number = f"{n:,}".replace(",", "\u202f")  # Italian thousands: 1 060
            terminalreporter.write_line(f"{what}: {number}")
