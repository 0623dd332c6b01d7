"""Finding practices: a full-text index of Italian stems (SQLite FTS5, see models/practices/store.py), filters as
index words, ranked with the title first.

Text is stemmed with the Snowball Italian stemmer at index time and at query time: the index holds stems
(the originals stay in practice_versions, for display and snippets). A query stem of five letters or more also
matches longer stems ("accogliere" → accogl* finds "accoglienza" → accoglient), so one word finds its family
where the stemmer lets it. Query text never reaches FTS5 as syntax: it is cut into words and each word is quoted,
so quotes, NEAR, AND, `*` or parentheses typed by a user are just words.

Only published practices are in the index: search is the catalogue every network reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlite_utils

from models.accounts.schools import LEVEL_LABELS, Level
from models.core.permissions import Action, Actor, require
from models.practices import records, store
from models.practices.stemming import WORD as _WORD
from models.practices.stemming import stem, tag, words

PREFIX_FROM = 5  # stems this long also match as prefixes
TITLE_WEIGHT, BODY_WEIGHT, TAGS_WEIGHT = 10.0, 1.0, 0.0
DEFAULT_LIMIT = 20
SNIPPET_WORDS = 14  # words either side of the first match
MAX_QUERY_WORDS = 12


def reindex(db: sqlite_utils.Database) -> int:
    """Rebuild the index from the published versions (after a change of the stemmer)."""
    store.index_clear(db)
    rows = store.published_documents(db)
    for practice_id, document in rows:
        records.index(db, practice_id, records.Content.from_json(document))
    return len(rows)


# Search syntax a user may type out of habit: read as "all these words", never as operators.
_OPERATORS = re.compile(r"\b(?:AND|OR|NOT|NEAR)\b")


def query_stems(text: str) -> list[str]:
    return list(dict.fromkeys(stem(word) for word in words(_OPERATORS.sub(" ", text or ""))))[:MAX_QUERY_WORDS]


def match_terms(text: str, *, levels=(), targets=(), themes=(), strengths=()):
    """What a search matches on: the stems of `text` (each with True when also matched as a prefix) and, per
    filter used, the tags of which one must be there."""
    stems = [(s, len(s) >= PREFIX_FROM) for s in query_stems(text)]
    groups = [[tag(prefix, str(v)) for v in values]
              for prefix, values in (("liv", levels), ("tgt", targets), ("tem", themes), ("ev", strengths)) if values]
    return stems, groups


def _matching(db: sqlite_utils.Database, text: str, limit: int, **filters) -> list[int] | None:
    """The practices with every word of `text` in title or body and one value of each filter, best first; None
    when there is nothing to match on."""
    stems, groups = match_terms(text, **filters)
    if not stems and not groups:
        return None
    return store.index_match(db, stems, groups, (TITLE_WEIGHT, BODY_WEIGHT, TAGS_WEIGHT), limit)


@dataclass(frozen=True)
class Hit:
    practice_id: int
    title: str
    source: str
    levels: tuple[str, ...]
    strength: str
    snippet: tuple[tuple[str, bool], ...]  # (text, matched): the page bolds the matched words
    adopters: int


def search(db: sqlite_utils.Database, actor: Actor, text: str = "", *, levels=(), targets=(), themes=(),
           strengths=(), limit: int = DEFAULT_LIMIT) -> list[Hit]:
    """Published practices that match, best first (bm25, title weighted), with a highlighted snippet."""
    require(actor, Action.READ_PRACTICES, message="Il catalogo delle buone pratiche non è tra le pagine del tuo ruolo.")
    for value in levels:
        Level(value)  # a wrong filter is a bug of the caller, not an empty result
    ids = _matching(db, text, limit, levels=levels, targets=targets, themes=themes, strengths=strengths)
    if ids is None:
        ids = store.latest_published(db, limit)
    if not ids:
        return []
    details = store.published_details(db, ids)
    counts = store.adoption_counts(db, ids)
    stems = query_stems(text)
    hits = []
    for practice_id in ids:
        document, network_name, school_name = details[practice_id]
        content = records.Content.from_json(document)
        hits.append(Hit(practice_id, content.title, network_name + (f" – {school_name}" if school_name else ""),
                        tuple(LEVEL_LABELS[Level(v)] for v in content.levels),
                        records.STRENGTH_LABELS[records.Strength(content.evidence_strength)],
                        snippet(content, stems), counts.get(practice_id, 0)))
    return hits


# --- snippets from the original text -------------------------------------------------------------------

_MARKUP = re.compile(r"(?m)^\s*(?:#{1,6}|[-+*]|\d+[.)])\s+|\*\*|\*|\\(?=\S)|\|")
_MAX_SNIPPET_SOURCE = 6000


def _matches(word: str, stems: list[str]) -> bool:
    lower = word.lower()
    for s in stems:
        if lower.startswith(s[:4]) or len(lower) < 4:
            found = stem(lower)
            if found == s or (len(s) >= PREFIX_FROM and found.startswith(s)):
                return True
    return False


def snippet(content: records.Content, stems: list[str]) -> tuple[tuple[str, bool], ...]:
    """About thirty words of the problem and steps around the first matched word; the matches marked."""
    source = _MARKUP.sub(" ", f"{content.problem}\n{content.steps}\n{content.roles}\n{content.transfer}")
    source = " ".join(source[:_MAX_SNIPPET_SOURCE].split())
    spans = list(_WORD.finditer(source))
    if not spans:
        return ()
    first = next((i for i, m in enumerate(spans) if stems and _matches(m.group(), stems)), None)
    start = max(0, (first or 0) - SNIPPET_WORDS)
    end = min(len(spans), (first or 0) + SNIPPET_WORDS + 1)
    begin, finish = spans[start].start(), spans[end - 1].end()
    pieces: list[tuple[str, bool]] = [("… ", False)] if start else []
    cursor = begin
    for m in spans[start:end]:
        if stems and _matches(m.group(), stems):
            if m.start() > cursor:
                pieces.append((source[cursor:m.start()], False))
            pieces.append((m.group(), True))
            cursor = m.end()
    pieces.append((source[cursor:finish], False))
    if end < len(spans):
        pieces.append((" …", False))
    return tuple((text, bold) for text, bold in pieces if text)
