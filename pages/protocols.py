"""Protocols: the list of the user's protocols, creating the core or the school's, school facts."""

import hashlib

import streamlit as st

from models.accounts import school_logo, schools
from models.core import clock
from models.core.errors import ApprodoError
from models.core.permissions import Action, ProtocolRef, SchoolRef, allowed
from models.core.school_year import SchoolYear
from models.protocols import comments, templates
from models.protocols import protocol as protocols
from models.protocols import word_export as docx_export
from models.protocols import word_import as docx_import
from ui import strings as S
from ui.protocol_widgets import QUERY_KEY
from ui.session import guard_page, run_action
from ui.text import plain, plain_bold, plain_format, show_error

ctx = guard_page(__file__)
db, actor = ctx.db, ctx.actor


def _import_section(school_code: str) -> None:
    uploaded = st.file_uploader(S.IMPORT_UPLOAD, type=["docx"], key="import_docx", help=S.UPLOAD_HELP)
    if uploaded is None:
        return
    data = uploaded.getvalue()
    plan_key = "import_" + hashlib.sha256(data).hexdigest()[:16]
    try:
        if plan_key not in st.session_state:
            st.session_state[plan_key] = docx_import.plan_import(db, actor, school_code, data)
        plan = st.session_state[plan_key]
        st.info(plain_format(S.IMPORT_FOLLOWS_CORE, core=plan.core_title) if plan.core_title else S.IMPORT_WITHOUT_CORE)
        titles = {t.key: t.title for t in plan.targets}  # only sections that accept the text
        options = [None, *titles]
        reviewed, places = [], []
        for index, section in enumerate(plan.sections):
            left, right = st.columns([2, 3])
            left.markdown(plain_bold(section.title))
            left.caption(plain(section.body[:200] + ("…" if len(section.body) > 200 else "")))
            key = right.selectbox(
                S.IMPORT_TARGET, options, index=options.index(section.key) if section.key in options else 0,
                format_func=lambda k: S.IMPORT_NEW_LOCAL if k is None else titles[k], key=f"{plan_key}_{index}",
                placeholder=S.CHOOSE_PLACEHOLDER)
            places.append(right.empty())
            reviewed.append(docx_import.ImportedSection(section.title, section.body, key))
        for slot, (position, target) in zip(places, plan.final_places(reviewed), strict=True):
            slot.caption(S.IMPORT_PLACE_NEW.format(position=position) if target is None
                         else plain_format(S.IMPORT_PLACE_TARGET, position=position, title=target.title))
        if st.button(S.IMPORT_CONFIRM, type="primary"):
            imported = docx_import.apply_import(db, actor, school_code, reviewed)
            st.success(S.IMPORT_DONE.format(count=len(reviewed)))
            st.page_link("pages/protocol_editor.py", label=S.OPEN_EDITOR, icon=":material/edit_document:",
                         query_params={QUERY_KEY: str(imported.id)})
    except ApprodoError as error:
        show_error(error)


st.title(S.PROTOCOLS_TITLE)
st.caption(S.PROTOCOLS_INTRO)

# --- actions: create the core (coordinator) or start the school's protocol (dirigente)
# The networks whose core the actor edits (none for school staff).
networks = [n for n in schools.list_networks(db, actor)
            if allowed(actor, Action.EDIT_PROTOCOL, ProtocolRef(n.code, None))]
if networks:
    with st.expander(S.CREATE_CORE, icon=":material/add:"):
        st.caption(S.CREATE_CORE_HELP)
        network = st.selectbox(S.NETWORK, networks, format_func=lambda n: n.name, placeholder=S.CHOOSE_PLACEHOLDER)
        missing = [t for t in templates.list_templates()
                   if network and protocols.core_for(db, network.code, t.level) is None]
        if not missing:
            st.info(S.ALL_CORES_EXIST)
        else:
            with st.form("create_core"):
                template = st.selectbox(S.TEMPLATE, missing, format_func=lambda t: t.title,
                                        placeholder=S.CHOOSE_PLACEHOLDER)
                year = st.text_input(S.SCHOOL_YEAR, value=str(SchoolYear.current()))
                if st.form_submit_button(S.CREATE, type="primary"):
                    run_action(lambda: protocols.create_core(db, actor, network.code, template.id, year),
                               S.CORE_CREATED)

    if network is not None:
        with st.expander(S.EXPORT_NETWORK, icon=":material/folder_zip:"):
            st.caption(S.EXPORT_NETWORK_HELP)
            if st.button(S.PREPARE_ZIP):
                bar = st.progress(0.0)

                def progress(done: int, total: int, label: str) -> None:
                    bar.progress(done / max(total, 1), text=S.PREPARING.format(label=label) if label else None)

                try:
                    state_key = f"zip_{network.code}"
                    st.session_state[state_key] = docx_export.export_network(db, actor, network.code, progress)
                except ApprodoError as error:
                    show_error(error)
            zipped = st.session_state.get(f"zip_{network.code}")
            if zipped:
                st.download_button(S.DOWNLOAD_ZIP, data=zipped, file_name=f"protocolli_{network.code}.zip",
                                   mime="application/zip", icon=":material/download:")
        with st.expander(S.WORD_TEMPLATE, icon=":material/article:"):
            st.caption(S.WORD_TEMPLATE_HELP)
            st.download_button(S.DOWNLOAD_DEFAULT_TEMPLATE, data=docx_export.DEFAULT_TEMPLATE.read_bytes(),
                               file_name="protocollo_modello.docx", mime=docx_export.DOCX_MIME)
            uploaded = st.file_uploader(S.UPLOAD_TEMPLATE, type=["docx"], key="word_template", help=S.UPLOAD_HELP)
            if uploaded is not None and st.button(S.SAVE, key="save_template"):
                run_action(lambda: docx_export.save_network_template(db, actor, network.code, uploaded.getvalue()),
                           S.TEMPLATE_SAVED)
            if docx_export.has_custom_template(db, network.code):
                st.info(S.TEMPLATE_IS_CUSTOM)
                if st.button(S.TEMPLATE_RESET):
                    docx_export.reset_network_template(db, actor, network.code)
                    st.success(S.TEMPLATE_WAS_RESET)

if actor.school_code and allowed(actor, Action.MANAGE_SCHOOL, SchoolRef(actor.school_code)):
    school = schools.get_school(db, actor, actor.school_code)
    if protocols.school_protocol(db, actor, school.code) is None:
        st.info(S.START_SCHOOL_PROTOCOL_HELP)
        if st.button(S.START_SCHOOL_PROTOCOL, type="primary"):
            run_action(lambda: protocols.create_school_protocol(db, actor, school.code), S.SCHOOL_PROTOCOL_CREATED)
    with st.expander(S.SCHOOL_FACTS, icon=":material/school:"):
        st.caption(S.SCHOOL_FACTS_HELP)
        with st.form("school_facts"):
            comune = st.text_input(S.COMUNE, value=school.comune, max_chars=200)
            dirigente = st.text_input(S.DIRIGENTE, value=school.dirigente_name, max_chars=200)
            referente = st.text_input(S.REFERENTE, value=school.referente_intercultura, max_chars=200)
            hours = st.number_input(S.ANNUAL_HOURS, min_value=0, max_value=2000, value=school.annual_hours or 0)
            if st.form_submit_button(S.SAVE):
                run_action(lambda: schools.update_school_facts(
                    db, actor, school.code, comune=comune, dirigente_name=dirigente,
                    referente_intercultura=referente, annual_hours=int(hours) or None), S.FACTS_SAVED)
        st.markdown(S.LOGO_TITLE)
        st.caption(S.LOGO_HELP)
        current = school_logo.school_logo(db, actor, school.code)
        if current:
            st.image(current, width=240)
        logo = st.file_uploader(S.LOGO_UPLOAD, type=["png", "jpg", "jpeg"], key="school_logo", help=S.UPLOAD_HELP)
        if logo is not None and st.button(S.LOGO_SAVE):
            run_action(lambda: school_logo.save_logo(db, actor, school.code, logo.getvalue()), S.LOGO_SAVED)
        if current and st.button(S.LOGO_REMOVE):
            school_logo.remove_logo(db, actor, school.code)
            st.rerun()

    with st.expander(S.IMPORT_TITLE, icon=":material/upload_file:"):
        st.caption(S.IMPORT_HELP)
        try:  # a protocol that cannot take an import says so before any file is chosen
            docx_import.check_can_import(db, actor, school.code)
        except ApprodoError as error:
            show_error(error, kind="warning")
        else:
            _import_section(school.code)

# --- the list
visible = protocols.list_protocols(db, actor)
if not visible:
    st.info(S.NO_PROTOCOLS)
for protocol in visible:
    open_comments = sum(comments.open_count(db, actor, protocol.id).values())
    with st.container(border=True):
        left, right = st.columns([4, 1])
        left.markdown(plain_bold(protocol.title))
        left.caption(
            f"{S.CORE_BADGE if protocol.is_core else plain(protocol.school_code)} · {protocol.status_label} · "
            f"{S.PROTOCOL_VERSION_SHORT} {protocol.revision} · a.s. {protocol.school_year} · "
            f"aggiornato il {clock.local_datetime(protocol.updated_at)}"
            + (f" · {S.open_comments(open_comments)}" if open_comments else "")
        )
        right.page_link("pages/protocol_editor.py", label=S.OPEN_EDITOR, icon=":material/edit_document:",
                        query_params={QUERY_KEY: str(protocol.id)})
        right.page_link("pages/protocol_history.py", label=S.OPEN_HISTORY, icon=":material/history:",
                        query_params={QUERY_KEY: str(protocol.id)})
