"""Single sign-on through st.login, as the app sees it after the provider: st.user with an e-mail."""

from __future__ import annotations

import pytest

from models.accounts import auth
from tests.pages.conftest import log_in, new_app

SECRETS = {"auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                    "client_id": "approdo", "client_secret": "s",
                    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}}


def _app(user: dict | None = None):
    at = new_app()
    at.secrets = dict(SECRETS)
    at.user = user or {"is_logged_in": False}
    return at


def _buttons(at):
    return [b.label for b in at.button]


def test_without_configuration_there_is_no_single_sign_on_button(demo_db):
    at = new_app().run()
    assert "Accedi con l'account della scuola" not in _buttons(at)


def test_with_configuration_the_login_page_offers_it(demo_db):
    at = _app().run()
    assert not at.exception
    assert "Accedi con l'account della scuola" in _buttons(at)
    assert at.title[0].value == "Accesso ad Approdo"


def test_a_verified_linked_email_opens_that_account(demo_db, system):
    auth.set_email(demo_db, system, "funzione", "sara.galli@scuola.edu.it")
    at = _app({"is_logged_in": True, "email": "Sara.Galli@scuola.edu.it", "email_verified": True}).run()
    assert not at.exception
    token = at.session_state["approdo_token"]
    assert auth.resolve_session(demo_db, token).username == "funzione"
    assert "Accesso ad Approdo" not in [t.value for t in at.title]
    # logging out ends the Approdo session and the single sign-on identity (or it would sign on again)
    at.sidebar.button[0].click().run()
    assert auth.resolve_session(demo_db, token) is None
    assert at.user.get("is_logged_in") is False  # st.logout() ran (the browser goes to /auth/logout)
    at.run()
    assert at.title[0].value == "Accesso ad Approdo"
    assert "approdo_token" not in at.session_state


@pytest.mark.parametrize(("user", "message"), [
    ({"is_logged_in": True, "email": "nessuno@scuola.edu.it", "email_verified": True},
     "Nessun account di Approdo è collegato all'indirizzo nessuno@scuola.edu.it"),
    ({"is_logged_in": True, "email": "sara.galli@scuola.edu.it", "email_verified": False},
     "non conferma l'indirizzo e-mail"),
    ({"is_logged_in": True, "email": "sara.galli@scuola.edu.it"}, "non conferma l'indirizzo e-mail"),
])
def test_unknown_or_unverified_identities_are_refused_in_italian(demo_db, system, user, message):
    auth.set_email(demo_db, system, "funzione", "sara.galli@scuola.edu.it")
    users = demo_db.execute("SELECT COUNT(*) FROM users").fetchone()[0]
    at = _app(user).run()
    assert not at.exception
    assert at.title[0].value == "Accesso ad Approdo"
    assert not any("\u2060" in e.value for e in at.error)  # nothing invisible to copy with the address
    shown = [e.value.replace("`", "") for e in at.error]  # plain() shows the e-mail as code: no autolink
    assert any(message in text for text in shown), shown
    assert "Usa un altro account della scuola" in _buttons(at)
    assert demo_db.execute("SELECT COUNT(*) FROM users").fetchone()[0] == users
    # the password login still works beside it
    log_in(at, "dirigente")
    assert "Accesso ad Approdo" not in [t.value for t in at.title]


def test_the_admin_links_an_email_on_the_admin_page(demo_db, system):
    at = log_in(new_app(), "admin")
    at.switch_page("pages/admin.py").run()
    manage = [s for s in at.selectbox if s.label == "Nome utente"][0]
    manage.set_value(auth.get_user(demo_db, system, "docente")).run()
    at.text_input(key="user_email_docente").input("Luca.Neri@Scuola.edu.it")
    [b for b in at.button if b.label == "Salva l'e-mail"][0].click().run()
    assert not at.exception
    assert auth.get_user(demo_db, system, "docente").email == "luca.neri@scuola.edu.it"
    assert any("E-mail di docente aggiornata." in s.value for s in at.success)
