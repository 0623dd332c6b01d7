"""Which pupils an actor may see: a teacher their own classes, school staff the whole school.

Below `school_risk` and `derogations`, which both check a pupil before reading or writing about them.
"""

from __future__ import annotations

import sqlite_utils

from models.core.permissions import Action, Actor, SchoolRef, has_classes, require


def teacher_classes(db: sqlite_utils.Database, actor: Actor) -> tuple[str, ...] | None:
    """A teacher's own classes; None for roles that see the whole school."""
    if not has_classes(actor.role):
        return None
    rows = db.execute("SELECT class_name FROM teacher_classes WHERE user_id = ? ORDER BY class_name",
                      [actor.user_id]).fetchall()
    return tuple(r[0] for r in rows)



def require_pupil(db: sqlite_utils.Database, actor: Actor, school_code: str, pupil_code: str) -> str:
    """The pupil's current class, if the actor may see this pupil; refuses otherwise.

    One refusal (`require`) and one message for "no such pupil" and "not your class", so that a
    teacher cannot probe which codes exist in other classes.
    """
    require(actor, Action.READ_PUPILS, SchoolRef(school_code))
    row = db.execute("SELECT class_name FROM attendance WHERE school_code = ? AND pupil_code = ?"
                     " ORDER BY period DESC LIMIT 1", [school_code, pupil_code]).fetchone()
    classes = teacher_classes(db, actor)
    visible = row is not None and (classes is None or row[0] in classes)
    require(actor, Action.READ_PUPILS, SchoolRef(school_code, reachable=visible),
            f"Nessun alunno con codice «{pupil_code}» tra quelli che puoi vedere.")
    return row[0]
