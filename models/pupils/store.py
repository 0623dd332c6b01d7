"""All the SQL of pupils: imports and their rows (attendance, events, subjects, context, outcomes), the months and
classes each school holds, saved column mappings, pseudonym checks, retention, the calendars and the weeks.

In the subset of SQL that SQLite and PostgreSQL share (named parameters, RETURNING instead of lastrowid,
ON CONFLICT ... DO UPDATE instead of INSERT OR REPLACE). Functions take the connection and plain values and
return rows or values; permissions, checks and transactions stay with the callers. Bulk writes (a million
rows of an import) go through `models.core.connection.execute_rows`: named in the SQL, bound by position.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from models.core.connection import Connection, execute_rows
from models.core.store import in_list, insert_returning_id, insert_sql, upsert, upsert_sql

# --- the months and classes a school holds (models/pupils/coverage.py) ------------------------------------------


def refresh_months(db: Connection, school_code: str, periods: Sequence[str] | None = None) -> None:
    """Rebuild attendance_classes and attendance_months of the school from its attendance: all months, or
    `periods` (not empty)."""
    where, params = "school_code = :school", {"school": school_code}
    if periods is not None:
        marks, named = in_list("p", periods)
        where += f" AND period IN ({marks})"
        params |= named
    db.execute(f"DELETE FROM attendance_classes WHERE {where}", params)
    # The school is a parameter, not a grouped column: the longer grouping key was measured 1.5x slower.
    db.execute("INSERT INTO attendance_classes (school_code, period, class_name, rows) SELECT :school, period,"
               f" class_name, COUNT(*) FROM attendance WHERE {where} GROUP BY period, class_name", params)
    db.execute(f"DELETE FROM attendance_months WHERE {where}", params)
    db.execute("INSERT INTO attendance_months (school_code, period, rows) SELECT :school, period, SUM(rows)"
               f" FROM attendance_classes WHERE {where} GROUP BY period", params)


def class_rows(db: Connection, school_code: str, periods: Sequence[str]) -> list[tuple[str, str, int]]:
    """(period, class, rows) of the school in the given months (not empty)."""
    marks, named = in_list("p", periods)
    return db.execute(f"SELECT period, class_name, rows FROM attendance_classes WHERE school_code = :school"
                      f" AND period IN ({marks})", {"school": school_code, **named}).fetchall()


def month_classes(db: Connection, school_codes: Sequence[str],
                  span: tuple[str, str] | None = None) -> list[tuple[str, str, str]]:
    """(school, period, class) of every month and class the schools (not none) hold; of the months from
    span[0] to span[1] only, if given."""
    marks, named = in_list("s", school_codes)
    months = "" if span is None else " AND period BETWEEN :first AND :last"
    if span is not None:
        named = {**named, "first": span[0], "last": span[1]}
    return db.execute(f"SELECT school_code, period, class_name FROM attendance_classes WHERE school_code IN"
                      f" ({marks}){months}", named).fetchall()


# --- column mappings (models/pupils/importing.py) ---------------------------------------------------------------


def save_preset(db: Connection, school_code: str, kind: str, name: str, mapping: str, by: str, at: str,
                headers: str) -> None:
    upsert(
        db, "column_presets",
        {"school_code": school_code, "kind": kind, "name": name, "mapping": mapping, "created_by": by, "created_at": at,
         "headers": headers},
        ("school_code", "kind", "name"))


def presets(db: Connection, school_code: str, kind: str) -> list[tuple[str, str]]:
    """(name, mapping as JSON) of the school's saved mappings of a kind, by name."""
    return db.execute("SELECT name, mapping FROM column_presets WHERE school_code = :school AND kind = :kind"
                      " ORDER BY name", {"school": school_code, "kind": kind}).fetchall()


def network_presets(db: Connection, school_code: str, kind: str, headers: str) -> list[tuple[str, str, str]]:
    """(name, mapping, school name) of the mappings other schools of the school's network saved for files with
    these headers."""
    return db.execute(
        "SELECT p.name, p.mapping, s.name FROM column_presets p JOIN schools s ON s.code = p.school_code"
        " WHERE p.kind = :kind AND p.headers = :headers AND p.school_code != :school"
        " AND s.network_code = (SELECT network_code FROM schools WHERE code = :school) ORDER BY s.name, p.name",
        {"kind": kind, "headers": headers, "school": school_code}).fetchall()


# --- imports and their rows -------------------------------------------------------------------------------------

ATTENDANCE_COLUMNS = ("school_code", "pupil_code", "period", "class_name", "scheduled_hours", "absence_hours",
                      "late_entries", "early_exits", "days_absent", "justified_hours", "justified_days", "import_id")
EVENT_COLUMNS = ("school_code", "pupil_code", "day", "kind", "seq", "class_name", "hours", "justified", "reason",
                 "import_id")
SUBJECT_COLUMNS = ("school_code", "pupil_code", "period", "subject", "scheduled_hours", "absence_hours",
                   "import_id")
# The key of each table an import writes whole rows of, and the rows it replaces.
KEYS = {"attendance": ("school_code", "pupil_code", "period"),
        "attendance_subjects": ("school_code", "pupil_code", "period", "subject"),
        "pupil_context": ("school_code", "pupil_code"),
        "outcomes": ("school_code", "pupil_code", "school_year")}


def _upsert(table: str, columns: Sequence[str]) -> str:
    """INSERT of `columns` into `table` (names from the code) where a row of the same key takes the new values."""
    return upsert_sql(table, columns, KEYS[table])


def insert_import(db: Connection, school_code: str, kind: str, file_name: str, rows: int, detail: str,
                  by: str, at: str) -> int:
    """The new import's id."""
    return insert_returning_id(db, "imports", {"school_code": school_code, "kind": kind, "file_name": file_name,
                                               "rows": rows, "detail": detail, "imported_by": by,
                                               "imported_at": at})


def insert_attendance(db: Connection, rows: Iterable[tuple]) -> None:
    """Monthly rows (`ATTENDANCE_COLUMNS`); a row of a pupil and month already held (in another class: the pupil
    moved) takes the new values. Bulk: bound by position (`execute_rows`); on PostgreSQL, COPY into a temporary
    table and this INSERT ... ON CONFLICT reading from it."""
    execute_rows(db, _upsert("attendance", ATTENDANCE_COLUMNS), ATTENDANCE_COLUMNS, rows)


def insert_events(db: Connection, rows: Iterable[tuple]) -> None:
    """Day-by-day events (`EVENT_COLUMNS`). Bulk: bound by position; on PostgreSQL, COPY attendance_events."""
    execute_rows(db, insert_sql("attendance_events", EVENT_COLUMNS), EVENT_COLUMNS, rows)


def insert_subjects(db: Connection, rows: Iterable[tuple]) -> None:
    """Hours per subject (`SUBJECT_COLUMNS`), replacing those of the same pupil, month and subject. Bulk: bound by
    position; on PostgreSQL, COPY into a temporary table and this INSERT ... ON CONFLICT reading from it."""
    execute_rows(db, _upsert("attendance_subjects", SUBJECT_COLUMNS), SUBJECT_COLUMNS, rows)


def insert_rows(db: Connection, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """Whole rows of pupil_context or outcomes (`columns`, names from the code), replacing those of the same key.
    Bound by position; on PostgreSQL, COPY into a temporary table and this INSERT ... ON CONFLICT reading from
    it."""
    execute_rows(db, _upsert(table, columns), columns, rows)


def delete_class_months(db: Connection, school_code: str, periods: Sequence[str],
                        pairs: Sequence[str]) -> None:
    """The school's attendance rows of these months in these classes (`pairs`: "period|class", not empty)."""
    months, named_months = in_list("p", periods)
    classes, named_pairs = in_list("c", pairs)
    db.execute(f"DELETE FROM attendance WHERE school_code = :school AND period IN ({months})"
               f" AND period || '|' || class_name IN ({classes})", {"school": school_code, **named_months,
                                                                    **named_pairs})


def drop_replaced_details(db: Connection, school_code: str, periods: Sequence[str], pairs: Sequence[str],
                          import_id: int) -> None:
    """Events of these months in these classes (`pairs`: "period|class") or of a pupil the import `import_id`
    wrote a row for in their month; hours per subject whose month's row is no longer the import that gave them."""
    months, named_months = in_list("p", periods)
    classes, named_pairs = in_list("c", pairs)
    in_pairs = f" substr(e.day, 1, 7) || '|' || e.class_name IN ({classes}) OR" if pairs else ""
    db.execute(f"DELETE FROM attendance_events AS e WHERE e.school_code = :school AND substr(e.day, 1, 7) IN"
               f" ({months}) AND ({in_pairs} EXISTS (SELECT 1 FROM attendance a WHERE a.school_code = e.school_code"
               " AND a.pupil_code = e.pupil_code AND a.period = substr(e.day, 1, 7) AND a.import_id = :import))",
               {"school": school_code, "import": import_id, **named_months, **named_pairs})
    db.execute(f"DELETE FROM attendance_subjects AS s WHERE s.school_code = :school AND s.period IN ({months})"
               " AND NOT EXISTS (SELECT 1 FROM attendance a WHERE a.school_code = s.school_code"
               " AND a.pupil_code = s.pupil_code AND a.period = s.period AND a.import_id = s.import_id)",
               {"school": school_code, **named_months})


def delete_orphan_subjects(db: Connection, school_code: str) -> None:
    """Hours per subject whose month's row is gone or came from another import."""
    db.execute("DELETE FROM attendance_subjects AS s WHERE s.school_code = :school AND NOT EXISTS (SELECT 1 FROM"
               " attendance a WHERE a.school_code = s.school_code AND a.pupil_code = s.pupil_code"
               " AND a.period = s.period AND a.import_id = s.import_id)", {"school": school_code})


def import_classes(db: Connection, school_code: str) -> list[tuple[int, str]]:
    """(import id, class) of the school's attendance rows, each pair once."""
    return db.execute("SELECT DISTINCT import_id, class_name FROM attendance WHERE school_code = :school",
                      {"school": school_code}).fetchall()


def imports(db: Connection, school_code: str, day_by_day: str) -> list[dict]:
    """The school's imports, newest first, with `rows_now`: the rows still held (events, for an import whose
    detail ends with `day_by_day`)."""
    return list(db.query(
        "SELECT i.id, i.kind, i.file_name, i.rows, i.detail, i.imported_by, i.imported_at,"
        " CASE WHEN i.detail LIKE :day_by_day THEN (SELECT COUNT(*) FROM attendance_events e"
        " WHERE e.import_id = i.id)"
        " ELSE (SELECT COUNT(*) FROM attendance a WHERE a.import_id = i.id)"
        " + (SELECT COUNT(*) FROM pupil_context c WHERE c.import_id = i.id)"
        " + (SELECT COUNT(*) FROM outcomes o WHERE o.import_id = i.id) END AS rows_now"
        " FROM imports i WHERE i.school_code = :school ORDER BY i.id DESC",
        {"day_by_day": "%" + day_by_day, "school": school_code}))


def import_kind(db: Connection, import_id: int, school_code: str) -> tuple[str, str] | None:
    """(kind, stored file name) of the school's import, or None."""
    return db.execute("SELECT kind, file_name FROM imports WHERE id = :id AND school_code = :school",
                      {"id": import_id, "school": school_code}).fetchone()


def delete_import_rows(db: Connection, table: str, school_code: str, import_id: int) -> int:
    """Remove the rows of `table` (attendance, attendance_events, pupil_context, outcomes: a name from the code)
    that the import brought; how many."""
    return db.execute(f"DELETE FROM {table} WHERE school_code = :school AND import_id = :import",
                      {"school": school_code, "import": import_id}).rowcount


def delete_import(db: Connection, import_id: int) -> None:
    db.execute("DELETE FROM imports WHERE id = :id", {"id": import_id})


# --- pseudonyms (models/pupils/pseudonyms.py) -------------------------------------------------------------------


def pseudonym_check(db: Connection, school_code: str) -> tuple[str | None] | None:
    """(check value,) of the school's pseudonym secret, or None when the school is unknown."""
    return db.execute("SELECT pseudonym_check FROM schools WHERE code = :school", {"school": school_code}).fetchone()


def set_pseudonym_check(db: Connection, school_code: str, check: str) -> None:
    """The school's check value, unless one is set already."""
    db.execute("UPDATE schools SET pseudonym_check = :check WHERE code = :school AND pseudonym_check IS NULL",
               {"check": check, "school": school_code})


# --- retention (models/pupils/retention.py) ---------------------------------------------------------------------


def retention_years(db: Connection, school_code: str) -> int:
    return db.execute("SELECT retention_years FROM schools WHERE code = :school",
                      {"school": school_code}).fetchone()[0]


def set_retention_years(db: Connection, school_code: str, years: int) -> None:
    db.execute("UPDATE schools SET retention_years = :years WHERE code = :school",
               {"years": years, "school": school_code})


# What a purge deletes, table by table, in this order: the school's rows before the month, day or year.
_PURGES = {
    "attendance": "DELETE FROM attendance WHERE school_code = :school AND period < :month",
    "outcomes": "DELETE FROM outcomes WHERE school_code = :school AND substr(school_year, 1, 4) < :year",
    # Context has no year: it goes with the pupil's last attendance or outcome row.
    "pupil_context": "DELETE FROM pupil_context AS c WHERE c.school_code = :school"
                     " AND NOT EXISTS (SELECT 1 FROM attendance a WHERE a.school_code = c.school_code"
                     " AND a.pupil_code = c.pupil_code) AND NOT EXISTS (SELECT 1 FROM outcomes o"
                     " WHERE o.school_code = c.school_code AND o.pupil_code = c.pupil_code)",
    "reviews": "DELETE FROM reviews WHERE school_code = :school AND reviewed_at < :day",
    "interventions": "DELETE FROM interventions WHERE school_code = :school AND happened_on < :day",
    "derogations": "DELETE FROM derogations WHERE school_code = :school AND substr(school_year, 1, 4) < :year",
    "access_log": "DELETE FROM access_log WHERE school_code = :school AND at < :day",
}


def purge(db: Connection, school_code: str, month: str, day: str, year: str) -> dict[str, int]:
    """Delete the school's pupil-level rows before `month` (YYYY-MM), `day` (YYYY-MM-DD) and the school year
    starting in `year` (YYYY); {table: rows deleted}, in the order of `_PURGES`."""
    params = {"school": school_code, "month": month, "day": day, "year": year}
    return {table: db.execute(sql, params).rowcount for table, sql in _PURGES.items()}


# --- calendars and weeks (models/pupils/school_calendar.py) -----------------------------------------------------


def regional_calendar(db: Connection, school_year: str) -> str | None:
    """The admin's correction of the year's regional calendar (JSON), or None."""
    row = db.execute("SELECT document FROM school_calendar WHERE school_year = :year", {"year": school_year}
                     ).fetchone()
    return row[0] if row else None


def save_regional_calendar(db: Connection, school_year: str, document: str, by: str, at: str) -> None:
    upsert(
        db, "school_calendar",
        {"school_year": school_year, "document": document, "updated_by": by, "updated_at": at},
        ("school_year",))


def local_calendar(db: Connection, school_code: str) -> tuple[str, str, str] | None:
    """(rite, closed as JSON, opened as JSON) of the school, or None."""
    return db.execute("SELECT rite, closed, opened FROM school_local_calendar WHERE school_code = :school",
                      {"school": school_code}).fetchone()


def save_local_calendar(db: Connection, school_code: str, rite: str, closed: str, opened: str, by: str,
                        at: str) -> None:
    upsert(
        db, "school_local_calendar",
        {"school_code": school_code, "rite": rite, "closed": closed, "opened": opened, "updated_by": by,
         "updated_at": at},
        ("school_code",))


def schools_with_months(db: Connection) -> list[str]:
    """Every school with attendance data."""
    return [r[0] for r in db.execute("SELECT DISTINCT school_code FROM attendance_months").fetchall()]


def school_hours(db: Connection, school_code: str) -> tuple[str, float | None]:
    """(level, annual hours or None) of the school."""
    return db.execute("SELECT level, annual_hours FROM schools WHERE code = :school", {"school": school_code}
                      ).fetchone()


def class_weeks(db: Connection, school_code: str) -> list[tuple[str, str]]:
    """(class, hours as JSON) of the school's weeks, by class ('': the school's default)."""
    return db.execute("SELECT class_name, hours FROM class_weeks WHERE school_code = :school ORDER BY class_name",
                      {"school": school_code}).fetchall()


def known_classes(db: Connection, school_code: str) -> list[str]:
    """The classes of the school's attendance rows or with a week of their own."""
    return [r[0] for r in db.execute("SELECT DISTINCT class_name FROM attendance WHERE school_code = :school"
                                     " UNION SELECT class_name FROM class_weeks WHERE school_code = :school"
                                     " AND class_name != ''", {"school": school_code}).fetchall()]


def delete_class_week(db: Connection, school_code: str, class_name: str) -> None:
    db.execute("DELETE FROM class_weeks WHERE school_code = :school AND class_name = :class",
               {"school": school_code, "class": class_name})


def save_class_week(db: Connection, school_code: str, class_name: str, hours: str) -> None:
    upsert(
        db, "class_weeks",
        {"school_code": school_code, "class_name": class_name, "hours": hours},
        ("school_code", "class_name"))


def event_months(db: Connection, school_code: str) -> list[str]:
    """The months of the school's day-by-day events, oldest first."""
    return [r[0] for r in db.execute("SELECT DISTINCT substr(day, 1, 7) FROM attendance_events"
                                     " WHERE school_code = :school ORDER BY 1", {"school": school_code})]


def events_of_months(db: Connection, school_code: str, periods: Sequence[str]) -> list[tuple]:
    """(pupil, period, class, day, kind, hours, justified) of the school's events in the months (not none)."""
    marks, named = in_list("p", periods)
    return db.execute(f"SELECT pupil_code, substr(day, 1, 7), class_name, day, kind, hours, justified"
                      f" FROM attendance_events WHERE school_code = :school AND substr(day, 1, 7) IN ({marks})",
                      {"school": school_code, **named}).fetchall()


def rows_of_months(db: Connection, school_code: str, periods: Sequence[str]) -> list[tuple]:
    """(pupil, period, class, whether the justified hours are unknown) of the school's monthly rows in the months
    (not none)."""
    marks, named = in_list("p", periods)
    return db.execute(f"SELECT pupil_code, period, class_name, justified_hours IS NULL FROM attendance"
                      f" WHERE school_code = :school AND period IN ({marks})", {"school": school_code, **named}
                      ).fetchall()


HOURS_COLUMNS = ("scheduled", "absence", "justified", "school", "pupil", "period")


def set_month_hours(db: Connection, rows: Iterable[tuple]) -> None:
    """Monthly rows' hours computed again from their events: rows of `HOURS_COLUMNS`. Bound by position
    (`execute_rows`); on PostgreSQL, psycopg's pipelined executemany."""
    execute_rows(db, "UPDATE attendance SET scheduled_hours = :scheduled, absence_hours = :absence,"
                     " justified_hours = :justified WHERE school_code = :school AND pupil_code = :pupil"
                     " AND period = :period", HOURS_COLUMNS, rows)
