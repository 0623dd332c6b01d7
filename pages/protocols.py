"""Protocols: the list of the user's protocols, creating the core or the school's, school facts."""

import streamlit as st

from models import comments, protocols, schools, templates
from models.errors import ApprodoError
from models.permissions import Role, can_edit_protocol, can_manage_school
from models.school_year import SchoolYear
from ui import strings as S
from ui.protocol_widgets import QUERY_KEY, when
from ui.session import guard_page

ctx = guard_page(__file__)
db, actor = ctx.db, ctx.actor

st.title(S.PROTOCOLS_TITLE)
st.caption(S.PROTOCOLS_INTRO)

# --- actions: create the core (coordinator) or start the school's protocol (dirigente)
if actor.role in (Role.ADMIN, Role.COORDINATORE_RETE):
    networks = [n for n in schools.list_networks(db, actor) if can_edit_protocol(actor, n.code, None)]
    with st.expander(S.CREATE_CORE, icon=":material/add:"):
        st.caption(S.CREATE_CORE_HELP)
        network = st.selectbox(S.NETWORK, networks, format_func=lambda n: n.name)
        missing = [t for t in templates.list_templates()
                   if network and protocols.core_for(db, network.code, t.level) is None]
        if not missing:
            st.info(S.ALL_CORES_EXIST)
        else:
            with st.form("create_core"):
                template = st.selectbox(S.TEMPLATE, missing, format_func=lambda t: t.title)
                year = st.text_input(S.SCHOOL_YEAR, value=str(SchoolYear.current()))
                if st.form_submit_button(S.CREATE, type="primary"):
                    try:
                        protocols.create_core(db, actor, network.code, template.id, year)
                        st.success(S.CORE_CREATED)
                    except ApprodoError as error:
                        st.error(error.message)

if actor.school_code and can_manage_school(actor, actor.school_code):
    school = schools.get_school(db, actor, actor.school_code)
    if protocols.school_protocol(db, actor, school.code) is None:
        st.info(S.START_SCHOOL_PROTOCOL_HELP)
        if st.button(S.START_SCHOOL_PROTOCOL, type="primary"):
            try:
                protocols.create_school_protocol(db, actor, school.code)
                st.success(S.SCHOOL_PROTOCOL_CREATED)
            except ApprodoError as error:
                st.error(error.message)
    with st.expander(S.SCHOOL_FACTS, icon=":material/school:"):
        st.caption(S.SCHOOL_FACTS_HELP)
        with st.form("school_facts"):
            comune = st.text_input(S.COMUNE, value=school.comune, max_chars=200)
            dirigente = st.text_input(S.DIRIGENTE, value=school.dirigente_name, max_chars=200)
            referente = st.text_input(S.REFERENTE, value=school.referente_intercultura, max_chars=200)
            hours = st.number_input(S.ANNUAL_HOURS, min_value=0, max_value=2000, value=school.annual_hours or 0)
            if st.form_submit_button(S.SAVE):
                try:
                    schools.update_school_facts(db, actor, school.code, comune=comune, dirigente_name=dirigente,
                                                referente_intercultura=referente, annual_hours=int(hours) or None)
                    st.success(S.FACTS_SAVED)
                except ApprodoError as error:
                    st.error(error.message)

# --- the list
visible = protocols.list_protocols(db, actor)
if not visible:
    st.info(S.NO_PROTOCOLS)
for protocol in visible:
    open_comments = sum(comments.open_count(db, actor, protocol.id).values())
    with st.container(border=True):
        left, right = st.columns([4, 1])
        left.markdown(f"**{protocol.title}**")
        left.caption(
            f"{S.CORE_BADGE if protocol.is_core else protocol.school_code} · {protocol.status_label} · "
            f"{S.REVISION.lower()} {protocol.revision} · a.s. {protocol.school_year} · "
            f"aggiornato il {when(protocol.updated_at)}"
            + (f" · {open_comments} commenti aperti" if open_comments else "")
        )
        right.page_link("pages/protocol_editor.py", label=S.OPEN_EDITOR, icon=":material/edit_document:",
                        query_params={QUERY_KEY: str(protocol.id)})
        right.page_link("pages/protocol_history.py", label=S.OPEN_HISTORY, icon=":material/history:",
                        query_params={QUERY_KEY: str(protocol.id)})
