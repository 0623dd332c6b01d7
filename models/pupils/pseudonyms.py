"""Names are not codes: refuse a column of names, or replace names by stable codes at upload.

A school whose register exports only names can still use Approdo: each name
(with the birth date, when the file has it) becomes a code, an HMAC-SHA256
under a secret kept per school in the database. Only the codes are stored;
the key file (name → code) goes to the dirigente and stays at school. The
same pupil gets the same code in every later upload, so months add up.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import re
import secrets
import unicodedata
from base64 import b32encode
from datetime import datetime

import pandas as pd

from models.core.db import transaction
from models.core.spreadsheet import safe_cell

_WORD = r"(?:[A-ZÀ-ÖØ-Ý][a-zà-öø-ÿ]+|[A-ZÀ-ÖØ-Ý]{2,})"  # Rossi, ROSSI; D'Amico as two words
NAME = re.compile(rf"{_WORD}(?:['’]{_WORD})?(?:[ \-]+{_WORD}(?:['’]{_WORD})?)+")
NAME_SHARE = 0.5  # a column is names when most of its filled cells look like names
PREFIX = "PS"


def looks_like_names(values: pd.Series) -> bool:
    """True when most filled cells are two or more capitalised words of letters only ("Rossi Mario")."""
    text = values.astype(str).str.strip()
    filled = text[text != ""]
    if filled.empty:
        return False
    sample = filled.head(2000)
    return bool(sample.str.fullmatch(NAME).mean() > NAME_SHARE)


def normal_name(name: str) -> str:
    """Case, accents, spacing and word order do not change the code ("ROSSI  Mario" = "Mario Rossi")."""
    text = unicodedata.normalize("NFKD", str(name).lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(sorted(re.sub(r"[^a-z]+", " ", text).split()))


def normal_birth(text: str) -> str:
    value = str(text).strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d %H:%M"):
        try:
            return datetime.strptime(value, pattern).strftime("%Y-%m-%d")
        except ValueError:
            continue
    return value


def code_for(secret: str, name: str, birth: str = "") -> str:
    digest = hmac.new(bytes.fromhex(secret), f"{normal_name(name)}|{normal_birth(birth)}".encode(),
                      hashlib.sha256).digest()
    return PREFIX + b32encode(digest).decode()[:12]


def school_secret(db, school_code: str) -> str:
    """The school's secret, made on first use (it is not pupil data; losing it breaks the link of codes)."""
    row = db.execute("SELECT pseudonym_secret FROM schools WHERE code = ?", [school_code]).fetchone()
    if row and row[0]:
        return row[0]
    with transaction(db):
        db.execute("UPDATE schools SET pseudonym_secret = ? WHERE code = ? AND pseudonym_secret IS NULL",
                   [secrets.token_hex(32), school_code])
    return db.execute("SELECT pseudonym_secret FROM schools WHERE code = ?", [school_code]).fetchone()[0]


def pseudonymise(frame: pd.DataFrame, name_column: str, birth_column: str | None, secret: str
                 ) -> tuple[pd.DataFrame, bytes]:
    """The frame with names replaced by codes, and the key file (CSV: nome; data di nascita; codice)."""
    names = frame[name_column].astype(str).str.strip()
    births = frame[birth_column].astype(str).str.strip() if birth_column else pd.Series("", index=frame.index)
    pairs = pd.DataFrame({"name": names, "birth": births}).drop_duplicates()
    pairs = pairs[pairs["name"] != ""]
    pairs["code"] = [code_for(secret, n, b) for n, b in zip(pairs["name"], pairs["birth"], strict=True)]
    lookup = {(n, b): c for n, b, c in pairs.itertuples(index=False)}
    out = frame.copy()
    out[name_column] = [lookup.get((n, b), "") if n else "" for n, b in zip(names, births, strict=True)]
    key = io.StringIO()
    writer = csv.writer(key, delimiter=";")
    writer.writerow(["nome", "data di nascita", "codice"])
    for name, birth, code in pairs.sort_values(["name", "birth"]).itertuples(index=False):
        writer.writerow([safe_cell(name), safe_cell(birth), code])
    return out, key.getvalue().encode("utf-8-sig")
