"""All the SQL of follow-up (reviews, interventions and the school's kinds of intervention), in the subset of SQL
that SQLite and PostgreSQL share: named parameters, RETURNING, IS NOT DISTINCT FROM, no boolean arithmetic.

Functions take the connection and plain values and return rows (tuples) or counts; the checks, the permissions and
the transactions stay with their callers in models/follow_up.
"""

from __future__ import annotations

from models.core.connection import Connection, executemany
from models.core.store import insert_returning_id


def _of_school(db: Connection, select: str, school_code: str, row_id: int) -> tuple | None:
    """The row `row_id` of `select` (`_INTERVENTION` or `_REVIEW`), if it is the school's."""
    return db.execute(f"{select} WHERE id = :id AND school_code = :school",
                      {"id": row_id, "school": school_code}).fetchone()


def _of_pupil(db: Connection, select: str, school_code: str, pupil_code: str,
              order: str) -> list[tuple]:
    """The pupil's rows of `select` (`_INTERVENTION` or `_REVIEW`) in `order` (from the code, never from users)."""
    return db.execute(f"{select} WHERE school_code = :school AND pupil_code = :pupil ORDER BY {order}",
                      {"school": school_code, "pupil": pupil_code}).fetchall()


# --- kinds of intervention ------------------------------------------------------------------


def kind_labels(db: Connection, school_code: str) -> list[str]:
    return [r[0] for r in db.execute(
        "SELECT label FROM intervention_kinds WHERE school_code = :school ORDER BY position", {"school": school_code})]


def replace_kinds(db: Connection, school_code: str, labels: list[str]) -> None:
    db.execute("DELETE FROM intervention_kinds WHERE school_code = :school", {"school": school_code})
    executemany(db, "INSERT INTO intervention_kinds (school_code, position, label) VALUES (:school, :pos, :label)",
                [{"school": school_code, "pos": i, "label": label} for i, label in enumerate(labels)])


# --- interventions ---------------------------------------------------------------------------

_INTERVENTION = ("SELECT id, pupil_code, kind, happened_on, owner, outcome, note, recorded_by, recorded_at"
                 " FROM interventions")


def intervention_exists(db: Connection, school_code: str, pupil_code: str, kind: str, happened_on: str,
                        owner: str, outcome: str, note: str) -> bool:
    return db.execute(
        "SELECT 1 FROM interventions WHERE school_code = :school AND pupil_code = :pupil AND kind = :kind"
        " AND happened_on = :on AND owner = :owner AND outcome = :outcome AND note = :note",
        {"school": school_code, "pupil": pupil_code, "kind": kind, "on": happened_on, "owner": owner,
         "outcome": outcome, "note": note}).fetchone() is not None


def insert_intervention(db: Connection, school_code: str, pupil_code: str, kind: str, happened_on: str,
                        owner: str, outcome: str, note: str, recorded_by: str, recorded_at: str) -> int:
    """The new intervention's id."""
    return insert_returning_id(
        db, "interventions",
        {"school_code": school_code, "pupil_code": pupil_code, "kind": kind, "happened_on": happened_on, "owner": owner,
         "outcome": outcome, "note": note, "recorded_by": recorded_by, "recorded_at": recorded_at})


def change_outcome(db: Connection, school_code: str, intervention_id: int, outcome: str,
                   expected: str) -> int:
    """How many interventions changed (0: none with that id and the `expected` outcome)."""
    return db.execute(
        "UPDATE interventions SET outcome = :outcome WHERE id = :id AND school_code = :school AND outcome = :expected",
        {"outcome": outcome, "id": intervention_id, "school": school_code, "expected": expected}).rowcount


def intervention(db: Connection, school_code: str, intervention_id: int) -> tuple | None:
    return _of_school(db, _INTERVENTION, school_code, intervention_id)


def pupil_interventions(db: Connection, school_code: str, pupil_code: str) -> list[tuple]:
    """Oldest first."""
    return _of_pupil(db, _INTERVENTION, school_code, pupil_code, "happened_on, id")


def latest_interventions(db: Connection, school_code: str) -> list[tuple]:
    """Each pupil's most recent intervention."""
    return db.execute(
        f"{_INTERVENTION} WHERE id IN (SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY pupil_code"
        " ORDER BY happened_on DESC, id DESC) AS n FROM interventions WHERE school_code = :school) AS ranked"
        " WHERE n = 1)", {"school": school_code}).fetchall()


# --- reviews ---------------------------------------------------------------------------------

_REVIEW = ("SELECT id, pupil_code, reviewed_by, reviewed_at, as_of, level, note, follow_up_on, follow_up_owner,"
           " follow_up_done_at FROM reviews")


def review_times_alike(db: Connection, school_code: str, pupil_code: str, reviewed_by: str,
                       as_of: str | None, level: str | None, note: str, follow_up_on: str | None,
                       follow_up_owner: str | None) -> list[str]:
    """When the same person recorded the same review of the pupil."""
    return [r[0] for r in db.execute(
        "SELECT reviewed_at FROM reviews WHERE school_code = :school AND pupil_code = :pupil AND reviewed_by = :by"
        " AND as_of IS NOT DISTINCT FROM :as_of AND level IS NOT DISTINCT FROM :level AND note = :note"
        " AND follow_up_on IS NOT DISTINCT FROM :on AND follow_up_owner IS NOT DISTINCT FROM :owner",
        {"school": school_code, "pupil": pupil_code, "by": reviewed_by, "as_of": as_of, "level": level, "note": note,
         "on": follow_up_on, "owner": follow_up_owner}).fetchall()]


def close_pupil_follow_ups(db: Connection, school_code: str, pupil_code: str, at: str, by: str) -> None:
    db.execute("UPDATE reviews SET follow_up_done_at = :at, follow_up_done_by = :by WHERE school_code = :school"
               " AND pupil_code = :pupil AND follow_up_on IS NOT NULL AND follow_up_done_at IS NULL",
               {"at": at, "by": by, "school": school_code, "pupil": pupil_code})


def insert_review(db: Connection, school_code: str, pupil_code: str, reviewed_by: str, reviewed_at: str,
                  as_of: str | None, level: str | None, note: str, follow_up_on: str | None,
                  follow_up_owner: str | None) -> int:
    """The new review's id."""
    return insert_returning_id(
        db, "reviews",
        {"school_code": school_code, "pupil_code": pupil_code, "reviewed_by": reviewed_by, "reviewed_at": reviewed_at,
         "as_of": as_of, "level": level, "note": note, "follow_up_on": follow_up_on,
         "follow_up_owner": follow_up_owner})


def close_follow_up(db: Connection, school_code: str, review_id: int, at: str, by: str) -> int:
    """How many follow-ups closed (0: not open)."""
    return db.execute("UPDATE reviews SET follow_up_done_at = :at, follow_up_done_by = :by WHERE id = :id"
                      " AND school_code = :school AND follow_up_on IS NOT NULL AND follow_up_done_at IS NULL",
                      {"at": at, "by": by, "id": review_id, "school": school_code}).rowcount


def review(db: Connection, school_code: str, review_id: int) -> tuple | None:
    return _of_school(db, _REVIEW, school_code, review_id)


def pupil_reviews(db: Connection, school_code: str, pupil_code: str) -> list[tuple]:
    """Newest first."""
    return _of_pupil(db, _REVIEW, school_code, pupil_code, "id DESC")


def last_review(db: Connection, school_code: str) -> tuple[str, str | None] | None:
    """(reviewed_at, as_of) of the school's latest review."""
    return db.execute("SELECT reviewed_at, as_of FROM reviews WHERE school_code = :school"
                      " ORDER BY reviewed_at DESC LIMIT 1", {"school": school_code}).fetchone()


def due_reviews(db: Connection, school_code: str, on: str) -> list[tuple]:
    """Reviews whose open follow-up is due on `on` or earlier, oldest first."""
    return db.execute(f"{_REVIEW} WHERE school_code = :school AND follow_up_on <= :on AND follow_up_done_at IS NULL"
                      " ORDER BY follow_up_on, id", {"school": school_code, "on": on}).fetchall()


def owned_due_counts(db: Connection, school_code: str, owner: str, on: str,
                     tomorrow: str) -> tuple[int | None, int | None]:
    """How many open follow-ups of `owner` are due by `on`, and on `tomorrow` (None when there are none)."""
    return db.execute(
        "SELECT SUM(CASE WHEN follow_up_on <= :on THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN follow_up_on = :tomorrow THEN 1 ELSE 0 END) FROM reviews WHERE school_code = :school"
        " AND follow_up_owner = :owner AND follow_up_done_at IS NULL AND follow_up_on IS NOT NULL",
        {"on": on, "tomorrow": tomorrow, "school": school_code, "owner": owner}).fetchone()


def latest_reviews(db: Connection, school_code: str) -> list[tuple]:
    """Each pupil's latest review."""
    return db.execute(f"{_REVIEW} WHERE id IN (SELECT MAX(id) FROM reviews WHERE school_code = :school"
                      " GROUP BY pupil_code)", {"school": school_code}).fetchall()
