"""Time, in one representation: timezone-aware UTC datetimes, stored as ISO text."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

ROME = ZoneInfo("Europe/Rome")


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_text(moment: datetime) -> str:
    """Fixed-width ISO text, so that stored moments sort as strings."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_text(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def local_date(moment: datetime | None = None) -> date:
    """The calendar day in Italy of a moment (now by default): the server's clock is UTC."""
    return (moment or utcnow()).astimezone(ROME).date()


def local_datetime(text: str) -> str:
    """Stored ISO text as 'dd/mm/yyyy HH:MM' in Rome's time."""
    return from_text(text).astimezone(ROME).strftime("%d/%m/%Y %H:%M")
