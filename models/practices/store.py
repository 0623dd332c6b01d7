"""All the SQL of good practices: records and versions, adoptions into protocols, attachments, and the search
index.

In the subset of SQL that SQLite and PostgreSQL share (named parameters, RETURNING); the search index is
SQLite's FTS5 behind the small interface at the end (`index_write`, `index_clear`, `index_match`). Callers own
permissions, checks and transactions.
"""

from __future__ import annotations

from collections.abc import Sequence

from models.core.connection import Connection
from models.core.store import in_list, insert, insert_returning_id

# --- what a practice may not hold ------------------------------------------------------------------------


def network_schools(db: Connection, network_code: str) -> list[str]:
    return [r[0] for r in db.execute("SELECT code FROM schools WHERE network_code = :network",
                                     {"network": network_code})]


def network_of(db: Connection, school_code: str) -> str:
    return db.execute("SELECT network_code FROM schools WHERE code = :school", {"school": school_code}).fetchone()[0]


PUPIL_TABLES = ("attendance", "pupil_context", "outcomes", "attendance_events")


def any_pupil_code(db: Connection, school_codes: Sequence[str], pupil_codes: Sequence[str]) -> bool:
    """Whether any of `pupil_codes` is a pupil of one of the schools (a seek on each pupil table's key)."""
    schools, school_values = in_list("s", school_codes)
    pupils, pupil_values = in_list("p", pupil_codes)
    for table in PUPIL_TABLES:  # names from the code, never from users
        if db.execute(f"SELECT 1 FROM {table} WHERE school_code IN ({schools}) AND pupil_code IN ({pupils})"
                      " LIMIT 1", school_values | pupil_values).fetchone():
            return True
    return False


# --- practices and their versions --------------------------------------------------------------------------

_PRACTICE = """
    SELECT p.id, p.network_code, n.name AS network_name, p.school_code, s.name AS school_name, p.status,
           p.current_version, p.published_version, p.published_at
    FROM practices p JOIN networks n ON n.code = p.network_code LEFT JOIN schools s ON s.code = p.school_code
"""


def practice(db: Connection, practice_id: int) -> dict | None:
    return next(db.query(_PRACTICE + " WHERE p.id = :id", {"id": practice_id}), None)


def practices_newest_first(db: Connection) -> list[dict]:
    """Every practice, the latest change first."""
    return list(db.query(_PRACTICE + " ORDER BY p.updated_at DESC, p.id DESC"))


def version(db: Connection, practice_id: int, number: int) -> dict:
    """The document, author and created_at of one version."""
    return next(db.query("SELECT document, author, created_at FROM practice_versions"
                         " WHERE practice_id = :id AND version = :version", {"id": practice_id, "version": number}))


def versions_up_to(db: Connection, practice_id: int, last: int) -> list[dict]:
    """Versions up to `last`, newest first."""
    return list(db.query("SELECT version, document, author, created_at, note FROM practice_versions"
                         " WHERE practice_id = :id AND version <= :last ORDER BY version DESC",
                         {"id": practice_id, "last": last}))


def proposed_count(db: Connection, network_code: str) -> int:
    return db.execute("SELECT COUNT(*) FROM practices WHERE network_code = :network AND status = 'proposta'",
                      {"network": network_code}).fetchone()[0]


def insert_practice(db: Connection, network_code: str, school_code: str | None, created_by: str,
                    at: str) -> int:
    """The new practice's id."""
    return insert_returning_id(db, "practices", {"network_code": network_code, "school_code": school_code,
                                                 "created_by": created_by, "created_at": at, "updated_at": at})


def insert_version(db: Connection, practice_id: int, number: int, document: str, author: str, at: str,
                   note: str) -> None:
    insert(db, "practice_versions", {"practice_id": practice_id, "version": number, "document": document,
                                     "author": author, "created_at": at, "note": note})


def current_version(db: Connection, practice_id: int) -> int:
    return db.execute("SELECT current_version FROM practices WHERE id = :id", {"id": practice_id}).fetchone()[0]


def set_current_version(db: Connection, practice_id: int, number: int, at: str) -> None:
    db.execute("UPDATE practices SET current_version = :version, updated_at = :at WHERE id = :id",
               {"version": number, "at": at, "id": practice_id})


def set_proposed(db: Connection, practice_id: int, at: str) -> None:
    db.execute("UPDATE practices SET status = 'proposta', updated_at = :at WHERE id = :id",
               {"at": at, "id": practice_id})


def set_published(db: Connection, practice_id: int, by: str, at: str) -> None:
    """Publish the current version."""
    db.execute("UPDATE practices SET status = 'pubblicata', published_version = current_version,"
               " published_at = :at, published_by = :by, updated_at = :at WHERE id = :id",
               {"at": at, "by": by, "id": practice_id})


def published_documents(db: Connection) -> list[tuple[int, str]]:
    """(id, document of the published version) of every published practice."""
    return db.execute("SELECT p.id, v.document FROM practices p JOIN practice_versions v"
                      " ON v.practice_id = p.id AND v.version = p.published_version").fetchall()


def latest_published(db: Connection, limit: int) -> list[int]:
    """The ids of the latest published practices."""
    return [r[0] for r in db.execute("SELECT id FROM practices WHERE published_version IS NOT NULL"
                                     " ORDER BY published_at DESC, id DESC LIMIT :limit", {"limit": limit})]


def published_details(db: Connection, ids: Sequence[int]) -> dict[int, tuple[str, str, str | None]]:
    """{id: (published document, network name, school name)}."""
    marks, values = in_list("i", ids)
    return {r[0]: r[1:] for r in db.execute(
        "SELECT p.id, v.document, n.name, s.name FROM practices p"
        " JOIN practice_versions v ON v.practice_id = p.id AND v.version = p.published_version"
        " JOIN networks n ON n.code = p.network_code LEFT JOIN schools s ON s.code = p.school_code"
        f" WHERE p.id IN ({marks})", values)}


def adoption_counts(db: Connection, ids: Sequence[int]) -> dict[int, int]:
    marks, values = in_list("i", ids)
    return dict(db.execute(f"SELECT practice_id, COUNT(*) FROM practice_adoptions WHERE practice_id IN ({marks})"
                           " GROUP BY practice_id", values).fetchall())


# --- adoptions --------------------------------------------------------------------------------------------


def adopting_section_title(db: Connection, practice_id: int, protocol_id: int) -> str | None:
    """The title of the protocol's section (still in it) that adopted the practice."""
    row = db.execute("SELECT s.title FROM practice_adoptions a JOIN protocol_sections s ON s.id = a.section_id"
                     " WHERE a.practice_id = :practice AND a.protocol_id = :protocol AND s.removed_at IS NULL",
                     {"practice": practice_id, "protocol": protocol_id}).fetchone()
    return row[0] if row else None


def insert_adoption(db: Connection, practice_id: int, protocol_id: int, section_id: int, mode: str,
                    version_seen: int, base_text: str, by: str, at: str) -> None:
    insert(
        db, "practice_adoptions",
        {"practice_id": practice_id, "protocol_id": protocol_id, "section_id": section_id, "mode": mode,
         "version_seen": version_seen, "base_text": base_text, "adopted_by": by, "adopted_at": at})


def adopters(db: Connection, practice_id: int) -> list[tuple]:
    """(network name, school name, section title, version seen, adopted at), first adopter first."""
    return db.execute(
        "SELECT n.name, sc.name, s.title, a.version_seen, a.adopted_at FROM practice_adoptions a"
        " JOIN protocols p ON p.id = a.protocol_id JOIN networks n ON n.code = p.network_code"
        " LEFT JOIN schools sc ON sc.code = p.school_code JOIN protocol_sections s ON s.id = a.section_id"
        " WHERE a.practice_id = :practice AND s.removed_at IS NULL ORDER BY a.adopted_at, a.id",
        {"practice": practice_id}).fetchall()


def adoptions_behind(db: Connection, protocol_id: int) -> list[dict]:
    """The protocol's adoptions whose practice published a version not seen yet, in section order."""
    return list(db.query(
        "SELECT a.id, a.practice_id, a.section_id, a.version_seen, a.base_text, p.published_version"
        " FROM practice_adoptions a JOIN practices p ON p.id = a.practice_id"
        " JOIN protocol_sections s ON s.id = a.section_id"
        " WHERE a.protocol_id = :protocol AND s.removed_at IS NULL AND p.published_version > a.version_seen"
        " ORDER BY s.position", {"protocol": protocol_id}))


def adoption_protocol(db: Connection, adoption_id: int) -> int | None:
    row = db.execute("SELECT protocol_id FROM practice_adoptions WHERE id = :id", {"id": adoption_id}).fetchone()
    return row[0] if row else None


def set_version_seen(db: Connection, adoption_id: int, version_seen: int, base_text: str) -> None:
    db.execute("UPDATE practice_adoptions SET version_seen = :seen, base_text = :base WHERE id = :id",
               {"seen": version_seen, "base": base_text, "id": adoption_id})


# --- attachments ------------------------------------------------------------------------------------------


def attachment_count(db: Connection, practice_id: int) -> int:
    return db.execute("SELECT COUNT(*) FROM practice_attachments WHERE practice_id = :practice",
                      {"practice": practice_id}).fetchone()[0]


def insert_attachment(db: Connection, practice_id: int, file_name: str, kind: str, content: bytes,
                      by: str, at: str) -> int:
    """The new attachment's id."""
    return insert_returning_id(
        db, "practice_attachments",
        {"practice_id": practice_id, "file_name": file_name, "kind": kind, "content": content, "uploaded_by": by,
         "uploaded_at": at})


def attachments(db: Connection, practice_id: int) -> list[tuple]:
    """(id, file_name, kind, size in bytes, uploaded_by, uploaded_at), in the order added."""
    return db.execute("SELECT id, file_name, kind, LENGTH(content), uploaded_by, uploaded_at FROM practice_attachments"
                      " WHERE practice_id = :practice ORDER BY id", {"practice": practice_id}).fetchall()


def attachment_practice(db: Connection, attachment_id: int) -> int | None:
    row = db.execute("SELECT practice_id FROM practice_attachments WHERE id = :id", {"id": attachment_id}).fetchone()
    return row[0] if row else None


def attachment_content(db: Connection, attachment_id: int) -> bytes:
    return db.execute("SELECT content FROM practice_attachments WHERE id = :id", {"id": attachment_id}).fetchone()[0]


# --- the search index -----------------------------------------------------------------------------------------
# SQLite: the FTS5 table practice_search over Snowball stems (models/practices/stemming.py), ranked by bm25.
# PostgreSQL will keep a tsvector of the same stems (weights A for the title, B for the body, none for the tags)
# under a GIN index, match with to_tsquery (':*' for a prefix) and rank with ts_rank_cd; the interface stays.


def index_write(db: Connection, practice_id: int, title: str, body: str, tags: str) -> None:
    """Put a practice's stemmed texts and filter words in the index, replacing what it had (SQLite: the FTS5 row
    with the practice's id as rowid; PostgreSQL: the practice's tsvector, see above)."""
    db.execute("DELETE FROM practice_search WHERE rowid = :id", {"id": practice_id})
    db.execute("INSERT INTO practice_search (rowid, title, body, tags) VALUES (:id, :title, :body, :tags)",
               {"id": practice_id, "title": title, "body": body, "tags": tags})


def index_clear(db: Connection) -> None:
    db.execute("DELETE FROM practice_search")


def match_expression(stems: Sequence[tuple[str, bool]], tag_groups: Sequence[Sequence[str]]) -> str | None:
    """The FTS5 MATCH expression: every stem (quoted, so never syntax; `True` beside it: also as a prefix) in
    title or body, and one word of each group in the tags. None: nothing to match."""
    clauses = []
    if stems:
        terms = " AND ".join(f'"{s}"*' if prefix else f'"{s}"' for s, prefix in stems)
        clauses.append(f"{{title body}} : ({terms})")
    for group in tag_groups:
        if group:
            alternatives = " OR ".join(f'"{word}"' for word in group)
            clauses.append(f"tags : ({alternatives})")
    return " AND ".join(clauses) if clauses else None


def index_match(db: Connection, stems: Sequence[tuple[str, bool]], tag_groups: Sequence[Sequence[str]],
                weights: tuple[float, float, float], limit: int) -> list[int]:
    """The ids of the practices that match, best first (SQLite: bm25 with the weights of title, body and tags;
    PostgreSQL: ts_rank_cd over the weighted tsvector, see above)."""
    expression = match_expression(stems, tag_groups)
    if expression is None:
        return []
    title, body, tags = (float(w) for w in weights)
    return [r[0] for r in db.execute(
        f"SELECT rowid FROM practice_search WHERE practice_search MATCH :match"
        f" ORDER BY bm25(practice_search, {title}, {body}, {tags}) LIMIT :limit",
        {"match": expression, "limit": limit}).fetchall()]
