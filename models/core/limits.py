"""What an uploaded file may ask of the server, checked before the real work starts.

A small file can still mean huge work: a sheet with one value in its last
column, a Word file of millions of empty paragraphs, a CSV of one endless
line. Every reader checks these numbers first, with streaming scans that use
little memory, and refuses in Italian naming the file (and the row and
column where there is one).
"""

from __future__ import annotations

import codecs
import re
import zipfile
from typing import IO

import numpy as np

from models.core.errors import ApprodoError

# Tables (CSV and Excel). The largest real file is a region's monthly attendance (about 1.1 M rows, as the
# benchmark imports); an Excel sheet is slower to read, so it gets fewer rows.
MAX_TABLE_BYTES = 200 * 1024 * 1024
MAX_ROWS = 2_000_000
MAX_COLUMNS = 500
MAX_LINE_BYTES = 100_000
MAX_CELL_CHARS = 5_000
MAX_SHEET_ROWS = 500_000
MAX_SHEET_CELLS = 5_000_000
MAX_HEADER_GAP = 20  # this many empty header cells in a row end the table: what lies beyond is not a column
# Zip containers (.xlsx, .docx).
MAX_ZIP_ENTRIES = 5_000
MAX_SHEET_UNPACKED = 300 * 1024 * 1024
MAX_DOCX_UNPACKED = 200 * 1024 * 1024
# Word documents: a 200-page protocol has a few thousand paragraphs.
MAX_PARAGRAPHS = 100_000
MAX_XML_ELEMENTS = 3_000_000

_CHUNK = 1 << 20
# A start tag, with or without a namespace prefix; its name is group 1.
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,20}:)?([A-Za-z_][\w.-]{0,20})[\s/>]")
_LONGEST_TAG = 48
_DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY")


# Encodings whose bytes for '<', letters and '!' are the ASCII ones, so the byte scan sees every tag as it is.
_ASCII_LIKE = {"utf-8", "ascii", "iso8859-1", "iso8859-15", "cp1252"}
# The byte marks and first bytes of "<?" by which an XML parser tells its encoding before any declaration.
_WIDE_STARTS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
                (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
                (b"<\0\0\0", "utf-32-le"), (b"\0\0\0<", "utf-32-be"),
                (b"<\0?\0", "utf-16-le"), (b"\0<\0?", "utf-16-be"))
_DECLARED = re.compile(rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._-]{1,40})["']""")


def refuse(message: str) -> None:
    raise ApprodoError(message)


def number(value: int) -> str:
    """Thousands with a dot, as Italians write them."""
    return f"{value:,}".replace(",", ".")


# --- zip containers ---------------------------------------------------------------------------


def check_zip(archive: zipfile.ZipFile, file_name: str, max_unpacked: int) -> None:
    """Entries and unpacked size from the zip's directory (a read never yields more than it declares)."""
    entries = archive.infolist()
    if len(entries) > MAX_ZIP_ENTRIES:
        refuse(f"Il file {file_name} contiene troppe parti ({len(entries)}, al massimo {MAX_ZIP_ENTRIES}).")
    unpacked = sum(e.file_size for e in entries)
    if unpacked > max_unpacked:
        refuse(f"Il file {file_name} una volta aperto è troppo grande ({unpacked // 2**20} MB, al massimo "
               f"{max_unpacked // 2**20} MB).")


def scan_xml(stream: IO[bytes], file_name: str, part: str, limits: dict[bytes, tuple[int, str]],
             max_elements: int = MAX_XML_ELEMENTS, counts: dict[bytes, int] | None = None) -> dict[bytes, int]:
    """Count start tags in an XML part without parsing it; refuse declarations and counts over a limit.

    `limits` maps a local tag name to (maximum, "troppe righe" or the like). DOCTYPE and ENTITY declarations
    are refused outright: no file from Word or Excel has them, and they are how entity bombs start.
    Pass the same `counts` for every part of a file to limit the totals. An SVG image may have a DOCTYPE
    (it is stored as a picture, never parsed), but its tags are counted like any other part's.
    """
    declarations = () if part.lower().endswith(".svg") else _DECLARATIONS
    stream = _as_utf8(stream, file_name)
    counts = counts if counts is not None else {}
    for name in limits:
        counts.setdefault(name, 0)
    elements = 0
    pending = b""
    while True:
        piece = stream.read(_CHUNK)
        buffer = pending + piece
        if any(d in buffer for d in declarations):
            refuse(f"Il file {file_name} contiene dichiarazioni XML (DOCTYPE o entità) che un file di Word o "
                   f"di Excel non ha: salvalo di nuovo dal programma d'origine.")
        # A tag may straddle two chunks: keep the tail from the last '<' near the end for the next round.
        cut = len(buffer) if not piece else buffer.rfind(b"<", max(0, len(buffer) - _LONGEST_TAG))
        cut = len(buffer) if cut < 0 else cut
        names = _TAG.findall(buffer, 0, cut) if b"<" in buffer else []
        elements += len(names)
        if elements > max_elements:
            refuse(f"Il file {file_name} ha una struttura troppo grande ({part}: più di {number(max_elements)} "
                   "elementi).")
        for name in limits:
            counts[name] += names.count(name)
            maximum, what = limits[name]
            if counts[name] > maximum:
                refuse(f"Il file {file_name} ha {what} (più di {number(maximum)}).")
        pending = buffer[cut:]
        if not piece:
            return counts


class _Transcoded:
    """A byte stream in a wide encoding (UTF-16 or UTF-32) read back as UTF-8, a piece at a time."""

    def __init__(self, first: bytes, stream: IO[bytes], encoding: str):
        self._first, self._stream = first, stream
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")

    def read(self, size: int) -> bytes:
        piece, self._first = (self._first, b"") if self._first else (self._stream.read(size), b"")
        return self._decoder.decode(piece, final=not piece).encode("utf-8")


class _Prefixed:
    """A stream whose first bytes were already read to find its encoding."""

    def __init__(self, first: bytes, stream: IO[bytes]):
        self._first, self._stream = first, stream

    def read(self, size: int) -> bytes:
        if self._first:
            piece, self._first = self._first, b""
            return piece
        return self._stream.read(size)


def _as_utf8(stream: IO[bytes], file_name: str):
    """The stream as bytes the scan can read: a UTF-16 or UTF-32 part (told by its byte mark or its first
    characters, as an XML parser tells them) is transcoded; a declared encoding the scan cannot read byte by
    byte is refused, since the parser would see tags the scan does not."""
    first = stream.read(_CHUNK)
    for start, encoding in _WIDE_STARTS:
        if first.startswith(start):
            return _Transcoded(first, stream, encoding)
    declared = _DECLARED.match(first)
    if declared:
        try:
            name = codecs.lookup(declared.group(1).decode("ascii")).name
        except LookupError:
            name = ""
        if name not in _ASCII_LIKE:
            refuse(f"Il file {file_name} usa una codifica dei caratteri che un file di Word o di Excel non usa "
                   f"({declared.group(1).decode('ascii')}): salvalo di nuovo dal programma d'origine.")
    return _Prefixed(first, stream)


# --- text tables ---------------------------------------------------------------------------------


def check_text_shape(data: bytes, file_name: str) -> tuple[int, int]:
    """Line lengths and line count of a text file, in chunks; return the lines and the longest, in bytes.

    Lines end at \\n (or at \\r in old Mac files that have no \\n), so a file with one endless line is
    refused here, before a parser holds it whole.
    """
    newline = 10 if b"\n" in data else 13
    longest, lines, start, position = 0, 0, 0, 0
    for offset in range(0, len(data), 16 * _CHUNK):
        chunk = np.frombuffer(data, np.uint8, count=min(16 * _CHUNK, len(data) - offset), offset=offset)
        ends = np.flatnonzero(chunk == newline) + offset
        if ends.size:
            gaps = np.diff(ends, prepend=start) - 1
            gaps[0] = ends[0] - start
            longest = max(longest, int(gaps.max()))
            if longest > MAX_LINE_BYTES:
                _too_long(file_name, lines + int(np.argmax(gaps > MAX_LINE_BYTES)) + 1)
            lines += int(ends.size)
            start = int(ends[-1]) + 1
        position = offset + chunk.size
        if position - start > MAX_LINE_BYTES:
            _too_long(file_name, lines + 1)
        check_rows(lines, file_name)
    longest = max(longest, position - start)
    return lines + (position > start), longest


def _too_long(file_name: str, row: int) -> None:
    refuse(f"Il file {file_name} ha una riga troppo lunga (riga {row}, più di {number(MAX_LINE_BYTES)} "
           "caratteri): non sembra una tabella esportata dal registro.")


def check_columns(count: int, file_name: str) -> None:
    if count > MAX_COLUMNS:
        refuse(f"Il file {file_name} ha troppe colonne ({number(count)}, al massimo {MAX_COLUMNS}): controlla "
               "che sia la tabella giusta.")


def check_rows(count: int, file_name: str, maximum: int = MAX_ROWS) -> None:
    if count > maximum:
        refuse(f"Il file {file_name} ha troppe righe (più di {number(maximum)}): dividilo, per esempio per mese.")


def check_cell(text: str, file_name: str, row: int, column: str) -> None:
    """One cell: no NUL character (it would end up inside a stored code) and not endless."""
    if "\x00" in text:
        refuse(f"Il file {file_name} contiene un carattere nullo alla riga {row}, colonna «{column}»: "
               "il file è danneggiato o non è una tabella di testo.")
    if len(text) > MAX_CELL_CHARS:
        refuse(f"Nel file {file_name} la cella alla riga {row}, colonna «{column}» è troppo lunga "
               f"(più di {number(MAX_CELL_CHARS)} caratteri).")


def check_frame(frame, file_name: str) -> None:
    """Every text cell of a table of strings, indexed by the file's row numbers: see `check_cell`."""
    for position, column in enumerate(frame.columns):
        values = frame.iloc[:, position]
        if values.dtype != object and str(values.dtype) != "str" and "string" not in str(values.dtype):
            continue
        text = values.astype(str)
        bad = text.str.contains("\x00", regex=False) | (text.str.len() > MAX_CELL_CHARS)
        if bad.any():
            index = int(np.argmax(bad.to_numpy()))
            check_cell(text.iloc[index], file_name, int(frame.index[index]), str(column))
