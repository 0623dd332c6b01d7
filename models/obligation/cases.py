"""Compulsory-education cases and their procedure, from the register's day-by-day events.

A case (see `rule` for how it is detected) goes through the steps of art. 114 c. 4 D.Lgs. 297/1994:

    famiglia_da_informare → (family informed: protocol number, channel) → in_attesa for seven days
        → ripresa (attendance resumed: seen in later data, or recorded by hand)
        → or sindaco_da_informare → (mayor informed: protocol number, municipality) → sindaco_informato
    → chiuso (with an outcome; possible at any step, e.g. when the absences turn out justified)

Reading the cases first brings them up to date with the data: new cases are recorded, a case nobody has
acted on yet follows the data (if new data no longer show it, it is closed as not confirmed), and
attendance resumed after the family notice is recorded when the data show it. Only the school's
dirigente and funzione strumentale (and the CLI) read and act; every read and every step is logged.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import sqlite_utils

from models.accounts.schools import get_school
from models.core import audit, clock
from models.core.db import transaction
from models.core.errors import ApprodoError
from models.core.permissions import Action, Actor, SchoolRef, require
from models.core.school_year import SchoolYear
from models.obligation import hours as obligation_hours
from models.obligation import rule, store
from models.pupils import school_calendar

STATUS_LABELS = {
    "famiglia_da_informare": "Da comunicare alla famiglia",
    "in_attesa": "Famiglia informata: sette giorni in corso",
    "sindaco_da_informare": "Da segnalare al sindaco",
    "ripresa": "Frequenza ripresa",
    "sindaco_informato": "Segnalato al sindaco",
    "chiuso": "Chiuso",
}
NEXT_STEP = {
    "famiglia_da_informare": "Informare la famiglia",
    "in_attesa": "Attendere i sette giorni e verificare la frequenza",
    "sindaco_da_informare": "Segnalare al sindaco",
    "ripresa": "Chiudere il caso",
    "sindaco_informato": "Chiudere il caso quando si conosce l'esito",
    "chiuso": "",
}
CHANNELS = ("Raccomandata A/R", "PEC", "Consegna a mano con firma", "Registro elettronico (comunicazione)",
            "Colloquio con verbale")
OUTCOMES = ("Frequenza ripresa", "Segnalato al sindaco", "Assenze giustificate dopo la verifica",
            "Trasferito ad altra scuola", "Altro")
NOT_CONFIRMED = "Non confermato dai nuovi dati"
DAYS, HOURS = "giorni", "ore"  # the two kinds of case: sixteen days in three months; a quarter of the annual hours
KIND_LABELS = {DAYS: "più di 15 giorni in tre mesi", HOURS: "un quarto del monte ore annuo"}
LATE_AFTER_DAYS = 7  # Approdo's reminder: a due step is late a week after it fell due (not a legal term)
MAX_TEXT = 80


# --- the seven days run from the family's receipt (art. 114 c. 4: «entro sette giorni») ----------------------
HAND_DELIVERY, MEETING = "Consegna a mano con firma", "Colloquio con verbale"
SAME_DAY = (HAND_DELIVERY, MEETING)  # the family receives the notice the day it is given
RECEIPT_ALLOWANCE_DAYS = 10


def received(sent: date, received_on: date | None, channel: str) -> tuple[date, bool]:
    """The day the family received the notice, and whether it is documented: the way decides what is known
    (hand delivery and meeting: the same day; raccomandata, PEC, register: the receipt's date when recorded),
    otherwise the sending day plus `RECEIPT_ALLOWANCE_DAYS`, an allowance that never shortens the family's term."""
    if channel in SAME_DAY:
        return sent, True
    if received_on is not None:
        return received_on, True
    return sent + timedelta(days=RECEIPT_ALLOWANCE_DAYS), False


@dataclass(frozen=True)
class FamilyNotice:
    on: date  # sent
    protocol_no: str
    channel: str
    received_on: date | None = None  # the documented receipt, when known

    @property
    def term_start(self) -> date:
        """The day the seven days run from: the receipt, documented or allowed for."""
        return received(self.on, self.received_on, self.channel)[0]

    @property
    def receipt_known(self) -> bool:
        return received(self.on, self.received_on, self.channel)[1]


@dataclass(frozen=True)
class MayorNotice:
    on: date
    protocol_no: str
    municipality: str


@dataclass(frozen=True)
class Resumption:
    on: date
    source: str  # 'dati' (seen in the register's data) or 'manuale'
    note: str = ""


@dataclass(frozen=True)
class Case:
    id: int
    school_code: str
    pupil_code: str
    class_name: str
    opened_on: date
    window_start: date
    window_end: date
    unjustified_days: list[date]
    status: str  # a key of STATUS_LABELS, as of the date asked for
    family_notice: FamilyNotice | None
    deadline: date | None  # seven days after the family received the notice (`FamilyNotice.term_start`)
    mayor_notice: MayorNotice | None
    outcome: str | None
    resumption: Resumption | None = None
    closed_on: date | None = None
    pending_days: int = 0  # unjustified days the register left blank (not justified yet)
    birth_year: int | None = None
    detected_on: date | None = None
    due_on: date | None = None  # when the next step fell (falls) due; None when nothing is due
    late: bool = False
    kind: str = DAYS  # DAYS: more than fifteen days in three months; HOURS: a quarter of the annual hours
    hours_unjustified: float | None = None  # HOURS: the unjustified hours, and the quarter they reached
    hours_limit: float | None = None
    # The window as shown (page, letters, council pack, export): from the first day of lessons, never the summer.
    period_start: date | None = None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def next_step(self) -> str:
        return NEXT_STEP[self.status]

    @property
    def age_known(self) -> bool:
        return self.birth_year is not None

    @property
    def is_open(self) -> bool:
        return self.status != "chiuso"

    @property
    def due(self) -> bool:
        return self.due_on is not None


# --- what the school's data allow ------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    checkable: bool
    reason: str  # why the rule cannot be checked (Italian), empty when it can
    covered_until: date | None  # the last day of the day-by-day data


@dataclass
class _Data:
    coverage: Coverage
    unjustified: dict[str, list[date]]  # pupil -> unjustified whole-day absences on school days
    pending: dict[str, set[date]]  # pupil -> those of them the register left blank
    classes: dict[str, str]  # pupil -> latest class in the events


def _calendars(db, school_code: str):
    """The school's calendar of a school year (its rite, the days it closed or opened), kept per call."""
    found: dict[SchoolYear, object] = {}

    def lookup(year: SchoolYear):
        if year not in found:
            try:
                found[year] = school_calendar.calendar_for(db, year, school_code)
            except ApprodoError:
                found[year] = None  # no calendar for that year: none of its days is a school day
        return found[year]

    return lookup


def _load(db: sqlite_utils.Database, school_code: str) -> _Data:
    absences, any_stated, last_day, monthly = store.absence_facts(db, school_code)
    if last_day is None:
        reason = ("La scuola ha caricato solo prospetti mensili: la regola chiede di contare i giorni di assenza "
                  "non giustificati data per data in tre mesi, e un totale mensile non dice in quali giorni né se "
                  "erano giustificati. Carica l'elenco giorno per giorno esportato dal registro; Approdo non fa "
                  "stime.") if monthly else (
                  "Non ci sono ancora dati di frequenza: carica l'elenco giorno per giorno esportato dal registro.")
        return _Data(Coverage(False, reason, None), {}, {}, {})
    covered_until = date.fromisoformat(last_day)
    if absences and not any_stated:
        reason = ("L'elenco giorno per giorno caricato non dice quali assenze sono giustificate: la regola conta "
                  "solo i giorni senza giustificazione, quindi non si può verificare. Carica l'elenco con la "
                  "colonna «Giustificata».")
        return _Data(Coverage(False, reason, covered_until), {}, {}, {})
    weeks = school_calendar.weeks(db, school_code)
    calendars = _calendars(db, school_code)
    unjustified: dict[str, list[date]] = defaultdict(list)
    pending: dict[str, set[date]] = defaultdict(set)
    classes: dict[str, str] = {}
    # Only the absences not marked justified: the rows the rule counts (ordered, so the last class wins).
    for pupil, day_text, class_name, hours, justified in store.absences_not_justified(db, school_code):
        classes[pupil] = class_name
        day = date.fromisoformat(day_text)
        week = weeks.of(class_name)  # the class's week: its days and the hours of each
        if not rule.whole_day(hours, week.on(day)):
            continue
        if rule.is_school_day(day, calendars, week):
            unjustified[pupil].append(day)
            if justified is None:
                pending[pupil].add(day)
    return _Data(Coverage(True, "", covered_until), dict(unjustified), dict(pending), classes)


def coverage(db: sqlite_utils.Database, actor: Actor, school_code: str) -> Coverage:
    """Whether the rule can be checked on the school's data, and why not."""
    require(actor, Action.FOLLOW_OBLIGATION, SchoolRef(school_code))
    return _load(db, school_code).coverage


# --- keeping cases in step with the data ---------------------------------------------------------


def _birth_years(db, school_code: str) -> dict[str, int | None]:
    return {pupil: year for pupil, year, _ in store.births(db, school_code)}


def _birth_dates(db, school_code: str) -> dict[str, str]:
    """The full dates of birth the context file gave (the age counted to the day)."""
    return {pupil: day for pupil, _, day in store.births(db, school_code) if day is not None}


def _sync(db: sqlite_utils.Database, actor: Actor, school_code: str, only: str | None = None) -> _Data:
    """Record what the data show: new cases, untouched cases that changed, resumptions. The plan is made
    without the write lock; only when there is something to write is it made again under the lock (another
    session may have written it meanwhile) and applied."""
    data = _load(db, school_code)
    if not data.coverage.checkable or not _plan(db, actor, school_code, data, only):
        return data
    with transaction(db):
        _apply(db, actor, school_code, _plan(db, actor, school_code, data, only))
    return data


def _plan(db, actor: Actor, school_code: str, data: _Data, only: str | None) -> list[tuple]:
    """The writes that bring the school's cases in step with `data`, as (action, pupil, values)."""
    births, born_on = _birth_years(db, school_code), _birth_dates(db, school_code)
    open_cases = {r[1]: r for r in store.open_cases(db, school_code, "giorni")}
    last_closed = store.last_closed(db, school_code, "giorni")
    acted = store.open_cases_with_steps(db, school_code)
    plan = []
    for pupil in [only] if only is not None else sorted(set(data.unjustified) | set(open_cases)):
        since = last_closed.get(pupil)
        found = rule.first_case(d for d in data.unjustified.get(pupil, [])
                                if since is None or d > date.fromisoformat(since))
        if found is not None and rule.compulsory_age(births.get(pupil), SchoolYear.containing(found.opened_on),
                                                     born_on.get(pupil), found.opened_on) is False:
            found = None
        existing = open_cases.get(pupil)
        if existing is None:
            if found is not None:
                plan.append(("open", pupil, [*_detection_values(found, data, pupil), births.get(pupil)]))
        elif existing[0] in acted:
            continue  # the procedure has started: the record stays as it was when the school acted
        elif found is None:
            plan.append(("not_confirmed", pupil, [existing[0]]))
        elif [d.isoformat() for d in found.days] != json.loads(existing[2]):
            plan.append(("update", pupil, [*_detection_values(found, data, pupil), existing[0]]))
    plan += _plan_hours(db, actor, school_code, data, only, acted)
    calendars, weeks = _calendars(db, school_code), school_calendar.weeks(db, school_code)
    for case_id, pupil, notice_on, received_on, channel in store.awaiting_resumption(db, school_code):
        if only is not None and pupil != only:
            continue
        notice = FamilyNotice(date.fromisoformat(notice_on), "", channel, _day(received_on))
        seen = rule.resumed_on(notice.on, set(data.unjustified.get(pupil, [])), data.coverage.covered_until,
                               calendars, weeks.of(data.classes.get(pupil, "")),
                               until=rule.deadline(notice.term_start))
        if seen is not None:
            plan.append(("resumed", pupil, [case_id, seen]))
    return plan


# --- cases of the quarter-of-hours kind (art. 114 c. 4: evasion also at a quarter of the annual hours) ---------


def _plan_hours(db, actor: Actor, school_code: str, data: _Data, only: str | None, acted: set[int]) -> list[tuple]:
    """A case of its own kind for a pupil of compulsory age whose unjustified hours reached a quarter of the
    annual hours in the school year of the data (a projection stays a line of the list on the page); untouched
    cases follow the data, as the days' cases do."""
    year = SchoolYear.containing(data.coverage.covered_until)
    found, _ = obligation_hours.quarter_reached(db, get_school(db, actor, school_code), data.coverage.covered_until)
    # Only on the class's whole annual hours: the projection shortens the year of a pupil whose data start later
    # (a late arrival), but in an events list a pupil also first appears with a first absence; such a pupil stays
    # a line of the list, for the school to judge, and opens no case on a limit that may be too small.
    weeks = school_calendar.weeks(db, school_code)
    reached = {row.pupil_code: row for row in found[found["reached"].astype(bool)].itertuples()
               if row.annual_hours >= weeks.of(row.class_name).annual - 1}
    open_cases = {r[1]: r for r in store.open_cases(db, school_code, "ore")}
    closed = store.closed_between(db, school_code, "ore", year.first_day.isoformat(), year.last_day.isoformat())
    births = _birth_years(db, school_code)
    plan = []
    for pupil in [only] if only is not None else sorted(set(reached) | set(open_cases)):
        row, existing = reached.get(pupil), open_cases.get(pupil)
        values = None if row is None else [
            data.classes.get(pupil, row.class_name), row.reached_on, year.first_day.isoformat(), row.reached_on,
            "[]", 0, births.get(pupil), float(row.unjustified_hours), float(row.limit_hours)]
        if existing is None:
            if values is not None and pupil not in closed:
                plan.append(("open_hours", pupil, values))
        elif existing[0] in acted:
            continue
        elif values is None:
            plan.append(("not_confirmed", pupil, [existing[0]]))
        elif (values[7], values[1]) != (existing[3], existing[4]):
            plan.append(("update_hours", pupil, [*values[:6], *values[7:], existing[0]]))
    return plan


def _apply(db, actor: Actor, school_code: str, plan: list[tuple]) -> None:
    today, stamp = clock.local_date(), clock.to_text(clock.utcnow())
    for action, pupil, values in plan:
        if action == "open":
            store.insert_case(db, school_code, pupil, *values, stamp, actor.username)
            audit.record(db, actor, "obbligo_caso_aperto", pupil, school_code=school_code,
                         detail=f"{len(json.loads(values[4]))} giorni non giustificati dal "
                                f"{date.fromisoformat(values[2]):%d/%m/%Y} al {date.fromisoformat(values[3]):%d/%m/%Y}")
        elif action == "open_hours":
            # A case of hours (the 25 % limit) also has its hours and limit.
            store.insert_case(db, school_code, pupil, *values[:7], stamp, actor.username, kind="ore",
                              hours_unjustified=values[7], hours_limit=values[8])
            audit.record(db, actor, "obbligo_caso_aperto", pupil, school_code=school_code,
                         detail=f"{values[7]:.1f} ore non giustificate su un limite di {values[8]:.1f} (un quarto"
                                f" del monte ore annuo), raggiunto il {date.fromisoformat(values[1]):%d/%m/%Y}")
        elif action == "update_hours":
            store.update_detection(db, values[-1], *values[:-1], hours=True)
        elif action == "update":
            store.update_detection(db, values[-1], *values[:-1])
        elif action == "not_confirmed":
            store.close_case(db, values[0], today.isoformat(), NOT_CONFIRMED, actor.username)
            audit.record(db, actor, "obbligo_caso_non_confermato", pupil, school_code=school_code)
        else:  # resumed, as the later data show it
            case_id, seen = values
            store.insert_step(db, case_id, "ripresa", seen.isoformat(), actor.username, stamp,
                              note="Vista nei dati del registro", source="dati")
            audit.record(db, actor, "obbligo_ripresa_vista", pupil, school_code=school_code,
                         detail=f"dal {seen:%d/%m/%Y}")


def _detection_values(found: rule.Detection, data: _Data, pupil: str) -> list:
    """class, opened_on, window_start, window_end, days (JSON), pending_days: the columns of a detection."""
    pending = data.pending.get(pupil, set())
    return [data.classes.get(pupil, ""), found.opened_on.isoformat(), found.window_start.isoformat(),
            found.window_end.isoformat(), json.dumps([d.isoformat() for d in found.days]),
            sum(d in pending for d in found.days)]


# --- reading -------------------------------------------------------------------------------------


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _build(row, steps: list, as_of: date, first_lesson: date | None = None) -> Case:
    (case_id, school_code, pupil, class_name, opened_on, start, end, days, pending, birth, detected_at, closed_on,
     outcome, kind, hours_unjustified, hours_limit) = row
    by_kind = {s[0]: s for s in steps if s[1] <= as_of.isoformat()}
    family = by_kind.get("famiglia")
    mayor = by_kind.get("sindaco")
    resumed = by_kind.get("ripresa")
    family_notice = FamilyNotice(_day(family[1]), family[2], family[3], _day(family[7])) if family else None
    mayor_notice = MayorNotice(_day(mayor[1]), mayor[2], mayor[4]) if mayor else None
    resumption = Resumption(_day(resumed[1]), resumed[6], resumed[5]) if resumed else None
    deadline = rule.deadline(family_notice.term_start) if family_notice else None
    detected_on = clock.local_date(clock.from_text(detected_at))
    closed = _day(closed_on) if closed_on and closed_on <= as_of.isoformat() else None
    due_on = None
    if closed is not None:
        status = "chiuso"
    elif mayor_notice:
        status, due_on = "sindaco_informato", None
    elif resumption:
        status, due_on = "ripresa", None
    elif family_notice:
        status = "sindaco_da_informare" if as_of >= deadline else "in_attesa"
        due_on = deadline if status == "sindaco_da_informare" else None
    else:
        status, due_on = "famiglia_da_informare", _day(opened_on)  # due since the case opened, not since the upload
    late = due_on is not None and as_of > due_on + timedelta(days=LATE_AFTER_DAYS)
    return Case(case_id, school_code, pupil, class_name, _day(opened_on), _day(start), _day(end),
                [date.fromisoformat(d) for d in json.loads(days)], status, family_notice, deadline, mayor_notice,
                outcome if closed else None, resumption, closed, pending, birth, detected_on, due_on, late, kind,
                hours_unjustified, hours_limit, max(_day(start), first_lesson or _day(start)))


def _steps(db, case_ids: list[int]) -> dict[int, list]:
    out: dict[int, list] = defaultdict(list)
    if not case_ids:
        return out
    for row in store.steps(db, case_ids):
        out[row[0]].append(row[1:])
    return out


def _read(db, school_code: str, as_of: date, *, include_closed: bool, case_id: int | None = None) -> list[Case]:
    rows = store.cases(db, school_code, as_of.isoformat(), include_closed=include_closed, case_id=case_id)
    steps = _steps(db, [r[0] for r in rows])
    calendars = _calendars(db, school_code)

    def first_lesson(window_end: str):
        found = calendars(SchoolYear.containing(date.fromisoformat(window_end)))
        return found.first_day if found is not None else None

    return [_build(r, steps[r[0]], as_of, first_lesson(r[6])) for r in rows]


def cases(db: sqlite_utils.Database, actor: Actor, school_code: str, as_of: date | None = None, *,
          include_closed: bool = False, channel: str = "pagina", view: str | None = None) -> list[Case]:
    """The school's cases open on `as_of` (today), brought up to date with the data first; the read is logged.

    A case counts as open on a date when it was opened on or before it and not closed by then.
    With `include_closed`, the cases closed by then come too. `view` as in `audit.record_access`.
    """
    require(actor, Action.FOLLOW_OBLIGATION, SchoolRef(school_code))
    as_of = as_of or clock.local_date()
    _sync(db, actor, school_code)
    found = _read(db, school_code, as_of, include_closed=include_closed)
    audit.record_access(db, actor, school_code, "obbligo scolastico", f"{channel}: {len(found)} casi",
                        view=None if view is None else f"{view}|{as_of}")
    return found


def due_counts(db: sqlite_utils.Database, actor: Actor, school_code: str, as_of: date) -> tuple[int, int]:
    """How many steps are due on `as_of`, and how many of them end their term or fall due the day after.

    For the reminders (the bell, the e-mail): counts only, no pupil leaves this function, so the read is not
    a pupil-level read and is not logged (the page that shows the cases logs its own).
    """
    require(actor, Action.FOLLOW_OBLIGATION, SchoolRef(school_code))
    _sync(db, actor, school_code)
    found = due(_read(db, school_code, as_of, include_closed=False))
    tomorrow = as_of + timedelta(days=1)
    return len(found), sum(1 for case in found if tomorrow in (case.deadline, case.due_on))


def get_case(db: sqlite_utils.Database, actor: Actor, school_code: str, case_id: int,
             as_of: date | None = None, *, view: str | None = None) -> Case:
    """One case of the school (refused for another school's case, with the same message as a missing one).

    The read is logged (once per `view`, as in `audit.record_access`)."""
    require(actor, Action.FOLLOW_OBLIGATION, SchoolRef(school_code))
    found = _read(db, school_code, as_of or clock.local_date(), include_closed=True, case_id=case_id)
    if not found:
        raise ApprodoError("Questo caso non esiste per la tua scuola.")
    audit.record_access(db, actor, school_code, "obbligo scolastico: caso", f"{found[0].pupil_code} (caso {case_id})",
                        view=view)
    return found[0]


def open_case_for(db: sqlite_utils.Database, actor: Actor, school_code: str, pupil_code: str,
                  as_of: date | None = None) -> Case | None:
    """Check one pupil against the rule and record the case if there is one; the pupil's open case (or None)."""
    require(actor, Action.FOLLOW_OBLIGATION, SchoolRef(school_code))
    as_of = as_of or clock.local_date()
    _sync(db, actor, school_code, only=pupil_code)
    case_id = store.pupil_open_case(db, school_code, pupil_code, as_of.isoformat())
    audit.record_access(db, actor, school_code, "obbligo scolastico: alunno", pupil_code)
    return _read(db, school_code, as_of, include_closed=True, case_id=case_id)[0] if case_id else None


# --- the steps -----------------------------------------------------------------------------------


def _check_day(on: date | None, earliest: date, what: str, earliest_what: str) -> date:
    if on is None:
        raise ApprodoError(f"Indica la data {what}.")
    if on > clock.local_date():
        raise ApprodoError(f"La data {what} ({on:%d/%m/%Y}) è nel futuro: registra il passo quando è fatto.")
    if on < earliest:
        raise ApprodoError(f"La data {what} ({on:%d/%m/%Y}) viene prima {earliest_what} ({earliest:%d/%m/%Y}).")
    return on


def _protocol_number(value: str | None) -> str:
    """The number as the letters print it after their own «Prot. n.»: a prefix typed with it is dropped."""
    number = _text(value, "il numero di protocollo")
    return _text(re.sub(r"^(prot(ocollo)?\.?\s*(n\.?|n°|num\.?|numero)?\s*)", "", number, flags=re.IGNORECASE),
                 "il numero di protocollo")


def _text(value: str | None, what: str, *, required: bool = True) -> str:
    cleaned = " ".join((value or "").split())
    if required and not cleaned:
        raise ApprodoError(f"Scrivi {what}.")
    if len(cleaned) > MAX_TEXT:
        raise ApprodoError(f"{what[0].upper()}{what[1:]}: al massimo {MAX_TEXT} caratteri.")
    return cleaned


def _open_case(db, actor: Actor, school_code: str, case_id: int) -> Case:
    require(actor, Action.FOLLOW_OBLIGATION, SchoolRef(school_code))
    found = _read(db, school_code, clock.local_date(), include_closed=True, case_id=case_id)
    if not found:
        raise ApprodoError("Questo caso non esiste per la tua scuola.")
    if not found[0].is_open:
        raise ApprodoError("Questo caso è già chiuso: ricarica la pagina.")
    return found[0]


def _insert_step(db, actor: Actor, case: Case, kind: str, on: date, *, protocol_no=None, channel=None,
                 municipality=None, note: str = "", received_on: date | None = None) -> None:
    with transaction(db):
        try:
            store.insert_step(db, case.id, kind, on.isoformat(), actor.username, clock.to_text(clock.utcnow()),
                              protocol_no=protocol_no, channel=channel, municipality=municipality, note=note,
                              received_on=received_on.isoformat() if received_on else None)
        except Exception as error:  # sqlite3.IntegrityError: someone recorded it meanwhile
            raise ApprodoError("Questo passo è già registrato (forse da un collega): ricarica la pagina.") from error
        audit.record(db, actor, f"obbligo_{kind}", case.pupil_code, school_code=case.school_code,
                     detail=f"caso {case.id}, {on:%d/%m/%Y}" + (f", prot. {protocol_no}" if protocol_no else ""))
        audit.record_access(db, actor, case.school_code, f"obbligo scolastico: {kind}",
                            f"{case.pupil_code} (caso {case.id})")


def _check_receipt(received_on: date | None, sent: date, channel: str) -> date | None:
    if received_on is None or channel in SAME_DAY:
        return None  # unknown, or the same day by the way it was given
    return _check_day(received_on, sent, "di ricevimento", "dell'invio della comunicazione")


def record_family_notice(db: sqlite_utils.Database, actor: Actor, school_code: str, case_id: int, on: date,
                         protocol_no: str, channel: str, received_on: date | None = None) -> Case:
    """The family was informed: sending date, protocol number, channel and, where known, the date it was received
    (hand delivery and meeting: the same day). The seven days run from the receipt (`received`)."""
    case = _open_case(db, actor, school_code, case_id)
    if case.family_notice is not None:
        raise ApprodoError("La comunicazione alla famiglia è già registrata: ricarica la pagina.")
    _check_day(on, case.opened_on, "della comunicazione alla famiglia", "del giorno in cui il caso si è aperto")
    protocol_no = _protocol_number(protocol_no)  # the form's order: date, protocol number, channel
    if channel not in CHANNELS:
        raise ApprodoError("Scegli come è stata inviata la comunicazione.")
    received_on = _check_receipt(received_on, on, channel)
    _insert_step(db, actor, case, "famiglia", on, protocol_no=protocol_no, channel=channel, received_on=received_on)
    return get_case(db, actor, school_code, case_id)


def record_family_receipt(db: sqlite_utils.Database, actor: Actor, school_code: str, case_id: int,
                          received_on: date) -> Case:
    """The date the family received the notice, once it is documented (the return card, the PEC receipt): the
    seven days are counted again from it."""
    case = _open_case(db, actor, school_code, case_id)
    notice = case.family_notice
    if notice is None:
        raise ApprodoError("Prima registra la comunicazione alla famiglia.")
    if notice.receipt_known:
        raise ApprodoError(f"Il ricevimento è già registrato ({notice.term_start:%d/%m/%Y}): ricarica la pagina.")
    if case.mayor_notice is not None:
        raise ApprodoError("La segnalazione al sindaco è già registrata: il ricevimento non cambia più il termine.")
    received_on = _check_receipt(received_on, notice.on, notice.channel)
    if received_on is None:
        raise ApprodoError("Indica la data di ricevimento.")
    with transaction(db):
        store.record_receipt(db, case.id, received_on.isoformat())
        audit.record(db, actor, "obbligo_famiglia_ricevuta", case.pupil_code, school_code=case.school_code,
                     detail=f"caso {case.id}, ricevuta il {received_on:%d/%m/%Y}")
    return get_case(db, actor, school_code, case_id)


def record_resumption(db: sqlite_utils.Database, actor: Actor, school_code: str, case_id: int, on: date,
                      note: str = "") -> Case:
    """Attendance resumed after the family notice (recorded by hand, e.g. from the register on paper)."""
    case = _open_case(db, actor, school_code, case_id)
    if case.family_notice is None:
        raise ApprodoError("Prima registra la comunicazione alla famiglia.")
    if case.resumption is not None or case.mayor_notice is not None:
        raise ApprodoError("Per questo caso la ripresa o la segnalazione al sindaco è già registrata.")
    _check_day(on, case.family_notice.on, "della ripresa", "della comunicazione alla famiglia")
    _insert_step(db, actor, case, "ripresa", on, note=_text(note, "la nota", required=False))
    return get_case(db, actor, school_code, case_id)


def record_mayor_notice(db: sqlite_utils.Database, actor: Actor, school_code: str, case_id: int, on: date,
                        protocol_no: str, municipality: str) -> Case:
    """The mayor of the pupil's municipality was informed, after seven days without resumption."""
    case = _open_case(db, actor, school_code, case_id)
    if case.family_notice is None:
        raise ApprodoError("Prima registra la comunicazione alla famiglia: il sindaco si informa se la frequenza "
                           "non riprende entro sette giorni da quella.")
    if case.mayor_notice is not None:
        raise ApprodoError("La segnalazione al sindaco è già registrata: ricarica la pagina.")
    if case.resumption is not None:
        raise ApprodoError("Per questo caso la frequenza risulta ripresa: chiudi il caso invece di segnalarlo.")
    _check_day(on, case.deadline, "della segnalazione al sindaco",
               "della fine dei sette giorni dal ricevimento della comunicazione alla famiglia")
    _insert_step(db, actor, case, "sindaco", on, protocol_no=_protocol_number(protocol_no),
                 municipality=_text(municipality, "il comune di residenza dell'alunno"))
    return get_case(db, actor, school_code, case_id)


def close_case(db: sqlite_utils.Database, actor: Actor, school_code: str, case_id: int, on: date,
               outcome: str) -> Case:
    """Close the case with its outcome, on or after its last step."""
    case = _open_case(db, actor, school_code, case_id)
    if outcome not in OUTCOMES:
        raise ApprodoError("Scegli l'esito del caso.")
    steps = [s.on for s in (case.family_notice, case.resumption, case.mayor_notice) if s is not None]
    _check_day(on, max([case.opened_on, *steps]), "di chiusura", "dell'ultimo passo del caso")
    with transaction(db):
        closed = store.close_case(db, case.id, on.isoformat(), outcome, actor.username, only_open=True)
        if not closed:
            raise ApprodoError("Questo caso è già chiuso: ricarica la pagina.")
        audit.record(db, actor, "obbligo_chiuso", case.pupil_code, school_code=school_code,
                     detail=f"caso {case.id}, {on:%d/%m/%Y}: {outcome}")
        audit.record_access(db, actor, school_code, "obbligo scolastico: chiusura",
                            f"{case.pupil_code} (caso {case.id})")
    return get_case(db, actor, school_code, case_id)


def due(found: list[Case]) -> list[Case]:
    """The cases with a step due (late first, then by due date)."""
    return sorted((c for c in found if c.due), key=lambda c: (not c.late, c.due_on, c.pupil_code))


# --- the list as a file -------------------------------------------------------------------------

EXPORT_COLUMNS = ["codice_alunno", "classe", "giorni_ingiustificati", "dal", "al", "stato"]


def export(db: sqlite_utils.Database, actor: Actor, school_code: str, as_of: date | None = None,
           fmt: str = "csv") -> bytes:
    """The cases open on `as_of` (opened by then and not closed), as CSV (formula-safe) or JSON; logged."""
    from models.core import spreadsheet

    if fmt not in ("csv", "json"):
        raise ApprodoError("Il formato disponibile è csv o json.")
    found = cases(db, actor, school_code, as_of, channel="cli")
    if fmt == "json":
        return json.dumps([{"codice_alunno": c.pupil_code, "classe": c.class_name,
                            "giorni_ingiustificati": len(c.unjustified_days), "dal": c.period_start.isoformat(),
                            "al": c.window_end.isoformat(), "stato": c.status} for c in found],
                          ensure_ascii=False, indent=2).encode() + b"\n"
    return spreadsheet.csv_bytes([EXPORT_COLUMNS, *([c.pupil_code, c.class_name, len(c.unjustified_days),
                                                      f"{c.period_start:%d/%m/%Y}", f"{c.window_end:%d/%m/%Y}",
                                                      c.status] for c in found)])
