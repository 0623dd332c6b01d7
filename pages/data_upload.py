"""Carica dati: register exports in, with the column mapping confirmed and a report of every problem."""

import pandas as pd
import streamlit as st

from models.accounts import people
from models.core import clock
from models.core.errors import ApprodoError
from models.core.permissions import Action, SchoolRef, allowed
from models.core.school_year import SchoolYear
from models.pupils import codes, retention, school_calendar, tabular
from models.pupils import importing as pupil_data
from models.risk import indicators
from ui import strings as S
from ui.session import guard_page, run_action, show_flash
from ui.text import plain, plain_format, show_error

ctx = guard_page(__file__)
db, actor = ctx.db, ctx.actor
school_code = actor.school_code

st.title(S.UPLOAD_TITLE)
st.caption(S.UPLOAD_INTRO)
show_flash()

kind = st.radio(S.KIND_CHOICE, list(S.KIND_LABELS), format_func=S.KIND_LABELS.get, horizontal=True)
uploaded = st.file_uploader(S.UPLOAD_FILE, type=["csv", "txt", "xlsx"], key=f"upload_{kind}", help=S.UPLOAD_HELP)

PREVIEW_ROWS = 8


@st.cache_data(scope="session", max_entries=16, show_spinner=False)
def _preview(file_id: str, _data: bytes, name: str, kind: str, sheet: int | None, header_row: int | None):
    # Keyed by the upload's id, not by hashing the bytes; per session (pupil data is never cached globally).
    return tabular.read_table(_data, name, known=pupil_data.known_headers(kind), sheet=sheet, header_row=header_row,
                              max_rows=PREVIEW_ROWS)


def read_preview(data: bytes, name: str, sheet: int | None = None, header_row: int | None = None):
    """Headers and the first rows only, read once per file and choice: a rerun (any widget below) reads nothing
    again, and only the import parses the whole file. Even a preview checks the whole workbook's size first."""
    return _preview(uploaded.file_id, data, name, kind, sheet, header_row)


if uploaded is not None:
    data = uploaded.getvalue()
    # Every choice below is keyed by the file: a second file is read and mapped afresh.
    file_key = f"{kind}_{uploaded.file_id}"
    found = read_preview(data, uploaded.name)  # an unreadable file: app.py shows the Italian reason
    sheet_column, row_column = st.columns(2)
    # Sheet names and title lines are shown masked, as the preview's cells: they may carry a pupil's name.
    names = codes.hide_name_texts(found.sheet_names)
    sheet = sheet_column.selectbox(S.SHEET, range(1, len(names) + 1), index=found.sheet_number - 1,
                                   format_func=lambda n: S.SHEET_LABEL.format(number=n, name=names[n - 1] or "CSV"),
                                   key=f"sheet_{file_key}", disabled=len(names) < 2, placeholder=S.CHOOSE_PLACEHOLDER)
    detected = found if sheet == found.sheet_number else read_preview(data, uploaded.name, sheet)
    header_row = row_column.number_input(S.HEADER_ROW, min_value=1, max_value=tabular.MAX_HEADER_ROW,
                                         value=detected.header_row, step=1, key=f"row_{file_key}_{sheet}")
    table = detected if header_row == detected.header_row else read_preview(data, uploaded.name, sheet,
                                                                              int(header_row))
    sheet_name = codes.hide_name_texts([table.sheet_name])[0] if table.sheet_name else ""
    where = S.TABLE_SHEET.format(name=sheet_name) if sheet_name else S.TABLE_CSV.format(
        encoding=table.encoding, separator={"\t": "tab"}.get(table.separator, table.separator))
    st.caption(plain_format(S.TABLE_FOUND, where=where, row=table.header_row,
                            how=S.TABLE_FOUND_AUTO if table.found_header else S.TABLE_FOUND_CHOSEN))
    if table.title_lines:
        st.caption(plain_format(S.TABLE_TITLES, lines=" · ".join(codes.hide_name_texts(table.title_lines))[:300]))
    # Shown before any check: a cell that could hold a name never reaches the page.
    st.caption(S.PREVIEW_HIDDEN)
    st.dataframe(codes.hide_names(table.frame, keep=pupil_data.REGISTER_WORDS), key=f"preview_{file_key}")
    layout = pupil_data.layout_of(table.headers) if kind == "attendance" else kind
    if layout == "events":
        st.info(S.EVENTS_LAYOUT, icon=":material/event_note:")

    st.subheader(S.MAPPING_TITLE)
    st.caption(S.MAPPING_HELP)
    saved = pupil_data.presets(db, actor, school_code, layout, table.headers)
    if any(n.endswith(")") for n in saved):
        st.info(S.PRESET_SHARED, icon=":material/share:")
    preset = st.selectbox(S.PRESET, [None, *saved], format_func=lambda n: S.PRESET_NONE if n is None else n,
                          key=f"preset_{file_key}", placeholder=S.CHOOSE_PLACEHOLDER)
    proposal = saved[preset] if preset else pupil_data.guess_mapping(layout, table.headers)
    options = [None, *table.headers]
    mapping = {}
    columns = st.columns(3)
    for index, field in enumerate(pupil_data.FIELDS[layout]):
        current = proposal.get(field.name)
        chosen = columns[index % 3].selectbox(
            field.label + (" *" if field.required else ""), options,
            index=options.index(current) if current in options else 0,
            format_func=lambda h: S.NOT_MAPPED if h is None else h,
            key=f"map_{file_key}_{sheet}_{table.header_row}_{field.name}_{preset}", placeholder=S.CHOOSE_PLACEHOLDER)
        if chosen:
            mapping[field.name] = chosen
    with st.expander(S.SAVE_PRESET):
        name = st.text_input(S.PRESET_NAME, max_chars=60)
        if st.button(S.SAVE_PRESET):
            run_action(lambda: pupil_data.save_preset(db, actor, school_code, layout, name, mapping, table.headers),
                       S.PRESET_SAVED.format(name=name.strip()))

    pseudonymise = st.checkbox(S.PSEUDONYMISE, help=S.PSEUDONYMISE_HELP, key=f"pseudo_{file_key}")
    check_column, import_column = st.columns(2)
    dry_run = check_column.button(S.CHECK, icon=":material/fact_check:")
    run_import = import_column.button(S.IMPORT, type="primary", icon=":material/upload:")
    # A file that would replace a class's month with far fewer rows waits for a second, explicit yes.
    confirm_key = f"confirm_{file_key}"
    confirmed = False
    if st.session_state.get(confirm_key):
        st.warning(plain(st.session_state[confirm_key]))
        if st.button(S.CONFIRM_REPLACE, type="primary"):
            run_import = confirmed = True
            st.session_state[confirm_key] = None
    if dry_run or run_import:
        importer = pupil_data.IMPORTERS[kind]
        options = {"sheet": sheet, "header_row": int(header_row), "pseudonymise": pseudonymise}
        bar = None
        try:
            if kind == "attendance" and run_import:
                bar = st.progress(0.0, text=S.IMPORTING)
                summary = importer(db, actor, school_code, data, uploaded.name, mapping, replace_larger=confirmed,
                                   progress=lambda share, label: bar.progress(min(share, 1.0), text=label), **options)
            else:
                summary = importer(db, actor, school_code, data, uploaded.name, mapping, dry_run=dry_run, **options)
            st.success(plain(summary.message()))
            if summary.key_file and not summary.dry_run:
                st.download_button(S.KEY_DOWNLOAD, summary.key_file,
                                   file_name=pupil_data.export_name("chiave", uploaded.name), mime="text/csv",
                                   on_click="ignore", icon=":material/key:")
        except pupil_data.NeedsConfirmation as asked:
            st.session_state[confirm_key] = S.REPLACE_WARNING.format(reason=asked.message)
            st.rerun()
        except pupil_data.ImportRejected as rejected:
            show_error(rejected)
            st.dataframe(pd.DataFrame(rejected.report.as_rows()), hide_index=True)
            st.download_button(S.REPORT_DOWNLOAD, rejected.report.to_csv(),
                               file_name=pupil_data.export_name("problemi", uploaded.name), mime="text/csv")
        except ApprodoError as error:
            show_error(error)
        finally:
            if bar is not None:  # a bar left at «Controllo delle righe» would look like an import still running
                bar.empty()

if kind == "attendance":
    # Open or closed as the user left them (in the session): a save reruns the page with its message above, and
    # a panel without a key would come back closed, the saved week out of sight.
    with st.expander(S.CLASS_HOURS_TITLE, icon=":material/schedule:", key="class_hours_open", on_change="rerun"):
        weeks = school_calendar.school_weeks(db, actor, school_code)
        st.caption(S.CLASS_HOURS_HELP.format(week=weeks.default.text(), hours=indicators.hours(weeks.default.weekly)))
        st.dataframe(pd.DataFrame(
            [{S.CLASS_NAME: S.WHOLE_SCHOOL, S.WEEK_DAYS: weeks.default.text(), S.WEEKLY_HOURS: weeks.default.weekly}]
            + [{S.CLASS_NAME: name, S.WEEK_DAYS: week.text(), S.WEEKLY_HOURS: week.weekly}
               for name, week in weeks.classes]), hide_index=True)
        with st.form("class_hours"):
            class_name = st.text_input(S.CLASS_NAME, max_chars=40, help=S.CLASS_NAME_HELP)
            day_columns = st.columns(6)
            day_hours = [column.number_input(label, min_value=0.0, max_value=float(school_calendar.MAX_DAY_HOURS),
                                             value=hours, step=1.0)
                         for column, label, hours in zip(day_columns, S.WEEKDAY_SHORT, weeks.default.hours,
                                                         strict=True)]
            save_column, reset_column = st.columns(2)
            if save_column.form_submit_button(S.SAVE):
                run_action(lambda: school_calendar.set_week(db, actor, school_code, class_name,
                                                            school_calendar.Week.of(tuple(day_hours))),
                           S.CLASS_HOURS_SAVED, rerun=True)
            if reset_column.form_submit_button(S.CLASS_HOURS_RESET):
                run_action(lambda: school_calendar.set_week(db, actor, school_code, class_name, None),
                           S.CLASS_HOURS_SAVED, rerun=True)
    with st.expander(S.SCHOOL_CALENDAR_TITLE, icon=":material/calendar_month:", key="school_calendar_open",
                     on_change="rerun"):
        st.caption(S.SCHOOL_CALENDAR_HELP)
        local = school_calendar.school_local_calendar(db, actor, school_code)
        with st.form("school_calendar"):
            rite = st.radio(S.RITE, list(school_calendar.RITES), format_func=school_calendar.RITES.get,
                            index=list(school_calendar.RITES).index(local.rite), horizontal=True, help=S.RITE_HELP)
            closed = st.text_area(S.CLOSED_DAYS, school_calendar.local_calendar_text(local.closed),
                                  help=S.DAYS_FORMAT_HELP)
            opened = st.text_area(S.OPENED_DAYS, school_calendar.local_calendar_text(local.opened),
                                  help=S.DAYS_FORMAT_HELP)
            if st.form_submit_button(S.SAVE):
                run_action(lambda: school_calendar.set_school_calendar(db, actor, school_code, rite=rite, closed=closed,
                                                                       opened=opened),
                           S.SCHOOL_CALENDAR_SAVED, rerun=True)

held = pupil_data.month_classes(db, actor, school_code)
if held:
    st.subheader(S.MONTHS_HELD_TITLE)
    st.caption(S.MONTHS_HELD_HELP)
    st.dataframe(pd.DataFrame({S.MONTHS_HELD_MONTH: [indicators.month_label(m.period) for m in held],
                               S.MONTHS_HELD_CLASSES: [", ".join(m.classes) for m in held],
                               S.MONTHS_HELD_MISSING: [", ".join(m.missing) or S.MONTHS_HELD_WHOLE for m in held]}),
                 hide_index=True, key="months_held")

st.subheader(S.HISTORY_TITLE)
history = pupil_data.list_imports(db, actor, school_code)
if not history:
    st.caption(S.NONE_YET)
else:
    who = people.names(db, actor, (h["imported_by"] for h in history))
    shown = pd.DataFrame([{
        "N.": h["id"], "Tipo": S.KIND_LABELS[h["kind"]], "File": h["label"], "Impronta": h["file_name"],
        "Righe": h["rows"],
        "Righe ancora in uso": h["rows_now"], "Mesi": h["detail"], "Chi": who[h["imported_by"]],
        "Quando": clock.local_datetime(h["imported_at"])} for h in history])
    selection = st.dataframe(shown, hide_index=True, on_select="rerun", selection_mode="single-row", key="history")
    picked = selection.selection.rows if selection else []
    if picked and st.button(S.DELETE_IMPORT, icon=":material/delete:"):
        run_action(lambda: pupil_data.delete_import(db, actor, school_code, int(shown.iloc[picked[0]]["N."])),
                   lambda removed: S.IMPORT_DELETED.format(rows=removed))

if allowed(actor, Action.MANAGE_SCHOOL, SchoolRef(school_code)):
    st.subheader(S.RETENTION_TITLE)
    current = retention.retention_years(db, actor, school_code)
    st.caption(S.RETENTION_HELP.format(school=school_code, year=retention.earliest_kept(current, SchoolYear.current())))
    with st.form("retention"):
        years = st.number_input(S.RETENTION_YEARS, min_value=retention.MIN_YEARS, max_value=retention.MAX_YEARS,
                                value=current, step=1)
        if st.form_submit_button(S.RETENTION_SAVE):
            run_action(lambda: retention.set_retention_years(db, actor, school_code, int(years)), S.RETENTION_SAVED,
                       rerun=True)
