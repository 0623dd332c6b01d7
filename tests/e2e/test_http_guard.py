"""Issue 31 #13 in a real browser: the app works under its security headers, and a download's address is
worth something only with the cookie of the login that made it (nothing after its logout)."""

from __future__ import annotations

import urllib.error
import urllib.request

from playwright.sync_api import expect

from models.accounts import auth
from models.core import db as database
from models.demo import demo
from tests.e2e.conftest import COOKIE, log_in, rerun, session_cookie

expect.set_options(timeout=20_000)

# Every policy violation the page meets, as the browser reports it.
_WATCH_POLICY = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def _get(url: str, cookie: str | None = None) -> tuple[int, object, bytes]:
    request = urllib.request.Request(url, headers={"Cookie": f"{COOKIE}={cookie}"} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=20) as answer:  # noqa: S310 - the test's own server
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_the_app_works_under_its_policy_and_a_download_is_the_login_s_own(server, page):
    page.add_init_script(_WATCH_POLICY)
    first = page.goto(server.url + "/")
    assert first.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in first.headers["content-security-policy"]
    log_in(page, server.url, "dirigente", demo.DEMO_PASSWORD)
    main = page.locator("[data-testid='stMain']")
    expect(main).to_contain_text("Benvenuta/o, Marco Bianchi")
    cookie = session_cookie(page)["value"]

    # A page with a chart, tables and downloads of pupil data.
    with rerun(page):
        page.get_by_role("link", name="Rischio dispersione").first.click()
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_role("button", name="Scarica l'elenco (CSV)").click()
    url = download.value.url
    assert "/media/" in url and download.value.failure() is None
    # Nothing blocked but the favicon Streamlit would fetch from Google (the page keeps no outside requests).
    assert {v for v in page.evaluate("window.__violations") if "fonts.gstatic.com" not in v} == set()

    status, headers, body = _get(url, cookie)
    assert status == 200 and body and headers["Cache-Control"] == "private, no-store"
    status, _, body = _get(url)  # the same address without the cookie: nothing
    assert status == 404 and b"sessione che lo ha preparato" in body
    assert _get(url, "inventato")[0] == 404
    db = database.connect(server.db)
    other = auth.login(db, "docente", demo.DEMO_PASSWORD)  # another live login of the same server
    db.conn.close()
    assert _get(url, other)[0] == 404

    with rerun(page):
        page.get_by_role("button", name="Esci").click()
    session_cookie(page, present=False)
    assert _get(url, cookie)[0] == 404  # the old cookie, after the logout: nothing
