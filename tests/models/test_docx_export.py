import io
import zipfile

import pytest
from docx import Document
from openpyxl import load_workbook

from models.accounts import schools
from models.core.errors import ApprodoError, PermissionDenied
from models.protocols import protocol as protocols
from models.protocols import richtext
from models.protocols import word_export as docx_export
from models.protocols import word_import as docx_import
from models.protocols.templates import list_templates
from tests.word_helpers import all_text, convert_with_libreoffice, headings, pdf_pages

HOSTILE = "Scuola «Ponte» & <Figli> \"A\" 'B' “curve” مدرسة النور 光明学校 Школа №5 " + "Sovra" * 20 + "lunghissima"


@pytest.fixture
def hostile_protocol(demo_db, actors, system, school_protocol):
    """Every field the document shows holds characters that break naive XML or fonts."""
    demo_db.execute("UPDATE schools SET name = ? WHERE code = 'MIIS00003C'", [HOSTILE])
    demo_db.execute("UPDATE networks SET name = ? WHERE code = 'RETEDEMO'", ["Rete & <Nord> “Лес” 北"])
    dirigente = actors["dirigente"]
    schools.update_school_facts(demo_db, dirigente, "MIIS00003C", comune="Città <A&B>",
                                dirigente_name="Ахмед “Li” O'Brien", referente_intercultura="李 & Zoë")
    local = protocols.add_local_section(demo_db, dirigente, school_protocol.id, "Sezione & <locale> «قسم»")
    protocols.save_section(demo_db, dirigente, local.id,
                           "Riga uno & <due>  \nriga nuova \"virgolette\"\n\n- voce 中文\n- voce кириллица\n\n"
                           "| Chi & cosa | <Quando> |\n|---|---|\n| «Noi» | 1 < 2 |\n", local.version)
    protocols.move(demo_db, dirigente, school_protocol.id, "in_revisione")
    return protocols.move(demo_db, dirigente, school_protocol.id, "approvato", deliberation_date="01/10/2025",
                          deliberation_number="7/2025 & <bis>")


def test_every_template_renders_with_headings_lists_and_tables(demo_db, actors):
    coordinator = actors["coordinatore_rete"]
    for template in list_templates():
        core = protocols.create_core(demo_db, coordinator, "RETEDEMO", template.id, "2025/26")
        data = docx_export.export_protocol(demo_db, coordinator, core.id)
        sections = protocols.list_sections(demo_db, coordinator, core.id)
        assert headings(data) == [f"{n}. {s.title}" for n, s in enumerate(sections, 1)] + [
            "Approvazione"]
        document = Document(io.BytesIO(data))
        timeline = next(t for t in document.tables if t.rows[0].cells[0].text == "Quando")
        assert [c.text for c in timeline.rows[0].cells] == ["Quando", "Chi", "Cosa", "Come"]
        styles = {p.style.name for p in document.paragraphs}
        assert {"List Bullet", "List Number", "Heading 2"} <= styles  # under each Heading 1: in order


def test_table_cells_keep_their_text_off_the_borders(demo_db, actors, school_protocol):
    from docx.oxml.ns import qn

    data = docx_export.export_protocol(demo_db, actors["dirigente"], school_protocol.id)
    tables = Document(io.BytesIO(data)).tables
    assert tables
    for table in tables:
        (margins,) = table._tbl.tblPr.findall(qn("w:tblCellMar"))
        twips = {side.tag.split("}")[1]: int(side.get(qn("w:w"))) for side in margins}
        assert twips["top"] >= 57 and twips["bottom"] >= 57  # 1 mm
        assert twips["left"] >= 113 and twips["right"] >= 113  # 2 mm


def test_special_characters_reach_every_part_of_the_document(demo_db, actors, hostile_protocol):
    data = docx_export.export_protocol(demo_db, actors["dirigente"], hostile_protocol.id)
    text = all_text(data)
    for expected in [HOSTILE, "Rete & <Nord> “Лес” 北", "Ахмед “Li” O'Brien", "李 & Zoë", "Città <A&B>",
                     "Sezione & <locale> «قسم»", "Riga uno & <due>", "riga nuova \"virgolette\"", "voce 中文",
                     "Chi & cosa", "1 < 2", "7/2025 & <bis>"]:
        assert expected in text, expected
    document = Document(io.BytesIO(data))
    assert HOSTILE in document.sections[0].header.paragraphs[0].text
    assert "Versione" in document.sections[0].footer.paragraphs[0].text


def test_the_hostile_document_opens_in_libreoffice(demo_db, actors, hostile_protocol, tmp_path):
    data = docx_export.export_protocol(demo_db, actors["dirigente"], hostile_protocol.id)
    convert_with_libreoffice(data, tmp_path)


def test_line_breaks_as_typed_reach_word_and_the_pdf(demo_db, actors, school_protocol, tmp_path):
    if not docx_export.pdf_available():
        pytest.skip("LibreOffice is not installed")
    dirigente = actors["dirigente"]
    local = protocols.add_local_section(demo_db, dirigente, school_protocol.id, "Recapiti")
    protocols.save_section(demo_db, dirigente, local.id,
                           "Segreteria alunni\nVia Roma 1, Valfiorita\n\n- Lunedì ore 8\n  Giovedì ore 14\n- Sabato\n\n"
                           "| Chi risponde | Dove |\n|---|---|\n| Mediatore | Aula 3 |\n", local.version)
    data = docx_export.export_protocol(demo_db, dirigente, school_protocol.id)
    document = Document(io.BytesIO(data))
    paragraphs = [p for p in document.paragraphs if p.text.startswith(("Segreteria alunni", "Lunedì", "Sabato"))]
    # Word: one paragraph with a real line break (w:br) inside, the list item likewise, the list still a list.
    assert [(p.text, p.style.name) for p in paragraphs] == [
        ("Segreteria alunni\nVia Roma 1, Valfiorita", "Normal"), ("Lunedì ore 8\nGiovedì ore 14", "List Bullet"),
        ("Sabato", "List Bullet")]
    assert all(len(p._p.xpath(".//w:br")) == 1 for p in paragraphs[:2])
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Chi risponde")
    assert [c.text for c in table.rows[1].cells] == ["Mediatore", "Aula 3"]
    pdf = docx_export.to_pdf(data)
    assert pdf.startswith(b"%PDF")
    lines = [line.strip() for page in pdf_pages(pdf, tmp_path) for line in page.splitlines() if line.strip()]
    first = lines.index("Segreteria alunni")
    assert lines[first + 1] == "Via Roma 1, Valfiorita"
    item = next(n for n, line in enumerate(lines) if line.endswith("Lunedì ore 8"))
    assert lines[item + 1] == "Giovedì ore 14" and lines[item + 2].endswith("Sabato")


def test_without_libreoffice_pdf_is_an_italian_error(monkeypatch):
    monkeypatch.setattr(docx_export, "soffice", lambda: None)
    assert not docx_export.pdf_available()
    with pytest.raises(ApprodoError, match="serve LibreOffice"):
        docx_export.to_pdf(b"x")


def test_control_characters_are_dropped_not_fatal(demo_db, actors, school_protocol):
    demo_db.execute("UPDATE schools SET name = ? WHERE code = 'MIIS00003C'", ["Scuola\x07 con\x00 campanello"])
    data = docx_export.export_protocol(demo_db, actors["dirigente"], school_protocol.id)
    assert "Scuola con campanello" in all_text(data)


def test_section_text_is_never_run_as_a_template(demo_db, actors, school_protocol):
    local = protocols.add_local_section(demo_db, actors["dirigente"], school_protocol.id, "Prova")
    # Escaped braces are allowed text; they must come out as written, not evaluated.
    protocols.save_section(demo_db, actors["dirigente"], local.id, "\\{\\{ 7*7 \\}\\} e \\{% raw %\\}",
                           local.version)
    text = all_text(docx_export.export_protocol(demo_db, actors["dirigente"], school_protocol.id))
    assert "{{ 7*7 }} e {% raw %}" in text


def test_round_trip_gives_the_same_titles_and_texts(demo_db, actors, school_protocol):
    dirigente = actors["dirigente"]
    data = docx_export.export_protocol(demo_db, dirigente, school_protocol.id)
    imported = {s.title: s for s in docx_import.read_sections(data)}
    for section in protocols.list_sections(demo_db, dirigente, school_protocol.id):
        expected = protocols.rendered_blocks(demo_db, dirigente, school_protocol, section.body)
        assert richtext.parse(imported[section.title].body) == expected, section.title


def test_everyone_who_reads_may_export_but_not_other_networks(demo_db, actors, school_protocol):
    for role in ["funzione_strumentale", "docente", "coordinatore_rete"]:
        assert docx_export.export_protocol(demo_db, actors[role], school_protocol.id).startswith(b"PK")
    with pytest.raises(PermissionDenied):
        docx_export.export_protocol(demo_db, actors["other_dirigente"], school_protocol.id)


def test_network_zip_has_every_protocol_named_by_school_and_an_index(demo_db, actors, core, school_protocol):
    demo_db.execute("UPDATE schools SET name = '=HYPERLINK(\"http://x\")' WHERE code = 'MIIS00003C'")
    calls = []
    data = docx_export.export_network(demo_db, actors["coordinatore_rete"], "RETEDEMO",
                                      lambda done, total, label: calls.append((done, total)))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        assert names == {"protocollo_accoglienza_MIIS00003C.docx",
                         "protocollo_accoglienza_rete_RETEDEMO_secondaria_secondo_grado.docx", "indice.xlsx"}
        sheet = load_workbook(io.BytesIO(archive.read("indice.xlsx"))).active
        rows = list(sheet.iter_rows(values_only=True))
        Document(io.BytesIO(archive.read("protocollo_accoglienza_MIIS00003C.docx")))
    assert rows[0] == ("File", "Scuola", "Codice meccanografico", "Grado", "Stato", "Revisione", "Delibera")
    school_row = next(r for r in rows if r[2] == "MIIS00003C")
    assert school_row[1] == "'=HYPERLINK(\"http://x\")"  # neutralised: shown as text, never run
    assert school_row[3] == "Secondaria di secondo grado"
    assert rows[1][1] == "Protocollo comune della rete (Rete di esempio)"
    # Every school of the network is listed, those without a protocol too; no internal codes.
    codes = {s.code for s in schools.list_schools(demo_db, actors["coordinatore_rete"])
             if s.network_code == "RETEDEMO"}
    assert {r[2] for r in rows[1:] if r[2]} == codes
    without = [r for r in rows if r[4] == "nessun protocollo"]
    assert len(without) == len(codes) - 1 and all(r[0] is None for r in without)
    assert not any("_" in str(value) for row in rows[1:] for value in row[1:])
    assert calls[-1] == (2, 2)


def test_only_the_coordinator_exports_the_network(demo_db, actors, core):
    with pytest.raises(PermissionDenied):
        docx_export.export_network(demo_db, actors["dirigente"], "RETEDEMO")


# --- a network's own template --------------------------------------------------------


def make_template(*paragraphs: str) -> bytes:
    document = Document()
    for text in paragraphs:
        document.add_paragraph().add_run(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_custom_template_with_unknown_or_missing_variables_is_refused_listing_them():
    data = make_template("{{ titolo }} {{ preside }} {{ scuola_nome }}")
    with pytest.raises(ApprodoError) as refused:
        docx_export.check_word_template(data)
    assert "variabili sconosciute: preside" in refused.value.message
    assert "variabili mancanti: sezioni" in refused.value.message


def test_a_custom_template_cannot_reach_python(demo_db):
    data = make_template("{{ titolo }} {{ scuola_nome }}", "{%p for sezione in sezioni %}",
                         "{{ sezione.titolo.__class__.__mro__ }}", "{%p endfor %}")
    with pytest.raises(ApprodoError, match="non si può compilare"):
        docx_export.check_word_template(data)


def test_a_good_custom_template_is_used_for_the_network(demo_db, actors, school_protocol):
    data = make_template("MODELLO DELLA RETE {{ titolo }} per {{ scuola_nome }}", "{%p for sezione in sezioni %}",
                         "{{ sezione.numero }} {{ sezione.titolo }}", "{{p sezione.corpo }}", "{%p endfor %}")
    docx_export.save_network_template(demo_db, actors["coordinatore_rete"], "RETEDEMO", data)
    exported = docx_export.export_protocol(demo_db, actors["dirigente"], school_protocol.id)
    assert "MODELLO DELLA RETE" in all_text(exported)
    with pytest.raises(PermissionDenied):
        docx_export.save_network_template(demo_db, actors["dirigente"], "RETEDEMO", data)
    docx_export.reset_network_template(demo_db, actors["coordinatore_rete"], "RETEDEMO")
    assert "MODELLO DELLA RETE" not in all_text(
        docx_export.export_protocol(demo_db, actors["dirigente"], school_protocol.id))


def test_a_template_that_is_not_a_docx_is_refused():
    with pytest.raises(ApprodoError, match="non è un documento Word"):
        docx_export.check_word_template(b"not a zip at all")
