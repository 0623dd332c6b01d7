"""Every role × every page × a second school of another network: what each sees, with zero leaks.

Each page is opened in AppTest as each demo account and as the other network's
dirigente and coordinator; every text the page renders (tables, lists,
options, metrics) is searched for pupil codes the account may not see. Then
the same with tampered session state and query parameters.
"""

import functools
from pathlib import Path

import pytest

from models.accounts import auth
from models.core.school_year import SchoolYear
from models.core.suppression import FEW
from models.demo import demo, synthetic
from models.pupils import importing as pupil_data
from models.risk import school_risk
from tests.conftest import OTHER_SCHOOL, actor_named, count_proof, template
from tests.pages.conftest import log_in, new_app
from ui.navigation import PAGES, pages_for

SCHOOL = "MIIS00003C"
USERS = ["admin", "coordinatrice", "dirigente", "funzione", "docente", "altro.dirigente", "altro.coord", "regione"]


@pytest.fixture
def two_networks(pupils_db, system):
    """Pupils in the demo school and in a school of another network (codes starting ZZ)."""
    cohort = synthetic.generate("primaria", 60, [SchoolYear(2025)], seed=9, last_month=2, prefix="ZZ")
    pupil_data.import_attendance(pupils_db, system, OTHER_SCHOOL, synthetic.attendance_csv(cohort), "f.csv")
    return pupils_db


def codes_of(db, school_code: str) -> set[str]:
    return {r[0] for r in db.execute("SELECT DISTINCT pupil_code FROM attendance WHERE school_code = ?", [school_code])}


def visible_codes(db, username: str) -> set[str]:
    """The pupil codes the account may see: its school's (its classes' for a teacher), none for the others."""
    actor = actor_named(db, username)
    if actor.role.value not in ("dirigente", "funzione_strumentale", "docente"):
        return set()
    everyone = codes_of(db, actor.school_code)
    if actor.role.value == "docente":
        classes = set(school_risk.teacher_classes(db, actor))
        current = db.execute("SELECT pupil_code, class_name, MAX(period) FROM attendance WHERE school_code = ?"
                             " GROUP BY pupil_code", [actor.school_code]).fetchall()
        return {code for code, class_name, _ in current if class_name in classes}
    return everyone


def signed_in(token: str):
    """app.py run once (the account's home) in a new session holding `token`, ready to switch to a page.

    The token comes from `auth.login` (the call the login form makes), once per test: each app is a new tab of
    that login, as a browser's tabs share its cookie. Logging in through the form (tests/pages) runs the app
    three times more for each page."""
    at = new_app()
    at.session_state["approdo_token"] = token
    return at.run()


def rendered_text(at) -> str:
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "info", "warning", "error",
                 "success", "code", "latex"):
        parts += [str(getattr(e, "value", "")) for e in getattr(at, kind, [])]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [t.value.to_csv() for t in at.table] + [d.value.to_csv() for d in at.dataframe]
    parts += [" ".join(map(str, s.options)) for s in at.selectbox] + [" ".join(map(str, m.options))
                                                                      for m in at.multiselect]
    parts += [str(getattr(t, "value", "")) for t in at.text_area]
    return "\n".join(parts)


def assert_no_leak(db, username: str, text: str, where: str) -> None:
    allowed = visible_codes(db, username)
    every = {r[0] for r in db.execute("SELECT DISTINCT pupil_code FROM attendance")}
    leaked = {code for code in every - allowed if code in text}
    count_proof("controlli di autorizzazione (ruolo × pagina × scuola)")
    count_proof("fughe di dati trovate", len(leaked))
    assert not leaked, f"{username} vede in {where}: {sorted(leaked)[:5]}"


@pytest.fixture
def served(monkeypatch):
    """The bytes Streamlit stores for a page's files (what a download button built at once serves)."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    files: list[bytes] = []
    original = MemoryMediaFileStorage.load_and_get_id

    def load_and_get_id(self, path_or_data, mimetype, kind, filename=None):
        if isinstance(path_or_data, bytes | str):
            files.append(path_or_data.encode() if isinstance(path_or_data, str) else path_or_data)
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", load_and_get_id)
    return files


@pytest.mark.parametrize("username", USERS)
def test_every_page_of_every_role_shows_only_the_pupils_it_may_see(two_networks, served, username):
    from ui import strings as S

    actor = actor_named(two_networks, username)
    allowed = {spec.path for spec in pages_for(actor)}
    token = auth.login(two_networks, username, demo.DEMO_PASSWORD)
    for spec in PAGES:
        at = signed_in(token)
        if spec.path not in allowed:
            # The page's file is not in the role's navigation (its address is only a refusal page):
            # AppTest either cannot switch to it or, running the file, meets the guard.
            try:
                at.switch_page(spec.path)
            except ValueError:
                pass
            else:
                at.run()
                refusals = [e.value for e in at.error] + [w.value for w in at.warning]
                assert refusals and all("pagina" in r for r in refusals), (spec.path, refusals)
                assert not at.title and not at.dataframe, spec.path
                assert_no_leak(two_networks, username, rendered_text(at), spec.path + " (rifiutata)")
            count_proof("controlli di autorizzazione (ruolo × pagina × scuola)")
            continue
        served.clear()
        at.switch_page(spec.path).run()
        assert not at.exception, (username, spec.path, at.exception)
        assert_no_leak(two_networks, username, rendered_text(at), spec.path)
        # Each download the page offers is one the matrix tries (below); what it serves at once holds no leak.
        known = {getattr(S, name) for page, name in DOWNLOADS if page == spec.path}
        offered = {b.proto.label for b in at.get("download_button")}
        assert offered <= known, (spec.path, offered - known)
        for data in served:
            assert_no_leak(two_networks, username, office_text(data), spec.path + " (file servito)")


@pytest.mark.parametrize("username", USERS)
def test_a_page_file_run_directly_by_url_is_refused_outside_the_role(two_networks, username):
    actor = actor_named(two_networks, username)
    allowed = {spec.path for spec in pages_for(actor)}
    token = auth.login(two_networks, username, demo.DEMO_PASSWORD)
    for spec in PAGES:
        if spec.path in allowed:
            continue
        at = new_app(spec.path)
        at.session_state["approdo_token"] = token
        at.run()
        assert [e.value for e in at.error] == ["Il tuo ruolo non permette di aprire questa pagina."], spec.path
        assert_no_leak(two_networks, username, rendered_text(at), spec.path + " (URL)")


@pytest.mark.parametrize("username", ["dirigente", "funzione", "docente", "altro.dirigente"])
def test_a_pupil_of_another_school_by_query_parameter_shows_nothing(two_networks, username):
    other = sorted(codes_of(two_networks, OTHER_SCHOOL if username != "altro.dirigente" else SCHOOL))[0]
    at = signed_in(auth.login(two_networks, username, demo.DEMO_PASSWORD))
    at.switch_page("pages/pupil.py")
    at.query_params["alunno"] = other
    at.run()
    assert not at.exception
    assert not at.table and not at.metric
    assert_no_leak(two_networks, username, rendered_text(at).replace(f"«{other}»", ""), "pupil page (?alunno=)")


@pytest.mark.parametrize("username", ["dirigente", "funzione", "coordinatrice", "docente"])
def test_session_state_tampering_cannot_open_another_networks_protocol(two_networks, system, username):
    from models.protocols import protocol as protocols

    core = protocols.create_core(two_networks, system, "RETEALTRA", "primaria", "2025/26")
    other = protocols.create_school_protocol(two_networks, system, OTHER_SCHOOL)
    token = auth.login(two_networks, username, demo.DEMO_PASSWORD)
    for target in (core.id, other.id):
        at = signed_in(token)
        at.session_state["approdo_protocol"] = target
        at.switch_page("pages/protocol_editor.py").run()
        text = rendered_text(at)
        assert "Istituto comprensivo altrove" not in text and "RETEALTRA" not in text
        at = signed_in(token)
        at.switch_page("pages/protocol_history.py")
        at.query_params["protocollo"] = str(target)
        at.run()
        assert "Istituto comprensivo altrove" not in rendered_text(at)
        count_proof("controlli di autorizzazione (ruolo × pagina × scuola)", 2)


@pytest.mark.parametrize(("page", "param"), [("pages/pupil.py", "alunno"), ("pages/risk.py", "alunno"),
                                             ("pages/protocol_editor.py", "protocollo"),
                                             ("pages/protocol_history.py", "protocollo"),
                                             ("pages/proposals.py", "proposta")])
def test_the_region_tampering_with_the_url_reads_no_pupil_and_no_protocol(two_networks, system, page, param):
    """The regional partner opens a page of pupils or protocols by its address, with a pupil code or a protocol:
    the refusal, whether the page is reached through the menu's address or its file is run directly."""
    from models.protocols import proposals
    from models.protocols import protocol as protocols

    protocols.create_core(two_networks, system, "RETEDEMO", "secondaria_secondo_grado", "2025/26")
    school = protocols.create_school_protocol(two_networks, system, SCHOOL)
    dirigente = actor_named(two_networks, "dirigente")
    tempi = next(s for s in protocols.list_sections(two_networks, dirigente, school.core_id) if s.key == "tempi")
    made = proposals.propose(two_networks, dirigente, tempi.id, tempi.body + "\nTesto proposto segreto.\n", "motivo")
    value = {"alunno": sorted(codes_of(two_networks, SCHOOL))[0], "protocollo": str(school.id),
             "proposta": str(made.id)}[param]
    direct = new_app(page)  # the page's file run by its address, before any menu exists
    direct.session_state["approdo_token"] = auth.login(two_networks, "regione", demo.DEMO_PASSWORD)
    for at in (log_in(new_app(), "regione"), direct):
        at.query_params[param] = value
        try:
            at.switch_page(page)
        except ValueError:
            pass  # not in the region's navigation at all
        at.run()
        text = rendered_text(at)
        if "Il tuo ruolo non permette di aprire questa pagina." in [e.value for e in at.error]:
            assert not at.dataframe and not at.table and not at.metric, page
        else:  # AppTest could not switch: the app stayed on the region's home (which lists the programme's schools)
            assert "Elena Marchi" in text and not at.table and not at.metric, page
        assert "Testo proposto segreto" not in text and "Protocollo di accoglienza" not in text
        assert_no_leak(two_networks, "regione", text, f"{page}?{param}=")


def test_a_proposal_of_another_network_by_query_parameter_shows_nothing(two_networks, system):
    from models.protocols import proposals
    from models.protocols import protocol as protocols

    protocols.create_core(two_networks, system, "RETEDEMO", "secondaria_secondo_grado", "2025/26")
    dirigente = actor_named(two_networks, "dirigente")
    core = protocols.core_for(two_networks, "RETEDEMO", protocols.Level("secondaria_secondo_grado"))
    tempi = next(s for s in protocols.list_sections(two_networks, dirigente, core.id) if s.key == "tempi")
    made = proposals.propose(two_networks, dirigente, tempi.id, tempi.body + "\nTesto proposto segreto.\n", "motivo")
    for username in ("altro.dirigente", "altro.coord"):
        at = signed_in(auth.login(two_networks, username, demo.DEMO_PASSWORD))
        at.switch_page("pages/proposals.py")
        at.query_params["proposta"] = str(made.id)
        at.run()
        assert not at.exception
        assert "Testo proposto segreto" not in rendered_text(at) + " ".join(h.proto.body for h in at.get("html"))
        assert "Ponte Nuovo" not in rendered_text(at)
        count_proof("controlli di autorizzazione (ruolo × pagina × scuola)")


def test_a_forged_session_token_is_a_logged_out_visitor(two_networks):
    at = new_app("pages/risk.py")
    at.session_state["approdo_token"] = "token-inventato"
    at.run()
    assert not at.dataframe and not at.metric
    assert_no_leak(two_networks, "admin", rendered_text(at), "risk page with a forged token")


def test_every_command_line_read_of_pupils_is_logged(tmp_path, monkeypatch):
    """The command line is the server's operator: it may read pupils, and each read is in the access log."""
    import sqlite3

    from tests.conftest import cli_in_process, copy_prepared

    path = copy_prepared("init-db --demo", tmp_path / "cli.db")  # what `init-db --demo` makes, made once
    run = cli_in_process(path, monkeypatch)

    def logged() -> int:
        with sqlite3.connect(path) as conn:
            return conn.execute("SELECT COUNT(*) FROM access_log").fetchone()[0]

    for command in (["score", "--school", SCHOOL], ["score", "--school", SCHOOL, "--format", "json"],
                    ["score", "--school", SCHOOL, "--format", "xlsx", "--out", str(tmp_path / "e.xlsx")]):
        before = logged()
        assert run(*command).returncode == 0
        assert logged() == before + 1, command
        count_proof("controlli di autorizzazione (ruolo × pagina × scuola)")
    # Network figures carry no pupil: the report is not a pupil read, and holds no code.
    with sqlite3.connect(path) as conn:
        codes = {r[0] for r in conn.execute("SELECT DISTINCT pupil_code FROM attendance")}
    report = run("report", "--network", "RETEDEMO", "--year", "2025/26", "--out", str(tmp_path / "r.xlsx"))
    assert report.returncode == 0
    from openpyxl import load_workbook

    cells = " ".join(str(c) for sheet in load_workbook(tmp_path / "r.xlsx") for row in sheet.iter_rows(values_only=True)
                     for c in row)
    assert not [c for c in codes if c in cells]


# --- every download ------------------------------------------------------------------------------------------
# Each download button of every page, as the model call the page makes with the acting user, tried by every
# account on every school, network or protocol: refused where docs/design.md's table says so; where served, the
# bytes hold no pupil code the account may not see and, for figures, no count of 1–4 pupils of a school that
# is not the account's own (those read "<5").

SMALL_SCHOOL = "MIRI00004D"  # a school of the demo network with a handful of pupils: its counts are small
YEARS = [SchoolYear(2023), SchoolYear(2024), SchoolYear(2025)]
ACCOUNTS = {  # username: (role, school, network), written out here rather than read from permissions.py
    "admin": ("admin", None, None), "coordinatrice": ("coordinatore_rete", None, "RETEDEMO"),
    "dirigente": ("dirigente", SCHOOL, "RETEDEMO"), "funzione": ("funzione_strumentale", SCHOOL, "RETEDEMO"),
    "docente": ("docente", SCHOOL, "RETEDEMO"), "altro.dirigente": ("dirigente", OTHER_SCHOOL, "RETEALTRA"),
    "altro.coord": ("coordinatore_rete", None, "RETEALTRA"), "regione": ("regione", None, None),
}
NETWORK_OF = {SCHOOL: "RETEDEMO", SMALL_SCHOOL: "RETEDEMO", OTHER_SCHOOL: "RETEALTRA"}


@template("world", base="demo_db")
def _world(db) -> None:
    """Three schools with three years of pupils and outcomes, a trained model and protocols in both networks.

    Built once (imports and training take seconds) and copied for each test that uses `world`.
    """
    from models.core.permissions import Actor
    from models.protocols import protocol as protocols
    from models.risk import learn

    system = Actor.system("test")
    for code, level, pupils, prefix, seed in ((SCHOOL, "secondaria_secondo_grado", 300, "S", 3),
                                              (SMALL_SCHOOL, "secondaria_secondo_grado", 12, "PP", 5),
                                              (OTHER_SCHOOL, "primaria", 200, "ZZ", 9)):
        cohort = synthetic.generate(level, pupils, YEARS, seed=seed, last_month=2, prefix=prefix, context_weight=1.0)
        pupil_data.import_attendance(db, system, code, synthetic.attendance_csv(cohort), "a.csv")
        pupil_data.import_context(db, system, code, synthetic.context_csv(cohort), "c.csv")
        pupil_data.import_outcomes(db, system, code, synthetic.outcomes_csv(cohort), "o.csv")
    school_risk.assign_classes(db, system, "docente", ["3A", "4B"])
    for network, level, school in (("RETEDEMO", "secondaria_secondo_grado", SCHOOL),
                                   ("RETEALTRA", "primaria", OTHER_SCHOOL)):
        protocols.create_core(db, system, network, level, "2025/26")
        protocols.create_school_protocol(db, system, school)
        learn.train(db, system, network)
    _recorded_cases(db, system)
    _practices_with_attachments(db)


CASE_PUPILS = {SCHOOL: "S100000", OTHER_SCHOOL: "ZZ100000"}


def _recorded_cases(db, system) -> None:
    """A compulsory-education case in each network, the family informed long ago (the mayor's letter is due), and
    the family notice in Arabic in both networks: every letter can be downloaded. The world has monthly data
    only, so the rule leaves these recorded cases as they are."""
    import json

    from models.obligation import letters

    days = [f"2026-01-{d:02d}" for d in (7, 8, 9, 12, 13, 14, 15, 16, 19, 20, 21, 22, 23, 26, 27, 28)]
    for school, pupil in CASE_PUPILS.items():
        case_id = db.execute(
            "INSERT INTO obligation_cases (school_code, pupil_code, class_name, opened_on, window_start, window_end,"
            " days, birth_year, detected_at, detected_by) VALUES (?, ?, '1A', '2026-01-28', '2025-10-29',"
            " '2026-01-28', ?, 2011, '2026-01-28T10:00:00.000000Z', 'test')",
            [school, pupil, json.dumps(days)]).lastrowid
        db.execute("INSERT INTO obligation_steps (case_id, kind, on_day, protocol_no, channel, recorded_by,"
                   " recorded_at) VALUES (?, 'famiglia', '2026-02-02', '77/2026', 'PEC', 'test',"
                   " '2026-02-02T10:00:00.000000Z')", [case_id])
    # The demo network has it already (an example text); the other network gets it too.
    letters.save_text(db, system, "RETEALTRA", "famiglia", "ar", letters.example_text("famiglia", "ar"), 0)
    db.execute("UPDATE pupil_context SET family_language = 'ar' WHERE pupil_code IN (?, ?)",
               list(CASE_PUPILS.values()))
def _practices_with_attachments(db) -> None:
    """A draft of the demo school and a published practice of the other network, each with a PDF attached."""
    from models.practices import attachments, records
    from tests.models.test_practices import content
    from tests.pdf_helpers import make_pdf, page_objects

    for username, school, publisher, level in (("dirigente", SCHOOL, None, "secondaria_secondo_grado"),
                                               ("altro.dirigente", OTHER_SCHOOL, "altro.coord", "primaria")):
        practice = records.create_practice(db, actor_named(db, username), content(levels=(level,)))
        attachments.add_attachment(db, actor_named(db, username), practice.id, f"scheda_{school}.pdf",
                                   make_pdf(page_objects("Scheda della pratica")))
        if publisher:
            records.publish(db, actor_named(db, publisher), practice.id)


@pytest.fixture
def world(db):
    """The test's copy of the database `_world` builds."""
    return db


def office_text(data: bytes) -> str:
    """Every text a downloaded file holds: cells of a workbook, paragraphs and tables of a Word file, each member
    of a zip; anything else read as text."""
    import io
    import zipfile

    if data[:2] != b"PK":
        return data.decode("utf-8-sig", errors="replace")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        if "xl/workbook.xml" in names:
            from openpyxl import load_workbook

            return "\n".join(" ".join("" if c is None else str(c) for c in row) for sheet in
                             load_workbook(io.BytesIO(data)) for row in sheet.iter_rows(values_only=True))
        if "word/document.xml" in names:
            from docx import Document

            document = Document(io.BytesIO(data))
            parts = [p.text for p in document.paragraphs]
            parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
            for section in document.sections:
                parts += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
            return "\n".join(parts)
        return "\n".join(office_text(archive.read(name)) for name in names)


def count_rows(data: bytes) -> list[tuple]:
    """The rows of a download's tables of pupil counts (levels, schools, follow-up): workbook sheets and Word
    tables whose header names levels or high-risk pupils. Each row: its label, then its cells."""
    import io
    import zipfile

    def counting(header) -> bool:
        return any(str(h) in ("Alto", "Alunni ad alto rischio nell'anno") for h in header)

    rows = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        is_xlsx = "xl/workbook.xml" in archive.namelist()
    if is_xlsx:
        from openpyxl import load_workbook

        for sheet in load_workbook(io.BytesIO(data)):
            values = list(sheet.iter_rows(values_only=True))
            if values and counting(values[0]):
                rows += values[1:]
    else:
        from docx import Document

        for table in Document(io.BytesIO(data)).tables:
            cells = [[c.text for c in row.cells] for row in table.rows]
            if cells and counting(cells[0]):
                rows += [tuple(r) for r in cells[1:]]
    return rows


def small_counts(rows: list[tuple], own_name: str | None) -> list[tuple]:
    """Cells counting 1–4 pupils (an int, or a cell of just that digit) outside the account's own school's row."""
    found = []
    for row in rows:
        if own_name and row and str(row[0]) == own_name:
            continue
        for cell in row[1:]:
            value = cell if isinstance(cell, int) else int(cell) if str(cell).strip() in "1234" and str(cell).strip() \
                else None
            if value is not None and 0 < value < 5:
                found.append(row)
    return found


COUNT_KEYS = {"pupils", "adverse", "flagged", "true_positives", "n", "test_pupils", "test_adverse", "train_pupils",
              "train_adverse", "model_true_positives", "model_flagged", "rules_true_positives", "rules_flagged"}


def small_counts_in_document(document: dict, own_school: str | None) -> list[str]:
    """Paths of counts of 1–4 pupils in the model's document, outside the own school's entry; and reliability
    points or audit rates shown though built on a hidden count."""
    found = []

    def walk(value, path):
        if isinstance(value, dict):
            for key, inner in value.items():
                if path[-1:] == ("schools",) and key == own_school:
                    continue
                if key in COUNT_KEYS and isinstance(inner, int) and not isinstance(inner, bool) and 0 < inner < 5:
                    found.append("/".join((*path, key)))
                walk(inner, (*path, key))
        elif isinstance(value, list):
            for n, inner in enumerate(value):
                walk(inner, (*path, str(n)))

    walk(document, ())
    for point in document["metrics"].get("reliability", []):
        # A rate built on a hidden count reads "n.d. (meno di 5 casi)" (documents trained before said "<5").
        if "<5" in (point.get("pupils"), point.get("adverse")) and point["observed"] not in (FEW, "<5"):
            found.append(f"reliability {point}")
    return found


def _school_role(username: str) -> bool:
    return ACCOUNTS[username][0] in ("dirigente", "funzione_strumentale", "docente")


def may_read_pupils(username: str, school: str) -> bool:
    return _school_role(username) and ACCOUNTS[username][1] == school


def may_import(username: str, school: str) -> bool:
    return ACCOUNTS[username][0] in ("dirigente", "funzione_strumentale") and ACCOUNTS[username][1] == school


def may_read_protocol(username: str, protocol: tuple[int, str, str | None]) -> bool:
    role, school, network = ACCOUNTS[username]
    _, protocol_network, protocol_school = protocol
    return role == "admin" or (network == protocol_network and (
        role == "coordinatore_rete" or protocol_school is None or protocol_school == school))


def may_export_network(username: str, network: str) -> bool:
    role, _, own = ACCOUNTS[username]
    return role == "admin" or (role == "coordinatore_rete" and own == network)


def may_read_figures(username: str, network: str) -> bool:
    role, _, own = ACCOUNTS[username]
    return role == "admin" or (own == network and role != "docente")


def may_read_attachment(username: str, attachment: tuple[int, str, str | None, bool]) -> bool:
    """Attachments of published practices: everyone; of drafts: the network's coordinator, the school's dirigente."""
    role, school, network = ACCOUNTS[username]
    _, practice_network, practice_school, published = attachment
    if role == "regione":  # the published catalogue only, never a draft
        return published
    return published or role == "admin" or (network == practice_network and (
        role == "coordinatore_rete" or (role == "dirigente" and school == practice_school)))


def _attachments(db) -> list[tuple[int, str, str | None, bool]]:
    return [(r[0], r[1], r[2], bool(r[3])) for r in db.execute(
        "SELECT a.id, p.network_code, p.school_code, p.published_version IS NOT NULL FROM practice_attachments a"
        " JOIN practices p ON p.id = a.practice_id ORDER BY a.id")]


def _attachment(db, actor, attachment) -> bytes:
    from models.practices import attachments

    return attachments.attachment_content(db, actor, attachment[0])[1]


def _schools(db) -> list[str]:
    return [SCHOOL, SMALL_SCHOOL, OTHER_SCHOOL]


def _networks(db) -> list[str]:
    return ["RETEDEMO", "RETEALTRA"]


def _protocols(db) -> list[tuple[int, str, str | None]]:
    return [tuple(r) for r in db.execute("SELECT id, network_code, school_code FROM protocols ORDER BY id")]


@functools.cache  # one function per format: the rows that serve the same file share their call (see below)
def _risk_list(fmt: str):
    from models.follow_up import list_export as risk_export

    return lambda db, actor, school: risk_export.export_list(db, actor, school, fmt)[1]


def _council_pack(db, actor, school) -> bytes:
    from models.council import pack as council_pack
    from models.follow_up.list_export import Selection

    # The PDF button serves this same Word file converted by LibreOffice: the same call decides and fills it.
    return council_pack.council_pack(db, actor, school, Selection(levels=("alto",))).docx


def _pupil_sheet(db, actor, school) -> bytes:
    from models.council import pack as council_pack
    from models.risk import school_risk

    # The first pupil the page would offer this account (it refuses those who may not see the school's pupils).
    visible = school_risk.visible_pupils(db, actor, school)
    return council_pack.pack_for_pupil(db, actor, school, next(iter(visible))).docx if visible else b""


def _protocol_word(db, actor, protocol) -> bytes:
    from models.protocols import word_export as docx_export

    # The PDF button serves this same Word file converted by LibreOffice: the same call decides and fills it.
    return docx_export.export_protocol(db, actor, protocol[0])


def _changes_page(db, actor, protocol) -> bytes:
    from models.protocols import protocol as protocols
    from ui.protocol_widgets import changes_document

    since = protocols.changes_since_approval(db, actor, protocol[0])
    if since is None:  # never approved: the page offers no download, but reading it was still decided above
        return b""
    return changes_document(protocols.get_protocol(db, actor, protocol[0]), since).encode()


def _network_zip(db, actor, network) -> bytes:
    from models.protocols import word_export as docx_export

    return docx_export.export_network(db, actor, network)


def _default_template(db, actor, target) -> bytes:
    from models.protocols import word_export as docx_export

    return docx_export.DEFAULT_TEMPLATE.read_bytes()


def _report(fmt: str):
    def build(db, actor, network) -> bytes:
        from models.network import report as network_report

        built = network_report.build(db, actor, network, YEARS[-1])
        return network_report.to_xlsx(built) if fmt == "xlsx" else network_report.to_docx(built)

    return build


def _model_document(db, actor, network) -> bytes:
    from models.risk import learn

    return learn.document_download(db, actor, network)


# A file the register could give, with a bad row: the rejection report the upload page offers to download.
REJECTED_FILE = (b"codice alunno;classe;mese;monte ore;ore assenza;ingressi posticipati;uscite anticipate\n"
                 b"X1;3A;2026-02;abc;5;0;0\n")


def _import_report(db, actor, school) -> bytes:
    try:
        pupil_data.import_attendance(db, actor, school, REJECTED_FILE, "registro.csv", None, dry_run=True)
    except pupil_data.ImportRejected as rejected:
        return rejected.report.to_csv()
    raise AssertionError("the bad file was accepted")


NAMES_FILE = (b"alunno;data di nascita;classe;mese;monte ore;ore assenza\n"
              b"Zanardelli Mario;03/04/2011;3A;2026-02;100;5\n")


def _pseudonym_key(db, actor, school) -> bytes:
    """The key file (name -> code) the upload page offers after a pseudonymised import."""
    summary = pupil_data.import_attendance(db, actor, school, NAMES_FILE, "nomi.csv", None, dry_run=True,
                                           pseudonymise=True)
    return summary.key_file


def _letter(kind: str, language: str = "it"):
    """The obligation page's letter buttons: the letter of the school's recorded case."""
    from models.obligation import letters

    def fetch(db, actor, school) -> bytes:
        case_id = db.execute("SELECT id FROM obligation_cases WHERE school_code = ?", [school]).fetchone()[0]
        return letters.case_letter(db, actor, school, case_id, kind, language)
    return fetch


def _schools_with_cases(db) -> list[str]:
    return list(CASE_PUPILS)


# (page, the label's name in ui/strings.py): (what it serves, targets, who may have it, the call the page makes)
DOWNLOADS = {
    ("pages/risk.py", "RISK_DOWNLOAD_XLSX"): ("alunni", _schools, may_read_pupils, _risk_list("xlsx")),
    ("pages/risk.py", "RISK_DOWNLOAD_CSV"): ("alunni", _schools, may_read_pupils, _risk_list("csv")),
    ("pages/risk.py", "RISK_DOWNLOAD_WHOLE"): ("alunni", _schools, may_read_pupils, _risk_list("xlsx")),
    ("pages/risk.py", "PACK_DOWNLOAD_DOCX"): ("alunni", _schools, may_read_pupils, _council_pack),
    ("pages/risk.py", "PACK_DOWNLOAD_PDF"): ("alunni", _schools, may_read_pupils, _council_pack),
    ("pages/pupil.py", "PACK_PUPIL_DOCX"): ("alunni", _schools, may_read_pupils, _pupil_sheet),
    ("pages/pupil.py", "PACK_PUPIL_PDF"): ("alunni", _schools, may_read_pupils, _pupil_sheet),
    ("pages/protocol_editor.py", "DOWNLOAD_DOCX"): ("protocollo", _protocols, may_read_protocol, _protocol_word),
    ("pages/protocol_editor.py", "DOWNLOAD_PDF"): ("protocollo", _protocols, may_read_protocol, _protocol_word),
    ("pages/protocol_history.py", "CHANGES_DOWNLOAD"): ("protocollo", _protocols, may_read_protocol, _changes_page),
    ("pages/protocols.py", "DOWNLOAD_ZIP"): ("protocollo", _networks, may_export_network, _network_zip),
    ("pages/protocols.py", "DOWNLOAD_DEFAULT_TEMPLATE"): ("modello Word vuoto", lambda db: [None],
                                                          lambda username, target: True, _default_template),
    ("pages/network.py", "REPORT_XLSX"): ("cifre", _networks, may_read_figures, _report("xlsx")),
    ("pages/network.py", "REPORT_DOCX"): ("cifre", _networks, may_read_figures, _report("docx")),
    ("pages/model.py", "MODEL_DOWNLOAD"): ("modello", _networks, may_read_figures, _model_document),
    ("pages/data_upload.py", "REPORT_DOWNLOAD"): ("file caricato", _schools, may_import, _import_report),
    ("pages/data_upload.py", "KEY_DOWNLOAD"): ("chiave dei pseudonimi", _schools, may_import, _pseudonym_key),
    ("pages/obligation.py", "LET_DOWNLOAD_FAMILY"): ("alunni", _schools_with_cases, may_import, _letter("famiglia")),
    ("pages/obligation.py", "LET_DOWNLOAD_FAMILY_BILINGUAL"): ("alunni", _schools_with_cases, may_import,
                                                               _letter("famiglia", "ar")),
    ("pages/obligation.py", "LET_DOWNLOAD_MAYOR"): ("alunni", _schools_with_cases, may_import, _letter("sindaco")),
    ("pages/practices.py", "DOWNLOAD_ATTACHMENT"): ("allegato di una pratica", _attachments, may_read_attachment,
                                                    _attachment),
}


def download_buttons_in_pages() -> set[tuple[str, str]]:
    """Every st.download_button call in pages/*.py, as (page, the ui.strings name of its label)."""
    import ast

    from tests.conftest import ROOT

    found = set()
    for path in sorted((ROOT / "pages").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "download_button":
                label = node.args[0] if node.args else next(k.value for k in node.keywords if k.arg == "label")
                name = label.attr if isinstance(label, ast.Attribute) else ast.unparse(label)
                found.add((f"pages/{path.name}", name))
    return found


def test_the_matrix_knows_every_download_button_of_every_page():
    """A new download (or one renamed or moved) fails here until it has its row in DOWNLOADS."""
    found = download_buttons_in_pages()
    assert found, "no download_button found: has the parsing broken?"
    assert found == set(DOWNLOADS), (f"downloads not in the matrix: {sorted(found - set(DOWNLOADS))};"
                                     f" in the matrix but gone: {sorted(set(DOWNLOADS) - found)}")
    count_proof("download e comandi classificati nella matrice", len(found))


@pytest.mark.parametrize("username", USERS)
def test_every_download_serves_only_what_the_account_may_see(world, username):
    from models.core.errors import PermissionDenied

    actor = actor_named(world, username)
    role, own_school, own_network = ACCOUNTS[username]
    names = {code: name for code, name in world.execute("SELECT code, name FROM schools")}
    network_of = dict(world.execute("SELECT code, network_code FROM schools").fetchall())
    # Buttons that serve one file (the Word file and its PDF, the list and the whole list) make the same call:
    # made once for this account and target, its answer (the file or the refusal) checked under each button.
    answers: dict[tuple, tuple[bytes, str] | PermissionDenied] = {}
    for (page, label), (what, targets, may, fetch) in DOWNLOADS.items():
        for target in targets(world):
            where = f"{page} {label} ({what}) di {target}"
            allowed = may(username, target)
            count_proof("download provati (ruolo × download × scuola/rete)")
            if (fetch, target) not in answers:
                try:
                    data = fetch(world, actor, target)
                    answers[fetch, target] = (data, office_text(data))
                except PermissionDenied as refused:
                    answers[fetch, target] = refused
            if isinstance(answers[fetch, target], PermissionDenied):
                assert not allowed, f"{username} non riceve {where}"
                continue
            assert allowed, f"{username} riceve {where}"
            data, text = answers[fetch, target]
            assert_no_leak(world, username, text, where)
            if what in ("cifre", "modello", "protocollo") and role != "admin":
                # Names of schools of another network never; of the own network's other schools only for
                # those who see every school of it (its coordinator).
                foreign = {c for c, n in network_of.items() if n != own_network}
                if role != "coordinatore_rete" and what != "protocollo":
                    foreign |= {c for c in network_of if c != own_school}
                shown = sorted(c for c in foreign if names[c] in text)
                count_proof("fughe di dati trovate", len(shown))
                assert not shown, f"{username} vede in {where} le scuole {shown}"
            if what == "cifre":
                assert count_rows(data), f"no table of counts found in {where}: the check would see nothing"
                leaked = small_counts(count_rows(data), names.get(own_school))
                count_proof("download: conteggi di scuola sotto 5 controllati")
                count_proof("fughe di dati trovate", len(leaked))
                assert not leaked, f"{username}: conteggi di 1–4 alunni in {where}: {leaked[:3]}"
            if what == "modello":
                import json

                leaked = small_counts_in_document(json.loads(data), own_school)
                count_proof("download: conteggi di scuola sotto 5 controllati")
                count_proof("fughe di dati trovate", len(leaked))
                assert not leaked, f"{username}: conteggi di 1–4 alunni in {where}: {leaked[:3]}"
                if role in ("dirigente", "funzione_strumentale"):
                    assert set(json.loads(data)["metrics"]["schools"]) <= {own_school}, where


def test_the_download_checks_see_a_leak_when_there_is_one(world):
    """The stored model (whole, as only the server's operator reads it) holds the small school's counts of 1–4
    pupils, the unsuppressed reliability points and the pupil codes of a risk list: each check finds them."""
    import json

    stored = json.loads(world.execute("SELECT document FROM risk_models WHERE network_code = 'RETEDEMO'"
                                      " ORDER BY version DESC LIMIT 1").fetchone()[0])
    assert any(SMALL_SCHOOL in path for path in small_counts_in_document(stored, None))
    assert not any(SMALL_SCHOOL in path for path in small_counts_in_document(stored, SMALL_SCHOOL))
    assert small_counts([("Scuola X", 0, 3, "<5", 12)], None) and not small_counts([("Scuola X", 0, 3)], "Scuola X")
    from models.core.permissions import Actor

    for fmt in ("xlsx", "csv"):  # the operator's list of the small school: codes the funzione may not see
        text = office_text(_risk_list(fmt)(world, Actor.system("test"), SMALL_SCHOOL))
        listed = {code for code in codes_of(world, SMALL_SCHOOL) if code in text}
        assert len(listed) >= 10 and not listed & visible_codes(world, "funzione")


# --- every command of the command line -------------------------------------------------------------------
# The command line is the server's operator (Actor.system): it may read pupils, and every read is in the access
# log. Each command is classified; each is run once, scoped to the demo network or its school, against a
# database that also holds another network's pupils: none of those ever comes out, and only the commands that
# read pupils print (or write) any pupil code.

SYSTEM = "sistema"  # accounts, schools, settings, protocols, backups: no pupil data comes out
READS = "legge gli alunni"  # reads pupil-level data of the schools named: one access-log line per school
FIGURES = "cifre aggregate"  # counts over pupils, suppressed: no pupil code, not a pupil-level read
WRITES = "carica un file"  # checks or loads a file of pupils the operator gives: prints a summary only


def _cli_files(tmp: Path) -> dict[str, Path]:
    """Input files for the commands that read one: register files of new pupils (codes NW…), a table."""
    cohort = synthetic.generate("secondaria_secondo_grado", 30, [SchoolYear(2024), SchoolYear(2025)], seed=21,
                                last_month=2, prefix="NW")
    files = {"attendance": tmp / "frequenze.csv", "context": tmp / "contesto.csv", "outcomes": tmp / "esiti.csv",
             "table": tmp / "tabella.csv"}
    files["attendance"].write_bytes(synthetic.attendance_csv(cohort))
    files["context"].write_bytes(synthetic.context_csv(cohort))
    files["outcomes"].write_bytes(synthetic.outcomes_csv(cohort))
    rows = ["assenze;bocciature;sesso;voto"] + [f"{n % 17};{n % 3};{'FM'[n % 2]};{4 + n % 7}" for n in range(80)]
    files["table"].write_text("\n".join(rows) + "\n")
    files["key"] = tmp / "chiave.csv"
    files["key"].write_text("nome;data di nascita;codice\nRossi Mario;;NW0001\n", encoding="utf-8-sig")
    files["downloaded"] = tmp / "scaricato.csv"  # a file the school downloaded earlier, on its own computer
    files["downloaded"].write_text("codice_alunno;classe\nNW0001;3A\n", encoding="utf-8-sig")
    from PIL import Image

    files["logo"] = tmp / "logo.png"
    Image.new("RGB", (240, 120), (20, 90, 160)).save(files["logo"])
    return files


def cli_matrix(tmp: Path) -> dict[str, tuple[str, list[list[str]], set[str]]]:
    """Every command: its class, the runs tried (scoped to the demo network, or its school) and, for those that
    read pupils, the schools each run reads. Runs are in this order against one database."""
    files = _cli_files(tmp)
    demo_schools = {SCHOOL, SMALL_SCHOOL}
    return {
        "init-db": (SYSTEM, [["init-db"]], set()),
        "add-network": (SYSTEM, [["add-network", "RETENUOVA", "--name", "Rete nuova"]], set()),
        "add-school": (SYSTEM, [["add-school", "MIIC00099X", "--name", "Scuola nuova", "--network", "RETENUOVA",
                                 "--level", "primaria"]], set()),
        "add-user": (SYSTEM, [["add-user", "nuovo.docente", "--role", "docente", "--school", SCHOOL,
                               "--password-stdin"]], set()),
        "backup": (SYSTEM, [["backup", str(tmp / "copia.db")]], set()),
        # Right after the backup: the copy holds what the database holds, so the runs after it are unchanged.
        "restore": (SYSTEM, [["restore", str(tmp / "copia.db")]], set()),
        # Runs the waiting level computations: derived tables only, nothing printed about a pupil.
        "worker": (SYSTEM, [["worker", "--once"]], set()),
        "protocol-status": (SYSTEM, [["protocol-status", "--network", "RETEDEMO"]], set()),
        "export-protocol": (SYSTEM, [["export-protocol", "--school", SCHOOL, "--out", str(tmp / "p.docx")]], set()),
        "export-core": (SYSTEM, [["export-core", "--network", "RETEDEMO", "--out", str(tmp / "core.docx")]], set()),
        "export-network": (SYSTEM, [["export-network", "--network", "RETEDEMO", "--out", str(tmp / "rete.zip")]],
                           set()),
        "create-core": (SYSTEM, [["create-core", "--network", "RETEDEMO", "--level", "primaria"]], set()),
        "set-logo": (SYSTEM, [["set-logo", str(files["logo"]), "--school", SCHOOL]], set()),
        "import-protocol": (SYSTEM, [["import-protocol", str(tmp / "p.docx"), "--school", SCHOOL]], set()),
        "link-sections": (SYSTEM, [["link-sections", "--school", SCHOOL], ["link-sections", "--school", SCHOOL,
                                                                           "--auto"]], set()),
        "import-attendance": (WRITES, [["import-attendance", str(files["attendance"]), "--school", SCHOOL,
                                        "--dry-run"]], set()),
        "import-context": (WRITES, [["import-context", str(files["context"]), "--school", SCHOOL, "--dry-run"]],
                           set()),
        "import-outcomes": (WRITES, [["import-outcomes", str(files["outcomes"]), "--school", SCHOOL, "--dry-run"]],
                            set()),
        "synth": (WRITES, [["synth", "--level", "primaria", "--pupils", "5", "--years", "2025/26", "--out",
                            str(tmp / "sintetici")]], set()),
        "evaluate-table": (WRITES, [["evaluate-table", str(files["table"]), "--outcome", "voto < 6", "--features",
                                     "assenze,bocciature", "--group", "sesso"]], set()),
        "score": (READS, [["score", "--school", SCHOOL], ["score", "--school", SCHOOL, "--format", "json"],
                          ["score", "--school", SCHOOL, "--format", "xlsx", "--out", str(tmp / "elenco.xlsx")]],
                  {SCHOOL}),
        "pack": (READS, [["pack", "--school", SCHOOL, "--level", "alto", "--out", str(tmp / "pacchetto.docx")]],
                 {SCHOOL}),
        # Offline: reads the key and a downloaded file, never the database.
        "add-names": (SYSTEM, [["add-names", "--key", str(files["key"]), "--in", str(files["downloaded"]),
                                "--out", str(tmp / "scaricato_nomi.csv")]], set()),
        # Counts what awaits each person with an address (the demo's accounts have none: nothing is read).
        "notify": (READS, [["notify", "--dry-run"]], set()),
        "obligation": (READS, [["obligation", "--school", SCHOOL],
                               ["obligation", "--school", SCHOOL, "--format", "json", "--as-of", "2026-02-20"]],
                       {SCHOOL}),
        "obligation-letter": (READS, [["obligation-letter", "--school", SCHOOL, "--pupil", CASE_PUPILS[SCHOOL],
                                        "--kind", kind, "--out", str(tmp / f"{kind}.docx")]
                                       for kind in ("famiglia", "sindaco")], {SCHOOL}),
        "letter-template": (SYSTEM, [["letter-template", "--network", "RETEDEMO", "--kind", "sindaco"]], set()),
        "train": (READS, [["train", "--network", "RETEDEMO"]], demo_schools),
        "evaluate": (READS, [["evaluate", "--network", "RETEDEMO"]], demo_schools),
        "report": (FIGURES, [["report", "--network", "RETEDEMO", "--year", "2025/26", "--out", str(tmp / "r.xlsx")],
                             ["report", "--network", "RETEDEMO", "--year", "2025/26", "--out", str(tmp / "r.docx")]],
                   set()),
        "set-retention": (SYSTEM, [["set-retention", "--school", SCHOOL, "--years", "5"]], set()),
        "set-class-hours": (SYSTEM, [["set-class-hours", "--school", SCHOOL, "--class", "3A", "--hours", "32"]],
                            set()),
        "set-calendar": (SYSTEM, [["set-calendar", "2025/26", "--first-day", "12/09/2025", "--last-day",
                                   "08/06/2026"]], set()),
        "set-school-calendar": (SYSTEM, [["set-school-calendar", "--school", SCHOOL, "--rite", "ambrosiano"]],
                                set()),
        "set-school-letterhead": (SYSTEM, [["set-school-letterhead", "--school", SCHOOL, "--pec",
                                            "scuola@pec.istruzione.it", "--signature", "digitale"]], set()),
        "purge": (SYSTEM, [["purge", "--school", SCHOOL, "--before", "2020/21", "--dry-run"]], set()),
        "assign-classes": (SYSTEM, [["assign-classes", "docente", "--classes", "3A,4B"]], set()),
        "set-risk-rules": (SYSTEM, [["set-risk-rules", "--network", "RETEDEMO", "--chronic", "0.1"]], set()),
        "core-section": (SYSTEM, [["core-section", "list", "--network", "RETEDEMO", "--level", "primaria"]], set()),
        "proposals": (SYSTEM, [["proposals", "list", "--network", "RETEDEMO"],
                               ["proposals", "list", "--network", "RETEDEMO", "--status", "aperta"]], set()),
        "unlock": (SYSTEM, [["unlock", "nuovo.docente"]], set()),
        "set-password": (SYSTEM, [["set-password", "nuovo.docente", "--password-stdin"]], set()),
        "set-email": (SYSTEM, [["set-email", "nuovo.docente", "nuovo.docente@scuola.edu.it"]], set()),
        "practices": (SYSTEM, [["practices", "search", "mediatori"], ["practices", "search", "", "--format", "json"],
                               ["practices", "publish", "--id", "1"],
                               ["practices", "adopt", "--id", "1", "--school", SCHOOL]], set()),
    }


def test_the_matrix_knows_every_command_of_the_command_line(tmp_path):
    """A new command fails here until it is classified (and run by the test below)."""
    import cli

    known = set(cli_matrix(tmp_path))
    assert set(cli.cli.commands) == known, (f"commands not in the matrix: {sorted(set(cli.cli.commands) - known)};"
                                            f" in the matrix but gone: {sorted(known - set(cli.cli.commands))}")
    count_proof("download e comandi classificati nella matrice", len(known))


def test_every_command_scoped_to_a_network_prints_no_other_networks_pupil_and_logs_its_reads(
        world, db_path, tmp_path, monkeypatch):
    from click.testing import CliRunner

    import cli
    from tests.conftest import ROOT

    monkeypatch.chdir(ROOT)
    runner = CliRunner()
    codes = {code: school for code, school in world.execute("SELECT DISTINCT pupil_code, school_code FROM attendance")}
    other_network = {code for code, school in codes.items() if NETWORK_OF[school] != "RETEDEMO"}

    def log_lines() -> int:
        return world.execute("SELECT COALESCE(MAX(id), 0) FROM access_log").fetchone()[0]

    for kind, runs, reads in cli_matrix(tmp_path).values():
        for args in runs:
            before = log_lines()
            result = runner.invoke(cli.cli, args, input=demo.DEMO_PASSWORD + "\n", env={"APPRODO_DB": str(db_path)},
                                   catch_exceptions=False)
            assert result.exit_code == 0, (args, result.stdout, result.stderr)
            written = [Path(a) for a in args if a.endswith((".docx", ".xlsx", ".zip", ".csv")) and "--out" in args
                       and Path(a).exists()]
            text = result.stdout + result.stderr + "".join(office_text(path.read_bytes()) for path in written)
            printed = {code for code in codes if code in text}
            count_proof("comandi provati (riga di comando × rete)")
            count_proof("fughe di dati trovate", len(printed & other_network))
            assert not printed & other_network, f"{args} stampa alunni di un'altra rete: {sorted(printed)[:3]}"
            logged = {r[0] for r in world.execute("SELECT school_code FROM access_log WHERE id > ?", [before])}
            if kind == READS:
                assert printed <= {c for c, s in codes.items() if s in reads}, args
                assert logged == reads, (args, logged)  # every school read is in the log, none other
            else:
                assert not printed, f"{args} ({kind}) stampa codici di alunni: {sorted(printed)[:3]}"
                assert not logged, (args, logged)


@pytest.mark.parametrize("args", [["score", "--school", SCHOOL], ["train", "--network", "RETEALTRA"],
                                  ["evaluate", "--network", "RETEALTRA"], ["score", "--school", OTHER_SCHOOL]])
def test_a_command_scoped_to_one_school_or_network_prints_only_its_pupils(world, db_path, monkeypatch, args):
    """Scoped the other way too: the other network's run shows none of the demo network's pupils."""
    from click.testing import CliRunner

    import cli
    from tests.conftest import ROOT

    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli.cli, args, env={"APPRODO_DB": str(db_path)}, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    scope = args[2]
    outside = {code for code, school in world.execute("SELECT DISTINCT pupil_code, school_code FROM attendance")
               if scope not in (school, NETWORK_OF[school])}
    printed = {code for code in outside if code in result.stdout + result.stderr}
    count_proof("comandi provati (riga di comando × rete)")
    count_proof("fughe di dati trovate", len(printed))
    assert not printed
