"""Keyboard only (WCAG 2.1.1, 2.1.2, 2.4.7): a dirigente logs in, chooses a file to upload, opens a protocol
section, types and saves, opens the risk list, sets a filter, downloads the list, downloads a letter of the
compulsory-education procedure, opens a pupil and records an intervention, with Tab, Enter and typing only; at
every stop the focus is visible (the element looks different focused than not) and Tab moves on (no trap)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from models.demo import demo
from tests.e2e.conftest import rerun, screenshot, wait_idle

pytestmark = pytest.mark.e2e

# The element that has the focus, inside a shadow root too (the rich-text editor lives in one).
DEEP_ACTIVE = """() => { let a = document.activeElement;
  while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement; return a; }"""


def focus_is_visible(page, target) -> bool:
    """The focused element (with a few pixels around it) looks different once the focus leaves it. The box of a
    choice list (its typing field is a small part of it) is the field as drawn: its border shows the focus."""
    field = "el => el.closest(\"[data-testid='stMultiSelect'], [data-testid='stSelectbox']\") || el"
    box = target.evaluate_handle(field).as_element().bounding_box()
    clip = {"x": max(box["x"] - 4, 0), "y": max(box["y"] - 4, 0), "width": box["width"] + 8,
            "height": box["height"] + 8}
    focused = page.screenshot(clip=clip)
    page.evaluate(f"({DEEP_ACTIVE})().blur()")
    blurred = page.screenshot(clip=clip)
    target.focus()  # back where the keyboard left it
    return focused != blurred


def tab_to(page, target, limit: int = 120) -> None:
    """Press Tab until the focus is on `target`, as a keyboard user would; fail if it never gets there.

    The target is found once and then compared with the focus after each Tab (finding it by role and name reads
    the name of every candidate: most of a Tab's time on a long page). It is found again every ten presses, and
    at once if a run has removed it, so that a redrawn target is still the one compared."""
    target.wait_for()
    handle = None
    for pressed in range(limit):
        page.keyboard.press("Tab")
        if handle is None or pressed % 10 == 0:
            handle = target.element_handle()
        focused = handle.evaluate(f"el => el.isConnected ? el === ({DEEP_ACTIVE})() : null")
        if focused is None:  # redrawn since it was found
            handle = target.element_handle()
            focused = handle.evaluate(f"el => el === ({DEEP_ACTIVE})()")
        if focused:
            assert focus_is_visible(page, target), f"no visible focus on {target}"
            return
    raise AssertionError(f"{limit} presses of Tab never reached {target}")


def press_enter_for_the_file_chooser(page, uploader, attempts: int = 3):
    """Enter on the focused uploader button opens the browser's file chooser. While Streamlit is still running
    the page (the login's cookie exchange reruns it) the uploader is briefly disabled and Enter does nothing:
    as a person would, wait for the page and press Enter again."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(attempts):
        wait_idle(page)
        expect(uploader).to_be_focused()
        try:
            with page.expect_file_chooser(timeout=8_000) as chooser:
                page.keyboard.press("Enter")
            return chooser.value
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def test_a_dirigente_does_the_day_s_work_with_the_keyboard_only(server, page):
    page.goto(server.url + "/")
    wait_idle(page)
    main = page.locator("[data-testid='stMain']")

    tab_to(page, page.get_by_role("textbox", name="Nome utente"))
    page.keyboard.type("dirigente")
    tab_to(page, page.get_by_role("textbox", name="Password"))
    page.keyboard.type(demo.DEMO_PASSWORD)
    with rerun(page):
        page.keyboard.press("Enter")
    expect(main).to_contain_text("Benvenuta/o, Marco Bianchi")

    # A file chosen from the uploader's button (Streamlit's "Upload", in Italian): the page reads it.
    tab_to(page, page.get_by_role("link", name="Carica dati"))
    with rerun(page):
        page.keyboard.press("Enter")
    uploader = page.get_by_role("button", name="Carica", exact=True)
    tab_to(page, uploader)
    chooser = press_enter_for_the_file_chooser(page, uploader)
    with rerun(page):
        chooser.set_files(files=[{"name": "frequenze.csv", "mimeType": "text/csv",
                                  "buffer": b"codice;classe\nAB12;1A\n"}])
    expect(main).to_contain_text("frequenze.csv")

    # The menu: the school's protocol, then a section of it.
    tab_to(page, page.get_by_role("link", name="Protocolli", exact=True))
    with rerun(page):
        page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name="Apri").last)
    with rerun(page):
        page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("combobox", name="Sezione"))
    page.keyboard.type("Chi fa che cosa")
    page.get_by_role("option", name="Chi fa che cosa").first.wait_for()
    with rerun(page):
        page.keyboard.press("Enter")
    # The rich-text editor: typed into, sent by itself a second after the last key (no Ctrl+Enter needed).
    editor = page.get_by_role("textbox", name="Testo formattato della sezione")
    tab_to(page, editor)
    page.keyboard.press("Control+End")
    with rerun(page):
        page.keyboard.press("Enter")
        page.keyboard.type("Scritto con la sola tastiera.")
    tab_to(page, page.get_by_role("button", name="Salva una nuova versione"))
    with rerun(page):
        page.keyboard.press("Enter")
    expect(main).to_contain_text("Salvata la versione")
    expect(editor).to_contain_text("Scritto con la sola tastiera.")

    # The risk list, a filter on it, its download.
    tab_to(page, page.get_by_role("link", name="Rischio dispersione"))
    with rerun(page):
        page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("combobox", name="Livelli"))
    page.keyboard.type("Basso")
    page.get_by_role("option", name="Basso").wait_for()
    with rerun(page):
        page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    expect(page.get_by_role("button", name="Togli Basso")).to_have_count(1)
    tab_to(page, page.get_by_role("button", name="Scarica l'elenco (Excel)"))
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith("_livello-alto-medio-basso.xlsx")  # the file follows the filter

    # A letter of the compulsory-education procedure: a case, then the letter to the family.
    tab_to(page, page.get_by_role("link", name="Obbligo scolastico", exact=True))
    with rerun(page):
        page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("combobox", name="Scheda del caso"))
    page.keyboard.type("IS")
    page.get_by_role("option").first.wait_for()
    with rerun(page):
        page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("button", name="Lettera alla famiglia"))
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert re.fullmatch(r"comunicazione_famiglia_IS\d+\.docx", download.value.suggested_filename)

    # A pupil, and an intervention recorded.
    tab_to(page, page.get_by_role("link", name="Scheda alunno"))
    with rerun(page):
        page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("combobox", name="Alunno"))
    page.keyboard.type("IS1")
    page.get_by_role("option").first.wait_for()
    with rerun(page):
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Alunno IS1")).to_be_visible()
    tab_to(page, page.get_by_role("combobox", name="Tipo di intervento"))
    page.keyboard.type("Colloquio con la famiglia")
    page.get_by_role("option", name="Colloquio con la famiglia").first.wait_for()
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("button", name="Registra l'intervento"))
    with rerun(page):
        page.keyboard.press("Enter")
    expect(main).to_contain_text("Intervento registrato.")
    screenshot(page, "tastiera_scheda_alunno")


def test_the_username_is_two_tabs_away_through_the_skip_link(server, page):
    """WCAG 2.4.1: the first Tab reaches «Vai al contenuto principale»; Enter and one more Tab reach the username
    (no "link to this heading" in between)."""
    page.goto(server.url + "/")
    wait_idle(page)
    page.wait_for_load_state("networkidle")  # keys pressed while the first page still loads can land anywhere
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Vai al contenuto principale")
    expect(skip).to_be_focused()
    assert focus_is_visible(page, skip)
    page.keyboard.press("Enter")
    expect(page.locator("[data-testid='stMain']")).to_be_focused()
    page.keyboard.press("Tab")
    username = page.get_by_role("textbox", name="Nome utente")
    expect(username).to_be_focused()
    assert focus_is_visible(page, username)
    assert page.locator("[data-testid='stMain'] a[href^='#']").count() == 0


def test_a_table_s_toolbar_shows_where_the_focus_is(server, page):
    """WCAG 2.4.7: Tab goes through the buttons Streamlit puts above a table (Cerca, Schermo intero, ...); the
    toolbar, drawn only under the mouse, was invisible with the focus on it."""
    from tests.e2e.conftest import log_in

    log_in(page, server.url, "dirigente", demo.DEMO_PASSWORD)
    page.goto(server.url + "/risk")
    wait_idle(page)
    tab_to(page, page.get_by_role("combobox", name="Livelli"))
    for name in ("Cerca", "Schermo intero"):
        tab_to(page, page.get_by_role("button", name=name).first)
