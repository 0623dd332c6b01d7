"""Finding practices: SQLite FTS5 over Italian stems, filters as index words, bm25 with the title first.

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
from models.practices import records
from models.practices.stemming import WORD as _WORD
from models.practices.stemming import stem, tag, words

PREFIX_FROM = 5  # stems this long also match as prefixes
TITLE_WEIGHT, BODY_WEIGHT, TAGS_WEIGHT = 10.0, 1.0, 0.0
DEFAULT_LIMIT = 20
SNIPPET_WORDS = 14  # words either side of the first match
MAX_QUERY_WORDS = 12


def reindex(db: sqlite_utils.Database) -> int:
    """Rebuild the index from the published versions (after a change of the stemmer)."""
    db.execute("DELETE FROM practice_search")
    rows = db.execute("SELECT p.id, v.document FROM practices p JOIN practice_versions v"
                      " ON v.practice_id = p.id AND v.version = p.published_version").fetchall()
    for practice_id, document in rows:
        records.index(db, practice_id, records.Content.from_json(document))
    return len(rows)


# Search syntax a user may type out of habit: read as "all these words", never as operators.
_OPERATORS = re.compile(r"\b(?:AND|OR|NOT|NEAR)\b")


def query_stems(text: str) -> list[str]:
    return list(dict.fromkeys(stem(word) for word in words(_OPERATORS.sub(" ", text or ""))))[:MAX_QUERY_WORDS]


def fts_query(text: str, *, levels=(), targets=(), themes=(), strengths=()) -> str | None:
    """The MATCH expression: every word (quoted, so never syntax) in title or body, and the filters."""
    clauses = []
    stems = query_stems(text)
    if stems:
        terms = " AND ".join(f'"{s}"*' if len(s) >= PREFIX_FROM else f'"{s}"' for s in stems)
        clauses.append(f"{{title body}} : ({terms})")
    for prefix, values in (("liv", levels), ("tgt", targets), ("tem", themes), ("ev", strengths)):
        if values:
            alternatives = " OR ".join(f'"{tag(prefix, str(v))}"' for v in values)
            clauses.append(f"tags : ({alternatives})")
    return " AND ".join(clauses) if clauses else None


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
    expression = fts_query(text, levels=levels, targets=targets, themes=themes, strengths=strengths)
    if expression is None:
        rows = db.execute("SELECT id FROM practices WHERE published_version IS NOT NULL"
                          " ORDER BY published_at DESC, id DESC LIMIT ?", [limit]).fetchall()
    else:
        rows = db.execute("SELECT rowid FROM practice_search WHERE practice_search MATCH ?"
                          f" ORDER BY bm25(practice_search, {TITLE_WEIGHT}, {BODY_WEIGHT}, {TAGS_WEIGHT}) LIMIT ?",
                          [expression, limit]).fetchall()
    ids = [row[0] for row in rows]
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    details = {row[0]: row[1:] for row in db.execute(
        "SELECT p.id, v.document, n.name, s.name FROM practices p"
        " JOIN practice_versions v ON v.practice_id = p.id AND v.version = p.published_version"
        " JOIN networks n ON n.code = p.network_code LEFT JOIN schools s ON s.code = p.school_code"
        f" WHERE p.id IN ({marks})", ids)}  # noqa: S608
    counts = dict(db.execute(f"SELECT practice_id, COUNT(*) FROM practice_adoptions WHERE practice_id IN ({marks})"
                             " GROUP BY practice_id", ids).fetchall())  # noqa: S608
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
