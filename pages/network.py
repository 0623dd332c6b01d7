"""Cruscotto di rete: protocols, pupils by risk level, follow-up and programme indicators. Aggregates only."""

import altair as alt
import streamlit as st

from models.accounts.schools import LEVEL_LABELS, list_networks
from models.core import suppression
from models.core.permissions import Action, allowed
from models.network import figures as network_figures
from models.network import programme
from models.network import report as network_report
from models.risk import indicators
from ui import formatting
from ui import strings as S
from ui.level_jobs import recompute_progress
from ui.session import guard_page
from ui.text import plain_format, plain_table

# Distinct hues for the schools (Tableau 10 without its grey, which is the network's).
TREND_COLOURS = ["#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b", "#eeca3b", "#b279a2", "#ff9da6", "#9d755d"]

ctx = guard_page(__file__)
db, actor = ctx.db, ctx.actor

st.title(S.NETWORK_TITLE)
st.caption(S.NETWORK_INTRO)

if allowed(actor, Action.CHOOSE_NETWORK):
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

everything = network_figures.scope(db, actor, network_code)
recompute_progress(network_code)

years = network_figures.school_years(db, everything)
left, middle, right = st.columns(3)
year = left.selectbox(S.NETWORK_YEAR, years, format_func=str, placeholder=S.CHOOSE_PLACEHOLDER) if years else None
levels = sorted({s.level for s in everything.schools}, key=list(LEVEL_LABELS).index)
level = middle.selectbox(S.NETWORK_LEVEL, levels, index=None, format_func=LEVEL_LABELS.get,
                         placeholder=S.ALL_LEVELS_SCHOOL)
choosable = [s for s in everything.schools if s.code in everything.shown and (level is None or s.level == level)]
school_code = right.selectbox(S.NETWORK_SCHOOL, [s.code for s in choosable], index=None,
                              format_func=everything.names.get, placeholder=S.ALL_SCHOOLS)
# One computation for the page and the downloaded report (the files are rendered from what is shown).
built = network_report.build(db, actor, network_code, year, level=level, school_code=school_code)
where = built.scope
if where.view == "network":
    st.caption(S.NETWORK_DIRIGENTE_VIEW)
elif where.view == "school":
    st.caption(S.NETWORK_SCHOOL_VIEW)
st.caption(suppression.SUPPRESSION_NOTE)

if year is not None:
    name = f"rapporto_{network_code}_{str(year).replace('/', '-')}"
    xlsx_col, docx_col = st.columns(2)
    xlsx_col.download_button(S.REPORT_XLSX, data=lambda: network_report.to_xlsx(built), file_name=f"{name}.xlsx",
                             mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                             icon=":material/table:")
    docx_col.download_button(S.REPORT_DOCX, data=lambda: network_report.to_docx(built), file_name=f"{name}.docx",
                             mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                             icon=":material/description:")

st.header(S.SECTION_PROTOCOLS, divider="gray")
table, summary = built.protocols, built.protocol_summary
first, second, third = st.columns(3)
first.metric(S.METRIC_SCHOOLS, summary["schools"])
second.metric(S.METRIC_APPROVED, f"{summary['approved']} su {summary['schools']}")
third.metric(S.METRIC_CURRENT_CORE, f"{summary['current_core']} su {summary['schools']}")
if table.empty:
    st.caption(S.NONE_YET)
else:
    st.table(plain_table(table.map(suppression.text)), hide_index=True)

if year is None:
    st.info(S.NETWORK_NO_DATA)
    st.stop()

st.header(S.SECTION_RISK, divider="gray")
trend = built.trend
if not trend.empty:
    trend = trend.assign(mese=trend["period"].map(indicators.month_label))
    # A hidden month stays on the axis and breaks the line (one line per series and segment).
    hidden = {name: [indicators.month_label(p) for p in periods] for name, periods in built.trend_hidden.items()}
    months = [indicators.month_label(p) for p in sorted({*built.trend["period"],
                                                         *(p for ps in built.trend_hidden.values() for p in ps)})]
    month = alt.X("mese:O", title=None, sort=months, scale=alt.Scale(domain=months), axis=alt.Axis(labelAngle=0))
    # The network's line in grey and dashed: next to a school in a near shade of blue it could not be told apart.
    schools = [where.names[code] for code in where.shown if where.names[code] in set(trend["series"])]
    network = [name for name in trend["series"].unique() if name not in schools]
    colours = [TREND_COLOURS[i % len(TREND_COLOURS)] for i in range(len(schools))] + ["#7a7a7a"] * len(network)
    chart = alt.Chart(trend).mark_line(point=True).encode(
        x=month,
        y=alt.Y("rate:Q", title=S.TREND_AXIS, scale=alt.Scale(domainMin=0)),
        color=alt.Color("series:N", title=None, scale=alt.Scale(domain=schools + network, range=colours),
                        legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=400)),
        # each school's points with their own shape too (one legend): colour is never the only carrier
        shape=alt.Shape("series:N", title=None, scale=alt.Scale(domain=schools + network),
                        legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=400)),
        strokeDash=alt.condition(alt.FieldOneOfPredicate(field="series", oneOf=network), alt.value([6, 4]),
                                 alt.value([1, 0])),
        detail="segment:N",
        tooltip=[alt.Tooltip("series", title="Serie"), alt.Tooltip("mese", title="Mese"),
                 alt.Tooltip("rate", title="%", format=".1f")])
    chart = formatting.with_hidden_months(chart, hidden, month, "Serie")
    formatting.show_chart(formatting.italian_chart(chart.properties(title=S.TREND_TITLE, height=240)),
                          S.TREND_SUMMARY.format(table=S.MONTHS_TABLE), width="stretch", height=420)
    if note := formatting.hidden_months_note(hidden):
        st.caption(note)
st.markdown(f"**{S.MONTHS_TABLE}**")
formatting.table(plain_table(built.months.map(suppression.text)))
partial = network_figures.partial_notes(db, where, year)
if partial:
    st.caption(plain_format(S.PARTIAL_MONTHS_LEFT_OUT, months="; ".join(partial)))
st.markdown(f"**{S.SCHOOLS_TABLE.format(month=indicators.month_label(built.month))}**")
formatting.table(plain_table(built.schools.map(suppression.text)))

st.header(S.SECTION_FOLLOW_UP, divider="gray")
st.caption(S.FOLLOW_UP_HELP.format(days=network_figures.FOLLOW_UP_DAYS))
follow = built.follow_up
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
st.table(plain_table(built.evaluation.frame()))
with st.expander(S.DEFINITIONS, icon=":material/menu_book:"):
    for indicator in programme.INDICATORS:
        st.markdown(f"**{indicator.label}**: {indicator.definition}")
