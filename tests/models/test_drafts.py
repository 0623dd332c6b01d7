"""Unsaved section texts kept on the server per user (models/protocols/drafts.py)."""

import pytest

from models.core.errors import ApprodoError, PermissionDenied
from models.protocols import drafts
from models.protocols import protocol as protocols
from tests.conftest import actor_named


def section_of(db, actor, protocol, key):
    return next(s for s in protocols.list_sections(db, actor, protocol.id) if s.key == key)


def test_a_draft_is_kept_replaced_and_forgotten(demo_db, actors, school_protocol):
    dirigente = actors["dirigente"]
    tempi = section_of(demo_db, dirigente, school_protocol, "tempi")
    assert drafts.of_protocol(demo_db, dirigente, school_protocol.id) == {}
    drafts.keep(demo_db, dirigente, tempi.id, tempi.version, "Prima bozza.", "nota")
    drafts.keep(demo_db, dirigente, tempi.id, tempi.version, "Seconda bozza.")  # replaces, not a second row
    (kept,) = drafts.of_protocol(demo_db, dirigente, school_protocol.id).values()
    assert (kept.section_id, kept.base, kept.text, kept.note) == (tempi.id, tempi.version, "Seconda bozza.", "")
    assert kept.original == tempi.body  # the base version's text, to tell what changed and to discard
    drafts.forget(demo_db, dirigente, tempi.id)
    assert drafts.of_protocol(demo_db, dirigente, school_protocol.id) == {}


def test_a_draft_is_private_to_its_author(demo_db, actors, school_protocol):
    dirigente, admin = actors["dirigente"], actors["admin"]
    tempi = section_of(demo_db, dirigente, school_protocol, "tempi")
    drafts.keep(demo_db, dirigente, tempi.id, tempi.version, "Solo mia.")
    assert drafts.of_protocol(demo_db, admin, school_protocol.id) == {}
    drafts.forget(demo_db, admin, tempi.id)  # someone else's forget leaves mine alone
    assert set(drafts.of_protocol(demo_db, dirigente, school_protocol.id)) == {tempi.id}


def test_who_may_not_edit_the_section_cannot_keep_a_draft(demo_db, actors, school_protocol):
    dirigente = actors["dirigente"]
    tempi = section_of(demo_db, dirigente, school_protocol, "tempi")
    with pytest.raises(PermissionDenied):
        drafts.keep(demo_db, actors["funzione_strumentale"], tempi.id, tempi.version, "No.")
    with pytest.raises(PermissionDenied):  # another school's head teacher cannot even read it
        drafts.keep(demo_db, actor_named(demo_db, "altro.dirigente"), tempi.id, tempi.version, "No.")
    with pytest.raises(ApprodoError, match="troppo lungo"):
        drafts.keep(demo_db, dirigente, tempi.id, tempi.version, "x" * 50_001)


def test_a_draft_of_a_protocol_no_longer_editable_is_not_offered(demo_db, actors, school_protocol):
    dirigente = actors["dirigente"]
    tempi = section_of(demo_db, dirigente, school_protocol, "tempi")
    drafts.keep(demo_db, dirigente, tempi.id, tempi.version, "Bozza prima della revisione.")
    protocols.move(demo_db, dirigente, school_protocol.id, "in_revisione")
    protocols.move(demo_db, dirigente, school_protocol.id, "approvato", deliberation_date="2025-10-01",
                   deliberation_number="12", deliberation_body="collegio dei docenti")
    assert drafts.of_protocol(demo_db, dirigente, school_protocol.id) == {}


def test_a_draft_keeps_its_base_when_someone_saves_meanwhile(demo_db, actors, school_protocol):
    dirigente = actors["dirigente"]
    tempi = section_of(demo_db, dirigente, school_protocol, "tempi")
    drafts.keep(demo_db, dirigente, tempi.id, tempi.version, "La mia bozza.")
    protocols.save_section(demo_db, actors["admin"], tempi.id, "Il testo dell'amministratore.", tempi.version)
    (kept,) = drafts.of_protocol(demo_db, dirigente, school_protocol.id).values()
    # Still based on the version it started from: a save from it is a conflict to resolve, not an overwrite.
    assert (kept.base, kept.original) == (tempi.version, tempi.body)
    with pytest.raises(protocols.SaveConflict):
        protocols.save_section(demo_db, dirigente, tempi.id, kept.text, kept.base)
