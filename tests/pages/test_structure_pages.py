"""The structure page and the network-updates page, through AppTest."""

from models.protocols import protocol as protocols
from models.protocols import structure as ps
from models.protocols.templates import SectionKind
from tests.conftest import publish_core
from tests.pages.conftest import log_in, new_app
from ui.text import plain

STRUCTURE, UPDATES, EDITOR = "pages/protocol_structure.py", "pages/protocol_updates.py", "pages/protocol_editor.py"


def open_page(username, page, protocol_id):
    at = log_in(new_app(), username)
    at.query_params["protocollo"] = str(protocol_id)
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def click(at, label, key=None):
    button = next(b for b in at.button if b.label == label and (key is None or b.key == key))
    button.click().run()
    assert not at.exception, at.exception
    return at


def field(at, form, label):
    return next(t for t in at.text_input if t.form_id.split("~")[0] == form and t.label == label)


def submit(at, form):
    next(b for b in at.button if b.form_id.split("~")[0] == form).click().run()
    assert not at.exception, at.exception


def messages(at, kind):
    return [e.value for e in getattr(at, kind)]


def section_of(db, actor, protocol, key):
    return next(s for s in protocols.list_sections(db, actor, protocol.id) if s.key == key)


def test_the_coordinator_unlocks_a_section_and_the_school_can_edit_it(demo_db, actors, core, school_protocol):
    coord, dirigente = actors["coordinatore_rete"], actors["dirigente"]
    premessa = section_of(demo_db, coord, core, "premessa")
    at = open_page("coordinatrice", STRUCTURE, core.id)
    click(at, "Rendi adattabile", key=f"lock_{premessa.id}")
    assert messages(at, "success") == ["«Premessa e finalità» ora è adattabile: le scuole possono modificarla."]
    # Pressed twice in a row: the button now says the opposite, and the page stays whole.
    assert next(b for b in at.button if b.key == f"lock_{premessa.id}").label == "Blocca"
    mine = section_of(demo_db, dirigente, school_protocol, "premessa")
    assert mine.kind is SectionKind.CORE_ADAPTABLE

    editor = open_page("dirigente", EDITOR, school_protocol.id)
    chooser = next(sb for sb in editor.selectbox if sb.label == "Sezione")
    chooser.select_index(next(i for i, o in enumerate(chooser.options) if "Premessa" in o)).run()
    (text,) = [t for t in editor.text_area if t.label == "Testo della sezione"]  # the editor is there, editable
    assert text.value == mine.body and not text.disabled
    assert "La rete ha aggiornato il protocollo comune: 1 aggiornamento da decidere." in messages(editor, "info")


def test_the_coordinator_adds_renames_moves_and_removes_core_sections(demo_db, actors, core):
    coord = actors["coordinatore_rete"]
    at = open_page("coordinatrice", STRUCTURE, core.id)
    field(at, "add_core_section", "Titolo della sezione").input("Mediazione linguistica")
    submit(at, "add_core_section")
    assert messages(at, "success") == ["Sezione «Mediazione linguistica» aggiunta."]
    history = next(d.value for d in at.dataframe if "Chi" in d.value.columns)
    assert set(history["Chi"]) == {"Laura Rossi"}  # the name, not the username «coordinatrice»
    added = protocols.list_sections(demo_db, coord, core.id)[-1]
    assert added.title == "Mediazione linguistica" and added.kind is SectionKind.CORE_ADAPTABLE

    click(at, "Su", key=f"up_{added.id}")
    assert [s.title for s in protocols.list_sections(demo_db, coord, core.id)][-2] == "Mediazione linguistica"
    field(at, f"rename_{added.id}", "Nuovo titolo").input("Mediazione linguistico-culturale")
    submit(at, f"rename_{added.id}")
    assert protocols.get_section(demo_db, coord, added.id).title == "Mediazione linguistico-culturale"
    click(at, "Togli «Mediazione linguistico-culturale» dal protocollo")
    assert added.id not in [s.id for s in protocols.list_sections(demo_db, coord, core.id)]
    newest = at.dataframe[0].value.iloc[0]
    assert newest.iloc[-1] == "sezione tolta: «Mediazione linguistico-culturale»"


def test_the_dirigente_splits_merges_and_cannot_remove_locked_sections(demo_db, actors, school_protocol):
    dirigente = actors["dirigente"]
    section = section_of(demo_db, dirigente, school_protocol, "organizzazione_scuola")
    parts = ps.split_points(section.body)
    premessa = section_of(demo_db, dirigente, school_protocol, "premessa")
    at = open_page("dirigente", STRUCTURE, school_protocol.id)
    assert not [b for b in at.button if b.key == f"remove_{premessa.id}"]
    assert not [b for b in at.button if b.key == f"merge_{premessa.id}"]

    field(at, f"split_{section.id}", "Titolo della nuova sezione").input("Laboratori di italiano")
    submit(at, f"split_{section.id}")
    assert messages(at, "success") == ["Sezione divisa: il seguito è in «Laboratori di italiano»."]
    after = protocols.list_sections(demo_db, dirigente, school_protocol.id)
    index = [s.id for s in after].index(section.id)
    assert after[index + 1].title == "Laboratori di italiano"
    assert after[index].body == parts[0] + "\n"

    click(at, "Unisci con la successiva", key=f"merge_{section.id}")
    merged = protocols.get_section(demo_db, dirigente, section.id)
    assert ps.split_points(merged.body) == parts
    assert "Laboratori di italiano" not in [s.title for s in protocols.list_sections(demo_db, dirigente,
                                                                                      school_protocol.id)]


def network_edit(db, coord, core, key, change):
    section = section_of(db, coord, core, key)
    protocols.save_section(db, coord, section.id, change(section.body), section.version)


def school_edit(db, dirigente, school_protocol, key, change):
    section = section_of(db, dirigente, school_protocol, key)
    return protocols.save_section(db, dirigente, section.id, change(section.body), section.version)


def test_a_merge_of_changes_in_different_places_keeps_both(demo_db, actors, core, school_protocol):
    coord, dirigente = actors["coordinatore_rete"], actors["dirigente"]
    school_edit(demo_db, dirigente, school_protocol, "fase_sociale", lambda b: b + "\nSportello del comune.\n")
    first = ps.split_points(section_of(demo_db, coord, core, "fase_sociale").body)[0]
    network_edit(demo_db, coord, core, "fase_sociale", lambda b: b.replace(first, first + " Novità della rete.", 1))
    publish_core(demo_db, coord, core.id)
    at = open_page("dirigente", UPDATES, school_protocol.id)
    assert "Le modifiche della rete e le vostre toccano parti diverse: si uniscono da sole." in messages(at, "success")
    click(at, "Salva come nuova versione")
    assert messages(at, "success") == [
        "«Fase sociale: la scuola e il territorio»: salvata la versione 3 con l'aggiornamento della rete.",
        "Nessun aggiornamento della rete da decidere."]
    body = section_of(demo_db, dirigente, school_protocol, "fase_sociale").body
    assert "Novità della rete." in body and "Sportello del comune." in body


def test_what_the_network_changed_reads_as_rendered_text(demo_db, actors, core, school_protocol):
    coord = actors["coordinatore_rete"]
    network_edit(demo_db, coord, core, "tempi", lambda b: b.replace("| Entro 7 giorni | Dirigente scolastico |",
                                                                    "| Entro 7 giorni | Dirigente **e vicario** |"))
    publish_core(demo_db, coord, core.id)
    at = open_page("dirigente", UPDATES, school_protocol.id)
    (changed,) = [h.proto.body for h in at.get("html") if "<th>Testo della rete</th></tr>" in h.proto.body]
    rendered, _, source = changed.partition("<summary>Mostra il testo sorgente</summary>")
    assert "Tabella: riga «Entro 7 giorni», colonna «Chi»" in rendered
    assert ('<td class="gone">Dirigente <del><span class="approdo-sr">tolto: </span>scolastico</del></td>'
            '<td class="new">Dirigente <strong><ins><span class="approdo-sr">inserito: </span>e vicario</ins>'
            "</strong></td>") in rendered
    assert "**" not in rendered and "**e vicario**" in source


def test_an_overlapping_change_asks_and_the_chosen_passages_are_saved(demo_db, actors, core, school_protocol):
    coord, dirigente = actors["coordinatore_rete"], actors["dirigente"]
    first = ps.split_points(section_of(demo_db, coord, core, "tempi").body)[0]
    school_edit(demo_db, dirigente, school_protocol, "tempi", lambda b: b.replace(first, first + " (scuola)", 1))
    network_edit(demo_db, coord, core, "tempi", lambda b: b.replace(first, first + " (rete)", 1))
    publish_core(demo_db, coord, core.id)
    at = open_page("dirigente", UPDATES, school_protocol.id)
    assert any("hanno cambiato lo stesso passaggio" in w for w in messages(at, "warning"))
    # The two passages as they read, side by side, the words that differ marked (not their Markdown source).
    (passage,) = [h.proto.body for h in at.get("html") if "<th>Testo della scuola</th></tr>" in h.proto.body
                  and "<th>Testo della rete</th>" in h.proto.body]
    assert ('<del><span class="approdo-sr">tolto: </span>rete</del>)</td>' in passage
            and '<ins><span class="approdo-sr">inserito: </span>scuola</ins>)</td>' in passage)
    assert not at.code
    save = next(b for b in at.button if b.label == "Salva come nuova versione")
    assert save.disabled  # nothing is decided for the dirigente
    (choice,) = at.radio
    choice.set_value("both").run()
    preview = " ".join(h.proto.body for h in at.get("html"))
    assert "(rete)" in preview and "(scuola)" in preview
    # "Lo riscrivo io" offers both passages to edit, and the edited text is what is saved.
    at.radio[0].set_value("edit").run()
    editor = next(t for t in at.text_area if t.label == "Il testo del passaggio")
    editor.input(first + " (deciso insieme)").run()
    click(at, "Salva come nuova versione")
    saved = section_of(demo_db, dirigente, school_protocol, "tempi")
    assert saved.version == 3 and first + " (deciso insieme)" in saved.body
    assert "(rete)" not in saved.body and "(scuola)" not in saved.body
    assert ps.pending_updates(demo_db, dirigente, school_protocol.id).text == []


def test_structure_updates_are_decided_on_the_updates_page(demo_db, actors, core, school_protocol):
    coord, dirigente = actors["coordinatore_rete"], actors["dirigente"]
    added = ps.add_core_section(demo_db, coord, core.id, "Mediazione linguistica", body="Testo della rete.\n")
    ps.remove_section(demo_db, coord, section_of(demo_db, coord, core, "allegati").id)
    publish_core(demo_db, coord, core.id)
    at = open_page("dirigente", UPDATES, school_protocol.id)
    shown = " ".join(messages(at, "markdown"))
    assert "La rete ha aggiunto la sezione «Mediazione linguistica»." in shown
    assert "La rete ha tolto la sezione «Allegati». Da voi c'è ancora, con il vostro testo." in shown
    click(at, "Aggiungila")
    click(at, "Tienila come sezione della scuola")
    assert messages(at, "success")[-1] == "Nessun aggiornamento della rete da decidere."
    titles = {s.title: s for s in protocols.list_sections(demo_db, dirigente, school_protocol.id)}
    assert titles["Mediazione linguistica"].core_section_id == added.id
    assert titles["Allegati"].kind is SectionKind.LOCAL


def test_the_core_has_no_updates_to_decide(demo_db, actors, core, school_protocol):
    network_edit(demo_db, actors["coordinatore_rete"], core, "fase_sociale", lambda b: b + "\nNuovo.\n")
    at = open_page("admin", UPDATES, core.id)
    assert messages(at, "info") == [
        "Questo è il protocollo comune: gli aggiornamenti della rete si decidono nei protocolli delle scuole."]


def test_a_title_with_markup_is_shown_as_typed(demo_db, actors, school_protocol):
    title = "**Progetto** <b>Ponti</b> [link](https://example.org)"
    protocols.add_local_section(demo_db, actors["dirigente"], school_protocol.id, title)
    at = open_page("dirigente", STRUCTURE, school_protocol.id)
    shown = [m.value for m in at.markdown if "Progetto" in m.value]
    position = len(protocols.list_sections(demo_db, actors["dirigente"], school_protocol.id))
    assert shown == [f"**{position}. {plain(title)}**"]


def test_a_school_with_its_own_protocol_links_its_sections_when_the_core_appears(demo_db, actors):
    from models.protocols import word_import as docx_import
    from tests.models.test_docx_import import docx_bytes
    from tests.models.test_section_linking import own_protocol

    dirigente = actors["dirigente"]
    protocol = docx_import.apply_import(demo_db, dirigente, "MIIS00003C",
                                        docx_import.read_sections(docx_bytes(own_protocol)))
    before = open_page("dirigente", UPDATES, protocol.id)
    assert messages(before, "success") == ["Nessun aggiornamento della rete da decidere."]
    core = protocols.create_core(demo_db, actors["coordinatore_rete"], "RETEDEMO", "secondaria_secondo_grado",
                                 "2025/26")
    publish_core(demo_db, actors["coordinatore_rete"], core.id)
    editor = open_page("dirigente", EDITOR, protocol.id)  # where the dirigente works, the news and the way there
    assert any("potete collegare le sezioni" in m for m in messages(editor, "info"))

    at = open_page("dirigente", UPDATES, protocol.id)
    assert "Collega le sezioni della scuola al protocollo comune" in [h.value for h in at.subheader]
    tempi = next(s for s in protocols.list_sections(demo_db, dirigente, protocol.id)
                 if s.title == "Tempi e responsabilità")
    chooser = next(sb for sb in at.selectbox if (sb.key or "").startswith(f"link_{tempi.id}_"))
    assert chooser.value is not None and chooser.format_func(chooser.value) == "Tempi e responsabilità"
    orto = next(s for s in protocols.list_sections(demo_db, dirigente, protocol.id) if s.title == "Il nostro orto")
    assert next(sb for sb in at.selectbox if (sb.key or "").startswith(f"link_{orto.id}_")).value is None
    assert protocols.get_protocol(demo_db, dirigente, protocol.id).core_id is None  # showing changed nothing

    click(at, "Collega", key=f"link_confirm_{tempi.id}")
    assert any("ora segue il protocollo comune" in m for m in messages(at, "success"))
    assert protocols.get_section(demo_db, dirigente, tempi.id).core_section_id is not None
    # The network's text now waits as an update, the school's text is unchanged; the tempi row is gone.
    assert "Tempi e responsabilità" in [h.value for h in at.markdown if h.value.startswith("####")][0]
    assert not [sb for sb in at.selectbox if (sb.key or "").startswith(f"link_{tempi.id}_")]
    again = open_page("dirigente", UPDATES, protocol.id)  # reloaded: the same state
    assert not [sb for sb in again.selectbox if (sb.key or "").startswith(f"link_{tempi.id}_")]
    assert [sb for sb in again.selectbox if (sb.key or "").startswith(f"link_{orto.id}_")]


def test_a_protocol_that_follows_the_core_is_not_offered_links_without_a_suggestion(demo_db, actors,
                                                                                    school_protocol):
    at = open_page("dirigente", UPDATES, school_protocol.id)
    assert messages(at, "success") == ["Nessun aggiornamento della rete da decidere."]
    assert not [sb for sb in at.selectbox if (sb.key or "").startswith("link_")]


def test_a_draft_of_the_core_is_not_offered_until_published(demo_db, actors, core, school_protocol):
    coord = actors["coordinatore_rete"]
    network_edit(demo_db, coord, core, "fase_sociale", lambda b: b + "\nIn bozza.\n")
    at = open_page("dirigente", UPDATES, school_protocol.id)
    assert messages(at, "success") == ["Nessun aggiornamento della rete da decidere."]
    publish_core(demo_db, coord, core.id, reopen=False)
    at = open_page("dirigente", UPDATES, school_protocol.id)
    assert [h.value for h in at.markdown if h.value.startswith("####")] == [
        "#### Fase sociale: la scuola e il territorio"]


def test_a_title_with_markup_is_escaped_once_in_the_message(demo_db, actors, core, school_protocol):
    coord, dirigente = actors["coordinatore_rete"], actors["dirigente"]
    title = "Fase *sociale* [rete]"
    core_section = section_of(demo_db, coord, core, "fase_sociale")
    ps.rename_section(demo_db, coord, core_section.id, title)
    network_edit(demo_db, coord, core, "fase_sociale", lambda b: b + "\nNovità.\n")
    publish_core(demo_db, coord, core.id)
    ps.decide(demo_db, dirigente, school_protocol.id, "renamed", core_section.id, True)
    at = open_page("dirigente", UPDATES, school_protocol.id)
    click(at, "Tieni il nostro testo")
    assert messages(at, "success")[0] == r"«Fase \*sociale\* \[rete\]»: tenuto il vostro testo."
