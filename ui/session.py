"""Who is logged in, and the guard that every page calls first.

Streamlit serves a file under pages/ by URL to the first visitor of a
freshly started server, before app.py has built the menu; so the menu
protects nothing by itself and each page asks `guard_page(__file__)`.
The browser session holds only an opaque token; the user behind it is
read from the database on every run.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils
import streamlit as st

from models import auth
from models import db as database
from models.errors import ApprodoError
from models.permissions import Actor, can
from ui import strings as S
from ui.navigation import spec_for_file
from ui.text import plain
from ui.visits import note_page

TOKEN_KEY = "approdo_token"  # noqa: S105 - a session-state key, not a secret
NOTICE_KEY = "approdo_notice"


@dataclass(frozen=True)
class PageContext:
    db: sqlite_utils.Database
    actor: Actor


def open_db() -> sqlite_utils.Database:
    """A connection for this run only (sqlite3 connections must not cross threads)."""
    return database.connect()


def current_actor(db: sqlite_utils.Database) -> Actor | None:
    """The logged-in actor, or None; an expired session is forgotten with a notice."""
    token = st.session_state.get(TOKEN_KEY)
    actor = auth.resolve_session(db, token)
    if token and actor is None:
        del st.session_state[TOKEN_KEY]
        st.session_state[NOTICE_KEY] = S.SESSION_EXPIRED
    return actor


def log_in(db: sqlite_utils.Database, username: str, password: str) -> None:
    """Raises ApprodoError with the reason when the login fails."""
    st.session_state[TOKEN_KEY] = auth.login(db, username, password, client=client_address())
    st.session_state.pop(NOTICE_KEY, None)


def client_address() -> str | None:
    """The browser's address: failures slow down a guesser there without locking the owner out elsewhere.
    None on localhost (and under AppTest, which has no connection)."""
    address = st.context.ip_address
    return address if isinstance(address, str) else None


def log_out(db: sqlite_utils.Database) -> None:
    auth.logout(db, st.session_state.pop(TOKEN_KEY, None))
    st.session_state[NOTICE_KEY] = S.LOGGED_OUT


def guard_page(page_file: str) -> PageContext:
    """First call of every page: stop unless the user is logged in and may open it."""
    db = open_db()
    actor = current_actor(db)
    if actor is None:
        st.warning(st.session_state.get(NOTICE_KEY) or S.LOGIN_REQUIRED)
        st.markdown(f"[{S.GO_TO_LOGIN}](/)")
        st.stop()
    spec = spec_for_file(page_file)
    if spec is None or not can(actor, spec.capability):
        st.error(S.NOT_ALLOWED)
        st.stop()
    note_page(page_file)
    return PageContext(db, actor)


def show_error(error: ApprodoError) -> None:
    st.error(plain(error.message))


FLASH_KEY = "approdo_flash"


def flash(message: str) -> None:
    """A success message that survives the rerun that follows an action."""
    st.session_state[FLASH_KEY] = message


def show_flash() -> None:
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(plain(message))


def run_action(action, success: str, *, rerun: bool = False) -> bool:
    """Call a model function for a button: its Italian error, or the success message.

    With `rerun`, the message is kept for the next run and the page reruns, so that
    what it shows reflects the change.
    """
    try:
        action()
    except ApprodoError as error:
        st.error(plain(error.message))
        return False
    if rerun:
        flash(success)
        st.rerun()
    st.success(plain(success))
    return True
