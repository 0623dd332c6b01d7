"""Rischio dispersione: the school's pupils ranked by level, with reasons and a monthly chart."""

import altair as alt
import pandas as pd
import streamlit as st

from models import audit, clock
from models.errors import ApprodoError
from models.permissions import Role
from models.risk import export as risk_export
from models.risk import indicators, school_risk
from ui import strings as S
from ui.session import guard_page, open_db

ctx = guard_page(__file__)
db, actor = ctx.db, ctx.actor
school_code = actor.school_code
R = S.RISK_COLUMNS

st.title(S.RISK_TITLE)
st.caption(S.RISK_INTRO)

months = school_risk.periods(db, actor, school_code)
if not months:
    st.info(S.RISK_NO_DATA)
    st.stop()
as_of = st.selectbox(S.RISK_AS_OF, list(reversed(months)),
                     format_func=lambda p: f"{indicators.month_name(p)} {p[:4]}")
try:
    risk = school_risk.school_risk(db, actor, school_code, as_of=as_of)
except ApprodoError as error:
    st.error(error.message)
    st.stop()

if actor.role is Role.DOCENTE:
    st.caption(S.RISK_TEACHER_SCOPE.format(classes=", ".join(risk.classes)) if risk.classes
               else S.RISK_TEACHER_NO_CLASSES)

pupils = risk.pupils
counts = pupils["level"].value_counts()
for column, level in zip(st.columns(4), indicators.LEVELS, strict=True):
    column.metric(indicators.LEVEL_LABELS[level], int(counts.get(level, 0)))

left, right = st.columns(2)
chosen_classes = left.multiselect(S.FILTER_CLASSES, list(risk.classes), placeholder=S.ALL_CLASSES)
chosen_levels = right.multiselect(S.FILTER_LEVELS, list(indicators.LEVELS), default=["alto", "medio"],
                                  format_func=indicators.LEVEL_LABELS.get, placeholder=S.ALL_LEVELS)
shown = pupils
if chosen_classes:
    shown = shown[shown["class_name"].isin(chosen_classes)]
if chosen_levels:
    shown = shown[shown["level"].isin(chosen_levels)]

table = pd.DataFrame({
    R["pupil_code"]: shown["pupil_code"],
    R["class_name"]: shown["class_name"],
    R["absence_pct"]: (100 * shown["absence_ratio"]).round(1),
    R["projected_pct"]: (100 * shown["projected_ratio"]).round(1),
    R["hours_left"]: shown["hours_left"].round(1) if risk.legal_limit_applies else None,
    R["level"]: shown["level"].map(indicators.LEVEL_LABELS),
    R["reasons"]: shown["reasons"].map(" ".join),
})
st.caption(S.RISK_TABLE_HELP)
selection = st.dataframe(table, hide_index=True, on_select="rerun", selection_mode="single-row", key="risk_table",
                         column_config={R["reasons"]: st.column_config.TextColumn(width="large")})
st.download_button(S.RISK_DOWNLOAD, data=lambda: risk_export.score_csv(
    school_risk.school_risk(open_db(), actor, school_code, as_of=as_of, channel="esportazione CSV")),
    file_name=f"rischio_{school_code}_{as_of}.csv", mime="text/csv", icon=":material/download:")

picked = selection.selection.rows if selection else []
if picked:
    pupil = shown.iloc[picked[0]]
    st.subheader(S.RISK_PUPIL.format(code=pupil["pupil_code"], class_name=pupil["class_name"]))
    for reason in pupil["reasons"]:
        st.markdown(f"- {reason}")
    history = school_risk.pupil_months(db, actor, school_code, pupil["pupil_code"])
    history = history[history["period"] <= as_of]
    bars = alt.Chart(history).mark_bar(color="#4C78A8").encode(
        x=alt.X("period:O", title="Mese"), y=alt.Y("absence_pct:Q", title="Assenze (%)"),
        tooltip=[alt.Tooltip("period", title="Mese"), alt.Tooltip("absence_pct", title="Assenze %", format=".1f"),
                 alt.Tooltip("absence_hours", title="Ore di assenza"), alt.Tooltip("class_name", title="Classe")])
    limits = pd.DataFrame({"soglia": [10, 25], "nome": ["10 % assenza cronica", "25 % limite di validità"]})
    rules = alt.Chart(limits).mark_rule(strokeDash=[6, 4]).encode(
        y="soglia:Q", color=alt.Color("nome:N", title=None, scale=alt.Scale(range=["#F58518", "#E45756"])))
    st.altair_chart((bars + rules).properties(title=S.RISK_CHART_TITLE, height=280), use_container_width=True)

with st.expander(S.RISK_RULES, icon=":material/help:"):
    rules = risk.rules
    st.markdown(f"""
- **Alto**: proiezione a fine anno oltre il {indicators.percent(rules.legal_limit)} del monte ore annuo
  (scuola secondaria, DPR 122/2009 art. 14 c. 7; D.Lgs. 62/2017 art. 5) oppure assenze già oltre il
  {indicators.percent(rules.severe)}.
- **Medio**: assenza cronica (dal {indicators.percent(rules.chronic)}), assenze in chiaro aumento negli ultimi
  {rules.recent_months} mesi (almeno {rules.trend_points * 100:.0f} punti in più), in media almeno
  {rules.late_per_month:.0f} ingressi posticipati o uscite anticipate al mese, oppure almeno
  {rules.context_factors} fattori di contesto (arrivo in Italia da meno di due anni, ritardo scolastico,
  ripetenze, italiano A1–A2).
- **Dati insufficienti**: meno di {rules.min_months} mesi o meno di {rules.min_hours:.0f} ore registrate: mai un
  livello alto senza dati.
- La proiezione usa il ritmo degli ultimi {rules.recent_months} mesi; per chi arriva durante l'anno il monte ore è
  ridotto ai mesi di presenza. Nella primaria non c'è il limite del 25 %: si mostra solo la proiezione.
""")

if actor.role is Role.DIRIGENTE:
    with st.expander(S.ACCESS_LOG, icon=":material/policy:"):
        st.dataframe([{"Quando": clock.local_datetime(e["at"]), "Chi": e["actor"], "Cosa": e["what"],
                       "Dettagli": e["detail"]} for e in audit.access_log(db, actor, school_code)], hide_index=True)
