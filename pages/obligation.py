"""Obbligo scolastico: the cases of art. 114 c. 4 D.Lgs. 297/1994, what is due and late, a form per step."""

from datetime import timedelta

import altair as alt
import pandas as pd
import streamlit as st

from models.core import clock
from models.core.errors import ApprodoError
from models.core.languages import ITALIAN, language_name
from models.core.school_year import month_label
from models.obligation import cases as obligation
from models.obligation import hours as obligation_hours
from models.obligation import letters, rule
from models.protocols.word_export import DOCX_MIME
from ui import formatting
from ui import strings as S
from ui.formatting import italian_chart, show_chart
from ui.session import guard_page, open_db, run_action, show_flash
from ui.text import plain, plain_format, show_error
from ui.visits import visit_id

ctx = guard_page(__file__)
db, actor = ctx.db, ctx.actor
school_code = actor.school_code
C = S.OBL_COLUMNS

st.title(S.OBL_TITLE)
st.caption(S.OBL_INTRO)
show_flash()

with st.expander(S.OBL_RULE_TITLE, icon=":material/gavel:"):
    st.markdown(S.OBL_RULE_HELP)

try:
    coverage = obligation.coverage(db, actor, school_code)
except ApprodoError as error:
    show_error(error)
    st.stop()
if not coverage.checkable:
    st.warning(S.OBL_CANNOT_CHECK.format(reason=plain(coverage.reason)), icon=":material/info:")

today = clock.local_date()
as_of = st.date_input(S.OBL_AS_OF, value=today, max_value=today, format="DD/MM/YYYY", key="obl_as_of")
try:
    found = obligation.cases(db, actor, school_code, as_of, include_closed=True, view=visit_id())
except ApprodoError as error:
    show_error(error)
    st.stop()
open_cases = [c for c in found if c.is_open]
due = obligation.due(open_cases)
metrics = {"open": len(open_cases), "due": len(due), "late": sum(c.late for c in due),
           "closed": len(found) - len(open_cases)}
for column, (key, value) in zip(st.columns(4), metrics.items(), strict=True):
    column.metric(S.OBL_METRICS[key], value)

with st.container(border=True):
    st.subheader(S.OBL_TODO)
    if not due:
        st.caption(S.OBL_TODO_NONE)
    for case in due:
        line = plain_format(S.OBL_TODO_LINE, pupil=case.pupil_code, class_name=case.class_name, step=case.next_step,
                            due=f"{case.due_on:%d/%m/%Y}")
        if case.late:
            st.error(line + S.OBL_TODO_LATE, icon=":material/schedule:")
        else:
            st.warning(line, icon=":material/notifications:")

if not found:
    st.info(S.OBL_NO_CASES)
else:
    # What to do first; the days and the window after.
    formatting.dataframe(pd.DataFrame([{
        C["pupil"]: c.pupil_code, C["class"]: c.class_name, C["kind"]: obligation.KIND_LABELS[c.kind],
        C["status"]: c.status_label, C["next"]: c.next_step,
        C["due"]: f"{c.due_on:%d/%m/%Y}" if c.due_on else "", C["late"]: "sì" if c.late else "",
        C["days"]: len(c.unjustified_days) if c.kind == obligation.DAYS else None,
        C["from"]: f"{c.period_start:%d/%m/%Y}",
        C["to"]: f"{c.window_end:%d/%m/%Y}", C["age"]: S.OBL_AGE_KNOWN if c.age_known else S.OBL_AGE_UNKNOWN,
    } for c in found]), hide_index=True, key="obl_table")


def day_chart(case: obligation.Case) -> alt.Chart:
    """Each day from the window's start to the opening: the unjustified days in the three months ending then."""
    days = sorted(case.unjustified_days)
    span = [days[0] + timedelta(days=n) for n in range((case.window_end - days[0]).days + 1)]
    counts = [sum(rule.window_start(d) <= x <= d for x in days) for d in span]
    frame = pd.DataFrame({S.OBL_CHART_X: pd.to_datetime(span), S.OBL_CHART_Y: counts})
    line = alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X(f"{S.OBL_CHART_X}:T", axis=alt.Axis(format="%d/%m")), y=alt.Y(f"{S.OBL_CHART_Y}:Q"))
    limit = alt.Chart(pd.DataFrame({S.OBL_CHART_Y: [rule.THRESHOLD], "soglia": [S.OBL_CHART_LIMIT]})).mark_rule(
        color="#E45756", strokeDash=[4, 4]).encode(y=f"{S.OBL_CHART_Y}:Q", tooltip="soglia:N")
    return italian_chart((line + limit).properties(title=S.OBL_CHART_TITLE, height=220))


if open_cases:
    # Labels as the options (one open case per pupil, so they are unique): AppTest and the browser agree.
    # (a pupil may have a case of each kind: the quarter-of-hours one says so)
    by_label = {f"{c.pupil_code} · {c.class_name} · {c.status_label}"
                + (f" · {S.OBL_KIND_HOURS}" if c.kind == obligation.HOURS else ""): c for c in open_cases}
    # A step changes the status in the label: keep the same pupil's case open rather than closing the panel.
    # (by the case's id: a pupil may have a case of each kind)
    previous = st.session_state.get("obl_case")
    if previous is not None and previous not in by_label:
        kept = st.session_state.get("obl_case_id")
        st.session_state["obl_case"] = next((label for label, c in by_label.items() if c.id == kept), None)
    chosen = st.selectbox(S.OBL_PICK, list(by_label), index=None, help=S.OBL_PICK_HELP,
                          placeholder=S.OBL_PICK_HELP, key="obl_case")
    case = by_label.get(chosen)
    st.session_state["obl_case_id"] = case.id if case is not None else None
    if case is not None:
        case = obligation.get_case(db, actor, school_code, case.id, as_of, view=visit_id())  # the opening is logged
    if case is not None:
        with st.container(border=True):
            st.subheader(plain_format(S.OBL_CASE_HEAD, pupil=case.pupil_code, class_name=case.class_name,
                                      status=case.status_label))
            if case.kind == obligation.HOURS:
                st.markdown(S.OBL_HOURS_CASE.format(opened=f"{case.opened_on:%d/%m/%Y}",
                                                    hours=formatting.number(case.hours_unjustified),
                                                    limit=formatting.number(case.hours_limit)))
            else:
                st.markdown(S.OBL_CASE_DAYS.format(opened=f"{case.opened_on:%d/%m/%Y}", n=len(case.unjustified_days),
                                                   start=f"{case.period_start:%d/%m/%Y}",
                                                   end=f"{case.window_end:%d/%m/%Y}"))
                st.caption(S.OBL_DAYS_LIST.format(days=", ".join(f"{d:%d/%m}" for d in case.unjustified_days)))
            if case.pending_days:
                st.warning(S.OBL_CASE_PENDING.format(n=case.pending_days))
            if not case.age_known:
                st.warning(S.OBL_CASE_AGE_UNKNOWN)
            if case.kind == obligation.DAYS:
                show_chart(day_chart(case), S.OBL_CHART_SUMMARY.format(threshold=rule.THRESHOLD),
                           width="stretch")
            if case.family_notice:
                notice = case.family_notice
                receipt = (S.OBL_RECEIPT_KNOWN.format(on=f"{notice.term_start:%d/%m/%Y}") if notice.receipt_known
                           else S.OBL_RECEIPT_PRESUMED.format(on=f"{notice.term_start:%d/%m/%Y}",
                                                              allowance=obligation.RECEIPT_ALLOWANCE_DAYS))
                st.markdown(plain_format(S.OBL_FAMILY_DONE, on=f"{notice.on:%d/%m/%Y}", protocol=notice.protocol_no,
                                         channel=notice.channel, receipt=receipt,
                                         deadline=f"{case.deadline:%d/%m/%Y}"))
            if case.resumption:
                st.markdown(S.OBL_RESUMED_DONE.format(on=f"{case.resumption.on:%d/%m/%Y}",
                                                      source=S.OBL_RESUMED_SOURCE[case.resumption.source]))
            if case.mayor_notice:
                notice = case.mayor_notice
                st.markdown(plain_format(S.OBL_MAYOR_DONE, on=f"{notice.on:%d/%m/%Y}", protocol=notice.protocol_no,
                                         municipality=notice.municipality))

            # --- LETTERS: the family notice (with the family's language when the network has it) and the report
            # to the mayor once the seven days are over; each file is built, logged, when its button is pressed. ---
            st.markdown(f"**{S.LET_DOWNLOADS}**")
            st.caption(S.LET_DOWNLOAD_HELP)
            spoken = letters.family_language(db, actor, school_code, case.pupil_code)
            translated = [code for code in letters.language_options(db, actor, school_code, case.pupil_code,
                                                                    letters.text_kind(case, letters.FAMILY))
                          if code != ITALIAN]
            if spoken and spoken != ITALIAN and not translated:
                st.caption(S.LET_NO_TRANSLATION.format(language=language_name(spoken)))
            family_column, bilingual_column, mayor_column = st.columns(3)
            family_column.download_button(
                S.LET_DOWNLOAD_FAMILY, key=f"letter_family_{case.id}", icon=":material/mail:", mime=DOCX_MIME,
                data=lambda: letters.case_letter(open_db(), actor, school_code, case.id, letters.FAMILY),
                file_name=letters.file_name(case.pupil_code, letters.FAMILY))
            if translated:
                bilingual_column.download_button(
                    S.LET_DOWNLOAD_FAMILY_BILINGUAL, key=f"letter_bilingual_{case.id}", icon=":material/translate:",
                    help=S.LET_BILINGUAL_HELP.format(language=language_name(translated[0])), mime=DOCX_MIME,
                    data=lambda: letters.case_letter(open_db(), actor, school_code, case.id, letters.FAMILY,
                                                     translated[0]),
                    file_name=letters.file_name(case.pupil_code, letters.FAMILY, translated[0]))
            if case.status in ("sindaco_da_informare", "sindaco_informato"):
                mayor_column.download_button(
                    S.LET_DOWNLOAD_MAYOR, key=f"letter_mayor_{case.id}", icon=":material/account_balance:",
                    mime=DOCX_MIME, data=lambda: letters.case_letter(open_db(), actor, school_code, case.id,
                                                                     letters.MAYOR),
                    file_name=letters.file_name(case.pupil_code, letters.MAYOR))
            elif case.family_notice is not None and case.resumption is None:
                mayor_column.caption(S.LET_MAYOR_NOT_YET)

            if case.family_notice is None:
                with st.form(f"obl_family_{case.id}"):
                    st.markdown(f"**{S.OBL_FAMILY_FORM}**")
                    on = st.date_input(S.OBL_DATE, value=today, max_value=today, format="DD/MM/YYYY")
                    protocol_no = st.text_input(S.OBL_PROTOCOL, max_chars=obligation.MAX_TEXT)
                    # None preselected: the channel decides when the seven days start, so it is chosen, not defaulted.
                    channel = st.selectbox(S.OBL_CHANNEL, obligation.CHANNELS, index=None,
                                           placeholder=S.CHOOSE_PLACEHOLDER)
                    received_on = st.date_input(S.OBL_RECEIPT_DATE, value=None, max_value=today, format="DD/MM/YYYY",
                                                help=S.OBL_RECEIPT_HELP.format(
                                                    allowance=obligation.RECEIPT_ALLOWANCE_DAYS))
                    if st.form_submit_button(S.OBL_SAVE_FAMILY, type="primary"):
                        run_action(lambda: obligation.record_family_notice(db, actor, school_code, case.id, on,
                                                                           protocol_no, channel, received_on),
                                   S.OBL_SAVED, rerun=True)
            elif case.resumption is None and case.mayor_notice is None:
                if not case.family_notice.receipt_known:
                    with st.form(f"obl_receipt_{case.id}"):
                        st.markdown(f"**{S.OBL_RECEIPT_FORM}**")
                        received_on = st.date_input(S.OBL_RECEIPT_DATE, value=None, max_value=today,
                                                    min_value=case.family_notice.on, format="DD/MM/YYYY",
                                                    help=S.OBL_RECEIPT_HELP.format(
                                                        allowance=obligation.RECEIPT_ALLOWANCE_DAYS))
                        if st.form_submit_button(S.OBL_SAVE_RECEIPT):
                            run_action(lambda: obligation.record_family_receipt(db, actor, school_code, case.id,
                                                                                received_on),
                                       S.OBL_SAVED, rerun=True)
                left, right = st.columns(2)
                with left, st.form(f"obl_resumed_{case.id}"):
                    st.markdown(f"**{S.OBL_RESUMED_FORM}**")
                    on = st.date_input(S.OBL_DATE, value=today, max_value=today, format="DD/MM/YYYY")
                    note = st.text_input(S.OBL_NOTE, max_chars=obligation.MAX_TEXT)
                    if st.form_submit_button(S.OBL_SAVE_RESUMED):
                        run_action(lambda: obligation.record_resumption(db, actor, school_code, case.id, on, note),
                                   S.OBL_SAVED, rerun=True)
                with right, st.form(f"obl_mayor_{case.id}"):
                    st.markdown(f"**{S.OBL_MAYOR_FORM}**")
                    if case.status != "sindaco_da_informare":
                        st.caption(S.OBL_MAYOR_WAIT.format(deadline=f"{case.deadline:%d/%m/%Y}"))
                    on = st.date_input(S.OBL_DATE, value=today, max_value=today, format="DD/MM/YYYY")
                    protocol_no = st.text_input(S.OBL_PROTOCOL, max_chars=obligation.MAX_TEXT)
                    municipality = st.text_input(S.OBL_MUNICIPALITY, max_chars=obligation.MAX_TEXT)
                    if st.form_submit_button(S.OBL_SAVE_MAYOR, type="primary"):
                        run_action(lambda: obligation.record_mayor_notice(db, actor, school_code, case.id, on,
                                                                          protocol_no, municipality),
                                   S.OBL_SAVED, rerun=True)
            with st.expander(S.OBL_CLOSE_FORM, expanded=case.status in ("ripresa", "sindaco_informato")), \
                    st.form(f"obl_close_{case.id}"):
                on = st.date_input(S.OBL_DATE, value=today, max_value=today, format="DD/MM/YYYY")
                outcome = st.selectbox(S.OBL_OUTCOME, obligation.OUTCOMES, index=None, placeholder=S.CHOOSE_PLACEHOLDER)
                if st.form_submit_button(S.OBL_SAVE_CLOSE):
                    run_action(lambda: obligation.close_case(db, actor, school_code, case.id, on, outcome),
                               S.OBL_SAVED, rerun=True)

closed = [c for c in found if not c.is_open]
for case in closed:
    st.caption(plain_format(S.OBL_CLOSED_DONE, on=f"{case.closed_on:%d/%m/%Y}", outcome=case.outcome or "")
               + f" · {plain(case.pupil_code)}")

if coverage.checkable:
    st.subheader(S.OBL_HOURS_TITLE)
    st.caption(S.OBL_HOURS_HELP)
    evasion = obligation_hours.evasion(db, actor, school_code, as_of, view=visit_id())
    H = S.OBL_HOURS_COLUMNS
    formatting.dataframe(pd.DataFrame({
        H["pupil"]: evasion["pupil_code"], H["class"]: evasion["class_name"],
        H["hours"]: evasion["unjustified_hours"].astype(float), H["limit"]: evasion["limit_hours"].astype(float),
        H["when"]: [(S.OBL_HOURS_REACHED if reached else S.OBL_HOURS_PROJECTED).format(month=month_label(month))
                    for reached, month in zip(evasion["reached"], evasion["crossing_month"], strict=True)],
    }), empty=S.OBL_HOURS_NONE, hide_index=True, key="obl_hours")
