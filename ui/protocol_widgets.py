"""Widgets shared by the protocol pages: choosing a protocol and a section, diffs, previews."""

from __future__ import annotations

import html

import streamlit as st

from models import diffs, protocols
from models.errors import ApprodoError
from models.templates import KIND_LABELS
from ui import strings as S
from ui.session import PageContext
from ui.text import plain, plain_format

QUERY_KEY = "protocollo"
REMEMBERED_KEY = "approdo_protocol"

_CSS = """
<style>
.approdo-text table {border-collapse: collapse; margin: .5em 0;}
.approdo-text th, .approdo-text td {border: 1px solid #ccc; padding: .25em .5em; vertical-align: top;}
.approdo-diff {white-space: pre-wrap; line-height: 1.5;}
.approdo-diff del {background: #fde2e1; color: #8a1c14;}
.approdo-diff ins {background: #dcf5e3; color: #0f5a2a; text-decoration: none;}
</style>
"""


def protocol_label(protocol: protocols.Protocol) -> str:
    who = S.CORE_BADGE if protocol.is_core else protocol.school_code
    return f"{protocol.title} · {who} · {protocol.status_label}"


def choose_protocol(ctx: PageContext) -> protocols.Protocol | None:
    """The protocol named in the URL (?protocollo=ID), or one picked from the list.

    The id in the URL is only a wish: models/ decides whether this user may read it.
    """
    # The URL names the protocol; otherwise the one this user last opened.
    wanted = st.query_params.get(QUERY_KEY) or st.session_state.get(REMEMBERED_KEY)
    protocol = None
    if wanted is not None:
        try:
            protocol = protocols.get_protocol(ctx.db, ctx.actor, int(wanted))
        except ValueError:
            st.error(S.PROTOCOL_PARAM_INVALID)
        except ApprodoError as error:
            st.error(plain(error.message))
        if protocol is None:
            st.query_params.pop(QUERY_KEY, None)
            st.session_state.pop(REMEMBERED_KEY, None)
            return None
    visible = protocols.list_protocols(ctx.db, ctx.actor)
    if not visible:
        st.info(S.NO_PROTOCOLS)
        return None
    protocol = protocol or visible[0]
    ids = [p.id for p in visible]
    chosen = st.selectbox(S.CHOOSE_PROTOCOL, visible, index=ids.index(protocol.id) if protocol.id in ids else 0,
                          format_func=protocol_label)
    if st.query_params.get(QUERY_KEY) != str(chosen.id):
        st.query_params[QUERY_KEY] = str(chosen.id)
    st.session_state[REMEMBERED_KEY] = str(chosen.id)
    return chosen


def choose_section(ctx: PageContext, protocol: protocols.Protocol, open_comments: dict[int, int] | None = None,
                   key: str = "section") -> protocols.Section:
    sections = protocols.list_sections(ctx.db, ctx.actor, protocol.id)
    open_comments = open_comments or {}

    def label(section: protocols.Section) -> str:
        extra = f" · {open_comments[section.id]} commenti aperti" if open_comments.get(section.id) else ""
        return f"{section.position}. {section.title} ({KIND_LABELS[section.kind]}){extra}"

    return st.selectbox(S.CHOOSE_SECTION, sections, format_func=label, key=f"{key}_{protocol.id}")


def protocol_header(protocol: protocols.Protocol) -> None:
    parts = [f"{S.STATUS}: **{protocol.status_label}**", f"{S.REVISION} {protocol.revision}",
             f"a.s. {protocol.school_year}"]
    if protocol.deliberation_number:
        parts.append(plain_format(S.DELIBERATION, number=protocol.deliberation_number,
                                  date=protocol.deliberation_date))
    st.markdown(" · ".join(parts))


def show_rich_text(blocks_html: str) -> None:
    st.html(_CSS + f'<div class="approdo-text">{blocks_html}</div>')


def show_diff(old: str, new: str) -> None:
    pieces = diffs.word_diff(old, new)
    if not diffs.changed(pieces):
        st.caption(S.NO_DIFFERENCE)
        return
    added, removed = diffs.summary(pieces)
    st.caption(S.DIFF_SUMMARY.format(added=added, removed=removed))
    parts = []
    for piece in pieces:
        text = html.escape(piece.text)
        if piece.kind == "removed":
            text = f"<del>{text}</del>"
        elif piece.kind == "added":
            text = f"<ins>{text}</ins>"
        parts.append(text)
    st.html(_CSS + f'<div class="approdo-diff">{"".join(parts)}</div>')
