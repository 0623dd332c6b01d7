"""Colour is never the only carrier of a meaning (WCAG 1.4.1): what a colour says is also in words or in a shape.

The risk levels are words in the list (tests/pages/test_risk_pages.py) and in the pupil chart's table; here the
diff views, the pupil chart's two thresholds and the menu's open page."""

import json
import re

from tests.pages.conftest import open_page
from tests.pages.test_follow_up_pages import high_pupil, open_pupil
from ui import diff_view, navigation


def test_changed_words_are_struck_through_or_underlined_not_only_coloured():
    # (what a screen reader says before each: tests/pages/test_protocol_pages.py)
    for tag, line in (("del", "line-through"), ("ins", "underline")):
        rules = re.findall(rf"\b{tag} \{{([^}}]*)\}}", diff_view.CSS)
        assert rules, tag
        assert all(f"text-decoration: {line}" in rule for rule in rules), rules


def test_the_pupil_chart_tells_its_two_thresholds_apart_by_dashes_too(pupils_db):
    at = open_pupil("funzione", high_pupil(pupils_db))
    specs = [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]
    layers = [layer for spec in specs for part in spec.get("vconcat", []) for layer in part.get("layer", [])]
    thresholds = [layer["encoding"] for layer in layers if layer.get("encoding", {}).get("y", {}).get("field")
                  == "soglia"]
    assert len(thresholds) == 1
    colour, dashes = thresholds[0]["color"], thresholds[0]["strokeDash"]
    assert dashes["field"] == colour["field"] == "nome"  # one legend: the name beside colour and dash
    assert dashes["scale"]["range"] == [[6, 4], [2, 2]]  # two different dash patterns


def test_the_menu_marks_the_open_page_in_bold_not_only_by_its_background(pupils_db):
    at = open_page("funzione", "pages/risk.py")
    labels = [link.proto.label for link in at.sidebar.get("page_link")]
    assert "Scheda alunno" in labels and "Carica dati" in labels  # the other pages: plain
    assert [label for label in labels if "**" in label] == ["**Rischio dispersione**"]


def _luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def test_a_focused_menu_link_has_an_outline_not_only_the_grey_background(pupils_db):
    at = open_page("funzione", "pages/risk.py")
    css = " ".join(h.proto.body for h in at.get("html") if "<style>" in h.proto.body)
    rule = re.search(r'\[data-testid="stSidebar"\] a:focus-visible \{([^}]*)\}', css)
    assert rule and f"outline: 2px solid {navigation.FOCUS_COLOUR}" in rule.group(1)
    # WCAG 1.4.11: 3:1 against the sidebar (#F0F2F6), white, and the darker grey of hover and the open page.
    for background in ("#F0F2F6", "#FFFFFF", "#D5DAE5"):
        light, dark = sorted((_luminance(background), _luminance(navigation.FOCUS_COLOUR)), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 3, background
