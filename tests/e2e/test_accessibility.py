"""WCAG 2.1 A/AA in a real browser: axe-core (the axe.min.js that the PyPI package axe-playwright-python ships,
never a download) over every page of every role, in the states people reach (a filter set, a row of the risk list
chosen, an upload refused, the date picker open, expanders open, an error), on ONE server for the module.

The browser speaks English (locale en-US): what a person reads must still be Italian, the date picker's months too.

A failure names the page, the rule and the element. Nothing is hidden from the scanner: what it found was
fixed in the app (the menu's markup, the theme's colours), see ui/navigation.py and .streamlit/config.toml.
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from models.core.permissions import Actor, Role
from models.demo import demo
from tests.e2e.conftest import Server, log_in, new_page, rerun, screenshot, wait_idle
from ui.navigation import pages_for

# One process runs the whole module (xdist, loadgroup): split over two, each process started its own server, and
# again whenever another module's test came in between.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("a11y")]

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
           "resultTypes": ["violations"]}
ROLES = {username: Role(role) for username, role, _name, _where in demo.USERS}
_AXE = Axe()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = Server(tmp_path_factory.mktemp("a11y"))
    yield running
    running.stop()


@pytest.fixture
def page(browser):
    opened = new_page(browser, locale="en-US")  # a page whose script runs wait_idle can follow; an English browser
    yield opened
    opened.context.close()


def violations(page, where: str) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on what the page shows now, one line per element.

    axe-core (570 kB) is put into the page once per page load: a click in the menu keeps the page (and axe), and
    each run reads the page as it is then."""
    if not page.evaluate("() => typeof window.axe === 'object' && typeof window.axe.run === 'function'"):
        page.evaluate(_AXE.axe_script)
    found = page.evaluate("options => axe.run(options)", WCAG_AA)["violations"]
    return [f"{where}: {rule['id']} ({rule['impact']}) {node['target']} {node['html'][:160]}"
            for rule in found for node in rule["nodes"]]


def open_expanders(page) -> None:
    """Open every expander of the page (its content is then scanned too)."""
    closed = page.locator("[data-testid='stMain'] details:not([open]) > summary:visible")
    for _ in range(closed.count()):
        closed.first.click()
    wait_idle(page)


MONTH_YEAR = re.compile(r"(gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|agosto|settembre|ottobre|novembre"
                        r"|dicembre) \d{4}")


def choose_the_first_row(page) -> None:
    """Tick the first row of the page's first interactive table (its row marker, drawn on a canvas)."""
    grid = page.locator("[data-testid='stMain'] [data-testid='stDataFrame']").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    with rerun(page):
        page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the marker column, the row under the 35 px header


def scan_the_states(page, where: str, title: str) -> list[str]:
    """The states a page reaches beyond its first view, scanned: each is checked to be there first."""
    main = page.locator("[data-testid='stMain']")
    found = []
    if title == "Rischio dispersione":  # a filter set, then a pupil chosen in the table
        levels = page.get_by_role("combobox", name="Livelli")
        levels.click()
        levels.fill("Basso")
        page.get_by_role("option", name="Basso").wait_for()
        with rerun(page):
            levels.press("Enter")
        levels.press("Escape")
        # The list closes with a fade: scanned mid-fade its options read as text at ~5 % opacity (#f4f4f5 on
        # white, 1.09:1), a frame nobody reads. The state people reach is the closed list.
        expect(page.get_by_role("option")).to_have_count(0)
        wait_idle(page)
        expect(page.get_by_role("button", name="Togli Basso")).to_have_count(1)  # Streamlit's "Remove"
        found += violations(page, f"{where} · filtro")
        choose_the_first_row(page)
        expect(main.get_by_role("link", name="Apri la scheda dell'alunno")).to_be_visible()
        expect(page.get_by_role("button", name="Togli la selezione")).to_have_count(1)  # the table's "Clear"
        found += violations(page, f"{where} · riga scelta")
    elif title == "Carica dati":  # a file of a type refused by the uploader, then a file that cannot be read
        uploader = page.locator("[data-testid='stFileUploaderDropzoneInput']")
        uploader.set_input_files(files=[{"name": "verbale.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"}])
        expect(main.get_by_text("Errore: i file di tipo application/pdf non sono ammessi.")).to_be_visible()
        found += violations(page, f"{where} · tipo di file rifiutato")
        with rerun(page):
            uploader.set_input_files(files=[{"name": "frequenze.csv", "mimeType": "text/csv", "buffer": b"\x00\x01"}])
        expect(main.locator("[data-testid='stAlertContentError']")).to_be_visible()
        found += violations(page, f"{where} · file illeggibile")
    elif title == "Obbligo scolastico":  # the date picker open: a dialog, in Italian in an English browser
        main.get_by_role("button", name="Scegli la data").first.click()
        calendar = page.locator("[data-testid='stDateInputCalendar']")
        expect(calendar).to_contain_text(MONTH_YEAR)
        expect(calendar).to_contain_text("Usa le frecce per muoverti tra i giorni")
        expect(calendar.get_by_role("button", name="Mese precedente")).to_have_count(1)
        expect(calendar).not_to_contain_text(re.compile(r"January|December|Choose|Use arrow"))
        found += violations(page, f"{where} · calendario aperto")
        page.keyboard.press("Escape")
        expect(calendar).to_have_count(0)
    return found


def test_the_login_page_is_italian_and_has_no_violation_also_with_an_error(server, page):
    page.goto(server.url + "/")
    wait_idle(page)
    assert page.evaluate("document.documentElement.lang") == "it"
    found = violations(page, "accesso")
    with rerun(page):
        page.get_by_role("button", name="Accedi").click()  # nothing typed: the error is shown
    expect(page.get_by_text("Scrivi nome utente e password.")).to_be_visible()
    found += violations(page, "accesso con errore")
    # Streamlit's own English, made Italian: the form's hint and the password's button.
    page.get_by_role("textbox", name="Nome utente").fill("x")
    expect(page.get_by_text("Premi Invio per inviare il modulo")).to_be_visible()
    expect(page.get_by_role("button", name="Mostra la password")).to_have_count(1)
    expect(page.get_by_text("Press Enter")).to_have_count(0)
    assert found == []


@pytest.mark.parametrize("username", list(ROLES))
def test_every_page_of_the_role_has_no_wcag_violation(server, page, username):
    expected = [spec.title for spec in pages_for(Actor(None, username, ROLES[username]))]
    log_in(page, server.url, username, demo.DEMO_PASSWORD)
    menu = page.locator("[data-testid='stSidebar'] [data-testid='stPageLink'] a")
    expect(menu).to_have_count(len(expected))
    # The menu is links under real headings (Streamlit's sectioned menu was a <ul> of <div>s).
    assert [link.inner_text().split("\n")[-1] for link in menu.all()] == expected
    found = violations(page, f"{username} · dopo l'accesso")
    for index, title in enumerate(expected):
        with rerun(page):
            menu.nth(index).click()
        expect(page.locator("[data-testid='stMain'] h1").first).to_be_visible()
        open_expanders(page)
        found += violations(page, f"{username} · {title}")
        found += scan_the_states(page, f"{username} · {title}", title)
        if index == len(expected) - 1:
            screenshot(page, f"accessibilita_{username}")
    assert found == [], "\n".join(found)
