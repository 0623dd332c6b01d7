"""`cli.py proposals list|decide` and `add-user --role regione`, in process."""

from models.core import db as database
from models.protocols import proposals
from models.protocols import protocol as protocols
from tests import test_cli
from tests.conftest import actor_named

# The CLI tests' fixtures: the demo database built once, and the command line run in process.
demo, run = test_cli.demo, test_cli.run

NETWORK = ("--network", "RETEDEMO")


def make_proposals(tmp_path) -> list[int]:
    """Two proposals of the demo dirigente to the upper-secondary core: one stays open, one is declined."""
    db = database.connect(tmp_path / "cli.db")
    dirigente, coordinator = actor_named(db, "dirigente"), actor_named(db, "coordinatrice")
    core = protocols.core_for(db, "RETEDEMO", protocols.Level("secondaria_secondo_grado"))
    sections = {s.key: s for s in protocols.list_sections(db, dirigente, core.id)}
    first = proposals.propose(db, dirigente, sections["tempi"].id, sections["tempi"].body + "\nCon il mediatore.\n",
                              "serve il mediatore")
    second = proposals.propose(db, dirigente, sections["premessa"].id, sections["premessa"].body + "\nAltro.\n",
                               "più chiara")
    proposals.decline(db, coordinator, second.id, "va bene così")
    return [first.id, second.id]


def test_proposals_list_by_status(demo, run, tmp_path):
    (in_demo,) = run("proposals", "list", *NETWORK).stdout.splitlines()  # the demo's open proposal
    assert in_demo.split()[1:3] == ["1", "Aperta"]
    assert run("proposals", "list", *NETWORK, "--status", "accolta").stdout.strip() == "Nessuna proposta."
    first, second = make_proposals(tmp_path)
    everything = run("proposals", "list", *NETWORK)
    assert everything.returncode == 0
    lines = everything.stdout.splitlines()
    assert [line.split()[1] for line in lines] == [str(first), "1", str(second)]  # open ones first, newest first
    assert "Aperta" in lines[0] and "«Tempi e responsabilità»" in lines[0] and "MIIS00003C" in lines[0]
    assert "respinta da coordinatrice" in lines[2] and lines[2].endswith(": va bene così")
    opened = run("proposals", "list", *NETWORK, "--status", "aperta").stdout.splitlines()
    assert [line.split()[1] for line in opened] == [str(first), "1"]
    wrong = run("proposals", "list", *NETWORK, "--status", "chiusa")
    assert wrong.returncode == 1 and "Stato «chiusa» sconosciuto" in wrong.stderr
    unknown = run("proposals", "list", "--network", "NESSUNA")
    assert unknown.returncode == 1 and "NESSUNA" in unknown.stderr


def test_proposals_decide_accepts_into_the_core_and_declines_only_with_a_reason(demo, run, tmp_path):
    first, second = make_proposals(tmp_path)
    refused = run("proposals", "decide", *NETWORK, "--proposal", str(first), "--decline")
    assert refused.returncode == 1 and "perché" in refused.stderr
    both = run("proposals", "decide", *NETWORK, "--proposal", str(first), "--accept", "--decline")
    assert both.returncode == 1
    accepted = run("proposals", "decide", *NETWORK, "--proposal", str(first), "--accept")
    assert accepted.returncode == 0, accepted.stderr
    db = database.connect(tmp_path / "cli.db")
    done = proposals.get_proposal(db, actor_named(db, "admin"), first)
    section = protocols.get_section(db, actor_named(db, "coordinatrice"), done.core_section_id)
    assert accepted.stdout.strip() == f"Proposta n. {first} accolta: versione {section.version} di «Tempi e " \
                                      "responsabilità»."
    assert section.body.endswith("Con il mediatore.\n") and done.core_version == section.version
    again = run("proposals", "decide", *NETWORK, "--proposal", str(second), "--accept")
    assert again.returncode == 1 and "già respinta" in again.stderr


def test_add_user_with_the_role_regione(demo, run, tmp_path):
    made = run("add-user", "r.lombardia", "--role", "regione", "--full-name", "Referente regionale",
               "--password-stdin", stdin="una-password-lunga\n")
    assert made.returncode == 0, made.stderr
    db = database.connect(tmp_path / "cli.db")
    actor = actor_named(db, "r.lombardia")
    assert actor.role.value == "regione" and actor.school_code is None and actor.network_code is None
