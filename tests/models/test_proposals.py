"""Proposals to the network's core: propose, support, comment, accept (merge if the core moved), decline, withdraw."""

import pytest

from models.accounts import auth
from models.core.errors import ApprodoError, PermissionDenied
from models.demo import demo
from models.protocols import proposals, structure
from models.protocols import protocol as protocols
from tests.conftest import actor_named, publish_core

OTHER_SAME_LEVEL = "MIRI00004D"  # the demo network's other upper-secondary school


@pytest.fixture
def second_dirigente(demo_db, system):
    auth.create_user(demo_db, system, "dirigente.arti", demo.DEMO_PASSWORD, "dirigente", school_code=OTHER_SAME_LEVEL,
                     full_name="Giulia Neri")
    return actor_named(demo_db, "dirigente.arti")


def core_section(db, actor, core, key="tempi"):
    return next(s for s in protocols.list_sections(db, actor, core.id) if s.key == key)


def school_section(db, actor, protocol, key="tempi"):
    return next(s for s in protocols.list_sections(db, actor, protocol.id) if s.key == key)


def proposed_text(body: str) -> str:
    return body + "\nIl colloquio con la famiglia si fa con il mediatore culturale, se serve.\n"


@pytest.fixture
def proposal(demo_db, actors, core, school_protocol):
    section = core_section(demo_db, actors["dirigente"], core)
    return proposals.propose(demo_db, actors["dirigente"], section.id, proposed_text(section.body),
                             "Nelle nostre scuole il mediatore è decisivo nel primo colloquio.")


def test_a_dirigente_proposes_a_change_with_a_reason_and_the_network_reads_it(demo_db, actors, core, proposal):
    section = core_section(demo_db, actors["coordinatore_rete"], core)
    assert proposal.status is proposals.ProposalStatus.APERTA
    assert (proposal.school_code, proposal.author, proposal.base_version) == ("MIIS00003C", "dirigente",
                                                                              section.version)
    assert proposal.base_body == section.body and proposal.body != section.body
    for reader in ("coordinatore_rete", "funzione_strumentale", "docente", "admin"):
        listed = proposals.list_proposals(demo_db, actors[reader], "RETEDEMO", status="aperta")
        assert [p.id for p in listed] == [proposal.id], reader
    with pytest.raises(PermissionDenied):
        proposals.list_proposals(demo_db, actors["other_dirigente"], "RETEDEMO")
    with pytest.raises(PermissionDenied):
        proposals.get_proposal(demo_db, actors["other_coordinatore"], proposal.id)
    assert demo_db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'proposta_creata'").fetchone()[0] == 1


def test_a_proposal_needs_a_reason_a_change_and_the_dirigente_of_a_school_of_that_level(demo_db, actors, core):
    section = core_section(demo_db, actors["dirigente"], core)
    with pytest.raises(ApprodoError, match="perché"):
        proposals.propose(demo_db, actors["dirigente"], section.id, proposed_text(section.body), "  ")
    with pytest.raises(ApprodoError, match="uguale"):
        proposals.propose(demo_db, actors["dirigente"], section.id, section.body, "motivo")
    for role in ("funzione_strumentale", "docente", "coordinatore_rete", "other_dirigente"):
        with pytest.raises(PermissionDenied):
            proposals.propose(demo_db, actors[role], section.id, proposed_text(section.body), "motivo")
    primary = protocols.create_core(demo_db, actors["coordinatore_rete"], "RETEDEMO", "primaria", "2025/26")
    other_level = protocols.list_sections(demo_db, actors["dirigente"], primary.id)[0]
    with pytest.raises(PermissionDenied, match="grado"):
        proposals.propose(demo_db, actors["dirigente"], other_level.id, proposed_text(other_level.body), "motivo")
    assert not demo_db.execute("SELECT COUNT(*) FROM core_proposals").fetchone()[0]


def test_another_school_supports_once_and_comments(demo_db, actors, proposal, second_dirigente):
    supported = proposals.support(demo_db, second_dirigente, proposal.id)
    assert [(s.school_code, s.supporter) for s in supported.supports] == [(OTHER_SAME_LEVEL, "dirigente.arti")]
    assert not proposals.may_support(second_dirigente, supported)
    with pytest.raises(ApprodoError, match="già"):
        proposals.support(demo_db, second_dirigente, proposal.id)
    with pytest.raises(PermissionDenied):  # the proposing school does not support itself
        proposals.support(demo_db, actors["dirigente"], proposal.id)
    with pytest.raises(PermissionDenied):
        proposals.support(demo_db, actors["funzione_strumentale"], proposal.id)
    proposals.comment(demo_db, second_dirigente, proposal.id, "D'accordo: da noi lo facciamo già.")
    proposals.comment(demo_db, actors["coordinatore_rete"], proposal.id, "Ne parliamo alla prossima riunione.")
    with pytest.raises(PermissionDenied):
        proposals.comment(demo_db, actors["docente"], proposal.id, "io leggo soltanto")
    again = proposals.get_proposal(demo_db, actors["funzione_strumentale"], proposal.id)
    assert [c.author for c in again.comments] == ["dirigente.arti", "coordinatrice"]
    assert len(again.supports) == 1


def test_the_same_text_sent_twice_is_one_proposal(demo_db, actors, core, proposal):
    section = core_section(demo_db, actors["dirigente"], core)
    with pytest.raises(ApprodoError, match=f"già proposto.*n. {proposal.id}, ancora aperta"):
        proposals.propose(demo_db, actors["dirigente"], section.id, proposed_text(section.body) + "\n\n",
                          "Il modulo inviato di nuovo.")
    other = proposals.propose(demo_db, actors["dirigente"], section.id, proposed_text(section.body) + "Altro.",
                              "Un testo diverso è un'altra proposta.")
    proposals.withdraw(demo_db, actors["dirigente"], proposal.id)
    again = proposals.propose(demo_db, actors["dirigente"], section.id, proposed_text(section.body), "Di nuovo.")
    assert len({proposal.id, other.id, again.id}) == 3  # once withdrawn, the same text may be proposed again


def test_a_school_takes_its_support_back_while_the_proposal_is_open(demo_db, actors, proposal, second_dirigente):
    with pytest.raises(ApprodoError, match="non sostiene"):
        proposals.withdraw_support(demo_db, second_dirigente, proposal.id)
    supported = proposals.support(demo_db, second_dirigente, proposal.id)
    assert proposals.may_withdraw_support(second_dirigente, supported)
    assert not proposals.may_withdraw_support(actors["dirigente"], supported)
    with pytest.raises(PermissionDenied):
        proposals.withdraw_support(demo_db, actors["funzione_strumentale"], proposal.id)
    left = proposals.withdraw_support(demo_db, second_dirigente, proposal.id)
    assert left.supports == () or list(left.supports) == []
    assert proposals.may_support(second_dirigente, left)
    assert demo_db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'proposta_sostegno_ritirato'"
                           ).fetchone()[0] == 1
    proposals.support(demo_db, second_dirigente, proposal.id)
    proposals.decline(demo_db, actors["coordinatore_rete"], proposal.id, "Non ora.")
    with pytest.raises(ApprodoError, match="respinta"):  # a decided proposal keeps the supports it had
        proposals.withdraw_support(demo_db, second_dirigente, proposal.id)


def test_accepted_it_becomes_a_core_version_offered_to_every_school(demo_db, actors, core, proposal,
                                                                    second_dirigente):
    coordinator = actors["coordinatore_rete"]
    before = core_section(demo_db, coordinator, core)
    other = protocols.create_school_protocol(demo_db, second_dirigente, OTHER_SAME_LEVEL)
    accepted = proposals.accept(demo_db, coordinator, proposal.id)
    after = core_section(demo_db, coordinator, core)
    assert after.version == before.version + 1 and after.body == proposal.body
    assert (accepted.status, accepted.core_version, accepted.decided_by) == (
        proposals.ProposalStatus.ACCOLTA, after.version, "coordinatrice")
    history = protocols.section_history(demo_db, coordinator, after.id)
    assert f"proposta n. {proposal.id}" in history[0].note and history[0].author == "coordinatrice"
    publish_core(demo_db, coordinator, core.id)
    # Both schools are offered the new text on "Aggiornamenti dalla rete", the proposing one too.
    for actor, protocol_id in ((actors["dirigente"], proposal_school_protocol(demo_db, actors)),
                               (second_dirigente, other.id)):
        updates = structure.pending_updates(demo_db, actor, protocol_id).text
        offered = [u for u in updates if u.section.core_section_id == after.id]
        assert offered and offered[0].theirs == proposal.body and offered[0].core_version == after.version
    with pytest.raises(ApprodoError, match="accolta"):
        proposals.decline(demo_db, coordinator, proposal.id, "troppo tardi")
    assert demo_db.execute("SELECT detail FROM audit_log WHERE action = 'proposta_accolta'").fetchone()[0] == (
        f"versione comune {after.version}")


def proposal_school_protocol(db, actors) -> int:
    return protocols.school_protocol(db, actors["dirigente"], "MIIS00003C").id


def test_only_the_coordinator_decides_and_a_decline_needs_a_reason(demo_db, actors, proposal, second_dirigente):
    for role in ("dirigente", "funzione_strumentale", "other_coordinatore"):
        with pytest.raises(PermissionDenied):
            proposals.accept(demo_db, actors[role], proposal.id)
    with pytest.raises(PermissionDenied):
        proposals.decline(demo_db, second_dirigente, proposal.id, "no")
    with pytest.raises(ApprodoError, match="perché"):
        proposals.decline(demo_db, actors["coordinatore_rete"], proposal.id, "")
    declined = proposals.decline(demo_db, actors["coordinatore_rete"], proposal.id,
                                 "Il mediatore dipende dal comune: lo scriviamo nella sezione sui servizi.")
    assert declined.status is proposals.ProposalStatus.RESPINTA and declined.core_version is None
    assert declined.decision_reason.startswith("Il mediatore")
    assert [p.id for p in proposals.list_proposals(demo_db, actors["docente"], "RETEDEMO", status="respinta")] == [
        proposal.id]
    assert not proposals.list_proposals(demo_db, actors["docente"], "RETEDEMO", status="aperta")
    with pytest.raises(ApprodoError, match="respinta"):
        proposals.support(demo_db, second_dirigente, proposal.id)


def test_accepting_after_the_core_moved_merges_instead_of_overwriting(demo_db, actors, core, proposal):
    coordinator = actors["coordinatore_rete"]
    section = core_section(demo_db, coordinator, core)
    # The coordinator changes another paragraph meanwhile: the merge keeps both changes.
    first = section.body.split("\n\n")[0]
    moved = section.body.replace(first, first + " (aggiornato dalla rete)", 1)
    protocols.save_section(demo_db, coordinator, section.id, moved, section.version)
    plan = proposals.acceptance(demo_db, coordinator, proposal.id)
    assert plan.moved and plan.result.clean
    accepted = proposals.accept(demo_db, coordinator, proposal.id)
    body = core_section(demo_db, coordinator, core).body
    assert "(aggiornato dalla rete)" in body and "mediatore culturale, se serve" in body
    assert accepted.core_version == section.version + 2


def test_a_conflicting_change_of_the_core_waits_for_the_coordinators_choice(demo_db, actors, core, proposal):
    coordinator = actors["coordinatore_rete"]
    section = core_section(demo_db, coordinator, core)
    # The coordinator appends a different last line: the same passage as the proposal.
    protocols.save_section(demo_db, coordinator, section.id, section.body + "\nUn'altra regola della rete.\n",
                           section.version)
    plan = proposals.acceptance(demo_db, coordinator, proposal.id)
    assert plan.moved and not plan.result.clean
    with pytest.raises(ApprodoError, match="scegli"):
        proposals.accept(demo_db, coordinator, proposal.id)
    assert proposals.get_proposal(demo_db, coordinator, proposal.id).is_open
    both = plan.text({index: "both" for index in plan.result.conflicts})
    with pytest.raises(ApprodoError, match="di nuovo"):
        proposals.accept(demo_db, coordinator, proposal.id, text=both, core_version=section.version)
    proposals.accept(demo_db, coordinator, proposal.id, text=both, core_version=section.version + 1)
    body = core_section(demo_db, coordinator, core).body
    assert "Un'altra regola della rete." in body and "mediatore culturale, se serve" in body


def test_a_removed_section_says_so_and_a_locked_one_is_flagged(demo_db, actors, core, proposal):
    coordinator = actors["coordinatore_rete"]
    section = core_section(demo_db, coordinator, core)
    structure.set_locked(demo_db, coordinator, section.id, True)
    assert proposals.acceptance(demo_db, coordinator, proposal.id).locked
    structure.remove_section(demo_db, coordinator, section.id)
    plan = proposals.acceptance(demo_db, coordinator, proposal.id)
    assert plan.removed
    with pytest.raises(ApprodoError, match="tolta"):
        proposals.accept(demo_db, coordinator, proposal.id)
    proposals.decline(demo_db, coordinator, proposal.id, "La sezione non c'è più.")


def test_an_approved_core_asks_for_a_new_revision_first(demo_db, actors, core, proposal):
    coordinator = actors["coordinatore_rete"]
    protocols.move(demo_db, coordinator, core.id, "in_revisione")
    protocols.move(demo_db, coordinator, core.id, "approvato", deliberation_date="01/10/2025",
                   deliberation_number="4")
    with pytest.raises(ApprodoError, match="nuova revisione"):
        proposals.accept(demo_db, coordinator, proposal.id)
    assert proposals.get_proposal(demo_db, coordinator, proposal.id).is_open


def test_the_author_withdraws_while_open(demo_db, actors, proposal, second_dirigente):
    with pytest.raises(PermissionDenied):
        proposals.withdraw(demo_db, second_dirigente, proposal.id)
    withdrawn = proposals.withdraw(demo_db, actors["dirigente"], proposal.id)
    assert withdrawn.status is proposals.ProposalStatus.RITIRATA
    with pytest.raises(ApprodoError, match="ritirata"):
        proposals.withdraw(demo_db, actors["dirigente"], proposal.id)
    with pytest.raises(ApprodoError, match="ritirata"):
        proposals.accept(demo_db, actors["coordinatore_rete"], proposal.id)


def test_the_history_of_a_section_lists_every_proposal_with_its_decision(demo_db, actors, core, school_protocol):
    dirigente, coordinator = actors["dirigente"], actors["coordinatore_rete"]
    section = core_section(demo_db, dirigente, core)
    first = proposals.propose(demo_db, dirigente, section.id, proposed_text(section.body), "primo motivo")
    proposals.decline(demo_db, coordinator, first.id, "non ora")
    second = proposals.propose(demo_db, dirigente, section.id, proposed_text(section.body) + "Altro.\n", "secondo")
    proposals.accept(demo_db, coordinator, second.id)
    other = core_section(demo_db, dirigente, core, "allegati")
    proposals.propose(demo_db, dirigente, other.id, other.body + "\nNuovo allegato.\n", "terzo")
    history = proposals.list_proposals(demo_db, actors["docente"], "RETEDEMO", core_section_id=section.id)
    assert [(p.id, p.status.value) for p in history] == [(second.id, "accolta"), (first.id, "respinta")]
    assert history[0].core_version == section.version + 1 and history[1].decision_reason == "non ora"


def test_the_region_reads_no_proposal(demo_db, actors, proposal):
    regione = actor_named(demo_db, "regione")
    with pytest.raises(PermissionDenied):
        proposals.list_proposals(demo_db, regione, "RETEDEMO")
    with pytest.raises(PermissionDenied):
        proposals.get_proposal(demo_db, regione, proposal.id)
