"""E-mail digests and the day-before reminder, sent by `cli.py notify` (cron or a systemd timer), never by a page.

- Each person chooses how often (every day, every Monday, never); a legal term or a check that falls due
  tomorrow is sent the day before whatever the digest's day, to those who receive e-mail at all.
- A message holds counts, sentences and links, never a pupil code, a name or a protocol's text
  (`agenda.Item`): the e-mail crosses servers the school does not control.
- Sending is idempotent per person, kind and day (a second run the same day sends nothing twice); a failure
  is retried within the run and left "in attesa" for the next run; an address the server refuses for good
  (5xx on the recipient) is marked as bouncing, shown on the admin page, and skipped until the admin
  clears it.
- The SMTP server is set by the admin (host, port, STARTTLS, user, sender); the password is read from the
  environment (APPRODO_SMTP_PASSWORD), never stored in the database.
"""

from __future__ import annotations

import os
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path

import sqlite_utils

from models.accounts import auth
from models.core import audit, clock
from models.core.db import transaction
from models.core.errors import ApprodoError
from models.core.permissions import Action, Actor, require
from models.notify import store
from models.notify.agenda import Item, agenda

FREQUENCIES = {"giornaliera": "ogni giorno", "settimanale": "il lunedì", "nessuna": "mai"}
DEFAULT_FREQUENCY = "settimanale"
PASSWORD_ENV = "APPRODO_SMTP_PASSWORD"  # noqa: S105 - the name of the variable, not a password
ATTEMPTS = 3  # within one run; what still fails waits for the next run
TIMEOUT_S = 15


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    starttls: bool
    username: str  # empty: no login
    sender: str
    app_url: str  # the address people open Approdo at, for the links


@dataclass
class Message:
    username: str
    to: str
    kind: str  # "digest" or "promemoria"
    day: date
    subject: str
    body: str
    items: list[Item] = field(default_factory=list)


@dataclass
class Report:
    sent: list[Message] = field(default_factory=list)
    waiting: list[tuple[Message, str]] = field(default_factory=list)  # failed this run; retried next run
    bounced: list[tuple[Message, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        return ([f"Inviati: {len(self.sent)}."]
                + [f"Non inviato a {m.username} ({why}): si riprova alla prossima esecuzione."
                   for m, why in self.waiting]
                + [f"Indirizzo rifiutato per {m.username} ({why}): segnalato all'amministratore."
                   for m, why in self.bounced])


# --- settings and preferences --------------------------------------------------------------------------

def settings(db: sqlite_utils.Database) -> Settings | None:
    row = store.smtp_settings(db)
    return Settings(row[0], row[1], bool(row[2]), row[3], row[4], row[5]) if row else None


def set_settings(db: sqlite_utils.Database, actor: Actor, *, host: str, port: int, starttls: bool, username: str,
                 sender: str, app_url: str) -> Settings:
    require(actor, Action.MANAGE_ACCOUNTS, message="Il server di posta lo imposta l'amministratore.")
    host, username, sender, app_url = (v.strip() for v in (host or "", username or "", sender or "", app_url or ""))
    if not host or any(c in host for c in " /:@"):
        raise ApprodoError("Scrivi il nome del server di posta, per esempio smtp.scuola.edu.it.")
    if not 1 <= int(port) <= 65535:
        raise ApprodoError("La porta va da 1 a 65535 (di solito 587 con STARTTLS).")
    # «Approdo IIS Ponte Nuovo <approdo@scuola.edu.it>» or the bare address: the address gets the people's check.
    auth.normalize_email(parseaddr(sender)[1] or sender)
    if not app_url.startswith(("https://", "http://")):
        raise ApprodoError("Scrivi l'indirizzo di Approdo come lo aprono le persone, per esempio"
                           " https://approdo.rete.it.")
    with transaction(db):
        store.set_smtp_settings(db, host, int(port), bool(starttls), username, sender, app_url.rstrip("/"),
                                actor.username, clock.to_text(clock.utcnow()))
        audit.record(db, actor, "posta_impostata", host)
    return settings(db)


def own_address(db: sqlite_utils.Database, actor: Actor) -> str | None:
    return store.email_of(db, actor.username) or None


def frequency(db: sqlite_utils.Database, actor: Actor) -> str:
    found = store.frequency(db, actor.username)
    return DEFAULT_FREQUENCY if found is None else found


def set_frequency(db: sqlite_utils.Database, actor: Actor, value: str) -> None:
    """Each person chooses for themselves."""
    if value not in FREQUENCIES:
        raise ApprodoError("Scegli ogni giorno, una volta alla settimana o mai.")
    if actor.is_system or actor.user_id is None:
        raise ApprodoError("Le preferenze di posta sono di una persona con un account.")
    with transaction(db):
        store.set_frequency(db, actor.username, value)


def bounced(db: sqlite_utils.Database, actor: Actor) -> list[dict]:
    """People whose address the mail server refused: for the admin to correct."""
    require(actor, Action.MANAGE_ACCOUNTS, message="Gli indirizzi rifiutati li vede l'amministratore.")
    return store.bounced(db)


def clear_bounce(db: sqlite_utils.Database, actor: Actor, username: str) -> None:
    require(actor, Action.MANAGE_ACCOUNTS, message="Gli indirizzi rifiutati li corregge l'amministratore.")
    with transaction(db):
        store.clear_bounce(db, username)
        audit.record(db, actor, "posta_riattivata", username)


# --- what is due -------------------------------------------------------------------------------------

def due_messages(db: sqlite_utils.Database, on: date, app_url: str = "") -> list[Message]:
    """The messages due on `on`, not yet sent that day (a run of the CLI is the system reading each scope)."""
    rows = store.mail_recipients(db, DEFAULT_FREQUENCY)
    done = store.sent_on(db, on.isoformat())
    messages = []
    for user_id, username, email, how_often in rows:
        if how_often == "nessuna":
            continue
        digest_day = how_often == "giornaliera" or on.weekday() == 0
        actor = auth.actor_for_user(db, user_id)
        if actor is None:
            continue
        items = agenda(db, actor, on)
        if not items:
            continue
        if digest_day:
            kind = "digest"
        elif any(item.due_tomorrow for item in items):
            kind, items = "promemoria", [item for item in items if item.due_tomorrow]
        else:
            continue
        if (username, kind) in done:
            continue
        subject, body = compose(kind, items, on, app_url)
        messages.append(Message(username, email, kind, on, subject, body, items))
    return messages


def compose(kind: str, items: list[Item], on: date, app_url: str) -> tuple[str, str]:
    """Subject and plain-text body: counts, sentences and links only."""
    total = sum(item.count for item in items)
    if kind == "promemoria":
        ending = sum(item.due_tomorrow for item in items)
        subject = "Approdo: una scadenza domani" if ending == 1 else f"Approdo: {ending} scadenze domani"
        opening = "Domani scade qualcosa che ti riguarda in Approdo:"
    else:
        subject = f"Approdo: {total} {'cosa' if total == 1 else 'cose'} da fare"
        opening = f"Ecco che cosa ti aspetta in Approdo al {on:%d/%m/%Y}:"
    lines = [opening, ""]
    for item in items:
        lines.append(f"- {item.text[:1].upper()}{item.text[1:]}.")
        if app_url:
            lines.append(f"  {app_url}/{Path(item.page).stem}")
    lines += ["", "Per motivi di riservatezza questo messaggio non contiene codici né nomi: li trovi accedendo.",
              "Puoi scegliere ogni quanto ricevere questi messaggi nella pagina Home di Approdo."]
    return subject, "\n".join(lines)


# --- sending -----------------------------------------------------------------------------------------

def send_due(db: sqlite_utils.Database, on: date, *, password: str | None = None,
             connect: Callable[..., smtplib.SMTP] = smtplib.SMTP, pause_s: float = 1.0) -> Report:
    """Send what is due on `on`; record each outcome. The password comes from the environment if not given."""
    config = settings(db)
    if config is None:
        raise ApprodoError("Il server di posta non è impostato: l'amministratore lo imposta nella pagina"
                           " Amministrazione.")
    password = os.environ.get(PASSWORD_ENV, "") if password is None else password
    report = Report()
    for message in due_messages(db, on, config.app_url):
        outcome, why = _deliver(config, password, message, connect, pause_s)
        _record(db, message, outcome, why)
        if outcome == "inviato":
            report.sent.append(message)
        else:
            (report.waiting if outcome == "in_attesa" else report.bounced).append((message, why))
    return report


def _deliver(config: Settings, password: str, message: Message, connect, pause_s: float) -> tuple[str, str]:
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = config.sender, message.to, message.subject
    email.set_content(message.body)
    why = ""
    for attempt in range(ATTEMPTS):
        try:
            with connect(config.host, config.port, timeout=TIMEOUT_S) as server:
                if config.starttls:
                    server.starttls()
                if config.username:
                    server.login(config.username, password)
                server.send_message(email)
            return "inviato", ""
        except smtplib.SMTPRecipientsRefused as refused:
            code, text = next(iter(refused.recipients.values()))
            why = f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"[:200]
            if 500 <= code < 600:
                return "rimbalzato", why  # refused for good: retrying would not help
        except (smtplib.SMTPException, OSError) as error:
            why = f"{type(error).__name__}: {error}"[:200]
        if attempt < ATTEMPTS - 1:
            time.sleep(pause_s * (attempt + 1))
    return "in_attesa", why


def _record(db: sqlite_utils.Database, message: Message, outcome: str, why: str) -> None:
    now = clock.to_text(clock.utcnow())
    with transaction(db):
        store.record_sending(db, message.username, message.kind, message.day.isoformat(), outcome, why, now)
        if outcome == "rimbalzato":
            store.record_bounce(db, message.username, DEFAULT_FREQUENCY, now, why)
