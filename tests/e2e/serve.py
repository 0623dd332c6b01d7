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
test_editor_journey.py and test_structure_journey.py, eight tests that never do, 170 s against 211 s). That is for a
server started as a process of its own; the fork server below imports everything once, for all its servers.
"""

import importlib
import pkgutil
import sys

import altair  # noqa: F401 - the charts of the home page and the dashboards
import pyarrow  # noqa: F401 - every table Streamlit sends

import models

NOT_BEFOREHAND = {"models.risk.learn"}  # scikit-learn: see above

for module in pkgutil.walk_packages(models.__path__, "models."):
    # The fork server (below) imports once for all the servers it forks: scikit-learn too.
    if module.name not in NOT_BEFOREHAND or sys.argv[1:] == ["--fork-server"]:
        importlib.import_module(module.name)

from streamlit.web.cli import main  # noqa: E402 - after the imports it is here to hide


def _fork_servers() -> None:
    """`--fork-server`: import once, then start each test's server as a fork of this process.

    A started server spent 2.5 s of CPU on these imports, each time: on a machine whose cores the tests keep busy,
    that was never off anyone's clock. Here they are done once per test process; each request (a line of JSON on
    stdin: args, env, log, cwd) forks a child that runs `streamlit ARGS` as a fresh `python -m tests.e2e.serve`
    would (no page run and no session before it: its first visitor still meets a fresh server). The child's pid is
    the answer (a line on stdout). Children are reaped by the kernel (a pid gone is a server that ended) and get
    SIGTERM if this process ends; it ends when its stdin closes (the test process has finished)."""
    import ctypes
    import json
    import os
    import signal
    import traceback

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid:
            print(pid, flush=True)
            continue
        code = 1
        try:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the server's own subprocesses (LibreOffice) are waited for
            ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG: ends with the fork server
            log = os.open(request["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
            os.dup2(log, 1)
            os.dup2(log, 2)
            os.chdir(request["cwd"])
            os.environ.clear()
            os.environ.update(request["env"])
            sys.argv = ["streamlit", *request["args"]]
            main()
            code = 0
        except SystemExit as ended:
            code = ended.code if isinstance(ended.code, int) else (0 if ended.code is None else 1)
        except BaseException:  # noqa: BLE001 - told in the server's log, as a process of its own would
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)


if sys.argv[1:] == ["--fork-server"]:
    _fork_servers()
else:
    sys.exit(main())
