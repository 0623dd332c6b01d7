"""The guard of server.py over real HTTP requests (Starlette's client): headers on every answer, downloads
under /media/ only with the cookie of a live session (issue 31 #13)."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from models.accounts import auth
from models.demo import demo
from ui.cookie_routes import COOKIE_NAME, ROUTES
from ui.http_guard import GuardMiddleware


async def _file(request):
    return PlainTextResponse("P000123;3A;alto")


@pytest.fixture
def client(demo_db):
    app = Starlette(routes=[*ROUTES, Route("/media/{file_id}", _file), Route("/", _file)],
                    middleware=[Middleware(GuardMiddleware)])
    return TestClient(app, base_url="http://approdo.test")


def test_every_answer_forbids_framing_and_carries_the_policy(client):
    for response in (client.get("/"), client.post("/sessione/uscita"), client.get("/media/x.csv")):
        assert response.headers["x-frame-options"] == "DENY"
        policy = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";")[0]
        assert response.headers["x-content-type-options"] == "nosniff"


def test_a_download_needs_the_cookie_of_a_live_session(demo_db, client):
    assert client.get("/media/abc.csv").status_code == 403
    assert "accedi di nuovo" in client.get("/media/abc.csv").text
    token = auth.login(demo_db, "dirigente", demo.DEMO_PASSWORD)
    client.cookies.set(COOKIE_NAME, token)
    answer = client.get("/media/abc.csv")
    assert answer.status_code == 200 and answer.text == "P000123;3A;alto"
    assert answer.headers["cache-control"] == "private, no-store"
    auth.logout(demo_db, token)
    assert client.get("/media/abc.csv").status_code == 403
    client.cookies.set(COOKIE_NAME, "inventato")
    assert client.get("/media/abc.csv").status_code == 403
    assert client.get("/").status_code == 200  # the app's page itself opens without a login
