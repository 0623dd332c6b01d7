"""All the SQL of notifications: the SMTP settings, each person's frequency and bounces, what was sent.

In the subset of SQL that SQLite and PostgreSQL share (named parameters, ON CONFLICT ... DO UPDATE instead of
INSERT OR REPLACE); callers own permissions and transactions.
"""

from __future__ import annotations

from models.core.connection import Connection
from models.core.store import upsert


def smtp_settings(db: Connection) -> tuple | None:
    """(host, port, starttls, username, sender, app_url)."""
    return db.execute("SELECT host, port, starttls, username, sender, app_url FROM smtp_settings WHERE id = 1"
                      ).fetchone()


def set_smtp_settings(db: Connection, host: str, port: int, starttls: bool, username: str, sender: str,
                      app_url: str, by: str, at: str) -> None:
    """The one row of settings, replacing what it held."""
    upsert(
        db, "smtp_settings",
        {"id": 1, "host": host, "port": port, "starttls": int(starttls), "username": username, "sender": sender,
         "app_url": app_url, "updated_by": by, "updated_at": at},
        ("id",))


def email_of(db: Connection, username: str) -> str | None:
    row = db.execute("SELECT email FROM users WHERE username = :username", {"username": username}).fetchone()
    return row[0] if row else None


def frequency(db: Connection, username: str) -> str | None:
    row = db.execute("SELECT frequency FROM notify_prefs WHERE username = :username",
                     {"username": username}).fetchone()
    return row[0] if row else None


def set_frequency(db: Connection, username: str, value: str) -> None:
    upsert(db, "notify_prefs", {"username": username, "frequency": value}, ("username",))


def bounced(db: Connection) -> list[dict]:
    """The addresses that bounced, the latest first."""
    return list(db.query("SELECT p.username, u.email, p.bounced_at, p.bounce_reason FROM notify_prefs p"
                         " JOIN users u ON u.username = p.username WHERE p.bounced_at IS NOT NULL"
                         " ORDER BY p.bounced_at DESC"))


def clear_bounce(db: Connection, username: str) -> None:
    db.execute("UPDATE notify_prefs SET bounced_at = NULL, bounce_reason = NULL WHERE username = :username",
               {"username": username})


def mail_recipients(db: Connection, default_frequency: str) -> list[tuple[int, str, str, str]]:
    """(user id, username, e-mail, frequency) of the active accounts with an address that did not bounce."""
    return db.execute(
        "SELECT u.id, u.username, u.email, COALESCE(p.frequency, :default) FROM users u"
        " LEFT JOIN notify_prefs p ON p.username = u.username"
        " WHERE u.active = 1 AND u.email IS NOT NULL AND u.email != '' AND p.bounced_at IS NULL"
        " ORDER BY u.username", {"default": default_frequency}).fetchall()


def sent_on(db: Connection, day: str) -> set[tuple[str, str]]:
    """(username, kind) of the messages sent (or bounced) on the day."""
    return {(u, k) for u, k in db.execute("SELECT username, kind FROM notify_sent WHERE day = :day"
                                          " AND status IN ('inviato', 'rimbalzato')", {"day": day})}


def record_sending(db: Connection, username: str, kind: str, day: str, status: str, error: str,
                   at: str) -> None:
    """How the message of the day went (one more attempt if it was tried before)."""
    db.execute("INSERT INTO notify_sent (username, kind, day, status, attempts, last_error, at)"
               " VALUES (:username, :kind, :day, :status, 1, :error, :at) ON CONFLICT (username, kind, day)"
               " DO UPDATE SET status = excluded.status, attempts = notify_sent.attempts + 1,"
               " last_error = excluded.last_error, at = excluded.at",
               {"username": username, "kind": kind, "day": day, "status": status, "error": error, "at": at})


def record_bounce(db: Connection, username: str, default_frequency: str, at: str, reason: str) -> None:
    db.execute("INSERT INTO notify_prefs (username, frequency, bounced_at, bounce_reason)"
               " VALUES (:username, :frequency, :at, :reason) ON CONFLICT (username) DO UPDATE SET"
               " bounced_at = excluded.bounced_at, bounce_reason = excluded.bounce_reason",
               {"username": username, "frequency": default_frequency, "at": at, "reason": reason})
