"""Links from the section editor to the structure and network-update pages, for those who may open them."""

from __future__ import annotations

import streamlit as st

from models.core.permissions import Action, allowed
from models.protocols import protocol as protocols
from models.protocols import structure as protocol_structure
from ui import strings as S
from ui.protocol_widgets import QUERY_KEY
from ui.session import PageContext


def structure_links(ctx: PageContext, protocol: protocols.Protocol) -> None:
    """The network's undecided updates (with the way to decide them) and the structure page."""
    params = {QUERY_KEY: str(protocol.id)}
    count = len(protocol_structure.pending_updates(ctx.db, ctx.actor, protocol.id))
    if count:
        st.info(S.UPDATES_WAITING_ONE if count == 1 else S.UPDATES_WAITING.format(count=count), icon=":material/sync:")
        if allowed(ctx.actor, Action.DECIDE_NETWORK_UPDATES):
            st.page_link("pages/protocol_updates.py", label=S.OPEN_UPDATES, icon=":material/sync:",
                         query_params=params)
    linking = protocol_structure.link_proposals(ctx.db, ctx.actor, protocol.id)
    if not linking.follows_core and linking.offered and allowed(ctx.actor, Action.DECIDE_NETWORK_UPDATES):
        st.info(S.LINK_WAITING, icon=":material/link:")
        st.page_link("pages/protocol_updates.py", label=S.LINK_OPEN, icon=":material/link:", query_params=params)
    if allowed(ctx.actor, Action.SHAPE_PROTOCOLS) and protocols.may_edit(ctx.actor, protocol):
        st.page_link("pages/protocol_structure.py", label=S.OPEN_STRUCTURE, icon=":material/reorder:",
                     query_params=params)
