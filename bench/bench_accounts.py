"""Accounts: the per-rerun session check and a login, against bare sqlite3 and bare Argon2."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from argon2 import PasswordHasher

from bench.harness import Result, best_of
from models.accounts import auth
from models.core import db as database
from models.demo import demo


def run() -> list[Result]:
    tmp = Path(tempfile.mkdtemp())
    path = tmp / "bench.db"
    db = database.connect(path)
    demo.install_demo(db)
    token = auth.login(db, "dirigente", demo.DEMO_PASSWORD)

    # What every Streamlit rerun pays: open a connection and resolve the session.
    def ours_session():
        for _ in range(100):
            auth.resolve_session(database.connect(path), token)

    def floor_session():
        for _ in range(100):
            conn = sqlite3.connect(path)
            conn.execute("SELECT * FROM sessions WHERE token_hash = ?", ["x"]).fetchall()
            conn.close()

    stored = auth.hash_password(demo.DEMO_PASSWORD)
    hasher = PasswordHasher()

    def ours_login():
        auth.logout(db, auth.login(db, "dirigente", demo.DEMO_PASSWORD))

    def floor_login():
        hasher.verify(stored, demo.DEMO_PASSWORD)

    return [
        Result("100 reruns: connect + resolve_session", best_of(ours_session), best_of(floor_session),
               "bare sqlite3 connect + select", target_ratio=5.0),
        Result("login + logout (Argon2id, audit, session)", best_of(ours_login), best_of(floor_login),
               "bare argon2 verify", target_ratio=1.5),
    ]
