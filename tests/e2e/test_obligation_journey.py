"""The compulsory-education duty in a real browser: the funzione sets class 1B to Monday–Saturday (five hours a
day) and uploads the register's day-by-day export, whose Saturdays make the case; the dirigente sees the case
on the home page and records the family notice sent by raccomandata with the date
of the return card; seven days after that receipt (not after the sending), without new attendance data, the
mayor step is due. The app's clock is fixed (an offset to a day of 2025/26), so the journey never depends on
the day it runs."""

import re
import sqlite3
from datetime import date, timedelta

from playwright.sync_api import expect

from models.core import clock
from models.core.school_year import SchoolYear
from models.demo import demo
from models.obligation import rule
from models.pupils import school_calendar
from tests.e2e.conftest import Server, choose, log_in, rerun, screenshot, wait_idle

PUPIL = "E2EOBB01"
MON_SAT = school_calendar.Week.even(30, 6)  # class 1B: five hours a day, Monday to Saturday
TODAY = date(2026, 5, 15)  # the app's day: a Friday of 2025/26, its three weeks before after the demo's months


def offset(day: date) -> dict[str, str]:
    """The server's clock moved to `day` (the app reads the offset; the test computes with the same days)."""
    return {clock.OFFSET_ENV: str((day - clock.local_date()).days)}


def type_date(form, label: str, day: date) -> None:
    """Streamlit's date field is three spin buttons (day, month, year), named in the page's language (it is
    served as lang=it: «giorno, Data»): typed as a person types."""
    form.get_by_role("spinbutton", name=f"giorno, {label}", exact=True).click()
    form.page.keyboard.type(f"{day:%d%m%Y}")


def last_school_days(db_file, n: int, today: date, week) -> tuple[list, date]:
    """The `n` latest days of lessons of `week` before `today`, by the regional calendar the app uses, and the
    first day of lessons of that school year."""
    import sqlite_utils

    db = sqlite_utils.Database(sqlite3.connect(db_file))
    calendars = {}

    def calendar(year):
        if year not in calendars:
            try:
                calendars[year] = school_calendar.calendar_for(db, year)
            except Exception:  # no calendar for that year: no lessons
                calendars[year] = None
        return calendars[year]

    days, day = [], today - timedelta(days=1)
    while len(days) < n:
        if rule.is_school_day(day, calendar, week):
            days.append(day)
        day -= timedelta(days=1)
    return sorted(days), calendar(SchoolYear.containing(today)).first_day


def logout(page) -> None:
    with rerun(page):
        page.get_by_role("button", name="Esci").click()
    expect(page.get_by_role("button", name="Accedi")).to_be_visible()


def test_case_from_the_register_family_notice_then_the_mayor_step_after_seven_days(tmp_path, page):
    server = Server(tmp_path, env=offset(TODAY))
    try:
        days, first_lesson = last_school_days(server.db, 16, TODAY - timedelta(days=4), MON_SAT)  # Monday's export
        assert rule.first_case(days) is not None  # sixteen days within three months: a case
        assert rule.first_case(d for d in days if d.weekday() < 5) is None  # in a Monday–Friday class, none
        lines = ["Codice alunno;Classe;Data;Codice evento;Ore;Giustificata;Motivo"]
        lines += [f"{PUPIL};1B;{d:%d/%m/%Y};ABA0;;NO;" for d in days]
        lines += [f"E2EOBB02;1B;{d:%d/%m/%Y};ABA0;;SI;Motivi di salute" for d in days]  # justified: no case
        export = tmp_path / "registro_giorno_per_giorno.csv"
        export.write_text("\n".join(lines), encoding="utf-8")

        # The funzione strumentale sets class 1B to Monday–Saturday, then uploads the export.
        log_in(page, server.url, "funzione", demo.DEMO_PASSWORD)
        with rerun(page):
            page.get_by_role("link", name="Carica dati").first.click()
        main = page.locator("[data-testid='stMain']")
        with rerun(page):  # the panel keeps its state in the session: opening it reruns the page
            page.get_by_text("Settimana della scuola e delle classi").click()
        week_form = page.locator("[data-testid='stForm']").filter(has_text="Lun")
        week_form.get_by_role("textbox", name="Classe").fill("1B")
        for day in ("Lun", "Mar", "Mer", "Gio", "Ven", "Sab"):
            week_form.get_by_role("spinbutton", name=day, exact=True).fill("5")
        with rerun(page):
            week_form.get_by_role("button", name="Salva", exact=True).click()
        expect(main).to_contain_text("Settimana salvata")  # (the case below needs its Saturdays)
        expect(week_form.get_by_role("button", name="Salva", exact=True)).to_be_visible()  # still open after it
        with rerun(page):
            page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(export))
        with rerun(page):
            page.get_by_role("button", name="Importa", exact=True).click()
        expect(main).to_contain_text("Importazione riuscita", timeout=60_000)
        logout(page)

        # The dirigente sees the case on the home page and records the family notice.
        log_in(page, server.url, "dirigente", demo.DEMO_PASSWORD)
        expect(main).to_contain_text("Obbligo scolastico: passi da fare")
        expect(main).to_contain_text(f"{PUPIL} (classe 1B) · Informare la famiglia")
        expect(main).not_to_contain_text("E2EOBB02")
        with rerun(page):
            page.get_by_role("link", name="Apri Obbligo scolastico").click()
        expect(page.locator("h1")).to_have_text("Obbligo scolastico")
        choose(page, "Scheda del caso", PUPIL)
        start = max(rule.window_start(days[-1]), first_lesson)  # the three months ending on the sixteenth day
        expect(main).to_contain_text(
            f"16 giorni di assenza non giustificati dal {start:%d/%m/%Y} al {days[-1]:%d/%m/%Y}")
        with rerun(page):
            page.get_by_role("button", name="Registra la comunicazione alla famiglia").click()
        expect(main).to_contain_text("Scrivi il numero di protocollo.")  # Italian validation, nothing recorded
        # Sent by raccomandata on Tuesday; the return card says the family received it on Thursday.
        family = page.locator("[data-testid='stForm']").filter(has_text="Numero di protocollo")
        sent, received = TODAY - timedelta(days=3), TODAY - timedelta(days=1)
        type_date(family, "Data", sent)
        type_date(family, "Data di ricevimento (se nota)", received)
        family.get_by_role("textbox", name="Numero di protocollo").fill("312/2026")
        choose(page, "Come è stata inviata", "Raccomandata A/R")
        expect(family.get_by_role("group", name="Data di ricevimento (se nota)")).to_contain_text(
            f"{received:%d/%m/%Y}")
        with rerun(page):
            page.get_by_role("button", name="Registra la comunicazione alla famiglia").click()
        expect(main).to_contain_text("Passo registrato.")
        # The case stays open on its new step: nothing to choose again.
        expect(page.get_by_role("combobox", name="Scheda del caso")).to_have_value(re.compile(PUPIL))
        deadline = received + timedelta(days=7)  # from the receipt: the sending + 7 would be two days earlier
        expect(main).to_contain_text(f"inviata il {sent:%d/%m/%Y} (prot. 312/2026, Raccomandata A/R), "
                                     f"ricevuta il {received:%d/%m/%Y}; sette giorni fino al {deadline:%d/%m/%Y}")
        expect(main).to_contain_text("La segnalazione al sindaco si registra dalla fine dei sette giorni")
        page.set_viewport_size({"width": 1280, "height": 2600})  # the whole page: Streamlit scrolls inside it
        wait_idle(page)
        screenshot(page, "obbligo_famiglia_informata")
        page.set_viewport_size({"width": 1280, "height": 900})
    finally:
        server.stop()

    # Seven days after the receipt, without new attendance data: the mayor step is due from that day.
    later = Server(tmp_path, env=offset(deadline))
    try:
        log_in(page, later.url, "dirigente", demo.DEMO_PASSWORD)
        main = page.locator("[data-testid='stMain']")
        expect(main).to_contain_text(f"{PUPIL} (classe 1B) · Segnalare al sindaco · dal {deadline:%d/%m/%Y}")
        with rerun(page):
            page.get_by_role("link", name="Apri Obbligo scolastico").click()
        expect(main).to_contain_text(f"{PUPIL} (classe 1B) · Segnalare al sindaco")
        choose(page, "Scheda del caso", PUPIL)
        expect(main).to_contain_text("Segnalazione al sindaco")
        expect(main).not_to_contain_text("La segnalazione al sindaco si registra dalla fine")
        page.set_viewport_size({"width": 1280, "height": 2600})
        wait_idle(page)
        screenshot(page, "obbligo_sindaco_da_segnalare")
    finally:
        later.stop()
