"""Good practices: records, versions, publishing, search, adoption with provenance, updates, never pupil data."""

from __future__ import annotations

import io

import pytest
from docx import Document

from models.core.errors import ApprodoError, PermissionDenied
from models.practices import adoption, attachments, records, search
from models.protocols import protocol as protocols
from models.protocols import word_export
from tests.conftest import OTHER_NETWORK, OTHER_SCHOOL, publish_core
from tests.pdf_helpers import make_pdf, page_objects

ACCOGLIENZA = records.Content(
    title="Patto di accoglienza con i mediatori culturali",
    problem="Le famiglie neoarrivate non capiscono come funziona la scuola nei primi giorni.",
    levels=("secondaria_secondo_grado",), targets=("neoarrivati", "famiglie"), themes=("mediazione",),
    steps="1. Il mediatore partecipa al primo colloquio.\n2. Si concorda il calendario dell'inserimento.",
    roles="La segreteria prenota il mediatore; la funzione strumentale conduce il colloquio.",
    duration="Tutto l'anno", resources="Mediatori del comune, 20 ore l'anno.",
    evidence_indicator="Colloqui con la famiglia entro 5 giorni", evidence_result="dal 40 % al 90 %",
    evidence_strength="monitorata", transfer="Serve un accordo con il comune per i mediatori.",
    contact_role="La funzione strumentale per l'intercultura")


def content(**changes) -> records.Content:
    from dataclasses import replace

    return replace(ACCOGLIENZA, **changes)


@pytest.fixture
def published(demo_db, actors):
    """A dirigente's practice of the demo network, published by its coordinator."""
    practice = records.create_practice(demo_db, actors["dirigente"], ACCOGLIENZA)
    return records.publish(demo_db, actors["coordinatore_rete"], practice.id)


def test_a_dirigente_drafts_the_coordinator_publishes_every_network_reads(demo_db, actors):
    draft = records.create_practice(demo_db, actors["dirigente"], ACCOGLIENZA)
    assert (draft.status, draft.school_code, draft.version) == (records.Status.BOZZA, "MIIS00003C", 1)
    with pytest.raises(PermissionDenied):  # a draft stays inside its network
        records.get_practice(demo_db, actors["other_dirigente"], draft.id)
    with pytest.raises(PermissionDenied):
        records.publish(demo_db, actors["dirigente"], draft.id)
    with pytest.raises(PermissionDenied):  # another network's coordinator publishes only for its own
        records.publish(demo_db, actors["other_coordinatore"], draft.id)
    assert records.propose(demo_db, actors["dirigente"], draft.id).status is records.Status.PROPOSTA
    done = records.publish(demo_db, actors["coordinatore_rete"], draft.id)
    assert (done.status, done.published_version) == (records.Status.PUBBLICATA, 1)
    seen = records.get_practice(demo_db, actors["other_dirigente"], draft.id)
    assert seen.content.title == ACCOGLIENZA.title and seen.source.startswith("Rete di esempio – ")
    with pytest.raises(ApprodoError, match="già pubblicata"):
        records.publish(demo_db, actors["coordinatore_rete"], draft.id)


def test_every_change_is_a_version_and_others_read_the_published_one(demo_db, actors, published):
    changed = records.save_practice(demo_db, actors["dirigente"], published.id,
                                    content(duration="Da settembre a dicembre"), base_version=1, note="durata")
    assert (changed.version, changed.published_version) == (2, 1)
    # The other network still reads version 1 until the coordinator publishes version 2.
    assert records.get_practice(demo_db, actors["other_dirigente"], published.id).content.duration == "Tutto l'anno"
    assert [v.version for v in records.history(demo_db, actors["other_dirigente"], published.id)] == [1]
    history = records.history(demo_db, actors["dirigente"], published.id)
    assert [(v.version, v.author, v.note) for v in history] == [(2, "dirigente", "durata"), (1, "dirigente",
                                                                                            "prima stesura")]
    with pytest.raises(ApprodoError, match="versione 2"):  # saved from a stale version
        records.save_practice(demo_db, actors["coordinatore_rete"], published.id, content(duration="x"), 1)
    with pytest.raises(ApprodoError, match="non è cambiata"):
        records.save_practice(demo_db, actors["dirigente"], published.id, content(duration="Da settembre a dicembre"),
                              2)
    records.publish(demo_db, actors["coordinatore_rete"], published.id)
    assert records.get_practice(demo_db, actors["other_dirigente"], published.id).content.duration == \
        "Da settembre a dicembre"


def test_the_record_is_checked_field_by_field(demo_db, actors):
    dirigente = actors["dirigente"]
    with pytest.raises(ApprodoError, match="titolo"):
        records.create_practice(demo_db, dirigente, content(title="  "))
    with pytest.raises(ApprodoError, match="un ruolo"):
        records.create_practice(demo_db, dirigente, content(contact_role="scrivere a mario.rossi@gmail.com"))
    with pytest.raises(ApprodoError, match="«Le fasi»"):
        records.create_practice(demo_db, dirigente, content(steps="![x](http://esempio.it/x.png)"))
    with pytest.raises(ApprodoError, match="grado"):
        records.create_practice(demo_db, dirigente, content(levels=()))
    with pytest.raises(ApprodoError, match="destinatari"):
        records.create_practice(demo_db, dirigente, content(targets=("marziani",)))
    with pytest.raises(PermissionDenied):
        records.create_practice(demo_db, actors["funzione_strumentale"], ACCOGLIENZA)
    assert records.create_practice(demo_db, dirigente, ACCOGLIENZA).content.licence == "CC BY 4.0"


def test_a_practice_holding_a_pupil_code_of_the_school_is_refused(pupils_db, actors):
    code = pupils_db.execute("SELECT pupil_code FROM attendance WHERE school_code = 'MIIS00003C' LIMIT 1").fetchone()[0]
    with pytest.raises(ApprodoError, match="«Chi fa che cosa».*codice di un alunno") as refused:
        records.create_practice(pupils_db, actors["dirigente"],
                                content(roles=f"La tutor segue l'alunno {code.lower()} ogni giorno."))
    assert code not in refused.value.message and code.lower() not in refused.value.message
    # The coordinator speaks for every school of the network: the same code is refused in its drafts too.
    with pytest.raises(ApprodoError, match="«Risultato»"):
        records.create_practice(pupils_db, actors["coordinatore_rete"], content(evidence_result=f"({code}) promosso"))
    # The same text is fine in another network, whose schools do not know the code; and no count is taken as a code.
    records.create_practice(pupils_db, actors["other_dirigente"], content(roles=f"Segue l'alunno {code}.",
                                                                          levels=("primaria",)))
    assert records.create_practice(pupils_db, actors["dirigente"], ACCOGLIENZA).id
    stored = pupils_db.execute("SELECT p.network_code FROM practice_versions v JOIN practices p ON p.id = v.practice_id"
                               " WHERE v.document LIKE ?", [f"%{code}%"]).fetchall()
    assert stored == [(OTHER_NETWORK,)]


def test_pseudonymised_codes_are_pupil_codes_too(demo_db, actors, system):
    from models.pupils import importing

    names = (b"alunno;data di nascita;classe;mese;monte ore;ore assenza\n"
             b"Rossi Mario;01/02/2010;3A;02/2026;100;10\n")
    importing.import_attendance(demo_db, system, "MIIS00003C", names, "nomi.csv", pseudonymise=True)
    code = demo_db.execute("SELECT pupil_code FROM attendance WHERE school_code = 'MIIS00003C'").fetchone()[0]
    assert code.startswith("PS")
    with pytest.raises(ApprodoError, match="codice di un alunno"):
        records.create_practice(demo_db, actors["dirigente"], content(problem=f"Il caso {code}: arrivato a marzo."))


def _database_steps(db, work) -> int:
    """How many SQLite virtual-machine instructions `work` runs on `db`, in hundreds: the work the database does,
    counted, so that a scan of every pupil shows whatever the machine's load."""
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    db.conn.set_progress_handler(count, 100)
    try:
        work()
    finally:
        db.conn.set_progress_handler(None, 100)
    return steps[0]


def test_the_pupil_code_check_is_fast_on_a_large_school(demo_db, actors, system):
    """The check seeks each candidate on the pupil tables' keys: a hundred times the pupils, the same work."""

    def add_pupils(first: int, last: int) -> None:
        rows = [("MIIS00003C", f"X{n:06d}", "2026-02", "1A", 100.0, 5.0, 1) for n in range(first, last)]
        demo_db.conn.executemany("INSERT INTO attendance (school_code, pupil_code, period, class_name,"
                                 " scheduled_hours, absence_hours, import_id) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    long_text = " ".join(f"parola{n} 12,{n} A{n}" for n in range(3000))

    def check() -> None:
        records.refuse_pupil_codes(demo_db, {"Le fasi": long_text}, ["MIIS00003C"])

    add_pupils(0, 1_000)
    small = _database_steps(demo_db, check)
    add_pupils(1_000, 100_000)
    large = _database_steps(demo_db, check)
    assert large < 1.2 * small, (small, large)
    with pytest.raises(ApprodoError):
        records.refuse_pupil_codes(demo_db, {"Le fasi": long_text + " X099999"}, ["MIIS00003C"])


# --- search -------------------------------------------------------------------------------------------------

CATALOGUE = [
    ("Laboratorio di italiano L2 estivo", "Corso intensivo a luglio per i neoarrivati.", ("primaria",),
     ("neoarrivati",), ("italiano_l2",), "confrontata"),
    ("Tutor tra pari per neoarrivati", "Ogni alunno neoarrivato ha un compagno tutor che lo accompagna.",
     ("secondaria_primo_grado",), ("neoarrivati",), ("accoglienza",), "monitorata"),
    ("Sportello per le famiglie", "Un pomeriggio a settimana la scuola incontra le famiglie per le iscrizioni.",
     ("primaria", "secondaria_primo_grado"), ("famiglie",), ("territorio",), "descritta"),
    ("Griglia comune di valutazione", "Valutare i progressi in italiano con una griglia condivisa tra docenti.",
     ("secondaria_secondo_grado",), ("docenti",), ("valutazione",), "descritta"),
    ("Protocollo per accogliere a metà anno", "Come accogliere chi arriva a gennaio: la prima settimana.",
     ("secondaria_primo_grado",), ("neoarrivati",), ("accoglienza",), "descritta"),
]


@pytest.fixture
def catalogue(demo_db, actors):
    ids = {}
    for title, problem, levels, targets, themes, strength in CATALOGUE:
        practice = records.create_practice(demo_db, actors["dirigente"], content(
            title=title, problem=problem, steps="Le fasi sono descritte nel documento allegato.", levels=levels,
            targets=targets, themes=themes, evidence_strength=strength, transfer="", roles="", resources="",
            evidence_indicator="Presenze agli incontri"))
        ids[title] = records.publish(demo_db, actors["coordinatore_rete"], practice.id).id
    records.create_practice(demo_db, actors["dirigente"], content(title="Bozza sulle famiglie mai pubblicata"))
    return ids


def titles(hits) -> list[str]:
    return [hit.title for hit in hits]


def test_search_finds_other_forms_of_a_word(demo_db, actors, catalogue):
    reader = actors["other_dirigente"]
    assert search.stem("famiglia") == search.stem("famiglie")
    assert titles(search.search(demo_db, reader, "famiglia")) == ["Sportello per le famiglie"]
    # "valutazione" and "valutare" share the stem valut
    assert titles(search.search(demo_db, reader, "valutazione")) == ["Griglia comune di valutazione"]
    # "neoarrivato" finds "neoarrivati"; the title match ranks first
    assert titles(search.search(demo_db, reader, "neoarrivato"))[0] == "Tutor tra pari per neoarrivati"
    # "accogliere" (accogl) is a prefix of the stem of "accoglienza": a five-letter stem matches its family
    found = titles(search.search(demo_db, reader, "accogliere"))
    assert found[0] == "Protocollo per accogliere a metà anno"
    assert search.search(demo_db, reader, "inesistentissimo") == []


def test_search_ranks_title_matches_first(demo_db, actors, catalogue):
    hits = titles(search.search(demo_db, actors["docente"], "italiano"))
    assert hits[0] == "Laboratorio di italiano L2 estivo" and "Griglia comune di valutazione" in hits


def test_search_filters_by_level_target_theme_and_evidence(demo_db, actors, catalogue):
    reader = actors["other_coordinatore"]
    assert set(titles(search.search(demo_db, reader, "", levels=["primaria"]))) == {
        "Laboratorio di italiano L2 estivo", "Sportello per le famiglie"}
    assert titles(search.search(demo_db, reader, "neoarrivati", levels=["secondaria_primo_grado"],
                                themes=["accoglienza"], strengths=["monitorata"])) == [
        "Tutor tra pari per neoarrivati"]
    assert titles(search.search(demo_db, reader, "", targets=["docenti"])) == ["Griglia comune di valutazione"]
    assert len(search.search(demo_db, reader, "")) == 5  # every published one, the draft never


@pytest.mark.parametrize("query", ['"', 'italiano"', "NEAR(italiano famiglie)", "AND", "OR italiano", "*",
                                   "italiano*", "(((", "title:italiano", "^italiano", "-famiglie", "{title}: x",
                                   "NOT", "'; DROP TABLE practices; --", "\\", "l'italiano"])
def test_search_never_errors_on_query_syntax(demo_db, actors, catalogue, query):
    hits = search.search(demo_db, actors["dirigente"], query)
    assert isinstance(hits, list)
    assert demo_db.execute("SELECT COUNT(*) FROM practices").fetchone()[0] == 6


def test_a_snippet_marks_the_words_found_in_their_original_form(demo_db, actors, catalogue):
    hit = search.search(demo_db, actors["dirigente"], "famiglia")[0]
    assert ("famiglie", True) in hit.snippet
    assert "".join(text for text, _ in hit.snippet).startswith("Un pomeriggio a settimana")


# --- adoption --------------------------------------------------------------------------------------------


@pytest.fixture
def other_protocol(demo_db, actors):
    """The other network's primary core and its school's protocol."""
    protocols.create_core(demo_db, actors["other_coordinatore"], OTHER_NETWORK, "primaria", "2025/26")
    return protocols.create_school_protocol(demo_db, actors["other_dirigente"], OTHER_SCHOOL)


def test_another_networks_school_adopts_with_provenance_in_word(demo_db, actors, published, other_protocol):
    dirigente = actors["other_dirigente"]
    section = adoption.adopt(demo_db, dirigente, published.id, other_protocol.id)
    assert section.title == ACCOGLIENZA.title and "Il mediatore partecipa al primo colloquio" in section.body
    who = adoption.adopters(demo_db, actors["docente"], published.id)
    assert [(a.where, a.version) for a in who] == [("Istituto comprensivo altrove (Rete di un'altra provincia)", 1)]
    with pytest.raises(ApprodoError, match="già adottato"):
        adoption.adopt(demo_db, dirigente, published.id, other_protocol.id)
    document = Document(io.BytesIO(word_export.export_protocol(demo_db, dirigente, other_protocol.id)))
    texts = [p.text for p in document.paragraphs]
    note = ("Dalla pratica «Patto di accoglienza con i mediatori culturali» della Rete di esempio, "
            "Istituto di istruzione superiore «Ponte Nuovo», versione 1.")
    assert note in texts
    assert document.paragraphs[texts.index(note)].runs[0].italic


def test_adopting_replaces_a_section_and_only_where_allowed(demo_db, actors, published, other_protocol):
    sections = protocols.list_sections(demo_db, actors["other_dirigente"], other_protocol.id)
    adaptable = next(s for s in sections if s.kind.value == "core_adaptable")
    replaced = adoption.adopt(demo_db, actors["other_dirigente"], published.id, other_protocol.id,
                              replace_section_id=adaptable.id)
    assert (replaced.id, replaced.title, replaced.version) == (adaptable.id, adaptable.title, adaptable.version + 1)
    locked = next((s for s in sections if s.kind.value == "core_locked"), None)
    if locked is not None:
        second = records.publish(demo_db, actors["coordinatore_rete"],
                                 records.create_practice(demo_db, actors["dirigente"], content(title="Altra")).id)
        with pytest.raises(PermissionDenied, match="bloccata"):
            adoption.adopt(demo_db, actors["other_dirigente"], second.id, other_protocol.id,
                           replace_section_id=locked.id)
    with pytest.raises(PermissionDenied):  # a dirigente never adopts into another school's protocol
        adoption.adopt(demo_db, actors["dirigente"], published.id, other_protocol.id)


def test_a_draft_is_never_adopted(demo_db, actors, other_protocol):
    draft = records.create_practice(demo_db, actors["dirigente"], ACCOGLIENZA)
    with pytest.raises(PermissionDenied):
        adoption.adopt(demo_db, actors["other_dirigente"], draft.id, other_protocol.id)


def test_a_network_adopts_into_its_core_and_schools_are_offered_the_section(demo_db, actors, published,
                                                                           other_protocol):
    from models.protocols import structure as ps

    core_id = other_protocol.core_id
    section = adoption.adopt(demo_db, actors["other_coordinatore"], published.id, core_id)
    assert protocols.get_protocol(demo_db, actors["other_coordinatore"], section.protocol_id).is_core
    assert ps.pending_updates(demo_db, actors["other_dirigente"], other_protocol.id).structure == []  # a draft
    publish_core(demo_db, actors["other_coordinatore"], core_id)
    offered = ps.pending_updates(demo_db, actors["other_dirigente"], other_protocol.id).structure
    assert [(u.kind, u.title) for u in offered] == [("added", ACCOGLIENZA.title)]


def test_a_later_version_reaches_adopters_through_the_three_way_merge(demo_db, actors, published, other_protocol):
    dirigente = actors["other_dirigente"]
    section = adoption.adopt(demo_db, dirigente, published.id, other_protocol.id)
    # The school changes its copy at the end; the practice's network changes the start.
    mine = section.body.replace("Tutto l'anno", "Tutto l'anno, con una verifica a gennaio")
    section = protocols.save_section(demo_db, dirigente, section.id, mine, section.version)
    assert adoption.pending_updates(demo_db, dirigente, other_protocol.id) == []
    records.save_practice(demo_db, actors["dirigente"], published.id,
                          content(steps="1. Il mediatore partecipa al primo colloquio e alla visita della scuola.\n"
                                        "2. Si concorda il calendario dell'inserimento."), 1)
    assert adoption.pending_updates(demo_db, dirigente, other_protocol.id) == []  # not published yet
    records.publish(demo_db, actors["coordinatore_rete"], published.id)
    [update] = adoption.pending_updates(demo_db, dirigente, other_protocol.id)
    assert update.version == 2 and update.result.clean
    from models.protocols.merge import resolve

    merged = resolve(update.result)
    assert "visita della scuola" in merged and "verifica a gennaio" in merged
    saved = adoption.take_update(demo_db, dirigente, update.adoption_id, merged, base_version=section.version,
                                 version=2)
    assert saved.body == merged
    assert adoption.pending_updates(demo_db, dirigente, other_protocol.id) == []
    from models.protocols import provenance

    assert provenance.source_notes(demo_db, other_protocol.id)[saved.id].endswith("versione 2.")
    with pytest.raises(ApprodoError, match="già stato deciso"):
        adoption.take_update(demo_db, dirigente, update.adoption_id, merged, base_version=saved.version, version=2)


def test_keeping_the_school_text_decides_the_update(demo_db, actors, published, other_protocol):
    dirigente = actors["other_dirigente"]
    adoption.adopt(demo_db, dirigente, published.id, other_protocol.id)
    records.save_practice(demo_db, actors["dirigente"], published.id, content(duration="Due mesi"), 1)
    records.publish(demo_db, actors["coordinatore_rete"], published.id)
    [update] = adoption.pending_updates(demo_db, dirigente, other_protocol.id)
    with pytest.raises(PermissionDenied):
        adoption.keep_section_text(demo_db, actors["other_coordinatore"], update.adoption_id, version=2)
    adoption.keep_section_text(demo_db, dirigente, update.adoption_id, version=2)
    assert adoption.pending_updates(demo_db, dirigente, other_protocol.id) == []


def test_a_practice_starts_from_protocol_sections(demo_db, actors, school_protocol):
    sections = protocols.list_sections(demo_db, actors["dirigente"], school_protocol.id)[:2]
    prefilled = records.from_sections(demo_db, actors["dirigente"], [s.id for s in sections])
    assert sections[0].body.strip()[:40] in prefilled.steps and f"### {sections[1].title}" in prefilled.steps
    assert prefilled.levels == ("secondaria_secondo_grado",)
    assert [link["section_id"] for link in prefilled.linked_sections] == [s.id for s in sections]
    with pytest.raises(PermissionDenied):
        records.from_sections(demo_db, actors["other_dirigente"], [sections[0].id])


# --- attachments ---------------------------------------------------------------------------------------------


def _docx(text: str) -> bytes:
    document = Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_attachments_are_word_or_pdf_and_checked(pupils_db, actors):
    practice = records.create_practice(pupils_db, actors["dirigente"], ACCOGLIENZA)
    added = attachments.add_attachment(pupils_db, actors["dirigente"], practice.id, "../../scheda.docx",
                                       _docx("Scheda del colloquio"))
    assert (added.file_name, added.kind) == ("scheda.docx", "docx")
    pdf = make_pdf(page_objects("Calendario degli incontri"))
    assert attachments.add_attachment(pupils_db, actors["dirigente"], practice.id, "calendario.pdf", pdf).kind == "pdf"
    with pytest.raises(ApprodoError, match="Word.*PDF"):
        attachments.add_attachment(pupils_db, actors["dirigente"], practice.id, "virus.exe", b"MZ")
    with pytest.raises(ApprodoError, match="codice"):
        attachments.add_attachment(pupils_db, actors["dirigente"], practice.id, "azioni.pdf",
                                   make_pdf(page_objects("x", catalog_extra=b" /OpenAction << /JS (x) >>")))
    with pytest.raises(ApprodoError, match="non è un documento Word"):
        attachments.add_attachment(pupils_db, actors["dirigente"], practice.id, "finto.docx", b"non zip")
    code = pupils_db.execute("SELECT pupil_code FROM pupil_context WHERE school_code = 'MIIS00003C'").fetchone()[0]
    with pytest.raises(ApprodoError, match="«Allegato elenco.docx»"):
        attachments.add_attachment(pupils_db, actors["dirigente"], practice.id, "elenco.docx", _docx(f"Alunno {code}"))
    with pytest.raises(PermissionDenied):
        attachments.add_attachment(pupils_db, actors["other_dirigente"], practice.id, "x.pdf", pdf)
    listed = attachments.list_attachments(pupils_db, actors["dirigente"], practice.id)
    assert [a.file_name for a in listed] == ["scheda.docx", "calendario.pdf"]
    found, data = attachments.attachment_content(pupils_db, actors["dirigente"], listed[1].id)
    assert data == pdf and found.mime == "application/pdf"
    with pytest.raises(PermissionDenied):  # a draft's attachments stay in the network too
        attachments.attachment_content(pupils_db, actors["other_dirigente"], listed[1].id)
