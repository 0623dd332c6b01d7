"""User text is plain text on every page: no image, link, heading or bold made from what people typed.

Every plain field (school and network names, user names, pupil codes and classes from an upload,
intervention types and notes, review notes, section titles and save notes) holds a Markdown/HTML payload;
each role walks every page of its menu in AppTest. Every string that Streamlit renders as Markdown
(text, captions, headings, alerts, st.table cells and labels, expander/tab/widget labels, page links) is
rendered here with a CommonMark parser: none may yield an <img> or <a> to the payload's address, bold or a
heading from the payload; and the payload must be seen, escaped, where the page shows those fields.
"""

import datetime as dt

import pytest
from markdown_it import MarkdownIt

from models.follow_up import interventions, reviews
from models.protocols import proposals
from models.protocols import protocol as protocols
from tests.conftest import actor_named, count_proof
from tests.pages.conftest import log_in, new_app
from ui.navigation import pages_for
from ui.text import plain

SCHOOL = "MIIS00003C"
PAYLOAD = "![x](http://127.0.0.1:9/x.png) [l](http://127.0.0.1:9) <img src=x> **b** # h"
MARKDOWN = MarkdownIt("commonmark").enable("table").enable("strikethrough")
TEXT_KINDS = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success", "toast")
LABELLED = ("expander", "tab", "selectbox", "multiselect", "text_input", "text_area", "button", "checkbox", "radio",
            "number_input", "date_input", "download_button", "metric", "page_link", "toggle", "slider")


def tagged(tag: str) -> str:
    return f"{tag} {PAYLOAD}"


@pytest.fixture
def hostile(pupils_db, system, school_protocol):
    db = pupils_db
    db.execute("UPDATE schools SET name = ? WHERE code = ?", [tagged("SCUOLA"), SCHOOL])
    db.execute("UPDATE networks SET name = ? WHERE code = 'RETEDEMO'", [tagged("RETE")])
    db.execute("UPDATE users SET full_name = ?", [tagged("NOME")])
    code = db.execute("SELECT pupil_code FROM attendance WHERE school_code = ? AND class_name = '3A' LIMIT 1",
                      [SCHOOL]).fetchone()[0]
    # As an upload could carry them: a pupil code and a class made of the payload.
    for table in ("attendance", "pupil_context"):
        db.execute(f"UPDATE {table} SET pupil_code = ? WHERE school_code = ? AND pupil_code = ?",  # noqa: S608
                   [tagged("CODICE"), SCHOOL, code])
    db.execute("UPDATE attendance SET class_name = ? WHERE school_code = ? AND pupil_code = ?",
               [tagged("CLASSE"), SCHOOL, tagged("CODICE")])
    db.conn.commit()
    dirigente = actor_named(db, "dirigente")
    interventions.set_kinds(db, dirigente, SCHOOL, ["K " + PAYLOAD, "Colloquio con la famiglia"])
    interventions.add_intervention(db, dirigente, SCHOOL, tagged("CODICE"), kind="K " + PAYLOAD,
                                   happened_on=dt.date(2026, 2, 1), owner="dirigente", note=tagged("NOTA"))
    reviews.record_review(db, dirigente, SCHOOL, tagged("CODICE"), as_of=None, level="alto",
                          note=tagged("REVISIONE"))
    section = protocols.add_local_section(db, dirigente, school_protocol.id, tagged("SEZIONE"))
    protocols.save_section(db, dirigente, section.id, "Testo.", section.version, tagged("VERSIONE"))
    # A published good practice whose one-line fields carry the payload (the catalogue lists it for every role).
    from models.practices import records
    from tests.models.test_practices import content

    practice = records.create_practice(db, dirigente, content(title=tagged("PRATICA"), duration=tagged("DURATA"),
                                                              contact_role=tagged("CONTATTO")))
    records.publish(db, actor_named(db, "coordinatrice"), practice.id)
    # A proposal to the core, its reason and its discussion made of the payload (Proposte alla rete).
    core_section = protocols.list_sections(db, dirigente, school_protocol.core_id)[0]
    proposal = proposals.propose(db, dirigente, core_section.id, core_section.body + "\nAltro.\n", tagged("MOTIVO"))
    proposals.comment(db, dirigente, proposal.id, tagged("COMMENTO"))
    return db


def markdown_strings(at) -> list[str]:
    """Every string of the page that Streamlit renders as Markdown."""
    found = []
    for kind in TEXT_KINDS:
        found += [str(e.value) for e in at.get(kind)]
    for element in [e for kind in LABELLED for e in at.get(kind)]:
        proto = getattr(element, "proto", None)
        for field in ("label", "help", "body"):
            value = getattr(proto, field, None) if proto is not None else None
            if isinstance(value, str) and value:
                found.append(value)
        if element.type == "radio":
            found += [str(o) for o in element.options]
    for table in at.table:
        frame = table.value
        found += [str(v) for v in frame.to_numpy().ravel()] + [str(v) for v in frame.index] + [
            str(v) for v in frame.columns]
    return found


def assert_plain(text: str, where: str) -> None:
    html = MARKDOWN.render(text)
    count_proof("testi controllati come testo semplice")
    assert "http://127.0.0.1" not in text, (where, text)  # a bare URL would become a link (GFM autolink)
    assert "<img" not in html and "127.0.0.1" not in "".join(
        part for part in html.split('"') if part.startswith("http")), (where, text, html)
    assert "<strong>b</strong>" not in html and "<h1>h</h1>" not in html, (where, text, html)


def open_pages(username: str):
    """Each page of the role's menu, and the pupil page on the hostile pupil."""
    at = log_in(new_app(), username)
    yield "home", at
    for spec in pages_for(actor_named_cache[username]):
        page = log_in(new_app(), username)
        page.switch_page(spec.path).run()
        yield spec.path, page
        if spec.path == "pages/pupil.py":
            options = page.selectbox[0].options
            chosen = next((i for i, o in enumerate(options) if o.startswith("CODICE")), None)
            if chosen is not None:
                page.selectbox[0].select_index(chosen).run()
                yield spec.path + " (alunno)", page


actor_named_cache: dict = {}
EXPECTED = {
    "admin": {"NOME", "PRATICA"},
    "coordinatrice": {"NOME", "RETE", "SCUOLA", "PRATICA"},
    "dirigente": {"NOME", "RETE", "SCUOLA", "CODICE", "CLASSE", "NOTA", "REVISIONE", "K", "PRATICA"},
    "funzione": {"NOME", "RETE", "SCUOLA", "CODICE", "CLASSE", "NOTA", "REVISIONE", "K", "PRATICA"},
    "docente": {"NOME", "RETE", "SCUOLA", "PRATICA"},  # the payload pupil is in no class of the teacher
    "regione": {"NOME", "RETE"},  # the networks side by side; never a school on its own
}


@pytest.mark.parametrize("username", list(EXPECTED))
def test_every_page_shows_user_text_as_plain_text(hostile, username):
    actor_named_cache[username] = actor_named(hostile, username)
    escaped = plain(PAYLOAD)
    seen = set()
    for where, at in open_pages(username):
        assert not at.exception, (username, where, at.exception)
        for text in markdown_strings(at):
            assert_plain(text, f"{username} {where}")
            for tag in EXPECTED[username]:
                if f"{tag} {escaped}" in text or f"{plain(tag)} {escaped}" in text:
                    seen.add(tag)
    assert seen == EXPECTED[username], (username, EXPECTED[username] - seen)


def test_a_practice_opened_shows_its_fields_as_plain_text(hostile):
    practice_id = hostile.execute("SELECT id FROM practices").fetchone()[0]
    at = log_in(new_app(), "altro.dirigente")
    at.query_params["pratica"] = str(practice_id)
    at.switch_page("pages/practices.py").run()
    assert not at.exception, at.exception
    escaped, seen = plain(PAYLOAD), set()
    for text in markdown_strings(at):
        assert_plain(text, "pages/practices.py (pratica)")
        seen |= {tag for tag in ("PRATICA", "DURATA", "CONTATTO", "SCUOLA", "RETE") if f"{tag} {escaped}" in text}
    assert seen == {"PRATICA", "DURATA", "CONTATTO", "SCUOLA", "RETE"}
