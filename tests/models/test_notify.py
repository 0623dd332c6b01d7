"""Reminders by e-mail against a real SMTP server on 127.0.0.1 (aiosmtpd): digests, the day before, opt-out,
retries, bounces, and never a pupil code or a name in a message."""

from __future__ import annotations

import email
import socket
from datetime import UTC, date, datetime

import pytest
from aiosmtpd.controller import Controller

from models.accounts import auth
from models.core.errors import ApprodoError, PermissionDenied
from models.follow_up import reviews
from models.notify import agenda, mail
from models.risk import school_risk
from tests.conftest import actor_named

SCHOOL = "MIIS00003C"
TUESDAY = date(2026, 3, 10)
MONDAY = date(2026, 3, 9)
APP = "https://approdo.rete.test"


class Mailbox:
    """An SMTP server that keeps what it receives, refuses some recipients for good, and can be made to fail."""

    def __init__(self):
        self.received: list[email.message.Message] = []
        self.refuse_for_good: set[str] = set()
        self.failing = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's name
        if address in self.refuse_for_good:
            return "550 5.1.1 Mailbox does not exist"
        if self.failing:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.received.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mailbox(pupils_db, actors):
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    mail.set_settings(pupils_db, actors["admin"], host="127.0.0.1", port=controller.port, starttls=False,
                      username="", sender="approdo@rete.test", app_url=APP)
    for username in ("funzione", "dirigente", "docente", "coordinatrice"):
        auth.set_email(pupils_db, actors["admin"], username, f"{username}@scuola.test")
    yield box
    controller.stop()


def _follow_ups(db, funzione, due: list[date], start: int = 0) -> list[str]:
    """Open checks owned by the funzione, one per pupil (from the `start`-th of the list), due on these days."""
    codes = list(school_risk.school_risk(db, funzione, SCHOOL).pupils["pupil_code"][start:start + len(due)])
    for code, day in zip(codes, due, strict=True):
        reviews.record_review(db, funzione, SCHOOL, code, as_of="2026-02", level="alto", follow_up_on=day,
                              follow_up_owner="funzione", at=datetime(2026, 3, 1, 9, tzinfo=UTC))
    return codes


def _send(db, on, **kwargs):
    return mail.send_due(db, on, password="", pause_s=0, **kwargs)


def _personal_data(db) -> set[str]:
    codes = {r[0] for r in db.execute("SELECT DISTINCT pupil_code FROM attendance")}
    names = {r[0] for r in db.execute("SELECT full_name FROM users WHERE full_name != ''")}
    return codes | names


def test_the_daily_digest_says_what_awaits_with_links_and_no_personal_data(pupils_db, actors, mailbox):
    funzione = actors["funzione_strumentale"]
    _follow_ups(pupils_db, funzione, [date(2026, 3, 2), date(2026, 3, 11), date(2026, 4, 1)])
    mail.set_frequency(pupils_db, funzione, "giornaliera")

    report = _send(pupils_db, TUESDAY)

    assert [m.username for m in report.sent] == ["funzione"]  # nobody else has anything waiting
    [received] = mailbox.received
    assert received["To"] == "funzione@scuola.test" and received["Subject"] == "Approdo: 2 cose da fare"
    body = received.get_payload()
    # One late (2 March) and one due tomorrow (11 March); the April one is not due yet.
    assert "- 2 verifiche da fare di cui sei referente, una in scadenza domani." in body
    assert f"{APP}/risk" in body
    assert not any(secret in body or secret in received["Subject"] for secret in _personal_data(pupils_db))


def test_weekly_people_get_the_digest_on_monday_and_only_the_day_before_otherwise(pupils_db, actors, mailbox):
    funzione = actors["funzione_strumentale"]
    _follow_ups(pupils_db, funzione, [date(2026, 3, 2)])  # late, not due tomorrow
    assert mail.frequency(pupils_db, funzione) == "settimanale"  # the default
    assert _send(pupils_db, TUESDAY).sent == []  # nothing falls due tomorrow: wait for Monday
    assert [m.kind for m in _send(pupils_db, date(2026, 3, 16)).sent] == ["digest"]

    _follow_ups(pupils_db, funzione, [date(2026, 3, 18)], start=1)
    reminder = _send(pupils_db, date(2026, 3, 17)).sent
    assert [m.kind for m in reminder] == ["promemoria"]
    assert mailbox.received[-1]["Subject"] == "Approdo: una scadenza domani"
    assert "- 2 verifiche da fare di cui sei referente, una in scadenza domani." in mailbox.received[-1].get_payload()


def test_a_run_twice_a_day_sends_once_and_opting_out_sends_nothing(pupils_db, actors, mailbox):
    funzione = actors["funzione_strumentale"]
    _follow_ups(pupils_db, funzione, [date(2026, 3, 9)])
    assert len(_send(pupils_db, MONDAY).sent) == 1
    assert _send(pupils_db, MONDAY).sent == [] and len(mailbox.received) == 1
    mail.set_frequency(pupils_db, funzione, "nessuna")
    assert mail.due_messages(pupils_db, date(2026, 3, 16)) == []
    with pytest.raises(ApprodoError, match="ogni giorno, una volta alla settimana o mai"):
        mail.set_frequency(pupils_db, funzione, "ogni ora")


def test_a_refusing_server_is_retried_and_the_message_goes_on_the_next_run(pupils_db, actors, mailbox):
    funzione = actors["funzione_strumentale"]
    _follow_ups(pupils_db, funzione, [date(2026, 3, 9)])
    mailbox.failing = True
    report = _send(pupils_db, MONDAY)
    assert report.sent == [] and [m.username for m, _ in report.waiting] == ["funzione"]
    assert "451" in report.waiting[0][1]
    row = pupils_db.execute("SELECT status, attempts FROM notify_sent WHERE username = 'funzione'").fetchone()
    assert row == ("in_attesa", 1)
    mailbox.failing = False
    assert [m.username for m in _send(pupils_db, MONDAY).sent] == ["funzione"]
    assert pupils_db.execute("SELECT status, attempts FROM notify_sent WHERE username = 'funzione'"
                             ).fetchone() == ("inviato", 2)


def test_an_address_refused_for_good_is_shown_to_the_admin_and_skipped(pupils_db, actors, mailbox):
    funzione, admin = actors["funzione_strumentale"], actors["admin"]
    _follow_ups(pupils_db, funzione, [date(2026, 3, 9)])
    mailbox.refuse_for_good.add("funzione@scuola.test")
    report = _send(pupils_db, MONDAY)
    assert [m.username for m, _ in report.bounced] == ["funzione"]
    [row] = mail.bounced(pupils_db, admin)
    assert row["username"] == "funzione" and row["bounce_reason"].startswith("550")
    assert mail.due_messages(pupils_db, date(2026, 3, 16)) == []  # skipped until the admin acts
    with pytest.raises(PermissionDenied):
        mail.bounced(pupils_db, funzione)
    mailbox.refuse_for_good.clear()
    mail.clear_bounce(pupils_db, admin, "funzione")
    assert [m.username for m in _send(pupils_db, date(2026, 3, 16)).sent] == ["funzione"]


def test_the_obligation_term_ending_tomorrow_is_an_item_with_no_pupil_in_it(pupils_db, actors, monkeypatch):
    """The day-before reminder of art. 114: the seven days after the family's notice end tomorrow."""
    from types import SimpleNamespace

    from models.obligation import cases as obligation

    case = SimpleNamespace(pupil_code="S100019", deadline=date(2026, 3, 11), due_on=date(2026, 3, 4), late=False,
                           due=True)
    other = SimpleNamespace(pupil_code="S100020", deadline=None, due_on=None, late=False, due=False)
    monkeypatch.setattr(obligation, "_sync", lambda *a, **k: None)
    monkeypatch.setattr(obligation, "_read", lambda *a, **k: [case, other])
    before = pupils_db.execute("SELECT COUNT(*) FROM access_log").fetchone()[0]
    [item] = [i for i in agenda.agenda(pupils_db, actors["dirigente"], TUESDAY) if i.kind == "obbligo"]
    assert (item.count, item.due_tomorrow) == (1, 1)
    assert item.text == "1 passo dell'obbligo scolastico da fare, uno in scadenza domani"
    assert "S100019" not in item.text
    # Counting is not a pupil-level read: the page that shows the cases logs its own.
    assert pupils_db.execute("SELECT COUNT(*) FROM access_log").fetchone()[0] == before


def test_only_the_admin_sets_the_mail_server_and_the_password_is_never_stored(pupils_db, actors):
    with pytest.raises(PermissionDenied):
        mail.set_settings(pupils_db, actors["dirigente"], host="smtp.x.it", port=587, starttls=True,
                          username="u", sender="a@x.it", app_url=APP)
    with pytest.raises(ApprodoError, match="nome del server"):
        mail.set_settings(pupils_db, actors["admin"], host="smtp://x", port=587, starttls=True, username="",
                          sender="a@x.it", app_url=APP)
    mail.set_settings(pupils_db, actors["admin"], host="smtp.x.it", port=587, starttls=True, username="u",
                      sender="Approdo IIS Ponte Nuovo <a@x.it>", app_url=APP + "/")
    assert mail.settings(pupils_db) == mail.Settings("smtp.x.it", 587, True, "u", "Approdo IIS Ponte Nuovo <a@x.it>",
                                                     APP)
    assert "password" not in {c.name for c in pupils_db["smtp_settings"].columns}


def test_cli_notify_dry_run_lists_what_it_would_send(pupils_db, actors, mailbox, monkeypatch):
    from click.testing import CliRunner

    import cli
    from tests.conftest import ROOT

    _follow_ups(pupils_db, actors["funzione_strumentale"], [date(2026, 3, 9)])
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli.cli, ["notify", "--dry-run", "--on", "2026-03-09"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["Da inviare il 09/03/2026: 1 messaggi.",
                                          "- a funzione <funzione@scuola.test>: Approdo: 1 cosa da fare"]
    assert mailbox.received == []
    sent = CliRunner().invoke(cli.cli, ["notify", "--on", "2026-03-09"], catch_exceptions=False)
    assert sent.stdout.startswith("Inviati: 1.") and len(mailbox.received) == 1
    assert actor_named(pupils_db, "funzione").username == "funzione"
