"""The HTTP routes that set and clear the session cookie, over real HTTP requests (Starlette's client)."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from models.accounts import auth
from models.demo import demo
from tests.async_helpers import run_apart
from ui.cookie_routes import COOKIE_NAME, EXCHANGE_URL, LOGOUT_URL, ROUTES


@pytest.fixture
def client(demo_db):
    return TestClient(Starlette(routes=ROUTES), base_url="http://approdo.test")


def _ticket(db):
    token = auth.login(db, "dirigente", demo.DEMO_PASSWORD)
    return token, auth.issue_cookie_ticket(db, token)


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


def _post_in_pieces(path: str, pieces: int, size: int = 1 << 20) -> tuple[int, int, int]:
    """POST `pieces` pieces of `size` bytes (no Content-Length) straight to the ASGI app; return the status,
    how many pieces the app asked for and the peak of memory traced meanwhile."""
    import tracemalloc

    asked, answer = [0], {}
    piece = b'{"ticket": "' + b"x" * size

    async def receive():
        asked[0] += 1
        return {"type": "http.request", "body": piece, "more_body": asked[0] < pieces}

    async def send(message):
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]

    scope = {"type": "http", "method": "POST", "path": path, "raw_path": path.encode(), "query_string": b"",
             "headers": [(b"host", b"approdo.test"), (b"content-type", b"application/json")],
             "scheme": "http", "server": ("approdo.test", 80), "client": ("10.0.0.1", 1234),
             "http_version": "1.1", "root_path": ""}
    tracemalloc.start()
    try:
        run_apart(Starlette(routes=ROUTES)(scope, receive, send))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return answer["status"], asked[0], peak


@pytest.mark.parametrize("path", [EXCHANGE_URL, LOGOUT_URL])
def test_a_huge_body_is_refused_413_after_a_few_kilobytes_read_without_holding_it(demo_db, client, path):
    """Issue 31 #8: a 300 MB JSON body was read whole (+731 MB per request); now the read stops at the cap."""
    status, asked, peak = _post_in_pieces(path, pieces=300)
    assert status == 413
    assert asked == 1 and peak < 10 * 2**20
    # a declared length over the cap is refused before reading, with an Italian message
    response = client.post(path, content=b"{" + b" " * 10_000 + b"}")
    assert response.status_code == 413 and "troppo grande" in response.json()["errore"]
    # a real ticket still works
    _, ticket = _ticket(demo_db)
    assert client.post(EXCHANGE_URL, json={"ticket": ticket}).status_code == 204
