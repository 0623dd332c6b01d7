"""The class council's pack, the filtered downloads and names put back offline."""

import csv
import io
import shutil
import subprocess
from datetime import UTC, date, datetime

import pytest
from docx import Document
from openpyxl import load_workbook

from models.core.errors import ApprodoError, PermissionDenied
from models.council import pack as council_pack
from models.follow_up import interventions, reviews
from models.follow_up import list_export as risk_export
from models.follow_up.list_export import Selection
from models.pupils import names_back
from models.risk import derogations, school_risk

SCHOOL = "MIIS00003C"


@pytest.fixture
def funzione(actors):
    return actors["funzione_strumentale"]


def _texts(docx: bytes) -> list[str]:
    document = Document(io.BytesIO(docx))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        texts += [cell.text for row in table.rows for cell in row.cells]
    return texts


def test_the_pack_for_a_class_holds_exactly_its_filtered_pupils(pupils_db, funzione):
    risk = school_risk.school_risk(pupils_db, funzione, SCHOOL)
    everyone = risk.pupils
    in_3a = everyone[(everyone["class_name"] == "3A") & everyone["level"].isin(["alto", "medio"])]
    others = set(everyone["pupil_code"]) - set(in_3a["pupil_code"])
    assert len(in_3a) >= 1 and others

    made = council_pack.council_pack(pupils_db, funzione, SCHOOL, Selection(("3A",), ("alto", "medio")))

    assert set(made.pupils) == set(in_3a["pupil_code"]) and made.classes == ("3A",)
    text = "\n".join(_texts(made.docx))
    assert all(f"Alunno {code} · classe 3A" in text for code in in_3a["pupil_code"])
    assert not any(code in text for code in others)  # no pupil of another class or level, anywhere
    assert made.first_line == f"Scuola {SCHOOL}, dati al mese {_month(risk)}: classe 3A; livelli alto, medio."
    assert made.file_stem == f"pacchetto_{SCHOOL}_{risk.as_of}_classe-3A_livello-alto-medio"
    document = Document(io.BytesIO(made.docx))
    assert document.paragraphs[0].text == made.first_line
    assert document.sections[0].header.paragraphs[0].text.startswith("DATI PERSONALI DI MINORI")
    # The class's trend is the whole class's, not the pack's pupils' alone.
    months = school_risk.load_attendance(pupils_db, SCHOOL)
    class_march = months[(months["class_name"] == "3A") & (months["period"] == "2025-09")]
    whole = 100 * class_march["absence_hours"].sum() / class_march["scheduled_hours"].sum()
    figures = next(p.text for p in document.paragraphs if p.text.startswith("In cifre:"))
    assert f"settembre 2025 {round(whole):.0f} %" in figures
    class_table = {row.cells[0].text: row.cells[3].text for row in document.tables[0].rows[1:]}
    for _, pupil in in_3a.iterrows():  # one line each: the strongest reason, the rest on the pupil's page
        first, *rest = pupil["reasons"]
        rest_text = f" (e altri {len(rest)} motivi)" if len(rest) > 1 else " (e un altro motivo)" if rest else ""
        assert class_table[pupil["pupil_code"]] == first.rstrip(".") + rest_text
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["Classe 3A", *(f"Alunno {c} · classe 3A" for c in made.pupils)]


def _month(risk):
    from models.risk.indicators import month_label

    return month_label(risk.as_of)


def test_a_pupil_page_has_the_months_reasons_reviews_and_interventions(pupils_db, funzione, actors):
    risk = school_risk.school_risk(pupils_db, funzione, SCHOOL)
    pupil = risk.pupils[risk.pupils["level"] == "alto"].iloc[0]
    code = pupil["pupil_code"]
    interventions.add_intervention(pupils_db, funzione, SCHOOL, code, kind="Colloquio con la famiglia",
                                   happened_on=date(2026, 2, 3), owner="funzione", outcome="in_corso")
    reviews.record_review(pupils_db, funzione, SCHOOL, code, as_of=risk.as_of, level="alto",
                          note="Sentita la coordinatrice.", follow_up_on=date(2026, 3, 10), follow_up_owner="dirigente",
                          at=datetime(2026, 2, 10, 9, 0, tzinfo=UTC))

    reason = derogations.SUGGESTED[0]
    derogations.set_criteria(pupils_db, actors["dirigente"], SCHOOL, [reason], "Delibera n. 4 del 10/09/2025")
    derogations.add(pupils_db, actors["dirigente"], SCHOOL, code, hours=12, reason=reason, on=date(2026, 2, 9))
    made = council_pack.pack_for_pupil(pupils_db, funzione, SCHOOL, code)

    assert made.pupils == (code,)
    texts = _texts(made.docx)
    months = school_risk.load_attendance(pupils_db, SCHOOL, pupil_code=code)
    this_year = months[months["period"] >= "2025-09"]
    month_rows = [t for t in texts if t.endswith(" 2025") or t.endswith(" 2026")]
    assert len(set(month_rows)) >= len(this_year)  # one row per month of the school year
    assert "Colloquio con la famiglia" in texts and "Sentita la coordinatrice." in texts
    assert "10/03/2026" in texts  # the next check and its owner
    assert "09/02/2026" in texts and reason in texts  # the hours under a derogation, apart
    assert all(reason in texts for reason in pupil["reasons"])
    assert any(t.startswith("Ore di assenza ancora possibili") or "prima del limite" in t for t in texts)
    document = Document(io.BytesIO(made.docx))
    assert len(document.inline_shapes) == 2  # the class's chart and the pupil's, each with its figures in words
    assert all(shape._inline.docPr.get("descr") for shape in document.inline_shapes)


def test_a_teacher_gets_only_the_pupils_of_their_classes(pupils_db, actors):
    docente = actors["docente"]
    made = council_pack.council_pack(pupils_db, docente, SCHOOL, Selection())
    assert set(made.classes) <= {"3A", "4B"} and made.pupils
    with pytest.raises(PermissionDenied):
        council_pack.council_pack(pupils_db, actors["coordinatore_rete"], SCHOOL, Selection(("3A",)))


def test_the_pack_is_in_the_access_log(pupils_db, funzione):
    council_pack.council_pack(pupils_db, funzione, SCHOOL, Selection(("3A",)))
    what, detail = pupils_db.execute("SELECT what, detail FROM access_log ORDER BY id DESC LIMIT 1").fetchone()
    assert what == "pacchetto consiglio di classe" and detail.startswith(f"Scuola {SCHOOL}") and "classe 3A" in detail


def test_the_pdf_has_a_class_page_and_one_page_per_pupil(pupils_db, funzione):
    if not (council_pack_pdf_possible := shutil.which("soffice")) or not shutil.which("pdftotext"):
        pytest.skip("LibreOffice e pdftotext servono per aprire il PDF")
    assert council_pack_pdf_possible
    risk = school_risk.school_risk(pupils_db, funzione, SCHOOL)
    high = risk.pupils[(risk.pupils["class_name"] == "3A") & risk.pupils["level"].isin(["alto", "medio"])]
    assert len(high) >= 2
    made = council_pack.council_pack(pupils_db, funzione, SCHOOL, Selection(("3A",), ("alto", "medio")))
    pdf = council_pack.council_pack_pdf(made)
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    pages = text.decode().split("\f")
    pages = [p for p in pages if p.strip()]
    starts = [n for n, p in enumerate(pages) if "Classe 3A" in p.split("Alunni per livello")[0]]
    pupil_pages = [code for code in high["pupil_code"] for p in pages if f"Alunno {code}" in p]
    assert starts == [0] and sorted(pupil_pages) == sorted(high["pupil_code"])
    assert len(pages) == 1 + len(high)  # the class on one page, each pupil's sheet on its own page
    assert all("DATI PERSONALI DI MINORI" in p for p in pages)


def test_downloads_follow_the_filters_and_say_which(pupils_db, funzione):
    selection = Selection(("3A",), ("alto",))
    risk, data = risk_export.export_list(pupils_db, funzione, SCHOOL, "csv", selection=selection)
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert lines[0][0].startswith("DATI PERSONALI") and lines[0][1].endswith("classe 3A; livello alto.")
    codes = [line[0] for line in lines[2:]]
    everyone = school_risk.school_risk(pupils_db, funzione, SCHOOL).pupils
    expected = everyone[(everyone["class_name"] == "3A") & (everyone["level"] == "alto")]["pupil_code"]
    assert sorted(codes) == sorted(expected) and len(codes) < len(everyone)
    _, book = risk_export.export_list(pupils_db, funzione, SCHOOL, "xlsx", selection=selection)
    sheet = load_workbook(io.BytesIO(book)).active
    assert "classe 3A; livello alto." in sheet["A2"].value
    assert sorted(r[0] for r in sheet.iter_rows(min_row=5, values_only=True)) == sorted(expected)
    assert selection.file_stem("rischio", risk) == f"rischio_{SCHOOL}_{risk.as_of}_classe-3A_livello-alto"
    assert Selection().file_stem("rischio", risk) == f"rischio_{SCHOOL}_{risk.as_of}_tutta-la-scuola"
    detail = pupils_db.execute("SELECT detail FROM access_log ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert "classi 3A; livelli alto" in detail


def test_a_class_name_from_the_register_never_breaks_a_file_name(pupils_db, funzione):
    risk = school_risk.school_risk(pupils_db, funzione, SCHOOL)
    assert Selection(("../3 A",)).file_stem("rischio", risk).endswith("_classe-3-A")


def test_names_go_back_offline_in_word_excel_and_csv(pupils_db, funzione):
    made = council_pack.council_pack(pupils_db, funzione, SCHOOL, Selection(("3A",), ("alto", "medio")))
    first, *rest = made.pupils
    key = names_back.read_key(
        "\ufeffnome;data di nascita;codice\nÖztürk Ayşe;2011-04-02;{}\n'=Rossi & <Mario>;;{}\n".format(
            first, "ZZNOTHERE").encode())
    named, count = names_back.add_names(key, made.docx, "docx")
    texts = "\n".join(_texts(named))
    assert f"Öztürk Ayşe ({first})" in texts and count >= 2  # the heading, the class table, the chart's text
    assert all(f"({code})" not in texts for code in rest)  # codes without a name stay codes
    assert Document(io.BytesIO(named)).sections[0].header.paragraphs[0].text.startswith("DATI PERSONALI")
    key[first] = "=Rossi & <Mario>"
    _, book = risk_export.export_list(pupils_db, funzione, SCHOOL, "xlsx", selection=Selection(pupil=first))
    named_book, _ = names_back.add_names(key, book, "xlsx")
    assert load_workbook(io.BytesIO(named_book)).active["A5"].value == f"=Rossi & <Mario> ({first})"
    _, text = risk_export.export_list(pupils_db, funzione, SCHOOL, "csv", selection=Selection(pupil=first))
    named_csv, count = names_back.add_names(key, text, "csv")
    lines = list(csv.reader(io.StringIO(named_csv.decode("utf-8-sig")), delimiter=";"))
    assert count == 2 and lines[0][1].endswith(f"alunno '=Rossi & <Mario> ({first}).")  # the first line, the row
    assert lines[2][0] == f"'=Rossi & <Mario> ({first})"  # never a formula in the spreadsheet
    names_in_db = pupils_db.execute("SELECT COUNT(*) FROM access_log WHERE detail LIKE '%Rossi%'"
                                    " OR detail LIKE '%Öztürk%'").fetchone()[0]
    assert names_in_db == 0


def test_a_key_file_that_is_not_one_is_an_italian_error():
    with pytest.raises(ApprodoError, match="colonne «nome» e «codice»"):
        names_back.read_key(b"a;b\n1;2\n")
    with pytest.raises(ApprodoError, match="docx, .xlsx o .csv"):
        names_back.add_names({"X": "Y"}, b"", "pdf")
    with pytest.raises(ApprodoError, match="non è un .docx valido"):
        names_back.add_names({"X": "Y"}, b"not a zip", "docx")
