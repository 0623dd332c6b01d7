"""A school that brought its own protocol before the network had a core links its sections to the core's."""

import pytest

from models.core.errors import ApprodoError, PermissionDenied
from models.protocols import merge
from models.protocols import protocol as protocols
from models.protocols import structure as ps
from models.protocols import word_import as docx_import
from models.protocols.templates import SectionKind
from tests.conftest import publish_core
from tests.models.test_docx_import import docx_bytes

SCHOOL = "MIIS00003C"


def own_protocol(document):
    document.add_heading("Tempi e responsabilità", level=1)
    document.add_paragraph("Il colloquio si fa entro tre giorni.")
    document.add_paragraph("Il referente tiene il calendario.")
    document.add_heading("Fase sociale: scuola e territorio", level=1)
    document.add_paragraph("Lo sportello del comune, il martedì.")
    document.add_heading("Il nostro orto", level=1)
    document.add_paragraph("Un progetto tutto nostro.")


@pytest.fixture
def imported(demo_db, actors):
    """The school's protocol imported from Word while the network had no core; then the core appears (published,
    then a new revision open)."""
    protocol = docx_import.apply_import(demo_db, actors["dirigente"], SCHOOL,
                                        docx_import.read_sections(docx_bytes(own_protocol)))
    assert protocol.core_id is None
    core = protocols.create_core(demo_db, actors["coordinatore_rete"], "RETEDEMO", "secondaria_secondo_grado",
                                 "2025/26")
    publish_core(demo_db, actors["coordinatore_rete"], core.id)
    return protocol, core


def by_title(db, actor, protocol_id):
    return {s.title: s for s in protocols.list_sections(db, actor, protocol_id)}


def test_matches_are_suggested_by_title_and_nothing_changes_until_confirmed(demo_db, actors, imported):
    protocol, core = imported
    dirigente = actors["dirigente"]
    linking = ps.link_proposals(demo_db, dirigente, protocol.id)
    assert linking.core.id == core.id
    suggested = {p.section.title: p.core.key if p.core else None for p in linking.proposals}
    assert suggested == {"Tempi e responsabilità": "tempi", "Fase sociale: scuola e territorio": "fase_sociale",
                         "Il nostro orto": None}
    # Suggesting is reading: the protocol still has no network updates and all its sections are its own.
    assert protocols.get_protocol(demo_db, dirigente, protocol.id).core_id is None
    assert not len(ps.pending_updates(demo_db, dirigente, protocol.id))
    assert ps.link_proposals(demo_db, dirigente, protocol.id) == linking


def test_a_linked_section_gets_the_network_text_as_an_update_and_later_changes_merge(demo_db, actors, imported):
    protocol, core = imported
    dirigente, coordinator = actors["dirigente"], actors["coordinatore_rete"]
    school_tempi = by_title(demo_db, dirigente, protocol.id)["Tempi e responsabilità"]
    core_tempi = next(s for s in protocols.list_sections(demo_db, coordinator, core.id) if s.key == "tempi")
    ps.link_section(demo_db, dirigente, school_tempi.id, core_tempi.id)

    linked = protocols.get_section(demo_db, dirigente, school_tempi.id)
    assert linked.body == school_tempi.body and linked.kind is SectionKind.CORE_ADAPTABLE  # the school's text stays
    updates = ps.pending_updates(demo_db, dirigente, protocol.id)
    (text,) = updates.text
    assert text.section.id == linked.id and text.base == "" and text.theirs == core_tempi.body
    assert not text.result.clean  # nothing in common yet: the dirigente chooses
    added = {u.title for u in updates.structure if u.kind == "added"}
    assert "Allegati" in added and "Tempi e responsabilità" not in added
    # The school keeps its text; the network's next change then merges three ways with it.
    ps.keep_school_text(demo_db, dirigente, linked.id, core_version=core_tempi.version)
    assert not ps.pending_updates(demo_db, dirigente, protocol.id).text
    first_line = core_tempi.body.split("\n")[0]
    protocols.save_section(demo_db, coordinator, core_tempi.id, core_tempi.body.replace(
        first_line, first_line + " Aggiunta della rete."), core_tempi.version)
    publish_core(demo_db, coordinator, core.id)
    (text,) = ps.pending_updates(demo_db, dirigente, protocol.id).text
    assert text.base == core_tempi.body and text.section.body == school_tempi.body
    mine = merge.resolve(text.result, dict.fromkeys(text.result.conflicts, merge.Choice.MINE))
    theirs = merge.resolve(text.result, dict.fromkeys(text.result.conflicts, merge.Choice.CORE))
    assert "entro tre giorni" in mine and "Aggiunta della rete." in theirs
    saved = ps.take_text_update(demo_db, dirigente, linked.id, mine, base_version=linked.version,
                                core_version=core_tempi.version + 1)
    assert "entro tre giorni" in saved.body and not ps.pending_updates(demo_db, dirigente, protocol.id).text
    # Unlinked sections stay the school's own, with no updates about them.
    orto = by_title(demo_db, dirigente, protocol.id)["Il nostro orto"]
    assert orto.kind is SectionKind.LOCAL and orto.core_section_id is None


def test_linking_twice_or_to_a_taken_core_section_is_refused(demo_db, actors, imported):
    protocol, _ = imported
    dirigente = actors["dirigente"]
    sections = by_title(demo_db, dirigente, protocol.id)
    proposal = next(p for p in ps.link_proposals(demo_db, dirigente, protocol.id).proposals if p.core)
    ps.link_section(demo_db, dirigente, proposal.section.id, proposal.core.id)
    with pytest.raises(ApprodoError, match="segue già"):
        ps.link_section(demo_db, dirigente, proposal.section.id, proposal.core.id)
    with pytest.raises(ApprodoError, match="già collegata"):
        ps.link_section(demo_db, dirigente, sections["Il nostro orto"].id, proposal.core.id)
    linking = ps.link_proposals(demo_db, dirigente, protocol.id)
    assert proposal.core.id not in {c.id for c in linking.free}
    assert proposal.section.id not in {p.section.id for p in linking.proposals}


def test_only_the_dirigente_links_and_only_while_the_protocol_is_a_draft(demo_db, actors, imported):
    protocol, _ = imported
    dirigente = actors["dirigente"]
    proposal = next(p for p in ps.link_proposals(demo_db, dirigente, protocol.id).proposals if p.core)
    for role in ("funzione_strumentale", "docente", "coordinatore_rete", "other_dirigente"):
        with pytest.raises(PermissionDenied):
            ps.link_section(demo_db, actors[role], proposal.section.id, proposal.core.id)
    protocols.move(demo_db, dirigente, protocol.id, "in_revisione")
    protocols.move(demo_db, dirigente, protocol.id, "approvato", deliberation_date="01/10/2025",
                   deliberation_number="3")
    with pytest.raises(ApprodoError, match="nuova revisione"):
        ps.link_section(demo_db, dirigente, proposal.section.id, proposal.core.id)


def test_without_a_core_there_is_nothing_to_link(demo_db, actors):
    protocol = docx_import.apply_import(demo_db, actors["dirigente"], SCHOOL,
                                        docx_import.read_sections(docx_bytes(own_protocol)))
    linking = ps.link_proposals(demo_db, actors["dirigente"], protocol.id)
    assert linking.core is None and linking.proposals == [] and linking.free == []


def test_link_suggested_links_every_suggestion_once(demo_db, actors, imported):
    protocol, _ = imported
    dirigente = actors["dirigente"]
    done = ps.link_suggested(demo_db, dirigente, protocol.id)
    assert {p.section.title for p in done} == {"Tempi e responsabilità", "Fase sociale: scuola e territorio"}
    assert ps.link_suggested(demo_db, dirigente, protocol.id) == []
    sections = by_title(demo_db, dirigente, protocol.id)
    assert sections["Fase sociale: scuola e territorio"].core_section_id is not None
    renamed = [u for u in ps.pending_updates(demo_db, dirigente, protocol.id).structure if u.kind == "renamed"]
    assert [u.detail for u in renamed] == ["Fase sociale: la scuola e il territorio"]
