"""Single sign-on end to end: Streamlit's st.login against a real OpenID provider on 127.0.0.1.

The provider is `oidc-provider-mock` (a full OpenID Connect server for tests):
the browser goes there, picks an identity, comes back through /oauth2callback,
and Approdo maps the verified e-mail to the account an admin linked it to.
"""

from __future__ import annotations

import re
import sqlite3

import pytest
from playwright.sync_api import expect

from tests.conftest import cli_in_process
from tests.e2e.conftest import Server, free_port, session_cookie, wait_idle

expect.set_options(timeout=20_000)

SARA = "sara.galli@scuola.edu.it"  # linked to the demo account "funzione" below
STRANGER = "ignoto@scuola.edu.it"  # linked to nobody


@pytest.fixture
def provider():
    from oidc_provider_mock import User, run_server_in_thread

    users = [User(sub="sara", claims={"email": SARA, "email_verified": True, "name": "Sara Galli"}),
             User(sub="ignoto", claims={"email": STRANGER, "email_verified": True})]
    with run_server_in_thread(port=0, user_claims=users) as running:
        yield f"http://127.0.0.1:{running.server_port}"


@pytest.fixture
def sso_server(tmp_path, provider, monkeypatch):
    port = free_port()
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "una-stringa-casuale-lunga-per-i-test-0123456789"\n'
        'client_id = "approdo"\n'
        'client_secret = "segreto-di-prova"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    running = Server(tmp_path, port=port, args=("--secrets.files", str(secrets)),
                     env={"AUTHLIB_INSECURE_TRANSPORT": "1"}, wait=False)  # the test provider speaks plain HTTP
    # The admin links the account while the server starts (it opens the database at the first visit).
    linked = cli_in_process(running.db, monkeypatch)("set-email", "funzione", SARA)
    assert linked.returncode == 0, linked.stderr
    running.wait_healthy()
    yield running
    running.stop()


def _sign_on_as(page, base_url: str, subject: str) -> None:
    page.goto(base_url + "/")
    wait_idle(page)
    page.get_by_role("button", name="Accedi con l'account della scuola").click()
    page.get_by_role("button", name=subject, exact=True).click()  # the provider's page
    page.wait_for_url(base_url + "/**")
    wait_idle(page)


def test_a_linked_school_account_signs_on_and_stays_after_reload(sso_server, page):
    _sign_on_as(page, sso_server.url, "sara")
    main = page.locator("[data-testid='stMain']")
    expect(main).to_contain_text("Benvenuta/o, Sara Galli")
    expect(page.locator("[data-testid='stSidebar']")).to_contain_text("Funzione strumentale")
    session_cookie(page)
    page.reload()
    wait_idle(page)
    expect(main).to_contain_text("Benvenuta/o, Sara Galli")

    # Logging out leaves the school account too, or the next visit would sign on again by itself.
    page.get_by_role("button", name="Esci").click()
    page.wait_for_url(lambda url: not url.startswith(sso_server.url), timeout=60_000)  # the provider's page
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(sso_server.url + "/**", timeout=60_000)
    wait_idle(page)
    expect(page.locator("h1")).to_contain_text("Accesso ad Approdo")
    page.reload()
    wait_idle(page)
    expect(page.locator("h1")).to_contain_text("Accesso ad Approdo")
    expect(page.get_by_role("button", name="Esci")).to_have_count(0)


def test_an_unknown_school_account_is_refused_in_italian_and_gets_no_account(sso_server, page):
    _sign_on_as(page, sso_server.url, "ignoto")
    main = page.locator("[data-testid='stMain']")
    # (plain() puts an invisible word joiner after the @, so the address is no link)
    expect(main).to_contain_text(re.compile("Nessun account di Approdo è collegato all'indirizzo "
                                            + re.escape(STRANGER).replace("@", "@\u2060?")))
    expect(page.locator("h1")).to_contain_text("Accesso ad Approdo")
    expect(page.get_by_role("button", name="Usa un altro account della scuola")).to_be_visible()
    with sqlite3.connect(sso_server.db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM users WHERE email = ? OR username LIKE 'ignoto%'",
                            [STRANGER]).fetchone() == (0,)
