"""Good practice that travels, in a real browser: a dirigente of one network drafts a practice from a section of
its protocol, the network's coordinator publishes it, a dirigente of another network finds it by a word in another
form, adopts it, and the Word export of its protocol names the source."""

import re

from docx import Document
from playwright.sync_api import expect

from models.demo import demo
from tests.e2e.conftest import choose, log_in, pick, rerun, screenshot, wait_idle

TITLE = "Colloquio d'ingresso con la mediatrice"
SOURCE_NOTE = (f"Dalla pratica «{TITLE}» della Rete di esempio, Istituto di istruzione superiore «Ponte Nuovo», "
               "versione 1.")


def go(page, menu: str) -> None:
    with rerun(page):
        page.get_by_role("link", name=menu).first.click()


def log_out(page) -> None:
    with rerun(page):
        page.get_by_role("button", name="Esci").click()
    expect(page.get_by_role("textbox", name="Nome utente")).to_be_visible()


def test_a_practice_travels_from_one_network_to_another_and_word_names_its_source(server, page, tmp_path):
    main = page.locator("[data-testid='stMain']")
    # 1. The dirigente of the first network drafts the practice from a section of the school's protocol.
    log_in(page, server.url, "dirigente", demo.DEMO_PASSWORD)
    go(page, "Scrivi una buona pratica")
    page.get_by_text("Parti da sezioni di un protocollo").click()  # an expander: opened in the browser, no run
    wait_idle(page)
    pick(page, "Sezioni", "Chi fa che cosa")
    with rerun(page):
        page.get_by_role("button", name="Compila dalle sezioni").click()
    expect(main).to_contain_text("Pratica compilata da 1 sezioni")
    page.get_by_role("textbox", name="Titolo").fill(TITLE)
    page.get_by_role("textbox", name="Il problema e per chi").fill(
        "Al primo colloquio la famiglia non parla italiano: la mediatrice culturale è presente fin dall'inizio.")
    with rerun(page):
        page.get_by_role("button", name="Crea la pratica").click()
    expect(main).to_contain_text(f"Pratica «{TITLE}» salvata (versione 1).")
    with rerun(page):
        page.get_by_role("button", name="Proponi al coordinatore").click()
    expect(main).to_contain_text("Pratica proposta al coordinatore della rete.")
    log_out(page)

    # 2. The coordinator of that network publishes it for every network.
    log_in(page, server.url, "coordinatrice", demo.DEMO_PASSWORD)
    go(page, "Scrivi una buona pratica")
    choose(page, "Pratica", TITLE)
    with rerun(page):
        page.get_by_role("button", name="Pubblica per tutte le reti").click()
    expect(main).to_contain_text("Pratica pubblicata (versione 1): ora la leggono tutte le reti.")
    log_out(page)

    # 3. A dirigente of the other network finds it by another form of a word ("mediatrici"), opens it, adopts it.
    log_in(page, server.url, "dirigente.laghi", demo.DEMO_PASSWORD)
    go(page, "Buone pratiche")
    search = page.get_by_role("textbox", name="Cerca nel catalogo")
    search.fill("mediatrici")
    with rerun(page):
        search.press("Enter")
    expect(main).to_contain_text("1 pratica trovata")
    card = page.locator("[data-testid='stVerticalBlock']").filter(has_text=TITLE).filter(
        has=page.get_by_role("button", name="Apri")).last
    expect(card).to_contain_text("Da: Rete di esempio – Istituto di istruzione superiore «Ponte Nuovo»")
    expect(card.locator("strong").filter(has_text="mediatrice").first).to_be_visible()  # the word found, in bold
    screenshot(page, "catalogo_buone_pratiche")
    with rerun(page):
        card.get_by_role("button", name="Apri").click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(main).to_contain_text("Nessuno l'ha ancora adottata.")
    with rerun(page):
        page.get_by_role("button", name="Adotta", exact=True).click()
    expect(main).to_contain_text(f"Pratica adottata nella sezione «{TITLE}»")
    expect(main).to_contain_text("Istituto comprensivo «Riva Chiara» (Rete dei Laghi)")

    # 4. The Word export of the adopting school's protocol names the source under the section's heading.
    go(page, "Modifica protocollo")
    page.get_by_text("Esporta", exact=True).click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Scarica in Word").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    paragraphs = [p.text for p in Document(saved).paragraphs]
    assert SOURCE_NOTE in paragraphs
    heading = next(i for i, text in enumerate(paragraphs) if re.fullmatch(rf"(\d+\. )?{re.escape(TITLE)}", text))
    assert paragraphs.index(SOURCE_NOTE) == heading + 1
