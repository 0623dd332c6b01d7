"""All the SQL of protocols: protocols and their events, sections and their versions, the structure's changes,
comments, proposals, drafts and where an adopted text came from.

In the subset of SQL that SQLite and PostgreSQL share (named parameters, RETURNING instead of lastrowid, no bare
columns beside aggregates). Functions take the connection and plain values and return rows (dicts where callers
read columns by name, tuples otherwise) or counts; permissions, checks and transactions stay with the callers.
"""

from __future__ import annotations

from models.core.connection import Connection
from models.core.store import insert, insert_returning_id, upsert

# --- protocols --------------------------------------------------------------------------------------------

_PROTOCOL = ("SELECT id, network_code, school_code, template_id, level, title, school_year, status, revision,"
             " deliberation_date, deliberation_number, core_id, updated_at, deliberation_body FROM protocols")


def protocol(db: Connection, protocol_id: int) -> dict | None:
    return next(db.query(f"{_PROTOCOL} WHERE id = :id", {"id": protocol_id}), None)


def protocols(db: Connection) -> list[dict]:
    """Every protocol: the networks' cores first, then the schools' by code."""
    return list(db.query(f"{_PROTOCOL} ORDER BY school_code IS NOT NULL, level, school_code"))


def core(db: Connection, network_code: str, level: str) -> dict | None:
    """The network's core protocol for a school level."""
    return next(db.query(f"{_PROTOCOL} WHERE network_code = :network AND level = :level AND school_code IS NULL",
                         {"network": network_code, "level": level}), None)


def school_protocol(db: Connection, school_code: str) -> dict | None:
    return next(db.query(f"{_PROTOCOL} WHERE school_code = :school", {"school": school_code}), None)


def insert_protocol(db: Connection, network_code: str, school_code: str | None, template_id: str,
                    level: str, title: str, school_year: str, core_id: int | None, at: str) -> int:
    """The new protocol's id."""
    return insert_returning_id(
        db, "protocols",
        {"network_code": network_code, "school_code": school_code, "template_id": template_id, "level": level,
         "title": title, "school_year": school_year, "core_id": core_id, "created_at": at, "updated_at": at})


def touch_protocol(db: Connection, protocol_id: int, at: str) -> None:
    """One more revision of the protocol."""
    db.execute("UPDATE protocols SET revision = revision + 1, updated_at = :at WHERE id = :id",
               {"at": at, "id": protocol_id})


def set_status(db: Connection, protocol_id: int, status: str, deliberation_date: str | None,
               deliberation_number: str | None, deliberation_body: str | None, at: str) -> None:
    db.execute("UPDATE protocols SET status = :status, deliberation_date = :date, deliberation_number = :number,"
               " deliberation_body = :body, updated_at = :at WHERE id = :id",
               {"status": status, "date": deliberation_date, "number": deliberation_number,
                "body": deliberation_body, "at": at, "id": protocol_id})


def insert_event(db: Connection, protocol_id: int, at: str, actor: str, from_status: str | None,
                 to_status: str, detail: str) -> None:
    insert(db, "protocol_events", {"protocol_id": protocol_id, "at": at, "actor": actor, "from_status": from_status,
                                   "to_status": to_status, "detail": detail})


def events(db: Connection, protocol_id: int) -> list[dict]:
    return list(db.query("SELECT at, actor, from_status, to_status, detail FROM protocol_events"
                         " WHERE protocol_id = :protocol ORDER BY id", {"protocol": protocol_id}))


def last_event_to(db: Connection, protocol_id: int, status: str) -> tuple[str, str] | None:
    """(at, detail) of the last move of the protocol to `status`."""
    return db.execute("SELECT at, detail FROM protocol_events WHERE protocol_id = :protocol AND to_status = :status"
                      " ORDER BY id DESC LIMIT 1", {"protocol": protocol_id, "status": status}).fetchone()


def renames_since(db: Connection, protocol_id: int, since: str) -> list[tuple[int, str | None]]:
    """(section_id, detail) of the protocol's section renames after `since`, in order."""
    return db.execute("SELECT section_id, detail FROM structure_events WHERE protocol_id = :protocol"
                      " AND action = 'rinominata' AND at > :since ORDER BY id",
                      {"protocol": protocol_id, "since": since}).fetchall()


def version_count(db: Connection, protocol_id: int) -> int:
    """How many versions the protocol's sections have, all together."""
    return db.execute("SELECT COUNT(*) FROM section_versions v JOIN protocol_sections s ON s.id = v.section_id"
                      " WHERE s.protocol_id = :protocol", {"protocol": protocol_id}).fetchone()[0]


def open_comments_by_section(db: Connection, protocol_id: int) -> list[tuple[int, int]]:
    """(section_id, unresolved comments that open a thread), in section order."""
    return db.execute(
        "SELECT c.section_id, COUNT(*) FROM section_comments c JOIN protocol_sections s ON s.id = c.section_id"
        " WHERE s.protocol_id = :protocol AND c.parent_id IS NULL AND c.resolved_at IS NULL"
        " GROUP BY c.section_id, s.position ORDER BY s.position", {"protocol": protocol_id}).fetchall()


# --- sections and their versions --------------------------------------------------------------------------

_SECTION = """
    SELECT s.id, s.protocol_id, s.key, s.title, s.kind, s.guidance, s.position,
           s.current_version AS version, v.body, v.author, v.created_at AS saved_at,
           s.core_section_id, s.core_version_seen
    FROM protocol_sections s
    JOIN section_versions v ON v.section_id = s.id AND v.version = s.current_version
"""


def section(db: Connection, section_id: int) -> dict | None:
    """A section with its current text (removed ones too)."""
    return next(db.query(_SECTION + " WHERE s.id = :id", {"id": section_id}), None)


def live_sections(db: Connection, protocol_id: int) -> list[dict]:
    """The protocol's sections not removed, in order, with their current text."""
    return list(db.query(_SECTION + " WHERE s.protocol_id = :protocol AND s.removed_at IS NULL ORDER BY s.position",
                         {"protocol": protocol_id}))


def section_keys(db: Connection, protocol_id: int) -> set[str]:
    """The keys of all the protocol's sections, removed ones included."""
    return {r[0] for r in db.execute("SELECT key FROM protocol_sections WHERE protocol_id = :protocol",
                                     {"protocol": protocol_id})}


def next_position(db: Connection, protocol_id: int) -> int:
    """The position after the protocol's last section."""
    return db.execute("SELECT COALESCE(MAX(position), 0) + 1 FROM protocol_sections WHERE protocol_id = :protocol",
                      {"protocol": protocol_id}).fetchone()[0]


def insert_section(db: Connection, protocol_id: int, key: str, title: str, kind: str, guidance: str,
                   position: int, core_section_id: int | None, core_version_seen: int | None) -> int:
    """The new section's id (at version 1; its text goes in with `insert_version`)."""
    return insert_returning_id(
        db, "protocol_sections",
        {"protocol_id": protocol_id, "key": key, "title": title, "kind": kind, "guidance": guidance,
         "position": position, "current_version": 1, "core_section_id": core_section_id,
         "core_version_seen": core_version_seen})


def insert_version(db: Connection, section_id: int, version: int, body: str, author: str, at: str,
                   base_version: int | None, note: str | None) -> None:
    insert(db, "section_versions", {"section_id": section_id, "version": version, "body": body, "author": author,
                                    "created_at": at, "base_version": base_version, "note": note})


def current_version(db: Connection, section_id: int) -> int:
    return db.execute("SELECT current_version FROM protocol_sections WHERE id = :id", {"id": section_id}).fetchone()[0]


def set_current_version(db: Connection, section_id: int, version: int) -> None:
    db.execute("UPDATE protocol_sections SET current_version = :version WHERE id = :id",
               {"version": version, "id": section_id})


def versions(db: Connection, section_id: int) -> list[dict]:
    """Every version of a section, newest first."""
    return list(db.query("SELECT version, body, author, created_at, base_version, note FROM section_versions"
                         " WHERE section_id = :section ORDER BY version DESC", {"section": section_id}))


def versions_at(db: Connection, protocol_id: int, moment: str) -> list[dict]:
    """Each section's latest version saved by `moment` (with its section_id)."""
    return list(db.query(
        "SELECT v.section_id, v.version, v.body, v.author, v.created_at, v.base_version, v.note"
        " FROM section_versions v JOIN protocol_sections s ON s.id = v.section_id"
        " WHERE s.protocol_id = :protocol AND v.created_at <= :moment"
        " AND v.version = (SELECT MAX(w.version) FROM section_versions w"
        " WHERE w.section_id = v.section_id AND w.created_at <= :moment)", {"protocol": protocol_id, "moment": moment}))


# --- the structure: order, titles, kinds, removals, and the links of a school's sections to the core --------


def is_removed(db: Connection, section_id: int) -> bool:
    return db.execute("SELECT removed_at FROM protocol_sections WHERE id = :id",
                      {"id": section_id}).fetchone()[0] is not None


def live_ids(db: Connection, protocol_id: int) -> list[int]:
    """The protocol's sections not removed, in order."""
    return [r[0] for r in db.execute("SELECT id FROM protocol_sections WHERE protocol_id = :protocol"
                                     " AND removed_at IS NULL ORDER BY position, id", {"protocol": protocol_id})]


def removed_ids(db: Connection, protocol_id: int) -> list[int]:
    return [r[0] for r in db.execute("SELECT id FROM protocol_sections WHERE protocol_id = :protocol"
                                     " AND removed_at IS NOT NULL ORDER BY position", {"protocol": protocol_id})]


def live_titles(db: Connection, protocol_id: int) -> list[tuple[int, str]]:
    """(id, title) of the protocol's sections not removed."""
    return db.execute("SELECT id, title FROM protocol_sections WHERE protocol_id = :protocol AND removed_at IS NULL",
                      {"protocol": protocol_id}).fetchall()


def set_position(db: Connection, section_id: int, position: int) -> None:
    db.execute("UPDATE protocol_sections SET position = :position WHERE id = :id",
               {"position": position, "id": section_id})


def set_removed(db: Connection, section_id: int, at: str) -> None:
    db.execute("UPDATE protocol_sections SET removed_at = :at WHERE id = :id", {"at": at, "id": section_id})


def set_title(db: Connection, section_id: int, title: str, *, as_core_title: bool = False) -> None:
    """A new title; with `as_core_title`, also the network's title the school has seen."""
    db.execute("UPDATE protocol_sections SET title = :title"
               + (", core_title_seen = :title" if as_core_title else "") + " WHERE id = :id",
               {"title": title, "id": section_id})


def set_core_title_seen(db: Connection, section_id: int, title: str) -> None:
    db.execute("UPDATE protocol_sections SET core_title_seen = :title WHERE id = :id",
               {"title": title, "id": section_id})


def set_kind(db: Connection, section_id: int, kind: str) -> None:
    db.execute("UPDATE protocol_sections SET kind = :kind WHERE id = :id", {"kind": kind, "id": section_id})


def set_copies_kind(db: Connection, core_section_id: int, kind: str) -> None:
    """The schools' copies of a core section take its new kind; what they knew stays in core_kind_seen (SET reads
    the old kind)."""
    db.execute("UPDATE protocol_sections SET core_kind_seen = COALESCE(core_kind_seen, kind), kind = :kind"
               " WHERE core_section_id = :core AND removed_at IS NULL AND kind != 'local'",
               {"kind": kind, "core": core_section_id})


def make_local(db: Connection, section_id: int) -> None:
    """The section becomes the school's own, no longer tied to the network."""
    db.execute("UPDATE protocol_sections SET kind = 'local', core_section_id = NULL WHERE id = :id",
               {"id": section_id})


def set_kind_seen(db: Connection, section_id: int) -> None:
    db.execute("UPDATE protocol_sections SET core_kind_seen = kind WHERE id = :id", {"id": section_id})


def set_core_version_seen(db: Connection, section_id: int, version: int | None, *,
                          kind_seen: bool = False) -> None:
    """The network's version the school has seen (with `kind_seen`, its kind too)."""
    db.execute("UPDATE protocol_sections SET core_version_seen = :version"
               + (", core_kind_seen = kind" if kind_seen else "") + " WHERE id = :id",
               {"version": version, "id": section_id})


def link_to_core(db: Connection, section_id: int, core_section_id: int, kind: str) -> None:
    """The school's section follows a core section from now on (nothing of it seen yet)."""
    db.execute("UPDATE protocol_sections SET core_section_id = :core, kind = :kind, core_version_seen = NULL,"
               " core_title_seen = NULL, core_kind_seen = :kind WHERE id = :id",
               {"core": core_section_id, "kind": kind, "id": section_id})


def set_core(db: Connection, protocol_id: int, core_id: int) -> None:
    db.execute("UPDATE protocols SET core_id = :core WHERE id = :id", {"core": core_id, "id": protocol_id})


def core_order_seen(db: Connection, protocol_id: int) -> str | None:
    """The core's order (JSON) the school last decided on."""
    return db.execute("SELECT core_order_seen FROM protocols WHERE id = :id", {"id": protocol_id}).fetchone()[0]


def set_core_order_seen(db: Connection, protocol_id: int, order: str) -> None:
    db.execute("UPDATE protocols SET core_order_seen = :order WHERE id = :id", {"order": order, "id": protocol_id})


def links(db: Connection, protocol_id: int) -> list[dict]:
    """The school's sections that came from the core (removed ones too), with their core section's state."""
    return list(db.query(
        "SELECT s.id, s.title, s.kind, s.position, s.removed_at, s.core_section_id, s.core_version_seen,"
        " s.core_title_seen, s.core_kind_seen, c.title AS core_title, c.kind AS core_kind,"
        " c.removed_at AS core_removed FROM protocol_sections s JOIN protocol_sections c ON c.id = s.core_section_id"
        " WHERE s.protocol_id = :protocol ORDER BY s.position", {"protocol": protocol_id}))


def version_body(db: Connection, section_id: int, version: int) -> str | None:
    row = db.execute("SELECT body FROM section_versions WHERE section_id = :section AND version = :version",
                     {"section": section_id, "version": version}).fetchone()
    return row[0] if row else None


def insert_structure_event(db: Connection, protocol_id: int, section_id: int | None, at: str, actor: str,
                           action: str, detail: str) -> None:
    insert(db, "structure_events", {"protocol_id": protocol_id, "section_id": section_id, "at": at, "actor": actor,
                                    "action": action, "detail": detail})


def structure_events(db: Connection, protocol_id: int) -> list[dict]:
    """The protocol's structure changes with their section's title, newest first."""
    return list(db.query(
        "SELECT e.at, e.actor, e.action, e.detail, s.title AS section FROM structure_events e"
        " LEFT JOIN protocol_sections s ON s.id = e.section_id WHERE e.protocol_id = :protocol ORDER BY e.id DESC",
        {"protocol": protocol_id}))


# --- comments on sections -------------------------------------------------------------------------------


def section_comments(db: Connection, section_id: int) -> list[dict]:
    """The section's comments in the order written."""
    return list(db.query("SELECT id, section_id, parent_id, author, body, created_at, resolved_at, resolved_by"
                         " FROM section_comments WHERE section_id = :section ORDER BY id", {"section": section_id}))


def open_comment_counts(db: Connection, protocol_id: int) -> dict[int, int]:
    """{section id: unresolved comments that open a thread} of the protocol's live sections."""
    return dict(db.execute(
        "SELECT c.section_id, COUNT(*) FROM section_comments c JOIN protocol_sections s ON s.id = c.section_id"
        " WHERE s.protocol_id = :protocol AND s.removed_at IS NULL AND c.parent_id IS NULL AND c.resolved_at IS NULL"
        " GROUP BY c.section_id", {"protocol": protocol_id}).fetchall())


def comment_place(db: Connection, comment_id: int) -> tuple[int, int | None] | None:
    """(section_id, parent_id) of a comment."""
    return db.execute("SELECT section_id, parent_id FROM section_comments WHERE id = :id",
                      {"id": comment_id}).fetchone()


def insert_comment(db: Connection, section_id: int, parent_id: int | None, author: str, body: str,
                   at: str) -> int:
    """The new comment's id."""
    return insert_returning_id(db, "section_comments", {"section_id": section_id, "parent_id": parent_id,
                                                        "author": author, "body": body, "created_at": at})


def resolve_comment(db: Connection, comment_id: int, at: str, by: str) -> None:
    db.execute("UPDATE section_comments SET resolved_at = :at, resolved_by = :by WHERE id = :id"
               " AND resolved_at IS NULL", {"at": at, "by": by, "id": comment_id})


# --- drafts being written ---------------------------------------------------------------------------------


def keep_draft(db: Connection, username: str, section_id: int, base_version: int, body: str, note: str,
               at: str) -> None:
    """The user's draft of the section, replacing the one they had."""
    upsert(
        db, "drafts",
        {"username": username, "section_id": section_id, "base_version": base_version, "body": body, "note": note,
         "updated_at": at},
        ("username", "section_id"))


def forget_draft(db: Connection, username: str, section_id: int) -> None:
    db.execute("DELETE FROM drafts WHERE username = :username AND section_id = :section",
               {"username": username, "section": section_id})


def protocol_drafts(db: Connection, username: str, protocol_id: int) -> list[tuple]:
    """(section_id, base_version, the base version's text, draft text, note, updated_at) of the user's drafts of
    the protocol's sections."""
    return db.execute(
        "SELECT d.section_id, d.base_version, v.body, d.body, d.note, d.updated_at FROM drafts d"
        " JOIN protocol_sections s ON s.id = d.section_id"
        " LEFT JOIN section_versions v ON v.section_id = d.section_id AND v.version = d.base_version"
        " WHERE d.username = :username AND s.protocol_id = :protocol",
        {"username": username, "protocol": protocol_id}).fetchall()


# --- where an adopted text came from -----------------------------------------------------------------------


def source_notes(db: Connection, protocol_id: int) -> dict[int, str]:
    """{section id: its source note} of the protocol's live sections that have one."""
    return dict(db.execute(
        "SELECT id, source_note FROM protocol_sections WHERE protocol_id = :protocol AND removed_at IS NULL"
        " AND source_note IS NOT NULL AND source_note != ''", {"protocol": protocol_id}).fetchall())


def set_source_note(db: Connection, section_id: int, note: str | None) -> None:
    db.execute("UPDATE protocol_sections SET source_note = :note WHERE id = :id", {"note": note, "id": section_id})


# --- the networks' Word templates ----------------------------------------------------------------------------


def word_template(db: Connection, network_code: str) -> bytes | None:
    row = db.execute("SELECT content FROM word_templates WHERE network_code = :network",
                     {"network": network_code}).fetchone()
    return row[0] if row else None


def has_word_template(db: Connection, network_code: str) -> bool:
    return db.execute("SELECT 1 FROM word_templates WHERE network_code = :network",
                      {"network": network_code}).fetchone() is not None


def delete_word_template(db: Connection, network_code: str) -> None:
    db.execute("DELETE FROM word_templates WHERE network_code = :network", {"network": network_code})


# --- proposals to the core ------------------------------------------------------------------------------------

_PROPOSAL = """
    SELECT p.id, p.network_code, p.school_code, s.name AS school_name, p.core_section_id, p.section_title,
           p.base_version, p.body, p.reason, p.status, p.author, p.created_at, p.decided_by, p.decided_at,
           p.decision_reason, p.core_version, v.body AS base_body
    FROM core_proposals p
    JOIN schools s ON s.code = p.school_code
    LEFT JOIN section_versions v ON v.section_id = p.core_section_id AND v.version = p.base_version
"""


def proposal(db: Connection, proposal_id: int) -> dict | None:
    return next(db.query(_PROPOSAL + " WHERE p.id = :id", {"id": proposal_id}), None)


def proposals(db: Connection, network_code: str, *, status: str | None = None,
              core_section_id: int | None = None) -> list[dict]:
    """The network's proposals (of a status, of a core section), the open ones first, newest first."""
    sql = _PROPOSAL + " WHERE p.network_code = :network"
    if status is not None:
        sql += " AND p.status = :status"
    if core_section_id is not None:
        sql += " AND p.core_section_id = :section"
    return list(db.query(sql + " ORDER BY p.status != 'aperta', p.id DESC",
                         {"network": network_code, "status": status, "section": core_section_id}))


def supports(db: Connection, proposal_id: int) -> list[tuple]:
    """(school_code, school name, supporter, at), the first support first."""
    return db.execute("SELECT ps.school_code, s.name, ps.supporter, ps.at FROM proposal_supports ps"
                      " JOIN schools s ON s.code = ps.school_code WHERE ps.proposal_id = :proposal ORDER BY ps.at",
                      {"proposal": proposal_id}).fetchall()


def proposal_comments(db: Connection, proposal_id: int) -> list[tuple]:
    """(id, author, body, created_at), in the order written."""
    return db.execute("SELECT id, author, body, created_at FROM proposal_comments WHERE proposal_id = :proposal"
                      " ORDER BY id", {"proposal": proposal_id}).fetchall()


def core_section_place(db: Connection, section_id: int) -> tuple | None:
    """(network_code, level, school_code, removed_at) of a section's protocol and the section."""
    return db.execute("SELECT p.network_code, p.level, p.school_code, s.removed_at FROM protocol_sections s"
                      " JOIN protocols p ON p.id = s.protocol_id WHERE s.id = :id", {"id": section_id}).fetchone()


def section_protocol_and_removal(db: Connection, section_id: int) -> tuple[int, str | None]:
    """(protocol_id, removed_at) of a section."""
    return db.execute("SELECT protocol_id, removed_at FROM protocol_sections WHERE id = :id",
                      {"id": section_id}).fetchone()


def school_level(db: Connection, school_code: str) -> str:
    return db.execute("SELECT level FROM schools WHERE code = :school", {"school": school_code}).fetchone()[0]


def _trimmed(column: str) -> str:
    """`column` without leading and trailing blanks, tabs and line ends. SQLite's trim(X, Y) and char(); on
    PostgreSQL: btrim(column, chr(32) || chr(9) || chr(10) || chr(13))."""
    return f"trim({column}, char(32, 9, 10, 13))"


def open_twin(db: Connection, school_code: str, core_section_id: int, body: str) -> int | None:
    """The school's open proposal of the same text (blanks around it aside) for the section."""
    row = db.execute("SELECT id FROM core_proposals WHERE school_code = :school AND core_section_id = :section"
                     f" AND status = 'aperta' AND {_trimmed('body')} = :body",
                     {"school": school_code, "section": core_section_id, "body": body}).fetchone()
    return row[0] if row else None


def insert_proposal(db: Connection, network_code: str, school_code: str, core_section_id: int,
                    section_title: str, base_version: int, body: str, reason: str, author: str, at: str) -> int:
    """The new proposal's id."""
    return insert_returning_id(
        db, "core_proposals",
        {"network_code": network_code, "school_code": school_code, "core_section_id": core_section_id,
         "section_title": section_title, "base_version": base_version, "body": body, "reason": reason, "author": author,
         "created_at": at})


def supported_by(db: Connection, proposal_id: int, school_code: str) -> bool:
    return db.execute("SELECT 1 FROM proposal_supports WHERE proposal_id = :proposal AND school_code = :school",
                      {"proposal": proposal_id, "school": school_code}).fetchone() is not None


def insert_support(db: Connection, proposal_id: int, school_code: str, supporter: str, at: str) -> None:
    insert(db, "proposal_supports", {"proposal_id": proposal_id, "school_code": school_code, "supporter": supporter,
                                     "at": at})


def delete_support(db: Connection, proposal_id: int, school_code: str) -> int:
    """How many supports went (0: the school gave none)."""
    return db.execute("DELETE FROM proposal_supports WHERE proposal_id = :proposal AND school_code = :school",
                      {"proposal": proposal_id, "school": school_code}).rowcount


def insert_proposal_comment(db: Connection, proposal_id: int, author: str, body: str, at: str) -> None:
    insert(db, "proposal_comments", {"proposal_id": proposal_id, "author": author, "body": body, "created_at": at})


def close_proposal(db: Connection, proposal_id: int, status: str, by: str, at: str, reason: str | None,
                   core_version: int | None) -> int:
    """How many open proposals closed (0: already decided or withdrawn)."""
    return db.execute(
        "UPDATE core_proposals SET status = :status, decided_by = :by, decided_at = :at, decision_reason = :reason,"
        " core_version = :version WHERE id = :id AND status = 'aperta'",
        {"status": status, "by": by, "at": at, "reason": reason, "version": core_version, "id": proposal_id}).rowcount


def open_proposal_count(db: Connection, network_code: str) -> int:
    return db.execute("SELECT COUNT(*) FROM core_proposals WHERE network_code = :network AND status = 'aperta'",
                      {"network": network_code}).fetchone()[0]
