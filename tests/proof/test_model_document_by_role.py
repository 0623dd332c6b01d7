"""The learned model's document, read and downloaded by each role: only what DESIGN.md's table allows.

The document counts pupils and adverse outcomes school by school. A second, small school of the network
(a handful of adverse outcomes) makes the small cells that must read "<5" for those who see every school;
the funzione strumentale and the dirigente read their own school and never another's figures.
"""

import json

import pytest

from models import pupil_data, suppression
from models.errors import PermissionDenied
from models.risk import learn, synthetic
from models.school_year import SchoolYear
from tests.conftest import OTHER_NETWORK, actor_named, count_proof
from tests.pages.conftest import log_in, new_app

SCHOOL, SMALL_SCHOOL = "MIIS00003C", "MIRI00004D"
YEARS = [SchoolYear(2023), SchoolYear(2024), SchoolYear(2025)]


@pytest.fixture
def trained(demo_db, system):
    for code, pupils, seed in ((SCHOOL, 1200, 4), (SMALL_SCHOOL, 40, 6)):
        cohort = synthetic.generate("secondaria_secondo_grado", pupils, YEARS, seed=seed, last_month=2,
                                    context_weight=1.5)
        pupil_data.import_attendance(demo_db, system, code, synthetic.attendance_csv(cohort), "a.csv")
        pupil_data.import_context(demo_db, system, code, synthetic.context_csv(cohort), "c.csv")
        pupil_data.import_outcomes(demo_db, system, code, synthetic.outcomes_csv(cohort), "o.csv")
    learn.train(demo_db, system, "RETEDEMO")
    return demo_db


def stored_document(db) -> dict:
    return json.loads(db.execute("SELECT document FROM risk_models ORDER BY version DESC LIMIT 1").fetchone()[0])


def counts_in(document: dict) -> list:
    """Every count of pupils in the document (network totals, per school, per audit group)."""
    metrics = document["metrics"]
    found = [metrics[k] for k in ("train_pupils", "train_adverse", "test_pupils", "test_adverse")]
    found += [metrics[side][k] for side in ("model", "rules") for k in ("flagged", "true_positives")]
    for entry in metrics["schools"].values():
        found += [v for k, v in entry.items() if k in ("pupils", "adverse") or k.endswith(("_flagged", "_positives"))]
    found += [row["flagged"] for rows in document["audit"].values() for row in rows if "flagged" in row]
    return found


def test_the_small_school_really_has_small_cells(trained):
    """Without this, the suppression below could not fail."""
    raw = stored_document(trained)["metrics"]["schools"][SMALL_SCHOOL]
    assert 0 < raw["adverse"] < suppression.MIN_PUPILS, raw


@pytest.mark.parametrize("username", ["admin", "coordinatrice"])
def test_who_sees_every_school_gets_every_school_with_small_cells_suppressed(trained, username):
    document = learn.document_for(trained, actor_named(trained, username), "RETEDEMO")
    assert set(document["metrics"]["schools"]) == {SCHOOL, SMALL_SCHOOL}
    small = document["metrics"]["schools"][SMALL_SCHOOL]
    assert small["adverse"] == "<5"
    assert small["model_precision_at_k"] in ("<5", None) and small["rules_precision_at_k"] in ("<5", None)
    for value in counts_in(document):
        count_proof("cifre del modello controllate per ruolo")
        assert value is None or value == "<5" or value == 0 or value >= suppression.MIN_PUPILS, value


def test_the_dirigente_gets_the_network_totals_and_the_own_school_only(trained):
    raw = stored_document(trained)
    document = learn.document_for(trained, actor_named(trained, "dirigente"), "RETEDEMO")
    assert set(document["metrics"]["schools"]) == {SCHOOL}
    assert document["metrics"]["schools"][SCHOOL] == raw["metrics"]["schools"][SCHOOL]  # own pupils: as they are
    for value in counts_in(document):
        assert value is None or value == "<5" or value == 0 or value >= suppression.MIN_PUPILS, value


def test_the_funzione_strumentale_gets_the_own_school_and_no_network_counts(trained):
    document = learn.document_for(trained, actor_named(trained, "funzione"), "RETEDEMO")
    assert set(document["metrics"]["schools"]) == {SCHOOL}
    metrics = document["metrics"]
    assert [metrics[k] for k in ("train_pupils", "train_adverse", "test_pupils", "test_adverse")] == [None] * 4
    assert document["audit"] == {"model": [], "rules": []}


@pytest.mark.parametrize("username", ["docente", "altro.dirigente", "altro.coord"])
def test_teachers_and_other_networks_read_no_model(trained, username):
    actor = actor_named(trained, username)
    with pytest.raises(PermissionDenied):
        learn.document_for(trained, actor, "RETEDEMO")
    with pytest.raises(PermissionDenied):
        learn.load(trained, actor, "RETEDEMO")
    count_proof("controlli di autorizzazione (ruolo × pagina × scuola)")


def test_the_model_is_used_on_a_schools_pupils_only_by_who_reads_them(trained):
    assert learn.offered_model(trained, actor_named(trained, "docente"), SCHOOL) is not None
    for username in ("coordinatrice", "altro.dirigente", "admin"):
        with pytest.raises(PermissionDenied):
            learn.offered_model(trained, actor_named(trained, username), SCHOOL)
    assert OTHER_NETWORK  # the other network's people are in the demo database


@pytest.fixture
def served(monkeypatch):
    """The bytes Streamlit stores for the page's files (what a download button serves), by mimetype."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def load_and_get_id(self, path_or_data, mimetype, kind, filename=None):
        if isinstance(path_or_data, bytes | str):
            files[mimetype] = path_or_data.encode() if isinstance(path_or_data, str) else path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", load_and_get_id)
    return files


@pytest.mark.parametrize("username", ["coordinatrice", "dirigente", "funzione"])
def test_the_model_page_download_is_the_roles_document(trained, served, username):
    at = log_in(new_app(), username)
    at.switch_page("pages/model.py").run()
    assert not at.exception, at.exception
    assert [b.proto.label for b in at.get("download_button")] == ["Scarica la scheda del modello (JSON)"]
    document = json.loads(served["application/json"])
    expected = learn.document_for(trained, actor_named(trained, username), "RETEDEMO")
    assert document == {k: v for k, v in expected.items() if k != "audit"}
    if username != "coordinatrice":
        assert SMALL_SCHOOL not in json.dumps(document)
