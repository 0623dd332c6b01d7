"""The network report as people read it: Word through LibreOffice page by page, charts, Excel formats."""

import io
import re
import subprocess
from dataclasses import replace
from itertools import combinations

import pytest
from docx import Document
from matplotlib.backends.backend_agg import FigureCanvasAgg
from openpyxl import load_workbook

from models.core.school_year import SchoolYear
from models.network import report as network_report
from models.protocols import word_export as docx_export
from tests.models.test_network_figures import NETWORK, YEAR, network_db  # noqa: F401 - the fixture
from tests.word_helpers import body_lines, pdf_pages


@pytest.fixture
def report(network_db, actors):  # noqa: F811 - the fixture imported above
    return network_report.build(network_db, actors["coordinatore_rete"], NETWORK, YEAR)


def page_sizes(pdf: bytes, folder) -> list[tuple[float, float]]:
    source = folder / "sizes.pdf"
    source.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", str(source)], check=True, capture_output=True,
                          text=True).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]


@pytest.mark.skipif(not docx_export.pdf_available(), reason="LibreOffice is not installed")
def test_the_word_report_puts_wide_tables_on_landscape_pages_without_breaking_words(report, tmp_path):
    data = network_report.to_docx(report)
    pdf = docx_export.to_pdf(data)
    pages = pdf_pages(pdf, tmp_path)
    sizes = page_sizes(pdf, tmp_path)
    assert len(sizes) == len(pages)
    protocols_page = next(n for n, page in enumerate(pages) if "Protocolli di accoglienza" in page)
    assert sizes[protocols_page][0] > sizes[protocols_page][1], "the nine-column table should be landscape"
    assert sizes[0][0] < sizes[0][1] and sizes[-1][0] < sizes[-1][1], "the other pages stay portrait"
    for page in pages:  # every page keeps the footer, landscape ones too
        assert "Dati aggregati" in page
    # The heading and its table are on the same page.
    assert "Scuola" in pages[protocols_page] and "Revisione" in pages[protocols_page]
    # No word is cut in two: every word printed is a word of the document.
    document = Document(io.BytesIO(data))
    words = set(re.findall(r"[^\W\d_]{3,}", "\n".join(
        [p.text for p in document.paragraphs]
        + [c.text for t in document.tables for r in t.rows for c in r.cells]
        + [p.text for s in document.sections for p in s.footer.paragraphs])))
    printed = set(re.findall(r"[^\W\d_]{3,}", "\n".join(pages)))
    assert printed - words == set(), sorted(printed - words)
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    for number, page in enumerate(pages, start=1):
        lines = body_lines(page + "\nfooter")
        assert lines[-1] not in headings, f"page {number} ends with a heading"


def test_the_trend_chart_has_italian_months_and_no_overlapping_labels(report):
    figure = network_report.trend_figure(report)
    axes = figure.axes[0]
    FigureCanvasAgg(figure).draw()
    labels = [t.get_text() for t in axes.get_xticklabels()]
    # From December both schools count 1-4 pupils at "alto": a share would give them back (issue 31), so the
    # chart has no point there (from November for «Tiglio» and the network); the months stay on the axis, each
    # marked by a dotted rule (a hidden month, not a month without data).
    assert labels == ["set 2025", "ott 2025", "nov 2025", "dic 2025", "gen 2026", "feb 2026"]
    strokes = [list(line.get_xdata()) for line in axes.get_lines()]
    assert sorted(line[0] for line in strokes if len(line) == 2 and line[0] == line[1]) == [2, 3, 4, 5]  # hidden
    assert sorted(line for line in strokes if len(set(line)) > 1) == [[0, 1], [0, 1], [0, 1, 2]]  # none into them
    assert_no_overlap(figure)


def test_the_trend_chart_breaks_a_line_at_a_hidden_month(report):
    # October hidden for the first school, as the newcomer's walk found it in the regional view.
    first = report.trend["series"].iloc[0]
    kept = ~((report.trend["series"] == first) & (report.trend["period"] == "2025-10"))
    later = (report.trend["series"] == first) & (report.trend["period"] > "2025-10")
    trend = report.trend.assign(segment=report.trend["segment"] + later.astype(int))[kept]
    figure = network_report.trend_figure(replace(report, trend=trend, trend_hidden={first: ["2025-10"]}))
    strokes = [list(line.get_xdata()) for line in figure.axes[0].get_lines()]
    assert [1, 1] in strokes  # October marked
    for stroke in (s for s in strokes if len(set(s)) > 1):  # every line joins neighbouring months only
        assert stroke == list(range(stroke[0], stroke[0] + len(stroke))), stroke


def test_the_indicator_chart_shows_whole_names_without_overlaps(report):
    figure = network_report.indicators_figure(report)
    FigureCanvasAgg(figure).draw()
    names = " ".join(t.get_text().replace("\n", " ") for t in figure.axes[0].get_yticklabels())
    assert "Alunni con assenza cronica" in names
    assert_no_overlap(figure)


def assert_no_overlap(figure):
    renderer = figure.canvas.get_renderer()
    axes = figure.axes[0]
    texts = [t for t in axes.get_xticklabels() + axes.get_yticklabels() if t.get_text()]
    legend = axes.get_legend()
    texts += list(legend.get_texts()) if legend else []
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    page = figure.bbox
    for text, box in boxes:
        assert page.x0 <= box.x0 and box.x1 <= page.x1 + 1 and page.y0 <= box.y0, f"{text!r} is cut off"
    for (a, box_a), (b, box_b) in combinations(boxes, 2):
        assert not box_a.overlaps(box_b), f"{a!r} overlaps {b!r}"


def test_excel_percentages_are_numbers_with_a_percent_format(report):
    book = load_workbook(io.BytesIO(network_report.to_xlsx(report)))
    sheet = book["Presa in carico"]
    header = [c.value for c in sheet[1]]
    percent_columns = [n for n, name in enumerate(header) if name and name.endswith("%")]
    assert percent_columns
    numbers = [row[n] for row in sheet.iter_rows(min_row=2) for n in percent_columns
               if isinstance(row[n].value, float | int)]
    indicators = [c for row in book["Indicatori"].iter_rows(min_row=2, min_col=3) for c in row
                  if isinstance(c.value, float | int)]
    assert indicators
    for cell in numbers + indicators:
        assert cell.number_format == "0.0%" and 0 <= cell.value <= 1, (cell.coordinate, cell.value)
    chronic = next(row for row in book["Indicatori"].iter_rows(min_row=2) if row[0].value ==
                   "Alunni con assenza cronica")
    shown = report.evaluation.frame().loc["Alunni con assenza cronica", "2025/26"]
    assert f"{chronic[-1].value * 100:.1f}".replace(".", ",") + " %" == shown


def test_a_year_without_data_says_so_instead_of_empty_tables(network_db, actors):  # noqa: F811
    empty = network_report.build(network_db, actors["coordinatore_rete"], NETWORK, SchoolYear(2019))
    document = Document(io.BytesIO(network_report.to_docx(empty)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert text.count("Nessun dato di frequenza caricato per l'anno scolastico 2019/20.") >= 2
    assert all(len(t.columns) > 1 and len(t.rows) > 1 for t in document.tables)
    book = load_workbook(io.BytesIO(network_report.to_xlsx(empty)))
    assert book["Livelli per mese"]["A1"].value == "Nessun dato per questo anno scolastico."
