"""The bell in the sidebar: the same items as the e-mail digest (models/notify/agenda), for whoever is logged in.

Working out the items reads the obligation cases and the follow-ups: kept per session for a few minutes, so
that moving between pages does not read them again each time.
"""

from __future__ import annotations

import time

import streamlit as st

from models.core import clock
from models.core.errors import ApprodoError
from models.core.permissions import Actor
from models.notify import agenda
from ui import strings as S
from ui.session import open_db

KEEP_S = 300
_KEY = "approdo_bell"


def bell(actor: Actor) -> None:
    kept = st.session_state.get(_KEY)
    if kept is None or kept[0] != actor.username or time.monotonic() - kept[1] > KEEP_S:
        try:
            items = agenda.agenda(open_db(), actor, clock.local_date())
        except ApprodoError:  # the bell never stands in the way of the page the person opened
            items = []
        kept = (actor.username, time.monotonic(), items)
        st.session_state[_KEY] = kept
    items = kept[2]
    with st.popover(S.BELL.format(n=sum(item.count for item in items)), icon=":material/notifications:"):
        if not items:
            st.caption(S.BELL_NONE)
        for item in items:
            st.page_link(item.page, label=f"{item.text[:1].upper()}{item.text[1:]}",
                         icon=":material/schedule:" if item.due_tomorrow else ":material/arrow_forward:")


