from playwright.sync_api import expect

from tests.e2e.conftest import choose, screenshot, wait_idle
from tests.e2e.test_editor_journey import open_school_protocol


def test_scratch(server, page):
    open_school_protocol(page, server)
    choose(page, "Sezione", "Chi fa che cosa")
    rich = page.get_by_role("textbox", name="Testo formattato della sezione")
    expect(rich).to_be_visible()
    print("UNSAVED?", page.get_by_text("Hai modifiche non salvate").count())
    print("HTML", rich.inner_html()[:1500])
    rich.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" Aggiunto.")
    page.wait_for_timeout(2500)
    wait_idle(page)
    page.get_by_text("Testo in Markdown").click()
    print("MD", page.get_by_role("textbox", name="Testo della sezione").input_value())
    toolbar = page.locator(".toolbar-item")
    print("TOOLBAR", [(b.get_attribute("aria-label")) for b in toolbar.all()])
    screenshot(page, "scratch")
