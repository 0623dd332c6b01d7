"""The role table of docs/design.md, asked of models.core.permissions directly (one row per role, both networks)."""

from __future__ import annotations

import pytest

from models.core import permissions as p
from models.core.errors import PermissionDenied
from models.core.permissions import (
    Action,
    Actor,
    NetworkRef,
    PracticeRef,
    ProposalRef,
    ProtocolRef,
    Role,
    SchoolRef,
    allowed,
    require,
)
from tests.conftest import ROOT

NET, SCHOOL, OTHER_SCHOOL, OTHER_NET, FAR_SCHOOL = "RETE", "MIIS00001A", "MIIS00002B", "ALTRA", "BGIC00009Z"

ACTORS = {
    "admin": Actor(1, "admin", Role.ADMIN),
    "coordinatore": Actor(2, "coord", Role.COORDINATORE_RETE, network_code=NET),
    "dirigente": Actor(3, "dir", Role.DIRIGENTE, school_code=SCHOOL, network_code=NET),
    "funzione": Actor(4, "fs", Role.FUNZIONE_STRUMENTALE, school_code=SCHOOL, network_code=NET),
    "docente": Actor(5, "doc", Role.DOCENTE, school_code=SCHOOL, network_code=NET),
    "regione": Actor(6, "reg", Role.REGIONE),
    "cli": Actor.system(),
}


def figures(actor, network_code):
    """What the dashboard and the model's document do: the network figures, then how much of them."""
    require(actor, Action.VIEW_NETWORK_FIGURES, NetworkRef(network_code))
    return p.network_figures_view(actor, network_code)


# role: (pupils of own school, pupils of another school, import, follow up, figures view of own network)
TABLE = {
    "admin": (False, False, False, False, "schools"),
    "coordinatore": (False, False, False, False, "schools"),
    "dirigente": (True, False, True, True, "network"),
    "funzione": (True, False, True, True, "school"),
    "docente": (True, False, False, False, None),
    "regione": (False, False, False, False, None),
}


@pytest.mark.parametrize("who", list(TABLE))
def test_pupil_data_and_figures_follow_the_role_table(who):
    actor = ACTORS[who]
    own, other, imports, follows, view = TABLE[who]
    assert allowed(actor, Action.READ_PUPILS, SchoolRef(SCHOOL)) is own
    assert allowed(actor, Action.READ_PUPILS, SchoolRef(OTHER_SCHOOL)) is other
    assert allowed(actor, Action.IMPORT_PUPIL_DATA, SchoolRef(SCHOOL)) is imports
    assert allowed(actor, Action.FOLLOW_UP, SchoolRef(SCHOOL)) is follows
    if view is None:
        with pytest.raises(PermissionDenied, match="Non hai accesso ai dati di questa rete"):
            figures(actor, NET)
    else:
        assert figures(actor, NET) == view
    if who not in ("admin", "regione"):  # nobody outside the network sees its figures
        with pytest.raises(PermissionDenied):
            p.network_figures_view(actor, OTHER_NET)
    assert p.network_figures_view(ACTORS["regione"], OTHER_NET) == "region"  # totals of every network, no row


@pytest.mark.parametrize("who", list(TABLE))
def test_protocols_are_read_in_the_network_and_edited_by_their_owner(who):
    actor = ACTORS[who]
    core, own, sibling, far = (ProtocolRef(NET, None), ProtocolRef(NET, SCHOOL), ProtocolRef(NET, OTHER_SCHOOL),
                               ProtocolRef(OTHER_NET, FAR_SCHOOL))
    reader = who != "regione"
    assert allowed(actor, Action.READ_PROTOCOLS, core) is reader
    assert allowed(actor, Action.READ_PROTOCOLS, own) is reader
    assert allowed(actor, Action.READ_PROTOCOLS, sibling) is (who in ("admin", "coordinatore"))
    assert allowed(actor, Action.READ_PROTOCOLS, far) is (who == "admin")
    assert allowed(actor, Action.EDIT_PROTOCOL, core) is (who in ("admin", "coordinatore"))
    assert allowed(actor, Action.EDIT_PROTOCOL, own) is (who in ("admin", "dirigente"))
    assert allowed(actor, Action.COMMENT_PROTOCOL, own) is (who in ("admin", "coordinatore", "dirigente", "funzione"))
    assert not allowed(actor, Action.CHANGE_LOCKED_SECTION, own)  # nobody: the network locked it


def test_the_command_line_reads_pupils_for_batch_jobs_and_manages_networks():
    cli = ACTORS["cli"]
    assert allowed(cli, Action.READ_PUPILS, SchoolRef(SCHOOL))
    assert allowed(cli, Action.IMPORT_PUPIL_DATA, SchoolRef(FAR_SCHOOL))
    assert allowed(cli, Action.MANAGE_SCHOOL, SchoolRef(FAR_SCHOOL))  # purges old data, sets derogations
    assert allowed(cli, Action.MANAGE_NETWORK, NetworkRef(OTHER_NET))
    assert not allowed(cli, Action.FOLLOW_UP, SchoolRef(SCHOOL))  # reviews are made by people of the school
    assert not allowed(ACTORS["admin"], Action.READ_PUPILS, SchoolRef(SCHOOL))  # on the web, not school staff


def test_only_the_networks_coordinator_or_an_admin_manage_it():
    assert allowed(ACTORS["coordinatore"], Action.MANAGE_NETWORK, NetworkRef(NET))
    assert not allowed(ACTORS["coordinatore"], Action.MANAGE_NETWORK, NetworkRef(OTHER_NET))
    assert not allowed(ACTORS["dirigente"], Action.MANAGE_NETWORK, NetworkRef(NET))
    with pytest.raises(PermissionDenied, match="solo il coordinatore"):
        require(ACTORS["dirigente"], Action.MANAGE_NETWORK, NetworkRef(NET), "solo il coordinatore")


def test_teachers_have_classes_and_see_only_them():
    assert p.has_classes(Role.DOCENTE) and p.has_classes(ACTORS["docente"].role)
    assert not p.has_classes(ACTORS["funzione"].role)


# role: (school scope, sees own school, sees another network's school, chooses network, lists network schools,
#        manages own school (facts, classes, retention, access log), manages another school,
#        staff list of own school)
SCHOOLS_TABLE = {
    "admin": (("all", None), True, True, True, True, True, True, True),
    "coordinatore": (("network", NET), True, False, False, True, False, False, False),
    "dirigente": (("school", SCHOOL), True, False, False, False, True, False, True),
    "funzione": (("school", SCHOOL), True, False, False, False, False, False, True),
    "docente": (("school", SCHOOL), True, False, False, False, False, False, True),
    "regione": (("all", None), True, True, True, True, False, False, False),
}


@pytest.mark.parametrize("who", list(SCHOOLS_TABLE))
def test_schools_staff_and_logs_follow_the_role_table(who):
    actor = ACTORS[who]
    (scope, own, far, chooses, lists, manages, manages_other, staff) = SCHOOLS_TABLE[who]
    assert p.school_scope(actor) == scope
    assert allowed(actor, Action.SEE_SCHOOL, SchoolRef(SCHOOL, NET)) is own
    assert allowed(actor, Action.SEE_SCHOOL, SchoolRef(FAR_SCHOOL, OTHER_NET)) is far
    assert allowed(actor, Action.CHOOSE_NETWORK) is chooses
    assert allowed(actor, Action.LIST_NETWORK_SCHOOLS) is lists
    assert allowed(actor, Action.MANAGE_SCHOOL, SchoolRef(SCHOOL)) is manages
    assert allowed(actor, Action.MANAGE_SCHOOL, SchoolRef(OTHER_SCHOOL)) is manages_other
    assert allowed(actor, Action.SEE_STAFF, SchoolRef(SCHOOL)) is staff
    assert allowed(actor, Action.SEE_STAFF, SchoolRef(OTHER_SCHOOL)) is (who == "admin")


@pytest.mark.parametrize("who", ["funzione", "docente", "coordinatore", "admin"])
def test_writing_pupil_data_needs_more_than_reading_it(who):
    actor = ACTORS[who]
    if allowed(actor, Action.READ_PUPILS, SchoolRef(SCHOOL)):
        require(actor, Action.READ_PUPILS, SchoolRef(SCHOOL))
    else:
        with pytest.raises(PermissionDenied, match="Non hai accesso ai dati degli alunni"):
            require(actor, Action.READ_PUPILS, SchoolRef(SCHOOL))
    if allowed(actor, Action.IMPORT_PUPIL_DATA, SchoolRef(SCHOOL)):
        require(actor, Action.IMPORT_PUPIL_DATA, SchoolRef(SCHOOL))
    else:
        with pytest.raises(PermissionDenied, match="Non hai accesso ai dati degli alunni"):
            require(actor, Action.IMPORT_PUPIL_DATA, SchoolRef(SCHOOL))
    assert allowed(actor, Action.IMPORT_PUPIL_DATA, SchoolRef(SCHOOL)) is (who == "funzione")


@pytest.mark.parametrize("who, view", [("admin", "schools"), ("coordinatore", "schools"), ("dirigente", "network"),
                                       ("funzione", "school"), ("docente", None)])
def test_narrowing_the_figures_to_one_school_follows_the_view(who, view):
    actor = ACTORS[who]
    # Any school for whoever sees them all, else only the own one.
    assert allowed(actor, Action.FILTER_FIGURES, SchoolRef(SCHOOL, NET)) is (view is not None)
    assert allowed(actor, Action.FILTER_FIGURES, SchoolRef(OTHER_SCHOOL, NET)) is (view == "schools")


def test_proposals_to_the_core_are_made_by_dirigenti_and_supported_by_the_other_schools():
    dirigente, other = ACTORS["dirigente"], Actor(7, "dir2", Role.DIRIGENTE, school_code=OTHER_SCHOOL,
                                                 network_code=NET)
    own = ProposalRef(NET, SCHOOL, "dir")
    assert allowed(dirigente, Action.PROPOSE, SchoolRef(SCHOOL, NET))
    assert not allowed(dirigente, Action.PROPOSE, SchoolRef(SCHOOL, NET, reachable=False))  # another level's core
    assert not allowed(dirigente, Action.SUPPORT_PROPOSAL, own) and allowed(other, Action.SUPPORT_PROPOSAL, own)
    assert allowed(dirigente, Action.WITHDRAW_PROPOSAL, own) and not allowed(other, Action.WITHDRAW_PROPOSAL, own)
    assert not allowed(ACTORS["funzione"], Action.COMMENT_PROPOSAL, NetworkRef(NET))
    assert allowed(ACTORS["funzione"], Action.READ_PROPOSALS, NetworkRef(NET))
    assert not allowed(ACTORS["regione"], Action.READ_PROPOSALS, NetworkRef(NET))


def test_drafts_stay_in_their_network_and_the_catalogue_travels():
    school_draft, network_draft = PracticeRef(NET, SCHOOL), PracticeRef(NET, None)
    far_published = PracticeRef(OTHER_NET, FAR_SCHOOL, published=True)
    assert allowed(ACTORS["dirigente"], Action.DRAFT_PRACTICES, school_draft)
    assert not allowed(ACTORS["dirigente"], Action.DRAFT_PRACTICES, network_draft)  # the coordinator's
    assert allowed(ACTORS["coordinatore"], Action.READ_PRACTICES, school_draft)
    assert not allowed(ACTORS["funzione"], Action.READ_PRACTICES, school_draft)
    assert all(allowed(actor, Action.READ_PRACTICES, far_published) for actor in ACTORS.values())
    assert not allowed(ACTORS["regione"], Action.READ_PRACTICES, network_draft)
    assert allowed(ACTORS["coordinatore"], Action.PUBLISH_PRACTICE, network_draft)
    assert not allowed(ACTORS["coordinatore"], Action.PUBLISH_PRACTICE, far_published)


def test_every_role_opens_the_pages_of_its_row_and_no_more():
    """Asked without a resource, an action says whether the role has it at all (the navigation's question)."""
    A = Action
    everyone = {A.USE_APP, A.READ_PROTOCOLS, A.READ_PRACTICES, A.SEE_SCHOOL}
    expected = {
        Role.ADMIN: everyone | {A.MANAGE_ACCOUNTS, A.READ_AUDIT, A.VIEW_NETWORK_FIGURES, A.SHAPE_PROTOCOLS,
                                A.DECIDE_NETWORK_UPDATES, A.VIEW_REGION, A.READ_LETTERS, A.DRAFT_PRACTICES,
                                A.CHOOSE_NETWORK, A.LIST_NETWORK_SCHOOLS, A.MANAGE_SCHOOL, A.SEE_STAFF,
                                A.MANAGE_NETWORK, A.EDIT_PROTOCOL, A.COMMENT_PROTOCOL, A.READ_PROPOSALS,
                                A.COMMENT_PROPOSAL, A.FILTER_FIGURES, A.PUBLISH_PRACTICE},
        Role.COORDINATORE_RETE: everyone | {A.VIEW_NETWORK_FIGURES, A.SHAPE_PROTOCOLS, A.DECIDE_NETWORK_UPDATES,
                                            A.DRAFT_PRACTICES, A.READ_LETTERS, A.LIST_NETWORK_SCHOOLS,
                                            A.MANAGE_NETWORK, A.EDIT_PROTOCOL, A.COMMENT_PROTOCOL,
                                            A.READ_PROPOSALS, A.COMMENT_PROPOSAL, A.FILTER_FIGURES,
                                            A.PUBLISH_PRACTICE, A.ADOPT_PRACTICES},
        Role.DIRIGENTE: everyone | {A.IMPORT_PUPIL_DATA, A.READ_PUPILS, A.VIEW_NETWORK_FIGURES, A.SHAPE_PROTOCOLS,
                                    A.DECIDE_NETWORK_UPDATES, A.FOLLOW_OBLIGATION, A.READ_LETTERS,
                                    A.DRAFT_PRACTICES, A.MANAGE_SCHOOL, A.SEE_STAFF, A.EDIT_PROTOCOL,
                                    A.COMMENT_PROTOCOL, A.READ_PROPOSALS, A.PROPOSE, A.SUPPORT_PROPOSAL,
                                    A.COMMENT_PROPOSAL, A.WITHDRAW_PROPOSAL, A.FOLLOW_UP, A.FILTER_FIGURES,
                                    A.PROPOSE_PRACTICE, A.ADOPT_PRACTICES},
        Role.FUNZIONE_STRUMENTALE: everyone | {A.IMPORT_PUPIL_DATA, A.READ_PUPILS, A.VIEW_NETWORK_FIGURES,
                                               A.FOLLOW_OBLIGATION, A.READ_LETTERS, A.SEE_STAFF,
                                               A.COMMENT_PROTOCOL, A.READ_PROPOSALS, A.FOLLOW_UP,
                                               A.FILTER_FIGURES},
        Role.DOCENTE: everyone | {A.READ_PUPILS, A.SEE_STAFF, A.READ_PROPOSALS},
        # Figures of every network and the published practices; no protocol, no pupil.
        Role.REGIONE: {A.USE_APP, A.VIEW_REGION, A.READ_PRACTICES, A.SEE_SCHOOL, A.CHOOSE_NETWORK,
                       A.LIST_NETWORK_SCHOOLS},
    }
    assert set(expected) == set(Role)
    for role, actions in expected.items():
        actor = Actor(9, "x", role, school_code=SCHOOL, network_code=NET)
        assert {a for a in A if allowed(actor, a)} == actions, role
        for action in set(A) - actions:
            with pytest.raises(PermissionDenied):
                require(actor, action)


def test_every_action_has_a_row_with_every_role_and_the_command_line():
    assert set(p.TABLE) == set(Action)
    for row in p.TABLE.values():
        assert set(row) == {*Role, p.CLI}


def test_the_design_shows_the_table_the_module_decides_with():
    """docs/design.md carries `role_table()` verbatim: the capability table and the design are one thing."""
    design = (ROOT / "docs" / "design.md").read_text(encoding="utf-8")
    assert p.role_table() in design, "docs/design.md is out of date: paste permissions.role_table() into it"
    assert p.role_table().count("\n") == len(Action) + 1
