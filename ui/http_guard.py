"""What every HTTP answer of the server carries, and who may fetch a download (served by server.py).

Streamlit serves what `st.download_button` offers under `/media/<id>`, to anyone holding the address while
the page that made it lives: an address copied from the history, a log or a shared screen was enough for a
list of pupils. Here a `/media/` request gets an answer only with the session cookie of a live login, and
is never cached. Every answer forbids framing (`X-Frame-Options: DENY`, `frame-ancestors 'none'`), sniffing
and referrers, with a Content-Security-Policy that Streamlit's own page works under: scripts only from the
server (and Streamlit's one inline start-up line, by its hash), styles from the server or inline (Streamlit
writes its styles at run time), connections only back to it, no plugins.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import streamlit
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from models.accounts import auth
from models.core import db as database
from ui.cookie_routes import COOKIE_NAME


def _inline_script_hashes() -> str:
    """The CSP hashes of the inline scripts of Streamlit's own page (one start-up line in 1.67)."""
    page = (Path(streamlit.__file__).parent / "static" / "index.html").read_text(encoding="utf-8")
    return " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()}'"
                    for code in re.findall(r"<script>(.*?)</script>", page, re.DOTALL))


# Streamlit loads a component's module from a blob: URL and runs WebAssembly (Arrow tables); nothing else
# is allowed from outside the server (the favicon Streamlit would fetch from Google is not).
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    f"script-src 'self' blob: 'wasm-unsafe-eval' {_inline_script_hashes()}",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self' ws: wss:",
    "worker-src 'self' blob:",
    "frame-src 'self' blob: data:",
    "media-src 'self' blob: data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
HEADERS = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
MEDIA_HEADERS = {"Cache-Control": "private, no-store"}
NO_SESSION = "Il download è disponibile solo nella sessione che lo ha preparato: accedi di nuovo ad Approdo."


def _media_prefix() -> str:
    from streamlit import config

    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/media/" if base else "/media/"


def _live_session(token: str | None) -> bool:
    if not token:
        return False
    db = database.connect()
    try:
        return auth.resolve_session(db, token) is not None
    finally:
        db.conn.close()


class GuardMiddleware:
    """The headers above on every HTTP answer; `/media/` only with the cookie of a live session."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        media = scope["path"].startswith(_media_prefix())
        extra = {**HEADERS, **(MEDIA_HEADERS if media else {})}
        if media and scope["method"] in ("GET", "HEAD"):
            token = HTTPConnection(scope).cookies.get(COOKIE_NAME)
            if not await run_in_threadpool(_live_session, token):
                await PlainTextResponse(NO_SESSION, status_code=403, headers=extra)(scope, receive, send)
                return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
