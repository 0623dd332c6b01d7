"""Proposte alla rete and the proposal form of the editor, and the Vista regionale, through AppTest."""

import pytest

from models.accounts import auth
from models.core.school_year import SchoolYear
from models.demo import demo, synthetic
from models.protocols import proposals
from models.protocols import protocol as protocols
from models.pupils import importing as pupil_data
from tests.conftest import OTHER_NETWORK, OTHER_SCHOOL, actor_named, publish_core
from tests.pages.conftest import log_in, new_app, open_page

EDITOR, PROPOSALS, REGIONAL = "pages/protocol_editor.py", "pages/proposals.py", "pages/regional.py"
ADDED = "Il primo colloquio si fa sempre con il mediatore culturale."


@pytest.fixture
def second_dirigente(demo_db, system):
    auth.create_user(demo_db, system, "dirigente.arti", demo.DEMO_PASSWORD, "dirigente", school_code="MIRI00004D",
                     full_name="Giulia Neri")
    return actor_named(demo_db, "dirigente.arti")


def button(at, label):
    return next(b for b in at.button if b.label == label)


def messages(at, kind):
    return [e.value for e in getattr(at, kind)]




def test_a_dirigente_proposes_from_the_editor_and_the_proposal_reaches_the_network(demo_db, actors, core,
                                                                                   school_protocol):
    at = open_page("dirigente", EDITOR, protocollo=school_protocol.id)
    chooser = next(sb for sb in at.selectbox if sb.label == "Sezione")
    chooser.select_index(next(i for i, label in enumerate(chooser.options) if "Tempi" in label)).run()
    proposed = next(t for t in at.text_area if t.label == "Testo proposto per la rete")
    core_tempi = next(s for s in protocols.list_sections(demo_db, actors["dirigente"], core.id) if s.key == "tempi")
    assert proposed.value == core_tempi.body  # starts from the network's text
    proposed.input(core_tempi.body + "\n" + ADDED + "\n")
    button(at, "Invia la proposta").click().run()
    assert "Scrivi perché proponete questa modifica alla rete." in messages(at, "error")
    assert not demo_db.execute("SELECT COUNT(*) FROM core_proposals").fetchone()[0]
    # The refused form keeps the proposed text: only the reason is to add.
    assert next(t for t in at.text_area if t.label == "Testo proposto per la rete").value == \
        core_tempi.body + "\n" + ADDED + "\n"
    next(t for t in at.text_area if t.label == "Perché lo proponete").input("Il mediatore fa la differenza.")
    button(at, "Invia la proposta").click().run()
    assert not at.exception, at.exception
    (made,) = proposals.list_proposals(demo_db, actors["dirigente"], "RETEDEMO")
    assert messages(at, "success") == [f"Proposta n. {made.id} inviata alla rete."]
    assert made.body.endswith(ADDED + "\n") and made.reason == "Il mediatore fa la differenza."
    assert any("1 aperta" in c.value for c in at.caption)  # the editor now says the section has one

    # A teacher of the school reads it, with the diff, and has no button.
    at = open_page("docente", PROPOSALS)
    table = at.dataframe[0].value
    assert list(table["Sezione"]) == ["Tempi e responsabilità"] and list(table["Stato"]) == ["Aperta"]
    shown = " ".join(h.proto.body for h in at.get("html"))
    rendered, summary, source = shown.partition("<summary>Mostra il testo sorgente</summary>")
    # The proposal's diff as it reads (the unchanged timetable folded away), the source one click away.
    assert f'<td class="new"><ins><span class="approdo-sr">inserito: </span>{ADDED}</ins></td>' in rendered
    assert summary and '<ins><span class="approdo-sr">inserito: </span>' + ADDED in source
    assert "Il mediatore fa la differenza." in [t.value for t in at.text]
    assert not [b for b in at.button if b.label in ("La nostra scuola sostiene questa proposta",
                                                    "Accogli la proposta", "Ritira la proposta")]


@pytest.fixture
def proposal(demo_db, actors, core, school_protocol):
    section = next(s for s in protocols.list_sections(demo_db, actors["dirigente"], core.id) if s.key == "tempi")
    return proposals.propose(demo_db, actors["dirigente"], section.id, section.body + "\n" + ADDED + "\n",
                             "Il mediatore fa la differenza.")


def test_another_school_supports_once_and_comments(demo_db, proposal, second_dirigente):
    at = open_page("dirigente.arti", PROPOSALS, proposta=proposal.id)
    button(at, "La nostra scuola sostiene questa proposta").click().run()
    assert messages(at, "success") == ["Avete sostenuto la proposta."]
    assert not [b for b in at.button if b.label == "La nostra scuola sostiene questa proposta"]
    assert any("Istituto professionale «Arti e Mestieri» (Giulia Neri" in m.value for m in at.markdown)
    next(t for t in at.text_area if t.label == "Scrivi un commento alla proposta").input("Siamo d'accordo.")
    next(b for b in at.get("form_submit_button") if b.label == "Invia").click().run()
    assert "Siamo d'accordo." in [t.value for t in at.text]
    at.run()  # again: still one support
    assert list(at.dataframe[0].value["Sostegni"]) == [1]
    button(at, "Ritira il sostegno della nostra scuola").click().run()
    assert messages(at, "success") == ["Avete ritirato il sostegno alla proposta."]
    assert list(at.dataframe[0].value["Sostegni"]) == [0]
    assert [b for b in at.button if b.label == "La nostra scuola sostiene questa proposta"]


def test_the_coordinator_accepts_and_the_school_sees_the_update(demo_db, actors, core, proposal):
    at = open_page("coordinatrice", PROPOSALS, proposta=proposal.id)
    button(at, "Accogli la proposta").click().run()
    assert not at.exception, at.exception
    version = proposals.get_proposal(demo_db, actors["admin"], proposal.id).core_version
    assert messages(at, "success")[0] == (f"Proposta accolta: versione {version} della sezione comune. Le scuole "
                                          "la ricevono quando pubblicate il protocollo comune.")
    # The open list is empty now; the proposal, still opened by its address, says who accepted it and no longer
    # offers the decision.
    assert "Nessuna proposta da mostrare." in [c.value for c in at.caption]
    assert any(m.startswith("Accolta da Laura Rossi") and f"versione {version}" in m for m in messages(at, "success"))
    assert not [b for b in at.button if b.label == "Accogli la proposta"]
    publish_core(demo_db, actors["coordinatore_rete"], core.id)
    updates = open_page("dirigente", "pages/protocol_updates.py", protocollo=proposal_school(demo_db, actors))
    assert any("Tempi e responsabilità" in m.value for m in updates.markdown)


def proposal_school(db, actors):
    return protocols.school_protocol(db, actors["dirigente"], "MIIS00003C").id


def test_a_decline_without_a_reason_is_refused_then_recorded(demo_db, actors, proposal):
    at = open_page("coordinatrice", PROPOSALS, proposta=proposal.id)
    decline = next(b for b in at.get("form_submit_button") if b.label == "Respingi la proposta")
    decline.click().run()
    assert any("Scrivi perché" in e for e in messages(at, "error"))
    assert proposals.get_proposal(demo_db, actors["admin"], proposal.id).is_open
    next(t for t in at.text_area if t.label.startswith("Perché non la accogli")).input("Ne parliamo a giugno.")
    next(b for b in at.get("form_submit_button") if b.label == "Respingi la proposta").click().run()
    declined = proposals.get_proposal(demo_db, actors["admin"], proposal.id)
    assert declined.status is proposals.ProposalStatus.RESPINTA and declined.decision_reason == "Ne parliamo a giugno."
    # The author reads the decision and its reason among the declined ones.
    at = open_page("dirigente", PROPOSALS, proposta=proposal.id)
    assert "Motivazione: Ne parliamo a giugno." in [t.value for t in at.text]


def test_a_conflict_with_a_later_core_change_asks_for_a_choice(demo_db, actors, core, proposal):
    coordinator = actors["coordinatore_rete"]
    section = protocols.get_section(demo_db, coordinator, proposal.core_section_id)
    protocols.save_section(demo_db, coordinator, section.id, section.body + "\nAltra regola della rete.\n",
                           section.version)
    at = open_page("coordinatrice", PROPOSALS, proposta=proposal.id)
    assert button(at, "Accogli la proposta").disabled
    choice = next(r for r in at.radio if r.label == "Quale testo tenere")
    choice.set_value("both").run()
    button(at, "Accogli la proposta").click().run()
    assert not at.exception, at.exception
    body = protocols.get_section(demo_db, coordinator, section.id).body
    assert "Altra regola della rete." in body and ADDED in body


def test_a_twin_of_an_accepted_proposal_has_nothing_to_accept(demo_db, actors, proposal, second_dirigente):
    # The same school cannot send the same text twice; another school can, unaware of the first.
    section = protocols.get_section(demo_db, second_dirigente, proposal.core_section_id)
    twin = proposals.propose(demo_db, second_dirigente, section.id, proposal.body, "Anche da noi.")
    proposals.accept(demo_db, actors["coordinatore_rete"], proposal.id)
    at = open_page("coordinatrice", PROPOSALS, proposta=twin.id)
    assert any(i.startswith("Il protocollo comune contiene già questo testo") for i in messages(at, "info"))
    assert button(at, "Accogli la proposta").disabled
    assert any(b.label == "Respingi la proposta" for b in at.get("form_submit_button"))


def test_the_author_withdraws(demo_db, actors, proposal):
    at = open_page("dirigente", PROPOSALS, proposta=proposal.id)
    button(at, "Ritira la proposta").click().run()
    assert messages(at, "success") == ["Proposta ritirata."]
    assert proposals.get_proposal(demo_db, actors["admin"], proposal.id).status is proposals.ProposalStatus.RITIRATA


def test_a_proposal_of_another_network_by_url_shows_nothing(demo_db, actors, system, proposal):
    at = open_page("altro.dirigente", PROPOSALS, proposta=proposal.id)
    assert ADDED not in " ".join(h.proto.body for h in at.get("html"))
    assert any("propria rete" in e for e in messages(at, "error"))


@pytest.fixture
def two_networks_with_pupils(demo_db, system):
    # Two schools with data in each network: a network whose only school with data is one school reads
    # «n.d.» in the regional view (models/core/suppression.py, rule 2), which is not what this view is for.
    from models.accounts import schools

    schools.create_school(demo_db, system, "BGIC00010X", "Istituto comprensivo vicino", OTHER_NETWORK, "primaria")
    for code, level, prefix, seed in (("MIIS00003C", "secondaria_secondo_grado", "S", 3),
                                      ("MIMM00002B", "secondaria_primo_grado", "M", 5),
                                      (OTHER_SCHOOL, "primaria", "ZZ", 9), ("BGIC00010X", "primaria", "YY", 7)):
        cohort = synthetic.generate(level, 60, [SchoolYear(2025)], seed=seed, last_month=2, prefix=prefix)
        pupil_data.import_attendance(demo_db, system, code, synthetic.attendance_csv(cohort), "f.csv")
    return demo_db


def test_the_regional_view_shows_each_network_side_by_side(two_networks_with_pupils):
    at = open_page("regione", REGIONAL)
    assert [t.value for t in at.title] == ["Vista regionale"]
    tables = [t.value for t in at.table]
    months = tables[1]
    assert list(months.columns) == ["Rete di esempio", "Rete di un'altra provincia"]
    assert list(months.index)[:2] == ["settembre 2025", "ottobre 2025"]
    assert all(str(v).endswith(" %") or v in ("n.d. (meno di 5 casi)", "—") for v in months.to_numpy().ravel())
    assert all(any(str(v).endswith(" %") for v in months[network]) for network in months.columns)
    levels = tables[2]
    assert set(levels.index) == {"Rete di un'altra provincia", "Rete di esempio"}
    assert "Istituto" not in " ".join(map(str, levels.index))  # never a school's row
    assert not at.exception


def test_the_home_page_counts_in_italian_and_the_region_does_not_administer(demo_db, actors):
    from models.accounts import schools

    networks = len(schools.list_networks(demo_db, actors["admin"]))
    assert networks > 1  # the fixtures' second network: plurals and the heading for several networks
    region = open_page("regione", "pages/home.py")
    assert any(m.value.startswith(f"Il programma conta **{networks} reti** e ") for m in region.markdown)
    admin = open_page("admin", "pages/home.py")
    assert any(m.value.startswith(f"Amministri **{networks} reti** e ") for m in admin.markdown)
    assert [h.value for h in admin.subheader] == ["Le scuole delle reti"]


def test_the_regional_partner_menu_has_only_the_regional_view(demo_db):
    at = log_in(new_app(), "regione")
    assert not at.exception
    at.switch_page(REGIONAL).run()
    with pytest.raises(ValueError):
        at.switch_page("pages/risk.py")


def test_the_admin_creates_a_regional_account_that_sees_only_the_regional_view(demo_db):
    at = open_page("admin", "pages/admin.py")
    fields = {}  # the first widget of each label: the new-user form comes first
    for widget in [*at.text_input, *at.selectbox]:
        fields.setdefault(widget.label, widget)
    fields["Nome utente"].input("r.lombardia")
    fields["Nome e cognome"].input("Referente della Regione")
    fields["Ruolo"].select_index(next(i for i, o in enumerate(fields["Ruolo"].options) if o.startswith("Regione")))
    fields["Password iniziale (almeno 10 caratteri)"].input("una-password-lunga")
    next(b for b in at.get("form_submit_button") if b.proto.form_id.startswith("add_user")).click().run()
    assert not at.exception, at.exception
    assert "Utente r.lombardia creato." in messages(at, "success")
    created = actor_named(demo_db, "r.lombardia")
    assert created.role.value == "regione" and created.school_code is None and created.network_code is None
    at = log_in(new_app(), "r.lombardia", "una-password-lunga")
    at.switch_page(REGIONAL).run()
    assert [t.value for t in at.title] == ["Vista regionale"]
