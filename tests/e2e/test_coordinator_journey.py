"""The network coordinator in a real browser: the zip of every protocol, then the dashboard and its Word report."""

import zipfile

from docx import Document
from playwright.sync_api import expect

from models.demo import demo
from tests.e2e.conftest import log_in, rerun, screenshot, wait_idle


def test_coordinator_exports_the_network_zip_and_the_dashboard_report(server, page, tmp_path):
    log_in(page, server.url, "coordinatrice", demo.DEMO_PASSWORD)
    with rerun(page):
        page.get_by_role("link", name="Protocolli").first.click()
    page.get_by_text("Esporta tutti i protocolli della rete (zip)").click()
    with rerun(page):
        page.get_by_role("button", name="Prepara lo zip").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Scarica lo zip").click()
    archive = tmp_path / "rete.zip"
    download.value.save_as(archive)
    with zipfile.ZipFile(archive) as opened:
        names = opened.namelist()
    assert "indice.xlsx" in names and any(n.endswith(".docx") for n in names)

    with rerun(page):
        page.get_by_role("link", name="Cruscotto di rete").click()
    main = page.locator("[data-testid='stMain']")
    expect(main).to_contain_text("Cruscotto della rete")
    expect(main).to_contain_text("Valutazione del programma")
    expect(main).to_contain_text("<5")
    with page.expect_download() as download:
        page.get_by_role("button", name="Scarica il rapporto (Word)").click()
    report = tmp_path / download.value.suggested_filename
    download.value.save_as(report)
    assert report.name == "rapporto_RETEDEMO_2025-26.docx"
    assert Document(report).paragraphs[0].text == "Rapporto della rete «Rete di esempio»"
    screenshot(page, "coordinatrice_cruscotto")


def test_a_page_outside_the_role_is_refused_by_url(server, page):
    """Typing the risk page's address: the coordinator's menu has no such page, and no pupil shows."""
    log_in(page, server.url, "coordinatrice", demo.DEMO_PASSWORD)
    page.goto(server.url + "/risk")
    wait_idle(page)
    main = page.locator("[data-testid='stMain']")
    expect(main).not_to_contain_text("Rischio di dispersione")
    expect(main).not_to_contain_text("Codice alunno")
    # the login lasts across the page load, and the refusal is in Italian
    expect(main).to_contain_text("Il tuo ruolo non permette di aprire questa pagina.")
    expect(page.get_by_role("button", name="Esci")).to_be_visible()
    expect(page.get_by_text("Page not found")).to_have_count(0)
    screenshot(page, "coordinatrice_url_rifiutato")
