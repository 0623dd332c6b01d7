"""Every role × every page × a second school of another network: what each sees, with zero leaks.

Each page is opened in AppTest as each demo account and as the other network's
dirigente and coordinator; every text the page renders (tables, lists,
options, metrics) is searched for pupil codes the account may not see. Then
the same with tampered session state and query parameters.
"""

import pytest

from models import auth, demo, pupil_data
from models.risk import school_risk, synthetic
from models.school_year import SchoolYear
from tests.conftest import OTHER_SCHOOL, actor_named, count_proof
from tests.pages.conftest import log_in, new_app
from ui.navigation import PAGES, pages_for

SCHOOL = "MIIS00003C"
USERS = ["admin", "coordinatrice", "dirigente", "funzione", "docente", "altro.dirigente", "altro.coord"]


@pytest.fixture
def two_networks(pupils_db, system):
    """Pupils in the demo school and in a school of another network (codes starting ZZ)."""
    cohort = synthetic.generate("primaria", 60, [SchoolYear(2025)], seed=9, last_month=2, prefix="ZZ")
    pupil_data.import_attendance(pupils_db, system, OTHER_SCHOOL, synthetic.attendance_csv(cohort), "f.csv")
    return pupils_db


def codes_of(db, school_code: str) -> set[str]:
    return {r[0] for r in db.execute("SELECT DISTINCT pupil_code FROM attendance WHERE school_code = ?", [school_code])}


def visible_codes(db, username: str) -> set[str]:
    """The pupil codes the account may see: its school's (its classes' for a teacher), none for the others."""
    actor = actor_named(db, username)
    if actor.role.value not in ("dirigente", "funzione_strumentale", "docente"):
        return set()
    everyone = codes_of(db, actor.school_code)
    if actor.role.value == "docente":
        classes = set(school_risk.teacher_classes(db, actor))
        current = db.execute("SELECT pupil_code, class_name, MAX(period) FROM attendance WHERE school_code = ?"
                             " GROUP BY pupil_code", [actor.school_code]).fetchall()
        return {code for code, class_name, _ in current if class_name in classes}
    return everyone


def rendered_text(at) -> str:
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "info", "warning", "error",
                 "success", "code", "latex"):
        parts += [str(getattr(e, "value", "")) for e in getattr(at, kind, [])]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [t.value.to_csv() for t in at.table] + [d.value.to_csv() for d in at.dataframe]
    parts += [" ".join(map(str, s.options)) for s in at.selectbox] + [" ".join(map(str, m.options))
                                                                      for m in at.multiselect]
    parts += [str(getattr(t, "value", "")) for t in at.text_area]
    return "\n".join(parts)


def assert_no_leak(db, username: str, text: str, where: str) -> None:
    allowed = visible_codes(db, username)
    every = codes_of(db, SCHOOL) | codes_of(db, OTHER_SCHOOL)
    leaked = {code for code in every - allowed if code in text}
    count_proof("controlli di autorizzazione (ruolo × pagina × scuola)")
    count_proof("fughe di dati trovate", len(leaked))
    assert not leaked, f"{username} vede in {where}: {sorted(leaked)[:5]}"


@pytest.mark.parametrize("username", USERS)
def test_every_page_of_every_role_shows_only_the_pupils_it_may_see(two_networks, username):
    actor = actor_named(two_networks, username)
    allowed = {spec.path for spec in pages_for(actor)}
    for spec in PAGES:
        at = log_in(new_app(), username)
        if spec.path not in allowed:
            # The page's file is not in the role's navigation (its address is only a refusal page):
            # AppTest either cannot switch to it or, running the file, meets the guard.
            try:
                at.switch_page(spec.path)
            except ValueError:
                pass
            else:
                at.run()
                refusals = [e.value for e in at.error] + [w.value for w in at.warning]
                assert refusals and all("pagina" in r for r in refusals), (spec.path, refusals)
                assert not at.title and not at.dataframe, spec.path
                assert_no_leak(two_networks, username, rendered_text(at), spec.path + " (rifiutata)")
            count_proof("controlli di autorizzazione (ruolo × pagina × scuola)")
            continue
        at.switch_page(spec.path).run()
        assert not at.exception, (username, spec.path, at.exception)
        assert_no_leak(two_networks, username, rendered_text(at), spec.path)


@pytest.mark.parametrize("username", USERS)
def test_a_page_file_run_directly_by_url_is_refused_outside_the_role(two_networks, username):
    actor = actor_named(two_networks, username)
    allowed = {spec.path for spec in pages_for(actor)}
    for spec in PAGES:
        if spec.path in allowed:
            continue
        at = new_app(spec.path)
        at.session_state["approdo_token"] = auth.login(two_networks, username, demo.DEMO_PASSWORD)
        at.run()
        assert [e.value for e in at.error] == ["Il tuo ruolo non permette di aprire questa pagina."], spec.path
        assert_no_leak(two_networks, username, rendered_text(at), spec.path + " (URL)")


@pytest.mark.parametrize("username", ["dirigente", "funzione", "docente", "altro.dirigente"])
def test_a_pupil_of_another_school_by_query_parameter_shows_nothing(two_networks, username):
    other = sorted(codes_of(two_networks, OTHER_SCHOOL if username != "altro.dirigente" else SCHOOL))[0]
    at = log_in(new_app(), username)
    at.switch_page("pages/pupil.py")
    at.query_params["alunno"] = other
    at.run()
    assert not at.exception
    assert not at.table and not at.metric
    assert_no_leak(two_networks, username, rendered_text(at).replace(f"«{other}»", ""), "pupil page (?alunno=)")


@pytest.mark.parametrize("username", ["dirigente", "funzione", "coordinatrice", "docente"])
def test_session_state_tampering_cannot_open_another_networks_protocol(two_networks, system, username):
    from models import protocols

    core = protocols.create_core(two_networks, system, "RETEALTRA", "primaria", "2025/26")
    other = protocols.create_school_protocol(two_networks, system, OTHER_SCHOOL)
    for target in (core.id, other.id):
        at = log_in(new_app(), username)
        at.session_state["approdo_protocol"] = target
        at.switch_page("pages/protocol_editor.py").run()
        text = rendered_text(at)
        assert "Istituto comprensivo altrove" not in text and "RETEALTRA" not in text
        at = log_in(new_app(), username)
        at.switch_page("pages/protocol_history.py")
        at.query_params["protocollo"] = str(target)
        at.run()
        assert "Istituto comprensivo altrove" not in rendered_text(at)
        count_proof("controlli di autorizzazione (ruolo × pagina × scuola)", 2)


def test_a_forged_session_token_is_a_logged_out_visitor(two_networks):
    at = new_app("pages/risk.py")
    at.session_state["approdo_token"] = "token-inventato"
    at.run()
    assert not at.dataframe and not at.metric
    assert_no_leak(two_networks, "admin", rendered_text(at), "risk page with a forged token")


def test_every_command_line_read_of_pupils_is_logged(tmp_path):
    """The command line is the server's operator: it may read pupils, and each read is in the access log."""
    import os
    import sqlite3
    import subprocess
    import sys

    from tests.conftest import ROOT

    path = tmp_path / "cli.db"
    env = {**os.environ, "APPRODO_DB": str(path)}

    def run(*args):
        return subprocess.run([sys.executable, "cli.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)

    def logged() -> int:
        with sqlite3.connect(path) as conn:
            return conn.execute("SELECT COUNT(*) FROM access_log").fetchone()[0]

    assert run("init-db", "--demo").returncode == 0
    for command in (["score", "--school", SCHOOL], ["score", "--school", SCHOOL, "--format", "json"],
                    ["score", "--school", SCHOOL, "--format", "xlsx", "--out", str(tmp_path / "e.xlsx")]):
        before = logged()
        assert run(*command).returncode == 0
        assert logged() == before + 1, command
        count_proof("controlli di autorizzazione (ruolo × pagina × scuola)")
    # Network figures carry no pupil: the report is not a pupil read, and holds no code.
    with sqlite3.connect(path) as conn:
        codes = {r[0] for r in conn.execute("SELECT DISTINCT pupil_code FROM attendance")}
    report = run("report", "--network", "RETEDEMO", "--year", "2025/26", "--out", str(tmp_path / "r.xlsx"))
    assert report.returncode == 0
    from openpyxl import load_workbook

    cells = " ".join(str(c) for sheet in load_workbook(tmp_path / "r.xlsx") for row in sheet.iter_rows(values_only=True)
                     for c in row)
    assert not [c for c in codes if c in cells]
