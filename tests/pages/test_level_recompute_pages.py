"""Page views never score the network's levels; a change of thresholds shows its progress, and the risk page's
filters do not score the list again (AppTest)."""

from __future__ import annotations

import time

import pytest

from models.risk import history, indicators, rules
from tests.pages.conftest import log_in, new_app

NETWORK = "RETEDEMO"


@pytest.fixture
def scorings(monkeypatch):
    calls = []
    real = indicators.score
    monkeypatch.setattr(indicators, "score", lambda *a, **k: calls.append(k.get("as_of")) or real(*a, **k))
    return calls


def open_page(username: str, page: str):
    at = log_in(new_app(), username)
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def progress(at) -> list[str]:
    return [p.proto.text for p in at.get("progress")]


def wait_for_the_job(db, seconds: float = 120) -> history.Job:
    deadline = time.monotonic() + seconds
    while history.latest_job(db, NETWORK).active and time.monotonic() < deadline:
        time.sleep(0.1)
    return history.latest_job(db, NETWORK)


def test_the_dashboard_is_read_not_computed_twice_in_a_row(pupils_db, scorings):
    at = open_page("coordinatrice", "pages/network.py")
    at.run()
    assert not at.exception and at.table
    assert scorings == []


def test_the_dashboard_shows_the_recompute_and_then_the_new_levels(pupils_db, actors):
    at = open_page("coordinatrice", "pages/network.py")
    before = at.table[1].value  # pupils by level, month by month
    assert progress(at) == []
    rules.set_network_rules(pupils_db, actors["coordinatore_rete"], NETWORK, chronic=0.05, severe=0.12)
    job = history.latest_job(pupils_db, NETWORK)
    # Another runner is at work (its heartbeat is fresh): the page shows how far it is, and the old levels.
    pupils_db.execute("UPDATE level_jobs SET status = 'in_corso', schools_done = 1, heartbeat_at = ? WHERE id = ?",
                      [history._now(), job.id])
    at.run()
    assert not at.exception
    assert progress(at) == [f"Ricalcolo dei livelli mese per mese con le nuove soglie: 1 di {job.total} scuole."
                            " Fino alla fine il cruscotto mostra i livelli delle soglie precedenti; il ricalcolo"
                            " continua anche se cambi pagina."]
    assert at.table[1].value.equals(before)
    # That runner stops (a restart): the next view takes the job over on a server thread, which finishes it.
    pupils_db.execute("UPDATE level_jobs SET heartbeat_at = '2000-01-01T00:00:00.000000Z' WHERE id = ?", [job.id])
    at.run()
    assert wait_for_the_job(pupils_db).status == "completato"
    at.run()
    assert not at.exception and progress(at) == []
    assert not at.table[1].value.equals(before)  # 5 % chronic absence: more pupils at medio


def test_saving_thresholds_on_home_recomputes_in_the_background(pupils_db):
    at = open_page("coordinatrice", "pages/home.py")
    chronic = next(n for n in at.number_input if "cronica" in n.label.lower())
    chronic.set_value(6.0)
    at.button[0].click()  # the form's submit button
    at.run()
    assert not at.exception
    assert rules.network_rules(pupils_db, NETWORK).chronic == pytest.approx(0.06)
    assert wait_for_the_job(pupils_db).status == "completato"
    assert progress(at.run()) == []


def test_changing_the_risk_page_filters_does_not_score_again(pupils_db, scorings):
    at = open_page("funzione", "pages/risk.py")
    assert len(scorings) == 1
    classes = next(m for m in at.multiselect if m.label == "Classi")
    classes.set_value(["2A"]).run()
    levels = next(m for m in at.multiselect if m.label == "Livelli")
    levels.set_value([]).run()
    assert not at.exception and set(at.dataframe[0].value["Classe"]) <= {"2A"}
    assert len(scorings) == 1
