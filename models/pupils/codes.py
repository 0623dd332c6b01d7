"""A pupil code column holds codes the way registers make them, never a person's name in any script.

A register's code is letters and digits (S3A01, 102345, ALU-2021-0001), with at least one digit, no spaces,
commas, apostrophes, accented or non-Latin letters; its letter parts are a fixed prefix, the same in every
row, unless every code has the same length (a generated code such as Approdo's pseudonyms). Anything else
looks like a name ("ROSSI, MARIO", "Rossi M.", "Öztürk Ayşe", "王小明", "mario.rossi", "ROSSI1", a codice
fiscale, a name followed by its birth date) and the column is refused before anything is stored.

Also here: the neutral name an upload is recorded under (a file named "Rossi_Mario.csv" is personal data).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import PurePath

import pandas as pd

from models.core.errors import ApprodoError

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[-_/.][A-Za-z0-9]+)*")
_DIGIT = re.compile(r"\d")
_PSEUDONYM = re.compile(r"PS[A-Z2-7]{12}")  # models/pupils/pseudonyms.py: PREFIX + 12 base32 letters
# Two letter-only parts joined by a separator: "mario.rossi", "Rossi_Mario_2011", "ROSSI-MARIO".
_TWO_WORDS = re.compile(r"(?:^|[-_/.])[A-Za-z]{2,}[-_/.](?:[A-Za-z]{2,})(?:$|[-_/.])")
# Codice fiscale: six letters of surname and name, birth year, month letter, day (+40 for women), place,
# check letter; with "omocodia" any digit may be a letter of LMNPQRSTUV.
_D = "[0-9LMNPQRSTUV]"
_FISCAL = re.compile(rf"[A-Z]{{6}}{_D}{{2}}[ABCDEHLMPRST]{_D}{{2}}[A-Z]{_D}{{3}}[A-Z]", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z]{4,}")  # a letter part long enough to be a surname
WORDS_SHARE = 0.2  # letter parts that change in more than this share of the codes make a column of words
MOST = 0.5  # above this share of name-like values, the whole column is names: offer pseudonymisation
SHOWN_ROWS = 5


def name_like(values: pd.Series) -> pd.Series:
    """Per value, True when it cannot be a register's code (see the module's docstring)."""
    text = values.astype(str).str.strip()
    token = text.str.fullmatch(_TOKEN)
    pseudonym = text.str.fullmatch(_PSEUDONYM)
    digit = text.str.contains(_DIGIT)
    two_words = text.str.contains(_TWO_WORDS)
    fiscal = text.str.fullmatch(_FISCAL)
    return ~pseudonym & (~token | ~digit | two_words | fiscal)


def _words_vary(codes: pd.Series) -> bool:
    """True when the codes carry letter parts that change from row to row ("ROSSI1", "VERDI2"), unless every
    code has the same length (a generated code: its random letters are no surname)."""
    if codes.empty or codes.str.len().nunique() == 1:
        return False
    words = codes.str.upper().str.findall(_WORD).explode().dropna()
    return words.nunique() > max(2, WORDS_SHARE * len(codes))


def check_code_column(values: pd.Series, file_name: str, column: str) -> None:
    """Refuse, in Italian and without repeating any value, a code column that holds names."""
    text = values.astype(str).str.strip()
    filled = text[text != ""]
    distinct = pd.Series(filled.unique())
    if distinct.empty:
        return
    flagged = name_like(distinct)
    share = flagged.mean()
    if share > MOST or (not flagged.any() and _words_vary(distinct)):
        raise ApprodoError(
            f"Nel file {file_name} la colonna «{column}» sembra contenere nomi e cognomi, non codici: Approdo non "
            "conserva i nomi degli alunni. Un codice del registro è fatto di lettere e cifre, con almeno una cifra, "
            "senza spazi né virgole (es. S3A01 o 102345). Esporta dal registro il codice (o la matricola) "
            "dell'alunno, oppure scegli di pseudonimizzare al caricamento: Approdo sostituisce ogni nome con un "
            "codice stabile e ti dà il file chiave (nome → codice) da conservare a scuola.")
    if flagged.any():
        bad = set(distinct[flagged.to_numpy()])
        rows = filled.index[filled.isin(bad).to_numpy()]
        shown = ", ".join(str(r) for r in rows[:SHOWN_ROWS]) + (" e altre" if len(rows) > SHOWN_ROWS else "")
        found = (f"1 valore che sembra un nome, non un codice (riga {shown})" if len(rows) == 1 else
                 f"{len(rows)} valori che sembrano nomi, non codici (righe {shown})")
        raise ApprodoError(
            f"Nel file {file_name} la colonna «{column}» ha {found}: nulla è stato importato. Un codice del registro "
            "è fatto di lettere e cifre, con almeno una cifra, senza spazi né virgole (es. S3A01 o 102345): "
            "correggi quelle righe.")


HIDDEN = "•••"
_LETTER = re.compile(r"[^\W\d_]")


def hide_names(frame: pd.DataFrame, keep: frozenset[str] | set[str] = frozenset()) -> pd.DataFrame:
    """A copy of `frame` fit to show before any check: every cell with letters that could be part of a name
    (it fails `name_like`, or its column's letter parts change from row to row) becomes HIDDEN. Numbers, dates
    and register codes stay; so do the headers, and the cells that are one of the register's own words `keep`
    (lower case: «SI», «NO», «Assenza», which no one bears as a name), so the justification and the kind of
    event can be checked before importing."""
    shown = frame.copy()
    for index in range(shown.shape[1]):
        text = shown.iloc[:, index].fillna("").astype(str).str.strip()
        letters = text.str.contains(_LETTER) & ~text.str.lower().isin(keep)
        distinct = pd.Series(text[letters].unique(), dtype=str)
        hidden = letters & (name_like(text) | _words_vary(distinct))
        shown.iloc[:, index] = text.where(~hidden, HIDDEN)
    return shown


def hide_name_texts(texts: list[str] | tuple[str, ...]) -> list[str]:
    """Free texts of a file shown before any check (its title lines, its sheets' names), hidden as the preview's
    cells are: whatever could hold a name becomes HIDDEN. Each on its own: they are no column of codes, whose
    letter parts could be compared."""
    text = pd.Series(list(texts), dtype=str).str.strip()
    hidden = text.str.contains(_LETTER) & name_like(text)
    return text.where(~hidden, HIDDEN).tolist()


def stored_file_name(data: bytes, file_name: str) -> str:
    """The name an upload is recorded under: the first 12 hex digits of its SHA-256 and its extension.

    The name a person gave the file ("Rossi_Mario_assenze.csv") is never stored; `sha256sum FILE` on the
    school's copy finds which file it was.
    """
    suffix = PurePath(str(file_name)).suffix.lower()
    suffix = suffix if re.fullmatch(r"\.[a-z0-9]{1,5}", suffix) else ""
    return hashlib.sha256(data).hexdigest()[:12] + suffix
