from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from models.accounts import auth
from models.core import clock
from models.core.errors import ApprodoError, PermissionDenied
from models.core.permissions import Role
from models.demo import demo

PASSWORD = demo.DEMO_PASSWORD


def audit_actions(db, target):
    return [
        row["action"]
        for row in db.query("SELECT action FROM audit_log WHERE target = ? ORDER BY id", [target])
    ]


def test_passwords_are_stored_as_argon2id_hashes(demo_db):
    stored = demo_db.execute("SELECT password_hash FROM users WHERE username = 'dirigente'").fetchone()[0]
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert auth.verify_password(stored, PASSWORD)
    assert not auth.verify_password(stored, PASSWORD + "x")
    assert not auth.verify_password("not-a-hash", PASSWORD)


def test_login_returns_a_session_for_the_right_user(demo_db):
    token = auth.login(demo_db, "dirigente", PASSWORD)
    actor = auth.resolve_session(demo_db, token)
    assert actor.username == "dirigente"
    assert actor.role is Role.DIRIGENTE
    assert actor.school_code == "MIIS00003C"
    assert actor.network_code == "RETEDEMO"
    assert audit_actions(demo_db, "dirigente")[-1] == "accesso"


def test_login_is_case_and_space_tolerant_on_the_username(demo_db):
    assert auth.login(demo_db, "  Dirigente ", PASSWORD)


def test_only_a_hash_of_the_token_is_stored(demo_db):
    token = auth.login(demo_db, "dirigente", PASSWORD)
    stored = [row["token_hash"] for row in demo_db.query("SELECT token_hash FROM sessions")]
    assert token not in stored and len(stored) == 1


@pytest.mark.parametrize("username", ["dirigente", "nessuno"])
def test_wrong_credentials_get_one_message_that_does_not_reveal_the_user(demo_db, username):
    with pytest.raises(auth.LoginError) as failure:
        auth.login(demo_db, username, "sbagliata-123")
    assert failure.value.message == "Nome utente o password non corretti."


def test_a_failure_is_recorded_for_an_existing_account_and_nothing_for_an_unknown_name(demo_db):
    for username in ("dirigente", "nessuno"):
        with pytest.raises(auth.LoginError):
            auth.login(demo_db, username, "sbagliata-123", client="10.0.0.1")
    assert audit_actions(demo_db, "dirigente")[-1] == "accesso_fallito"
    assert audit_actions(demo_db, "nessuno") == []
    rows = demo_db.execute("SELECT username, client, success FROM login_attempts").fetchall()
    assert rows == [("dirigente", "10.0.0.1", 0)]


WRONG = "sbagliata-123"


def fail(db, username, moment, client="10.0.0.1", password=WRONG) -> str:
    with pytest.raises(auth.LoginError) as failure:
        auth.login(db, username, password, client=client, now=moment)
    return failure.value.message


@pytest.mark.parametrize("username", ["funzione", "nessuno"])
def test_after_five_failures_each_try_from_that_address_waits_longer(demo_db, username):
    start = clock.utcnow()
    for second in range(5):
        assert fail(demo_db, username, start + timedelta(seconds=second)) == auth.WRONG_CREDENTIALS
    # The sixth try within 30 seconds is not even checked, whatever the password.
    assert "Riprova fra 1 minuto" in fail(demo_db, username, start + timedelta(seconds=10), password=PASSWORD)
    # After 30 seconds it is checked again; one more failure makes the next wait one minute, then two.
    assert fail(demo_db, username, start + timedelta(seconds=35)) == auth.WRONG_CREDENTIALS
    assert "Riprova fra 1 minuto" in fail(demo_db, username, start + timedelta(seconds=60))
    assert fail(demo_db, username, start + timedelta(seconds=96)) == auth.WRONG_CREDENTIALS
    assert "Riprova fra 2 minuti" in fail(demo_db, username, start + timedelta(seconds=97))
    if username == "funzione":
        assert auth.login(demo_db, username, PASSWORD, client="10.0.0.1", now=start + timedelta(minutes=4))
        assert "accesso_rallentato" in audit_actions(demo_db, username)


class CountingHasher(PasswordHasher):
    """The tests' cheap Argon2id, counting its checks: each costs a core and 64 MiB in production."""

    checks = 0

    def verify(self, hash, password):  # noqa: A002 - argon2's own parameter name
        CountingHasher.checks += 1
        return super().verify(hash, password)


@pytest.fixture
def counted(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", CountingHasher(time_cost=1, memory_cost=1024, parallelism=1))
    CountingHasher.checks = 0
    return CountingHasher


def test_a_flood_of_new_names_from_one_address_costs_a_few_argon2_checks_then_none(demo_db, counted):
    """Issue 31 #9: each new name cost a full Argon2 check (real logins went from 0.28 s to 11.3 s)."""
    start = clock.utcnow()
    for n in range(300):
        moment = start + timedelta(milliseconds=10 * n)
        assert fail(demo_db, f"inventato{n}", moment, client="203.0.113.5") == auth.WRONG_CREDENTIALS
    assert counted.checks <= auth.UNKNOWN_FREE_PER_ADDRESS + 1
    # A real name from the same address is still checked, with the same answer; its owner still gets in.
    checks = counted.checks
    assert fail(demo_db, "docente", start + timedelta(seconds=4), client="203.0.113.5") == auth.WRONG_CREDENTIALS
    assert counted.checks == checks + 1
    assert auth.login(demo_db, "docente", PASSWORD, client="203.0.113.5", now=start + timedelta(seconds=5))
    # Another address has its own budget.
    fail(demo_db, "inventato-altrove", start + timedelta(seconds=6), client="192.0.2.1")
    assert counted.checks == checks + 3


def test_a_flood_of_new_names_from_many_addresses_stays_within_the_global_budget(demo_db, counted):
    start = clock.utcnow()
    for n in range(300):
        assert fail(demo_db, f"inventato{n}", start, client=f"198.51.{n // 250}.{n % 250}") == auth.WRONG_CREDENTIALS
    assert counted.checks <= auth.UNKNOWN_CHECKS_PER_MINUTE + 1


def test_an_unknown_name_beyond_the_budget_answers_in_the_time_of_a_real_check(demo_db, monkeypatch, still_clock):
    """No new way to tell names apart: the pause beyond the budget lasts as long as the recent real checks,
    and follows them when they get slower. On the test's clock, a check takes `check_seconds`."""
    check_seconds = [0.37]

    class ClockedHasher(CountingHasher):
        def verify(self, hash, password):  # noqa: A002 - argon2's own parameter name
            still_clock.now += check_seconds[0]
            return super().verify(hash, password)

    monkeypatch.setattr(auth, "_hasher", ClockedHasher(time_cost=1, memory_cost=1024, parallelism=1))
    start = clock.utcnow()

    def seconds(username, client):
        began = still_clock.now
        fail(demo_db, username, start, client=client)
        return still_clock.now - began

    real = [seconds("docente", f"192.0.2.{n}") for n in range(5)]
    for n in range(auth.UNKNOWN_FREE_PER_ADDRESS):
        fail(demo_db, f"inventato{n}", start, client="203.0.113.5")
    checks = CountingHasher.checks
    cheap = [seconds(f"altro{n}", "203.0.113.5") for n in range(5)]
    assert CountingHasher.checks == checks  # beyond the budget: a pause, no Argon2 check
    assert cheap == pytest.approx(real) == [0.37] * 5
    # The real checks get three times slower (a busier server): the pause follows them.
    check_seconds[0] = 1.11
    real = [seconds("docente", f"192.0.2.{n}") for n in range(5, 25)]
    cheap = [seconds(f"ancora{n}", "203.0.113.5") for n in range(5)]
    assert CountingHasher.checks == checks + 20
    assert all(0.95 * 1.11 < pause <= 1.11 for pause in cheap), cheap


def test_the_waits_stop_growing_at_fifteen_minutes(demo_db):
    moment = clock.utcnow()
    for _ in range(20):
        moment += auth.MAX_DELAY
        assert fail(demo_db, "docente", moment) == auth.WRONG_CREDENTIALS
    assert "Riprova fra 15 minuti" in fail(demo_db, "docente", moment + timedelta(seconds=1))


def test_failures_from_one_address_do_not_slow_down_the_owner_elsewhere(demo_db):
    start = clock.utcnow()
    for second in range(10):
        fail(demo_db, "funzione", start + timedelta(seconds=second), client="203.0.113.5")
    assert "Riprova" in fail(demo_db, "funzione", start + timedelta(seconds=11), client="203.0.113.5")
    assert auth.login(demo_db, "funzione", PASSWORD, client="192.0.2.1", now=start + timedelta(seconds=12))
    # The owner's success elsewhere does not lift the attacker's wait.
    assert "Riprova" in fail(demo_db, "funzione", start + timedelta(seconds=13), client="203.0.113.5")


def test_a_person_who_mistypes_now_and_then_is_never_slowed_down(demo_db):
    start = clock.utcnow()
    for step in range(6):
        assert fail(demo_db, "docente", start + timedelta(minutes=4 * step)) == auth.WRONG_CREDENTIALS
    assert auth.login(demo_db, "docente", PASSWORD, client="10.0.0.1", now=start + timedelta(minutes=25))


def test_a_successful_login_resets_the_count_for_that_address(demo_db):
    start = clock.utcnow()
    for second in range(4):
        fail(demo_db, "docente", start + timedelta(seconds=second))
    auth.login(demo_db, "docente", PASSWORD, client="10.0.0.1", now=start + timedelta(seconds=5))
    for second in range(6, 10):
        assert fail(demo_db, "docente", start + timedelta(seconds=second)) == auth.WRONG_CREDENTIALS


def test_admin_can_lift_the_waits(demo_db, system):
    start = clock.utcnow()
    for second in range(8):
        fail(demo_db, "docente", start + timedelta(seconds=second))
    assert auth.get_user(demo_db, system, "docente").locked_until  # the admin page shows it as locked
    auth.unlock(demo_db, system, "docente")
    assert auth.get_user(demo_db, system, "docente").locked_until is None
    assert auth.login(demo_db, "docente", PASSWORD, client="10.0.0.1", now=start + timedelta(seconds=9))
    assert "utente_sbloccato" in audit_actions(demo_db, "docente")


def test_too_long_names_and_passwords_are_refused_before_anything_is_written(demo_db):
    before = demo_db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
    for username, password in [("a" * 65, PASSWORD), ("dirigente", "p" * 1025)]:
        with pytest.raises(auth.LoginError, match="troppo lunghi"):
            auth.login(demo_db, username, password)
    assert demo_db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] == before
    assert demo_db.execute("SELECT COUNT(*) FROM login_attempts").fetchone()[0] == 0


def test_a_password_changed_while_a_login_was_being_checked_does_not_open_a_session(demo_db, system, monkeypatch):
    verify = auth.verify_password

    def verify_then_change(stored, password):
        right = verify(stored, password)
        auth.set_password(demo_db, system, "docente", "cambiata-nel-frattempo")
        return right

    monkeypatch.setattr(auth, "verify_password", verify_then_change)
    with pytest.raises(auth.LoginError):
        auth.login(demo_db, "docente", PASSWORD)
    assert demo_db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 0


def test_idle_sessions_expire_after_thirty_minutes(demo_db):
    start = clock.utcnow()
    token = auth.login(demo_db, "dirigente", PASSWORD, now=start)
    assert auth.resolve_session(demo_db, token, now=start + timedelta(minutes=29))
    # Activity moved last_seen forward, so 29 more minutes are fine too...
    assert auth.resolve_session(demo_db, token, now=start + timedelta(minutes=58))
    # ...but 31 idle minutes are not, and the session is gone for good.
    assert auth.resolve_session(demo_db, token, now=start + timedelta(minutes=90)) is None
    assert auth.resolve_session(demo_db, token, now=start + timedelta(minutes=91)) is None


def test_sessions_end_after_twelve_hours_even_when_active(demo_db):
    start = clock.utcnow()
    token = auth.login(demo_db, "dirigente", PASSWORD, now=start)
    moment = start
    while moment < start + timedelta(hours=11, minutes=50):
        moment += timedelta(minutes=20)
        assert auth.resolve_session(demo_db, token, now=moment)
    assert auth.resolve_session(demo_db, token, now=start + timedelta(hours=12, minutes=10)) is None


def test_logout_ends_the_session(demo_db):
    token = auth.login(demo_db, "dirigente", PASSWORD)
    auth.logout(demo_db, token)
    assert auth.resolve_session(demo_db, token) is None
    assert audit_actions(demo_db, "dirigente")[-1] == "uscita"


def test_unknown_or_empty_tokens_resolve_to_nobody(demo_db):
    assert auth.resolve_session(demo_db, None) is None
    assert auth.resolve_session(demo_db, "forged-token") is None


def test_deactivating_a_user_ends_their_sessions_and_blocks_login(demo_db, system):
    token = auth.login(demo_db, "docente", PASSWORD)
    auth.set_active(demo_db, system, "docente", False)
    assert auth.resolve_session(demo_db, token) is None
    with pytest.raises(auth.LoginError, match="disattivato"):
        auth.login(demo_db, "docente", PASSWORD)
    auth.set_active(demo_db, system, "docente", True)
    assert auth.login(demo_db, "docente", PASSWORD)


def test_a_new_password_ends_old_sessions(demo_db, system):
    token = auth.login(demo_db, "docente", PASSWORD)
    auth.set_password(demo_db, system, "docente", "una-nuova-password")
    assert auth.resolve_session(demo_db, token) is None
    with pytest.raises(auth.LoginError):
        auth.login(demo_db, "docente", PASSWORD)
    assert auth.login(demo_db, "docente", "una-nuova-password")
    actions = audit_actions(demo_db, "docente")
    assert "password_cambiata" in actions and actions[-1] == "accesso"


def test_production_hashing_uses_argon2id_with_rfc9106_parameters():
    hasher = auth.PRODUCTION_HASHER
    assert hasher.type.name == "ID"
    assert hasher.memory_cost >= 64 * 1024 and hasher.time_cost >= 3


def test_login_upgrades_a_hash_made_with_weaker_parameters(demo_db, monkeypatch):
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    demo_db.execute("UPDATE users SET password_hash = ? WHERE username = 'docente'", [weak])
    auth.login(demo_db, "docente", PASSWORD)
    stored = demo_db.execute("SELECT password_hash FROM users WHERE username = 'docente'").fetchone()[0]
    assert stored != weak and auth.verify_password(stored, PASSWORD)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"username": "x", "role": "docente", "school_code": "MIIS00003C"}, "non è valido"),
        ({"username": "nuovo", "role": "preside", "school_code": "MIIS00003C"}, "Ruolo «preside» sconosciuto"),
        ({"username": "nuovo", "role": "docente"}, "richiede una scuola"),
        ({"username": "nuovo", "role": "coordinatore_rete"}, "richiede una rete"),
        ({"username": "nuovo", "role": "docente", "school_code": "XXXX00000X"}, "non esiste"),
        ({"username": "dirigente", "role": "docente", "school_code": "MIIS00003C"}, "Esiste già"),
    ],
)
def test_bad_user_input_gets_an_italian_error_and_writes_nothing(demo_db, system, kwargs, message):
    before = demo_db.execute("SELECT COUNT(*) FROM users").fetchone()[0]
    with pytest.raises(ApprodoError, match=message):
        auth.create_user(demo_db, system, password="password-lunga", **kwargs)
    assert demo_db.execute("SELECT COUNT(*) FROM users").fetchone()[0] == before


@pytest.mark.parametrize("password", ["corta", " " * 10, "\t" * 12, "  corta   ", "   abcdefghi   ", ""])
def test_short_or_blank_passwords_are_refused(demo_db, system, password):
    with pytest.raises(ApprodoError, match="almeno 10 caratteri"):
        auth.create_user(demo_db, system, "nuovo", password, "admin")
    with pytest.raises(ApprodoError, match="almeno 10 caratteri"):
        auth.set_password(demo_db, system, "docente", password)
    assert auth.login(demo_db, "docente", PASSWORD)


def test_overlong_passwords_and_names_are_refused_when_creating_an_account(demo_db, system):
    with pytest.raises(ApprodoError, match="troppo lunga"):
        auth.create_user(demo_db, system, "nuovo", "p" * 1025, "admin")
    with pytest.raises(ApprodoError, match="non è valido") as refused:
        auth.create_user(demo_db, system, "n" * 5_000_000, PASSWORD, "admin")
    assert len(refused.value.message) < 300


@pytest.mark.parametrize("role", ["coordinatore_rete", "dirigente", "funzione_strumentale", "docente"])
def test_only_admins_manage_users(demo_db, actors, role):
    actor = actors[role]
    with pytest.raises(PermissionDenied):
        auth.list_users(demo_db, actor)
    with pytest.raises(PermissionDenied):
        auth.create_user(demo_db, actor, "intruso", "password-lunga", "admin")
    with pytest.raises(PermissionDenied):
        auth.set_password(demo_db, actor, "admin", "password-lunga")


def test_user_changes_are_audited_with_who_did_them(demo_db, actors):
    auth.create_user(demo_db, actors["admin"], "nuova.docente", "password-lunga", "docente",
                     school_code="MIIS00003C")
    row = next(demo_db.query("SELECT actor, action FROM audit_log WHERE target = 'nuova.docente'"))
    assert row == {"actor": "admin", "action": "utente_creato"}


def test_admin_cannot_deactivate_themselves(demo_db, actors):
    with pytest.raises(ApprodoError, match="tuo stesso account"):
        auth.set_active(demo_db, actors["admin"], "admin", False)
