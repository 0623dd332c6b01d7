"""Per-class uploads in a real browser: two files of one month, one class each; both classes stay, and the page
says which classes the month holds."""

import sqlite3

from playwright.sync_api import expect

from models.demo import demo
from tests.e2e.conftest import log_in, rerun


def test_two_per_class_uploads_of_one_month_keep_both_classes(server, page, tmp_path):
    header = "Codice alunno;Classe;Mese;Monte ore;Ore di assenza\n"
    files = []
    for class_name, count in (("9Y", 3), ("9Z", 2)):
        path = tmp_path / f"marzo_{class_name}.csv"
        path.write_text(header + "".join(f"{class_name}{n};{class_name};03/2026;100;4\n" for n in range(count)),
                        encoding="utf-8")
        files.append(path)
    log_in(page, server.url, "funzione", demo.DEMO_PASSWORD)
    with rerun(page):
        page.get_by_role("link", name="Carica dati").first.click()
    main = page.locator("[data-testid='stMain']")
    for path in files:
        with rerun(page):
            page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(path))
        with rerun(page):
            page.get_by_role("button", name="Importa", exact=True).click()
    expect(main).to_contain_text("Ora: marzo 2026: classi 9Y, 9Z", timeout=60_000)
    expect(main).not_to_contain_text("sono stati sostituiti")
    expect(main).to_contain_text("Classi caricate per mese")
    with sqlite3.connect(server.db) as conn:
        held = dict(conn.execute("SELECT class_name, COUNT(*) FROM attendance WHERE period = '2026-03'"
                                 " GROUP BY class_name").fetchall())
    assert held == {"9Y": 3, "9Z": 2}
