"""The structure of a protocol: the network shapes its core, a school reshapes its own sections."""

import streamlit as st

from models.accounts import people
from models.core import clock
from models.protocols import protocol as protocols
from models.protocols import structure as ps
from models.protocols.templates import KIND_LABELS, SectionKind
from ui import strings as S
from ui.protocol_widgets import may_act, open_protocol
from ui.session import form_key, guard_page, run_action
from ui.text import plain

ctx = guard_page(__file__)
db, actor = ctx.db, ctx.actor
C = S.COLUMNS
DONE = S.STRUCTURE_DONE

protocol = open_protocol(ctx, S.PAGE_STRUCTURE)
st.caption(S.STRUCTURE_CORE_INTRO if protocol.is_core else S.STRUCTURE_SCHOOL_INTRO)

can_act = may_act(actor, protocol, S.STRUCTURE_READ_ONLY)


def run(action, message: str, clears: str | None = None) -> None:
    run_action(action, message, rerun=True, clears=clears)


def core_actions(section: protocols.Section, column) -> None:
    locked = section.kind is SectionKind.CORE_LOCKED
    if column.button(S.UNLOCK_SECTION if locked else S.LOCK, key=f"lock_{section.id}",
                     icon=":material/lock_open:" if locked else ":material/lock:"):
        run(lambda: ps.set_locked(db, actor, section.id, not locked),
            DONE["unlocked" if locked else "locked"].format(title=section.title))


def school_actions(section: protocols.Section, following: protocols.Section | None, column) -> None:
    if section.kind is SectionKind.CORE_LOCKED:
        return
    parts = ps.split_points(section.body)
    with column.popover(S.SPLIT, icon=":material/call_split:"):
        if len(parts) < 2:
            st.caption(S.SPLIT_TOO_SHORT)
        else:
            with st.form(f"split_{section.id}"):
                at = st.selectbox(S.SPLIT_AT, range(1, len(parts)), placeholder=S.CHOOSE_PLACEHOLDER,
                                  format_func=lambda i: f"{i + 1}. {parts[i][:90]}{'…' if len(parts[i]) > 90 else ''}")
                title = st.text_input(S.SPLIT_TITLE, max_chars=protocols.MAX_TITLE)
                if st.form_submit_button(S.SPLIT_CONFIRM, type="primary"):
                    run(lambda: ps.split_section(db, actor, section.id, at, title, base_version=section.version),
                        DONE["split"].format(title=title))
    if following is not None and following.kind is not SectionKind.CORE_LOCKED:
        with column.popover(S.MERGE_NEXT, icon=":material/call_merge:"):
            st.caption(S.MERGE_NEXT_HELP.format(next=plain(following.title)))
            if st.button(S.MERGE_NEXT, key=f"merge_{section.id}", type="primary"):
                run(lambda: ps.merge_sections(db, actor, section.id, following.id,
                                              (section.version, following.version)),
                    DONE["merged"].format(title=section.title))


sections = protocols.list_sections(db, actor, protocol.id)
for index, section in enumerate(sections):
    following = sections[index + 1] if index + 1 < len(sections) else None
    with st.container(border=True):
        st.markdown(f"**{index + 1}. {plain(section.title)}**")
        st.caption(KIND_LABELS[section.kind])
        if not can_act:
            continue
        actions = st.container(horizontal=True, gap="small")
        up = down = actions
        if up.button(S.MOVE_UP, key=f"up_{section.id}", icon=":material/arrow_upward:", disabled=index == 0):
            run(lambda s=section: ps.move_section(db, actor, s.id, -1), DONE["moved"])
        if down.button(S.MOVE_DOWN, key=f"down_{section.id}", icon=":material/arrow_downward:",
                       disabled=following is None):
            run(lambda s=section: ps.move_section(db, actor, s.id, 1), DONE["moved"])
        if protocol.is_core:
            core_actions(section, actions)
        else:
            school_actions(section, following, actions)
        renamable = protocol.is_core or section.kind is SectionKind.LOCAL
        if renamable:
            with actions.popover(S.RENAME, icon=":material/edit:"):
                with st.form(f"rename_{section.id}"):
                    title = st.text_input(S.NEW_TITLE, value=section.title, max_chars=protocols.MAX_TITLE)
                    if st.form_submit_button(S.RENAME, type="primary"):
                        run(lambda s=section, t=title: ps.rename_section(db, actor, s.id, t),
                            DONE["renamed"].format(title=title))
        if protocol.is_core or section.kind is not SectionKind.CORE_LOCKED:
            with actions.popover(S.REMOVE, icon=":material/delete:"):
                st.caption(S.REMOVE_HELP + (" " + S.REMOVE_CORE_HELP if protocol.is_core else ""))
                if st.button(S.REMOVE_CONFIRM.format(title=plain(section.title)), key=f"remove_{section.id}",
                             type="primary"):
                    run(lambda s=section: ps.remove_section(db, actor, s.id),
                        DONE["removed"].format(title=section.title))

if can_act and protocol.is_core:
    with st.expander(S.ADD_CORE_SECTION, icon=":material/add:"):
        with st.form(form_key("add_core_section")):
            title = st.text_input(S.SECTION_TITLE, max_chars=protocols.MAX_TITLE)
            locked = st.checkbox(S.ADD_CORE_LOCKED)
            if st.form_submit_button(S.CREATE, type="primary"):
                run(lambda: ps.add_core_section(db, actor, protocol.id, title, locked=locked),
                    DONE["added"].format(title=title), clears="add_core_section")
elif can_act:
    with st.expander(S.ADD_LOCAL_SECTION, icon=":material/add:"):
        with st.form(form_key("add_local_section")):
            title = st.text_input(S.SECTION_TITLE, max_chars=protocols.MAX_TITLE)
            if st.form_submit_button(S.CREATE, type="primary"):
                run(lambda: protocols.add_local_section(db, actor, protocol.id, title),
                    S.LOCAL_SECTION_ADDED.format(title=title), clears="add_local_section")

with st.expander(S.STRUCTURE_HISTORY, icon=":material/history:"):
    events = ps.history(db, actor, protocol.id)
    if not events:
        st.caption(S.NO_STRUCTURE_HISTORY)
    else:
        who = people.names(db, actor, (e["actor"] for e in events))
        st.dataframe(
            [{C["at"]: clock.local_datetime(e["at"]), C["actor"]: who.get(e["actor"], e["actor"]),
              C["detail"]: f"{ps.ACTION_LABELS.get(e['action'], e['action'])}: {e['detail']}"} for e in events],
            hide_index=True)
