"""Proposte alla rete: schools' proposals to the core, by status; one opened with its diff, supports, discussion,
and the coordinator's decision (through the three-way merge when the core moved since)."""

import streamlit as st

from models.accounts.schools import list_networks
from models.core import clock
from models.core.errors import ApprodoError
from models.core.permissions import Action, allowed
from models.protocols import proposals, richtext
from models.protocols import protocol as protocols
from ui import formatting
from ui import strings as S
from ui.merge_widgets import conflict_choices
from ui.protocol_widgets import show_diff, show_rich_text
from ui.session import flash, form_key, guard_page, run_action, show_flash
from ui.text import plain_format, show_error

PROPOSAL_KEY, SECTION_KEY = "proposta", "sezione"

ctx = guard_page(__file__)
db, actor = ctx.db, ctx.actor

st.title(S.PAGE_PROPOSALS)
st.caption(S.PROPOSALS_INTRO)
show_flash()

if allowed(actor, Action.CHOOSE_NETWORK):
    networks = list_networks(db, actor)
    if not networks:
        st.info(S.REGIONAL_NO_NETWORKS)
        st.stop()
    network_code = st.selectbox(S.NETWORK_CHOICE, [n.code for n in networks],
                                format_func={n.code: f"{n.name} ({n.code})" for n in networks}.get,
                                placeholder=S.CHOOSE_PLACEHOLDER)
else:
    network_code = actor.network_code


def when(text: str | None) -> str:
    return clock.local_datetime(text) if text else ""


# --- the list, by status and section ---------------------------------------------------------------------------
everything = proposals.list_proposals(db, actor, network_code)
sections = {p.core_section_id: p.section_title for p in everything}
left, right = st.columns(2)
status = left.segmented_control(S.PROPOSALS_STATUS, list(S.PROPOSALS_STATUS_OPTIONS), default="aperta",
                                format_func=S.PROPOSALS_STATUS_OPTIONS.get, key="proposals_status")
wanted_section = st.query_params.get(SECTION_KEY)
section_ids = [None, *sections]
section_index = next((n for n, i in enumerate(section_ids) if str(i) == wanted_section), 0)
section_id = right.selectbox(S.PROPOSALS_SECTION, section_ids, index=section_index,
                             format_func=lambda i: S.PROPOSALS_ALL_SECTIONS if i is None else sections[i],
                             placeholder=S.CHOOSE_PLACEHOLDER)
shown = [p for p in everything if (status is None or p.status.value == status)
         and (section_id is None or p.core_section_id == section_id)]
names = proposals.names(db, actor, everything)


def decision(p: proposals.Proposal) -> str:
    if p.status is proposals.ProposalStatus.ACCOLTA:
        return f"versione comune {p.core_version}"
    return p.decision_reason or ""


formatting.dataframe(
    [{S.PROPOSAL_COLUMNS["id"]: p.id, S.PROPOSAL_COLUMNS["section"]: p.section_title,
      S.PROPOSAL_COLUMNS["school"]: p.school_name, S.PROPOSAL_COLUMNS["author"]: names[p.author],
      S.PROPOSAL_COLUMNS["when"]: when(p.created_at), S.PROPOSAL_COLUMNS["status"]: p.status_label,
      S.PROPOSAL_COLUMNS["supports"]: len(p.supports), S.PROPOSAL_COLUMNS["decision"]: decision(p)} for p in shown],
    empty=S.PROPOSALS_NONE, hide_index=True)

# --- one proposal: the URL may name it (?proposta=N); models decide whether this user may read it ----------------
wanted = st.query_params.get(PROPOSAL_KEY)
opened = None
if wanted is not None:
    try:
        opened = proposals.get_proposal(db, actor, int(wanted))
    except ValueError:
        st.error(S.PROPOSAL_PARAM_INVALID)
    except ApprodoError as error:
        show_error(error)
    if opened is None or opened.network_code != network_code:
        st.query_params.pop(PROPOSAL_KEY, None)
        opened = None
choices = shown if opened is None or opened in shown else [opened, *shown]
if not choices:
    st.stop()
by_id = {p.id: p for p in choices}
ids = list(by_id)
# Options are plain text (not Markdown): the names as they are.
chosen_id = st.selectbox(S.PROPOSALS_OPEN_ONE, ids, index=ids.index(opened.id) if opened else 0,
                         format_func=lambda i: S.PROPOSAL_LABEL.format(
                             id=i, section=by_id[i].section_title, school=by_id[i].school_name,
                             status=by_id[i].status_label), placeholder=S.CHOOSE_PLACEHOLDER)
if st.query_params.get(PROPOSAL_KEY) != str(chosen_id):
    st.query_params[PROPOSAL_KEY] = str(chosen_id)
proposal = proposals.get_proposal(db, actor, chosen_id)  # fresh: supports and comments as they are now
names = proposals.names(db, actor, [*everything, proposal])


def run(action, message: str, clears: str | None = None) -> None:
    run_action(action, message, rerun=True, clears=clears)


st.subheader(plain_format(S.PROPOSAL_HEADING, id=proposal.id, section=proposal.section_title))
st.markdown(plain_format(S.PROPOSAL_BY, author=names[proposal.author], school=proposal.school_name,
                         when=when(proposal.created_at), status=proposal.status_label))
st.markdown(f"**{S.PROPOSAL_REASON}**")
st.text(proposal.reason)
if proposal.decided_at:
    who = names[proposal.decided_by]
    lines = [plain_format(S.PROPOSAL_DECIDED, status=proposal.status_label, who=who, when=when(proposal.decided_at))]
    if proposal.core_version:
        lines.append(S.PROPOSAL_DECIDED_VERSION.format(version=proposal.core_version))
    (st.success if proposal.status is proposals.ProposalStatus.ACCOLTA else st.info)(" ".join(lines))
    if proposal.decision_reason:
        st.text(S.PROPOSAL_DECISION_REASON.format(reason=proposal.decision_reason))
st.markdown(f"**{S.PROPOSAL_DIFF.format(version=proposal.base_version)}**")
show_diff(proposal.base_body, proposal.body, S.PROPOSAL_NETWORK_TEXT, S.PROPOSAL_PROPOSED_TEXT)

# --- supports ------------------------------------------------------------------------------------------------------
st.markdown(f"**{S.PROPOSAL_SUPPORTS}**")
if proposal.supports:
    st.markdown("\n".join("- " + plain_format(S.PROPOSAL_SUPPORT_LINE, school=s.school_name,
                                               who=names[s.supporter], when=when(s.at))
                          for s in proposal.supports))
else:
    st.caption(S.PROPOSAL_NO_SUPPORTS)
if proposals.may_support(actor, proposal) and st.button(S.PROPOSAL_SUPPORT, icon=":material/thumb_up:",
                                                        key=f"support_{proposal.id}"):
    run(lambda: proposals.support(db, actor, proposal.id), S.PROPOSAL_SUPPORTED)
if proposals.may_withdraw_support(actor, proposal) and st.button(S.PROPOSAL_UNSUPPORT, icon=":material/undo:",
                                                                 key=f"unsupport_{proposal.id}"):
    run(lambda: proposals.withdraw_support(db, actor, proposal.id), S.PROPOSAL_UNSUPPORTED)

# --- discussion --------------------------------------------------------------------------------------------------
with st.expander(f"{S.PROPOSAL_COMMENTS} ({len(proposal.comments)})", icon=":material/forum:",
                 expanded=bool(proposal.comments)):
    if not proposal.comments:
        st.caption(S.PROPOSAL_NO_COMMENTS)
    for comment in proposal.comments:
        box = st.container(border=True)
        box.markdown(plain_format("**{who}** · {when}", who=names[comment.author],
                                  when=when(comment.created_at)))
        box.text(comment.body)
    if proposals.may_comment(actor, proposal):
        with st.form(form_key(f"proposal_comment_{proposal.id}")):
            body = st.text_area(S.PROPOSAL_COMMENT, max_chars=proposals.MAX_COMMENT)
            if st.form_submit_button(S.SEND):
                run(lambda: proposals.comment(db, actor, proposal.id, body), S.PROPOSAL_COMMENTED,
                    clears=f"proposal_comment_{proposal.id}")

if proposals.may_withdraw(actor, proposal) and st.button(S.PROPOSAL_WITHDRAW, icon=":material/undo:",
                                                         key=f"withdraw_{proposal.id}"):
    run(lambda: proposals.withdraw(db, actor, proposal.id), S.PROPOSAL_WITHDRAWN)

# --- the coordinator's decision --------------------------------------------------------------------------------------
if not proposals.may_decide(actor, proposal):
    st.stop()
st.header(S.PROPOSAL_DECIDE, divider="gray")
plan = proposals.acceptance(db, actor, proposal.id)
merged = None
if plan.removed:
    st.warning(plain_format(S.PROPOSAL_REMOVED, section=proposal.section_title), icon=":material/delete:")
elif not plan.core_protocol.editable_status:
    st.warning(S.PROPOSAL_CORE_NOT_EDITABLE.format(status=plan.core_protocol.status_label.lower()),
               icon=":material/lock:")
else:
    if plan.locked:
        st.info(S.PROPOSAL_LOCKED, icon=":material/lock:")
    stamp = f"proposal_{proposal.id}_{plan.core.version}"
    merge_choices, edits = {}, {}
    if plan.moved and plan.result.clean:
        st.info(S.PROPOSAL_MOVED_CLEAN.format(version=plan.core.version), icon=":material/done_all:")
    elif plan.moved:
        st.caption(S.PROPOSAL_MOVED_CONFLICT.format(version=plan.core.version))
        merge_choices, edits = conflict_choices(plan.result, stamp, theirs=S.PROPOSAL_CONFLICT_CORE,
                                                mine=S.PROPOSAL_PROPOSED_TEXT)
    try:
        merged = plan.text(merge_choices, edits)
    except ApprodoError:
        st.caption(S.MERGE_CHOOSE_ALL)
    if merged is not None and merged == plan.core.body:
        # The same change reached the common text another way (a twin proposal, a direct edit): nothing to accept.
        st.info(S.PROPOSAL_ALREADY_IN, icon=":material/done_all:")
        merged = None
    elif merged is not None:
        st.markdown(f"**{S.PROPOSAL_RESULT}**")
        show_diff(plan.core.body, merged, S.PROPOSAL_CONFLICT_CORE, S.PROPOSAL_RESULT)
        with st.expander(S.MERGE_PREVIEW, icon=":material/preview:"):
            try:
                show_rich_text(richtext.to_html(protocols.rendered_blocks(db, actor, plan.core_protocol, merged)))
            except ApprodoError as error:
                show_error(error, kind="warning")
    if st.button(S.PROPOSAL_ACCEPT, type="primary", icon=":material/check:", disabled=merged is None,
                 key=f"accept_{stamp}"):
        try:
            accepted = proposals.accept(db, actor, proposal.id, text=merged, core_version=plan.core.version)
        except ApprodoError as error:
            show_error(error)
        else:
            flash(S.PROPOSAL_ACCEPTED.format(version=accepted.core_version))
            st.rerun()
with st.form(f"decline_{proposal.id}"):
    reason = st.text_area(S.PROPOSAL_DECLINE_REASON, max_chars=proposals.MAX_REASON)
    if st.form_submit_button(S.PROPOSAL_DECLINE, icon=":material/close:"):
        run(lambda: proposals.decline(db, actor, proposal.id, reason), S.PROPOSAL_DECLINED)
