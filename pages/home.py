"""Home: greets the user with their school or network."""

import streamlit as st

from models.accounts import schools
from models.core.permissions import can_manage_network, chooses_network, sees_network_schools
from models.risk import rules
from ui import formatting
from ui import strings as S
from ui.level_jobs import recompute_progress
from ui.session import guard_page, run_action
from ui.text import plain_format

ctx = guard_page(__file__)
actor = ctx.actor

st.title(plain_format(S.WELCOME, name=actor.full_name or actor.username))
st.markdown(S.HOME_ROLE.format(role=actor.role_label))

visible = schools.list_schools(ctx.db, actor)
if chooses_network(actor):
    networks = schools.list_networks(ctx.db, actor)
    st.markdown(S.HOME_ALL_NETWORKS.format(networks=len(networks), schools=len(visible)))
elif sees_network_schools(actor):
    network = schools.get_network(ctx.db, actor, actor.network_code)
    st.markdown(plain_format(S.HOME_NETWORK, network=network.name))
else:
    school = schools.get_school(ctx.db, actor, actor.school_code)
    st.markdown(
        plain_format(S.HOME_SCHOOL, school=school.name, code=school.code, level=school.level_label)
    )
    st.markdown(plain_format(S.HOME_NETWORK, network=school.network_name))

if sees_network_schools(actor):
    st.subheader(S.HOME_SCHOOLS_OF_NETWORK)
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

if actor.network_code and can_manage_network(actor, actor.network_code):
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

st.info(S.HOME_PRIVACY, icon=":material/shield_person:")
