"""Proposals to the network's core: a school asks for a change to a section of the core protocol.

A school's dirigente proposes a new text for a section of the core of the school's level, with a reason. The
network's schools read the open proposals; their dirigenti support them (one support per school) and discuss
them; the coordinator accepts (the text becomes a new version of the core section, saved through the same path
as the coordinator's own edits, so every school sees it in "Aggiornamenti dalla rete") or declines with a
reason. The author withdraws a proposal while it is open. Nothing is deleted: the list per section keeps who
proposed what, when, why, and what was decided.

If the core section changed after the proposal was written, the proposal is merged three ways (models/merge.py):
base = the core text it was written against, "theirs" = the core's text now, "mine" = the proposed text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import sqlite_utils

from models.accounts import people
from models.accounts.schools import get_network
from models.core import audit, clock
from models.core.db import transaction
from models.core.errors import ApprodoError
from models.core.permissions import Action, Actor, NetworkRef, ProposalRef, ProtocolRef, SchoolRef, allowed, require
from models.protocols import comments, merge, store
from models.protocols import protocol as protocols
from models.protocols.templates import SectionKind

MAX_REASON = 2000
MAX_COMMENT = comments.MAX_COMMENT  # the same rules as section comments


class ProposalStatus(StrEnum):
    APERTA = "aperta"
    ACCOLTA = "accolta"
    RESPINTA = "respinta"
    RITIRATA = "ritirata"


STATUS_LABELS = {
    ProposalStatus.APERTA: "Aperta",
    ProposalStatus.ACCOLTA: "Accolta",
    ProposalStatus.RESPINTA: "Respinta",
    ProposalStatus.RITIRATA: "Ritirata",
}


@dataclass(frozen=True)
class Support:
    school_code: str
    school_name: str
    supporter: str
    at: str


@dataclass(frozen=True)
class ProposalComment:
    id: int
    author: str
    body: str
    created_at: str


@dataclass(frozen=True)
class Proposal:
    id: int
    network_code: str
    school_code: str
    school_name: str
    core_section_id: int
    section_title: str
    base_version: int
    body: str
    reason: str
    status: ProposalStatus
    author: str
    created_at: str
    decided_by: str | None
    decided_at: str | None
    decision_reason: str | None
    core_version: int | None
    base_body: str  # the core section's text at base_version: what the proposal changes
    supports: tuple[Support, ...] = ()
    comments: tuple[ProposalComment, ...] = field(default=(), compare=False)

    @property
    def is_open(self) -> bool:
        return self.status is ProposalStatus.APERTA

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class Acceptance:
    """What accepting a proposal would do to the core section now (for the coordinator to check first)."""

    proposal: Proposal
    core: protocols.Section | None  # None: the section was removed from the core
    core_protocol: protocols.Protocol
    result: merge.MergeResult | None  # None when the core has not moved since the proposal (no merge needed)

    @property
    def removed(self) -> bool:
        return self.core is None

    @property
    def moved(self) -> bool:
        return self.core is not None and self.core.version != self.proposal.base_version

    @property
    def locked(self) -> bool:
        return self.core is not None and self.core.kind is SectionKind.CORE_LOCKED

    def text(self, choices=None, edits=None) -> str:
        """The core's new text: the proposal as written, or merged with what the core changed since."""
        if self.result is None:
            return self.proposal.body
        return merge.resolve(self.result, choices, edits)


# --- reading ------------------------------------------------------------------------------------

def _proposal(db, row: dict) -> Proposal:
    supports = tuple(Support(*r) for r in store.supports(db, row["id"]))
    thread = tuple(ProposalComment(*r) for r in store.proposal_comments(db, row["id"]))
    return Proposal(**{**row, "status": ProposalStatus(row["status"]), "base_body": row["base_body"] or ""},
                    supports=supports, comments=thread)


def parse_status(value: str | None) -> ProposalStatus | None:
    if not value:
        return None
    try:
        return ProposalStatus(value)
    except ValueError:
        raise ApprodoError(f"Stato «{value}» sconosciuto: usa aperta, accolta, respinta o ritirata.") from None


def list_proposals(db: sqlite_utils.Database, actor: Actor, network_code: str, *, status: str | None = None,
                   core_section_id: int | None = None) -> list[Proposal]:
    """The network's proposals, newest first (open ones first), filtered by status and by core section."""
    require(actor, Action.READ_PROPOSALS, NetworkRef(network_code),
            "Le proposte al protocollo comune si leggono nella propria rete.")
    network = get_network(db, actor, network_code)
    wanted = parse_status(status)
    rows = store.proposals(db, network.code, status=wanted.value if wanted is not None else None,
                           core_section_id=core_section_id)
    return [_proposal(db, row) for row in rows]


def get_proposal(db: sqlite_utils.Database, actor: Actor, proposal_id: int) -> Proposal:
    row = store.proposal(db, proposal_id)
    if row is None:
        raise ApprodoError("Questa proposta non esiste.")
    require(actor, Action.READ_PROPOSALS, NetworkRef(row["network_code"]),
            "Le proposte al protocollo comune si leggono nella propria rete.")
    return _proposal(db, row)


def names(db: sqlite_utils.Database, actor: Actor, proposals: list[Proposal]) -> dict[str, str]:
    """Display names of everyone who proposed, supported, commented or decided."""
    usernames = []
    for p in proposals:
        usernames += [p.author, p.decided_by, *(s.supporter for s in p.supports), *(c.author for c in p.comments)]
    return people.names(db, actor, usernames)


# --- proposing ------------------------------------------------------------------------------------


def _core_section_for(db, actor: Actor, core_section_id: int) -> tuple[protocols.Section, protocols.Protocol]:
    """A live section of the core of the actor's level, which the actor's school may propose a change to."""
    row = store.core_section_place(db, core_section_id)
    if row is None or row[2] is not None:
        raise ApprodoError("Si propone una modifica a una sezione del protocollo comune della rete.")
    network_code, level, _, removed_at = row
    require(actor, Action.PROPOSE, SchoolRef(actor.school_code, network_code),
            "Solo il dirigente di una scuola della rete propone modifiche al protocollo comune.")
    school_level = store.school_level(db, actor.school_code)
    # The core of another school level is outside what the school proposes on.
    require(actor, Action.PROPOSE, SchoolRef(actor.school_code, network_code, reachable=school_level == level),
            "La scuola propone modifiche al protocollo comune del proprio grado.")
    if removed_at is not None:
        raise ApprodoError("Questa sezione è stata tolta dal protocollo comune: non si possono proporre modifiche.")
    section = protocols.get_section(db, actor, core_section_id)
    return section, protocols.get_protocol(db, actor, section.protocol_id)


def propose(db: sqlite_utils.Database, actor: Actor, core_section_id: int, text: str, reason: str, *,
            base_version: int | None = None) -> Proposal:
    """A new open proposal: `text` for the core section, written against `base_version` (the current one if
    not given)."""
    section, _ = _core_section_for(db, actor, core_section_id)
    text = protocols.check_text(text)
    reason = _check_reason(reason, "Scrivi perché proponete questa modifica alla rete.")
    base = section.version if base_version is None else base_version
    base_body = next((v.body for v in protocols.section_history(db, actor, section.id) if v.version == base), None)
    if base_body is None:
        raise ApprodoError("La versione della sezione comune da cui parte la proposta non esiste.")
    if text.strip() == base_body.strip():
        raise ApprodoError("Il testo proposto è uguale a quello della rete: cambia il testo prima di proporlo.")
    now = clock.to_text(clock.utcnow())
    with transaction(db):
        # The same text sent twice (a double click, the form sent again after going back): one proposal.
        twin = store.open_twin(db, actor.school_code, section.id, text.strip())
        if twin:
            raise ApprodoError(f"La vostra scuola ha già proposto questo testo per la sezione «{section.title}»: "
                               f"è la proposta n. {twin}, ancora aperta.")
        proposal_id = store.insert_proposal(db, actor.network_code, actor.school_code, section.id, section.title,
                                            base, text, reason, actor.username, now)
        audit.record(db, actor, "proposta_creata", f"proposta {proposal_id} / {section.key}",
                     school_code=actor.school_code, detail=section.title)
    return get_proposal(db, actor, proposal_id)


def _check_reason(reason: str, missing: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ApprodoError(missing)
    if len(reason) > MAX_REASON:
        raise ApprodoError(f"La motivazione è troppo lunga (massimo {MAX_REASON} caratteri).")
    return reason


def _open(db, actor: Actor, proposal_id: int) -> Proposal:
    proposal = get_proposal(db, actor, proposal_id)
    if not proposal.is_open:
        raise ApprodoError(f"La proposta è già {proposal.status_label.lower()}.")
    return proposal


# --- the network: support, comment -----------------------------------------------------------------


def may_support(actor: Actor, proposal: Proposal) -> bool:
    return (proposal.is_open
            and allowed(actor, Action.SUPPORT_PROPOSAL, ProposalRef(proposal.network_code, proposal.school_code))
            and actor.school_code not in {s.school_code for s in proposal.supports})


def support(db: sqlite_utils.Database, actor: Actor, proposal_id: int) -> Proposal:
    """The actor's school supports the proposal (once per school)."""
    proposal = _open(db, actor, proposal_id)
    require(actor, Action.SUPPORT_PROPOSAL, ProposalRef(proposal.network_code, proposal.school_code),
            "Sostiene una proposta il dirigente di un'altra scuola della rete.")
    with transaction(db):
        if store.supported_by(db, proposal.id, actor.school_code):
            raise ApprodoError("La vostra scuola sostiene già questa proposta.")
        store.insert_support(db, proposal.id, actor.school_code, actor.username, clock.to_text(clock.utcnow()))
        audit.record(db, actor, "proposta_sostenuta", f"proposta {proposal.id}", school_code=actor.school_code)
    return get_proposal(db, actor, proposal.id)


def may_withdraw_support(actor: Actor, proposal: Proposal) -> bool:
    return (proposal.is_open
            and allowed(actor, Action.SUPPORT_PROPOSAL, ProposalRef(proposal.network_code, proposal.school_code))
            and actor.school_code in {s.school_code for s in proposal.supports})


def withdraw_support(db: sqlite_utils.Database, actor: Actor, proposal_id: int) -> Proposal:
    """The actor's school takes its support back, while the proposal is open (a decided one keeps its record)."""
    proposal = _open(db, actor, proposal_id)
    require(actor, Action.SUPPORT_PROPOSAL, ProposalRef(proposal.network_code, proposal.school_code),
            "Ritira il sostegno il dirigente della scuola che l'ha dato.")
    with transaction(db):
        gone = store.delete_support(db, proposal.id, actor.school_code)
        if not gone:
            raise ApprodoError("La vostra scuola non sostiene questa proposta.")
        audit.record(db, actor, "proposta_sostegno_ritirato", f"proposta {proposal.id}",
                     school_code=actor.school_code)
    return get_proposal(db, actor, proposal.id)


def may_comment(actor: Actor, proposal: Proposal) -> bool:
    return proposal.is_open and allowed(actor, Action.COMMENT_PROPOSAL, NetworkRef(proposal.network_code))


def comment(db: sqlite_utils.Database, actor: Actor, proposal_id: int, body: str) -> Proposal:
    proposal = _open(db, actor, proposal_id)
    require(actor, Action.COMMENT_PROPOSAL, NetworkRef(proposal.network_code),
            "Il tuo ruolo legge le proposte ma non le commenta.")
    body = comments.comment_text(body)
    with transaction(db):
        store.insert_proposal_comment(db, proposal.id, actor.username, body, clock.to_text(clock.utcnow()))
        audit.record(db, actor, "proposta_commentata", f"proposta {proposal.id}", school_code=actor.school_code)
    return get_proposal(db, actor, proposal.id)


# --- the author: withdraw ------------------------------------------------------------------------


def may_withdraw(actor: Actor, proposal: Proposal) -> bool:
    return proposal.is_open and allowed(
        actor, Action.WITHDRAW_PROPOSAL, ProposalRef(proposal.network_code, proposal.school_code, proposal.author))


def withdraw(db: sqlite_utils.Database, actor: Actor, proposal_id: int) -> Proposal:
    proposal = _open(db, actor, proposal_id)
    require(actor, Action.WITHDRAW_PROPOSAL, ProposalRef(proposal.network_code, proposal.school_code, proposal.author),
            "Ritira una proposta solo chi l'ha fatta.")
    _close(db, actor, proposal, ProposalStatus.RITIRATA, "", None, "proposta_ritirata")
    return get_proposal(db, actor, proposal.id)


# --- the coordinator: accept, decline -------------------------------------------------------------


def may_decide(actor: Actor, proposal: Proposal) -> bool:
    return proposal.is_open and allowed(actor, Action.EDIT_PROTOCOL, ProtocolRef(proposal.network_code, None))


def acceptance(db: sqlite_utils.Database, actor: Actor, proposal_id: int) -> Acceptance:
    """What accepting the proposal would write, with the three-way merge if the core moved since."""
    proposal = _open(db, actor, proposal_id)
    require(actor, Action.EDIT_PROTOCOL, ProtocolRef(proposal.network_code, None),
            "Accoglie o respinge le proposte il coordinatore della rete.")
    core_protocol_id, removed = store.section_protocol_and_removal(db, proposal.core_section_id)
    core_protocol = protocols.get_protocol(db, actor, core_protocol_id)
    if removed is not None:
        return Acceptance(proposal, None, core_protocol, None)
    core = protocols.get_section(db, actor, proposal.core_section_id)
    result = None
    if core.version != proposal.base_version:
        result = merge.merge_update(proposal.base_body, core.body, proposal.body)
    return Acceptance(proposal, core, core_protocol, result)


def accept(db: sqlite_utils.Database, actor: Actor, proposal_id: int, *, text: str | None = None,
           core_version: int | None = None, note: str = "") -> Proposal:
    """Make the proposal a new version of the core section, through the coordinator's own save.

    `text` is the merged text the coordinator checked when the core moved since the proposal (None: the
    proposal as written, or the merge when it settles by itself); `core_version` is the core version that
    merge was made against: if the core moved again meanwhile, nothing is saved.
    """
    plan = acceptance(db, actor, proposal_id)
    proposal = plan.proposal
    if plan.removed:
        raise ApprodoError(f"La sezione «{proposal.section_title}» è stata tolta dal protocollo comune: la "
                           "proposta non si può accogliere. Respingila spiegando perché.")
    core = plan.core
    if core_version is not None and core_version != core.version:
        raise ApprodoError("Il protocollo comune è cambiato di nuovo mentre decidevi: rivedi l'unione con il testo "
                           "nuovo.")
    if text is None:
        if plan.result is not None and not plan.result.clean:
            raise ApprodoError("La rete ha cambiato questa sezione dopo la proposta, negli stessi passaggi: scegli "
                               "il testo per ciascuno prima di accoglierla.")
        text = plan.text()
    note = (note or f"proposta n. {proposal.id} di {proposal.school_name}")[:protocols.MAX_NOTE]
    with transaction(db):
        if text == core.body:
            version = core.version  # the core already says this: nothing new to save
        else:
            version = protocols.save_section(db, actor, core.id, text, core.version, note).version
        _close(db, actor, proposal, ProposalStatus.ACCOLTA, "", version, "proposta_accolta")
    return get_proposal(db, actor, proposal.id)


def decline(db: sqlite_utils.Database, actor: Actor, proposal_id: int, reason: str) -> Proposal:
    proposal = _open(db, actor, proposal_id)
    require(actor, Action.EDIT_PROTOCOL, ProtocolRef(proposal.network_code, None),
            "Accoglie o respinge le proposte il coordinatore della rete.")
    reason = _check_reason(reason, "Scrivi perché la proposta non è accolta: la scuola che l'ha fatta lo leggerà.")
    _close(db, actor, proposal, ProposalStatus.RESPINTA, reason, None, "proposta_respinta")
    return get_proposal(db, actor, proposal.id)


def _close(db, actor: Actor, proposal: Proposal, status: ProposalStatus, reason: str, core_version: int | None,
           action: str) -> None:
    with transaction(db):
        changed = store.close_proposal(db, proposal.id, status.value, actor.username, clock.to_text(clock.utcnow()),
                                       reason or None, core_version)
        if not changed:
            raise ApprodoError("La proposta è già stata decisa o ritirata.")
        detail = f"versione comune {core_version}" if core_version else reason[:200]
        audit.record(db, actor, action, f"proposta {proposal.id}", school_code=proposal.school_code, detail=detail)


def open_count(db: sqlite_utils.Database, actor: Actor, network_code: str) -> int:
    if not allowed(actor, Action.READ_PROPOSALS, NetworkRef(network_code)):
        return 0
    return store.open_proposal_count(db, network_code)
