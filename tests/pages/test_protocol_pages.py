"""The protocol pages as their users see them, through AppTest."""

from datetime import timedelta

import pytest

from models.core import clock
from models.protocols import protocol as protocols
from tests.conftest import publish_core
from tests.pages.conftest import log_in, new_app

# How a diff marks words: struck or underlined, with the word a screen reader says first.
REMOVED = '<del><span class="approdo-sr">tolto: </span>{}</del>'
ADDED = '<ins><span class="approdo-sr">inserito: </span>{}</ins>'

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


def editor_of(at):
    """The section's text area (its key changes with each saved version; its label does not)."""
    (editor,) = [t for t in at.text_area if t.label == "Testo della sezione"]
    return editor


def save(at):
    next(b for b in at.button if b.label == "Salva una nuova versione").click().run()
    assert not at.exception, at.exception
    return at


def messages(at, kind):
    return [e.value for e in getattr(at, kind)]


def section_of(db, actor, protocol, key):
    return next(s for s in protocols.list_sections(db, actor, protocol.id) if s.key == key)


def test_dirigente_edits_and_saves_a_section(demo_db, actors, school_protocol):
    at = open_editor("dirigente", school_protocol.id, "Tempi e responsabilità")
    editor = editor_of(at)
    editor.input(editor.value + "\n\nLa commissione si riunisce il martedì.").run()
    # The live preview beside the editor already shows the new text.
    assert "La commissione si riunisce il martedì." in " ".join(h.proto.body for h in at.get("html"))
    next(b for b in at.button if b.label == "Salva una nuova versione").click().run()
    assert messages(at, "success") == ["Salvata la versione 2."]
    saved = section_of(demo_db, actors["dirigente"], school_protocol, "tempi")
    assert saved.version == 2 and saved.body.endswith("La commissione si riunisce il martedì.")


def test_the_preview_breaks_a_line_where_the_author_did(demo_db, actors, school_protocol):
    section = section_of(demo_db, actors["dirigente"], school_protocol, "allegati")
    protocols.save_section(demo_db, actors["dirigente"], section.id, "Modulo A\nModulo B <b>\n\n- uno\n  due",
                           section.version)
    at = open_editor("dirigente", school_protocol.id, "Allegati")
    shown = " ".join(h.proto.body for h in at.get("html"))
    assert "<p>Modulo A<br>Modulo B &lt;b&gt;</p>" in shown and ">uno<br>due</li>" in shown


def test_a_second_session_saving_on_a_stale_version_gets_the_conflict_view(demo_db, actors, school_protocol):
    section = section_of(demo_db, actors["dirigente"], school_protocol, "allegati")
    mine = open_editor("dirigente", school_protocol.id, "Allegati")
    theirs = open_editor("admin", school_protocol.id, "Allegati")
    editor_of(theirs).input("Testo dell'amministratore.").run()
    next(b for b in theirs.button if b.label == "Salva una nuova versione").click().run()
    assert messages(theirs, "success") == ["Salvata la versione 2."]

    editor_of(mine).input("Testo del dirigente.").run()
    next(b for b in mine.button if b.label == "Salva una nuova versione").click().run()
    errors = messages(mine, "error")
    assert any("Amministratore demo ha salvato questa sezione (versione 2" in e for e in errors)
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
    at = open_editor("dirigente", school_protocol.id, "Chi fa che cosa")
    editor_of(at).input("Referente: {{ scuola.telefono }}").run()
    next(b for b in at.button if b.label == "Salva una nuova versione").click().run()
    assert any("{{ scuola.telefono }}" in e for e in messages(at, "error"))
    assert section_of(demo_db, actors["dirigente"], school_protocol, "soggetti").version == 1


def test_a_protocol_of_another_network_by_query_parameter_is_refused(demo_db, school_protocol):
    at = log_in(new_app(), "altro.dirigente")
    at.query_params["protocollo"] = str(school_protocol.id)
    at.switch_page(EDITOR).run()
    assert "Non hai accesso a questo protocollo." in messages(at, "error")
    # No section shown, neither to edit nor as its text (st.html); the menu in the sidebar is html too.
    assert not at.text_area and not at.main.get("html")


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
    publish_core(demo_db, coordinator, core.id)
    at = open_editor("dirigente", school_protocol.id)
    assert "La rete ha aggiornato il protocollo comune: 1 aggiornamento da decidere." in messages(at, "info")
    funzione = open_editor("funzione", school_protocol.id)
    assert "La rete ha aggiornato il protocollo comune: 1 aggiornamento da decidere." in messages(funzione, "info")


def test_the_dirigente_sends_for_review_and_records_the_approval(demo_db, actors, school_protocol):
    at = open_editor("dirigente", school_protocol.id)
    next(b for b in at.button if b.label == "Invia in revisione").click().run()
    assert messages(at, "success") == ["Il protocollo ora è: In revisione."]
    assert not [w for w in messages(at, "warning") if "Prima di registrare" in w]  # nothing open: no warning
    next(t for t in at.text_input if t.label == "Data della delibera").input("20/10/2025")
    next(t for t in at.text_input if t.label == "Numero della delibera").input("34")
    next(b for b in at.button if b.label == "Registra l'approvazione").click().run()
    assert messages(at, "success") == ["Il protocollo ora è: Approvato."]
    approved = protocols.get_protocol(demo_db, actors["dirigente"], school_protocol.id)
    assert (approved.status.value, approved.deliberation_number) == ("approvato", "34")


def test_the_deliberation_date_recorded_is_the_one_typed_and_a_wrong_one_blocks_the_button(demo_db, actors,
                                                                                             school_protocol):
    at = open_editor("dirigente", school_protocol.id)
    next(b for b in at.button if b.label == "Invia in revisione").click().run()

    def typed(text):
        next(t for t in at.text_input if t.label == "Data della delibera").input(text).run()
        return next(b for b in at.button if b.label == "Registra l'approvazione")

    assert typed("31/02/2026").disabled  # never moved to 28/02
    assert messages(at, "error") == ["La data 31/02/2026 non esiste: controlla giorno e mese (per esempio, febbraio "
                                     "ha al massimo 29 giorni)."]
    future = (clock.local_date() + timedelta(days=200)).strftime("%d/%m/%Y")
    assert typed(future).disabled
    assert messages(at, "error") == ["La data della delibera è nel futuro: scrivi il giorno in cui l'organo ha "
                                     "deliberato."]
    typed("10/11/2025")
    button = typed("15/03/2025")  # retyped: the second one counts
    assert not button.disabled and messages(at, "error") == []
    next(t for t in at.text_input if t.label == "Numero della delibera").input("13")
    button.click().run()
    approved = protocols.get_protocol(demo_db, actors["dirigente"], school_protocol.id)
    assert (approved.deliberation_date, approved.deliberation_number) == ("15/03/2025", "13")


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
    assert list(versions["Basata sulla"]) == ["1", "—"]  # one type (text): Arrow converts it without a traceback
    diffs_shown = " ".join(h.proto.body for h in at.get("html"))
    # The timetable's cell changed: named in words, its old and new text marked (with words for screen readers),
    # and no Markdown pipes outside the source, which is one click away.
    assert "Tabella: riga «Entro 3 giorni», colonna «Quando»" in diffs_shown
    assert REMOVED.format("5") in diffs_shown and ADDED.format("3") in diffs_shown
    compared = [h.proto.body.partition("<summary>Mostra il testo sorgente</summary>") for h in at.get("html")
                if "<summary>" in h.proto.body]
    assert len(compared) == 2  # the versions, and the school against the core
    assert all("| Entro" not in rendered and "| Entro" in source for rendered, _, source in compared)


def test_a_protocol_id_forged_in_session_state_is_refused(demo_db, school_protocol):
    at = log_in(new_app(), "altro.dirigente")
    at.session_state["approdo_protocol"] = str(school_protocol.id)
    at.switch_page("pages/protocol_history.py").run()
    assert "Non hai accesso a questo protocollo." in messages(at, "error")
    assert not at.table


def test_the_coordinator_edits_the_network_core(demo_db, actors, core):
    section = section_of(demo_db, actors["coordinatore_rete"], core, "premessa")
    at = open_editor("coordinatrice", core.id, "Premessa e finalità")
    editor_of(at).input(section.body + "\nRivisto dalla rete.").run()
    next(b for b in at.button if b.label == "Salva una nuova versione").click().run()
    assert messages(at, "success") == ["Salvata la versione 2."]


def test_the_coordinator_on_the_published_core_is_told_she_opens_the_revision(demo_db, actors, core):
    publish_core(demo_db, actors["coordinatore_rete"], core.id, reopen=False)
    at = open_editor("coordinatrice", core.id, "Premessa e finalità")
    assert "Il protocollo è pubblicato: per modificarlo apri una nuova revisione (torna in bozza)." in messages(
        at, "info")
    assert not any("dirigente" in m for m in messages(at, "info"))  # the core is hers, not a dirigente's
    assert any(b.label == "Apri una nuova revisione" for b in at.button)


def choose_section(at, title):
    chooser = next(sb for sb in at.selectbox if sb.label == "Sezione")
    chooser.select_index(next(i for i, label in enumerate(chooser.options) if title in label)).run()
    assert not at.exception, at.exception
    return chooser


def test_saving_the_same_section_twice_makes_two_versions(demo_db, actors, school_protocol):
    dirigente = actors["dirigente"]
    section = section_of(demo_db, dirigente, school_protocol, "tempi")
    at = open_editor("dirigente", school_protocol.id, "Tempi e responsabilità")
    first = section.body + "\n\nPrima aggiunta."
    editor_of(at).input(first).run()
    save(at)
    assert messages(at, "success") == ["Salvata la versione 2."]
    # The editor now shows the saved text and edits from version 2.
    assert editor_of(at).value == first
    assert any("a partire dalla versione 2" in c.value for c in at.caption)

    second = first + "\n\nSeconda aggiunta."
    editor_of(at).input(second).run()
    save(at)
    assert messages(at, "success") == ["Salvata la versione 3."]
    assert not messages(at, "error")
    history = protocols.section_history(demo_db, dirigente, section.id)
    assert [(v.version, v.body) for v in history[:2]] == [(3, second), (2, first)]
    assert editor_of(at).value == second


def test_going_back_to_a_section_keeps_the_unsaved_text_of_each(demo_db, actors, school_protocol):
    at = open_editor("dirigente", school_protocol.id, "Tempi e responsabilità")
    editor_of(at).input("Bozza dei tempi.").run()
    choose_section(at, "Chi fa che cosa")
    editor_of(at).input("Bozza dei soggetti.").run()
    chooser = choose_section(at, "Tempi e responsabilità")
    assert editor_of(at).value == "Bozza dei tempi."
    # The chooser marks both sections as having unsaved changes.
    marked = [label for label in chooser.options if "modifiche non salvate" in label]
    assert len(marked) == 2 and any("Tempi" in m for m in marked) and any("Chi fa" in m for m in marked)
    choose_section(at, "Chi fa che cosa")
    assert editor_of(at).value == "Bozza dei soggetti."
    save(at)
    assert messages(at, "success") == ["Salvata la versione 2."]
    choose_section(at, "Tempi e responsabilità")
    assert editor_of(at).value == "Bozza dei tempi."
    save(at)
    assert messages(at, "success") == ["Salvata la versione 2."]
    dirigente = actors["dirigente"]
    assert section_of(demo_db, dirigente, school_protocol, "tempi").body == "Bozza dei tempi."
    assert section_of(demo_db, dirigente, school_protocol, "soggetti").body == "Bozza dei soggetti."


def test_after_my_own_save_another_persons_save_is_still_a_conflict(demo_db, actors, school_protocol):
    dirigente = actors["dirigente"]
    at = open_editor("dirigente", school_protocol.id, "Allegati")
    editor_of(at).input("Il mio primo testo.").run()
    save(at)
    section = section_of(demo_db, dirigente, school_protocol, "allegati")
    protocols.save_section(demo_db, actors["admin"], section.id, "Il testo dell'amministratore.", section.version)
    editor_of(at).input("Il mio secondo testo.").run()
    save(at)
    assert any("ha salvato questa sezione (versione 3" in e for e in messages(at, "error"))
    assert section_of(demo_db, dirigente, school_protocol, "allegati").body == "Il testo dell'amministratore."
    next(b for b in at.button if b.label == "Continua con il mio testo sulla versione attuale").click().run()
    assert editor_of(at).value == "Il mio secondo testo."
    save(at)
    assert messages(at, "success") == ["Salvata la versione 4."]


def test_discarding_a_draft_brings_back_the_saved_text(demo_db, actors, school_protocol):
    section = section_of(demo_db, actors["dirigente"], school_protocol, "tempi")
    at = open_editor("dirigente", school_protocol.id, "Tempi e responsabilità")
    editor_of(at).input("Da buttare.").run()
    next(b for b in at.button if b.label == "Annulla le modifiche non salvate").click().run()
    assert editor_of(at).value == section.body
    assert not [label for label in at.selectbox[1].options if "modifiche non salvate" in label]


def test_approving_with_open_comments_and_updates_warns_and_needs_a_confirmation(demo_db, actors, core,
                                                                                 school_protocol):
    dirigente = actors["dirigente"]
    protocols.move(demo_db, dirigente, school_protocol.id, "in_revisione")
    from models.protocols import comments

    tempi = section_of(demo_db, dirigente, school_protocol, "tempi")
    comments.add_comment(demo_db, actors["funzione_strumentale"], tempi.id, "Chi chiama il mediatore?")
    core_section = section_of(demo_db, actors["coordinatore_rete"], core, "fase_sociale")
    protocols.save_section(demo_db, actors["coordinatore_rete"], core_section.id, core_section.body + "\nNuovo.",
                           core_section.version)
    publish_core(demo_db, actors["coordinatore_rete"], core.id)

    at = open_editor("dirigente", school_protocol.id)
    (warning,) = [w for w in messages(at, "warning") if "Prima di registrare" in w]
    assert "1 commento aperto" in warning and "«Tempi e responsabilità» (1)" in warning
    assert "1 aggiornamento della rete da decidere" in warning and "«Fase sociale" in warning
    next(b for b in at.button if b.label == "Registra l'approvazione").click().run()
    assert messages(at, "error") == [
        "Scrivi come gg/mm/aaaa la data in cui l'organo ha deliberato."]
    next(t for t in at.text_input if t.label == "Data della delibera").input("20/10/2025")
    next(t for t in at.text_input if t.label == "Numero della delibera").input("34")
    approve = next(b for b in at.button if b.label == "Registra l'approvazione")
    approve.click().run()
    assert messages(at, "error") == ["Spunta la conferma per registrare l'approvazione nonostante gli avvisi."]
    assert protocols.get_protocol(demo_db, dirigente, school_protocol.id).status.value == "in_revisione"

    next(c for c in at.checkbox if c.label.startswith("Ho controllato")).check()
    next(b for b in at.button if b.label == "Registra l'approvazione").click().run()
    assert messages(at, "success") == ["Il protocollo ora è: Approvato."]
    approved = protocols.get_protocol(demo_db, dirigente, school_protocol.id)
    assert (approved.status.value, approved.deliberation_date) == ("approvato", "20/10/2025")


def open_history(username, protocol_id):
    at = log_in(new_app(), username)
    at.query_params["protocollo"] = str(protocol_id)
    at.switch_page("pages/protocol_history.py").run()
    assert not at.exception, at.exception
    return at


def test_history_shows_what_changed_since_the_approval_printable(demo_db, actors, school_protocol):
    dirigente = actors["dirigente"]
    at = open_history("dirigente", school_protocol.id)
    assert "Questo protocollo non è ancora stato approvato" in " ".join(messages(at, "info"))
    protocols.move(demo_db, dirigente, school_protocol.id, "in_revisione")
    protocols.move(demo_db, dirigente, school_protocol.id, "approvato", deliberation_date="15/10/2025",
                   deliberation_number="12")
    protocols.move(demo_db, dirigente, school_protocol.id, "bozza")
    tempi = section_of(demo_db, dirigente, school_protocol, "tempi")
    protocols.save_section(demo_db, dirigente, tempi.id, tempi.body.replace("Entro 5 giorni", "Entro 3 giorni"),
                           tempi.version)

    at = open_history("funzione", school_protocol.id)
    captions = " ".join(c.value for c in at.caption)
    assert "delibera n. 12 del 15/10/2025" in captions and "1 sezione su" in captions
    shown = " ".join(h.proto.body for h in at.get("html"))
    assert REMOVED.format("5") in shown and ADDED.format("3") in shown
    (download,) = [d for d in at.get("download_button") if "stampare" in d.proto.label]
    assert download.proto.label == "Scarica da stampare (pagina web)"
    # The versions table and the status log name people by their full name.
    versions = at.table[0].value
    assert set(versions["Chi"]) == {"Marco Bianchi"}
    log = at.table[1].value
    assert list(log["Chi"]) == ["Marco Bianchi"] * 4


def test_the_printable_changes_page_is_a_whole_escaped_html_document(demo_db, actors, school_protocol):
    from ui.protocol_widgets import changes_document

    dirigente = actors["dirigente"]
    protocols.move(demo_db, dirigente, school_protocol.id, "in_revisione")
    protocols.move(demo_db, dirigente, school_protocol.id, "approvato", deliberation_date="15/10/2025",
                   deliberation_number="12")
    protocols.move(demo_db, dirigente, school_protocol.id, "bozza")
    added = protocols.add_local_section(demo_db, dirigente, school_protocol.id, "Sportello <b>genitori</b>")
    protocols.save_section(demo_db, dirigente, added.id, "Aperto il <lunedì> & il giovedì.", added.version)
    page = changes_document(school_protocol, protocols.changes_since_approval(demo_db, dirigente, school_protocol.id))
    assert page.startswith("<!DOCTYPE html>") and "@media print" in page
    assert "Sportello &lt;b&gt;genitori&lt;/b&gt; (sezione nuova)" in page
    assert ADDED.format("Aperto il &lt;lunedì&gt; &amp; il giovedì.") in page
    assert "Mostra il testo sorgente" not in page  # on paper, the rendered text only
    assert "<b>" not in page


def test_a_teacher_reads_the_published_text_by_default_and_the_menu_says_so(demo_db, actors, school_protocol):
    dirigente = actors["dirigente"]
    tempi = section_of(demo_db, dirigente, school_protocol, "tempi")
    protocols.move(demo_db, dirigente, school_protocol.id, "in_revisione")
    protocols.move(demo_db, dirigente, school_protocol.id, "approvato", deliberation_date="15/10/2025",
                   deliberation_number="12")
    protocols.move(demo_db, dirigente, school_protocol.id, "pubblicato")
    protocols.move(demo_db, dirigente, school_protocol.id, "bozza")
    protocols.save_section(demo_db, dirigente, tempi.id, "Testo della nuova revisione, non ancora approvato.",
                           tempi.version)

    teacher = open_editor("docente", school_protocol.id, "Tempi e responsabilità")
    assert teacher.title[0].value == "Leggi protocollo"
    shown = " ".join(h.proto.body for h in teacher.get("html"))
    assert "non ancora approvato" not in shown and "Entro 5 giorni" in shown
    assert any(c.value.startswith("Stai leggendo la versione pubblicata il") for c in teacher.caption)
    assert any("Versione 1 (Marco Bianchi" in c.value for c in teacher.caption)
    teacher.get("button_group")[0].set_value("In lavorazione").run()
    assert "non ancora approvato" in " ".join(h.proto.body for h in teacher.get("html"))

    staff = open_editor("funzione", school_protocol.id, "Tempi e responsabilità")  # comments on the draft
    assert "non ancora approvato" in " ".join(h.proto.body for h in staff.get("html"))
    assert open_editor("dirigente", school_protocol.id).title[0].value == "Modifica protocollo"


def test_comment_counts_agree_in_number_and_authors_have_names(demo_db, actors, school_protocol):
    from models.protocols import comments

    tempi = section_of(demo_db, actors["dirigente"], school_protocol, "tempi")
    comments.add_comment(demo_db, actors["funzione_strumentale"], tempi.id, "Uno")
    at = open_editor("dirigente", school_protocol.id, "Tempi e responsabilità")
    chooser = next(sb for sb in at.selectbox if sb.label == "Sezione")
    assert any(label.endswith("· 1 commento aperto") for label in chooser.options)
    assert any(e.label == "Commenti (1 commento aperto)" for e in at.expander)
    assert any("**Sara Galli**" in m.value for m in at.markdown)
    comments.add_comment(demo_db, actors["funzione_strumentale"], tempi.id, "Due")
    at = open_editor("dirigente", school_protocol.id, "Tempi e responsabilità")
    assert any(e.label == "Commenti (2 commenti aperti)" for e in at.expander)


def test_without_a_link_the_editor_opens_the_users_own_school_protocol(demo_db, core, school_protocol):
    at = log_in(new_app(), "dirigente")
    at.switch_page("pages/protocol_editor.py").run()
    chooser = next(sb for sb in at.selectbox if sb.label == "Protocollo")
    assert chooser.value == school_protocol.id and "MIIS00003C" in chooser.options[chooser.index]


def reload(at, username):
    """A new session on the same address, as F5 makes: the session state is gone, the URL stays."""
    again = log_in(new_app(), username)
    for name, value in at.query_params.items():
        again.query_params[name] = value[0] if isinstance(value, list) else value
    again.switch_page(EDITOR).run()
    assert not again.exception, again.exception
    return again


def test_a_reload_keeps_the_section_and_the_unsaved_text_until_it_is_saved(demo_db, actors, school_protocol):
    at = open_editor("dirigente", school_protocol.id, "Tempi e responsabilità")
    editor_of(at).input("Scritto prima di premere F5.").run()
    at = reload(at, "dirigente")
    chooser = next(sb for sb in at.selectbox if sb.label == "Sezione")
    assert "Tempi e responsabilità" in chooser.format_func(chooser.value)
    assert editor_of(at).value == "Scritto prima di premere F5."
    assert any("Hai modifiche non salvate" in c.value for c in at.caption)
    save(at)
    assert messages(at, "success") == ["Salvata la versione 2."]
    assert [t.proto.body for t in at.toast] == ["Salvata la versione 2."]
    assert demo_db.execute("SELECT COUNT(*) FROM drafts").fetchone()[0] == 0
    at = reload(at, "dirigente")
    assert editor_of(at).value == "Scritto prima di premere F5."  # now the saved version
    assert not any("modifiche non salvate" in c.value for c in at.caption)


def test_a_discarded_draft_does_not_come_back_after_a_reload(demo_db, actors, school_protocol):
    section = section_of(demo_db, actors["dirigente"], school_protocol, "tempi")
    at = open_editor("dirigente", school_protocol.id, "Tempi e responsabilità")
    editor_of(at).input("Da buttare.").run()
    assert demo_db.execute("SELECT body FROM drafts").fetchall() == [("Da buttare.",)]
    next(b for b in at.button if b.label == "Annulla le modifiche non salvate").click().run()
    assert demo_db.execute("SELECT COUNT(*) FROM drafts").fetchone()[0] == 0
    assert editor_of(reload(at, "dirigente")).value == section.body


def test_a_section_number_forged_in_the_address_is_ignored(demo_db, school_protocol):
    at = log_in(new_app(), "dirigente")
    at.query_params["protocollo"] = str(school_protocol.id)
    at.query_params["sezione"] = "999999"
    at.switch_page(EDITOR).run()
    assert not at.exception and not at.error
    assert next(sb for sb in at.selectbox if sb.label == "Sezione").index == 0


def test_a_table_and_a_school_fact_are_added_without_typing_markdown_and_kept_as_a_draft(demo_db, actors,
                                                                                        school_protocol):
    section = section_of(demo_db, actors["dirigente"], school_protocol, "tempi")
    at = open_editor("dirigente", school_protocol.id, "Tempi e responsabilità")
    next(n for n in at.number_input if n.label == "Righe (oltre all'intestazione)").set_value(1).run()
    next(n for n in at.number_input if n.label == "Colonne").set_value(3).run()
    next(b for b in at.button if b.key.startswith("table_add_")).click().run()
    table = "| Colonna 1 | Colonna 2 | Colonna 3 |\n| --- | --- | --- |\n|   |   |   |"
    assert editor_of(at).value == section.body.rstrip("\n") + "\n\n" + table + "\n"
    next(s for s in at.selectbox if s.label == "Dato").set_value("scuola.nome").run()
    next(b for b in at.button if b.key.startswith("fact_add_")).click().run()
    assert editor_of(at).value.endswith(table + "\n\n{{ scuola.nome }}\n")
    preview = " ".join(h.proto.body for h in at.get("html"))
    assert "<th>Colonna 3</th>" in preview
    assert "Ponte Nuovo" in preview  # the placeholder shows the school's name in the preview
    # The draft is on the server as it is on screen.
    assert demo_db.execute("SELECT body FROM drafts").fetchall() == [(editor_of(at).value,)]


def test_the_history_opens_on_the_section_being_edited(demo_db, school_protocol):
    at = open_editor("dirigente", school_protocol.id, "Tempi")
    at.query_params.clear()  # the menu's «Storico e confronti» opens the page without the editor's parameters
    at.switch_page("pages/protocol_history.py").run()
    assert not at.exception, at.exception
    chooser = next(sb for sb in at.selectbox if sb.label == "Sezione")
    assert "Tempi" in chooser.format_func(chooser.value)
    at.query_params.clear()
    at.switch_page(EDITOR).run()  # and back: still that section
    chooser = next(sb for sb in at.selectbox if sb.label == "Sezione")
    assert "Tempi" in chooser.format_func(chooser.value)


@pytest.fixture
def chooser_resets(monkeypatch):
    """The widgets Streamlit resets itself through the Session State API, because the value the browser sent is
    not among their options: the next run with a default then logs «The widget with key … was created with a
    default value but also had its value set via the Session State API» (AppTest, which starts each run afresh,
    never gets there; a server does)."""
    from streamlit.runtime.state.session_state import SessionState

    resets = []
    real = SessionState.reset_state_value

    def reset(self, key, value):
        resets.append(key)
        return real(self, key, value)

    monkeypatch.setattr(SessionState, "reset_state_value", reset)
    return resets


def test_the_section_chooser_follows_its_labels_without_streamlit_resetting_it(
        demo_db, actors, school_protocol, chooser_resets):
    at = open_editor("dirigente", school_protocol.id, "Tempi e responsabilità")
    shown = next(sb for sb in at.selectbox if sb.label == "Sezione")
    shown.select_index(shown.index)  # the label the browser shows, and sends until it draws the new one
    # Typing changes the section's label (unsaved changes); the browser still sends the label it showed.
    editor_of(at).input("Bozza dei tempi.").run()
    shown.run()
    editor_of(at).input("Bozza dei tempi, ancora.").run()
    # A rename changes the labels too.
    section = section_of(demo_db, actors["dirigente"], school_protocol, "tempi")
    demo_db.execute("UPDATE protocol_sections SET title = 'Tempi' WHERE id = ?", [section.id])
    shown = next(sb for sb in at.selectbox if sb.label == "Sezione")
    shown.select_index(shown.index).run()
    at.run()
    assert not at.exception, at.exception
    chooser = next(sb for sb in at.selectbox if sb.label == "Sezione")
    assert chooser.options[chooser.index] == (f"{section.position}. Tempi (comune, adattabile dalla scuola)"
                                              " · ✎ modifiche non salvate")
    assert editor_of(at).value == "Bozza dei tempi, ancora."
    assert not [key for key in chooser_resets if key.startswith("section_")]


def test_a_section_chosen_while_the_typing_reaches_the_page_is_opened(demo_db, actors, school_protocol):
    # The typing (sent when the chooser takes the focus) changes the labels in the very run the choice arrives.
    at = open_editor("dirigente", school_protocol.id, "Tempi e responsabilità")
    editor_of(at).input("Bozza dei tempi.")
    chooser = next(sb for sb in at.selectbox if sb.label == "Sezione")
    chooser.select_index(next(i for i, label in enumerate(chooser.options) if "Chi fa che cosa" in label)).run()
    assert not at.exception, at.exception
    chooser = next(sb for sb in at.selectbox if sb.label == "Sezione")
    assert "Chi fa che cosa" in chooser.options[chooser.index]
    assert any("Tempi" in label and "modifiche non salvate" in label for label in chooser.options)
    assert editor_of(at).value == section_of(demo_db, actors["dirigente"], school_protocol, "soggetti").body


def test_saving_an_unchanged_section_is_information_not_an_error(demo_db, actors, school_protocol):
    at = open_editor("dirigente", school_protocol.id, "Tempi e responsabilità")
    save(at)
    assert "Il testo non è cambiato: nessuna nuova versione salvata." in messages(at, "info")
    assert not messages(at, "error")


def test_the_page_and_the_pdf_footer_give_the_protocol_the_same_version(demo_db, actors, school_protocol):
    from models.protocols import word_export

    at = open_editor("dirigente", school_protocol.id, "Tempi e responsabilità")
    editor_of(at).input("Un testo nuovo.").run()
    save(at)
    assert messages(at, "success") == ["Salvata la versione 2."]
    protocol = protocols.get_protocol(demo_db, actors["dirigente"], school_protocol.id)
    footer = word_export.protocol_parts(demo_db, actors["dirigente"], protocol).values["versione"]
    header = next(m.value for m in at.markdown if m.value.startswith("Stato:"))
    assert f"Versione del protocollo {footer} ·" in header
    assert "Revisione" not in header


def test_the_network_core_is_named_once_in_the_protocol_chooser(demo_db, actors, core):
    at = open_editor("coordinatrice", core.id)
    chooser = next(sb for sb in at.selectbox if sb.label == "Protocollo")
    (label,) = [o for o in chooser.options if o.startswith(core.title)]
    assert label == f"{core.title} · Bozza"
    assert label.lower().count("protocollo comune") == 1


def chosen_section(at) -> str:
    chooser = next(sb for sb in at.selectbox if sb.label == "Sezione")
    return chooser.options[chooser.index]


def test_the_browser_s_back_reopens_the_section_before(demo_db, school_protocol):
    """The walk of 07/12: after «Chi fa che cosa» then «Tempi e responsabilità», the browser's Back (which puts
    the earlier ?sezione= in the address and reruns) stayed on «Tempi»: the section remembered in the session
    won over the address, and was written back into it. An address changed by the browser is the user's wish."""
    at = open_editor("dirigente", school_protocol.id, "Chi fa che cosa")
    first = at.query_params["sezione"]
    chooser = next(sb for sb in at.selectbox if sb.label == "Sezione")
    chooser.select_index(next(i for i, label in enumerate(chooser.options) if "Tempi" in label)).run()
    assert at.query_params["sezione"] != first
    at.query_params["sezione"] = first  # Back
    at.run()
    assert not at.exception, at.exception
    assert "Chi fa che cosa" in chosen_section(at)
    assert at.query_params["sezione"] == first
    at.run()  # and it stays there
    assert "Chi fa che cosa" in chosen_section(at)


def test_each_choice_adds_at_most_one_entry_to_the_browser_s_history(demo_db, school_protocol, monkeypatch):
    """The walk of 08/12: opening the editor from the menu added three entries to the history (the page, then
    ?protocollo=, then &sezione=, each change of st.query_params being one), so Back took ~5 presses to Home.
    The page itself is the one entry of opening it; a choice is one; the browser's Back to the address
    without parameters shows what it showed there."""
    from streamlit.runtime.state.query_params import QueryParams

    changes = []
    real = QueryParams._send_query_param_msg
    monkeypatch.setattr(QueryParams, "_send_query_param_msg", lambda self: (changes.append(dict(self)),
                                                                             real(self)))
    at = log_in(new_app(), "dirigente")
    changes.clear()
    at.switch_page(EDITOR).run()
    assert not at.exception, at.exception
    opened = chosen_section(at)
    assert changes == []  # the address of the page, as the menu wrote it
    chooser = next(sb for sb in at.selectbox if sb.label == "Sezione")
    chooser.select_index(next(i for i, label in enumerate(chooser.options) if "Tempi" in label)).run()
    assert len(changes) == 1 and set(changes[0]) == {"protocollo", "sezione"}  # one entry, the whole address
    changes.clear()
    at.run()  # a rerun (typing, a button) writes nothing
    assert changes == []
    at.query_params.pop("protocollo"), at.query_params.pop("sezione")  # Back to the address without parameters
    at.run()
    assert not at.exception, at.exception
    assert chosen_section(at) == opened and changes == []
