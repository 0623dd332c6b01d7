import pytest

from models.accounts import schools
from models.core.errors import ApprodoError, PermissionDenied
from tests.conftest import OTHER_NETWORK, OTHER_SCHOOL

DEMO_SCHOOLS = {"MIEE00001A", "MIMM00002B", "MIIS00003C", "MIRI00004D"}


def codes(items):
    return {item.code for item in items}


def test_demo_network_has_four_schools_of_every_level(demo_db, actors):
    demo = [s for s in schools.list_schools(demo_db, actors["admin"]) if s.network_code == "RETEDEMO"]
    assert codes(demo) == DEMO_SCHOOLS
    assert {s.level for s in demo} == set(schools.Level)
    assert schools.get_network(demo_db, actors["admin"], "RETEDEMO").name == "Rete di esempio"


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", DEMO_SCHOOLS | {OTHER_SCHOOL}),
        ("coordinatore_rete", DEMO_SCHOOLS),
        ("dirigente", {"MIIS00003C"}),
        ("funzione_strumentale", {"MIIS00003C"}),
        ("docente", {"MIIS00003C"}),
        ("other_dirigente", {OTHER_SCHOOL}),
        ("other_coordinatore", {OTHER_SCHOOL}),
    ],
)
def test_each_role_sees_only_its_schools(demo_db, actors, role, expected):
    assert codes(schools.list_schools(demo_db, actors[role])) == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", {"RETEDEMO", OTHER_NETWORK}),
        ("coordinatore_rete", {"RETEDEMO"}),
        ("dirigente", {"RETEDEMO"}),
        ("other_dirigente", {OTHER_NETWORK}),
    ],
)
def test_each_role_sees_only_its_networks(demo_db, actors, role, expected):
    assert codes(schools.list_networks(demo_db, actors[role])) == expected


@pytest.mark.parametrize("role", ["coordinatore_rete", "dirigente", "funzione_strumentale", "docente"])
def test_a_school_of_another_network_is_refused(demo_db, actors, role):
    with pytest.raises(PermissionDenied):
        schools.get_school(demo_db, actors[role], OTHER_SCHOOL)
    with pytest.raises(PermissionDenied):
        schools.get_network(demo_db, actors[role], OTHER_NETWORK)


def test_school_staff_cannot_open_a_sister_school_of_their_network(demo_db, actors):
    with pytest.raises(PermissionDenied):
        schools.get_school(demo_db, actors["dirigente"], "MIEE00001A")
    assert schools.get_school(demo_db, actors["coordinatore_rete"], "MIEE00001A").level == "primaria"


def test_unknown_school_says_it_does_not_exist(demo_db, actors):
    with pytest.raises(ApprodoError, match="non esiste"):
        schools.get_school(demo_db, actors["admin"], "ZZZZ99999Z")


@pytest.mark.parametrize("code", ["abc", "miee00001a", "MIEE00001", "MIEE00001AB", "MIEE 0001A", "'; DROP--"])
def test_school_codes_must_be_ten_upper_case_letters_or_digits(demo_db, system, code):
    with pytest.raises(ApprodoError, match="codice meccanografico"):
        schools.create_school(demo_db, system, code, "Scuola", "RETEDEMO", "primaria")


def test_school_needs_an_existing_network_and_a_known_level(demo_db, system):
    with pytest.raises(ApprodoError, match="La rete NOPE non esiste"):
        schools.create_school(demo_db, system, "MIEE12345X", "Scuola", "NOPE", "primaria")
    with pytest.raises(ApprodoError, match="Grado scolastico"):
        schools.create_school(demo_db, system, "MIEE12345X", "Scuola", "RETEDEMO", "liceo")
    with pytest.raises(ApprodoError, match="Esiste già"):
        schools.create_school(demo_db, system, "MIEE00001A", "Scuola", "RETEDEMO", "primaria")


def test_annual_hours_default_by_level_and_can_be_set(demo_db, system):
    school = schools.create_school(
        demo_db, system, "MIPS12345X", "Liceo", "RETEDEMO", "secondaria_secondo_grado", annual_hours=1089
    )
    assert school.effective_annual_hours == 1089
    assert schools.get_school(demo_db, system, "MIMM00002B").effective_annual_hours == 990
    assert schools.get_school(demo_db, system, "MIEE00001A").effective_annual_hours is None


def test_sql_metacharacters_in_names_are_stored_as_text(demo_db, system):
    name = "Rete \"x\"; DROP TABLE schools; --"
    schools.create_network(demo_db, system, "RETE-SQL", name)
    assert schools.get_network(demo_db, system, "RETE-SQL").name == name
    assert "schools" in demo_db.table_names()


@pytest.mark.parametrize("role", ["coordinatore_rete", "dirigente", "funzione_strumentale", "docente"])
def test_only_admins_create_networks_and_schools(demo_db, actors, role):
    with pytest.raises(PermissionDenied):
        schools.create_network(demo_db, actors[role], "NUOVA", "Nuova")
    with pytest.raises(PermissionDenied):
        schools.create_school(demo_db, actors[role], "MIEE12345X", "Scuola", "RETEDEMO", "primaria")
