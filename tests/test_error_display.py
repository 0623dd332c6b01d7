"""Errors reach the page through one helper, `ui.text.show_error`, which always escapes: an error's text often
quotes what someone typed or uploaded (a file name, a cell, a title)."""

from __future__ import annotations

import ast

import pytest
from streamlit.testing.v1 import AppTest

from tests.source_scan import APP_FILES, file_id, matching_lines, named, nodes

ALERTS = {"error", "warning", "info", "success", "toast", "exception", "markdown", "write", "caption"}
FILES = [p for p in APP_FILES if file_id(p).startswith(("pages/", "ui/", "app.py"))]


ESCAPERS = {"plain", "plain_bold", "plain_format"}


def _unescaped(node, errors: set[str]) -> bool:
    """An error's text read (`.message`, `.args`, `str(...)`, the caught error itself, in an f-string or not)
    outside a call that escapes it."""
    if isinstance(node, ast.Call) and named(node, ESCAPERS):
        return False
    if isinstance(node, ast.Attribute) and node.attr in ("message", "args"):
        return True
    if named(node, {"str", *errors}):
        return True
    return any(_unescaped(child, errors) for child in ast.iter_child_nodes(node))


def error_texts_shown_directly(source: str) -> list[int]:
    """Lines of calls st.<alert>(...) that show an error's text unescaped."""
    errors = {node.name for node in nodes(source) if isinstance(node, ast.ExceptHandler) and node.name}
    return matching_lines(source, lambda node: isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                          and node.func.attr in ALERTS and named(node.func.value, {"st"})
                          and any(_unescaped(arg, errors) for arg in [*node.args, *(k.value for k in node.keywords)]))



@pytest.mark.parametrize("path", FILES, ids=file_id)
def test_no_page_shows_an_error_text_but_through_show_error(path):
    lines = error_texts_shown_directly(path.read_text(encoding="utf-8"))
    assert not lines, f"lines {lines}: use ui.text.show_error(error), which escapes"


# Messages handed to these are escaped once, where they are shown (ui.session.show_flash, run_action): escaping them
# before shows the backslashes ("Fase \\*sociale\\*"). A page's `run` is its shorthand for run_action.
SHOWN_LATER = {"flash": 0, "run_action": 1, "run": 1}


def messages_escaped_twice(source: str) -> list[int]:
    """Lines of calls flash/run_action/run whose message already went through plain()."""
    return matching_lines(source, lambda node: isinstance(node, ast.Call) and named(node, set(SHOWN_LATER))
                          and any(isinstance(inner, ast.Call) and named(inner, ESCAPERS)
                                  for arg in node.args[SHOWN_LATER[node.func.id]:] for inner in ast.walk(arg)))


@pytest.mark.parametrize("path", FILES, ids=file_id)
def test_no_page_escapes_a_message_that_is_escaped_where_shown(path):
    lines = messages_escaped_twice(path.read_text(encoding="utf-8"))
    assert not lines, f"lines {lines}: flash and run_action escape the message themselves; pass the text as it is"


def test_the_check_sees_a_message_escaped_twice():
    page = ("flash(S.SAVED.format(title=plain(t)))\nrun(lambda: act(plain(x)), S.DONE.format(title=t))\n"
            "run_action(act, plain_format(S.DONE, title=t))\n")
    assert messages_escaped_twice(page) == [1, 3]


def test_the_check_sees_an_error_text_shown_directly():
    page = ("try:\n    pass\nexcept ApprodoError as error:\n"
            "    st.warning(error.message)\n    st.error(f'Errore: {str(error)}')\n"
            "    st.error(error)\n    st.info(f'Non riuscito: {error}')\n    st.success(plain(error))\n")
    assert error_texts_shown_directly(page) == [4, 5, 6, 7]
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
