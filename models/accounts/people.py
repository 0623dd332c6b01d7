"""How people are named on screen: their full name, or the username of an account without one.

Versions, comments, logs and follow-ups store usernames (stable, unique); what a
person reads is the name. Staff names are not pupil data: whoever may see a thing
someone wrote may see who wrote it, so the lookup needs no further check.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlite_utils

from models.accounts import store
from models.core.permissions import Actor


def display_name(full_name: str | None, username: str) -> str:
    """'Marco Bianchi', or 'mbianchi' when the account has no full name (never 'mbianchi ()')."""
    return (full_name or "").strip() or username


def names(db: sqlite_utils.Database, actor: Actor, usernames: Iterable[str | None]) -> dict[str, str]:
    """{username: display name} for the given usernames; unknown ones (e.g. 'cli') keep their username."""
    del actor  # every logged-in user may see the names of the people whose work they read
    wanted = sorted({u for u in usernames if u})
    found: dict[str, str] = {u: u for u in wanted}
    for username, full_name in store.full_names(db, wanted):
        found[username] = display_name(full_name, username)
    return found


def labelled(full_name: str | None, username: str) -> str:
    """'Marco Bianchi (mbianchi)' where the username matters too (the admin's lists); 'mbianchi' alone otherwise."""
    name = (full_name or "").strip()
    return f"{name} ({username})" if name else username
