"""What every HTTP answer of the server carries, and who may fetch a download (served by server.py).

Streamlit serves what `st.download_button` offers under `/media/<id>`, to anyone holding the address while
the page that made it lives: an address copied from the history, a log or a shared screen was enough for a
list of pupils. Here a `/media/` request gets an answer only with the session cookie of the live login that
made the file (ui/downloads.py notes whose each file is); any other request is told 404, as if the file did
not exist, and the attempt is logged. Answers are never cached.
Every answer forbids framing (`X-Frame-Options: DENY`, `frame-ancestors 'none'`), sniffing
and referrers, with a Content-Security-Policy that Streamlit's own page works under: scripts only from the
server (and Streamlit's one inline start-up line, by its hash), styles from the server or inline (Streamlit
writes its styles at run time), connections only back to it, no plugins.
"""

from __future__ import annotations

import base64
import hashlib
import logging
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
from ui import downloads
from ui.cookie_routes import COOKIE_NAME

LOG = logging.getLogger(__name__)


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
NOT_YOURS = ("Download non disponibile: un file si scarica solo dalla sessione che lo ha preparato, finché è aperta."
             " Accedi di nuovo ad Approdo e preparalo dalla sua pagina.")


def _media_prefix() -> str:
    from streamlit import config

    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/media/" if base else "/media/"


def _may_fetch(name: str, token: str | None, client: str) -> bool:
    """Whether the login of this cookie made the file and is still open; a refusal is logged."""
    if not token:
        reason = "senza sessione"
    elif not downloads.belongs_to(name, token):
        reason = "di un'altra sessione o inesistente"
    else:
        db = database.connect()
        try:
            if auth.resolve_session(db, token) is not None:
                return True
        finally:
            db.conn.close()
        reason = "sessione chiusa"
    # The id only (a hash of the content), never the file or the token.
    LOG.warning("Download rifiutato (%s): /media/%s da %s", reason, downloads.file_id(name)[:64], client)
    return False


class GuardMiddleware:
    """The headers above on every HTTP answer; `/media/` only with the cookie of the live login that made it."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        prefix = _media_prefix()
        media = scope["path"].startswith(prefix)
        extra = {**HEADERS, **(MEDIA_HEADERS if media else {})}
        if media and scope["method"] != "OPTIONS":
            connection = HTTPConnection(scope)
            client = connection.client.host if connection.client else "?"
            name = scope["path"][len(prefix):]
            if not await run_in_threadpool(_may_fetch, name, connection.cookies.get(COOKIE_NAME), client):
                await PlainTextResponse(NOT_YOURS, status_code=404, headers=extra)(scope, receive, send)
                return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
