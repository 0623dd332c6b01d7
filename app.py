"""Approdo's entry point: page config, login gate, and the menu for the user's role."""

import streamlit as st

from models.errors import ApprodoError
from ui import strings as S
from ui.navigation import ROOT, pages_for
from ui.session import NOTICE_KEY, current_actor, log_in, log_out, open_db
from ui.text import plain, plain_bold

st.set_page_config(page_title=S.APP_NAME, page_icon=":material/sailing:", layout="wide")


def login_page() -> None:
    st.title(S.LOGIN_TITLE)
    st.caption(S.APP_TAGLINE)
    notice = st.session_state.get(NOTICE_KEY)
    if notice:
        st.info(notice)
    st.write(S.LOGIN_INTRO)
    with st.form("login"):
        username = st.text_input(S.USERNAME, autocomplete="username")
        password = st.text_input(S.PASSWORD, type="password", autocomplete="current-password")
        submitted = st.form_submit_button(S.LOGIN_BUTTON, type="primary")
    if submitted:
        if not username or not password:
            st.error(S.LOGIN_MISSING)
            return
        try:
            log_in(open_db(), username, password)
        except ApprodoError as error:
            st.error(plain(error.message))
            return
        st.rerun()


db = open_db()
actor = current_actor(db)

if actor is None:
    navigation = st.navigation(
        [st.Page(login_page, title=S.PAGE_LOGIN, icon=":material/login:", url_path="accesso")],
        position="hidden",
    )
else:
    navigation = st.navigation(
        [
            st.Page(str(ROOT / spec.path), title=spec.title, icon=spec.icon, url_path=spec.url_path)
            for spec in pages_for(actor)
        ]
    )
    with st.sidebar:
        st.caption(S.LOGGED_IN_AS)
        st.markdown(f"{plain_bold(actor.full_name or actor.username)}  \n{actor.role_label}")
        if st.button(S.LOGOUT_BUTTON, icon=":material/logout:", key="logout"):
            log_out(db)
            st.rerun()

navigation.run()
