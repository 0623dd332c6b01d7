"""The PDF a school publishes, read back page by page as a reader (and pdftotext) sees it."""

import io
import os
import re
from pathlib import Path

import pytest
from PIL import Image

from models.accounts import school_logo
from models.core import db as database
from models.protocols import protocol as protocols
from models.protocols import word_export as docx_export
from tests.conftest import ROOT, actor_named, copy_prepared
from tests.word_helpers import all_text, body_lines, page_images, pdf_info, pdf_pages

SCREENSHOTS = Path(os.environ.get("APPRODO_SCREENSHOTS") or ROOT / "test-artifacts" / "screenshots")
LONG_TABLE_ROWS = 70

pytestmark = pytest.mark.skipif(not docx_export.pdf_available(), reason="LibreOffice is not installed")


def logo_png() -> bytes:
    image = Image.new("RGB", (400, 120), "white")
    for x in range(20, 120):
        for y in range(20, 100):
            image.putpixel((x, y), (31, 58, 95))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


# The protocol is made and converted once for the module (LibreOffice takes seconds a conversion); the tests only
# read it. Under xdist (loadgroup) the tests that share it run in one process, so it is converted once in all.
shared = pytest.mark.xdist_group("protocol_pdf")


@pytest.fixture(scope="module")
def pdf_db(tmp_path_factory):
    return database.connect(copy_prepared("demo_db", tmp_path_factory.mktemp("protocol_pdf") / "approdo.db"))


@pytest.fixture(scope="module")
def dirigente(pdf_db):
    return actor_named(pdf_db, "dirigente")


@pytest.fixture(scope="module")
def published(pdf_db, dirigente):
    """An approved protocol with a logo, a long timetable and a section ending in a table."""
    protocols.create_core(pdf_db, actor_named(pdf_db, "coordinatrice"), "RETEDEMO", "secondaria_secondo_grado",
                          "2025/26")
    school_protocol = protocols.create_school_protocol(pdf_db, dirigente, "MIIS00003C")
    school_logo.save_logo(pdf_db, dirigente, "MIIS00003C", logo_png())
    local = protocols.add_local_section(pdf_db, dirigente, school_protocol.id, "Calendario dei colloqui")
    rows = "".join(f"| Settimana {n} | Classe {n % 5 + 1}A | Colloquio con la famiglia e il mediatore |\n"
                   for n in range(1, LONG_TABLE_ROWS + 1))
    protocols.save_section(pdf_db, dirigente, local.id,
                           "Gli incontri dell'anno.\n\n| Quando | Dove | Che cosa |\n|---|---|---|\n" + rows,
                           local.version)
    protocols.move(pdf_db, dirigente, school_protocol.id, "in_revisione")
    return protocols.move(pdf_db, dirigente, school_protocol.id, "approvato", deliberation_date="14/10/2025",
                          deliberation_number="23", deliberation_body="consiglio d'istituto")


@pytest.fixture(scope="module")
def pdf_and_pages(pdf_db, dirigente, published, tmp_path_factory):
    pdf = docx_export.export_protocol_pdf(pdf_db, dirigente, published.id)
    return pdf, pdf_pages(pdf, tmp_path_factory.mktemp("protocol_pdf_pages"))


def toc_entries(db, actor, protocol) -> list[str]:
    entries = []
    for number, section in enumerate(protocols.list_sections(db, actor, protocol.id), start=1):
        entries.append(f"{number}. {section.title}")
        entries += [line[4:].strip() for line in section.body.splitlines() if line.startswith("### ")]
    return entries + ["Approvazione"]


@shared
def test_the_table_of_contents_lists_every_heading_with_the_page_it_is_on(pdf_db, dirigente, published,
                                                                          pdf_and_pages):
    _, pages = pdf_and_pages
    toc = pages[1]
    assert "Indice" in toc and "Aggiorna l'indice" not in toc
    entries = toc_entries(pdf_db, dirigente, published)
    assert len(entries) > 20
    for entry in entries:
        match = re.search(re.escape(entry) + r"\s*\.*\s*(\d+)\s*$", toc, re.MULTILINE)
        assert match, f"{entry!r} has no page number in the table of contents"
        page = int(match.group(1))
        assert page > 2
        # The heading is really on that page (a long one wraps over two lines).
        assert entry in " ".join(pages[page - 1].split()), (entry, page)


@shared
def test_no_page_ends_with_a_heading(pdf_db, dirigente, published, pdf_and_pages):
    _, pages = pdf_and_pages
    headings = set(toc_entries(pdf_db, dirigente, published))
    for number, page in enumerate(pages[2:], start=3):
        tail = " ".join(body_lines(page)[-3:])  # a long heading wraps over two lines
        assert not any(tail.endswith(heading) for heading in headings), f"page {number} ends with a heading"


@shared
def test_a_long_table_repeats_its_header_on_every_page_and_never_breaks_a_word(pdf_db, dirigente, published,
                                                                                 pdf_and_pages):
    _, pages = pdf_and_pages
    with_rows = [p for p in pages if "Settimana" in p]
    assert len(with_rows) >= 2, "the long table should run over more than one page"
    for page in with_rows:
        lines = body_lines(page)
        first_row = next(n for n, line in enumerate(lines) if "Settimana" in line)
        assert re.search(r"Quando\s+Dove\s+Che cosa", lines[first_row - 1]), lines[first_row - 1]
    every_row = "\n".join(with_rows)
    assert all(f"Settimana {n} " in every_row + " " for n in range(1, LONG_TABLE_ROWS + 1))
    # Every word printed anywhere in the PDF is a word of the document: none is cut in two.
    words = set(re.findall(r"[^\W\d_]{3,}", all_text(docx_export.export_protocol(
        pdf_db, dirigente, published.id))))
    printed = set(re.findall(r"[^\W\d_]{3,}", "\n".join(pages)))
    assert printed - words <= {"Pagina", "Indice"}, sorted(printed - words)


@shared
def test_the_cover_names_the_school_the_network_and_the_deliberation(pdf_db, dirigente, published, pdf_and_pages,
                                                                     tmp_path):
    pdf, pages = pdf_and_pages
    cover = " ".join(pages[0].split())
    assert cover.count("Ponte Nuovo") == 1  # the letterhead, not the title again
    assert "MIIS00003C · Valfiorita (MI)" in cover
    assert "Rete di esempio" in cover and "Anno scolastico 2025/26" in cover
    assert "Approvato dal consiglio d'istituto con delibera n. 23 del 14/10/2025" in cover
    assert "versione" not in cover.lower()
    assert f"Versione {published.revision} del" in pages[1]  # the version is in the footer
    text = " ".join(" ".join(pages).split())
    assert "Rete Rete" not in text
    assert "Il dirigente scolastico Marco Bianchi" in text
    info = pdf_info(pdf, tmp_path)
    assert info["Author"] == "Istituto di istruzione superiore «Ponte Nuovo»"
    assert info["Title"].startswith("Protocollo di accoglienza")
    assert "2025/26" in info["Subject"]
    shots = page_images(pdf, SCREENSHOTS, "protocollo_pdf", 3)
    assert len(shots) == 3
    with Image.open(shots[0]) as first:  # the logo is drawn: dark pixels at the top left of the cover
        box = first.crop((0, 0, first.width // 3, first.height // 6)).convert("L")
        assert box.getextrema()[0] < 100


@shared
def test_exporting_twice_gives_the_same_pages(pdf_db, dirigente, published, pdf_and_pages, tmp_path):
    _, pages = pdf_and_pages
    again = pdf_pages(docx_export.export_protocol_pdf(pdf_db, dirigente, published.id), tmp_path)
    assert again == pages


def _linked_picture_docx(url: str) -> bytes:
    """A Word file whose only picture is linked to `url`, as a template or attachment could carry it."""
    import zipfile

    from docx import Document

    out = io.BytesIO()
    Document().save(out)
    picture = (
        '<w:p><w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/'
        'wordprocessingDrawing"><wp:extent cx="914400" cy="914400"/><wp:docPr id="1" name="P"/><a:graphic xmlns:a='
        '"http://schemas.openxmlformats.org/drawingml/2006/main"><a:graphicData uri="http://schemas.openxmlformats.'
        'org/drawingml/2006/picture"><pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        '<pic:nvPicPr><pic:cNvPr id="1" name="P"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip xmlns:r='
        '"http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:link="rIdX"/><a:stretch>'
        '<a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="914400" '
        'cy="914400"/></a:xfrm><a:prstGeom prst="rect"/></pic:spPr></pic:pic></a:graphicData></a:graphic>'
        '</wp:inline></w:drawing></w:r></w:p>')
    relation = (f'<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                f'image" Target="{url}" TargetMode="External"/>')
    source, result = zipfile.ZipFile(io.BytesIO(out.getvalue())), io.BytesIO()
    with zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/_rels/document.xml.rels":
                data = data.replace(b"</Relationships>", relation.encode() + b"</Relationships>")
            if item.filename == "word/document.xml":
                data = data.replace(b"<w:sectPr", picture.encode() + b"<w:sectPr", 1)
            target.writestr(item, data)
    return result.getvalue()


@pytest.mark.parametrize("namespace", [True, False], ids=["own network namespace", "offline profile only"])
def test_libreoffice_fetches_nothing_while_it_converts(monkeypatch, namespace):
    """Issue 31 #6: LibreOffice made GETs to a linked picture's address during a PDF export."""
    import http.server
    import threading

    asked = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            asked.append(self.path)
            self.send_response(404)
            self.end_headers()

        do_OPTIONS = do_HEAD = do_GET  # noqa: N815

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    if not namespace:  # where no network namespace can be made, the profile and the environment still hold
        monkeypatch.setattr(docx_export, "no_network_prefix", lambda: ())
    try:
        pdf = docx_export.to_pdf(_linked_picture_docx(f"http://127.0.0.1:{server.server_port}/logo.png"))
    finally:
        server.shutdown()
    assert pdf.startswith(b"%PDF")
    assert asked == []
