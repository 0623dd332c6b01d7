"""From the section editor: propose a change of a core section to the network, and the proposals already open."""

from __future__ import annotations

import streamlit as st

from models.core.errors import ApprodoError
from models.core.permissions import Action, NetworkRef, SchoolRef, allowed
from models.protocols import proposals
from models.protocols import protocol as protocols
from ui import strings as S
from ui.session import PageContext, flash, form_key, form_sent
from ui.text import show_error


def propose_to_network(ctx: PageContext, protocol: protocols.Protocol, section: protocols.Section) -> None:
    """For a school's section that comes from the core: the open proposals on it, and (for the school's
    dirigente) a form to propose a new text for the core section, starting from the network's or the school's."""
    if protocol.is_core or section.core_section_id is None:
        return
    if not allowed(ctx.actor, Action.READ_PROPOSALS, NetworkRef(protocol.network_code)):
        return
    open_here = proposals.list_proposals(ctx.db, ctx.actor, protocol.network_code, status="aperta",
                                         core_section_id=section.core_section_id)
    if open_here:
        count = len(open_here)
        st.caption(S.PROPOSE_OPEN_HERE_ONE if count == 1 else S.PROPOSE_OPEN_HERE.format(count=count))
        st.page_link("pages/proposals.py", label=S.PROPOSALS_LINK, icon=":material/how_to_vote:",
                     query_params={"sezione": str(section.core_section_id)})
    if not allowed(ctx.actor, Action.PROPOSE, SchoolRef(protocol.school_code, protocol.network_code)):
        return
    with st.expander(S.PROPOSE_TITLE, icon=":material/how_to_vote:"):
        st.caption(S.PROPOSE_HELP)
        core = protocols.get_section(ctx.db, ctx.actor, section.core_section_id)
        start = st.radio(S.PROPOSE_START, list(S.PROPOSE_START_OPTIONS), horizontal=True,
                         format_func=S.PROPOSE_START_OPTIONS.get, key=f"propose_start_{section.id}")
        # Keyed by the starting text and the core version: a new start (or a newer core) refills the text.
        name = f"propose_{section.id}_{start}_{core.version}"
        with st.form(form_key(name)):
            text = st.text_area(S.PROPOSE_TEXT, value=core.body if start == "core" else section.body, height=260)
            reason = st.text_area(S.PROPOSE_REASON, max_chars=proposals.MAX_REASON)
            if st.form_submit_button(S.PROPOSE_SEND, type="primary"):
                try:
                    made = proposals.propose(ctx.db, ctx.actor, core.id, text, reason, base_version=core.version)
                except ApprodoError as error:
                    show_error(error)
                    return
                form_sent(name)
                flash(S.PROPOSE_SENT.format(id=made.id))
                st.rerun()
