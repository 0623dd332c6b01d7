"""Two app processes on one database file behave as one service: a login slowed down in one is slowed down in
the other, a session (and its cookie ticket) opened in one is good in the other, a logged view is not logged
again by the other, and a background job taken by two runners at once is run by one of them, once."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from models.accounts import auth
from models.core import audit
from models.core import db as database
from models.demo import demo
from models.risk import history, rules
from tests.conftest import ROOT

CLIENT = "203.0.113.9"
# The other process: the same code as the app's, with the tests' cheap Argon2 parameters.
PROCESS = """
import json, sys
from argon2 import PasswordHasher
from models.accounts import auth
from models.core import audit
from models.core import db as database
from models.core.permissions import Actor
auth._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
db = database.connect(sys.argv[1])
what, args = sys.argv[2], json.loads(sys.argv[3])
if what == "fail":
    answers = []
    for _ in range(args["times"]):
        try:
            auth.login(db, args["name"], "sbagliata-123", client=args["client"])
        except auth.LoginError as error:
            answers.append(error.message)
    print(json.dumps(answers))
elif what == "login":
    token = auth.login(db, args["name"], args["password"], client=args["client"])
    print(json.dumps({"token": token, "ticket": auth.issue_cookie_ticket(db, token)}))
elif what == "view":
    actor = auth.actor_for_user(db, db.execute("SELECT id FROM users WHERE username = 'dirigente'").fetchone()[0])
    print(json.dumps(audit.record_access(db, actor, actor.school_code, "elenco rischio", "3A", view="v1")))
elif what == "worker":
    from models.risk import history
    print(json.dumps([[job.id, job.status] for job in history.run_waiting(db, worker=args["worker"])]))
"""


def other_process(db_path, what: str, **args):
    done = subprocess.run([sys.executable, "-c", PROCESS, str(db_path), what, json.dumps(args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("name", ["dirigente", "nessuno.qui"])
def test_a_login_slowed_down_in_one_process_is_slowed_down_in_the_other(demo_db, db_path, name):
    answers = other_process(db_path, "fail", name=name, client=CLIENT, times=auth.FREE_FAILURES)
    assert answers == [auth.WRONG_CREDENTIALS] * auth.FREE_FAILURES
    # Here, the right password of an account or any password of a name without one: not even checked.
    with pytest.raises(auth.LoginError, match="Troppi tentativi non riusciti") as here:
        auth.login(demo_db, name, demo.DEMO_PASSWORD, client=CLIENT)
    assert "Riprova fra 1 minuto" in here.value.message  # 30 s after the fifth failure
    # From another address the account is not slowed down.
    if name == "dirigente":
        assert auth.login(demo_db, name, demo.DEMO_PASSWORD, client="192.0.2.44")


def test_a_session_opened_in_one_process_is_good_in_the_other_with_its_cookie_ticket(demo_db, db_path):
    opened = other_process(db_path, "login", name="dirigente", password=demo.DEMO_PASSWORD, client=CLIENT)
    assert auth.resolve_session(demo_db, opened["token"]).username == "dirigente"
    # The browser's cookie request may reach this process: the ticket is good here, once.
    assert auth.redeem_cookie_ticket(demo_db, opened["ticket"]) == opened["token"]
    assert auth.redeem_cookie_ticket(demo_db, opened["ticket"]) is None
    # The database holds neither the token nor the ticket.
    dump = "\n".join(demo_db.conn.iterdump())
    assert opened["token"] not in dump and opened["ticket"] not in dump


def test_a_view_logged_in_one_process_is_not_logged_again_in_the_other(demo_db, db_path, actors):
    assert other_process(db_path, "view") is True
    dirigente = actors["dirigente"]
    assert not audit.record_access(demo_db, dirigente, dirigente.school_code, "elenco rischio", "3A", view="v1")
    assert audit.record_access(demo_db, dirigente, dirigente.school_code, "elenco rischio", "3A", view="v2")
    lines = demo_db.execute("SELECT COUNT(*) FROM access_log WHERE what = 'elenco rischio'").fetchone()[0]
    assert lines == 2


def test_a_job_taken_by_two_runners_at_once_runs_once(pupils_db, db_path, actors):
    rules.set_network_rules(pupils_db, actors["coordinatore_rete"], "RETEDEMO", chronic=0.05)
    job = history.latest_job(pupils_db, "RETEDEMO")
    with ThreadPoolExecutor(2) as pool:
        ran = list(pool.map(lambda worker: other_process(db_path, "worker", worker=worker), ["uno", "due"]))
    assert sorted(ran, key=len) == [[], [[job.id, "completato"]]]  # one runner ran it; the other found none
    runner = "uno" if ran[0] else "due"
    assert pupils_db.execute("SELECT claimed_by, status FROM level_jobs WHERE id = ?", [job.id]).fetchone() == (
        runner, "completato")
    assert history.run_waiting(pupils_db) == []  # nothing left for a third


def test_the_worker_command_runs_what_waits(pupils_db, db_path, actors, monkeypatch):
    from click.testing import CliRunner

    import cli

    rules.set_network_rules(pupils_db, actors["coordinatore_rete"], "RETEDEMO", chronic=0.05)
    job = history.latest_job(pupils_db, "RETEDEMO")
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli.cli, ["worker", "--once"], env={"APPRODO_DB": str(db_path)},
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"Lavoro {job.id} (rete RETEDEMO): completato" in result.output
    assert history.latest_job(database.connect(db_path), "RETEDEMO").status == "completato"
