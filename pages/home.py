"""Home: greets the user with their school or network."""

import streamlit as st

from models.accounts import schools
from models.core.permissions import Action, NetworkRef, SchoolRef, allowed
from models.notify import mail
from models.obligation import cases as obligation
from models.risk import rules
from ui import formatting
from ui import strings as S
from ui.level_jobs import recompute_progress
from ui.session import guard_page, run_action
from ui.text import plain_format
from ui.visits import visit_id

ctx = guard_page(__file__)
actor = ctx.actor

st.title(plain_format(S.WELCOME, name=actor.full_name or actor.username))
st.markdown(S.HOME_ROLE.format(role=actor.role_label))

visible = schools.list_schools(ctx.db, actor)
if allowed(actor, Action.CHOOSE_NETWORK):
    networks = schools.list_networks(ctx.db, actor)
    # The regional partner follows the programme; only the admin administers.
    template = S.HOME_ALL_NETWORKS if allowed(actor, Action.MANAGE_ACCOUNTS) else S.HOME_REGION_NETWORKS
    st.markdown(template.format(networks=S.plural(len(networks), "rete", "reti"),
                                schools=S.plural(len(visible), "scuola", "scuole")))
elif allowed(actor, Action.LIST_NETWORK_SCHOOLS):
    network = schools.get_network(ctx.db, actor, actor.network_code)
    st.markdown(plain_format(S.HOME_NETWORK, network=network.name))
else:
    school = schools.get_school(ctx.db, actor, actor.school_code)
    st.markdown(
        plain_format(S.HOME_SCHOOL, school=school.name, code=school.code, level=school.level_label)
    )
    st.markdown(plain_format(S.HOME_NETWORK, network=school.network_name))

if actor.school_code and allowed(actor, Action.FOLLOW_OBLIGATION, SchoolRef(actor.school_code)):
    # The compulsory-education steps due and late (art. 114 c. 4 D.Lgs. 297/1994).
    with st.container(border=True):
        st.subheader(S.OBL_HOME_TITLE)
        due = obligation.due(obligation.cases(ctx.db, actor, actor.school_code, view=visit_id()))
        if not due:
            st.caption(S.OBL_HOME_NONE)
        for case in due:
            line = plain_format(S.OBL_TODO_LINE, pupil=case.pupil_code, class_name=case.class_name,
                                step=case.next_step, due=f"{case.due_on:%d/%m/%Y}")
            if case.late:
                st.error(line + S.OBL_TODO_LATE, icon=":material/schedule:")
            else:
                st.warning(line, icon=":material/notifications:")
        st.page_link("pages/obligation.py", label=S.OBL_HOME_LINK, icon=":material/gavel:")

if allowed(actor, Action.LIST_NETWORK_SCHOOLS):
    several = allowed(actor, Action.CHOOSE_NETWORK) and len(networks) != 1
    st.subheader(S.HOME_SCHOOLS_OF_NETWORKS if several else S.HOME_SCHOOLS_OF_NETWORK)
    formatting.dataframe(
        [
            {
                S.COLUMNS["code"]: school.code,
                S.COLUMNS["name"]: school.name,
                S.COLUMNS["level"]: school.level_label,
                S.COLUMNS["comune"]: school.comune,
                S.COLUMNS["network"]: school.network_name,
            }
            for school in visible
        ],
        hide_index=True,
    )

if actor.network_code and allowed(actor, Action.MANAGE_NETWORK, NetworkRef(actor.network_code)):
    current = rules.network_rules(ctx.db, actor.network_code)
    with st.expander(S.RISK_RULES_TITLE, icon=":material/tune:"):
        st.caption(S.RISK_RULES_HELP)
        with st.form("risk_rules"):
            values = {}
            for name, label in S.RULE_LABELS.items():
                low, high = rules.BOUNDS[name]
                value = getattr(current, name)
                if isinstance(low, int):
                    values[name] = st.number_input(label, min_value=low, max_value=high, value=int(value), step=1)
                elif name == "late_per_month":
                    values[name] = st.number_input(label, min_value=low, max_value=high, value=float(value), step=0.5)
                else:  # shares, shown as percentages
                    values[name] = st.number_input(label, min_value=low * 100, max_value=high * 100,
                                                   value=value * 100, step=1.0) / 100
            if st.form_submit_button(S.SAVE):
                run_action(lambda: rules.set_network_rules(ctx.db, actor, actor.network_code, **values),
                           S.RULES_SAVED)
    recompute_progress(actor.network_code)

with st.expander(S.NOTIFY_TITLE, icon=":material/mail:"):
    if mail.own_address(ctx.db, actor) is None:
        st.caption(S.NOTIFY_NO_EMAIL)
    else:
        # A stable key and the saved choice put in once: a default that changed with each save would make
        # Streamlit build a new widget and drop the next click.
        saved = mail.frequency(ctx.db, actor)
        st.session_state.setdefault("notify_frequency", saved)
        chosen = st.radio(S.NOTIFY_CHOICE, list(mail.FREQUENCIES), format_func=mail.FREQUENCIES.get,
                          key="notify_frequency", horizontal=True)
        st.caption(S.NOTIFY_HELP)
        if chosen != saved:
            run_action(lambda: mail.set_frequency(ctx.db, actor, chosen), S.NOTIFY_SAVED)

st.info(S.HOME_PRIVACY, icon=":material/shield_person:")
