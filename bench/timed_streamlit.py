"""`streamlit` with the server's time of every script run written to $APPRODO_RUN_TIMES (for bench_risk_load).

One line per run: start (time.time()), seconds, CPU seconds of the script's thread, page name.
Nothing else changes: the same app, the same server, the same .streamlit/config.toml.
"""

import os
import sys
import time

from streamlit.runtime.scriptrunner import script_runner
from streamlit.web import cli

_real = script_runner.ScriptRunner._run_script


def _timed(self, rerun_data):
    began, start, cpu = time.time(), time.perf_counter(), time.thread_time()
    try:
        return _real(self, rerun_data)
    finally:
        with open(os.environ["APPRODO_RUN_TIMES"], "a", encoding="utf-8") as out:
            out.write(f"{began:.6f} {time.perf_counter() - start:.6f} {time.thread_time() - cpu:.6f}"
                      f" {rerun_data.page_name or '-'}\n")


if __name__ == "__main__":
    # Patched only when run as the server: importing this module (the bench's discovery does) changes nothing.
    script_runner.ScriptRunner._run_script = _timed
    sys.exit(cli.main())
