"""Concurrency and crash safety: no lost update, no "database is locked", a killed import leaves all or nothing."""

import functools
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from models.core import db as database
from models.core.school_year import SchoolYear
from models.demo import synthetic
from models.follow_up import reviews
from models.protocols import protocol as protocols
from models.protocols.protocol import SaveConflict
from models.pupils import codes
from models.pupils import importing as pupil_data
from models.risk import school_risk
from tests.conftest import ROOT, copy_prepared, count_proof

SCHOOL = "MIIS00003C"
ROUNDS = 50


def test_two_sessions_editing_one_section_never_lose_an_update(db_path, demo_db, actors, school_protocol):
    """50 rounds: two editors load the same version and save at once; one lands, the other sees the conflict."""
    dirigente = actors["dirigente"]
    section = next(s for s in protocols.list_sections(demo_db, dirigente, school_protocol.id)
                   if s.kind.value != "core_locked")
    landed, refused, lost = 0, 0, 0
    for round_number in range(ROUNDS):
        base = protocols.get_section(demo_db, dirigente, section.id)
        texts = {who: f"{base.body}\n\nGiro {round_number}: testo di {who}." for who in ("A", "B")}
        results: dict[str, str] = {}
        start = threading.Barrier(2)

        def edit(who, base=base, texts=texts, results=results, start=start):
            conn = database.connect(db_path)  # each session has its own connection, as on the server
            start.wait()
            try:
                protocols.save_section(conn, dirigente, section.id, texts[who], base.version)
                results[who] = "saved"
            except SaveConflict as conflict:
                assert conflict.theirs.body in texts.values()  # the conflict view shows the other's text
                results[who] = "conflict"
            finally:
                conn.close()

        threads = [threading.Thread(target=edit, args=(who,)) for who in texts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        history = {v.body for v in protocols.section_history(demo_db, dirigente, section.id)}
        for who, result in results.items():
            if result == "saved":
                landed += 1
                lost += texts[who] not in history
            else:
                refused += 1
        assert sorted(results.values()) == ["conflict", "saved"], results
    count_proof("salvataggi concorrenti andati a buon fine", landed)
    count_proof("salvataggi concorrenti rifiutati con la vista del conflitto", refused)
    count_proof("aggiornamenti persi", lost)
    assert lost == 0 and landed == ROUNDS and refused == ROUNDS


def test_imports_scoring_and_saves_in_parallel_never_report_a_locked_database(db_path, pupils_db, actors,
                                                                             school_protocol):
    dirigente, funzione = actors["dirigente"], actors["funzione_strumentale"]
    cohort = synthetic.generate("secondaria_secondo_grado", 300, [SchoolYear(2025)], seed=8, last_month=6,
                                prefix="PX")
    months = {p: cohort.attendance[cohort.attendance["period"] == p] for p in ["2026-03", "2026-04", "2026-05"]}
    section = next(s for s in protocols.list_sections(pupils_db, dirigente, school_protocol.id)
                   if s.kind.value != "core_locked")
    errors: list[BaseException] = []

    def guarded(work):
        def run():
            conn = database.connect(db_path)
            try:
                work(conn)
            except BaseException as error:  # collected: any failure fails the test below
                errors.append(error)
            finally:
                conn.close()
        return run

    def importer(period):
        frame = months[period]
        data = synthetic.attendance_csv(synthetic.Cohort(frame, cohort.context, cohort.outcomes, cohort.risk))
        return guarded(lambda conn: pupil_data.import_attendance(conn, funzione, SCHOOL, data, f"{period}.csv"))

    def scorer(conn):
        for _ in range(5):
            school_risk.school_risk(conn, funzione, SCHOOL)

    def saver(conn):
        for n in range(10):
            current = protocols.get_section(conn, dirigente, section.id)
            protocols.save_section(conn, dirigente, section.id, f"{current.body}\n\nRiga {n}.", current.version)

    def reviewer(conn):
        pupil = conn.execute("SELECT pupil_code FROM attendance WHERE school_code = ? LIMIT 1", [SCHOOL]).fetchone()[0]
        for n in range(10):  # ten different reviews (the same one twice a day is refused as a double click)
            reviews.record_review(conn, funzione, SCHOOL, pupil, as_of="2026-02", level="alto", note=f"Giro {n}.")

    threads = [threading.Thread(target=importer(p)) for p in months] + [
        threading.Thread(target=guarded(work)) for work in (scorer, saver, reviewer, scorer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    count_proof("operazioni parallele (importazioni, calcoli, salvataggi, revisioni)", 3 + 5 * 2 + 10 + 10)
    locked = [e for e in errors if "locked" in str(e)]
    count_proof("errori «database is locked» arrivati all'utente", len(locked))
    assert not errors, errors
    assert pupils_db.execute("SELECT COUNT(*) FROM attendance WHERE pupil_code LIKE 'PX%'").fetchone()[0] == sum(
        len(m) for m in months.values())
    assert len(protocols.section_history(pupils_db, dirigente, section.id)) == 11


@functools.cache
def _big_attendance(pupils: int) -> tuple[bytes, int]:
    """A register file of `pupils` new pupils (codes KX…) and its rows: generated once per size and process."""
    cohort = synthetic.generate("secondaria_secondo_grado", pupils, [SchoolYear(2025)], seed=1, prefix="KX")
    return synthetic.attendance_csv(cohort), len(cohort.attendance)


def big_attendance_csv(path, pupils: int) -> int:
    data, rows = _big_attendance(pupils)
    path.write_bytes(data)
    return rows


@pytest.mark.parametrize("written", [64 * 1024, 1024 * 1024, 4 * 1024 * 1024])
def test_an_import_killed_midway_leaves_all_rows_or_none(tmp_path, written):
    """SIGKILL once the import has written `written` bytes to the write-ahead log, i.e. in mid-transaction."""
    db_file, csv_file = tmp_path / "crash.db", tmp_path / "frequenze.csv"
    env = {**os.environ, "APPRODO_DB": str(db_file)}
    copy_prepared("init-db --demo", db_file)  # what `cli.py init-db --demo` makes, made once (tests/conftest.py)
    with sqlite3.connect(db_file) as conn:
        before = conn.execute("SELECT COUNT(*) FROM attendance").fetchone()[0]
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    wal = db_file.with_name(db_file.name + "-wal")
    expected = big_attendance_csv(csv_file, 6000)
    process = subprocess.Popen([sys.executable, "cli.py", "import-attendance", str(csv_file), "--school", SCHOOL],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        if wal.exists() and wal.stat().st_size > written:
            break
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    conn = sqlite3.connect(db_file)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        after = conn.execute("SELECT COUNT(*) FROM attendance").fetchone()[0]
        kx = conn.execute("SELECT COUNT(*) FROM attendance WHERE pupil_code LIKE 'KX%'").fetchone()[0]
        months = conn.execute("SELECT COALESCE(SUM(rows), 0) FROM attendance_months").fetchone()[0]
        imports = conn.execute("SELECT COUNT(*) FROM imports WHERE file_name = ?",
                               [codes.stored_file_name(csv_file.read_bytes(), csv_file.name)]).fetchone()[0]
    finally:
        conn.close()
    assert kx in (0, expected), (kx, expected)
    assert (kx == 0 and after == before and imports == 0) or (kx == expected and imports == 1)
    assert months == after  # the months table moved with the rows, in the same transaction
    count_proof("importazioni interrotte con SIGKILL: tutto o niente", 1)
    count_proof("di cui interrotte a metà scrittura (nessuna riga rimasta)", int(kx == 0))


def test_backup_during_an_import_passes_the_integrity_check(tmp_path):
    db_file, csv_file = tmp_path / "live.db", tmp_path / "frequenze.csv"
    env = {**os.environ, "APPRODO_DB": str(db_file)}
    copy_prepared("init-db --demo", db_file)  # what `cli.py init-db --demo` makes, made once (tests/conftest.py)
    big_attendance_csv(csv_file, 4000)
    importing = subprocess.Popen([sys.executable, "cli.py", "import-attendance", str(csv_file), "--school", SCHOOL],
                                 cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    copies = []
    try:
        for n in range(3):
            target = tmp_path / f"copia{n}.db"
            result = subprocess.run([sys.executable, "cli.py", "backup", str(target)], cwd=ROOT, env=env,
                                    capture_output=True, text=True)
            assert result.returncode == 0, result.stderr
            copies.append(target)
            time.sleep(0.3)
    finally:
        importing.wait(timeout=120)
    for copy in copies:
        conn = sqlite3.connect(copy)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            kx = conn.execute("SELECT COUNT(*) FROM attendance WHERE pupil_code LIKE 'KX%'").fetchone()[0]
            months = conn.execute("SELECT COALESCE(SUM(rows), 0) FROM attendance_months").fetchone()[0]
            assert months == conn.execute("SELECT COUNT(*) FROM attendance").fetchone()[0]
        finally:
            conn.close()
        count_proof("copie di sicurezza fatte durante un'importazione e verificate", 1)
        assert kx >= 0
