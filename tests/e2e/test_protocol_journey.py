"""A dirigente edits a section in a real browser, downloads the Word file and finds version 2 in the history."""

from docx import Document
from playwright.sync_api import expect

from models.demo import demo
from tests.e2e.conftest import choose, log_in, rerun, screenshot, type_in_section

NEW_LINE = "La commissione accoglienza si riunisce ogni martedì alle 14.30."


def test_dirigente_edits_a_section_and_sees_version_2_in_the_history(server, page, tmp_path):
    log_in(page, server.url, "dirigente", demo.DEMO_PASSWORD)
    with rerun(page):
        page.get_by_role("link", name="Protocolli").first.click()
    with rerun(page):
        page.get_by_role("link", name="Apri").last.click()
    choose(page, "Sezione", "Chi fa che cosa")

    type_in_section(page, NEW_LINE)
    main = page.locator("[data-testid='stMain']")
    expect(main).to_contain_text(NEW_LINE)  # the live preview
    with rerun(page):
        page.get_by_role("button", name="Salva una nuova versione").click()
    expect(main).to_contain_text("Salvata la versione 2.")

    # The Word file built on demand is a real .docx with the new text in it.
    page.get_by_text("Esporta", exact=True).click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Scarica in Word").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "protocollo_accoglienza_MIIS00003C.docx"
    assert NEW_LINE in "\n".join(p.text for p in Document(saved).paragraphs)

    with rerun(page):
        page.get_by_role("link", name="Storico e confronti").click()
    choose(page, "Sezione", "Chi fa che cosa")
    versions = page.locator("[data-testid='stTable']").first
    expect(versions.locator("tbody tr").first).to_contain_text("2")
    expect(versions.locator("tbody tr").first).to_contain_text("Marco Bianchi")
    expect(versions.locator("tbody tr")).to_have_count(2)
    # The comparison of version 1 with version 2 shows the added words.
    expect(page.locator("ins").first).to_contain_text("martedì")
    screenshot(page, "dirigente_storico_protocollo")
