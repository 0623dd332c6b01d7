from models.core import db as database
from models.demo import demo
from models.protocols import comments, proposals
from models.protocols import protocol as protocols
from models.protocols.protocol import Status
from tests.conftest import actor_named


def test_the_demo_shows_the_protocol_feature_working(db_path):
    db = database.connect(db_path)
    assert demo.install_demo(db)
    dirigente = actor_named(db, "dirigente")
    visible = protocols.list_protocols(db, dirigente)
    cores = [p for p in visible if p.is_core]
    (school,) = [p for p in visible if not p.is_core]
    assert len(cores) == 3
    assert school.status is Status.IN_REVISIONE
    assert protocols.version_count(db, school.id) > len(protocols.list_sections(db, dirigente, school.id))
    assert sum(comments.open_count(db, dirigente, school.id).values()) >= 2
    assert [u.section.key for u in protocols.core_updates(db, dirigente, school.id)] == ["allegati"]
    (proposal,) = proposals.list_proposals(db, actor_named(db, "coordinatrice"), "RETEDEMO", status="aperta")
    assert proposal.school_code == "MIIS00003C" and proposal.section_title and proposal.reason
    assert not demo.install_demo(db)  # a second run adds nothing


def test_the_demo_catalogue_has_a_second_networks_practices_and_one_adoption(db_path):
    from models.practices import adoption, records, search

    db = database.connect(db_path)
    demo.install_demo(db, with_pupils=False)
    reader = actor_named(db, "dirigente")  # of the first network
    found = search.search(db, reader, "")
    assert len(found) == 5 and {hit.source.split(" – ")[0] for hit in found} == {"Rete dei Laghi"}
    assert [hit.title for hit in search.search(db, reader, "mediatore")][0] == \
        "Patto di accoglienza con i mediatori culturali"
    lab = next(hit for hit in found if hit.title == "Laboratorio L2 estivo")
    assert lab.adopters == 1
    assert [a.where for a in adoption.adopters(db, reader, lab.practice_id)] == [
        "Scuola primaria «Girasole» (Rete di esempio)"]
    coordinator = actor_named(db, "coordinatore.laghi")
    assert [p.status.value for p in records.drafts(db, coordinator)].count("proposta") == 1
