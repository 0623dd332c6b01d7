"""A login that lasts as people use a browser: reload, a new tab, a bookmarked link, back, logout."""

from __future__ import annotations

import sqlite3

from playwright.sync_api import expect

from models.demo import demo
from tests.e2e.conftest import COOKIE, log_in, new_page, rerun, screenshot, session_cookie, wait_idle

LOGIN_TITLE = "Accesso ad Approdo"
expect.set_options(timeout=20_000)  # the machine may be busy; every wait is on a condition


def _main(page):
    return page.locator("[data-testid='stMain']")


def _fill_login(page, username: str) -> None:
    page.get_by_role("textbox", name="Nome utente").fill(username)
    page.get_by_role("textbox", name="Password").fill(demo.DEMO_PASSWORD)
    with rerun(page):
        page.get_by_role("button", name="Accedi").click()


def _no_error(page) -> None:
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    expect(page.get_by_text("Page not found")).to_have_count(0)


def test_reload_and_a_new_tab_keep_the_login(server, page):
    log_in(page, server.url, "dirigente", demo.DEMO_PASSWORD)
    expect(_main(page)).to_contain_text("Benvenuta/o, Marco Bianchi")
    cookie = session_cookie(page)
    # The token is for the server only: not readable by the page's script, not in the URL or storage.
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert COOKIE not in page.evaluate("document.cookie")
    assert cookie["value"] not in page.url
    assert cookie["value"] not in page.evaluate("JSON.stringify({...localStorage, ...sessionStorage})")

    page.reload()
    wait_idle(page)
    expect(_main(page)).to_contain_text("Benvenuta/o, Marco Bianchi")
    expect(page.get_by_role("button", name="Esci")).to_be_visible()

    # a new tab, opened on a bookmarked page
    other = page.context.new_page()
    other.goto(f"{server.url}/protocols")
    wait_idle(other)
    expect(other.locator("h1")).to_contain_text("Protocolli di accoglienza")
    expect(other.get_by_role("button", name="Accedi")).to_have_count(0)
    _no_error(other)
    # the first tab goes on working after the second one opened
    with rerun(page):
        page.get_by_role("link", name="Rischio dispersione").click()
    expect(page.locator("h1")).to_contain_text("Rischio di dispersione")


def test_a_link_to_a_pupil_page_opens_that_pupil_after_login(server, page):
    with sqlite3.connect(server.db) as conn:
        (code,) = conn.execute("SELECT pupil_code FROM attendance WHERE school_code = 'MIIS00003C'"
                               " ORDER BY pupil_code LIMIT 1").fetchone()
    link = f"{server.url}/pupil?alunno={code}"
    page.goto(link)
    wait_idle(page)
    expect(page.locator("h1")).to_contain_text(LOGIN_TITLE)
    expect(_main(page)).not_to_contain_text(code)
    _no_error(page)

    _fill_login(page, "funzione")
    expect(page.locator("h1")).to_contain_text("Scheda alunno")
    expect(_main(page)).to_contain_text(f"Alunno {code} · classe")
    assert page.url == link
    _no_error(page)
    screenshot(page, "link_alunno_dopo_accesso")

    # the same link, reloaded, still opens the pupil (the guard checks it again)
    session_cookie(page)
    page.reload()
    wait_idle(page)
    expect(_main(page)).to_contain_text(f"Alunno {code} · classe")


def test_a_link_to_a_pupil_of_another_school_is_still_refused_after_login(server, page):
    with sqlite3.connect(server.db) as conn:
        (code,) = conn.execute("SELECT pupil_code FROM attendance WHERE school_code = 'MIMM00002B'"
                               " ORDER BY pupil_code LIMIT 1").fetchone()
    page.goto(f"{server.url}/pupil?alunno={code}")
    wait_idle(page)
    _fill_login(page, "funzione")
    expect(page.locator("h1")).to_contain_text("Scheda alunno")
    expect(_main(page)).to_contain_text(f"Nessun alunno con codice «{code}»")
    expect(_main(page)).not_to_contain_text(f"Alunno {code} · classe")


def test_logout_then_reload_shows_the_login_and_the_old_cookie_is_dead(server, page, browser):
    log_in(page, server.url, "funzione", demo.DEMO_PASSWORD)
    old = session_cookie(page)
    with rerun(page):
        page.get_by_role("button", name="Esci").click()
    expect(_main(page)).to_contain_text("Sei uscito da Approdo.")
    session_cookie(page, present=False)

    page.reload()
    wait_idle(page)
    expect(page.locator("h1")).to_contain_text(LOGIN_TITLE)
    expect(page.get_by_role("button", name="Esci")).to_have_count(0)

    # Someone who had copied the cookie gets nothing: the session ended on the server.
    stolen = new_page(browser)
    thief = stolen.context
    try:
        thief.add_cookies([{key: old[key] for key in ("name", "value", "domain", "path")}])
        stolen.goto(f"{server.url}/risk")
        wait_idle(stolen)
        expect(stolen.locator("h1")).to_contain_text(LOGIN_TITLE)
        expect(stolen.locator("[data-testid='stMain']")).to_contain_text("La sessione precedente è terminata")
    finally:
        thief.close()


def test_the_back_button_between_pages_works(server, page):
    log_in(page, server.url, "funzione", demo.DEMO_PASSWORD)
    session_cookie(page)
    for name, title in (("Rischio dispersione", "Rischio di dispersione"), ("Protocolli", "Protocolli di accoglienza")):
        with rerun(page):
            page.get_by_role("link", name=name).click()
        expect(page.locator("h1")).to_contain_text(title)
    with rerun(page):
        page.go_back()
    expect(page.locator("h1")).to_contain_text("Rischio di dispersione")
    assert page.url.endswith("/risk")
    _no_error(page)
    with rerun(page):
        page.go_back()
    expect(_main(page)).to_contain_text("Benvenuta/o")
    with rerun(page):
        page.go_forward()
    expect(page.locator("h1")).to_contain_text("Rischio di dispersione")
    _no_error(page)
    expect(page.get_by_role("button", name="Esci")).to_be_visible()


def _filter_class(page, name: str | None) -> None:
    """Add a class to the risk list's filter, or (None) take the last one away, as a keyboard user does."""
    box = page.get_by_role("combobox", name="Classi")
    box.click()
    with rerun(page):
        if name is None:
            box.press("Backspace")
        else:
            box.fill(name)
            page.get_by_role("option", name=name, exact=True).click()
    page.keyboard.press("Escape")
    wait_idle(page)


def test_the_risk_filters_stop_showing_pupils_once_the_session_ended_in_another_tab(server, page):
    """The filters and the table rerun on their own (a fragment): they check the session again each time."""
    log_in(page, server.url, "funzione", demo.DEMO_PASSWORD)
    session_cookie(page)
    with rerun(page):
        page.get_by_role("link", name="Rischio dispersione").click()
    for name in ("1A", "2A", "1A"):  # the filter again and again: the same page, no error
        _filter_class(page, name)
        expect(page.get_by_role("button", name=f"Togli {name}")).to_have_count(1)
        _filter_class(page, None)
        _no_error(page)
        expect(page.locator("h1")).to_contain_text("Rischio di dispersione")

    # Another page and Back: the choice is still there (Streamlit alone would forget it).
    _filter_class(page, "2A")
    with rerun(page):
        page.get_by_role("link", name="Scheda alunno").click()
    with rerun(page):
        page.go_back()
    expect(page.locator("h1")).to_contain_text("Rischio di dispersione")
    expect(page.get_by_role("button", name="Togli 2A")).to_have_count(1)

    other = page.context.new_page()
    other.goto(f"{server.url}/")
    wait_idle(other)
    other.get_by_role("button", name="Esci").click()
    wait_idle(other)
    expect(other.locator("[data-testid='stMain']")).to_contain_text("Sei uscito da Approdo.")

    # Back in the first tab, one more filter change: the whole app answers, with the login.
    page.bring_to_front()
    _filter_class(page, "1A")
    expect(page.locator("h1")).to_contain_text(LOGIN_TITLE)
    expect(page.locator("[data-testid='stDataFrame']")).to_have_count(0)
    expect(page.get_by_role("button", name="Esci")).to_have_count(0)
