"""One id per opening of a page, the same across the reruns that every click causes.

The access log writes one line per thing a user looked at, not one per rerun: pages pass this id to the
reads they log (models.audit.record_access dedupes on it). Going to another page and back, or reloading,
is a new opening.
"""

from __future__ import annotations

import uuid

import streamlit as st

_PAGE_KEY = "approdo_visit_page"
_VISIT_KEY = "approdo_visit"


def note_page(page_file: str) -> None:
    """Called by the guard on every run of every page: a new id when the page differs from the last run's."""
    if st.session_state.get(_PAGE_KEY) != page_file or _VISIT_KEY not in st.session_state:
        st.session_state[_PAGE_KEY] = page_file
        st.session_state[_VISIT_KEY] = uuid.uuid4().hex


def visit_id() -> str:
    """This opening of the current page."""
    return st.session_state.get(_VISIT_KEY) or "senza-visita"
