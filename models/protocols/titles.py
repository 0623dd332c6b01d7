"""Section titles compared as people read them: case, accents, punctuation and small words aside.

Used where Approdo suggests which section is which: a Word import's sections onto the
protocol's, and a school's own sections onto the network core's once the core exists.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Hashable, Mapping
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
THRESHOLD = 0.6

_STOPWORDS = {"e", "ed", "di", "del", "della", "dei", "delle", "degli", "la", "il", "lo", "le", "gli", "i", "a",
              "al", "alla", "in", "per", "con", "da", "dal", "dalla", "nostra", "nostro", "l", "un", "una"}


def normal(title: str) -> str:
    text = unicodedata.normalize("NFKD", title.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", text).split())


def _significant(title: str) -> set[str]:
    return {word for word in title.split() if word not in _STOPWORDS and len(word) > 2}


def similarity(first: str, second: str) -> float:
    """0 to 1: the better of the characters in common and the share of meaningful words in common."""
    a, b = normal(first), normal(second)
    words, other = _significant(a), _significant(b)
    overlap = len(words & other) / max(1, min(len(words), len(other)))
    return max(difflib.SequenceMatcher(a=a, b=b).ratio(), overlap)


def best_matches(titles: list[str], targets: Mapping[K, str]) -> list[tuple[K | None, float]]:
    """For each title in order, the target that fits best and its score (each target used once),
    or (None, score) when none fits well enough."""
    free = dict(targets)
    found: list[tuple[K | None, float]] = []
    for title in titles:
        best, best_score = None, 0.0
        for key, target in free.items():
            score = similarity(title, target)
            if score > best_score:
                best, best_score = key, score
        if best is not None and best_score >= THRESHOLD:
            del free[best]
            found.append((best, best_score))
        else:
            found.append((None, best_score))
    return found
