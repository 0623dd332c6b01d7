"""Sessions as the browser keeps them: the one-time cookie ticket, expiry, logout, sign-on by e-mail."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models.accounts import auth
from models.core import clock
from models.core.errors import ApprodoError
from models.demo import demo


def _login(db, username="dirigente"):
    return auth.login(db, username, demo.DEMO_PASSWORD)


def test_a_ticket_gives_back_the_token_once(demo_db):
    token = _login(demo_db)
    ticket = auth.issue_cookie_ticket(demo_db, token)
    assert ticket != token
    assert auth.redeem_cookie_ticket(demo_db, ticket) == token
    assert auth.redeem_cookie_ticket(demo_db, ticket) is None  # spent


def test_a_ticket_expires(demo_db):
    token = _login(demo_db)
    now = clock.utcnow()
    ticket = auth.issue_cookie_ticket(demo_db, token, now=now)
    late = now + auth.COOKIE_TICKET_LIFETIME + timedelta(seconds=1)
    assert auth.redeem_cookie_ticket(demo_db, ticket, now=late) is None


def test_a_ticket_of_a_session_closed_meanwhile_gives_nothing(demo_db):
    token = _login(demo_db)
    ticket = auth.issue_cookie_ticket(demo_db, token)
    auth.logout(demo_db, token)
    assert auth.redeem_cookie_ticket(demo_db, ticket) is None


@pytest.mark.parametrize("ticket", [None, "", "made-up"])
def test_unknown_tickets_give_nothing(demo_db, ticket):
    assert auth.redeem_cookie_ticket(demo_db, ticket) is None


def test_the_cookie_token_lasts_while_used_and_dies_when_idle(demo_db):
    token = _login(demo_db)
    start = clock.utcnow()
    # used every 20 minutes for two hours: still the same user
    for step in range(1, 7):
        actor = auth.resolve_session(demo_db, token, now=start + timedelta(minutes=20 * step))
        assert actor is not None and actor.username == "dirigente"
    idle = start + timedelta(minutes=120) + auth.IDLE_TIMEOUT + timedelta(seconds=1)
    assert auth.resolve_session(demo_db, token, now=idle) is None
    # and it is gone from the server, not only refused once
    assert auth.resolve_session(demo_db, token, now=start + timedelta(minutes=121)) is None


def test_logout_ends_the_session_for_every_tab(demo_db):
    token = _login(demo_db)
    assert auth.resolve_session(demo_db, token) is not None
    auth.logout(demo_db, token)
    assert auth.resolve_session(demo_db, token) is None
    assert demo_db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 0


def test_sign_on_by_verified_email_opens_a_session_of_the_linked_account(demo_db, system):
    auth.set_email(demo_db, system, "funzione", "  Funzione@Scuola.EDU.it ")
    assert auth.get_user(demo_db, system, "funzione").email == "funzione@scuola.edu.it"
    token = auth.login_with_email(demo_db, "funzione@scuola.edu.it", verified=True)
    actor = auth.resolve_session(demo_db, token)
    assert actor.username == "funzione"
    last = demo_db.execute("SELECT action, target, detail FROM audit_log ORDER BY id DESC").fetchone()
    assert last[:2] == ("accesso", "funzione") and "accesso unico" in last[2]


def test_unknown_or_unverified_email_is_refused_and_no_account_appears(demo_db, system):
    auth.set_email(demo_db, system, "funzione", "funzione@scuola.edu.it")
    users_before = demo_db.execute("SELECT COUNT(*) FROM users").fetchone()[0]
    with pytest.raises(auth.LoginError, match="Nessun account di Approdo è collegato"):
        auth.login_with_email(demo_db, "sconosciuto@scuola.edu.it", verified=True)
    with pytest.raises(auth.LoginError, match="non conferma l'indirizzo"):
        auth.login_with_email(demo_db, "funzione@scuola.edu.it", verified=False)
    with pytest.raises(auth.LoginError, match="non conferma"):
        auth.login_with_email(demo_db, None, verified=True)
    assert demo_db.execute("SELECT COUNT(*) FROM users").fetchone()[0] == users_before
    assert demo_db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 0
    failures = demo_db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'accesso_fallito'").fetchone()[0]
    assert failures == 3


def test_a_disabled_account_cannot_sign_on(demo_db, system):
    auth.set_email(demo_db, system, "docente", "docente@scuola.edu.it")
    auth.set_active(demo_db, system, "docente", False)
    with pytest.raises(auth.LoginError, match="disattivato"):
        auth.login_with_email(demo_db, "docente@scuola.edu.it", verified=True)


def test_an_email_links_one_account_only_and_can_be_removed(demo_db, system):
    auth.set_email(demo_db, system, "funzione", "f@scuola.edu.it")
    with pytest.raises(ApprodoError, match="già collegato all'account «funzione»"):
        auth.set_email(demo_db, system, "docente", "F@scuola.edu.it")
    auth.set_email(demo_db, system, "funzione", "")
    assert auth.get_user(demo_db, system, "funzione").email is None
    auth.set_email(demo_db, system, "docente", "f@scuola.edu.it")  # now free
    with pytest.raises(auth.LoginError):
        auth.login_with_email(demo_db, "x@scuola.edu.it", verified=True)


@pytest.mark.parametrize("bad", ["senza-chiocciola", "a@b", "due@@scuola.it", "spazio @scuola.it"])
def test_malformed_emails_get_an_italian_error(demo_db, system, bad):
    with pytest.raises(ApprodoError, match="non è valido"):
        auth.set_email(demo_db, system, "funzione", bad)


def test_a_user_can_be_created_with_an_email(demo_db, system):
    user = auth.create_user(demo_db, system, "nuova.docente", "password-lunga-1", "docente",
                            school_code="MIIS00003C", email="Nuova@Scuola.edu.it")
    assert user.email == "nuova@scuola.edu.it"
    with pytest.raises(ApprodoError, match="già collegato"):
        auth.create_user(demo_db, system, "altra.docente", "password-lunga-1", "docente",
                         school_code="MIIS00003C", email="nuova@scuola.edu.it")
