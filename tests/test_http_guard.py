"""The guard of server.py over real HTTP requests (Starlette's client): headers on every answer, a download
under /media/ only to the live login that made it (issue 31 #13). The files are registered and served by
Streamlit's own media manager and route, as in the running server."""

from __future__ import annotations

import logging

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient
from streamlit.runtime import media_file_manager
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.web.server.starlette.starlette_routes import create_media_routes

from models.accounts import auth
from models.demo import demo
from ui import downloads
from ui.cookie_routes import COOKIE_NAME, LOGOUT_URL, ROUTES
from ui.http_guard import GuardMiddleware


async def _file(request):
    return PlainTextResponse("P000123;3A;alto")


@pytest.fixture
def storage():
    return MemoryMediaFileStorage("/media")


@pytest.fixture
def client(demo_db, storage):
    app = Starlette(routes=[*ROUTES, *create_media_routes(storage, None), Route("/", _file)],
                    middleware=[Middleware(GuardMiddleware)])
    return TestClient(app, base_url="http://approdo.test")


def _browser(client, token):
    """Another browser of the same server: its own cookie jar."""
    other = TestClient(client.app, base_url="http://approdo.test")
    if token:
        other.cookies.set(COOKIE_NAME, token)
    return other


class _Sessions:
    """Streamlit's browser sessions making files, as a page run (or a click) does in the server."""

    def __init__(self, storage, monkeypatch):
        downloads.install()  # what server.py does
        self.manager = MediaFileManager(storage)
        self.monkeypatch = monkeypatch

    def run_as(self, session_id: str, token: str | None) -> None:
        self.monkeypatch.setattr(media_file_manager, "_get_session_id", lambda: session_id)
        downloads.bind_session(token)  # what ui.session.current_actor does on every run

    def download(self, data: bytes, name: str) -> str:
        return self.manager.add(data, "text/csv", "1.(2).3", file_name=name, is_for_static_download=True)

    def deferred(self, make) -> str:
        return self.manager.add_deferred(make, "text/csv", "1.(2).4", file_name="rischio.csv")


@pytest.fixture
def sessions(storage, monkeypatch):
    return _Sessions(storage, monkeypatch)


def test_every_answer_forbids_framing_and_carries_the_policy(client):
    for response in (client.get("/"), client.post("/sessione/uscita"), client.get("/media/x.csv")):
        assert response.headers["x-frame-options"] == "DENY"
        policy = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";")[0]
        assert response.headers["x-content-type-options"] == "nosniff"


def test_a_download_is_served_only_to_the_login_that_made_it(demo_db, client, sessions, caplog):
    token_a = auth.login(demo_db, "dirigente", demo.DEMO_PASSWORD)
    token_b = auth.login(demo_db, "docente", demo.DEMO_PASSWORD)
    sessions.run_as("tab-a", token_a)
    url = sessions.download(b"P000123;3A;alto", "rischio.csv")
    a, b, nobody = _browser(client, token_a), _browser(client, token_b), _browser(client, None)

    answer = a.get(url)
    assert answer.status_code == 200 and answer.text == "P000123;3A;alto"
    assert answer.headers["cache-control"] == "private, no-store"
    assert 'filename="rischio.csv"' in answer.headers["content-disposition"]
    with caplog.at_level(logging.WARNING, logger="ui.http_guard"):
        for other in (b, nobody, _browser(client, "inventato")):
            for method in (other.get, other.head):
                refused = method(url)
                assert refused.status_code == 404 and "P000123" not in refused.text
                assert refused.headers["x-frame-options"] == "DENY"
    refusals = [r.getMessage() for r in caplog.records if "Download rifiutato" in r.getMessage()]
    assert len(refusals) == 6 and url.split("/")[-1].split(".")[0] in refusals[0]
    assert not any(token_a in r or token_b in r for r in refusals)
    assert "solo dalla sessione che lo ha preparato" in b.get(url).text
    assert a.get("/media/" + "0" * 56 + ".csv").status_code == 404  # no such file, same answer

    # Another tab of A's browser (same cookie, same login) may fetch it; a file B makes is B's alone.
    sessions.run_as("tab-b", token_b)
    url_b = sessions.download(b"P000456;2B;medio", "rischio.csv")
    assert b.get(url_b).text == "P000456;2B;medio" and a.get(url_b).status_code == 404
    assert a.get(url).status_code == 200


def test_the_same_file_made_by_two_logins_is_served_to_both(demo_db, client, sessions):
    token_a = auth.login(demo_db, "dirigente", demo.DEMO_PASSWORD)
    token_b = auth.login(demo_db, "docente", demo.DEMO_PASSWORD)
    sessions.run_as("tab-a", token_a)
    url = sessions.download(b"modello", "modello.docx")
    assert _browser(client, token_b).get(url).status_code == 404
    sessions.run_as("tab-b", token_b)
    assert sessions.download(b"modello", "modello.docx") == url  # Streamlit's id is the content's hash
    assert _browser(client, token_b).get(url).status_code == 200
    assert _browser(client, token_a).get(url).status_code == 200


def test_a_file_made_at_the_click_belongs_to_the_login_that_drew_the_button(demo_db, client, sessions):
    token_a = auth.login(demo_db, "dirigente", demo.DEMO_PASSWORD)
    token_b = auth.login(demo_db, "docente", demo.DEMO_PASSWORD)
    sessions.run_as("tab-a", token_a)
    placeholder = sessions.deferred(lambda: b"P000789;1C;alto")
    sessions.run_as("worker", None)  # the click runs the callable on a thread of no session
    url = sessions.manager.execute_deferred(placeholder)
    assert _browser(client, token_a).get(url).text == "P000789;1C;alto"
    assert _browser(client, token_b).get(url).status_code == 404
    assert _browser(client, None).get(url).status_code == 404


def test_a_file_with_pupils_is_never_served_after_logout(demo_db, client, sessions):
    token = auth.login(demo_db, "dirigente", demo.DEMO_PASSWORD)
    sessions.run_as("tab-a", token)
    url = sessions.download(b"P000123;3A;alto", "rischio.csv")
    browser = _browser(client, token)
    assert browser.get(url).status_code == 200
    assert browser.post(LOGOUT_URL, headers={"Origin": "http://approdo.test"}).status_code == 204
    browser.cookies.set(COOKIE_NAME, token)  # an old cookie kept by hand
    assert browser.get(url).status_code == 404
    # The same tab logs in again (another user, or the same one): the old file is not theirs.
    again = auth.login(demo_db, "dirigente", demo.DEMO_PASSWORD)
    sessions.run_as("tab-a", again)
    assert _browser(client, again).get(url).status_code == 404
    # A session that ends by expiry or another tab's logout is refused too, before any note is forgotten.
    url_2 = sessions.download(b"P000999;3A;alto", "rischio.csv")
    assert _browser(client, again).get(url_2).status_code == 200
    auth.logout(demo_db, again)
    assert _browser(client, again).get(url_2).status_code == 404


def test_a_page_run_notes_its_login_and_a_logout_forgets_it(demo_db, sessions, monkeypatch):
    """ui.session binds the browser session on every run, and unbinds it when the login is gone."""
    import streamlit as st

    from ui import session

    token = auth.login(demo_db, "dirigente", demo.DEMO_PASSWORD)
    monkeypatch.setattr(media_file_manager, "_get_session_id", lambda: "tab-c")
    monkeypatch.setattr(st, "session_state", {session.TOKEN_KEY: token})
    assert session.current_actor(demo_db).username == "dirigente"
    url = sessions.download(b"P000321;1A;basso", "lettera.pdf")
    assert downloads.belongs_to(url.rsplit("/", 1)[-1], token)
    auth.logout(demo_db, token)
    assert session.current_actor(demo_db) is None
    url_2 = sessions.download(b"P000654;1A;basso", "lettera.pdf")
    assert not downloads.belongs_to(url_2.rsplit("/", 1)[-1], token)
