"""Approdo's entry point: page config, login gate, and the menu for the user's role.

`make run` serves it through server.py, which adds the routes that set the session cookie.
"""

import streamlit as st

from models.core.errors import ApprodoError
from ui import strings as S
from ui.bell import bell
from ui.navigation import PAGES, ROOT, menu, pages_for, show_menu
from ui.session import (
    NOTICE_KEY,
    SSO_ERROR_KEY,
    current_actor,
    log_in,
    log_in_with_identity,
    log_out,
    open_db,
    sso_configured,
    sync_cookie,
)
from ui.text import plain, plain_bold, show_error

st.set_page_config(page_title=S.APP_NAME, page_icon=":material/sailing:", layout="wide")


def login_page() -> None:
    st.title(S.LOGIN_TITLE, anchor=False)  # no "link to this heading" stop before the username (WCAG 2.4.1)
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
            show_error(error)
            return
        st.rerun()
    if sso_configured():
        single_sign_on()


def single_sign_on() -> None:
    st.caption(S.SSO_DIVIDER)
    refusal = st.session_state.get(SSO_ERROR_KEY)
    if refusal:
        st.error(plain(refusal))  # it quotes the e-mail the provider sent
        if st.button(S.SSO_OTHER_ACCOUNT, icon=":material/switch_account:"):
            st.logout()
    elif st.button(S.SSO_BUTTON, icon=":material/badge:"):
        st.login()


def refused_page() -> None:
    st.error(S.NOT_ALLOWED)


db = open_db()
actor = current_actor(db)
if actor is None and sso_configured():
    log_in_with_identity(db)
    actor = current_actor(db)

if actor is None:
    # The login answers at every page's address, so a link to a page (with its
    # query parameters) opens that page once the user has logged in.
    navigation = st.navigation(
        [
            st.Page(login_page, title=S.PAGE_LOGIN, icon=":material/login:", url_path=spec.url_path,
                    default=index == 0)
            for index, spec in enumerate(PAGES)
        ],
        position="hidden",
    )
else:
    allowed = pages_for(actor)
    sections = {
        heading: [st.Page(str(ROOT / spec.path), title=spec.title, icon=spec.icon, url_path=spec.url_path)
                  for spec in specs]
        for heading, specs in menu(allowed).items()
    }
    # A link to a page this role may not open gets the refusal in Italian
    # (not Streamlit's "Page not found"); the file itself is never run.
    allowed_paths = {spec.url_path for spec in allowed}  # titles may differ by role
    refused = [st.Page(refused_page, title=spec.title, url_path=spec.url_path)
               for spec in PAGES if spec.url_path not in allowed_paths]
    # Streamlit's own menu is hidden: ours (show_menu) is links under real headings, valid markup for a
    # screen reader, and always whole (folded, Streamlit's would add its English "View N more").
    navigation = st.navigation([page for pages in sections.values() for page in pages] + refused,
                               position="hidden")
    with st.sidebar:
        show_menu(sections, current=navigation)
        st.caption(S.LOGGED_IN_AS)
        st.markdown(f"{plain_bold(actor.full_name or actor.username)}  \n{actor.role_label}")
        bell(actor)
        if st.button(S.LOGOUT_BUTTON, icon=":material/logout:", key="logout"):
            log_out(db)

sync_cookie()
try:
    navigation.run()
except ApprodoError as error:
    # One place for what a page did not catch itself: a model's refusal or a bad input becomes its Italian
    # sentence, never Streamlit's exception box. (st.stop and st.rerun are not ApprodoError: they pass.)
    show_error(error)
