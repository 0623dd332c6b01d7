"""Word export and import in the pages, through AppTest."""

import io
import zipfile

from docx import Document
from PIL import Image

from models.accounts import school_logo
from models.protocols import protocol as protocols
from tests.pages.conftest import log_in, new_app

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def protocols_page(username):
    at = log_in(new_app(), username)
    at.switch_page("pages/protocols.py").run()
    assert not at.exception, at.exception
    return at


def button(at, label):
    return next(b for b in at.button if b.label == label)


def test_the_editor_offers_the_word_download(demo_db, school_protocol):
    at = log_in(new_app(), "funzione")
    at.query_params["protocollo"] = str(school_protocol.id)
    at.switch_page("pages/protocol_editor.py").run()
    downloads = at.get("download_button")
    assert downloads and downloads[0].proto.label == "Scarica in Word"


def test_the_coordinator_prepares_the_network_zip_with_a_progress_bar(demo_db, core, school_protocol):
    at = protocols_page("coordinatrice")
    button(at, "Prepara lo zip").click().run()
    assert not at.exception
    assert at.get("progress")
    assert "Scarica lo zip" in [d.proto.label for d in at.get("download_button")]
    zipped = at.session_state["zip_RETEDEMO"]
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        assert "indice.xlsx" in archive.namelist()


def test_a_network_template_with_unknown_variables_is_refused_in_the_page(demo_db, core):
    document = Document()
    document.add_paragraph().add_run("{{ titolo }} {{ preside }}")
    out = io.BytesIO()
    document.save(out)
    at = protocols_page("coordinatrice")
    at.file_uploader(key="word_template").set_value(("modello.docx", out.getvalue(), DOCX_MIME)).run()
    button(at, "Salva").click().run()
    errors = [e.value for e in at.error]
    assert any("variabili sconosciute: preside" in e and "variabili mancanti: scuola_nome, sezioni" in e
               for e in errors), errors


def word_file(*sections: tuple[str, str]) -> bytes:
    """A .docx with a heading and a paragraph per (title, text)."""
    document = Document()
    for title, text in sections:
        document.add_heading(title, level=1)
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_the_dirigente_imports_a_word_protocol_after_reviewing_the_mapping(demo_db, actors, core):
    data = word_file(("Tempi e responsabilità", "Entro tre giorni il colloquio."),
                     ("Laboratorio teatrale", "Il giovedì pomeriggio."))
    at = protocols_page("dirigente")
    at.file_uploader(key="import_docx").set_value(("vecchio.docx", data, DOCX_MIME)).run()
    targets = [sb for sb in at.selectbox if sb.label == "Va nella sezione"]
    assert [sb.value for sb in targets] == ["tempi", None]
    button(at, "Importa").click().run()
    assert [s.value for s in at.success] == ["Protocollo importato: 2 sezioni. Aprilo per rivederlo."]
    protocol = protocols.school_protocol(demo_db, actors["dirigente"], "MIIS00003C")
    sections = {s.key: s for s in protocols.list_sections(demo_db, actors["dirigente"], protocol.id)}
    assert sections["tempi"].body == "Entro tre giorni il colloquio.\n"
    assert any(s.title == "Laboratorio teatrale" for s in sections.values())


def test_a_file_that_is_not_word_gets_an_italian_message(demo_db, core):
    at = protocols_page("dirigente")
    at.file_uploader(key="import_docx").set_value(("finto.docx", b"ciao", DOCX_MIME)).run()
    assert [e.value for e in at.error] == ["Il file non è un documento Word (.docx)."]


def test_the_dirigente_uploads_the_school_logo_and_sees_it(demo_db, actors):
    out = io.BytesIO()
    Image.new("RGB", (200, 80), "navy").save(out, format="PNG")
    at = protocols_page("dirigente")
    at.file_uploader(key="school_logo").set_value(("logo.png", out.getvalue(), "image/png")).run()
    button(at, "Salva il logo").click().run()
    assert [s.value for s in at.success] == ["Logo salvato: comparirà nelle prossime esportazioni."]
    assert school_logo.school_logo(demo_db, actors["dirigente"], "MIIS00003C") is not None
    at.file_uploader(key="school_logo").set_value(("logo.png", b"not an image", "image/png")).run()
    button(at, "Salva il logo").click().run()
    assert [e.value for e in at.error] == ["Il logo deve essere un'immagine PNG o JPEG."]


def test_the_preview_offers_only_open_sections_and_shows_where_each_lands(demo_db, actors, core):
    data = word_file(("Premessa", "La nostra premessa."), ("Laboratorio teatrale", "Il giovedì pomeriggio."))
    at = protocols_page("dirigente")
    at.file_uploader(key="import_docx").set_value(("vecchio.docx", data, DOCX_MIME)).run()
    targets = [sb for sb in at.selectbox if sb.label == "Va nella sezione"]
    assert "premessa" not in targets[0].options and "Premessa e finalità" not in targets[0].options
    captions = [c.value for c in at.caption if c.value.startswith("Finirà")]
    assert len(captions) == 2 and all("nuova sezione della scuola" in c for c in captions)
    targets[1].set_value("tempi").run()
    captions = [c.value for c in at.caption if c.value.startswith("Finirà")]
    assert "«Tempi e responsabilità»" in captions[1]


def test_an_approved_protocol_says_so_before_the_upload(demo_db, actors, school_protocol):
    dirigente = actors["dirigente"]
    protocols.move(demo_db, dirigente, school_protocol.id, "in_revisione")
    protocols.move(demo_db, dirigente, school_protocol.id, "approvato", deliberation_date="01/10/2025",
                   deliberation_number="3")
    at = protocols_page("dirigente")
    assert any("nuova revisione" in w.value for w in at.warning)
    assert not [u for u in at.get("file_uploader") if u.proto.label == "Documento .docx"]
