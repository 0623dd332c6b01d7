"""Good practices: records with every field a catalogue needs, their versions, publishing, attachments.

A dirigente (for the school) or the network's coordinator drafts a practice, from scratch or from sections of a
protocol; the dirigente may send it to the coordinator, who publishes it: a published practice is read by every
network of the installation. Every save is a new version (who, when, the whole record as JSON), as for
protocol sections; the published version is the one others read and adopt, later versions are drafts until the
coordinator publishes again (adopters are then offered the new text, see adoption.py).

A practice never holds pupil data: every text field (and the text of a Word attachment) is checked for the
pupil codes known to the schools it speaks for, and refused naming the field.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum

import sqlite_utils

from models.accounts.schools import LEVEL_LABELS, Level
from models.core import audit, clock
from models.core.db import transaction
from models.core.errors import ApprodoError, NothingToSave
from models.core.permissions import Action, Actor, NetworkRef, PracticeRef, allowed, draft_school, require
from models.practices import stemming, store
from models.protocols import placeholders, richtext
from models.protocols import protocol as protocols

# --- the controlled vocabularies -----------------------------------------------------------------------

TARGETS = {
    "neoarrivati": "Alunni neoarrivati (NAI)",
    "seconde_generazioni": "Seconde generazioni",
    "famiglie": "Famiglie",
    "minori_non_accompagnati": "Minori stranieri non accompagnati",
    "adottati": "Alunni adottati",
    "docenti": "Docenti e personale",
}
THEMES = {
    "accoglienza": "Accoglienza e iscrizione",
    "italiano_l2": "Italiano L2",
    "mediazione": "Mediazione linguistico-culturale",
    "valutazione": "Valutazione e piano personalizzato",
    "orientamento": "Orientamento",
    "dispersione": "Prevenzione della dispersione",
    "territorio": "Rete con il territorio",
}


class Strength(StrEnum):
    """How strong the evidence is (after the EEF toolkit's simple scale)."""

    DESCRITTA = "descritta"
    MONITORATA = "monitorata"
    CONFRONTATA = "confrontata"


STRENGTH_LABELS = {
    Strength.DESCRITTA: "Descritta (racconto dell'esperienza)",
    Strength.MONITORATA: "Monitorata (indicatori misurati nel tempo)",
    Strength.CONFRONTATA: "Confrontata (con un gruppo che non l'ha avuta)",
}
LICENCES = ("CC BY 4.0", "CC BY-SA 4.0", "CC0 1.0")
DEFAULT_LICENCE = LICENCES[0]


class Status(StrEnum):
    BOZZA = "bozza"
    PROPOSTA = "proposta"  # sent by the dirigente to the coordinator
    PUBBLICATA = "pubblicata"


STATUS_LABELS = {Status.BOZZA: "Bozza", Status.PROPOSTA: "Proposta al coordinatore",
                 Status.PUBBLICATA: "Pubblicata"}

MAX_TITLE = 150
MAX_SHORT = 300  # one-line fields: duration, indicator, contact
MAX_LONG = 20_000  # rich-text fields
MAX_NOTE = 300


@dataclass(frozen=True)
class Content:
    """Everything a practice says; one JSON document per version."""

    title: str = ""
    problem: str = ""  # the problem it answers (rich text)
    levels: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    steps: str = ""  # the steps (rich text)
    roles: str = ""  # who does what (rich text)
    duration: str = ""
    resources: str = ""  # resources and cost (rich text)
    evidence_indicator: str = ""
    evidence_result: str = ""
    evidence_strength: str = Strength.DESCRITTA.value
    transfer: str = ""  # conditions for transfer (rich text)
    contact_role: str = ""  # a role ("la funzione strumentale per l'intercultura"), never a private address
    licence: str = DEFAULT_LICENCE
    linked_sections: tuple[dict, ...] = field(default=())  # {"protocol_id", "section_id", "title"}

    @classmethod
    def from_json(cls, text: str) -> Content:
        data = json.loads(text)
        known = {f.name for f in fields(cls)}
        data = {k: v for k, v in data.items() if k in known}
        for name in ("levels", "targets", "themes", "linked_sections"):
            data[name] = tuple(data.get(name) or ())
        return cls(**data)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)


# Field name -> its Italian label (errors name the field), and which fields are rich text.
FIELD_LABELS = {
    "title": "Titolo",
    "problem": "Il problema e per chi",
    "steps": "Le fasi",
    "roles": "Chi fa che cosa",
    "duration": "Durata",
    "resources": "Risorse e costi",
    "evidence_indicator": "Che cosa si è misurato (indicatore)",
    "evidence_result": "Risultato",
    "transfer": "Condizioni per trasferirla",
    "contact_role": "Contatto (un ruolo)",
}
RICH_FIELDS = ("problem", "steps", "roles", "resources", "transfer")
SHORT_FIELDS = ("duration", "evidence_indicator", "evidence_result", "contact_role")
# The fields that make the text adopted into a protocol, with the heading each gets there.
ADOPTED_PARTS = (("problem", "Il problema"), ("steps", "Le fasi"), ("roles", "Chi fa che cosa"),
                 ("duration", "Durata"), ("resources", "Risorse e costi"), ("transfer", "Condizioni per trasferirla"))

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


@dataclass(frozen=True)
class Practice:
    id: int
    network_code: str
    network_name: str
    school_code: str | None
    school_name: str | None
    status: Status
    version: int  # the version shown: the current one for who edits it, the published one for the others
    current_version: int
    published_version: int | None
    content: Content
    author: str
    saved_at: str
    published_at: str | None

    @property
    def ref(self) -> PracticeRef:
        """What the permission module checks: the network, the school (None: the network's), published or not."""
        return PracticeRef(self.network_code, self.school_code, self.published_version is not None)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def source(self) -> str:
        """ "Rete di esempio – IIS «Ponte Nuovo»", or the network alone for the coordinator's practices."""
        return self.network_name + (f" – {self.school_name}" if self.school_name else "")


@dataclass(frozen=True)
class Version:
    version: int
    content: Content
    author: str
    created_at: str
    note: str


# --- checking a record -----------------------------------------------------------------------------


def check_content(db: sqlite_utils.Database, content: Content, network_code: str, school_code: str | None) -> Content:
    """The record cleaned and checked; an Italian error naming the field otherwise."""
    values = {}
    title = " ".join((content.title or "").split())
    if not title:
        raise ApprodoError("Scrivi il titolo della pratica.")
    if len(title) > MAX_TITLE:
        raise ApprodoError(f"Il titolo è troppo lungo (al massimo {MAX_TITLE} caratteri).")
    try:
        placeholders.check(title)
    except ApprodoError as error:
        raise ApprodoError(f"Nel titolo: {error.message}") from None
    values["title"] = title
    for name in SHORT_FIELDS:
        text = " ".join((getattr(content, name) or "").split())
        if len(text) > MAX_SHORT:
            raise ApprodoError(f"Il campo «{FIELD_LABELS[name]}» è troppo lungo (al massimo {MAX_SHORT} caratteri).")
        values[name] = text
    for name in RICH_FIELDS:
        text = (getattr(content, name) or "").replace("\r\n", "\n").strip()
        if len(text) > MAX_LONG:
            raise ApprodoError(f"Il campo «{FIELD_LABELS[name]}» è troppo lungo (al massimo {MAX_LONG} caratteri).")
        try:
            protocols.check_text(text)
        except ApprodoError as error:
            raise ApprodoError(f"Nel campo «{FIELD_LABELS[name]}»: {error.message}") from None
        values[name] = text
    if not values["problem"]:
        raise ApprodoError("Scrivi il problema a cui la pratica risponde e per chi.")
    if not values["steps"]:
        raise ApprodoError("Scrivi le fasi della pratica: sono ciò che un'altra scuola adotta.")
    if _EMAIL.search(values["contact_role"]):
        raise ApprodoError("Come contatto indica un ruolo (per esempio «la funzione strumentale per "
                           "l'intercultura»), non un indirizzo e-mail personale.")
    values["levels"] = _tags(content.levels, {level.value for level in Level}, "grado scolastico")
    values["targets"] = _tags(content.targets, set(TARGETS), "destinatari")
    values["themes"] = _tags(content.themes, set(THEMES), "tema")
    if not values["levels"]:
        raise ApprodoError("Indica almeno un grado scolastico.")
    try:
        values["evidence_strength"] = Strength(content.evidence_strength).value
    except ValueError:
        raise ApprodoError("Scegli la forza delle evidenze: descritta, monitorata o confrontata.") from None
    if content.licence not in LICENCES:
        raise ApprodoError(f"Licenza «{content.licence}» sconosciuta: usa {', '.join(LICENCES)}.")
    values["licence"] = content.licence
    values["linked_sections"] = tuple(
        {"protocol_id": int(link["protocol_id"]), "section_id": int(link["section_id"]),
         "title": str(link.get("title", ""))[:MAX_TITLE]} for link in content.linked_sections)
    checked = Content(**values)
    refuse_pupil_codes(db, {FIELD_LABELS[name]: getattr(checked, name) for name in FIELD_LABELS},
                       _schools_spoken_for(db, network_code, school_code))
    return checked


def _tags(values, allowed: set[str], what: str) -> tuple[str, ...]:
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ApprodoError(f"Valore sconosciuto per «{what}»: {unknown[0]}.")
    return tuple(dict.fromkeys(values))


# --- never pupil data ---------------------------------------------------------------------------------

# Words that could be a register's code: letters, digits and the joiners codes use (A12-3, PS7QX..., 2024/015).
_TOKEN = re.compile(r"[0-9A-Za-z](?:[0-9A-Za-z_\-./]*[0-9A-Za-z])?")
_BATCH = 500


def _candidates(text: str) -> set[str]:
    """Every token and its parts split at the joiners, as written and in capitals."""
    found: set[str] = set()
    for token in _TOKEN.findall(text or ""):
        for piece in {token, *re.split(r"[_\-./]", token)}:
            if piece:
                found.update((piece, piece.upper()))
    return found


def _schools_spoken_for(db: sqlite_utils.Database, network_code: str, school_code: str | None) -> list[str]:
    """The school whose practice it is; for a coordinator's practice, every school of the network."""
    if school_code:
        return [school_code]
    return store.network_schools(db, network_code)


def refuse_pupil_codes(db: sqlite_utils.Database, texts: dict[str, str], school_codes: list[str]) -> None:
    """Refuse, naming the field, a text that holds a pupil code of these schools (pseudonymised ones too).

    Each lookup is a seek on the tables' primary keys (school_code, pupil_code, ...): fast whatever the number
    of pupils. The code itself is not repeated in the message: the coordinator who reads it sees no pupil.
    """
    if not school_codes:
        return
    for label, text in texts.items():
        candidates = sorted(_candidates(text))
        for start in range(0, len(candidates), _BATCH):
            if store.any_pupil_code(db, school_codes, candidates[start:start + _BATCH]):
                raise ApprodoError(
                    f"Il campo «{label}» contiene il codice di un alunno della scuola: una buona pratica non "
                    "contiene mai dati degli alunni. Togli il codice e salva di nuovo.")


# --- reading --------------------------------------------------------------------------------------------

def _version_row(db, practice_id: int, version: int) -> dict:
    return store.version(db, practice_id, version)


def _practice(db, row: dict, version: int) -> Practice:
    stored = _version_row(db, row["id"], version)
    return Practice(id=row["id"], network_code=row["network_code"], network_name=row["network_name"],
                    school_code=row["school_code"], school_name=row["school_name"], status=Status(row["status"]),
                    version=version, current_version=row["current_version"],
                    published_version=row["published_version"], content=Content.from_json(stored["document"]),
                    author=stored["author"], saved_at=stored["created_at"], published_at=row["published_at"])


def may_edit(actor: Actor, practice: Practice) -> bool:
    return allowed(actor, Action.DRAFT_PRACTICES, practice.ref)


def get_practice(db: sqlite_utils.Database, actor: Actor, practice_id: int, *, latest: bool | None = None) -> Practice:
    """A practice as the actor may read it: the current draft for who edits it (unless `latest` is False),
    the published version for everyone else."""
    row = store.practice(db, practice_id)
    if row is None:
        raise ApprodoError("Questa pratica non esiste.")
    published = row["published_version"] is not None
    editor = allowed(actor, Action.DRAFT_PRACTICES, PracticeRef(row["network_code"], row["school_code"]))
    require(actor, Action.READ_PRACTICES, PracticeRef(row["network_code"], row["school_code"], published),
            "Il catalogo delle buone pratiche non è tra le pagine del tuo ruolo." if published else
            "Questa pratica non è ancora pubblicata: la leggono solo la sua rete e la sua scuola.")
    use_latest = editor if latest is None else (latest and editor)
    return _practice(db, row, row["current_version"] if use_latest or not published else row["published_version"])


def published_version(db: sqlite_utils.Database, actor: Actor, practice_id: int, version: int) -> Content:
    """The content of one published (or earlier) version, for merges: never later than the published one."""
    practice = get_practice(db, actor, practice_id, latest=False)
    if practice.published_version is None or version > practice.published_version:
        raise ApprodoError("Questa versione della pratica non è pubblicata.")
    return Content.from_json(_version_row(db, practice_id, version)["document"])


def drafts(db: sqlite_utils.Database, actor: Actor) -> list[Practice]:
    """The practices the actor may edit (drafts and published ones), newest change first."""
    rows = store.practices_newest_first(db)
    return [_practice(db, row, row["current_version"]) for row in rows
            if allowed(actor, Action.DRAFT_PRACTICES, PracticeRef(row["network_code"], row["school_code"]))]


def proposed_count(db: sqlite_utils.Database, actor: Actor, network_code: str) -> int:
    """Practices the network's schools proposed and the coordinator has not published yet."""
    if not allowed(actor, Action.PUBLISH_PRACTICE, NetworkRef(network_code)):
        return 0
    return store.proposed_count(db, network_code)


def history(db: sqlite_utils.Database, actor: Actor, practice_id: int) -> list[Version]:
    """Every version, newest first: all of them for who edits it, up to the published one for the others."""
    practice = get_practice(db, actor, practice_id)
    last = practice.current_version if may_edit(actor, practice) else practice.published_version
    rows = store.versions_up_to(db, practice_id, last)
    return [Version(row["version"], Content.from_json(row["document"]), row["author"], row["created_at"], row["note"])
            for row in rows]


# --- writing ------------------------------------------------------------------------------------------


def create_practice(db: sqlite_utils.Database, actor: Actor, content: Content, *, school_code: str | None = None,
                    network_code: str | None = None) -> Practice:
    """A new draft: a dirigente's for the own school, a coordinator's for the network (school_code None)."""
    school_code = draft_school(actor, school_code)
    network_code = network_code or actor.network_code
    if school_code and not network_code:
        network_code = store.network_of(db, school_code)
    require(actor, Action.DRAFT_PRACTICES, PracticeRef(network_code, school_code, reachable=bool(network_code)),
            "Scrivono buone pratiche il dirigente per la sua scuola e il coordinatore per la rete.")
    content = check_content(db, content, network_code, school_code)
    now = clock.to_text(clock.utcnow())
    with transaction(db):
        practice_id = store.insert_practice(db, network_code, school_code, actor.username, now)
        _insert_version(db, practice_id, 1, content, actor, "prima stesura")
        audit.record(db, actor, "pratica_creata", f"pratica {practice_id}", school_code=school_code,
                     detail=content.title)
    return get_practice(db, actor, practice_id)


def _insert_version(db, practice_id: int, version: int, content: Content, actor: Actor, note: str) -> None:
    store.insert_version(db, practice_id, version, content.to_json(), actor.username, clock.to_text(clock.utcnow()),
                         (note or "").strip()[:MAX_NOTE])


def save_practice(db: sqlite_utils.Database, actor: Actor, practice_id: int, content: Content, base_version: int,
                  note: str = "") -> Practice:
    """A new version, based on the version the editor loaded; refused if someone saved in between."""
    practice = get_practice(db, actor, practice_id)
    require(actor, Action.DRAFT_PRACTICES, practice.ref, message="Puoi leggere questa pratica ma non modificarla.")
    content = check_content(db, content, practice.network_code, practice.school_code)
    with transaction(db):
        current = store.current_version(db, practice_id)
        if current != base_version:
            raise ApprodoError(f"Qualcun altro ha salvato questa pratica (versione {current}) dopo che l'hai aperta: "
                               "ricarica la pagina e riporta le tue modifiche.")
        if content == Content.from_json(_version_row(db, practice_id, current)["document"]):
            raise NothingToSave("La pratica non è cambiata: nessuna nuova versione salvata.")
        _insert_version(db, practice_id, current + 1, content, actor, note)
        # A published practice stays published (its published version); the new text is a draft until published.
        store.set_current_version(db, practice_id, current + 1, clock.to_text(clock.utcnow()))
        audit.record(db, actor, "pratica_salvata", f"pratica {practice_id}", school_code=practice.school_code,
                     detail=f"versione {current + 1}")
    return get_practice(db, actor, practice_id)


def propose(db: sqlite_utils.Database, actor: Actor, practice_id: int) -> Practice:
    """The dirigente sends the draft to the network's coordinator for publishing."""
    practice = get_practice(db, actor, practice_id)
    require(actor, Action.DRAFT_PRACTICES, practice.ref, message="Puoi leggere questa pratica ma non proporla.")
    if practice.status is not Status.BOZZA:
        raise ApprodoError(f"La pratica è già «{practice.status_label.lower()}».")
    with transaction(db):
        store.set_proposed(db, practice_id, clock.to_text(clock.utcnow()))
        audit.record(db, actor, "pratica_proposta", f"pratica {practice_id}", school_code=practice.school_code)
    return get_practice(db, actor, practice_id)


def publish(db: sqlite_utils.Database, actor: Actor, practice_id: int) -> Practice:
    """The coordinator publishes the current version for every network; adopters are offered it as an update."""
    practice = get_practice(db, actor, practice_id)
    require(actor, Action.PUBLISH_PRACTICE, practice.ref,
            "Pubblica le buone pratiche il coordinatore della rete.")
    if practice.published_version == practice.current_version:
        raise ApprodoError(f"La versione {practice.current_version} è già pubblicata.")
    now = clock.to_text(clock.utcnow())
    with transaction(db):
        store.set_published(db, practice_id, actor.username, now)
        index(db, practice_id, practice.content)
        audit.record(db, actor, "pratica_pubblicata", f"pratica {practice_id}", school_code=practice.school_code,
                     detail=f"versione {practice.current_version}")
    return get_practice(db, actor, practice_id)


def index(db: sqlite_utils.Database, practice_id: int, content: Content) -> None:
    """Put the published content in the search index (inside the publishing transaction)."""
    tags = ([stemming.tag("liv", v) for v in content.levels] + [stemming.tag("tgt", v) for v in content.targets]
            + [stemming.tag("tem", v) for v in content.themes] + [stemming.tag("ev", content.evidence_strength)])
    # Every searchable text of the record, labels of its tags included ("Famiglie", "Italiano L2").
    body = [getattr(content, name) for name in FIELD_LABELS if name != "title"]
    body += [TARGETS[t] for t in content.targets] + [THEMES[t] for t in content.themes]
    stemming.write(db, practice_id, content.title, "\n".join(body), " ".join(tags))


# --- from protocol sections ---------------------------------------------------------------------------


def from_sections(db: sqlite_utils.Database, actor: Actor, section_ids: list[int]) -> Content:
    """A record prefilled from protocol sections the actor may read: their titles and texts become the steps."""
    if not section_ids:
        raise ApprodoError("Scegli almeno una sezione del protocollo.")
    sections = [protocols.get_section(db, actor, section_id) for section_id in section_ids]
    protocol = protocols.get_protocol(db, actor, sections[0].protocol_id)
    if len(sections) == 1:
        steps = sections[0].body.strip()
    else:
        steps = "\n\n".join(f"### {richtext_title(s.title)}\n\n{s.body.strip()}" for s in sections)
    return Content(
        title=sections[0].title if len(sections) == 1 else "",
        problem="", steps=steps, levels=(protocol.level.value,),
        linked_sections=tuple({"protocol_id": s.protocol_id, "section_id": s.id, "title": s.title}
                              for s in sections))


def richtext_title(title: str) -> str:
    """A title written as a heading of the Markdown subset, its special characters escaped."""
    return re.sub(r"([\\`*_\[\]#|<>{}!~])", r"\\\1", " ".join(title.split()))


def adopted_text(content: Content) -> str:
    """The text a protocol takes when it adopts the practice: each part under its heading."""
    parts = []
    for name, heading in ADOPTED_PARTS:
        text = (getattr(content, name) or "").strip()
        if text:
            parts.append(f"### {heading}\n\n{text}")
    if content.contact_role:
        parts.append(f"### Contatto\n\n{richtext_title(content.contact_role)}")
    text = "\n\n".join(parts) + "\n"
    richtext.validate(text)
    return text


def level_labels(content: Content) -> list[str]:
    return [LEVEL_LABELS[Level(level)] for level in content.levels]


def attach_check_text(db: sqlite_utils.Database, practice: Practice, label: str, text: str) -> None:
    refuse_pupil_codes(db, {label: text}, _schools_spoken_for(db, practice.network_code, practice.school_code))
