"""Which pupils an actor may see: a teacher their own classes, school staff the whole school.

Below `school_risk` and `derogations`, which both check a pupil before reading or writing about them.
"""

from __future__ import annotations

import sqlite_utils

from models.core.permissions import Action, Actor, SchoolRef, has_classes, require
from models.risk import store


def teacher_classes(db: sqlite_utils.Database, actor: Actor) -> tuple[str, ...] | None:
    """A teacher's own classes; None for roles that see the whole school."""
    if not has_classes(actor.role):
        return None
    return tuple(store.teacher_classes(db, actor.user_id))



def require_pupil(db: sqlite_utils.Database, actor: Actor, school_code: str, pupil_code: str) -> str:
    """The pupil's current class, if the actor may see this pupil; refuses otherwise.

    One refusal (`require`) and one message for "no such pupil" and "not your class", so that a
    teacher cannot probe which codes exist in other classes.
    """
    require(actor, Action.READ_PUPILS, SchoolRef(school_code))
    row = store.current_class(db, school_code, pupil_code)
    classes = teacher_classes(db, actor)
    visible = row is not None and (classes is None or row[0] in classes)
    require(actor, Action.READ_PUPILS, SchoolRef(school_code, reachable=visible),
            f"Nessun alunno con codice «{pupil_code}» tra quelli che puoi vedere.")
    return row[0]
