"""A school's proposal to the network's core in a real browser, and the regional partner's view.

A dirigente proposes a change with a reason from the editor, the dirigente of another school of the network
supports it, the coordinator accepts it, and the first school finds it on "Aggiornamenti dalla rete". Then the
regional partner opens the regional view and is refused on the risk page.
"""

import os
import subprocess
import sys

from playwright.sync_api import expect

from models.core import db as database
from models.demo import demo
from models.protocols import protocol as protocols
from tests.conftest import ROOT, actor_named, publish_core
from tests.e2e.conftest import choose, log_in, new_page, rerun, screenshot, wait_idle

SCHOOL = "MIIS00003C"
PROPOSED = "Il primo colloquio con la famiglia si fa sempre con il mediatore culturale."
REASON = "Nelle nostre scuole il mediatore ha cambiato il primo colloquio."


def add_second_dirigente(server) -> None:
    """The dirigente of the network's other upper-secondary school, as an admin adds one."""
    subprocess.run([sys.executable, "cli.py", "add-user", "dirigente.arti", "--role", "dirigente", "--school",
                    "MIRI00004D", "--full-name", "Giulia Neri", "--password-stdin"], cwd=ROOT,
                   env={**os.environ, "APPRODO_DB": str(server.db)}, input=demo.DEMO_PASSWORD + "\n", text=True,
                   check=True, capture_output=True)


def test_a_proposal_supported_accepted_and_offered_to_the_school(server, page, browser):
    add_second_dirigente(server)
    main = page.locator("[data-testid='stMain']")

    # 1. The dirigente proposes, from the editor, a change to a section that comes from the network's core.
    log_in(page, server.url, "dirigente", demo.DEMO_PASSWORD)
    with rerun(page):
        page.get_by_role("link", name="Modifica protocollo").first.click()
    choose(page, "Protocollo", SCHOOL)
    choose(page, "Sezione", "Tempi")
    page.get_by_text("Proponi una modifica alla rete").click()
    text = page.get_by_label("Testo proposto per la rete")
    text.fill(text.input_value() + "\n" + PROPOSED + "\n")
    page.get_by_label("Perché lo proponete").fill(REASON)
    with rerun(page):
        page.get_by_role("button", name="Invia la proposta").click()
    expect(main).to_contain_text("Proposta n. 2 inviata alla rete.")
    expect(main).to_contain_text("Proposte alla rete su questa sezione: 1 aperta")

    # 2. The dirigente of another school of the network reads it and supports it, once.
    other = new_page(browser)
    try:
        log_in(other, server.url, "dirigente.arti", demo.DEMO_PASSWORD)
        other.get_by_role("link", name="Proposte alla rete").first.click()
        wait_idle(other)
        other_main = other.locator("[data-testid='stMain']")
        expect(other_main).to_contain_text("Proposta n. 2: «Tempi e responsabilità»")
        expect(other_main).to_contain_text(REASON)
        expect(other_main).to_contain_text(PROPOSED)  # in the diff against the network's text
        other.get_by_role("button", name="La nostra scuola sostiene questa proposta").click()
        wait_idle(other)
        expect(other_main).to_contain_text("Avete sostenuto la proposta.")
        expect(other_main).to_contain_text("Istituto professionale «Arti e Mestieri» (Giulia Neri")
        expect(other.get_by_role("button", name="La nostra scuola sostiene questa proposta")).to_have_count(0)
        other.reload()  # again after a reload: still one support, still no button
        wait_idle(other)
        expect(other.get_by_role("button", name="La nostra scuola sostiene questa proposta")).to_have_count(0)
    finally:
        other.context.close()

    # 3. The coordinator accepts it: a new version of the core section.
    coordinator = new_page(browser)
    try:
        log_in(coordinator, server.url, "coordinatrice", demo.DEMO_PASSWORD)
        coordinator.get_by_role("link", name="Proposte alla rete").first.click()
        wait_idle(coordinator)
        coordinator_main = coordinator.locator("[data-testid='stMain']")
        expect(coordinator_main).to_contain_text("Proposta n. 2: «Tempi e responsabilità»")  # the newest first
        expect(coordinator_main).to_contain_text("Decisione del coordinatore")
        screenshot(coordinator, "coordinatrice_proposta_da_decidere")
        coordinator.get_by_role("button", name="Accogli la proposta").click()
        wait_idle(coordinator)
        expect(coordinator_main).to_contain_text("Proposta accolta: versione 2 della sezione comune")
        expect(coordinator_main).to_contain_text("Accolta da Laura Rossi")
        screenshot(coordinator, "coordinatrice_proposta_accolta")
    finally:
        coordinator.context.close()

    # 4. Once the core is published, the first school finds the new network text among its updates, merged with
    # its own changes.
    db = database.connect(server.db)
    coordinatrice = actor_named(db, "coordinatrice")
    publish_core(db, coordinatrice, protocols.core_for(db, "RETEDEMO", protocols.Level("secondaria_secondo_grado")).id)
    with rerun(page):
        page.get_by_role("link", name="Aggiornamenti dalla rete").first.click()
    choose(page, "Protocollo", SCHOOL)
    expect(main).to_contain_text("Tempi e responsabilità")
    expect(main).to_contain_text(PROPOSED)
    expect(main).to_contain_text("si uniscono da sole")
    screenshot(page, "dirigente_aggiornamento_da_proposta")


def test_the_regional_partner_sees_the_networks_side_by_side_and_no_risk_list(server, page):
    log_in(page, server.url, "regione", demo.DEMO_PASSWORD)
    sidebar = page.locator("[data-testid='stSidebar']")
    expect(sidebar.get_by_role("link", name="Vista regionale")).to_be_visible()
    expect(sidebar.get_by_role("link", name="Rischio dispersione")).to_have_count(0)
    expect(sidebar.get_by_role("link", name="Protocolli")).to_have_count(0)
    with rerun(page):
        sidebar.get_by_role("link", name="Vista regionale").click()
    main = page.locator("[data-testid='stMain']")
    expect(main.get_by_role("heading", name="Vista regionale")).to_be_visible()
    expect(main).to_contain_text("Rete di esempio")
    expect(main).to_contain_text("febbraio 2026")
    expect(main).to_contain_text("Indicatori del programma (2025/26)")
    expect(main).not_to_contain_text("Ponte Nuovo")  # never a school on its own
    screenshot(page, "regione_vista_regionale")

    page.goto(server.url + "/risk")
    wait_idle(page)
    expect(main).to_contain_text("Il tuo ruolo non permette di aprire questa pagina.")
    expect(main).not_to_contain_text("Codice alunno")
    page.goto(server.url + "/pupil?alunno=IS0001")
    wait_idle(page)
    expect(main).to_contain_text("Il tuo ruolo non permette di aprire questa pagina.")
    screenshot(page, "regione_rischio_rifiutato")
