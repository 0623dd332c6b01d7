"""The access log holds one line per thing a user looked at, not one per Streamlit rerun."""

from models.core import audit
from tests.conftest import actor_named
from tests.pages.conftest import log_in, new_app

SCHOOL = "MIIS00003C"


def lines(db, what: str) -> list[tuple]:
    return db.execute("SELECT actor, detail FROM access_log WHERE what = ? ORDER BY id", [what]).fetchall()


def test_three_reruns_of_one_pupil_view_log_one_line_and_two_pupils_log_two(pupils_db):
    at = log_in(new_app(), "funzione")
    at.switch_page("pages/pupil.py").run()
    codes = at.selectbox[0].options
    at.selectbox[0].select_index(0).run()
    for _ in range(3):
        at.run()
    assert not at.exception
    assert len(lines(pupils_db, "scheda alunno")) == 1
    at.selectbox[0].select_index(1).run()
    at.run()
    assert [d for _, d in lines(pupils_db, "scheda alunno")] == [c.split(" · ")[0] for c in codes[:2]]


def test_filters_on_the_risk_list_are_one_view_and_coming_back_is_another(pupils_db):
    at = log_in(new_app(), "dirigente")
    at.switch_page("pages/risk.py").run()
    at.multiselect[1].set_value(["alto"]).run()
    at.multiselect[1].set_value(["medio"]).run()
    at.run()
    assert len(lines(pupils_db, "elenco rischio")) == 1
    at.switch_page("pages/home.py").run()
    at.switch_page("pages/risk.py").run()
    assert len(lines(pupils_db, "elenco rischio")) == 2
    # A reload is a new session, so a new view.
    again = log_in(new_app(), "dirigente")
    again.switch_page("pages/risk.py").run()
    assert len(lines(pupils_db, "elenco rischio")) == 3


def test_reads_without_a_view_are_each_logged(pupils_db):
    actor = actor_named(pupils_db, "dirigente")
    assert audit.record_access(pupils_db, actor, SCHOOL, "prova", "x")
    assert audit.record_access(pupils_db, actor, SCHOOL, "prova", "x")
    assert audit.record_access(pupils_db, actor, SCHOOL, "prova", "x", view="v1")
    assert not audit.record_access(pupils_db, actor, SCHOOL, "prova", "x", view="v1")
    assert audit.record_access(pupils_db, actor, SCHOOL, "prova", "y", view="v1")
    assert len(lines(pupils_db, "prova")) == 4


def test_the_risk_page_logs_no_export_until_one_is_downloaded(pupils_db):
    at = log_in(new_app(), "dirigente")
    at.switch_page("pages/risk.py").run()
    at.run()
    assert not [d for _, d in lines(pupils_db, "elenco rischio") if d.startswith("esportazione")]
