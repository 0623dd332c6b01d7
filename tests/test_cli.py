"""The command line against a temporary APPRODO_DB: in-process through click's CliRunner (as sqlite-utils
tests its CLI), with a few subprocess runs for what only a real process shows (exit status, stdin, no traceback)."""

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import cli_in_process, copy_prepared

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def demo(tmp_path):
    """The CLI's database starts as the demo (what `init-db --demo` makes: built once, copied)."""
    copy_prepared("init-db --demo", tmp_path / "cli.db")


@pytest.fixture
def run(tmp_path, monkeypatch):
    """The CLI in this process: fast, and the same code path as a real run after argument parsing."""
    return cli_in_process(tmp_path / "cli.db", monkeypatch)


@pytest.fixture
def run_process(tmp_path):
    """The CLI as a separate process, as a user or a cron job runs it."""
    env = {**os.environ, "APPRODO_DB": str(tmp_path / "cli.db")}

    def run(*args, stdin=""):
        return subprocess.run(
            [sys.executable, "cli.py", *args],
            cwd=ROOT, env=env, input=stdin, capture_output=True, text=True, timeout=60,
        )

    return run


def assert_italian_failure(result, *fragments):
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


def test_init_db_with_demo_then_add_network_school_and_user(demo, run, tmp_path):
    # `demo` is what `cli.py init-db --demo` made, run once as a process (its exit status checked there).
    assert run("add-network", "RETEBG", "--name", "Rete bergamasca").returncode == 0
    result = run(
        "add-school", "BGIC81200X", "--name", "IC Bergamo", "--network", "RETEBG",
        "--level", "secondaria_primo_grado", "--annual-hours", "957",
    )
    assert result.returncode == 0, result.stderr
    result = run("add-user", "m.rossi", "--role", "dirigente", "--school", "BGIC81200X",
                 "--password-stdin", stdin="una-password-lunga\n")
    assert result.returncode == 0, result.stderr
    db = sqlite3.connect(tmp_path / "cli.db")
    assert db.execute("SELECT annual_hours FROM schools WHERE code = 'BGIC81200X'").fetchone() == (957,)
    assert db.execute("SELECT role, school_code FROM users WHERE username = 'm.rossi'").fetchone() == (
        "dirigente", "BGIC81200X")
    assert db.execute("SELECT COUNT(*) FROM networks").fetchone() == (3,)  # the demo's two, and the new one


def test_init_db_demo_twice_is_harmless(demo, run):
    second = run("init-db", "--demo")  # on what a first `init-db --demo` made
    assert second.returncode == 0 and "c'è già" in second.stdout


@pytest.mark.parametrize(
    ("args", "stdin", "fragments"),
    [
        (("add-user", "x.y", "--role", "preside", "--school", "MIIS00003C", "--password-stdin"),
         "password-lunga\n", ["Ruolo «preside» sconosciuto"]),
        (("add-school", "miee1", "--name", "X", "--network", "RETEDEMO", "--level", "primaria"),
         "", ["codice meccanografico", "10 lettere"]),
        (("add-school", "MIEE12345X", "--name", "X", "--network", "NOPE", "--level", "primaria"),
         "", ["La rete NOPE non esiste"]),
        (("add-user", "dirigente", "--role", "docente", "--school", "MIIS00003C", "--password-stdin"),
         "password-lunga\n", ["Esiste già un utente «dirigente»"]),
        (("add-user", "nuovo", "--role", "docente", "--school", "MIIS00003C", "--password-stdin"),
         "corta\n", ["almeno 10 caratteri"]),
        (("add-user", "nuovo", "--role", "docente", "--school", "MIIS00003C"), "", ["--password-stdin"]),
        (("add-network", "RETEDEMO", "--name", "Doppia"), "", ["Esiste già una rete"]),
        (("add-school", "MIEE12345X"), "", ["Manca l'opzione --name"]),
        (("add-school",), "", ["Manca l'argomento CODE"]),
        (("add-school", "MIEE12345X", "--name", "X", "--network", "RETEDEMO", "--level", "primaria",
          "--annual-hours", "molte"), "", ["Valore non valido per --annual-hours"]),
        (("non-esiste",), "", ["Comando sconosciuto"]),
    ],
)
def test_bad_input_exits_1_with_one_italian_sentence(demo, run, args, stdin, fragments):
    assert_italian_failure(run(*args, stdin=stdin), *fragments)


def test_a_real_process_exits_1_with_one_italian_sentence_and_no_traceback(demo, run_process):
    assert_italian_failure(run_process("add-school", "MIEE12345X", "--name", "X", "--network", "NOPE",
                                       "--level", "primaria"), "La rete NOPE non esiste")
    assert_italian_failure(run_process("non-esiste"), "Comando sconosciuto")


def test_backup_writes_a_copy_that_passes_the_integrity_check(demo, run, tmp_path):
    result = run("backup", str(tmp_path / "copie" / "approdo-backup.db"))
    assert result.returncode == 0, result.stderr
    copy = sqlite3.connect(tmp_path / "copie" / "approdo-backup.db")
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert copy.execute("SELECT COUNT(*) FROM schools").fetchone() == (7,)  # the demo's two networks


def test_backup_out_then_restore_gives_back_the_copy(demo, run, tmp_path):
    copy = tmp_path / "copie" / "approdo.db"
    assert run("backup", "--out", str(copy)).returncode == 0
    assert run("add-network", "RETEDOPO", "--name", "Dopo la copia").returncode == 0
    result = run("restore", str(copy))
    assert result.returncode == 0, result.stderr
    assert "Database ripristinato" in result.stdout and "prima-del-ripristino" in result.stdout
    db = sqlite3.connect(tmp_path / "cli.db")
    assert db.execute("SELECT COUNT(*) FROM networks WHERE code = 'RETEDOPO'").fetchone() == (0,)
    assert db.execute("SELECT COUNT(*) FROM schools").fetchone() == (7,)
    assert db.execute("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1").fetchone() == ("ripristino",)
    assert (tmp_path / "cli.db").stat().st_mode & 0o777 == 0o600
    assert_italian_failure(run("restore", str(tmp_path / "cli.db")), "è il database in uso")
    assert_italian_failure(run("backup"), "--out FILE")


def test_backup_to_an_unwritable_place_is_an_italian_error(run, tmp_path):
    run("init-db")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert_italian_failure(run("backup", str(blocker / "sub" / "copy.db")), "Non riesco a scrivere")


def test_cli_changes_are_in_the_audit_log(run, tmp_path):
    run("init-db")
    run("add-network", "RETEBG", "--name", "Rete bergamasca")
    db = sqlite3.connect(tmp_path / "cli.db")
    actor, action = db.execute("SELECT actor, action FROM audit_log WHERE target = 'RETEBG'").fetchone()
    assert actor.startswith("cli:") and action == "rete_creata"


def test_protocol_status_prints_each_school_of_the_network(demo, run):
    result = run("protocol-status", "--network", "RETEDEMO")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    school_line = next(line for line in lines if line.startswith("MIIS00003C"))
    assert "In revisione" in school_line and "«Ponte Nuovo»" in school_line
    # The demo's primary school has a protocol too: it adopted a good practice of the other network.
    assert sum(1 for line in lines if "non avviato" in line) == 2
    assert lines[-1] == "Scuole con il protocollo avviato: 2 su 4."


def test_protocol_status_of_an_unknown_network_is_an_italian_error(run):
    run("init-db")
    assert_italian_failure(run("protocol-status", "--network", "NOPE"), "La rete NOPE non esiste.")


def test_export_protocol_core_and_network_then_import(demo, run, tmp_path):
    import io
    import zipfile

    from docx import Document

    out = tmp_path / "export" / "ponte.docx"
    result = run("export-protocol", "--school", "MIIS00003C", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Chi fa che cosa" in "\n".join(p.text for p in Document(out).paragraphs)

    ambiguous = run("export-core", "--network", "RETEDEMO", "--out", str(tmp_path / "core.docx"))
    assert_italian_failure(ambiguous, "--level")
    result = run("export-core", "--network", "RETEDEMO", "--level", "primaria", "--out", str(tmp_path / "core.docx"))
    assert result.returncode == 0 and (tmp_path / "core.docx").stat().st_size > 10_000

    result = run("export-network", "--network", "RETEDEMO", "--out", str(tmp_path / "rete.zip"))
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "rete.zip") as archive:
        assert "protocollo_accoglienza_MIIS00003C.docx" in archive.namelist()
        Document(io.BytesIO(archive.read("protocollo_accoglienza_MIIS00003C.docx")))

    result = run("import-protocol", str(out), "--school", "MIMM00002B")
    assert result.returncode == 0, result.stderr
    assert "Chi fa che cosa" in result.stdout and re.search(r"-> +\d+\. soggetti", result.stdout)
    status = run("protocol-status", "--network", "RETEDEMO").stdout
    assert next(line for line in status.splitlines() if line.startswith("MIMM00002B")).split()[1] == "Bozza"


def test_export_protocol_pdf_when_libreoffice_is_there(demo, run, tmp_path):
    import shutil

    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        pytest.skip("LibreOffice is not installed")
    result = run("export-protocol", "--school", "MIIS00003C", "--out", str(tmp_path / "p.docx"), "--pdf")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "p.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("export-protocol", "--school", "MIRI00004D", "--out", "x.docx"), ["non ha ancora un protocollo"]),
        (("export-protocol", "--school", "bad", "--out", "x.docx"), ["codice meccanografico"]),
        (("export-network", "--network", "NOPE", "--out", "x.zip"), ["La rete NOPE non esiste"]),
        (("import-protocol", "cli.py", "--school", "MIIS00003C"), ["non è un documento Word"]),
        (("import-protocol", "non-esiste.docx", "--school", "MIIS00003C"), ["Non riesco a leggere"]),
    ],
)
def test_word_commands_explain_bad_input_in_italian(demo, run, args, fragments):
    assert_italian_failure(run(*args), *fragments)


def test_synth_writes_register_files_that_import_attendance_reads(demo, run, tmp_path):
    result = run("synth", "--level", "secondaria_primo_grado", "--pupils", "60", "--years", "2024/25-2025/26",
                 "--seed", "4", "--out", str(tmp_path / "syn"))
    assert result.returncode == 0, result.stderr
    checked = run("import-attendance", str(tmp_path / "syn" / "frequenze.csv"), "--school", "MIMM00002B", "--dry-run")
    assert checked.returncode == 0 and checked.stdout.startswith("Controllo riuscito")
    # The demo already had these months, with more pupils: replacing them takes --replace (or a yes).
    done = run("import-attendance", str(tmp_path / "syn" / "frequenze.csv"), "--school", "MIMM00002B", "--replace")
    assert "sono stati sostituiti" in done.stdout
    assert run("import-context", str(tmp_path / "syn" / "contesto.csv"), "--school", "MIMM00002B").returncode == 0
    assert run("import-outcomes", str(tmp_path / "syn" / "esiti.csv"), "--school", "MIMM00002B").returncode == 0


def test_score_prints_the_documented_columns_and_logs_the_read(demo, run, tmp_path):
    import json
    import sqlite3

    result = run("score", "--school", "MIIS00003C", "--as-of", "2026-01")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("\"DATI PERSONALI DI MINORI")  # quoted: it holds commas
    assert lines[1].startswith("codice_alunno;classe;livello;assenze_pct;proiezione_pct;ore_residue;motivi;")
    assert len(lines) > 400
    out = tmp_path / "rischio.json"
    assert run("score", "--school", "MIIS00003C", "--format", "json", "--out", str(out)).returncode == 0
    data = json.loads(out.read_text())
    assert data["al_mese"] == "2026-02" and data["alunni"][0]["livello"] == "alto"
    db = sqlite3.connect(tmp_path / "cli.db")
    assert db.execute("SELECT COUNT(*) FROM access_log WHERE what = 'elenco rischio'").fetchone()[0] == 2
    assert run("score", "--school", "MIIS00003C", "--format", "xlsx").returncode == 1  # a workbook needs --out
    book = tmp_path / "rischio.xlsx"
    assert run("score", "--school", "MIIS00003C", "--format", "xlsx", "--out", str(book)).returncode == 0
    from openpyxl import load_workbook

    assert load_workbook(book).active["A1"].value.startswith("DATI PERSONALI DI MINORI")


def test_purge_reports_what_it_removed_and_refuses_the_kept_years(demo, run, tmp_path):
    import sqlite3

    kept = run("purge", "--school", "MIIS00003C", "--before", "2025/27")
    assert kept.returncode == 1 and "Anno scolastico «2025/27» non valido" in kept.stderr
    too_recent = run("purge", "--school", "MIIS00003C", "--before", "2026/27")
    assert too_recent.returncode == 1 and "conserva i dati per 3 anni scolastici" in too_recent.stderr
    trial = run("purge", "--school", "MIIS00003C", "--before", "2024/25", "--dry-run")
    assert trial.returncode == 0
    assert trial.stdout.startswith("Si eliminerebbero i dati degli alunni precedenti al 2024/25")
    db = sqlite3.connect(tmp_path / "cli.db")
    before = db.execute("SELECT COUNT(*) FROM attendance WHERE school_code = 'MIIS00003C'").fetchone()[0]
    done = run("purge", "--school", "MIIS00003C", "--before", "2024/25")
    assert done.returncode == 0 and "righe di frequenza mensile" in done.stdout, done.stderr
    removed = int(done.stdout.splitlines()[1].split()[1])
    after = db.execute("SELECT COUNT(*) FROM attendance WHERE school_code = 'MIIS00003C'").fetchone()[0]
    assert removed > 0 and after == before - removed
    assert db.execute("SELECT MIN(period) FROM attendance WHERE school_code = 'MIIS00003C'").fetchone()[0] >= "2024-09"
    assert run("set-retention", "--school", "MIIS00003C", "--years", "11").returncode == 1


def test_a_rejected_attendance_file_lists_rows_and_exits_1(demo, run, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("Cod. alunno;Classe;Mese;Monte ore;Ore di assenza;N° entrate posticipate;N° uscite anticipate\n"
                   "A1;1A;10/2025;100;200;0;0\n")
    result = run("import-attendance", str(bad), "--school", "MIIS00003C")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "riga 2, colonna «Ore di assenza»" in result.stderr and "nulla è cambiato" in result.stderr


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (("score", "--school", "MIIS00003C", "--format", "xml"), ["scegli tra csv, xlsx, json"]),
        (("score", "--school", "MIIS00003C", "--as-of", "ieri"), ["2026-02"]),
        (("import-attendance", "nessuno.csv", "--school", "MIIS00003C"), ["Non riesco a leggere"]),
        (("import-attendance", "README.md", "--school", "MIIS00003C", "--mapping", "Boh"), ["Boh"]),
        (("synth", "--pupils", "10", "--years", "2024/25"), ["--school"]),
        (("assign-classes", "dirigente", "--classes", "1A"), ["ai docenti"]),
    ],
)
def test_pupil_commands_explain_bad_input_in_italian(demo, run, args, fragments):
    assert_italian_failure(run(*args), *fragments)


def test_report_writes_word_and_excel_without_pupil_codes(demo, run, tmp_path):
    import sqlite3

    from docx import Document
    from openpyxl import load_workbook

    word, excel = tmp_path / "rapporto.docx", tmp_path / "rapporto.xlsx"
    done = run("report", "--network", "RETEDEMO", "--year", "2025/26", "--out", str(word))
    assert done.returncode == 0 and "4 scuole" in done.stdout, done.stderr
    assert run("report", "--network", "RETEDEMO", "--year", "2025/26", "--out", str(excel)).returncode == 0
    text = "\n".join(p.text for p in Document(word).paragraphs)
    cells = " ".join(str(c) for sheet in load_workbook(excel) for row in sheet.iter_rows(values_only=True) for c in row)
    assert "Rapporto della rete «Rete di esempio»" in text and "Alunni con assenza cronica" in cells
    db = sqlite3.connect(tmp_path / "cli.db")
    some_code = db.execute("SELECT pupil_code FROM attendance LIMIT 1").fetchone()[0]
    assert some_code not in text and some_code not in cells
    from tests.models.test_network_figures import pupil_counts_in_xlsx

    counts = list(pupil_counts_in_xlsx(excel.read_bytes()))
    assert counts and all(v == 0 or v >= 5 for _, _, v in counts)  # small cells suppressed in the CLI's file too
    wrong = run("report", "--network", "RETEDEMO", "--year", "2025/26", "--out", str(tmp_path / "r.pdf"))
    assert wrong.returncode == 1 and ".docx" in wrong.stderr


UCI = ROOT / ".." / "shared" / "data" / "uci-student-performance"


@pytest.mark.skipif(not (UCI / "student-mat.csv").exists(), reason="the shared UCI data is not beside the project")
def test_evaluate_table_on_the_uci_data_reports_auc_and_the_group_audit(run):
    import json

    result = run("evaluate-table", str(UCI / "student-mat.csv"), "--outcome", "G3 < 10", "--features",
                 "absences,failures,age,studytime", "--group", "sex", "--group", "school", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["rows"] == 395 and data["positives"] == 130 and data["folds"] == 5
    assert 0.6 < data["auc"] < 0.8
    assert {(a["group"], a["value"]) for a in data["audit"]} == {("sex", "F"), ("sex", "M"), ("school", "GP"),
                                                                 ("school", "MS")}
    assert all({"precision", "fpr", "fnr", "precision_ratio", "fpr_ratio", "fnr_ratio"} <= set(a)
               for a in data["audit"])
    bad = run("evaluate-table", str(UCI / "student-mat.csv"), "--outcome", "__import__('os')", "--features", "age")
    assert bad.returncode == 1 and "Esito «__import__('os')» non valido" in bad.stderr


def test_train_and_evaluate_on_the_demo_network(demo, run):
    import json

    trained = run("train", "--network", "RETEDEMO")
    assert trained.returncode == 0, trained.stderr
    assert "verificato sul 2024/25" in trained.stdout and "restano le regole" in trained.stdout
    evaluated = run("evaluate", "--network", "RETEDEMO", "--k", "20", "--format", "json")
    data = json.loads(evaluated.stdout)
    assert data["k"] == 20 and data["metrics"]["model"]["flagged"] == 40  # 20 pupils in each of two schools
    assert {"model", "rules"} == set(data["audit"]) and "params" not in data
    assert run("evaluate", "--network", "RETEDEMO", "--k", "boh").returncode == 1


def test_import_attendance_with_sheet_and_header_row(run, demo, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Note"
    book.active.append(["Stampa del registro"])
    table = book.create_sheet("Prospetto")
    for row in (["Scuola secondaria - febbraio 2026"], [], ["Codice alunno", "Classe", "Mese", "Monte ore",
                                                            "Ore di assenza"], ["K1", "1A", "2026-02", 90, 9]):
        table.append(row)
    path = tmp_path / "prospetto.xlsx"
    book.save(path)
    wrong = run("import-attendance", str(path), "--school", "MIIS00003C", "--sheet", "2", "--header-row", "1",
                "--dry-run")
    assert_italian_failure(wrong, "mancano colonne obbligatorie")
    found = run("import-attendance", str(path), "--school", "MIIS00003C", "--dry-run")
    assert found.returncode == 0 and "Controllo riuscito: 1 righe" in found.stdout
    # One row over a month the demo fills: replacing it takes --replace.
    chosen = run("import-attendance", str(path), "--school", "MIIS00003C", "--sheet", "2", "--header-row", "3",
                 "--replace")
    assert chosen.returncode == 0 and "Importazione riuscita: 1 righe" in chosen.stdout


def test_import_attendance_day_by_day_and_with_pseudonyms(run, demo, tmp_path):
    events = tmp_path / "eventi.csv"
    events.write_text("Codice alunno;Classe;Data;Evento;Ore;Giustificata\n"
                      "E1;3A;2025-10-06;assenza;5;S\nE1;3A;2025-10-08;uscita;2;N\n", encoding="utf-8")
    # Small files over months the demo fills: --replace says yes beforehand.
    done = run("import-attendance", str(events), "--school", "MIIS00003C", "--replace")
    assert done.returncode == 0 and "2 eventi giorno per giorno, 1 alunni" in done.stdout
    names = tmp_path / "nomi.csv"
    names.write_text("Alunno;Data di nascita;Classe;Mese;Monte ore;Ore di assenza\n"
                     "Zanardelli Mario;03/04/2011;2A;10/2025;100;10\n", encoding="utf-8")
    assert_italian_failure(run("import-attendance", str(names), "--school", "MIIS00003C"), "nomi e cognomi")
    assert_italian_failure(run("import-attendance", str(names), "--school", "MIIS00003C", "--pseudonymise"),
                           "--key-out")
    key = tmp_path / "chiave.csv"
    first = run("import-attendance", str(names), "--school", "MIIS00003C", "--pseudonymise", "--key-out", str(key),
                "--replace")
    assert first.returncode == 0, first.stderr
    code = key.read_text(encoding="utf-8-sig").splitlines()[1].split(";")[2]
    run("import-attendance", str(names), "--school", "MIIS00003C", "--pseudonymise", "--key-out", str(key), "--replace")
    assert key.read_text(encoding="utf-8-sig").splitlines()[1].split(";")[2] == code
    with sqlite3.connect(tmp_path / "cli.db") as conn:
        assert conn.execute("SELECT pupil_code FROM attendance WHERE pupil_code LIKE 'PS%'").fetchall() == [(code,)]


def test_set_class_hours_and_calendar(run, demo, tmp_path):
    assert run("set-class-hours", "--school", "MIIS00003C", "--class", "3a", "--hours", "32").returncode == 0
    result = run("set-class-hours", "--school", "MIIS00003C", "--hours", "30", "--days", "6")
    assert result.returncode == 0 and "lun 5, mar 5, mer 5, gio 5, ven 5, sab 5 (30 ore)" in result.stdout
    result = run("set-class-hours", "--school", "MIIS00003C", "--class", "2A",
                 "--week", "lun 6,mar 6,mer 6,gio 6,ven 4,sab 4")
    assert result.returncode == 0 and "classe 2A" in result.stdout and "(32 ore)" in result.stdout
    assert_italian_failure(run("set-class-hours", "--school", "MIIS00003C", "--week", "lun 6, dom 6"),
                           "non è un giorno")
    assert_italian_failure(run("set-class-hours", "--school", "MIIS00003C", "--class", "9Z", "--hours", "30"),
                           "La classe «9Z» non c'è nei dati della scuola. Classi note:")
    closed = tmp_path / "chiusi.txt"
    closed.write_text("02/01/2026 ponte\n", encoding="utf-8")
    result = run("set-school-calendar", "--school", "MIIS00003C", "--rite", "ambrosiano", "--closed", str(closed))
    assert result.returncode == 0 and "rito ambrosiano, 1 periodi chiusi" in result.stdout
    with sqlite3.connect(tmp_path / "cli.db") as conn:
        assert conn.execute("SELECT rite, closed FROM school_local_calendar").fetchall() == [
            ("ambrosiano", '[["2026-01-02", "2026-01-02", "ponte"]]')]
        assert conn.execute("SELECT hours FROM class_weeks WHERE class_name = '2A'").fetchall() == [
            ("[6.0, 6.0, 6.0, 6.0, 4.0, 4.0]",)]
    holidays = tmp_path / "vacanze.txt"
    holidays.write_text("22/12/2025 - 06/01/2026 Natale\n", encoding="utf-8")
    result = run("set-calendar", "2025/26", "--first-day", "12/09/2025", "--last-day", "08/06/2026",
                 "--holidays", str(holidays))
    assert result.returncode == 0 and "giorni di lezione" in result.stdout
    assert_italian_failure(run("set-calendar", "2025/26", "--first-day", "12/09/2030", "--last-day", "08/06/2026"),
                           "anno scolastico 2025/26")

# --- core-section: the core's structure, seen by the schools as updates ------------------------------

CORE = ("--network", "RETEDEMO", "--level", "secondaria_secondo_grado")


def school_view(tmp_path):
    from models.core import db as database
    from models.protocols import protocol as protocols
    from tests.conftest import actor_named

    db = database.connect(tmp_path / "cli.db")
    dirigente = actor_named(db, "dirigente")
    protocol = protocols.school_protocol(db, dirigente, "MIIS00003C")
    return db, dirigente, protocol


def test_unlock_move_and_remove_reach_the_school_as_updates(demo, run, tmp_path):
    listed = run("core-section", "list", *CORE)
    assert listed.returncode == 0
    assert listed.stdout.splitlines()[0].split()[:2] == ["1.", "premessa"]

    unlocked = run("core-section", "unlock", *CORE, "--section", "premessa")
    assert unlocked.returncode == 0, unlocked.stderr
    assert unlocked.stdout.strip() == "«Premessa e finalità»: comune, adattabile dalla scuola."
    again = run("core-section", "unlock", *CORE, "--section", "premessa")
    assert again.returncode == 1 and "è già" in again.stderr

    assert run("core-section", "move", *CORE, "--section", "allegati", "--to", "1").returncode == 0
    assert run("core-section", "rename", *CORE, "--section", "tempi", "--title", "Tempi").returncode == 0
    assert run("core-section", "remove", *CORE, "--section", "monitoraggio").returncode == 0
    assert run("core-section", "list", *CORE).stdout.splitlines()[0].split()[:2] == ["1.", "allegati"]

    from models.protocols import protocol as protocols
    from models.protocols import structure as protocol_structure

    db, dirigente, protocol = school_view(tmp_path)
    premessa = next(s for s in protocols.list_sections(db, dirigente, protocol.id) if s.key == "premessa")
    assert protocols.may_edit_section(dirigente, protocol, premessa)
    kinds = {u.kind for u in protocol_structure.pending_updates(db, dirigente, protocol.id).structure}
    assert kinds == {"unlocked", "reordered"}  # renaming and removing wait until the core is published
    from tests.conftest import actor_named, publish_core

    publish_core(db, actor_named(db, "coordinatrice"), protocol.core_id)
    kinds = {u.kind for u in protocol_structure.pending_updates(db, dirigente, protocol.id).structure}
    assert kinds == {"unlocked", "reordered", "renamed", "removed"}
    # Nothing was removed under the school's feet.
    assert "monitoraggio" in [s.key for s in protocols.list_sections(db, dirigente, protocol.id)]


def test_core_section_explains_bad_input_in_italian(demo, run):
    missing = run("core-section", "rename", *CORE, "--section", "nessuna", "--title", "X")
    assert missing.returncode == 1 and missing.stderr.strip() == "Il protocollo comune non ha la sezione «nessuna»."
    no_section = run("core-section", "lock", *CORE)
    assert no_section.returncode == 1 and "--section" in no_section.stderr
    bad_position = run("core-section", "move", *CORE, "--section", "tempi", "--to", "99")
    assert bad_position.returncode == 1 and "--to" in bad_position.stderr
    ambiguous = run("core-section", "list", "--network", "RETEDEMO")
    assert ambiguous.returncode == 1 and "--level" in ambiguous.stderr


def test_set_logo_stores_a_checked_logo_and_refuses_what_is_not_an_image(demo, run, tmp_path):
    import io

    from PIL import Image

    good = tmp_path / "logo.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (300, 90), "navy").save(buffer, format="JPEG")
    good.write_bytes(buffer.getvalue())
    result = run("set-logo", str(good), "--school", "MIIS00003C")
    assert result.returncode == 0, result.stderr
    assert sqlite3.connect(tmp_path / "cli.db").execute("SELECT COUNT(*) FROM school_logos").fetchone() == (1,)
    bad = tmp_path / "logo.png"
    bad.write_text("<svg/>")
    assert_italian_failure(run("set-logo", str(bad), "--school", "MIIS00003C"), "PNG o JPEG")


def test_create_core_then_a_school_imports_into_it(run, tmp_path):
    run("init-db")
    run("add-network", "RETEBG", "--name", "Rete bergamasca")
    result = run("create-core", "--network", "RETEBG", "--level", "primaria", "--year", "2025/26")
    assert result.returncode == 0, result.stderr
    assert "Creato il protocollo comune" in result.stdout and "2025/26" in result.stdout
    db = sqlite3.connect(tmp_path / "cli.db")
    assert db.execute("SELECT level, school_year FROM protocols WHERE school_code IS NULL").fetchall() == [
        ("primaria", "2025/26")]
    assert_italian_failure(run("create-core", "--network", "RETEBG", "--level", "primaria"), "ha già")
    assert_italian_failure(run("create-core", "--network", "RETEBG", "--level", "asilo"), "Grado")
    assert_italian_failure(run("create-core", "--network", "NOPE", "--level", "primaria"), "NOPE")


def test_the_cli_imports_a_protocol_with_bold_numbered_titles(demo, run, tmp_path):
    source = Path(__file__).resolve().parent / "data" / "protocolli" / "grassetto_numerati.docx"
    result = run("import-protocol", str(source), "--school", "MIEE00001A")
    assert result.returncode == 0, result.stderr
    assert "Importate 7 sezioni" in result.stdout


def test_set_email_links_an_account_for_single_sign_on_and_add_user_takes_one(demo, run, tmp_path):
    result = run("set-email", "funzione", "Sara.Galli@Scuola.EDU.it")
    assert result.returncode == 0, result.stderr
    assert "sara.galli@scuola.edu.it" in result.stdout
    result = run("add-user", "n.verdi", "--role", "docente", "--school", "MIIS00003C",
                 "--email", "n.verdi@scuola.edu.it", "--password-stdin", stdin="una-password-lunga\n")
    assert result.returncode == 0, result.stderr
    db = sqlite3.connect(tmp_path / "cli.db")
    assert dict(db.execute("SELECT username, email FROM users WHERE email IS NOT NULL").fetchall()) == {
        "funzione": "sara.galli@scuola.edu.it", "n.verdi": "n.verdi@scuola.edu.it"}
    assert_italian_failure(run("set-email", "docente", "sara.galli@scuola.edu.it"), "già collegato")
    assert_italian_failure(run("set-email", "docente", "non-una-mail"), "non è valido")
    assert run("set-email", "funzione", "").returncode == 0
    assert db.execute("SELECT email FROM users WHERE username = 'funzione'").fetchone() == (None,)


def test_practices_search_finds_other_forms_filters_and_prints_json(demo, run):
    import json

    found = run("practices", "search", "mediatore")  # the practice says "mediatori"
    assert found.returncode == 0, found.stderr
    assert found.stdout.splitlines()[0].split(None, 1)[1].startswith("Patto di accoglienza con i mediatori culturali")
    as_json = json.loads(run("practices", "search", "", "--level", "secondaria_secondo_grado", "--format",
                             "json").stdout)
    assert [p["titolo"] for p in as_json] == ["Colloquio di orientamento con la famiglia in terza media"]
    assert as_json[0]["fonte"] == "Rete dei Laghi" and "Secondaria di secondo grado" in as_json[0]["gradi"]
    hostile = run("practices", "search", 'NEAR(mediatori "* AND)')
    assert hostile.returncode == 0 and "Patto di accoglienza" in hostile.stdout
    assert run("practices", "search", "parolachenonce").stdout.startswith("Nessuna pratica")
    assert_italian_failure(run("practices", "search", "x", "--level", "nido"), "Grado «nido»")


def test_practices_publish_and_adopt_from_the_command_line(demo, run, tmp_path):
    import sqlite3

    with sqlite3.connect(tmp_path / "cli.db") as conn:
        (proposed,) = conn.execute("SELECT id FROM practices WHERE status = 'proposta'").fetchone()
    assert run("practices", "search", "biblioteca").stdout.startswith("Nessuna pratica")  # not published yet
    done = run("practices", "publish", "--id", str(proposed))
    assert done.returncode == 0 and "versione 1" in done.stdout
    assert "Sportello pomeridiano" in run("practices", "search", "biblioteche").stdout
    adopted = run("practices", "adopt", "--id", str(proposed), "--school", "MIIS00003C")
    assert adopted.returncode == 0, adopted.stderr
    assert "adottata da 1" in run("practices", "search", "biblioteche").stdout
    assert_italian_failure(run("practices", "adopt", "--id", str(proposed), "--school", "MIIS00003C"), "già adottato")
    assert_italian_failure(run("practices", "publish"), "--id")

def test_set_risk_rules_recomputes_the_levels_before_returning(demo, run, tmp_path):
    from models.core import db as database
    from models.risk import history, indicators, school_risk

    result = run("set-risk-rules", "--network", "RETEDEMO", "--chronic", "0.05", "--severe", "0.12")
    assert result.returncode == 0, result.stderr
    assert "Ricalcolo dei livelli: 4 di 4 scuole" in result.stdout
    assert "Livelli mese per mese ricalcolati per 4 scuole." in result.stdout
    db = database.connect(tmp_path / "cli.db")
    assert history.latest_job(db, "RETEDEMO").status == "completato"
    # The stored January levels are those of the new thresholds.
    setup = school_risk.scoring_setup(db, "MIIS00003C")
    assert setup.rules.chronic == 0.05
    scored = indicators.score(school_risk.load_attendance(db, "MIIS00003C"), school_risk.load_context(db, "MIIS00003C"),
                              level=setup.level, annual_hours=setup.annual_hours, as_of="2026-01", rules=setup.rules)
    scored = scored[~scored["stale"]]
    assert history.levels_at(db, "MIIS00003C", "2026-01") == dict(zip(scored["pupil_code"], scored["level"],
                                                                       strict=True))
    again = run("set-risk-rules", "--network", "RETEDEMO", "--chronic", "0.05")
    assert again.returncode == 0 and "già calcolati con queste soglie" in again.stdout


# --- the letters of the compulsory-education procedure: obligation-letter, letter-template ---------------------


OBLIGATION_SCHOOL = "MIIS00003C"


def docx_text(path: Path) -> str:
    from docx import Document

    return "\n".join(p.text for p in Document(str(path)).paragraphs)


@pytest.fixture
def with_case(tmp_path):
    """The demo network (no protocols, no pupils) and pupil CASO1 with sixteen unjustified days: an open case."""
    from datetime import date

    from models.core import db as database
    from models.core.permissions import Actor
    from models.demo import demo
    from tests.models.test_obligation import events, load, school_days

    db = database.connect(tmp_path / "cli.db")
    demo.install_demo(db, with_protocols=False, with_pupils=False)
    load(db, Actor.system("test"), events("CASO1", school_days(date(2026, 1, 12), 16)))
    return db


def test_the_family_letter_of_a_pupils_open_case_is_written_and_logged(with_case, run, tmp_path):
    out = tmp_path / "lettere" / "famiglia.docx"
    result = run("obligation-letter", "--school", OBLIGATION_SCHOOL, "--pupil", "CASO1", "--kind", "famiglia",
                 "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert f"Scritto {out}" in result.stdout
    text = docx_text(out)
    assert "16 giorni" in text and "12/01/2026" in text
    assert "Ai genitori o a chi esercita la responsabilità genitoriale" in text
    logged = with_case.execute("SELECT actor, detail FROM access_log WHERE what = 'lettera obbligo scolastico'")
    assert [row[1] for row in logged] == ["Comunicazione alla famiglia (italiano), alunno CASO1"]


@pytest.mark.parametrize(("args", "message"), [
    (["--pupil", "NESSUNO", "--kind", "famiglia"], "L'alunno NESSUNO non ha un caso aperto di obbligo scolastico"),
    (["--pupil", "CASO1", "--kind", "sindaco"], "La famiglia non risulta ancora informata"),
    (["--pupil", "CASO1", "--kind", "famiglia", "--language", "klingon"], "Lingua «klingon» sconosciuta"),
    (["--pupil", "CASO1", "--kind", "famiglia", "--language", "cinese"], "non ha ancora la lettera in cinese"),
    (["--pupil", "CASO1", "--kind", "mayor"], "Valore non valido per --kind"),
])
def test_a_letter_that_makes_no_sense_is_refused_in_italian_and_nothing_is_written(with_case, run, tmp_path, args,
                                                                                    message):
    out = tmp_path / "lettera.docx"
    result = run("obligation-letter", "--school", OBLIGATION_SCHOOL, *args, "--out", str(out))
    assert result.returncode == 1 and message in result.stderr, result
    assert "Traceback" not in result.stderr and not out.exists()


def test_a_letter_text_is_shown_replaced_and_then_used(with_case, run, tmp_path):
    shown = run("letter-template", "--network", "RETEDEMO", "--kind", "famiglia", "--language", "it")
    assert shown.returncode == 0 and "art. 114, comma 4" in shown.stdout
    assert "نص نموذجي" in run("letter-template", "--network", "RETEDEMO", "--kind", "famiglia", "--language",
                               "ar").stdout  # the demo's example translation
    translation = tmp_path / "famiglia.ar.md"
    translation.write_text("حضرات الوالدين الكرام، {{ assenze.giorni }} يومًا.\n", encoding="utf-8")
    saved = run("letter-template", "--network", "RETEDEMO", "--kind", "famiglia", "--language", "arabo", "--file",
                str(translation))
    assert saved.returncode == 0 and "Salvata la versione 2 della lettera «famiglia» in arabo" in saved.stdout
    assert run("letter-template", "--network", "RETEDEMO", "--kind", "famiglia", "--language", "ar").stdout == (
        translation.read_text(encoding="utf-8"))
    out = tmp_path / "bilingue.docx"
    result = run("obligation-letter", "--school", OBLIGATION_SCHOOL, "--pupil", "CASO1", "--kind", "famiglia",
                 "--language", "ar", "--out", str(out))
    assert result.returncode == 0, result.stderr
    text = docx_text(out)
    assert "Gentile famiglia" in text and "16 يومًا" in text


def test_a_hostile_letter_text_is_refused_and_the_text_stays_as_it_was(with_case, run, tmp_path):
    hostile = tmp_path / "ostile.md"
    hostile.write_text("{{ ''.__class__.__mro__[1].__subclasses__() }}", encoding="utf-8")
    result = run("letter-template", "--network", "RETEDEMO", "--kind", "sindaco", "--file", str(hostile))
    assert result.returncode == 1 and "Segnaposto sconosciuto" in result.stderr
    assert with_case.execute("SELECT COUNT(*) FROM letter_texts WHERE kind = 'sindaco'").fetchone()[0] == 0
    result = run("letter-template", "--network", "RETEDEMO", "--kind", "sindaco", "--language", "ar", "--file",
                 str(hostile))
    assert result.returncode == 1 and "solo in italiano" in result.stderr


def test_link_sections_proposes_then_links_a_schools_own_sections_to_the_new_core(run, tmp_path):
    source = Path(__file__).resolve().parent / "data" / "protocolli" / "grassetto_numerati.docx"
    run("init-db")
    run("add-network", "RETEBG", "--name", "Rete bergamasca")
    run("add-school", "BGEE81200X", "--name", "Primaria Bergamo", "--network", "RETEBG", "--level", "primaria")
    assert run("import-protocol", str(source), "--school", "BGEE81200X").returncode == 0
    assert_italian_failure(run("link-sections", "--school", "BGEE81200X"), "non ha un protocollo comune")
    run("create-core", "--network", "RETEBG", "--level", "primaria", "--year", "2025/26")
    db = sqlite3.connect(tmp_path / "cli.db")
    linked = "SELECT COUNT(*) FROM protocol_sections s JOIN protocols p ON p.id = s.protocol_id" \
             " WHERE p.school_code = 'BGEE81200X' AND s.core_section_id IS NOT NULL"

    shown = run("link-sections", "--school", "BGEE81200X", "--level", "primaria")
    assert shown.returncode == 0, shown.stderr
    lines = dict(map(str.strip, line.split(" -> ")) for line in shown.stdout.splitlines() if " -> " in line)
    assert lines["Fase sociale"].startswith("Fase sociale: la scuola e il territorio (")
    assert lines["Premessa"].startswith("Premessa e finalità (")
    assert db.execute(linked).fetchone() == (0,)  # shown, not done

    done = run("link-sections", "--school", "BGEE81200X", "--auto")
    assert done.returncode == 0, done.stderr
    count = sum(1 for target in lines.values() if not target.startswith("resta"))
    assert f"Collegate {count} sezioni" in done.stdout and db.execute(linked).fetchone() == (count,)
    again = run("link-sections", "--school", "BGEE81200X", "--auto")
    assert "Collegate 0 sezioni" in again.stdout
    assert db.execute(linked).fetchone() == (count,)
    assert_italian_failure(run("link-sections", "--school", "BGEE81200X", "--level", "secondaria_primo_grado"),
                           "altro grado")


def _small_cohort_file(tmp_path, pupils=3, seed=1, prefix="ZZ"):
    from models.core.school_year import SchoolYear
    from models.demo import synthetic

    cohort = synthetic.generate("secondaria_secondo_grado", pupils, [SchoolYear(2025)], seed=seed, last_month=2,
                                prefix=prefix)
    path = tmp_path / f"piccolo_{pupils}.csv"
    path.write_bytes(synthetic.attendance_csv(cohort))
    return path


def _in_file(path, month="10/2025"):
    return sum(f";{month};" in line for line in path.read_text(encoding="utf-8-sig").splitlines())


def _class_rows(tmp_path, month):
    with sqlite3.connect(tmp_path / "cli.db") as conn:
        return dict(conn.execute("SELECT class_name, COUNT(*) FROM attendance WHERE school_code = 'MIIS00003C'"
                                 " AND period = ? GROUP BY class_name", [month]).fetchall())


def test_a_class_replaced_by_far_fewer_rows_is_not_written_without_replace(run, demo, tmp_path):
    small = _small_cohort_file(tmp_path)
    before = _class_rows(tmp_path, "2025-10")
    in_file = {line.split(";")[1] for line in small.read_text(encoding="utf-8-sig").splitlines()[1:]}
    assert in_file < set(before) and all(before[c] > 2 * 3 for c in in_file)
    refused = run("import-attendance", str(small), "--school", "MIIS00003C")  # no question, a clear message
    assert_italian_failure(refused, "molte meno righe", f"la classe {sorted(in_file)[0]} di ottobre 2025",
                           "Nulla è stato scritto", "--replace")
    assert _class_rows(tmp_path, "2025-10") == before
    assert run("import-attendance", str(small), "--school", "MIIS00003C", "--dry-run").returncode == 0
    assert _class_rows(tmp_path, "2025-10") == before
    done = run("import-attendance", str(small), "--school", "MIIS00003C", "--replace")
    assert done.returncode == 0, done.stderr
    after = _class_rows(tmp_path, "2025-10")
    # Only the file's classes were replaced; every other class keeps its month.
    assert {c: n for c, n in after.items() if c not in in_file} == {c: n for c, n in before.items()
                                                                    if c not in in_file}
    assert sum(after[c] for c in in_file) == _in_file(small)
    # Now the file's classes are small: the same file again goes in without a flag.
    assert run("import-attendance", str(small), "--school", "MIIS00003C").returncode == 0


def test_two_per_class_files_of_one_month_both_stay_and_nothing_is_asked(run, demo, tmp_path):
    first, second = tmp_path / "marzo_9Y.csv", tmp_path / "marzo_9Z.csv"
    first.write_text("Codice alunno;Classe;Mese;Monte ore;Ore di assenza\n"
                     + "".join(f"Y{n};9Y;03/2026;100;5\n" for n in range(4)), encoding="utf-8")
    second.write_text("Codice alunno;Classe;Mese;Monte ore;Ore di assenza\n"
                      + "".join(f"Z{n};9Z;03/2026;100;5\n" for n in range(3)), encoding="utf-8")
    assert run("import-attendance", str(first), "--school", "MIIS00003C").returncode == 0
    done = run("import-attendance", str(second), "--school", "MIIS00003C")
    assert done.returncode == 0, done.stderr
    assert "Ora: marzo 2026: classi 9Y, 9Z; mancano" in done.stdout and "(mese parziale)" in done.stdout
    assert _class_rows(tmp_path, "2026-03") == {"9Y": 4, "9Z": 3}
    # A reload of 9Y with one row: refused at once, naming the class, with the flag to force it.
    first.write_text("Codice alunno;Classe;Mese;Monte ore;Ore di assenza\nY0;9Y;03/2026;100;5\n", encoding="utf-8")
    refused = run("import-attendance", str(first), "--school", "MIIS00003C", stdin="y\n")
    assert_italian_failure(refused, "la classe 9Y di marzo 2026 ha 4 righe e il file ne porta 1", "--replace")
    assert _class_rows(tmp_path, "2026-03") == {"9Y": 4, "9Z": 3}
    assert run("import-attendance", str(first), "--school", "MIIS00003C", "--replace").returncode == 0
    assert _class_rows(tmp_path, "2026-03") == {"9Y": 1, "9Z": 3}


def test_set_school_letterhead_prints_the_contacts_and_signature_on_the_letters(with_case, run, tmp_path):
    result = run("set-school-letterhead", "--school", OBLIGATION_SCHOOL, "--address", "Via Roma 1, 20100 Milano",
                 "--phone", "02 1234567", "--email", "segreteria@scuola.it", "--pec", "miis00003c@pec.istruzione.it",
                 "--office-hours", "lun–ven 8–10", "--signature", "digitale")
    assert result.returncode == 0, result.stderr
    assert "documento firmato digitalmente" in result.stdout
    out = tmp_path / "famiglia.docx"
    assert run("obligation-letter", "--school", OBLIGATION_SCHOOL, "--pupil", "CASO1", "--kind", "famiglia",
               "--out", str(out)).returncode == 0
    text = docx_text(out)
    assert "Via Roma 1, 20100 Milano · Tel. 02 1234567 · e-mail segreteria@scuola.it" in text
    assert "Documento firmato digitalmente" in text
    refused = run("set-school-letterhead", "--school", OBLIGATION_SCHOOL, "--email", "segreteria")
    assert refused.returncode == 1 and "non è valido" in refused.stderr


def test_pack_for_a_class_and_names_put_back_offline(demo, run, tmp_path):
    import csv
    import io

    from docx import Document

    refused = run("pack", "--school", "MIIS00003C", "--out", str(tmp_path / "p.docx"))
    assert refused.returncode == 1 and "--all" in refused.stderr  # the whole school is asked for by name
    assert run("pack", "--school", "MIIS00003C", "--class", "3A", "--level", "nessuno",
               "--out", str(tmp_path / "p.docx")).stderr.startswith("Livello sconosciuto: nessuno")
    made = run("pack", "--school", "MIIS00003C", "--class", "3A", "--level", "alto", "--level", "medio",
               "--out", str(tmp_path / "pacchetto.docx"))
    assert made.returncode == 0, made.stderr
    assert "classe 3A; livelli alto, medio." in made.stdout
    listed = run("score", "--school", "MIIS00003C", "--class", "3A", "--level", "alto", "--level", "medio")
    rows = list(csv.reader(io.StringIO(listed.stdout.lstrip("\ufeff")), delimiter=";"))[2:]
    codes = [row[0] for row in rows]
    assert codes and all(row[1] == "3A" for row in rows)
    key = tmp_path / "chiave.csv"
    key.write_text(f"nome;data di nascita;codice\nNguyễn Văn An;2012-01-05;{codes[0]}\n", encoding="utf-8-sig")
    out = tmp_path / "pacchetto_nomi.docx"
    named = run("add-names", "--key", str(key), "--in", str(tmp_path / "pacchetto.docx"), "--out", str(out))
    assert named.returncode == 0, named.stderr
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert f"Alunno Nguyễn Văn An ({codes[0]}) · classe 3A" in text
    assert "Nguyễn" not in (tmp_path / "cli.db").read_bytes().decode("latin-1")  # the database never saw it
    same = run("add-names", "--key", str(key), "--in", str(out), "--out", str(out))
    assert same.returncode == 1 and "file nuovo" in same.stderr
