"""Who is logged in, and the guard that every page calls first.

Streamlit serves a file under pages/ by URL to the first visitor of a
freshly started server, before app.py has built the menu; so the menu
protects nothing by itself and each page asks `guard_page(__file__)`.
The browser session holds only an opaque token; the user behind it is
read from the database on every run.

The token lives in an HttpOnly cookie, so a reload, a new tab or a bookmark
finds the login again. A Streamlit script cannot set a cookie (it speaks to the
browser over a websocket; `st.context.cookies` only reads those sent when the
page opened), so after a login the page gets a one-time ticket and a tiny
script posts it to the web server's route (server.py), whose HTTP answer sets
the cookie. The script sees the ticket, never the token. Logout ends the
session on the server and asks the route to remove the cookie.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import sqlite_utils
import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from models.accounts import auth
from models.core import db as database
from models.core.errors import ApprodoError
from models.core.permissions import Actor, allowed
from ui import downloads
from ui import strings as S
from ui.cookie_routes import COOKIE_NAME, EXCHANGE_URL, LOGOUT_URL
from ui.navigation import spec_for_file
from ui.text import plain, show_error
from ui.visits import note_page

TOKEN_KEY = "approdo_token"  # noqa: S105 - a session-state key, not a secret
NOTICE_KEY = "approdo_notice"
TICKET_KEY = "approdo_cookie_ticket"
CLEAR_COOKIE_KEY = "approdo_cookie_clear"
# After a logout or an expiry this websocket session ignores the cookie it was opened with.
IGNORE_COOKIE_KEY = "approdo_cookie_ignored"
SSO_ERROR_KEY = "approdo_sso_error"


# Posts the ticket (or the request to remove the cookie) once per page load.
_COOKIE_JS = """
const sent = new Set();
export default function ({ data }) {
  if (!data || !data.url || sent.has(data.key)) return;
  sent.add(data.key);
  fetch(data.url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(data.ticket ? { ticket: data.ticket } : {}),
  });
}
"""
_cookie_request = st.components.v2.component("approdo_cookie", js=_COOKIE_JS, isolate_styles=False)


@dataclass(frozen=True)
class PageContext:
    db: sqlite_utils.Database
    actor: Actor


def open_db() -> sqlite_utils.Database:
    """A connection for this run only (sqlite3 connections must not cross threads)."""
    return database.connect()


def _session_token() -> tuple[str | None, bool]:
    """The token of this browser session and whether it came from the cookie."""
    token = st.session_state.get(TOKEN_KEY)
    if token:
        return token, False
    if st.session_state.get(IGNORE_COOKIE_KEY):
        return None, False
    cookie = st.context.cookies.get(COOKIE_NAME)
    return (cookie if isinstance(cookie, str) else None), True  # AppTest has no real cookies


def current_actor(db: sqlite_utils.Database) -> Actor | None:
    """The logged-in actor, or None; an expired session is forgotten with a notice."""
    token, from_cookie = _session_token()
    actor = auth.resolve_session(db, token)
    # The files this run offers for download are this login's (ui/downloads.py).
    downloads.bind_session(token if actor is not None else None)
    if token and actor is None:
        st.session_state.pop(TOKEN_KEY, None)
        st.session_state[IGNORE_COOKIE_KEY] = True
        st.session_state[NOTICE_KEY] = S.SESSION_ENDED if from_cookie else S.SESSION_EXPIRED
    return actor


def log_in(db: sqlite_utils.Database, username: str, password: str) -> None:
    """Raises ApprodoError with the reason when the login fails."""
    _start_session(auth.login(db, username, password, client=client_address()))


def log_in_with_identity(db: sqlite_utils.Database) -> None:
    """Open the session of the account linked to the single sign-on identity (st.user), once.

    A refusal (unknown or unverified e-mail) is kept to be shown on the login page.
    """
    if st.session_state.get(SSO_ERROR_KEY) or not sso_identity():
        return
    try:
        token = auth.login_with_email(
            db, st.user.get("email"), verified=st.user.get("email_verified") is True
        )
    except ApprodoError as error:
        st.session_state[SSO_ERROR_KEY] = error.message
        return
    _start_session(token)


def sso_configured() -> bool:
    """Single sign-on is on when .streamlit/secrets.toml has an [auth] section."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, StreamlitSecretNotFoundError):  # no secrets file at all
        return False


def sso_identity() -> bool:
    return sso_configured() and bool(st.user.is_logged_in)


def _start_session(token: str) -> None:
    st.session_state[TOKEN_KEY] = token
    st.session_state[TICKET_KEY] = auth.issue_cookie_ticket(open_db(), token)
    for key in (NOTICE_KEY, CLEAR_COOKIE_KEY, IGNORE_COOKIE_KEY):
        st.session_state.pop(key, None)


def client_address() -> str | None:
    """The browser's address: failures slow down a guesser there without locking the owner out elsewhere.
    None on localhost (and under AppTest, which has no connection)."""
    address = st.context.ip_address
    return address if isinstance(address, str) else None


def log_out(db: sqlite_utils.Database) -> None:
    """End the session on the server and this run; the cookie goes at the next run, the SSO identity now."""
    token, _ = _session_token()
    auth.logout(db, token)
    downloads.forget_login(token)
    for key in (TOKEN_KEY, TICKET_KEY, SSO_ERROR_KEY):
        st.session_state.pop(key, None)
    st.session_state[IGNORE_COOKIE_KEY] = True
    st.session_state[CLEAR_COOKIE_KEY] = True
    st.session_state[NOTICE_KEY] = S.LOGGED_OUT
    if sso_identity():
        # Streamlit's identity cookie must go too, or the next page load would sign on again.
        # st.logout() sends the browser away; a rerun now could drop that message unsent.
        st.logout()
        st.stop()
    st.rerun()


def sync_cookie() -> None:
    """Draw, invisibly, the request that sets or removes the cookie, while one is due."""
    ticket = st.session_state.get(TICKET_KEY)
    if ticket:
        # A hex digest: a widget key of Streamlit's components must never hold "__", which a ticket may.
        key = "set-" + hashlib.sha256(ticket.encode()).hexdigest()[:16]
        _cookie_request(key=key, data={"url": EXCHANGE_URL, "ticket": ticket, "key": key}, height=0)
    elif st.session_state.get(CLEAR_COOKIE_KEY):
        _cookie_request(key="clear", data={"url": LOGOUT_URL, "key": "clear"}, height=0)


def guard_page(page_file: str) -> PageContext:
    """First call of every page: stop unless the user is logged in and may open it."""
    db = open_db()
    actor = current_actor(db)
    if actor is None:
        st.warning(st.session_state.get(NOTICE_KEY) or S.LOGIN_REQUIRED)
        st.markdown(f"[{S.GO_TO_LOGIN}](/)")
        st.stop()
    spec = spec_for_file(page_file)
    if spec is None or not allowed(actor, spec.action):
        st.error(S.NOT_ALLOWED)
        st.stop()
    note_page(page_file)
    return PageContext(db, actor)


def guard_fragment(page_actor: Actor) -> PageContext:
    """First call of a fragment: its reruns skip the page (and its guard), so the session is checked again.

    A fresh connection too: a fragment may rerun on another thread than the page's run. A session that
    ended meanwhile (logged out in another tab, expired) reruns the whole app, which shows the login.
    """
    db = open_db()
    actor = current_actor(db)
    if actor is None or actor.username != page_actor.username:
        st.rerun(scope="app")
    return PageContext(db, actor)


def remembered(key: str, options: list, fallback: list) -> str:
    """Prepare a multiselect's `key` so that its choice survives leaving the page and coming back.

    Streamlit forgets a page's widgets when the user opens another page (the pupil, then Back): the choice
    is kept under a second key and given back, limited to the options there are now. Call `remember(key)`
    after the widget. Returns `key`.
    """
    if key not in st.session_state:
        kept = st.session_state.get(f"{key}_kept", fallback)
        st.session_state[key] = [value for value in kept if value in options]
    return key


def remembered_choice(key: str, options: list, fallback) -> str:
    """The same for a selectbox: the kept choice if it is still an option and the default is still `fallback`
    (new data, such as a newer month, bring the new default back), else `fallback`. Call
    `remember_choice(key, fallback)` after the widget. Returns `key`."""
    if key not in st.session_state:
        kept = st.session_state.get(f"{key}_kept")
        chosen = kept[0] if isinstance(kept, tuple) and kept[1] == fallback and kept[0] in options else fallback
        st.session_state[key] = chosen
    return key


def remember_choice(key: str, fallback) -> None:
    st.session_state[f"{key}_kept"] = (st.session_state.get(key), fallback)


def remember(key: str) -> None:
    st.session_state[f"{key}_kept"] = list(st.session_state.get(key, []))


FLASH_KEY = "approdo_flash"


def flash(message: str) -> None:
    """A success message that survives the rerun that follows an action."""
    st.session_state[FLASH_KEY] = message


def show_flash() -> None:
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(plain(message))


_FORM_ROUND = "approdo_form_round_"


def form_key(name: str) -> str:
    """The key of a form that keeps what was typed when its action fails, and starts empty after a success.

    Streamlit's `clear_on_submit` empties the fields on every submit, a refused one included: the text typed is
    lost with the error. So no form clears itself: after a success (`run_action(..., clears=name)`) the key
    moves on, and the form's widgets, whose ids include the form's key, start afresh."""
    return f"{name}~{st.session_state.get(_FORM_ROUND + name, 0)}"


def form_sent(name: str) -> None:
    """The form `name` did its job: the next run shows it empty (see `form_key`)."""
    st.session_state[_FORM_ROUND + name] = st.session_state.get(_FORM_ROUND + name, 0) + 1


def run_action(action, success, *, rerun: bool = False, clears: str | None = None) -> bool:
    """Call a model function for a button: its Italian error, or the success message.

    `success` is the message, or a function of what the action returned that makes it. The error is shown
    here, not by app.py's handler, so that the rest of the page still renders below the button.
    With `rerun`, the message is kept for the next run and the page reruns, so that
    what it shows reflects the change. `clears`: the form (see `form_key`) to show empty after a success;
    after an error every field keeps what was typed.
    """
    try:
        result = action()
    except ApprodoError as error:
        show_error(error)
        return False
    if callable(success):
        success = success(result)
    if clears:
        form_sent(clears)
    if rerun:
        flash(success)
        st.rerun()
    st.success(plain(success))
    return True
