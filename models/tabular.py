"""Reading the tables that registers export: CSV in its Italian dialects, or XLSX.

Everything is read as text first; each importer converts and checks its own
columns, so that a bad cell gets a message naming its row and column
instead of a silent NaN.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from models import limits
from models.errors import ApprodoError

MAX_FILE_BYTES = limits.MAX_TABLE_BYTES
_SEPARATORS = (";", ",", "\t")
# A valid UTF-8 sequence of two to four bytes: in a file that is not valid UTF-8 as a whole, it means
# that two encodings were mixed (a Windows-1252 text almost never holds one).
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


@dataclass(frozen=True)
class Table:
    frame: pd.DataFrame  # all columns as strings; missing cells as ""
    file_name: str
    encoding: str = ""
    separator: str = ""

    @property
    def headers(self) -> list[str]:
        return list(self.frame.columns)


def read_table(data: bytes, file_name: str, numeric: Callable[[list[str]], set[str]] | None = None) -> Table:
    """The file as a table of text; `numeric(headers)` may name columns to parse as numbers in C.

    A numeric column whose cells are not all numbers (a typo, a '12:30') stays text, so that the
    importer can still say which cell is wrong. The limits in `models.limits` are checked before any
    parser sees the file.
    """
    if not data:
        raise ApprodoError(f"Il file {file_name} è vuoto.")
    if len(data) > MAX_FILE_BYTES:
        raise ApprodoError(f"Il file {file_name} è troppo grande (al massimo {MAX_FILE_BYTES // 2**20} MB).")
    if data[:2] == b"PK":
        return _read_xlsx(data, file_name)
    return _read_csv(data, file_name, numeric)


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


def _separator(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in _SEPARATORS}
    best = max(counts, key=counts.get)
    if counts[best] == 0:
        raise ApprodoError("Non riconosco il separatore delle colonne: usa punto e virgola, virgola o tabulazione.")
    return best


def _read_csv(data: bytes, file_name: str, numeric=None) -> Table:
    if b"\x00" in data[:4096]:
        raise ApprodoError(f"Il file {file_name} non è un CSV leggibile né un file Excel (.xlsx).")
    # Columns of the first line, then every line's length, before decoding: no parser sees an endless line.
    header_start = re.match(rb"[\r\n]*", data).end()
    header_end = data.find(b"\n", header_start)
    header_line = data[header_start:header_end if header_end >= 0 else len(data)]
    limits.check_columns(max(header_line.count(sep.encode()) for sep in _SEPARATORS) + 1, file_name)
    _, longest = limits.check_text_shape(data, file_name)
    text, encoding = decode(data, file_name)
    body_start = len(text) - len(text.lstrip("\r\n"))
    line_end = min((i for i in (text.find("\n", body_start), text.find("\r", body_start)) if i >= 0),
                   default=len(text))
    first_line = text[body_start:line_end]
    separator = _separator(first_line)
    try:
        headers = next(csv.reader([first_line], delimiter=separator))
    except csv.Error:
        raise ApprodoError(f"L'intestazione del file {file_name} non si legge: controlla la prima riga.") from None
    _refuse_nul(text, headers, separator, file_name)
    as_numbers = numeric([h.strip() for h in headers]) if numeric else set()
    # Raw headers as pandas will name them; duplicated headers stay text.
    dtypes = {h: str for h in headers if h.strip() not in as_numbers or headers.count(h) > 1}
    try:
        frame = pd.read_csv(io.StringIO(text), sep=separator, dtype=dtypes if as_numbers else str,
                            keep_default_na=False, skip_blank_lines=True, engine="c", quoting=csv.QUOTE_MINIMAL,
                            decimal="," if separator != "," else ".")
    except (pd.errors.ParserError, ValueError, csv.Error) as error:
        line = re.search(r"line (\d+)", str(error))
        where = f" alla riga {line.group(1)}" if line else ""
        raise ApprodoError(f"Il file {file_name} non si legge come tabella{where}: controlla che ogni riga "
                           "abbia lo stesso numero di colonne.") from None
    if longest > limits.MAX_CELL_CHARS:  # only then can a cell be too long
        limits.check_frame(frame, file_name)
    return Table(_clean_headers(frame, file_name), file_name, encoding, separator)


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


def _read_xlsx(data: bytes, file_name: str) -> Table:
    from openpyxl import load_workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ApprodoError(f"Il file {file_name} non è un file Excel (.xlsx) leggibile.") from None
    try:
        with archive:
            _check_workbook_parts(archive, file_name)
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()  # the declared size may be the whole grid: read only what is there
            header, body = _sheet_rows(sheet.iter_rows(values_only=True), file_name)
        finally:
            workbook.close()
    except ApprodoError:
        raise
    except Exception:  # openpyxl and lxml raise many kinds on a damaged file
        raise ApprodoError(f"Il file Excel {file_name} è danneggiato o non si può leggere.") from None
    frame = pd.DataFrame(body, columns=header, dtype=object).astype(str)
    return Table(_clean_headers(frame, file_name), file_name, "xlsx", "")


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


def _sheet_rows(rows, file_name: str) -> tuple[list[str], list[list[str]]]:
    """Header and body as text, cut to the header's width: a stray value far right is not a column."""
    first = next(rows, None)
    if first is None:
        raise ApprodoError(f"Il file {file_name} è vuoto.")
    width, gap = 0, 0
    for index, value in enumerate(first):
        if value in (None, ""):
            gap += 1
            if gap >= limits.MAX_HEADER_GAP:
                break
        else:
            width, gap = index + 1, 0
    limits.check_columns(width, file_name)
    header = [_cell_text(v) for v in first[:width]]
    for text in header:
        limits.check_cell(text, file_name, 1, text[:40])
    body = []
    for number, row in enumerate(rows, start=2):
        cells = [_cell_text(v) for v in row[:width]]
        if not any(cells):
            continue
        if any(len(c) > limits.MAX_CELL_CHARS or "\x00" in c for c in cells):
            index = next(i for i, c in enumerate(cells) if len(c) > limits.MAX_CELL_CHARS or "\x00" in c)
            limits.check_cell(cells[index], file_name, number, header[index])
        body.append(cells + [""] * (width - len(cells)))
    return header, body


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _clean_headers(frame: pd.DataFrame, file_name: str) -> pd.DataFrame:
    headers = [str(h).strip() for h in frame.columns]
    if not any(headers):
        raise ApprodoError(f"Il file {file_name} non ha una riga di intestazione.")
    frame.columns = headers
    if frame.empty:
        raise ApprodoError(f"Il file {file_name} ha l'intestazione ma nessuna riga di dati.")
    return frame


def normal_header(text: str) -> str:
    """A header as the mapping compares it: lower case, no accents, no punctuation."""
    text = unicodedata.normalize("NFKD", str(text).lower().replace("°", "").replace("º", ""))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^a-z0-9%]+", " ", text).split())
