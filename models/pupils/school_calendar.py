"""The Lombardy regional school calendar and each class's weekly timetable: scheduled hours from events.

A day-by-day list of absences says what was missed, not what was scheduled.
The monte ore of a month is the class's weekly hours (set per class, else the
school's annual hours over 33 weeks) spread over five days a week, times the
school days of the month: Monday to Friday from the first to the last day of
lessons, without the holidays of the regional calendar. The calendar ships as
data (data/calendario/lombardia.toml) for the years we know; the admin may
correct a year, and the correction wins.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path

import numpy as np

from models.core import audit, clock
from models.core.db import transaction
from models.core.errors import ApprodoError
from models.core.permissions import Actor, Capability, require, require_pupils
from models.core.school_year import SchoolYear

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "calendario" / "lombardia.toml"
DAYS_PER_WEEK = 5
WEEKS_PER_YEAR = 33  # the annual monte ore is the weekly timetable times 33 weeks
MAX_WEEKLY_HOURS = 60
PRIMARY_WEEKLY_HOURS = 27.0  # primary schools have no legal monte ore: the ordinary 27-hour timetable


@dataclass(frozen=True)
class Calendar:
    school_year: str
    first_day: date
    last_day: date
    holidays: tuple[tuple[date, date, str], ...]
    edited: bool = False  # True when the admin's version replaces the shipped one

    def school_days(self) -> np.ndarray:
        """Days of lesson (numpy datetime64[D]), Monday to Friday."""
        days = np.arange(np.datetime64(self.first_day), np.datetime64(self.last_day) + 1)
        weekday = (days.astype("int64") + 3) % 7  # 1970-01-01 was a Thursday: Monday = 0
        keep = weekday < DAYS_PER_WEEK
        for start, end, _ in self.holidays:
            keep &= ~((days >= np.datetime64(start)) & (days <= np.datetime64(end)))
        return days[keep]

    def days_by_month(self) -> dict[str, int]:
        months, counts = np.unique(self.school_days().astype("datetime64[M]").astype(str), return_counts=True)
        return dict(zip(months.tolist(), counts.tolist(), strict=True))

    def as_document(self) -> dict:
        return {"first_day": self.first_day.isoformat(), "last_day": self.last_day.isoformat(),
                "holidays": [[s.isoformat(), e.isoformat(), label] for s, e, label in self.holidays]}


def _day(text: str) -> date:
    value = str(text).strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ApprodoError(f"Data «{value[:20]}» non valida: scrivila come 23/12/2025 o 2025-12-23.")


def _build(school_year: str, document: dict, edited: bool) -> Calendar:
    year = SchoolYear.parse(school_year)
    first, last = _day(document["first_day"]), _day(document["last_day"])
    if not (date(year.start, 8, 1) <= first < last <= date(year.start + 1, 7, 31)):
        raise ApprodoError(f"Primo e ultimo giorno di lezione devono stare nell'anno scolastico {year}, "
                           "il primo prima dell'ultimo.")
    holidays = []
    for item in document.get("holidays", []):
        start, end = _day(item[0]), _day(item[1])
        if end < start:
            raise ApprodoError(f"Le vacanze «{item[2] if len(item) > 2 else ''}» finiscono prima di cominciare.")
        holidays.append((start, end, str(item[2] if len(item) > 2 else "")[:80]))
    return Calendar(str(year), first, last, tuple(sorted(holidays)), edited)


@cache
def _shipped() -> dict[str, dict]:
    with SHIPPED.open("rb") as handle:
        return tomllib.load(handle)


def shipped_years() -> list[str]:
    return sorted(_shipped())


def calendar_for(db, school_year: SchoolYear | str) -> Calendar:
    """The year's calendar: the admin's correction, else the shipped regional one."""
    name = str(school_year if isinstance(school_year, SchoolYear) else SchoolYear.parse(school_year))
    row = db.execute("SELECT document FROM school_calendar WHERE school_year = ?", [name]).fetchone()
    if row:
        return _build(name, json.loads(row[0]), True)
    if name in _shipped():
        return _build(name, _shipped()[name], False)
    raise ApprodoError(f"Manca il calendario scolastico {name}: l'amministratore lo aggiunge dalla pagina "
                       "Amministrazione (primo e ultimo giorno di lezione, vacanze).")


def parse_holidays(text: str) -> list[list[str]]:
    """Lines like '23/12/2025 - 06/01/2026 Vacanze di Natale' or '2025-11-01 Ognissanti'."""
    date_text = r"\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4}"
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = re.fullmatch(rf"\s*({date_text})(?:\s*[-–]\s*({date_text}))?\s*(.*)", line)
        if not match:
            raise ApprodoError(f"Riga {number} delle vacanze non valida: scrivi «23/12/2025 - 06/01/2026 Natale».")
        start = _day(match.group(1))
        end = _day(match.group(2)) if match.group(2) else start
        out.append([start.isoformat(), end.isoformat(), match.group(3).strip()])
    return out


def holidays_text(calendar: Calendar) -> str:
    return "\n".join(f"{s:%d/%m/%Y} - {e:%d/%m/%Y} {label}".rstrip() for s, e, label in calendar.holidays)


def set_calendar(db, actor: Actor, school_year: str, first_day: str, last_day: str, holidays: str) -> Calendar:
    """The admin corrects (or adds) a year of the regional calendar."""
    require(actor, Capability.MANAGE_ACCOUNTS)
    document = {"first_day": _day(first_day).isoformat(), "last_day": _day(last_day).isoformat(),
                "holidays": parse_holidays(holidays)}
    calendar = _build(school_year, document, True)
    with transaction(db):
        db.execute("INSERT OR REPLACE INTO school_calendar VALUES (?, ?, ?, ?)",
                   [calendar.school_year, json.dumps(calendar.as_document()), actor.username,
                    clock.to_text(clock.utcnow())])
        audit.record(db, actor, "calendario_modificato", calendar.school_year)
    return calendar


# --- weekly hours per class -----------------------------------------------------------


def class_hours(db, actor: Actor, school_code: str) -> dict[str, float]:
    require_pupils(actor, school_code, write=True)
    return weekly_hours(db, school_code)


def weekly_hours(db, school_code: str) -> dict[str, float]:
    """Internal (callers check access): {class: weekly hours} as set by the school."""
    return dict(db.execute("SELECT class_name, weekly_hours FROM class_hours WHERE school_code = ?",
                           [school_code]).fetchall())


def default_weekly_hours(db, school_code: str) -> float:
    from models.accounts.schools import DEFAULT_ANNUAL_HOURS, Level

    level, annual = db.execute("SELECT level, annual_hours FROM schools WHERE code = ?", [school_code]).fetchone()
    annual = annual or DEFAULT_ANNUAL_HOURS[Level(level)]
    return annual / WEEKS_PER_YEAR if annual else PRIMARY_WEEKLY_HOURS


def set_class_hours(db, actor: Actor, school_code: str, class_name: str, hours: float | None) -> None:
    """A class's weekly hours (None: back to the school's annual hours over 33 weeks)."""
    require_pupils(actor, school_code, write=True)
    name = (class_name or "").strip().upper()
    if not name or len(name) > 40:
        raise ApprodoError("Scrivi il nome della classe (al massimo 40 caratteri), es. 2B.")
    if hours is not None and not 0 < hours <= MAX_WEEKLY_HOURS:
        raise ApprodoError(f"Le ore settimanali vanno da 1 a {MAX_WEEKLY_HOURS}.")
    with transaction(db):
        if hours is None:
            db.execute("DELETE FROM class_hours WHERE school_code = ? AND class_name = ?", [school_code, name])
        else:
            db.execute("INSERT OR REPLACE INTO class_hours VALUES (?, ?, ?)", [school_code, name, float(hours)])
        audit.record(db, actor, "orario_classe", name, school_code=school_code,
                     detail="" if hours is None else f"{hours:g} ore settimanali")


def month_days(db, periods: list[str]) -> dict[str, int]:
    """School days of each month ('YYYY-MM'), from the calendar of its school year."""
    out: dict[str, int] = {}
    for period in sorted(set(periods)):
        year, month = int(period[:4]), int(period[5:7])
        calendar = calendar_for(db, SchoolYear(year if month >= 9 else year - 1))
        out[period] = calendar.days_by_month().get(period, 0)
    return out
