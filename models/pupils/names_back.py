"""Names put back on the school's own computer: codes in a downloaded file replaced by "Name (CODE)".

Approdo never holds names. A school that pseudonymised its register's file at upload keeps the key file
(nome; data di nascita; codice) on its own computer; `cli.py add-names` reads that key and a file
Approdo gave (the council's pack in Word, the list in XLSX or CSV) and writes a copy with the names, offline:
this module opens no database and sends nothing anywhere.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

from models.core.errors import ApprodoError
from models.core.spreadsheet import safe_cell

KEY_COLUMNS = ("nome", "codice")


def read_key(data: bytes) -> dict[str, str]:
    """{code: name} from the key file written at upload (CSV with ';', UTF-8 with or without BOM)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ApprodoError("Il file chiave non è un CSV in UTF-8: usa quello scritto da Approdo al caricamento.") \
            from error
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    if not rows or not set(KEY_COLUMNS) <= {c.strip().lower() for c in rows[0]}:
        raise ApprodoError("Il file chiave deve avere le colonne «nome» e «codice» (quello scritto da Approdo"
                           " al caricamento con la pseudonimizzazione).")
    header = [c.strip().lower() for c in rows[0]]
    name_at, code_at = header.index("nome"), header.index("codice")
    key = {}
    for row in rows[1:]:
        if len(row) > max(name_at, code_at) and row[code_at].strip():
            # The key file neutralised leading =,+,-,@ with a quote for spreadsheets: take it off again.
            name = row[name_at].strip()
            key[row[code_at].strip()] = name[1:] if name.startswith("'") and name[1:2] in "=+-@" else name
    if not key:
        raise ApprodoError("Il file chiave non contiene nessun codice.")
    return key


def _named(text: str, key: dict[str, str]) -> tuple[str, int]:
    # Whole codes only: a code inside a longer run of letters and digits is another code.
    codes = re.compile(r"(?<![A-Za-z0-9])(" + "|".join(map(re.escape, sorted(key, key=len, reverse=True)))
                       + r")(?![A-Za-z0-9])")
    count = 0

    def swap(match: re.Match) -> str:
        nonlocal count
        name = key.get(match.group(0))
        if name is None:
            return match.group(0)
        count += 1
        return f"{name} ({match.group(0)})"

    return codes.sub(swap, text), count


def add_names(key: dict[str, str], data: bytes, kind: str) -> tuple[bytes, int]:
    """The file with each known code followed by its name; and how many codes were named."""
    if kind == "csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ApprodoError("Il file CSV non è in UTF-8: usa quello scaricato da Approdo.") from error
        # A name that starts like a formula would run in the spreadsheet the CSV is opened in.
        # Separators in a name would split the row.
        named, count = _named(text, {code: safe_cell(re.sub(r'[;"\r\n]+', " ", name)) for code, name in key.items()})
        return named.encode("utf-8-sig"), count
    if kind in ("docx", "xlsx"):
        return _zip_parts(key, data, kind)
    raise ApprodoError("Posso aggiungere i nomi a file .docx, .xlsx o .csv.")


# The parts of Word and Excel files where text lives (body, headers, footers, notes, shared strings, titles).
_TEXT_PART = re.compile(r"^(word/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml"
                        r"|xl/(sharedStrings|worksheets/sheet\d+)\.xml|docProps/core\.xml)$")


def _zip_parts(key: dict[str, str], data: bytes, kind: str) -> tuple[bytes, int]:
    try:
        source = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise ApprodoError(f"Il file non è un .{kind} valido.") from error
    output, total = io.BytesIO(), 0
    with source, zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item)
            if _TEXT_PART.match(item.filename):
                # Codes are letters and digits only, so they never straddle XML markup Approdo wrote;
                # the names are escaped as XML text.
                text, count = _named(content.decode("utf-8"),
                                     {code: _xml_text(name) for code, name in key.items()})
                content, total = text.encode("utf-8"), total + count
            target.writestr(item, content)
    return output.getvalue(), total


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
