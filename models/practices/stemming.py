"""The words of the practices' index: Italian stems (Snowball), filter tags, and the index write.

Shared by `records` (publishing puts a practice in the index) and `search` (queries are stemmed the same
way); it imports neither, so the two do not import each other.
"""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer
import sqlite_utils

from models.practices import store

WORD = re.compile(r"\w+")
_STEMMER = snowballstemmer.stemmer("italian")
# Words too common to narrow a search: dropped from queries (all words must match) and from the index.
STOPWORDS = frozenset("""a ad al alla alle agli ai all allo anche che chi con da dal dalla dalle dei del della delle
dello degli di e ed gli i il in la le lo ma nei nel nella nelle negli o per sono su sul sulla tra fra un una uno
non si se come più è""".split())


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _STEMMER.stemWord(word.lower())


def words(text: str) -> list[str]:
    return [w for w in WORD.findall((text or "").lower()) if w not in STOPWORDS and not w.startswith("_")]


def stem_text(text: str) -> str:
    return " ".join(stem(word) for word in words(text))


def tag(prefix: str, value: str) -> str:
    # The index's tokenizer splits at underscores: filter words are written without them.
    return prefix + value.replace("_", "")


def write(db: sqlite_utils.Database, practice_id: int, title: str, body: str, tags: str) -> None:
    """Put one practice's texts in the index, stemmed (inside the caller's transaction)."""
    store.index_write(db, practice_id, stem_text(title), stem_text(body), tags)
