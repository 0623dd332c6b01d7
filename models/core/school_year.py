"""School years, written as Italian schools write them: "2025/26"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from models.core.errors import ApprodoError

_PATTERN = re.compile(r"(\d{4})\s*[/-]\s*(\d{2}|\d{4})")


@dataclass(frozen=True, order=True)
class SchoolYear:
    start: int  # the calendar year in which it starts (1 September)

    @classmethod
    def parse(cls, text: str) -> SchoolYear:
        match = _PATTERN.fullmatch((text or "").strip())
        if match:
            start, end = int(match.group(1)), int(match.group(2))
            if end == (start + 1) % (100 if end < 100 else 10_000) and 2000 <= start <= 2100:
                return cls(start)
        raise ApprodoError(f"Anno scolastico «{text}» non valido: scrivilo come 2025/26.")

    @classmethod
    def containing(cls, day: date) -> SchoolYear:
        return cls(day.year if day.month >= 9 else day.year - 1)

    @classmethod
    def current(cls) -> SchoolYear:
        return cls.containing(date.today())

    @classmethod
    def of_period(cls, period: str) -> SchoolYear:
        """The school year a month ('2026-02') belongs to."""
        year, month = (int(x) for x in period.split("-"))
        return cls(year if month >= 9 else year - 1)

    @property
    def first_month(self) -> str:
        """'2025-09': September, where the school year's data start."""
        return f"{self.start:04d}-09"

    @property
    def first_day(self) -> date:
        return date(self.start, 9, 1)

    @property
    def last_day(self) -> date:
        return date(self.start + 1, 8, 31)

    def __str__(self) -> str:
        return f"{self.start}/{(self.start + 1) % 100:02d}"


MONTH_NAMES = ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre",
               "ottobre", "novembre", "dicembre"]


def month_name(period: str) -> str:
    """'2026-02' as 'febbraio'."""
    return MONTH_NAMES[int(period[5:7]) - 1]


def month_label(period: str | None) -> str:
    """'2026-02' as 'febbraio 2026'."""
    return f"{month_name(period)} {period[:4]}" if period else ""


# The school months, September to June, and their teaching weeks in a typical Lombardy year: the pace
# that the 25 % projection assumes for the months still to come.
MONTHS = [9, 10, 11, 12, 1, 2, 3, 4, 5, 6]
WEEKS = {9: 3.0, 10: 4.3, 11: 4.0, 12: 3.0, 1: 3.5, 2: 4.0, 3: 4.3, 4: 3.5, 5: 4.3, 6: 1.5}
