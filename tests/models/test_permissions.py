"""The role table of docs/design.md, asked of models.core.permissions directly (one row per role, both networks)."""

from __future__ import annotations

import pytest

from models.core import permissions as p
from models.core.errors import PermissionDenied
from models.core.permissions import Actor, Role

NET, SCHOOL, OTHER_SCHOOL, OTHER_NET, FAR_SCHOOL = "RETE", "MIIS00001A", "MIIS00002B", "ALTRA", "BGIC00009Z"

ACTORS = {
    "admin": Actor(1, "admin", Role.ADMIN),
    "coordinatore": Actor(2, "coord", Role.COORDINATORE_RETE, network_code=NET),
    "dirigente": Actor(3, "dir", Role.DIRIGENTE, school_code=SCHOOL, network_code=NET),
    "funzione": Actor(4, "fs", Role.FUNZIONE_STRUMENTALE, school_code=SCHOOL, network_code=NET),
    "docente": Actor(5, "doc", Role.DOCENTE, school_code=SCHOOL, network_code=NET),
    "cli": Actor.system(),
}

# role: (pupils of own school, pupils of another school, import, follow up, figures view of own network)
TABLE = {
    "admin": (False, False, False, False, "schools"),
    "coordinatore": (False, False, False, False, "schools"),
    "dirigente": (True, False, True, True, "network"),
    "funzione": (True, False, True, True, "school"),
    "docente": (True, False, False, False, None),
}


@pytest.mark.parametrize("who", list(TABLE))
def test_pupil_data_and_figures_follow_the_role_table(who):
    actor = ACTORS[who]
    own, other, imports, follows, view = TABLE[who]
    assert p.can_read_pupils(actor, SCHOOL) is own
    assert p.can_read_pupils(actor, OTHER_SCHOOL) is other
    assert p.can_import_pupils(actor, SCHOOL) is imports
    assert p.can_follow_up(actor, SCHOOL) is follows
    if view is None:
        with pytest.raises(PermissionDenied):
            p.require_network_figures(actor, NET)
    else:
        assert p.require_network_figures(actor, NET) == view
    if who != "admin":  # nobody outside the network sees its figures
        with pytest.raises(PermissionDenied):
            p.network_figures_view(actor, OTHER_NET)


@pytest.mark.parametrize("who", list(TABLE))
def test_protocols_are_read_in_the_network_and_edited_by_their_owner(who):
    actor = ACTORS[who]
    core, own, sibling, far = (NET, None), (NET, SCHOOL), (NET, OTHER_SCHOOL), (OTHER_NET, FAR_SCHOOL)
    assert p.can_read_protocol(actor, *core)
    assert p.can_read_protocol(actor, *own) is True
    assert p.can_read_protocol(actor, *sibling) is (who in ("admin", "coordinatore"))
    assert p.can_read_protocol(actor, *far) is (who == "admin")
    assert p.can_edit_protocol(actor, *core) is (who in ("admin", "coordinatore"))
    assert p.can_edit_protocol(actor, *own) is (who in ("admin", "dirigente"))
    assert p.can_comment_protocol(actor, *own) is (who != "docente")


def test_the_command_line_reads_pupils_for_batch_jobs_and_manages_networks():
    cli = ACTORS["cli"]
    assert p.can_read_pupils(cli, SCHOOL) and p.can_import_pupils(cli, FAR_SCHOOL) and p.can_purge_pupils(cli, SCHOOL)
    assert p.can_manage_network(cli, OTHER_NET)
    assert not p.can_read_pupils(ACTORS["admin"], SCHOOL)  # on the web, the admin is not school staff


def test_only_the_networks_coordinator_or_an_admin_manage_it():
    assert p.can_manage_network(ACTORS["coordinatore"], NET)
    assert not p.can_manage_network(ACTORS["coordinatore"], OTHER_NET)
    assert not p.can_manage_network(ACTORS["dirigente"], NET)
    with pytest.raises(PermissionDenied, match="solo"):
        p.require_manage_network(ACTORS["dirigente"], NET, "solo il coordinatore")


def test_teachers_have_classes_and_see_only_them():
    assert p.has_classes(Role.DOCENTE) and p.sees_own_classes_only(ACTORS["docente"])
    assert not p.sees_own_classes_only(ACTORS["funzione"])


# role: (school scope, sees own school, sees another network's school, chooses network, lists network schools,
#        manages own school, manages another school, purges own pupils, staff list of own school,
#        reads the access log of own school)
SCHOOLS_TABLE = {
    "admin": (("all", None), True, True, True, True, True, True, True, True, True),
    "coordinatore": (("network", NET), True, False, False, True, False, False, False, False, False),
    "dirigente": (("school", SCHOOL), True, False, False, False, True, False, True, True, True),
    "funzione": (("school", SCHOOL), True, False, False, False, False, False, False, True, False),
    "docente": (("school", SCHOOL), True, False, False, False, False, False, False, True, False),
}


@pytest.mark.parametrize("who", list(SCHOOLS_TABLE))
def test_schools_staff_and_logs_follow_the_role_table(who):
    actor = ACTORS[who]
    (scope, own, far, chooses, lists, manages, manages_other, purges, staff, log) = SCHOOLS_TABLE[who]
    assert p.school_scope(actor) == scope
    assert p.can_see_school(actor, SCHOOL, NET) is own
    assert p.can_see_school(actor, FAR_SCHOOL, OTHER_NET) is far
    assert p.chooses_network(actor) is chooses
    assert p.sees_network_schools(actor) is lists
    assert p.can_manage_school(actor, SCHOOL) is manages
    assert p.can_manage_school(actor, OTHER_SCHOOL) is manages_other
    assert p.can_assign_classes(actor, SCHOOL) is manages  # the same decision, asked by the admin page
    assert p.can_purge_pupils(actor, SCHOOL) is purges
    assert p.can_purge_pupils(actor, OTHER_SCHOOL) is manages_other
    assert p.can_see_staff(actor, SCHOOL) is staff
    assert p.can_see_staff(actor, OTHER_SCHOOL) is (who == "admin")
    assert p.can_read_access_log(actor, SCHOOL) is log


def test_the_command_line_reads_and_purges_pupils_but_is_no_school_staff():
    cli = ACTORS["cli"]
    assert p.can_read_pupils(cli, FAR_SCHOOL) and p.can_import_pupils(cli, FAR_SCHOOL)
    assert p.can_purge_pupils(cli, FAR_SCHOOL) and p.can_manage_network(cli, OTHER_NET)
    assert not p.can_follow_up(cli, SCHOOL)  # reviews are made by people of the school


@pytest.mark.parametrize("who", ["funzione", "docente", "coordinatore", "admin"])
def test_writing_pupil_data_needs_more_than_reading_it(who):
    actor = ACTORS[who]
    if p.can_read_pupils(actor, SCHOOL):
        p.require_pupils(actor, SCHOOL)
    else:
        with pytest.raises(PermissionDenied):
            p.require_pupils(actor, SCHOOL)
    if p.can_import_pupils(actor, SCHOOL):
        p.require_pupils(actor, SCHOOL, write=True)
    else:
        with pytest.raises(PermissionDenied, match="Non hai accesso ai dati degli alunni"):
            p.require_pupils(actor, SCHOOL, write=True)
    assert p.can_import_pupils(actor, SCHOOL) is (who == "funzione")


@pytest.mark.parametrize("who, view", [("admin", "schools"), ("coordinatore", "schools"), ("dirigente", "network"),
                                       ("funzione", "school"), ("docente", None)])
def test_the_models_document_follows_the_network_figures(who, view):
    actor = ACTORS[who]
    if view is None:
        with pytest.raises(PermissionDenied):
            p.model_figures_for(actor, NET)
        return
    assert p.model_figures_for(actor, NET) == view
    if who != "admin":
        with pytest.raises(PermissionDenied):
            p.model_figures_for(actor, OTHER_NET)
    # Narrowing to one school: any school for whoever sees them all, else only the own one.
    assert p.can_filter_figures_on(actor, view, SCHOOL) is True
    assert p.can_filter_figures_on(actor, view, OTHER_SCHOOL) is (view == "schools")


def test_using_the_model_on_a_list_needs_the_pupils_of_that_school():
    p.require_model_use(ACTORS["docente"], SCHOOL)
    for who in ("admin", "coordinatore"):
        with pytest.raises(PermissionDenied):
            p.require_model_use(ACTORS[who], SCHOOL)
    with pytest.raises(PermissionDenied):
        p.require_model_use(ACTORS["dirigente"], OTHER_SCHOOL)


def test_every_role_has_the_capabilities_of_its_pages_and_no_more():
    C = p.Capability
    everyone = {C.USE_APP, C.READ_PROTOCOLS, C.READ_PRACTICES}
    expected = {
        Role.ADMIN: everyone | {C.MANAGE_ACCOUNTS, C.READ_AUDIT, C.VIEW_NETWORK_FIGURES, C.SHAPE_PROTOCOLS,
                                C.DECIDE_NETWORK_UPDATES, C.VIEW_REGION, C.READ_LETTERS, C.DRAFT_PRACTICES},
        Role.COORDINATORE_RETE: everyone | {C.VIEW_NETWORK_FIGURES, C.SHAPE_PROTOCOLS, C.DECIDE_NETWORK_UPDATES,
                                            C.DRAFT_PRACTICES, C.READ_LETTERS},
        Role.DIRIGENTE: everyone | {C.IMPORT_PUPIL_DATA, C.VIEW_RISK, C.VIEW_NETWORK_FIGURES, C.SHAPE_PROTOCOLS,
                                    C.DECIDE_NETWORK_UPDATES, C.FOLLOW_OBLIGATION, C.READ_LETTERS,
                                    C.DRAFT_PRACTICES},
        Role.FUNZIONE_STRUMENTALE: everyone | {C.IMPORT_PUPIL_DATA, C.VIEW_RISK, C.VIEW_NETWORK_FIGURES,
                                               C.FOLLOW_OBLIGATION, C.READ_LETTERS},
        Role.DOCENTE: everyone | {C.VIEW_RISK},
        # Figures of every network and the published practices; no protocol, no pupil.
        Role.REGIONE: {C.USE_APP, C.VIEW_REGION, C.READ_PRACTICES},
    }
    assert set(expected) == set(Role)
    for role, capabilities in expected.items():
        actor = Actor(9, "x", role, school_code=SCHOOL, network_code=NET)
        assert {c for c in C if p.can(actor, c)} == capabilities, role
        for capability in set(C) - capabilities:
            with pytest.raises(PermissionDenied):
                p.require(actor, capability)
