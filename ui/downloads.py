"""Whose a download is: each file Streamlit serves under `/media/` belongs to the login that made it.

Streamlit keeps what `st.download_button` (or `st.image`) offers in memory and serves it under
`/media/<id>.<ext>` to whoever asks; the id is a hash of the content, so two logins making the same file
share it. Here every file Streamlit registers (at the run that draws the button, or at the click for a
file made on demand) is noted against the login session of the browser session that made it (the
SHA-256 of its token, as the `sessions` table keys it), and ui/http_guard.py serves a `/media/` request
only when the request's cookie is a live session among the file's owners.

The notes live in this process, beside the files themselves (Streamlit's media files never leave the
process either), behind a lock: the pages write them from their script threads, the guard reads them
from the server's event loop. A logout forgets the notes of its session at once; notes older than the
longest session are dropped.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import defaultdict
from os.path import splitext

from streamlit.runtime import media_file_manager
from streamlit.runtime.media_file_manager import MediaFileManager

from models.accounts.auth import MAX_SESSION

_lock = threading.Lock()
_KEEP = MAX_SESSION.total_seconds()
# Streamlit's session id -> (the login session's token hash, when noted).
_login_of_session: dict[str, tuple[str, float]] = {}
# file id -> {token hash: when noted}.
_owners: dict[str, dict[str, float]] = defaultdict(dict)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def file_id(name: str) -> str:
    """The id in a `/media/` address (`<id>.<ext>`), as Streamlit's storage reads it."""
    return splitext(name)[0]


def bind_session(token: str | None) -> None:
    """Note which login this browser session is under now (None: none); every run does it."""
    session_id = media_file_manager._get_session_id()
    with _lock:
        if token:
            _login_of_session[session_id] = (_token_hash(token), time.monotonic())
        else:
            _login_of_session.pop(session_id, None)


def forget_login(token: str | None) -> None:
    """A logout: no file made under this login is served again, whoever asks."""
    if not token:
        return
    hashed = _token_hash(token)
    with _lock:
        for owners in _owners.values():
            owners.pop(hashed, None)
        for session_id in [s for s, (h, _) in _login_of_session.items() if h == hashed]:
            del _login_of_session[session_id]


def _note(url: str, session_id: str) -> None:
    now = time.monotonic()
    with _lock:
        login = _login_of_session.get(session_id)
        if login is not None:
            _owners[file_id(url.rsplit("/", 1)[-1])][login[0]] = now
        _prune(now)


def _prune(now: float) -> None:
    for owners in list(_owners.values()):
        for hashed in [h for h, at in owners.items() if now - at > _KEEP]:
            del owners[hashed]
    for name in [name for name, owners in _owners.items() if not owners]:
        del _owners[name]
    for session_id in [s for s, (_, at) in _login_of_session.items() if now - at > _KEEP]:
        del _login_of_session[session_id]


def belongs_to(name: str, token: str | None) -> bool:
    """Whether the file at `/media/<name>` was made under the login of this token."""
    if not token:
        return False
    with _lock:
        return _token_hash(token) in _owners.get(file_id(name), {})


def install() -> None:
    """Have Streamlit's media manager note the owner of every file it registers (once per process)."""
    if getattr(MediaFileManager, "_approdo_owned", False):
        return
    add, execute_deferred = MediaFileManager.add, MediaFileManager.execute_deferred

    def owned_add(self, *args, **kwargs) -> str:
        url = add(self, *args, **kwargs)
        _note(url, media_file_manager._get_session_id())
        return url

    def owned_execute_deferred(self, placeholder: str) -> str:
        # Made at the click, on a worker thread: the owner is the session that drew the button.
        with self._lock:
            entry = self._deferred_callables.get(placeholder)
        url = execute_deferred(self, placeholder)
        if entry is not None:
            _note(url, entry["session_id"])
        return url

    MediaFileManager.add = owned_add
    MediaFileManager.execute_deferred = owned_execute_deferred
    MediaFileManager._approdo_owned = True
