"""Hostile files made on the fly (small on disk, or not on disk at all), and a child process that feeds one
to the real import function and reports the outcome, the time it took and its peak memory.

Run as `python -m tests.proof.hostile_files MAKER TARGET DB_PATH`; prints one JSON line.
"""

from __future__ import annotations

import io
import json
import resource
import sys
import time
import zipfile

ATTENDANCE_HEADERS = ["Cod. alunno", "Classe", "Mese", "Monte ore", "Ore di assenza", "N° entrate posticipate",
                      "N° uscite anticipate"]
MONTHS = ["2025-09", "2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05",
          "2026-06"]
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
WORD_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CHILD_MEMORY_LIMIT = 3 * 1024**3  # the child dies rather than take the machine down when a limit is missing


def column_letter(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _zip(parts: dict[str, bytes | str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def xlsx(sheet_xml: bytes | str) -> bytes:
    """A minimal workbook with one sheet, written by hand so that every byte of the sheet is ours."""
    return _zip({
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
            'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+'
            'xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/></Types>'),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" xmlns:r="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Foglio1" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
        "xl/worksheets/sheet1.xml": sheet_xml,
    })


def _cell(ref: str, value) -> str:
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def _row(number: int, values, first_column: int = 1) -> str:
    cells = "".join(_cell(f"{column_letter(first_column + i)}{number}", v) for i, v in enumerate(values))
    return f'<row r="{number}">{cells}</row>'


def attendance_rows(count: int) -> list[list]:
    return [[f"P{n // len(MONTHS):05d}", "3A", MONTHS[n % len(MONTHS)], 100, n % 30, n % 3, n % 2]
            for n in range(count)]


def sheet(rows_xml: str, dimension: str = "A1:G2", prolog: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{MAIN_NS}"><dimension ref='
            f'"{dimension}"/><sheetData>{rows_xml}</sheetData></worksheet>').encode()


# --- the hostile files of issue 15 ------------------------------------------------------------------


def xlsx_last_column() -> bytes:
    """The usual headers, one value in XFD1 (the last column of the grid) and 20,000 ordinary rows."""
    header = _row(1, ATTENDANCE_HEADERS)[:-len("</row>")] + _cell("XFD1", "nota") + "</row>"
    body = "".join(_row(n + 2, values) for n, values in enumerate(attendance_rows(20_000)))
    return xlsx(sheet(header + body, dimension="A1:XFD20001"))


def xlsx_million_rows() -> bytes:
    """About 400 KB: a header and a million one-cell rows."""
    body = "<row><c><v>1</v></c></row>" * 1_000_000
    return xlsx(sheet(_row(1, ATTENDANCE_HEADERS) + body, dimension="A1:G1000001"))


def xlsx_doctype() -> bytes:
    """A sheet with a DOCTYPE and an entity that is never defined."""
    rows = _row(1, ATTENDANCE_HEADERS) + _row(2, ["&nessuna;", "3A", "2025-10", 100, 1, 0, 0])
    return xlsx(sheet(rows, prolog='<!DOCTYPE worksheet [<!ENTITY saluto "ciao">]>'))


def xlsx_undefined_entity() -> bytes:
    rows = _row(1, ATTENDANCE_HEADERS) + _row(2, ["&nessuna;", "3A", "2025-10", 100, 1, 0, 0])
    return xlsx(sheet(rows))


def docx(document_xml: bytes) -> bytes:
    return _zip({
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/'
            'document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.'
            'main+xml"/></Types>'),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'),
        "word/document.xml": document_xml,
    })


def docx_empty_paragraphs() -> bytes:
    """5.5 million empty paragraphs after one line of text."""
    body = b"<w:p><w:r><w:t>Premessa</w:t></w:r></w:p>" + b"<w:p/>" * 5_500_000
    return docx(f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{WORD_NS}"><w:body>'.encode()
                + body + b"</w:body></w:document>")


def docx_doctype() -> bytes:
    return docx(f'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE d [<!ENTITY e "x">]><w:document xmlns:w='
                f'"{WORD_NS}"><w:body><w:p><w:r><w:t>&e;&nessuna;</w:t></w:r></w:p></w:body></w:document>'.encode())


def _utf16(xml: bytes) -> bytes:
    """The same part saved as UTF-16 (with its byte mark), which XML parsers read as well as UTF-8."""
    return xml.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")


def docx_utf16_paragraphs() -> bytes:
    """300,000 empty paragraphs (over the 100,000 limit) in a document.xml saved as UTF-16."""
    body = b"<w:p><w:r><w:t>Premessa</w:t></w:r></w:p>" + b"<w:p/>" * 300_000
    return docx(_utf16(f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{WORD_NS}"><w:body>'.encode()
                       + body + b"</w:body></w:document>"))


def xlsx_utf16_rows() -> bytes:
    """The attendance header and 600,000 one-cell rows (over the 500,000 of a sheet), the sheet saved as UTF-16."""
    body = "<row><c><v>1</v></c></row>" * 600_000
    return xlsx(_utf16(sheet(_row(1, ATTENDANCE_HEADERS) + body, dimension="A1:G600001")))


def csv_million_columns() -> bytes:
    return (";".join(f"c{i}" for i in range(1_000_000)) + "\n" + ";" * 999_999 + "\n").encode()


def csv_one_line() -> bytes:
    """100 MB in one line below an ordinary header."""
    return ";".join(ATTENDANCE_HEADERS).encode() + b"\n" + b"x" * (100 * 1024 * 1024)


def csv_attendance(rows: list[list]) -> str:
    return "\n".join(";".join(str(v) for v in row) for row in [ATTENDANCE_HEADERS, *rows]) + "\n"


def csv_late_nul() -> bytes:
    """An ordinary file whose 300th pupil code holds a NUL character, well after the first 4 KB."""
    rows = attendance_rows(400)
    rows[298][0] = "P00\x00029"
    return csv_attendance(rows).encode()


def csv_mixed_encoding() -> bytes:
    """Rows saved in UTF-8 and rows saved in Windows-1252, in one file."""
    rows = attendance_rows(40)
    text = csv_attendance(rows[:20]).encode("utf-8")
    return text + "".join(f"{r[0]}à;3A;{r[2]};100;1;0;0\n" for r in rows[20:]).encode("cp1252")


# --- Word templates with runaway expressions ----------------------------------------------------------


def word_template(*paragraphs: str) -> bytes:
    from docx import Document

    document = Document()
    for text in paragraphs:
        document.add_paragraph().add_run(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


LOOP = ("{%p for sezione in sezioni %}", "{{ sezione.titolo }}", "{{p sezione.corpo }}", "{%p endfor %}")


def template_repetition() -> bytes:
    return word_template("{{ titolo ~ ('x' * 2000000000) }} {{ scuola_nome }}", *LOOP)


def template_nested_ranges() -> bytes:
    return word_template("{{ titolo }} {{ scuola_nome }}",
                         "{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}", *LOOP)


def template_lipsum() -> bytes:
    return word_template("{{ titolo }} {{ scuola_nome }} {{ lipsum(999999, false, 999999, 999999) }}", *LOOP)


def template_amplified() -> bytes:
    """Each section's body placed 2,000 times: a few KB of template, a GB of document at a real export."""
    return word_template("{{ titolo }} {{ scuola_nome }}", "{%p for sezione in sezioni %}", "{{ sezione.titolo }}",
                         *["{{p sezione.corpo }}"] * 2_000, "{%p endfor %}")


# --- the child --------------------------------------------------------------------------------------


def peak_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(maker: str, target: str, db_path: str) -> dict:
    from models.accounts import auth
    from models.core import db as database
    from models.core.errors import ApprodoError
    from models.core.permissions import Actor
    from models.protocols import word_export as docx_export
    from models.protocols import word_import as docx_import
    from models.pupils import importing as pupil_data

    data = globals()[maker]()
    started = time.perf_counter()
    outcome: dict = {"size_kb": round(len(data) / 1024)}
    try:
        if target == "word_import":
            outcome["sections"] = len(docx_import.read_sections(data))
        elif target == "word_template":
            docx_export.check_word_template(data)
            outcome["accepted"] = True
        elif target == "stored_template_export":  # a template stored before today's checks, then an export
            db = database.connect(db_path)
            db.execute("UPDATE word_templates SET content = ? WHERE network_code = 'RETEDEMO'", [data])
            actor = auth.actor_for_user(db, db.execute("SELECT id FROM users WHERE username = 'dirigente'")
                                        .fetchone()[0])
            protocol_id = db.execute("SELECT id FROM protocols WHERE school_code = 'MIIS00003C'").fetchone()[0]
            outcome["bytes"] = len(docx_export.export_protocol(db, actor, protocol_id))
        else:
            summary = pupil_data.IMPORTERS[target](database.connect(db_path), Actor.system("prova"), "MIIS00003C",
                                                   data, f"{maker}.{'xlsx' if maker.startswith('xlsx') else 'csv'}")
            outcome["rows"] = summary.rows
    except ApprodoError as error:
        outcome["error"] = error.message
    except BaseException as error:  # noqa: BLE001 - reported to the test, which fails on it
        outcome["crash"] = f"{type(error).__name__}: {str(error)[:300]}"
    outcome["seconds"] = round(time.perf_counter() - started, 2)
    outcome["peak_mb"] = round(peak_mb())
    return outcome


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY_LIMIT, CHILD_MEMORY_LIMIT))
    print(json.dumps(run(*sys.argv[1:4])))
