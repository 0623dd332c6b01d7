"""The editor as people use it: save twice in a row, a table and a list made in the rich-text editor and found in
Word and PDF, move between sections with unsaved text, go back, F5 while typing."""

import re
import shutil

from docx import Document
from playwright.sync_api import expect

from models.demo import demo
from models.protocols import word_export
from tests.e2e.conftest import choose, log_in, markdown_box, rerun, screenshot, type_in_section, wait_idle
from tests.word_helpers import pdf_pages

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
    editor = markdown_box(page)
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
    editor = markdown_box(page)
    first = editor.input_value() + "\n\nPrima modifica: la segreteria chiama la famiglia."
    write(page, first)
    save(page, n + 1)
    # The box holds the saved text and the editor starts from the new version.
    expect(markdown_box(page)).to_have_value(first)
    assert editing_version(page) == n + 1

    second = first + "\n\nSeconda modifica: il mediatore è presente al colloquio."
    write(page, second)
    save(page, n + 2)
    expect(page.locator("[data-testid='stAlert']").filter(has_text="dopo che l'hai aperta")).to_have_count(0)
    assert editing_version(page) == n + 2

    # A list and a table made with the rich-text editor's buttons, no Markdown typed.
    rich = page.get_by_role("textbox", name="Testo formattato della sezione")
    rich.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Elenco puntato").click()
    page.keyboard.type("Primo passo del tutor")
    page.keyboard.press("Enter")
    page.keyboard.type("Secondo passo del tutor")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # an empty item ends the list
    page.get_by_role("button", name="Inserisci una tabella").click()
    page.locator("[title='2 x 2']").click()  # two rows (the first is the header), two columns
    with rerun(page):  # the editor sends the text by itself, a second after the last key
        for cell in ["Giorno", "Attività", "Lunedì", "Laboratorio L2"]:
            page.keyboard.type(cell)
            page.keyboard.press("Tab")
    expect(markdown_box(page)).to_have_value(re.compile(
        r"- Primo passo del tutor\n- Secondo passo del tutor\n\n(.|\n)*\| Giorno \| Attività \|\n"
        r"\| --- \| --- \|\n\| Lunedì \| Laboratorio L2 \|"))
    save(page, n + 3)

    page.get_by_text("Esporta", exact=True).click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Scarica in Word").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    document = Document(saved)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "la segreteria chiama la famiglia" in text
    assert "il mediatore è presente al colloquio" in text
    items = [p for p in document.paragraphs if "passo del tutor" in p.text]
    assert [p.text for p in items] == ["Primo passo del tutor", "Secondo passo del tutor"]
    assert all(p.style.name.startswith("List Bullet") for p in items)
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    assert [["Giorno", "Attività"], ["Lunedì", "Laboratorio L2"]] in tables
    if word_export.pdf_available() and shutil.which("pdftotext"):
        with page.expect_download(timeout=120_000) as download:
            page.get_by_role("button", name="Scarica in PDF").click()
        pdf = (tmp_path / "protocollo.pdf")
        download.value.save_as(pdf)
        printed = "\n".join(pdf_pages(pdf.read_bytes(), tmp_path))
        # The list's items one a line, each after its bullet (Word's Symbol-font bullet, U+F0B7, or •); the
        # table's cells side by side, row by row.
        assert re.search(r"\n[•\uf0b7] +Primo passo del tutor\n[•\uf0b7] +Secondo passo del tutor\n", printed), printed
        assert re.search(r"Giorno\s{2,}Attività", printed) and re.search(r"Lunedì\s{2,}Laboratorio L2", printed)
    screenshot(page, "editor_tabella_elenco")


def test_unsaved_text_survives_moving_between_three_sections(server, page):
    open_school_protocol(page, server)
    sections = {"Chi fa che cosa": "Bozza A: chi fa che cosa.",
                "Tempi e responsabilità": "Bozza B: i tempi.",
                "Allegati": "Bozza C: gli allegati."}
    for title, text in sections.items():
        choose(page, "Sezione", title)
        markdown_box(page).fill(text)  # not sent yet: leaving for the next section must not lose it
    # Back and forth: each section shows its own unsaved text.
    for title in ["Chi fa che cosa", "Allegati", "Tempi e responsabilità", "Chi fa che cosa"]:
        choose(page, "Sezione", title)
        expect(markdown_box(page)).to_have_value(sections[title])
        expect(page.get_by_text("Hai modifiche non salvate in questa sezione")).to_be_visible()
    main = page.locator("[data-testid='stMain']")
    expect(main).not_to_contain_text("KeyError")
    for title, text in sections.items():
        choose(page, "Sezione", title)
        expect(markdown_box(page)).to_have_value(text)
        version = editing_version(page)
        save(page, version + 1)
        expect(markdown_box(page)).to_have_value(text)
    # Everything saved: the texts are the current versions, seen after a fresh visit to the page.
    with rerun(page):
        page.get_by_role("link", name="Storico e confronti").click()
    with rerun(page):
        page.get_by_role("link", name="Modifica protocollo").click()
    for title, text in sections.items():
        choose(page, "Sezione", title)
        expect(markdown_box(page)).to_have_value(text)
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
    # Typed in the rich-text editor, nothing pressed to send it: within 3 seconds the draft is on its way.
    rich = page.get_by_role("textbox", name="Testo formattato della sezione")
    type_in_section(page, "Scritto poco prima di premere F5.")
    text = markdown_box(page).input_value()
    assert text.endswith("\n\nScritto poco prima di premere F5.\n")
    with rerun(page):
        page.reload()
    rich.wait_for()  # the editor mounts after the page's run (its name comes a moment later)
    expect(rich).to_contain_text("Scritto poco prima di premere F5.")
    # The same section, the same text, still marked as not saved.
    expect(page.get_by_role("combobox", name="Sezione")).to_have_value(re.compile("Tempi e responsabilità"))
    expect(markdown_box(page)).to_have_value(text)
    expect(page.get_by_text("Hai modifiche non salvate in questa sezione")).to_be_visible()
    version = editing_version(page)
    save(page, version + 1)
    # The confirmation is beside the button, where the user is looking.
    expect(page.locator("[data-testid='stAlert']").filter(has_text=f"Salvata la versione {version + 1}.")
           ).to_be_in_viewport()
    page.reload()
    wait_idle(page)
    expect(markdown_box(page)).to_have_value(text)
    expect(page.get_by_text("modifiche non salvate")).to_have_count(0)
    screenshot(page, "editor_bozza_dopo_ricarica")
    # Ctrl+U, as in Word: underline has no place in the saved text, so it is refused with a word, not applied.
    rich.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Control+u")
    expect(page.get_by_role("status").filter(has_text="La sottolineatura non è disponibile")).to_be_visible()
    page.keyboard.type(" parola")
    underlined = page.evaluate("""() => [...document.querySelectorAll("div")].filter(d => d.shadowRoot)
        .flatMap(d => [...d.shadowRoot.querySelectorAll(".editor-input *")])
        .filter(el => getComputedStyle(el).textDecorationLine.includes("underline")).length""")
    assert underlined == 0
    log = (server.db.parent / "streamlit.log").read_text()
    assert "Session State API" not in log, log


INTERVALS = """(() => { window.__approdoIntervals = []; const set = window.setInterval;
  window.setInterval = function (handler, ms, ...rest) {
    window.__approdoIntervals.push(ms); return set.call(this, handler, ms, ...rest); };
})();"""


def test_the_rich_editor_shows_plain_characters_and_its_italian_names_without_polling(server, page):
    page.context.add_init_script(INTERVALS)
    open_school_protocol(page, server)
    choose(page, "Sezione", "Chi fa che cosa")
    write(page, "Il 3 \\* 4, meno di \\<5 e \\[nota\\] restano testo.")
    rich = page.get_by_role("textbox", name="Testo formattato della sezione")  # its Italian name
    expect(rich).to_have_text("Il 3 * 4, meno di <5 e [nota] restano testo.")  # no backslash shown
    expect(page.get_by_role("button", name="Grassetto")).to_be_visible()
    screenshot(page, "editor_plain_characters")
    # A new editor (another section) gets its Italian names too, with no timer asking every 400 ms.
    choose(page, "Sezione", "Tempi e responsabilità")
    expect(page.get_by_role("textbox", name="Testo formattato della sezione")).to_contain_text("Quando")
    expect(page.get_by_role("button", name="Elenco puntato")).to_be_visible()
    assert 400 not in page.evaluate("() => window.__approdoIntervals")
