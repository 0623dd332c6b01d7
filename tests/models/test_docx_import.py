import io
import zipfile

import pytest
from docx import Document
from docx.enum.text import WD_BREAK

from models.accounts.schools import Level
from models.core.errors import ApprodoError
from models.protocols import protocol as protocols
from models.protocols import richtext
from models.protocols import word_import as docx_import
from models.protocols.templates import SectionKind
from models.protocols.word_import import ImportedSection


def docx_bytes(build) -> bytes:
    document = Document()
    build(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def styled_protocol(document):
    document.add_paragraph("Protocollo di accoglienza dell'IC Esempio", style="Title")
    document.add_paragraph("Approvato dal collegio nel 2019.")
    document.add_heading("Premessa", level=1)
    p = document.add_paragraph("La scuola accoglie ")
    p.add_run("tutti").bold = True
    p.add_run(" gli alunni, anche *a metà anno* e con {{ parentesi }}.")
    document.add_heading("Fasi dell'accoglienza", level=2)
    document.add_paragraph("Iscrizione in segreteria", style="List Number")
    document.add_paragraph("Colloquio con la famiglia", style="List Number")
    document.add_heading("Tempi e responsabilità", level=1)
    table = document.add_table(rows=2, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Quando", "Chi | cosa"
    table.rows[1].cells[0].text, table.rows[1].cells[1].text = "Subito", "Segreteria"
    document.add_paragraph("Servizi del territorio", style="List Bullet")
    document.add_heading("Progetto orto", level=1)
    document.add_paragraph("Un progetto tutto nostro.")


def test_heading_styles_start_sections_and_nothing_is_lost():
    sections = docx_import.read_sections(docx_bytes(styled_protocol))
    assert [s.title for s in sections] == ["Introduzione (dal documento)", "Premessa", "Tempi e responsabilità",
                                           "Progetto orto"]
    assert "Approvato dal collegio nel 2019." in sections[0].body
    blocks = richtext.parse(sections[1].body)
    assert blocks[0] == richtext.Paragraph((
        richtext.Run("La scuola accoglie "), richtext.Run("tutti", bold=True),
        richtext.Run(" gli alunni, anche *a metà anno* e con {{ parentesi }}."),))
    assert blocks[1] == richtext.Heading((richtext.Run("Fasi dell'accoglienza"),))
    assert isinstance(blocks[2], richtext.ListBlock) and blocks[2].ordered and len(blocks[2].items) == 2
    table, bullets = richtext.parse(sections[2].body)
    assert [richtext.plain_text(c) for c in table.header] == ["Quando", "Chi | cosa"]
    assert isinstance(bullets, richtext.ListBlock) and not bullets.ordered
    for section in sections:
        protocols.check_text(section.body)  # what was imported can be saved as it is


def plain_protocol(document):
    document.add_paragraph("Premessa generale della scuola.")
    title = document.add_paragraph()
    title.add_run("1. FINALITÀ E DESTINATARI").bold = True
    document.add_paragraph("Il protocollo riguarda gli alunni neoarrivati.")
    document.add_paragraph("3. FASE AMMINISTRATIVA")
    document.add_paragraph("La segreteria iscrive in ogni momento dell'anno.")
    document.add_paragraph("2. questo non è un titolo perché è lungo e in minuscolo, una frase normale del testo.")


def test_without_headings_short_bold_or_upper_case_numbered_paragraphs_are_titles():
    sections = docx_import.read_sections(docx_bytes(plain_protocol))
    assert [s.title for s in sections] == ["Introduzione (dal documento)", "Finalità e destinatari",
                                           "Fase amministrativa"]
    assert "2\\. questo non è un titolo" in sections[2].body
    assert richtext.plain_text(richtext.parse(sections[2].body)[1].runs).startswith("2. questo")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"just some text", "non è un documento Word"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "protetto da password"),
        (docx_bytes(lambda d: None), "non contiene testo"),
    ],
)
def test_unreadable_files_get_a_clear_italian_message(data, message):
    with pytest.raises(ApprodoError, match=message):
        docx_import.read_sections(data)


def test_a_zip_bomb_disguised_as_docx_is_refused_before_unpacking(monkeypatch):
    monkeypatch.setattr(docx_import, "MAX_UNPACKED_BYTES", 1_000_000)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * 5_000_000)
    assert len(out.getvalue()) < 50_000
    with pytest.raises(ApprodoError, match="troppo grande"):
        docx_import.read_sections(out.getvalue())


def test_mapping_follows_titles_and_keeps_the_rest_local(demo_db, actors, school_protocol):
    targets, _, _ = docx_import.import_targets(demo_db, actors["dirigente"], "MIIS00003C")
    mapped = docx_import.suggest_mapping(docx_import.read_sections(docx_bytes(styled_protocol)), targets)
    assert [(s.title, s.key) for s in mapped] == [
        # "Premessa" is locked in the core: it is not offered, so it stays a section of the school's own.
        ("Introduzione (dal documento)", None), ("Premessa", None), ("Tempi e responsabilità", "tempi"),
        ("Progetto orto", None)]


def test_apply_import_writes_versions_and_local_sections(demo_db, actors, core):
    dirigente = actors["dirigente"]
    plan = docx_import.plan_import(demo_db, dirigente, "MIIS00003C", docx_bytes(styled_protocol))
    assert "premessa" not in {t.key for t in plan.targets}  # locked in the core: never offered
    protocol = docx_import.apply_import(demo_db, dirigente, "MIIS00003C", plan.sections)
    sections = {s.title: s for s in protocols.list_sections(demo_db, dirigente, protocol.id)}
    assert sections["Tempi e responsabilità"].version == 2
    assert "Chi \\| cosa" in sections["Tempi e responsabilità"].body
    # "Premessa" matched a locked section: its text is kept as a local section, not lost.
    assert sections["Premessa"].kind is SectionKind.LOCAL and "tutti" in sections["Premessa"].body
    assert sections["Premessa e finalità"].version == 1
    assert sections["Progetto orto"].body == "Un progetto tutto nostro.\n"


def test_an_import_is_all_or_nothing(demo_db, actors, school_protocol):
    dirigente = actors["dirigente"]
    before = protocols.version_count(demo_db, school_protocol.id)
    plan = [ImportedSection("Tempi", "Testo buono.\n", "tempi"),
            ImportedSection("Altro", "Testo con {{ segnaposto.ignoto }}\n", None)]
    with pytest.raises(ApprodoError, match="segnaposto.ignoto"):
        docx_import.apply_import(demo_db, dirigente, "MIIS00003C", plan)
    assert protocols.version_count(demo_db, school_protocol.id) == before
    assert len(protocols.list_sections(demo_db, dirigente, school_protocol.id)) == 12


def test_only_the_dirigente_imports(demo_db, actors, school_protocol):
    from models.core.errors import PermissionDenied

    plan = [ImportedSection("Tempi", "Testo.\n", "tempi")]
    with pytest.raises(PermissionDenied):
        docx_import.apply_import(demo_db, actors["funzione_strumentale"], "MIIS00003C", plan)


def test_the_plan_shows_where_each_section_lands(demo_db, actors, school_protocol):
    plan = docx_import.plan_import(demo_db, actors["dirigente"], "MIIS00003C", docx_bytes(styled_protocol))
    sections = protocols.list_sections(demo_db, actors["dirigente"], school_protocol.id)
    places = dict(zip([s.title for s in plan.sections], plan.final_places(), strict=True))
    tempi = next(n for n, s in enumerate(sections, start=1) if s.key == "tempi")
    # The new sections stand where the document had them around "Tempi" (the only one that matched),
    # not at the end: the introduction and the school's premessa (the core's is locked) just before it.
    assert places["Introduzione (dal documento)"] == (tempi, None)
    assert places["Premessa"] == (tempi + 1, None)
    assert places["Tempi e responsabilità"] == (tempi + 2, next(t for t in plan.targets if t.key == "tempi"))
    assert places["Progetto orto"] == (tempi + 3, None)
    locked = {s.key for s in sections if s.kind is SectionKind.CORE_LOCKED}
    assert locked and not locked & {t.key for t in plan.targets}
    protocol = docx_import.apply_import(demo_db, actors["dirigente"], "MIIS00003C", plan.sections)
    after = protocols.list_sections(demo_db, actors["dirigente"], protocol.id)
    for section, (position, _) in zip(plan.sections, plan.final_places(), strict=True):
        assert after[position - 1].title in (section.title, after[position - 1].title)
        assert section.body.strip()[:20] in after[position - 1].body


def test_a_locked_target_is_refused_not_silently_moved(demo_db, actors, school_protocol):
    with pytest.raises(ApprodoError, match="bloccata"):
        docx_import.apply_import(demo_db, actors["dirigente"], "MIIS00003C",
                                 [ImportedSection("Premessa", "Testo.\n", "premessa")])


def test_an_approved_protocol_refuses_the_import_before_reading_the_file(demo_db, actors, school_protocol):
    dirigente = actors["dirigente"]
    protocols.move(demo_db, dirigente, school_protocol.id, "in_revisione")
    protocols.move(demo_db, dirigente, school_protocol.id, "approvato", deliberation_date="01/10/2025",
                   deliberation_number="3")
    with pytest.raises(ApprodoError, match="nuova revisione"):
        docx_import.check_can_import(demo_db, dirigente, "MIIS00003C")
    with pytest.raises(ApprodoError, match="nuova revisione"):
        docx_import.plan_import(demo_db, dirigente, "MIIS00003C", b"not even a docx")


def test_without_a_core_the_school_imports_its_own_sections(demo_db, actors):
    dirigente = actors["dirigente"]
    assert protocols.core_for(demo_db, "RETEDEMO", Level.SECONDARIA_SECONDO_GRADO) is None
    plan = docx_import.plan_import(demo_db, dirigente, "MIIS00003C", docx_bytes(styled_protocol))
    assert plan.targets == [] and plan.core_title is None
    assert [p for p, _ in plan.final_places()] == [1, 2, 3, 4]
    protocol = docx_import.apply_import(demo_db, dirigente, "MIIS00003C", plan.sections)
    assert protocol.core_id is None and protocol.school_code == "MIIS00003C"
    sections = protocols.list_sections(demo_db, dirigente, protocol.id)
    assert [s.title for s in sections] == [s.title for s in plan.sections]
    assert all(s.kind is SectionKind.LOCAL for s in sections)
    # Importing again into the same protocol fills its own sections rather than adding copies.
    again = docx_import.plan_import(demo_db, dirigente, "MIIS00003C", docx_bytes(styled_protocol))
    assert all(s.key for s in again.sections)
    docx_import.apply_import(demo_db, dirigente, "MIIS00003C", again.sections)
    assert len(protocols.list_sections(demo_db, dirigente, protocol.id)) == len(sections)


def test_new_sections_go_where_the_document_had_them_between_the_matched_ones():
    existing = ["a", "b", "c", "d"]
    # new(0) before any match: just before the first matched; new(2) after "c"; new(4), new(5) after "a".
    assert docx_import.import_order(existing, [None, "c", None, "a", None, None]) == ["a", 4, 5, "b", 0, "c", 2, "d"]
    assert docx_import.import_order(existing, [None, None]) == ["a", "b", "c", "d", 0, 1]  # nothing matched
    assert docx_import.import_order([], [None, None, None]) == [0, 1, 2]
    assert docx_import.import_order(existing, ["b", "d", None]) == ["a", "b", "c", "d", 2]


def test_an_import_places_its_new_sections_and_importing_twice_changes_nothing(demo_db, actors, school_protocol):
    dirigente = actors["dirigente"]

    def document(doc):
        doc.add_heading("Tempi e responsabilità", level=1)
        doc.add_paragraph("Entro tre giorni il colloquio.")
        doc.add_heading("Il nostro laboratorio di italiano", level=1)
        doc.add_paragraph("Due pomeriggi a settimana.")
        doc.add_heading("Fase sociale: la scuola e il territorio", level=1)
        doc.add_paragraph("A fine anno un questionario.")
        doc.add_heading("La festa dell'accoglienza", level=1)
        doc.add_paragraph("A ottobre, con le famiglie.")

    plan = docx_import.plan_import(demo_db, dirigente, "MIIS00003C", docx_bytes(document))
    assert [s.key for s in plan.sections] == ["tempi", None, "fase_sociale", None]
    protocol = docx_import.apply_import(demo_db, dirigente, "MIIS00003C", plan.sections)
    titles = [s.title for s in protocols.list_sections(demo_db, dirigente, protocol.id)]
    tempi, sociale = (titles.index(t) for t in ("Tempi e responsabilità", "Fase sociale: la scuola e il territorio"))
    assert titles[tempi + 1] == "Il nostro laboratorio di italiano"
    assert titles[sociale + 1] == "La festa dell'accoglienza"
    assert [titles[p - 1] for p, _ in plan.final_places()] == [s.title for s in plan.sections]
    # Again: every section is now matched, nothing moves or is added.
    again = docx_import.plan_import(demo_db, dirigente, "MIIS00003C", docx_bytes(document))
    assert all(s.key for s in again.sections)
    docx_import.apply_import(demo_db, dirigente, "MIIS00003C", again.sections)
    assert [s.title for s in protocols.list_sections(demo_db, dirigente, protocol.id)] == titles


def cover_index_and_closing(document):
    document.add_paragraph("Istituto Comprensivo «Alessandro Volta»")
    document.add_paragraph("Protocollo di accoglienza degli alunni con background migratorio")
    document.add_paragraph("a.s. 2025/26").add_run().add_break(WD_BREAK.PAGE)
    document.add_paragraph("INDICE")
    document.add_paragraph("1. Premessa")
    document.add_paragraph("2. Tempi e responsabilità")
    document.add_heading("Premessa", level=1)
    document.add_paragraph("La scuola accoglie tutti gli alunni.")
    document.add_heading("Tempi e responsabilità", level=1)
    document.add_paragraph("Il dirigente convoca la famiglia entro tre giorni")
    document.add_paragraph("Como, 12 ottobre 2025")
    document.add_paragraph("Il Dirigente Scolastico")
    document.add_paragraph("Prof.ssa Maria Bianchi")


def test_the_cover_the_typed_index_and_the_closing_lines_are_not_section_text():
    sections = docx_import.read_sections(docx_bytes(cover_index_and_closing))
    assert [(s.title, s.body) for s in sections] == [
        ("Premessa", "La scuola accoglie tutti gli alunni.\n"),
        ("Tempi e responsabilità", "Il dirigente convoca la famiglia entro tre giorni\n")]
