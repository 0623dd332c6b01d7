"""Carica dati: register exports in, with the column mapping confirmed and a report of every problem."""

import pandas as pd
import streamlit as st

from models import clock, people, pupil_data, retention, tabular
from models.errors import ApprodoError
from models.permissions import can_manage_school
from models.school_year import SchoolYear
from ui import strings as S
from ui.session import guard_page, run_action, show_flash
from ui.text import plain, plain_format

ctx = guard_page(__file__)
db, actor = ctx.db, ctx.actor
school_code = actor.school_code

st.title(S.UPLOAD_TITLE)
st.caption(S.UPLOAD_INTRO)
show_flash()

kind = st.radio(S.KIND_CHOICE, list(S.KIND_LABELS), format_func=S.KIND_LABELS.get, horizontal=True)
uploaded = st.file_uploader(S.UPLOAD_FILE, type=["csv", "txt", "xlsx"], key=f"upload_{kind}", help=S.UPLOAD_HELP)

if uploaded is not None:
    data = uploaded.getvalue()
    try:
        table = tabular.read_table(data, uploaded.name)
    except ApprodoError as error:
        st.error(plain(error.message))
        st.stop()
    st.caption(plain_format(S.FILE_INFO, rows=len(table.frame), encoding=table.encoding,
                            separator={"\t": "tab"}.get(table.separator, table.separator or "—")))

    st.subheader(S.MAPPING_TITLE)
    st.caption(S.MAPPING_HELP)
    saved = pupil_data.presets(db, actor, school_code, kind)
    preset = st.selectbox(S.PRESET, [None, *saved], format_func=lambda n: S.PRESET_NONE if n is None else n,
                          placeholder=S.CHOOSE_PLACEHOLDER)
    proposal = saved[preset] if preset else pupil_data.guess_mapping(kind, table.headers)
    options = [None, *table.headers]
    mapping = {}
    columns = st.columns(3)
    for index, field in enumerate(pupil_data.FIELDS[kind]):
        current = proposal.get(field.name)
        chosen = columns[index % 3].selectbox(
            field.label + (" *" if field.required else ""), options,
            index=options.index(current) if current in options else 0,
            format_func=lambda h: S.NOT_MAPPED if h is None else h, key=f"map_{kind}_{field.name}_{preset}",
            placeholder=S.CHOOSE_PLACEHOLDER)
        if chosen:
            mapping[field.name] = chosen
    with st.expander(S.SAVE_PRESET):
        name = st.text_input(S.PRESET_NAME, max_chars=60)
        if st.button(S.SAVE_PRESET):
            try:
                pupil_data.save_preset(db, actor, school_code, kind, name, mapping)
                st.success(plain_format(S.PRESET_SAVED, name=name.strip()))
            except ApprodoError as error:
                st.error(plain(error.message))

    check_column, import_column = st.columns(2)
    dry_run = check_column.button(S.CHECK, icon=":material/fact_check:")
    run_import = import_column.button(S.IMPORT, type="primary", icon=":material/upload:")
    # A small file that would replace a month holding many more rows waits for a second, explicit yes.
    confirm_key = f"confirm_{kind}_{uploaded.file_id}"
    confirmed = False
    if st.session_state.get(confirm_key):
        st.warning(plain(st.session_state[confirm_key]))
        if st.button(S.CONFIRM_REPLACE, type="primary"):
            run_import = confirmed = True
            st.session_state[confirm_key] = None
    if dry_run or run_import:
        importer = pupil_data.IMPORTERS[kind]
        try:
            if kind == "attendance" and run_import and not confirmed:
                check = importer(db, actor, school_code, data, uploaded.name, mapping, dry_run=True)
                if check.replaced_rows > check.rows:
                    st.session_state[confirm_key] = S.REPLACE_WARNING.format(
                        rows=check.rows, replaced=check.replaced_rows)
                    st.rerun()
            if kind == "attendance" and run_import:
                bar = st.progress(0.0, text=S.IMPORTING)
                summary = importer(db, actor, school_code, data, uploaded.name, mapping,
                                   progress=lambda share, label: bar.progress(min(share, 1.0), text=label))
            else:
                summary = importer(db, actor, school_code, data, uploaded.name, mapping, dry_run=dry_run)
            st.success(plain(summary.message()))
        except pupil_data.ImportRejected as rejected:
            st.error(plain(rejected.message))
            st.dataframe(pd.DataFrame(rejected.report.as_rows()), hide_index=True)
            st.download_button(S.REPORT_DOWNLOAD, rejected.report.to_csv(),
                               file_name=f"problemi_{uploaded.name}.csv", mime="text/csv")
        except ApprodoError as error:
            st.error(plain(error.message))

st.subheader(S.HISTORY_TITLE)
history = pupil_data.list_imports(db, actor, school_code)
if not history:
    st.caption(S.NONE_YET)
else:
    who = people.names(db, actor, (h["imported_by"] for h in history))
    shown = pd.DataFrame([{
        "N.": h["id"], "Tipo": S.KIND_LABELS[h["kind"]], "File": h["file_name"], "Righe": h["rows"],
        "Righe ancora in uso": h["rows_now"], "Mesi": h["detail"], "Chi": who[h["imported_by"]],
        "Quando": clock.local_datetime(h["imported_at"])} for h in history])
    selection = st.dataframe(shown, hide_index=True, on_select="rerun", selection_mode="single-row", key="history")
    picked = selection.selection.rows if selection else []
    if picked and st.button(S.DELETE_IMPORT, icon=":material/delete:"):
        try:
            removed = pupil_data.delete_import(db, actor, school_code, int(shown.iloc[picked[0]]["N."]))
            st.success(S.IMPORT_DELETED.format(rows=removed))
        except ApprodoError as error:
            st.error(plain(error.message))

if can_manage_school(actor, school_code):
    st.subheader(S.RETENTION_TITLE)
    current = retention.retention_years(db, actor, school_code)
    st.caption(S.RETENTION_HELP.format(school=school_code, year=retention.earliest_kept(current, SchoolYear.current())))
    with st.form("retention"):
        years = st.number_input(S.RETENTION_YEARS, min_value=retention.MIN_YEARS, max_value=retention.MAX_YEARS,
                                value=current, step=1)
        if st.form_submit_button(S.RETENTION_SAVE):
            run_action(lambda: retention.set_retention_years(db, actor, school_code, int(years)), S.RETENTION_SAVED,
                       rerun=True)
