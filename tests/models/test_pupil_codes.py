"""Names are never stored as pupil codes: a corpus of name forms in many languages is refused (or
pseudonymised), a corpus of register codes still passes, and an upload's file name is not kept."""

import hashlib
import re

import pandas as pd
import pytest

from models.core.errors import ApprodoError
from models.pupils import codes, pseudonyms
from models.pupils import importing as pupil_data

SCHOOL = "MIIS00003C"

# Each list: the code column of one class, as registers and spreadsheets hold names.
NAME_FORMS = {
    "italiano, cognome nome": ["Rossi Mario", "Bianchi Anna", "Esposito Luca"],
    "maiuscolo": ["ROSSI MARIO", "BIANCHI ANNA", "ESPOSITO LUCA"],
    "virgola": ["ROSSI, MARIO", "BIANCHI, ANNA", "ESPOSITO, LUCA"],
    "minuscolo": ["rossi mario", "bianchi anna", "esposito luca"],
    "iniziale": ["Rossi M.", "Bianchi A.", "Esposito L."],
    "particella": ["di Stefano Marco", "De Luca Sara", "Lo Russo Gianni"],
    "apostrofo": ["D'Amico Luca", "Dell'Acqua Anna", "D’Angelo Pia"],
    "turco": ["Öztürk Ayşe", "Yılmaz Emre", "Çelik Gül"],
    "polacco": ["Wiśniewska Zofia", "Łukasiewicz Paweł", "Kowalski Jan"],
    "rumeno": ["Popescu Ștefan", "Ionescu Mădălina", "Dumitru Andrei"],
    "vietnamita": ["Nguyễn Văn An", "Trần Thị Bích", "Lê Minh Đức"],
    "ceco": ["Dvořák Jiří", "Novotná Kateřina", "Černý Tomáš"],
    "albanese": ["Hoxha Ëngjëll", "Çela Besa", "Kola Drita"],
    "arabo": ["محمد علي", "فاطمة الزهراء", "يوسف"],
    "cinese": ["王小明", "李华", "张伟"],
    "cirillico": ["Иванов Иван", "Шевченко Олена", "Петренко"],
    "hindi": ["अर्जुन शर्मा", "प्रिया", "राहुल वर्मा"],
    "un solo cognome": ["Rossi", "BIANCHI", "esposito"],
    "unito": ["RossiMario", "BianchiAnna", "EspositoLuca"],
    "con punto": ["mario.rossi", "anna.bianchi", "luca.esposito"],
    "con trattino basso": ["Rossi_Mario", "Bianchi_Anna", "Esposito_Luca"],
    "nome e data di nascita": ["Rossi Mario 12/03/2011", "Bianchi Anna 2011-07-21", "Esposito Luca (01.02.2010)"],
    "nome e anno unito": ["Rossi_Mario_2011", "Bianchi_Anna_2010", "Esposito_Luca_2011"],
    "cognome e numero": ["ROSSI1", "BIANCHI2", "ESPOSITO1", "VERDI3"],
    "codice fiscale": ["RSSMRA11C12F205X", "BNCNNA11L61F205Y", "SPSLCU10B01F839Z"],
}

# Codes as registers export them: they must import as today.
REGISTER_CODES = {
    "classeviva": ["S3A01", "S3A02", "S3A03"],
    "argo, matricola": ["M2B11", "M2B12", "M2B13"],
    "numerico": ["102345", "98012", "1203"],
    "matricola con anno": ["2021/0345", "2022/0012", "2023/1100"],
    "prefisso e trattini": ["ALU-2021-0001", "ALU-2021-0002", "ALU-2022-0003"],
    "prefisso costante": ["STUD0001", "STUD0002", "STUD0103"],
    "minuscolo": ["a1b01", "a1b02", "a1b03"],
    "alfanumerico generato": ["K7QX2MZP", "QZ3KXA7W", "B4NEROSA"],
    "pseudonimi di Approdo": ["PSABCDEFGHIJKL", "PS2A3B4C5D6E7F", "PSZZZZZZZZZZZZ"],
    "brevi": ["A1", "B2", "C10"],
}


def _attendance(codes_: list[str]) -> bytes:
    rows = "".join(f"{c};2A;10/2025;100;5\n" for c in codes_)
    return ("Alunno;Classe;Mese;Monte ore;Ore di assenza\n" + rows).encode("utf-8")


def _refusal(values: list[str]) -> str | None:
    try:
        codes.check_code_column(pd.Series(values, index=range(2, 2 + len(values))), "classe.csv", "Alunno")
    except ApprodoError as refused:
        return refused.message
    return None


def test_every_name_form_is_refused_without_repeating_a_name():
    for form, names in NAME_FORMS.items():
        message = _refusal(names)
        assert message and "sembra contenere nomi e cognomi" in message and "pseudonimizzare" in message, form
        words = {w for name in names for w in re.findall(r"\w{3,}", name)}
        assert not words & set(re.findall(r"\w+", message)), form  # nothing of the names said back


def test_every_register_code_form_passes():
    for register, values in REGISTER_CODES.items():
        assert _refusal(values) is None, register


def test_every_name_form_pseudonymises_into_distinct_codes():
    secret = "ab" * 32
    for form, names in NAME_FORMS.items():
        frame = pd.DataFrame({"Alunno": names})
        out, key = pseudonyms.pseudonymise(frame, "Alunno", None, secret)
        assert out["Alunno"].str.fullmatch(r"PS[A-Z2-7]{12}").all(), form
        assert out["Alunno"].nunique() == len(names), form  # no two pupils merged
        assert _refusal(list(out["Alunno"])) is None, form  # and the codes pass as codes
        assert len(key.decode("utf-8-sig").splitlines()) == len(names) + 1, form


def test_names_are_refused_at_import_and_pseudonymised_on_request(demo_db, actors):
    names = NAME_FORMS["turco"] + NAME_FORMS["cinese"]
    with pytest.raises(ApprodoError, match="sembra contenere nomi e cognomi"):
        pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL, _attendance(names), "classe.csv")
    assert demo_db.execute("SELECT COUNT(*) FROM attendance").fetchone()[0] == 0
    summary = pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL, _attendance(names), "classe.csv",
                                           pseudonymise=True)
    assert summary.pupils == len(names)
    dump = "\n".join(demo_db.conn.iterdump())
    assert not any(name in dump for name in names)


def test_register_codes_import_as_they_are(demo_db, actors):
    values = [v for register in ("numerico", "matricola con anno", "prefisso e trattini", "pseudonimi di Approdo")
              for v in REGISTER_CODES[register]]
    summary = pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL, _attendance(values), "classe.csv")
    assert summary.pupils == len(values)
    assert sorted(r[0] for r in demo_db.execute("SELECT pupil_code FROM attendance")) == sorted(values)


def test_one_name_among_codes_is_refused_by_row_without_repeating_it(demo_db, actors):
    data = _attendance(["S3A01", "S3A02", "S3A03", "Rossi Mario", "S3A05"])
    with pytest.raises(ApprodoError) as refused:
        pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL, data, "classe.csv")
    assert "1 valore che sembra un nome, non un codice (riga 5)" in refused.value.message
    two = _refusal(["S3A01", "S3A02", "Bianchi Anna", "S3A04", "S3A05", "anna.verdi"])  # rows from 2
    assert "2 valori che sembrano nomi, non codici (righe 4, 7)" in two
    assert "Rossi" not in refused.value.message
    assert demo_db.execute("SELECT COUNT(*) FROM attendance").fetchone()[0] == 0


def test_context_and_outcomes_refuse_names_too(demo_db, actors):
    context = "Codice alunno;Anno di nascita\nÖztürk Ayşe;2011\nNguyễn Văn An;2010\n".encode()
    outcomes = b"Codice alunno;Anno scolastico;Esito\nROSSI, MARIO;2024/25;ammesso\n"
    with pytest.raises(ApprodoError, match="sembra contenere nomi"):
        pupil_data.import_context(demo_db, actors["dirigente"], SCHOOL, context, "contesto.csv")
    with pytest.raises(ApprodoError, match="sembra contenere nomi"):
        pupil_data.import_outcomes(demo_db, actors["dirigente"], SCHOOL, outcomes, "esiti.csv")


def test_a_name_glued_to_its_birth_date_keeps_the_date_apart_when_pseudonymised(demo_db, actors):
    """Two pupils with one name and two birth dates stay two pupils; the key file shows name and date."""
    data = _attendance(["Rossi Mario 12/03/2011", "Rossi Mario 2010-05-01"])
    summary = pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL, data, "classe.csv",
                                           pseudonymise=True)
    key = [line.split(";") for line in summary.key_file.decode("utf-8-sig").splitlines()[1:]]
    assert [(name, birth) for name, birth, _ in key] == [("Rossi Mario", "12/03/2011"), ("Rossi Mario", "2010-05-01")]
    assert summary.pupils == 2 and key[0][2] != key[1][2]
    # The same pupil written with the date in its own column gets the same code.
    again = pupil_data.import_attendance(
        demo_db, actors["dirigente"], SCHOOL,
        b"Alunno;Data di nascita;Classe;Mese;Monte ore;Ore di assenza\nMARIO ROSSI;2011-03-12;2A;11/2025;100;5\n",
        "nov.csv", pseudonymise=True)
    assert again.key_file.decode("utf-8-sig").splitlines()[1].split(";")[2] == key[0][2]


def test_the_file_name_given_is_not_kept(demo_db, actors):
    data = _attendance(["S3A01"])
    pupil_data.import_attendance(demo_db, actors["dirigente"], SCHOOL, data, "Zanardelli_Ottavio_assenze ottobre.CSV")
    fingerprint = hashlib.sha256(data).hexdigest()[:12] + ".csv"
    assert demo_db.execute("SELECT file_name FROM imports").fetchall() == [(fingerprint,)]
    assert demo_db.execute("SELECT COUNT(*) FROM audit_log WHERE target = ?", [fingerprint]).fetchone()[0] == 1
    dump = "\n".join(demo_db.conn.iterdump())  # imports, audit log, everything
    assert "Zanardelli" not in dump and "Ottavio" not in dump
    assert codes.stored_file_name(b"x", "nomi.xlsx").endswith(".xlsx")
    assert codes.stored_file_name(b"x", "senza estensione").endswith("2d711642b726")  # sha256(b"x")[:12]
