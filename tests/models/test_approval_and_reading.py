"""Approval checks, impossible dates, what changed since the approval, the published text, people's names."""

from datetime import date, timedelta

import pytest

from models.accounts import auth, people
from models.core import clock
from models.core.errors import ApprodoError
from models.protocols import comments
from models.protocols import protocol as protocols
from tests.conftest import publish_core


def section(db, actor, protocol, key):
    return next(s for s in protocols.list_sections(db, actor, protocol.id) if s.key == key)


def approve(db, actor, protocol, when="15/10/2025"):
    return protocols.move(db, actor, protocol.id, "approvato", deliberation_date=when, deliberation_number="12")


@pytest.mark.parametrize("typed", ["31/02/2025", "29/02/2025", "31/04/2025", "00/10/2025", "15/13/2025",
                                   "2025-02-30"])
def test_an_impossible_date_gets_its_own_message(demo_db, actors, school_protocol, typed):
    dirigente = actors["dirigente"]
    protocols.move(demo_db, dirigente, school_protocol.id, "in_revisione")
    with pytest.raises(ApprodoError, match=rf"La data {typed} non esiste: controlla giorno e mese"):
        approve(demo_db, dirigente, school_protocol, typed)
    assert protocols.get_protocol(demo_db, dirigente, school_protocol.id).status.value == "in_revisione"


@pytest.mark.parametrize("typed", ["ieri", "15.10.2025", "", None])
def test_a_date_in_another_shape_asks_for_dd_mm_yyyy(demo_db, actors, school_protocol, typed):
    dirigente = actors["dirigente"]
    protocols.move(demo_db, dirigente, school_protocol.id, "in_revisione")
    with pytest.raises(ApprodoError, match="gg/mm/aaaa"):
        approve(demo_db, dirigente, school_protocol, typed)


def test_a_date_from_the_picker_and_a_leap_day_are_accepted_but_not_the_future(demo_db, actors, school_protocol):
    dirigente = actors["dirigente"]
    protocols.move(demo_db, dirigente, school_protocol.id, "in_revisione")
    with pytest.raises(ApprodoError, match="nel futuro"):
        approve(demo_db, dirigente, school_protocol, clock.local_date() + timedelta(days=1))
    assert approve(demo_db, dirigente, school_protocol, date(2024, 2, 29)).deliberation_date == "29/02/2024"


def test_approval_check_lists_open_comments_and_undecided_updates(demo_db, actors, core, school_protocol):
    dirigente, coordinator = actors["dirigente"], actors["coordinatore_rete"]
    assert protocols.approval_check(demo_db, dirigente, school_protocol.id).clean
    tempi = section(demo_db, dirigente, school_protocol, "tempi")
    first = comments.add_comment(demo_db, actors["funzione_strumentale"], tempi.id, "Uno")
    comments.add_comment(demo_db, actors["funzione_strumentale"], tempi.id, "Due")
    comments.add_comment(demo_db, dirigente, tempi.id, "Risposta", first.id)  # replies do not count
    core_section = section(demo_db, coordinator, core, "fase_sociale")
    protocols.save_section(demo_db, coordinator, core_section.id, core_section.body + "\nNuovo.", core_section.version)
    assert protocols.approval_check(demo_db, dirigente, school_protocol.id).pending_updates == []  # a draft
    publish_core(demo_db, coordinator, core.id)
    check = protocols.approval_check(demo_db, dirigente, school_protocol.id)
    assert check.open_comments == {"Tempi e responsabilità": 2}
    assert check.pending_updates == [core_section.title]
    comments.resolve_comment(demo_db, dirigente, first.id)
    assert protocols.approval_check(demo_db, dirigente, school_protocol.id).open_comments == {
        "Tempi e responsabilità": 1}


def test_changes_since_the_last_approval(demo_db, actors, school_protocol):
    dirigente = actors["dirigente"]
    assert protocols.changes_since_approval(demo_db, dirigente, school_protocol.id) is None
    tempi = section(demo_db, dirigente, school_protocol, "tempi")
    approved_text = tempi.body + "\nTesto approvato."
    protocols.save_section(demo_db, dirigente, tempi.id, approved_text, tempi.version)
    protocols.move(demo_db, dirigente, school_protocol.id, "in_revisione")
    approve(demo_db, dirigente, school_protocol)
    assert protocols.changes_since_approval(demo_db, dirigente, school_protocol.id).changes == []

    protocols.move(demo_db, dirigente, school_protocol.id, "bozza")  # a new revision
    tempi = section(demo_db, dirigente, school_protocol, "tempi")
    protocols.save_section(demo_db, dirigente, tempi.id, approved_text + "\nDopo l'approvazione.", tempi.version)
    protocols.save_section(demo_db, dirigente, tempi.id, approved_text + "\nDopo, ancora.", tempi.version + 1)
    added = protocols.add_local_section(demo_db, dirigente, school_protocol.id, "Sportello genitori")
    since = protocols.changes_since_approval(demo_db, dirigente, school_protocol.id)
    assert since.approved.detail == "collegio dei docenti, delibera n. 12 del 15/10/2025"
    by_title = {c.title: c for c in since.changes}
    assert set(by_title) == {"Tempi e responsabilità", added.title}
    assert by_title["Tempi e responsabilità"].before == approved_text
    assert by_title["Tempi e responsabilità"].after == approved_text + "\nDopo, ancora."
    assert by_title[added.title].before is None
    assert since.total_sections == len(protocols.list_sections(demo_db, dirigente, school_protocol.id))


def test_the_published_text_stays_what_was_published_while_a_new_revision_goes_on(demo_db, actors, school_protocol):
    dirigente = actors["dirigente"]
    assert protocols.published_texts(demo_db, dirigente, school_protocol.id) is None
    tempi = section(demo_db, dirigente, school_protocol, "tempi")
    protocols.move(demo_db, dirigente, school_protocol.id, "in_revisione")
    approve(demo_db, dirigente, school_protocol)
    protocols.move(demo_db, dirigente, school_protocol.id, "pubblicato")
    protocols.move(demo_db, dirigente, school_protocol.id, "bozza")
    protocols.save_section(demo_db, dirigente, tempi.id, "Bozza nuova.", tempi.version)
    moment, texts = protocols.published_texts(demo_db, actors["docente"], school_protocol.id)
    assert texts[tempi.id].body == tempi.body and texts[tempi.id].version == tempi.version
    assert moment.at <= clock.to_text(clock.utcnow())


def test_people_are_named_by_full_name_or_username(demo_db, actors, system):
    auth.create_user(demo_db, system, "senzanome", "una-password-lunga-1", "funzione_strumentale",
                     school_code="MIIS00003C")
    found = people.names(demo_db, actors["docente"], ["dirigente", "senzanome", "cli", None])
    assert found == {"dirigente": "Marco Bianchi", "senzanome": "senzanome", "cli": "cli"}
    assert people.display_name("", "mrossi") == "mrossi" and people.display_name(" Mario ", "m") == "Mario"
    assert people.labelled("", "mrossi") == "mrossi"
    assert people.labelled("Mario Rossi", "mrossi") == "Mario Rossi (mrossi)"
