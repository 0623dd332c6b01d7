"""Vista regionale as the region sees it (AppTest)."""

import json

import pandas as pd
import pyarrow as pa

from models.network import regional
from tests.pages.conftest import open_page


def line_chart(at) -> tuple[dict, pd.DataFrame]:
    """The first chart's line layer (its spec) and the data it draws."""
    charts = at.get("vega_lite_chart")
    assert charts, "no chart on the page"
    spec = json.loads(charts[0].proto.spec)
    layer = next(lay for lay in spec.get("layer", [spec]) if lay["mark"]["type"] == "line")
    data = {d.name: pa.ipc.open_stream(d.data.data).read_pandas() for d in charts[0].proto.datasets}
    return layer, data[layer["data"]["name"]]


def lines(layer: dict, data: pd.DataFrame) -> list[list[str]]:
    """The months each drawn line joins: one line per value of the colour and detail fields (Vega-Lite's
    grouping of a line mark)."""
    fields = [layer["encoding"][c]["field"] for c in ("color", "detail") if c in layer["encoding"]]
    return [list(part[layer["encoding"]["x"]["field"]]) for _, part in data.groupby(fields, sort=False)]


def test_the_trend_breaks_at_hidden_months_and_says_which(pupils_db, monkeypatch):
    # As the newcomer's walk found it: October and November hidden between shown months.
    months = ["settembre 2025", "ottobre 2025", "novembre 2025", "dicembre 2025", "gennaio 2026"]
    table = pd.DataFrame({"Rete dei Laghi": [0.0, "<5", "n.d.", 13.2, 13.8],
                          "Rete di esempio": [4.0, 5.0, 6.0, 7.0, 8.0]}, index=months, dtype=object)
    monkeypatch.setattr(regional, "risk_months", lambda db, where, year: table)
    at = open_page("regione", "pages/regional.py")
    layer, data = line_chart(at)
    drawn = lines(layer, data)
    assert ["settembre 2025"] in drawn and ["dicembre 2025", "gennaio 2026"] in drawn  # no line across the gap
    assert months in drawn  # the network with every month shown keeps one line
    assert layer["encoding"]["x"]["scale"]["domain"] == months  # the hidden months stay on the axis
    notes = [c.value for c in at.caption if "Mesi nascosti" in c.value]
    assert len(notes) == 1 and "ottobre 2025, novembre 2025 (Rete dei Laghi)" in notes[0]
    assert "Rete di esempio)" not in notes[0]
