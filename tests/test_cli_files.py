"""Files the command line writes: 0600, never over the live database, its -wal/-shm or any SQLite file."""

import sqlite3
import stat

import pytest

from tests import test_cli
from tests.test_cli import assert_italian_failure

# The command line's fixtures (a demo database per test, the in-process runner), shared with tests/test_cli.py.
demo, run = test_cli.demo, test_cli.run

NAMES = (b"Alunno;Data di nascita;Classe;Mese;Monte ore;Ore di assenza\n"
         b"Zanardelli Ottavio;03/04/2011;3A;2026-03;100;5\n")


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_every_file_with_personal_data_is_written_0600_whatever_the_umask(demo, run, tmp_path):
    names = tmp_path / "nomi.csv"
    names.write_bytes(NAMES)
    key, score, report = tmp_path / "chiave.csv", tmp_path / "elenco.xlsx", tmp_path / "rapporto.docx"
    key.write_text("vecchio")
    key.chmod(0o644)  # a file it replaces keeps no wider mode
    letter = tmp_path / "protocollo.docx"
    runs = [("import-attendance", str(names), "--school", "MIIS00003C", "--pseudonymise", "--key-out", str(key)),
            ("score", "--school", "MIIS00003C", "--format", "xlsx", "--out", str(score)),
            ("report", "--network", "RETEDEMO", "--year", "2025/26", "--out", str(report)),
            ("export-protocol", "--school", "MIIS00003C", "--out", str(letter))]
    for args in runs:
        done = run(*args)
        assert done.returncode == 0, (args, done.stderr)
    for path in (key, score, report, letter):
        assert mode(path) == 0o600, path
    assert "Zanardelli Ottavio" in key.read_text(encoding="utf-8-sig")
    assert not list(tmp_path.glob("*.tmp"))  # no half-written file left beside them
    assert mode(tmp_path / "cli.db.pseudonimi") == 0o600  # the school's secret, outside the database
    copy = run("backup", str(tmp_path / "copie" / "approdo.db"))
    assert "pseudonimi" in copy.stdout and "non è nella copia" in copy.stdout
    assert [p.name for p in (tmp_path / "copie").iterdir()] == ["approdo.db"]


@pytest.mark.parametrize(("which", "command"), [("live", "export-protocol"), ("-wal", "score"), ("-shm", "key-out"),
                                                 ("other database", "report"), ("live", "key-out")])
def test_no_out_overwrites_the_database_or_any_sqlite_file(demo, run, tmp_path, which, command):
    live = tmp_path / "cli.db"
    assert run("protocol-status", "--network", "RETEDEMO").returncode == 0
    other = tmp_path / "altro.docx"  # a SQLite file whatever its name: known by its first bytes
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    target = {"live": live, "-wal": tmp_path / "cli.db-wal", "-shm": tmp_path / "cli.db-shm",
              "other database": other}[which]
    if not target.exists():
        target.write_bytes(b"")  # as SQLite leaves them while the app runs
    before = target.read_bytes()
    names = tmp_path / "nomi.csv"
    names.write_bytes(NAMES)
    args = {"export-protocol": ("export-protocol", "--school", "MIIS00003C", "--out", str(target)),
            "score": ("score", "--school", "MIIS00003C", "--out", str(target)),
            "report": ("report", "--network", "RETEDEMO", "--year", "2025/26", "--out", str(target)),
            "key-out": ("import-attendance", str(names), "--school", "MIIS00003C", "--pseudonymise", "--key-out",
                        str(target))}[command]
    assert_italian_failure(run(*args), "non sovrascrivo")
    if which in ("live", "other database"):
        assert target.read_bytes() == before
    else:  # SQLite itself writes these; our file is not there
        assert not target.read_bytes().startswith((b"PK", b"\xef\xbb\xbf", b"codice"))
    db = sqlite3.connect(live)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    if command == "key-out":  # refused before the import: nothing stored without its key file
        assert db.execute("SELECT COUNT(*) FROM attendance WHERE period = '2026-03'").fetchone() == (0,)


def test_add_names_opens_no_database_yet_never_writes_over_it_and_writes_0600(run, tmp_path):
    run("init-db")
    key, source = tmp_path / "chiave.csv", tmp_path / "elenco.csv"
    key.write_text("nome;data di nascita;codice\nZanardelli Ottavio;2011-04-03;S3A01\n", encoding="utf-8-sig")
    source.write_text("codice_alunno;classe\nS3A01;3A\n", encoding="utf-8")
    live = tmp_path / "cli.db"
    before = live.read_bytes()
    refused = run("add-names", "--key", str(key), "--in", str(source), "--out", str(live))
    assert_italian_failure(refused, "non sovrascrivo")
    assert live.read_bytes() == before
    out = tmp_path / "elenco_nomi.csv"
    assert run("add-names", "--key", str(key), "--in", str(source), "--out", str(out)).returncode == 0
    assert "Zanardelli Ottavio" in out.read_text(encoding="utf-8-sig") and mode(out) == 0o600
