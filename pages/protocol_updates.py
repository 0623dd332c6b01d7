"""Updates from the network: the core's changes to sections and texts, decided one by one by the school.

Texts are merged three ways; where the network and the school changed the same passage the dirigente chooses,
sees the result, and saves it as a new version.
"""

import streamlit as st

from models.core.errors import ApprodoError
from models.practices import adoption
from models.protocols import protocol as protocols
from models.protocols import richtext
from models.protocols import structure as ps
from models.protocols.merge import resolve
from models.protocols.protocol import SaveConflict
from models.protocols.templates import SectionKind
from ui import strings as S
from ui.merge_widgets import conflict_choices
from ui.protocol_widgets import may_act, open_protocol, show_diff, show_rich_text
from ui.session import flash, guard_page, run_action
from ui.text import plain, plain_bold, plain_format, show_error

ctx = guard_page(__file__)
db, actor = ctx.db, ctx.actor

protocol = open_protocol(ctx, S.PAGE_UPDATES)
# Adopted good practices publish new versions into any protocol, the core too (the coordinator decides there).
practice_updates = adoption.pending_updates(db, actor, protocol.id)
if protocol.is_core and not practice_updates:
    st.info(S.UPDATES_CORE)
    st.stop()


def run(action, message: str) -> None:
    run_action(action, message, rerun=True)


# --- the school's own sections, linked to the core once the network has one ------------------------------


def link_sections(linking: ps.Linking, can_act: bool) -> None:
    st.subheader(S.LINK_TITLE)
    st.caption(plain_format(S.LINK_INTRO, core=linking.core.title))
    free = {core.id: core for core in linking.free}
    options = [None, *free]

    def label(core_id):
        if core_id is None:
            return S.LINK_KEEP_OWN
        core = free[core_id]
        return core.title + (S.LINK_LOCKED_MARK if core.kind is SectionKind.CORE_LOCKED else "")

    for proposal in linking.proposals:
        section = proposal.section
        with st.container(border=True):
            left, right = st.columns([2, 3])
            left.markdown(plain_bold(section.title))
            left.caption(plain(section.body[:200] + ("…" if len(section.body) > 200 else "")))
            right.caption(plain_format(S.LINK_SUGGESTED, title=proposal.core.title) if proposal.core
                          else S.LINK_NO_SUGGESTION)
            suggested = proposal.core.id if proposal.core else None
            choice = right.selectbox(S.LINK_TARGET, options, index=options.index(suggested), format_func=label,
                                     key=f"link_{section.id}_{suggested}", disabled=not can_act,
                                     placeholder=S.CHOOSE_PLACEHOLDER)
            if choice is not None and free[choice].kind is SectionKind.CORE_LOCKED:
                right.caption(S.LINK_LOCKED)
            if can_act and right.button(S.LINK_CONFIRM, key=f"link_confirm_{section.id}", disabled=choice is None,
                                        icon=":material/link:"):
                run(lambda s=section, c=choice: ps.link_section(db, actor, s.id, c),
                    S.LINK_DONE.format(title=section.title))


linking = ps.link_proposals(db, actor, protocol.id)
offer_links = linking.offered
updates = ps.pending_updates(db, actor, protocol.id)
if not len(updates) and not offer_links and not practice_updates:
    st.success(S.NO_UPDATES, icon=":material/check:")
    st.stop()
if len(updates):
    st.caption(S.UPDATES_PAGE_INTRO)
can_act = may_act(actor, protocol, S.READ_ONLY_ROLE)
if offer_links:
    link_sections(linking, can_act)


# --- sections added, removed, renamed, locked, reordered by the network ---------------------------------
if updates.structure:
    st.subheader(S.STRUCTURE_UPDATES)
for update in updates.structure:
    with st.container(border=True):
        st.markdown(S.STRUCTURE_UPDATE_TEXT[update.kind].format(title=plain(update.title),
                                                                 detail=plain(update.detail)))
        if not can_act:
            continue
        accept_label, decline_label = S.STRUCTURE_UPDATE_ACTIONS[update.kind]
        key = f"{update.kind}_{update.core_section_id}"
        accept, decline = st.columns(2)
        if accept.button(accept_label, key=f"accept_{key}", type="primary"):
            run(lambda u=update: ps.decide(db, actor, protocol.id, u.kind, u.core_section_id, True),
                S.STRUCTURE_DECIDED)
        if decline_label and decline.button(decline_label, key=f"decline_{key}"):
            run(lambda u=update: ps.decide(db, actor, protocol.id, u.kind, u.core_section_id, False),
                S.STRUCTURE_DECIDED)


# --- texts: a three-way merge, the dirigente settles the passages both changed ------------------------


def merged_text(result, school_text: str, stamp: str, **labels) -> str | None:
    """The merge as the dirigente settles it (None until every overlapping passage has a choice), shown
    against the school's text. Network updates and adopted practices' updates alike."""
    if result.clean:
        st.success(S.MERGE_CLEAN, icon=":material/done_all:")
        choices, edits = {}, {}
    else:
        choices, edits = conflict_choices(result, stamp, disabled=not can_act, **labels)
    try:
        merged = resolve(result, choices, edits)
    except ApprodoError:
        st.caption(S.MERGE_CHOOSE_ALL)
        return None
    st.markdown(f"**{S.MERGE_CHANGES}**")
    show_diff(school_text, merged, S.CONFLICT_SCHOOL, S.MERGE_PREVIEW)
    return merged


def text_update(update: ps.TextUpdate) -> None:
    section = update.section
    # Widgets are keyed by the versions merged: a newer text on either side starts a fresh decision.
    stamp = f"{section.id}_{section.version}_{update.core_version}"
    with st.container(border=True):
        st.markdown(f"#### {plain(section.title)}")
        if update.locked:
            st.info(S.LOCKED_UPDATE, icon=":material/lock:")
            show_diff(section.body, update.theirs, S.CONFLICT_SCHOOL, S.CONFLICT_NETWORK)
            if can_act and st.button(S.TAKE_LOCKED, key=f"take_{stamp}", type="primary"):
                save(update, update.theirs)
            return
        with st.expander(S.WHAT_NETWORK_CHANGED, expanded=True):
            show_diff(update.base, update.theirs, S.CONFLICT_WAS, S.CONFLICT_NETWORK)
        merged = merged_text(update.result, section.body, stamp)
        if merged is not None:
            with st.expander(S.MERGE_PREVIEW, icon=":material/preview:"):
                try:
                    show_rich_text(richtext.to_html(protocols.rendered_blocks(db, actor, protocol, merged)))
                except ApprodoError as error:
                    show_error(error, kind="warning")
        if not can_act:
            return
        save_column, keep_column = st.columns(2)
        if save_column.button(S.SAVE_MERGED, key=f"save_{stamp}", type="primary", disabled=merged is None,
                              icon=":material/save:"):
            save(update, merged)
        if keep_column.button(S.KEEP_SCHOOL_TEXT, key=f"keep_{stamp}"):
            run(lambda: ps.keep_school_text(db, actor, section.id, core_version=update.core_version),
                S.SCHOOL_TEXT_KEPT.format(title=section.title))


def save(update: ps.TextUpdate, text: str) -> None:
    section = update.section
    try:
        saved = ps.take_text_update(db, actor, section.id, text, base_version=section.version,
                                    core_version=update.core_version)
    except SaveConflict as conflict:
        show_error(conflict)
        return
    except ApprodoError as error:
        show_error(error)
        return
    flash(S.MERGE_SAVED.format(title=section.title, version=saved.version))
    st.rerun()


if updates.text:
    st.subheader(S.TEXT_UPDATES)
for update in updates.text:
    text_update(update)


# --- adopted good practices: their new versions, merged the same way -----------------------------------


def practice_update(update: adoption.PracticeUpdate) -> None:
    section = update.section
    stamp = f"practice_{update.adoption_id}_{section.version}_{update.version}"
    with st.container(border=True):
        st.markdown(f"#### {plain(section.title)}")
        st.caption(plain_format(S.PRACTICE_UPDATE_FROM, title=update.practice_title, source=update.source,
                                version=update.version))
        with st.expander(S.PRACTICE_WHAT_CHANGED, expanded=True):
            show_diff(update.base, update.theirs, S.CONFLICT_WAS, S.PRACTICE_TEXT)
        merged = merged_text(update.result, section.body, stamp, theirs=S.PRACTICE_TEXT)
        if not can_act:
            return
        save_column, keep_column = st.columns(2)
        if save_column.button(S.SAVE_MERGED, key=f"save_{stamp}", type="primary", disabled=merged is None,
                              icon=":material/save:"):
            try:
                saved = adoption.take_update(db, actor, update.adoption_id, merged, base_version=section.version,
                                             version=update.version)
            except ApprodoError as error:
                show_error(error)
                return
            flash(S.PRACTICE_UPDATE_SAVED.format(title=section.title, version=saved.version))
            st.rerun()
        if keep_column.button(S.KEEP_SCHOOL_TEXT, key=f"keep_{stamp}"):
            run(lambda: adoption.keep_section_text(db, actor, update.adoption_id, version=update.version),
                S.PRACTICE_UPDATE_KEPT.format(title=section.title))


if practice_updates:
    st.subheader(S.PRACTICE_UPDATES)
for practice_change in practice_updates:
    practice_update(practice_change)
