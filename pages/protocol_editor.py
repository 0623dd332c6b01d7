"""Section editor: guidance beside the text, live preview, versions, conflicts, comments, workflow."""

import streamlit as st

from models.accounts import people
from models.core import clock
from models.core.errors import ApprodoError
from models.core.permissions import Action, allowed
from models.protocols import comments, placeholders, provenance, richtext
from models.protocols import protocol as protocols
from models.protocols import word_export as docx_export
from models.protocols.protocol import SaveConflict, Status
from models.protocols.templates import SectionKind
from ui import strings as S
from ui.navigation import spec_for_file, title_for
from ui.proposal_widgets import propose_to_network
from ui.protocol_widgets import (
    choose_section,
    draft_editor,
    draft_for,
    drafts,
    open_protocol,
    persist_drafts,
    restore_drafts,
    show_diff,
    show_rich_text,
    unsaved_sections,
)
from ui.session import flash, form_key, guard_fragment, guard_page, open_db, run_action
from ui.structure_links import structure_links
from ui.text import plain, plain_bold, plain_format, show_error

ctx = guard_page(__file__)
db, actor = ctx.db, ctx.actor
page_actor = actor
state = st.session_state
SAVED_KEY = "approdo_section_saved"

protocol = open_protocol(ctx, title_for(actor, spec_for_file(__file__)), sections=True)


def run(action, message: str, clears: str | None = None) -> None:
    run_action(action, message, rerun=True, clears=clears)


# --- export: the file is built when the button is pressed -------------------------
with st.expander(S.EXPORT_TITLE, icon=":material/download:"):
    word_column, pdf_column = st.columns(2)
    # Deferred callables run on another thread: each opens its own connection.
    word_column.download_button(
        S.DOWNLOAD_DOCX, data=lambda: docx_export.export_protocol(open_db(), actor, protocol.id),
        file_name=docx_export.file_name(protocol), mime=docx_export.DOCX_MIME, icon=":material/description:")
    if docx_export.pdf_available():
        pdf_column.download_button(
            S.DOWNLOAD_PDF,
            data=lambda: docx_export.export_protocol_pdf(open_db(), actor, protocol.id),
            file_name=docx_export.file_name(protocol, "pdf"), mime="application/pdf",
            icon=":material/picture_as_pdf:")
    else:
        pdf_column.caption(S.PDF_NEEDS_LIBREOFFICE)

# --- workflow ----------------------------------------------------------------
@st.fragment
def approve_form(target: Status, label: str, done: str) -> None:
    """The deliberation, after the warnings a dirigente should see first (confirmed explicitly).

    The date is typed as text and checked as it is typed: the date recorded is the one on screen, never one
    the calendar widget moved (31/02) or kept from before (a future date it would not take); an impossible or
    future date blocks the button with the reason. A fragment: typing reruns only this part, maybe on another
    thread than the page's, so it checks the session again and reads through a connection of its own."""
    fresh = guard_fragment(page_actor)
    db, actor = fresh.db, fresh.actor
    check = protocols.approval_check(db, actor, protocol.id)
    with st.container(border=True):
        if not check.clean:
            lines = []
            if check.open_comments:
                lines.append(S.APPROVE_OPEN_COMMENTS.format(
                    comments=S.open_comments(sum(check.open_comments.values())),
                    sections=", ".join(f"«{plain(title)}» ({count})" for title, count in check.open_comments.items())))
            if check.pending_updates:
                lines.append(S.APPROVE_OPEN_UPDATES.format(
                    updates=S.plural(len(check.pending_updates), "aggiornamento", "aggiornamenti"),
                    sections=", ".join(f"«{plain(title)}»" for title in check.pending_updates)))
            st.warning(S.APPROVE_WARNINGS + "\n\n" + "\n".join(f"- {line}" for line in lines),
                       icon=":material/warning:")
        typed = st.text_input(S.DELIBERATION_DATE_PICK, max_chars=10, placeholder=S.DATE_PLACEHOLDER,
                              key=f"approve_date_{protocol.id}").strip()
        problem = None
        if typed:
            try:
                protocols.check_deliberation_date(typed)
            except ApprodoError as error:
                problem = error.message
                st.error(plain(problem))
        number = st.text_input(S.DELIBERATION_NUMBER, max_chars=30, key=f"approve_number_{protocol.id}")
        body = st.radio(S.DELIBERATION_BODY, protocols.DELIBERATION_BODIES, horizontal=True,
                        key=f"approve_body_{protocol.id}")
        confirmed = check.clean or st.checkbox(S.APPROVE_CONFIRM, key=f"approve_confirm_{protocol.id}")
        if st.button(label, type="primary", disabled=problem is not None, key=f"approve_{protocol.id}"):
            if not typed:
                st.error(S.DELIBERATION_DATE_MISSING)
                return
            if not confirmed:
                st.error(S.APPROVE_CONFIRM_NEEDED)
                return
            run(lambda: protocols.move(db, actor, protocol.id, target.value, deliberation_date=typed,
                                       deliberation_number=number, deliberation_body=body), done)


transitions = protocols.allowed_transitions(actor, protocol)
if transitions:
    with st.expander(S.WORKFLOW, icon=":material/approval:", expanded=protocol.status is Status.IN_REVISIONE):
        for target in transitions:
            label = protocols.TRANSITIONS[(protocol.status, target)]
            done = S.MOVED.format(status=protocols.STATUS_LABELS[target])
            if target is Status.APPROVATO:
                approve_form(target, label, done)
            elif st.button(label, key=f"move_{target.value}"):
                run(lambda target=target: protocols.move(db, actor, protocol.id, target.value), done)

# --- updates from the network's core and the structure: their own pages -------------------
structure_links(ctx, protocol)

# --- the section -----------------------------------------------------------------
open_comments = comments.open_count(db, actor, protocol.id)
restore_drafts(ctx, protocol)  # what this user was writing before a reload, kept on the server
section = choose_section(ctx, protocol, open_comments, unsaved=unsaved_sections())
editable = protocols.may_edit_section(actor, protocol, section)
conflict_key = f"conflict_{section.id}"
# The draft lives in the session, not in the widget: it survives switching sections,
# and after a save it restarts from the saved version (so the next save is based on it).
# It is also written to the server as it changes (persist_drafts below), so a reload keeps it.
draft = draft_for(section) if editable else None
names = people.names(db, actor, [section.author])

# Readers: the published text by default for teachers, while a new revision is being written.
published = None
if not editable and protocol.status is not Status.PUBBLICATO:
    published = protocols.published_texts(db, actor, protocol.id)
    if published is not None:
        choice = st.segmented_control(
            S.SHOW_VERSION, [S.SHOW_PUBLISHED, S.SHOW_CURRENT], key=f"reading_{protocol.id}",
            default=S.SHOW_PUBLISHED if not allowed(actor, Action.COMMENT_PROTOCOL) else S.SHOW_CURRENT)
        if choice != S.SHOW_PUBLISHED:
            published = None
        else:
            st.caption(S.PUBLISHED_ON.format(when=clock.local_datetime(published[0].at)))


def reading_text(section: protocols.Section) -> protocols.Version | None:
    """The version a reader sees: the published one when chosen, else the current one."""
    if published is None:
        return protocols.Version(section.version, section.body, section.author, section.saved_at, None, "")
    version = published[1].get(section.id)
    if version is None:
        st.info(S.NOT_IN_PUBLISHED)
        return None
    names.setdefault(version.author, people.names(db, actor, [version.author])[version.author])
    return version



def keep_mine(section_id: int, theirs_version: int, theirs_body: str) -> None:
    drafts()[section_id].restart(theirs_version, theirs_body, text=drafts()[section_id].text)
    state.pop(f"conflict_{section_id}", None)


def take_theirs(section_id: int, theirs_version: int, theirs_body: str) -> None:
    drafts()[section_id].restart(theirs_version, theirs_body)
    state.pop(f"conflict_{section_id}", None)


def discard(section_id: int) -> None:
    current = drafts()[section_id]
    current.restart(current.base, current.original)
    flash(S.DRAFT_DISCARDED.format(version=current.base))


source_note = provenance.source_notes(db, protocol.id).get(section.id)
if source_note:  # an adopted good practice: where the text came from, as the Word export says it
    st.caption(plain(source_note))
edit_column, side_column = st.columns([3, 2], gap="large")
with edit_column:
    if editable:
        st.caption(plain_format(S.EDITING_VERSION, version=draft.base, author=names[section.author],
                                when=clock.local_datetime(section.saved_at)))
        draft_editor(section.id, draft, help=S.FORMAT_HELP, rich=True)
        if draft.unsaved:
            st.caption(S.UNSAVED_HERE.format(version=draft.base))
        elsewhere = unsaved_sections() - {section.id}
        if elsewhere:
            titles = [s.title for s in protocols.list_sections(db, actor, protocol.id) if s.id in elsewhere]
            if titles:
                st.caption(S.UNSAVED_ELSEWHERE.format(sections=", ".join(f"«{plain(t)}»" for t in titles)))
        save_column, discard_column = st.columns([1, 1])
        if save_column.button(S.SAVE_SECTION, type="primary", icon=":material/save:"):
            try:
                saved = protocols.save_section(db, actor, section.id, draft.text, draft.base, draft.note)
            except SaveConflict as conflict:
                state[conflict_key] = conflict
            except ApprodoError as error:
                show_error(error)
            else:
                draft.restart(saved.version, saved.body)
                state.pop(conflict_key, None)
                persist_drafts(ctx)  # saved: the server's draft goes now, not on the next run
                state[SAVED_KEY] = S.SAVED_VERSION.format(version=saved.version)
                st.rerun()
        saved_message = state.pop(SAVED_KEY, None)
        if saved_message:
            # Where the user looks: beside the button they pressed (the top of the page may be scrolled away).
            discard_column.success(saved_message, icon=":material/check_circle:")
            st.toast(saved_message, icon=":material/check_circle:")
        elif draft.unsaved:
            discard_column.button(S.DISCARD_DRAFT, on_click=discard, args=(section.id,))
        with st.expander(S.PLACEHOLDERS_HELP):
            st.markdown("\n".join(f"- `{{{{ {name} }}}}`: {what}" for name, what in placeholders.WHITELIST.items()))
    else:
        if section.kind is SectionKind.CORE_LOCKED and not protocol.is_core:
            st.info(S.READ_ONLY_LOCKED, icon=":material/lock:")
        elif protocols.may_edit(actor, protocol):
            st.info(S.READ_ONLY_STATUS.format(status=protocol.status_label.lower()), icon=":material/lock:")
        else:
            st.info(S.READ_ONLY_ROLE, icon=":material/visibility:")
        shown = reading_text(section)
        if shown is not None:
            st.caption(plain_format(S.SHOWING_VERSION, version=shown.version,
                                    author=names.get(shown.author, shown.author),
                                    when=clock.local_datetime(shown.created_at)))
            show_rich_text(richtext.to_html(protocols.rendered_blocks(db, actor, protocol, shown.body)))

persist_drafts(ctx)

with side_column:
    st.markdown(f"**{S.GUIDANCE}**")
    st.info(section.guidance or "—", icon=":material/lightbulb:")
    if editable:
        st.markdown(f"**{S.PREVIEW}**")
        try:
            show_rich_text(richtext.to_html(protocols.rendered_blocks(db, actor, protocol, draft.text)))
        except ApprodoError as error:
            show_error(error, kind="warning")

conflict = state.get(conflict_key)
if conflict is not None and editable:
    show_error(conflict, icon=":material/warning:")
    theirs_column, yours_column = st.columns(2)
    theirs_label = (S.CONFLICT_THEIRS_OWN.format(version=conflict.theirs.version) if conflict.own else
                    plain_format(S.CONFLICT_THEIRS, author=conflict.author_name, version=conflict.theirs.version))
    theirs_column.markdown(f"**{theirs_label}**")
    theirs_column.code(conflict.theirs.body, language=None, wrap_lines=True)
    yours_column.markdown(f"**{S.CONFLICT_YOURS}**")
    yours_column.code(conflict.yours, language=None, wrap_lines=True)
    st.markdown(f"**{S.CONFLICT_DIFF}**")
    show_diff(conflict.theirs.body, conflict.yours)
    mine, theirs = st.columns(2)
    conflict_args = (section.id, conflict.theirs.version, conflict.theirs.body)
    mine.button(S.CONFLICT_KEEP_MINE, on_click=keep_mine, args=conflict_args)
    theirs.button(S.CONFLICT_TAKE_THEIRS, on_click=take_theirs, args=conflict_args)

# --- comments --------------------------------------------------------------------
thread = comments.list_comments(db, actor, section.id)
may_comment = protocols.may_comment(actor, protocol)
commenters = people.names(db, actor, [c.author for c in thread] + [c.resolved_by for c in thread])
with st.expander(S.COMMENTS_TITLE.format(count=S.open_comments(open_comments.get(section.id, 0))),
                 icon=":material/forum:",
                 expanded=bool(open_comments.get(section.id))):
    if not thread:
        st.caption(S.NO_COMMENTS)
    for comment in thread:
        indent = "    " if comment.parent_id else ""
        status = f" · _{plain_format(S.RESOLVED_BY, name=commenters[comment.resolved_by])}_" if comment.resolved else ""
        box = st.container(border=comment.parent_id is None)
        when = clock.local_datetime(comment.created_at)
        box.markdown(f"{indent}{plain_bold(commenters[comment.author])} · {when}{status}")
        box.text(comment.body)
        if may_comment and comment.parent_id is None:
            reply_column, resolve_column = box.columns([3, 1])
            with reply_column.popover(S.REPLY):
                with st.form(form_key(f"reply_{comment.id}")):
                    reply = st.text_area(S.COMMENT_TEXT, max_chars=comments.MAX_COMMENT)
                    if st.form_submit_button(S.SEND):
                        run(lambda c=comment, r=reply: comments.add_comment(db, actor, section.id, r, c.id),
                            S.COMMENT_ADDED, clears=f"reply_{comment.id}")
            if not comment.resolved and resolve_column.button(S.RESOLVE, key=f"resolve_{comment.id}"):
                run(lambda c=comment: comments.resolve_comment(db, actor, c.id), S.RESOLVED.capitalize())
    if may_comment:
        with st.form(form_key(f"comment_{section.id}")):
            st.caption(S.COMMENT_PRIVACY)
            body = st.text_area(S.ADD_COMMENT, max_chars=comments.MAX_COMMENT)
            if st.form_submit_button(S.SEND):
                run(lambda: comments.add_comment(db, actor, section.id, body), S.COMMENT_ADDED,
                    clears=f"comment_{section.id}")

# --- a proposal to the network's core, for a section that comes from it ----------------
propose_to_network(ctx, protocol, section)

# --- a section of the school's own -----------------------------------------------------
if not protocol.is_core and protocols.may_edit(actor, protocol) and protocol.editable_status:
    with st.expander(S.ADD_LOCAL_SECTION, icon=":material/add:"):
        with st.form(form_key("add_local")):
            title = st.text_input(S.SECTION_TITLE, max_chars=protocols.MAX_TITLE)
            if st.form_submit_button(S.CREATE):
                run(lambda: protocols.add_local_section(db, actor, protocol.id, title),
                    S.LOCAL_SECTION_ADDED.format(title=title), clears="add_local")
