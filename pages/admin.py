"""Administration: networks, schools, users and the audit log."""

import streamlit as st

from models.accounts import auth, people, schools
from models.core import audit, clock
from models.core.errors import ApprodoError
from models.core.permissions import ROLE_LABELS, Role, has_classes
from models.core.school_year import SchoolYear
from models.notify import mail
from models.pupils import school_calendar
from models.risk import school_risk
from ui import strings as S
from ui.session import form_key, guard_page, run_action, show_flash
from ui.text import plain_format, show_error

ctx = guard_page(__file__)
db, actor = ctx.db, ctx.actor
C = S.COLUMNS

st.title(S.ADMIN_TITLE)
show_flash()
tab_networks, tab_schools, tab_users, tab_calendar, tab_mail, tab_audit = st.tabs(
    [S.TAB_NETWORKS, S.TAB_SCHOOLS, S.TAB_USERS, S.TAB_CALENDAR, S.TAB_MAIL, S.TAB_AUDIT]
)


with tab_networks:
    with st.expander(S.ADD_NETWORK, icon=":material/add:"):
        with st.form(form_key("add_network")):
            code = st.text_input(S.CODE, max_chars=30).strip().upper()
            name = st.text_input(S.NAME, max_chars=200)
            if st.form_submit_button(S.CREATE):
                run_action(
                    lambda: schools.create_network(db, actor, code, name),
                    S.NETWORK_CREATED.format(code=code), rerun=True, clears="add_network",
                )
    networks = schools.list_networks(db, actor)
    st.dataframe(
        [{C["code"]: n.code, C["name"]: n.name} for n in networks], hide_index=True
    )

with tab_schools:
    with st.expander(S.ADD_SCHOOL, icon=":material/add:"):
        if not networks:
            st.info(S.NO_NETWORK_YET)
        else:
            with st.form(form_key("add_school")):
                code = st.text_input(S.CODE, max_chars=10).strip().upper()
                name = st.text_input(S.NAME, max_chars=200)
                network = st.selectbox(S.NETWORK, networks, format_func=lambda n: n.name,
                                       placeholder=S.CHOOSE_PLACEHOLDER)
                level = st.selectbox(
                    S.LEVEL, list(schools.Level), format_func=lambda lv: schools.LEVEL_LABELS[lv],
                    placeholder=S.CHOOSE_PLACEHOLDER,
                )
                hours = st.number_input(S.ANNUAL_HOURS, min_value=0, max_value=2000, value=0)
                comune = st.text_input(S.COMUNE, max_chars=100)
                dirigente = st.text_input(S.DIRIGENTE, max_chars=100)
                if st.form_submit_button(S.CREATE):
                    run_action(
                        lambda: schools.create_school(
                            db, actor, code, name, network.code, level.value,
                            annual_hours=int(hours) or None, comune=comune, dirigente_name=dirigente,
                        ),
                        S.SCHOOL_CREATED.format(code=code), rerun=True, clears="add_school",
                    )
    all_schools = schools.list_schools(db, actor)
    st.dataframe(
        [
            {
                C["code"]: s.code,
                C["name"]: s.name,
                C["network"]: s.network_name,
                C["level"]: s.level_label,
                C["annual_hours"]: s.effective_annual_hours,
                C["comune"]: s.comune,
                C["dirigente"]: s.dirigente_name,
            }
            for s in all_schools
        ],
        hide_index=True,
    )

with tab_users:
    with st.expander(S.ADD_USER, icon=":material/person_add:"):
        with st.form(form_key("add_user")):
            username = st.text_input(S.USERNAME, max_chars=40)
            full_name = st.text_input(S.FULL_NAME, max_chars=200)
            email = st.text_input(S.EMAIL, max_chars=254, help=S.EMAIL_HELP)
            role = st.selectbox(S.ROLE, list(Role), format_func=lambda r: ROLE_LABELS[r],
                                placeholder=S.CHOOSE_PLACEHOLDER)
            school = st.selectbox(
                S.SCHOOL, [None, *all_schools],
                format_func=lambda s: "—" if s is None else f"{s.name} ({s.code})",
                placeholder=S.CHOOSE_PLACEHOLDER,
            )
            network = st.selectbox(
                S.NETWORK, [None, *networks], format_func=lambda n: "—" if n is None else n.name,
                placeholder=S.CHOOSE_PLACEHOLDER,
            )
            password = st.text_input(S.INITIAL_PASSWORD, type="password")
            if st.form_submit_button(S.CREATE):
                run_action(
                    lambda: auth.create_user(
                        db, actor, username, password, role.value,
                        school_code=school.code if school else None,
                        network_code=network.code if network else None,
                        full_name=full_name, email=email,
                    ),
                    S.USER_CREATED.format(username=username.strip().lower()), rerun=True, clears="add_user",
                )

    users = auth.list_users(db, actor)
    with st.expander(S.MANAGE_USER, icon=":material/manage_accounts:"):
        chosen = st.selectbox(S.USERNAME, users, format_func=lambda u: people.labelled(u.full_name, u.username),
                              placeholder=S.CHOOSE_PLACEHOLDER)
        if chosen is not None:
            left, middle, right = st.columns(3)
            if chosen.active and left.button(S.DEACTIVATE):
                run_action(lambda: auth.set_active(db, actor, chosen.username, False),
                        S.USER_DEACTIVATED.format(username=chosen.username))
            if not chosen.active and left.button(S.ACTIVATE):
                run_action(lambda: auth.set_active(db, actor, chosen.username, True),
                        S.USER_ACTIVATED.format(username=chosen.username))
            if middle.button(S.UNLOCK):
                run_action(lambda: auth.unlock(db, actor, chosen.username),
                        S.USER_UNLOCKED.format(username=chosen.username))
            with right.form(form_key("set_password")):
                new_password = st.text_input(S.NEW_PASSWORD, type="password")
                if st.form_submit_button(S.SET_PASSWORD):
                    run_action(lambda: auth.set_password(db, actor, chosen.username, new_password),
                               S.PASSWORD_SET.format(username=chosen.username), clears="set_password")
            with st.form("set_email"):
                new_email = st.text_input(S.EMAIL, value=chosen.email or "", max_chars=254, help=S.EMAIL_HELP,
                                          key=f"user_email_{chosen.username}")
                if st.form_submit_button(S.SAVE_EMAIL):
                    run_action(lambda: auth.set_email(db, actor, chosen.username, new_email),
                               S.EMAIL_SET.format(username=chosen.username))
            if has_classes(chosen.role):
                with st.form("teacher_classes"):
                    current = ", ".join(school_risk.classes_of(db, chosen.username))
                    classes = st.text_input(S.TEACHER_CLASSES, value=current, max_chars=300)
                    if st.form_submit_button(S.SAVE):
                        run_action(lambda: school_risk.assign_classes(db, actor, chosen.username, classes.split(",")),
                                   S.CLASSES_SAVED.format(username=chosen.username))
        users = auth.list_users(db, actor)

    now = clock.utcnow()

    def status(user: auth.User) -> str:
        if not user.active:
            return S.STATUS_INACTIVE
        if user.locked_until and clock.from_text(user.locked_until) > now:
            return S.STATUS_LOCKED
        return S.STATUS_ACTIVE

    st.dataframe(
        [
            {
                C["username"]: u.username,
                C["full_name"]: u.full_name,
                C["role"]: ROLE_LABELS[u.role],
                C["school"]: u.school_code or "",
                C["network"]: u.network_code or "",
                C["email"]: u.email or "",
                C["status"]: status(u),
            }
            for u in users
        ],
        hide_index=True,
    )

with tab_audit:
    log = audit.recent(db, actor)
    who = people.names(db, actor, (entry["actor"] for entry in log))
    st.dataframe(
        [
            {
                C["at"]: clock.local_datetime(entry["at"]),
                C["actor"]: who[entry["actor"]],
                C["action"]: entry["action"],
                C["target"]: entry["target"],
                C["school"]: entry["school_code"] or "",
                C["detail"]: entry["detail"],
            }
            for entry in log
        ],
        hide_index=True,
    )

with tab_calendar:
    st.caption(S.CALENDAR_HELP)
    now = SchoolYear.current()
    years = sorted({*school_calendar.shipped_years(), str(now), str(SchoolYear(now.start + 1))})
    year = st.selectbox(S.CALENDAR_YEAR, years, index=years.index(str(now)), placeholder=S.CHOOSE_PLACEHOLDER)
    try:
        shown = school_calendar.calendar_for(db, year)
    except ApprodoError as error:
        show_error(error, kind="info")
        shown = None
    if shown is not None:
        st.caption(S.CALENDAR_EDITED if shown.edited else S.CALENDAR_SHIPPED)
    with st.form(f"calendar_{year}"):
        first = st.text_input(S.CALENDAR_FIRST, value=f"{shown.first_day:%d/%m/%Y}" if shown else "")
        last = st.text_input(S.CALENDAR_LAST, value=f"{shown.last_day:%d/%m/%Y}" if shown else "")
        holidays = st.text_area(S.CALENDAR_HOLIDAYS, value=school_calendar.holidays_text(shown) if shown else "",
                                height=220)
        if st.form_submit_button(S.SAVE):
            run_action(lambda: school_calendar.set_calendar(db, actor, year, first, last, holidays),
                       S.CALENDAR_SAVED.format(year=year))

with tab_mail:
    # The server the reminders go out through (cli.py notify, from cron): the password stays in the environment.
    st.caption(S.MAIL_HELP.format(env=mail.PASSWORD_ENV))
    current = mail.settings(db)
    with st.form("mail_server"):
        left, right = st.columns([3, 1])
        host = left.text_input(S.MAIL_HOST, value=current.host if current else "")
        port = right.number_input(S.MAIL_PORT, min_value=1, max_value=65535, value=current.port if current else 587)
        starttls = st.checkbox(S.MAIL_STARTTLS, value=current.starttls if current else True)
        left, right = st.columns(2)
        username = left.text_input(S.MAIL_USER, value=current.username if current else "")
        sender = right.text_input(S.MAIL_SENDER, value=current.sender if current else "")
        app_url = st.text_input(S.MAIL_APP_URL, value=current.app_url if current else "")
        if st.form_submit_button(S.SAVE):
            run_action(lambda: mail.set_settings(db, actor, host=host, port=int(port), starttls=starttls,
                                                 username=username, sender=sender, app_url=app_url), S.MAIL_SAVED)
    st.subheader(S.MAIL_BOUNCED)
    refused = mail.bounced(db, actor)
    if not refused:
        st.caption(S.MAIL_BOUNCED_NONE)
    for row in refused:
        left, right = st.columns([4, 1])
        left.markdown(plain_format(S.MAIL_BOUNCED_LINE, username=row["username"], email=row["email"] or "",
                                   when=clock.local_datetime(row["bounced_at"]), why=row["bounce_reason"] or ""))
        if right.button(S.MAIL_BOUNCE_CLEAR, key=f"bounce_{row['username']}"):
            run_action(lambda username=row["username"]: mail.clear_bounce(db, actor, username), S.MAIL_CLEARED,
                       rerun=True)
