"""Interventions for a pupil at risk: what was done, when, by whom, with what outcome.

The kinds come from a list each school may edit (the default list is the
one the early-warning practice of Italian schools uses). An intervention
stores the kind's label as written then, so renaming a kind later does not
rewrite what was recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

import sqlite_utils

from models.accounts import auth
from models.core import audit, clock
from models.core.db import transaction
from models.core.errors import ApprodoError
from models.core.permissions import Action, Actor, SchoolRef, require
from models.follow_up import store
from models.risk import school_risk

DEFAULT_KINDS = (
    "Colloquio con la famiglia",
    "Mediatore linguistico-culturale",
    "Laboratorio di Italiano L2",
    "Piano didattico personalizzato",
    "Tutoraggio tra pari",
    "Segnalazione ai servizi sociali",
    "Segnalazione per inadempienza dell'obbligo",
    "Altro",
)
OUTCOMES = {
    "in_corso": "In corso",
    "positivo": "Esito positivo",
    "parziale": "Esito parziale",
    "nessun_effetto": "Nessun miglioramento",
    "non_svolto": "Non svolto",
}
NOTE_LIMIT = 500
_KIND_LIMIT = 80
_EARLIEST = date(2000, 1, 1)


@dataclass(frozen=True)
class Intervention:
    id: int
    pupil_code: str
    kind: str
    happened_on: date
    owner: str
    outcome: str
    note: str
    recorded_by: str
    recorded_at: str

    @property
    def outcome_label(self) -> str:
        return OUTCOMES.get(self.outcome, self.outcome)


def short_note(text: str | None) -> str:
    """A note as stored: trimmed, and short, because notes about minors hold only what the work needs."""
    text = (text or "").strip()
    if len(text) > NOTE_LIMIT:
        raise ApprodoError(f"La nota è lunga {len(text)} caratteri: il massimo è {NOTE_LIMIT}. Scrivi solo ciò che"
                           " serve al lavoro con l'alunno.")
    return text


def check_owner(db: sqlite_utils.Database, actor: Actor, school_code: str, owner: str) -> str:
    if owner not in auth.school_staff(db, actor, school_code):
        raise ApprodoError(f"«{owner}» non è un utente attivo di questa scuola: scegli un referente della scuola.")
    return owner


# --- kinds -------------------------------------------------------------------------


def kinds(db: sqlite_utils.Database, actor: Actor, school_code: str) -> list[str]:
    """The school's intervention kinds, in its order (the default list until the school edits it)."""
    require(actor, Action.READ_PUPILS, SchoolRef(school_code))
    own = store.kind_labels(db, school_code)
    return own or list(DEFAULT_KINDS)


def set_kinds(db: sqlite_utils.Database, actor: Actor, school_code: str, labels: list[str]) -> list[str]:
    """Replace the school's list (one label per entry; blanks and repeats dropped)."""
    require(actor, Action.FOLLOW_UP, SchoolRef(school_code))
    cleaned: list[str] = []
    for label in (" ".join(raw.split()) for raw in labels):
        if label and label.casefold() not in {c.casefold() for c in cleaned}:
            if len(label) > _KIND_LIMIT:
                raise ApprodoError(f"«{label[:30]}…» è troppo lungo: al massimo {_KIND_LIMIT} caratteri.")
            cleaned.append(label)
    if not cleaned:
        raise ApprodoError("L'elenco degli interventi non può essere vuoto.")
    with transaction(db):
        store.replace_kinds(db, school_code, cleaned)
        audit.record(db, actor, "tipi_intervento_modificati", school_code, school_code=school_code,
                     detail=f"{len(cleaned)} tipi")
    return cleaned


# --- interventions -------------------------------------------------------------------


def add_intervention(
    db: sqlite_utils.Database,
    actor: Actor,
    school_code: str,
    pupil_code: str,
    *,
    kind: str | None,
    happened_on: date,
    owner: str,
    outcome: str = "in_corso",
    note: str = "",
    at: datetime | None = None,
) -> Intervention:
    """Record an intervention; refused for teachers and for pupils the actor cannot see."""
    require(actor, Action.FOLLOW_UP, SchoolRef(school_code))
    school_risk.require_pupil(db, actor, school_code, pupil_code)
    if not kind:
        raise ApprodoError("Scegli il tipo di intervento.")
    if kind not in kinds(db, actor, school_code):
        raise ApprodoError(f"«{kind}» non è tra i tipi di intervento della scuola.")
    if outcome not in OUTCOMES:
        raise ApprodoError(f"Esito «{outcome}» non valido: scegli tra {', '.join(OUTCOMES.values())}.")
    at = at or clock.utcnow()
    if happened_on > clock.local_date(at):
        raise ApprodoError("La data dell'intervento è nel futuro: registra gli interventi svolti o avviati.")
    if happened_on < _EARLIEST:
        raise ApprodoError("La data dell'intervento non è plausibile.")
    check_owner(db, actor, school_code, owner)
    note = short_note(note)
    with transaction(db):
        # The same intervention twice (a second click, the form sent again) is one intervention.
        if store.intervention_exists(db, school_code, pupil_code, kind, happened_on.isoformat(), owner, outcome,
                                     note):
            raise ApprodoError(f"Questo intervento («{kind}» del {happened_on:%d/%m/%Y}, stesso referente, esito e "
                               "nota) è già registrato per l'alunno: non lo registro due volte.")
        new_id = store.insert_intervention(db, school_code, pupil_code, kind, happened_on.isoformat(), owner,
                                           outcome, note, actor.username, clock.to_text(at))
    return _get(db, school_code, new_id)


def set_outcome(db: sqlite_utils.Database, actor: Actor, school_code: str, intervention_id: int, outcome: str,
                *, expected: str) -> Intervention:
    """Record how an intervention went; refused if someone changed it meanwhile (`expected` = the outcome seen)."""
    require(actor, Action.FOLLOW_UP, SchoolRef(school_code))
    if outcome not in OUTCOMES:
        raise ApprodoError(f"Esito «{outcome}» non valido.")
    current = _get(db, school_code, intervention_id)
    with transaction(db):
        changed = store.change_outcome(db, school_code, intervention_id, outcome, expected)
    if not changed:
        now = _get(db, school_code, intervention_id)
        raise ApprodoError(f"Nel frattempo l'esito è stato cambiato in «{now.outcome_label}»: ricarica la pagina e"
                           " controlla prima di modificarlo.")
    return replace(current, outcome=outcome)


def pupil_interventions(db: sqlite_utils.Database, actor: Actor, school_code: str,
                        pupil_code: str) -> list[Intervention]:
    """A pupil's interventions, oldest first (teachers read those of their classes)."""
    school_risk.require_pupil(db, actor, school_code, pupil_code)
    return [_intervention(r) for r in store.pupil_interventions(db, school_code, pupil_code)]


def latest_by_pupil(db: sqlite_utils.Database, school_code: str) -> dict[str, Intervention]:
    """Each pupil's most recent intervention (internal: callers scope the pupils)."""
    return {r[1]: _intervention(r) for r in store.latest_interventions(db, school_code)}


def _intervention(row) -> Intervention:
    return Intervention(row[0], row[1], row[2], date.fromisoformat(row[3]), *row[4:])


def _get(db, school_code: str, intervention_id: int) -> Intervention:
    row = store.intervention(db, school_code, intervention_id)
    if row is None:
        raise ApprodoError("Questo intervento non esiste per la tua scuola.")
    return _intervention(row)
