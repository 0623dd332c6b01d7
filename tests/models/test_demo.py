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
