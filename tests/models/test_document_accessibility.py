"""The documents a school publishes, readable with a screen reader: Word files in Italian with a title, real
headings and pictures with alternative text; the PDF tagged (structure tree with headings, tables with header
cells, the logo's alternative text) with its language and title."""

import io
import re
import shutil

import pytest
from docx import Document
from docx.oxml.ns import qn

from models.network import report as network_report
from models.protocols import word_export as docx_export
from tests.models.test_network_figures import network_db  # noqa: F401 - the fixture
from tests.models.test_network_report_layout import report  # noqa: F401 - the fixture
from tests.models.test_protocol_pdf import dirigente, pdf_db, published  # noqa: F401 - the fixtures
from tests.word_helpers import pdf_info


def language(document) -> str:
    defaults = document.styles.element.find(qn("w:docDefaults"))
    return defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang")).get(qn("w:val"))


def alt_texts(document) -> list[str]:
    return [picture.get("descr") for picture in document.element.body.iter(qn("wp:docPr"))]


def test_the_word_protocol_is_italian_titled_with_headings_and_the_logo_described(pdf_db, dirigente,  # noqa: F811
                                                                                  published):  # noqa: F811
    data = docx_export.export_protocol(pdf_db, dirigente, published.id)
    document = Document(io.BytesIO(data))
    assert language(document) == "it-IT"
    assert document.core_properties.language == "it-IT"
    assert document.core_properties.title.startswith("Protocollo")
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Approvazione" in headings and any(h.startswith("Chi fa") or "Chi fa che cosa" in h for h in headings)
    assert alt_texts(document) == ["Logo della scuola: Istituto di istruzione superiore «Ponte Nuovo»"]


def test_the_word_report_describes_its_charts(report):  # noqa: F811
    document = Document(io.BytesIO(network_report.to_docx(report)))
    assert language(document) == "it-IT"
    assert alt_texts(document) == [network_report.CHART_TEXTS["trend"], network_report.CHART_TEXTS["indicators"]]


@pytest.mark.skipif(not docx_export.pdf_available() or not shutil.which("pdfinfo"),
                    reason="LibreOffice and poppler are not installed")
def test_the_published_pdf_is_tagged_in_italian_with_headings_tables_and_the_logo_text(pdf_db, dirigente,  # noqa: F811
                                                                                       published, tmp_path):  # noqa: F811
    pdf = docx_export.export_protocol_pdf(pdf_db, dirigente, published.id)
    info = pdf_info(pdf, tmp_path)
    assert info["Tagged"] == "yes"
    assert info["Title"].startswith("Protocollo")  # the document's title, not "protocollo.docx"
    # The structure tree (LibreOffice writes its dictionaries uncompressed): the catalogue's language,
    # headings as headings, the long table's header cells, the logo's alternative text.
    assert b"/Lang(it-IT)" in pdf
    assert b"/StructTreeRoot" in pdf
    kinds = set(re.findall(rb"/S/(H\d|Table|TH|TR|TD|Figure|P)\b", pdf))
    # Sections are Heading 1, their "### " titles Heading 2: headings in order, none skipped.
    assert {b"H1", b"H2", b"Table", b"TH", b"TD", b"Figure"} <= kinds, kinds
    assert b"H3" not in kinds
    assert re.search(rb"/Alt\((\xfe\xff|)[^)]*L\x00?o\x00?g\x00?o", pdf) or b"/Alt<FEFF" in pdf
