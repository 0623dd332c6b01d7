import pytest

from models.core import audit
from models.core.errors import ApprodoError, PermissionDenied
from models.follow_up import list_export as risk_export
from models.risk import pupil_sheet, school_risk

SCHOOL = "MIIS00003C"


def access_rows(db):
    return db.execute("SELECT actor, what FROM access_log ORDER BY id").fetchall()


def test_school_staff_see_the_whole_school_and_every_read_is_logged(pupils_db, actors):
    risk = school_risk.school_risk(pupils_db, actors["funzione_strumentale"], SCHOOL)
    assert risk.as_of == "2026-02" and risk.school_year == "2025/26"
    assert len(risk.pupils) == pupils_db.execute(
        "SELECT COUNT(DISTINCT pupil_code) FROM attendance WHERE period >= '2025-09'").fetchone()[0]
    assert access_rows(pupils_db) == [("funzione", "elenco rischio")]


def test_a_teacher_sees_only_pupils_of_own_classes(pupils_db, actors):
    risk = school_risk.school_risk(pupils_db, actors["docente"], SCHOOL)
    assert set(risk.pupils["class_name"]) <= {"3A", "4B"} and len(risk.pupils) > 0
    assert risk.classes == ("3A", "4B")
    outsider = pupils_db.execute("SELECT pupil_code FROM attendance WHERE class_name = '1A' LIMIT 1").fetchone()[0]
    with pytest.raises(PermissionDenied, match="tra quelli che puoi vedere"):
        pupil_sheet.pupil_record(pupils_db, actors["docente"], SCHOOL, outsider)
    # A code that exists nowhere gets the same refusal: a teacher cannot probe which codes exist.
    with pytest.raises(PermissionDenied, match="tra quelli che puoi vedere"):
        pupil_sheet.pupil_record(pupils_db, actors["docente"], SCHOOL, "NESSUNO")


@pytest.mark.parametrize("role", ["coordinatore_rete", "admin", "other_dirigente", "other_coordinatore"])
def test_no_one_else_reads_pupils(pupils_db, actors, role):
    with pytest.raises(PermissionDenied):
        school_risk.school_risk(pupils_db, actors[role], SCHOOL)
    with pytest.raises(PermissionDenied):
        pupil_sheet.pupil_record(pupils_db, actors[role], SCHOOL, "S100000")
    assert access_rows(pupils_db) == []


def test_the_command_line_reads_as_the_servers_operator_and_is_logged(pupils_db, system):
    risk = school_risk.school_risk(pupils_db, system, SCHOOL, channel="cli")
    assert len(risk.pupils) > 0 and access_rows(pupils_db) == [("test", "elenco rischio")]


def test_only_the_dirigente_reads_the_access_log(pupils_db, actors):
    school_risk.school_risk(pupils_db, actors["docente"], SCHOOL)
    assert [e["actor"] for e in audit.access_log(pupils_db, actors["dirigente"], SCHOOL)] == ["docente"]
    with pytest.raises(PermissionDenied):
        audit.access_log(pupils_db, actors["funzione_strumentale"], SCHOOL)


def test_exports_have_the_documented_columns_and_no_formulas(pupils_db, system):
    pupils_db.execute("UPDATE attendance SET class_name = '=1+1' WHERE class_name = '1A'")
    risk = school_risk.school_risk(pupils_db, system, SCHOOL)
    text = risk_export.list_csv(risk).decode("utf-8-sig")
    notice, header, *lines = text.splitlines()
    assert notice.startswith("\"DATI PERSONALI DI MINORI")  # quoted: it holds commas
    assert header == ("codice_alunno;classe;livello;assenze_pct;proiezione_pct;ore_residue;motivi;ultima_revisione;"
                      "prossima_verifica;ultimo_intervento;data_intervento;esito_intervento")
    assert any(";'=1+1;" in line for line in lines) and not any(";=1+1;" in line for line in lines)


def test_as_of_a_month_without_data_is_an_italian_error(pupils_db, actors):
    with pytest.raises(ApprodoError, match="Non ci sono dati di frequenza per il mese 2030-01"):
        school_risk.school_risk(pupils_db, actors["dirigente"], SCHOOL, as_of="2030-01")


def test_only_the_dirigente_assigns_classes(pupils_db, actors):
    with pytest.raises(PermissionDenied):
        school_risk.assign_classes(pupils_db, actors["funzione_strumentale"], "docente", ["1A"])
    school_risk.assign_classes(pupils_db, actors["dirigente"], "docente", ["1a", " 2B "])
    assert school_risk.teacher_classes(pupils_db, actors["docente"]) == ("1A", "2B")


def test_a_network_changes_its_thresholds_and_the_list_follows(pupils_db, actors):
    from models.risk import rules

    before = school_risk.school_risk(pupils_db, actors["dirigente"], SCHOOL).pupils
    changed = rules.set_network_rules(pupils_db, actors["coordinatore_rete"], "RETEDEMO", chronic=0.05)
    assert changed.chronic == 0.05 and changed.severe == 0.20
    after = school_risk.school_risk(pupils_db, actors["dirigente"], SCHOOL)
    assert after.rules.chronic == 0.05
    assert (after.pupils["level"] == "medio").sum() > (before["level"] == "medio").sum()
    with pytest.raises(PermissionDenied):
        rules.set_network_rules(pupils_db, actors["dirigente"], "RETEDEMO", chronic=0.2)
    with pytest.raises(ApprodoError, match="tra 0.05 e 0.3"):
        rules.set_network_rules(pupils_db, actors["coordinatore_rete"], "RETEDEMO", chronic=0.9)
    with pytest.raises(ApprodoError, match="non si può cambiare"):
        rules.set_network_rules(pupils_db, actors["coordinatore_rete"], "RETEDEMO", legal_limit=0.3)
