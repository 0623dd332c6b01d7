"""The structure of protocols: which sections there are, in which order, locked or adaptable.

The network's coordinator shapes the core: locks and unlocks sections, adds,
renames, removes and reorders them. A school is never changed under its
feet: each change reaches it as an update it sees and decides on
(`pending_updates`), except unlocking and locking, which take effect at once
because they say who may write the section, not what it says. Texts, new,
renamed and removed sections reach schools as the core was last published:
what the coordinator changes in a new revision (the draft) waits until the
core is published again. A school's
dirigente shapes the school's own protocol: splits, merges, removes and
reorders sections (what a Word import usually needs).

Removed sections are kept with their versions and comments (`removed_at`):
removing is a change like any other, in the structure's history. Every
change is one transaction, logged in `structure_events` and in the audit
log, and moves the protocol's revision on.

Network text updates are merged three ways (models/merge.py): the core text
the school's section started from, the core's new text and the school's.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import sqlite_utils

from models.core import audit, clock
from models.core.db import transaction
from models.core.errors import ApprodoError
from models.core.permissions import Action, Actor, require
from models.protocols import diffs, merge, store, titles
from models.protocols.protocol import (
    Protocol,
    SaveConflict,
    Section,
    _check_title,
    _insert_section,
    _insert_version,
    _require_editable,
    _section,
    _touch,
    _versions,
    check_text,
    core_for,
    get_protocol,
    get_section,
    list_sections,
    published_core,
)
from models.protocols.templates import KIND_LABELS, SectionKind

LOCKED, ADAPTABLE, LOCAL = SectionKind.CORE_LOCKED, SectionKind.CORE_ADAPTABLE, SectionKind.LOCAL


# --- shared helpers -------------------------------------------------------------------


def _editable(db, actor: Actor, protocol_id: int) -> Protocol:
    protocol = get_protocol(db, actor, protocol_id)
    _require_editable(actor, protocol)
    return protocol


def _live(db, actor: Actor, section_id: int) -> tuple[Section, Protocol]:
    """A section still part of its protocol, and its protocol, which the actor may edit."""
    section = get_section(db, actor, section_id)
    if _removed(db, section_id):
        raise ApprodoError(f"La sezione «{section.title}» è già stata tolta dal protocollo.")
    return section, _editable(db, actor, section.protocol_id)


def _removed(db, section_id: int) -> bool:
    return store.is_removed(db, section_id)


def _current(db, section_id: int) -> Section:
    """The section as stored now (read inside the write transaction)."""
    return _section(store.section(db, section_id))


def _live_ids(db, protocol_id: int) -> list[int]:
    return store.live_ids(db, protocol_id)


def _refuse_twin_title(db, protocol_id: int, title: str, except_id: int | None = None) -> None:
    """Two live sections of a core with one title (case, spaces and accents aside) are refused: schools and the
    updates name a section by its title."""
    wanted = titles.normal(title)
    for section_id, other in store.live_titles(db, protocol_id):
        if section_id != except_id and titles.normal(other) == wanted:
            raise ApprodoError(f"Il protocollo comune ha già una sezione «{other}»: scegli un altro titolo.")


def _renumber(db, protocol_id: int, ordered: list[int]) -> None:
    """Positions 1..n in the given order; removed sections go after the live ones."""
    for position, section_id in enumerate(ordered + store.removed_ids(db, protocol_id), start=1):
        store.set_position(db, section_id, position)


def renumber_sections(db, protocol_id: int, ordered: list[int]) -> None:
    """Put live sections in this order, inside the caller's transaction and checks (an import placing its
    new sections where the document had them)."""
    _renumber(db, protocol_id, ordered)


def _log(db, actor: Actor, protocol: Protocol, section: Section | None, action: str, detail: str) -> None:
    """One structure change: the protocol's history, the audit log, a new revision."""
    store.insert_structure_event(db, protocol.id, section.id if section else None, clock.to_text(clock.utcnow()),
                                 actor.username, action, detail)
    target = f"protocollo {protocol.id}" + (f" / {section.key}" if section else "")
    audit.record(db, actor, "struttura_" + action, target, school_code=protocol.school_code, detail=detail)
    _touch(db, protocol.id)


def _unique_key(db, protocol_id: int, prefix: str, title: str) -> str:
    key = prefix + (re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")[:40] or "sezione")
    existing = store.section_keys(db, protocol_id)
    unique, n = key, 1
    while unique in existing:
        n += 1
        unique = f"{key}_{n}"
    return unique


def _remove(db, actor: Actor, protocol: Protocol, section: Section, action: str, detail: str) -> None:
    store.set_removed(db, section.id, clock.to_text(clock.utcnow()))
    _renumber(db, protocol.id, _live_ids(db, protocol.id))  # the others' numbers stay 1..n, as shown
    _log(db, actor, protocol, section, action, detail)


def history(db: sqlite_utils.Database, actor: Actor, protocol_id: int) -> list[dict]:
    """The protocol's structure changes, newest first."""
    get_protocol(db, actor, protocol_id)
    return store.structure_events(db, protocol_id)


ACTION_LABELS = {
    "bloccata": "sezione bloccata",
    "sbloccata": "sezione resa adattabile",
    "aggiunta": "sezione aggiunta",
    "rinominata": "sezione rinominata",
    "tolta": "sezione tolta",
    "ordine": "ordine cambiato",
    "divisa": "sezione divisa",
    "unita": "sezioni unite",
    "decisione": "aggiornamento della rete deciso",
    "testo_rete": "testo della rete accolto",
    "collegata": "sezione collegata al protocollo comune",
}


# --- both: order, rename, remove ------------------------------------------------------------


def reorder_sections(db: sqlite_utils.Database, actor: Actor, protocol_id: int, ordered: list[int]) -> list[Section]:
    """Put the protocol's sections in this order (every live section, each once)."""
    protocol = _editable(db, actor, protocol_id)
    with transaction(db):
        live = _live_ids(db, protocol.id)
        if sorted(ordered) != sorted(live):
            raise ApprodoError("L'ordine indicato non comprende tutte le sezioni del protocollo: ricarica la pagina.")
        if ordered == live:
            raise ApprodoError("L'ordine non è cambiato.")
        _renumber(db, protocol.id, list(ordered))
        if not protocol.is_core:
            # The school chose its own order: the network's current order counts as seen.
            store.set_core_order_seen(db, protocol.id, json.dumps(_core_order(db, protocol)))
        _log(db, actor, protocol, None, "ordine", "nuovo ordine delle sezioni")
    return list_sections(db, actor, protocol.id)


def move_section(db: sqlite_utils.Database, actor: Actor, section_id: int, offset: int) -> list[Section]:
    """Move a section up (negative offset) or down among the live sections."""
    section, protocol = _live(db, actor, section_id)
    order = _live_ids(db, protocol.id)
    index = order.index(section.id)
    target = max(0, min(len(order) - 1, index + offset))
    if target == index:
        raise ApprodoError(f"La sezione «{section.title}» è già " + ("la prima." if offset < 0 else "l'ultima."))
    order.insert(target, order.pop(index))
    return reorder_sections(db, actor, protocol.id, order)


def rename_section(db: sqlite_utils.Database, actor: Actor, section_id: int, title: str) -> Section:
    """Rename a core section (the coordinator; schools see it as an update) or a school's own section."""
    section, protocol = _live(db, actor, section_id)
    if not protocol.is_core and section.kind is not LOCAL:
        require(actor, Action.CHANGE_LOCKED_SECTION,
                message="Le sezioni comuni prendono il titolo dalla rete: la scuola rinomina solo le sue.")
    title = _check_title(title)
    if title == section.title:
        raise ApprodoError("Il titolo non è cambiato.")
    if protocol.is_core:
        _refuse_twin_title(db, protocol.id, title, except_id=section.id)
    with transaction(db):
        store.set_title(db, section.id, title)
        _log(db, actor, protocol, section, "rinominata", f"«{section.title}» → «{title}»")
    return get_section(db, actor, section.id)


def remove_section(db: sqlite_utils.Database, actor: Actor, section_id: int) -> None:
    """Take a section out of the protocol; its versions stay in the history.

    From the core, each school is offered the removal and decides; a school
    cannot remove a locked section of the network.
    """
    section, protocol = _live(db, actor, section_id)
    if not protocol.is_core and section.kind is LOCKED:
        require(actor, Action.CHANGE_LOCKED_SECTION,
                message="Questa sezione è bloccata dalla rete: la scuola non può toglierla.")
    with transaction(db):
        _remove(db, actor, protocol, section, "tolta", f"«{section.title}»")


# --- the core: lock, unlock, add ----------------------------------------------------------


def _core_section(db, actor: Actor, section_id: int) -> tuple[Section, Protocol]:
    section, protocol = _live(db, actor, section_id)
    if not protocol.is_core:
        raise ApprodoError("Si blocca o si sblocca una sezione nel protocollo comune della rete.")
    return section, protocol


def set_locked(db: sqlite_utils.Database, actor: Actor, section_id: int, locked: bool) -> Section:
    """Lock a core section (schools may no longer change it) or make it adaptable.

    Schools' copies follow at once: who may write a section is the network's
    choice. A school that had adapted a section now locked sees the network's
    text as an update to take.
    """
    section, protocol = _core_section(db, actor, section_id)
    kind = LOCKED if locked else ADAPTABLE
    if section.kind is kind:
        raise ApprodoError(f"La sezione è già «{KIND_LABELS[kind]}».")
    with transaction(db):
        store.set_kind(db, section.id, kind.value)
        store.set_copies_kind(db, section.id, kind.value)  # what the schools knew stays, for the notice
        _log(db, actor, protocol, section, "bloccata" if locked else "sbloccata", f"«{section.title}»")
    return get_section(db, actor, section.id)


def add_core_section(db: sqlite_utils.Database, actor: Actor, protocol_id: int, title: str, *,
                     locked: bool = False, body: str = "", guidance: str = "") -> Section:
    """A new section at the end of the core; each school is offered it."""
    protocol = _editable(db, actor, protocol_id)
    if not protocol.is_core:
        raise ApprodoError("Le sezioni della scuola si aggiungono con «Aggiungi una sezione della scuola».")
    title, body = _check_title(title), check_text(body)
    with transaction(db):
        _refuse_twin_title(db, protocol.id, title)
        position = store.next_position(db, protocol.id)
        section_id = _insert_section(db, protocol.id, _unique_key(db, protocol.id, "rete_", title), title,
                                     LOCKED if locked else ADAPTABLE, guidance or "Sezione aggiunta dalla rete.",
                                     position, body, actor, note="nuova sezione della rete")
        _renumber(db, protocol.id, _live_ids(db, protocol.id))
        _log(db, actor, protocol, _current(db, section_id), "aggiunta", f"«{title}»")
    return get_section(db, actor, section_id)


# --- the school: split, merge ---------------------------------------------------------


def _school_section(db, actor: Actor, section_id: int, base_version: int | None) -> tuple[Section, Protocol]:
    section, protocol = _live(db, actor, section_id)
    if protocol.is_core:
        raise ApprodoError("Si dividono e si uniscono le sezioni del protocollo di una scuola.")
    if section.kind is LOCKED:
        require(actor, Action.CHANGE_LOCKED_SECTION,
                message=f"La sezione «{section.title}» è bloccata dalla rete: la scuola non può cambiarla.")
    if base_version is not None and section.version != base_version:
        raise ApprodoError(f"La sezione «{section.title}» è cambiata (versione {section.version}) dopo che "
                           "l'hai aperta: controlla il testo e riprova.")
    return section, protocol


def split_points(text: str) -> list[str]:
    """The paragraphs of a text, where a split may start (any but the first)."""
    return diffs.paragraphs(text)


def split_section(db: sqlite_utils.Database, actor: Actor, section_id: int, at: int, title: str,
                  base_version: int | None = None) -> Section:
    """Cut a section before its paragraph number `at` (0-based); the rest becomes a new section of the school
    right after it. Returns the new section."""
    section, protocol = _school_section(db, actor, section_id, base_version)
    parts = split_points(section.body)
    if not 0 < at < len(parts):
        raise ApprodoError("Scegli il paragrafo da cui comincia la nuova sezione (non il primo).")
    title = _check_title(title)
    first, second = "\n\n".join(parts[:at]) + "\n", "\n\n".join(parts[at:]) + "\n"
    with transaction(db):
        current = _current(db, section.id)
        if current.version != section.version:
            raise SaveConflict(section.id, next(v for v in _versions(db, section.id)
                                                if v.version == current.version), section.body,
                               saver=actor.username)
        _insert_version(db, section.id, current.version + 1, first, actor, current.version,
                        f"divisa: il seguito è in «{title}»")
        store.set_current_version(db, section.id, current.version + 1)
        new_id = _insert_section(db, protocol.id, _unique_key(db, protocol.id, "locale_", title), title, LOCAL,
                                 "Sezione nata dalla divisione di «" + section.title + "».", 0, second, actor,
                                 note=f"da «{section.title}»")
        order = _live_ids(db, protocol.id)
        order.remove(new_id)
        order.insert(order.index(section.id) + 1, new_id)
        _renumber(db, protocol.id, order)
        _log(db, actor, protocol, section, "divisa", f"«{section.title}» → «{section.title}» e «{title}»")
    return get_section(db, actor, new_id)


def merge_sections(db: sqlite_utils.Database, actor: Actor, first_id: int, second_id: int,
                   base_versions: tuple[int, int] | None = None) -> Section:
    """Append the second section's text to the first and take the second out. Returns the first."""
    bases = base_versions or (None, None)
    first, protocol = _school_section(db, actor, first_id, bases[0])
    second, _ = _school_section(db, actor, second_id, bases[1])
    if first.id == second.id or second.protocol_id != protocol.id:
        raise ApprodoError("Scegli due sezioni diverse dello stesso protocollo.")
    body = check_text(first.body.rstrip("\n") + "\n\n" + second.body.lstrip("\n"))
    with transaction(db):
        current = _current(db, first.id)
        if current.version != first.version or _current(db, second.id).version != second.version:
            raise ApprodoError("Una delle due sezioni è cambiata nel frattempo: ricarica la pagina e riprova.")
        _insert_version(db, first.id, current.version + 1, body, actor, current.version,
                        f"unita con «{second.title}»")
        store.set_current_version(db, first.id, current.version + 1)
        _remove(db, actor, protocol, second, "unita", f"«{second.title}» unita a «{first.title}»")
    return get_section(db, actor, first.id)


# --- what a school has to decide: the network's changes -------------------------------------------


@dataclass(frozen=True)
class StructureUpdate:
    """A change of the core's structure that the school has not decided on yet."""

    kind: str  # "added", "removed", "renamed", "locked", "unlocked", "reordered"
    core_section_id: int | None  # None for "reordered"
    title: str  # the section as the school knows it (the core's for "added")
    detail: str = ""  # the new title, for "renamed"
    section_id: int | None = None  # the school's section, when it has one


@dataclass(frozen=True)
class TextUpdate:
    """The core changed a section's text: merged with the school's text, for the dirigente to check."""

    section: Section  # the school's section as it is now
    base: str  # the core's text the school's section started from
    theirs: str  # the core's text now
    core_version: int
    locked: bool  # a locked section takes the network's text as it is
    result: merge.MergeResult = field(compare=False)


@dataclass(frozen=True)
class Updates:
    structure: list[StructureUpdate]
    text: list[TextUpdate]

    def __len__(self) -> int:
        return len(self.structure) + len(self.text)


def _core_order(db, protocol: Protocol) -> list[int]:
    return _live_ids(db, protocol.core_id) if protocol.core_id else []


def _links(db, protocol_id: int) -> list[dict]:
    """The school's sections that came from the core (removed ones too: a declined offer is one)."""
    return store.links(db, protocol_id)


def pending_updates(db: sqlite_utils.Database, actor: Actor, protocol_id: int) -> Updates:
    """Everything the network changed that the school has not decided on."""
    protocol = get_protocol(db, actor, protocol_id)
    if protocol.is_core or protocol.core_id is None:
        return Updates([], [])
    # Schools receive the core as last published: its draft (a new revision) reaches them when published.
    published = published_core(db, protocol.core_id)
    links = _links(db, protocol.id)
    linked = {row["core_section_id"] for row in links}
    structure: list[StructureUpdate] = []
    core_sections = list_sections(db, actor, protocol.core_id)
    for core in core_sections:
        if core.id not in linked and published is not None and core.id in published.texts:
            structure.append(StructureUpdate("added", core.id, published.title(core)))
    live_links = [row for row in links if row["removed_at"] is None]
    for row in live_links:
        ids = dict(core_section_id=row["core_section_id"], section_id=row["id"])
        if published is not None and published.removed(row["core_removed"]):
            structure.append(StructureUpdate("removed", title=row["title"], **ids))
            continue
        core_title = published.titles.get(row["core_section_id"], row["core_title"]) if published else None
        if core_title is not None and core_title != (row["core_title_seen"] or row["title"]):
            structure.append(StructureUpdate("renamed", title=row["title"], detail=core_title, **ids))
        seen_kind = row["core_kind_seen"] or row["kind"]
        if row["core_kind"] != seen_kind and seen_kind != LOCAL.value:
            structure.append(StructureUpdate("locked" if row["core_kind"] == LOCKED.value else "unlocked",
                                             title=row["title"], **ids))
    if _order_update(db, protocol, live_links):
        structure.append(StructureUpdate("reordered", None, ""))
    by_id = {core.id: core for core in core_sections}
    text = []
    for section in list_sections(db, actor, protocol.id):
        core = by_id.get(section.core_section_id)
        then = published.texts.get(core.id) if core is not None and published is not None else None
        if then is None or then.body == section.body:
            continue
        seen = section.core_version_seen or 0
        if then.version > seen or section.kind is LOCKED:
            base = _version_body(db, core.id, seen) if seen else ""
            text.append(TextUpdate(section, base, then.body, then.version, section.kind is LOCKED,
                                   merge.merge_update(base, then.body, section.body)))
    return Updates(structure, text)


def _version_body(db, section_id: int, version: int) -> str:
    return store.version_body(db, section_id, version) or ""


def _order_update(db, protocol: Protocol, live_links: list[dict]) -> bool:
    """The network changed the order of sections the school has, since the school last looked."""
    mine = [row["core_section_id"] for row in live_links if not row["core_removed"]]
    core = [i for i in _core_order(db, protocol) if i in set(mine)]
    if core == mine:
        return False
    seen_text = store.core_order_seen(db, protocol.id)
    if not seen_text:
        return True  # the school never chose an order of its own
    # Only sections both orders know count: a section added since is placed when taken, not a new order.
    known = set(json.loads(seen_text)) & set(mine)
    return [i for i in core if i in known] != [i for i in json.loads(seen_text) if i in known]


def decide(db: sqlite_utils.Database, actor: Actor, protocol_id: int, kind: str, core_section_id: int | None,
           accept: bool) -> None:
    """Take (accept=True) or decline a structure update; either way it is decided and goes away."""
    protocol = _editable(db, actor, protocol_id)
    if protocol.is_core:
        raise ApprodoError("Gli aggiornamenti della rete si decidono nel protocollo della scuola.")
    with transaction(db):
        update = next((u for u in pending_updates(db, actor, protocol.id).structure
                       if u.kind == kind and u.core_section_id == core_section_id), None)
        if update is None:
            raise ApprodoError("Questo aggiornamento della rete è già stato deciso.")
        _DECISIONS[kind](db, actor, protocol, update, accept)


def _decide_added(db, actor, protocol, update, accept) -> None:
    core = _current(db, update.core_section_id)
    then = published_core(db, protocol.core_id).texts[core.id]  # offered only once published
    key = _unique_key(db, protocol.id, "", core.key)
    section_id = _insert_section(db, protocol.id, key, update.title, core.kind, core.guidance, 0, then.body, actor,
                                 core_section_id=core.id, core_version=then.version,
                                 note="dal protocollo comune della rete")
    section = _current(db, section_id)
    if not accept:
        # A declined section is kept removed, so the offer does not come back.
        _remove(db, actor, protocol, section, "decisione", f"«{core.title}» della rete non aggiunta")
        return
    order = _live_ids(db, protocol.id)
    order.remove(section_id)
    order.insert(_insert_index(db, protocol, core.id, order), section_id)
    _renumber(db, protocol.id, order)
    _log(db, actor, protocol, section, "aggiunta", f"«{core.title}», dalla rete")


def _insert_index(db, protocol: Protocol, core_id: int, order: list[int]) -> int:
    """Where a section of the core goes in the school's order: after the school's copy of the core
    section before it, else before the first copy of a core section after it, else at the end."""
    core_order = _core_order(db, protocol)
    copies = {row["core_section_id"]: row["id"] for row in _links(db, protocol.id) if row["removed_at"] is None}
    index = core_order.index(core_id)
    for before in reversed(core_order[:index]):
        if copies.get(before) in order:
            return order.index(copies[before]) + 1
    for after in core_order[index + 1:]:
        if copies.get(after) in order:
            return order.index(copies[after])
    return len(order)


def _decide_removed(db, actor, protocol, update, accept) -> None:
    section = _current(db, update.section_id)
    if accept:
        _remove(db, actor, protocol, section, "tolta", f"«{section.title}», tolta anche dalla rete")
        return
    # Kept: the text stays as the school's own section, no longer tied to the network.
    store.make_local(db, section.id)
    _log(db, actor, protocol, section, "decisione", f"«{section.title}» tenuta come sezione della scuola")


def _decide_renamed(db, actor, protocol, update, accept) -> None:
    section = _current(db, update.section_id)
    if accept:
        store.set_title(db, section.id, update.detail, as_core_title=True)
        _log(db, actor, protocol, section, "rinominata", f"«{section.title}» → «{update.detail}», come la rete")
    else:
        store.set_core_title_seen(db, section.id, update.detail)
        _log(db, actor, protocol, section, "decisione", f"tenuto il titolo «{section.title}»")


def _decide_kind(db, actor, protocol, update, accept) -> None:
    # Locking and unlocking already apply; the school only says it has seen it.
    section = _current(db, update.section_id)
    store.set_kind_seen(db, section.id)
    _log(db, actor, protocol, section, "decisione", f"«{section.title}»: {KIND_LABELS[section.kind]}, visto")


def _decide_reordered(db, actor, protocol, update, accept) -> None:
    core_order = _core_order(db, protocol)
    if accept:
        # The school's copies of core sections take the network's order in the slots they occupy;
        # the school's own sections stay where they are.
        order = _live_ids(db, protocol.id)
        copies = {row["id"]: row["core_section_id"] for row in _links(db, protocol.id)
                  if row["removed_at"] is None and not row["core_removed"]}
        slots = [i for i, section_id in enumerate(order) if section_id in copies]
        rank = {core_id: n for n, core_id in enumerate(core_order)}
        ordered = sorted((order[i] for i in slots), key=lambda section_id: rank[copies[section_id]])
        for slot, section_id in zip(slots, ordered, strict=True):
            order[slot] = section_id
        _renumber(db, protocol.id, order)
    store.set_core_order_seen(db, protocol.id, json.dumps(core_order))
    _log(db, actor, protocol, None, "ordine" if accept else "decisione",
         "ordine della rete accolto" if accept else "tenuto l'ordine della scuola")


# --- a school's own sections, linked to the core once the network has one ----------------------------


@dataclass(frozen=True)
class LinkProposal:
    """A section of the school's own and the core section whose title fits it best (None: none fits)."""

    section: Section
    core: Section | None
    score: float


@dataclass(frozen=True)
class Linking:
    """What a school may link: its own sections not tied to the network, and the core sections free for them."""

    core: Protocol | None  # the network's core for the school's level; None while there is none
    proposals: list[LinkProposal]
    free: list[Section]  # core sections no live section of the school follows yet
    follows_core: bool = False  # the protocol already follows the core (it started from it, or linked)

    @property
    def suggested(self) -> list[LinkProposal]:
        return [p for p in self.proposals if p.core is not None]

    @property
    def offered(self) -> bool:
        """Worth showing: the school has own sections and the core has sections they could follow; once the
        protocol follows the core, only when a title suggests a match (its local sections are meant as such)."""
        return bool(self.free and self.proposals and (not self.follows_core or self.suggested))


def link_proposals(db: sqlite_utils.Database, actor: Actor, protocol_id: int) -> Linking:
    """The school's own sections with the core section each could follow, suggested by title.

    A school that imported its protocol before the network had a core keeps its sections as
    its own; once the core exists, the dirigente links those that say the same thing, one by one.
    """
    protocol = get_protocol(db, actor, protocol_id)
    core = None if protocol.is_core else core_for(db, protocol.network_code, protocol.level)
    if core is None or (protocol.core_id is not None and protocol.core_id != core.id):
        return Linking(None, [], [])
    sections = list_sections(db, actor, protocol.id)
    followed = {s.core_section_id for s in sections if s.core_section_id is not None}
    free = [c for c in list_sections(db, actor, core.id) if c.id not in followed]
    own = [s for s in sections if s.kind is LOCAL and s.core_section_id is None]
    by_id = {c.id: c for c in free}
    matches = titles.best_matches([s.title for s in own], {c.id: c.title for c in free})
    proposals = [LinkProposal(section, by_id.get(core_id), score)
                 for section, (core_id, score) in zip(own, matches, strict=True)]
    return Linking(core, proposals, free, protocol.core_id is not None)


def link_section(db: sqlite_utils.Database, actor: Actor, section_id: int, core_section_id: int) -> Section:
    """Make a school's own section follow a core section: from now on the network's changes to it reach the
    school as updates, merged three ways with the school's text. The first one offers the core's whole text
    (nothing is common yet), and the network's title if it differs; the school's text stays until it decides."""
    section, protocol = _live(db, actor, section_id)
    if protocol.is_core:
        raise ApprodoError("Si collegano al protocollo comune le sezioni del protocollo di una scuola.")
    with transaction(db):
        linking = link_proposals(db, actor, protocol.id)
        if linking.core is None:
            raise ApprodoError("La rete non ha un protocollo comune per il grado di questa scuola.")
        if not any(p.section.id == section.id for p in linking.proposals):
            raise ApprodoError(f"«{section.title}» segue già il protocollo comune della rete.")
        core = next((c for c in linking.free if c.id == core_section_id), None)
        if core is None:
            raise ApprodoError("Questa sezione del protocollo comune è già collegata a un'altra sezione della "
                               "scuola, o non c'è più: ricarica la pagina.")
        if protocol.core_id is None:
            # The protocol now follows the core: its other sections reach the school as updates to take.
            store.set_core(db, protocol.id, linking.core.id)
        store.link_to_core(db, section.id, core.id, core.kind.value)
        _log(db, actor, protocol, section, "collegata", f"«{section.title}» segue «{core.title}» della rete")
    return get_section(db, actor, section.id)


def link_suggested(db: sqlite_utils.Database, actor: Actor, protocol_id: int) -> list[LinkProposal]:
    """Link every suggested pair at once (the command line's --auto); what was linked."""
    with transaction(db):
        done = link_proposals(db, actor, protocol_id).suggested
        for proposal in done:
            link_section(db, actor, proposal.section.id, proposal.core.id)
    return done


_DECISIONS = {"added": _decide_added, "removed": _decide_removed, "renamed": _decide_renamed,
              "locked": _decide_kind, "unlocked": _decide_kind, "reordered": _decide_reordered}


def text_update(db: sqlite_utils.Database, actor: Actor, section_id: int) -> TextUpdate:
    section = get_section(db, actor, section_id)
    for update in pending_updates(db, actor, section.protocol_id).text:
        if update.section.id == section_id:
            return update
    raise ApprodoError("Per questa sezione non ci sono aggiornamenti del testo dalla rete.")


def take_text_update(db: sqlite_utils.Database, actor: Actor, section_id: int, text: str, *, base_version: int,
                     core_version: int) -> Section:
    """Save the merged text as a new version of the school's section; the network's version counts as seen.

    `base_version` and `core_version` are what the page merged: if the school's section or the core's moved
    on meanwhile, nothing is saved (the merge would be of texts that are no longer there).
    """
    section, protocol = _live(db, actor, section_id)
    with transaction(db):
        update = text_update(db, actor, section_id)
        text = update.theirs if update.locked else check_text(text)
        current = _current(db, section.id)
        if current.version != base_version:
            theirs = next(v for v in _versions(db, section.id) if v.version == current.version)
            raise SaveConflict(section.id, theirs, text, saver=actor.username)
        if update.core_version != core_version:
            raise ApprodoError("La rete ha cambiato di nuovo questa sezione mentre decidevi: rivedi l'unione con "
                               "il testo nuovo.")
        if text != current.body:
            _insert_version(db, section.id, current.version + 1, text, actor, current.version,
                            f"aggiornamento dalla rete (versione comune {core_version})")
            store.set_current_version(db, section.id, current.version + 1)
        store.set_core_version_seen(db, section.id, core_version, kind_seen=True)
        _log(db, actor, protocol, section, "testo_rete", f"«{section.title}», versione comune {core_version}")
    return get_section(db, actor, section.id)


def keep_school_text(db: sqlite_utils.Database, actor: Actor, section_id: int, *, core_version: int) -> None:
    """Leave the school's text as it is; this version of the network's text counts as seen."""
    section, protocol = _live(db, actor, section_id)
    update = text_update(db, actor, section_id)
    if update.locked:
        raise ApprodoError("Questa sezione è bloccata dalla rete: il testo della rete va accolto.")
    if update.core_version != core_version:
        raise ApprodoError("La rete ha cambiato di nuovo questa sezione mentre decidevi: rivedi le differenze.")
    with transaction(db):
        store.set_core_version_seen(db, section.id, core_version)
        _log(db, actor, protocol, section, "decisione", f"«{section.title}»: tenuto il testo della scuola")
