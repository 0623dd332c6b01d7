"""The funzione strumentale's monthly round in a real browser: list, pupil, intervention, Excel file."""

import re
import subprocess

from openpyxl import load_workbook
from playwright.sync_api import expect

from models.demo import demo
from tests.e2e.conftest import choose, log_in, pick, rerun, screenshot, wait_idle

NOTE = "Abbinato a un compagno di 4B per il metodo di studio."


def import_march(page, tmp_path, server) -> None:
    """Upload the school's register export for March, as the funzione does monthly: every pupil of February,
    two of them with new hours (a file with only those two would leave the others' data stopped in February)."""
    import sqlite3

    with sqlite3.connect(server.db) as conn:
        pupils = conn.execute("SELECT pupil_code, class_name, scheduled_hours, absence_hours FROM attendance"
                              " WHERE school_code = 'MIIS00003C' AND period = '2026-02' ORDER BY pupil_code"
                              ).fetchall()
    lines = ["Cod. alunno;Classe;Mese;Monte ore;Ore di assenza;N° entrate posticipate;N° uscite anticipate"]
    hours = ("40", "12,5")
    lines += [f"{code};{class_name};03/2026;128;{h};1;0"
              for (code, class_name, _, _), h in zip(pupils, hours, strict=False)]
    lines += [f"{code};{class_name};03/2026;{sched:g};{absent:g};0;0".replace(".", ",")
              for code, class_name, sched, absent in pupils[len(hours):]]
    register = tmp_path / "registro_marzo.csv"
    register.write_text("\n".join(lines), encoding="utf-8")
    with rerun(page):
        page.get_by_role("link", name="Carica dati").first.click()
    with rerun(page):
        page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(register))
    with rerun(page):
        page.get_by_role("button", name="Importa", exact=True).click()
    expect(page.locator("[data-testid='stMain']")).to_contain_text("Importazione riuscita")


def test_funzione_records_an_intervention_and_finds_it_in_the_exported_list(server, page, tmp_path):
    log_in(page, server.url, "funzione", demo.DEMO_PASSWORD)
    import_march(page, tmp_path, server)
    with rerun(page):
        page.get_by_role("link", name="Rischio dispersione").first.click()
    main = page.locator("[data-testid='stMain']")
    expect(main).to_contain_text("Da rivedere")
    expect(main).to_contain_text("Dall'ultima revisione")

    # The first pupil who became high-risk since the last review opens its page.
    with rerun(page):
        main.locator("[data-testid='stPageLink'] a").first.click()
    header = main.get_by_role("heading", name=re.compile(r"^Alunno \S+ · classe"))
    code = re.match(r"Alunno (\S+) ·", header.inner_text()).group(1)
    expect(main).to_contain_text("Livello attuale")

    choose(page, "Tipo di intervento", "Tutoraggio tra pari")
    page.get_by_role("textbox", name="Nota breve (facoltativa)").first.fill(NOTE)
    with rerun(page):
        page.get_by_role("button", name="Registra l'intervento").click()
    expect(main).to_contain_text("Intervento registrato.")
    # (the chart's figures are a table too, in their expander: look for the interventions' table by its content)
    expect(main.locator("[data-testid='stTable']").filter(has_text=NOTE)).to_have_count(1)
    # The review, with its follow-up four weeks ahead by default.
    page.get_by_role("textbox", name="Nota breve (facoltativa)").last.fill("Visto nella riunione di marzo.")
    with rerun(page):
        page.get_by_role("button", name="Registra la revisione").click()
    expect(main).to_contain_text("Revisione registrata.")
    expect(main.locator("[data-testid='stTable']").last).to_contain_text("Visto nella riunione di marzo.")
    screenshot(page, "funzione_scheda_alunno")

    with rerun(page):
        page.get_by_role("link", name="Rischio dispersione").first.click()
    wait_idle(page)
    # The file is made when the button is pressed (the list as it is then), on a machine the other test processes
    # share: the wait is as long as the council pack's below.
    with page.expect_download(timeout=90_000) as download:
        page.get_by_role("button", name="Scarica l'elenco (Excel)").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    sheet = load_workbook(saved).active
    assert sheet["A1"].value.startswith("DATI PERSONALI DI MINORI")
    header_row = [c.value for c in sheet[4]]
    rows = {r[0]: dict(zip(header_row, r, strict=True)) for r in sheet.iter_rows(min_row=5, values_only=True)}
    assert rows[code]["Ultimo intervento"] == "Tutoraggio tra pari"
    assert rows[code]["Esito intervento"] == "In corso" and rows[code]["Ultima revisione"] is not None
    assert "marzo 2026" in sheet["A2"].value or "2026-03" in sheet["A2"].value
    screenshot(page, "funzione_elenco_rischio")

    # The class council's pack for the pupil's class, as the filters on screen say, opened as pictures.
    class_name = rows[code]["Classe"]
    pick(page, "Classi", class_name)
    expect(main).to_contain_text(f"classe {class_name}; livelli alto, medio.")
    with page.expect_download(timeout=90_000) as download:
        page.get_by_role("button", name="Pacchetto (PDF)").click()
    name = download.value.suggested_filename
    assert name == f"pacchetto_MIIS00003C_2026-03_classe-{class_name}_livello-alto-medio.pdf"
    pdf = tmp_path / download.value.suggested_filename
    download.value.save_as(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "pagina")], check=True, timeout=60)
    pictures = sorted(tmp_path.glob("pagina*.png"))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    listed = [c for c, r in rows.items() if r["Classe"] == class_name]
    pages = [page for page in text.split("\f") if page.strip()]
    assert len(pictures) == len(pages) and f"Classe {class_name}" in pages[0]
    # Each pupil's sheet starts a page of its own (a long history may continue on the next), in the list's order.
    starts = [re.search(r"Alunno (\S+) · classe", page) for page in pages]
    sheets = [found.group(1) for found in starts if found]
    assert sorted(sheets) == sorted(listed) and all(page.count("Alunno ") <= 1 for page in pages)
    assert f"Alunno {code} · classe {class_name}" in text
    assert all(f"Alunno {c} " in text for c in listed)
    screenshot(page, "funzione_pacchetto_consiglio")
