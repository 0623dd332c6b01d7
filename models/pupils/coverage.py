"""Which classes each month of a school holds, and which it misses.

Registers export per class as often as per school: an upload replaces a month only for the classes (and
pupils) it brings, so a month fills up class by class. The classes a month should hold are those the school
has in any month of the same school year; a month missing some of them is partial, and a partial month is
never shown as the school's month (the risk list opens on the latest whole month, the network and regional
figures leave it out). Read from a small table kept by the importer (`refresh`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlite_utils

from models.core.school_year import SchoolYear, month_label
from models.pupils import store

SHOWN_CLASSES = 12  # a message names at most this many classes


@dataclass(frozen=True)
class MonthClasses:
    period: str
    classes: tuple[str, ...]  # the classes with rows in this month
    missing: tuple[str, ...]  # classes of the same school year with no row in it

    @property
    def partial(self) -> bool:
        return bool(self.missing)

    def describe(self) -> str:
        """'marzo 2026: classi 3B, 4A; mancano 1A, 2C' (Italian, for the page and the CLI)."""
        text = f"{month_label(self.period)}: {_classes(self.classes, 'classe', 'classi')}"
        if self.missing:
            text += f"; {'manca' if len(self.missing) == 1 else 'mancano'} {_names(self.missing)} (mese parziale)"
        return text


def _names(classes: tuple[str, ...]) -> str:
    shown = ", ".join(classes[:SHOWN_CLASSES])
    return shown + (f" e altre {len(classes) - SHOWN_CLASSES}" if len(classes) > SHOWN_CLASSES else "")


def _classes(classes: tuple[str, ...], one: str, many: str) -> str:
    return f"{one if len(classes) == 1 else many} {_names(classes)}"


def refresh(db: sqlite_utils.Database, school_code: str, periods: Iterable[str] | None = None) -> None:
    """Rebuild the months and classes a school has data for (all months, or `periods`), inside the caller's
    transaction: after rows were written, replaced or removed."""
    periods = None if periods is None else sorted(set(periods))
    if periods == []:
        return
    store.refresh_months(db, school_code, periods)


def class_rows(db: sqlite_utils.Database, school_code: str, periods: Iterable[str]) -> dict[tuple[str, str], int]:
    """(period, class) -> rows held now, for the given months."""
    periods = sorted(set(periods))
    if not periods:
        return {}
    return {(p, c): n for p, c, n in store.class_rows(db, school_code, periods)}


def _months(held: dict[str, set[str]]) -> dict[str, MonthClasses]:
    """Each month with its classes and the classes of its school year it misses."""
    by_year: dict[SchoolYear, set[str]] = {}
    for period, classes in held.items():
        by_year.setdefault(SchoolYear.of_period(period), set()).update(classes)
    return {period: MonthClasses(period, tuple(sorted(classes)),
                                 tuple(sorted(by_year[SchoolYear.of_period(period)] - classes)))
            for period, classes in sorted(held.items())}


def months(db: sqlite_utils.Database, school_code: str) -> dict[str, MonthClasses]:
    """Every month the school has class rows for, oldest first (internal: callers check access)."""
    return months_of(db, [school_code]).get(school_code, {})


def months_of(db: sqlite_utils.Database, school_codes: Iterable[str],
              year: SchoolYear | None = None) -> dict[str, dict[str, MonthClasses]]:
    """school -> period -> MonthClasses, for several schools in one read (of one school year's months only, if
    given: a month's classes are measured against its own school year)."""
    codes = sorted(set(school_codes))
    if not codes:
        return {}
    held: dict[str, dict[str, set[str]]] = {}
    span = None if year is None else (year.first_month, f"{year.start + 1:04d}-08")
    for school, period, class_name in store.month_classes(db, codes, span):
        held.setdefault(school, {}).setdefault(period, set()).add(class_name)
    return {school: _months(by_period) for school, by_period in held.items()}


def projected(db: sqlite_utils.Database, school_code: str, incoming: dict[str, set[str]]) -> list[MonthClasses]:
    """The months a file touches as they would be after it: the classes held now plus the file's."""
    held = {period: set(m.classes) for period, m in months(db, school_code).items()}
    for period, classes in incoming.items():
        held.setdefault(period, set()).update(classes)
    every = _months(held)
    return [every[p] for p in sorted(incoming)]


def partial_periods(db: sqlite_utils.Database, school_codes: Iterable[str]) -> set[tuple[str, str]]:
    """(school, period) of every partial month of these schools."""
    return {(school, period) for school, by_period in months_of(db, school_codes).items()
            for period, month in by_period.items() if month.partial}


def school_month(periods: list[str], classes: dict[str, MonthClasses]) -> str | None:
    """The month to show as the school's: the latest that is not partial (the latest, if all are)."""
    whole = [p for p in periods if not (p in classes and classes[p].partial)]
    return (whole or periods or [None])[-1]
