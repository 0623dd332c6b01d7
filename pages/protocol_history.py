"""History and comparison: what changed since the approval, versions of a section, against the core, another school."""

import streamlit as st

from models.accounts import people
from models.core import clock
from models.protocols import protocol as protocols
from ui import strings as S
from ui.protocol_widgets import (
    change_heading,
    changes_document,
    changes_intro,
    changes_summary,
    choose_section,
    open_protocol,
    show_diff,
)
from ui.session import guard_page
from ui.text import plain, plain_bold, plain_table

ctx = guard_page(__file__)
db, actor = ctx.db, ctx.actor
C = S.COLUMNS

protocol = open_protocol(ctx, S.PAGE_HISTORY, sections=True)

# --- the whole protocol since its last approval: one view, printable -------------------
since = protocols.changes_since_approval(db, actor, protocol.id)
with st.expander(S.CHANGES_SINCE_APPROVAL, icon=":material/difference:", expanded=False):
    if since is None:
        st.info(S.CHANGES_NEVER_APPROVED)
    else:
        st.caption(f"{changes_intro(since)} {changes_summary(since)}")
        st.download_button(S.CHANGES_DOWNLOAD, data=changes_document(protocol, since),
                           file_name=f"modifiche_dall_approvazione_{protocol.school_code or 'rete'}.html",
                           mime="text/html", icon=":material/print:")
        if not since.changes:
            st.info(S.CHANGES_NONE_SINCE)
        for change in since.changes:
            st.markdown(f"#### {plain(change_heading(change))}")
            show_diff(change.before or "", change.after)

section = choose_section(ctx, protocol, key="history_section")

tab_versions, tab_core, tab_school, tab_events = st.tabs(
    [S.TAB_VERSIONS, S.TAB_VS_CORE, S.TAB_VS_SCHOOL, S.TAB_EVENTS])

with tab_versions:
    history = protocols.section_history(db, actor, section.id)
    names = people.names(db, actor, (v.author for v in history))
    st.table(
        plain_table([{"Versione": v.version, C["actor"]: names[v.author],
                      C["at"]: clock.local_datetime(v.created_at), "Nota": v.note,
                      "Basata sulla": str(v.base_version) if v.base_version else S.NO_BASE}  # one type: text
                     for v in history]),
        hide_index=True,
    )
    numbers = [v.version for v in history]
    if len(numbers) > 1:
        left, right = st.columns(2)
        old = left.selectbox(S.COMPARE_FROM, numbers, index=1, key=f"old_{section.id}",
                             placeholder=S.CHOOSE_PLACEHOLDER)
        new = right.selectbox(S.COMPARE_TO, numbers, index=0, key=f"new_{section.id}", placeholder=S.CHOOSE_PLACEHOLDER)
        bodies = {v.version: v.body for v in history}
        show_diff(bodies[old], bodies[new])

with tab_core:
    if protocol.is_core:
        st.info(S.CORE_NO_COMPARE)
    else:
        core_text = protocols.core_text_for(db, actor, section)
        if core_text is None:
            st.info(S.LOCAL_NO_CORE)
        else:
            show_diff(core_text, section.body)

with tab_school:
    others = [p for p in protocols.list_protocols(db, actor) if not p.is_core and p.id != protocol.id]
    if not others:
        st.info(S.NO_OTHER_SCHOOL)
    else:
        other = st.selectbox(S.OTHER_SCHOOL, others, format_func=lambda p: f"{p.school_code} · {p.title}",
                             placeholder=S.CHOOSE_PLACEHOLDER)
        theirs = {s.key: s for s in protocols.list_sections(db, actor, other.id)}
        match = theirs.get(section.key)
        st.markdown(f"{plain_bold(section.title)}: {plain(other.school_code)} → "
                    f"{plain(protocol.school_code or S.CORE_BADGE)}")
        show_diff(match.body if match else "", section.body)
        if match is None:
            st.caption(S.SECTION_MISSING)

with tab_events:
    log = protocols.events(db, actor, protocol.id)
    names = people.names(db, actor, (e["actor"] for e in log))
    if not log:
        st.info(S.NO_EVENTS)
    else:
        st.table(
            plain_table([{C["at"]: clock.local_datetime(e["at"]), C["actor"]: names[e["actor"]],
                          S.STATUS: protocols.STATUS_LABELS[protocols.Status(e["to_status"])],
                          C["detail"]: e["detail"]} for e in log]),
            hide_index=True,
        )
