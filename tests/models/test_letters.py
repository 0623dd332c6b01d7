"""The letters of the compulsory-education procedure: texts per network, kind and language; the Word letter with
its blanks, days and dates; right to left for Arabic; the step of the case; who may download; the access log."""

import io
import re
import shutil
import subprocess
from datetime import date

import pytest
from docx import Document
from docx.oxml.ns import qn

from models.accounts import schools
from models.core import languages
from models.core.errors import ApprodoError, PermissionDenied
from models.obligation import cases as obligation
from models.obligation import letters
from models.protocols import placeholders
from models.protocols import word_export as docx_export
from models.pupils import importing as pupil_data
from tests.models.test_obligation import SCHOOL, events, load, school_days

NETWORK = "RETEDEMO"
SIXTEEN = school_days(date(2026, 1, 12), 16)
ARABIC = re.compile(r"[\u0600-\u06ff]")


@pytest.fixture
def clock_at(monkeypatch):
    from datetime import UTC, datetime

    from models.core import clock

    def set_day(day: date):
        monkeypatch.setattr(clock, "utcnow", lambda: datetime(day.year, day.month, day.day, 11, 0, tzinfo=UTC))
    set_day(date(2026, 3, 20))
    return set_day


@pytest.fixture
def case(demo_db, actors, clock_at):
    """Pupil CASO1 of the demo school: sixteen unjustified days from 12 January 2026, an open case."""
    load(demo_db, actors["dirigente"], events("CASO1", SIXTEEN))
    return obligation.cases(demo_db, actors["dirigente"], SCHOOL)[0]


def paragraphs(data: bytes) -> list:
    return Document(io.BytesIO(data)).paragraphs


def text_of(data: bytes) -> str:
    return "\n".join(p.text for p in paragraphs(data))


# --- texts ------------------------------------------------------------------------------------------


def test_every_network_starts_from_the_shipped_italian_texts_citing_the_law(demo_db, actors):
    for kind in ("famiglia", "sindaco"):
        text = letters.current_text(demo_db, actors["coordinatore_rete"], NETWORK, kind, "it")
        assert text.is_default and text.version == 0
        assert "art. 114, comma 4" in text.body and "D.L. 15 settembre 2023, n. 123" in text.body
        assert "L. 13 novembre 2023, n. 159" in text.body and "sette giorni" in text.body
        letters.check_text(text.body)  # the shipped texts pass the checks users' texts pass
    assert "quindici giorni" in letters.default_text("famiglia", "it")
    assert letters.current_text(demo_db, actors["coordinatore_rete"], NETWORK, "famiglia", "zh") is None
    assert letters.current_text(demo_db, actors["other_coordinatore"], "RETEALTRA", "famiglia", "ar") is None


def test_the_demo_network_has_the_family_notice_in_english_and_arabic_marked_as_examples(demo_db, actors):
    coordinator = actors["coordinatore_rete"]
    assert letters.languages(demo_db, coordinator, NETWORK, "famiglia") == ["it", "ar", "en"]  # by Italian name
    assert letters.languages(demo_db, coordinator, NETWORK, "sindaco") == ["it"]
    english = letters.current_text(demo_db, coordinator, NETWORK, "famiglia", "en")
    assert "Example text: the network's cultural mediators should check it" in english.body
    assert "art. 114, paragraph 4" in english.body and "within seven days" in english.body
    arabic = letters.current_text(demo_db, coordinator, NETWORK, "famiglia", "ar").body
    assert "نص نموذجي" in arabic and "سبعة أيام" in arabic and "خمسة عشر يومًا" in arabic


def test_the_coordinator_saves_versions_with_author_and_a_stale_save_is_refused(demo_db, actors):
    coordinator = actors["coordinatore_rete"]
    body = letters.default_text("famiglia", "it")
    first = letters.save_text(demo_db, coordinator, NETWORK, "famiglia", "it", body + "\nPS.", 0, "firma")
    assert (first.version, first.author, first.note) == (1, "coordinatrice", "firma")
    with pytest.raises(letters.LetterConflict, match="versione 1"):
        letters.save_text(demo_db, coordinator, NETWORK, "famiglia", "it", body + "\nAltro.", 0)
    with pytest.raises(ApprodoError, match="non è cambiato"):
        letters.save_text(demo_db, coordinator, NETWORK, "famiglia", "it", body + "\nPS.", 1)
    history = letters.history(demo_db, coordinator, NETWORK, "famiglia", "it")
    assert [v.version for v in history] == [1, 0]
    assert [r[0] for r in demo_db.execute("SELECT target FROM audit_log WHERE action = 'lettera_salvata'"
                                          " AND actor = 'coordinatrice'")] == ["RETEDEMO / famiglia / it"]


def test_only_the_networks_coordinator_edits_and_only_its_people_read(demo_db, actors):
    body = letters.default_text("famiglia", "it") + "\nX"
    for role in ("dirigente", "funzione_strumentale", "docente", "other_coordinatore"):
        with pytest.raises(PermissionDenied):
            letters.save_text(demo_db, actors[role], NETWORK, "famiglia", "it", body, 0)
    assert letters.current_text(demo_db, actors["dirigente"], NETWORK, "famiglia", "it").version == 0
    for role in ("docente", "other_coordinatore", "other_dirigente"):
        with pytest.raises(PermissionDenied):
            letters.current_text(demo_db, actors[role], NETWORK, "famiglia", "it")


def test_typed_template_syntax_and_unknown_placeholders_are_refused_in_italian(demo_db, actors):
    coordinator = actors["coordinatore_rete"]
    for hostile in ("{{ ''.__class__.__mro__ }}", "{% for x in range(9) %}x{% endfor %}", "{# nota #}"):
        with pytest.raises(ApprodoError, match="Segnaposto sconosciuto|istruzioni di modello non sono ammesse"):
            letters.save_text(demo_db, coordinator, NETWORK, "famiglia", "it", hostile, 0)
    with pytest.raises(ApprodoError, match=r"Segnaposto sconosciuto: \{\{ alunno.cognome \}\}"):
        letters.save_text(demo_db, coordinator, NETWORK, "famiglia", "it", "Caro {{ alunno.cognome }}", 0)
    # The letter's fields are not protocol placeholders: a section cannot use them.
    with pytest.raises(ApprodoError, match="Segnaposto sconosciuto"):
        placeholders.check("{{ assenze.giorni }}")
    with pytest.raises(ApprodoError, match="solo in italiano"):
        letters.save_text(demo_db, coordinator, NETWORK, "sindaco", "ar", "نص", 0)


def test_template_syntax_in_the_schools_facts_stays_literal_text_in_the_letter(demo_db, actors, system, case):
    schools.update_school_facts(demo_db, system, SCHOOL, comune="{{ 7*7 }} {% raw %}", dirigente_name="x",
                                referente_intercultura="")
    body = letters.default_text("famiglia", "it") + "\n\nScuola di {{ scuola.comune }}; \\{{ testo \\}}"
    letters.save_text(demo_db, actors["coordinatore_rete"], NETWORK, "famiglia", "it", body, 0)
    text = text_of(letters.case_letter(demo_db, actors["dirigente"], SCHOOL, case.id, "famiglia"))
    assert "Scuola di {{ 7*7 }} {% raw %};" in text and "49" not in text


# --- the Word letter ------------------------------------------------------------------------------------


def test_the_family_letter_has_the_days_dates_class_and_blanks_for_name_and_address(demo_db, actors, case):
    data = letters.case_letter(demo_db, actors["dirigente"], SCHOOL, case.id, "famiglia")
    text = text_of(data)
    assert "Istituto di istruzione superiore «Ponte Nuovo»" in text and "Codice meccanografico MIIS00003C" in text
    assert "16 giorni" in text and "classe 1A" in text
    for day in SIXTEEN:
        assert f"{day:%d/%m/%Y}" in text
    assert f"dal {case.window_start:%d/%m/%Y} al {case.window_end:%d/%m/%Y}" in text
    assert "Gentile famiglia," in text and "Gentili genitori" not in text
    assert "Ai genitori o a chi esercita la responsabilità genitoriale" in text
    assert "{{" not in text and "[da completare" not in text
    assert "Prot. n. " + letters.BLANK_SHORT in text  # the number comes from the school's register of protocol
    properties = Document(io.BytesIO(data)).core_properties
    assert properties.title == "Comunicazione alla famiglia – alunno CASO1"
    assert properties.author == "Istituto di istruzione superiore «Ponte Nuovo»" and properties.language == "it-IT"


def _core(data: bytes) -> dict[str, list[str]]:
    """Every element of docProps/core.xml by local name, whatever its namespace (as a strict reader finds them)."""
    import zipfile

    from lxml import etree

    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("docProps/core.xml"))
    found: dict[str, list[str]] = {}
    for element in root:
        found.setdefault(etree.QName(element).localname, []).append(element.text or "")
    return found


def test_the_word_properties_have_one_keywords_entry_and_one_author(demo_db, actors, case):
    core = _core(letters.case_letter(demo_db, actors["dirigente"], SCHOOL, case.id, "famiglia"))
    assert core["keywords"] == ["obbligo di istruzione; comunicazione alla famiglia"]  # not also an empty one
    assert core["creator"] == ["Istituto di istruzione superiore «Ponte Nuovo»"]
    assert core["lastModifiedBy"] == ["Istituto di istruzione superiore «Ponte Nuovo»"]


def test_names_and_address_are_fill_in_fields_of_the_word_file_never_stored(demo_db, actors, case):
    data = letters.case_letter(demo_db, actors["dirigente"], SCHOOL, case.id, "famiglia")
    body = Document(io.BytesIO(data)).element.body
    controls = body.findall(".//" + qn("w:sdt"))
    tags = [c.find(qn("w:sdtPr")).find(qn("w:tag")).get(qn("w:val")) for c in controls]
    # addressee: parents, pupil, address; subject and body: the pupil twice
    assert tags.count("famiglia.nome") == 1 and tags.count("famiglia.indirizzo") == 1
    assert tags.count("alunno.nome") == 3
    for control in controls:
        assert control.find(qn("w:sdtPr")).find(qn("w:showingPlcHdr")) is not None  # Word selects it on a click
    shown = {"".join(t.text for t in c.iter(qn("w:t"))) for c in controls}
    assert shown == {"[nome e cognome dell'alunno/a]", "[nomi dei genitori o dei tutori]", "[indirizzo della famiglia]"}
    assert "\ue000" not in text_of(data)  # no marker left
    assert letters.BLANK_NAME not in text_of(data)


def test_the_mayor_is_addressed_whoever_holds_the_office(demo_db, actors, case, clock_at):
    boss = actors["dirigente"]
    obligation.record_family_notice(demo_db, boss, SCHOOL, case.id, date(2026, 3, 20), "1/2026", "PEC",
                                    date(2026, 3, 20))
    clock_at(date(2026, 3, 27))
    obligation.record_mayor_notice(demo_db, boss, SCHOOL, case.id, date(2026, 3, 27), "2/2026", "Valfiorita")
    text = text_of(letters.case_letter(demo_db, boss, SCHOOL, case.id, "sindaco"))
    assert "Al Sindaco del Comune di Valfiorita" in text and "Gentile Sindaca, Gentile Sindaco," in text
    assert "Egregio" not in text


def test_family_and_mayor_letters_say_the_same_about_the_term_from_the_receipt(demo_db, actors, case, clock_at):
    boss = actors["dirigente"]
    clock_at(date(2026, 3, 10))
    obligation.record_family_notice(demo_db, boss, SCHOOL, case.id, date(2026, 3, 10), "1/2026", "Raccomandata A/R")
    family = text_of(letters.case_letter(demo_db, boss, SCHOOL, case.id, "famiglia"))
    assert "entro sette giorni dal ricevimento della presente" in family
    clock_at(date(2026, 3, 27))  # no return card: received 10 days after sending (20/03), term to 27/03
    mayor = text_of(letters.case_letter(demo_db, boss, SCHOOL, case.id, "sindaco"))
    assert ("ricevuta dalla famiglia il 20/03/2026 (data di ricevimento non documentata: 10 giorni dall'invio)"
            in mayor)
    assert "entro sette giorni dal ricevimento" in mayor
    assert "Alla data del 27/03/2026, settimo giorno dal ricevimento, la frequenza non è ripresa" in mayor


def test_the_letter_asks_no_medical_certificate_for_readmission():
    for kind in ("famiglia", "famiglia_ore"):
        text = letters.default_text(kind, "it")
        assert "il certificato medico per la riammissione a scuola non è richiesto (L.R. 4 agosto 2003, n. 12" in text
        assert "il certificato medico)" not in text


def test_the_period_never_starts_before_the_first_day_of_lessons(demo_db, actors, clock_at):
    first = school_days(date(2025, 9, 1), 1)[0]
    load(demo_db, actors["dirigente"], events("PRESTO1", school_days(first, 16)))
    case = obligation.cases(demo_db, actors["dirigente"], SCHOOL)[0]
    text = text_of(letters.case_letter(demo_db, actors["dirigente"], SCHOOL, case.id, "famiglia"))
    assert f"nel periodo dal {first:%d/%m/%Y} al {case.window_end:%d/%m/%Y}" in text


def test_the_letterhead_and_the_signature_wording_come_from_the_school(demo_db, actors, case):
    boss = actors["dirigente"]
    with pytest.raises(ApprodoError, match="PEC «scuola» non è valido"):
        schools.update_letterhead(demo_db, boss, SCHOOL, pec="scuola")
    with pytest.raises(PermissionDenied):
        schools.update_letterhead(demo_db, actors["funzione_strumentale"], SCHOOL, phone="02 1")
    data = letters.case_letter(demo_db, boss, SCHOOL, case.id, "famiglia")
    assert "firma" not in text_of(data).lower()  # a hand signature: nothing printed under the name
    schools.update_letterhead(demo_db, boss, SCHOOL, address="Via Roma 1, 20100 Valfiorita (MI)", phone="02 1234567",
                              email="miis00003c@istruzione.it", pec="miis00003c@pec.istruzione.it",
                              office_hours="lun–ven 8–10", signature="a_mezzo_stampa")
    text = text_of(letters.case_letter(demo_db, boss, SCHOOL, case.id, "famiglia"))
    assert ("Via Roma 1, 20100 Valfiorita (MI) · Tel. 02 1234567 · e-mail miis00003c@istruzione.it · "
            "PEC miis00003c@pec.istruzione.it · Segreteria: lun–ven 8–10") in text
    assert ("Firma autografa sostituita a mezzo stampa ai sensi dell'art. 3, comma 2, del D.Lgs. 39/1993"
            in text.split("Marco Bianchi")[1])
    schools.update_letterhead(demo_db, boss, SCHOOL, signature="digitale")
    assert "Documento firmato digitalmente" in text_of(letters.case_letter(demo_db, boss, SCHOOL, case.id, "famiglia"))


def test_the_mayor_letter_follows_the_case_record_step_by_step(demo_db, actors, case, clock_at):
    boss = actors["dirigente"]
    with pytest.raises(ApprodoError, match="La famiglia non risulta ancora informata"):
        letters.case_letter(demo_db, boss, SCHOOL, case.id, "sindaco")
    obligation.record_family_notice(demo_db, boss, SCHOOL, case.id, date(2026, 3, 20), "123/2026",
                                    obligation.CHANNELS[1], received_on=date(2026, 3, 20))
    family = text_of(letters.case_letter(demo_db, boss, SCHOOL, case.id, "famiglia"))
    assert "Prot. n. 123/2026" in family and "20/03/2026" in family  # a reprint carries the recorded number
    with pytest.raises(ApprodoError, match="finiscono il 27/03/2026"):
        letters.case_letter(demo_db, boss, SCHOOL, case.id, "sindaco")
    clock_at(date(2026, 3, 30))
    mayor = text_of(letters.case_letter(demo_db, boss, SCHOOL, case.id, "sindaco"))
    assert "Al Sindaco" in mayor and "Con comunicazione del 20/03/2026, prot. n. 123/2026" in mayor
    assert "Alla data del 27/03/2026, settimo giorno dal ricevimento, la frequenza non è ripresa" in mayor
    assert "16 giorni" in mayor
    obligation.record_mayor_notice(demo_db, boss, SCHOOL, case.id, date(2026, 3, 30), "140/2026", "Valfiorita")
    mayor = text_of(letters.case_letter(demo_db, boss, SCHOOL, case.id, "sindaco"))
    assert "del Comune di Valfiorita" in mayor and "Prot. n. 140/2026" in mayor
    obligation.close_case(demo_db, boss, SCHOOL, case.id, date(2026, 3, 30), "Segnalato al sindaco")
    with pytest.raises(ApprodoError, match="è chiuso"):
        letters.case_letter(demo_db, boss, SCHOOL, case.id, "famiglia")


def test_a_pupil_without_an_open_case_gets_no_letter(demo_db, actors, case):
    with pytest.raises(ApprodoError, match="non ha un caso aperto"):
        letters.pupil_letter(demo_db, actors["dirigente"], SCHOOL, "NESSUNO", "famiglia")
    assert letters.pupil_letter(demo_db, actors["funzione_strumentale"], SCHOOL, "CASO1", "famiglia")[:2] == b"PK"


def test_only_the_schools_dirigente_and_funzione_download_and_each_download_is_logged(demo_db, actors, case):
    for role in ("coordinatore_rete", "docente", "admin", "other_dirigente"):
        with pytest.raises(PermissionDenied):
            letters.case_letter(demo_db, actors[role], SCHOOL, case.id, "famiglia")
    before = demo_db.execute("SELECT COUNT(*) FROM access_log WHERE what = 'lettera obbligo scolastico'").fetchone()[0]
    for _ in range(2):  # twice: two downloads, two lines
        letters.case_letter(demo_db, actors["funzione_strumentale"], SCHOOL, case.id, "famiglia")
    rows = demo_db.execute("SELECT actor, school_code, detail FROM access_log WHERE what = 'lettera obbligo"
                           " scolastico' ORDER BY id").fetchall()
    assert len(rows) == before + 2
    assert rows[-1] == ("funzione", SCHOOL, "Comunicazione alla famiglia (italiano), alunno CASO1")


def test_the_arabic_translation_follows_the_italian_act_right_to_left(demo_db, actors, case):
    data = letters.case_letter(demo_db, actors["dirigente"], SCHOOL, case.id, "famiglia", "ar")
    found = paragraphs(data)
    arabic = [p for p in found if ARABIC.search(p.text)]
    italian = [p for p in found if "Gentili genitori" in p.text or "Vi invitiamo" in p.text]
    assert len(arabic) >= 8 and italian
    assert found.index(italian[0]) < found.index(arabic[0])  # the Italian act first, the translation after
    for paragraph in arabic:
        assert paragraph._p.pPr.find(qn("w:bidi")) is not None, paragraph.text
        for run in paragraph.runs:
            r_pr = run._r.rPr
            assert r_pr.find(qn("w:rtl")) is not None
            assert r_pr.find(qn("w:lang")).get(qn("w:bidi")) == "ar-SA"
            if run.bold:
                assert r_pr.find(qn("w:bCs")) is not None  # Word draws Arabic bold from bCs
    for paragraph in italian:
        assert paragraph._p.pPr is None or paragraph._p.pPr.find(qn("w:bidi")) is None
    text = text_of(data)
    assert "Traduzione di cortesia in arabo" in text and "fa fede il testo in italiano" in text
    assert "16 يومًا" in text and "\u060c ".join(f"{d:%d/%m/%Y}" for d in SIXTEEN) in text
    assert "Traduzione di cortesia" not in text_of(letters.case_letter(demo_db, actors["dirigente"], SCHOOL,
                                                                       case.id, "famiglia"))


def test_a_language_without_a_translation_is_refused_and_the_mayor_is_italian_only(demo_db, actors, case):
    with pytest.raises(ApprodoError, match="non ha ancora la lettera in cinese"):
        letters.case_letter(demo_db, actors["dirigente"], SCHOOL, case.id, "famiglia", "zh")
    school = schools.get_school(demo_db, actors["dirigente"], SCHOOL)
    with pytest.raises(ApprodoError, match="solo in italiano"):
        letters.letter_docx(demo_db, actors["dirigente"], school, letters.facts_of(case), "sindaco", "ar")


def test_the_family_language_from_the_context_file_decides_what_is_offered(demo_db, actors, case):
    boss = actors["dirigente"]
    pupil_data.import_context(demo_db, boss, SCHOOL, b"Codice alunno;Anno di nascita;Lingua della famiglia\n"
                              b"CASO1;2012;cinese\nALTRO2;2012;\n", "contesto.csv")
    assert letters.family_language(demo_db, boss, SCHOOL, "CASO1") == "zh"
    assert letters.family_language(demo_db, boss, SCHOOL, "ALTRO2") is None
    assert letters.language_options(demo_db, boss, SCHOOL, "CASO1", "famiglia") == ["it"]  # no Chinese text yet
    pupil_data.import_context(demo_db, boss, SCHOOL, b"Codice alunno;Anno di nascita;Lingua della famiglia\n"
                              b"CASO1;2012;arabo\nALTRO2;2012;\n", "contesto.csv")
    assert letters.language_options(demo_db, boss, SCHOOL, "CASO1", "famiglia") == ["ar", "it"]
    assert letters.language_options(demo_db, boss, SCHOOL, "CASO1", "sindaco") == ["it"]
    assert letters.language_options(demo_db, boss, SCHOOL, "ALTRO2", "famiglia") == ["it"]


@pytest.mark.parametrize(("written", "code"), [("arabo", "ar"), ("AR", "ar"), ("Arabic", "ar"), ("ar-MA", "ar"),
                                               ("Cinese mandarino", "zh"), ("romeno", "ro"), ("ucraino", "uk"),
                                               ("", "")])
def test_family_languages_are_normalised_to_iso_codes(written, code):
    assert languages.normalise_language(written) == code


def test_an_unknown_family_language_is_refused_by_row_and_nothing_is_written(demo_db, actors):
    with pytest.raises(pupil_data.ImportRejected) as refused:
        pupil_data.import_context(demo_db, actors["dirigente"], SCHOOL,
                                  b"Codice alunno;Lingua della famiglia\nA1;arabo\nA2;klingon\n", "contesto.csv")
    problem = refused.value.report.problems[0]
    assert (problem.row, problem.column, problem.value) == (3, "Lingua della famiglia", "klingon")
    assert "lingua non riconosciuta" in problem.message
    assert demo_db.execute("SELECT COUNT(*) FROM pupil_context").fetchone()[0] == 0


# --- what LibreOffice makes of it ------------------------------------------------------------------------


@pytest.mark.skipif(not docx_export.pdf_available() or not shutil.which("pdftotext"),
                    reason="LibreOffice or poppler is not installed")
def test_libreoffice_prints_the_italian_letter_on_one_page_and_the_arabic_translation_right_to_left(
        demo_db, actors, case, tmp_path):
    data = letters.case_letter(demo_db, actors["dirigente"], SCHOOL, case.id, "famiglia", "ar")
    pdf = tmp_path / "lettera.pdf"
    pdf.write_bytes(docx_export.to_pdf(data))

    def page(n: int, *options: str) -> str:
        return subprocess.run(["pdftotext", *options, "-f", str(n), "-l", str(n), str(pdf), "-"],  # noqa: S607
                              check=True, capture_output=True, text=True).stdout

    first, second = page(1, "-layout"), page(2, "-layout")
    assert "16 giorni" in first and "Il Dirigente Scolastico" in first and "Prot. n." in first
    assert not ARABIC.search(first)
    assert "Traduzione di cortesia in arabo" in second and ARABIC.search(second)
    # Where each line sits on page 2 (its words grouped by height): the Italian note starts at the left margin;
    # every Arabic line ends at the right margin, and the short ones (a paragraph's last line) start far from the
    # left: right to left.
    words = sorted((float(w[2]), float(w[1]), float(w[3]), w[4]) for w in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"[^>]*>([^<]*)</word>', page(2, "-bbox-layout"))
        if re.search(r"[A-Za-z0-9\u0621-\u064a]", w[4]))  # a lone diacritic is drawn apart: not a word
    rows: list[list[tuple[float, float, float, str]]] = []
    for word in words:
        if rows and word[0] - rows[-1][0][0] < 6:
            rows[-1].append(word)
        else:
            rows.append([word])
    lines = [(min(w[1] for w in row), max(w[2] for w in row), " ".join(w[3] for w in row)) for row in rows]
    left = min(x_min for x_min, _, _ in lines)
    arabic = [(x_min, x_max) for x_min, x_max, words in lines if ARABIC.search(words)]
    note = next(x_min for x_min, _, words in lines if words.startswith("Traduzione"))
    assert len(arabic) >= 15 and note == pytest.approx(left, abs=2)
    right = max(x_max for _, x_max in arabic)
    assert all(x_max > right - 6 for _, x_max in arabic)
    assert sum(x_min > left + 100 for x_min, _ in arabic) >= 3


def test_the_committed_word_template_uses_exactly_the_fields_the_letter_fills():
    import sys

    from docxtpl import DocxTemplate

    from tests.conftest import ROOT

    sys.path.insert(0, str(ROOT / "guidelines" / "word"))
    try:
        import build_letter_template
    finally:
        sys.path.pop(0)
    used = DocxTemplate(str(letters.TEMPLATE)).get_undeclared_template_variables()
    assert used == set(build_letter_template.VARIABLES) == letters.WORD_FIELDS.names | set(letters.WORD_FIELDS.lists)
