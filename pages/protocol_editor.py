"""Section editor: guidance beside the text, live preview, versions, conflicts, comments, workflow."""

import streamlit as st

from models import clock, comments, docx_export, placeholders, protocols, richtext
from models.errors import ApprodoError
from models.protocols import SaveConflict, Status
from models.templates import SectionKind
from ui import strings as S
from ui.protocol_widgets import choose_protocol, choose_section, protocol_header, show_diff, show_rich_text
from ui.session import flash, guard_page, open_db, run_action, show_flash
from ui.text import plain, plain_bold, plain_format

ctx = guard_page(__file__)
db, actor = ctx.db, ctx.actor
state = st.session_state

st.title(S.PAGE_EDITOR)
show_flash()
protocol = choose_protocol(ctx)
if protocol is None:
    st.stop()
protocol_header(protocol)


def run(action, message: str) -> None:
    run_action(action, message, rerun=True)


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
transitions = protocols.allowed_transitions(actor, protocol)
if transitions:
    with st.expander(S.WORKFLOW, icon=":material/approval:", expanded=protocol.status is Status.IN_REVISIONE):
        for target in transitions:
            label = protocols.TRANSITIONS[(protocol.status, target)]
            done = S.MOVED.format(status=protocols.STATUS_LABELS[target])
            if target is Status.APPROVATO:
                with st.form("approve"):
                    date = st.text_input(S.DELIBERATION_DATE)
                    number = st.text_input(S.DELIBERATION_NUMBER, max_chars=30)
                    body = st.radio(S.DELIBERATION_BODY, protocols.DELIBERATION_BODIES, horizontal=True)
                    if st.form_submit_button(label, type="primary"):
                        run(lambda t=target, d=date, n=number, b=body: protocols.move(
                            db, actor, protocol.id, t.value, deliberation_date=d, deliberation_number=n,
                            deliberation_body=b), done)
            elif st.button(label, key=f"move_{target.value}"):
                run(lambda target=target: protocols.move(db, actor, protocol.id, target.value), done)

# --- updates from the network's core -----------------------------------------------
updates = protocols.core_updates(db, actor, protocol.id)
if updates:
    can_act = protocols.may_edit(actor, protocol) and protocol.editable_status
    with st.expander(S.UPDATES_TITLE.format(count=len(updates)), icon=":material/sync:", expanded=True):
        st.caption(S.UPDATES_INTRO)
        for update in updates:
            st.markdown(plain_bold(update.section.title))
            show_diff(update.section.body, update.core_body)
            if not can_act:
                continue
            take, keep = st.columns(2)
            if take.button(S.TAKE_UPDATE, key=f"take_{update.section.id}"):
                run(lambda u=update: protocols.take_core_update(db, actor, u.section.id),
                    plain_format(S.UPDATE_TAKEN, title=update.section.title))
            if update.may_keep:
                if keep.button(S.KEEP_OWN, key=f"keep_{update.section.id}"):
                    run(lambda u=update: protocols.keep_own_text(db, actor, u.section.id),
                        plain_format(S.UPDATE_KEPT, title=update.section.title))
            else:
                keep.caption(S.UPDATE_MUST_TAKE)

# --- the section -----------------------------------------------------------------
open_comments = comments.open_count(db, actor, protocol.id)
section = choose_section(ctx, protocol, open_comments)
editable = protocols.may_edit_section(actor, protocol, section)

text_key, base_key, orig_key = f"text_{section.id}", f"base_{section.id}", f"orig_{section.id}"
conflict_key = f"conflict_{section.id}"
# An editor that was not touched follows the latest version; a touched one keeps
# the version it started from, so a save over someone else's is caught.
if base_key not in state or (state.get(text_key) == state.get(orig_key) and state[base_key] != section.version):
    state[base_key], state[orig_key], state[text_key] = section.version, section.body, section.body


def keep_mine(theirs_version: int, theirs_body: str) -> None:
    state[base_key], state[orig_key] = theirs_version, theirs_body
    state.pop(conflict_key, None)


def take_theirs(theirs_version: int, theirs_body: str) -> None:
    state[base_key], state[orig_key], state[text_key] = theirs_version, theirs_body, theirs_body
    state.pop(conflict_key, None)


edit_column, side_column = st.columns([3, 2], gap="large")
with side_column:
    st.markdown(f"**{S.GUIDANCE}**")
    st.info(section.guidance or "—", icon=":material/lightbulb:")
    if editable:
        st.markdown(f"**{S.PREVIEW}**")
        try:
            show_rich_text(richtext.to_html(protocols.rendered_blocks(db, actor, protocol, state[text_key])))
        except ApprodoError as error:
            st.warning(plain(error.message))

with edit_column:
    if editable:
        st.caption(plain_format(S.EDITING_VERSION, version=state[base_key], author=section.author,
                                            when=clock.local_datetime(section.saved_at)))
        st.text_area(S.SECTION_TEXT, key=text_key, height=460, help=S.FORMAT_HELP)
        note = st.text_input(S.SAVE_NOTE, max_chars=protocols.MAX_NOTE, key=f"note_{section.id}")
        if st.button(S.SAVE_SECTION, type="primary", icon=":material/save:"):
            try:
                saved = protocols.save_section(db, actor, section.id, state[text_key], state[base_key], note)
            except SaveConflict as conflict:
                state[conflict_key] = conflict
            except ApprodoError as error:
                st.error(plain(error.message))
            else:
                state[base_key], state[orig_key] = saved.version, saved.body
                flash(S.SAVED_VERSION.format(version=saved.version))
                st.rerun()
        with st.expander(S.PLACEHOLDERS_HELP):
            st.markdown("\n".join(f"- `{{{{ {name} }}}}`: {what}" for name, what in placeholders.WHITELIST.items()))
    else:
        if section.kind is SectionKind.CORE_LOCKED and not protocol.is_core:
            st.info(S.READ_ONLY_LOCKED, icon=":material/lock:")
        elif protocols.may_edit(actor, protocol):
            st.info(S.READ_ONLY_STATUS.format(status=protocol.status_label.lower()), icon=":material/lock:")
        else:
            st.info(S.READ_ONLY_ROLE, icon=":material/visibility:")
        st.caption(plain_format(S.SHOWING_VERSION, version=section.version, author=section.author,
                                            when=clock.local_datetime(section.saved_at)))
        show_rich_text(richtext.to_html(protocols.rendered_blocks(db, actor, protocol, section.body)))

conflict = state.get(conflict_key)
if conflict is not None:
    st.error(plain(conflict.message), icon=":material/warning:")
    theirs_column, yours_column = st.columns(2)
    theirs_label = plain_format(S.CONFLICT_THEIRS, author=conflict.theirs.author, version=conflict.theirs.version)
    theirs_column.markdown(f"**{theirs_label}**")
    theirs_column.code(conflict.theirs.body, language=None, wrap_lines=True)
    yours_column.markdown(f"**{S.CONFLICT_YOURS}**")
    yours_column.code(conflict.yours, language=None, wrap_lines=True)
    st.markdown(f"**{S.CONFLICT_DIFF}**")
    show_diff(conflict.theirs.body, conflict.yours)
    mine, theirs = st.columns(2)
    mine.button(S.CONFLICT_KEEP_MINE, on_click=keep_mine, args=(conflict.theirs.version, conflict.theirs.body))
    theirs.button(S.CONFLICT_TAKE_THEIRS, on_click=take_theirs, args=(conflict.theirs.version, conflict.theirs.body))

# --- comments --------------------------------------------------------------------
thread = comments.list_comments(db, actor, section.id)
may_comment = protocols.may_comment(actor, protocol)
with st.expander(S.COMMENTS.format(count=open_comments.get(section.id, 0)), icon=":material/forum:",
                 expanded=bool(open_comments.get(section.id))):
    if not thread:
        st.caption(S.NO_COMMENTS)
    for comment in thread:
        indent = "    " if comment.parent_id else ""
        status = f" · _{S.RESOLVED}_" if comment.resolved else ""
        box = st.container(border=comment.parent_id is None)
        box.markdown(f"{indent}{plain_bold(comment.author)} · {clock.local_datetime(comment.created_at)}{status}")
        box.text(comment.body)
        if may_comment and comment.parent_id is None:
            reply_column, resolve_column = box.columns([3, 1])
            with reply_column.popover(S.REPLY):
                with st.form(f"reply_{comment.id}", clear_on_submit=True):
                    reply = st.text_area(S.COMMENT_TEXT, max_chars=comments.MAX_COMMENT)
                    if st.form_submit_button(S.SEND):
                        run(lambda c=comment, r=reply: comments.add_comment(db, actor, section.id, r, c.id),
                            S.COMMENT_ADDED)
            if not comment.resolved and resolve_column.button(S.RESOLVE, key=f"resolve_{comment.id}"):
                run(lambda c=comment: comments.resolve_comment(db, actor, c.id), S.RESOLVED.capitalize())
    if may_comment:
        with st.form(f"comment_{section.id}", clear_on_submit=True):
            st.caption(S.COMMENT_PRIVACY)
            body = st.text_area(S.ADD_COMMENT, max_chars=comments.MAX_COMMENT)
            if st.form_submit_button(S.SEND):
                run(lambda: comments.add_comment(db, actor, section.id, body), S.COMMENT_ADDED)

# --- a section of the school's own -----------------------------------------------------
if not protocol.is_core and protocols.may_edit(actor, protocol) and protocol.editable_status:
    with st.expander(S.ADD_LOCAL_SECTION, icon=":material/add:"):
        with st.form("add_local", clear_on_submit=True):
            title = st.text_input(S.SECTION_TITLE, max_chars=protocols.MAX_TITLE)
            if st.form_submit_button(S.CREATE):
                run(lambda: protocols.add_local_section(db, actor, protocol.id, title),
                    plain_format(S.LOCAL_SECTION_ADDED, title=title))
