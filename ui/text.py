"""User text shown as plain text where Streamlit renders Markdown.

st.markdown, captions, headings, alerts, st.table cells, expander, tab and
widget labels all read Markdown. Text that people typed or uploaded (titles,
codes, classes, names, notes, comments, cells of a file) goes through `plain`
first, so `![x](http://…)` shows as those characters and never makes the
reader's browser fetch an address or follow a link. Protocol section bodies
are the one exception: they are rich text, rendered by models.richtext.

`plain` escapes only what could start Markdown, so ordinary text ("3A",
"<5", "18,5 %", "I.C. Manzoni") stays as it is. Autolinks need more than a
backslash: Streamlit's GFM plugin finds bare URLs in the text after escapes
are resolved, so a word joiner (U+2060, invisible) is put inside `://`,
`www.`, `@` and `:name:` shortcodes to break them; an e-mail address is
shown as code instead, so that copying it gives the address itself.
"""

from __future__ import annotations

import re

import pandas as pd

from models.core.errors import NothingToSave

JOINER = "\u2060"

_ALWAYS = re.compile(r"([\\`*\[\]|~$])")  # emphasis, code, links/images, tables, strikethrough, math
_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")  # "_x_" is emphasis, "scuola_nome" is not
_TAG_START = re.compile(r"([<&])(?=[A-Za-z/!?#])")  # HTML tags, <autolinks>, entities; "<5" stays
_LINE_START = re.compile(r"^([ \t]*)([#>+=-])", re.MULTILINE)  # headings, quotes, lists, setext lines
_ORDERED = re.compile(r"^([ \t]*\d+)([.)])", re.MULTILINE)  # "1." / "1)" lists
_COLON = re.compile(r":(?=[^\W\d]|[/+-])")  # "http://", ":smile:", ":material/x:"; "14:30" stays
_WWW = re.compile(r"(www)(?=\.)", re.IGNORECASE)
_AT = re.compile(r"@(?=\w)")  # e-mail autolinks
_EMAIL = re.compile(r"([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")


def plain(text) -> str:
    """`text` (any value; None gives "") as Markdown that displays exactly these characters.

    An e-mail address is shown as code: no autolink there, and copied from the page it is the address itself
    (a word joiner after its "@" would travel with it, invisible, into the mail client)."""
    if text is None:
        return ""
    value = str(text)
    if "@" in value:
        pieces = _EMAIL.split(value)
        return "".join(f"`{piece}`" if index % 2 else _plain(piece) for index, piece in enumerate(pieces))
    return _plain(value)


def _plain(value: str) -> str:
    value = _ALWAYS.sub(r"\\\1", value)
    value = _UNDERSCORE.sub(r"\\_", value)
    value = _TAG_START.sub(r"\\\1", value)
    value = _LINE_START.sub(r"\1\\\2", value)
    value = _ORDERED.sub(r"\1\\\2", value)
    value = _COLON.sub(":" + JOINER, value)
    value = _WWW.sub(r"\1" + JOINER, value)
    return _AT.sub("@" + JOINER, value)


def plain_bold(text) -> str:
    """User text as a bold line (e.g. a section title above its diff)."""
    return f"**{plain(text)}**"


def plain_format(template: str, **values) -> str:
    """An Italian string of ui/strings.py with user values filled in as plain text."""
    return template.format(**{name: plain(value) for name, value in values.items()})


def plain_table(frame: pd.DataFrame | list[dict]) -> pd.DataFrame:
    """A table for st.table (which renders Markdown in every cell and label): text cells and labels as plain text.

    Numbers stay numbers; "<5" and "n.d." are unchanged by `plain`.
    """
    frame = pd.DataFrame(frame)

    def cell(value):
        return plain(value) if isinstance(value, str) else value

    frame = frame.map(cell)
    if not isinstance(frame.index, pd.RangeIndex):  # a row number stays a RangeIndex: st.table hides it
        frame.index = pd.Index([cell(label) for label in frame.index], name=cell(frame.index.name))
    frame.columns = pd.Index([cell(label) for label in frame.columns], name=cell(frame.columns.name))
    return frame


def show_error(message, *, kind: str = "error", icon: str | None = None) -> None:
    """Show an error (an ApprodoError, or its text) on the page, always escaped: messages quote what people typed
    or uploaded (a file name, a cell, a title). `kind` is the Streamlit alert: error, warning or info."""
    import streamlit as st

    text = getattr(message, "message", message)
    if isinstance(message, NothingToSave) and kind == "error":
        kind = "info"  # nothing new to save: information, not an error
    {"error": st.error, "warning": st.warning, "info": st.info}[kind](plain(text), icon=icon)
