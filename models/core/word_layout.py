"""Table layout for the Word files Approdo writes: header rows that repeat, columns as wide as their words.

Word and LibreOffice give every column the same width unless told otherwise,
so a short code column and a long text column split words in the middle
("Scuol a"). The widths here come from the content: no column narrower than
its longest word, the rest of the page shared out by how much text each holds.
"""

from __future__ import annotations

import copy

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt

CHAR_CM_AT_10PT = 0.235  # a generous mean width of a Liberation Sans character at 10 pt, bold included
CELL_PADDING_CM = 0.5  # the cell's left and right margins and a little air
# The cells' own margins (twentieths of a point): without them LibreOffice sets the text against the borders.
# In the schema's order (top, left, bottom, right): 1 mm above and below, 2 mm aside.
CELL_MARGINS_TWIPS = {"top": 57, "left": 113, "bottom": 57, "right": 113}


def mark_header_row(table) -> None:
    """Repeat the first row on each page, as Word users expect of a table header; never split a row."""
    for index, row in enumerate(table.rows):
        tr_pr = row._tr.get_or_add_trPr()
        if index == 0:
            header = OxmlElement("w:tblHeader")
            header.set(qn("w:val"), "true")
            tr_pr.append(header)
        cant_split = OxmlElement("w:cantSplit")
        cant_split.set(qn("w:val"), "true")
        tr_pr.append(cant_split)


def column_widths(texts: list[list[str]], available_cm: float, font_pt: float = 10.0) -> list[float]:
    """Widths in cm: each column at least its longest word, the space left shared by the text it holds."""
    columns = max((len(row) for row in texts), default=0)
    char = CHAR_CM_AT_10PT * font_pt / 10
    longest = [0.0] * columns
    natural = [0.0] * columns
    for row in texts:
        for n, text in enumerate(row):
            words = text.split()
            longest[n] = max(longest[n], max((len(w) for w in words), default=0) * char + CELL_PADDING_CM)
            natural[n] = max(natural[n], len(" ".join(words)) * char + CELL_PADDING_CM)
    minimum = [max(w, 1.0) for w in longest]
    natural = [max(n, m) for n, m in zip(natural, minimum, strict=True)]
    if sum(natural) <= available_cm:  # everything fits on one line: widen in proportion
        scale = available_cm / sum(natural)
        return [n * scale for n in natural]
    if sum(minimum) >= available_cm:  # not even the words fit: the best that can be done
        scale = available_cm / sum(minimum)
        return [m * scale for m in minimum]
    spare = available_cm - sum(minimum)
    extra = [n - m for n, m in zip(natural, minimum, strict=True)]
    return [m + spare * e / sum(extra) for m, e in zip(minimum, extra, strict=True)]


def fit_columns(table, texts: list[list[str]], available_cm: float, font_pt: float = 10.0) -> list[float]:
    """Give the table fixed column widths from its content (in the grid, which LibreOffice reads, and cells)."""
    widths = column_widths(texts, available_cm, font_pt)
    table.autofit = False
    pad_cells(table)  # the margins the widths allow for
    grid = table._tbl.tblGrid
    for column, width in zip(grid.findall(qn("w:gridCol")), widths, strict=False):
        column.set(qn("w:w"), str(int(Cm(width).twips)))
    for cells in _row_cells(table):
        for cell, width in zip(cells, widths, strict=False):
            cell.width = Cm(width)
    return widths


def _row_cells(table) -> list[list]:
    """Each row's cells as `row.cells` gives them (a merged cell once per grid column it covers). python-docx
    rebuilds the whole table's grid at each `row.cells` (quadratic in the rows): a table without merged cells
    is read straight from its rows' <w:tc> elements, which then are its cells, one per column."""
    tbl = table._tbl
    if tbl.find(".//" + qn("w:gridSpan")) is not None or tbl.find(".//" + qn("w:vMerge")) is not None:
        return [row.cells for row in table.rows]
    return [tr.tc_lst for tr in tbl.tr_lst]


def pad_cells(table) -> None:
    """Space between a cell's text and its borders, for every cell of the table (w:tblCellMar)."""
    properties = table._tbl.tblPr
    for old in properties.findall(qn("w:tblCellMar")):
        properties.remove(old)
    margins = OxmlElement("w:tblCellMar")
    for side, twips in CELL_MARGINS_TWIPS.items():
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(twips))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    # The schema's order inside w:tblPr: the margins come before the table's look and caption.
    following = [child for child in properties if child.tag in {qn("w:tblLook"), qn("w:tblCaption"),
                                                                  qn("w:tblDescription")}]
    if following:
        following[0].addprevious(margins)
    else:
        properties.append(margins)


def text_width_cm(section) -> float:
    return Emu(section.page_width - section.left_margin - section.right_margin).cm


def table_font(table, size_pt: float) -> None:
    """Every run of every cell at `size_pt` (what `run.font.size` writes), a merged cell once."""
    size = Pt(size_pt)
    seen = set()
    for cells in _row_cells(table):
        for cell in cells:
            tc = getattr(cell, "_tc", cell)
            if tc in seen:
                continue
            seen.add(tc)
            for p in tc.p_lst:
                for r in p.r_lst:
                    r.get_or_add_rPr().sz_val = size


def section_break(paragraph, *, landscape: bool, like, references=()) -> None:
    """End a section at this paragraph: what comes before it is laid out as `landscape` says.

    `like` is the document's own section, whose page size and margins the new one keeps;
    `references` are its header and footer references, so that every section shows them.
    """
    p_pr = paragraph._p.get_or_add_pPr()
    sect_pr = OxmlElement("w:sectPr")
    for reference in references:
        sect_pr.append(copy.deepcopy(reference))
    page_size = OxmlElement("w:pgSz")
    width, height = sorted((like.page_width, like.page_height))
    if landscape:
        width, height = height, width
    page_size.set(qn("w:w"), str(int(Emu(width).twips)))
    page_size.set(qn("w:h"), str(int(Emu(height).twips)))
    if landscape:
        page_size.set(qn("w:orient"), "landscape")
    margins = OxmlElement("w:pgMar")
    for side, value in (("top", like.top_margin), ("right", like.right_margin), ("bottom", like.bottom_margin),
                        ("left", like.left_margin), ("header", like.header_distance),
                        ("footer", like.footer_distance), ("gutter", 0)):
        margins.set(qn(f"w:{side}"), str(int(Emu(value or 0).twips)))
    sect_pr.append(page_size)
    sect_pr.append(margins)
    p_pr.append(sect_pr)
