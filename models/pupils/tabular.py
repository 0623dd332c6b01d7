"""Reading the tables that registers export: CSV in its Italian dialects, or XLSX.

Registers put title lines (school, class, period) and blank lines above the
table, and an XLSX may hold it on any sheet. So a file is first opened into
rows of cells (size limits apply there, models/core/limits.py); the header
row is found by scoring the first rows of each sheet against the headers the
importer knows (`find_header`); then the rows below it become a table.

Everything is read as text; Excel's own values (dates, times, durations,
numbers) are written as the text that means the same ("2025-10-01",
"12:30", "12.5"), so that each importer converts and checks its own columns
and a bad cell gets a message naming its row and column instead of a
silent NaN. The frame's index is the row number as the user sees it in the
file.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

import pandas as pd

from models.core import limits
from models.core.errors import ApprodoError

MAX_FILE_BYTES = limits.MAX_TABLE_BYTES
# A valid UTF-8 sequence of two to four bytes: in a file that is not valid UTF-8 as a whole, it means
# that two encodings were mixed (a Windows-1252 text almost never holds one).
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
HEADER_SEARCH_ROWS = 30  # the header row is looked for among the first rows of each sheet
MAX_HEADER_ROW = 100  # a header row chosen by the user
_SEPARATORS = (";", ",", "\t")
# A "date" in Excel's first two months is a duration formatted as h:mm; openpyxl reads serial 1
# (one day) as 1900-01-01, so durations count from 1899-12-31.
_EXCEL_EPOCH = datetime(1899, 12, 31)


@dataclass(frozen=True)
class Sheet:
    """The first rows of one sheet (or of a CSV), as text cells, and where the header seems to be."""

    name: str
    rows: list[list[str]]
    header_index: int = 0  # 0-based among `rows`
    score: int = 0


@dataclass(frozen=True)
class Table:
    frame: pd.DataFrame  # all columns as strings; missing cells as ""; index = row number in the file
    file_name: str
    encoding: str = ""
    separator: str = ""
    sheet_name: str = ""
    sheet_names: tuple[str, ...] = ()
    header_row: int = 1  # 1-based, as the user sees it
    found_header: bool = True  # False when the header row was given by the user
    complete: bool = True  # False for a preview (only the first rows were read)
    title_lines: tuple[str, ...] = field(default=())

    @property
    def headers(self) -> list[str]:
        return list(self.frame.columns)

    @property
    def sheet_number(self) -> int:
        return self.sheet_names.index(self.sheet_name) + 1 if self.sheet_name in self.sheet_names else 1


def read_table(data: bytes, file_name: str, numeric: Callable[[list[str]], set[str]] | None = None, *,
               known: Iterable[str] = (), sheet: int | None = None, header_row: int | None = None,
               max_rows: int | None = None) -> Table:
    """The file as a table of text.

    `known`: normalised headers the caller expects, to find the header row and the sheet;
    `sheet` (1-based) and `header_row` (1-based) override what is found; `max_rows` reads only
    the first data rows (a preview); `numeric(headers)` may name CSV columns to parse as numbers
    in C: a numeric column whose cells are not all numbers (a typo, a '12:30') stays text, so that
    the importer can still say which cell is wrong.
    """
    if not data:
        raise ApprodoError(f"Il file {file_name} è vuoto.")
    if len(data) > MAX_FILE_BYTES:
        raise ApprodoError(f"Il file {file_name} è troppo grande (al massimo {MAX_FILE_BYTES // 2**20} MB).")
    if header_row is not None and not 1 <= header_row <= MAX_HEADER_ROW:
        raise ApprodoError(f"La riga di intestazione va da 1 a {MAX_HEADER_ROW}.")
    known = frozenset(known)
    if data[:2] == b"PK":
        return _read_xlsx(data, file_name, known, sheet, header_row, max_rows)
    if sheet not in (None, 1):
        raise ApprodoError(f"Il file {file_name} è un CSV: ha un solo foglio.")
    return _read_csv(data, file_name, numeric, known, header_row, max_rows)


# --- finding the header -------------------------------------------------------------------


def header_score(cells: list[str], known: frozenset[str]) -> int:
    """How much a row looks like the header: known headers count 3, known words inside a header 1."""
    score = 0
    for cell in cells:
        normal = normal_header(cell)
        if not normal:
            continue
        if normal in known:
            score += 3
        elif (words := _known_words(known)) is not None and words.search(normal):
            score += 1
    return score


@functools.lru_cache(maxsize=32)
def _known_words(known: frozenset[str]) -> re.Pattern | None:
    """One pattern for every known header longer than three letters, each as a whole word (a known header
    inside a longer one): compiled once per list, not once per cell and header."""
    longer = sorted(k for k in known if len(k) > 3)
    return re.compile(rf"\b(?:{'|'.join(map(re.escape, longer))})\b") if longer else None


def find_header(rows: list[list[str]], known: frozenset[str]) -> tuple[int, int]:
    """(index, score) of the likeliest header among `rows`.

    A header has at least two filled cells and is followed by rows about as wide; among those the
    one matching most known headers wins, the earliest on a tie. With nothing known, the first row
    as wide as the widest rows below it.
    """
    widths = [sum(1 for c in row if str(c).strip()) for row in rows]
    best, best_score = None, -1
    for index, row in enumerate(rows):
        if widths[index] < 2:
            continue
        below = [w for w in widths[index + 1:index + 6] if w]
        # A title line spread over two cells is not a header: the table below is wider.
        if below and max(below) > widths[index] * 2:
            continue
        score = header_score(row, known)
        if score > best_score:
            best, best_score = index, score
    if best is None:
        return 0, 0
    if best_score == 0:  # nothing known matched: the first row of the widest block
        widest = max(widths)
        best = next(i for i, w in enumerate(widths) if w >= max(2, widest * 0.6))
    return best, best_score


def _scored(name: str, rows: list[list[str]], known: frozenset[str]) -> Sheet:
    index, score = find_header(rows, known)
    return Sheet(name, rows, index, score)


def _first_rows(rows: Iterator[list[str]], count: int = HEADER_SEARCH_ROWS) -> list[list[str]]:
    out = []
    for row in rows:
        out.append(row)
        if len(out) >= count:
            break
    return out


# --- CSV ------------------------------------------------------------------------------


def decode(data: bytes, file_name: str = "caricato") -> tuple[str, str]:
    """Text and encoding: UTF-8 (with or without BOM), else Windows-1252; a mix of the two is refused."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as error:
        first_bad = error.start
    if _UTF8_SEQUENCE.search(data):
        row = data.count(b"\n", 0, first_bad) + 1
        raise ApprodoError(
            f"Il file {file_name} mescola due codifiche dei caratteri (UTF-8 e Windows-1252; la prima "
            f"lettera che non torna è alla riga {row}): le lettere accentate verrebbero lette male. Apri il "
            "file e salvalo di nuovo come «CSV UTF-8».")
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as error:
        row = data.count(b"\n", 0, error.start) + 1
        raise ApprodoError(f"Il file {file_name} contiene alla riga {row} un carattere che non è testo: "
                           "salvalo di nuovo come «CSV UTF-8».") from None


def _csv_text(data: bytes, file_name: str) -> tuple[str, str, int]:
    """Text, encoding and the longest line: the limits are checked on the bytes, before decoding
    (one endless line never becomes a string)."""
    if b"\x00" in data[:4096]:
        raise ApprodoError(f"Il file {file_name} non è un CSV leggibile né un file Excel (.xlsx).")
    # Columns of the first line, then every line's length, before decoding: no parser sees an endless line.
    header_start = re.match(rb"[\r\n]*", data).end()
    header_end = data.find(b"\n", header_start)
    header_line = data[header_start:header_end if header_end >= 0 else len(data)]
    limits.check_columns(max(header_line.count(sep.encode()) for sep in _SEPARATORS) + 1, file_name)
    _, longest = limits.check_text_shape(data, file_name)
    text, encoding = decode(data, file_name)
    return text, encoding, longest


def _refuse_nul(text: str, headers: list[str], separator: str, file_name: str) -> None:
    """A NUL character anywhere (a damaged file, or an attempt) is refused naming its row and column."""
    position = text.find("\x00")
    if position < 0:
        return
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    line = text[start:end if end >= 0 else len(text)]
    try:
        cells = next(csv.reader([line], delimiter=separator))
    except csv.Error:
        cells = line.split(separator)
    index = next((i for i, c in enumerate(cells) if "\x00" in c), 0)
    column = headers[index].strip() if index < len(headers) else f"colonna {index + 1}"
    limits.check_cell("\x00", file_name, text.count("\n", 0, position) + 1, column)


def _split(line: str, separator: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=separator), [])
    except csv.Error:
        return [line]


def _head_lines(text: str, count: int) -> list[str]:
    """The first lines of a text, without splitting all of a large file."""
    end = -1
    for _ in range(count):
        end = text.find("\n", end + 1)
        if end < 0:
            return text.splitlines()[:count]
    return text[:end].splitlines()[:count]


def _csv_layout(text: str, known: frozenset[str], header_row: int | None = None) -> tuple[Sheet, str]:
    """The first lines split by the likeliest separator, with the header found among them."""
    lines = _head_lines(text, max(HEADER_SEARCH_ROWS, header_row or 0))
    if header_row is not None and header_row > len(lines):
        raise ApprodoError(f"Il file non ha una riga {header_row}.")
    candidates = []
    for separator in _SEPARATORS:
        rows = [_split(line, separator) if line.strip() else [] for line in lines]
        sheet = _scored("", rows, known)
        if header_row is not None:
            sheet = Sheet("", rows, header_row - 1, 0)
        width = len([c for c in rows[sheet.header_index] if c.strip()]) if sheet.header_index < len(rows) else 0
        candidates.append((sheet.score, width, separator, sheet))
    score, width, separator, sheet = max(candidates, key=lambda c: (c[0], c[1]))
    if width < 2 and not any(line.count(s) for line in lines for s in _SEPARATORS):
        raise ApprodoError("Non riconosco il separatore delle colonne: usa punto e virgola, virgola o tabulazione.")
    return sheet, separator


def _read_csv(data: bytes, file_name: str, numeric, known, header_row, max_rows) -> Table:
    text, encoding, longest = _csv_text(data, file_name)
    sheet, separator = _csv_layout(text, known, header_row)
    skip = sheet.header_index
    headers = sheet.rows[skip] if skip < len(sheet.rows) else []
    limits.check_columns(len(headers), file_name)
    _refuse_nul(text, headers, separator, file_name)
    as_numbers = numeric([h.strip() for h in headers]) if numeric else set()
    # Raw headers as pandas will name them; duplicated headers stay text.
    dtypes = {h: str for h in headers if h.strip() not in as_numbers or headers.count(h) > 1}
    try:
        frame = pd.read_csv(io.StringIO(text), sep=separator, dtype=dtypes if as_numbers else str,
                            keep_default_na=False, skip_blank_lines=True, engine="c", quoting=csv.QUOTE_MINIMAL,
                            decimal="," if separator != "," else ".", skiprows=skip, nrows=max_rows)
    except (pd.errors.ParserError, ValueError, csv.Error) as error:
        line = re.search(r"line (\d+)", str(error))
        where = f" alla riga {int(line.group(1)) + skip}" if line else ""
        raise ApprodoError(f"Il file {file_name} non si legge come tabella{where}: controlla che ogni riga "
                           "abbia lo stesso numero di colonne.") from None
    # Row numbers as the user sees them (blank lines inside the table are not counted).
    frame.index = pd.RangeIndex(skip + 2, skip + 2 + len(frame))
    if longest > limits.MAX_CELL_CHARS:  # only then can a cell be too long
        limits.check_frame(frame, file_name)
    titles = tuple(" ".join(c for c in row if c.strip()) for row in sheet.rows[:skip] if any(c.strip() for c in row))
    return Table(_clean_headers(frame, file_name), file_name, encoding, separator, "", ("",), skip + 1,
                 header_row is None, max_rows is None, titles)


# --- XLSX ------------------------------------------------------------------------------


def _open_workbook(data: bytes, file_name: str):
    """The workbook, read-only, after the sizes, rows and cells of every part passed the limits."""
    from openpyxl import load_workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ApprodoError(f"Il file {file_name} non è un file Excel (.xlsx) leggibile.") from None
    try:
        with archive:
            _check_workbook_parts(archive, file_name)
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ApprodoError:
        raise
    except Exception:  # openpyxl and lxml raise many kinds on a damaged file
        raise ApprodoError(f"Il file Excel {file_name} è danneggiato o non si può leggere.") from None


def _check_workbook_parts(archive: zipfile.ZipFile, file_name: str) -> None:
    """Sizes, rows and cells of every part, counted by a streaming scan before openpyxl parses anything."""
    limits.check_zip(archive, file_name, limits.MAX_SHEET_UNPACKED)
    if "xl/workbook.xml" not in archive.namelist():
        raise ApprodoError(f"Il file {file_name} non è un file Excel (.xlsx).")
    counts: dict[bytes, int] = {}
    sheet_limits = {b"row": (limits.MAX_SHEET_ROWS, "troppe righe"), b"c": (limits.MAX_SHEET_CELLS, "troppe celle")}
    for entry in archive.infolist():
        # Every part, whatever its name: the workbook's relations may place a sheet anywhere.
        sheet = entry.filename.startswith("xl/worksheets/")
        with archive.open(entry) as stream:
            limits.scan_xml(stream, file_name, entry.filename, sheet_limits,
                            3 * limits.MAX_SHEET_CELLS if sheet else limits.MAX_XML_ELEMENTS, counts)


def _xlsx_rows(worksheet, file_name: str) -> Iterator[list[str]]:
    """Every row of a sheet as text cells (rows keep their place: an empty row is []); the cells are
    checked by `_check_cells` once the header names their columns."""
    try:
        worksheet.reset_dimensions()  # the declared size may be the whole grid: read only what is there
        for count, row in enumerate(worksheet.iter_rows(values_only=True), 1):
            # The scan counted the rows already; this stop holds whatever way a sheet found past it.
            limits.check_rows(count, file_name, limits.MAX_SHEET_ROWS)
            yield [cell_text(v) for v in row[:limits.MAX_COLUMNS + limits.MAX_HEADER_GAP]]
    except ApprodoError:
        raise
    except Exception:
        raise ApprodoError(f"Il file Excel {file_name} è danneggiato o non si può leggere.") from None


def _check_cells(cells: list[str], file_name: str, number: int, header: list[str]) -> None:
    """No NUL and no endless cell (`limits.check_cell`), named by the header's column when there is one."""
    bad = next((i for i, c in enumerate(cells) if len(c) > limits.MAX_CELL_CHARS or "\x00" in c), None)
    if bad is not None:
        column = header[bad].strip() if bad < len(header) and header[bad].strip() else f"colonna {bad + 1}"
        limits.check_cell(cells[bad], file_name, number, column)


def _header_width(header: list[str]) -> int:
    width, gap = 0, 0
    for index, value in enumerate(header):
        if not value.strip():
            gap += 1
            if gap >= limits.MAX_HEADER_GAP:
                break
        else:
            width, gap = index + 1, 0
    return width


def _read_xlsx(data: bytes, file_name: str, known, sheet_number, header_row, max_rows) -> Table:
    workbook = _open_workbook(data, file_name)
    try:
        names = tuple(ws.title for ws in workbook.worksheets)
        if sheet_number is not None and not 1 <= sheet_number <= len(names):
            raise ApprodoError(f"Il file {file_name} ha {len(names)} fogli: scegli un numero da 1 a {len(names)}.")
        if sheet_number is None:
            # The sheet that holds the table: the best header score, the first on a tie.
            scored = [_scored(ws.title, _first_rows(_xlsx_rows(ws, file_name)), known) for ws in workbook.worksheets]
            filled = [s for s in scored if any(any(c.strip() for c in r) for r in s.rows)] or scored
            chosen = max(filled, key=lambda s: s.score)
            worksheet = workbook[chosen.name]
        else:
            worksheet = workbook.worksheets[sheet_number - 1]
        rows = _xlsx_rows(worksheet, file_name)
        head = _first_rows(rows, max(HEADER_SEARCH_ROWS, header_row or 0))
        index = header_row - 1 if header_row is not None else find_header(head, known)[0]
        if index >= len(head) and header_row is not None:
            raise ApprodoError(f"Il foglio «{worksheet.title}» non ha dati alla riga {header_row}.")
        if not head:
            raise ApprodoError(f"Il file {file_name} è vuoto.")
        header = head[index]
        width = _header_width(header)
        limits.check_columns(width, file_name)
        body, numbers = [], []

        for number, row in enumerate(head[:index + 1], start=1):
            _check_cells(row, file_name, number, header if number > index else [])

        def take(number, row):
            _check_cells(row, file_name, number, header)
            if any(c.strip() for c in row):
                body.append(row[:width] + [""] * (width - len(row)))
                numbers.append(number)

        for offset, row in enumerate(head[index + 1:]):
            take(index + 2 + offset, row)
        number = len(head)
        for row in rows:
            if max_rows is not None and len(body) >= max_rows:
                break
            number += 1
            take(number, row)
        if max_rows is not None:
            body, numbers = body[:max_rows], numbers[:max_rows]
        titles = tuple(" ".join(c for c in r if c.strip()) for r in head[:index] if any(c.strip() for c in r))
        frame = pd.DataFrame(body, columns=header[:width], index=numbers, dtype=object).astype(str)
        return Table(_clean_headers(frame, file_name), file_name, "xlsx", "", worksheet.title, names, index + 1,
                     header_row is None, max_rows is None, titles)
    finally:
        workbook.close()


def cell_text(value) -> str:
    """An Excel value as the text that means the same, for the importers' parsers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "SI" if value else "NO"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, timedelta):
        return _clock(value.total_seconds())
    if isinstance(value, datetime):
        if value < datetime(1900, 3, 1):  # a duration of more than a day, stored as an early "date"
            return _clock((value - _EXCEL_EPOCH).total_seconds())
        if value.time() == time(0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, time):
        return _clock(value.hour * 3600 + value.minute * 60 + value.second)
    return str(value)


def _clock(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


def _clean_headers(frame: pd.DataFrame, file_name: str) -> pd.DataFrame:
    headers = [str(h).strip() for h in frame.columns]
    if not any(headers):
        raise ApprodoError(f"Il file {file_name} non ha una riga di intestazione.")
    frame.columns = headers
    if frame.empty:
        raise ApprodoError(f"Il file {file_name} ha l'intestazione ma nessuna riga di dati.")
    return frame


# --- rows that are not data ---------------------------------------------------------------

# The label of a footer or subtotal row: "Totale", "Totale classe 3B", "Subtotale", "Totali", "Media", "Medie".
_SUMMARY_LABEL = re.compile(r"(?:^|\x1f)[ \t]*((?:sub[ -]?)?total[ei]|medi[ae])\b[^\x1f]*", re.IGNORECASE)


def summary_rows(frame: pd.DataFrame, label_columns: Iterable[str]) -> dict[int, str]:
    """Row number -> what the row is, for the rows that are not data: blank rows (every cell empty, as an export
    leaves one before its footer) and footer or subtotal rows (a label such as "Totale classe" in one of
    `label_columns`). Cheap on a large table: the labels are found by one search over the joined column."""
    found: dict[int, str] = {}
    for column in dict.fromkeys(c for c in label_columns if c in frame.columns):
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values):
            continue
        text = "\x1f".join(values.tolist())
        position, row = 0, 0
        for match in _SUMMARY_LABEL.finditer(text):
            row += text.count("\x1f", position, match.start() + 1)
            position = match.start() + 1
            found.setdefault(int(frame.index[row]), match.group(0).strip("\x1f \t")[:40])
    first = frame.iloc[:, 0]
    empty = first.isna() if pd.api.types.is_numeric_dtype(first) else first.astype(str).str.strip().eq("")
    for number in frame.index[empty.to_numpy()]:
        cells = frame.loc[number]
        if all(pd.isna(c) or not str(c).strip() for c in cells):
            found[int(number)] = ""
    return dict(sorted(found.items()))


def without_summary_rows(table: Table, label_columns: Iterable[str]) -> tuple[Table, dict[int, str]]:
    """The table without its blank, footer and subtotal rows, and those rows (see `summary_rows`)."""
    skipped = summary_rows(table.frame, label_columns)
    if not skipped:
        return table, skipped
    frame = table.frame.drop(index=list(skipped))
    if frame.empty:
        raise ApprodoError(f"Il file {table.file_name} ha l'intestazione ma nessuna riga di dati (solo righe di "
                           "totale o vuote).")
    return replace(table, frame=frame), skipped


def describe_skipped(skipped: dict[int, str]) -> str:
    """'Saltate 2 righe che non sono dati: riga 24 vuota, riga 25 «Totale classe».' ('' if none)."""
    if not skipped:
        return ""
    parts = [f"riga {row} " + (f"«{label}»" if label else "vuota") for row, label in list(skipped.items())[:6]]
    more = f" e altre {len(skipped) - 6}" if len(skipped) > 6 else ""
    noun = "Saltata 1 riga che non è un dato" if len(skipped) == 1 else \
        f"Saltate {len(skipped)} righe che non sono dati"
    return f"{noun} (vuote, totali o medie): {', '.join(parts)}{more}."


def normal_header(text: str) -> str:
    """A header as the mapping compares it: lower case, no accents, no punctuation, camelCase split."""
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", str(text))  # "codAlunno" as "cod alunno"
    text = unicodedata.normalize("NFKD", text.lower().replace("°", "").replace("º", ""))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^a-z0-9%]+", " ", text).split())
