"""All the SQL of the compulsory-education procedure: its cases and their steps, the letters' texts, and what
the rule reads of the pupils' attendance.

In the subset of SQL that SQLite and PostgreSQL share (named parameters, no boolean arithmetic); the rule, the
permissions, the audit and the transactions stay with the callers.
"""

from __future__ import annotations

from collections.abc import Sequence

from models.core.connection import Connection
from models.core.store import in_list, insert

# --- what the rule reads ----------------------------------------------------------------------------


def absence_facts(db: Connection, school_code: str) -> tuple[int, int | None, str | None, int]:
    """Day-by-day absences, whether any says if it was justified (1/0, None without absences), the last day with
    events (None: no events), and how many monthly rows the school has."""
    absences, any_stated = db.execute(
        "SELECT COUNT(*), MAX(CASE WHEN justified IS NOT NULL THEN 1 ELSE 0 END) FROM attendance_events"
        " WHERE school_code = :school AND kind = 'assenza'", {"school": school_code}).fetchone()
    last_day = db.execute("SELECT MAX(day) FROM attendance_events WHERE school_code = :school",
                          {"school": school_code}).fetchone()[0]
    monthly = 0 if last_day is not None else db.execute(
        "SELECT COUNT(*) FROM attendance_months WHERE school_code = :school", {"school": school_code}).fetchone()[0]
    return absences, any_stated, last_day, monthly


def absences_not_justified(db: Connection, school_code: str) -> list[tuple]:
    """(pupil_code, day, class_name, hours, justified) of the absences not marked justified, by day."""
    return db.execute("SELECT pupil_code, day, class_name, hours, justified FROM attendance_events"
                      " WHERE school_code = :school AND kind = 'assenza' AND (justified IS NULL OR justified = 0)"
                      " ORDER BY day", {"school": school_code}).fetchall()


def events_between(db: Connection, school_code: str, first_day: str, last_day: str) -> list[tuple]:
    """(pupil_code, class_name, day, kind, hours, justified) of the events between the two days."""
    return db.execute("SELECT pupil_code, class_name, day, kind, hours, justified FROM attendance_events"
                      " WHERE school_code = :school AND day BETWEEN :first AND :last",
                      {"school": school_code, "first": first_day, "last": last_day}).fetchall()


def scheduled_between(db: Connection, school_code: str, first_month: str, last_month: str) -> list[tuple]:
    """(pupil_code, class_name, period, scheduled_hours) of the months between the two."""
    return db.execute("SELECT pupil_code, class_name, period, scheduled_hours FROM attendance"
                      " WHERE school_code = :school AND period BETWEEN :first AND :last",
                      {"school": school_code, "first": first_month, "last": last_month}).fetchall()


def births(db: Connection, school_code: str) -> list[tuple[str, int | None, str | None]]:
    """(pupil_code, birth_year, birth_date) of the school's pupils."""
    return db.execute("SELECT pupil_code, birth_year, birth_date FROM pupil_context WHERE school_code = :school",
                      {"school": school_code}).fetchall()


def family_language(db: Connection, school_code: str, pupil_code: str) -> str | None:
    row = db.execute("SELECT family_language FROM pupil_context WHERE school_code = :school AND pupil_code = :pupil",
                     {"school": school_code, "pupil": pupil_code}).fetchone()
    return row[0] if row else None


# --- cases ----------------------------------------------------------------------------------------------

_CASE = ("SELECT id, school_code, pupil_code, class_name, opened_on, window_start, window_end, days, pending_days,"
         " birth_year, detected_at, closed_on, outcome, kind, hours_unjustified, hours_limit FROM obligation_cases")


def open_cases(db: Connection, school_code: str, kind: str) -> list[tuple]:
    """(id, pupil_code, days, hours_unjustified, opened_on) of the school's open cases of `kind`."""
    return db.execute("SELECT id, pupil_code, days, hours_unjustified, opened_on FROM obligation_cases"
                      " WHERE school_code = :school AND closed_on IS NULL AND kind = :kind",
                      {"school": school_code, "kind": kind}).fetchall()


def last_closed(db: Connection, school_code: str, kind: str) -> dict[str, str]:
    """{pupil: the day their last closed case of `kind` closed}."""
    return dict(db.execute("SELECT pupil_code, MAX(closed_on) FROM obligation_cases WHERE school_code = :school"
                           " AND closed_on IS NOT NULL AND kind = :kind GROUP BY pupil_code",
                           {"school": school_code, "kind": kind}).fetchall())


def closed_between(db: Connection, school_code: str, kind: str, first_day: str, last_day: str) -> set[str]:
    """Pupils with a closed case of `kind` opened between the two days."""
    return {r[0] for r in db.execute(
        "SELECT pupil_code FROM obligation_cases WHERE school_code = :school AND kind = :kind"
        " AND closed_on IS NOT NULL AND opened_on BETWEEN :first AND :last",
        {"school": school_code, "kind": kind, "first": first_day, "last": last_day})}


def open_cases_with_steps(db: Connection, school_code: str) -> set[int]:
    """The open cases on which the school has recorded a step."""
    return {r[0] for r in db.execute(
        "SELECT DISTINCT s.case_id FROM obligation_steps s JOIN obligation_cases c ON c.id = s.case_id"
        " WHERE c.school_code = :school AND c.closed_on IS NULL", {"school": school_code})}


def awaiting_resumption(db: Connection, school_code: str) -> list[tuple]:
    """(case id, pupil, notice day, received on, channel) of the open cases with a family notice and neither a
    resumption nor a report to the mayor."""
    return db.execute(
        "SELECT c.id, c.pupil_code, s.on_day, s.received_on, s.channel FROM obligation_cases c"
        " JOIN obligation_steps s ON s.case_id = c.id AND s.kind = 'famiglia' WHERE c.school_code = :school"
        " AND c.closed_on IS NULL AND NOT EXISTS (SELECT 1 FROM obligation_steps o WHERE o.case_id = c.id"
        " AND o.kind IN ('ripresa', 'sindaco'))", {"school": school_code}).fetchall()


def insert_case(db: Connection, school_code: str, pupil_code: str, class_name: str, opened_on: str,
                window_start: str, window_end: str, days: str, pending_days: int, birth_year: int | None,
                detected_at: str, detected_by: str, *, kind: str = "giorni", hours_unjustified: float | None = None,
                hours_limit: float | None = None) -> None:
    insert(
        db, "obligation_cases",
        {"school_code": school_code, "pupil_code": pupil_code, "class_name": class_name, "opened_on": opened_on,
         "window_start": window_start, "window_end": window_end, "days": days, "pending_days": pending_days,
         "birth_year": birth_year, "hours_unjustified": hours_unjustified, "hours_limit": hours_limit, "kind": kind,
         "detected_at": detected_at, "detected_by": detected_by})


def update_detection(db: Connection, case_id: int, class_name: str, opened_on: str, window_start: str,
                     window_end: str, days: str, pending_days: int, hours_unjustified: float | None = None,
                     hours_limit: float | None = None, *, hours: bool = False) -> None:
    """What the data now show of an untouched case (with `hours`, its hours and limit too)."""
    values = {"class": class_name, "opened": opened_on, "start": window_start, "end": window_end, "days": days,
              "pending": pending_days, "id": case_id}
    set_hours = ""
    if hours:
        set_hours = ", hours_unjustified = :hours, hours_limit = :limit"
        values |= {"hours": hours_unjustified, "limit": hours_limit}
    db.execute("UPDATE obligation_cases SET class_name = :class, opened_on = :opened, window_start = :start,"
               f" window_end = :end, days = :days, pending_days = :pending{set_hours} WHERE id = :id", values)


def close_case(db: Connection, case_id: int, on: str, outcome: str, by: str, *,
               only_open: bool = False) -> int:
    """How many cases closed (with `only_open`, 0 when it already was)."""
    return db.execute("UPDATE obligation_cases SET closed_on = :on, outcome = :outcome, closed_by = :by WHERE id = :id"
                      + (" AND closed_on IS NULL" if only_open else ""),
                      {"on": on, "outcome": outcome, "by": by, "id": case_id}).rowcount


def cases(db: Connection, school_code: str, as_of: str, *, include_closed: bool,
          case_id: int | None = None) -> list[tuple]:
    """The school's cases opened by `as_of` (one of them with `case_id`; without `include_closed`, those not
    closed by then), by opening day and pupil."""
    sql = f"{_CASE} WHERE school_code = :school AND opened_on <= :as_of"
    if case_id is not None:
        sql += " AND id = :id"
    elif not include_closed:
        sql += " AND (closed_on IS NULL OR closed_on > :as_of)"
    return db.execute(sql + " ORDER BY opened_on, pupil_code",
                      {"school": school_code, "as_of": as_of, "id": case_id}).fetchall()


def pupil_open_case(db: Connection, school_code: str, pupil_code: str, as_of: str) -> int | None:
    """The id of the pupil's latest case open on `as_of`."""
    row = db.execute("SELECT id FROM obligation_cases WHERE school_code = :school AND pupil_code = :pupil"
                     " AND opened_on <= :as_of AND (closed_on IS NULL OR closed_on > :as_of) ORDER BY id DESC LIMIT 1",
                     {"school": school_code, "pupil": pupil_code, "as_of": as_of}).fetchone()
    return row[0] if row else None


def cases_by_month(db: Connection, school_code: str, first_day: str, last_day: str,
                   not_counted: str) -> list[tuple]:
    """(opened_on, family notice day, resumption day, mayor's report day) of the cases opened between the two
    days, but those closed with the outcome `not_counted`."""
    return db.execute(
        "SELECT c.opened_on, f.on_day, r.on_day, m.on_day FROM obligation_cases c"
        " LEFT JOIN obligation_steps f ON f.case_id = c.id AND f.kind = 'famiglia'"
        " LEFT JOIN obligation_steps r ON r.case_id = c.id AND r.kind = 'ripresa'"
        " LEFT JOIN obligation_steps m ON m.case_id = c.id AND m.kind = 'sindaco'"
        " WHERE c.school_code = :school AND c.opened_on BETWEEN :first AND :last"
        " AND COALESCE(c.outcome, '') != :not_counted",
        {"school": school_code, "first": first_day, "last": last_day, "not_counted": not_counted}).fetchall()


# --- steps ----------------------------------------------------------------------------------------------


def steps(db: Connection, case_ids: Sequence[int]) -> list[tuple]:
    """(case_id, kind, on_day, protocol_no, channel, municipality, note, source, received_on) of the cases' steps,
    in the order recorded."""
    if not case_ids:
        return []
    marks, named = in_list("c", case_ids)
    return db.execute("SELECT case_id, kind, on_day, protocol_no, channel, municipality, note, source, received_on"
                      f" FROM obligation_steps WHERE case_id IN ({marks}) ORDER BY id", named).fetchall()


def insert_step(db: Connection, case_id: int, kind: str, on_day: str, recorded_by: str, recorded_at: str,
                *, protocol_no: str | None = None, channel: str | None = None, municipality: str | None = None,
                note: str = "", received_on: str | None = None, source: str = "manuale") -> None:
    """A step of a case, recorded by hand (`source` 'manuale') or seen in the data ('dati')."""
    insert(
        db, "obligation_steps",
        {"case_id": case_id, "kind": kind, "on_day": on_day, "protocol_no": protocol_no, "channel": channel,
         "municipality": municipality, "note": note, "recorded_by": recorded_by, "recorded_at": recorded_at,
         "received_on": received_on, "source": source})


def record_receipt(db: Connection, case_id: int, received_on: str) -> None:
    db.execute("UPDATE obligation_steps SET received_on = :received WHERE case_id = :case AND kind = 'famiglia'"
               " AND received_on IS NULL", {"received": received_on, "case": case_id})


# --- the letters' texts -----------------------------------------------------------------------------------


def letter_versions(db: Connection, network_code: str, kind: str, language: str) -> list[tuple]:
    """(version, body, author, created_at, note), newest first."""
    return db.execute("SELECT version, body, author, created_at, note FROM letter_texts WHERE network_code = :network"
                      " AND kind = :kind AND language = :language ORDER BY version DESC",
                      {"network": network_code, "kind": kind, "language": language}).fetchall()


def letter_languages(db: Connection, network_code: str, kind: str) -> set[str]:
    return {r[0] for r in db.execute("SELECT DISTINCT language FROM letter_texts WHERE network_code = :network"
                                     " AND kind = :kind", {"network": network_code, "kind": kind})}


def insert_letter_version(db: Connection, network_code: str, kind: str, language: str, version: int,
                          body: str, author: str, created_at: str, note: str) -> None:
    insert(db, "letter_texts", {"network_code": network_code, "kind": kind, "language": language, "version": version,
                                "body": body, "author": author, "created_at": created_at, "note": note})
