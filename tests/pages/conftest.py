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


@pytest.fixture
def app(demo_db):
    return new_app()
