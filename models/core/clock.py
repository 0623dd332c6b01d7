"""Time, in one representation: timezone-aware UTC datetimes, stored as ISO text."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

ROME = ZoneInfo("Europe/Rome")
# Days added to the clock, for trying deadlines in a running app (the browser tests, a training session):
# set by whoever starts the server, never by a user. Unit tests replace `utcnow` instead.
OFFSET_ENV = "APPRODO_CLOCK_OFFSET_DAYS"


def utcnow() -> datetime:
    offset = os.environ.get(OFFSET_ENV)
    return datetime.now(UTC) + timedelta(days=float(offset)) if offset else datetime.now(UTC)


def to_text(moment: datetime) -> str:
    """Fixed-width ISO text, so that stored moments sort as strings."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_text(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def local_date(moment: datetime | None = None) -> date:
    """The calendar day in Italy of a moment (now by default): the server's clock is UTC."""
    return (moment or utcnow()).astimezone(ROME).date()


def local_time(moment: datetime) -> str:
    """A moment as Italian users read it: 'HH:MM' in Rome's time."""
    return moment.astimezone(ROME).strftime("%H:%M")


def local_datetime(text: str) -> str:
    """Stored ISO text as 'dd/mm/yyyy HH:MM' in Rome's time."""
    return from_text(text).astimezone(ROME).strftime("%d/%m/%Y %H:%M")
