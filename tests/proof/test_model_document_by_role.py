"""The learned model's document, read and downloaded by each role: only what docs/design.md's table allows.

The document counts pupils and adverse outcomes school by school. A second, small school of the network
(a handful of adverse outcomes) makes the small cells that must read "<5" for those who see every school;
the funzione strumentale and the dirigente read their own school and never another's figures.
"""

import json

import pytest

from models.core import suppression
from models.core.errors import PermissionDenied
from models.risk import learn
from tests.conftest import MODEL_SCHOOL, MODEL_SMALL_SCHOOL, OTHER_NETWORK, actor_named, count_proof
from tests.pages.conftest import log_in, new_app

# make test runs two processes (xdist, loadgroup): one of them runs both files on model_db (built once).
pytestmark = pytest.mark.xdist_group("model")

SCHOOL, SMALL_SCHOOL = MODEL_SCHOOL, MODEL_SMALL_SCHOOL
FEW = suppression.FEW  # a rate built on fewer than 5 pupils; counts of 1–4 read "<5"


@pytest.fixture
def trained(model_db):
    """The demo network's model, trained on 1,200 pupils of SCHOOL and 40 of SMALL_SCHOOL (tests/conftest.py)."""
    return model_db


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
    assert small["model_precision_at_k"] in (FEW, None) and small["rules_precision_at_k"] in (FEW, None)
    for value in counts_in(document):
        count_proof("cifre del modello controllate per ruolo")
        assert value is None or suppression.is_hidden(value) or value == 0 or value >= suppression.MIN_PUPILS, value
    # The network's total minus the large school's would give the small school's hidden count back.
    metrics = document["metrics"]
    for school_key, network_value in (("adverse", metrics["test_adverse"]), ("pupils", metrics["test_pupils"])):
        assert suppression.is_hidden(network_value) or suppression.is_hidden(
            metrics["schools"][SCHOOL][school_key]) or not suppression.is_hidden(small[school_key])


def test_the_dirigente_gets_the_network_totals_and_the_own_school_only(trained):
    raw = stored_document(trained)
    document = learn.document_for(trained, actor_named(trained, "dirigente"), "RETEDEMO")
    assert set(document["metrics"]["schools"]) == {SCHOOL}
    assert document["metrics"]["schools"][SCHOOL] == raw["metrics"]["schools"][SCHOOL]  # own pupils: as they are
    for value in counts_in(document):
        assert value is None or suppression.is_hidden(value) or value == 0 or value >= suppression.MIN_PUPILS, value
    # One other school: the network's counts minus the own would be that school's (issue 31: 713 − 425 = 288).
    metrics = document["metrics"]
    assert [metrics[k] for k in ("train_pupils", "train_adverse", "test_pupils", "test_adverse")] == ["n.d."] * 4
    assert {metrics[side][k] for side in ("model", "rules") for k in ("flagged", "true_positives")} == {"n.d."}


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


@pytest.mark.parametrize("username", ["admin", "coordinatrice"])
def test_reliability_points_built_on_fewer_than_5_pupils_read_small_for_every_role(trained, username):
    raw = stored_document(trained)["metrics"]["reliability"]
    small = [p for p in raw if p["pupils"] < 5 or 0 < p["adverse"] < 5]
    assert small and len(small) < len(raw), raw  # some points hidden, some shown: the check can fail both ways
    shown = learn.document_for(trained, actor_named(trained, username), "RETEDEMO")["metrics"]["reliability"]
    assert [p["predicted"] for p in shown] == [p["predicted"] for p in raw]
    for point, stored in zip(shown, raw, strict=True):
        count_proof("cifre del modello controllate per ruolo")
        if stored in small:
            assert point["observed"] == FEW and "<5" in (point["pupils"], point["adverse"]), point
        else:
            assert point["observed"] == stored["observed"], point
        for key in ("pupils", "adverse"):
            assert point[key] == "<5" or point[key] == 0 or point[key] >= 5, point


@pytest.mark.parametrize("username", ["dirigente", "funzione"])
def test_the_curve_is_hidden_from_a_school_whose_only_other_school_it_would_describe(trained, username):
    """The staff can score their own pupils with the document's parameters: the network's bins minus their
    own would be the one other school's."""
    shown = learn.document_for(trained, actor_named(trained, username), "RETEDEMO")["metrics"]["reliability"]
    assert shown and all(p["observed"] == p["pupils"] == p["adverse"] == suppression.HIDDEN for p in shown)


def audit_rows(trained, username):
    """(stored row, the row the account is shown, the shown rows of its side) for every audit row of both sides
    that counts pupils; every row the account sees is counted as a figure checked."""
    raw = stored_document(trained)["audit"]
    shown = learn.document_for(trained, actor_named(trained, username), "RETEDEMO")["audit"]
    for side in ("model", "rules"):
        for stored, row in zip(raw[side], shown[side], strict=True):
            count_proof("cifre del modello controllate per ruolo")
            if isinstance(stored["n"], int):
                yield stored, row, shown[side]


@pytest.mark.parametrize("username", ["admin", "coordinatrice"])
def test_audit_error_rates_built_on_fewer_than_5_pupils_read_small(trained, username):
    hidden_somewhere = False
    for stored, row, side_rows in audit_rows(trained, username):
        few_adverse = 0 < stored["adverse"] < 5
        few_others = 0 < stored["n"] - stored["adverse"] < 5
        if few_adverse and stored["fnr"] is not None:
            assert row["fnr"] == row["fnr_ratio"] == FEW, row
            hidden_somewhere = True
        if few_others and stored["fpr"] is not None:
            assert row["fpr"] == row["fpr_ratio"] == FEW, row
        if few_adverse or few_others:
            assert row["in_band"] is None
        assert row["adverse"] == "<5" or row["adverse"] == 0 or row["adverse"] >= 5
        reference = next(r for r in side_rows if r["group"] == row["group"] and r["reference"])
        for key in ("precision", "fpr", "fnr"):
            if reference[key] == FEW:  # a shown ratio to a hidden rate would give it back
                assert row[f"{key}_ratio"] in (FEW, None), (row, reference)
    assert hidden_somewhere, "no audit row had 1–4 adverse outcomes: the check saw nothing"


@pytest.mark.parametrize("username", ["admin", "coordinatrice"])
def test_audit_rates_that_give_back_1_to_4_pupils_read_small(trained, username):
    """A rate times its shown denominator is a count: 10,7 % false positives among 28 pupils without an adverse
    outcome are 3 pupils. Such a rate is hidden, as the dashboard hides a share of 1–4 pupils."""
    hidden_somewhere = False
    for stored, row, _ in audit_rows(trained, username):
        denominators = {"precision": stored["flagged"], "fnr": stored["adverse"],
                        "fpr": stored["n"] - stored["adverse"]}
        for key, denominator in denominators.items():
            if stored[key] is None:
                continue
            pupils = round(stored[key] * denominator)
            if 0 < pupils < suppression.MIN_PUPILS:
                assert row[key] == row[f"{key}_ratio"] == FEW, (key, pupils, row)
                assert row["in_band"] is None
                hidden_somewhere = True
    assert hidden_somewhere, "no audit rate counted 1–4 pupils: the check saw nothing"


def test_the_model_page_leaves_hidden_reliability_points_off_the_chart(trained):
    at = log_in(new_app(), "coordinatrice")
    at.switch_page("pages/model.py").run()
    assert not at.exception, at.exception
    shown = learn.document_for(trained, actor_named(trained, "coordinatrice"), "RETEDEMO")["metrics"]["reliability"]
    hidden = sum(p["observed"] == FEW for p in shown)
    expected = (f"1 punto su {len(shown)} non è mostrato: è costruito su meno di 5 alunni (o su meno di 5 esiti"
                " negativi)." if hidden == 1 else
                f"{hidden} punti su {len(shown)} non sono mostrati: sono costruiti su meno di 5 alunni (o su meno di 5"
                " esiti negativi).")
    assert [c.value for c in at.caption if " mostrat" in c.value] == [expected]
    chart = at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    assert chart, "the reliability chart is drawn with the points that can be shown"
