"""The structure of protocols: the network shapes the core, schools decide, schools reshape their own."""

import pytest

from models.core import audit
from models.core.errors import ApprodoError, PermissionDenied
from models.protocols import protocol as protocols
from models.protocols import structure as ps
from models.protocols.merge import Choice, resolve
from models.protocols.templates import SectionKind
from tests.conftest import publish_core


def sections(db, actor, protocol):
    return protocols.list_sections(db, actor, protocol.id)


def by_key(db, actor, protocol, key):
    return next(s for s in sections(db, actor, protocol) if s.key == key)


def kinds(updates):
    return [(u.kind, u.title) for u in updates.structure]


@pytest.fixture
def coord(actors):
    return actors["coordinatore_rete"]


@pytest.fixture
def dirigente(actors):
    return actors["dirigente"]


# --- the network shapes the core; schools see and decide ------------------------------------


def test_unlocking_a_core_section_makes_it_editable_in_the_school_at_once(demo_db, coord, dirigente, core,
                                                                          school_protocol):
    mine = by_key(demo_db, dirigente, school_protocol, "premessa")
    assert mine.kind is SectionKind.CORE_LOCKED
    with pytest.raises(PermissionDenied):
        protocols.save_section(demo_db, dirigente, mine.id, "La nostra premessa.", mine.version)
    ps.set_locked(demo_db, coord, by_key(demo_db, coord, core, "premessa").id, locked=False)

    mine = by_key(demo_db, dirigente, school_protocol, "premessa")
    assert protocols.may_edit_section(dirigente, school_protocol, mine)
    assert protocols.save_section(demo_db, dirigente, mine.id, "La nostra premessa.", mine.version).version == 2
    # The school is told, and says it has seen it.
    updates = ps.pending_updates(demo_db, dirigente, school_protocol.id)
    assert kinds(updates) == [("unlocked", "Premessa e finalità")]
    ps.decide(demo_db, dirigente, school_protocol.id, "unlocked", updates.structure[0].core_section_id, True)
    assert len(ps.pending_updates(demo_db, dirigente, school_protocol.id)) == 0


def test_locking_an_adapted_section_asks_the_school_to_take_the_network_text(demo_db, coord, dirigente, core,
                                                                            school_protocol):
    mine = by_key(demo_db, dirigente, school_protocol, "fase_sociale")
    protocols.save_section(demo_db, dirigente, mine.id, mine.body + "\nIl nostro sportello.\n", mine.version)
    ps.set_locked(demo_db, coord, mine.core_section_id, locked=True)
    with pytest.raises(ApprodoError, match="già"):
        ps.set_locked(demo_db, coord, mine.core_section_id, locked=True)
    publish_core(demo_db, coord, core.id)

    updates = ps.pending_updates(demo_db, dirigente, school_protocol.id)
    assert kinds(updates) == [("locked", "Fase sociale: la scuola e il territorio")]
    (text,) = updates.text
    assert text.locked
    with pytest.raises(ApprodoError, match="bloccata"):
        ps.keep_school_text(demo_db, dirigente, mine.id, core_version=text.core_version)
    taken = ps.take_text_update(demo_db, dirigente, mine.id, "ignored for a locked section",
                                base_version=2, core_version=text.core_version)
    assert taken.body == by_key(demo_db, coord, core, "fase_sociale").body and taken.version == 3
    assert len(ps.pending_updates(demo_db, dirigente, school_protocol.id)) == 0


def test_a_section_added_to_the_core_is_offered_and_lands_in_the_networks_place(demo_db, coord, dirigente, core,
                                                                                school_protocol):
    added = ps.add_core_section(demo_db, coord, core.id, "Mediazione linguistica", body="Il mediatore della rete.\n")
    ps.move_section(demo_db, coord, added.id, -100)  # first in the core
    assert sections(demo_db, coord, core)[0].title == "Mediazione linguistica"
    assert "Mediazione linguistica" not in [s.title for s in sections(demo_db, dirigente, school_protocol)]
    publish_core(demo_db, coord, core.id)

    updates = ps.pending_updates(demo_db, dirigente, school_protocol.id)
    assert ("added", "Mediazione linguistica") in kinds(updates)
    ps.decide(demo_db, dirigente, school_protocol.id, "added", added.id, True)
    mine = sections(demo_db, dirigente, school_protocol)
    assert mine[0].title == "Mediazione linguistica" and mine[0].body == "Il mediatore della rete.\n"
    assert mine[0].kind is SectionKind.CORE_ADAPTABLE and mine[0].core_section_id == added.id
    assert ("added", "Mediazione linguistica") not in kinds(ps.pending_updates(demo_db, dirigente,
                                                                               school_protocol.id))
    with pytest.raises(ApprodoError, match="già stato deciso"):
        ps.decide(demo_db, dirigente, school_protocol.id, "added", added.id, True)


def test_a_declined_new_section_is_not_offered_again(demo_db, coord, dirigente, core, school_protocol):
    added = ps.add_core_section(demo_db, coord, core.id, "Sezione facoltativa")
    publish_core(demo_db, coord, core.id)
    ps.decide(demo_db, dirigente, school_protocol.id, "added", added.id, False)
    assert "Sezione facoltativa" not in [s.title for s in sections(demo_db, dirigente, school_protocol)]
    assert len(ps.pending_updates(demo_db, dirigente, school_protocol.id)) == 0


def test_a_core_section_removed_is_offered_for_removal_never_removed_under_the_school(demo_db, coord, dirigente,
                                                                                     core, school_protocol):
    core_section = by_key(demo_db, coord, core, "tempi")
    ps.remove_section(demo_db, coord, core_section.id)
    assert "tempi" not in [s.key for s in sections(demo_db, coord, core)]
    publish_core(demo_db, coord, core.id)
    # Still in the school, with its text, until the dirigente decides.
    mine = by_key(demo_db, dirigente, school_protocol, "tempi")
    updates = ps.pending_updates(demo_db, dirigente, school_protocol.id)
    assert kinds(updates) == [("removed", "Tempi e responsabilità")]

    ps.decide(demo_db, dirigente, school_protocol.id, "removed", core_section.id, False)
    kept = by_key(demo_db, dirigente, school_protocol, "tempi")
    assert kept.kind is SectionKind.LOCAL and kept.core_section_id is None and kept.body == mine.body
    assert len(ps.pending_updates(demo_db, dirigente, school_protocol.id)) == 0


def test_taking_a_removal_removes_the_section_but_keeps_its_history(demo_db, coord, dirigente, core,
                                                                    school_protocol):
    core_section = by_key(demo_db, coord, core, "allegati")
    mine = by_key(demo_db, dirigente, school_protocol, "allegati")
    ps.remove_section(demo_db, coord, core_section.id)
    publish_core(demo_db, coord, core.id)
    ps.decide(demo_db, dirigente, school_protocol.id, "removed", core_section.id, True)
    assert "allegati" not in [s.key for s in sections(demo_db, dirigente, school_protocol)]
    assert protocols.section_history(demo_db, dirigente, mine.id)[0].body == mine.body
    actions = [e["action"] for e in ps.history(demo_db, dirigente, school_protocol.id)]
    assert actions == ["tolta"]


def test_a_rename_is_offered_and_the_school_may_keep_its_title(demo_db, coord, dirigente, core, school_protocol):
    first, second = by_key(demo_db, coord, core, "tempi"), by_key(demo_db, coord, core, "allegati")
    ps.rename_section(demo_db, coord, first.id, "Tempi, responsabilità e scadenze")
    ps.rename_section(demo_db, coord, second.id, "Moduli e allegati")
    publish_core(demo_db, coord, core.id)
    updates = ps.pending_updates(demo_db, dirigente, school_protocol.id)
    assert [(u.kind, u.title, u.detail) for u in updates.structure] == [
        ("renamed", "Tempi e responsabilità", "Tempi, responsabilità e scadenze"),
        ("renamed", "Allegati", "Moduli e allegati")]
    ps.decide(demo_db, dirigente, school_protocol.id, "renamed", first.id, True)
    ps.decide(demo_db, dirigente, school_protocol.id, "renamed", second.id, False)
    titles = [s.title for s in sections(demo_db, dirigente, school_protocol)]
    assert "Tempi, responsabilità e scadenze" in titles and "Allegati" in titles
    assert len(ps.pending_updates(demo_db, dirigente, school_protocol.id)) == 0


def test_a_new_core_order_is_offered_and_school_sections_keep_their_place(demo_db, coord, dirigente, core,
                                                                          school_protocol):
    local = [s for s in sections(demo_db, dirigente, school_protocol) if s.kind is SectionKind.LOCAL]
    before = [s.key for s in sections(demo_db, dirigente, school_protocol)]
    ps.move_section(demo_db, coord, by_key(demo_db, coord, core, "premessa").id, 2)
    updates = ps.pending_updates(demo_db, dirigente, school_protocol.id)
    assert [u.kind for u in updates.structure] == ["reordered"]
    ps.decide(demo_db, dirigente, school_protocol.id, "reordered", None, True)
    after = [s.key for s in sections(demo_db, dirigente, school_protocol)]
    assert after[:3] == ["destinatari", "riferimenti_normativi", "premessa"]
    assert [after.index(s.key) for s in local] == [before.index(s.key) for s in local]
    assert len(ps.pending_updates(demo_db, dirigente, school_protocol.id)) == 0


def test_only_the_coordinator_shapes_the_core(demo_db, actors, coord, core, school_protocol):
    section = by_key(demo_db, coord, core, "premessa")
    for who in ("dirigente", "funzione_strumentale", "other_coordinatore"):
        with pytest.raises(PermissionDenied):
            ps.set_locked(demo_db, actors[who], section.id, locked=False)
    with pytest.raises(PermissionDenied):
        ps.add_core_section(demo_db, actors["dirigente"], core.id, "X")
    with pytest.raises(PermissionDenied):
        ps.rename_section(demo_db, actors["dirigente"], section.id, "X")


def test_every_structure_change_is_logged_and_moves_the_revision(demo_db, coord, core):
    revision = protocols.get_protocol(demo_db, coord, core.id).revision
    ps.set_locked(demo_db, coord, by_key(demo_db, coord, core, "premessa").id, locked=False)
    ps.rename_section(demo_db, coord, by_key(demo_db, coord, core, "tempi").id, "Tempi")
    assert protocols.get_protocol(demo_db, coord, core.id).revision == revision + 2
    assert [e["action"] for e in ps.history(demo_db, coord, core.id)] == ["rinominata", "sbloccata"]
    logged = [e["action"] for e in audit.recent(demo_db, protocols_admin(demo_db))]
    assert "struttura_sbloccata" in logged and "struttura_rinominata" in logged


def protocols_admin(db):
    from tests.conftest import actor_named
    return actor_named(db, "admin")


# --- schools reshape their own protocol --------------------------------------------------


def test_a_school_splits_a_section_at_a_paragraph(demo_db, dirigente, school_protocol):
    section = by_key(demo_db, dirigente, school_protocol, "organizzazione_scuola")
    parts = ps.split_points(section.body)
    assert len(parts) >= 2
    new = ps.split_section(demo_db, dirigente, section.id, 1, "Laboratori", base_version=section.version)
    first = protocols.get_section(demo_db, dirigente, section.id)
    assert first.version == section.version + 1 and first.body == parts[0] + "\n"
    assert new.body == "\n\n".join(parts[1:]) + "\n" and new.kind is SectionKind.LOCAL
    order = [s.id for s in sections(demo_db, dirigente, school_protocol)]
    assert order.index(new.id) == order.index(section.id) + 1
    # Nothing of the text is lost: merging them back gives the same paragraphs.
    merged = ps.merge_sections(demo_db, dirigente, section.id, new.id)
    assert ps.split_points(merged.body) == parts
    assert new.id not in [s.id for s in sections(demo_db, dirigente, school_protocol)]


def test_a_split_on_a_stale_page_is_refused(demo_db, dirigente, school_protocol):
    section = by_key(demo_db, dirigente, school_protocol, "organizzazione_scuola")
    protocols.save_section(demo_db, dirigente, section.id, section.body + "\nAltro.\n", section.version)
    with pytest.raises(ApprodoError, match="è cambiata"):
        ps.split_section(demo_db, dirigente, section.id, 1, "Laboratori", base_version=section.version)
    with pytest.raises(ApprodoError, match="paragrafo"):
        ps.split_section(demo_db, dirigente, section.id, 0, "Laboratori")


def test_locked_sections_cannot_be_removed_merged_or_split_by_the_school(demo_db, dirigente, school_protocol):
    locked = by_key(demo_db, dirigente, school_protocol, "premessa")
    other = by_key(demo_db, dirigente, school_protocol, "destinatari")
    with pytest.raises(PermissionDenied):
        ps.remove_section(demo_db, dirigente, locked.id)
    with pytest.raises(PermissionDenied):
        ps.merge_sections(demo_db, dirigente, other.id, locked.id)
    with pytest.raises(PermissionDenied):
        ps.split_section(demo_db, dirigente, locked.id, 1, "X")


def test_a_school_removes_and_reorders_its_sections(demo_db, actors, dirigente, school_protocol):
    local = protocols.add_local_section(demo_db, dirigente, school_protocol.id, "Progetto «Ponti»")
    ps.move_section(demo_db, dirigente, local.id, -100)
    assert sections(demo_db, dirigente, school_protocol)[0].id == local.id
    with pytest.raises(ApprodoError, match="già la prima"):
        ps.move_section(demo_db, dirigente, local.id, -1)
    # Reordering by the school is its own choice: no "new order from the network" appears.
    assert len(ps.pending_updates(demo_db, dirigente, school_protocol.id)) == 0
    ps.rename_section(demo_db, dirigente, local.id, "Progetto Ponti")
    ps.remove_section(demo_db, dirigente, local.id)
    left = sections(demo_db, dirigente, school_protocol)
    assert local.id not in [s.id for s in left]
    assert [s.position for s in left] == list(range(1, len(left) + 1))  # as the editor numbers them
    with pytest.raises(ApprodoError, match="già stata tolta"):
        ps.remove_section(demo_db, dirigente, local.id)
    with pytest.raises(PermissionDenied):
        ps.move_section(demo_db, actors["funzione_strumentale"], by_key(demo_db, dirigente, school_protocol,
                                                                        "tempi").id, 1)


# --- network text merged into the school's -------------------------------------------------


def test_a_network_change_merges_with_the_schools_own_addition(demo_db, coord, dirigente, core, school_protocol):
    mine = by_key(demo_db, dirigente, school_protocol, "fase_sociale")
    paragraphs = ps.split_points(mine.body)
    school_text = mine.body.rstrip("\n") + "\n\nSportello del comune, il martedì.\n"
    protocols.save_section(demo_db, dirigente, mine.id, school_text, mine.version)
    core_section = by_key(demo_db, coord, core, "fase_sociale")
    network_text = core_section.body.replace(paragraphs[0], paragraphs[0] + " Aggiornato dalla rete.", 1)
    protocols.save_section(demo_db, coord, core_section.id, network_text, core_section.version)
    publish_core(demo_db, coord, core.id)

    (update,) = ps.pending_updates(demo_db, dirigente, school_protocol.id).text
    assert update.result.clean and not update.locked
    merged = resolve(update.result)
    assert "Aggiornato dalla rete." in merged and "Sportello del comune, il martedì." in merged
    saved = ps.take_text_update(demo_db, dirigente, mine.id, merged, base_version=2,
                                core_version=update.core_version)
    assert saved.version == 3 and saved.body == merged
    assert ps.pending_updates(demo_db, dirigente, school_protocol.id).text == []


def test_an_overlapping_change_is_a_conflict_and_a_stale_save_is_refused(demo_db, coord, dirigente, core,
                                                                         school_protocol):
    mine = by_key(demo_db, dirigente, school_protocol, "tempi")
    first = ps.split_points(mine.body)[0]
    protocols.save_section(demo_db, dirigente, mine.id, mine.body.replace(first, first + " (scuola)", 1),
                           mine.version)
    core_section = by_key(demo_db, coord, core, "tempi")
    protocols.save_section(demo_db, coord, core_section.id, core_section.body.replace(first, first + " (rete)", 1),
                           core_section.version)
    publish_core(demo_db, coord, core.id)
    (update,) = ps.pending_updates(demo_db, dirigente, school_protocol.id).text
    assert len(update.result.conflicts) == 1
    text = resolve(update.result, {update.result.conflicts[0]: Choice.BOTH})
    assert first + " (rete)" in text and first + " (scuola)" in text
    # The network changes the section again before the dirigente saves: nothing is saved.
    core_section = by_key(demo_db, coord, core, "tempi")
    protocols.save_section(demo_db, coord, core_section.id, core_section.body + "\nAncora.\n", core_section.version)
    publish_core(demo_db, coord, core.id)
    with pytest.raises(ApprodoError, match="di nuovo"):
        ps.take_text_update(demo_db, dirigente, mine.id, text, base_version=2, core_version=update.core_version)
    with pytest.raises(protocols.SaveConflict):
        ps.take_text_update(demo_db, dirigente, mine.id, text, base_version=1, core_version=update.core_version)
    assert by_key(demo_db, dirigente, school_protocol, "tempi").version == 2


def test_keeping_the_school_text_marks_the_network_version_seen(demo_db, coord, dirigente, core, school_protocol):
    core_section = by_key(demo_db, coord, core, "fase_sociale")
    protocols.save_section(demo_db, coord, core_section.id, "Testo nuovo della rete.\n", core_section.version)
    publish_core(demo_db, coord, core.id)
    (update,) = ps.pending_updates(demo_db, dirigente, school_protocol.id).text
    ps.keep_school_text(demo_db, dirigente, update.section.id, core_version=update.core_version)
    assert ps.pending_updates(demo_db, dirigente, school_protocol.id).text == []
    assert by_key(demo_db, dirigente, school_protocol, "fase_sociale").body == update.section.body


def test_a_school_with_its_own_order_is_not_asked_again_when_a_section_is_added(demo_db, coord, dirigente, core,
                                                                                 school_protocol):
    ps.move_section(demo_db, dirigente, by_key(demo_db, dirigente, school_protocol, "allegati").id, -100)
    added = ps.add_core_section(demo_db, coord, core.id, "Mediazione")
    publish_core(demo_db, coord, core.id)
    ps.decide(demo_db, dirigente, school_protocol.id, "added", added.id, True)
    assert len(ps.pending_updates(demo_db, dirigente, school_protocol.id)) == 0
    # A real change of the network's order is still offered.
    ps.move_section(demo_db, coord, by_key(demo_db, coord, core, "tempi").id, -1)
    assert [u.kind for u in ps.pending_updates(demo_db, dirigente, school_protocol.id).structure] == ["reordered"]


# --- schools receive the core as published, never its draft ---------------------------------------------


def test_a_draft_of_the_core_reaches_no_school_until_it_is_published(demo_db, coord, dirigente, core,
                                                                     school_protocol):
    publish_core(demo_db, coord, core.id)  # published as the school took it; a new revision is open
    social = by_key(demo_db, coord, core, "fase_sociale")
    published = social.body + "\nPrima modifica della rete, pubblicata.\n"
    protocols.save_section(demo_db, coord, social.id, published, social.version)
    publish_core(demo_db, coord, core.id)
    # The new revision's draft: a text, a title, a new section, a removal.
    draft = published + "\nBozza non ancora approvata.\n"
    protocols.save_section(demo_db, coord, social.id, draft, 2)
    ps.rename_section(demo_db, coord, by_key(demo_db, coord, core, "tempi").id, "Tempi (bozza)")
    added = ps.add_core_section(demo_db, coord, core.id, "Sezione in bozza", body="Testo in bozza.\n")
    ps.remove_section(demo_db, coord, by_key(demo_db, coord, core, "allegati").id)

    updates = ps.pending_updates(demo_db, dirigente, school_protocol.id)
    assert kinds(updates) == []
    (update,) = updates.text
    assert update.theirs == published and update.core_version == 2
    ps.keep_school_text(demo_db, dirigente, update.section.id, core_version=2)
    # Only the draft differs from what the school has seen: nothing to decide, nothing blocks its approval.
    assert len(ps.pending_updates(demo_db, dirigente, school_protocol.id)) == 0
    assert protocols.approval_check(demo_db, dirigente, school_protocol.id).pending_updates == []
    assert protocols.core_text_for(demo_db, dirigente, update.section) == published

    publish_core(demo_db, coord, core.id, reopen=False)
    updates = ps.pending_updates(demo_db, dirigente, school_protocol.id)
    assert kinds(updates) == [("added", "Sezione in bozza"), ("renamed", "Tempi e responsabilità"),
                              ("removed", "Allegati")]
    (update,) = updates.text
    # The difference from the text the school last adopted (the network's version 2) to the one published now.
    assert (update.base, update.theirs, update.core_version) == (published, draft, 3)
    ps.decide(demo_db, dirigente, school_protocol.id, "added", added.id, True)
    assert by_key(demo_db, dirigente, school_protocol, added.key).body == "Testo in bozza.\n"


def test_a_school_starts_from_the_core_as_published_not_from_its_draft(demo_db, coord, dirigente, core):
    social = by_key(demo_db, coord, core, "fase_sociale")
    publish_core(demo_db, coord, core.id)
    protocols.save_section(demo_db, coord, social.id, social.body + "\nIn bozza.\n", social.version)
    ps.rename_section(demo_db, coord, by_key(demo_db, coord, core, "tempi").id, "Tempi (bozza)")
    added = ps.add_core_section(demo_db, coord, core.id, "Sezione in bozza")

    school = protocols.create_school_protocol(demo_db, dirigente, "MIIS00003C")
    mine = {s.key: s for s in sections(demo_db, dirigente, school)}
    assert mine["fase_sociale"].body == social.body and mine["fase_sociale"].core_version_seen == 1
    assert mine["tempi"].title == "Tempi e responsabilità"
    assert added.key not in mine
    assert len(ps.pending_updates(demo_db, dirigente, school.id)) == 0
