"""The choice per passage of a three-way merge: the two texts side by side, then which to keep.

Used where a school takes the network's update (pages/protocol_updates.py) and where the coordinator accepts a
school's proposal after the core moved (pages/proposals.py).
"""

from __future__ import annotations

import streamlit as st

from models.protocols.merge import CHOICE_LABELS, Choice, MergeResult, resolve
from ui import strings as S
from ui.protocol_widgets import show_diff, show_text


def conflict_choices(result: MergeResult, stamp: str, *, disabled: bool = False, theirs: str = S.CONFLICT_NETWORK,
                     mine: str = S.CONFLICT_SCHOOL) -> tuple[dict[int, Choice], dict[int, str]]:
    """One choice per passage both sides changed; `stamp` keys the widgets (a newer text starts afresh)."""
    count = len(result.conflicts)
    st.warning(S.MERGE_CONFLICTS_ONE if count == 1 else S.MERGE_CONFLICTS.format(count=count),
               icon=":material/call_merge:")
    choices: dict[int, Choice] = {}
    edits: dict[int, str] = {}
    for n, index in enumerate(result.conflicts, start=1):
        chunk = result.chunks[index]
        with st.container(border=True):
            st.markdown(f"**{S.CONFLICT_N.format(n=n)}**")
            # The two passages as they read, side by side, what differs marked; their source one click away.
            show_diff(chunk.text("theirs"), chunk.text("mine"), theirs, mine)
            if chunk.base:
                with st.expander(S.CONFLICT_WAS):
                    show_text(chunk.text("base"))
            choice = st.radio(S.CONFLICT_CHOICE, list(Choice), index=None, horizontal=True,
                              format_func=CHOICE_LABELS.get, key=f"choice_{stamp}_{index}", disabled=disabled)
            if choice is None:
                continue
            choices[index] = choice
            if choice is Choice.EDIT:
                both = resolve(MergeResult((chunk,)), {0: Choice.BOTH})
                edits[index] = st.text_area(S.CONFLICT_EDIT, value=both, key=f"edit_{stamp}_{index}", height=160)
    return choices, edits
