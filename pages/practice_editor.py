"""Scrivi una buona pratica: drafts from scratch or from protocol sections, versions, proposing, publishing."""

from dataclasses import replace

import streamlit as st

from models.accounts.schools import LEVEL_LABELS, Level
from models.core import clock
from models.core.errors import ApprodoError
from models.core.permissions import Action, NetworkRef, PracticeRef, allowed
from models.practices import attachments, records
from models.protocols import protocol as protocols
from ui import strings as S
from ui.protocol_widgets import protocol_label
from ui.session import flash, guard_page, run_action, show_flash
from ui.text import plain, plain_format, show_error

ctx = guard_page(__file__)
db, actor = ctx.db, ctx.actor
CHOSEN_KEY = "practice_editor_chosen"
PREFILL_KEY = "practice_editor_prefill"

st.title(S.PAGE_PRACTICE_EDITOR)
show_flash()

mine = {p.id: p for p in records.drafts(db, actor)}
# A practice is born in a network (and a school): an account of no network (the admin) only edits existing ones.
options: list[int | None] = ([None] if actor.network_code else []) + list(mine)
if not options:
    st.info(S.PRACTICE_NONE_TO_EDIT)
    st.stop()
remembered = st.session_state.get(CHOSEN_KEY)
chosen = st.selectbox(
    S.PRACTICE_CHOOSE, options, index=options.index(remembered) if remembered in options else 0,
    format_func=lambda i: S.PRACTICE_NEW if i is None else
    f"{mine[i].content.title} · {mine[i].status_label} · v{mine[i].current_version}", placeholder=S.CHOOSE_PLACEHOLDER)
st.session_state[CHOSEN_KEY] = chosen
practice = records.get_practice(db, actor, chosen) if chosen is not None else None
if practice is None and not mine:
    st.caption(S.PRACTICE_NO_PRACTICES)


def prefill_from_sections() -> None:
    with st.expander(S.PRACTICE_FROM_SECTIONS, icon=":material/content_copy:"):
        st.caption(S.PRACTICE_FROM_SECTIONS_HELP)
        readable = protocols.list_protocols(db, actor)
        if not readable:
            st.info(S.NO_PROTOCOLS)
            return
        own = next((p for p in readable if p.school_code and p.school_code == actor.school_code), readable[0])
        protocol = st.selectbox(S.CHOOSE_PROTOCOL, readable, index=readable.index(own), format_func=protocol_label,
                                key="prefill_protocol", placeholder=S.CHOOSE_PLACEHOLDER)
        sections = {s.id: f"{s.position}. {s.title}" for s in protocols.list_sections(db, actor, protocol.id)}
        picked = st.multiselect(S.PRACTICE_PICK_SECTIONS, list(sections), format_func=sections.get,
                                key=f"prefill_sections_{protocol.id}", placeholder=S.CHOOSE_PLACEHOLDER,
                                select_all=False)
        if st.button(S.PRACTICE_PREFILL, disabled=not picked):
            try:
                st.session_state[PREFILL_KEY] = records.from_sections(db, actor, picked)
                st.session_state[PREFILL_KEY + "_rev"] = st.session_state.get(PREFILL_KEY + "_rev", 0) + 1
            except ApprodoError as error:
                show_error(error)
                return
            flash(S.PRACTICE_PREFILLED.format(count=len(picked)))
            st.rerun()


def practice_form(start: records.Content, key: str) -> tuple[records.Content, str] | None:
    """The record as a form; returns what was submitted, with the version's note."""
    level_values = [level.value for level in Level]
    with st.form(key):
        title = st.text_input(S.PRACTICE_FIELD_TITLE, value=start.title, max_chars=records.MAX_TITLE)
        levels = st.multiselect(S.PRACTICE_FILTER_LEVELS, level_values,
                                default=[v for v in start.levels if v in level_values],
                                format_func=lambda v: LEVEL_LABELS[Level(v)], placeholder=S.CHOOSE_PLACEHOLDER,
                                select_all=False)
        left, right = st.columns(2)
        targets = left.multiselect(S.PRACTICE_FILTER_TARGETS, list(records.TARGETS), default=list(start.targets),
                                   format_func=records.TARGETS.get, placeholder=S.CHOOSE_PLACEHOLDER, select_all=False)
        themes = right.multiselect(S.PRACTICE_FILTER_THEMES, list(records.THEMES), default=list(start.themes),
                                   format_func=records.THEMES.get, placeholder=S.CHOOSE_PLACEHOLDER, select_all=False)
        problem = st.text_area(S.PRACTICE_FIELD_PROBLEM, value=start.problem, help=S.PRACTICE_RICH_HELP)
        steps = st.text_area(S.PRACTICE_FIELD_STEPS, value=start.steps, height=220, help=S.PRACTICE_RICH_HELP)
        roles = st.text_area(S.PRACTICE_FIELD_ROLES, value=start.roles, help=S.PRACTICE_RICH_HELP)
        left, right = st.columns(2)
        duration = left.text_input(S.PRACTICE_FIELD_DURATION, value=start.duration, max_chars=records.MAX_SHORT)
        contact = right.text_input(S.PRACTICE_FIELD_CONTACT, value=start.contact_role, max_chars=records.MAX_SHORT)
        resources = st.text_area(S.PRACTICE_FIELD_RESOURCES, value=start.resources, help=S.PRACTICE_RICH_HELP)
        left, middle, right = st.columns(3)
        indicator = left.text_input(S.PRACTICE_FIELD_INDICATOR, value=start.evidence_indicator,
                                    max_chars=records.MAX_SHORT)
        result = middle.text_input(S.PRACTICE_FIELD_RESULT, value=start.evidence_result, max_chars=records.MAX_SHORT)
        strengths = [s.value for s in records.Strength]
        strength = right.selectbox(S.PRACTICE_FIELD_STRENGTH, strengths, index=strengths.index(start.evidence_strength),
                                   format_func=lambda v: records.STRENGTH_LABELS[records.Strength(v)],
                                   placeholder=S.CHOOSE_PLACEHOLDER)
        transfer = st.text_area(S.PRACTICE_FIELD_TRANSFER, value=start.transfer, help=S.PRACTICE_RICH_HELP)
        left, right = st.columns(2)
        licence = left.selectbox(S.PRACTICE_FIELD_LICENCE, records.LICENCES,
                                 index=records.LICENCES.index(start.licence), placeholder=S.CHOOSE_PLACEHOLDER)
        note = right.text_input(S.PRACTICE_FIELD_NOTE, max_chars=records.MAX_NOTE)
        submitted = st.form_submit_button(S.PRACTICE_CREATE if practice is None else S.PRACTICE_SAVE, type="primary",
                                          icon=":material/save:")
    if not submitted:
        return None
    return replace(start, title=title, levels=tuple(levels), targets=tuple(targets), themes=tuple(themes),
                   problem=problem, steps=steps, roles=roles, duration=duration, contact_role=contact,
                   resources=resources, evidence_indicator=indicator, evidence_result=result,
                   evidence_strength=strength, transfer=transfer, licence=licence), note


if practice is None:
    prefill_from_sections()
    start = st.session_state.get(PREFILL_KEY) or records.Content()
    submitted = practice_form(start, f"practice_new_{st.session_state.get(PREFILL_KEY + '_rev', 0)}")
    if submitted:
        try:
            created = records.create_practice(db, actor, submitted[0])
        except ApprodoError as error:
            show_error(error)
        else:
            st.session_state.pop(PREFILL_KEY, None)
            st.session_state[CHOSEN_KEY] = created.id
            flash(S.PRACTICE_SAVED.format(title=created.content.title, version=created.version))
            st.rerun()
    st.stop()

st.caption(plain_format(S.PRACTICE_SOURCE, source=practice.source) + " · "
           + plain_format(S.PRACTICE_VERSION_LINE, version=practice.version, status=practice.status_label,
                          licence=practice.content.licence))
if practice.published_version is not None and practice.published_version != practice.current_version:
    st.info(S.PRACTICE_DRAFT_NOTE.format(version=practice.current_version, published=practice.published_version))

actions = st.columns(3)
may_propose = allowed(actor, Action.PROPOSE_PRACTICE, PracticeRef(practice.network_code, practice.school_code))
if may_propose and practice.status is records.Status.BOZZA and actions[0].button(
        S.PRACTICE_PROPOSE, icon=":material/send:"):
    run_action(lambda: records.propose(db, actor, practice.id), S.PRACTICE_PROPOSED, rerun=True)
if allowed(actor, Action.PUBLISH_PRACTICE, NetworkRef(practice.network_code)) \
        and practice.published_version != practice.current_version \
        and actions[1].button(S.PRACTICE_PUBLISH, type="primary", icon=":material/public:"):
    run_action(lambda: records.publish(db, actor, practice.id),
               S.PRACTICE_PUBLISHED.format(version=practice.current_version), rerun=True)

submitted = practice_form(practice.content, f"practice_{practice.id}_{practice.current_version}")
if submitted:
    try:
        saved = records.save_practice(db, actor, practice.id, submitted[0], practice.current_version, submitted[1])
    except ApprodoError as error:
        show_error(error)
    else:
        flash(S.PRACTICE_SAVED.format(title=saved.content.title, version=saved.version))
        st.rerun()

st.subheader(S.PRACTICE_ATTACHMENTS)
for attachment in attachments.list_attachments(db, actor, practice.id):
    st.markdown("- " + plain(attachment.file_name))
upload = st.file_uploader(S.PRACTICE_ADD_ATTACHMENT, type=["docx", "pdf"], key=f"attachment_{practice.id}")
if upload is not None and st.button(S.PRACTICE_ATTACH_BUTTON, icon=":material/attach_file:"):
    run_action(lambda: attachments.add_attachment(db, actor, practice.id, upload.name, upload.getvalue()),
               S.PRACTICE_ATTACHED.format(name=upload.name), rerun=True)

with st.expander(S.PRACTICE_HISTORY, icon=":material/history:"):
    for version in records.history(db, actor, practice.id):
        st.markdown("- " + plain_format(S.PRACTICE_HISTORY_LINE, version=version.version, author=version.author,
                                        when=clock.local_datetime(version.created_at),
                                        note=f" · {version.note}" if version.note else ""))
