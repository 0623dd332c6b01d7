"""Cells for CSV and XLSX exports, safe to open in a spreadsheet program."""

from __future__ import annotations

import re
from collections.abc import Iterable

_FORMULA_STARTS = "=+-@"
# A formula may start a cell (past spaces and quotes), or start a field that a spreadsheet cuts out of
# the cell when it splits on another separator than ours ("x,=1+1" opened as a comma CSV).
_LEADING = re.compile(rf"^[ \"']*(?=[{re.escape(_FORMULA_STARTS)}\t\r])")
_INNER = re.compile(rf"([,;\t|\r\n][ \"']*)(?=[{re.escape(_FORMULA_STARTS)}])")
_NEEDS_QUOTES = re.compile(r"[;,\t\r\n\"]")


def safe_cell(value):
    """Text that a spreadsheet would run as a formula gets an apostrophe before it; numbers pass."""
    if not isinstance(value, str):
        return value
    value = _INNER.sub(r"\1'", value)
    return "'" + value if _LEADING.match(value) else value


def csv_field(value) -> str:
    """One CSV field, formula-safe, quoted when it holds any separator a spreadsheet might split on."""
    text = "" if value is None else str(safe_cell(value))
    return '"' + text.replace('"', '""') + '"' if _NEEDS_QUOTES.search(text) else text


def csv_bytes(rows: Iterable[Iterable]) -> bytes:
    """A semicolon CSV (what Italian Excel opens), UTF-8 with BOM, every field through `csv_field`."""
    return "".join(";".join(csv_field(v) for v in row) + "\r\n" for row in rows).encode("utf-8-sig")
