"""Accounts: passwords, login with lockout, server-side sessions, user management.

A login returns an opaque session token; only its SHA-256 is stored. The UI
keeps the token and asks `resolve_session` on every run, so the logged-in
user is always what the database says, never what the browser session holds.
The browser keeps the token in an HttpOnly cookie, which only an HTTP response
can set: the login hands the web server a one-time cookie ticket for it.
A single sign-on identity opens a session for the account that an admin
linked to its verified e-mail; it never creates an account.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from models.accounts import store
from models.core import audit, clock
from models.core.db import transaction
from models.core.errors import ApprodoError, parse_choice
from models.core.permissions import ROLE_LABELS, Action, Actor, Role, SchoolRef, require, role_scope

IDLE_TIMEOUT = timedelta(minutes=30)
MAX_SESSION = timedelta(hours=12)
MIN_PASSWORD_LENGTH = 10
# Checked before anything is hashed or written: the form sends whatever it gets.
MAX_USERNAME_LENGTH = 64
MAX_PASSWORD_LENGTH = 1024
_MAX_CLIENT_LENGTH = 64  # an IPv6 address is at most 45 characters
# last_seen is written at most this often, so reruns are not all writes.
_TOUCH_EVERY = timedelta(seconds=60)

# Failed logins slow down the next try from the same address for the same name; they never lock the
# account, so someone failing on purpose cannot keep the owner out (the owner logs in from elsewhere,
# or waits, or an admin runs `cli.py unlock`). FREE_FAILURES within FAILURE_WINDOW cost nothing; then
# each failure doubles the wait, from FIRST_DELAY up to MAX_DELAY: about a hundred guesses a day.
FREE_FAILURES = 5
FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(minutes=15)
FAILURE_WINDOW = timedelta(hours=24)
# Failures of names without an account are kept in the database, shared by every app process (else each
# process would give an unknown name its own free tries, and the count would tell names apart), under a
# short key of the name (`_name_key`), never the name: at most this many, the oldest going first.
UNKNOWN_FAILURES_KEPT = 100_000
# A name without an account costs a full Argon2 check (so that it answers in the time of a wrong password)
# only within a budget: the first UNKNOWN_FREE_PER_ADDRESS failures of unknown names from one address in
# FAILURE_WINDOW, and UNKNOWN_CHECKS_PER_MINUTE over all addresses. Beyond it the answer is the same text
# after a pause as long as the recent real checks took: no core and no 64 MiB for a flood of new names.
UNKNOWN_FREE_PER_ADDRESS = 20
UNKNOWN_CHECKS_PER_MINUTE = 60

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,39}")

# Argon2id with argon2-cffi's defaults (RFC 9106 low-memory profile).
PRODUCTION_HASHER = PasswordHasher()
# Tests swap in a cheaper Argon2id; everything else uses the production one.
_hasher = PRODUCTION_HASHER
# Each Argon2 run takes 64 MiB and a core: a crowd of logins queues here instead of exhausting memory.
_ARGON2_SLOTS = threading.BoundedSemaphore(max(2, os.cpu_count() or 2))

WRONG_CREDENTIALS = "Nome utente o password non corretti."
TOO_LONG = (
    f"Nome utente o password troppo lunghi: il nome utente ha al massimo {MAX_USERNAME_LENGTH} caratteri,"
    f" la password al massimo {MAX_PASSWORD_LENGTH}."
)
DISABLED = "Questo account è disattivato. Rivolgiti all'amministratore."


def hash_password(password: str) -> str:
    with _ARGON2_SLOTS:
        return _hasher.hash(password)


class _CheckTime:
    """How long a password check takes these days (a moving average, the waits for a free core included)."""

    def __init__(self):
        self.seconds: float | None = None
        self._lock = threading.Lock()

    def add(self, seconds: float) -> None:
        with self._lock:
            self.seconds = seconds if self.seconds is None else 0.8 * self.seconds + 0.2 * seconds


_check_time = _CheckTime()


def verify_password(password_hash: str, password: str) -> bool:
    started = time.perf_counter()
    try:
        with _ARGON2_SLOTS:
            return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    finally:
        _check_time.add(time.perf_counter() - started)


class _Budget:
    """At most `per_minute` uses in any minute, over all callers."""

    def __init__(self, per_minute: int):
        self.per_minute = per_minute
        self._uses: deque[float] = deque()
        self._lock = threading.Lock()

    def take(self) -> bool:
        now = time.monotonic()
        with self._lock:
            while self._uses and self._uses[0] <= now - 60:
                self._uses.popleft()
            if len(self._uses) >= self.per_minute:
                return False
            self._uses.append(now)
            return True

    def clear(self) -> None:
        with self._lock:
            self._uses.clear()


_unknown_checks = _Budget(UNKNOWN_CHECKS_PER_MINUTE)


def _check_unknown_name(db, password: str, client: str, now: datetime) -> None:
    """A wrong password's work for a name without an account, or, beyond the budget, only its time.

    The budget over all addresses (`_unknown_checks`) is this process's: it spares this process's cores."""
    flooding = client and _unknown_from_address(db, client, now) >= UNKNOWN_FREE_PER_ADDRESS
    if not flooding and _unknown_checks.take():
        verify_password(_dummy_hash(), password)
    else:
        if _check_time.seconds is None:  # nothing measured yet: measure once
            verify_password(_dummy_hash(), password)
        time.sleep(_check_time.seconds or 0)


_dummy_hashes: dict[tuple, str] = {}


def _dummy_hash() -> str:
    """A hash of a random password made with the current parameters: verified when the name is unknown,
    so that an unknown name costs the same time as a wrong password."""
    key = (_hasher.time_cost, _hasher.memory_cost, _hasher.parallelism, _hasher.type)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = hash_password(secrets.token_urlsafe(24))
    return _dummy_hashes[key]


def check_password_strength(password: str) -> str:
    password = password or ""
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ApprodoError(f"La password è troppo lunga (massimo {MAX_PASSWORD_LENGTH} caratteri).")
    if not password.strip():
        raise ApprodoError(
            f"La password non può essere vuota né fatta solo di spazi: scrivine una di almeno"
            f" {MIN_PASSWORD_LENGTH} caratteri."
        )
    if len(password.strip()) < MIN_PASSWORD_LENGTH:
        raise ApprodoError(
            f"La password deve avere almeno {MIN_PASSWORD_LENGTH} caratteri, senza contare gli spazi"
            " all'inizio e alla fine."
        )
    return password


class LoginError(ApprodoError):
    """Wrong credentials, a locked or a disabled account."""


@dataclass(frozen=True)
class User:
    id: int
    username: str
    full_name: str
    role: Role
    school_code: str | None
    network_code: str | None
    active: bool
    locked_until: str | None
    email: str | None = None


# --- login and sessions ---------------------------------------------------


def login(
    db: sqlite_utils.Database,
    username: str,
    password: str,
    *,
    client: str | None = None,
    now: datetime | None = None,
) -> str:
    """Check the credentials and open a session; return its token.

    `client` is the address the attempt comes from. The password is checked
    with no transaction open (Argon2 takes a tenth of a second, and the write
    lock is everybody's); then one short write records the outcome. The
    answer is the same, in text and time, whether the name exists or not:
    failures of unknown names are counted under a short key of the name (`_name_key`), never the name.
    """
    now = now or clock.utcnow()
    username = (username or "").strip().lower()
    password = password or ""
    if len(username) > MAX_USERNAME_LENGTH or len(password) > MAX_PASSWORD_LENGTH:
        raise LoginError(TOO_LONG)
    client = (client or "")[:_MAX_CLIENT_LENGTH]
    row = _user_row(db, username) if USERNAME.fullmatch(username) else None
    wait = _wait_before_next_try(db, row, username, client, now)
    if wait > timedelta(0):
        # Not checked at all, right password or not: that is what slows a guesser down.
        raise LoginError(_slow_down(wait))
    if row is None:
        _check_unknown_name(db, password, client, now)
        _record_unknown_failure(db, username, client, now)
        raise LoginError(WRONG_CREDENTIALS)
    right = verify_password(row["password_hash"], password)
    if not right:
        _record_failure(db, row, client, now)
        raise LoginError(WRONG_CREDENTIALS)
    if not row["active"]:
        # Only someone who knows the password learns that the account is disabled.
        with transaction(db):
            audit.record(db, username, "accesso_fallito", username, detail="account disattivato", now=now)
        raise LoginError(DISABLED)
    new_hash = hash_password(password) if _hasher.check_needs_rehash(row["password_hash"]) else None
    with transaction(db):
        current = store.password_and_active(db, row["id"])
        if current is None or current[0] != row["password_hash"] or not current[1]:
            # Changed by an admin between the check and now: the check no longer holds.
            raise LoginError(WRONG_CREDENTIALS)
        _record_attempt(db, username, client, now, success=True)
        if new_hash:
            store.set_password_hash(db, row["id"], new_hash)
        token = _open_session(db, row["id"], now)
        audit.record(db, username, "accesso", username, school_code=row["school_code"], now=now)
    return token


def _delay(failures: int) -> timedelta:
    """How long to wait after the last of `failures` recent failures."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(FIRST_DELAY * 2 ** min(failures - FREE_FAILURES, 20), MAX_DELAY)


def _wait_before_next_try(db, row: dict | None, username: str, client: str, now: datetime) -> timedelta:
    if row is None:
        failures, last = _unknown_recent(db, username, client, now)
    else:
        failures, last = _recent_failures(db, row, client, now)
    if not failures:
        return timedelta(0)
    return last + _delay(failures) - now


def _slow_down(wait: timedelta) -> str:
    # Whole minutes, rounded up: the text must not depend on the milliseconds a check took.
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    return (
        "Troppi tentativi non riusciti con questo nome utente da qui. Riprova fra "
        + ("1 minuto" if minutes == 1 else f"{minutes} minuti")
        + "; se non ricordi la password, chiedi all'amministratore di impostarne una nuova."
    )


def _name_key(username: str) -> str:
    """A short key of a name without an account: it tells a few names apart, and says nothing of what was
    typed (24 bits: millions of words share each key, so a password typed as a name stays unknown)."""
    return hashlib.sha256(username.encode()).hexdigest()[:6]


def _unknown_recent(db, username: str, client: str, now: datetime) -> tuple[int, datetime | None]:
    """Failures of this (unknown) name from this address within the window: their number and the latest,
    as `_recent_failures` gives them for accounts, so that both get the same answers."""
    count, last = store.unknown_failures(db, _name_key(username), client, clock.to_text(now - FAILURE_WINDOW))
    return count, clock.from_text(last) if last else None


def _unknown_from_address(db, client: str, now: datetime) -> int:
    return store.unknown_failures_from(db, client, clock.to_text(now - FAILURE_WINDOW))


def _record_unknown_failure(db, username: str, client: str, now: datetime) -> None:
    """One short write (no password check inside): the failure, and out with what is too old or too many."""
    with transaction(db):
        store.insert_unknown_failure(db, _name_key(username), client, clock.to_text(now), UNKNOWN_FAILURES_KEPT,
                                     clock.to_text(now - FAILURE_WINDOW))


def forget_check_budget() -> None:
    """Start this process's budget of checks afresh (for tests: it outlives one database)."""
    _unknown_checks.clear()


def resolve_session(
    db: sqlite_utils.Database, token: str | None, *, now: datetime | None = None
) -> Actor | None:
    """The actor behind a session token, or None if it is unknown, idle too long or expired."""
    if not token:
        return None
    now = now or clock.utcnow()
    row = store.session(db, _token_hash(token))
    if row is None:
        return None
    last_seen = clock.from_text(row["last_seen"])
    expired = (
        now - last_seen > IDLE_TIMEOUT
        or now - clock.from_text(row["created_at"]) > MAX_SESSION
        or not row["active"]
    )
    if expired:
        with transaction(db):
            store.delete_session(db, row["token_hash"])
        return None
    if now - last_seen > _TOUCH_EVERY:
        with transaction(db):
            store.touch_session(db, row["token_hash"], clock.to_text(now))
    return actor_for_user(db, row["user_id"])


def logout(db: sqlite_utils.Database, token: str | None) -> None:
    if not token:
        return
    token_hash = _token_hash(token)
    with transaction(db):
        row = store.session(db, token_hash)
        store.delete_session(db, token_hash)
        if row:
            audit.record(db, row["username"], "uscita", row["username"])


def actor_for_user(db: sqlite_utils.Database, user_id: int) -> Actor | None:
    row = store.actor_row(db, user_id)
    if row is None:
        return None
    return Actor(
        user_id=row["id"],
        username=row["username"],
        role=Role(row["role"]),
        school_code=row["school_code"],
        network_code=row["network_code"],
        full_name=row["full_name"],
    )


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _user_row(db: sqlite_utils.Database, username: str) -> dict | None:
    return store.login_user_by_name(db, username)


def _record_attempt(db, username: str, client: str, now: datetime, *, success: bool) -> None:
    store.insert_attempt(db, username, client, clock.to_text(now), success)


def _record_failure(db, row: dict, client: str, now: datetime) -> None:
    """One short write: the failure, its audit line and, once waits start, the admin's 'locked' mark."""
    username = row["username"]
    with transaction(db):
        _record_attempt(db, username, client, now, success=False)
        audit.record(db, username, "accesso_fallito", username, detail=f"password errata da {client or '?'}",
                     now=now)
        failures, _ = _recent_failures(db, row, client, now)
        if failures == FREE_FAILURES:
            audit.record(db, "sistema", "accesso_rallentato", username, detail=f"da {client or '?'}", now=now)
        if failures >= FREE_FAILURES:
            store.set_locked_until(db, row["id"], clock.to_text(now + _delay(failures)))


def _recent_failures(db, row: dict, client: str, now: datetime) -> tuple[int, datetime | None]:
    """Failures of this name from this address within the window, since its last success there and
    since an admin's unlock or new password: their number and the latest."""
    since = max(clock.to_text(now - FAILURE_WINDOW), row["failures_reset_at"] or "")
    count, last = store.recent_failures(db, row["username"], client, since)
    return count, clock.from_text(last) if last else None


def _reset_failures(db, user_id: int, now: datetime) -> None:
    store.reset_failures(db, user_id, clock.to_text(now))


# --- the session cookie ---------------------------------------------------

# The browser has a short while to exchange a ticket for its cookie.
COOKIE_TICKET_LIFETIME = timedelta(minutes=2)


def _seal(ticket: str, data: bytes) -> bytes:
    """`data` XOR a key stream that only the ticket gives (SHAKE-256): the database holds the sealed token and
    the ticket's hash, never the ticket, so the table alone opens no session. Each ticket seals once."""
    stream = hashlib.shake_256(b"approdo-cookie-ticket\0" + ticket.encode()).digest(len(data))
    return bytes(a ^ b for a, b in zip(data, stream, strict=True))


def issue_cookie_ticket(db: sqlite_utils.Database, token: str, *, now: datetime | None = None) -> str:
    """A one-time ticket the browser exchanges over HTTP for a cookie holding `token`.

    The page's script sees the ticket, never the token; the ticket is good once, for COOKIE_TICKET_LIFETIME,
    in whichever app process the browser's request reaches (it is kept in the database, sealed).
    """
    now = now or clock.utcnow()
    ticket = secrets.token_urlsafe(32)
    with transaction(db):
        store.insert_cookie_ticket(db, _token_hash(ticket), _seal(ticket, token.encode()).hex(),
                                   clock.to_text(now + COOKIE_TICKET_LIFETIME), clock.to_text(now))
    return ticket


def redeem_cookie_ticket(
    db: sqlite_utils.Database, ticket: str | None, *, now: datetime | None = None
) -> str | None:
    """The session token for a ticket not yet used nor expired, if its session is still open."""
    if not ticket:
        return None
    now = now or clock.utcnow()
    with transaction(db):  # taken and spent in one statement: two processes cannot both redeem it
        row = store.take_cookie_ticket(db, _token_hash(ticket))
    if row is None or clock.from_text(row[1]) <= now:
        return None
    token = _seal(ticket, bytes.fromhex(row[0])).decode()
    return token if resolve_session(db, token, now=now) is not None else None


# --- single sign-on by e-mail ---------------------------------------------

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
SSO_UNVERIFIED = (
    "Il servizio di accesso della scuola non conferma l'indirizzo e-mail di questo account: "
    "accedi con nome utente e password."
)
SSO_UNKNOWN = (
    "Nessun account di Approdo è collegato all'indirizzo {email}. Chiedi all'amministratore "
    "di collegarlo al tuo account, oppure accedi con nome utente e password."
)


def normalize_email(email: str | None) -> str | None:
    """Lower case, trimmed; None for an empty one; an Italian error for a malformed one."""
    email = (email or "").strip().lower()
    if not email:
        return None
    if len(email) > 254 or not EMAIL.fullmatch(email):
        raise ApprodoError(f"L'indirizzo e-mail «{email[:80]}» non è valido (esempio: nome@scuola.edu.it).")
    return email


def set_email(db: sqlite_utils.Database, actor: Actor, username: str, email: str | None) -> None:
    """Link an account to the e-mail its single sign-on identity carries (empty: unlink)."""
    user = get_user(db, actor, username)
    email = normalize_email(email)
    with transaction(db):
        other = store.username_with_email(db, email, other_than=user.id)
        if email and other:
            raise ApprodoError(f"L'indirizzo {email} è già collegato all'account «{other}».")
        store.set_email(db, user.id, email)
        audit.record(db, actor, "email_impostata" if email else "email_tolta", username,
                     detail=email or "")


def login_with_email(
    db: sqlite_utils.Database, email: str | None, *, verified: bool, now: datetime | None = None
) -> str:
    """Open a session for the account linked to a verified e-mail; return its token.

    An unverified, unknown or disabled identity gets a LoginError in Italian and
    no account is ever created. The password lockout does not apply: the school's
    identity provider has checked who this is.
    """
    now = now or clock.utcnow()
    try:
        email = normalize_email(email)
    except ApprodoError:
        email = None
    shown = email or "?"
    with transaction(db):
        row = store.login_user_by_email(db, email) if email else None
        if not email or not verified:
            error, reason = SSO_UNVERIFIED, "e-mail non verificata"
        elif row is None:
            error, reason = SSO_UNKNOWN.format(email=email), "e-mail non collegata"
        elif not row["active"]:
            error, reason = "Questo account è disattivato. Rivolgiti all'amministratore.", "account disattivato"
        else:
            token = _open_session(db, row["id"], now)
            audit.record(db, row["username"], "accesso", row["username"],
                         school_code=row["school_code"], detail=f"accesso unico ({email})", now=now)
            return token
        audit.record(db, row["username"] if row else shown, "accesso_fallito",
                     row["username"] if row else shown, detail=f"accesso unico ({shown}): {reason}", now=now)
    raise LoginError(error)


def _open_session(db, user_id: int, now: datetime) -> str:
    token = secrets.token_urlsafe(32)
    store.insert_session(db, _token_hash(token), user_id, clock.to_text(now))
    return token


# --- managing users -------------------------------------------------------


def parse_role(value: str) -> Role:
    return parse_choice(Role, value, "Ruolo")


def create_user(
    db: sqlite_utils.Database,
    actor: Actor,
    username: str,
    password: str,
    role: str,
    *,
    school_code: str | None = None,
    network_code: str | None = None,
    full_name: str = "",
    email: str | None = None,
) -> User:
    """Create an account. School roles need a school; a coordinator needs a network."""
    require(actor, Action.MANAGE_ACCOUNTS)
    username = (username or "").strip().lower()
    if not USERNAME.fullmatch(username):
        shown = username if len(username) <= MAX_USERNAME_LENGTH else username[:MAX_USERNAME_LENGTH] + "…"
        raise ApprodoError(
            f"Il nome utente «{shown}» non è valido: da 3 a 40 caratteri tra lettere minuscole,"
            " cifre, punto, trattino e trattino basso."
        )
    parsed_role = parse_role(role)
    check_password_strength(password)
    email = normalize_email(email)
    school_code = school_code or None
    network_code = network_code or None
    belongs_to = role_scope(parsed_role)
    if belongs_to == "school":
        if not school_code:
            raise ApprodoError(f"Il ruolo {parsed_role.value} richiede una scuola (--school).")
        network_code = None
    elif belongs_to == "network":
        if not network_code:
            raise ApprodoError("Il ruolo coordinatore_rete richiede una rete (--network).")
        school_code = None
    else:
        school_code = network_code = None
    password_hash = hash_password(password)
    with transaction(db):
        if _user_row(db, username):
            raise ApprodoError(f"Esiste già un utente «{username}».")
        if email and store.username_with_email(db, email):
            raise ApprodoError(f"L'indirizzo {email} è già collegato a un altro account.")
        if school_code and not store.school_exists(db, school_code):
            raise ApprodoError(f"La scuola {school_code} non esiste.")
        if network_code and not store.network_exists(db, network_code):
            raise ApprodoError(f"La rete {network_code} non esiste.")
        store.insert_user(db, username, (full_name or "").strip()[:200], password_hash, parsed_role.value,
                          school_code, network_code, clock.to_text(clock.utcnow()), email)
        audit.record(
            db,
            actor,
            "utente_creato",
            username,
            school_code=school_code,
            detail=f"ruolo {parsed_role.value}",
        )
    return get_user(db, actor, username)


def list_users(db: sqlite_utils.Database, actor: Actor) -> list[User]:
    require(actor, Action.MANAGE_ACCOUNTS)
    return [_user(row) for row in store.users(db)]


def school_staff(db: sqlite_utils.Database, actor: Actor, school_code: str) -> dict[str, str]:
    """The school's active staff as {username: "Full Name (role)"}: owners of follow-ups and interventions."""
    require(actor, Action.SEE_STAFF, SchoolRef(school_code), "Puoi vedere solo il personale della tua scuola.")
    return {u: f"{name or u} ({ROLE_LABELS[Role(role)].lower()})"
            for u, name, role in store.active_staff(db, school_code)}


def get_user(db: sqlite_utils.Database, actor: Actor, username: str) -> User:
    require(actor, Action.MANAGE_ACCOUNTS)
    row = store.user(db, username)
    if row is None:
        raise ApprodoError(f"L'utente «{username}» non esiste.")
    return _user(row)


def set_active(db: sqlite_utils.Database, actor: Actor, username: str, active: bool) -> None:
    """Enable or disable an account; disabling ends its open sessions."""
    user = get_user(db, actor, username)
    if actor.user_id == user.id and not active:
        raise ApprodoError("Non puoi disattivare il tuo stesso account.")
    with transaction(db):
        store.set_active(db, user.id, active)
        if not active:
            store.delete_user_sessions(db, user.id)
        audit.record(db, actor, "utente_attivato" if active else "utente_disattivato", username)


def set_password(db: sqlite_utils.Database, actor: Actor, username: str, password: str) -> None:
    """Set a new password; it ends the user's open sessions and clears a lock."""
    user = get_user(db, actor, username)
    check_password_strength(password)
    password_hash = hash_password(password)
    with transaction(db):
        store.set_password_hash(db, user.id, password_hash)
        _reset_failures(db, user.id, clock.utcnow())
        store.delete_user_sessions(db, user.id)
        audit.record(db, actor, "password_cambiata", username)


def unlock(db: sqlite_utils.Database, actor: Actor, username: str) -> None:
    user = get_user(db, actor, username)
    with transaction(db):
        _reset_failures(db, user.id, clock.utcnow())
        audit.record(db, actor, "utente_sbloccato", username)


def _user(row: dict) -> User:
    return User(**{**row, "role": Role(row["role"]), "active": bool(row["active"])})
