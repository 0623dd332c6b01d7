"""The editor as people use it: save twice in a row, move between sections with unsaved text, go back."""

import re

from docx import Document
from playwright.sync_api import expect

from models.demo import demo
from tests.e2e.conftest import choose, log_in, rerun, screenshot, wait_idle

EDITING = re.compile(r"Stai modificando a partire dalla versione (\d+)")


def open_school_protocol(page, server):
    log_in(page, server.url, "dirigente", demo.DEMO_PASSWORD)
    with rerun(page):
        page.get_by_role("link", name="Protocolli").first.click()
    with rerun(page):
        page.get_by_role("link", name="Apri").last.click()


def editing_version(page) -> int:
    caption = page.get_by_text(EDITING)
    expect(caption).to_be_visible()
    return int(EDITING.search(caption.inner_text()).group(1))


def write(page, text: str) -> None:
    """Replace the section's text as a person would, and send it with Ctrl+Enter; return once the run it asked
    for is over, so the text has reached the server (and its draft is kept there)."""
    editor = page.get_by_role("textbox", name="Testo della sezione")
    editor.fill(text)
    with rerun(page):  # not `wait_idle` alone: it may look before the browser has sent the text (see `rerun`)
        editor.press("Control+Enter")


def save(page, version: int) -> None:
    with rerun(page):
        page.get_by_role("button", name="Salva una nuova versione").click()
    expect(page.locator("[data-testid='stMain']")).to_contain_text(f"Salvata la versione {version}.")


def test_two_saves_in_a_row_make_two_versions_and_both_reach_word(server, page, tmp_path):
    open_school_protocol(page, server)
    choose(page, "Sezione", "Chi fa che cosa")
    n = editing_version(page)
    editor = page.get_by_role("textbox", name="Testo della sezione")
    first = editor.input_value() + "\n\nPrima modifica: la segreteria chiama la famiglia."
    write(page, first)
    save(page, n + 1)
    # The box holds the saved text and the editor starts from the new version.
    expect(editor).to_have_value(first)
    assert editing_version(page) == n + 1

    second = first + "\n\nSeconda modifica: il mediatore è presente al colloquio."
    write(page, second)
    save(page, n + 2)
    expect(page.locator("[data-testid='stAlert']").filter(has_text="dopo che l'hai aperta")).to_have_count(0)
    assert editing_version(page) == n + 2

    page.get_by_text("Esporta", exact=True).click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Scarica in Word").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    text = "\n".join(p.text for p in Document(saved).paragraphs)
    assert "la segreteria chiama la famiglia" in text
    assert "il mediatore è presente al colloquio" in text
    screenshot(page, "editor_due_salvataggi")


def test_unsaved_text_survives_moving_between_three_sections(server, page):
    open_school_protocol(page, server)
    sections = {"Chi fa che cosa": "Bozza A: chi fa che cosa.",
                "Tempi e responsabilità": "Bozza B: i tempi.",
                "Allegati": "Bozza C: gli allegati."}
    editor = page.get_by_role("textbox", name="Testo della sezione")
    for title, text in sections.items():
        choose(page, "Sezione", title)
        editor.fill(text)  # not sent yet: leaving for the next section must not lose it
    # Back and forth: each section shows its own unsaved text.
    for title in ["Chi fa che cosa", "Allegati", "Tempi e responsabilità", "Chi fa che cosa"]:
        choose(page, "Sezione", title)
        expect(editor).to_have_value(sections[title])
        expect(page.get_by_text("Hai modifiche non salvate in questa sezione")).to_be_visible()
    main = page.locator("[data-testid='stMain']")
    expect(main).not_to_contain_text("KeyError")
    for title, text in sections.items():
        choose(page, "Sezione", title)
        expect(editor).to_have_value(text)
        version = editing_version(page)
        save(page, version + 1)
        expect(editor).to_have_value(text)
    # Everything saved: the texts are the current versions, seen after a fresh visit to the page.
    with rerun(page):
        page.get_by_role("link", name="Storico e confronti").click()
    with rerun(page):
        page.get_by_role("link", name="Modifica protocollo").click()
    for title, text in sections.items():
        choose(page, "Sezione", title)
        expect(editor).to_have_value(text)
    expect(page.get_by_text("modifiche non salvate")).to_have_count(0)


def test_the_browser_back_button_after_moving_between_pages(server, page):
    open_school_protocol(page, server)
    choose(page, "Sezione", "Tempi e responsabilità")
    with rerun(page):
        page.get_by_role("link", name="Storico e confronti").click()
    with rerun(page):
        page.get_by_role("link", name="Protocolli").first.click()
    for _ in range(2):
        with rerun(page):
            page.go_back()
        main = page.locator("[data-testid='stMain']")
        expect(main.locator("[data-testid='stException']")).to_have_count(0)
        expect(main).not_to_contain_text("Traceback")
    expect(page.get_by_role("combobox", name="Sezione")).to_be_visible()
    with rerun(page):
        page.go_forward()
    expect(page.locator("[data-testid='stException']")).to_have_count(0)


def test_a_reload_keeps_the_section_and_the_unsaved_text(server, page):
    open_school_protocol(page, server)
    choose(page, "Sezione", "Tempi e responsabilità")
    editor = page.get_by_role("textbox", name="Testo della sezione")
    text = editor.input_value() + "\n\nScritto poco prima di premere F5."
    write(page, text)
    page.reload()
    wait_idle(page)
    # The same section, the same text, still marked as not saved.
    expect(page.get_by_role("combobox", name="Sezione")).to_have_value(re.compile("Tempi e responsabilità"))
    expect(editor).to_have_value(text)
    expect(page.get_by_text("Hai modifiche non salvate in questa sezione")).to_be_visible()
    version = editing_version(page)
    save(page, version + 1)
    # The confirmation is beside the button, where the user is looking.
    expect(page.locator("[data-testid='stAlert']").filter(has_text=f"Salvata la versione {version + 1}.")
           ).to_be_in_viewport()
    page.reload()
    wait_idle(page)
    expect(editor).to_have_value(text)
    expect(page.get_by_text("modifiche non salvate")).to_have_count(0)
    screenshot(page, "editor_bozza_dopo_ricarica")
    log = (server.db.parent / "streamlit.log").read_text()
    assert "Session State API" not in log, log
