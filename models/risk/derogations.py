"""Derogations to the 25 % limit (DPR 122/2009 art. 14 c. 7): the collegio's criteria and the hours placed under them.

The year is valid for a secondary pupil who attended at least three quarters of the personalised annual hours;
the collegio dei docenti may set motivated derogations for documented, continuous absences (health and therapies,
certified sport, religious rest days under the agreements with the State, serious family reasons), provided
the absences do not prevent the assessment. The school records its collegio's criteria; the dirigente records
the hours of a pupil placed under one of them, with the reason and the date of the decision. Approdo never hides
or subtracts them: the projection shows them apart («di cui 40 ore in deroga»), and it is the class council
that decides, at the final assessment, whether the year is valid.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import sqlite_utils

from models.core import audit, changes, clock
from models.core.db import transaction
from models.core.errors import ApprodoError
from models.core.permissions import Action, Actor, SchoolRef, require
from models.core.school_year import SchoolYear
from models.risk import store
from models.risk.pupil_access import require_pupil

SUGGESTED = (
    "Motivi di salute e terapie documentati",
    "Attività sportiva agonistica certificata",
    "Giorni di riposo religioso previsti dalle intese con lo Stato (L. 516/1988, L. 101/1989)",
    "Gravi motivi di famiglia documentati",
)
MAX_TEXT = 200
MAX_HOURS = 2000.0


@dataclass(frozen=True)
class Criteria:
    items: tuple[str, ...]
    resolution: str  # the collegio's deliberation


@dataclass(frozen=True)
class Derogation:
    id: int
    pupil_code: str
    school_year: str
    hours: float
    reason: str
    on: date
    note: str
    recorded_by: str


def _require_dirigente(actor: Actor, school_code: str) -> None:
    require(actor, Action.MANAGE_SCHOOL, SchoolRef(school_code),
            message="Solo il dirigente della scuola registra i criteri di deroga e le ore in deroga.")


def criteria(db: sqlite_utils.Database, school_code: str) -> Criteria:
    """The school's criteria (internal: no pupil data in them)."""
    row = store.derogation_criteria(db, school_code)
    return Criteria(tuple(json.loads(row[0])), row[1]) if row else Criteria((), "")


def set_criteria(db: sqlite_utils.Database, actor: Actor, school_code: str, items: list[str],
                 resolution: str) -> Criteria:
    """The collegio's derogation criteria, one per item, and its deliberation."""
    _require_dirigente(actor, school_code)
    cleaned = tuple(dict.fromkeys(" ".join(i.split()) for i in items if i and i.strip()))
    resolution = " ".join((resolution or "").split())
    if not cleaned:
        raise ApprodoError("Scrivi almeno un criterio deliberato dal collegio dei docenti.")
    if any(len(i) > MAX_TEXT for i in cleaned) or len(resolution) > MAX_TEXT:
        raise ApprodoError(f"Ogni criterio e la delibera hanno al massimo {MAX_TEXT} caratteri.")
    if not resolution:
        raise ApprodoError("Indica la delibera del collegio dei docenti (numero e data).")
    with transaction(db):
        store.save_derogation_criteria(db, school_code, json.dumps(list(cleaned), ensure_ascii=False), resolution,
                                       actor.username, clock.to_text(clock.utcnow()))
        audit.record(db, actor, "deroghe_criteri", school_code, school_code=school_code,
                     detail=f"{len(cleaned)} criteri, {resolution}")
    return Criteria(cleaned, resolution)


def pupil_years(db: sqlite_utils.Database, school_code: str, pupil_code: str) -> list[SchoolYear]:
    """Internal (callers check access): the school years of the pupil's attendance data, newest first."""
    periods = store.pupil_periods(db, school_code, pupil_code)
    return sorted({SchoolYear.of_period(p) for p in periods}, reverse=True)


def add(db: sqlite_utils.Database, actor: Actor, school_code: str, pupil_code: str, hours: float, reason: str,
        on: date, note: str = "", school_year: str | SchoolYear | None = None) -> Derogation:
    """Hours of the pupil placed under one of the school's criteria, decided on `on`.

    The hours are filed under the school year of the absences they cover (`school_year`; by default the
    pupil's latest year of data), never under the year of the decision: a derogation decided in September
    for the absences of June belongs to the year that ended."""
    _require_dirigente(actor, school_code)
    require_pupil(db, actor, school_code, pupil_code)
    allowed = criteria(db, school_code).items
    if not allowed:
        raise ApprodoError("Prima registra i criteri di deroga deliberati dal collegio dei docenti.")
    if reason not in allowed:
        raise ApprodoError("Scegli il motivo tra i criteri deliberati dal collegio dei docenti.")
    if not hours or not 0 < hours <= MAX_HOURS:
        raise ApprodoError(f"Le ore in deroga vanno da più di 0 a {MAX_HOURS:g}.")
    if on is None or on > clock.local_date():
        raise ApprodoError("Indica la data della decisione (non nel futuro).")
    note = " ".join((note or "").split())
    if len(note) > MAX_TEXT:
        raise ApprodoError(f"La nota ha al massimo {MAX_TEXT} caratteri.")
    years = pupil_years(db, school_code, pupil_code)
    if school_year is None:
        chosen = years[0]
    else:
        chosen = school_year if isinstance(school_year, SchoolYear) else SchoolYear.parse(str(school_year))
        if chosen not in years:
            raise ApprodoError(f"L'alunno non ha dati di assenza nell'anno scolastico {chosen}: le ore in deroga "
                               "vanno nell'anno delle assenze che coprono ("
                               + ", ".join(str(y) for y in years) + ").")
    if on < chosen.first_day:
        raise ApprodoError(f"La data della decisione ({on:%d/%m/%Y}) è prima dell'anno scolastico {chosen}: "
                           "controlla la data o l'anno delle assenze.")
    year = str(chosen)
    with transaction(db):
        new_id = store.insert_derogation(db, school_code, pupil_code, year, float(hours), reason, on.isoformat(), note,
                                         actor.username, clock.to_text(clock.utcnow()))
        audit.record(db, actor, "deroga_ore", pupil_code, school_code=school_code,
                     detail=f"{hours:g} ore, {reason}, {on:%d/%m/%Y}")
        changes.pupil_data_changed(db, school_code)
    return Derogation(new_id, pupil_code, year, float(hours), reason, on, note, actor.username)


def remove(db: sqlite_utils.Database, actor: Actor, school_code: str, derogation_id: int) -> None:
    _require_dirigente(actor, school_code)
    with transaction(db):
        pupil_code = store.derogation_pupil(db, derogation_id, school_code)
        if pupil_code is None:
            raise ApprodoError("Questa deroga non esiste per la tua scuola.")
        store.delete_derogation(db, derogation_id)
        audit.record(db, actor, "deroga_tolta", pupil_code, school_code=school_code, detail=f"deroga {derogation_id}")
        changes.pupil_data_changed(db, school_code)


def of_pupil(db: sqlite_utils.Database, actor: Actor, school_code: str, pupil_code: str) -> list[Derogation]:
    """The pupil's derogations, newest first, for whoever may see the pupil."""
    require_pupil(db, actor, school_code, pupil_code)
    return [Derogation(r[0], pupil_code, r[1], r[2], r[3], date.fromisoformat(r[4]), r[5], r[6]) for r in
            store.pupil_derogations(db, school_code, pupil_code)]


def hours_by_pupil(db: sqlite_utils.Database, school_code: str, year: SchoolYear) -> dict[str, float]:
    """Internal (callers check access): {pupil: hours under a derogation in the school year}."""
    return dict(store.derogation_hours(db, school_code, str(year)))


def with_sentences(pupils, derogated: dict[str, float]):
    """`pupils` (a scored frame) with the sentence added to the reasons of each pupil with hours in derogation
    (new lists: the frame may share its lists with a kept one), and the hours in `derogation_hours`."""
    hours = pupils["pupil_code"].map(derogated).fillna(0.0)
    reasons = [[*r, sentence(h)] if h else r for r, h in zip(pupils["reasons"], hours, strict=True)]
    return pupils.assign(derogation_hours=hours.to_numpy(), reasons=reasons)


def sentence(hours: float) -> str:
    """What the projection says beside the pupil's hours."""
    return (f"Di cui {hours:g} ore in deroga (DPR 122/2009 art. 14 c. 7): restano nel conteggio; decide il "
            "consiglio di classe se l'anno è valido.")
