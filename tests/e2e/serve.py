"""`streamlit run` for the browser tests, with the app's logic and the libraries its pages draw with imported before
the server listens.

A test's server starts while the previous test runs (conftest's `_Spare`): what it imports then is off the test's
clock, while the first page of a fresh server would otherwise wait for these imports (1.5-2 s). Only models/ (which
never imports streamlit) and third-party libraries are imported here: no page runs and no session opens, so the
first visitor still meets a fresh server, as with `streamlit run server.py`.

All of models/ but models.risk.learn: scikit-learn (some 900 modules, about 0.9 s of CPU) serves only the risk, pupil
and model pages, which about a third of the tests open; a server whose test opens one imports it then, once. Imported
for every server it cost more than it hid, also for the tests that open those pages (this 2-core machine, load 10 to
16: test_sessions.py, six tests that all open them, 110 and 124 s without it against 115 and 130 s with it;
test_editor_journey.py and test_structure_journey.py, eight tests that never do, 170 s against 211 s).
"""

import importlib
import pkgutil
import sys

import altair  # noqa: F401 - the charts of the home page and the dashboards
import pyarrow  # noqa: F401 - every table Streamlit sends

import models

NOT_BEFOREHAND = {"models.risk.learn"}  # scikit-learn: see above

for module in pkgutil.walk_packages(models.__path__, "models."):
    if module.name not in NOT_BEFOREHAND:
        importlib.import_module(module.name)

from streamlit.web.cli import main  # noqa: E402 - after the imports it is here to hide

sys.exit(main())
