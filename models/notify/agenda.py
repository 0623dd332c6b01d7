"""What awaits a person in their scope: the same items for the bell in the app and the e-mail digest.

Each item is a count and an Italian sentence with no personal data ("2 passi dell'obbligo scolastico da fare,
uno in scadenza domani"), and the page where the work is done. A pupil code, a name or a protocol's text
never enters an item: the e-mail travels through servers the school does not control.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlite_utils

from models.core.permissions import Action, Actor, NetworkRef, ProtocolRef, SchoolRef, allowed


@dataclass(frozen=True)
class Item:
    kind: str  # obbligo, verifiche, aggiornamenti, proposte, pratiche
    count: int
    due_tomorrow: int  # of them, how many fall due (or whose legal term ends) tomorrow: the day-before reminder
    text: str
    page: str  # the page's path, e.g. "pages/obligation.py"


def _many(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _tomorrow(n: int, one: str = "uno") -> str:
    if not n:
        return ""
    return f", {one} in scadenza domani" if n == 1 else f", {n} in scadenza domani"


def agenda(db: sqlite_utils.Database, actor: Actor, on: date) -> list[Item]:
    """The items awaiting `actor` on the day `on`, in the order of their weight (legal terms first)."""
    items = []
    school = actor.school_code
    if school and allowed(actor, Action.FOLLOW_OBLIGATION, SchoolRef(school)):
        from models.obligation import cases as obligation

        due, ending = obligation.due_counts(db, actor, school, on)
        if due:
            # The term of art. 114 c. 4: the seven days after the family's receipt end tomorrow, or a step falls due.
            items.append(Item("obbligo", due, ending,
                              _many(due, "passo dell'obbligo scolastico da fare",
                                    "passi dell'obbligo scolastico da fare") + _tomorrow(ending),
                              "pages/obligation.py"))
    if school and allowed(actor, Action.FOLLOW_UP, SchoolRef(school)):
        from models.follow_up import reviews

        due, ending = reviews.owned_follow_ups(db, actor, school, on)
        if due:
            items.append(Item("verifiche", due, ending,
                              _many(due, "verifica da fare di cui sei referente",
                                    "verifiche da fare di cui sei referente") + _tomorrow(ending, "una"),
                              "pages/risk.py"))
    if school and allowed(actor, Action.MANAGE_SCHOOL, SchoolRef(school)):
        updates = _network_updates(db, actor, school)
        if updates:
            items.append(Item("aggiornamenti", updates, 0,
                              _many(updates, "aggiornamento della rete da decidere per il protocollo",
                                    "aggiornamenti della rete da decidere per il protocollo"),
                              "pages/protocol_updates.py"))
    network = actor.network_code
    if network and not school and allowed(actor, Action.EDIT_PROTOCOL, ProtocolRef(network, None)):
        from models.protocols import proposals

        open_ = proposals.open_count(db, actor, network)
        if open_:
            items.append(Item("proposte", open_, 0,
                              _many(open_, "proposta delle scuole da decidere", "proposte delle scuole da decidere"),
                              "pages/proposals.py"))
    if network and not school and allowed(actor, Action.PUBLISH_PRACTICE, NetworkRef(network)):
        from models.practices import records

        proposed = records.proposed_count(db, actor, network)
        if proposed:
            items.append(Item("pratiche", proposed, 0,
                              _many(proposed, "buona pratica da pubblicare", "buone pratiche da pubblicare"),
                              "pages/practices.py"))
    return items


def _network_updates(db: sqlite_utils.Database, actor: Actor, school_code: str) -> int:
    from models.practices import adoption
    from models.protocols import protocol as protocols
    from models.protocols import structure

    own = protocols.school_protocol(db, actor, school_code)
    if own is None:
        return 0
    return len(structure.pending_updates(db, actor, own.id)) + len(adoption.pending_updates(db, actor, own.id))
