"""Cruscotto di rete: protocols, pupils by risk level, follow-up and programme indicators. Aggregates only."""

import altair as alt
import streamlit as st

from models.accounts.schools import LEVEL_LABELS, list_networks
from models.core import suppression
from models.core.errors import ApprodoError
from models.core.permissions import chooses_network
from models.network import figures as network_figures
from models.network import programme
from models.network import report as network_report
from models.risk import indicators
from ui import formatting
from ui import strings as S
from ui.session import guard_page, open_db
from ui.text import plain, plain_table

ctx = guard_page(__file__)
db, actor = ctx.db, ctx.actor

st.title(S.NETWORK_TITLE)
st.caption(S.NETWORK_INTRO)

if chooses_network(actor):
    st.subheader(S.NETWORKS_OVERVIEW)
    formatting.dataframe(network_figures.networks_overview(db, actor), hide_index=True)
    networks = list_networks(db, actor)
    if not networks:
        st.stop()
    network_code = st.selectbox(S.NETWORK_CHOICE, [n.code for n in networks],
                                format_func={n.code: f"{n.name} ({n.code})" for n in networks}.get,
                                placeholder=S.CHOOSE_PLACEHOLDER)
else:
    network_code = actor.network_code

try:
    everything = network_figures.scope(db, actor, network_code)
except ApprodoError as error:
    st.error(plain(error.message))
    st.stop()

years = network_figures.school_years(db, everything)
left, middle, right = st.columns(3)
year = left.selectbox(S.NETWORK_YEAR, years, format_func=str, placeholder=S.CHOOSE_PLACEHOLDER) if years else None
levels = sorted({s.level for s in everything.schools}, key=list(LEVEL_LABELS).index)
level = middle.selectbox(S.NETWORK_LEVEL, levels, index=None, format_func=LEVEL_LABELS.get,
                         placeholder=S.ALL_LEVELS_SCHOOL)
choosable = [s for s in everything.schools if s.code in everything.shown and (level is None or s.level == level)]
school_code = right.selectbox(S.NETWORK_SCHOOL, [s.code for s in choosable], index=None,
                              format_func=everything.names.get, placeholder=S.ALL_SCHOOLS)
where = network_figures.scope(db, actor, network_code, level=level, school_code=school_code)
if where.view == "network":
    st.caption(S.NETWORK_DIRIGENTE_VIEW)
elif where.view == "school":
    st.caption(S.NETWORK_SCHOOL_VIEW)
st.caption(suppression.SUPPRESSION_NOTE)


def report(fmt: str) -> bytes:
    # Deferred: built only when the button is pressed.
    built = network_report.build(open_db(), actor, network_code, year, level=level, school_code=school_code)
    return network_report.to_xlsx(built) if fmt == "xlsx" else network_report.to_docx(built)


if year is not None:
    name = f"rapporto_{network_code}_{str(year).replace('/', '-')}"
    xlsx_col, docx_col = st.columns(2)
    xlsx_col.download_button(S.REPORT_XLSX, data=lambda: report("xlsx"), file_name=f"{name}.xlsx",
                             mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                             icon=":material/table:")
    docx_col.download_button(S.REPORT_DOCX, data=lambda: report("docx"), file_name=f"{name}.docx",
                             mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                             icon=":material/description:")

st.header(S.SECTION_PROTOCOLS, divider="gray")
table, summary = network_figures.protocols(db, where)
first, second, third = st.columns(3)
first.metric(S.METRIC_SCHOOLS, summary["schools"])
second.metric(S.METRIC_APPROVED, f"{summary['approved']} su {summary['schools']}")
third.metric(S.METRIC_CURRENT_CORE, f"{summary['current_core']} su {summary['schools']}")
if table.empty:
    st.caption(S.NONE_YET)
else:
    st.table(plain_table(table.map(suppression.text)))

if year is None:
    st.info(S.NETWORK_NO_DATA)
    st.stop()

st.header(S.SECTION_RISK, divider="gray")
trend = network_figures.trend(db, where, year)
if not trend.empty:
    trend = trend.assign(mese=trend["period"].map(indicators.month_label))
    chart = alt.Chart(trend).mark_line(point=True).encode(
        x=alt.X("mese:O", title=None, sort=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("rate:Q", title=S.TREND_AXIS, scale=alt.Scale(domainMin=0)),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="bottom", direction="vertical",
                                                                  labelLimit=400)),
        tooltip=[alt.Tooltip("series", title="Serie"), alt.Tooltip("mese", title="Mese"),
                 alt.Tooltip("rate", title="%", format=".1f")])
    st.altair_chart(formatting.italian_chart(chart.properties(title=S.TREND_TITLE, height=240)), width="stretch",
                    height=420)
st.markdown(f"**{S.MONTHS_TABLE}**")
formatting.table(plain_table(network_figures.network_months(db, where, year).map(suppression.text)))
month, schools = network_figures.schools_in_month(db, where, year)
st.markdown(f"**{S.SCHOOLS_TABLE.format(month=indicators.month_label(month))}**")
formatting.table(plain_table(schools.map(suppression.text)))

st.header(S.SECTION_FOLLOW_UP, divider="gray")
st.caption(S.FOLLOW_UP_HELP.format(days=network_figures.FOLLOW_UP_DAYS))
follow = network_figures.follow_up(db, where, year)
if not follow.empty:
    st.table(plain_table(follow.map(lambda v: suppression.text(v, " %") if isinstance(v, float)
                                    else suppression.text(v))))

st.header(S.OBL_NETWORK_TITLE, divider="gray")
st.caption(S.OBL_NETWORK_HELP)
duty = network_figures.obligation(db, where, year)
for column in duty.columns:
    duty[column] = duty[column].map(lambda v, c=column: suppression.text(v, " %" if c.endswith("%") else ""))
formatting.table(plain_table(duty.set_index(duty.columns[0])), empty=S.OBL_NETWORK_NONE)

st.header(S.SECTION_PROGRAMME, divider="gray")
evaluation = programme.evaluate(db, where)
st.table(plain_table(evaluation.frame()))
with st.expander(S.DEFINITIONS, icon=":material/menu_book:"):
    for indicator in programme.INDICATORS:
        st.markdown(f"**{indicator.label}**: {indicator.definition}")
