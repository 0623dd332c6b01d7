"""The same thing recorded twice is refused (a second click, a form sent again): interventions, reviews, and two
sections of one core with one title."""

from datetime import UTC, date, datetime, timedelta

import pytest

from models.core.errors import ApprodoError
from models.follow_up import interventions, reviews
from models.protocols import protocol as protocols
from models.protocols import structure
from models.risk import school_risk

SCHOOL = "MIIS00003C"


def a_pupil(db, actor):
    return school_risk.school_risk(db, actor, SCHOOL).pupils.iloc[0]["pupil_code"]


def test_an_identical_intervention_is_refused_a_different_one_is_not(pupils_db, actors):
    funzione = actors["funzione_strumentale"]
    pupil = a_pupil(pupils_db, funzione)
    values = dict(kind="Colloquio con la famiglia", happened_on=date(2026, 2, 12), owner="dirigente", note="Fissato.")
    interventions.add_intervention(pupils_db, funzione, SCHOOL, pupil, **values)
    with pytest.raises(ApprodoError, match="è già registrato per l'alunno"):
        interventions.add_intervention(pupils_db, funzione, SCHOOL, pupil, **values)
    interventions.add_intervention(pupils_db, funzione, SCHOOL, pupil, **{**values, "note": "Secondo colloquio."})
    assert len(interventions.pupil_interventions(pupils_db, funzione, SCHOOL, pupil)) == 2


def test_the_same_review_twice_on_one_day_is_refused(pupils_db, actors):
    funzione = actors["funzione_strumentale"]
    pupil = a_pupil(pupils_db, funzione)
    morning = datetime.now(UTC).replace(hour=8, minute=0)
    values = dict(as_of="2026-02", level="alto", note="Visto in consiglio.",
                  follow_up_on=morning.date() + timedelta(weeks=4))
    first = reviews.record_review(pupils_db, funzione, SCHOOL, pupil, at=morning, **values)
    with pytest.raises(ApprodoError, match="Hai già registrato oggi questa stessa revisione"):
        reviews.record_review(pupils_db, funzione, SCHOOL, pupil, at=morning + timedelta(hours=1), **values)
    # The follow-up of the first is still open: the refused twin closed nothing.
    (kept,) = reviews.pupil_reviews(pupils_db, funzione, SCHOOL, pupil)
    assert kept.id == first.id and kept.follow_up_open
    reviews.record_review(pupils_db, funzione, SCHOOL, pupil, at=morning + timedelta(days=1), **values)


def test_two_core_sections_with_one_title_are_refused(demo_db, actors, core):
    coord = actors["coordinatore_rete"]
    existing = protocols.list_sections(demo_db, coord, core.id)[0]
    with pytest.raises(ApprodoError, match=f"ha già una sezione «{existing.title}»"):
        structure.add_core_section(demo_db, coord, core.id, "  " + existing.title.upper() + " ")
    added = structure.add_core_section(demo_db, coord, core.id, "Mediazione linguistica")
    with pytest.raises(ApprodoError, match="ha già una sezione «Mediazione linguistica»"):
        structure.rename_section(demo_db, coord, existing.id, "mediazione linguistica")
    structure.rename_section(demo_db, coord, added.id, "Mediazione linguistico-culturale")
