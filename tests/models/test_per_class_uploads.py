"""Uploads that add up: a month is replaced only for the classes (and pupils) a file brings; a month missing
classes is partial and never shown as the school's month."""

import pytest

from models.core.school_year import SchoolYear
from models.demo import demo
from models.network import figures
from models.pupils import coverage
from models.pupils import importing as pupil_data
from models.risk import school_risk

SCHOOL = "MIIS00003C"
HEADER = "Cod. alunno;Classe;Mese;Monte ore;Ore di assenza"


def upload(db, actor, *lines, name="file.csv", **options):
    data = ("\n".join([HEADER, *lines]) + "\n").encode()
    return pupil_data.import_attendance(db, actor, SCHOOL, data, name, **options)


def month_rows(db, period="2026-03"):
    return {code: (class_name, absence) for code, class_name, absence in db.execute(
        "SELECT pupil_code, class_name, absence_hours FROM attendance WHERE school_code = ? AND period = ?",
        [SCHOOL, period]).fetchall()}


def class_lines(class_name, count, month="03/2026", absence=4, prefix=None):
    return [f"{prefix or class_name}{n:02d};{class_name};{month};100;{absence}" for n in range(1, count + 1)]


def test_two_per_class_uploads_of_one_month_keep_both_classes(demo_db, actors):
    actor = actors["funzione_strumentale"]
    upload(demo_db, actor, *class_lines("3B", 3), name="marzo_3B.csv")
    second = upload(demo_db, actor, *class_lines("4A", 2), name="marzo_4A.csv")
    assert second.replaced_classes == () and second.replaced_rows == 0
    rows = month_rows(demo_db)
    assert sorted(rows) == ["3B01", "3B02", "3B03", "4A01", "4A02"]
    assert "Ora: marzo 2026: classi 3B, 4A." in second.message()
    assert "sostituiti" not in second.message()
    # The small tables agree with the rows: 5 rows in March, 3 of 3B and 2 of 4A.
    assert demo_db.execute("SELECT rows FROM attendance_months WHERE period = '2026-03'").fetchone() == (5,)
    assert coverage.class_rows(demo_db, SCHOOL, ["2026-03"]) == {("2026-03", "3B"): 3, ("2026-03", "4A"): 2}


def test_reloading_a_class_replaces_that_class_only_and_says_so(demo_db, actors):
    actor = actors["funzione_strumentale"]
    upload(demo_db, actor, *class_lines("3B", 3))
    upload(demo_db, actor, *class_lines("4A", 2))
    again = upload(demo_db, actor, *class_lines("3B", 2, absence=9), name="marzo_3B_bis.csv")
    assert [(r.class_name, r.before, r.after) for r in again.replaced_classes] == [("3B", 3, 2)]
    assert again.replaced_rows == 3
    assert "I dati già presenti di marzo 2026 classe 3B sono stati sostituiti (3 righe); le altre classi restano." \
        in again.message()
    assert month_rows(demo_db) == {"3B01": ("3B", 9), "3B02": ("3B", 9), "4A01": ("4A", 4), "4A02": ("4A", 4)}


def test_a_class_replaced_by_far_fewer_rows_waits_for_a_yes(demo_db, actors):
    actor = actors["funzione_strumentale"]
    upload(demo_db, actor, *class_lines("3B", 5))
    upload(demo_db, actor, *class_lines("4A", 1))
    with pytest.raises(pupil_data.NeedsConfirmation,
                       match="la classe 3B di marzo 2026 ha 5 righe e il file ne porta 2") as asked:
        upload(demo_db, actor, *class_lines("3B", 2), replace_larger=False)
    assert len(month_rows(demo_db)) == 6 and asked.value.summary.replaced_rows == 5
    # Half or more is an ordinary reload; a new class never asks, however small.
    upload(demo_db, actor, *class_lines("3B", 3), replace_larger=False)
    upload(demo_db, actor, *class_lines("5C", 1), replace_larger=False)
    assert len(month_rows(demo_db)) == 3 + 1 + 1


def test_a_pupil_who_moved_class_takes_the_new_row(demo_db, actors):
    actor = actors["funzione_strumentale"]
    upload(demo_db, actor, "P1;3B;03/2026;100;4", "P2;3B;03/2026;100;4")
    upload(demo_db, actor, "P2;4A;03/2026;100;7", "P3;4A;03/2026;100;1")
    assert month_rows(demo_db) == {"P1": ("3B", 4), "P2": ("4A", 7), "P3": ("4A", 1)}
    assert coverage.class_rows(demo_db, SCHOOL, ["2026-03"]) == {("2026-03", "3B"): 1, ("2026-03", "4A"): 2}


def test_a_month_missing_classes_is_partial_and_not_the_schools_month(demo_db, actors):
    actor = actors["funzione_strumentale"]
    february = class_lines("3B", 5, month="02/2026") + class_lines("4A", 5, month="02/2026")
    upload(demo_db, actor, *february)
    only_3b = upload(demo_db, actor, *class_lines("3B", 5, absence=30))
    assert "marzo 2026: classe 3B; manca 4A (mese parziale)" in only_3b.message()
    held = school_risk.months_held(demo_db, actor, SCHOOL)
    assert (held["2026-02"].partial, held["2026-03"].missing) == (False, ("4A",))
    months = school_risk.periods(demo_db, actor, SCHOOL)
    assert coverage.school_month(months, held) == "2026-02"
    # The network's figures leave the partial March out, and say so: 10 pupils in February, no March row.
    where = figures.scope(demo_db, actors["coordinatore_rete"], demo.NETWORK[0])
    counts = figures.levels_by_month(demo_db, where, SchoolYear(2025))
    mine = counts[counts["school_code"] == SCHOOL]
    assert set(mine["period"]) == {"2026-02"} and mine["pupils"].sum() == 10
    assert [n for n in figures.partial_notes(demo_db, where, SchoolYear(2025)) if "marzo 2026" in n] == [
        f"{where.names[SCHOOL]}: marzo 2026: classe 3B; manca 4A (mese parziale)"]
    # Once 4A comes, March is whole and is the school's month.
    upload(demo_db, actor, *class_lines("4A", 5))
    held = school_risk.months_held(demo_db, actor, SCHOOL)
    assert not held["2026-03"].partial
    assert coverage.school_month(school_risk.periods(demo_db, actor, SCHOOL), held) == "2026-03"


def test_a_dry_run_says_which_classes_the_month_would_hold(demo_db, actors):
    actor = actors["funzione_strumentale"]
    upload(demo_db, actor, *class_lines("3B", 2))
    trial = upload(demo_db, actor, *class_lines("4A", 2), dry_run=True)
    assert "Dopo l'importazione: marzo 2026: classi 3B, 4A." in trial.message()
    assert sorted(month_rows(demo_db)) == ["3B01", "3B02"]


def test_deleting_an_import_keeps_the_class_table_right(demo_db, actors):
    actor = actors["funzione_strumentale"]
    upload(demo_db, actor, *class_lines("3B", 2))
    second = upload(demo_db, actor, *class_lines("4A", 3))
    pupil_data.delete_import(demo_db, actor, SCHOOL, second.import_id)
    assert coverage.class_rows(demo_db, SCHOOL, ["2026-03"]) == {("2026-03", "3B"): 2}
    assert demo_db.execute("SELECT rows FROM attendance_months WHERE period = '2026-03'").fetchone() == (2,)


def test_a_subject_twice_for_one_pupil_and_month_is_reported(demo_db, actors):
    data = (b"Codice alunno;Classe;Mese;Materia;Ore lezione;Ore assenza\n"
            b"W1;1A;03/2026;Italiano;20;3\nW1;1A;03/2026;Italiano;20;3\nW1;1A;03/2026;Storia;8;1\n")
    with pytest.raises(pupil_data.ImportRejected) as refused:
        pupil_data.import_attendance(demo_db, actors["funzione_strumentale"], SCHOOL, data, "materie.csv")
    assert [(p.row, p.message) for p in refused.value.report.problems] == [
        (3, "riga ripetuta: lo stesso alunno, lo stesso mese e la stessa materia compaiono già sopra")]


def test_a_day_by_day_file_of_one_class_keeps_the_other_classes_events(demo_db, actors):
    actor = actors["funzione_strumentale"]
    events = "Codice alunno;Classe;Data;Evento;Ore\n{}\n"
    pupil_data.import_attendance(demo_db, actor, SCHOOL, events.format("E1;3B;2026-03-03;assenza;5").encode(), "3B.csv")
    pupil_data.import_attendance(demo_db, actor, SCHOOL, events.format("E2;4A;2026-03-04;uscita;2").encode(), "4A.csv")
    assert demo_db.execute("SELECT pupil_code, class_name FROM attendance_events ORDER BY 1").fetchall() == [
        ("E1", "3B"), ("E2", "4A")]
    # 3B again, monthly this time: its events go with its month, 4A's stay.
    upload(demo_db, actor, "E1;3B;03/2026;100;2")
    assert demo_db.execute("SELECT pupil_code FROM attendance_events").fetchall() == [("E2",)]


@pytest.mark.parametrize(("uploaded", "download"), [
    ("registro.csv", "problemi_registro.csv"), ("Registro 3B.XLSX", "problemi_Registro 3B.csv"),
    ("assenze.txt", "problemi_assenze.csv"), ("senza_estensione", "problemi_senza_estensione.csv")])
def test_the_problems_file_is_named_once_csv(uploaded, download):
    assert pupil_data.export_name("problemi", uploaded) == download
