"""The compulsory-education cases of two schools in two networks: each role sees what it may, nothing more.

Only the school's dirigente and funzione strumentale see and act on its cases (page, home, "Da rivedere",
CLI for the operator); the coordinator sees suppressed counts only; teachers see nothing. Every read and
every step is in the access log, once per view.
"""

from datetime import date

import pytest

from models.core.errors import PermissionDenied
from models.obligation import cases as obligation
from models.pupils import importing as pupil_data
from tests.conftest import OTHER_SCHOOL, actor_named, count_proof
from tests.models.test_obligation import HEADER, events, school_days
from tests.pages.conftest import log_in, new_app
from tests.proof.test_authorization_matrix import rendered_text

SCHOOL = "MIIS00003C"
OURS = {f"OBDEMO{n}" for n in range(3)}
THEIRS = {f"OBALTRO{n}" for n in range(3)}
USERS = ["admin", "coordinatrice", "dirigente", "funzione", "docente", "altro.dirigente", "altro.coord"]
SEES = {"dirigente": OURS, "funzione": OURS, "altro.dirigente": THEIRS}


@pytest.fixture
def both(demo_db, system):
    sixteen = school_days(date(2026, 1, 12), 16)
    for school, codes in ((SCHOOL, OURS), (OTHER_SCHOOL, THEIRS)):
        lines = [line for code in sorted(codes) for line in events(code, sixteen)]
        pupil_data.import_attendance(demo_db, system, school, "\n".join([HEADER, *lines]).encode(), "e.csv")
    from models.risk import school_risk

    school_risk.assign_classes(demo_db, system, "docente", ["1A"])  # the cases' class: still nothing to see
    return demo_db


def shown(at) -> str:
    return rendered_text(at) + "\n".join(str(getattr(t, "label", "")) for t in at.tabs)


@pytest.mark.parametrize("username", USERS)
def test_each_role_sees_only_its_schools_cases_on_every_page(both, username):
    allowed = SEES.get(username, set())
    for page in ("pages/home.py", "pages/obligation.py", "pages/risk.py", "pages/network.py"):
        at = log_in(new_app(), username)
        try:
            at.switch_page(page)
        except ValueError:
            continue  # not in the role's menu (the matrix proves the refusal)
        at.run()
        assert not at.exception, (username, page, at.exception)
        text = shown(at)
        seen = {code for code in OURS | THEIRS if code in text}
        if page == "pages/risk.py" and username == "docente":
            seen -= OURS  # the teacher's class list shows the pupils, never their cases
            assert "Obbligo scolastico" not in text
        count_proof("controlli di autorizzazione (ruolo × pagina × scuola)")
        count_proof("fughe di dati trovate", len(seen - allowed))
        assert seen <= allowed, (username, page, sorted(seen - allowed))
        if page in ("pages/home.py", "pages/obligation.py") and allowed:
            assert seen == allowed, (username, page)


@pytest.mark.parametrize("username", ["admin", "coordinatrice", "docente", "altro.dirigente", "altro.coord"])
def test_the_model_refuses_every_other_role(both, username):
    actor = actor_named(both, username)
    case_id = obligation.cases(both, actor_named(both, "dirigente"), SCHOOL)[0].id
    for call in (lambda: obligation.cases(both, actor, SCHOOL), lambda: obligation.coverage(both, actor, SCHOOL),
                 lambda: obligation.open_case_for(both, actor, SCHOOL, "OBDEMO0")):
        with pytest.raises(PermissionDenied):
            call()
    for call in (lambda: obligation.get_case(both, actor, SCHOOL, case_id),
                 lambda: obligation.record_family_notice(both, actor, SCHOOL, case_id, date(2026, 2, 5), "1", "PEC"),
                 lambda: obligation.close_case(both, actor, SCHOOL, case_id, date(2026, 2, 5), "Altro")):
        with pytest.raises(PermissionDenied):
            call()


def test_another_schools_case_id_is_not_found(both):
    theirs = obligation.cases(both, actor_named(both, "altro.dirigente"), OTHER_SCHOOL)[0].id
    boss = actor_named(both, "dirigente")
    for call in (lambda: obligation.get_case(both, boss, SCHOOL, theirs),
                 lambda: obligation.record_family_notice(both, boss, SCHOOL, theirs, date(2026, 2, 5), "1", "PEC")):
        with pytest.raises(Exception, match="non esiste per la tua scuola"):
            call()


def test_the_page_logs_one_line_per_view_and_one_per_step(both):
    def lines(what: str) -> int:
        return both.execute("SELECT COUNT(*) FROM access_log WHERE what = ?", [what]).fetchone()[0]

    at = log_in(new_app(), "dirigente")
    assert lines("obbligo scolastico") == 1  # the home page's list of steps due
    at.switch_page("pages/obligation.py").run()
    for _ in range(3):
        at.run()
    assert lines("obbligo scolastico") == 2
    at.selectbox(key="obl_case").select_index(0).run()
    at.run()
    assert lines("obbligo scolastico: caso") == 1
    next(t for t in at.text_input if t.label == "Numero di protocollo").input("7/2026")
    next(s for s in at.selectbox if s.label == "Come è stata inviata").select("Raccomandata A/R")
    next(b for b in at.button if b.label == "Registra la comunicazione alla famiglia").click().run()
    assert not at.exception and [s.value for s in at.success] == ["Passo registrato."]
    assert lines("obbligo scolastico: famiglia") == 1
    steps = both.execute("SELECT action, target FROM audit_log WHERE action = 'obbligo_famiglia'").fetchall()
    assert steps == [("obbligo_famiglia", "OBDEMO0")]
