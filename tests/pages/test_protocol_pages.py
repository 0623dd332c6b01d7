"""The protocol pages as their users see them, through AppTest."""

import pytest

from models import protocols
from tests.pages.conftest import log_in, new_app

EDITOR = "pages/protocol_editor.py"


def open_editor(username, protocol_id, section_title=None):
    at = log_in(new_app(), username)
    at.query_params["protocollo"] = str(protocol_id)
    at.switch_page(EDITOR).run()
    if section_title:
        chooser = next(sb for sb in at.selectbox if sb.label == "Sezione")
        index = next(i for i, label in enumerate(chooser.options) if section_title in label)
        chooser.select_index(index).run()
    assert not at.exception, at.exception
    return at


def messages(at, kind):
    return [e.value for e in getattr(at, kind)]


def section_of(db, actor, protocol, key):
    return next(s for s in protocols.list_sections(db, actor, protocol.id) if s.key == key)


def test_dirigente_edits_and_saves_a_section(demo_db, actors, school_protocol):
    at = open_editor("dirigente", school_protocol.id, "Tempi e responsabilità")
    editor = at.text_area(key=f"text_{section_of(demo_db, actors['dirigente'], school_protocol, 'tempi').id}")
    editor.input(editor.value + "\n\nLa commissione si riunisce il martedì.").run()
    # The live preview beside the editor already shows the new text.
    assert "La commissione si riunisce il martedì." in " ".join(h.proto.body for h in at.get("html"))
    next(b for b in at.button if b.label == "Salva una nuova versione").click().run()
    assert messages(at, "success") == ["Salvata la versione 2."]
    saved = section_of(demo_db, actors["dirigente"], school_protocol, "tempi")
    assert saved.version == 2 and saved.body.endswith("La commissione si riunisce il martedì.")


def test_a_second_session_saving_on_a_stale_version_gets_the_conflict_view(demo_db, actors, school_protocol):
    section = section_of(demo_db, actors["dirigente"], school_protocol, "allegati")
    key = f"text_{section.id}"
    mine = open_editor("dirigente", school_protocol.id, "Allegati")
    theirs = open_editor("admin", school_protocol.id, "Allegati")
    theirs.text_area(key=key).input("Testo dell'amministratore.").run()
    next(b for b in theirs.button if b.label == "Salva una nuova versione").click().run()
    assert messages(theirs, "success") == ["Salvata la versione 2."]

    mine.text_area(key=key).input("Testo del dirigente.").run()
    next(b for b in mine.button if b.label == "Salva una nuova versione").click().run()
    errors = messages(mine, "error")
    assert any("admin ha salvato questa sezione (versione 2" in e for e in errors)
    shown = [c.value for c in mine.code]
    assert shown == ["Testo dell'amministratore.", "Testo del dirigente."]
    assert section_of(demo_db, actors["dirigente"], school_protocol, "allegati").body == "Testo dell'amministratore."

    # The dirigente chooses to keep their text on top of the current version, then saves.
    next(b for b in mine.button if b.label == "Continua con il mio testo sulla versione attuale").click().run()
    next(b for b in mine.button if b.label == "Salva una nuova versione").click().run()
    assert messages(mine, "success") == ["Salvata la versione 3."]
    history = protocols.section_history(demo_db, actors["dirigente"], section.id)
    assert [(v.version, v.author) for v in history] == [(3, "dirigente"), (2, "admin"), (1, "dirigente")]


@pytest.mark.parametrize("username", ["funzione", "docente", "coordinatrice"])
def test_staff_who_only_read_get_no_editor(demo_db, school_protocol, username):
    at = open_editor(username, school_protocol.id, "Tempi e responsabilità")
    assert not at.text_area or all(not t.key or not t.key.startswith("text_") for t in at.text_area)
    assert "Puoi leggere questo protocollo ma non modificarlo." in messages(at, "info")
    assert not [b for b in at.button if b.label == "Salva una nuova versione"]


def test_funzione_strumentale_comments_but_docente_cannot(demo_db, school_protocol):
    at = open_editor("funzione", school_protocol.id, "Tempi e responsabilità")
    comment_box = next(t for t in at.text_area if t.label == "Scrivi un commento")
    comment_box.input("Serve il mediatore per il colloquio?")
    next(b for b in at.button if b.label == "Invia").click().run()
    assert messages(at, "success") == ["Commento aggiunto."]
    teacher = open_editor("docente", school_protocol.id, "Tempi e responsabilità")
    assert any("Serve il mediatore" in t.value for t in teacher.get("text"))
    assert not [t for t in teacher.text_area if t.label == "Scrivi un commento"]


def test_locked_sections_are_read_only_for_the_school(demo_db, school_protocol):
    at = open_editor("dirigente", school_protocol.id, "Premessa e finalità")
    assert "Sezione comune a tutta la rete: la scuola non la modifica." in messages(at, "info")


def test_an_unknown_placeholder_is_refused_on_save_naming_it(demo_db, actors, school_protocol):
    section = section_of(demo_db, actors["dirigente"], school_protocol, "soggetti")
    at = open_editor("dirigente", school_protocol.id, "Chi fa che cosa")
    at.text_area(key=f"text_{section.id}").input("Referente: {{ scuola.telefono }}").run()
    next(b for b in at.button if b.label == "Salva una nuova versione").click().run()
    assert any("{{ scuola.telefono }}" in e for e in messages(at, "error"))
    assert section_of(demo_db, actors["dirigente"], school_protocol, "soggetti").version == 1


def test_a_protocol_of_another_network_by_query_parameter_is_refused(demo_db, school_protocol):
    at = log_in(new_app(), "altro.dirigente")
    at.query_params["protocollo"] = str(school_protocol.id)
    at.switch_page(EDITOR).run()
    assert "Non hai accesso a questo protocollo." in messages(at, "error")
    assert not at.text_area and not at.get("html")


def test_a_malformed_query_parameter_is_an_italian_message(demo_db, school_protocol):
    at = log_in(new_app(), "dirigente")
    at.query_params["protocollo"] = "1 OR 1=1"
    at.switch_page(EDITOR).run()
    assert messages(at, "error") == ["Il collegamento non indica un protocollo valido: sceglilo dall'elenco."]


def test_the_editor_says_when_the_network_has_updates_to_decide(demo_db, actors, core, school_protocol):
    # Deciding them is on their own page (tests/pages/test_structure_pages.py).
    coordinator = actors["coordinatore_rete"]
    core_section = section_of(demo_db, coordinator, core, "fase_sociale")
    protocols.save_section(demo_db, coordinator, core_section.id, core_section.body + "\nNuovo sportello.",
                           core_section.version)
    at = open_editor("dirigente", school_protocol.id)
    assert "La rete ha aggiornato il protocollo comune: 1 aggiornamento da decidere." in messages(at, "info")
    funzione = open_editor("funzione", school_protocol.id)
    assert "La rete ha aggiornato il protocollo comune: 1 aggiornamento da decidere." in messages(funzione, "info")


def test_the_dirigente_sends_for_review_and_records_the_approval(demo_db, actors, school_protocol):
    at = open_editor("dirigente", school_protocol.id)
    next(b for b in at.button if b.label == "Invia in revisione").click().run()
    assert messages(at, "success") == ["Il protocollo ora è: In revisione."]
    date, number = (t for t in at.text_input if t.label.startswith(("Data della delibera", "Numero della delibera")))
    date.input("20/10/2025")
    number.input("34")
    next(b for b in at.button if b.label == "Registra l'approvazione").click().run()
    assert messages(at, "success") == ["Il protocollo ora è: Approvato."]
    approved = protocols.get_protocol(demo_db, actors["dirigente"], school_protocol.id)
    assert (approved.status.value, approved.deliberation_number) == ("approvato", "34")


def test_the_coordinator_creates_a_core_from_the_protocols_page(demo_db, actors):
    at = log_in(new_app(), "coordinatrice")
    at.switch_page("pages/protocols.py").run()
    next(b for b in at.button if b.label == "Crea").click().run()
    assert messages(at, "success") == ["Protocollo comune creato."]
    (core,) = protocols.list_protocols(demo_db, actors["coordinatore_rete"])
    assert core.is_core and core.level.value == "primaria"


def test_the_dirigente_starts_the_school_protocol(demo_db, actors, core):
    at = log_in(new_app(), "dirigente")
    at.switch_page("pages/protocols.py").run()
    next(b for b in at.button if b.label == "Avvia il protocollo della scuola").click().run()
    assert messages(at, "success") == ["Protocollo della scuola creato: aprilo per adattarlo."]
    assert protocols.school_protocol(demo_db, actors["dirigente"], "MIIS00003C") is not None


def test_history_page_lists_versions_and_compares_with_the_core(demo_db, actors, school_protocol):
    dirigente = actors["dirigente"]
    section = section_of(demo_db, dirigente, school_protocol, "tempi")
    protocols.save_section(demo_db, dirigente, section.id, section.body.replace("Entro 5 giorni", "Entro 3 giorni"),
                           section.version)
    at = log_in(new_app(), "dirigente")
    at.query_params["protocollo"] = str(school_protocol.id)
    at.switch_page("pages/protocol_history.py").run()
    chooser = next(sb for sb in at.selectbox if sb.label == "Sezione")
    chooser.select_index(next(i for i, o in enumerate(chooser.options) if "Tempi" in o)).run()
    assert not at.exception
    versions = at.table[0].value
    assert list(versions["Versione"]) == [2, 1]
    diffs_shown = " ".join(h.proto.body for h in at.get("html"))
    assert "<del>5</del>" in diffs_shown and "<ins>3</ins>" in diffs_shown


def test_a_protocol_id_forged_in_session_state_is_refused(demo_db, school_protocol):
    at = log_in(new_app(), "altro.dirigente")
    at.session_state["approdo_protocol"] = str(school_protocol.id)
    at.switch_page("pages/protocol_history.py").run()
    assert "Non hai accesso a questo protocollo." in messages(at, "error")
    assert not at.table


def test_the_coordinator_edits_the_network_core(demo_db, actors, core):
    section = section_of(demo_db, actors["coordinatore_rete"], core, "premessa")
    at = open_editor("coordinatrice", core.id, "Premessa e finalità")
    at.text_area(key=f"text_{section.id}").input(section.body + "\nRivisto dalla rete.").run()
    next(b for b in at.button if b.label == "Salva una nuova versione").click().run()
    assert messages(at, "success") == ["Salvata la versione 2."]
