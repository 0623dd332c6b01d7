"""What a person sees in a real browser: the gate before login, and a dirigente's visit."""

from playwright.sync_api import expect

from models.demo import demo
from tests.e2e.conftest import log_in, rerun, wait_idle
from ui.navigation import PAGES


def test_a_fresh_server_shows_only_the_login_at_every_page_address(server, page):
    # Streamlit would run a pages/ file by itself for the first visitor of a fresh
    # server; server.py turns that off, so every address shows the login (and each
    # page's own guard, tested with AppTest, stays as a second lock).
    for spec in PAGES:
        page.goto(f"{server.url}/{spec.url_path}")
        wait_idle(page)
        main = page.locator("[data-testid='stMain']")
        expect(page.locator("h1")).to_have_text("Accesso ad Approdo")
        expect(main).not_to_contain_text("Benvenuta/o")
        expect(main).not_to_contain_text("Amministrazione")
        expect(page.locator("[data-testid='stDataFrame']")).to_have_count(0)


def test_dirigente_logs_in_sees_home_and_logs_out(server, page):
    log_in(page, server.url, "dirigente", demo.DEMO_PASSWORD)
    main = page.locator("[data-testid='stMain']")
    expect(main).to_contain_text("Benvenuta/o, Marco Bianchi")
    expect(main).to_contain_text("Istituto di istruzione superiore «Ponte Nuovo»")
    # The admin page is not in a dirigente's menu, nor reachable by URL.
    expect(page.get_by_text("Amministrazione")).to_have_count(0)
    with rerun(page):
        page.get_by_role("button", name="Esci").click()
    expect(main).to_contain_text("Sei uscito da Approdo.")
    expect(page.get_by_role("button", name="Accedi")).to_be_visible()


def test_wrong_password_in_the_browser_shows_the_italian_message(server, page):
    log_in(page, server.url, "dirigente", "non-e-questa", accepted=False)
    expect(page.locator("[data-testid='stMain']")).to_contain_text("Nome utente o password non corretti.")


def test_admin_url_typed_by_a_logged_in_dirigente_does_not_open_admin(server, page):
    log_in(page, server.url, "dirigente", demo.DEMO_PASSWORD)
    page.goto(f"{server.url}/admin")
    wait_idle(page)
    # A new browser load is a new Streamlit session: the login form, not admin.
    main = page.locator("[data-testid='stMain']")
    expect(main).not_to_contain_text("Registro attività")
    expect(page.locator("[data-testid='stDataFrame']")).to_have_count(0)
