"""The progress of a network's levels recomputed with new thresholds: the job runs on a server thread,
the page only polls its row (so it goes on when the user leaves the page)."""

import streamlit as st

from models.risk import history
from ui import strings as S
from ui.session import open_db

POLL_SECONDS = 1.0


def recompute_progress(network_code: str) -> None:
    """A progress bar while the network's levels are recomputed (starting a waiting or orphaned job); else nothing."""
    job = history.resume(open_db(), network_code)
    if job is None or job.status in ("completato", "sostituito"):
        return
    if job.status == "errore":
        st.warning(S.LEVELS_RECOMPUTE_FAILED, icon=":material/warning:")
        return
    _poll(network_code)


@st.fragment(run_every=POLL_SECONDS)
def _poll(network_code: str) -> None:
    job = history.resume(open_db(), network_code)  # a fresh connection: each run may be on another thread
    if job is not None and job.active:
        st.progress(job.share, text=S.LEVELS_RECOMPUTING.format(done=job.done, total=job.total))
    else:  # done: the whole page again, with the new levels (and no more polling)
        st.rerun(scope="app")
