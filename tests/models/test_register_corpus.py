"""Every file of tests/data/registri imports and scores (see its README for the layouts)."""

from pathlib import Path

import pytest

from models.pupils import importing as pupil_data
from models.risk import school_risk

CORPUS = Path(__file__).resolve().parent.parent / "data" / "registri"
SCHOOL = "MIIS00003C"
# file -> (layout, rows or events, pupils, months, sheet and header row found)
EXPECTED = {
    "classeviva_prospetto_3A.csv": ("attendance", 8, 4, ("2025-10", "2025-11"), ("", 5)),
    "argo_riepilogo_2B.csv": ("attendance", 6, 3, ("2025-10", "2025-11"), ("", 4)),
    "nuvola_soglia_4C.txt": ("attendance", 6, 3, ("2025-10", "2025-11"), ("", 4)),
    "axios_prospetto_2A.xlsx": ("attendance", 6, 3, ("2025-10", "2025-11"), ("Assenze", 4)),
    "classeviva_eventi_5A.csv": ("events", 10, 3, ("2025-10", "2025-11"), ("", 3)),
    "argo_eventi_1B.csv": ("events", 8, 3, ("2025-10", "2025-11"), ("", 1)),
    "eventi_4B.xlsx": ("events", 6, 2, ("2025-10", "2025-11"), ("Eventi", 3)),
    # Monday–Saturday schools (cases worked out in test_week_corpus.py)
    "sabato_eventi_2C.csv": ("events", 60, 4, ("2025-10", "2026-01", "2026-02", "2026-03"), ("", 3)),
    # 243 rows of lesson hours and one late entry: 16 + 16 + 18 days (two Saturdays part justified) + 1 = 51
    "ore_lezione_3D.csv": ("events", 51, 3, ("2025-11",), ("", 1)),
    "ambrosiano_eventi_1E.csv": ("events", 18, 2, ("2026-02",), ("", 1)),
    # "%" cells, subtotal and footer rows, blank lines; per-subject reports with subtotals.
    "classeviva_percentuali_totali_1C.csv": ("attendance", 6, 3, ("2025-10", "2025-11"), ("", 4)),
    "argo_materie_3D.csv": ("attendance", 16, 2, ("2025-10", "2025-11"), ("", 4)),
    "axios_materie_2E.xlsx": ("attendance", 12, 2, ("2025-10", "2025-11"), ("Assenze per materia", 3)),
}
# file -> the rows that are not data, as the import's message names them; subjects summed
SKIPPED = {
    "classeviva_percentuali_totali_1C.csv": ("Saltate 4 righe che non sono dati (vuote, totali o medie): riga 8 "
                                             "«Totale classe», riga 12 «Totale classe», riga 13 vuota, riga 14 "
                                             "«Media».", 0),
    "argo_materie_3D.csv": ("Saltate 5 righe che non sono dati (vuote, totali o medie): riga 9 «Totale alunno», "
                            "riga 14 «Totale alunno», riga 19 «Totale alunno», riga 24 «Totale alunno», riga 25 "
                            "vuota.", 4),
    "axios_materie_2E.xlsx": ("Saltata 1 riga che non è un dato (vuote, totali o medie): riga 17 «Totale classe».",
                              3),
}


def test_the_corpus_is_complete():
    files = {p.name for p in CORPUS.iterdir() if p.suffix in (".csv", ".txt", ".xlsx")}
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_register_export_imports_and_scores(demo_db, actors, name):
    layout, count, pupils, months, (sheet, header_row) = EXPECTED[name]
    data = (CORPUS / name).read_bytes()
    table = pupil_data.tabular.read_table(data, name, known=pupil_data.known_headers("attendance"), max_rows=5)
    assert (table.sheet_name, table.header_row) == (sheet, header_row)
    assert pupil_data.layout_of(table.headers) == layout
    summary = pupil_data.import_attendance(demo_db, actors["funzione_strumentale"], SCHOOL, data, name)
    assert (summary.kind, summary.rows, summary.pupils, summary.periods) == (layout, count, pupils, months)
    # Totals, blank lines and subjects: named in the message the page shows, per-subject hours kept as given.
    line, subjects = SKIPPED.get(name, ("Saltat", 0))
    assert (line in summary.message()) == (name in SKIPPED) and summary.subjects == subjects
    assert (f"le ore di {subjects} materie sono state sommate per alunno e mese" in summary.message()) == bool(subjects)
    kept = demo_db.execute("SELECT COUNT(*), COUNT(DISTINCT subject) FROM attendance_subjects").fetchone()
    assert kept == ((count, subjects) if subjects else (0, 0))
    risk = school_risk.school_risk(demo_db, actors["funzione_strumentale"], SCHOOL, as_of=months[-1])
    scored = risk.pupils
    # Lists of one month are not enough to score; a pupil whose months stop before the list's month is listed
    # as such (the Monday–Saturday list of 2C).
    assert len(scored) == pupils
    assert set(scored["level"]) <= {"alto", "medio", "basso"} | ({"dati_insufficienti"} if len(months) == 1 else
                                                                  {"dati_fermi"} if len(months) > 2 else set())
    assert all(reasons for reasons in scored["reasons"])


@pytest.mark.parametrize(("name", "code", "period", "column", "expected"), [
    ("argo_riepilogo_2B.csv", "M2B11", "2025-10", "absence_hours", 12.5),  # 12:30
    ("argo_riepilogo_2B.csv", "M2B13", "2025-10", "justified_hours", 0),
    ("axios_prospetto_2A.xlsx", "X2A02", "2025-10", "scheduled_hours", 130),  # an [h]:mm duration
    ("axios_prospetto_2A.xlsx", "X2A01", "2025-10", "absence_hours", 6.5),  # a time cell, 6:30
    ("nuvola_soglia_4C.txt", "N4C01", "2025-10", "late_entries", None),  # this list has no late entries
    ("classeviva_prospetto_3A.csv", "S3A01", "2025-11", "early_exits", 2),
    ("argo_eventi_1B.csv", "A1B03", "2025-11", "days_absent", 3),
    ("argo_eventi_1B.csv", "A1B03", "2025-11", "justified_days", 0),
    ("eventi_4B.xlsx", "Y4B01", "2025-10", "justified_days", 2),  # crosses
    ("classeviva_eventi_5A.csv", "E5A02", "2025-10", "days_absent", 3),
    ("classeviva_percentuali_totali_1C.csv", "P1C01", "2025-10", "absence_hours", 12.4),  # beside "9,4%"
    # Subjects summed: Italiano 2 + Matematica 1,5 + Inglese 0 + Storia 1 over 20 + 16 + 12 + 8 hours.
    ("argo_materie_3D.csv", "R3D01", "2025-10", "absence_hours", 4.5),
    ("argo_materie_3D.csv", "R3D01", "2025-10", "scheduled_hours", 56),
    ("axios_materie_2E.xlsx", "W2E02", "2025-11", "absence_hours", 17.5),  # 8 + 7,5 + 2
])
def test_the_corpus_means_what_it_says(demo_db, actors, name, code, period, column, expected):
    """Values read back as a person reads them in the file."""
    pupil_data.import_attendance(demo_db, actors["funzione_strumentale"], SCHOOL, (CORPUS / name).read_bytes(), name)
    found = demo_db.execute(f"SELECT {column} FROM attendance WHERE pupil_code = ? AND period = ?",
                            [code, period]).fetchone()
    assert found == (expected,)

