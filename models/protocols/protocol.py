"""Reception protocols: the network's core, each school's adaptation, versions, workflow.

A network has one core protocol per school level, made from a template and
edited by its coordinator. A school's protocol starts as a copy of the core
for its level: ``core_locked`` sections stay as the network wrote them,
``core_adaptable`` sections may be changed by the school, and ``local``
sections are the school's own. When the core changes, a school sees the
change and takes it or keeps its own text ("Aggiornamenti dalla rete").

Every save is a new version based on the version the editor loaded; if
someone saved in between, the save is refused with a `SaveConflict` that
carries the other text, so nothing is overwritten silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

import sqlite_utils

from models.accounts import people
from models.accounts.schools import LEVEL_LABELS, Level, get_network, get_school, list_schools
from models.core import audit, clock
from models.core.db import transaction
from models.core.errors import ApprodoError, NothingToSave
from models.core.permissions import Action, Actor, ProtocolRef, allowed, require
from models.core.school_year import SchoolYear
from models.protocols import placeholders, richtext, store
from models.protocols.templates import SectionKind, load_template, template_for_level


class Status(StrEnum):
    BOZZA = "bozza"
    IN_REVISIONE = "in_revisione"
    APPROVATO = "approvato"
    PUBBLICATO = "pubblicato"


STATUS_LABELS = {
    Status.BOZZA: "Bozza",
    Status.IN_REVISIONE: "In revisione",
    Status.APPROVATO: "Approvato",
    Status.PUBBLICATO: "Pubblicato",
}

# The bodies that approve a protocol (some schools have it approved by both, the second one counts).
DELIBERATION_BODIES = ("collegio dei docenti", "consiglio d'istituto")
DEFAULT_DELIBERATION_BODY = DELIBERATION_BODIES[0]

# (from, to) -> the button a user presses. Approval needs the deliberation.
TRANSITIONS: dict[tuple[Status, Status], str] = {
    (Status.BOZZA, Status.IN_REVISIONE): "Invia in revisione",
    (Status.IN_REVISIONE, Status.BOZZA): "Riporta in bozza",
    (Status.IN_REVISIONE, Status.APPROVATO): "Registra l'approvazione",
    (Status.APPROVATO, Status.PUBBLICATO): "Pubblica",
    (Status.APPROVATO, Status.BOZZA): "Apri una nuova revisione",
    (Status.PUBBLICATO, Status.BOZZA): "Apri una nuova revisione",
}

EDITABLE_STATUSES = {Status.BOZZA, Status.IN_REVISIONE}
MAX_TITLE = 150
MAX_NOTE = 300


class SaveConflict(ApprodoError):
    """Someone saved the section after the editor loaded it."""

    def __init__(self, section_id: int, theirs: Version, yours: str, author_name: str | None = None, *,
                 saver: str | None = None):
        self.author_name = author_name or theirs.author
        # The other save may be the user's own, from a second tab or window: then nobody else is named.
        self.own = saver is not None and saver == theirs.author
        when = f"versione {theirs.version}, {clock.local_datetime(theirs.created_at)}"
        super().__init__(
            f"Hai salvato questa sezione da un'altra scheda o finestra ({when}) dopo averla aperta qui. Il testo "
            "di questa scheda non è stato salvato: confrontalo con quello salvato, poi salva di nuovo partendo "
            "dalla versione attuale." if self.own else
            f"{self.author_name} ha salvato questa sezione ({when}) dopo che l'hai aperta. Il tuo testo non è "
            "stato salvato: confrontalo con il suo, poi salva di nuovo partendo dalla versione attuale."
        )
        self.section_id = section_id
        self.theirs = theirs
        self.yours = yours


@dataclass(frozen=True)
class Protocol:
    id: int
    network_code: str
    school_code: str | None
    template_id: str
    level: Level
    title: str
    school_year: str
    status: Status
    revision: int
    deliberation_date: str | None
    deliberation_number: str | None
    core_id: int | None
    updated_at: str
    deliberation_body: str | None = None

    @property
    def deliberation_text(self) -> str:
        """ "collegio dei docenti, delibera n. 7 del 01/10/2025", or "" before approval."""
        if not self.deliberation_number:
            return ""
        return (f"{self.deliberation_body or DEFAULT_DELIBERATION_BODY}, delibera n. {self.deliberation_number}"
                f" del {self.deliberation_date}")

    @property
    def ref(self) -> ProtocolRef:
        """What the permission module checks: the network and (unless the core) the school."""
        return ProtocolRef(self.network_code, self.school_code)

    @property
    def is_core(self) -> bool:
        return self.school_code is None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def editable_status(self) -> bool:
        return self.status in EDITABLE_STATUSES


@dataclass(frozen=True)
class Section:
    id: int
    protocol_id: int
    key: str
    title: str
    kind: SectionKind
    guidance: str
    position: int
    version: int
    body: str
    author: str
    saved_at: str
    core_section_id: int | None
    core_version_seen: int | None


@dataclass(frozen=True)
class Version:
    version: int
    body: str
    author: str
    created_at: str
    base_version: int | None
    note: str


@dataclass(frozen=True)
class CoreUpdate:
    """A core section changed since the school last took or kept it."""

    section: Section
    core_body: str
    core_version: int
    may_keep: bool  # a locked section must be taken


# --- reading --------------------------------------------------------------

def _protocol(row: dict) -> Protocol:
    return Protocol(**{**row, "level": Level(row["level"]), "status": Status(row["status"])})


def _load(db, protocol_id: int) -> Protocol:
    row = store.protocol(db, protocol_id)
    if row is None:
        raise ApprodoError("Questo protocollo non esiste.")
    return _protocol(row)


def get_protocol(db: sqlite_utils.Database, actor: Actor, protocol_id: int) -> Protocol:
    protocol = _load(db, protocol_id)
    require(actor, Action.READ_PROTOCOLS, protocol.ref,
            "Non hai accesso a questo protocollo.")
    return protocol


def list_protocols(db: sqlite_utils.Database, actor: Actor) -> list[Protocol]:
    """Every protocol the actor may read: cores first, then schools by code."""
    return [p for p in map(_protocol, store.protocols(db))
            if allowed(actor, Action.READ_PROTOCOLS, p.ref)]


def core_for(db: sqlite_utils.Database, network_code: str, level: Level) -> Protocol | None:
    row = store.core(db, network_code, level.value)
    return _protocol(row) if row else None


def network_core(db: sqlite_utils.Database, actor: Actor, network_code: str, level: Level | None = None, *,
                 choose: str = "il grado") -> Protocol:
    """The network's core protocol the actor may read; `level` chooses when the network has one per school level.

    `choose` tells, in the refusal, how the caller picks a level (the CLI: its --level option).
    """
    network = get_network(db, actor, network_code)  # raises if the actor may not see it
    cores = [core for core in (core_for(db, network.code, lv) for lv in ([level] if level else Level))
             if core is not None and allowed(actor, Action.READ_PROTOCOLS, ProtocolRef(core.network_code, None))]
    if not cores:
        raise ApprodoError(f"La rete {network.code} non ha un protocollo comune{' per questo grado' if level else ''}.")
    if len(cores) > 1:
        raise ApprodoError(f"La rete ha più protocolli comuni: scegli {choose} ("
                           + ", ".join(p.level.value for p in cores) + ").")
    return cores[0]


def school_protocol(db: sqlite_utils.Database, actor: Actor, school_code: str) -> Protocol | None:
    get_school(db, actor, school_code)  # raises if the actor may not see it
    row = store.school_protocol(db, school_code)
    return _protocol(row) if row else None


def _section(row: dict) -> Section:
    return Section(**{**row, "kind": SectionKind(row["kind"])})


def list_sections(db: sqlite_utils.Database, actor: Actor, protocol_id: int) -> list[Section]:
    get_protocol(db, actor, protocol_id)
    # Removed sections (see models/protocols/structure.py) keep their history but are no longer in the protocol.
    return [_section(row) for row in store.live_sections(db, protocol_id)]


def get_section(db: sqlite_utils.Database, actor: Actor, section_id: int) -> Section:
    row = store.section(db, section_id)
    if row is None:
        raise ApprodoError("Questa sezione non esiste.")
    get_protocol(db, actor, row["protocol_id"])
    return _section(row)


def section_history(db: sqlite_utils.Database, actor: Actor, section_id: int) -> list[Version]:
    """Every version of a section, newest first."""
    get_section(db, actor, section_id)
    return _versions(db, section_id)


def version_count(db: sqlite_utils.Database, protocol_id: int) -> int:
    return store.version_count(db, protocol_id)


def may_edit(actor: Actor, protocol: Protocol) -> bool:
    return allowed(actor, Action.EDIT_PROTOCOL, protocol.ref)


def may_edit_section(actor: Actor, protocol: Protocol, section: Section) -> bool:
    if not may_edit(actor, protocol) or not protocol.editable_status:
        return False
    return protocol.is_core or section.kind is not SectionKind.CORE_LOCKED


def may_comment(actor: Actor, protocol: Protocol) -> bool:
    return allowed(actor, Action.COMMENT_PROTOCOL, protocol.ref)


# --- creating -------------------------------------------------------------


def create_core(
    db: sqlite_utils.Database, actor: Actor, network_code: str, template_id: str, school_year: str
) -> Protocol:
    """The network's shared protocol for one school level, from a template."""
    network = get_network(db, actor, network_code)
    require(actor, Action.EDIT_PROTOCOL, ProtocolRef(network.code, None),
            "Solo il coordinatore della rete può creare il protocollo comune.")
    template = load_template(template_id)
    year = str(SchoolYear.parse(school_year))
    if core_for(db, network.code, template.level):
        raise ApprodoError(
            f"La rete ha già un protocollo comune per la {LEVEL_LABELS[template.level].lower()}.")
    title = f"{template.title} – protocollo comune della {network.name}"
    with transaction(db):
        protocol_id = _insert_protocol(db, network.code, None, template.id, template.level, title, year, None)
        position = 0
        for section in template.sections:
            if section.kind is SectionKind.LOCAL:
                continue  # local sections exist only in schools' protocols
            position += 1
            _insert_section(db, protocol_id, section.key, section.title, section.kind, section.guidance,
                            position, section.body, actor, note="dal modello " + template.id)
        _event(db, actor, protocol_id, None, Status.BOZZA, "creato dal modello " + template.id)
        audit.record(db, actor, "protocollo_creato", f"protocollo {protocol_id}", detail=title)
    return _load(db, protocol_id)


def create_school_protocol(
    db: sqlite_utils.Database, actor: Actor, school_code: str, school_year: str | None = None
) -> Protocol:
    """A school's protocol, starting from the network's core for its level."""
    school = get_school(db, actor, school_code)
    require(actor, Action.EDIT_PROTOCOL, ProtocolRef(school.network_code, school.code),
            "Solo il dirigente della scuola può avviarne il protocollo.")
    core = core_for(db, school.network_code, school.level)
    if core is None:
        raise ApprodoError(
            f"La rete non ha ancora un protocollo comune per la {school.level_label.lower()}: "
            "chiedi al coordinatore di crearlo.")
    year = str(SchoolYear.parse(school_year)) if school_year else core.school_year
    template = load_template(core.template_id)
    local_sections = [s for s in template.sections if s.kind is SectionKind.LOCAL]
    title = f"Protocollo di accoglienza – {school.name}"
    with transaction(db):
        if store.school_protocol(db, school.code):
            raise ApprodoError("Questa scuola ha già il suo protocollo.")
        protocol_id = _insert_protocol(db, school.network_code, school.code, core.template_id, school.level,
                                       title, year, core.id)
        # The core as last published (a core never published yet: as it is); its draft stays with the network.
        published = published_core(db, core.id)
        position = 0
        for row in store.live_sections(db, core.id):
            core_section = _section(row)
            title, text = core_section.title, core_section
            if published is not None:
                if core_section.id not in published.texts:
                    continue  # added in the draft: offered as an update once published
                title, text = published.title(core_section), published.texts[core_section.id]
            position += 1
            _insert_section(db, protocol_id, core_section.key, title, core_section.kind,
                            core_section.guidance, position, text.body, actor,
                            core_section_id=core_section.id, core_version=text.version,
                            note="dal protocollo comune della rete")
        for section in local_sections:
            position += 1
            _insert_section(db, protocol_id, section.key, section.title, section.kind, section.guidance,
                            position, section.body, actor, note="dal modello " + template.id)
        _event(db, actor, protocol_id, None, Status.BOZZA, "creato dal protocollo comune")
        audit.record(db, actor, "protocollo_creato", f"protocollo {protocol_id}", school_code=school.code,
                     detail=title)
    return _load(db, protocol_id)


def create_own_protocol(
    db: sqlite_utils.Database, actor: Actor, school_code: str, school_year: str | None = None
) -> Protocol:
    """A school's protocol while its network has no core for its level: every section is the school's own.

    Networks often start this way: each school brings the protocol it has, and the
    core is written from them. The protocol starts empty; an import fills it.
    """
    school = get_school(db, actor, school_code)
    require(actor, Action.EDIT_PROTOCOL, ProtocolRef(school.network_code, school.code),
            "Solo il dirigente della scuola può avviarne il protocollo.")
    if core_for(db, school.network_code, school.level) is not None:
        raise ApprodoError("La rete ha già il protocollo comune per questo grado: il protocollo della scuola "
                           "parte da quello.")
    template = template_for_level(school.level)
    year = str(SchoolYear.parse(school_year)) if school_year else str(SchoolYear.current())
    title = f"Protocollo di accoglienza – {school.name}"
    with transaction(db):
        if store.school_protocol(db, school.code):
            raise ApprodoError("Questa scuola ha già il suo protocollo.")
        protocol_id = _insert_protocol(db, school.network_code, school.code, template.id, school.level, title,
                                       year, None)
        _event(db, actor, protocol_id, None, Status.BOZZA, "creato dalla scuola, senza protocollo comune")
        audit.record(db, actor, "protocollo_creato", f"protocollo {protocol_id}", school_code=school.code,
                     detail=title)
    return _load(db, protocol_id)


def add_local_section(db: sqlite_utils.Database, actor: Actor, protocol_id: int, title: str) -> Section:
    """A new section of the school's own, at the end of its protocol."""
    protocol = get_protocol(db, actor, protocol_id)
    if protocol.is_core:
        raise ApprodoError("Le sezioni locali si aggiungono ai protocolli delle scuole, non a quello comune.")
    _require_editable(actor, protocol)
    title = _check_title(title)
    key = "locale_" + (re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")[:40] or "sezione")
    with transaction(db):
        existing = store.section_keys(db, protocol_id)
        unique, n = key, 1
        while unique in existing:
            n += 1
            unique = f"{key}_{n}"
        position = store.next_position(db, protocol_id)
        section_id = _insert_section(db, protocol_id, unique, title, SectionKind.LOCAL,
                                     "Sezione aggiunta dalla scuola.", position, "", actor, note="nuova sezione")
        _touch(db, protocol_id)
        audit.record(db, actor, "sezione_aggiunta", f"protocollo {protocol_id}",
                     school_code=protocol.school_code, detail=title)
    return get_section(db, actor, section_id)


def _check_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ApprodoError("Scrivi il titolo della sezione.")
    if len(title) > MAX_TITLE:
        raise ApprodoError(f"Il titolo è troppo lungo (massimo {MAX_TITLE} caratteri).")
    placeholders.check(title)
    return title


def _insert_protocol(db, network_code, school_code, template_id, level, title, year, core_id) -> int:
    return store.insert_protocol(db, network_code, school_code, template_id, Level(level).value, title, year, core_id,
                                 clock.to_text(clock.utcnow()))


def _insert_section(db, protocol_id, key, title, kind, guidance, position, body, actor, *,
                    core_section_id=None, core_version=None, note="") -> int:
    section_id = store.insert_section(db, protocol_id, key, title, SectionKind(kind).value, guidance, position,
                                      core_section_id, core_version)
    _insert_version(db, section_id, 1, body, actor, None, note)
    return section_id


def _insert_version(db, section_id, version, body, actor, base_version, note) -> None:
    store.insert_version(db, section_id, version, body, actor.username, clock.to_text(clock.utcnow()), base_version,
                         note)


# --- editing --------------------------------------------------------------


def check_text(text: str) -> str:
    """The checks every saved text passes: the Markdown subset and the placeholder whitelist."""
    text = (text or "").replace("\r\n", "\n")
    richtext.validate(text)
    placeholders.check(text)
    return text


def save_section(
    db: sqlite_utils.Database,
    actor: Actor,
    section_id: int,
    text: str,
    base_version: int,
    note: str = "",
) -> Section:
    """Save a new version of a section, based on the version the editor loaded.

    Raises SaveConflict if someone saved after `base_version`; nothing changes then.
    """
    section = get_section(db, actor, section_id)
    protocol = _load(db, section.protocol_id)
    _require_editable(actor, protocol)
    if not protocol.is_core and section.kind is SectionKind.CORE_LOCKED:
        require(actor, Action.CHANGE_LOCKED_SECTION,
                message="Questa sezione è comune a tutta la rete e non si modifica nella scuola.")
    text = check_text(text)
    note = (note or "").strip()[:MAX_NOTE]
    with transaction(db):
        # Read the current version under the write lock: no one can slip in between.
        current = store.current_version(db, section_id)
        if current != base_version:
            theirs = next(v for v in _versions(db, section_id) if v.version == current)
            raise SaveConflict(section_id, theirs, text, people.names(db, actor, [theirs.author])[theirs.author],
                               saver=actor.username)
        if text == section.body:
            raise NothingToSave("Il testo non è cambiato: nessuna nuova versione salvata.")
        _insert_version(db, section_id, current + 1, text, actor, base_version, note)
        store.set_current_version(db, section_id, current + 1)
        _touch(db, protocol.id)
        audit.record(db, actor, "sezione_salvata", f"protocollo {protocol.id} / {section.key}",
                     school_code=protocol.school_code, detail=f"versione {current + 1}")
    return get_section(db, actor, section_id)


def _versions(db, section_id: int) -> list[Version]:
    return [Version(**row) for row in store.versions(db, section_id)]


def _require_editable(actor: Actor, protocol: Protocol) -> None:
    require(actor, Action.EDIT_PROTOCOL, protocol.ref, message="Puoi leggere questo protocollo ma non modificarlo.")
    if not protocol.editable_status:
        raise ApprodoError(
            f"Il protocollo è {protocol.status_label.lower()}: per modificarlo apri una nuova revisione.")


def _touch(db, protocol_id: int) -> None:
    store.touch_protocol(db, protocol_id, clock.to_text(clock.utcnow()))


# --- updates from the network's core ---------------------------------------


@dataclass(frozen=True)
class PublishedCore:
    """The network's core as schools receive it: as it stood when it was last published. What the coordinator
    edits in a new revision (the draft) reaches no school until the core is published again."""

    at: str
    texts: dict[int, Version]  # core section id -> its published text (sections added since are absent)
    titles: dict[int, str]  # core section id -> its published title, for the sections renamed since

    def title(self, section: Section) -> str:
        return self.titles.get(section.id, section.title)

    def removed(self, removed_at: str | None) -> bool:
        """A core section removed before the publication (one removed in the draft is still there for schools)."""
        return removed_at is not None and removed_at <= self.at


_RENAMED = re.compile(r"«(.*?)» → «")


def published_core(db: sqlite_utils.Database, core_id: int) -> PublishedCore | None:
    """The core as last published, or None if it never was. Internal: callers have checked the reader."""
    row = store.last_event_to(db, core_id, Status.PUBBLICATO.value)
    if row is None:
        return None
    at = row[0]
    titles: dict[int, str] = {}
    for section_id, detail in store.renames_since(db, core_id, at):
        match = _RENAMED.match(detail or "")
        if match and section_id not in titles:
            titles[section_id] = match.group(1)  # the title before the first rename since the publication
    return PublishedCore(at, _versions_at(db, core_id, at), titles)


def core_updates(db: sqlite_utils.Database, actor: Actor, protocol_id: int) -> list[CoreUpdate]:
    """Core sections whose published text changed since the school last took or kept them."""
    protocol = get_protocol(db, actor, protocol_id)
    published = None if protocol.is_core or protocol.core_id is None else published_core(db, protocol.core_id)
    if published is None:
        return []
    updates = []
    for section in list_sections(db, actor, protocol_id):
        core = published.texts.get(section.core_section_id)
        if core is not None and core.version > (section.core_version_seen or 0) and core.body != section.body:
            updates.append(CoreUpdate(section, core.body, core.version,
                                      may_keep=section.kind is not SectionKind.CORE_LOCKED))
    return updates


def core_text_for(db: sqlite_utils.Database, actor: Actor, section: Section) -> str | None:
    """The network core's text of a school section as schools know it (as last published; before the core's
    first publication, the text the school took), or None for local sections."""
    if section.core_section_id is None:
        return None
    core = get_section(db, actor, section.core_section_id)
    published = published_core(db, core.protocol_id)
    if published is not None and core.id in published.texts:
        return published.texts[core.id].body
    seen = next((v for v in _versions(db, core.id) if v.version == section.core_version_seen), None)
    return seen.body if seen else None


# --- workflow -------------------------------------------------------------


def allowed_transitions(actor: Actor, protocol: Protocol) -> list[Status]:
    if not may_edit(actor, protocol):
        return []
    return [to for (frm, to) in TRANSITIONS if frm is protocol.status]


def move(
    db: sqlite_utils.Database,
    actor: Actor,
    protocol_id: int,
    to_status: str,
    *,
    deliberation_date: str | date | None = None,
    deliberation_number: str | None = None,
    deliberation_body: str | None = None,
) -> Protocol:
    """Move the protocol along bozza → in_revisione → approvato → pubblicato; log the move."""
    protocol = get_protocol(db, actor, protocol_id)
    try:
        target = Status(to_status)
    except ValueError:
        raise ApprodoError(f"Stato «{to_status}» sconosciuto.") from None
    require(actor, Action.EDIT_PROTOCOL, protocol.ref,
            message="Il tuo ruolo non può cambiare lo stato di questo protocollo.")
    if (protocol.status, target) not in TRANSITIONS:
        raise ApprodoError(
            f"Un protocollo {protocol.status_label.lower()} non può passare a «{STATUS_LABELS[target]}».")
    date_text, number = protocol.deliberation_date, protocol.deliberation_number
    body = protocol.deliberation_body
    detail = ""
    if target is Status.APPROVATO:
        date_text = check_deliberation_date(deliberation_date)
        number = (deliberation_number or "").strip()
        if not number or len(number) > 30:
            raise ApprodoError("Scrivi il numero della delibera (al massimo 30 caratteri).")
        body = deliberation_body or DEFAULT_DELIBERATION_BODY
        if body not in DELIBERATION_BODIES:
            raise ApprodoError("La delibera è del collegio dei docenti o del consiglio d'istituto.")
        detail = f"{body}, delibera n. {number} del {date_text}"
    elif target is Status.BOZZA and protocol.status in (Status.APPROVATO, Status.PUBBLICATO):
        date_text = number = body = None
        detail = "nuova revisione"
    with transaction(db):
        store.set_status(db, protocol.id, target.value, date_text, number, body, clock.to_text(clock.utcnow()))
        _event(db, actor, protocol.id, protocol.status, target, detail)
        audit.record(db, actor, "protocollo_" + target.value, f"protocollo {protocol.id}",
                     school_code=protocol.school_code, detail=detail)
    return _load(db, protocol.id)


_DATE_SHAPES = (
    (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})"), ("day", "month", "year")),
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), ("year", "month", "day")),
)


def deliberation_day(text: str | None) -> date | None:
    """The day of a stored deliberation date (dd/mm/yyyy as saved, or yyyy-mm-dd), or None."""
    for shape, order in _DATE_SHAPES:
        match = shape.fullmatch((text or "").strip()[:10])
        if match:
            parts = dict(zip(order, map(int, match.groups()), strict=True))
            try:
                return date(parts["year"], parts["month"], parts["day"])
            except ValueError:
                return None
    return None


def check_deliberation_date(value: str | date | None) -> str:
    """A deliberation date as dd/mm/yyyy: a real day (not 31/02, never moved to another), not in the future;
    an Italian ApprodoError otherwise. The page checks what is typed with it before the button is pressed."""
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        text = (value or "").strip()
        for shape, order in _DATE_SHAPES:
            match = shape.fullmatch(text)
            if match:
                parts = dict(zip(order, map(int, match.groups()), strict=True))
                try:
                    value = date(parts["year"], parts["month"], parts["day"])
                except ValueError:
                    raise ApprodoError(
                        f"La data {text} non esiste: controlla giorno e mese (per esempio, febbraio ha al "
                        "massimo 29 giorni).") from None
                break
        else:
            raise ApprodoError("Scrivi la data della delibera come gg/mm/aaaa.")
    if value > clock.local_date():
        raise ApprodoError("La data della delibera è nel futuro: scrivi il giorno in cui l'organo ha deliberato.")
    return value.strftime("%d/%m/%Y")


def _event(db, actor: Actor, protocol_id: int, frm: Status | None, to: Status, detail: str) -> None:
    store.insert_event(db, protocol_id, clock.to_text(clock.utcnow()), actor.username, frm.value if frm else None,
                       to.value, detail)


def events(db: sqlite_utils.Database, actor: Actor, protocol_id: int) -> list[dict]:
    get_protocol(db, actor, protocol_id)
    return store.events(db, protocol_id)


# --- placeholders ---------------------------------------------------------


def placeholder_values(db: sqlite_utils.Database, actor: Actor, protocol: Protocol) -> dict[str, str]:
    """The whitelisted placeholders' values for this protocol (empty when unknown)."""
    network = get_network(db, actor, protocol.network_code)
    values = {
        "rete.nome": network.name,
        "anno_scolastico": protocol.school_year,
        "delibera.data": protocol.deliberation_date or "",
        "delibera.numero": protocol.deliberation_number or "",
    }
    if protocol.school_code:
        school = get_school(db, actor, protocol.school_code)
        values.update({
            "scuola.nome": school.name,
            "scuola.codice": school.code,
            "scuola.comune": school.comune,
            "scuola.dirigente": school.dirigente_name,
            "referente_intercultura": school.referente_intercultura,
        })
    else:
        # The core is shared: each school's own facts go in when the school adopts it.
        for name in ("scuola.nome", "scuola.codice", "scuola.comune", "scuola.dirigente",
                     "referente_intercultura"):
            values[name] = f"«{placeholders.WHITELIST[name]}»"
    return values


def rendered_blocks(db: sqlite_utils.Database, actor: Actor, protocol: Protocol, text: str) -> list:
    """The section text as blocks with placeholders filled: what the preview and Word show."""
    values = placeholder_values(db, actor, protocol)
    return richtext.map_text(richtext.parse(text), lambda t: placeholders.fill(t, values))


# --- the network at a glance ----------------------------------------------


def network_status(db: sqlite_utils.Database, actor: Actor, network_code: str) -> list[dict]:
    """Per school of the network: its protocol, status, revision and number of versions."""
    network = get_network(db, actor, network_code)
    rows = []
    for school in list_schools(db, actor):
        if school.network_code != network.code:
            continue
        protocol = store.school_protocol(db, school.code)
        entry = {"school_code": school.code, "school_name": school.name, "level": school.level_label,
                 "status": "", "revision": None, "versions": 0, "deliberation": ""}
        if protocol:
            p = _protocol(protocol)
            entry.update(status=p.status_label, revision=p.revision, versions=version_count(db, p.id),
                         deliberation=f"n. {p.deliberation_number} del {p.deliberation_date}"
                         if p.deliberation_number else "")
        rows.append(entry)
    return rows


# --- before approving, and what changed since ------------------------------


@dataclass(frozen=True)
class ApprovalCheck:
    """What a dirigente should look at before recording the approval."""

    open_comments: dict[str, int]  # section title -> unresolved comments
    pending_updates: list[str]  # titles of sections with an undecided network update

    @property
    def clean(self) -> bool:
        return not self.open_comments and not self.pending_updates


def approval_check(db: sqlite_utils.Database, actor: Actor, protocol_id: int) -> ApprovalCheck:
    sections = {s.id: s.title for s in list_sections(db, actor, protocol_id)}
    rows = store.open_comments_by_section(db, protocol_id)
    return ApprovalCheck(
        open_comments={sections[section_id]: count for section_id, count in rows},
        pending_updates=[u.section.title for u in core_updates(db, actor, protocol_id)],
    )


@dataclass(frozen=True)
class StatusMoment:
    """The last time a protocol reached a status, and the note of that move."""

    at: str
    detail: str


def last_moment(db: sqlite_utils.Database, actor: Actor, protocol_id: int, status: Status) -> StatusMoment | None:
    get_protocol(db, actor, protocol_id)
    row = store.last_event_to(db, protocol_id, Status(status).value)
    return StatusMoment(*row) if row else None


def versions_at(db: sqlite_utils.Database, actor: Actor, protocol_id: int, moment: str) -> dict[int, Version]:
    """Each section's text as it stood at `moment` (sections made later are absent).

    An approved or published protocol cannot be edited, so the versions saved up to
    the moment of the status change are the approved (or published) text.
    """
    get_protocol(db, actor, protocol_id)
    return _versions_at(db, protocol_id, moment)


def _versions_at(db, protocol_id: int, moment: str) -> dict[int, Version]:
    return {row.pop("section_id"): Version(**row) for row in store.versions_at(db, protocol_id, moment)}


@dataclass(frozen=True)
class SectionChange:
    title: str
    position: int
    before: str | None  # None: the section did not exist at the approval
    after: str


@dataclass(frozen=True)
class ChangesSinceApproval:
    approved: StatusMoment
    changes: list[SectionChange]
    total_sections: int


def changes_since_approval(db: sqlite_utils.Database, actor: Actor, protocol_id: int) -> ChangesSinceApproval | None:
    """Every section whose text differs from the last approved text; None if never approved."""
    approved = last_moment(db, actor, protocol_id, Status.APPROVATO)
    if approved is None:
        return None
    then = versions_at(db, actor, protocol_id, approved.at)
    sections = list_sections(db, actor, protocol_id)
    changes = []
    for section in sections:
        before = then.get(section.id)
        if before is None or before.body != section.body:
            changes.append(SectionChange(section.title, section.position, before.body if before else None,
                                         section.body))
    return ChangesSinceApproval(approved, changes, len(sections))


def published_texts(
    db: sqlite_utils.Database, actor: Actor, protocol_id: int
) -> tuple[StatusMoment, dict[int, Version]] | None:
    """The text as last published (for readers), or None if the protocol was never published."""
    published = last_moment(db, actor, protocol_id, Status.PUBBLICATO)
    if published is None:
        return None
    return published, versions_at(db, actor, protocol_id, published.at)
