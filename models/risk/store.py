"""All the SQL of risk: the thresholds of each network, the derogations to the 25 % limit and their criteria,
and which pupils a teacher sees.

In the subset of SQL that SQLite and PostgreSQL share (named parameters, RETURNING instead of lastrowid,
ON CONFLICT ... DO UPDATE instead of INSERT OR REPLACE). Functions take the connection and plain values and
return rows or values; permissions, checks and transactions stay with the callers.
"""

from __future__ import annotations

import sqlite_utils

from models.core.store import insert, insert_returning_id

# --- who sees which pupils ----------------------------------------------------------------------------------


def teacher_classes(db: sqlite_utils.Database, user_id: int) -> list[str]:
    return [r[0] for r in db.execute("SELECT class_name FROM teacher_classes WHERE user_id = :user"
                                     " ORDER BY class_name", {"user": user_id}).fetchall()]


def current_class(db: sqlite_utils.Database, school_code: str, pupil_code: str) -> tuple[str] | None:
    """(class,) of the pupil's latest period of attendance, or None."""
    return db.execute("SELECT class_name FROM attendance WHERE school_code = :school AND pupil_code = :pupil"
                      " ORDER BY period DESC LIMIT 1", {"school": school_code, "pupil": pupil_code}).fetchone()


def pupil_periods(db: sqlite_utils.Database, school_code: str, pupil_code: str) -> list[str]:
    """The periods of the pupil's attendance data."""
    return [r[0] for r in db.execute("SELECT DISTINCT period FROM attendance WHERE school_code = :school"
                                     " AND pupil_code = :pupil", {"school": school_code, "pupil": pupil_code})]


# --- thresholds -------------------------------------------------------------------------------------------------


def rules_settings(db: sqlite_utils.Database, network_code: str) -> str | None:
    """The network's stored thresholds (JSON), or None."""
    row = db.execute("SELECT settings FROM risk_rules WHERE network_code = :network",
                     {"network": network_code}).fetchone()
    return row[0] if row else None


def save_rules(db: sqlite_utils.Database, network_code: str, settings: str, by: str, at: str) -> None:
    db.execute("INSERT INTO risk_rules (network_code, settings, updated_by, updated_at)"
               " VALUES (:network, :settings, :by, :at) ON CONFLICT (network_code) DO UPDATE SET"
               " settings = excluded.settings, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
               {"network": network_code, "settings": settings, "by": by, "at": at})


def network_school_count(db: sqlite_utils.Database, network_code: str) -> int:
    return db.execute("SELECT COUNT(*) FROM schools WHERE network_code = :network",
                      {"network": network_code}).fetchone()[0]


def insert_level_job(db: sqlite_utils.Database, network_code: str, rules: str, schools_total: int, by: str,
                     at: str) -> None:
    """A job that recomputes the network's levels by month with new thresholds."""
    insert(db, "level_jobs", {"network_code": network_code, "rules": rules, "status": "in_attesa",
                              "schools_total": schools_total, "requested_by": by, "requested_at": at})


# --- derogations --------------------------------------------------------------------------------------------


def derogation_criteria(db: sqlite_utils.Database, school_code: str) -> tuple[str, str] | None:
    """(criteria as JSON, resolution) of the school, or None."""
    return db.execute("SELECT criteria, resolution FROM derogation_criteria WHERE school_code = :school",
                      {"school": school_code}).fetchone()


def save_derogation_criteria(db: sqlite_utils.Database, school_code: str, criteria: str, resolution: str, by: str,
                             at: str) -> None:
    db.execute("INSERT INTO derogation_criteria (school_code, criteria, resolution, updated_by, updated_at)"
               " VALUES (:school, :criteria, :resolution, :by, :at) ON CONFLICT (school_code) DO UPDATE SET"
               " criteria = excluded.criteria, resolution = excluded.resolution, updated_by = excluded.updated_by,"
               " updated_at = excluded.updated_at",
               {"school": school_code, "criteria": criteria, "resolution": resolution, "by": by, "at": at})


def insert_derogation(db: sqlite_utils.Database, school_code: str, pupil_code: str, school_year: str, hours: float,
                      reason: str, on_day: str, note: str, by: str, at: str) -> int:
    """The new derogation's id."""
    return insert_returning_id(
        db, "derogations",
        {"school_code": school_code, "pupil_code": pupil_code, "school_year": school_year, "hours": hours,
         "reason": reason, "on_day": on_day, "note": note, "recorded_by": by, "recorded_at": at})


def derogation_pupil(db: sqlite_utils.Database, derogation_id: int, school_code: str) -> str | None:
    """The pupil of a derogation of the school, or None."""
    row = db.execute("SELECT pupil_code FROM derogations WHERE id = :id AND school_code = :school",
                     {"id": derogation_id, "school": school_code}).fetchone()
    return row[0] if row else None


def delete_derogation(db: sqlite_utils.Database, derogation_id: int) -> None:
    db.execute("DELETE FROM derogations WHERE id = :id", {"id": derogation_id})


def pupil_derogations(db: sqlite_utils.Database, school_code: str, pupil_code: str) -> list[tuple]:
    """(id, school_year, hours, reason, on_day, note, recorded_by), newest decision first."""
    return db.execute("SELECT id, school_year, hours, reason, on_day, note, recorded_by FROM derogations"
                      " WHERE school_code = :school AND pupil_code = :pupil ORDER BY on_day DESC, id DESC",
                      {"school": school_code, "pupil": pupil_code}).fetchall()


def derogation_hours(db: sqlite_utils.Database, school_code: str, school_year: str) -> list[tuple[str, float]]:
    """(pupil, hours under a derogation) in the school year."""
    return db.execute("SELECT pupil_code, SUM(hours) FROM derogations WHERE school_code = :school"
                      " AND school_year = :year GROUP BY pupil_code",
                      {"school": school_code, "year": school_year}).fetchall()


# --- the learned model -----------------------------------------------------------------------------------------


def outcomes(db: sqlite_utils.Database, school_code: str) -> list[tuple[str, str, str]]:
    """(pupil, school_year, outcome) of the school's pupils."""
    return db.execute("SELECT pupil_code, school_year, outcome FROM outcomes WHERE school_code = :school",
                      {"school": school_code}).fetchall()


def latest_model_version(db: sqlite_utils.Database, network_code: str) -> int:
    """The network's latest model version; 0 if none."""
    return db.execute("SELECT MAX(version) FROM risk_models WHERE network_code = :network",
                      {"network": network_code}).fetchone()[0] or 0


def insert_model(db: sqlite_utils.Database, network_code: str, version: int, created_at: str, document: str,
                 checksum: str) -> None:
    insert(db, "risk_models", {"network_code": network_code, "version": version, "created_at": created_at,
                               "document": document, "checksum": checksum})


def latest_model(db: sqlite_utils.Database, network_code: str) -> tuple[str, str] | None:
    """(document, checksum) of the network's latest model, or None."""
    return db.execute("SELECT document, checksum FROM risk_models WHERE network_code = :network"
                      " ORDER BY version DESC LIMIT 1", {"network": network_code}).fetchone()


def network_latest_period(db: sqlite_utils.Database, network_code: str) -> str | None:
    """The latest month ("YYYY-MM") of attendance of any school of the network, or None."""
    row = db.execute("SELECT MAX(m.period) FROM attendance_months m JOIN schools s ON s.code = m.school_code"
                     " WHERE s.network_code = :network", {"network": network_code}).fetchone()
    return row[0] if row else None


def follow_shares(db: sqlite_utils.Database, network_code: str) -> list[tuple[str, float | None]]:
    """(school, follow_share) of the network's schools."""
    return db.execute("SELECT code, follow_share FROM schools WHERE network_code = :network",
                      {"network": network_code}).fetchall()


def school_network(db: sqlite_utils.Database, school_code: str) -> str | None:
    row = db.execute("SELECT network_code FROM schools WHERE code = :school", {"school": school_code}).fetchone()
    return row[0] if row else None


def set_follow_share(db: sqlite_utils.Database, school_code: str, share: float) -> None:
    db.execute("UPDATE schools SET follow_share = :share WHERE code = :school", {"share": share, "school": school_code})


def follow_share(db: sqlite_utils.Database, school_code: str) -> float | None:
    row = db.execute("SELECT follow_share FROM schools WHERE code = :school", {"school": school_code}).fetchone()
    return row[0] if row else None


# --- teachers' classes ----------------------------------------------------------------------------------------


def classes_of_username(db: sqlite_utils.Database, username: str) -> list[str]:
    return [r[0] for r in db.execute("SELECT t.class_name FROM teacher_classes t JOIN users u ON u.id = t.user_id"
                                     " WHERE u.username = :username ORDER BY t.class_name",
                                     {"username": username}).fetchall()]


def user_for_classes(db: sqlite_utils.Database, username: str) -> tuple[int, str, str | None] | None:
    """(id, role, school) of the user, or None."""
    return db.execute("SELECT id, role, school_code FROM users WHERE username = :username",
                      {"username": username}).fetchone()


def set_teacher_classes(db: sqlite_utils.Database, user_id: int, classes: list[str]) -> None:
    """The teacher's classes, all of them replaced."""
    db.execute("DELETE FROM teacher_classes WHERE user_id = :user", {"user": user_id})
    db.conn.executemany("INSERT INTO teacher_classes (user_id, class_name) VALUES (:user, :class)",
                        [{"user": user_id, "class": c} for c in classes])


# --- a school's attendance, as the scoring reads it ------------------------------------------------------------

ATTENDANCE_COLUMNS = ["pupil_code", "class_name", "period", "scheduled_hours", "absence_hours", "late_entries",
                      "early_exits"]


def attendance(db: sqlite_utils.Database, school_code: str, since: str | None = None,
               pupil_code: str | None = None) -> list[tuple]:
    """Monthly rows of a school (`ATTENDANCE_COLUMNS`), from `since` on, of one pupil or all."""
    sql = f"SELECT {', '.join(ATTENDANCE_COLUMNS)} FROM attendance WHERE school_code = :school"
    params: dict = {"school": school_code}
    if since is not None:
        sql += " AND period >= :since"
        params["since"] = since
    if pupil_code is not None:
        sql += " AND pupil_code = :pupil"
        params["pupil"] = pupil_code
    return db.execute(sql, params).fetchall()


def pupil_context(db: sqlite_utils.Database, school_code: str, columns: list[str]) -> list[tuple]:
    """The `columns` (names from the code, never from users) of the school's pupils' context."""
    return db.execute(f"SELECT {', '.join(columns)} FROM pupil_context WHERE school_code = :school",
                      {"school": school_code}).fetchall()


def school_scoring(db: sqlite_utils.Database, school_code: str) -> tuple[str, float | None, str | None]:
    """(level, annual_hours, network) of the school."""
    return db.execute("SELECT level, annual_hours, network_code FROM schools WHERE code = :school",
                      {"school": school_code}).fetchone()


def data_stamp_parts(db: sqlite_utils.Database, school_code: str) -> tuple:
    """What a school's scores are computed from: (last import id, imports, rows, level, annual hours, classes'
    weeks packed as text, calendar's update or None); outcomes' imports aside.

    group_concat is SQLite's: PostgreSQL will use string_agg(class_name || ':' || hours::text, '|') (a new
    stamp there, whose text differs: the kept rows are then packed again once)."""
    imports = db.execute("SELECT COALESCE(MAX(id), 0), COUNT(*) FROM imports WHERE school_code = :school"
                         " AND kind != 'outcomes'", {"school": school_code}).fetchone()
    rows = db.execute("SELECT COALESCE(SUM(rows), 0) FROM attendance_months WHERE school_code = :school",
                      {"school": school_code}).fetchone()[0]
    level, hours = db.execute("SELECT level, annual_hours FROM schools WHERE code = :school",
                              {"school": school_code}).fetchone()
    timetable = db.execute("SELECT group_concat(class_name || ':' || hours, '|') FROM class_weeks"
                           " WHERE school_code = :school", {"school": school_code}).fetchone()[0]
    calendar = db.execute("SELECT updated_at FROM school_local_calendar WHERE school_code = :school",
                          {"school": school_code}).fetchone()
    return (*imports, rows, level, hours, timetable, calendar and calendar[0])


def months(db: sqlite_utils.Database, school_code: str) -> list[str]:
    """The months with attendance data, oldest first (a small table kept by the importer)."""
    return [r[0] for r in db.execute("SELECT period FROM attendance_months WHERE school_code = :school"
                                     " ORDER BY period", {"school": school_code})]


# Each row of a school year packed by SQLite into one integer: calendar month, late entries + early exits
# (1023: neither known), scheduled and absence hours in tenths. A value that does not fit exactly (hours
# that are not whole tenths, counts over 1022) turns the row's number into a REAL, which the integer
# parse refuses: the caller then reads the frame instead.
_LATE = "coalesce(late_entries, 0) + coalesce(early_exits, 0)"


def _tenths(column: str) -> str:
    return (f"CASE WHEN {column} BETWEEN 0 AND 100000 AND CAST({column} * 10 AS INT) / 10.0 = {column}"
            f" THEN CAST({column} * 10 AS INT) ELSE 0.5 END")


PACKED = (f"(CAST(substr(period, 6, 2) AS INT) * 1024 + CASE WHEN late_entries IS NULL AND early_exits IS NULL"
          f" THEN 1023 WHEN {_LATE} BETWEEN 0 AND 1022 THEN {_LATE} ELSE 0.5 END) * 1099511627776"
          f" + {_tenths('scheduled_hours')} * 1048576 + {_tenths('absence_hours')}")


def packed_by_pupil(db: sqlite_utils.Database, school_code: str, since: str, until: str) -> list[tuple]:
    """(pupil, class of the last month, last month, months, every row packed (`PACKED`) as comma-separated text)
    for each pupil with rows from `since` to `until`.

    SQLite's: group_concat, and the bare class_name beside MAX(period) taken from the row holding the maximum.
    PostgreSQL will use string_agg((...)::text, ',') and the class from a DISTINCT ON (pupil_code) ... ORDER BY
    period DESC subquery; its numbers do not turn REAL at the 0.5 marks (a value the packing cannot carry), so
    there that mark will be a text that the integer parse refuses."""
    return db.execute(f"SELECT pupil_code, class_name, MAX(period), COUNT(*), group_concat({PACKED})"
                      " FROM attendance WHERE school_code = :school AND period >= :since AND period <= :until"
                      " GROUP BY pupil_code", {"school": school_code, "since": since, "until": until}).fetchall()


def latest_classes(db: sqlite_utils.Database, school_code: str, since: str) -> list[tuple[str, str, str]]:
    """(pupil, class of the pupil's latest month, latest month) from `since` on, by pupil code.

    SQLite's bare column next to MAX() comes from the row holding the maximum: the latest class. PostgreSQL
    will use SELECT DISTINCT ON (pupil_code) pupil_code, class_name, period ... ORDER BY pupil_code, period
    DESC."""
    return db.execute("SELECT pupil_code, class_name, MAX(period) FROM attendance WHERE school_code = :school"
                      " AND period >= :since GROUP BY pupil_code ORDER BY pupil_code",
                      {"school": school_code, "since": since}).fetchall()


def delete_packed_years(db: sqlite_utils.Database, school_code: str, first_month: str | None = None) -> None:
    """The school's kept packed years: all, or the one starting at `first_month`."""
    if first_month is None:
        db.execute("DELETE FROM attendance_year_packed WHERE school_code = :school", {"school": school_code})
    else:
        db.execute("DELETE FROM attendance_year_packed WHERE school_code = :school AND first_month = :since",
                   {"school": school_code, "since": first_month})


def insert_packed_year(db: sqlite_utils.Database, school_code: str, first_month: str, stamp: str, pupils: str,
                       classes: str, last_periods: str, counts: bytes, rows: bytes) -> None:
    """A school year's rows kept packed (BLOBs: on PostgreSQL, bytea)."""
    insert(
        db, "attendance_year_packed",
        {"school_code": school_code, "first_month": first_month, "stamp": stamp, "pupils": pupils, "classes": classes,
         "last_periods": last_periods, "counts": counts, "rows": rows})


def packed_year(db: sqlite_utils.Database, school_code: str, first_month: str) -> tuple | None:
    """(stamp, pupils, classes, last_periods, counts, rows) of a kept school year, or None."""
    return db.execute("SELECT stamp, pupils, classes, last_periods, counts, rows FROM attendance_year_packed"
                      " WHERE school_code = :school AND first_month = :since",
                      {"school": school_code, "since": first_month}).fetchone()


def savepoint(db: sqlite_utils.Database, name: str) -> None:
    """Several reads on one snapshot (`name` from the code, never from users)."""
    db.execute(f"SAVEPOINT {name}")


def release(db: sqlite_utils.Database, name: str) -> None:
    db.execute(f"RELEASE {name}")


def subject_hours(db: sqlite_utils.Database, school_code: str, pupil_code: str) -> list[tuple]:
    """(period, subject, scheduled_hours, absence_hours) of the pupil, by month and subject."""
    return db.execute("SELECT period, subject, scheduled_hours, absence_hours FROM attendance_subjects"
                      " WHERE school_code = :school AND pupil_code = :pupil ORDER BY period, subject",
                      {"school": school_code, "pupil": pupil_code}).fetchall()
