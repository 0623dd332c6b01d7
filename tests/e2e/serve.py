"""`streamlit run` for the browser tests, with the app's logic and the libraries its pages draw with imported before
the server listens.

A test's server starts while the previous test runs (conftest's `_Spare`): what it imports then is off the test's
clock, while the first page of a fresh server would otherwise wait for these imports (1.5-2 s). Only models/ (which
never imports streamlit) and third-party libraries are imported here: no page runs and no session opens, so the
first visitor still meets a fresh server, as with `streamlit run server.py`.
"""

import importlib
import pkgutil
import sys

import altair  # noqa: F401 - the charts of the home page and the dashboards
import pyarrow  # noqa: F401 - every table Streamlit sends

import models

import os
for module in pkgutil.walk_packages(models.__path__, "models."):
    if module.name not in os.environ.get("E2E_SKIP", "").split(","):
        importlib.import_module(module.name)

from streamlit.web.cli import main  # noqa: E402 - after the imports it is here to hide

sys.exit(main())
