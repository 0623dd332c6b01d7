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

from models.errors import ApprodoError

MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_XLSX_UNPACKED = 1024 * 1024 * 1024
_SEPARATORS = (";", ",", "\t")


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
    importer can still say which cell is wrong.
    """
    if not data:
        raise ApprodoError(f"Il file {file_name} è vuoto.")
    if len(data) > MAX_FILE_BYTES:
        raise ApprodoError(f"Il file {file_name} è troppo grande (al massimo 200 MB).")
    if data[:2] == b"PK":
        return _read_xlsx(data, file_name)
    return _read_csv(data, file_name, numeric)


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding: UTF-8 (with or without BOM), else Windows-1252."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def _separator(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in _SEPARATORS}
    best = max(counts, key=counts.get)
    if counts[best] == 0:
        raise ApprodoError("Non riconosco il separatore delle colonne: usa punto e virgola, virgola o tabulazione.")
    return best


def _read_csv(data: bytes, file_name: str, numeric=None) -> Table:
    text, encoding = decode(data)
    if "\x00" in text[:4096]:
        raise ApprodoError(f"Il file {file_name} non è un CSV leggibile né un file Excel (.xlsx).")
    lines = text.lstrip("\r\n").splitlines()
    first_line = lines[0] if lines else ""
    separator = _separator(first_line)
    try:
        headers = next(csv.reader([first_line], delimiter=separator))
    except csv.Error:
        raise ApprodoError(f"L'intestazione del file {file_name} non si legge: controlla la prima riga.") from None
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
    return Table(_clean_headers(frame, file_name), file_name, encoding, separator)


def _read_xlsx(data: bytes, file_name: str) -> Table:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(i.file_size for i in archive.infolist()) > MAX_XLSX_UNPACKED:
                raise ApprodoError(f"Il file {file_name} è troppo grande una volta aperto.")
            if "xl/workbook.xml" not in archive.namelist():
                raise ApprodoError(f"Il file {file_name} non è un file Excel (.xlsx).")
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ApprodoError:
        raise
    except Exception:  # openpyxl raises many kinds on a damaged file
        raise ApprodoError(f"Il file Excel {file_name} è danneggiato o non si può leggere.") from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise ApprodoError(f"Il file {file_name} è vuoto.")
    width = len(header)
    body = [[_cell_text(v) for v in row[:width]] + [""] * (width - len(row)) for row in rows
            if any(v not in (None, "") for v in row)]
    workbook.close()
    frame = pd.DataFrame(body, columns=[_cell_text(h) for h in header], dtype=object).astype(str)
    return Table(_clean_headers(frame, file_name), file_name, "xlsx", "")


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
