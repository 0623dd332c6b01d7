"""Pseudonyms need the school's secret, which is not in the database: the dictionary attack on a database file
(and on its backup) recovers no name, while the same attack with the secrets file recovers all of them."""

import re
import sqlite3
import stat

import pytest

from models.core import db as database
from models.core import school_keys
from models.core.errors import ApprodoError
from models.pupils import importing as pupil_data
from models.pupils import pseudonyms

SCHOOL = "MIIS00003C"
SURNAMES = ("Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti De Luca "
            "Mancini Costa Giordano Rizzo Lombardi Moretti Barbieri Fontana Santoro Mariani Rinaldi Caruso Ferrara "
            "Galli Martini Leone Longo Gentile Martinelli Vitale Lombardo Serra Coppola De Santis D'Angelo Marchetti "
            "Parisi Villa Conte Ferraro Ferri Fabbri Bianco Marini Grasso Valentini Messina Sala De Angelis Gatti "
            "Pellegrini Palumbo Sanna Farina Rizzi Monti Zanardelli Hoxha Popescu Nguyen Öztürk Kowalski "
            "Ivanov").split()
GIVEN = ("Mario Anna Luca Giulia Marco Sara Andrea Chiara Matteo Francesca Lorenzo Sofia Alessandro Aurora "
         "Leonardo Martina Gabriele Giorgia Riccardo Alice Tommaso Emma Edoardo Greta Francesco Beatrice Davide "
         "Ginevra Federico Elisa Pietro Camilla Samuele Noemi Diego Vittoria Filippo Ludovica Emanuele Arianna "
         "Ottavio Ayşe Ștefan Minh Jan Olena Fatima Yusuf Besa").split()
DICTIONARY = [f"{surname} {given}" for surname in SURNAMES for given in GIVEN]  # 3,300 names
PUPILS = ["Zanardelli Ottavio", "Hoxha Besa", "Popescu Ștefan", "Nguyen Minh", "Öztürk Ayşe", "Rossi Mario",
          "Kowalski Jan", "Ivanov Olena"]


def _candidate_keys(*files) -> set[str]:
    """Every secret a thief can find in the files: 64 hex digits anywhere in their bytes, and every text cell
    of every table that reads as hex."""
    keys = set()
    for path in files:
        if path.exists():
            keys |= {m.decode() for m in re.findall(rb"[0-9a-fA-F]{64}", path.read_bytes())}
    conn = sqlite3.connect(files[0])
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
        try:
            rows = conn.execute(f'SELECT * FROM "{table}"').fetchall()
        except sqlite3.OperationalError:  # full-text shadow tables read only through their module
            continue
        keys |= {v for row in rows for v in row if isinstance(v, str) and re.fullmatch(r"(?:[0-9a-fA-F]{2}){16,}", v)}
    conn.close()
    return keys


def _attack(keys, stored: set[str]) -> set[str]:
    return {name for key in keys for name in DICTIONARY if pseudonyms.code_for(key, name) in stored}


def test_the_dictionary_attack_on_the_database_file_and_its_backup_fails(demo_db, actors, db_path, tmp_path):
    rows = "".join(f"{name};3A;2026-03;100;5\n" for name in PUPILS)
    pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL,
                                 ("Alunno;Classe;Mese;Monte ore;Ore di assenza\n" + rows).encode(), "nomi.csv",
                                 pseudonymise=True)
    stored = {r[0] for r in demo_db.execute("SELECT pupil_code FROM attendance WHERE pupil_code LIKE 'PS%'")}
    assert len(stored) == len(PUPILS)
    stolen = database.backup(demo_db, tmp_path / "copia.db")
    keys = _candidate_keys(stolen) | _candidate_keys(db_path, db_path.with_name(db_path.name + "-wal"))
    assert _attack(keys, stored) == set()
    # The secrets file is what the attack lacks: with it, every pupil comes back.
    secrets_file = school_keys.path_for(demo_db)
    assert secrets_file == db_path.with_name("approdo.db.pseudonimi")
    assert not (tmp_path / "copia.db.pseudonimi").exists()  # the backup leaves it out
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    assert _attack(school_keys.read_all(secrets_file).values(), stored) == set(PUPILS)


def test_a_missing_or_other_secrets_file_is_refused_rather_than_giving_new_codes(demo_db, actors, db_path):
    first = pseudonyms.school_secret(demo_db, SCHOOL)
    assert pseudonyms.school_secret(demo_db, SCHOOL) == first
    secrets_file = school_keys.path_for(demo_db)
    moved = secrets_file.rename(secrets_file.with_suffix(".altrove"))
    with pytest.raises(ApprodoError, match="ripristinalo dalla sua copia"):
        pseudonyms.school_secret(demo_db, SCHOOL)
    secrets_file.write_text(f"{SCHOOL}\t{'cd' * 32}\n")
    with pytest.raises(ApprodoError, match="non è quello usato finora"):
        pseudonyms.school_secret(demo_db, SCHOOL)
    moved.replace(secrets_file)
    assert pseudonyms.school_secret(demo_db, SCHOOL) == first


def test_a_secret_and_file_names_kept_in_the_database_leave_it_and_the_codes_stay(tmp_path):
    path = tmp_path / "vecchio.db"
    db = database.connect(path, migrate=False)
    with database.transaction(db):
        before_mine = database.MIGRATIONS.index(database._m024_secrets_and_file_names_out)
        for number, migration in enumerate(database.MIGRATIONS[:before_mine], start=1):
            migration(db)
            db.execute(f"PRAGMA user_version = {number}")
        db.execute("INSERT INTO networks VALUES ('RETE', 'Rete', '2025-01-01')")
        db.execute("INSERT INTO schools (code, name, network_code, level, created_at, pseudonym_secret) VALUES"
                   " (?, 'Scuola', 'RETE', 'primaria', '2025-01-01', ?)", [SCHOOL, "5e" * 32])
        db.execute("INSERT INTO imports (school_code, kind, file_name, rows, detail, imported_by, imported_at)"
                   " VALUES (?, 'attendance', 'Zanardelli_Ottavio_assenze.csv', 1, '', 'x', '2025-01-01')", [SCHOOL])
        db.execute("INSERT INTO audit_log (at, actor, action, target) VALUES ('2025-01-01', 'x',"
                   " 'importazione_attendance', 'Zanardelli_Ottavio_assenze.csv')")
    before = pseudonyms.code_for("5e" * 32, "Zanardelli Ottavio")
    db.conn.close()
    db = database.connect(path)
    assert "pseudonym_secret" not in {c.name for c in db["schools"].columns}
    for file in (path, path.with_name(path.name + "-wal")):
        assert not file.exists() or ("5e" * 32).encode() not in file.read_bytes()
        assert not file.exists() or b"Zanardelli" not in file.read_bytes()
    assert db.execute("SELECT file_name FROM imports").fetchall() == [("nome non conservato.csv",)]
    secret = pseudonyms.school_secret(db, SCHOOL)
    assert pseudonyms.code_for(secret, "Zanardelli Ottavio") == before
    assert stat.S_IMODE(school_keys.path_for(db).stat().st_mode) == 0o600
