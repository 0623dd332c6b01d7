"""The role table of DESIGN.md, asked of models.core.permissions directly (one row per role, both networks)."""

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
