"""The catalogue and the practice editor, through AppTest: as people use them, twice in a row, with reloads."""

from models.practices import adoption, records
from models.protocols import protocol as protocols
from models.protocols import provenance
from tests.conftest import OTHER_NETWORK, OTHER_SCHOOL
from tests.models.test_practices import ACCOGLIENZA, content
from tests.pages.conftest import open_page

CATALOGUE, EDITOR, UPDATES = "pages/practices.py", "pages/practice_editor.py", "pages/protocol_updates.py"




def click(at, label):
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, at.exception
    return at


def texts(at) -> str:
    return "\n".join(str(e.value) for kind in ("markdown", "caption", "header", "subheader", "info", "success",
                                               "error") for e in getattr(at, kind))


def publish_one(db, actors, **changes):
    practice = records.create_practice(db, actors["dirigente"], content(**changes))
    return records.publish(db, actors["coordinatore_rete"], practice.id)


def test_the_catalogue_finds_a_word_in_another_form_and_opens_the_practice(demo_db, actors):
    published = publish_one(demo_db, actors)
    publish_one(demo_db, actors, title="Griglia di valutazione", problem="Valutare i progressi.",
                targets=("docenti",), evidence_indicator="", roles="", transfer="", resources="",
                steps="Una griglia comune per tutte le classi.")
    at = open_page("altro.dirigente", CATALOGUE)
    assert "2 pratiche trovate" in texts(at)
    at.text_input(key="practice_query").input("mediatore").run()  # the text says "mediatori"
    assert "1 pratica trovata" in texts(at) and "**Patto di accoglienza con i mediatori culturali**" in texts(at)
    assert "Il **mediatore** partecipa al primo colloquio" in texts(at)  # the snippet marks the word found
    at.text_input(key="practice_query").input('NEAR("(mediatore*').run()  # typed syntax: no error, a result
    assert not at.exception and "1 pratica trovata" in texts(at)
    click(at, "Apri")
    assert at.query_params["pratica"] == str(published.id)
    assert at.header[0].value == "Patto di accoglienza con i mediatori culturali"
    assert "Nessuno l'ha ancora adottata." in texts(at)
    # The other network's dirigente has no protocol yet: it is told what adoption needs.
    assert "serve un protocollo" in texts(at)
    click(at, "Torna al catalogo")
    assert "pratica" not in at.query_params and at.text_input(key="practice_query")


def test_a_filter_narrows_the_catalogue_and_nothing_found_says_so(demo_db, actors):
    publish_one(demo_db, actors)
    at = open_page("docente", CATALOGUE)
    at.multiselect(key="practice_levels").select("primaria").run()
    assert "Nessuna pratica pubblicata corrisponde" in texts(at)
    at.multiselect(key="practice_levels").unselect("primaria").select("secondaria_secondo_grado").run()
    assert "1 pratica trovata" in texts(at)
    assert not [b for b in at.button if b.label == "Adotta"]  # a teacher reads, never adopts


def test_a_dirigente_adopts_from_the_page_and_the_section_names_the_source(demo_db, actors):
    published = publish_one(demo_db, actors)
    protocols.create_core(demo_db, actors["other_coordinatore"], OTHER_NETWORK, "primaria", "2025/26")
    school = protocols.create_school_protocol(demo_db, actors["other_dirigente"], OTHER_SCHOOL)
    at = open_page("altro.dirigente", CATALOGUE, pratica=published.id)
    click(at, "Adotta")
    assert "Pratica adottata nella sezione «Patto di accoglienza con i mediatori culturali»" in texts(at)
    notes = provenance.source_notes(demo_db, school.id)
    assert list(notes.values()) == ["Dalla pratica «Patto di accoglienza con i mediatori culturali» della Rete di "
                                    "esempio, Istituto di istruzione superiore «Ponte Nuovo», versione 1."]
    assert "Istituto comprensivo altrove (Rete di un'altra provincia)" in texts(at)
    click(at, "Adotta")  # pressed again: refused in Italian, nothing added twice
    assert "già adottato la pratica" in texts(at)
    assert len(adoption.adopters(demo_db, actors["docente"], published.id)) == 1


def test_a_draft_of_another_network_is_not_opened_by_its_address(demo_db, actors):
    draft = records.create_practice(demo_db, actors["dirigente"], ACCOGLIENZA)
    at = open_page("altro.dirigente", CATALOGUE, pratica=draft.id)
    assert any("non è ancora pubblicata" in e.value for e in at.error) and not at.header
    at = open_page("altro.dirigente", CATALOGUE, pratica="abc")
    assert [e.value for e in at.error] == ["L'indirizzo indica una pratica che non esiste."]


def fill(at, values: dict[str, str]) -> None:
    for label, value in values.items():
        widget = next((t for t in at.text_input if t.label == label), None) or next(
            t for t in at.text_area if t.label == label)
        widget.input(value)


def test_the_dirigente_drafts_from_a_section_proposes_and_the_coordinator_publishes(demo_db, actors, school_protocol):
    at = open_page("dirigente", EDITOR)
    section = protocols.list_sections(demo_db, actors["dirigente"], school_protocol.id)[2]
    at.multiselect(key=f"prefill_sections_{school_protocol.id}").select(section.id).run()
    click(at, "Compila dalle sezioni")
    assert "Pratica compilata da 1 sezioni" in texts(at)
    assert next(t for t in at.text_area if t.label == "Le fasi").value.strip() == section.body.strip()
    fill(at, {"Il problema e per chi": "Le famiglie arrivano senza appuntamento e nessuno sa chi le accoglie.",
              "Contatto (un ruolo, non un indirizzo personale)": "La segreteria didattica"})
    click(at, "Crea la pratica")
    assert "salvata (versione 1)" in texts(at)
    [mine] = records.drafts(demo_db, actors["dirigente"])
    assert mine.content.linked_sections[0]["section_id"] == section.id
    click(at, "Proponi al coordinatore")
    assert "proposta al coordinatore" in texts(at)
    assert not [b for b in at.button if b.label == "Pubblica per tutte le reti"]  # the dirigente never publishes

    coordinator = open_page("coordinatrice", EDITOR)
    coordinator.selectbox[0].select(mine.id).run()
    click(coordinator, "Pubblica per tutte le reti")
    assert "Pratica pubblicata (versione 1)" in texts(coordinator)
    assert records.get_practice(demo_db, actors["other_dirigente"], mine.id).published_version == 1
    # The dirigente edits again: a new version, a draft until the coordinator publishes it.
    at = open_page("dirigente", EDITOR)
    at.selectbox[0].select(mine.id).run()
    fill(at, {"Durata": "Tutto l'anno"})
    click(at, "Salva come nuova versione")
    assert "salvata (versione 2)" in texts(at) and "le altre reti leggono la versione 1" in texts(at)


def test_a_pupil_code_in_the_form_is_refused_and_the_typed_text_stays(pupils_db, actors):
    code = pupils_db.execute("SELECT pupil_code FROM attendance LIMIT 1").fetchone()[0]
    at = open_page("dirigente", EDITOR)
    fill(at, {"Titolo": "Accoglienza di metà anno", "Il problema e per chi": f"Il caso di {code}.",
              "Le fasi": "1. Colloquio."})
    next(m for m in at.multiselect if m.label == "Grado scolastico").select("secondaria_secondo_grado")
    click(at, "Crea la pratica")
    assert any("«Il problema e per chi» contiene il codice di un alunno" in e.value for e in at.error)
    assert next(t for t in at.text_input if t.label == "Titolo").value == "Accoglienza di metà anno"
    assert records.drafts(pupils_db, actors["dirigente"]) == []


def test_a_later_version_is_offered_on_the_updates_page_and_taken(demo_db, actors):
    published = publish_one(demo_db, actors)
    protocols.create_core(demo_db, actors["other_coordinatore"], OTHER_NETWORK, "primaria", "2025/26")
    school = protocols.create_school_protocol(demo_db, actors["other_dirigente"], OTHER_SCHOOL)
    adoption.adopt(demo_db, actors["other_dirigente"], published.id, school.id)
    at = open_page("altro.dirigente", UPDATES, protocollo=school.id)
    assert "Nessun aggiornamento della rete da decidere." in texts(at)
    records.save_practice(demo_db, actors["dirigente"], published.id, content(duration="Da settembre a giugno"), 1)
    records.publish(demo_db, actors["coordinatore_rete"], published.id)
    at = open_page("altro.dirigente", UPDATES, protocollo=school.id)
    assert "Aggiornamenti delle buone pratiche adottate" in texts(at) and "versione 2" in texts(at)
    click(at, "Salva come nuova versione")
    assert "con l'aggiornamento della pratica" in texts(at)
    section = protocols.get_section(demo_db, actors["other_dirigente"], next(iter(provenance.source_notes(
        demo_db, school.id))))
    assert "Da settembre a giugno" in section.body
    assert "Nessun aggiornamento della rete da decidere." in texts(at)  # after the rerun, nothing left


def test_the_editor_shows_where_an_adopted_section_came_from(demo_db, actors):
    published = publish_one(demo_db, actors)
    protocols.create_core(demo_db, actors["other_coordinatore"], OTHER_NETWORK, "primaria", "2025/26")
    school = protocols.create_school_protocol(demo_db, actors["other_dirigente"], OTHER_SCHOOL)
    section = adoption.adopt(demo_db, actors["other_dirigente"], published.id, school.id)
    at = open_page("altro.dirigente", "pages/protocol_editor.py", protocollo=school.id)
    chooser = next(sb for sb in at.selectbox if sb.label == "Sezione")
    chooser.select_index(next(i for i, o in enumerate(chooser.options) if section.title in o)).run()
    assert any(c.value.startswith("Dalla pratica «Patto di accoglienza con i mediatori culturali» della Rete di "
                                  "esempio") for c in at.caption)


def test_the_admin_edits_existing_practices_but_starts_none(demo_db, actors):
    at = open_page("admin", EDITOR)
    assert [i.value for i in at.info] == ["Nessuna pratica da modificare: le scrivono i dirigenti e i coordinatori "
                                          "delle reti."]
    practice = records.create_practice(demo_db, actors["dirigente"], ACCOGLIENZA)
    at = open_page("admin", EDITOR)
    assert at.selectbox[0].options == [f"{ACCOGLIENZA.title} · Bozza · v1"]
    click(at, "Pubblica per tutte le reti")
    assert records.get_practice(demo_db, actors["other_dirigente"], practice.id).published_version == 1
