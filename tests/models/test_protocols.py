import threading

import pytest

from models.core import db as database
from models.core.errors import ApprodoError, PermissionDenied
from models.protocols import comments, diffs
from models.protocols import protocol as protocols
from models.protocols import structure as ps
from models.protocols.protocol import SaveConflict, Status
from models.protocols.templates import SectionKind
from tests.conftest import actor_named, publish_core


def section(db, actor, protocol, key):
    return next(s for s in protocols.list_sections(db, actor, protocol.id) if s.key == key)


# --- creation ----------------------------------------------------------------


def test_core_has_the_template_sections_except_local_ones(demo_db, actors, core):
    sections = protocols.list_sections(demo_db, actors["coordinatore_rete"], core.id)
    assert [s.key for s in sections][:3] == ["premessa", "destinatari", "riferimenti_normativi"]
    assert SectionKind.LOCAL not in {s.kind for s in sections}
    assert core.status is Status.BOZZA and core.is_core


def test_school_protocol_inherits_the_core_and_adds_local_sections(demo_db, actors, core, school_protocol):
    dirigente = actors["dirigente"]
    school_sections = protocols.list_sections(demo_db, dirigente, school_protocol.id)
    core_sections = protocols.list_sections(demo_db, dirigente, core.id)
    assert [s.body for s in school_sections[: len(core_sections)]] == [s.body for s in core_sections]
    assert school_sections[-1].kind is SectionKind.LOCAL
    assert all(s.core_section_id for s in school_sections if s.kind is not SectionKind.LOCAL)


def test_the_network_core_is_found_by_level_and_only_for_who_may_read_it(demo_db, actors, core):
    from models.accounts.schools import Level

    coordinator = actors["coordinatore_rete"]
    assert protocols.network_core(demo_db, coordinator, "RETEDEMO").id == core.id  # the only core: no level needed
    protocols.create_core(demo_db, coordinator, "RETEDEMO", "primaria", "2025/26")
    with pytest.raises(ApprodoError, match="più protocolli comuni: scegli il grado con --level"):
        protocols.network_core(demo_db, coordinator, "RETEDEMO", choose="il grado con --level")
    assert protocols.network_core(demo_db, coordinator, "RETEDEMO", Level.SECONDARIA_SECONDO_GRADO).id == core.id
    with pytest.raises(ApprodoError, match="non ha un protocollo comune per questo grado"):
        protocols.network_core(demo_db, coordinator, "RETEDEMO", Level.SECONDARIA_PRIMO_GRADO)
    with pytest.raises(PermissionDenied):
        protocols.network_core(demo_db, actor_named(demo_db, "altro.coord"), "RETEDEMO")


def test_only_the_coordinator_or_admin_creates_the_core(demo_db, actors):
    for role in ["dirigente", "funzione_strumentale", "docente", "other_coordinatore"]:
        with pytest.raises(PermissionDenied):
            protocols.create_core(demo_db, actors[role], "RETEDEMO", "primaria", "2025/26")


def test_a_school_cannot_start_a_protocol_before_its_network_has_a_core(demo_db, actors):
    with pytest.raises(ApprodoError, match="non ha ancora un protocollo comune"):
        protocols.create_school_protocol(demo_db, actors["dirigente"], "MIIS00003C")


def test_one_core_per_level_and_one_protocol_per_school(demo_db, actors, school_protocol):
    with pytest.raises(ApprodoError, match="già un protocollo comune"):
        protocols.create_core(demo_db, actors["coordinatore_rete"], "RETEDEMO", "secondaria_secondo_grado", "2025/26")
    with pytest.raises(ApprodoError, match="già il suo protocollo"):
        protocols.create_school_protocol(demo_db, actors["dirigente"], "MIIS00003C")


# --- reading scope -----------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees_school", "sees_core"),
    [
        ("admin", True, True),
        ("coordinatore_rete", True, True),
        ("dirigente", True, True),
        ("funzione_strumentale", True, True),
        ("docente", True, True),
        ("other_dirigente", False, False),
        ("other_coordinatore", False, False),
    ],
)
def test_who_reads_which_protocol(demo_db, actors, core, school_protocol, role, sees_school, sees_core):
    visible = {p.id for p in protocols.list_protocols(demo_db, actors[role])}
    assert (school_protocol.id in visible) is sees_school
    assert (core.id in visible) is sees_core
    if not sees_school:
        with pytest.raises(PermissionDenied):
            protocols.get_protocol(demo_db, actors[role], school_protocol.id)
        first = protocols.list_sections(demo_db, actors["admin"], school_protocol.id)[0]
        with pytest.raises(PermissionDenied):
            protocols.get_section(demo_db, actors[role], first.id)
        with pytest.raises(PermissionDenied):
            protocols.section_history(demo_db, actors[role], first.id)


def test_staff_of_a_sister_school_cannot_read_another_schools_protocol(demo_db, actors, system, school_protocol):
    from models.accounts import auth
    from models.demo import demo

    auth.create_user(demo_db, system, "dir.primaria", demo.DEMO_PASSWORD, "dirigente", school_code="MIEE00001A")
    with pytest.raises(PermissionDenied):
        protocols.get_protocol(demo_db, actor_named(demo_db, "dir.primaria"), school_protocol.id)


# --- versions and conflicts ----------------------------------------------------


def test_every_save_is_a_new_version_with_author_and_base(demo_db, actors, school_protocol):
    dirigente = actors["dirigente"]
    s = section(demo_db, dirigente, school_protocol, "soggetti")
    saved = protocols.save_section(demo_db, dirigente, s.id, s.body + "\nAggiunta.", s.version, "prima modifica")
    assert saved.version == 2
    again = protocols.save_section(demo_db, dirigente, s.id, saved.body + "\nAncora.", 2)
    history = protocols.section_history(demo_db, dirigente, s.id)
    assert [v.version for v in history] == [3, 2, 1]
    assert history[0].author == "dirigente" and history[0].base_version == 2
    assert history[1].note == "prima modifica"
    assert again.body.endswith("Ancora.")
    assert protocols.get_protocol(demo_db, dirigente, school_protocol.id).revision == 3


def test_a_stale_save_is_refused_and_carries_both_texts(demo_db, actors, system, school_protocol):
    dirigente = actors["dirigente"]
    s = section(demo_db, dirigente, school_protocol, "tempi")
    protocols.save_section(demo_db, actors["admin"], s.id, s.body + "\nDell'admin.", s.version)
    with pytest.raises(SaveConflict) as conflict:
        protocols.save_section(demo_db, dirigente, s.id, s.body + "\nDel dirigente.", s.version)
    assert conflict.value.theirs.body.endswith("Dell'admin.") and conflict.value.theirs.author == "admin"
    assert conflict.value.yours.endswith("Del dirigente.")
    assert "Amministratore demo ha salvato questa sezione" in conflict.value.message
    assert protocols.get_section(demo_db, dirigente, s.id).body.endswith("Dell'admin.")
    assert len(protocols.section_history(demo_db, dirigente, s.id)) == 2


def test_a_conflict_with_ones_own_other_tab_names_nobody(demo_db, actors, school_protocol):
    dirigente = actors["dirigente"]
    s = section(demo_db, dirigente, school_protocol, "tempi")
    protocols.save_section(demo_db, dirigente, s.id, s.body + "\nDalla prima scheda.", s.version)
    with pytest.raises(SaveConflict) as conflict:
        protocols.save_section(demo_db, dirigente, s.id, s.body + "\nDalla seconda scheda.", s.version)
    assert conflict.value.own
    assert conflict.value.message.startswith("Hai salvato questa sezione da un'altra scheda o finestra (versione 2")
    assert "Dirigente" not in conflict.value.message and "dirigente" not in conflict.value.message.split("(")[0]


def test_concurrent_saves_on_one_base_land_exactly_once(db_path, demo_db, actors, school_protocol):
    s = section(demo_db, actors["dirigente"], school_protocol, "allegati")
    outcomes = []

    def save(text):
        conn = database.connect(db_path)
        try:
            protocols.save_section(conn, actors["dirigente"], s.id, text, s.version)
            outcomes.append("saved")
        except SaveConflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=save, args=(f"Testo {n}",)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict"] * 5 + ["saved"]
    assert len(protocols.section_history(demo_db, actors["dirigente"], s.id)) == 2


def test_an_unchanged_text_is_not_a_new_version(demo_db, actors, school_protocol):
    s = section(demo_db, actors["dirigente"], school_protocol, "soggetti")
    with pytest.raises(ApprodoError, match="non è cambiato"):
        protocols.save_section(demo_db, actors["dirigente"], s.id, s.body, s.version)


@pytest.mark.parametrize("payload", ["{{ ''.__class__.__mro__ }}", "{% for x in y %}{% endfor %}",
                                     "{{ scuola.password }}", "# Titolo"])
def test_injection_and_unknown_placeholders_are_refused_and_nothing_is_saved(demo_db, actors, school_protocol,
                                                                             payload):
    s = section(demo_db, actors["dirigente"], school_protocol, "soggetti")
    with pytest.raises(ApprodoError):
        protocols.save_section(demo_db, actors["dirigente"], s.id, s.body + "\n\n" + payload, s.version)
    assert protocols.get_section(demo_db, actors["dirigente"], s.id).version == 1


def test_html_and_sql_in_text_are_stored_verbatim(demo_db, actors, school_protocol):
    s = section(demo_db, actors["dirigente"], school_protocol, "soggetti")
    text = "Robert'); DROP TABLE protocols;-- <script>x</script> & «virgolette» “curve”"
    saved = protocols.save_section(demo_db, actors["dirigente"], s.id, text, s.version)
    assert saved.body == text and "protocols" in demo_db.table_names()


@pytest.mark.parametrize("role", ["funzione_strumentale", "docente", "coordinatore_rete", "other_dirigente"])
def test_who_cannot_edit_a_school_protocol(demo_db, actors, school_protocol, role):
    s = section(demo_db, actors["admin"], school_protocol, "soggetti")
    with pytest.raises(PermissionDenied):
        protocols.save_section(demo_db, actors[role], s.id, "nuovo testo", s.version)


def test_locked_sections_cannot_be_changed_by_the_school(demo_db, actors, school_protocol):
    s = section(demo_db, actors["dirigente"], school_protocol, "premessa")
    assert s.kind is SectionKind.CORE_LOCKED
    with pytest.raises(PermissionDenied, match="comune a tutta la rete"):
        protocols.save_section(demo_db, actors["dirigente"], s.id, "altro", s.version)


def test_local_sections_can_be_added_by_the_dirigente(demo_db, actors, school_protocol):
    added = protocols.add_local_section(demo_db, actors["dirigente"], school_protocol.id, "Progetto «Ponti»")
    assert added.kind is SectionKind.LOCAL and added.key.startswith("locale_")
    protocols.save_section(demo_db, actors["dirigente"], added.id, "Il nostro progetto.", added.version)
    with pytest.raises(PermissionDenied):
        protocols.add_local_section(demo_db, actors["funzione_strumentale"], school_protocol.id, "X")


# --- updates from the core -----------------------------------------------------


def test_a_core_change_reaches_the_school_as_an_update_to_take(demo_db, actors, core, school_protocol):
    coordinator, dirigente = actors["coordinatore_rete"], actors["dirigente"]
    core_section = section(demo_db, coordinator, core, "fase_sociale")
    protocols.save_section(demo_db, coordinator, core_section.id, core_section.body + "\nNuovo servizio.",
                           core_section.version)
    publish_core(demo_db, coordinator, core.id)
    updates = protocols.core_updates(demo_db, dirigente, school_protocol.id)
    assert [u.section.key for u in updates] == ["fase_sociale"]
    assert updates[0].core_body.endswith("Nuovo servizio.") and updates[0].may_keep
    pieces = diffs.word_diff(updates[0].section.body, updates[0].core_body)
    assert diffs.summary(pieces) == (2, 0)
    update = ps.text_update(demo_db, dirigente, updates[0].section.id)
    taken = ps.take_text_update(demo_db, dirigente, update.section.id, update.theirs,
                                base_version=update.section.version, core_version=update.core_version)
    assert taken.body.endswith("Nuovo servizio.") and taken.version == 2
    assert protocols.core_updates(demo_db, dirigente, school_protocol.id) == []


def test_a_school_may_keep_its_adapted_text(demo_db, actors, core, school_protocol):
    coordinator, dirigente = actors["coordinatore_rete"], actors["dirigente"]
    mine = section(demo_db, dirigente, school_protocol, "fase_sociale")
    protocols.save_section(demo_db, dirigente, mine.id, "La nostra versione.", mine.version)
    core_section = section(demo_db, coordinator, core, "fase_sociale")
    protocols.save_section(demo_db, coordinator, core_section.id, "La versione della rete.", core_section.version)
    publish_core(demo_db, coordinator, core.id)
    update = ps.text_update(demo_db, dirigente, mine.id)
    ps.keep_school_text(demo_db, dirigente, mine.id, core_version=update.core_version)
    assert protocols.core_updates(demo_db, dirigente, school_protocol.id) == []
    assert protocols.get_section(demo_db, dirigente, mine.id).body == "La nostra versione."


def test_locked_updates_must_be_taken(demo_db, actors, core, school_protocol):
    coordinator, dirigente = actors["coordinatore_rete"], actors["dirigente"]
    core_section = section(demo_db, coordinator, core, "premessa")
    protocols.save_section(demo_db, coordinator, core_section.id, "Premessa nuova.", core_section.version)
    publish_core(demo_db, coordinator, core.id)
    (update,) = protocols.core_updates(demo_db, dirigente, school_protocol.id)
    assert not update.may_keep
    with pytest.raises(ApprodoError, match="va accolto"):
        ps.keep_school_text(demo_db, dirigente, update.section.id, core_version=update.core_version)


# --- workflow ----------------------------------------------------------------


def test_the_workflow_from_draft_to_published(demo_db, actors, school_protocol):
    dirigente = actors["dirigente"]
    assert protocols.allowed_transitions(dirigente, school_protocol) == [Status.IN_REVISIONE]
    protocols.move(demo_db, dirigente, school_protocol.id, "in_revisione")
    with pytest.raises(ApprodoError, match="data della delibera"):
        protocols.move(demo_db, dirigente, school_protocol.id, "approvato", deliberation_number="12")
    approved = protocols.move(demo_db, dirigente, school_protocol.id, "approvato",
                              deliberation_date="15/10/2025", deliberation_number="12")
    assert (approved.deliberation_date, approved.deliberation_number) == ("15/10/2025", "12")
    s = section(demo_db, dirigente, school_protocol, "soggetti")
    with pytest.raises(ApprodoError, match="nuova revisione"):
        protocols.save_section(demo_db, dirigente, s.id, "x", s.version)
    published = protocols.move(demo_db, dirigente, school_protocol.id, "pubblicato")
    assert published.status is Status.PUBBLICATO
    log = protocols.events(demo_db, dirigente, school_protocol.id)
    assert [e["to_status"] for e in log] == ["bozza", "in_revisione", "approvato", "pubblicato"]
    assert log[2]["detail"] == "collegio dei docenti, delibera n. 12 del 15/10/2025" and log[2]["actor"] == "dirigente"


def test_skipping_a_step_is_refused(demo_db, actors, school_protocol):
    with pytest.raises(ApprodoError, match="non può passare"):
        protocols.move(demo_db, actors["dirigente"], school_protocol.id, "pubblicato")


@pytest.mark.parametrize("role", ["funzione_strumentale", "docente", "coordinatore_rete", "other_dirigente"])
def test_only_the_dirigente_or_admin_moves_a_school_protocol(demo_db, actors, school_protocol, role):
    with pytest.raises(PermissionDenied):
        protocols.move(demo_db, actors[role], school_protocol.id, "in_revisione")
    assert protocols.allowed_transitions(actors[role], school_protocol) == []


def test_the_coordinator_moves_the_core(demo_db, actors, core):
    moved = protocols.move(demo_db, actors["coordinatore_rete"], core.id, "in_revisione")
    assert moved.status is Status.IN_REVISIONE
    with pytest.raises(PermissionDenied):
        protocols.move(demo_db, actors["dirigente"], core.id, "bozza")


# --- comments ----------------------------------------------------------------


def test_comments_add_reply_resolve(demo_db, actors, school_protocol):
    s = section(demo_db, actors["dirigente"], school_protocol, "tempi")
    question = comments.add_comment(demo_db, actors["funzione_strumentale"], s.id, "Cinque giorni bastano?")
    comments.add_comment(demo_db, actors["dirigente"], s.id, "Sì, con il mediatore.", parent_id=question.id)
    assert comments.open_count(demo_db, actors["dirigente"], school_protocol.id) == {s.id: 1}
    comments.resolve_comment(demo_db, actors["dirigente"], question.id)
    thread = comments.list_comments(demo_db, actors["docente"], s.id)
    assert [(c.author, c.parent_id is None, c.resolved) for c in thread] == [
        ("funzione", True, True), ("dirigente", False, False)]
    assert comments.open_count(demo_db, actors["dirigente"], school_protocol.id) == {}


def test_teachers_read_comments_but_do_not_write(demo_db, actors, school_protocol):
    s = section(demo_db, actors["dirigente"], school_protocol, "tempi")
    with pytest.raises(PermissionDenied):
        comments.add_comment(demo_db, actors["docente"], s.id, "Io?")
    with pytest.raises(PermissionDenied):
        comments.add_comment(demo_db, actors["other_dirigente"], s.id, "Curioso")


def test_core_comments_are_open_to_the_network(demo_db, actors, core):
    s = section(demo_db, actors["coordinatore_rete"], core, "tempi")
    comments.add_comment(demo_db, actors["dirigente"], s.id, "Proposta: 3 giorni.")
    assert [c.author for c in comments.list_comments(demo_db, actors["coordinatore_rete"], s.id)] == ["dirigente"]


# --- placeholders in context ---------------------------------------------------


def test_preview_fills_the_school_facts(demo_db, actors, school_protocol):
    from models.accounts import schools
    from models.protocols import richtext

    schools.update_school_facts(demo_db, actors["dirigente"], "MIIS00003C", comune="Valfiorita (MI)",
                                dirigente_name="Marco Bianchi", referente_intercultura="Sara Galli")
    s = section(demo_db, actors["dirigente"], school_protocol, "premessa")
    blocks = protocols.rendered_blocks(demo_db, actors["dirigente"], school_protocol, s.body)
    first = richtext.plain_text(blocks[0].runs)
    assert "Istituto di istruzione superiore «Ponte Nuovo» (MIIS00003C)" in first
    assert "Rete di esempio" in first and "2025/26" in first
    assert "{{" not in richtext.to_html(blocks)


def test_network_status_lists_every_school(demo_db, actors, school_protocol):
    rows = protocols.network_status(demo_db, actors["coordinatore_rete"], "RETEDEMO")
    by_code = {r["school_code"]: r for r in rows}
    assert len(rows) == 4
    assert by_code["MIIS00003C"]["status"] == "Bozza" and by_code["MIIS00003C"]["versions"] == 12
    assert by_code["MIEE00001A"]["status"] == ""
    with pytest.raises(PermissionDenied):
        protocols.network_status(demo_db, actors["other_coordinatore"], "RETEDEMO")
