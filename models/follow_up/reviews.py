"""Reviews of the risk list: who looked at which pupil, when, and when to look again.

The staff who follow pupils at risk meet monthly (identify → intervene →
monitor). A review records that a pupil was looked at, on which month's
data and at which level, with a short note and a follow-up date and owner.
Reviewing the pupil again closes the earlier follow-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pandas as pd
import sqlite_utils

from models.core import clock
from models.core.db import transaction
from models.core.errors import ApprodoError
from models.core.permissions import Action, Actor, SchoolRef, require
from models.follow_up import interventions, store
from models.risk import history, indicators, school_risk
from models.risk.school_risk import RiskList

_ORDER = {"basso": 0, "medio": 1, "alto": 2}  # "dati_insufficienti" is neither above nor below


@dataclass(frozen=True)
class Review:
    id: int
    pupil_code: str
    reviewed_by: str
    reviewed_at: str
    as_of: str | None
    level: str | None
    note: str
    follow_up_on: date | None
    follow_up_owner: str | None
    follow_up_done_at: str | None

    @property
    def follow_up_open(self) -> bool:
        return self.follow_up_on is not None and self.follow_up_done_at is None

    def days_late(self, on: date) -> int:
        """Days the open follow-up is overdue on `on` (0: due that day or later, or none)."""
        return max((on - self.follow_up_on).days, 0) if self.follow_up_open else 0


def record_review(
    db: sqlite_utils.Database,
    actor: Actor,
    school_code: str,
    pupil_code: str,
    *,
    as_of: str | None,
    level: str | None,
    note: str = "",
    follow_up_on: date | None = None,
    follow_up_owner: str | None = None,
    at: datetime | None = None,
) -> Review:
    """Mark a pupil as reviewed; an earlier open follow-up of the pupil is closed by this review."""
    require(actor, Action.FOLLOW_UP, SchoolRef(school_code))
    school_risk.require_pupil(db, actor, school_code, pupil_code)
    if level is not None and level not in (*indicators.LEVELS, indicators.STALE):
        raise ApprodoError(f"Livello «{level}» non valido.")
    note = interventions.short_note(note)
    at = at or clock.utcnow()
    if follow_up_on is not None:
        if follow_up_on < clock.local_date(at):
            raise ApprodoError("La data della prossima verifica è già passata: scegli oggi o un giorno futuro.")
        follow_up_owner = interventions.check_owner(db, actor, school_code, follow_up_owner or actor.username)
    else:
        follow_up_owner = None
    stamp = clock.to_text(at)
    with transaction(db):
        _refuse_twin(db, actor, school_code, pupil_code, at, as_of, level, note, follow_up_on, follow_up_owner)
        store.close_pupil_follow_ups(db, school_code, pupil_code, stamp, actor.username)
        new_id = store.insert_review(db, school_code, pupil_code, actor.username, stamp, as_of, level, note,
                                     follow_up_on.isoformat() if follow_up_on else None, follow_up_owner)
    return _get(db, school_code, new_id)


def _refuse_twin(db, actor: Actor, school_code: str, pupil_code: str, at: datetime, as_of, level, note: str,
                 follow_up_on: date | None, follow_up_owner: str | None) -> None:
    """The same review by the same person on the same day (a second click, the form sent again) is refused."""
    day = clock.local_date(at)
    for reviewed_at in store.review_times_alike(db, school_code, pupil_code, actor.username, as_of, level, note,
                                                follow_up_on.isoformat() if follow_up_on else None, follow_up_owner):
        if clock.local_date(clock.from_text(reviewed_at)) == day:
            raise ApprodoError("Hai già registrato oggi questa stessa revisione per l'alunno (stessa nota e stessa "
                               "verifica): non la registro due volte.")


def close_follow_up(db: sqlite_utils.Database, actor: Actor, school_code: str, review_id: int) -> None:
    """Mark a follow-up as done without a new review (e.g. the pupil moved school)."""
    require(actor, Action.FOLLOW_UP, SchoolRef(school_code))
    with transaction(db):
        closed = store.close_follow_up(db, school_code, review_id, clock.to_text(clock.utcnow()), actor.username)
    if not closed:
        raise ApprodoError("Questa verifica non è aperta (forse qualcuno l'ha già chiusa): ricarica la pagina.")


def pupil_reviews(db: sqlite_utils.Database, actor: Actor, school_code: str, pupil_code: str) -> list[Review]:
    """A pupil's reviews, newest first."""
    school_risk.require_pupil(db, actor, school_code, pupil_code)
    return [_review(r) for r in store.pupil_reviews(db, school_code, pupil_code)]


# --- the list: what changed, what is due, who did what ---------------------------------


@dataclass(frozen=True)
class Changes:
    last_review_at: str | None  # when the school last reviewed a pupil
    since: str | None  # the month of data that review looked at (None: no review yet, or no newer data)
    new_high: list[str] = field(default_factory=list)  # `alto` now and not then
    rose: list[tuple[str, str, str]] = field(default_factory=list)  # (pupil, level then, level now)
    fell: list[tuple[str, str, str]] = field(default_factory=list)
    due: list[Review] = field(default_factory=list)  # open follow-ups due today or earlier


def compare_levels(before: dict[str, str], now: dict[str, str]) -> tuple[list, list, list]:
    """New `alto` pupils, pupils whose level rose and pupils whose level fell (pupil codes in list order)."""
    new_high, rose, fell = [], [], []
    for pupil, level in now.items():
        then = before.get(pupil)
        if level == "alto" and then != "alto":
            new_high.append(pupil)
        elif then in _ORDER and level in _ORDER and _ORDER[level] != _ORDER[then]:
            (rose if _ORDER[level] > _ORDER[then] else fell).append((pupil, then, level))
    return new_high, rose, fell


def changes_since_last_review(db: sqlite_utils.Database, actor: Actor, risk: RiskList,
                              on: date | None = None) -> Changes:
    """What the list shows now against the list the last review looked at, and the follow-ups due."""
    require(actor, Action.READ_PUPILS, SchoolRef(risk.school_code))
    now = dict(zip(risk.pupils["pupil_code"], risk.pupils["level"], strict=True))
    due = due_follow_ups(db, actor, risk, on)
    last = store.last_review(db, risk.school_code)
    if last is None:
        return Changes(None, None, [p for p, level in now.items() if level == "alto"], due=due)
    reviewed_at, since = last
    if since is None or risk.as_of is None or since >= risk.as_of \
            or since not in school_risk.periods(db, actor, risk.school_code):
        return Changes(reviewed_at, None, due=due)
    # Only the pupils of the list now are compared, so a teacher still sees only their classes.
    before = history.levels_at(db, risk.school_code, since)
    return Changes(reviewed_at, since, *compare_levels(before, now), due=due)


def due_follow_ups(db: sqlite_utils.Database, actor: Actor, risk: RiskList, on: date | None = None) -> list[Review]:
    """Open follow-ups of the list's pupils due on `on` (today) or earlier, oldest first."""
    require(actor, Action.READ_PUPILS, SchoolRef(risk.school_code))
    on = on or clock.local_date()
    rows = store.due_reviews(db, risk.school_code, on.isoformat())
    visible = set(risk.pupils["pupil_code"])
    return [_review(r) for r in rows if r[1] in visible]


def owned_follow_ups(db: sqlite_utils.Database, actor: Actor, school_code: str, on: date) -> tuple[int, int]:
    """How many open follow-ups the actor owns that are due by `on`, or fall due the day after (counts only)."""
    require(actor, Action.FOLLOW_UP, SchoolRef(school_code))
    due, tomorrow = store.owned_due_counts(db, school_code, actor.username, on.isoformat(),
                                           (on + timedelta(days=1)).isoformat())
    return int(due or 0) + int(tomorrow or 0), int(tomorrow or 0)


def follow_up_table(db: sqlite_utils.Database, actor: Actor, risk: RiskList) -> pd.DataFrame:
    """Per pupil of the list: last review, open follow-up and last intervention (empty where none)."""
    require(actor, Action.READ_PUPILS, SchoolRef(risk.school_code))
    last_reviews = {r[1]: _review(r) for r in store.latest_reviews(db, risk.school_code)}
    last_interventions = interventions.latest_by_pupil(db, risk.school_code)
    records = []
    for pupil in risk.pupils["pupil_code"]:
        review, done = last_reviews.get(pupil), last_interventions.get(pupil)
        records.append({
            "pupil_code": pupil,
            "reviewed_at": review.reviewed_at if review else None,
            "reviewed_by": review.reviewed_by if review else None,
            "follow_up_on": review.follow_up_on if review and review.follow_up_open else None,
            "follow_up_owner": review.follow_up_owner if review and review.follow_up_open else None,
            "intervention": done.kind if done else None,
            "intervention_on": done.happened_on if done else None,
            "intervention_outcome": done.outcome_label if done else None,
        })
    return pd.DataFrame(records, columns=["pupil_code", "reviewed_at", "reviewed_by", "follow_up_on",
                                          "follow_up_owner", "intervention", "intervention_on",
                                          "intervention_outcome"], dtype=object)


def _review(row) -> Review:
    return Review(*row[:7], date.fromisoformat(row[7]) if row[7] else None, row[8], row[9])


def _get(db, school_code: str, review_id: int) -> Review:
    row = store.review(db, school_code, review_id)
    if row is None:
        raise ApprodoError("Questa revisione non esiste per la tua scuola.")
    return _review(row)
