"""The network's letters of the compulsory-education procedure: one text per kind and language, edited like a
protocol section (draft kept in the session, preview, versions, conflicts); read-only for the dirigente."""

import streamlit as st

from models.accounts.schools import SIGNATURES, get_school, list_networks, update_letterhead
from models.core import clock
from models.core.errors import ApprodoError
from models.core.languages import ITALIAN, LANGUAGES, language_name
from models.core.permissions import Action, NetworkRef, SchoolRef, allowed
from models.obligation import letters
from models.protocols import placeholders
from ui import strings as S
from ui.protocol_widgets import draft_editor, drafts, show_diff, show_rich_text, text_draft
from ui.session import flash, guard_page, run_action, show_flash
from ui.text import plain_format, show_error

ctx = guard_page(__file__)
db, actor = ctx.db, ctx.actor
state = st.session_state
ADDED_KEY = "letters_added_languages"

st.title(S.PAGE_LETTERS)
st.caption(S.LET_INTRO)
show_flash()

# The school's letterhead and signature wording: its dirigente sets them, for the letters the school downloads.
if actor.school_code and allowed(actor, Action.MANAGE_SCHOOL, SchoolRef(actor.school_code)):
    school = get_school(db, actor, actor.school_code)
    with st.expander(S.LET_LETTERHEAD, icon=":material/badge:"), st.form("letters_letterhead"):
        st.caption(S.LET_LETTERHEAD_HELP)
        address = st.text_input(S.LET_ADDRESS, value=school.address, max_chars=200)
        left, right = st.columns(2)
        phone = left.text_input(S.LET_PHONE, value=school.phone, max_chars=200)
        office_hours = right.text_input(S.LET_OFFICE_HOURS, value=school.office_hours, max_chars=200)
        email = left.text_input(S.LET_EMAIL, value=school.email, max_chars=200)
        pec = right.text_input(S.LET_PEC, value=school.pec, max_chars=200)
        signature = st.radio(S.LET_SIGNATURE, list(SIGNATURES), format_func=SIGNATURES.get,
                             index=list(SIGNATURES).index(school.letter_signature))
        if st.form_submit_button(S.LET_LETTERHEAD_SAVE, type="primary"):
            run_action(lambda: update_letterhead(db, actor, school.code, address=address, phone=phone, email=email,
                                                 pec=pec, office_hours=office_hours, signature=signature),
                       S.LET_LETTERHEAD_SAVED, rerun=True)



def add_language(kind: str) -> None:
    # A callback: it runs before the language box is drawn, so it may choose the new language in it.
    code = state.get("letters_new_language")
    if not code:
        return
    state[ADDED_KEY] = [*state.get(ADDED_KEY, []), code]
    state[f"letters_language_{kind}"] = code


network_code = actor.network_code
if allowed(actor, Action.CHOOSE_NETWORK):
    networks = {n.code: f"{n.name} ({n.code})" for n in list_networks(db, actor)}
    network_code = st.selectbox(S.NETWORK_CHOICE, list(networks), format_func=networks.get,
                                placeholder=S.CHOOSE_PLACEHOLDER)
if network_code is None:
    st.stop()
editable = allowed(actor, Action.MANAGE_NETWORK, NetworkRef(network_code))

kind = st.segmented_control(S.LET_KIND, list(letters.KIND_LABELS), format_func=letters.KIND_LABELS.get,
                            default=letters.FAMILY, key="letters_kind") or letters.FAMILY
try:
    known = letters.languages(db, actor, network_code, kind)
except ApprodoError as error:
    show_error(error)
    st.stop()
added = [code for code in state.get(ADDED_KEY, []) if code not in known] if kind == letters.FAMILY else []
choice_column, add_column = st.columns([2, 1])
language = choice_column.selectbox(S.LET_LANGUAGE, known + added, format_func=language_name,
                                   key=f"letters_language_{kind}", placeholder=S.CHOOSE_PLACEHOLDER)
if language is None:
    st.stop()
if kind in letters.MAYOR_KINDS:
    add_column.caption(S.LET_MAYOR_ITALIAN)
elif editable:
    with add_column.popover(S.LET_ADD_LANGUAGE, icon=":material/translate:"):
        st.caption(S.LET_ADD_LANGUAGE_HELP)
        missing = [code for code in LANGUAGES if code not in known + added]
        st.selectbox(S.LET_LANGUAGE, missing, format_func=language_name, key="letters_new_language",
                     placeholder=S.CHOOSE_PLACEHOLDER)
        st.button(S.LET_ADD, key="letters_add", on_click=add_language, args=(kind,))

current = letters.current_text(db, actor, network_code, kind, language)
italian = letters.current_text(db, actor, network_code, kind, ITALIAN)
# A new translation starts from the Italian text, which the mediators translate paragraph by paragraph.
base_version, body = (current.version, current.body) if current else (0, italian.body)
key = f"lettera:{network_code}:{kind}:{language}"
conflict_key = f"letters_conflict_{key}"

if current is None:
    st.info(S.LET_NEW_LANGUAGE.format(language=language_name(language)), icon=":material/translate:")
elif current.is_default:
    st.caption(S.LET_DEFAULT)
else:
    st.caption(plain_format(S.LET_VERSION, version=current.version, author=current.author,
                            when=clock.local_datetime(current.created_at)))

draft = text_draft(key, base_version, body) if editable else None
# A reader wants the letter as it will be signed: the preview takes the page, the source with its
# placeholders waits in an expander below it.
text_column, preview_column = st.columns(2) if draft is not None else (st.container(), st.container())
with text_column:
    if draft is not None:
        draft_editor(key, draft, height=520, help=S.FORMAT_HELP, label=S.LET_TEXT)
        if st.button(S.LET_SAVE, type="primary", icon=":material/save:"):
            try:
                saved = letters.save_text(db, actor, network_code, kind, language, draft.text, draft.base,
                                          draft.note)
            except letters.LetterConflict as conflict:
                state[conflict_key] = conflict
            except ApprodoError as error:
                show_error(error)
            else:
                draft.restart(saved.version, saved.body)
                state.pop(conflict_key, None)
                flash(S.LET_SAVED.format(version=saved.version))
                st.rerun()
        with st.expander(S.LET_PLACEHOLDERS):
            st.markdown("\n".join(f"- `{{{{ {name} }}}}`: {what}"
                                  for name, what in placeholders.LETTER_WHITELIST.items()))
    else:
        st.info(S.LET_READ_ONLY, icon=":material/visibility:")
with preview_column:
    st.markdown(f"**{S.PREVIEW}**")
    st.caption(S.LET_PREVIEW_HELP)
    try:
        show_rich_text(letters.preview_html(db, actor, network_code, draft.text if draft else body, language, kind))
    except ApprodoError as error:
        show_error(error, kind="warning")
if draft is None:
    with st.expander(S.LET_SOURCE, icon=":material/data_object:"):
        st.code(body, language=None, wrap_lines=True)

conflict = state.get(conflict_key)
if conflict is not None and draft is not None:
    show_error(conflict, icon=":material/warning:")
    st.markdown(f"**{S.CONFLICT_DIFF}**")
    show_diff(conflict.theirs.body, conflict.yours)
    if st.button(S.CONFLICT_KEEP_MINE):
        draft.restart(conflict.theirs.version, conflict.theirs.body, conflict.yours)
        state.pop(conflict_key, None)
        st.rerun()
    if st.button(S.CONFLICT_TAKE_THEIRS):
        drafts().pop(key, None)
        state.pop(conflict_key, None)
        st.rerun()

versions = letters.history(db, actor, network_code, kind, language)
if len(versions) > 1:
    with st.expander(S.LET_HISTORY, icon=":material/history:"):
        for version in versions:
            if version.is_default:
                st.caption(S.LET_DEFAULT_LINE)
            else:
                st.caption(plain_format(S.LET_HISTORY_LINE, version=version.version, author=version.author,
                                        when=clock.local_datetime(version.created_at), note=version.note or "—"))
        older = {v.version: v for v in versions[1:]}
        def version_label(number: int) -> str:
            return S.LET_DEFAULT_LINE if number == 0 else S.LET_VERSION_SHORT.format(version=number)

        chosen = st.selectbox(S.LET_HISTORY_PICK, list(older), format_func=version_label,
                              key=f"letters_compare_{key}", placeholder=S.CHOOSE_PLACEHOLDER)
        if chosen is not None:
            show_diff(older[chosen].body, versions[0].body)
