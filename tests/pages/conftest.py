"""AppTest helpers: a fresh app on the demo database, logged in through the real form."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from models.demo import demo
from tests.conftest import ROOT

TIMEOUT = 30


def new_app(script: str = "app.py") -> AppTest:
    return AppTest.from_file(str(ROOT / script), default_timeout=TIMEOUT)


def log_in(at: AppTest, username: str, password: str = demo.DEMO_PASSWORD) -> AppTest:
    at.run()
    inputs = {field.label: field for field in at.text_input}
    inputs["Nome utente"].input(username)
    inputs["Password"].input(password)
    at.button[0].click()
    return at.run()



def open_page(username: str, page: str, **params) -> AppTest:
    """Log in as `username` and open `page` (a path such as "pages/risk.py") with these query parameters."""
    at = log_in(new_app(), username)
    for name, value in params.items():
        at.query_params[name] = str(value)
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def app(demo_db):
    return new_app()
