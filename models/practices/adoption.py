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
from models.practices import records
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
    already = next(db.query(
        "SELECT s.title FROM practice_adoptions a JOIN protocol_sections s ON s.id = a.section_id"
        " WHERE a.practice_id = ? AND a.protocol_id = ? AND s.removed_at IS NULL", [practice.id, protocol.id]), None)
    if already:
        raise ApprodoError(f"Questo protocollo ha già adottato la pratica, nella sezione «{already['title']}».")
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
        db.execute("INSERT INTO practice_adoptions (practice_id, protocol_id, section_id, mode, version_seen,"
                   " base_text, adopted_by, adopted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   [practice.id, protocol.id, section.id, mode, version, text, actor.username,
                    clock.to_text(clock.utcnow())])
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
    rows = db.execute(
        "SELECT n.name, sc.name, s.title, a.version_seen, a.adopted_at FROM practice_adoptions a"
        " JOIN protocols p ON p.id = a.protocol_id JOIN networks n ON n.code = p.network_code"
        " LEFT JOIN schools sc ON sc.code = p.school_code JOIN protocol_sections s ON s.id = a.section_id"
        " WHERE a.practice_id = ? AND s.removed_at IS NULL ORDER BY a.adopted_at, a.id", [practice_id]).fetchall()
    return [Adopter(*row) for row in rows]


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
    rows = db.query(
        "SELECT a.id, a.practice_id, a.section_id, a.version_seen, a.base_text, p.published_version"
        " FROM practice_adoptions a JOIN practices p ON p.id = a.practice_id"
        " JOIN protocol_sections s ON s.id = a.section_id"
        " WHERE a.protocol_id = ? AND s.removed_at IS NULL AND p.published_version > a.version_seen"
        " ORDER BY s.position",
        [protocol_id])
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
    row = db.execute("SELECT protocol_id FROM practice_adoptions WHERE id = ?", [adoption_id]).fetchone()
    if row is None:
        raise ApprodoError("Questa adozione non esiste.")
    protocol = protocols.get_protocol(db, actor, row[0])
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
        db.execute("UPDATE practice_adoptions SET version_seen = ?, base_text = ? WHERE id = ?",
                   [version, update.theirs, adoption_id])
        audit.record(db, actor, "pratica_aggiornata", f"pratica {update.practice_id}",
                     detail=f"sezione «{section.title}», versione {version}")
    return protocols.get_section(db, actor, update.section.id)


def keep_section_text(db: sqlite_utils.Database, actor: Actor, adoption_id: int, *, version: int) -> None:
    """Leave the section as it is; this version of the practice counts as seen (and is the next merge's base)."""
    update = _update(db, actor, adoption_id, version)
    with transaction(db):
        db.execute("UPDATE practice_adoptions SET version_seen = ?, base_text = ? WHERE id = ?",
                   [version, update.theirs, adoption_id])
        audit.record(db, actor, "pratica_non_aggiornata", f"pratica {update.practice_id}",
                     detail=f"sezione «{update.section.title}»: tenuto il testo, versione {version} vista")


def adoptable_protocols(db: sqlite_utils.Database, actor: Actor) -> list[protocols.Protocol]:
    """The protocols the actor may adopt into now: those it edits, in an editable status."""
    return [p for p in protocols.list_protocols(db, actor) if protocols.may_edit(actor, p) and p.editable_status]
