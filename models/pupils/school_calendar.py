"""The Lombardy regional school calendar, and each school's own on top of it.

The regional calendar ships as data (data/calendario/lombardia.toml) for the years we know; the admin
may correct a year, and the correction wins. Each school adds its own (`set_school_calendar`): its rite
(Roman or Ambrosian carnival), the days its council of institute closed (bridges, patron saint) and the
days it opened (lessons moved onto a day the region closes). Every figure that counts lesson days reads
the school's calendar (`calendar_for` with the school's code) and the class's week
(`models.pupils.timetable`): a lesson day is a day of the calendar on which the class's week has hours.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

import numpy as np

from models.core import audit, changes, clock
from models.core.db import transaction
from models.core.errors import ApprodoError
from models.core.permissions import Action, Actor, SchoolRef, require
from models.core.school_year import SchoolYear
from models.pupils import store

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "calendario" / "lombardia.toml"
MONDAY_TO_FRIDAY = (True, True, True, True, True, False)
RITES = {"romano": "Rito romano", "ambrosiano": "Rito ambrosiano"}


def easter(year: int) -> date:
    """Easter Sunday of the Gregorian calendar (the anonymous algorithm of 1876, as in Meeus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


def carnival_days(year: int, rite: str) -> tuple[date, date]:
    """The two carnival days without lessons in Lombardy, in February or March of `year`.

    DGR IX/3318 of 18/04/2012 (the permanent regional calendar) closes schools on «i 2 giorni antecedenti
    l'avvio del periodo quaresimale». Lent starts on Ash Wednesday in the Roman rite, so the days are the
    Monday and Tuesday before it; in the Ambrosian rite (the archdiocese of Milan) Lent starts on the first
    Sunday of Lent, four days later, so the days are the Friday and Saturday after Ash Wednesday, and the
    Roman Monday and Tuesday are lesson days (e.g. 2026: Roman 16-17 February, Ambrosian 20-21 February).
    For a Monday-to-Friday class only the Friday falls on one of its days.
    """
    ash_wednesday = easter(year) - timedelta(days=46)
    if rite == "ambrosiano":
        return ash_wednesday + timedelta(days=2), ash_wednesday + timedelta(days=3)
    return ash_wednesday - timedelta(days=2), ash_wednesday - timedelta(days=1)


@dataclass(frozen=True)
class Calendar:
    school_year: str
    first_day: date
    last_day: date
    holidays: tuple[tuple[date, date, str], ...]
    edited: bool = False  # True when the admin's version replaces the shipped one
    opened: tuple[tuple[date, str], ...] = ()  # lesson days within a holiday (the school's moved days)
    rite: str = "romano"

    def is_lesson_day(self, day: date) -> bool:
        """Within the lessons, not a Sunday, not a holiday unless the school opened it."""
        if not (self.first_day <= day <= self.last_day) or day.weekday() == 6:
            return False
        return any(day == d for d, _ in self.opened) or not any(s <= day <= e for s, e, _ in self.holidays)

    def school_days(self, days: tuple[bool, ...] = MONDAY_TO_FRIDAY) -> np.ndarray:
        """Lesson days (numpy datetime64[D]) on the weekdays marked in `days` (Monday first, six of them)."""
        all_days = np.arange(np.datetime64(self.first_day), np.datetime64(self.last_day) + 1)
        weekday = (all_days.astype("int64") + 3) % 7  # 1970-01-01 was a Thursday: Monday = 0
        keep = np.isin(weekday, [n for n, on in enumerate(days) if on])
        for start, end, _ in self.holidays:
            keep &= ~((all_days >= np.datetime64(start)) & (all_days <= np.datetime64(end)))
        for day, _ in self.opened:
            keep |= (all_days == np.datetime64(day)) & np.isin(weekday, [n for n, on in enumerate(days) if on])
        return all_days[keep]

    def days_by_month(self, days: tuple[bool, ...] = MONDAY_TO_FRIDAY) -> dict[str, int]:
        months, counts = np.unique(self.school_days(days).astype("datetime64[M]").astype(str), return_counts=True)
        return dict(zip(months.tolist(), counts.tolist(), strict=True))

    def hours_by_month(self, hours: tuple[float, ...]) -> dict[str, float]:
        """Scheduled hours of each month for a week of `hours` (Monday to Saturday)."""
        lesson = self.school_days(tuple(h > 0 for h in hours))
        weekday = (lesson.astype("int64") + 3) % 7
        months = lesson.astype("datetime64[M]").astype(str)
        out: dict[str, float] = {}
        for month, day_hours in zip(months.tolist(), np.asarray(hours, float)[weekday].tolist(), strict=True):
            out[month] = out.get(month, 0.0) + day_hours
        return out

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


def calendar_for(db, school_year: SchoolYear | str, school_code: str | None = None) -> Calendar:
    """The year's calendar: the admin's correction, else the shipped regional one; with `school_code`, the
    school's own on top of it (rite, days closed, days opened)."""
    name = str(school_year if isinstance(school_year, SchoolYear) else SchoolYear.parse(school_year))
    document = store.regional_calendar(db, name)
    if document is not None:
        regional = _build(name, json.loads(document), True)
    elif name in _shipped():
        regional = _build(name, _shipped()[name], False)
    else:
        raise ApprodoError(f"Manca il calendario scolastico {name}: l'amministratore lo aggiunge dalla pagina "
                           "Amministrazione (primo e ultimo giorno di lezione, vacanze).")
    return regional if school_code is None else _with_school(regional, local_calendar(db, school_code))


@dataclass(frozen=True)
class LocalCalendar:
    """What a school adds to the regional calendar."""

    rite: str = "romano"
    closed: tuple[tuple[date, date, str], ...] = ()  # closed by the council of institute
    opened: tuple[tuple[date, date, str], ...] = ()  # lessons on days the region closes (days moved)


def school_local_calendar(db, actor: Actor, school_code: str) -> LocalCalendar:
    """The school's additions, for whoever sets them (dirigente, funzione strumentale)."""
    require(actor, Action.IMPORT_PUPIL_DATA, SchoolRef(school_code))
    return local_calendar(db, school_code)


def local_calendar(db, school_code: str) -> LocalCalendar:
    """Internal (callers check access): the school's additions, empty when it set none."""
    row = store.local_calendar(db, school_code)
    if row is None:
        return LocalCalendar()
    ranges = [tuple(_ranges(json.loads(text))) for text in row[1:]]
    return LocalCalendar(row[0], *ranges)


def _ranges(items: list) -> list[tuple[date, date, str]]:
    return [(date.fromisoformat(s), date.fromisoformat(e), label) for s, e, label in items]


def _days(ranges) -> set[date]:
    return {s + timedelta(days=n) for s, e, _ in ranges for n in range((e - s).days + 1)}


def _with_school(regional: Calendar, local: LocalCalendar) -> Calendar:
    holidays = list(regional.holidays) + list(local.closed)
    opened = {d: label for d in _days(local.opened) for s, e, label in local.opened if s <= d <= e}
    if local.rite == "ambrosiano":
        year = regional.last_day.year
        roman, ambrosian = carnival_days(year, "romano"), carnival_days(year, "ambrosiano")
        holidays.append((ambrosian[0], ambrosian[1], "Carnevale ambrosiano"))
        closed = _days(local.closed)
        for day in roman:  # the Roman days are lesson days, unless the council closed them
            if day not in closed and not regional.is_lesson_day(day):
                opened.setdefault(day, "Carnevale romano: lezione (rito ambrosiano)")
    return replace(regional, holidays=tuple(sorted(holidays)), rite=local.rite,
                   opened=tuple(sorted((d, label) for d, label in opened.items()
                                       if regional.first_day <= d <= regional.last_day)))


def set_school_calendar(db, actor: Actor, school_code: str, *, rite: str | None = None,
                        closed: str | None = None, opened: str | None = None) -> LocalCalendar:
    """The school's rite and the days its council closed or opened (texts as `parse_holidays`; None: unchanged).

    The months already derived from the register's day-by-day lists are computed again."""
    require(actor, Action.IMPORT_PUPIL_DATA, SchoolRef(school_code))
    current = local_calendar(db, school_code)
    if rite is not None and rite not in RITES:
        raise ApprodoError("Il rito è «romano» o «ambrosiano».")
    new = LocalCalendar(rite or current.rite,
                        current.closed if closed is None else tuple(_ranges(parse_holidays(closed))),
                        current.opened if opened is None else tuple(_ranges(parse_holidays(opened))))
    both = _days(new.closed) & _days(new.opened)
    if both:
        raise ApprodoError(f"Il {min(both):%d/%m/%Y} è sia tra i giorni chiusi sia tra quelli aperti: scegli.")
    sundays = [d for d in _days(new.opened) if d.weekday() == 6]
    if sundays:
        raise ApprodoError(f"Il {min(sundays):%d/%m/%Y} è una domenica: non può essere un giorno di lezione.")
    with transaction(db):
        store.save_local_calendar(db, school_code, new.rite,
                                  *(json.dumps([[s.isoformat(), e.isoformat(), label] for s, e, label in r])
                                    for r in (new.closed, new.opened)),
                                  actor.username, clock.to_text(clock.utcnow()))
        audit.record(db, actor, "calendario_scuola", school_code, school_code=school_code,
                     detail=f"{RITES[new.rite]}, {len(_days(new.closed))} giorni chiusi, "
                            f"{len(_days(new.opened))} aperti")
        recompute_months(db, school_code)
    return new


def local_calendar_text(ranges: tuple[tuple[date, date, str], ...]) -> str:
    return "\n".join(f"{s:%d/%m/%Y} - {e:%d/%m/%Y} {label}".rstrip() for s, e, label in ranges)


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
    return local_calendar_text(calendar.holidays)


def set_calendar(db, actor: Actor, school_year: str, first_day: str, last_day: str, holidays: str) -> Calendar:
    """The admin corrects (or adds) a year of the regional calendar."""
    require(actor, Action.MANAGE_ACCOUNTS)
    document = {"first_day": _day(first_day).isoformat(), "last_day": _day(last_day).isoformat(),
                "holidays": parse_holidays(holidays)}
    calendar = _build(school_year, document, True)
    with transaction(db):
        store.save_regional_calendar(db, calendar.school_year, json.dumps(calendar.as_document()), actor.username,
                                     clock.to_text(clock.utcnow()))
        audit.record(db, actor, "calendario_modificato", calendar.school_year)
        for code in store.schools_with_months(db):
            recompute_months(db, code)
    return calendar


def month_days(db, periods: list[str], school_code: str | None = None) -> dict[str, int]:
    """Lesson days of each month ('YYYY-MM'), Monday to Saturday, from the (school's) calendar of its year."""
    out: dict[str, int] = {}
    for period in sorted(set(periods)):
        calendar = calendar_for(db, SchoolYear.of_period(period), school_code)
        out[period] = calendar.days_by_month((True,) * 6).get(period, 0)
    return out


# --- the week: each school's and each class's ---------------------------------------------
# A school has a default week and a class may have its own: the days with lessons and the hours of each
# day (6 h on Monday, 4 h on Saturday). A class without one follows the school's; a school without one has
# its annual hours over 33 weeks spread over Monday to Friday (primary: 27 hours). The week gives a whole
# day of absence (that day's hours for the class), the monte ore of a month (the hours of the class's days
# on the lesson days of the school's calendar) and the annual hours of the 25 % limit (weekly hours x 33).

WEEKS_PER_YEAR = 33  # the annual monte ore is the weekly timetable times 33 weeks
MAX_WEEKLY_HOURS = 60
MAX_DAY_HOURS = 12
PRIMARY_WEEKLY_HOURS = 27.0  # primary schools have no legal monte ore: the ordinary 27-hour timetable
DAY_NAMES = ("lun", "mar", "mer", "gio", "ven", "sab")
SCHOOL_DEFAULT = ""  # the class name under which the school's default week is kept


@dataclass(frozen=True)
class Week:
    hours: tuple[float, ...]  # Monday to Saturday

    @classmethod
    def even(cls, weekly: float, days: int) -> Week:
        """`weekly` hours spread evenly over Monday–Friday (5) or Monday–Saturday (6)."""
        if days not in (5, 6):
            raise ApprodoError("I giorni di lezione sono 5 (da lunedì a venerdì) o 6 (da lunedì a sabato).")
        return cls.of(tuple([weekly / days] * days + [0.0] * (6 - days)))

    @classmethod
    def of(cls, hours: tuple[float, ...]) -> Week:
        hours = tuple(float(h) for h in hours)
        if len(hours) != 6 or not 0 < sum(hours) <= MAX_WEEKLY_HOURS:
            raise ApprodoError(f"Le ore settimanali vanno da 1 a {MAX_WEEKLY_HOURS}.")
        if any(h < 0 or h > MAX_DAY_HOURS for h in hours):
            raise ApprodoError(f"Le ore di un giorno vanno da 0 a {MAX_DAY_HOURS}.")
        return cls(hours)

    @classmethod
    def parse(cls, text: str) -> Week:
        """'lun 6, mar 6, mer 6, gio 6, ven 6, sab 0' (days not named have no lessons; 'lunedì 6' too)."""
        hours = [0.0] * 6
        seen = set()
        # Days apart at «,» or «;», but not at a decimal comma ("lun 6,4, mar 6,4": a comma before a digit).
        for item in filter(None, (part.strip() for part in re.split(r";|,(?!\d)", text or ""))):
            match = re.fullmatch(r"([a-zA-Zàèéìòù]+)\.?\s*[:=]?\s*(\d+(?:[.,]\d+)?)\s*h?", item)
            day = match.group(1).lower()[:3] if match else ""
            if day not in DAY_NAMES:
                raise ApprodoError(f"«{item[:30]}» non è un giorno con le sue ore: scrivi per esempio "
                                   "«lun 6, mar 6, mer 6, gio 6, ven 6, sab 0».")
            if day in seen:
                raise ApprodoError(f"Il giorno «{day}» compare due volte.")
            seen.add(day)
            hours[DAY_NAMES.index(day)] = float(match.group(2).replace(",", "."))
        return cls.of(tuple(hours))

    def on(self, day: date) -> float:
        """The hours of lesson on `day`'s weekday (0 on Sunday and on days without lessons)."""
        return self.hours[day.weekday()] if day.weekday() < 6 else 0.0

    @property
    def days(self) -> tuple[bool, ...]:
        return tuple(h > 0 for h in self.hours)

    @property
    def weekly(self) -> float:
        return sum(self.hours)

    @property
    def annual(self) -> float:
        return self.weekly * WEEKS_PER_YEAR

    def text(self) -> str:
        """'lun 6, mar 6, mer 6, gio 6, ven 6, sab 6' (days without lessons left out), decimals with a comma as
        an Italian writes them ('lun 6,4'): `parse` reads it back."""
        return ", ".join(f"{name} {h:g}".replace(".", ",") for name, h in zip(DAY_NAMES, self.hours, strict=True)
                         if h > 0)

    def as_json(self) -> str:
        return json.dumps(list(self.hours))


@dataclass(frozen=True)
class Weeks:
    """A school's weeks: its default and the classes that have their own."""

    default: Week
    school_set: bool  # the school chose its default (else it comes from its annual hours)
    classes: tuple[tuple[str, Week], ...] = ()

    def of(self, class_name: str) -> Week:
        return dict(self.classes).get(class_name, self.default)

    def annual(self) -> dict[str, float]:
        """{class: annual hours} for the classes with their own week."""
        return {name: week.annual for name, week in self.classes}


def _derived_default(db, school_code: str) -> Week:
    from models.accounts.schools import DEFAULT_ANNUAL_HOURS, Level

    level, annual = store.school_hours(db, school_code)
    annual = annual or DEFAULT_ANNUAL_HOURS[Level(level)]
    return Week.even(annual / WEEKS_PER_YEAR if annual else PRIMARY_WEEKLY_HOURS, 5)


def weeks(db, school_code: str) -> Weeks:
    """Internal (callers check access): the school's weeks."""
    found = {name: Week(tuple(json.loads(hours))) for name, hours in store.class_weeks(db, school_code)}
    default = found.pop(SCHOOL_DEFAULT, None)
    return Weeks(default or _derived_default(db, school_code), default is not None, tuple(found.items()))


def school_weeks(db, actor: Actor, school_code: str) -> Weeks:
    """The school's weeks, for whoever sets them (dirigente, funzione strumentale)."""
    require(actor, Action.IMPORT_PUPIL_DATA, SchoolRef(school_code))
    return weeks(db, school_code)


def known_classes(db, school_code: str) -> list[str]:
    """Internal: the classes of the school's data (monthly figures, and the months of day-by-day lists) or that
    already have a week of their own."""
    names = store.known_classes(db, school_code)
    return sorted({str(name).strip().upper() for name in names if name}, key=lambda c: (len(c), c))


def set_week(db, actor: Actor, school_code: str, class_name: str | None, week: Week | None) -> None:
    """A class's week (`class_name` None or '': the school's default); `week` None goes back to the default.

    The months already derived from the register's day-by-day lists are computed again."""
    require(actor, Action.IMPORT_PUPIL_DATA, SchoolRef(school_code))
    name = (class_name or "").strip().upper()
    if len(name) > 40:
        raise ApprodoError("Il nome della classe ha al massimo 40 caratteri, es. 2B.")
    known = known_classes(db, school_code)
    if name and known and name not in known:
        raise ApprodoError(f"La classe «{name}» non c'è nei dati della scuola. Classi note: {', '.join(known)}. "
                           "Controlla il nome (es. 2B) o carica prima i dati della classe.")
    with transaction(db):
        if week is None:
            store.delete_class_week(db, school_code, name)
        else:
            store.save_class_week(db, school_code, name, week.as_json())
        said = "come la scuola" if week is None else f"{week.text()} ({week.weekly:g} ore)"
        audit.record(db, actor, "orario_classe", name or school_code, school_code=school_code,
                     detail=f"classe {name}: {said}" if name else f"orario della scuola: {said}")
        recompute_months(db, school_code)


def _hours_table(school: Weeks, class_names: list[str]) -> np.ndarray:
    """Per class (in `class_names` order), the hours of each weekday, Sunday included (0)."""
    return np.array([[*school.of(c).hours, 0.0] for c in class_names], dtype=float).reshape(-1, 7)


def event_hours(school: Weeks, events) -> np.ndarray:
    """The hours of each event (a frame with class_name, day, kind, hours): as the register states them; an
    absence without hours covers the class's whole day (that weekday's hours); a late entry or an early
    exit without hours, none."""
    import pandas as pd

    codes, names = pd.factorize(events["class_name"])
    day_codes, day_names = pd.factorize(events["day"])  # a million events hold a few hundred days
    weekday = np.asarray(pd.to_datetime(day_names).day_of_week)[day_codes] if len(events) else np.zeros(0, int)
    whole = _hours_table(school, list(names))[codes, weekday] if len(events) else np.zeros(0)
    stated = events["hours"].to_numpy(float, na_value=np.nan)
    return np.where(np.isnan(stated), np.where(events["kind"].to_numpy() == "assenza", whole, 0.0), stated)


def scheduled_hours(db, school_code: str, school: Weeks, class_names, periods) -> np.ndarray:
    """The monte ore of each (class, month): the class's week on the lesson days of the school's calendar.

    Computed once per distinct class and month (a million monthly rows hold a few hundred)."""
    import pandas as pd

    class_codes, class_list = pd.factorize(pd.Series(class_names))
    period_codes, period_list = pd.factorize(pd.Series(periods))
    codes, pairs = pd.factorize(class_codes.astype(np.int64) * len(period_list) + period_codes)
    months: dict[tuple[SchoolYear, tuple], dict[str, float]] = {}
    values = []
    for pair in pairs.tolist():
        class_name, period = class_list[pair // len(period_list)], period_list[pair % len(period_list)]
        week = school.of(class_name)
        key = (SchoolYear.of_period(period), week.hours)
        if key not in months:
            months[key] = calendar_for(db, key[0], school_code).hours_by_month(week.hours)
        values.append(months[key].get(period, 0.0))
    return np.asarray(values, dtype=float)[codes] if len(codes) else np.zeros(0)


def recompute_months(db, school_code: str) -> None:
    """Call inside the writer's transaction: the months derived from day-by-day lists, computed again from the
    stored events with the school's current weeks and calendar (scheduled hours, absence hours, justified
    hours); then the derived figures hear of it."""
    import pandas as pd

    periods = store.event_months(db, school_code)
    if not periods:
        return
    school = weeks(db, school_code)
    events = pd.DataFrame(
        store.events_of_months(db, school_code, periods),
        columns=["pupil_code", "period", "class_name", "day", "kind", "hours", "justified"])
    events["spent"] = event_hours(school, events)
    events["justified_spent"] = np.where(events["justified"].eq(1), events["spent"], 0.0)
    sums = events.groupby(["pupil_code", "period"])[["spent", "justified_spent"]].sum()
    rows = pd.DataFrame(
        store.rows_of_months(db, school_code, periods),
        columns=["pupil_code", "period", "class_name", "unknown"])
    if rows.empty:
        return
    rows = rows.join(sums, on=["pupil_code", "period"])
    rows["scheduled"] = scheduled_hours(db, school_code, school, rows["class_name"], rows["period"])
    store.set_month_hours(
        db,
        [(sched, 0.0 if np.isnan(spent) else spent,
          None if unknown else (0.0 if np.isnan(just) else just), school_code, pupil, period)
         for pupil, period, sched, spent, just, unknown in zip(
             rows["pupil_code"], rows["period"], rows["scheduled"], rows["spent"], rows["justified_spent"],
             rows["unknown"], strict=True)])
    changes.pupil_data_changed(db, school_code, tuple(periods))
