"""Modello di rischio as a dirigente and as the coordinator; the model's estimate on the list (AppTest)."""

import pytest

from models.core.permissions import Actor
from models.risk import learn
from tests.conftest import MODEL_SCHOOL
from tests.pages.conftest import log_in, new_app

# make test runs two processes (xdist, loadgroup): one of them runs both files on model_db (built once).
pytestmark = pytest.mark.xdist_group("model")

SCHOOL = MODEL_SCHOOL


def open_page(username, page="pages/model.py"):
    at = log_in(new_app(), username)
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def test_a_dirigente_reads_the_model_card_and_the_audit_of_the_school(model_db):
    at = open_page("dirigente")
    assert at.title[0].value == "Modello di rischio appreso"
    assert any("Versione** 1" in m.value and "letto al mese di **febbraio**" in m.value for m in at.markdown)
    comparison = at.table[0].value
    assert list(comparison.columns) == ["Modello", "Regole"] and "AUC ROC" in comparison.index
    assert any("Alunni della tua scuola" in c.value for c in at.caption)
    # The network's test year has one other school (MIRI00004D): the network's curve minus this school's pupils
    # would be that school's, so the dirigente gets no point of it (suppression, rule 2), and is told why.
    assert any(c.value.startswith("Il grafico di affidabilità non è mostrato") for c in at.caption)
    assert not any(c.value.startswith("Il grafico confronta") for c in at.caption)
    assert not any("Probabilità stimata" in t.value.columns for t in at.table)
    audit = at.table[1].value
    assert {"Cittadinanza", "Sesso", "Classe"} <= set(audit["Gruppo"])
    assert not any(b.label == "Addestra e verifica il modello" for b in at.button)
    assert [i.value for i in at.info][0].startswith("Con gli alunni della tua scuola il modello fa meglio")


def test_the_coordinator_sees_network_aggregates_and_retrains(model_db):
    at = open_page("coordinatrice")
    assert any("Tutti gli alunni della rete" in c.value for c in at.caption)
    # The reliability chart's text alternative: what it shows, and its points as a table one click away.
    assert any(c.value.startswith("Il grafico confronta, per gruppi di alunni") for c in at.caption)
    points = at.table[1].value
    assert list(points.columns) == ["Probabilità stimata", "Frequenza osservata"] and len(points) >= 2
    assert all("," in value or value == "0" for value in points["Probabilità stimata"])  # Italian decimals
    codes = {r[0] for r in model_db.execute("SELECT pupil_code FROM attendance LIMIT 50")}
    shown = " ".join(str(t.value.to_dict()) for t in at.table)
    assert not any(code in shown for code in codes)
    next(b for b in at.button if b.label == "Addestra e verifica il modello").click()
    at.run()
    assert [s.value for s in at.success][:1] == ["Modello addestrato e verificato."]
    assert model_db.execute("SELECT MAX(version) FROM risk_models").fetchone()[0] == 2


def test_an_offered_model_adds_its_estimate_to_the_list_and_the_pupil_page(model_db):
    assert learn.offered_model(model_db, Actor.system(), SCHOOL) is not None
    assert learn.offered_model(model_db, Actor.system(), "MIMM00002B") is None  # no pupils there in the test year
    at = open_page("funzione", "pages/risk.py")
    assert "Stima modello %" in at.dataframe[0].value.columns
    code = at.dataframe[0].value["Codice alunno"].iloc[0]
    page = log_in(new_app(), "funzione")
    page.switch_page("pages/pupil.py")
    page.query_params["alunno"] = code
    page.run()
    assert any(m.value.startswith("Stima del modello: **") for m in page.markdown)


def test_without_a_model_the_page_says_how_to_get_one(pupils_db):
    at = open_page("coordinatrice")
    assert [i.value for i in at.info][0].startswith("La rete non ha ancora un modello")


def test_the_reliability_curve_breaks_at_a_hidden_point(model_db, monkeypatch):
    """As the regional trend (the walk of 08/12): a point hidden by suppression is a gap in the line, never
    a stretch drawn across it."""
    import copy
    import json

    import pyarrow as pa

    real = learn.load

    def with_a_hidden_point(db, actor, network_code):
        model = copy.deepcopy(real(db, actor, network_code))
        model.document["metrics"]["reliability"][1]["observed"] = "<5"
        return model

    monkeypatch.setattr(learn, "load", with_a_hidden_point)
    at = open_page("coordinatrice")
    chart = at.get("vega_lite_chart")[0].proto
    spec = json.loads(chart.spec)
    curve = next(lay for lay in spec["layer"] if lay["encoding"].get("y", {}).get("field") == "observed")
    data = {d.name: pa.ipc.open_stream(d.data.data).read_pandas() for d in chart.datasets}[curve["data"]["name"]]
    fields = [curve["encoding"][c]["field"] for c in ("color", "detail") if c in curve["encoding"]]
    lines = [list(part.index) for _, part in data.groupby(fields)] if fields else [list(data.index)]
    assert [0] in lines and all(0 not in line or len(line) == 1 for line in lines)  # the first point alone
