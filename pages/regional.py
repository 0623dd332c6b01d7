"""Vista regionale: every network's dashboard figures side by side, network totals only, suppressed."""

import altair as alt
import pandas as pd
import streamlit as st

from models.core import suppression
from models.network import programme, regional
from ui import formatting
from ui import strings as S
from ui.session import guard_page
from ui.text import plain_table

ctx = guard_page(__file__)
db, actor = ctx.db, ctx.actor

st.title(S.PAGE_REGIONAL)
st.caption(S.REGIONAL_INTRO)
st.caption(suppression.SUPPRESSION_NOTE)

where = regional.region(db, actor)
if not where.networks:
    st.info(S.REGIONAL_NO_NETWORKS)
    st.stop()

st.header(S.REGIONAL_PROTOCOLS, divider="gray")
st.table(plain_table(regional.protocols(db, where).set_index("Rete").rename_axis(None)))

years = regional.school_years(db, where)
if not years:
    st.info(S.REGIONAL_NO_DATA)
    st.stop()
year = st.selectbox(S.NETWORK_YEAR, years, format_func=str, placeholder=S.CHOOSE_PLACEHOLDER)


def shown(table: pd.DataFrame, suffix: str = "") -> pd.DataFrame:
    return plain_table(table.map(lambda v: suppression.text(v, suffix)))


st.header(S.REGIONAL_RISK, divider="gray")
trend = regional.risk_trend(db, where, year)
if not trend.points.empty:
    # A hidden month stays on the axis and breaks the line (one line per network and segment): never a trend
    # drawn across figures nobody may see.
    month = alt.X("month:O", title=None, sort=trend.months, scale=alt.Scale(domain=trend.months),
                  axis=alt.Axis(labelAngle=-30))
    chart = alt.Chart(trend.points).mark_line(point=True).encode(
        x=month,
        y=alt.Y("rate:Q", title=S.REGIONAL_TREND_AXIS, scale=alt.Scale(domainMin=0)),
        color=alt.Color("network:N", title=None, scale=alt.Scale(scheme="tableau10"),
                        legend=alt.Legend(orient="bottom", labelLimit=400)),
        shape=alt.Shape("network:N", title=None, legend=alt.Legend(orient="bottom", labelLimit=400)),  # not colour only
        detail="segment:N",
        tooltip=[alt.Tooltip("network", title="Rete"), alt.Tooltip("month", title="Mese"),
                 alt.Tooltip("rate", title="%", format=".1f")])
    chart = formatting.with_hidden_months(chart, trend.hidden, month, "Rete")
    st.altair_chart(formatting.italian_chart(chart.properties(height=280)), width="stretch")
    if note := formatting.hidden_months_note(trend.hidden):
        st.caption(note)
formatting.table(shown(regional.risk_months(db, where, year), " %"))

st.header(S.REGIONAL_LEVELS, divider="gray")
formatting.table(shown(regional.levels_last_month(db, where, year)))

st.header(S.REGIONAL_FOLLOW_UP, divider="gray")
follow = regional.follow_up(db, where, year)
formatting.table(plain_table(follow.map(lambda v: suppression.text(v, " %") if isinstance(v, float)
                                        else suppression.text(v))) if not follow.empty else follow)

st.header(S.REGIONAL_PROGRAMME.format(year=year), divider="gray")
indicators = regional.programme_indicators(db, where, year)
formatting.table(shown(indicators, " %"))
numbers = indicators.rename_axis("indicator").reset_index().melt(id_vars="indicator", var_name="network",
                                                                   value_name="value")
numbers = numbers[numbers["value"].map(lambda v: isinstance(v, int | float) and v == v)]
if not numbers.empty:
    bars = alt.Chart(numbers.astype({"value": float})).mark_bar().encode(
        y=alt.Y("network:N", title=None),
        x=alt.X("value:Q", title="%", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("network:N", title=None, legend=None, scale=alt.Scale(scheme="tableau10")),
        row=alt.Row("indicator:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left", labelLimit=500),
                    sort=[i.label for i in programme.INDICATORS]),
        tooltip=[alt.Tooltip("network", title="Rete"), alt.Tooltip("value", title="%", format=".1f")])
    st.markdown(f"**{S.REGIONAL_PROGRAMME_CHART}**")
    formatting.show_chart(formatting.italian_chart(bars.properties(height=60, width=500)), S.REGIONAL_CHART_SUMMARY)
with st.expander(S.DEFINITIONS, icon=":material/menu_book:"):
    for indicator in programme.INDICATORS:
        st.markdown(f"**{indicator.label}**: {indicator.definition}")
