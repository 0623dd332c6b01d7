from datetime import timedelta

import pytest

from models import auth, clock, demo
from models.errors import ApprodoError, PermissionDenied
from models.permissions import Role

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
    assert audit_actions(demo_db, username)[-1] == "accesso_fallito"


def test_five_failures_in_fifteen_minutes_lock_the_account_for_fifteen_minutes(demo_db):
    start = clock.utcnow()
    for minute in range(4):
        with pytest.raises(auth.LoginError):
            auth.login(demo_db, "funzione", "sbagliata-123", now=start + timedelta(minutes=minute))
    with pytest.raises(auth.LoginError, match="bloccato per 15 minuti"):
        auth.login(demo_db, "funzione", "sbagliata-123", now=start + timedelta(minutes=4))
    # Even the right password is refused while locked.
    with pytest.raises(auth.LoginError, match="bloccato fino alle"):
        auth.login(demo_db, "funzione", PASSWORD, now=start + timedelta(minutes=10))
    assert "account_bloccato" in audit_actions(demo_db, "funzione")
    # After the lock, the right password works again.
    assert auth.login(demo_db, "funzione", PASSWORD, now=start + timedelta(minutes=20))


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(demo_db):
    start = clock.utcnow()
    for step in range(6):
        with pytest.raises(auth.LoginError) as failure:
            auth.login(demo_db, "docente", "sbagliata-123", now=start + timedelta(minutes=4 * step))
        assert "bloccato" not in failure.value.message
    assert auth.login(demo_db, "docente", PASSWORD, now=start + timedelta(minutes=25))


def test_a_successful_login_resets_the_failure_count(demo_db):
    start = clock.utcnow()
    for minute in range(4):
        with pytest.raises(auth.LoginError):
            auth.login(demo_db, "docente", "sbagliata-123", now=start + timedelta(minutes=minute))
    auth.login(demo_db, "docente", PASSWORD, now=start + timedelta(minutes=5))
    with pytest.raises(auth.LoginError) as failure:
        auth.login(demo_db, "docente", "sbagliata-123", now=start + timedelta(minutes=6))
    assert "bloccato" not in failure.value.message


def test_admin_can_unlock_a_locked_account(demo_db, system):
    for _ in range(5):
        with pytest.raises(auth.LoginError):
            auth.login(demo_db, "docente", "sbagliata-123")
    auth.unlock(demo_db, system, "docente")
    assert auth.login(demo_db, "docente", PASSWORD)


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


def test_short_passwords_are_refused(demo_db, system):
    with pytest.raises(ApprodoError, match="almeno 10 caratteri"):
        auth.create_user(demo_db, system, "nuovo", "corta", "admin")


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
