"""Approving in a real browser: the warnings, the confirmation, the date as typed; then what changed since."""

from playwright.sync_api import expect

from models.demo import demo
from tests.e2e.conftest import choose, log_in, markdown_box, rerun
from tests.e2e.test_editor_journey import editing_version, open_school_protocol, save, write

NEW_TEXT = "Dopo l'approvazione: il colloquio si tiene entro tre giorni."


def test_approval_warns_needs_confirmation_and_the_changes_since_are_printable(server, page, tmp_path):
    open_school_protocol(page, server)
    main = page.locator("[data-testid='stMain']")
    # The demo protocol is under review with open comments and a network update: both are named.
    warning = page.locator("[data-testid='stAlert']").filter(has_text="Prima di registrare l'approvazione")
    expect(warning).to_contain_text("2 commenti aperti in «Fase sociale")
    expect(warning).to_contain_text("della rete da decidere")

    approval = main  # the approval box: one date field and one button of that name on the page
    # The date is typed as text: a future day blocks the button with the reason; a retyped day is the one recorded.
    date_box = approval.get_by_role("textbox", name="Data della delibera")
    date_box.fill("15/03/2099")
    with rerun(page):
        date_box.press("Tab")
    expect(main).to_contain_text("La data della delibera è nel futuro")
    expect(approval.get_by_role("button", name="Registra l'approvazione")).to_be_disabled()
    date_box.fill("10/11/2025")
    with rerun(page):
        date_box.press("Tab")
    date_box.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("20/10/2025")
    number_box = approval.get_by_role("textbox", name="Numero della delibera")
    with rerun(page):
        number_box.click()
    expect(date_box).to_have_value("20/10/2025")
    number_box.fill("34")
    with rerun(page):
        approval.get_by_role("button", name="Registra l'approvazione").click()
    expect(main).to_contain_text("Spunta la conferma per registrare l'approvazione nonostante gli avvisi.")
    approval.get_by_text("Ho controllato: registra comunque l'approvazione").click()
    with rerun(page):
        approval.get_by_role("button", name="Registra l'approvazione").click()
    expect(main).to_contain_text("Il protocollo ora è: Approvato.")
    expect(main).to_contain_text("Delibera n. 34 del 20/10/2025")

    # A new revision, one change, and the history shows it against the approved text.
    page.get_by_text("Stato del protocollo", exact=True).click()
    with rerun(page):
        page.get_by_role("button", name="Apri una nuova revisione").click()
    choose(page, "Sezione", "Chi fa che cosa")
    write(page, markdown_box(page).input_value() + "\n\n" + NEW_TEXT)
    save(page, editing_version(page) + 1)

    with rerun(page):
        page.get_by_role("link", name="Storico e confronti").click()
    page.get_by_text("Cosa è cambiato dall'ultima approvazione").click()
    expect(main).to_contain_text("delibera n. 34 del 20/10/2025")
    expect(main).to_contain_text("1 sezione su")
    expect(page.locator("ins").filter(has_text="colloquio si tiene entro tre giorni").first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Scarica da stampare (pagina web)").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    printable = saved.read_text(encoding="utf-8")
    assert saved.suffix == ".html" and "@media print" in printable
    assert "colloquio si tiene entro tre giorni" in printable


def test_a_teacher_has_leggi_protocollo_in_the_menu(server, page):
    log_in(page, server.url, "docente", demo.DEMO_PASSWORD)
    nav = page.locator("[data-testid='stSidebar']")  # the menu: links under headings (ui/navigation.py)
    expect(nav.get_by_role("link", name="Leggi protocollo")).to_be_visible()
    expect(nav.get_by_role("link", name="Modifica protocollo")).to_have_count(0)
    with rerun(page):
        nav.get_by_role("link", name="Leggi protocollo").click()
    expect(page.get_by_role("heading", name="Leggi protocollo")).to_be_visible()
    expect(page.get_by_role("textbox", name="Testo formattato della sezione")).to_have_count(0)
    expect(page.get_by_text("Testo in Markdown")).to_have_count(0)
