"""The small things an Italian user notices: agreement, no English from widgets, decimal commas, no empty tables."""

import altair as alt
import pandas as pd
import pytest

from models.accounts import auth
from tests.pages.conftest import log_in, new_app
from ui import formatting
from ui import strings as S


@pytest.mark.parametrize(("count", "expected"), [(0, "0 commenti aperti"), (1, "1 commento aperto"),
                                                 (2, "2 commenti aperti")])
def test_open_comments_agree_with_their_number(count, expected):
    assert S.open_comments(count) == expected


def test_numbers_have_a_decimal_comma_and_missing_ones_a_dash():
    assert formatting.number(18.456) == "18,5"
    assert formatting.number(0.1234, 3) == "0,123"
    assert formatting.number(None) == "—" and formatting.number("<5") == "<5"
    assert formatting.number(12.0, suffix=" %") == "12,0 %"


def test_charts_carry_the_italian_locale():
    chart = formatting.italian_chart(alt.Chart(pd.DataFrame({"x": [1.5]})).mark_point().encode(x="x:Q"))
    locale = chart.to_dict()["config"]["locale"]
    assert locale["number"]["decimal"] == "," and locale["number"]["thousands"] == "."
    assert locale["time"]["months"][1] == "febbraio"


def test_float_columns_of_interactive_tables_use_the_readers_locale():
    config = formatting.number_columns(pd.DataFrame({"Assenze %": [12.5], "Classe": ["3A"], "Ore": [3]}))
    assert list(config) == ["Assenze %"]


def test_an_account_without_a_full_name_is_shown_by_username(demo_db, system):
    auth.create_user(demo_db, system, "senzanome", "una-password-lunga-1", "docente", school_code="MIIS00003C")
    at = log_in(new_app(), "admin")
    at.switch_page("pages/admin.py").run()
    chooser = next(s for s in at.selectbox if s.label == "Nome utente")
    assert "senzanome" in chooser.options and "Paolo Conti (docente)" in chooser.options
    assert not [o for o in chooser.options if o.endswith("()")]


def test_uploaders_explain_themselves_in_italian(demo_db, core):
    at = log_in(new_app(), "dirigente")
    at.switch_page("pages/protocols.py").run()
    assert not at.exception
    uploaders = at.get("file_uploader")
    assert uploaders and all(u.proto.help == S.UPLOAD_HELP for u in uploaders)


def test_an_empty_table_is_a_sentence_and_a_full_one_a_table():
    from streamlit.testing.v1 import AppTest

    def script():
        import pandas as pd

        from ui import formatting

        formatting.table([])
        formatting.dataframe(pd.DataFrame())
        formatting.dataframe(pd.DataFrame({"Assenze %": [12.5]}))

    at = AppTest.from_function(script).run()
    assert not at.exception, at.exception
    assert [c.value for c in at.caption] == [S.EMPTY_TABLE, S.EMPTY_TABLE]
    assert not at.table and len(at.dataframe) == 1


def test_every_choice_on_every_page_has_an_italian_placeholder():
    """Streamlit's own placeholder is English ("Choose an option"): each page sets ours."""
    import ast

    from tests.conftest import ROOT

    missing = []
    for page in sorted((ROOT / "pages").glob("*.py")):
        for node in ast.walk(ast.parse(page.read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("selectbox", "multiselect")
                    and "placeholder" not in {k.arg for k in node.keywords}):
                missing.append(f"{page.name}:{node.lineno}")
    assert missing == []
