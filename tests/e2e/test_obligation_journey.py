"""The compulsory-education duty in a real browser: the funzione uploads the register's day-by-day export, the
dirigente sees the case on the home page and records the family notice; seven days on, without new
attendance data, the mayor step is due."""

import re
import sqlite3
from datetime import date, datetime, timedelta

from playwright.sync_api import expect

from models.core import clock
from models.demo import demo
from models.obligation import rule
from models.pupils import school_calendar
from tests.e2e.conftest import Server, choose, log_in, screenshot, wait_idle

PUPIL = "E2EOBB01"
# A Wednesday of the demo's school year (2025/26, data up to February), five weeks after the Carnival break.
TODAY = date(2026, 3, 25)


def last_school_days(db_file, n: int) -> list:
    """The `n` latest weekdays of lessons before today, by the regional calendar the app uses."""
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

    days, day = [], clock.local_date() - timedelta(days=1)
    while len(days) < n and day > clock.local_date() - timedelta(days=200):
        if rule.is_school_day(day, calendar, school_calendar.Week.even(30, 5)):
            days.append(day)
        day -= timedelta(days=1)
    return sorted(days)


def logout(page) -> None:
    page.get_by_role("button", name="Esci").click()
    wait_idle(page)
    expect(page.get_by_role("button", name="Accedi")).to_be_visible()


def offset_to(day: date) -> str:
    """The clock offset (APPRODO_CLOCK_OFFSET_DAYS) that makes today `day` in Italy."""
    return str((day - datetime.now(clock.ROME).date()).days)


def test_case_from_the_register_family_notice_then_the_mayor_step_after_seven_days(tmp_path, page, monkeypatch):
    # A fixed day of lessons for this process and the servers it starts (they inherit the environment).
    monkeypatch.setenv(clock.OFFSET_ENV, offset_to(TODAY))
    assert clock.local_date() == TODAY
    server = Server(tmp_path)
    try:
        days = last_school_days(server.db, 16)
        assert len(days) == 16 and rule.first_case(days) is not None  # sixteen days of lessons since the break
        lines = ["Codice alunno;Classe;Data;Codice evento;Ore;Giustificata;Motivo"]
        lines += [f"{PUPIL};1B;{d:%d/%m/%Y};ABA0;;NO;" for d in days]
        lines += [f"E2EOBB02;1B;{d:%d/%m/%Y};ABA0;;SI;Motivi di salute" for d in days]  # justified: no case
        export = tmp_path / "registro_giorno_per_giorno.csv"
        export.write_text("\n".join(lines), encoding="utf-8")

        # The funzione strumentale uploads the export.
        log_in(page, server.url, "funzione", demo.DEMO_PASSWORD)
        page.get_by_role("link", name="Carica dati").first.click()
        wait_idle(page)
        page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(str(export))
        wait_idle(page)
        page.get_by_role("button", name="Importa", exact=True).click()
        wait_idle(page)
        main = page.locator("[data-testid='stMain']")
        expect(main).to_contain_text("Importazione riuscita", timeout=60_000)
        logout(page)

        # The dirigente sees the case on the home page and records the family notice.
        log_in(page, server.url, "dirigente", demo.DEMO_PASSWORD)
        expect(main).to_contain_text("Obbligo scolastico: passi da fare")
        expect(main).to_contain_text(f"{PUPIL} (classe 1B) · Informare la famiglia")
        expect(main).not_to_contain_text("E2EOBB02")
        page.get_by_role("link", name="Apri Obbligo scolastico").click()
        wait_idle(page)
        expect(page.locator("h1")).to_have_text("Obbligo scolastico")
        choose(page, "Scheda del caso", PUPIL)
        start = rule.window_start(days[-1])  # the three months ending on the sixteenth day
        expect(main).to_contain_text(
            f"16 giorni di assenza non giustificati dal {start:%d/%m/%Y} al {days[-1]:%d/%m/%Y}")
        page.get_by_role("button", name="Registra la comunicazione alla famiglia").click()
        wait_idle(page)
        expect(main).to_contain_text("Scrivi il numero di protocollo.")  # Italian validation, nothing recorded
        page.get_by_role("textbox", name="Numero di protocollo").fill("312/2026")
        page.get_by_role("button", name="Registra la comunicazione alla famiglia").click()
        wait_idle(page)
        expect(main).to_contain_text("Passo registrato.")
        # The case stays open on its new step: nothing to choose again.
        expect(page.get_by_role("combobox", name="Scheda del caso")).to_have_value(re.compile(PUPIL))
        deadline = clock.local_date() + timedelta(days=7)
        expect(main).to_contain_text(f"sette giorni fino al {deadline:%d/%m/%Y}")
        expect(main).to_contain_text("La segnalazione al sindaco si registra dalla fine dei sette giorni")
        page.set_viewport_size({"width": 1280, "height": 2600})  # the whole page: Streamlit scrolls inside it
        wait_idle(page)
        screenshot(page, "obbligo_famiglia_informata")
        page.set_viewport_size({"width": 1280, "height": 900})
    finally:
        server.stop()

    # Seven days on, without new attendance data: the mayor step is due.
    later = Server(tmp_path, env={clock.OFFSET_ENV: offset_to(TODAY + timedelta(days=7))})
    try:
        log_in(page, later.url, "dirigente", demo.DEMO_PASSWORD)
        main = page.locator("[data-testid='stMain']")
        expect(main).to_contain_text(f"{PUPIL} (classe 1B) · Segnalare al sindaco · dal {deadline:%d/%m/%Y}")
        page.get_by_role("link", name="Apri Obbligo scolastico").click()
        wait_idle(page)
        expect(main).to_contain_text(f"{PUPIL} (classe 1B) · Segnalare al sindaco")
        choose(page, "Scheda del caso", PUPIL)
        expect(main).to_contain_text("Segnalazione al sindaco")
        expect(main).not_to_contain_text("La segnalazione al sindaco si registra dalla fine")
        page.set_viewport_size({"width": 1280, "height": 2600})
        wait_idle(page)
        screenshot(page, "obbligo_sindaco_da_segnalare")
    finally:
        later.stop()
