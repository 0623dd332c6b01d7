"""The SQL of the demo's own writes: a day-by-day attendance export of one school written as an import would
write it, and the details the demo's stories need. Shared SQL (named parameters, RETURNING)."""

from __future__ import annotations

from collections.abc import Iterable

from models.core.connection import Connection, executemany
from models.core.store import insert_returning_id


def obligation_pupils(db: Connection, school_code: str, period: str, limit: int) -> list[tuple[str, str]]:
    """(pupil_code, class_name) of the pupils of a first or second class born in 2010 or later who missed most in
    the month."""
    return db.execute(
        "SELECT a.pupil_code, a.class_name FROM attendance a JOIN pupil_context c ON c.school_code = a.school_code"
        " AND c.pupil_code = a.pupil_code WHERE a.school_code = :school AND a.period = :period"
        " AND substr(a.class_name, 1, 1) IN ('1', '2') AND c.birth_year >= 2010"
        " ORDER BY a.absence_hours DESC, a.pupil_code LIMIT :limit",
        {"school": school_code, "period": period, "limit": limit}).fetchall()


def insert_attendance_import(db: Connection, school_code: str, file_name: str, rows: int, detail: str,
                             by: str, at: str) -> int:
    """The new import's id."""
    return insert_returning_id(db, "imports", {"school_code": school_code, "kind": "attendance", "file_name": file_name,
                                               "rows": rows, "detail": detail, "imported_by": by, "imported_at": at})


def insert_events(db: Connection, school_code: str, import_id: int, events: Iterable[dict]) -> None:
    """Day-by-day events: dicts of pupil_code, day, kind, seq, class_name, hours, justified."""
    executemany(
        db, "INSERT INTO attendance_events (school_code, pupil_code, day, kind, seq, class_name, hours, justified,"
        " reason, import_id) VALUES (:school, :pupil_code, :day, :kind, :seq, :class_name, :hours, :justified,"
        " NULL, :import_id)", [{**e, "school": school_code, "import_id": import_id} for e in events])


def update_months(db: Connection, school_code: str, months: Iterable[dict]) -> None:
    """The monthly rows as the events make them: dicts of pupil_code, period, scheduled_hours, absence_hours,
    late_entries, early_exits, days_absent, justified_hours, justified_days."""
    executemany(
        db, "UPDATE attendance SET scheduled_hours = :scheduled_hours, absence_hours = :absence_hours,"
        " late_entries = :late_entries, early_exits = :early_exits, days_absent = :days_absent,"
        " justified_hours = :justified_hours, justified_days = :justified_days"
        " WHERE school_code = :school AND pupil_code = :pupil_code AND period = :period",
        [{**m, "school": school_code} for m in months])


def set_language_of_families_awaiting_the_mayor(db: Connection, school_code: str, language: str) -> None:
    """The family language of the pupils whose open case has a family notice and no resumption."""
    db.execute(
        "UPDATE pupil_context SET family_language = :language WHERE school_code = :school AND pupil_code IN ("
        " SELECT c.pupil_code FROM obligation_cases c JOIN obligation_steps s ON s.case_id = c.id"
        " AND s.kind = 'famiglia' WHERE c.school_code = :school AND c.closed_on IS NULL AND NOT EXISTS ("
        " SELECT 1 FROM obligation_steps r WHERE r.case_id = c.id AND r.kind = 'ripresa'))",
        {"language": language, "school": school_code})
