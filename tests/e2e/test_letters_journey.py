"""The letters of the compulsory-education procedure in a real browser: on the demo, the dirigente opens the case
whose seven days are over, downloads the family notice with its Arabic translation and the report to the mayor;
both open in python-docx and LibreOffice, and each download is in the access log."""

import io
import shutil
import sqlite3
import subprocess

import pytest
from docx import Document
from playwright.sync_api import expect

from models.demo import demo
from models.protocols import word_export as docx_export
from tests.e2e.conftest import choose, log_in, rerun, screenshot

pytestmark = pytest.mark.e2e


def mayor_due_pupil(db_file) -> str:
    """The demo's pupil whose family was informed and whose attendance did not resume."""
    with sqlite3.connect(db_file) as db:
        return db.execute(
            "SELECT c.pupil_code FROM obligation_cases c JOIN obligation_steps s ON s.case_id = c.id"
            " AND s.kind = 'famiglia' WHERE c.closed_on IS NULL AND NOT EXISTS (SELECT 1 FROM obligation_steps r"
            " WHERE r.case_id = c.id AND r.kind IN ('ripresa', 'sindaco'))").fetchone()[0]


def letter_lines(db_file) -> list[str]:
    with sqlite3.connect(db_file) as db:
        return [row[0] for row in db.execute("SELECT detail FROM access_log WHERE what = 'lettera obbligo"
                                             " scolastico' ORDER BY id")]


def test_the_dirigente_downloads_the_bilingual_family_notice_and_the_report_to_the_mayor(server, tmp_path, page):
    pupil = mayor_due_pupil(server.db)
    log_in(page, server.url, "dirigente", demo.DEMO_PASSWORD)
    with rerun(page):
        page.get_by_role("link", name="Obbligo scolastico").first.click()
    choose(page, "Scheda del caso", pupil)
    main = page.locator("[data-testid='stMain']")
    expect(main).to_contain_text("Lettera con la traduzione")
    assert letter_lines(server.db) == []  # showing the buttons builds no letter

    files = {}
    for label in ("Lettera con la traduzione", "Segnalazione al Sindaco"):
        with page.expect_download(timeout=60_000) as download:
            page.get_by_role("button", name=label, exact=True).click()
        target = tmp_path / download.value.suggested_filename
        download.value.save_as(target)
        files[label] = target
    screenshot(page, "lettere_obbligo_scolastico")

    bilingual, mayor = files.values()
    assert bilingual.name == f"comunicazione_famiglia_{pupil}_it_ar.docx"
    assert mayor.name == f"segnalazione_sindaco_{pupil}.docx"
    family_text = "\n".join(p.text for p in Document(io.BytesIO(bilingual.read_bytes())).paragraphs)
    assert "Gentile famiglia" in family_text and "حضرات الوالدين الكرام" in family_text
    assert "Prot. n. 87/2026" in family_text  # the demo's recorded family notice
    mayor_text = "\n".join(p.text for p in Document(io.BytesIO(mayor.read_bytes())).paragraphs)
    assert "Al Sindaco" in mayor_text and "Con comunicazione del 12/01/2026, prot. n. 87/2026" in mayor_text
    assert letter_lines(server.db) == [f"Comunicazione alla famiglia (arabo), alunno {pupil}",
                                       f"Segnalazione al Sindaco (italiano), alunno {pupil}"]
    if docx_export.pdf_available() and shutil.which("pdftotext"):
        pdf = tmp_path / "sindaco.pdf"
        pdf.write_bytes(docx_export.to_pdf(mayor.read_bytes()))
        printed = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True,  # noqa: S607
                                 text=True).stdout
        assert "segnalazione ai sensi dell'art. 114, comma 4" in printed and "Il Dirigente Scolastico" in printed
