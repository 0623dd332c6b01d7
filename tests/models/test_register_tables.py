"""Register exports as schools have them: the table below title lines, on any sheet, with Excel's own types."""

import io
from datetime import datetime, time, timedelta

import pandas as pd
import pytest
from openpyxl import Workbook

from models.core.errors import ApprodoError
from models.pupils import importing as pupil_data
from models.pupils import tabular
from models.pupils.importing import ImportRejected
from models.risk import indicators

SCHOOL = "MIIS00003C"


def workbook(*sheets, formats=None) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for cell, number_format in (formats or {}).get(title, {}).items():
            sheet[cell].number_format = number_format
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def stored(db, code):
    return {r["period"]: r for r in db.query("SELECT * FROM attendance WHERE pupil_code = ?", [code])}


TITLED_CSV = (
    b"Istituto di Istruzione Superiore \"G. Galilei\";;;;\n"
    b"Prospetto assenze orarie - classe 3A;;;;\n"
    b"Periodo: 01/10/2025 - 31/10/2025;;;;\n"
    b";;;;\n"
    b"Codice alunno;Classe;Mese;Monte ore;Ore di assenza\n"
    b"T1;3A;ottobre 2025;120;12,5\n"
    b"T2;3A;ottobre 2025;120;ventidue\n"
)


def test_a_csv_table_below_title_lines_is_found_and_errors_name_the_real_row(demo_db, actors):
    table = tabular.read_table(TITLED_CSV, "p.csv", known=pupil_data.known_headers("attendance"))
    assert (table.header_row, table.headers[0], list(table.frame.index)) == (5, "Codice alunno", [6, 7])
    assert table.title_lines[1] == "Prospetto assenze orarie - classe 3A"
    with pytest.raises(ImportRejected) as rejected:
        pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL, TITLED_CSV, "p.csv")
    assert [(p.row, p.column) for p in rejected.value.report.problems] == [(7, "Ore di assenza")]
    fixed = TITLED_CSV.replace(b"ventidue", b"22")
    summary = pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL, fixed, "p.csv")
    assert (summary.rows, summary.periods) == (2, ("2025-10",))
    assert stored(demo_db, "T1")["2025-10"]["absence_hours"] == 12.5


def test_the_header_row_can_be_given_when_the_guess_is_wrong(demo_db, actors):
    with pytest.raises(ApprodoError, match="mancano colonne obbligatorie"):
        pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL, TITLED_CSV, "p.csv", header_row=2,
                                     dry_run=True)
    summary = pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL,
                                           TITLED_CSV.replace(b"ventidue", b"22"), "p.csv", header_row=5,
                                           dry_run=True)
    assert summary.rows == 2


def test_the_sheet_holding_the_table_is_chosen_and_excel_types_mean_what_they_say(demo_db, actors):
    data = workbook(
        ("Info", [["Stampa del registro"], ["Anno scolastico 2025/26"]]),
        ("Assenze", [["Liceo Volta - prospetto assenze"], [],
                     ["Alunno", "Classe", "Periodo", "Monte ore", "Ore assenza", "% assenze", "Ritardi"],
                     ["X1", "4B", datetime(2025, 11, 1), timedelta(hours=110), time(12, 30), 12.5 / 110, 2],
                     ["X2", "4B", datetime(2025, 11, 1), datetime(1900, 1, 4, 12, 0), timedelta(hours=30),
                      30 / 108, 0]]),
        formats={"Assenze": {"F4": "0.0%", "F5": "0.0%"}})
    table = tabular.read_table(data, "v.xlsx", known=pupil_data.known_headers("attendance"))
    assert (table.sheet_name, table.sheet_number, table.header_row) == ("Assenze", 2, 3)
    assert list(table.frame["Periodo"]) == ["2025-11-01", "2025-11-01"]
    assert list(table.frame["Ore assenza"]) == ["12:30", "30:00"]
    assert list(table.frame["Monte ore"]) == ["110:00", "108:00"]  # 1900-01-04 12:00 is 108 hours
    pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL, data, "v.xlsx")
    row = stored(demo_db, "X2")["2025-11"]
    assert (row["scheduled_hours"], row["absence_hours"], row["late_entries"], row["early_exits"]) == (
        108, 30, 0, None)


def test_the_sheet_can_be_given_and_a_wrong_number_is_an_italian_error(demo_db, actors):
    data = workbook(("A", [["Codice", "Classe"], ["Z", "1A"]]), ("B", [["Nulla"]]))
    with pytest.raises(ApprodoError, match="ha 2 fogli"):
        tabular.read_table(data, "x.xlsx", sheet=3)
    assert tabular.read_table(data, "x.xlsx", sheet=1).headers == ["Codice", "Classe"]


def test_a_percentage_column_in_0_100_keeps_its_scale_for_pupils_under_one_percent(demo_db, actors):
    data = (b"Cod. alunno;Classe;Mese;Monte ore;Ore di assenza;% assenze\n"
            b"A1;1A;10/2025;100;1;1,0\nA2;1A;10/2025;100;25;25\nA3;1A;10/2025;100;0,5;0,5\n")
    summary = pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL, data, "pct.csv")
    assert summary.rows == 3
    fractions = (b"Cod. alunno;Classe;Mese;Monte ore;Ore di assenza;% assenze\n"
                 b"A1;1A;11/2025;100;1;0,01\nA2;1A;11/2025;100;25;0,25\nA3;1A;11/2025;100;50;0,25\n")
    with pytest.raises(ImportRejected) as rejected:
        pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL, fractions, "frazioni.csv")
    assert [(p.row, p.column) for p in rejected.value.report.problems] == [(4, "% assenze")]


def test_percent_scale_is_decided_for_the_column():
    computed = pd.Series([1.0, 25.0, 0.5])
    assert list(pupil_data.percent_scale(pd.Series([1.0, 25.0, 0.5]), computed)) == [1.0, 25.0, 0.5]
    assert list(pupil_data.percent_scale(pd.Series([0.01, 0.25, 0.005]), computed)) == [1.0, 25.0, 0.5]


def test_without_late_entries_and_early_exits_the_indicator_is_not_available(demo_db, actors):
    data = (b"Cod. alunno;Classe;Mese;Monte ore;Ore di assenza\n"
            b"L1;2A;10/2025;100;5\nL1;2A;11/2025;100;6\n")
    pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL, data, "corto.csv")
    assert stored(demo_db, "L1")["2025-10"]["late_entries"] is None
    from models.risk import school_risk

    pupils = school_risk.school_risk(demo_db, actors["dirigente"], SCHOOL).pupils
    row = pupils[pupils["pupil_code"] == "L1"].iloc[0]
    assert indicators.rate(row["late_per_month"]) == "non disponibile"
    assert not any("ingressi posticipati" in r for r in row["reasons"])
    with_late = (b"Cod. alunno;Classe;Mese;Monte ore;Ore di assenza;Ritardi\n"
                 b"L2;2A;10/2025;100;5;4\nL2;2A;11/2025;100;6;4\n")
    pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL, with_late, "ritardi.csv")
    pupils = school_risk.school_risk(demo_db, actors["dirigente"], SCHOOL).pupils
    row = pupils[pupils["pupil_code"] == "L2"].iloc[0]
    assert indicators.rate(row["late_per_month"]) == "4"
    assert any("ingressi posticipati" in r for r in row["reasons"])


def test_a_preview_reads_only_the_first_rows():
    lines = "\n".join(f"P{i};1A;10/2025;100;1" for i in range(500))
    data = ("Codice alunno;Classe;Mese;Monte ore;Ore di assenza\n" + lines).encode()
    table = tabular.read_table(data, "big.csv", max_rows=8)
    assert len(table.frame) == 8 and not table.complete


def test_a_mapping_saved_by_one_school_is_offered_to_the_network_for_the_same_headers(demo_db, actors):
    headers = ["Matr.", "Cl.", "Mese rif.", "Tot. ore", "Ore ass."]
    mapping = {"pupil_code": "Matr.", "class_name": "Cl.", "period": "Mese rif.", "scheduled_hours": "Tot. ore",
               "absence_hours": "Ore ass."}
    pupil_data.save_preset(demo_db, actors["dirigente"], SCHOOL, "attendance", "Nuvola", mapping, headers)
    from dataclasses import replace

    # The dirigente of another school of the same network (the demo network's lower secondary school).
    other_school = "MIMM00002B"
    other = replace(actors["dirigente"], user_id=None, username="dirigente.tiglio", school_code=other_school)
    assert pupil_data.presets(demo_db, actors["other_dirigente"], actors["other_dirigente"].school_code,
                              "attendance", headers) == {}  # another network: nothing travels there
    offered = pupil_data.presets(demo_db, other, other_school, "attendance", headers)
    assert list(offered) == ["Nuvola (Istituto di istruzione superiore «Ponte Nuovo»)"]
    assert next(iter(offered.values())) == mapping
    # Other headers: nothing offered; the school's own list is its own.
    assert pupil_data.presets(demo_db, other, other_school, "attendance", headers[:4]) == {}
    assert pupil_data.presets(demo_db, other, other_school, "attendance") == {}
    data = b"Matr.;Cl.;Mese rif.;Tot. ore;Ore ass.\nW1;1A;2025-10;100;3\n"
    summary = pupil_data.import_attendance(demo_db, other, other_school, data, "n.csv", next(iter(offered.values())))
    assert summary.rows == 1


def test_an_overlong_cell_below_title_lines_is_named_by_its_real_row():
    text = ("Riepilogo assenze;;\nClasse 3A;;\n\nCod. alunno;Classe;Mese\nA1;3A;02/2026\nA2;" + "x" * 6_000
            + ";02/2026\n")
    with pytest.raises(ApprodoError, match=r"alla riga 6, colonna «Classe» è troppo lunga"):
        tabular.read_table(text.encode(), "registro.csv", known=pupil_data.known_headers("attendance"))
