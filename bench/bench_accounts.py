"""Accounts: the per-rerun session check and a login, against bare sqlite3 and bare Argon2, in turns.

Both sides of each pair must give the same answer: the session's user, and the password accepted.
"""

from __future__ import annotations

import hashlib
import sqlite3
import tempfile
from pathlib import Path

from argon2 import PasswordHasher

from bench.harness import Result, best_of_pair, row
from models.accounts import auth
from models.core import db as database
from models.demo import demo

RERUNS = 100


def sessions(path: Path, token: str, reruns: int = RERUNS):
    """(ours, floor): what every Streamlit rerun pays, open a connection and resolve the session; their user ids."""
    token_hash = hashlib.sha256(token.encode()).hexdigest()

    def ours() -> list[int]:
        return [auth.resolve_session(database.connect(path), token).user_id for _ in range(reruns)]

    def floor() -> list[int]:
        found = []
        for _ in range(reruns):
            conn = sqlite3.connect(path)
            found.append(conn.execute("SELECT user_id FROM sessions WHERE token_hash = ?", [token_hash]).fetchone()[0])
            conn.close()
        return found

    return ours, floor


def logins(db, username: str, password: str):
    """(ours, floor): a login and logout (Argon2id, audit, session) against one bare verify; both accept."""
    stored = auth.hash_password(password)
    hasher = PasswordHasher()

    def ours() -> bool:
        token = auth.login(db, username, password)
        auth.logout(db, token)
        return bool(token)

    return ours, lambda: hasher.verify(stored, password)


def run() -> list[Result]:
    path = Path(tempfile.mkdtemp()) / "bench.db"
    db = database.connect(path)
    demo.install_demo(db)
    token = auth.login(db, "dirigente", demo.DEMO_PASSWORD)
    ours_session, floor_session = sessions(path, token)
    ours_login, floor_login = logins(db, "dirigente", demo.DEMO_PASSWORD)
    return [
        row(f"{RERUNS} ricaricamenti di pagina: connessione + sessione",
            lambda: best_of_pair(ours_session, floor_session, 5),
            "sqlite3 nudo: connect + select", target_ratio=5.0),
        row("accesso + uscita (Argon2id, registro, sessione)", lambda: best_of_pair(ours_login, floor_login, 5),
            "verifica Argon2 nuda", target_ratio=1.5),
    ]
