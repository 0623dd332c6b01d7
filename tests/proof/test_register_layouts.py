"""Hostile input in the new layouts: day-by-day lists and tables below title lines, in CSV and XLSX.

The property is the importers': a file is imported whole or refused in Italian, and a refusal
changes nothing (monthly rows and events alike). A quick count by default, at least 1,000 cases
per layout with --run-slow.
"""

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from models.core.errors import ApprodoError
from models.pupils import importing as pupil_data
from tests.conftest import count_proof
from tests.proof.test_hostile_input import FULL, HOSTILE, QUICK

SCHOOL = "MIIS00003C"
EVENT_HEADER = ["Codice alunno", "Classe", "Data", "Tipo evento", "Ore perse", "Giustificata", "Motivo"]
MONTHLY_HEADER = ["Cod. alunno", "Classe", "Mese", "Monte ore", "Ore di assenza", "% assenze"]

text = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12)
days = st.one_of(st.dates().map(lambda d: d.strftime("%d/%m/%Y")), st.dates().map(str),
                 st.sampled_from(["31/02/2026", "2025-10-06", "06/10/2025", "2025-10-06 08:00", "0/0/0"]))
event_row = st.tuples(
    st.one_of(st.sampled_from(["E1", "E2", "Rossi Mario", ""]), text),
    st.sampled_from(["3A", "3B", "", "x" * 50]),
    days,
    st.one_of(st.sampled_from(["Assenza", "A", "ABA0", "ritardo", "I", "ABU0", "uscita", "gita", ""]), text),
    st.one_of(st.sampled_from(["", "1", "2,5", "1:30", "-1", "13", "NaN"]), text),
    st.one_of(st.sampled_from(["SI", "NO", "S", "N", "X", "", "forse"]), text),
    st.one_of(st.sampled_from(HOSTILE), text),
).map(list)
monthly_row = st.tuples(
    st.one_of(st.sampled_from(["M1", "M2", "Bianchi Anna"]), text), st.sampled_from(["1A", "2B", ""]),
    st.one_of(st.sampled_from(["ottobre 2025", "2025-11", "12/2025", "brumaio"]), text),
    st.one_of(st.sampled_from(["100", "120,5", "110:00", "0", "-3"]), text),
    st.one_of(st.sampled_from(["10", "1,0", "12:30", "200"]), text),
    st.one_of(st.sampled_from(["10", "1,0", "0,1", "", "100"]), text),
).map(list)
titles = st.lists(st.one_of(st.sampled_from(["Prospetto assenze orarie", "Classe 3A - ottobre 2025", ""]), text),
                  max_size=4)


def clean(cell: str, separator: str) -> str:
    return cell.replace(separator, " ").replace("\n", " ").replace("\r", " ").replace('"', "'")


def as_csv(title_lines, header, rows, separator) -> bytes:
    lines = [clean(t, separator) for t in title_lines] + [separator.join(header)]
    lines += [separator.join(clean(c, separator) for c in row) for row in rows]
    return "\n".join(lines).encode("utf-8")


def as_xlsx(title_lines, header, rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for line in title_lines:
        sheet.append(["".join(ch for ch in line if ch.isprintable())])
    sheet.append(header)
    for row in rows:
        sheet.append(["".join(ch for ch in c if ch.isprintable()) for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def state(db):
    return (db.execute("SELECT COUNT(*), COALESCE(SUM(absence_hours), 0) FROM attendance").fetchone(),
            db.execute("SELECT COUNT(*) FROM attendance_events").fetchone())


def import_or_refuse(db, actor, data: bytes, name: str) -> None:
    before = state(db)
    try:
        summary = pupil_data.import_attendance(db, actor, SCHOOL, data, name)
    except ApprodoError as error:
        assert error.message and state(db) == before
        count_proof("input ostili rifiutati con un messaggio")
    else:
        assert summary.rows >= 1
        count_proof("input ostili importati correttamente")
    count_proof(f"casi provati: importatore {'eventi' if 'eventi' in name else 'prospetti con titoli'}")


def fuzz(layout: str, examples: int):
    header, row = (EVENT_HEADER, event_row) if layout == "events" else (MONTHLY_HEADER, monthly_row)
    files = st.tuples(titles, st.lists(row, min_size=1, max_size=6), st.sampled_from([";", ",", "\t", "xlsx"]))

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(files)
    def run(demo_db, actors, case):
        title_lines, rows, form = case
        width = len(header)
        rows = [(r + [""] * width)[:width] for r in rows]
        data = as_xlsx(title_lines, header, rows) if form == "xlsx" else as_csv(title_lines, header, rows, form)
        name = ("eventi" if layout == "events" else "prospetto") + (".xlsx" if form == "xlsx" else ".csv")
        import_or_refuse(demo_db, actors["dirigente"], data, name)

    return run


test_event_lists = fuzz("events", QUICK)
test_titled_tables = fuzz("monthly", QUICK)
test_event_lists_full = pytest.mark.slow(fuzz("events", FULL))
test_titled_tables_full = pytest.mark.slow(fuzz("monthly", FULL))
