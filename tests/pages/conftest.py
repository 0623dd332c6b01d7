"""AppTest helpers: a fresh app on the demo database, logged in through the real form."""

from __future__ import annotations

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from models import demo
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


@pytest.fixture(autouse=True)
def navigation_as_on_a_running_server(monkeypatch):
    """Run app.py on every rerun, as a server does once any session has called st.navigation.

    AppTest forgets between runs that st.navigation is in use and, because a
    pages/ folder exists, replays the last page file without app.py (the
    situation of the first visitor of a fresh server, which the e2e tests
    cover in a real browser).
    """
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture
def app(demo_db):
    return new_app()
