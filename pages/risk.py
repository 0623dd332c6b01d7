"""Rischio dispersione: the review workspace. What changed, what is due, the ranked list, the exports."""

import pandas as pd
import streamlit as st

from models.accounts import people
from models.core import audit, clock
from models.core.permissions import Action, SchoolRef, allowed, has_classes
from models.council import pack as council_pack
from models.follow_up import interventions, reviews
from models.follow_up import list_export as risk_export
from models.obligation import cases as obligation
from models.protocols.word_export import pdf_available
from models.pupils import coverage
from models.risk import indicators, learn, school_risk
from ui import formatting
from ui import strings as S
from ui.session import (
    guard_fragment,
    guard_page,
    open_db,
    remember,
    remember_choice,
    remembered,
    remembered_choice,
    run_action,
    show_flash,
)
from ui.text import plain, plain_format
from ui.visits import visit_id

PUPIL_PAGE = "pages/pupil.py"
OBLIGATION_PAGE = "pages/obligation.py"
SHOWN_PER_COLUMN = 8

ctx = guard_page(__file__)
db, actor = ctx.db, ctx.actor
school_code = actor.school_code

st.title(S.RISK_TITLE)
st.caption(S.RISK_INTRO)
show_flash()

months = school_risk.periods(db, actor, school_code)
if not months:
    st.info(S.RISK_NO_DATA)
    st.stop()
held = school_risk.months_held(db, actor, school_code)


def month_option(period: str) -> str:
    month = held.get(period)
    if month is None or not month.partial:
        return indicators.month_label(period)
    missing = ", ".join(month.missing[:3]) + ("…" if len(month.missing) > 3 else "")
    return S.RISK_MONTH_PARTIAL.format(month=indicators.month_label(period), missing=missing)


# The latest whole month is the school's month; a partial one is chosen only on purpose. The choice survives
# the pupil page and Back.
school_month = coverage.school_month(months, held)
as_of = st.selectbox(S.RISK_AS_OF, list(reversed(months)), format_func=month_option, placeholder=S.CHOOSE_PLACEHOLDER,
                     key=remembered_choice("risk_as_of", months, school_month))
remember_choice("risk_as_of", school_month)
if as_of in held and held[as_of].partial:
    st.warning(plain_format(S.RISK_PARTIAL_MONTH, description=held[as_of].describe()), icon=":material/warning:")
risk = school_risk.school_risk(db, actor, school_code, as_of=as_of, view=visit_id())

if has_classes(actor.role):
    st.caption(plain_format(S.RISK_TEACHER_SCOPE, classes=", ".join(risk.classes)) if risk.classes
               else S.RISK_TEACHER_NO_CLASSES)

pupils = risk.pupils
counts = pupils["level"].value_counts()
for column, level in zip(st.columns(4), indicators.LEVELS, strict=True):
    column.metric(indicators.LEVEL_LABELS[level], int(counts.get(level, 0)))
stale = pupils[pupils["level"] == indicators.STALE]
if not stale.empty:
    st.caption((S.RISK_STALE_ONE if len(stale) == 1 else S.RISK_STALE).format(
        n=len(stale), month=indicators.month_label(risk.as_of)))


def pupil_links(described: dict[str, str]) -> None:
    """Each pupil as a link to the pupil page (a page link keeps the session; a plain URL would not)."""
    if not described:
        st.caption(S.CHANGES_NONE)
    codes = list(described)
    per_column = -(-min(len(codes), 3 * SHOWN_PER_COLUMN) // 3)  # in order down each column, then the next
    for column, chunk in zip(st.columns(3), (codes[i * per_column:(i + 1) * per_column] for i in range(3)),
                             strict=True):
        for code in chunk[:SHOWN_PER_COLUMN]:
            column.page_link(PUPIL_PAGE, label=f"{plain(code)} · {plain(described[code])}",
                             query_params={"alunno": code})
    if len(codes) > 3 * SHOWN_PER_COLUMN:
        st.caption(S.CHANGES_MORE.format(n=len(codes) - 3 * SHOWN_PER_COLUMN))


def due_lines(due: list[reviews.Review], owners: dict) -> dict[str, str]:
    """The follow-ups due, oldest first (a pupil once, at their oldest), each saying in words how late it is."""
    today, lines = clock.local_date(), {}
    for review in due:
        late = review.days_late(today)
        lines.setdefault(review.pupil_code, S.DUE_LINE.format(
            date=f"{review.follow_up_on:%d/%m/%Y}", owner=owners[review.follow_up_owner])
            + (S.DUE_LATE.format(days=S.plural(late, "giorno", "giorni")) if late else S.DUE_TODAY))
    return lines


changes = reviews.changes_since_last_review(db, actor, risk)
with st.container(border=True):
    st.subheader(S.CHANGES_TITLE)
    if changes.last_review_at is None:
        st.caption(S.CHANGES_NO_REVIEW)
    elif changes.since is None:
        st.caption(S.CHANGES_NO_NEW_DATA.format(when=clock.local_datetime(changes.last_review_at)))
    else:
        st.caption(S.CHANGES_SINCE.format(when=clock.local_datetime(changes.last_review_at),
                                          month=indicators.month_name(changes.since)))
    labels = indicators.LEVEL_LABELS
    classes_of = dict(zip(pupils["pupil_code"], pupils["class_name"], strict=True))
    owners = people.names(db, actor, (r.follow_up_owner for r in changes.due))
    groups = {
        S.CHANGES_NEW_HIGH: {p: classes_of[p] for p in changes.new_high},
        S.CHANGES_ROSE: {p: f"{labels[a]} → {labels[b]}" for p, a, b in changes.rose},
        S.CHANGES_FELL: {p: f"{labels[a]} → {labels[b]}" for p, a, b in changes.fell},
        S.CHANGES_DUE: due_lines(changes.due, owners),
    }
    obligation_due = None
    if allowed(actor, Action.FOLLOW_OBLIGATION, SchoolRef(school_code)):
        # The compulsory-education steps due (art. 114): their own page, where the steps are recorded.
        obligation_due = obligation.due(obligation.cases(db, actor, school_code, view=visit_id()))
    titles = [*groups, *([S.OBL_REVIEW_TAB] if obligation_due is not None else [])]
    counts = [len(described) for described in groups.values()]
    counts += [len(obligation_due)] if obligation_due is not None else []
    for column, title, count in zip(st.columns(len(titles)), titles, counts, strict=True):
        column.metric(title, count)
    tabs = st.tabs(titles)
    for tab, described in zip(tabs, groups.values(), strict=False):
        with tab:
            pupil_links(described)
    if obligation_due is not None:
        with tabs[-1]:
            if not obligation_due:
                st.caption(S.OBL_TODO_NONE)
            for case in obligation_due:
                st.markdown(plain_format(S.OBL_TODO_LINE, pupil=case.pupil_code, class_name=case.class_name,
                                         step=case.next_step, due=f"{case.due_on:%d/%m/%Y}")
                            + (S.OBL_TODO_LATE if case.late else ""))
            st.page_link(OBLIGATION_PAGE, label=S.OBL_HOME_LINK, icon=":material/gavel:")

# The same rows as the downloaded files (one function builds both); the page only labels and lays them out.
# Built once per run of the page for every pupil; the filters below only pick rows of it.
listed = risk_export.table(risk, reviews.follow_up_table(db, actor, risk))
listed["livello"] = listed["livello"].map(indicators.LEVEL_LABELS)
if not risk.legal_limit_applies:
    listed = listed.drop(columns="ore_residue")
model = learn.offered_model(db, actor, school_code)
if model is not None:
    listed.insert(listed.columns.get_loc("motivi"), "stima",
                  (100 * learn.estimates(model, pupils)).round(1).to_numpy())
    st.caption(S.MODEL_ON_LIST.format(version=model.document["version"]))
labels = {**risk_export.COLUMNS, "stima": S.MODEL_ESTIMATE}
listed = listed[[c for c in listed.columns if c != "motivi"] + ["motivi"]].rename(columns=labels)
# The grid writes a missing value as the English "None": dates as Italian text, a blank where there is none
# (the "Verifiche da fare" tab above is where the checks come in date order).
for column in (labels[c] for c in ("ultima_revisione", "prossima_verifica", "data_intervento")):
    listed[column] = [f"{pd.Timestamp(d):%d/%m/%Y}" if pd.notna(d) else "" for d in listed[column]]
listed = listed.fillna({c: "" for c in listed.columns if not pd.api.types.is_numeric_dtype(listed[c])})


@st.fragment
def ranked_list(listed: pd.DataFrame, pupils: pd.DataFrame, classes: tuple[str, ...]) -> None:
    """Filters, table and the picked pupil: a filter change or a click in the table reruns only this part,
    over the rows the page already built (nothing is read or scored again)."""
    guard_fragment(actor)
    left, right = st.columns(2)
    level_options = [*indicators.LEVELS, indicators.STALE]
    chosen_classes = left.multiselect(S.FILTER_CLASSES, list(classes), placeholder=S.ALL_CLASSES, select_all=False,
                                      key=remembered("risk_classes", list(classes), []))
    chosen_levels = right.multiselect(S.FILTER_LEVELS, level_options, format_func=indicators.LEVEL_LABELS.get,
                                      placeholder=S.ALL_LEVELS, select_all=False,
                                      key=remembered("risk_levels", level_options, ["alto", "medio"]))
    remember("risk_classes")
    remember("risk_levels")
    selection = risk_export.Selection(tuple(chosen_classes), tuple(chosen_levels))
    keep = risk_export.selected(pupils, selection)
    shown = pupils[keep]
    st.caption(S.RISK_TABLE_HELP)
    formatting.skip_link("dopo-elenco", S.SKIP_RISK_TABLE)  # Tab stops at every column of the table
    table_state = formatting.dataframe(listed[keep], hide_index=True, on_select="rerun", selection_mode="single-row",
                                     key="risk_table",
                                     column_config={labels["motivi"]: st.column_config.TextColumn(width="large")})
    formatting.skip_target("dopo-elenco")
    picked = table_state.selection.rows if table_state else []
    if picked:
        pupil = shown.iloc[picked[0]]
        with st.container(border=True):
            st.markdown(f"**{plain_format(S.RISK_PUPIL, code=pupil['pupil_code'], class_name=pupil['class_name'])}**")
            for reason in pupil["reasons"]:
                st.markdown(f"- {reason}")
            st.page_link(PUPIL_PAGE, label=S.OPEN_PUPIL, icon=":material/person:",
                         query_params={"alunno": pupil["pupil_code"]})
    downloads(selection, shown_count=int(keep.sum()))




def downloads(selection: risk_export.Selection, shown_count: int) -> None:
    """The files follow the filters on screen and say which in their name; the whole school is its own choice."""
    st.markdown(f"**{S.RISK_DOWNLOADS}**")
    st.caption(plain_format(S.RISK_DOWNLOAD_WHAT, what=selection.describe(risk),
                            pupils=S.plural(shown_count, "alunno", "alunni")))
    # Deferred: a file is built (and the read logged) only when its button is pressed.
    stem = selection.file_stem("rischio", risk)
    pack_stem = selection.file_stem("pacchetto", risk)
    # Two by two: four buttons side by side cut their labels on a laptop's screen.
    xlsx_col, csv_col = st.columns(2)
    docx_col, pdf_col = st.columns(2)
    xlsx_col.download_button(S.RISK_DOWNLOAD_XLSX, data=lambda: export("xlsx", selection), file_name=f"{stem}.xlsx",
                             icon=":material/download:", mime=formatting.MIME["xlsx"], disabled=not shown_count)
    csv_col.download_button(S.RISK_DOWNLOAD_CSV, data=lambda: export("csv", selection), file_name=f"{stem}.csv",
                            mime="text/csv", icon=":material/download:", disabled=not shown_count)
    docx_col.download_button(S.PACK_DOWNLOAD_DOCX, data=lambda: pack(selection).docx, file_name=f"{pack_stem}.docx",
                             mime=formatting.MIME["docx"], icon=":material/description:", disabled=not shown_count,
                             help=S.PACK_HELP)
    if pdf_available():
        pdf_col.download_button(S.PACK_DOWNLOAD_PDF, data=lambda: council_pack.council_pack_pdf(pack(selection)),
                                file_name=f"{pack_stem}.pdf", mime="application/pdf", icon=":material/print:",
                                disabled=not shown_count, help=S.PACK_HELP)
    if not selection.whole_school:
        whole = risk_export.Selection()
        st.download_button(S.RISK_DOWNLOAD_WHOLE, data=lambda: export("xlsx", whole),
                           file_name=f"{whole.file_stem('rischio', risk)}.xlsx", mime=formatting.MIME["xlsx"],
                           icon=":material/download:", type="tertiary")
    st.caption(S.RISK_DOWNLOAD_NOTE)


def export(fmt: str, selection: risk_export.Selection) -> bytes:
    return risk_export.export_list(open_db(), actor, school_code, fmt, as_of=as_of, selection=selection)[1]


def pack(selection: risk_export.Selection) -> council_pack.Pack:
    return council_pack.council_pack(open_db(), actor, school_code, selection, as_of=as_of)


ranked_list(listed, pupils, tuple(risk.classes))

if allowed(actor, Action.FOLLOW_UP, SchoolRef(school_code)):
    with st.expander(S.KINDS_TITLE, icon=":material/list:"), st.form("kinds"):
        text = st.text_area(S.KINDS_TITLE, "\n".join(interventions.kinds(db, actor, school_code)), help=S.KINDS_HELP,
                            height=220, label_visibility="collapsed")
        st.caption(S.KINDS_HELP)
        if st.form_submit_button(S.KINDS_SAVE):
            run_action(lambda: interventions.set_kinds(db, actor, school_code, text.splitlines()), S.KINDS_SAVED,
                       rerun=True)

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

if allowed(actor, Action.MANAGE_SCHOOL, SchoolRef(school_code)):
    with st.expander(S.ACCESS_LOG, icon=":material/policy:"):
        log = audit.access_log(db, actor, school_code)
        who = people.names(db, actor, (e["actor"] for e in log))
        formatting.dataframe([{"Quando": clock.local_datetime(e["at"]), "Chi": who[e["actor"]], "Cosa": e["what"],
                               "Dettagli": e["detail"]} for e in log], hide_index=True)
