"""Issue 31 #6, #11, #12: a practice's attachments and a network's template, as a hostile author makes them.

A pupil code anywhere in a Word file (not only the body), links that make whoever opens or converts the file
fetch from elsewhere, PDF active content written so that a byte search misses it, a PDF that is also a web
page: each is refused in Italian; ordinary files still pass.
"""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile
import zlib

import pytest
from docx import Document

from models.core.errors import ApprodoError
from models.practices import attachments, pdf_check, records
from models.protocols import word_export
from tests.models.test_practices import ACCOGLIENZA
from tests.pdf_helpers import make_pdf, page_objects

REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def saved(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def patched(data: bytes, changes: dict[str, callable], added: dict[str, bytes] | None = None) -> bytes:
    """The package with some parts rewritten (name -> function of the old bytes) and some parts added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item)
            target.writestr(item, changes[item.filename](content) if item.filename in changes else content)
        for name, content in (added or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def with_relationship(data: bytes, rels: str, rel_type: str, target: str) -> bytes:
    line = f'<Relationship Id="rId99" Type="{REL}/{rel_type}" Target="{target}" TargetMode="External"/>'
    if rels in zipfile.ZipFile(io.BytesIO(data)).namelist():
        return patched(data, {rels: lambda x: x.replace(b"</Relationships>", line.encode() + b"</Relationships>")})
    return patched(data, {}, {rels: '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns='
                                    f'"http://schemas.openxmlformats.org/package/2006/relationships">{line}'
                                    "</Relationships>"})


def plain(text: str = "Scheda del colloquio") -> Document:
    document = Document()
    document.add_paragraph(text)
    return document


# --- #12: a pupil code anywhere in a Word file -----------------------------------------------------------------


def word_files_hiding(code: str) -> dict[str, bytes]:
    head, tail = code[:3], code[3:]
    made = {}
    document = plain()
    document.sections[0].header.paragraphs[0].text = f"Intestazione {code}"
    made["intestazione"] = saved(document)
    document = plain()
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.add_run(f"Piè di pagina {head}")
    paragraph.add_run(tail).bold = True  # cut in two runs, as Word often stores it
    made["piè di pagina in due parti"] = saved(document)
    document = plain()
    document.add_comment(document.paragraphs[0].runs, text=f"Vedi {code}", author="Prof")
    made["commento"] = saved(document)
    document = plain()
    document.core_properties.title = f"Colloquio {code}"
    made["proprietà del documento"] = saved(document)
    notes = (f'<?xml version="1.0" encoding="UTF-8"?><w:footnotes xmlns:w="{W}"><w:footnote w:id="1"><w:p><w:r>'
             f"<w:t>Nota su {code}</w:t></w:r></w:p></w:footnote></w:footnotes>")
    made["nota a piè di pagina"] = patched(saved(plain()), {}, {"word/footnotes.xml": notes})
    document = plain()
    document.add_picture(io.BytesIO(_png()))
    made["testo alternativo di un'immagine"] = patched(
        saved(document), {"word/document.xml": lambda x: x.replace(b'descr=""', f'descr="{code}"'.encode())
                          if b'descr=""' in x else x.replace(b"<wp:docPr ", f'<wp:docPr descr="{code}" '.encode())})
    return made


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, format="PNG")
    return out.getvalue()


def test_a_pupil_code_anywhere_in_a_word_attachment_is_refused(pupils_db, actors):
    practice = records.create_practice(pupils_db, actors["dirigente"], ACCOGLIENZA)
    code = pupils_db.execute("SELECT pupil_code FROM pupil_context WHERE school_code = 'MIIS00003C'").fetchone()[0]
    for where, data in word_files_hiding(code).items():
        with pytest.raises(ApprodoError, match="contiene il codice di un alunno"):
            attachments.add_attachment(pupils_db, actors["dirigente"], practice.id, "scheda.docx", data)
            pytest.fail(f"accepted with the code in: {where}")
    # The same places with ordinary text pass: Word's own identifiers are not taken for codes.
    for where, data in word_files_hiding("ZZ9999999").items():
        attachments.add_attachment(pupils_db, actors["dirigente"], practice.id, f"{len(where)}.docx", data)
        pupils_db.execute("DELETE FROM practice_attachments")


# --- #6: links that fetch from elsewhere -----------------------------------------------------------------------


def outside_links() -> dict[str, bytes]:
    base = saved(plain())
    field = patched(base, {"word/document.xml": lambda x: x.replace(
        b"</w:body>", b'<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> INCLUDE</w:instrText>'
        b'</w:r><w:r><w:instrText>PICTURE "http://127.0.0.1:9/x.png" </w:instrText></w:r><w:r>'
        b'<w:fldChar w:fldCharType="end"/></w:r></w:p></w:body>')})
    return {
        "immagine collegata": with_relationship(base, "word/_rels/document.xml.rels", "image", "http://127.0.0.1:9/a"),
        "modello allegato": with_relationship(base, "word/_rels/settings.xml.rels", "attachedTemplate",
                                              "http://127.0.0.1:9/modello.dotm"),
        "cornice": with_relationship(base, "word/_rels/webSettings.xml.rels", "frame", "http://127.0.0.1:9/f"),
        "oggetto collegato": with_relationship(base, "word/_rels/document.xml.rels", "oleObject",
                                               "file:///etc/passwd"),
        "campo INCLUDEPICTURE": field,
    }


def test_word_attachments_and_templates_with_outside_links_are_refused(pupils_db, actors):
    practice = records.create_practice(pupils_db, actors["dirigente"], ACCOGLIENZA)
    for where, data in outside_links().items():
        with pytest.raises(ApprodoError, match="collegamenti a file esterni"):
            attachments.add_attachment(pupils_db, actors["dirigente"], practice.id, "scheda.docx", data)
            pytest.fail(f"attachment accepted with: {where}")
    template = word_export.DEFAULT_TEMPLATE.read_bytes()
    linked = with_relationship(template, "word/_rels/settings.xml.rels", "attachedTemplate", "http://127.0.0.1:9/t")
    with pytest.raises(ApprodoError, match="Il modello Word contiene collegamenti a file esterni"):
        word_export.check_word_template(linked)
    # An ordinary web link is a link, not a fetch: kept.
    hyperlink = with_relationship(saved(plain()), "word/_rels/document.xml.rels", "hyperlink", "https://www.mim.gov.it")
    added = attachments.add_attachment(pupils_db, actors["dirigente"], practice.id, "link.docx", hyperlink)
    assert added.kind == "docx"


def test_a_stored_template_with_outside_links_is_not_passed_on_at_export(demo_db, actors, school_protocol):
    linked = with_relationship(word_export.DEFAULT_TEMPLATE.read_bytes(), "word/_rels/settings.xml.rels",
                               "attachedTemplate", "http://127.0.0.1:9/t")
    demo_db.execute("INSERT INTO word_templates (network_code, content, uploaded_by, uploaded_at)"
                    " VALUES ('RETEDEMO', ?, 'prima della correzione', '2026-01-01T00:00:00')", [linked])
    with pytest.raises(ApprodoError, match="modello Word della rete contiene collegamenti"):
        word_export.export_protocol(demo_db, actors["dirigente"], school_protocol.id)


def test_a_word_attachment_with_an_embedded_workbook_is_refused(pupils_db, actors):
    practice = records.create_practice(pupils_db, actors["dirigente"], ACCOGLIENZA)
    data = patched(saved(plain()), {}, {"word/embeddings/Foglio1.xlsx": b"PK\x03\x04 elenco"})
    with pytest.raises(ApprodoError, match="oggetti o file incorporati"):
        attachments.add_attachment(pupils_db, actors["dirigente"], practice.id, "scheda.docx", data)


# --- #11: PDFs read by a parser --------------------------------------------------------------------------------


def hostile_pdfs() -> dict[str, bytes]:
    open_action = b" /OpenAction 6 0 R"
    return {
        "/J#61vaScript": make_pdf(page_objects("x", catalog_extra=b" /OpenAction << /S /J#61vaScript /J#53 (1) >>")),
        "/L#61unch": make_pdf(page_objects("x", catalog_extra=b" /OpenAction << /S /L#61unch /F (calc.exe) >>")),
        "JavaScript in an object stream": make_pdf(page_objects("x", catalog_extra=open_action),
                                                   packed=[b"<< /S /JavaScript /JS (app.alert(1)) >>"]),
        "file in an object stream": make_pdf(page_objects("x", catalog_extra=b" /Names 6 0 R"),
                                             packed=[b"<< /EmbeddedFiles << /Names [] >> >>"]),
    }


def test_pdf_active_content_is_found_however_it_is_written(pupils_db, actors):
    practice = records.create_practice(pupils_db, actors["dirigente"], ACCOGLIENZA)
    for what, data in hostile_pdfs().items():
        if what.endswith("object stream"):  # nothing for a byte search to find
            assert b"/JavaScript" not in data and b"/EmbeddedFiles" not in data
        with pytest.raises(ApprodoError, match="codice, azioni automatiche o file incorporati"):
            attachments.add_attachment(pupils_db, actors["dirigente"], practice.id, "calendario.pdf", data)
            pytest.fail(f"accepted: {what}")
    plain_pdf = make_pdf(page_objects("Calendario degli incontri"))
    assert attachments.add_attachment(pupils_db, actors["dirigente"], practice.id, "ok.pdf", plain_pdf).kind == "pdf"


def test_a_pdf_that_is_also_a_web_page_is_refused(pupils_db, actors):
    practice = records.create_practice(pupils_db, actors["dirigente"], ACCOGLIENZA)
    polyglot = make_pdf(page_objects("x"), header=b"%PDF-1.7\n%<html><script>alert(document.cookie)</script>\n")
    with pytest.raises(ApprodoError, match="anche una pagina web"):
        attachments.add_attachment(pupils_db, actors["dirigente"], practice.id, "calendario.pdf", polyglot)
    html_first = b"<html><body>x</body></html>\n" + make_pdf(page_objects("x"))
    with pytest.raises(ApprodoError, match="non è un PDF valido"):
        attachments.add_attachment(pupils_db, actors["dirigente"], practice.id, "calendario.pdf", html_first)


def test_a_pupil_code_in_a_compressed_pdf_page_is_refused(pupils_db, actors):
    practice = records.create_practice(pupils_db, actors["dirigente"], ACCOGLIENZA)
    code = pupils_db.execute("SELECT pupil_code FROM pupil_context WHERE school_code = 'MIIS00003C'").fetchone()[0]
    data = make_pdf(page_objects(f"Colloquio con {code}", compress=True))
    assert code.encode() not in data
    with pytest.raises(ApprodoError, match="contiene il codice di un alunno"):
        attachments.add_attachment(pupils_db, actors["dirigente"], practice.id, "colloquio.pdf", data)


def test_a_pdf_that_makes_the_parser_run_away_costs_a_child_not_the_server(monkeypatch):
    """A page of 100 MB of operators in 100 KB: refused when the child's time runs out, the server's memory flat."""
    monkeypatch.setattr(pdf_check, "MAX_SECONDS", 3)
    content = zlib.compress(b"0 0 m " * (100 * 2**20 // 6), 9)
    objects = page_objects("x")
    objects[4] = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream"
    data = make_pdf(objects)
    assert len(data) < 2 * 2**20
    tracemalloc.start()
    began = time.perf_counter()
    try:
        with pytest.raises(ApprodoError, match="troppo tempo o troppa memoria|danneggiato"):
            pdf_check.check_pdf(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - began < 6
    assert peak < 20 * 2**20
