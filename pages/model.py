"""Modello di rischio: the model card, its comparison with the rules, calibration and the audit by group."""

import altair as alt
import pandas as pd
import streamlit as st

from models.accounts.schools import list_networks
from models.core import clock, suppression
from models.core.permissions import Action, NetworkRef, SchoolRef, allowed
from models.risk import fairness, indicators, learn
from ui import strings as S
from ui.formatting import italian_chart, number, show_chart
from ui.session import guard_page, run_action, show_flash
from ui.text import plain_table

ctx = guard_page(__file__)
db, actor = ctx.db, ctx.actor
network_code = actor.network_code

st.title(S.MODEL_TITLE)
st.caption(S.MODEL_INTRO)
show_flash()

if allowed(actor, Action.CHOOSE_NETWORK):
    networks = {n.code: f"{n.name} ({n.code})" for n in list_networks(db, actor)}
    network_code = st.selectbox(S.NETWORK_CHOICE, list(networks), format_func=networks.get,
                                placeholder=S.CHOOSE_PLACEHOLDER)
    if network_code is None:
        st.stop()

if allowed(actor, Action.MANAGE_NETWORK, NetworkRef(network_code)) and st.button(
        S.MODEL_TRAIN, icon=":material/model_training:"):
    with st.spinner(S.MODEL_TRAINING):
        run_action(lambda: learn.train(db, actor, network_code), S.MODEL_TRAINED, rerun=True)

model = learn.load(db, actor, network_code)
if model is None:
    st.info(S.MODEL_NONE)
    st.stop()

document = model.document
metrics = document["metrics"]
(st.success if document["offered"] else st.warning)(document["reason"])
if actor.school_code:
    st.info(learn.school_comparison(document, actor.school_code))

st.header(S.MODEL_CARD, divider="gray")
st.markdown(S.MODEL_CARD_TEXT.format(
    version=document["version"], date=clock.local_datetime(document["created_at"]),
    train=", ".join(document["train_years"]), test=document["test_year"],
    month=indicators.MONTH_NAMES[document["as_of_month"] - 1], model=document["model"],
    train_pupils=suppression.text(metrics["train_pupils"]), train_adverse=suppression.text(metrics["train_adverse"]),
    test_pupils=suppression.text(metrics["test_pupils"]), test_adverse=suppression.text(metrics["test_adverse"]),
    features=", ".join(S.FEATURE_LABELS[f] for f in document["features"])))
with st.expander(S.MODEL_LIMITS, icon=":material/warning:"):
    st.markdown(S.MODEL_LIMITS_TEXT)

st.header(S.MODEL_COMPARISON, divider="gray")
rows = [(S.METRIC_AUC, "auc"), (S.METRIC_PRECISION_K, "precision_at_k"), (S.METRIC_RECALL_K, "recall_at_k")]
comparison = pd.DataFrame({
    S.COLUMN_MODEL: [metrics["model"][key] for _, key in rows],
    S.COLUMN_RULES: [metrics["rules"][key] for _, key in rows],
}, index=[label for label, _ in rows]).map(lambda v: number(v, 3))
st.table(comparison)
st.caption(S.MODEL_CALIBRATION.format(brier=number(metrics["model"]["brier"], 4),
                                      ece=number(metrics["model"]["calibration_error"], 3)))
# Points built on fewer than 5 pupils come suppressed ("<5") for every role: they are left off the chart.
points_shown = [p for p in metrics["reliability"] if not suppression.is_hidden(p["observed"])]
reliability = pd.DataFrame(points_shown, columns=["predicted", "observed"])
# The curve breaks at a hidden point (one line per stretch between them), never joins its neighbours across it.
stretches, _ = suppression.line_points({"": {n: p["observed"] for n, p in enumerate(metrics["reliability"])}})
drawn = reliability.assign(segment=list(stretches["segment"]))
if metrics["reliability"] and all(p["observed"] == suppression.HIDDEN for p in metrics["reliability"]):
    st.caption(S.RELIABILITY_ISOLATED)  # the network minus one's own school would be one other school (rule 2)
elif len(points_shown) < len(metrics["reliability"]):
    hidden = len(metrics["reliability"]) - len(points_shown)
    st.caption((S.RELIABILITY_HIDDEN_ONE if hidden == 1 else S.RELIABILITY_HIDDEN).format(
        hidden=hidden, total=len(metrics["reliability"])))
if not reliability.empty:
    points = alt.Chart(drawn).mark_line(point=True).encode(
        x=alt.X("predicted:Q", title=S.RELIABILITY_X, scale=alt.Scale(domain=[0, max(0.05, reliability.max().max())])),
        y=alt.Y("observed:Q", title=S.RELIABILITY_Y), detail="segment:N",
        tooltip=[alt.Tooltip("predicted", format=".3f"), alt.Tooltip("observed", format=".3f")])
    diagonal = alt.Chart(pd.DataFrame({"x": [0, reliability.max().max()]})).mark_line(
        strokeDash=[4, 4], color="gray").encode(x="x:Q", y="x:Q")
    show_chart(italian_chart((diagonal + points).properties(title=S.RELIABILITY_TITLE, height=260, width=420)),
               S.RELIABILITY_SUMMARY, reliability.rename(columns={"predicted": S.RELIABILITY_X,
                                                                  "observed": S.RELIABILITY_Y})
               .map(lambda v: number(v, 3)), width="content")

st.header(S.AUDIT_TITLE, divider="gray")
st.caption(S.AUDIT_HELP)
whose, audits = learn.audits_for(db, actor, network_code, document)
st.caption(S.AUDIT_SCHOOL if whose == "school" else S.AUDIT_NETWORK)
for key, title in (("model", S.COLUMN_MODEL), ("rules", S.COLUMN_RULES)):
    st.markdown(f"**{title}**")
    table = fairness.table(audits[key])
    if table.empty:
        st.caption(S.NONE_YET)
    else:
        st.table(plain_table(table.astype(str)), hide_index=True)

if actor.school_code and allowed(actor, Action.MANAGE_SCHOOL, SchoolRef(actor.school_code)):
    st.header(S.FOLLOW_SHARE_TITLE, divider="gray")
    current = learn.follow_share(db, actor, actor.school_code)
    with st.form("share"):
        share = st.number_input(S.FOLLOW_SHARE, min_value=1, max_value=50, value=round(current * 100), step=1)
        if st.form_submit_button(S.RETENTION_SAVE):
            run_action(lambda: learn.set_follow_share(db, actor, actor.school_code, share / 100), S.FOLLOW_SHARE_SAVED,
                       rerun=True)

st.download_button(S.MODEL_DOWNLOAD, data=learn.document_download(db, actor, network_code),
                   file_name=f"modello_{network_code}_v{document['version']}.json", mime="application/json",
                   icon=":material/download:")
