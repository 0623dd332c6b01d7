"""The SQLite database: connection, schema migrations, transactions, backup.

One connection per script run (a Streamlit rerun, a CLI command): sqlite3
connections must not cross threads, and Streamlit reruns on any thread.
Writers take the write lock up front (``BEGIN IMMEDIATE``) and wait for it
(``busy_timeout``), so concurrent users queue instead of seeing
"database is locked".
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from models.core import clock, school_keys
from models.core.errors import ApprodoError

DEFAULT_PATH = Path("data/approdo.db")
BUSY_TIMEOUT_MS = 15_000


def database_path() -> Path:
    """Where the database lives: ``$APPRODO_DB`` or ``data/approdo.db``."""
    return Path(os.environ.get("APPRODO_DB") or DEFAULT_PATH)


def connect(path: str | Path | None = None, *, migrate: bool = True) -> sqlite_utils.Database:
    """Open the database with the house pragmas, bringing the schema up to date."""
    path = Path(path) if path is not None else database_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    _create_private(path)
    # isolation_level=None: we open transactions ourselves (see `transaction`),
    # so the sqlite3 module never starts one behind our back.
    conn = sqlite3.connect(
        str(path), isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        conn.execute("PRAGMA journal_mode = WAL")
    db = sqlite_utils.Database(conn)
    if migrate:
        migrate_schema(db)
    return db


def _create_private(path: Path) -> None:
    """Create the file readable by its owner only, unless it exists: pupil data must not be world-readable
    under the usual umask. SQLite gives the -wal, -shm and -journal files the mode of the database."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """A write transaction: all of it lands, or none of it.

    The outermost block takes the write lock at once (BEGIN IMMEDIATE) so that
    two writers never deadlock on a lock upgrade; nested blocks become
    savepoints through sqlite-utils' ``atomic()``.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    else:
        db.conn.execute("COMMIT")


def store_upload(db: sqlite_utils.Database, table: str, owner_column: str, owner: str, content: bytes,
                 uploaded_by: str) -> None:
    """Keep one uploaded file per owner (a school's logo, a network's Word template): a new one replaces it.

    `table` and `owner_column` are names from the code, never from users. Callers wrap it in their transaction
    with its audit record.
    """
    db.execute(
        f"INSERT INTO {table} ({owner_column}, content, uploaded_by, uploaded_at)"
        " VALUES (:owner, :content, :by, :at)"
        f" ON CONFLICT ({owner_column}) DO UPDATE SET content = excluded.content,"
        " uploaded_by = excluded.uploaded_by, uploaded_at = excluded.uploaded_at",
        {"owner": owner, "content": content, "by": uploaded_by, "at": clock.to_text(clock.utcnow())})


# --- schema ---------------------------------------------------------------

Migration = Callable[[sqlite_utils.Database], None]


def _m001_foundation(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE networks (
            code TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE schools (
            code TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            network_code TEXT NOT NULL REFERENCES networks(code),
            level TEXT NOT NULL CHECK (level IN
                ('primaria', 'secondaria_primo_grado', 'secondaria_secondo_grado')),
            annual_hours INTEGER CHECK (annual_hours IS NULL OR annual_hours > 0),
            comune TEXT NOT NULL DEFAULT '',
            dirigente_name TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        );
        CREATE INDEX schools_network ON schools(network_code);
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE,
            full_name TEXT NOT NULL DEFAULT '',
            password_hash TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('admin', 'coordinatore_rete',
                'dirigente', 'funzione_strumentale', 'docente')),
            school_code TEXT REFERENCES schools(code),
            network_code TEXT REFERENCES networks(code),
            active INTEGER NOT NULL DEFAULT 1,
            locked_until TEXT,
            failures_reset_at TEXT,
            created_at TEXT NOT NULL
        );
        CREATE TABLE login_attempts (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL,
            at TEXT NOT NULL,
            success INTEGER NOT NULL
        );
        CREATE INDEX login_attempts_user_at ON login_attempts(username, at);
        CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            last_seen TEXT NOT NULL
        );
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            target TEXT NOT NULL DEFAULT '',
            school_code TEXT,
            detail TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX audit_log_at ON audit_log(at);
        """
    )


def _m002_protocols(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        ALTER TABLE schools ADD COLUMN referente_intercultura TEXT NOT NULL DEFAULT '';
        CREATE TABLE protocols (
            id INTEGER PRIMARY KEY,
            network_code TEXT NOT NULL REFERENCES networks(code),
            school_code TEXT REFERENCES schools(code),  -- NULL for the network's core
            template_id TEXT NOT NULL,
            level TEXT NOT NULL,
            title TEXT NOT NULL,
            school_year TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'bozza'
                CHECK (status IN ('bozza', 'in_revisione', 'approvato', 'pubblicato')),
            revision INTEGER NOT NULL DEFAULT 1,
            deliberation_date TEXT,
            deliberation_number TEXT,
            core_id INTEGER REFERENCES protocols(id),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX protocols_one_core ON protocols(network_code, level)
            WHERE school_code IS NULL;
        CREATE UNIQUE INDEX protocols_one_per_school ON protocols(school_code)
            WHERE school_code IS NOT NULL;
        CREATE TABLE protocol_sections (
            id INTEGER PRIMARY KEY,
            protocol_id INTEGER NOT NULL REFERENCES protocols(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            title TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('core_locked', 'core_adaptable', 'local')),
            guidance TEXT NOT NULL DEFAULT '',
            position INTEGER NOT NULL,
            current_version INTEGER NOT NULL DEFAULT 1,
            core_section_id INTEGER REFERENCES protocol_sections(id),
            core_version_seen INTEGER,
            UNIQUE (protocol_id, key)
        );
        CREATE INDEX protocol_sections_core ON protocol_sections(core_section_id);
        CREATE TABLE section_versions (
            id INTEGER PRIMARY KEY,
            section_id INTEGER NOT NULL REFERENCES protocol_sections(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            body TEXT NOT NULL,
            author TEXT NOT NULL,
            created_at TEXT NOT NULL,
            base_version INTEGER,
            note TEXT NOT NULL DEFAULT '',
            UNIQUE (section_id, version)
        );
        CREATE TABLE section_comments (
            id INTEGER PRIMARY KEY,
            section_id INTEGER NOT NULL REFERENCES protocol_sections(id) ON DELETE CASCADE,
            parent_id INTEGER REFERENCES section_comments(id),
            author TEXT NOT NULL,
            body TEXT NOT NULL,
            created_at TEXT NOT NULL,
            resolved_at TEXT,
            resolved_by TEXT
        );
        CREATE INDEX section_comments_section ON section_comments(section_id);
        CREATE TABLE protocol_events (
            id INTEGER PRIMARY KEY,
            protocol_id INTEGER NOT NULL REFERENCES protocols(id) ON DELETE CASCADE,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            from_status TEXT,
            to_status TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT ''
        );
        """
    )


def _m003_word_templates(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE word_templates (
            network_code TEXT PRIMARY KEY REFERENCES networks(code),
            content BLOB NOT NULL,
            uploaded_by TEXT NOT NULL,
            uploaded_at TEXT NOT NULL
        );
        """
    )


def _m004_pupil_data(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE imports (
            id INTEGER PRIMARY KEY,
            school_code TEXT NOT NULL REFERENCES schools(code),
            kind TEXT NOT NULL CHECK (kind IN ('attendance', 'context', 'outcomes')),
            file_name TEXT NOT NULL,
            rows INTEGER NOT NULL,
            detail TEXT NOT NULL DEFAULT '',
            imported_by TEXT NOT NULL,
            imported_at TEXT NOT NULL
        );
        CREATE INDEX imports_school ON imports(school_code, kind);
        -- One row per pupil per month; `period` is 'YYYY-MM'. Pupil codes are the
        -- register's pseudonymous codes: no names are stored.
        CREATE TABLE attendance (
            school_code TEXT NOT NULL,
            pupil_code TEXT NOT NULL,
            period TEXT NOT NULL,
            class_name TEXT NOT NULL,
            scheduled_hours REAL NOT NULL,
            absence_hours REAL NOT NULL,
            late_entries INTEGER NOT NULL,
            early_exits INTEGER NOT NULL,
            days_absent REAL,
            justified_hours REAL,
            import_id INTEGER NOT NULL,
            PRIMARY KEY (school_code, pupil_code, period)
        ) WITHOUT ROWID;  -- no index on import_id: it would cost a third of a bulk import
        -- Months present per school, kept by the importer: listing them must not scan a million rows.
        CREATE TABLE attendance_months (
            school_code TEXT NOT NULL,
            period TEXT NOT NULL,
            rows INTEGER NOT NULL,
            PRIMARY KEY (school_code, period)
        ) WITHOUT ROWID;
        CREATE TABLE pupil_context (
            school_code TEXT NOT NULL,
            pupil_code TEXT NOT NULL,
            birth_year INTEGER,
            arrival_year INTEGER,
            l2_level TEXT,
            retentions INTEGER,
            citizenship_group TEXT,  -- for the fairness audit only, never a model input
            sex TEXT,                -- idem
            import_id INTEGER NOT NULL,
            PRIMARY KEY (school_code, pupil_code)
        ) WITHOUT ROWID;
        CREATE TABLE outcomes (
            school_code TEXT NOT NULL,
            pupil_code TEXT NOT NULL,
            school_year TEXT NOT NULL,
            outcome TEXT NOT NULL CHECK (outcome IN
                ('abbandono', 'anno_non_valido', 'non_ammesso', 'ammesso', 'trasferito')),
            import_id INTEGER NOT NULL,
            PRIMARY KEY (school_code, pupil_code, school_year)
        ) WITHOUT ROWID;
        CREATE TABLE column_presets (
            school_code TEXT NOT NULL REFERENCES schools(code),
            kind TEXT NOT NULL,
            name TEXT NOT NULL,
            mapping TEXT NOT NULL,  -- JSON: field -> column header
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (school_code, kind, name)
        );
        CREATE TABLE teacher_classes (
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            class_name TEXT NOT NULL,
            PRIMARY KEY (user_id, class_name)
        );
        CREATE TABLE risk_rules (
            network_code TEXT PRIMARY KEY REFERENCES networks(code),
            settings TEXT NOT NULL,  -- JSON: only the thresholds that differ from the defaults
            updated_by TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        -- Every read of pupil-level data: who, when, which school, what.
        CREATE TABLE access_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            school_code TEXT NOT NULL,
            what TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX access_log_school ON access_log(school_code, at);
        """
    )


def _m005_follow_up(db: sqlite_utils.Database) -> None:
    """The funzione strumentale's work: reviews with follow-ups, interventions, retention."""
    db.executescript(
        """
        -- A pupil looked at in a review meeting: who, when, on which month's data, the level then.
        CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            school_code TEXT NOT NULL REFERENCES schools(code),
            pupil_code TEXT NOT NULL,
            reviewed_by TEXT NOT NULL,
            reviewed_at TEXT NOT NULL,
            as_of TEXT,
            level TEXT,
            note TEXT NOT NULL DEFAULT '',
            follow_up_on TEXT,      -- 'YYYY-MM-DD'
            follow_up_owner TEXT,   -- a username of the school's staff
            follow_up_done_at TEXT, -- set when the pupil is reviewed again or the follow-up is closed
            follow_up_done_by TEXT
        );
        CREATE INDEX reviews_pupil ON reviews(school_code, pupil_code, id);
        CREATE TABLE interventions (
            id INTEGER PRIMARY KEY,
            school_code TEXT NOT NULL REFERENCES schools(code),
            pupil_code TEXT NOT NULL,
            kind TEXT NOT NULL,          -- the label as chosen: renaming a kind does not rewrite history
            happened_on TEXT NOT NULL,   -- 'YYYY-MM-DD'
            owner TEXT NOT NULL,
            outcome TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            recorded_by TEXT NOT NULL,
            recorded_at TEXT NOT NULL
        );
        CREATE INDEX interventions_pupil ON interventions(school_code, pupil_code, happened_on);
        -- A school's own list of intervention kinds; none means the default list.
        CREATE TABLE intervention_kinds (
            school_code TEXT NOT NULL REFERENCES schools(code),
            position INTEGER NOT NULL,
            label TEXT NOT NULL,
            PRIMARY KEY (school_code, label)
        );
        ALTER TABLE schools ADD COLUMN retention_years INTEGER NOT NULL DEFAULT 3
            CHECK (retention_years BETWEEN 1 AND 10);
        """
    )


def _m006_level_history(db: sqlite_utils.Database) -> None:
    """Each pupil's level month by month, a cache for the network figures (see models/risk/history.py)."""
    db.executescript(
        """
        CREATE TABLE level_history (
            school_code TEXT NOT NULL,
            period TEXT NOT NULL,
            pupil_code TEXT NOT NULL,
            class_name TEXT NOT NULL,
            level TEXT NOT NULL,
            absence_ratio REAL NOT NULL,
            PRIMARY KEY (school_code, period, pupil_code)
        ) WITHOUT ROWID;
        CREATE TABLE level_history_stamps (
            school_code TEXT PRIMARY KEY,
            stamp TEXT NOT NULL  -- what the levels were computed from; a different stamp means recompute
        );
        """
    )


def _m007_risk_models(db: sqlite_utils.Database) -> None:
    """Learned models as checked JSON documents (never pickles), and how many pupils a school can follow."""
    db.executescript(
        """
        CREATE TABLE risk_models (
            id INTEGER PRIMARY KEY,
            network_code TEXT NOT NULL REFERENCES networks(code),
            version INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            document TEXT NOT NULL,   -- JSON: data range, features, parameters, metrics, audit
            checksum TEXT NOT NULL,   -- SHA-256 of `document`, checked on every load
            UNIQUE (network_code, version)
        );
        ALTER TABLE schools ADD COLUMN follow_share REAL NOT NULL DEFAULT 0.10
            CHECK (follow_share > 0 AND follow_share <= 1);
        """
    )


def _m008_documents(db: sqlite_utils.Database) -> None:
    """What a published document needs: the school's letterhead logo and the body that approved it."""
    db.executescript(
        """
        CREATE TABLE school_logos (
            school_code TEXT PRIMARY KEY REFERENCES schools(code),
            content BLOB NOT NULL,        -- PNG or JPEG, checked on upload
            uploaded_by TEXT NOT NULL,
            uploaded_at TEXT NOT NULL
        );
        ALTER TABLE protocols ADD COLUMN deliberation_body TEXT;
        """
    )


def _m009_protocol_structure(db: sqlite_utils.Database) -> None:
    """The structure of protocols changes over time: sections removed (kept, with their history),
    what each school last saw of its core section's title, kind and order, and a log of the changes."""
    db.executescript(
        """
        ALTER TABLE protocol_sections ADD COLUMN removed_at TEXT;  -- set: no longer part of the protocol
        ALTER TABLE protocol_sections ADD COLUMN core_title_seen TEXT;  -- NULL: the section's own title
        ALTER TABLE protocol_sections ADD COLUMN core_kind_seen TEXT;   -- NULL: the section's own kind
        ALTER TABLE protocols ADD COLUMN core_order_seen TEXT;  -- JSON list of core section ids
        CREATE TABLE structure_events (
            id INTEGER PRIMARY KEY,
            protocol_id INTEGER NOT NULL REFERENCES protocols(id) ON DELETE CASCADE,
            section_id INTEGER REFERENCES protocol_sections(id),
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX structure_events_protocol ON structure_events(protocol_id, id);
        """
    )


def _m010_login_clients(db: sqlite_utils.Database) -> None:
    """Where each login attempt came from: failures slow down one name from one address, not the account."""
    db.executescript(
        """
        ALTER TABLE login_attempts ADD COLUMN client TEXT NOT NULL DEFAULT '';
        DROP INDEX login_attempts_user_at;
        CREATE INDEX login_attempts_user_client ON login_attempts(username, client, success, at);
        """
    )


def _m011_user_email(db: sqlite_utils.Database) -> None:
    """The e-mail by which a single sign-on identity finds its account (set by an admin, lower case)."""
    db.executescript(
        """
        ALTER TABLE users ADD COLUMN email TEXT;
        CREATE UNIQUE INDEX users_email ON users(email) WHERE email IS NOT NULL;
        """
    )


def _m012_register_exports(db: sqlite_utils.Database) -> None:
    """Registers as schools have them: optional late/early counts, day-by-day events, timetables,
    the regional calendar as edited by the admin, pseudonyms, mappings shared by their headers."""
    db.executescript(
        """
        -- Late entries and early exits become optional (many exports lack them): rebuild the table.
        CREATE TABLE attendance_new (
            school_code TEXT NOT NULL,
            pupil_code TEXT NOT NULL,
            period TEXT NOT NULL,
            class_name TEXT NOT NULL,
            scheduled_hours REAL NOT NULL,
            absence_hours REAL NOT NULL,
            late_entries INTEGER,
            early_exits INTEGER,
            days_absent REAL,
            justified_hours REAL,
            justified_days REAL,          -- known from day-by-day events
            import_id INTEGER NOT NULL,
            PRIMARY KEY (school_code, pupil_code, period)
        ) WITHOUT ROWID;
        INSERT INTO attendance_new (school_code, pupil_code, period, class_name, scheduled_hours, absence_hours,
                                    late_entries, early_exits, days_absent, justified_hours, import_id)
            SELECT school_code, pupil_code, period, class_name, scheduled_hours, absence_hours, late_entries,
                   early_exits, days_absent, justified_hours, import_id FROM attendance;
        DROP TABLE attendance;
        ALTER TABLE attendance_new RENAME TO attendance;
        -- One row per event of the register: the legal rules on unjustified days need them.
        CREATE TABLE attendance_events (
            school_code TEXT NOT NULL,
            pupil_code TEXT NOT NULL,
            day TEXT NOT NULL,            -- YYYY-MM-DD
            kind TEXT NOT NULL CHECK (kind IN ('assenza', 'ritardo', 'uscita')),
            seq INTEGER NOT NULL,         -- several events of one kind in a day
            class_name TEXT NOT NULL,
            hours REAL,                   -- hours missed; NULL when the register does not say
            justified INTEGER,            -- 1, 0, or NULL when not stated
            reason TEXT,
            import_id INTEGER NOT NULL,
            PRIMARY KEY (school_code, pupil_code, day, kind, seq)
        ) WITHOUT ROWID;
        CREATE TABLE class_hours (
            school_code TEXT NOT NULL REFERENCES schools(code),
            class_name TEXT NOT NULL,
            weekly_hours REAL NOT NULL CHECK (weekly_hours > 0 AND weekly_hours <= 60),
            PRIMARY KEY (school_code, class_name)
        );
        -- The regional calendar as the admin edited it; years not here come from the shipped file.
        CREATE TABLE school_calendar (
            school_year TEXT PRIMARY KEY,
            document TEXT NOT NULL,       -- JSON: first_day, last_day, holidays [[day, label], ...]
            updated_by TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        ALTER TABLE schools ADD COLUMN pseudonym_secret TEXT;
        ALTER TABLE column_presets ADD COLUMN headers TEXT NOT NULL DEFAULT '';  -- normalised, '|'-joined
        """
    )


def _m013_level_generations(db: sqlite_utils.Database) -> None:
    """Levels by month kept at import time, in generations: a change of thresholds is computed beside the
    levels readers see and switched in at once (see models/risk/history.py). The old cache is rebuilt."""
    db.executescript(
        """
        DROP TABLE level_history;
        DROP TABLE level_history_stamps;
        CREATE TABLE level_history (
            school_code TEXT NOT NULL,
            generation INTEGER NOT NULL,
            period TEXT NOT NULL,
            pupil_code TEXT NOT NULL,
            class_name TEXT NOT NULL,
            level TEXT NOT NULL,
            absence_ratio REAL NOT NULL,
            PRIMARY KEY (school_code, generation, period, pupil_code)
        ) WITHOUT ROWID;
        -- The generation readers see, per school, and what it was computed from.
        CREATE TABLE level_generations (
            school_code TEXT PRIMARY KEY,
            generation INTEGER NOT NULL,
            stamp TEXT NOT NULL,          -- the school's data; a different stamp means recompute
            rules TEXT NOT NULL           -- JSON: the thresholds the levels were computed with
        );
        -- A network's levels recomputed with new thresholds; the job's id is the generation it writes.
        CREATE TABLE level_jobs (
            id INTEGER PRIMARY KEY,
            network_code TEXT NOT NULL,
            rules TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('in_attesa', 'in_corso', 'completato', 'sostituito', 'errore')),
            schools_done INTEGER NOT NULL DEFAULT 0,
            schools_total INTEGER NOT NULL DEFAULT 0,
            requested_by TEXT NOT NULL,
            requested_at TEXT NOT NULL,
            heartbeat_at TEXT,            -- a runner alive writes it; an old one lets another runner resume
            finished_at TEXT,
            error TEXT
        );
        CREATE INDEX level_jobs_network ON level_jobs(network_code, id);
        CREATE TABLE level_job_schools (  -- schools a job has written, with the data stamp they came from
            job_id INTEGER NOT NULL REFERENCES level_jobs(id),
            school_code TEXT NOT NULL,
            stamp TEXT NOT NULL,
            PRIMARY KEY (job_id, school_code)
        );
        """
    )


def _m014_proposals_and_region(db: sqlite_utils.Database) -> None:
    """Schools' proposals to the network's core (supports, comments, the decision), and the role `regione`."""
    db.executescript(
        """
        CREATE TABLE core_proposals (
            id INTEGER PRIMARY KEY,
            network_code TEXT NOT NULL REFERENCES networks(code),
            school_code TEXT NOT NULL REFERENCES schools(code),
            core_section_id INTEGER NOT NULL REFERENCES protocol_sections(id),
            section_title TEXT NOT NULL,      -- the core section's title when proposed
            base_version INTEGER NOT NULL,    -- the core section's version the proposal was written against
            body TEXT NOT NULL,               -- the proposed text
            reason TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'aperta'
                CHECK (status IN ('aperta', 'accolta', 'respinta', 'ritirata')),
            author TEXT NOT NULL,
            created_at TEXT NOT NULL,
            decided_by TEXT,
            decided_at TEXT,
            decision_reason TEXT,
            core_version INTEGER              -- the core version the acceptance made
        );
        CREATE INDEX core_proposals_network ON core_proposals(network_code, status);
        CREATE TABLE proposal_supports (
            proposal_id INTEGER NOT NULL REFERENCES core_proposals(id) ON DELETE CASCADE,
            school_code TEXT NOT NULL REFERENCES schools(code),
            supporter TEXT NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (proposal_id, school_code)
        );
        CREATE TABLE proposal_comments (
            id INTEGER PRIMARY KEY,
            proposal_id INTEGER NOT NULL REFERENCES core_proposals(id) ON DELETE CASCADE,
            author TEXT NOT NULL,
            body TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        """
    )
    # The role list is a CHECK of `users`, which ALTER TABLE cannot change, and the table cannot be rebuilt
    # here: foreign keys stay on inside the migration's transaction, so dropping it would cascade to sessions
    # and classes. SQLite documents this way for a CHECK that only gets looser: rewrite the table's definition.
    table_sql = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'users'").fetchone()[0]
    old_roles = "'dirigente', 'funzione_strumentale', 'docente')"
    if old_roles not in table_sql:
        raise RuntimeError("users: the role CHECK is not the one this migration expects")
    version = db.execute("PRAGMA schema_version").fetchone()[0]
    db.execute("PRAGMA writable_schema = ON")
    try:
        db.execute("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'users'",
                   [table_sql.replace(old_roles, "'dirigente', 'funzione_strumentale', 'docente', 'regione')")])
        db.execute(f"PRAGMA schema_version = {version + 1}")
    finally:
        db.execute("PRAGMA writable_schema = OFF")


def _m015_drafts(db: sqlite_utils.Database) -> None:
    """What a user is writing in a section and has not saved yet, kept on the server: a reload (F5), a closed
    tab or a lost connection no longer loses it. One draft per user and section; a save or "Scarta" removes it."""
    db.executescript(
        """
        CREATE TABLE drafts (
            username TEXT NOT NULL,
            section_id INTEGER NOT NULL REFERENCES protocol_sections(id) ON DELETE CASCADE,
            base_version INTEGER NOT NULL,  -- the version the text started from: a save is based on it
            body TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            updated_at TEXT NOT NULL,
            PRIMARY KEY (username, section_id)
        );
        """
    )


def _m016_obligation(db: sqlite_utils.Database) -> None:
    """The compulsory-education procedure (art. 114 c. 4 D.Lgs. 297/1994): cases and their steps."""
    db.executescript(
        """
        CREATE TABLE obligation_cases (
            id INTEGER PRIMARY KEY,
            school_code TEXT NOT NULL REFERENCES schools(code),
            pupil_code TEXT NOT NULL,
            class_name TEXT NOT NULL,
            opened_on TEXT NOT NULL,       -- YYYY-MM-DD: the day of the sixteenth unjustified day
            window_start TEXT NOT NULL,    -- the three calendar months ending on opened_on
            window_end TEXT NOT NULL,
            days TEXT NOT NULL,            -- JSON list of the unjustified days in the window
            pending_days INTEGER NOT NULL DEFAULT 0,  -- of those, days the register left without a yes or no
            birth_year INTEGER,            -- NULL: age not known ("età non nota")
            detected_at TEXT NOT NULL,
            detected_by TEXT NOT NULL,
            closed_on TEXT,                -- YYYY-MM-DD
            outcome TEXT,
            closed_by TEXT
        );
        CREATE UNIQUE INDEX obligation_cases_open ON obligation_cases(school_code, pupil_code)
            WHERE closed_on IS NULL;
        CREATE INDEX obligation_cases_school ON obligation_cases(school_code, opened_on);
        CREATE TABLE obligation_steps (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES obligation_cases(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('famiglia', 'ripresa', 'sindaco')),
            on_day TEXT NOT NULL,          -- YYYY-MM-DD
            protocol_no TEXT,
            channel TEXT,
            municipality TEXT,
            note TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT 'manuale' CHECK (source IN ('manuale', 'dati')),
            recorded_by TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            UNIQUE (case_id, kind)
        );
        """
    )


def _m017_letters(db: sqlite_utils.Database) -> None:
    """The network's letters of the compulsory-education procedure, every saved version kept; the family's
    language from the pupil context file."""
    db.executescript(
        """
        CREATE TABLE letter_texts (
            id INTEGER PRIMARY KEY,
            network_code TEXT NOT NULL REFERENCES networks(code),
            kind TEXT NOT NULL CHECK (kind IN ('famiglia', 'sindaco')),
            language TEXT NOT NULL,       -- ISO 639-1
            version INTEGER NOT NULL,     -- 0 is the shipped text, never stored
            body TEXT NOT NULL,
            author TEXT NOT NULL,
            created_at TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            UNIQUE (network_code, kind, language, version)
        );
        ALTER TABLE pupil_context ADD COLUMN family_language TEXT;  -- ISO 639-1, for the letters
        """
    )


def _m018_practices(db: sqlite_utils.Database) -> None:
    """The good-practice catalogue: practices with their versions, attachments, adoptions into protocols,
    a full-text index of stemmed text, and where an adopted section came from."""
    db.executescript(
        """
        CREATE TABLE practices (
            id INTEGER PRIMARY KEY,
            network_code TEXT NOT NULL REFERENCES networks(code),
            school_code TEXT REFERENCES schools(code),  -- NULL: drafted by the network's coordinator
            status TEXT NOT NULL DEFAULT 'bozza' CHECK (status IN ('bozza', 'proposta', 'pubblicata')),
            current_version INTEGER NOT NULL DEFAULT 1,
            published_version INTEGER,  -- the version every network reads; later versions are drafts
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            published_at TEXT,
            published_by TEXT
        );
        CREATE INDEX practices_network ON practices(network_code, status);
        CREATE TABLE practice_versions (
            practice_id INTEGER NOT NULL REFERENCES practices(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            document TEXT NOT NULL,  -- JSON: every field of the record
            author TEXT NOT NULL,
            created_at TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (practice_id, version)
        );
        CREATE TABLE practice_attachments (
            id INTEGER PRIMARY KEY,
            practice_id INTEGER NOT NULL REFERENCES practices(id) ON DELETE CASCADE,
            file_name TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('docx', 'pdf')),
            content BLOB NOT NULL,
            uploaded_by TEXT NOT NULL,
            uploaded_at TEXT NOT NULL
        );
        CREATE INDEX practice_attachments_practice ON practice_attachments(practice_id);
        CREATE TABLE practice_adoptions (
            id INTEGER PRIMARY KEY,
            practice_id INTEGER NOT NULL REFERENCES practices(id),
            protocol_id INTEGER NOT NULL REFERENCES protocols(id),
            section_id INTEGER NOT NULL REFERENCES protocol_sections(id),
            mode TEXT NOT NULL CHECK (mode IN ('nuova', 'sostituisce')),
            version_seen INTEGER NOT NULL,  -- the practice's version the section holds (or declined)
            base_text TEXT NOT NULL,        -- the practice's text at that version: the base of the next merge
            adopted_by TEXT NOT NULL,
            adopted_at TEXT NOT NULL,
            UNIQUE (practice_id, section_id)
        );
        CREATE INDEX practice_adoptions_protocol ON practice_adoptions(protocol_id);
        -- Published practices only, as stemmed text (the originals stay in practice_versions); tags holds the
        -- filters as words (liv_primaria, tgt_neoarrivati, tem_italiano_l2, ev_monitorata).
        CREATE VIRTUAL TABLE practice_search USING fts5(title, body, tags, tokenize = 'unicode61 remove_diacritics 2');
        ALTER TABLE protocol_sections ADD COLUMN source_note TEXT;  -- where an adopted text came from
        """
    )


def _m019_level_history_packed(db: sqlite_utils.Database) -> None:
    """Each school's live levels also as one packed row: the dashboards read a school in one row, not 13,000.

    Derived from level_history by the only writer of it (models/risk/history.py), in the same transaction; a
    generation without a packed row is read from level_history as before.
    """
    db.executescript(
        """
        CREATE TABLE level_history_packed (
            school_code TEXT NOT NULL,
            generation INTEGER NOT NULL,
            rows INTEGER NOT NULL,
            periods TEXT NOT NULL,      -- the distinct months, separated by U+001F
            pupils TEXT NOT NULL,       -- every row's pupil code, separated by U+001F
            classes TEXT NOT NULL,      -- the distinct classes
            levels TEXT NOT NULL,       -- the distinct levels
            indexes BLOB NOT NULL,      -- per row: month, class, level as little-endian uint16 triples
            ratios BLOB NOT NULL,       -- per row: absence_ratio as little-endian float64
            PRIMARY KEY (school_code, generation)
        ) WITHOUT ROWID;
        """
    )


def _m020_weeks_and_school_calendars(db: sqlite_utils.Database) -> None:
    """Each school's week and each class's (hours of each day, Monday to Saturday), replacing the weekly hours
    per class (kept as the same hours over Monday–Friday); each school's own calendar on the regional one."""
    db.executescript(
        """
        CREATE TABLE class_weeks (
            school_code TEXT NOT NULL REFERENCES schools(code),
            class_name TEXT NOT NULL,     -- '' = the school's default week
            hours TEXT NOT NULL,          -- JSON: six numbers, the hours of Monday ... Saturday
            PRIMARY KEY (school_code, class_name)
        );
        INSERT INTO class_weeks SELECT school_code, class_name,
            json_array(weekly_hours / 5.0, weekly_hours / 5.0, weekly_hours / 5.0, weekly_hours / 5.0,
                       weekly_hours / 5.0, 0.0) FROM class_hours;
        DROP TABLE class_hours;
        CREATE TABLE school_local_calendar (
            school_code TEXT PRIMARY KEY REFERENCES schools(code),
            rite TEXT NOT NULL CHECK (rite IN ('romano', 'ambrosiano')),
            closed TEXT NOT NULL,         -- JSON: [[first day, last day, label], ...] closed by the council
            opened TEXT NOT NULL,         -- JSON: idem, lesson days moved onto days the region closes
            updated_by TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        """
    )


def _m021_derogations(db: sqlite_utils.Database) -> None:
    """The collegio's derogation criteria to the 25 % limit (DPR 122/2009 art. 14 c. 7) per school, and the hours
    a dirigente places under a derogation per pupil, with the reason and the date."""
    db.executescript(
        """
        CREATE TABLE derogation_criteria (
            school_code TEXT PRIMARY KEY REFERENCES schools(code),
            criteria TEXT NOT NULL,       -- JSON: the criteria, as the collegio worded them
            resolution TEXT NOT NULL,     -- the collegio's deliberation, e.g. "delibera n. 12 del 10/10/2025"
            updated_by TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE derogations (
            id INTEGER PRIMARY KEY,
            school_code TEXT NOT NULL REFERENCES schools(code),
            pupil_code TEXT NOT NULL,
            school_year TEXT NOT NULL,    -- "2025/26"
            hours REAL NOT NULL CHECK (hours > 0),
            reason TEXT NOT NULL,         -- one of the school's criteria
            on_day TEXT NOT NULL,         -- the day of the decision
            note TEXT NOT NULL DEFAULT '',
            recorded_by TEXT NOT NULL,
            recorded_at TEXT NOT NULL
        );
        CREATE INDEX derogations_by_pupil ON derogations (school_code, pupil_code);
        """
    )


def _m022_birth_date(db: sqlite_utils.Database) -> None:
    """The full date of birth where the context file gives it: the compulsory-education age counted to the day."""
    db.executescript("ALTER TABLE pupil_context ADD COLUMN birth_date TEXT;  -- ISO; NULL when only the year is known")


def _m023_obligation_receipt_and_letterhead(db: sqlite_utils.Database) -> None:
    """The family's receipt of the notice (the seven days run from it); cases of the quarter-of-hours kind with
    their hours; the letters of that kind; the school's letterhead and how its letters are signed."""
    db.executescript(
        """
        ALTER TABLE obligation_steps ADD COLUMN received_on TEXT;  -- YYYY-MM-DD: the family received the notice
        ALTER TABLE obligation_cases ADD COLUMN kind TEXT NOT NULL DEFAULT 'giorni'
            CHECK (kind IN ('giorni', 'ore'));
        ALTER TABLE obligation_cases ADD COLUMN hours_unjustified REAL;  -- 'ore': unjustified hours so far
        ALTER TABLE obligation_cases ADD COLUMN hours_limit REAL;        -- 'ore': a quarter of the annual hours
        DROP INDEX obligation_cases_open;
        CREATE UNIQUE INDEX obligation_cases_open ON obligation_cases(school_code, pupil_code, kind)
            WHERE closed_on IS NULL;
        ALTER TABLE schools ADD COLUMN address TEXT NOT NULL DEFAULT '';
        ALTER TABLE schools ADD COLUMN phone TEXT NOT NULL DEFAULT '';
        ALTER TABLE schools ADD COLUMN email TEXT NOT NULL DEFAULT '';
        ALTER TABLE schools ADD COLUMN pec TEXT NOT NULL DEFAULT '';
        ALTER TABLE schools ADD COLUMN office_hours TEXT NOT NULL DEFAULT '';
        ALTER TABLE schools ADD COLUMN letter_signature TEXT NOT NULL DEFAULT 'autografa'
            CHECK (letter_signature IN ('autografa', 'a_mezzo_stampa', 'digitale'));
        CREATE TABLE letter_texts_new (
            id INTEGER PRIMARY KEY,
            network_code TEXT NOT NULL REFERENCES networks(code),
            kind TEXT NOT NULL CHECK (kind IN ('famiglia', 'sindaco', 'famiglia_ore', 'sindaco_ore')),
            language TEXT NOT NULL,
            version INTEGER NOT NULL,
            body TEXT NOT NULL,
            author TEXT NOT NULL,
            created_at TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            UNIQUE (network_code, kind, language, version)
        );
        INSERT INTO letter_texts_new SELECT id, network_code, kind, language, version, body, author, created_at, note
            FROM letter_texts;
        DROP TABLE letter_texts;
        ALTER TABLE letter_texts_new RENAME TO letter_texts;
        """
    )


def _m024_secrets_and_file_names_out(db: sqlite_utils.Database) -> None:
    """The schools' pseudonym secrets leave the database for the file beside it (models/core/school_keys.py):
    with the database file alone no dictionary of names undoes the codes. The database keeps a check value
    only, to refuse a missing or wrong secrets file instead of giving the same pupils new codes. The names
    of files imported so far ("Rossi_Mario.csv") leave the history and the audit log; new imports are
    recorded under the file's fingerprint (models/pupils/codes.py)."""
    db.execute("ALTER TABLE schools ADD COLUMN pseudonym_check TEXT")
    rows = db.execute("SELECT code, pseudonym_secret FROM schools WHERE pseudonym_secret IS NOT NULL").fetchall()
    if rows:
        path = school_keys.path_for(db)
        for code, secret in rows:
            kept = school_keys.read_all(path).get(code) or school_keys.append(path, code, secret)
            db.execute("UPDATE schools SET pseudonym_check = ? WHERE code = ?", [school_keys.check_value(kept), code])
    before = db.execute("PRAGMA secure_delete").fetchone()[0]
    db.execute("PRAGMA secure_delete = ON")  # the freed bytes are overwritten, not left in the file
    db.execute("ALTER TABLE schools DROP COLUMN pseudonym_secret")
    for table, column, where in (("imports", "file_name", "1"),
                                 ("audit_log", "target", "action LIKE 'importazione%'")):
        for rowid, name in db.execute(f"SELECT rowid, {column} FROM {table} WHERE {where}").fetchall():
            suffix = Path(str(name)).suffix.lower()
            suffix = suffix if suffix in (".csv", ".txt", ".xlsx", ".xls") else ""
            db.execute(f"UPDATE {table} SET {column} = ? WHERE rowid = ?", [f"nome non conservato{suffix}", rowid])
    db.execute(f"PRAGMA secure_delete = {int(before)}")


def _m025_notifications(db: sqlite_utils.Database) -> None:
    """E-mail reminders: the admin's mail server (no password: it stays in the environment), each person's
    frequency and bouncing address, and what was sent (one row per person, kind and day: never twice)."""
    db.executescript("""
    CREATE TABLE smtp_settings (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        host TEXT NOT NULL, port INTEGER NOT NULL, starttls INTEGER NOT NULL, username TEXT NOT NULL,
        sender TEXT NOT NULL, app_url TEXT NOT NULL, updated_by TEXT NOT NULL, updated_at TEXT NOT NULL
    );
    CREATE TABLE notify_prefs (
        username TEXT PRIMARY KEY REFERENCES users(username) ON DELETE CASCADE,
        frequency TEXT NOT NULL CHECK (frequency IN ('giornaliera', 'settimanale', 'nessuna')),
        bounced_at TEXT, bounce_reason TEXT
    );
    CREATE TABLE notify_sent (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('digest', 'promemoria')), day TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('inviato', 'in_attesa', 'rimbalzato')),
        attempts INTEGER NOT NULL, last_error TEXT, at TEXT NOT NULL,
        UNIQUE (username, kind, day)
    );
    """)


def _m026_month_classes_and_subjects(db: sqlite_utils.Database) -> None:
    """Which classes each month holds (a per-class upload replaces only its classes; a month missing classes is
    partial), and the absences per subject when the register's report gives them."""
    db.executescript(
        """
        -- Kept by the importer with attendance_months: rows per month and class.
        CREATE TABLE attendance_classes (
            school_code TEXT NOT NULL,
            period TEXT NOT NULL,
            class_name TEXT NOT NULL,
            rows INTEGER NOT NULL,
            PRIMARY KEY (school_code, period, class_name)
        ) WITHOUT ROWID;
        INSERT INTO attendance_classes SELECT school_code, period, class_name, COUNT(*) FROM attendance
            GROUP BY school_code, period, class_name;
        -- A per-subject hour report, kept as the file gave it; attendance holds the sums per pupil and month.
        CREATE TABLE attendance_subjects (
            school_code TEXT NOT NULL,
            pupil_code TEXT NOT NULL,
            period TEXT NOT NULL,
            subject TEXT NOT NULL,
            scheduled_hours REAL,
            absence_hours REAL NOT NULL,
            import_id INTEGER NOT NULL,
            PRIMARY KEY (school_code, pupil_code, period, subject)
        ) WITHOUT ROWID;
        """
    )


def _m027_shared_by_app_processes(db: sqlite_utils.Database) -> None:
    """What several app processes on one database must share, out of each process's memory: failed logins of
    names without an account (under a short, lossy key of the name: never the name typed), the one-time
    cookie tickets (the session token sealed with a key only the ticket gives), the views already logged
    in the access log, and who runs a background job (claimed in one UPDATE)."""
    db.executescript(
        """
        CREATE TABLE login_unknown_failures (
            id INTEGER PRIMARY KEY,
            name_key TEXT NOT NULL,
            client TEXT NOT NULL,
            at TEXT NOT NULL
        );
        CREATE INDEX login_unknown_failures_key ON login_unknown_failures(client, name_key, at);
        CREATE INDEX login_unknown_failures_at ON login_unknown_failures(at);
        CREATE TABLE cookie_tickets (
            ticket_hash TEXT PRIMARY KEY,
            sealed TEXT NOT NULL,
            expires_at TEXT NOT NULL
        );
        CREATE TABLE logged_views (
            view_key TEXT PRIMARY KEY,
            at TEXT NOT NULL
        );
        CREATE INDEX logged_views_at ON logged_views(at);
        ALTER TABLE level_jobs ADD COLUMN claimed_by TEXT;
        """
    )


def _m028_attendance_year_packed(db: sqlite_utils.Database) -> None:
    """Each school year's monthly rows also packed in one row, as the risk list reads them: a 100,000-pupil
    school's list reads one row, not a million. Written by models/risk/school_risk.py when the data change
    (models/core/changes.py), in the writer's transaction, with the data stamp it was made from; a year
    without one, or with an older stamp, is read from attendance as before. A row changed or deleted by
    hand (an UPDATE changes no stamp) drops its school's packed rows: never a stale copy."""
    db.executescript(
        """
        CREATE TABLE attendance_year_packed (
            school_code TEXT NOT NULL,
            first_month TEXT NOT NULL,  -- the school year's September (YYYY-09)
            stamp TEXT NOT NULL,        -- the school's data stamp when written
            pupils TEXT NOT NULL,       -- the pupils' codes in ascending order, separated by U+001F
            classes TEXT NOT NULL,      -- each pupil's class in their latest month
            last_periods TEXT NOT NULL, -- each pupil's latest month
            counts BLOB NOT NULL,       -- each pupil's months as uint8
            rows BLOB NOT NULL,         -- each month of each pupil, in order, packed as little-endian int64
            PRIMARY KEY (school_code, first_month)
        );
        CREATE TRIGGER attendance_updated_unpacks AFTER UPDATE ON attendance BEGIN
            DELETE FROM attendance_year_packed WHERE school_code IN (OLD.school_code, NEW.school_code);
        END;
        CREATE TRIGGER attendance_deleted_unpacks AFTER DELETE ON attendance BEGIN
            DELETE FROM attendance_year_packed WHERE school_code = OLD.school_code;
        END;
        """
    )


# Append only: a migration that has shipped is never edited.
MIGRATIONS: list[Migration] = [_m001_foundation, _m002_protocols, _m003_word_templates, _m004_pupil_data,
                               _m005_follow_up, _m006_level_history,
                               _m007_risk_models, _m008_documents, _m009_protocol_structure,
                               _m010_login_clients, _m011_user_email, _m012_register_exports,
                               _m013_level_generations, _m014_proposals_and_region, _m015_drafts,
                               _m016_obligation, _m017_letters, _m018_practices,
                               _m019_level_history_packed, _m020_weeks_and_school_calendars,
                               _m021_derogations, _m022_birth_date,
                               _m023_obligation_receipt_and_letterhead, _m024_secrets_and_file_names_out,
                               _m025_notifications, _m026_month_classes_and_subjects,
                               _m027_shared_by_app_processes, _m028_attendance_year_packed]


def schema_version(db: sqlite_utils.Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate_schema(db: sqlite_utils.Database) -> int:
    """Apply the migrations this database has not seen yet; return the version."""
    if schema_version(db) >= len(MIGRATIONS):
        return schema_version(db)
    with transaction(db):
        # Read again under the write lock: another process may have migrated.
        current = schema_version(db)
        for number, migration in enumerate(MIGRATIONS[current:], start=current + 1):
            migration(db)
            db.execute(f"PRAGMA user_version = {number}")
    # What a migration removed (a secret) leaves the write-ahead log and the old pages now, not at some later
    # checkpoint.
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return schema_version(db)


SQLITE_HEADER = b"SQLite format 3\x00"
_SIDECARS = ("-wal", "-shm", "-journal")


def backup(db: sqlite_utils.Database, target: str | Path) -> Path:
    """Write a consistent copy with SQLite's online backup API.

    Safe while the app is running: the copy is one snapshot, whatever other
    connections write meanwhile. It never replaces the database it copies,
    nor any other database: replacing a file under an open connection
    corrupts it.
    """
    target = Path(target)
    _refuse_to_overwrite_a_database(db, target)
    target.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp: a fresh name beside the target, created 0600.
    handle, tmp_name = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
    os.close(handle)
    tmp = Path(tmp_name)
    try:
        dest = sqlite3.connect(str(tmp))
        try:
            db.conn.backup(dest)
            ok = dest.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            dest.close()
        if ok != "ok":
            raise RuntimeError(f"backup failed integrity check: {ok}")
        # Checked again just before the swap: the target may have appeared meanwhile.
        _refuse_to_overwrite_a_database(db, target)
        os.replace(tmp, target)
    finally:
        for leftover in [tmp, *(tmp.with_name(tmp.name + s) for s in _SIDECARS)]:
            leftover.unlink(missing_ok=True)
    return target


def check_target(db: sqlite_utils.Database | None, target: str | Path) -> Path:
    """Refuse, before any work, a file to write that is the database, one of its files, any SQLite file or a
    folder."""
    target = Path(target)
    _refuse_to_overwrite_a_database(db, target, "File non scritto")
    if target.is_dir():
        raise ApprodoError(f"File non scritto: {target} è una cartella. Indica il nome di un file.")
    return target


def write_private(db: sqlite_utils.Database | None, target: str | Path, data: bytes) -> Path:
    """Write a file that may hold personal data (an export, a key file, a list): readable by its owner only
    (0600, whatever the umask or the mode of a file it replaces), written whole (a temporary file beside it,
    then renamed) and never over the database in use, its -wal/-shm/-journal files or any SQLite file."""
    target = check_target(db, target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp_name = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)  # 0600
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            _refuse_to_overwrite_a_database(db, target, "File non scritto")  # it may have appeared meanwhile
            os.replace(tmp_name, target)
        finally:
            Path(tmp_name).unlink(missing_ok=True)
    except OSError as error:
        raise ApprodoError(f"Non riesco a scrivere {target}: {error.strerror}.") from None
    return target


def _refuse_to_overwrite_a_database(db: sqlite_utils.Database | None, target: Path, refused: str = "Copia non fatta"
                                    ) -> None:
    # Without a connection (a command that opens no database): the database the configuration names.
    source = Path(db.conn.execute("PRAGMA database_list").fetchone()[2]) if db is not None else database_path()
    protected = [source, *(source.with_name(source.name + s) for s in _SIDECARS)]
    resolved = target.resolve()
    in_use = any(resolved == p.resolve() for p in protected) or (
        target.exists() and any(p.exists() and os.path.samefile(target, p) for p in protected)
    )
    if in_use:
        raise ApprodoError(
            f"{refused}: non sovrascrivo {target}, che è il database in uso (o un suo file)."
            " Indica un file nuovo, per esempio copie/approdo-AAAA-MM-GG.db."
        )
    if not target.exists():
        return
    opened = any(target.with_name(target.name + s).exists() for s in _SIDECARS)
    try:
        with open(target, "rb") as existing:
            is_database = existing.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        is_database = False
    if opened or is_database:
        raise ApprodoError(
            f"{refused}: non sovrascrivo {target}, che è già un database (forse aperto da un programma)."
            " Indica un file nuovo, oppure sposta o cancella prima quello."
        )
