"""Scheda alunno: months, level and interventions on one time line; reviews, follow-ups, interventions."""

from datetime import timedelta

import altair as alt
import pandas as pd
import streamlit as st

from models.accounts import auth, people
from models.core import clock
from models.core.errors import ApprodoError
from models.core.permissions import Action, SchoolRef, allowed
from models.core.school_year import SchoolYear
from models.council import pack as council_pack
from models.follow_up import interventions, reviews
from models.protocols.word_export import pdf_available
from models.risk import derogations, indicators, learn, pupil_sheet, school_risk
from ui import strings as S
from ui.formatting import MIME, italian_chart, number, show_chart
from ui.session import form_key, guard_page, open_db, run_action, show_flash
from ui.text import plain_format, plain_table, show_error
from ui.visits import visit_id

QUERY_KEY = "alunno"
SHOWN_KEY, MOVES_KEY = "approdo_pupil_shown", "approdo_pupil_moves"
LEVEL_COLOURS = {"alto": "#E45756", "medio": "#F58518", "basso": "#54A24B", "dati_insufficienti": "#BAB0AC",
                 "dati_fermi": "#D8D8D8"}

ctx = guard_page(__file__)
db, actor = ctx.db, ctx.actor
school_code = actor.school_code

st.title(S.PAGE_PUPIL)
show_flash()

visible = school_risk.visible_pupils(db, actor, school_code)
wanted = st.query_params.get(QUERY_KEY)
if wanted and wanted not in visible:
    # Maybe a pupil of an earlier year; the model decides whether this user may see them.
    try:
        visible = {wanted: school_risk.require_pupil(db, actor, school_code, wanted), **visible}
    except ApprodoError as error:
        show_error(error)
        wanted = None
if not visible:
    st.info(S.PUPIL_NONE)
    st.stop()
codes = list(visible)
# Every run leaves the pupil shown in the address: an address naming another one was changed by the browser (Back,
# Forward, a link) and is the user's wish, in a new widget (a new key) that starts from it. The same widget would
# keep the pupil chosen in it and write that one back, and Back would do nothing.
if wanted in codes and st.session_state.get(SHOWN_KEY, wanted) != wanted:
    st.session_state[MOVES_KEY] = st.session_state.get(MOVES_KEY, 0) + 1
code = st.selectbox(S.PUPIL_CHOOSE, codes, index=codes.index(wanted) if wanted in codes else None,
                    format_func=lambda c: f"{c} · {visible[c]}", help=S.PUPIL_CHOOSE_HELP,
                    placeholder=S.PUPIL_CHOOSE_HELP, key=f"pupil_choice_{st.session_state.get(MOVES_KEY, 0)}")
st.session_state[SHOWN_KEY] = code
if code is None:
    st.stop()
if wanted != code:
    st.query_params[QUERY_KEY] = code

record = pupil_sheet.pupil_record(db, actor, school_code, code, view=visit_id())
done = interventions.pupil_interventions(db, actor, school_code, code)
seen = reviews.pupil_reviews(db, actor, school_code, code)

latest, last_month = record.latest, record.months["period"].iloc[-1]
level_label = indicators.LEVEL_LABELS[latest["level"]]
st.subheader(plain_format(S.PUPIL_HEADER, code=code, class_name=record.class_name))
st.markdown(S.PUPIL_LEVEL_NOW.format(level=level_label, month=indicators.month_label(last_month)))
absence, projection, hours_left, late = st.columns(4)
absence.metric(S.METRIC_ABSENCE, indicators.percent(latest["absence_ratio"]))
projection.metric(S.METRIC_PROJECTION.format(n=record.rules.recent_months),
                  indicators.percent(latest["projected_ratio"]))
if record.legal_limit_applies:
    hours_left.metric(S.METRIC_HOURS_LEFT, indicators.hours(max(latest["hours_left"], 0)))
late.metric(S.METRIC_LATE, indicators.rate(latest["late_per_month"]))
# The recent pace may be nothing (or a bad spell): both ends said in words, so a council reads no forecast in it.
st.caption(S.PROJECTION_BOUNDS.format(floor=indicators.percent(latest["floor_ratio"]),
                                      steady=indicators.percent(indicators.steady_ratio(latest))))
if record.derogation_hours:
    st.caption(S.DEROGATION_OF_WHICH.format(absent=indicators.hours(latest["absence_hours"]),
                                            hours=indicators.hours(record.derogation_hours)))

# The same sheet as in the class council's pack, for this pupil alone (built only when a button is pressed).
left, right = st.columns(2)
# The sheet for the month this page shows, not a later month holding other classes only.
left.download_button(S.PACK_PUPIL_DOCX, icon=":material/description:", help=S.PACK_HELP,
                     data=lambda: council_pack.pack_for_pupil(open_db(), actor, school_code, code,
                                                              as_of=last_month).docx,
                     file_name=f"scheda_{school_code}_alunno-{code}.docx", mime=MIME["docx"])
if pdf_available():
    right.download_button(S.PACK_PUPIL_PDF, icon=":material/print:", help=S.PACK_HELP, mime=MIME["pdf"],
                          data=lambda: council_pack.council_pack_pdf(
                              council_pack.pack_for_pupil(open_db(), actor, school_code, code, as_of=last_month)),
                          file_name=f"scheda_{school_code}_alunno-{code}.pdf")

st.markdown(f"**{S.PUPIL_REASONS}**")
for reason in latest["reasons"] or [S.PUPIL_NO_REASONS]:
    st.markdown(f"- {reason}")
model = learn.offered_model(db, actor, school_code)
if model is not None:
    estimate = learn.estimates(model, latest.to_frame().T).iloc[0]
    st.markdown(S.MODEL_PUPIL.format(value=indicators.percent(estimate)))
    for sentence in learn.explain(model, latest):
        st.markdown(f"- {sentence}")

# One time line: monthly absence bars, the chronic-absence and legal-limit lines, interventions as marks on their day,
# and below it the level the list gave the pupil each month.
months = record.months.assign(start=pd.to_datetime(record.months["period"] + "-01"))
months["end"] = months["start"] + pd.offsets.MonthBegin(1)
levels = record.levels.assign(start=months["start"].to_numpy(), end=months["end"].to_numpy(),
                              livello=record.levels["level"].map(indicators.LEVEL_LABELS))
x = alt.X("start:T", title=None, axis=alt.Axis(format="%m/%Y", tickCount="month"))  # one label a month
bars = alt.Chart(months).mark_rect(color="#4C78A8", opacity=0.8, stroke="white").encode(
    x=x, x2="end:T", y=alt.Y("absence_pct:Q", title="Assenze (%)", scale=alt.Scale(domainMin=0)), y2=alt.datum(0),
    tooltip=[alt.Tooltip("period", title="Mese"), alt.Tooltip("absence_pct", title="Assenze %", format=".1f"),
             alt.Tooltip("absence_hours", title="Ore di assenza"), alt.Tooltip("class_name", title="Classe")])
# The network's own thresholds (chronic absence may differ from 10 %; the 25 % is the law's).
chronic, legal = 100 * record.rules.chronic, 100 * record.rules.legal_limit
limits = pd.DataFrame({"soglia": [chronic, legal],
                       "nome": [S.CHART_CHRONIC.format(pct=number(chronic, 0)),
                                S.CHART_LEGAL.format(pct=number(legal, 0))]})
# Told apart by their dashes as well as their colours (one legend for both): colour is never the only carrier.
lines = alt.Chart(limits).mark_rule().encode(
    y="soglia:Q", color=alt.Color("nome:N", title=None, scale=alt.Scale(range=["#F58518", "#E45756"])),
    strokeDash=alt.StrokeDash("nome:N", title=None, scale=alt.Scale(range=[[6, 4], [2, 2]])))
layers = [bars, lines]
who = people.names(db, actor, [u for i in done for u in (i.owner, i.recorded_by)])
if done:
    marks = pd.DataFrame([{"giorno": pd.Timestamp(i.happened_on), "intervento": i.kind, "esito": i.outcome_label,
                           "referente": who[i.owner]} for i in done])
    layers.append(alt.Chart(marks).mark_rule(color="#54A24B", strokeWidth=2, strokeDash=[2, 2]).encode(
        x="giorno:T", tooltip=[alt.Tooltip("giorno:T", title="Data", format="%d/%m/%Y"),
                               alt.Tooltip("intervento", title="Intervento"), alt.Tooltip("esito", title="Esito"),
                               alt.Tooltip("referente", title="Referente")]))
strip = alt.Chart(levels).mark_rect().encode(
    x=x, x2="end:T", color=alt.Color("livello:N", title=None, scale=alt.Scale(
        domain=[indicators.LEVEL_LABELS[k] for k in LEVEL_COLOURS], range=list(LEVEL_COLOURS.values()))),
    tooltip=[alt.Tooltip("period", title="Mese"), alt.Tooltip("livello", title="Livello")])
chart = alt.vconcat(alt.layer(*layers).properties(title=S.PUPIL_CHART_TITLE, height=260, width=620),
                    strip.properties(height=26, width=620, title=S.PUPIL_LEVEL_STRIP))
chart = italian_chart(chart.resolve_scale(x="shared", color="independent")).configure_legend(orient="bottom",
                                                                                              columns=2)
show_chart(chart, S.PUPIL_CHART_SUMMARY, pd.DataFrame({
    S.CHART_MONTH: record.months["period"].map(indicators.month_label),
    S.CHART_ABSENCE: record.months["absence_pct"].map(lambda v: number(v, 1)),
    S.CHART_LEVEL: levels["livello"].to_numpy()}), width="content")

by_subject = school_risk.subject_hours(db, actor, school_code, code)
if not by_subject.empty:
    # Rows = subjects, columns = months: "ore di assenza su ore di lezione (%)", as the register's report gave them.
    cells = by_subject.assign(
        mese=by_subject["period"].map(indicators.month_label),
        valore=[S.SUBJECT_CELL.format(absent=indicators.hours(a), lessons=indicators.hours(s),
                                      pct=indicators.percent(a / s) if s else "–")
                if pd.notna(s) else indicators.hours(a)
                for a, s in zip(by_subject["absence_hours"], by_subject["scheduled_hours"], strict=True)])
    table = cells.pivot(index="subject", columns="mese", values="valore").reindex(
        columns=list(dict.fromkeys(cells["mese"]))).fillna("")
    table.index.name = S.SUBJECT_COLUMN
    st.markdown(f"**{S.SUBJECT_TITLE}**")
    st.caption(S.SUBJECT_HELP)
    st.table(plain_table(table.reset_index()), hide_index=True)

writer = allowed(actor, Action.FOLLOW_UP, SchoolRef(school_code))
staff = auth.school_staff(db, actor, school_code) if writer else {}
if not writer:
    st.info(S.PUPIL_READ_ONLY)

st.subheader(S.INTERVENTIONS_TITLE)
C = S.INTERVENTION_COLUMNS
if done:
    st.table(plain_table([{C["date"]: f"{i.happened_on:%d/%m/%Y}", C["kind"]: i.kind, C["owner"]: who[i.owner],
                           C["outcome"]: i.outcome_label, C["note"]: i.note, C["by"]: who[i.recorded_by]}
                          for i in reversed(done)]), hide_index=True)
else:
    st.caption(S.INTERVENTIONS_NONE)

if writer:
    with st.form(form_key("intervention")):
        st.markdown(f"**{S.INTERVENTION_FORM}**")
        st.caption(S.PRIVACY_NOTE)
        # No kind preselected: the button pressed without a choice (or again after a save) recorded the first one.
        kind = st.selectbox(S.INTERVENTION_KIND, interventions.kinds(db, actor, school_code), index=None,
                            placeholder=S.CHOOSE_PLACEHOLDER)
        left, middle, right = st.columns(3)
        happened_on = left.date_input(S.INTERVENTION_DATE, value=clock.local_date(),
                                      max_value=clock.local_date(), format="DD/MM/YYYY")
        owner = middle.selectbox(S.INTERVENTION_OWNER, list(staff), format_func=staff.get,
                                 index=list(staff).index(actor.username) if actor.username in staff else 0,
                                 placeholder=S.CHOOSE_PLACEHOLDER)
        outcome = right.selectbox(S.INTERVENTION_OUTCOME, list(interventions.OUTCOMES),
                                  format_func=interventions.OUTCOMES.get, placeholder=S.CHOOSE_PLACEHOLDER)
        note = st.text_area(S.INTERVENTION_NOTE, max_chars=interventions.NOTE_LIMIT, height=80)
        if st.form_submit_button(S.INTERVENTION_SAVE, type="primary"):
            run_action(lambda: interventions.add_intervention(
                db, actor, school_code, code, kind=kind, happened_on=happened_on, owner=owner, outcome=outcome,
                note=note), S.INTERVENTION_SAVED, rerun=True, clears="intervention")
    if done:
        with st.expander(S.OUTCOME_FORM, icon=":material/task_alt:"), st.form("outcome"):
            chosen = st.selectbox(S.OUTCOME_WHICH, list(reversed(done)),
                                  format_func=lambda i: f"{i.happened_on:%d/%m/%Y} · {i.kind} · {i.outcome_label}",
                                  placeholder=S.CHOOSE_PLACEHOLDER)
            new_outcome = st.selectbox(S.INTERVENTION_OUTCOME, list(interventions.OUTCOMES),
                                       format_func=interventions.OUTCOMES.get, placeholder=S.CHOOSE_PLACEHOLDER)
            if st.form_submit_button(S.OUTCOME_SAVE):
                run_action(lambda: interventions.set_outcome(db, actor, school_code, chosen.id, new_outcome,
                                                             expected=chosen.outcome), S.OUTCOME_SAVED, rerun=True)

st.subheader(S.REVIEWS_TITLE)
V, states, today = S.REVIEW_COLUMNS, S.FOLLOW_UP_STATES, clock.local_date()


def follow_up_state(review: reviews.Review) -> str:
    if review.follow_up_on is None:
        return states["none"]
    if not review.follow_up_open:
        return states["done"]
    return states["late"] if review.follow_up_on < today else states["open"]


reviewers = people.names(db, actor, [u for r in seen for u in (r.reviewed_by, r.follow_up_owner)])
if seen:
    st.table(plain_table([{
        V["when"]: clock.local_datetime(r.reviewed_at), V["who"]: reviewers[r.reviewed_by],
        V["level"]: indicators.LEVEL_LABELS.get(r.level, ""), V["month"]: indicators.month_label(r.as_of),
        V["note"]: r.note,
        V["follow_up"]: f"{r.follow_up_on:%d/%m/%Y}" if r.follow_up_on else "",
        V["owner"]: reviewers.get(r.follow_up_owner, ""),
        V["state"]: follow_up_state(r)} for r in seen]), hide_index=True)
else:
    st.caption(S.REVIEWS_NONE)

if writer:
    open_follow_up = next((r for r in seen if r.follow_up_open), None)
    with st.form(form_key("review")):
        st.markdown(f"**{S.REVIEW_FORM}**")
        st.caption(S.PRIVACY_NOTE)
        review_note = st.text_area(S.REVIEW_NOTE, max_chars=interventions.NOTE_LIMIT, height=80)
        plan = st.checkbox(S.FOLLOW_UP_PLAN, value=True)
        left, right = st.columns(2)
        # The staff meet monthly: the next check defaults to four weeks from today.
        follow_up_on = left.date_input(S.FOLLOW_UP_DATE, value=today + timedelta(weeks=4), min_value=today,
                                       format="DD/MM/YYYY")
        follow_up_owner = right.selectbox(S.FOLLOW_UP_OWNER, list(staff), format_func=staff.get,
                                          index=list(staff).index(actor.username) if actor.username in staff else 0,
                                          placeholder=S.CHOOSE_PLACEHOLDER)
        if st.form_submit_button(S.REVIEW_SAVE, type="primary"):
            run_action(lambda: reviews.record_review(
                db, actor, school_code, code, as_of=last_month, level=latest["level"], note=review_note,
                follow_up_on=follow_up_on if plan else None, follow_up_owner=follow_up_owner), S.REVIEW_SAVED,
                rerun=True, clears="review")
    if open_follow_up is not None and st.button(S.CLOSE_FOLLOW_UP, icon=":material/done:"):
        run_action(lambda: reviews.close_follow_up(db, actor, school_code, open_follow_up.id), S.FOLLOW_UP_CLOSED,
                   rerun=True)

if record.legal_limit_applies:
    st.subheader(S.DEROGATIONS_TITLE)
    st.caption(S.DEROGATIONS_HELP)
    placed = derogations.of_pupil(db, actor, school_code, code)
    if placed:
        st.dataframe(pd.DataFrame([{S.DEROGATION_YEAR: d.school_year, S.DEROGATION_HOURS: d.hours,
                                    S.DEROGATION_REASON: d.reason, S.DEROGATION_DAY: f"{d.on:%d/%m/%Y}",
                                    S.DEROGATION_NOTE: d.note} for d in placed]), hide_index=True)
    else:
        st.caption(S.DEROGATIONS_NONE)
    if allowed(actor, Action.MANAGE_SCHOOL, SchoolRef(school_code)):
        school_criteria = derogations.criteria(db, school_code)
        with st.expander(S.DEROGATION_CRITERIA_TITLE, expanded=not school_criteria.items):
            with st.form("derogation_criteria"):
                items = st.text_area(S.DEROGATION_CRITERIA, "\n".join(school_criteria.items
                                                                       or derogations.SUGGESTED), height=130)
                resolution = st.text_input(S.DEROGATION_RESOLUTION, school_criteria.resolution,
                                           max_chars=derogations.MAX_TEXT)
                if st.form_submit_button(S.SAVE):
                    run_action(lambda: derogations.set_criteria(db, actor, school_code, items.splitlines(),
                                                                resolution), S.DEROGATION_CRITERIA_SAVED, rerun=True)
        if school_criteria.items:
            with st.form(form_key("derogation")):
                st.markdown(f"**{S.DEROGATION_FORM}**")
                left, middle = st.columns(2)
                derogation_hours = left.number_input(S.DEROGATION_HOURS, min_value=0.0,
                                                     max_value=derogations.MAX_HOURS, value=0.0, step=1.0)
                decided_on = middle.date_input(S.DEROGATION_DAY, value=today, max_value=today, format="DD/MM/YYYY")
                # The hours belong to the year of the absences they cover, not to the day of the decision.
                pupil_years = [str(y) for y in sorted({SchoolYear.of_period(p) for p in record.months["period"]},
                                                      reverse=True)]
                covered_year = st.selectbox(S.DEROGATION_FOR_YEAR, pupil_years, help=S.DEROGATION_FOR_YEAR_HELP,
                                            placeholder=S.CHOOSE_PLACEHOLDER)
                reason = st.selectbox(S.DEROGATION_REASON, school_criteria.items, placeholder=S.CHOOSE_PLACEHOLDER)
                derogation_note = st.text_input(S.DEROGATION_NOTE, max_chars=derogations.MAX_TEXT)
                if st.form_submit_button(S.DEROGATION_SAVE, type="primary"):
                    run_action(lambda: derogations.add(db, actor, school_code, code, derogation_hours, reason,
                                                       decided_on, derogation_note, school_year=covered_year),
                               S.DEROGATION_SAVED, rerun=True,
                               clears="derogation")
