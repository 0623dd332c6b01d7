"""The network's structure and its updates in a real browser: unlock, merge by itself, choose where both changed."""

from playwright.sync_api import expect

from models.core import db as database
from models.demo import demo
from models.protocols import protocol as protocols
from models.protocols import structure as ps
from tests.conftest import actor_named, publish_core
from tests.e2e.conftest import choose, log_in, new_page, rerun, screenshot, type_in_section, wait_idle

SCHOOL = "MIIS00003C"
NEW_PREMESSA = "La nostra scuola aggiunge una premessa sua."


def school_section(db, key):
    dirigente = actor_named(db, "dirigente")
    protocol = protocols.school_protocol(db, dirigente, SCHOOL)
    return next(s for s in protocols.list_sections(db, dirigente, protocol.id) if s.key == key)


def network_changes(db, key, change):
    """The coordinator changes a section of the upper-secondary core (as on the editor page) and publishes it."""
    coordinator = actor_named(db, "coordinatrice")
    core = protocols.core_for(db, "RETEDEMO", protocols.Level("secondaria_secondo_grado"))
    section = next(s for s in protocols.list_sections(db, coordinator, core.id) if s.key == key)
    protocols.save_section(db, coordinator, section.id, change(section.body), section.version)
    publish_core(db, coordinator, core.id)


def open_updates(page, base_url):
    log_in(page, base_url, "dirigente", demo.DEMO_PASSWORD)
    with rerun(page):
        page.get_by_role("link", name="Aggiornamenti dalla rete").first.click()
    choose(page, "Protocollo", SCHOOL)


def test_a_section_unlocked_by_the_coordinator_becomes_editable_in_the_school(server, page, browser):
    log_in(page, server.url, "coordinatrice", demo.DEMO_PASSWORD)
    with rerun(page):
        page.get_by_role("link", name="Struttura del protocollo").first.click()
    choose(page, "Protocollo", "secondo grado")
    main = page.locator("[data-testid='stMain']")
    expect(main).to_contain_text("Premessa e finalità")
    with rerun(page):
        page.get_by_role("button", name="Rendi adattabile").first.click()
    expect(main).to_contain_text("«Premessa e finalità» ora è adattabile: le scuole possono modificarla.")
    screenshot(page, "coordinatrice_struttura")

    # The dirigente, in another browser session, finds the section editable and saves it.
    school = new_page(browser)
    context = school.context
    try:
        log_in(school, server.url, "dirigente", demo.DEMO_PASSWORD)
        school.get_by_role("link", name="Modifica protocollo").first.click()
        wait_idle(school)
        choose(school, "Protocollo", SCHOOL)
        choose(school, "Sezione", "Premessa")
        school_main = school.locator("[data-testid='stMain']")
        expect(school_main).to_contain_text("La rete ha aggiornato il protocollo comune")
        type_in_section(school, NEW_PREMESSA)
        school.get_by_role("button", name="Salva una nuova versione").click()
        wait_idle(school)
        expect(school_main).to_contain_text("Salvata la versione 2.")
        screenshot(school, "dirigente_premessa_sbloccata")
    finally:
        context.close()
    saved = school_section(database.connect(server.db), "premessa")
    assert saved.version == 2 and saved.body.rstrip("\n").endswith(NEW_PREMESSA)


def test_a_merge_of_changes_in_different_places_keeps_both(server, page):
    db = database.connect(server.db)
    # The demo school added the town's office at the end of "Fase sociale"; the network rewrites its first line.
    mine = school_section(db, "fase_sociale")
    first = ps.split_points(mine.body)[0]
    network_changes(db, "fase_sociale", lambda body: body.replace(first, first + " Aggiornato dalla rete.", 1))

    open_updates(page, server.url)
    main = page.locator("[data-testid='stMain']")
    expect(main).to_contain_text("Fase sociale: la scuola e il territorio")
    expect(main).to_contain_text("si uniscono da sole")
    # Texts come in the protocol's order: "Fase sociale" first, then the demo's pending "Allegati".
    with rerun(page):
        main.get_by_role("button", name="Salva come nuova versione").first.click()
    expect(main).to_contain_text("«Fase sociale: la scuola e il territorio»: salvata la versione 3")
    screenshot(page, "dirigente_aggiornamento_unito")

    saved = school_section(db, "fase_sociale")
    assert saved.version == mine.version + 1
    assert first + " Aggiornato dalla rete." in saved.body
    assert "Sportello stranieri del comune di Valfiorita" in saved.body
    # Pressing reload-like: the page opened again no longer offers that section.
    with rerun(page):
        page.get_by_role("link", name="Aggiornamenti dalla rete").first.click()
    expect(main).not_to_contain_text("Fase sociale: la scuola e il territorio")


def test_an_overlapping_change_asks_and_the_chosen_text_is_saved(server, page):
    db = database.connect(server.db)
    # The demo school moved the interview to 3 days; the network now says 7: the same table row.
    network_changes(db, "tempi", lambda body: body.replace("Entro 5 giorni", "Entro 7 giorni"))
    before = school_section(db, "tempi")

    open_updates(page, server.url)
    main = page.locator("[data-testid='stMain']")
    expect(main).to_contain_text("La rete e la scuola hanno cambiato lo stesso passaggio")
    # "Tempi" comes before the demo's pending "Allegati" (which merges by itself).
    save = main.get_by_role("button", name="Salva come nuova versione").first
    expect(save).to_be_disabled()
    with rerun(page):
        page.get_by_role("radiogroup").first.get_by_text("Testo della rete").click()
    expect(main).to_contain_text("Che cosa cambia nel vostro testo")
    expect(main.locator("ins").filter(has_text="7").first).to_be_visible()
    screenshot(page, "dirigente_aggiornamento_scelta")
    with rerun(page):
        save.click()
    expect(main).to_contain_text("«Tempi e responsabilità»: salvata la versione")

    saved = school_section(db, "tempi")
    assert saved.version == before.version + 1
    assert "Entro 7 giorni" in saved.body and "Entro 3 giorni" not in saved.body
    assert ps.pending_updates(db, actor_named(db, "dirigente"),
                              saved.protocol_id).text[0].section.key != "tempi"
