"""All the SQL of accounts: users, login attempts, sessions, cookie tickets, networks and schools, logos.

In the subset of SQL that SQLite and PostgreSQL share (named parameters, RETURNING, ON CONFLICT ... DO UPDATE).
Functions take the connection and plain values and return rows (dicts where callers read columns by name, tuples
otherwise) or counts; permissions, checks and transactions stay with their callers.
"""

from __future__ import annotations

from collections.abc import Sequence

from models.core.connection import Connection
from models.core.store import in_list, insert, insert_returning_id

# --- users ---------------------------------------------------------------------------------------

_USER = "SELECT id, username, full_name, role, school_code, network_code, active, locked_until, email FROM users"
_LOGIN_USER = ("SELECT id, username, full_name, password_hash, role, school_code, network_code, active, locked_until,"
               " failures_reset_at, created_at, email FROM users")


def login_user_by_name(db: Connection, username: str) -> dict | None:
    """Everything a login needs of the account, its password hash included."""
    return next(db.query(f"{_LOGIN_USER} WHERE username = :name", {"name": username}), None)


def login_user_by_email(db: Connection, email: str) -> dict | None:
    return next(db.query(f"{_LOGIN_USER} WHERE email = :email", {"email": email}), None)


def password_and_active(db: Connection, user_id: int) -> tuple[str, int] | None:
    return db.execute("SELECT password_hash, active FROM users WHERE id = :id", {"id": user_id}).fetchone()


def set_password_hash(db: Connection, user_id: int, password_hash: str) -> None:
    db.execute("UPDATE users SET password_hash = :hash WHERE id = :id", {"hash": password_hash, "id": user_id})


def set_locked_until(db: Connection, user_id: int, until: str) -> None:
    db.execute("UPDATE users SET locked_until = :until WHERE id = :id", {"until": until, "id": user_id})


def reset_failures(db: Connection, user_id: int, at: str) -> None:
    db.execute("UPDATE users SET locked_until = NULL, failures_reset_at = :at WHERE id = :id",
               {"at": at, "id": user_id})


def set_active(db: Connection, user_id: int, active: bool) -> None:
    db.execute("UPDATE users SET active = :active WHERE id = :id", {"active": int(active), "id": user_id})


def set_email(db: Connection, user_id: int, email: str | None) -> None:
    db.execute("UPDATE users SET email = :email WHERE id = :id", {"email": email, "id": user_id})


def username_with_email(db: Connection, email: str | None, other_than: int | None = None) -> str | None:
    """The account linked to `email` (other than user `other_than`), if any."""
    row = db.execute("SELECT username FROM users WHERE email = :email AND id != :other",
                     {"email": email, "other": -1 if other_than is None else other_than}).fetchone()
    return row[0] if row else None


def insert_user(db: Connection, username: str, full_name: str, password_hash: str, role: str,
                school_code: str | None, network_code: str | None, created_at: str, email: str | None) -> None:
    insert(
        db, "users",
        {"username": username, "full_name": full_name, "password_hash": password_hash, "role": role,
         "school_code": school_code, "network_code": network_code, "created_at": created_at, "email": email})


def users(db: Connection) -> list[dict]:
    return list(db.query(f"{_USER} ORDER BY username"))


def user(db: Connection, username: str) -> dict | None:
    return next(db.query(f"{_USER} WHERE username = :name", {"name": username}), None)


def active_staff(db: Connection, school_code: str) -> list[tuple[str, str, str]]:
    """(username, full_name, role) of the school's active accounts."""
    return db.execute("SELECT username, full_name, role FROM users WHERE school_code = :school AND active = 1"
                      " ORDER BY full_name, username", {"school": school_code}).fetchall()


def actor_row(db: Connection, user_id: int) -> dict | None:
    """An active account with the network it belongs to (its own, or its school's)."""
    return next(db.query(
        "SELECT u.id, u.username, u.full_name, u.role, u.school_code,"
        " COALESCE(u.network_code, s.network_code) AS network_code"
        " FROM users u LEFT JOIN schools s ON s.code = u.school_code WHERE u.id = :id AND u.active = 1",
        {"id": user_id}), None)


def full_names(db: Connection, usernames: Sequence[str]) -> list[tuple[str, str]]:
    """(username, full_name) of those of `usernames` that have an account."""
    found = []
    for start in range(0, len(usernames), 500):  # well under either engine's limit of parameters
        marks, names = in_list("u", usernames[start:start + 500])
        found += db.execute(f"SELECT username, full_name FROM users WHERE username IN ({marks})", names).fetchall()
    return found


def dirigente_full_name(db: Connection, school_code: str) -> str | None:
    """The full name of the school's first active dirigente account that has one."""
    row = db.execute("SELECT full_name FROM users WHERE school_code = :school AND role = 'dirigente' AND active = 1"
                     " AND full_name != '' ORDER BY id LIMIT 1", {"school": school_code}).fetchone()
    return row[0] if row else None


# --- login attempts --------------------------------------------------------------------------------


def insert_attempt(db: Connection, username: str, client: str, at: str, success: bool) -> None:
    insert(db, "login_attempts", {"username": username, "client": client, "at": at, "success": int(success)})


def recent_failures(db: Connection, username: str, client: str, since: str) -> tuple[int, str | None]:
    """Failures of the name from the address after `since` and after its last success there: (count, latest)."""
    return db.execute(
        "SELECT COUNT(*), MAX(at) FROM login_attempts WHERE username = :name AND client = :client AND success = 0"
        " AND at > :since AND at > COALESCE((SELECT MAX(at) FROM login_attempts WHERE username = :name"
        " AND client = :client AND success = 1), '')",
        {"name": username, "client": client, "since": since}).fetchone()


def unknown_failures(db: Connection, name_key: str, client: str, since: str) -> tuple[int, str | None]:
    """Failures of a name without an account (by its key) from the address after `since`: (count, latest)."""
    return db.execute(
        "SELECT COUNT(*), MAX(at) FROM login_unknown_failures WHERE client = :client AND name_key = :key"
        " AND at > :since", {"client": client, "key": name_key, "since": since}).fetchone()


def unknown_failures_from(db: Connection, client: str, since: str) -> int:
    return db.execute("SELECT COUNT(*) FROM login_unknown_failures WHERE client = :client AND at > :since",
                      {"client": client, "since": since}).fetchone()[0]


def insert_unknown_failure(db: Connection, name_key: str, client: str, at: str, kept: int,
                           expired: str) -> None:
    """Record the failure, and forget those beyond the `kept` latest or at `expired` or earlier."""
    new_id = insert_returning_id(db, "login_unknown_failures", {"name_key": name_key, "client": client, "at": at})
    db.execute("DELETE FROM login_unknown_failures WHERE id <= :oldest OR at <= :expired",
               {"oldest": new_id - kept, "expired": expired})


# --- sessions and cookie tickets ---------------------------------------------------------------------


def insert_session(db: Connection, token_hash: str, user_id: int, at: str) -> None:
    insert(db, "sessions", {"token_hash": token_hash, "user_id": user_id, "created_at": at, "last_seen": at})


def session(db: Connection, token_hash: str) -> dict | None:
    """The session with its account's id, active flag and name."""
    return next(db.query(
        "SELECT s.token_hash, s.created_at, s.last_seen, u.active, u.id AS user_id, u.username"
        " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = :hash", {"hash": token_hash}), None)


def touch_session(db: Connection, token_hash: str, at: str) -> None:
    db.execute("UPDATE sessions SET last_seen = :at WHERE token_hash = :hash", {"at": at, "hash": token_hash})


def delete_session(db: Connection, token_hash: str) -> None:
    db.execute("DELETE FROM sessions WHERE token_hash = :hash", {"hash": token_hash})


def delete_user_sessions(db: Connection, user_id: int) -> None:
    db.execute("DELETE FROM sessions WHERE user_id = :id", {"id": user_id})


def insert_cookie_ticket(db: Connection, ticket_hash: str, sealed: str, expires_at: str, now: str) -> None:
    """Keep the ticket, and forget those expired by `now`."""
    db.execute("DELETE FROM cookie_tickets WHERE expires_at <= :now", {"now": now})
    insert(db, "cookie_tickets", {"ticket_hash": ticket_hash, "sealed": sealed, "expires_at": expires_at})


def take_cookie_ticket(db: Connection, ticket_hash: str) -> tuple[str, str] | None:
    """(sealed, expires_at) of the ticket, taken and spent in one statement: two processes cannot both have it."""
    return next(iter(db.execute("DELETE FROM cookie_tickets WHERE ticket_hash = :hash RETURNING sealed, expires_at",
                                {"hash": ticket_hash}).fetchall()), None)


# --- networks and schools ------------------------------------------------------------------------------


def network_exists(db: Connection, code: str) -> bool:
    return db.execute("SELECT 1 FROM networks WHERE code = :code", {"code": code}).fetchone() is not None


def school_exists(db: Connection, code: str) -> bool:
    return db.execute("SELECT 1 FROM schools WHERE code = :code", {"code": code}).fetchone() is not None


def insert_network(db: Connection, code: str, name: str, created_at: str) -> None:
    insert(db, "networks", {"code": code, "name": name, "created_at": created_at})


def networks(db: Connection, code: str | None = None) -> list[dict]:
    """Every network by name, or the one with `code`."""
    if code is None:
        return list(db.query("SELECT code, name FROM networks ORDER BY name"))
    return list(db.query("SELECT code, name FROM networks WHERE code = :code", {"code": code}))


_SCHOOL = """
    SELECT s.code, s.name, s.network_code, n.name AS network_name, s.level,
           s.annual_hours, s.comune, s.dirigente_name, s.referente_intercultura,
           s.address, s.phone, s.email, s.pec, s.office_hours, s.letter_signature
    FROM schools s JOIN networks n ON n.code = s.network_code
"""


def schools(db: Connection, *, network_code: str | None = None) -> list[dict]:
    """Every school (or every school of a network), by name."""
    if network_code is None:
        return list(db.query(_SCHOOL + " ORDER BY s.name"))
    return list(db.query(_SCHOOL + " WHERE s.network_code = :network ORDER BY s.name", {"network": network_code}))


def school(db: Connection, code: str) -> dict | None:
    return next(db.query(_SCHOOL + " WHERE s.code = :code", {"code": code}), None)


def insert_school(db: Connection, code: str, name: str, network_code: str, level: str,
                  annual_hours: int | None, comune: str, dirigente_name: str, created_at: str) -> None:
    insert(
        db, "schools",
        {"code": code, "name": name, "network_code": network_code, "level": level, "annual_hours": annual_hours,
         "comune": comune, "dirigente_name": dirigente_name, "created_at": created_at})


def update_school_facts(db: Connection, code: str, comune: str, dirigente_name: str,
                        referente_intercultura: str, annual_hours: int | None) -> None:
    db.execute("UPDATE schools SET comune = :comune, dirigente_name = :dirigente, referente_intercultura = :referente,"
               " annual_hours = :hours WHERE code = :code",
               {"comune": comune, "dirigente": dirigente_name, "referente": referente_intercultura,
                "hours": annual_hours, "code": code})


def update_letterhead(db: Connection, code: str, address: str, phone: str, email: str, pec: str,
                      office_hours: str, signature: str) -> None:
    db.execute("UPDATE schools SET address = :address, phone = :phone, email = :email, pec = :pec,"
               " office_hours = :hours, letter_signature = :signature WHERE code = :code",
               {"address": address, "phone": phone, "email": email, "pec": pec, "hours": office_hours,
                "signature": signature, "code": code})


# --- school logos ----------------------------------------------------------------------------------------


def delete_logo(db: Connection, school_code: str) -> None:
    db.execute("DELETE FROM school_logos WHERE school_code = :school", {"school": school_code})


def logo(db: Connection, school_code: str) -> bytes | None:
    row = db.execute("SELECT content FROM school_logos WHERE school_code = :school", {"school": school_code}).fetchone()
    return row[0] if row else None


def user_id(db: Connection, username: str) -> int | None:
    row = db.execute("SELECT id FROM users WHERE username = :name", {"name": username}).fetchone()
    return row[0] if row else None
