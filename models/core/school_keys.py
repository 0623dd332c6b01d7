"""The schools' pseudonym secrets: kept in a file of their own beside the database, never in it.

Whoever holds the database file alone (a copy, a backup, a stolen disk image of it) holds the codes but not
the HMAC secret that made them, so no dictionary of names turns them back into names. The file is
created 0600, `cli.py backup` leaves it out, and it is read on every pseudonymised upload.

Where: `$APPRODO_PSEUDONYM_KEYS`, or the database's path + ".pseudonimi". One line per school,
"CODE<TAB>hex"; lines are only ever appended and the first line of a school wins, so two processes that
create a school's secret at once agree on it without a lock.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from models.core import store
from models.core.errors import ApprodoError

SUFFIX = ".pseudonimi"
HEADER = ("# Approdo: segreti dei pseudonimi delle scuole. Non copiarlo insieme al database: chi ha entrambi "
          "può ritrovare i nomi dai codici. Senza questo file gli stessi alunni avrebbero codici nuovi.\n")


def path_for(db) -> Path:
    env = os.environ.get("APPRODO_PSEUDONYM_KEYS")
    if env:
        return Path(env)
    source = store.database_file(db)
    if not source:
        raise ApprodoError("Un database in memoria non ha un file dei segreti dei pseudonimi.")
    return Path(source + SUFFIX)


def read_all(path: Path) -> dict[str, str]:
    """School -> secret (hex), the first line of each school."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise ApprodoError(f"Non riesco a leggere il file dei segreti dei pseudonimi {path}: "
                           f"{error.strerror}.") from None
    found: dict[str, str] = {}
    for line in text.splitlines():
        code, _, secret = line.partition("\t")
        if line.startswith("#") or not secret.strip():
            continue
        found.setdefault(code.strip(), secret.strip())
    return found


def append(path: Path, school_code: str, secret: str) -> str:
    """Add the school's secret unless it has one; return the one that holds (the first in the file)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.fchmod(descriptor, 0o600)
            if os.fstat(descriptor).st_size == 0:
                os.write(descriptor, HEADER.encode("utf-8"))
            os.write(descriptor, f"{school_code}\t{secret}\n".encode("ascii"))
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    except OSError as error:
        raise ApprodoError(f"Non riesco a scrivere il file dei segreti dei pseudonimi {path}: "
                           f"{error.strerror}.") from None
    return read_all(path)[school_code]


def check_value(secret: str) -> str:
    """What the database keeps to know the right secret is in use: reveals nothing of a 256-bit secret."""
    return hmac.new(bytes.fromhex(secret), b"approdo: verifica del segreto", hashlib.sha256).hexdigest()[:16]


def new_secret() -> str:
    return secrets.token_hex(32)
