"""All the SQL of risk: the thresholds of each network, the derogations to the 25 % limit and their criteria,
and which pupils a teacher sees.

In the subset of SQL that SQLite and PostgreSQL share (named parameters, RETURNING instead of lastrowid,
ON CONFLICT ... DO UPDATE instead of INSERT OR REPLACE). Functions take the connection and plain values and
return rows or values; permissions, checks and transactions stay with the callers.
"""

from __future__ import annotations

import sqlite_utils

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
    db.execute("INSERT INTO level_jobs (network_code, rules, status, schools_total, requested_by, requested_at)"
               " VALUES (:network, :rules, 'in_attesa', :schools, :by, :at)",
               {"network": network_code, "rules": rules, "schools": schools_total, "by": by, "at": at})


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
    return db.execute(
        "INSERT INTO derogations (school_code, pupil_code, school_year, hours, reason, on_day, note, recorded_by,"
        " recorded_at) VALUES (:school, :pupil, :year, :hours, :reason, :on, :note, :by, :at) RETURNING id",
        {"school": school_code, "pupil": pupil_code, "year": school_year, "hours": hours, "reason": reason,
         "on": on_day, "note": note, "by": by, "at": at}).fetchall()[0][0]


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
    db.execute("INSERT INTO risk_models (network_code, version, created_at, document, checksum)"
               " VALUES (:network, :version, :at, :document, :checksum)",
               {"network": network_code, "version": version, "at": created_at, "document": document,
                "checksum": checksum})


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
