"""Adopting a published practice into a protocol, with its provenance, and later versions as updates.

A school's dirigente adopts into the school's protocol, a coordinator into the network's core: as a new
section (a section of the school's own, or a core section that each school is then offered) or replacing the
text of a section. The section keeps where it came from ("Dalla pratica «…» della Rete …, versione 3."), shown
in the editor and in the Word export.

When the practice's network publishes a later version, each adopter is offered it on the updates page, merged
three ways like the core's updates (models/protocols/merge.py): base = the practice's text the section took,
theirs = the practice's text now, mine = the section now.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlite_utils

from models.core import audit, clock
from models.core.db import transaction
from models.core.errors import ApprodoError
from models.core.permissions import Action, Actor, require
from models.practices import records, store
from models.protocols import merge, provenance
from models.protocols import protocol as protocols
from models.protocols import structure as ps
from models.protocols.templates import SectionKind

NEW, REPLACE = "nuova", "sostituisce"


def provenance_note(practice: records.Practice, version: int) -> str:
    school = f", {practice.school_name}" if practice.school_name else ""
    return f"Dalla pratica «{practice.content.title}» della {practice.network_name}{school}, versione {version}."


def _published(db, actor: Actor, practice_id: int) -> records.Practice:
    practice = records.get_practice(db, actor, practice_id, latest=False)
    if practice.published_version is None:
        raise ApprodoError("Si adottano solo le pratiche pubblicate.")
    return practice


def adopt(db: sqlite_utils.Database, actor: Actor, practice_id: int, protocol_id: int, *,
          replace_section_id: int | None = None) -> protocols.Section:
    """Bring the practice's published text into the protocol; return the section that holds it."""
    practice = _published(db, actor, practice_id)
    protocol = protocols.get_protocol(db, actor, protocol_id)
    require(actor, Action.EDIT_PROTOCOL, protocol.ref,
            message="Adotta una pratica nel protocollo della scuola il suo dirigente, in quello comune il "
                    "coordinatore della rete.")
    protocols._require_editable(actor, protocol)
    already = store.adopting_section_title(db, practice.id, protocol.id)
    if already is not None:
        raise ApprodoError(f"Questo protocollo ha già adottato la pratica, nella sezione «{already}».")
    text = records.adopted_text(practice.content)
    version = practice.published_version
    note = provenance_note(practice, version)
    with transaction(db):
        if replace_section_id is not None:
            section = protocols.get_section(db, actor, replace_section_id)
            if section.protocol_id != protocol.id:
                raise ApprodoError("La sezione da sostituire non è di questo protocollo.")
            if not protocol.is_core and section.kind is SectionKind.CORE_LOCKED:
                require(actor, Action.CHANGE_LOCKED_SECTION,
                        message=f"La sezione «{section.title}» è bloccata dalla rete: scegline un'altra o "
                                "aggiungi la pratica come sezione nuova.")
            if section.body != text:
                section = protocols.save_section(db, actor, section.id, text, section.version, note[:300])
            mode = REPLACE
        elif protocol.is_core:
            section = ps.add_core_section(db, actor, protocol.id, practice.content.title, body=text,
                                          guidance="Sezione adottata da una buona pratica.")
            mode = NEW
        else:
            section = protocols.add_local_section(db, actor, protocol.id, practice.content.title)
            section = protocols.save_section(db, actor, section.id, text, section.version, note[:300])
            mode = NEW
        provenance.set_source_note(db, section.id, note)
        store.insert_adoption(db, practice.id, protocol.id, section.id, mode, version, text, actor.username,
                              clock.to_text(clock.utcnow()))
        audit.record(db, actor, "pratica_adottata", f"pratica {practice.id}", school_code=protocol.school_code,
                     detail=f"protocollo {protocol.id}, sezione «{section.title}», versione {version}")
    return protocols.get_section(db, actor, section.id)


@dataclass(frozen=True)
class Adopter:
    network_name: str
    school_name: str | None  # None: the network's core
    section_title: str
    version: int
    adopted_at: str

    @property
    def where(self) -> str:
        return f"{self.school_name} ({self.network_name})" if self.school_name else \
            f"Protocollo comune della {self.network_name}"


def adopters(db: sqlite_utils.Database, actor: Actor, practice_id: int) -> list[Adopter]:
    """Who adopted the practice (sections still in their protocols), first adopter first."""
    records.get_practice(db, actor, practice_id)
    return [Adopter(*row) for row in store.adopters(db, practice_id)]


# --- later versions as updates ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PracticeUpdate:
    adoption_id: int
    practice_id: int
    practice_title: str
    source: str
    section: protocols.Section
    base: str  # the practice's text the section took
    theirs: str  # the practice's text now
    version: int  # the practice's published version now
    result: merge.MergeResult = field(compare=False)


def pending_updates(db: sqlite_utils.Database, actor: Actor, protocol_id: int) -> list[PracticeUpdate]:
    """Adopted practices of this protocol that published a version the protocol has not decided on."""
    protocols.get_protocol(db, actor, protocol_id)
    rows = store.adoptions_behind(db, protocol_id)
    updates = []
    for row in rows:
        practice = records.get_practice(db, actor, row["practice_id"], latest=False)
        theirs = records.adopted_text(practice.content)
        section = protocols.get_section(db, actor, row["section_id"])
        updates.append(PracticeUpdate(row["id"], practice.id, practice.content.title, practice.source, section,
                                      row["base_text"], theirs, row["published_version"],
                                      merge.merge_update(row["base_text"], theirs, section.body)))
    return updates


def _update(db, actor: Actor, adoption_id: int, version: int) -> PracticeUpdate:
    protocol_id = store.adoption_protocol(db, adoption_id)
    if protocol_id is None:
        raise ApprodoError("Questa adozione non esiste.")
    protocol = protocols.get_protocol(db, actor, protocol_id)
    require(actor, Action.EDIT_PROTOCOL, protocol.ref,
            message="Puoi leggere questo protocollo ma non decidere i suoi aggiornamenti.")
    update = next((u for u in pending_updates(db, actor, protocol.id) if u.adoption_id == adoption_id), None)
    if update is None:
        raise ApprodoError("Questo aggiornamento della pratica è già stato deciso.")
    if update.version != version:
        raise ApprodoError("La pratica ha pubblicato di nuovo mentre decidevi: rivedi l'unione con il testo nuovo.")
    return update


def take_update(db: sqlite_utils.Database, actor: Actor, adoption_id: int, text: str, *, base_version: int,
                version: int) -> protocols.Section:
    """Save the merged text as a new version of the section; the practice's version counts as taken."""
    update = _update(db, actor, adoption_id, version)
    practice = records.get_practice(db, actor, update.practice_id, latest=False)
    note = provenance_note(practice, version)
    with transaction(db):
        section = update.section
        if text != section.body:
            section = protocols.save_section(db, actor, section.id, text, base_version,
                                             f"aggiornamento dalla pratica, versione {version}")
        elif section.version != base_version:
            raise ApprodoError("La sezione è cambiata mentre decidevi: ricarica la pagina.")
        provenance.set_source_note(db, section.id, note)
        store.set_version_seen(db, adoption_id, version, update.theirs)
        audit.record(db, actor, "pratica_aggiornata", f"pratica {update.practice_id}",
                     detail=f"sezione «{section.title}», versione {version}")
    return protocols.get_section(db, actor, update.section.id)


def keep_section_text(db: sqlite_utils.Database, actor: Actor, adoption_id: int, *, version: int) -> None:
    """Leave the section as it is; this version of the practice counts as seen (and is the next merge's base)."""
    update = _update(db, actor, adoption_id, version)
    with transaction(db):
        store.set_version_seen(db, adoption_id, version, update.theirs)
        audit.record(db, actor, "pratica_non_aggiornata", f"pratica {update.practice_id}",
                     detail=f"sezione «{update.section.title}»: tenuto il testo, versione {version} vista")


def adoptable_protocols(db: sqlite_utils.Database, actor: Actor) -> list[protocols.Protocol]:
    """The protocols the actor may adopt into now: those it edits, in an editable status."""
    return [p for p in protocols.list_protocols(db, actor) if protocols.may_edit(actor, p) and p.editable_status]
