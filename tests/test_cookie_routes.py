"""The HTTP routes that set and clear the session cookie, over real HTTP requests (Starlette's client)."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from models.accounts import auth
from models.demo import demo
from ui.cookie_routes import COOKIE_NAME, EXCHANGE_URL, LOGOUT_URL, ROUTES


@pytest.fixture
def client(demo_db):
    return TestClient(Starlette(routes=ROUTES), base_url="http://approdo.test")


def _ticket(db):
    token = auth.login(db, "dirigente", demo.DEMO_PASSWORD)
    return token, auth.issue_cookie_ticket(token)


def test_a_ticket_becomes_an_http_only_strict_cookie_with_the_session_token(demo_db, client):
    token, ticket = _ticket(demo_db)
    response = client.post(EXCHANGE_URL, json={"ticket": ticket})
    assert response.status_code == 204
    header = response.headers["set-cookie"]
    assert header.startswith(f"{COOKIE_NAME}={token};")
    attributes = {part.strip().split("=")[0].lower() for part in header.split(";")[1:]}
    assert {"httponly", "samesite", "path", "max-age"} <= attributes and "secure" not in attributes
    assert "samesite=strict" in header.lower()
    # once only
    assert client.post(EXCHANGE_URL, json={"ticket": ticket}).status_code == 403


def test_over_https_the_cookie_is_secure(demo_db):
    client = TestClient(Starlette(routes=ROUTES), base_url="https://approdo.test")
    _, ticket = _ticket(demo_db)
    response = client.post(EXCHANGE_URL, json={"ticket": ticket})
    assert "secure" in response.headers["set-cookie"].lower()


@pytest.mark.parametrize("body", [{"ticket": "inventato"}, {"ticket": 42}, {}, [1, 2]])
def test_anything_but_a_live_ticket_is_refused_in_italian(demo_db, client, body):
    response = client.post(EXCHANGE_URL, json=body)
    assert response.status_code == 403
    assert "set-cookie" not in response.headers
    assert "accedi di nuovo" in response.json()["errore"]


def test_a_post_from_another_site_is_refused_and_the_ticket_stays_good(demo_db, client):
    _, ticket = _ticket(demo_db)
    response = client.post(EXCHANGE_URL, json={"ticket": ticket}, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert client.post(EXCHANGE_URL, json={"ticket": ticket},
                       headers={"Origin": "http://approdo.test"}).status_code == 204


def test_the_logout_route_ends_the_session_on_the_server_and_removes_the_cookie(demo_db, client):
    token, ticket = _ticket(demo_db)
    client.post(EXCHANGE_URL, json={"ticket": ticket})
    assert client.cookies.get(COOKIE_NAME) == token
    response = client.post(LOGOUT_URL)
    assert response.status_code == 204
    assert COOKIE_NAME not in client.cookies
    assert auth.resolve_session(demo_db, token) is None
    # a GET is not a logout
    assert client.get(LOGOUT_URL).status_code == 405
