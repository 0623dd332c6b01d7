"""The HTTP side of the login: the routes that set and clear the session cookie (served by server.py).

A Streamlit script talks to the browser over a websocket and cannot set a
cookie; an HTTP response can. After a login the page posts its one-time
ticket to EXCHANGE_URL; the answer sets the session token as a cookie that
the page's JavaScript cannot read (HttpOnly, SameSite=Strict, Secure over
HTTPS). LOGOUT_URL ends the cookie's session on the server and removes it.
"""

from __future__ import annotations

import json

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from models.accounts import auth
from models.core import db as database
from ui import downloads

COOKIE_NAME = "approdo_sessione"
MAX_BODY_BYTES = 4096  # a ticket is a few dozen characters: anything far larger is not ours
COOKIE_PATH = "/"
EXCHANGE_URL = "/sessione/biglietto"
LOGOUT_URL = "/sessione/uscita"


def _same_origin(request: Request) -> bool:
    """Refuse posts made by other sites' pages (browsers send Origin on every POST)."""
    origin = request.headers.get("origin")
    return origin is None or origin.split("://", 1)[-1] == request.headers.get("host")


def _with_db(function, *args):
    """Run `function(db, *args)` on a connection of its own, in a worker thread (sqlite blocks)."""

    def run():
        db = database.connect()
        try:
            return function(db, *args)
        finally:
            db.conn.close()

    return run_in_threadpool(run)


def _refused(message: str, status: int = 403) -> Response:
    return JSONResponse({"errore": message}, status_code=status)


class _TooLarge(Exception):
    pass


async def _body(request: Request) -> bytes:
    """The request body, read in pieces and never beyond MAX_BODY_BYTES (`_TooLarge` beyond)."""
    declared = request.headers.get("content-length", "")
    if declared.strip().isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _TooLarge
    body = bytearray()
    async for piece in request.stream():
        body += piece
        if len(body) > MAX_BODY_BYTES:
            raise _TooLarge
    return bytes(body)


def _too_large() -> Response:
    return _refused("Richiesta troppo grande.", 413)


async def exchange_ticket(request: Request) -> Response:
    """POST {"ticket": ...}: the session cookie for a ticket from the login page."""
    if not _same_origin(request):
        return _refused("Richiesta da un'altra origine.")
    try:
        ticket = json.loads(await _body(request)).get("ticket")
    except _TooLarge:
        return _too_large()
    except (ValueError, AttributeError):
        ticket = None
    token = await _with_db(auth.redeem_cookie_ticket, ticket if isinstance(ticket, str) else None)
    if token is None:
        return _refused("Biglietto non valido o scaduto: accedi di nuovo.")
    response = Response(status_code=204)
    response.set_cookie(
        COOKIE_NAME, token, max_age=int(auth.MAX_SESSION.total_seconds()), path=COOKIE_PATH,
        httponly=True, samesite="strict", secure=request.url.scheme == "https",
    )
    return response


async def clear_cookie(request: Request) -> Response:
    """POST: end the cookie's session on the server and remove the cookie."""
    if not _same_origin(request):
        return _refused("Richiesta da un'altra origine.")
    try:
        await _body(request)  # nothing is expected: a large body is refused, not held
    except _TooLarge:
        return _too_large()
    await _with_db(auth.logout, request.cookies.get(COOKIE_NAME))
    downloads.forget_login(request.cookies.get(COOKIE_NAME))
    response = Response(status_code=204)
    response.delete_cookie(COOKIE_NAME, path=COOKIE_PATH, httponly=True, samesite="strict",
                           secure=request.url.scheme == "https")
    return response


ROUTES = [
    Route(EXCHANGE_URL, exchange_ticket, methods=["POST"]),
    Route(LOGOUT_URL, clear_cookie, methods=["POST"]),
]
