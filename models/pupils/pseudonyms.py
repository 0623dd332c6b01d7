"""Replace names by stable codes at upload, when a school's register exports only names.

Each name (with the birth date, when the file has it or the name cell ends with it) becomes a code, an
HMAC-SHA256 under the school's secret. The secret is not in the database: it lives in the file beside it
(models/core/school_keys.py), so the database alone cannot be turned back into names with a dictionary.
Only the codes are stored; the key file (name → code) goes to the dirigente and stays at school. The same
pupil gets the same code in every later upload, so months add up. Which columns hold names is decided in
models/pupils/codes.py.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import re
import unicodedata
from base64 import b32encode
from datetime import datetime

import pandas as pd

from models.core import school_keys
from models.core.db import transaction
from models.core.errors import ApprodoError
from models.core.spreadsheet import safe_cell
from models.pupils import store

PREFIX = "PS"
# Letters NFKD does not take apart: "Łukasz" and "Lukasz" are one pupil, as "Öztürk" and "Ozturk".
_LETTERS = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "ß": "ss", "æ": "ae", "œ": "oe",
                          "ı": "i", "ħ": "h"})
# A birth date written after the name in the same cell: "Rossi Mario 12/03/2011", "... (2011-03-12)".
_TRAILING_DATE = re.compile(r"^(?P<name>.*?)[\s,;(]+(?P<date>\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{4}-\d{1,2}-\d{1,2})\)?$")


def normal_name(name: str) -> str:
    """Case, accents, punctuation, spacing and word order do not change the code ("ROSSI,  Mario" = "Mario
    Rossi"); the letters of every script count (王小明, Иванов), and digits ("ROSSI1" is not "ROSSI2")."""
    text = unicodedata.normalize("NFKD", str(name).lower().translate(_LETTERS))
    kept = (" " if unicodedata.category(c)[0] not in "LMN" else c for c in text if not unicodedata.combining(c))
    return " ".join(sorted("".join(kept).split()))


def split_birth(cell: str) -> tuple[str, str]:
    """("Rossi Mario", "12/03/2011") from "Rossi Mario 12/03/2011"; (cell, "") when no date ends it."""
    match = _TRAILING_DATE.match(str(cell).strip())
    return (match["name"].strip(), match["date"]) if match else (str(cell).strip(), "")


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
    """The school's secret from the file beside the database, made on first use.

    The database keeps only a check value: a missing or different secrets file is refused, since it would
    give the same pupils new codes and the months would no longer add up.
    """
    path = school_keys.path_for(db)
    row = store.pseudonym_check(db, school_code)
    check = row[0] if row else None
    secret = school_keys.read_all(path).get(school_code)
    if secret is None and check:
        raise ApprodoError(
            f"Il file dei segreti dei pseudonimi ({path}) non ha il segreto della scuola {school_code}, che ha già "
            "caricato nomi pseudonimizzati: ripristinalo dalla sua copia. Senza, gli stessi alunni avrebbero codici "
            "nuovi e i mesi non si sommerebbero più.")
    if secret is None:
        secret = school_keys.append(path, school_code, school_keys.new_secret())
    if check is None:
        with transaction(db):
            store.set_pseudonym_check(db, school_code, school_keys.check_value(secret))
        check = store.pseudonym_check(db, school_code)[0]
    if school_keys.check_value(secret) != check:
        raise ApprodoError(
            f"Il segreto dei pseudonimi della scuola {school_code} nel file {path} non è quello usato finora: "
            "ripristina il file giusto dalla sua copia, altrimenti gli stessi alunni avrebbero codici nuovi.")
    return secret


def pseudonymise(frame: pd.DataFrame, name_column: str, birth_column: str | None, secret: str
                 ) -> tuple[pd.DataFrame, bytes]:
    """The frame with names replaced by codes, and the key file (CSV: nome; data di nascita; codice)."""
    names = frame[name_column].astype(str).str.strip()
    if birth_column:
        births = frame[birth_column].astype(str).str.strip()
    else:  # the date may end the name's own cell
        parts = {cell: split_birth(cell) for cell in names.unique()}
        births = names.map(lambda cell: parts[cell][1])
        names = names.map(lambda cell: parts[cell][0])
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
