"""Errors reach the page through one helper, `ui.text.show_error`, which always escapes: an error's text often
quotes what someone typed or uploaded (a file name, a cell, a title)."""

from __future__ import annotations

import ast

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

ALERTS = {"error", "warning", "info", "success", "toast", "exception", "markdown", "write", "caption"}
FILES = sorted([*(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py"), ROOT / "app.py"])


ESCAPERS = {"plain", "plain_bold", "plain_format"}


def _unescaped(node) -> bool:
    """An error's text read (`.message`, `.args`, `str(...)`) outside a call that escapes it."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ESCAPERS:
        return False
    if isinstance(node, ast.Attribute) and node.attr in ("message", "args"):
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "str":
        return True
    return any(_unescaped(child) for child in ast.iter_child_nodes(node))


def error_texts_shown_directly(source: str) -> list[int]:
    """Lines of calls st.<alert>(...) that show an error's text unescaped."""
    return [node.lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ALERTS
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "st"
            and any(_unescaped(arg) for arg in [*node.args, *(k.value for k in node.keywords)])]


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_page_shows_an_error_text_but_through_show_error(path):
    lines = error_texts_shown_directly(path.read_text(encoding="utf-8"))
    assert not lines, f"lines {lines}: use ui.text.show_error(error), which escapes"


# Messages handed to these are escaped once, where they are shown (ui.session.show_flash, run_action): escaping them
# before shows the backslashes ("Fase \\*sociale\\*"). A page's `run` is its shorthand for run_action.
SHOWN_LATER = {"flash": 0, "run_action": 1, "run": 1}


def messages_escaped_twice(source: str) -> list[int]:
    """Lines of calls flash/run_action/run whose message already went through plain()."""
    return [node.lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in SHOWN_LATER
            and any(isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id in ESCAPERS
                    for arg in node.args[SHOWN_LATER[node.func.id]:] for inner in ast.walk(arg))]


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_page_escapes_a_message_that_is_escaped_where_shown(path):
    lines = messages_escaped_twice(path.read_text(encoding="utf-8"))
    assert not lines, f"lines {lines}: flash and run_action escape the message themselves; pass the text as it is"


def test_the_check_sees_a_message_escaped_twice():
    page = ("flash(S.SAVED.format(title=plain(t)))\nrun(lambda: act(plain(x)), S.DONE.format(title=t))\n"
            "run_action(act, plain_format(S.DONE, title=t))\n")
    assert messages_escaped_twice(page) == [1, 3]


def test_the_check_sees_an_error_text_shown_directly():
    page = ("try:\n    pass\nexcept ApprodoError as error:\n"
            "    st.warning(error.message)\n    st.error(f'Errore: {str(error)}')\n")
    assert error_texts_shown_directly(page) == [4, 5]
    assert error_texts_shown_directly("show_error(error)\nst.error(S.NOT_ALLOWED)\n"
                                      "st.success(plain(summary.message()))\n") == []


def show_hostile_error() -> None:
    from models.core.errors import ApprodoError
    from ui.text import show_error

    show_error(ApprodoError("File ![x](http://esempio.invalid/a.png) non valido: [clic](http://esempio.invalid)"))
    show_error("Riga 3: **grassetto** <b>html</b>", kind="warning")


def test_show_error_escapes_markdown_links_and_html():
    at = AppTest.from_function(show_hostile_error, default_timeout=30).run()
    assert not at.exception
    error, warning = at.error[0].value, at.warning[0].value
    assert "![x](" not in error and "[clic](" not in error and "\\[" in error
    assert "http://" not in error  # the autolink is broken by a word joiner
    assert "\\*\\*grassetto\\*\\*" in warning and "\\<b>" in warning
