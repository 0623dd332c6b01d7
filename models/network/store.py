"""All the SQL of the network's figures and of the programme's evaluation: counts read across the schools of a
network from the tables the other products write (protocols, reviews, interventions, attendance, outcomes).

In the subset of SQL that SQLite and PostgreSQL share (named parameters, no bare columns beside aggregates);
callers check what the actor may see and suppress small counts.
"""

from __future__ import annotations

from collections.abc import Sequence

from models.core.connection import Connection
from models.core.store import in_list

# --- protocols ------------------------------------------------------------------------------------


def school_protocol(db: Connection, school_code: str) -> tuple | None:
    """(id, status, revision, deliberation_date) of the school's protocol."""
    return db.execute("SELECT id, status, revision, deliberation_date FROM protocols WHERE school_code = :school",
                      {"school": school_code}).fetchone()


def protocol_counts(db: Connection, protocol_id: int) -> dict[str, int]:
    """Sections adapted from the core, sections of its own, open comments, core changes not yet seen."""
    values = {"protocol": protocol_id}
    adapted = db.execute(
        "SELECT COUNT(*) FROM protocol_sections s JOIN protocol_sections c ON c.id = s.core_section_id"
        " JOIN section_versions sv ON sv.section_id = s.id AND sv.version = s.current_version"
        " JOIN section_versions cv ON cv.section_id = c.id AND cv.version = COALESCE(s.core_version_seen,"
        " c.current_version) WHERE s.protocol_id = :protocol AND s.removed_at IS NULL AND s.kind = 'core_adaptable'"
        " AND sv.body != cv.body", values).fetchone()[0]
    local = db.execute("SELECT COUNT(*) FROM protocol_sections WHERE protocol_id = :protocol AND kind = 'local'"
                       " AND removed_at IS NULL", values).fetchone()[0]
    comments = db.execute(
        "SELECT COUNT(*) FROM section_comments sc JOIN protocol_sections s ON s.id = sc.section_id"
        " WHERE s.protocol_id = :protocol AND sc.resolved_at IS NULL AND sc.parent_id IS NULL", values).fetchone()[0]
    pending = db.execute(
        "SELECT COUNT(*) FROM protocol_sections s JOIN protocol_sections c ON c.id = s.core_section_id"
        " JOIN section_versions sv ON sv.section_id = s.id AND sv.version = s.current_version"
        " JOIN section_versions cv ON cv.section_id = c.id AND cv.version = c.current_version"
        " WHERE s.protocol_id = :protocol AND s.removed_at IS NULL"
        " AND c.current_version > COALESCE(s.core_version_seen, 0) AND sv.body != cv.body", values).fetchone()[0]
    return {"adapted": adapted, "local": local, "comments": comments, "pending": pending}


def protocol_approval(db: Connection, school_code: str) -> tuple[str, str | None] | None:
    """(status, deliberation_date) of the school's protocol."""
    return db.execute("SELECT status, deliberation_date FROM protocols WHERE school_code = :school",
                      {"school": school_code}).fetchone()


def network_of(db: Connection, school_code: str) -> str:
    return db.execute("SELECT network_code FROM schools WHERE code = :school", {"school": school_code}).fetchone()[0]


# --- follow-up ------------------------------------------------------------------------------------


def pupils_reviewed(db: Connection, school_code: str, first_day: str, last_day: str) -> set[str]:
    """Pupils reviewed between the two days (ISO dates, both included)."""
    return {r[0] for r in db.execute(
        "SELECT DISTINCT pupil_code FROM reviews WHERE school_code = :school"
        " AND substr(reviewed_at, 1, 10) BETWEEN :first AND :last",
        {"school": school_code, "first": first_day, "last": last_day})}


def intervention_days(db: Connection, school_code: str) -> list[tuple[str, str]]:
    """(pupil_code, happened_on) of every intervention of the school."""
    return db.execute("SELECT pupil_code, happened_on FROM interventions WHERE school_code = :school",
                      {"school": school_code}).fetchall()


def first_interventions(db: Connection, school_code: str, first_day: str,
                        last_day: str) -> list[tuple[str, str]]:
    """(pupil_code, day of the pupil's first intervention between the two days)."""
    return db.execute("SELECT pupil_code, MIN(happened_on) FROM interventions WHERE school_code = :school"
                      " AND happened_on BETWEEN :first AND :last GROUP BY pupil_code",
                      {"school": school_code, "first": first_day, "last": last_day}).fetchall()


def overdue_follow_ups(db: Connection, school_code: str, today: str) -> int:
    return db.execute("SELECT COUNT(*) FROM reviews WHERE school_code = :school AND follow_up_done_at IS NULL"
                      " AND follow_up_on < :today", {"school": school_code, "today": today}).fetchone()[0]


# --- pupils ---------------------------------------------------------------------------------------


def periods_with_data(db: Connection, school_codes: Sequence[str]) -> list[str]:
    """The months with attendance data in any of the schools."""
    marks, values = in_list("s", school_codes)
    return [r[0] for r in db.execute(f"SELECT DISTINCT period FROM attendance_months WHERE school_code IN ({marks})",
                                     values).fetchall()]


def pupil_arrivals(db: Connection, school_code: str) -> list[tuple[str, int | None, str | None]]:
    """(pupil_code, arrival_year, l2_level) of the school's pupils."""
    return db.execute("SELECT pupil_code, arrival_year, l2_level FROM pupil_context WHERE school_code = :school",
                      {"school": school_code}).fetchall()


def outcome_counts(db: Connection, school_code: str, school_year: str) -> dict[str, int]:
    """{outcome: pupils} of the school year."""
    return dict(db.execute("SELECT outcome, COUNT(*) FROM outcomes WHERE school_code = :school"
                           " AND school_year = :year GROUP BY outcome",
                           {"school": school_code, "year": school_year}).fetchall())


def pupil_months(db: Connection, school_code: str, pupil_code: str,
                 periods: Sequence[str]) -> dict[str, tuple[float, float]]:
    """{period: (absence_hours, scheduled_hours)} of the pupil in those of `periods` with data."""
    marks, values = in_list("p", periods)
    return {p: (a, s) for p, a, s in db.execute(
        "SELECT period, absence_hours, scheduled_hours FROM attendance WHERE school_code = :school"
        f" AND pupil_code = :pupil AND period IN ({marks})", {"school": school_code, "pupil": pupil_code, **values})}
