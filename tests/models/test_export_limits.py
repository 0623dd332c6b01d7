"""The real Word export runs in a child process with a time and a memory limit (issue 31 #5): a hostile
section costs that child, never the server, and is refused in Italian; a normal export is the same document."""

from __future__ import annotations

import io
import resource
import time
import tracemalloc

import pytest
from docx import Document

from models.core.errors import ApprodoError
from models.protocols import protocol as protocols
from models.protocols import richtext, word_export

COLUMNS = 60


@pytest.fixture(scope="module", autouse=True)
def _children_ready():
    """The process the children are forked from starts once per server (a second or so): not measured here."""
    word_export.check_word_template(word_export.DEFAULT_TEMPLATE.read_bytes())


def _with_table(db, actor, protocol, characters: int):
    """The protocol with a section within the length limit that is one table of 60 columns, 2 characters
    a cell: 10,000 cells in 20,000 characters."""
    local = protocols.add_local_section(db, actor, protocol.id, "Tabella enorme")
    header = "|" + "|".join("c" * COLUMNS) + "|\n|" + "|".join("-" * COLUMNS) + "|\n"
    row = "|" + "|".join("x" * COLUMNS) + "|\n"
    body = header + row * ((characters - len(header)) // len(row))
    assert len(body) <= characters <= 50_000
    protocols.save_section(db, actor, local.id, body, local.version)
    return protocol


@pytest.fixture
def hostile(demo_db, actors, school_protocol):
    return _with_table(demo_db, actors["dirigente"], school_protocol, 20_000)


def _export_measured(demo_db, actor, protocol_id, monkeypatch):
    """The refusal, the seconds the child was given, and how much the parent grew (Python objects and RSS)."""
    composing = []
    in_child = word_export.render_in_child

    def timed(*args):
        start = time.monotonic()
        try:
            return in_child(*args)
        finally:
            composing.append(time.monotonic() - start)

    monkeypatch.setattr(word_export, "render_in_child", timed)
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    try:
        with pytest.raises(ApprodoError) as refused:
            word_export.export_protocol(demo_db, actor, protocol_id)
        _, python_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before
    return refused.value.message, composing[0], python_peak, grown_kb


def test_a_section_that_takes_too_long_is_refused_in_time(demo_db, actors, hostile, monkeypatch):
    # A tenth of a second: since tables are composed in linear time the 10,000 cells take about a second on an
    # idle machine, so a one-second limit was sometimes met; a tenth is far below it on any machine.
    monkeypatch.setattr(word_export, "EXPORT_TIMEOUT_S", 0.1)
    message, composing, python_peak, grown_kb = _export_measured(demo_db, actors["dirigente"], hostile.id,
                                                                 monkeypatch)
    assert "troppo tempo" in message and "Non è stato prodotto alcun file" in message
    assert composing < 0.1 + 5  # the limit, and a child's start on a busy machine
    assert python_peak < 40 * 1024**2  # the parent parsed the section; it never built the table
    assert grown_kb < 100 * 1024


def test_a_document_that_takes_too_much_memory_is_refused(monkeypatch):
    """A text of 14 million characters (more than any length limit lets a protocol have): the child runs out
    of its memory; the parent only holds the text it sends."""
    monkeypatch.setattr(word_export, "RENDER_MEMORY_BYTES", 32 * 1024**2)
    template = word_export.DEFAULT_TEMPLATE.read_bytes()
    ordinary = word_export._SAMPLE
    assert word_export.render_in_child(word_export._Job(template, ordinary), 60, word_export._EXPORT_LIMITS)
    huge = word_export.DocumentParts(ordinary.values, [word_export.SectionParts(
        1, "Enorme", None, [richtext.Paragraph((richtext.Run("parola " * 2_000_000),))])])
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.monotonic()
    with pytest.raises(ApprodoError, match="troppa memoria"):
        word_export.render_in_child(word_export._Job(template, huge), 60, word_export._EXPORT_LIMITS)
    assert time.monotonic() - start < 30
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before < 80 * 1024


def test_the_protocol_s_total_length_is_checked_before_any_work(demo_db, actors, school_protocol, monkeypatch):
    total = sum(len(s.body) for s in protocols.list_sections(demo_db, actors["dirigente"], school_protocol.id))
    monkeypatch.setattr(word_export, "MAX_EXPORT_CHARS", total - 1)

    def never(*args, **kwargs):
        raise AssertionError("nothing is composed")

    monkeypatch.setattr(word_export, "render_in_child", never)
    monkeypatch.setattr(protocols, "rendered_blocks", never)
    with pytest.raises(ApprodoError, match="troppo lungo per essere esportato"):
        word_export.export_protocol(demo_db, actors["dirigente"], school_protocol.id)


def _content(data: bytes) -> tuple:
    document = Document(io.BytesIO(data))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    properties = document.core_properties
    return paragraphs, tables, (properties.title, properties.author, properties.subject, properties.keywords)


def test_a_normal_export_is_the_same_document_as_composed_in_the_server(demo_db, actors, school_protocol):
    dirigente = actors["dirigente"]
    local = protocols.add_local_section(demo_db, dirigente, school_protocol.id, "Accoglienza & <prima>")
    protocols.save_section(demo_db, dirigente, local.id, "Testo **forte**\n\n- uno\n  - due\n\n"
                           "| Chi | Quando |\n|---|---|\n| Noi | 1 < 2 |\n", local.version)
    exported = word_export.export_protocol(demo_db, dirigente, school_protocol.id)

    protocol = protocols.get_protocol(demo_db, dirigente, school_protocol.id)
    parts = word_export.protocol_parts(demo_db, dirigente, protocol)
    template = word_export._template_bytes(demo_db, protocol.network_code)
    in_process = word_export.render(template, lambda t: word_export._context(t, parts))
    paragraphs, tables, properties = _content(exported)
    assert (paragraphs, tables) == _content(in_process)[:2]
    assert ("Heading 1", f"{len(parts.sections)}. Accoglienza & <prima>") in paragraphs
    assert ["Noi", "1 < 2"] in tables[-1]
    assert properties[0] == f"{parts.values['titolo']} – {parts.values['scuola_nome']}"


def test_an_export_asked_from_a_page_does_not_run_the_page_again(demo_db, actors, school_protocol, monkeypatch,
                                                                 tmp_path):
    """Streamlit runs a page as `__main__` with the page's file as `__file__`; the child must not run it again
    (the page would fail there without a session, and the export with it)."""
    import sys
    import types

    page = tmp_path / "pagina.py"
    page.write_text("raise SystemExit('la pagina non deve girare nel processo figlio')\n")
    as_streamlit_runs_it = types.ModuleType("__main__")
    as_streamlit_runs_it.__file__ = str(page)
    monkeypatch.setitem(sys.modules, "__main__", as_streamlit_runs_it)
    exported = word_export.export_protocol(demo_db, actors["dirigente"], school_protocol.id)
    assert Document(io.BytesIO(exported)).paragraphs
    assert sys.modules["__main__"] is as_streamlit_runs_it
