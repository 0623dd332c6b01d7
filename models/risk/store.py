"""All the SQL of risk: the thresholds of each network, the derogations to the 25 % limit and their criteria,
which pupils a teacher sees, the scoring's reads, and the level history by month with its generations and jobs.

In the subset of SQL that SQLite and PostgreSQL share (named parameters, RETURNING instead of lastrowid,
ON CONFLICT ... DO UPDATE instead of INSERT OR REPLACE). Functions take the connection and plain values and
return rows or values; permissions, checks and transactions stay with the callers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from models.core.connection import Connection, execute_rows, executemany
from models.core.store import in_list, insert, insert_returning_id, upsert

# --- who sees which pupils ----------------------------------------------------------------------------------


def teacher_classes(db: Connection, user_id: int) -> list[str]:
    return [r[0] for r in db.execute("SELECT class_name FROM teacher_classes WHERE user_id = :user"
                                     " ORDER BY class_name", {"user": user_id}).fetchall()]


def current_class(db: Connection, school_code: str, pupil_code: str) -> tuple[str] | None:
    """(class,) of the pupil's latest period of attendance, or None."""
    return db.execute("SELECT class_name FROM attendance WHERE school_code = :school AND pupil_code = :pupil"
                      " ORDER BY period DESC LIMIT 1", {"school": school_code, "pupil": pupil_code}).fetchone()


def pupil_periods(db: Connection, school_code: str, pupil_code: str) -> list[str]:
    """The periods of the pupil's attendance data."""
    return [r[0] for r in db.execute("SELECT DISTINCT period FROM attendance WHERE school_code = :school"
                                     " AND pupil_code = :pupil", {"school": school_code, "pupil": pupil_code})]


# --- thresholds -------------------------------------------------------------------------------------------------


def rules_settings(db: Connection, network_code: str) -> str | None:
    """The network's stored thresholds (JSON), or None."""
    row = db.execute("SELECT settings FROM risk_rules WHERE network_code = :network",
                     {"network": network_code}).fetchone()
    return row[0] if row else None


def save_rules(db: Connection, network_code: str, settings: str, by: str, at: str) -> None:
    upsert(
        db, "risk_rules",
        {"network_code": network_code, "settings": settings, "updated_by": by, "updated_at": at},
        ("network_code",))


def network_school_count(db: Connection, network_code: str) -> int:
    return db.execute("SELECT COUNT(*) FROM schools WHERE network_code = :network",
                      {"network": network_code}).fetchone()[0]


def insert_level_job(db: Connection, network_code: str, rules: str, schools_total: int, by: str,
                     at: str) -> None:
    """A job that recomputes the network's levels by month with new thresholds."""
    insert(db, "level_jobs", {"network_code": network_code, "rules": rules, "status": "in_attesa",
                              "schools_total": schools_total, "requested_by": by, "requested_at": at})


# --- derogations --------------------------------------------------------------------------------------------


def derogation_criteria(db: Connection, school_code: str) -> tuple[str, str] | None:
    """(criteria as JSON, resolution) of the school, or None."""
    return db.execute("SELECT criteria, resolution FROM derogation_criteria WHERE school_code = :school",
                      {"school": school_code}).fetchone()


def save_derogation_criteria(db: Connection, school_code: str, criteria: str, resolution: str, by: str,
                             at: str) -> None:
    upsert(
        db, "derogation_criteria",
        {"school_code": school_code, "criteria": criteria, "resolution": resolution, "updated_by": by,
         "updated_at": at},
        ("school_code",))


def insert_derogation(db: Connection, school_code: str, pupil_code: str, school_year: str, hours: float,
                      reason: str, on_day: str, note: str, by: str, at: str) -> int:
    """The new derogation's id."""
    return insert_returning_id(
        db, "derogations",
        {"school_code": school_code, "pupil_code": pupil_code, "school_year": school_year, "hours": hours,
         "reason": reason, "on_day": on_day, "note": note, "recorded_by": by, "recorded_at": at})


def derogation_pupil(db: Connection, derogation_id: int, school_code: str) -> str | None:
    """The pupil of a derogation of the school, or None."""
    row = db.execute("SELECT pupil_code FROM derogations WHERE id = :id AND school_code = :school",
                     {"id": derogation_id, "school": school_code}).fetchone()
    return row[0] if row else None


def delete_derogation(db: Connection, derogation_id: int) -> None:
    db.execute("DELETE FROM derogations WHERE id = :id", {"id": derogation_id})


def pupil_derogations(db: Connection, school_code: str, pupil_code: str) -> list[tuple]:
    """(id, school_year, hours, reason, on_day, note, recorded_by), newest decision first."""
    return db.execute("SELECT id, school_year, hours, reason, on_day, note, recorded_by FROM derogations"
                      " WHERE school_code = :school AND pupil_code = :pupil ORDER BY on_day DESC, id DESC",
                      {"school": school_code, "pupil": pupil_code}).fetchall()


def derogation_hours(db: Connection, school_code: str, school_year: str) -> list[tuple[str, float]]:
    """(pupil, hours under a derogation) in the school year."""
    return db.execute("SELECT pupil_code, SUM(hours) FROM derogations WHERE school_code = :school"
                      " AND school_year = :year GROUP BY pupil_code",
                      {"school": school_code, "year": school_year}).fetchall()


# --- the learned model -----------------------------------------------------------------------------------------


def outcomes(db: Connection, school_code: str) -> list[tuple[str, str, str]]:
    """(pupil, school_year, outcome) of the school's pupils."""
    return db.execute("SELECT pupil_code, school_year, outcome FROM outcomes WHERE school_code = :school",
                      {"school": school_code}).fetchall()


def latest_model_version(db: Connection, network_code: str) -> int:
    """The network's latest model version; 0 if none."""
    return db.execute("SELECT MAX(version) FROM risk_models WHERE network_code = :network",
                      {"network": network_code}).fetchone()[0] or 0


def insert_model(db: Connection, network_code: str, version: int, created_at: str, document: str,
                 checksum: str) -> None:
    insert(db, "risk_models", {"network_code": network_code, "version": version, "created_at": created_at,
                               "document": document, "checksum": checksum})


def latest_model(db: Connection, network_code: str) -> tuple[str, str] | None:
    """(document, checksum) of the network's latest model, or None."""
    return db.execute("SELECT document, checksum FROM risk_models WHERE network_code = :network"
                      " ORDER BY version DESC LIMIT 1", {"network": network_code}).fetchone()


def network_latest_period(db: Connection, network_code: str) -> str | None:
    """The latest month ("YYYY-MM") of attendance of any school of the network, or None."""
    row = db.execute("SELECT MAX(m.period) FROM attendance_months m JOIN schools s ON s.code = m.school_code"
                     " WHERE s.network_code = :network", {"network": network_code}).fetchone()
    return row[0] if row else None


def follow_shares(db: Connection, network_code: str) -> list[tuple[str, float | None]]:
    """(school, follow_share) of the network's schools."""
    return db.execute("SELECT code, follow_share FROM schools WHERE network_code = :network",
                      {"network": network_code}).fetchall()


def school_network(db: Connection, school_code: str) -> str | None:
    row = db.execute("SELECT network_code FROM schools WHERE code = :school", {"school": school_code}).fetchone()
    return row[0] if row else None


def set_follow_share(db: Connection, school_code: str, share: float) -> None:
    db.execute("UPDATE schools SET follow_share = :share WHERE code = :school", {"share": share, "school": school_code})


def follow_share(db: Connection, school_code: str) -> float | None:
    row = db.execute("SELECT follow_share FROM schools WHERE code = :school", {"school": school_code}).fetchone()
    return row[0] if row else None


# --- teachers' classes ----------------------------------------------------------------------------------------


def classes_of_username(db: Connection, username: str) -> list[str]:
    return [r[0] for r in db.execute("SELECT t.class_name FROM teacher_classes t JOIN users u ON u.id = t.user_id"
                                     " WHERE u.username = :username ORDER BY t.class_name",
                                     {"username": username}).fetchall()]


def user_for_classes(db: Connection, username: str) -> tuple[int, str, str | None] | None:
    """(id, role, school) of the user, or None."""
    return db.execute("SELECT id, role, school_code FROM users WHERE username = :username",
                      {"username": username}).fetchone()


def set_teacher_classes(db: Connection, user_id: int, classes: list[str]) -> None:
    """The teacher's classes, all of them replaced."""
    db.execute("DELETE FROM teacher_classes WHERE user_id = :user", {"user": user_id})
    executemany(db, "INSERT INTO teacher_classes (user_id, class_name) VALUES (:user, :class)",
                [{"user": user_id, "class": c} for c in classes])


# --- a school's attendance, as the scoring reads it ------------------------------------------------------------

ATTENDANCE_COLUMNS = ["pupil_code", "class_name", "period", "scheduled_hours", "absence_hours", "late_entries",
                      "early_exits"]


def attendance(db: Connection, school_code: str, since: str | None = None,
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


def pupil_context(db: Connection, school_code: str, columns: list[str]) -> list[tuple]:
    """The `columns` (names from the code, never from users) of the school's pupils' context."""
    return db.execute(f"SELECT {', '.join(columns)} FROM pupil_context WHERE school_code = :school",
                      {"school": school_code}).fetchall()


def school_scoring(db: Connection, school_code: str) -> tuple[str, float | None, str | None]:
    """(level, annual_hours, network) of the school."""
    return db.execute("SELECT level, annual_hours, network_code FROM schools WHERE code = :school",
                      {"school": school_code}).fetchone()


def data_stamp_parts(db: Connection, school_code: str) -> tuple:
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


def months(db: Connection, school_code: str) -> list[str]:
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


def packed_by_pupil(db: Connection, school_code: str, since: str, until: str) -> list[tuple]:
    """(pupil, class of the last month, last month, months, every row packed (`PACKED`) as comma-separated text)
    for each pupil with rows from `since` to `until`.

    SQLite's: group_concat, and the bare class_name beside MAX(period) taken from the row holding the maximum.
    PostgreSQL will use string_agg((...)::text, ',') and the class from a DISTINCT ON (pupil_code) ... ORDER BY
    period DESC subquery; its numbers do not turn REAL at the 0.5 marks (a value the packing cannot carry), so
    there that mark will be a text that the integer parse refuses."""
    return db.execute(f"SELECT pupil_code, class_name, MAX(period), COUNT(*), group_concat({PACKED})"
                      " FROM attendance WHERE school_code = :school AND period >= :since AND period <= :until"
                      " GROUP BY pupil_code", {"school": school_code, "since": since, "until": until}).fetchall()


def latest_classes(db: Connection, school_code: str, since: str) -> list[tuple[str, str, str]]:
    """(pupil, class of the pupil's latest month, latest month) from `since` on, by pupil code.

    SQLite's bare column next to MAX() comes from the row holding the maximum: the latest class. PostgreSQL
    will use SELECT DISTINCT ON (pupil_code) pupil_code, class_name, period ... ORDER BY pupil_code, period
    DESC."""
    return db.execute("SELECT pupil_code, class_name, MAX(period) FROM attendance WHERE school_code = :school"
                      " AND period >= :since GROUP BY pupil_code ORDER BY pupil_code",
                      {"school": school_code, "since": since}).fetchall()


def delete_packed_years(db: Connection, school_code: str, first_month: str | None = None) -> None:
    """The school's kept packed years: all, or the one starting at `first_month`."""
    if first_month is None:
        db.execute("DELETE FROM attendance_year_packed WHERE school_code = :school", {"school": school_code})
    else:
        db.execute("DELETE FROM attendance_year_packed WHERE school_code = :school AND first_month = :since",
                   {"school": school_code, "since": first_month})


def insert_packed_year(db: Connection, school_code: str, first_month: str, stamp: str, pupils: str,
                       classes: str, last_periods: str, counts: bytes, rows: bytes) -> None:
    """A school year's rows kept packed (BLOBs: on PostgreSQL, bytea)."""
    insert(
        db, "attendance_year_packed",
        {"school_code": school_code, "first_month": first_month, "stamp": stamp, "pupils": pupils, "classes": classes,
         "last_periods": last_periods, "counts": counts, "rows": rows})


def packed_year(db: Connection, school_code: str, first_month: str) -> tuple | None:
    """(stamp, pupils, classes, last_periods, counts, rows) of a kept school year, or None."""
    return db.execute("SELECT stamp, pupils, classes, last_periods, counts, rows FROM attendance_year_packed"
                      " WHERE school_code = :school AND first_month = :since",
                      {"school": school_code, "since": first_month}).fetchone()


def savepoint(db: Connection, name: str) -> None:
    """Several reads on one snapshot (`name` from the code, never from users)."""
    db.execute(f"SAVEPOINT {name}")


def release(db: Connection, name: str) -> None:
    db.execute(f"RELEASE {name}")


def subject_hours(db: Connection, school_code: str, pupil_code: str) -> list[tuple]:
    """(period, subject, scheduled_hours, absence_hours) of the pupil, by month and subject."""
    return db.execute("SELECT period, subject, scheduled_hours, absence_hours FROM attendance_subjects"
                      " WHERE school_code = :school AND pupil_code = :pupil ORDER BY period, subject",
                      {"school": school_code, "pupil": pupil_code}).fetchall()


# --- the level history by month and its generations (models/risk/history.py) ----------------------------------

LEVEL_COLUMNS = ("school_code", "generation", "period", "pupil_code", "class_name", "level", "absence_ratio")


def live_generation(db: Connection, school_code: str) -> tuple[int, str, str] | None:
    """(generation, data stamp, thresholds as JSON) of the school's live levels, or None."""
    return db.execute("SELECT generation, stamp, rules FROM level_generations WHERE school_code = :school",
                      {"school": school_code}).fetchone()


def set_live_generation(db: Connection, school_code: str, generation: int, stamp: str,
                        rules: str) -> None:
    upsert(
        db, "level_generations",
        {"school_code": school_code, "generation": generation, "stamp": stamp, "rules": rules},
        ("school_code",))


def has_months(db: Connection, school_code: str) -> bool:
    """Whether the school has any attendance data."""
    return db.execute("SELECT 1 FROM attendance_months WHERE school_code = :school LIMIT 1",
                      {"school": school_code}).fetchone() is not None


def delete_levels(db: Connection, school_code: str, generation: int,
                  months: Sequence[str] | None = None) -> None:
    """A generation's levels of the school: all, or of `months` (not empty)."""
    sql = "DELETE FROM level_history WHERE school_code = :school AND generation = :generation"
    params: dict = {"school": school_code, "generation": generation}
    if months is not None:
        marks, named = in_list("m", months)
        sql += f" AND period IN ({marks})"
        params |= named
    db.execute(sql, params)


def insert_levels(db: Connection, rows: Iterable[tuple]) -> None:
    """Levels (`LEVEL_COLUMNS`): a school's generation, 10^5 rows and more. Bound by position
    (`models.core.connection.execute_rows`); on PostgreSQL, COPY level_history."""
    execute_rows(db, f"INSERT INTO level_history ({', '.join(LEVEL_COLUMNS)})"
                     f" VALUES ({', '.join(':' + c for c in LEVEL_COLUMNS)})", LEVEL_COLUMNS, rows)


def levels(db: Connection, school_code: str, generation: int) -> list[tuple]:
    """(period, pupil_code, class_name, level, absence_ratio) of a generation of the school, by month and pupil."""
    return db.execute("SELECT period, pupil_code, class_name, level, absence_ratio FROM level_history"
                      " WHERE school_code = :school AND generation = :generation ORDER BY period, pupil_code",
                      {"school": school_code, "generation": generation}).fetchall()


def delete_packed_levels(db: Connection, school_code: str, generation: int) -> None:
    db.execute("DELETE FROM level_history_packed WHERE school_code = :school AND generation = :generation",
               {"school": school_code, "generation": generation})


def insert_packed_levels(db: Connection, school_code: str, generation: int, rows: int, periods: str,
                         pupils: str, classes: str, levels: str, indexes: bytes, ratios: bytes) -> None:
    """A generation's levels packed in one row (BLOBs: on PostgreSQL, bytea)."""
    insert(db, "level_history_packed", {"school_code": school_code, "generation": generation, "rows": rows,
                                        "periods": periods, "pupils": pupils, "classes": classes, "levels": levels,
                                        "indexes": indexes, "ratios": ratios})


def packed_levels(db: Connection, school_code: str, generation: int) -> tuple | None:
    """(rows, periods, pupils, classes, levels, indexes, ratios) of a generation's packed row, or None."""
    return db.execute("SELECT rows, periods, pupils, classes, levels, indexes, ratios FROM level_history_packed"
                      " WHERE school_code = :school AND generation = :generation",
                      {"school": school_code, "generation": generation}).fetchone()


def delete_other_generations(db: Connection, school_code: str, generation: int) -> None:
    """The school's levels, plain and packed, of every generation but `generation`."""
    params = {"school": school_code, "generation": generation}
    db.execute("DELETE FROM level_history WHERE school_code = :school AND generation != :generation", params)
    db.execute("DELETE FROM level_history_packed WHERE school_code = :school AND generation != :generation", params)


# --- jobs recomputing a network's levels -----------------------------------------------------------------------

_JOB = "SELECT id, network_code, status, schools_done, schools_total, error FROM level_jobs"


def latest_job(db: Connection, network_code: str) -> tuple | None:
    """(id, network, status, schools done, schools in all, error) of the network's last job, or None."""
    return db.execute(f"{_JOB} WHERE network_code = :network ORDER BY id DESC LIMIT 1",
                      {"network": network_code}).fetchone()


def job(db: Connection, job_id: int) -> tuple | None:
    """(id, network, status, schools done, schools in all, error) of the job, or None."""
    return db.execute(f"{_JOB} WHERE id = :job", {"job": job_id}).fetchone()


# A job anyone may take: waiting, or running with a runner that stopped writing (the work is idempotent).
_CLAIMABLE = ("(status = 'in_attesa' OR (status = 'in_corso' AND (heartbeat_at IS NULL"
              " OR heartbeat_at < :stale)))")


def claim_job(db: Connection, worker: str, now: str, stale: str, job_id: int | None = None) -> int | None:
    """Mark as taken by `worker`, in one statement, the job `job_id` or the oldest one free (running with no
    heartbeat since `stale` counts as free); its id, or None.

    The UPDATE picks and marks the row at once (under SQLite's write lock), so of the processes asking together
    one gets it. On PostgreSQL the subquery that picks the row takes FOR UPDATE SKIP LOCKED: the other runners
    pass over a row being claimed instead of waiting for it.
    """
    pick = f"SELECT id FROM level_jobs WHERE {_CLAIMABLE}{' AND id = :job' if job_id is not None else ''}" \
           " ORDER BY id LIMIT 1"
    rows = db.execute(f"UPDATE level_jobs SET status = 'in_corso', claimed_by = :worker, heartbeat_at = :now"
                      f" WHERE id = ({pick}) RETURNING id",  # noqa: S608 - no user text in it
                      {"worker": worker, "now": now, "job": job_id, "stale": stale}).fetchall()
    return rows[0][0] if rows else None


def newest_job_id(db: Connection, network_code: str) -> int | None:
    return db.execute("SELECT MAX(id) FROM level_jobs WHERE network_code = :network",
                      {"network": network_code}).fetchone()[0]


def job_rules(db: Connection, job_id: int) -> str:
    """The job's thresholds, as JSON."""
    return db.execute("SELECT rules FROM level_jobs WHERE id = :job", {"job": job_id}).fetchone()[0]


def network_schools(db: Connection, network_code: str) -> list[str]:
    """The codes of the network's schools, in order."""
    return [r[0] for r in db.execute("SELECT code FROM schools WHERE network_code = :network ORDER BY code",
                                     {"network": network_code})]


def staged_stamp(db: Connection, job_id: int, school_code: str) -> str | None:
    """The data stamp the job wrote the school's levels from, or None if it has not."""
    row = db.execute("SELECT stamp FROM level_job_schools WHERE job_id = :job AND school_code = :school",
                     {"job": job_id, "school": school_code}).fetchone()
    return row[0] if row else None


def stage_school(db: Connection, job_id: int, school_code: str, stamp: str) -> None:
    upsert(
        db, "level_job_schools",
        {"job_id": job_id, "school_code": school_code, "stamp": stamp},
        ("job_id", "school_code"))


def forget_staged(db: Connection, job_id: int) -> None:
    db.execute("DELETE FROM level_job_schools WHERE job_id = :job", {"job": job_id})


def job_progress(db: Connection, job_id: int, done: int, total: int, now: str) -> None:
    db.execute("UPDATE level_jobs SET schools_done = :done, schools_total = :total, heartbeat_at = :now"
               " WHERE id = :job", {"done": done, "total": total, "now": now, "job": job_id})


def finish_job(db: Connection, job_id: int, schools: int, now: str) -> None:
    db.execute("UPDATE level_jobs SET status = 'completato', schools_done = :schools, schools_total = :schools,"
               " finished_at = :now WHERE id = :job", {"schools": schools, "now": now, "job": job_id})


def supersede_job(db: Connection, job_id: int, now: str) -> None:
    """A later change of thresholds made the job useless."""
    db.execute("UPDATE level_jobs SET status = 'sostituito', finished_at = :now WHERE id = :job",
               {"now": now, "job": job_id})


def fail_job(db: Connection, job_id: int, error: str, now: str) -> None:
    db.execute("UPDATE level_jobs SET status = 'errore', error = :error, finished_at = :now WHERE id = :job",
               {"error": error, "now": now, "job": job_id})
