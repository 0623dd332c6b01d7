import pytest

from models.demo import demo
from tests.pages.conftest import log_in, new_app
from ui.navigation import PAGES

PAGE_FILES = [spec.path for spec in PAGES]
EVERYONE = {"pages/home.py", "pages/protocols.py", "pages/protocol_editor.py", "pages/protocol_history.py",
            "pages/proposals.py", "pages/practices.py"}
SCHOOL_STAFF = {"pages/risk.py", "pages/pupil.py", "pages/data_upload.py", "pages/network.py", "pages/model.py",
                "pages/obligation.py"}
STRUCTURE, UPDATES = "pages/protocol_structure.py", "pages/protocol_updates.py"
LETTERS = "pages/letters.py"  # the network's letter texts: the coordinator edits, the school reads
DRAFTING = "pages/practice_editor.py"
ALLOWED = {
    "admin": EVERYONE | {"pages/admin.py", "pages/network.py", "pages/model.py", STRUCTURE, UPDATES, LETTERS,
                         "pages/regional.py", DRAFTING},
    # The coordinator decides on the updates page the new versions of practices adopted into the core.
    "coordinatrice": EVERYONE | {"pages/network.py", "pages/model.py", STRUCTURE, UPDATES, LETTERS, DRAFTING},
    "dirigente": EVERYONE | SCHOOL_STAFF | {STRUCTURE, UPDATES, LETTERS, DRAFTING},
    "funzione": EVERYONE | SCHOOL_STAFF | {LETTERS},
    "docente": EVERYONE | {"pages/risk.py", "pages/pupil.py"},
    "regione": {"pages/home.py", "pages/regional.py", "pages/practices.py"},  # figures and the published practices
}


def texts(at):
    return " ".join(
        [e.value for e in at.title] + [e.value for e in at.markdown] + [e.value for e in at.warning]
        + [e.value for e in at.error] + [e.value for e in at.info]
    )


def test_the_first_screen_is_the_italian_login_form(app):
    app.run()
    assert app.title[0].value == "Accesso ad Approdo"
    assert [field.label for field in app.text_input] == ["Nome utente", "Password"]
    assert not app.exception


def test_login_as_dirigente_greets_with_school_and_network(app):
    log_in(app, "dirigente")
    assert not app.exception
    assert app.title[0].value == "Benvenuta/o, Marco Bianchi"
    shown = texts(app)
    assert "Istituto di istruzione superiore «Ponte Nuovo»" in shown
    assert "Rete di esempio" in shown


def test_login_as_coordinator_lists_the_schools_of_the_network(app):
    log_in(app, "coordinatrice")
    table = app.dataframe[0].value
    assert set(table["Codice"]) == {"MIEE00001A", "MIMM00002B", "MIIS00003C", "MIRI00004D"}
    assert "BGIC00009Z" not in set(table["Codice"])


def test_wrong_password_shows_a_clear_message_and_stays_on_login(app):
    log_in(app, "dirigente", "password-sbagliata")
    assert app.error[0].value == "Nome utente o password non corretti."
    assert app.title[0].value == "Accesso ad Approdo"


def test_empty_form_asks_for_both_fields(app):
    app.run()
    app.button[0].click().run()
    assert app.error[0].value == "Scrivi nome utente e password."


def test_after_five_failures_the_next_try_must_wait_and_says_how_long(app):
    for _ in range(5):
        log_in(app, "funzione", "password-sbagliata")
        assert app.error[0].value == "Nome utente o password non corretti."
    log_in(app, "funzione", demo.DEMO_PASSWORD)
    assert "Riprova fra 1 minuto" in app.error[0].value
    assert "bloccato" not in app.error[0].value  # nothing that tells the account exists


@pytest.mark.parametrize("username", sorted(ALLOWED))
@pytest.mark.parametrize("page", PAGE_FILES)
def test_switch_page_opens_exactly_the_pages_of_the_role(demo_db, username, page):
    at = log_in(new_app(), username)
    if page in ALLOWED[username]:
        at.switch_page(page).run()
        assert not at.exception
        assert not at.error, [e.value for e in at.error]
    else:
        with pytest.raises(ValueError):
            at.switch_page(page)


def test_admin_page_shows_networks_schools_and_users(demo_db):
    at = log_in(new_app(), "admin")
    at.switch_page("pages/admin.py").run()
    assert at.title[0].value == "Amministrazione"
    networks, schools, users, audit = (frame.value for frame in at.dataframe)
    assert set(networks["Codice"]) == {"RETEDEMO", "RETEALTRA"}
    assert len(schools) == 5
    assert {"admin", "coordinatrice", "dirigente", "funzione", "docente"} <= set(users["Utente"])
    assert "accesso" in set(audit["Azione"])


def test_logout_returns_to_login_and_the_token_no_longer_works(app):
    log_in(app, "dirigente")
    token = app.session_state["approdo_token"]
    app.sidebar.button[0].click().run()
    assert app.title[0].value == "Accesso ad Approdo"
    assert "Sei uscito da Approdo." in texts(app)
    app.session_state["approdo_token"] = token  # replaying the old token
    app.run()
    assert app.title[0].value == "Accesso ad Approdo"


def test_a_forged_token_in_session_state_gets_the_login_page(app):
    app.session_state["approdo_token"] = "forged"
    app.run()
    assert app.title[0].value == "Accesso ad Approdo"


@pytest.mark.parametrize("page", PAGE_FILES)
def test_every_page_run_directly_without_login_shows_nothing(demo_db, page):
    at = new_app(page).run()
    assert not at.exception
    assert [w.value for w in at.warning] == ["Per vedere questa pagina devi prima accedere."]
    assert not at.title and not at.dataframe


def test_admin_page_run_directly_by_a_dirigente_is_refused(demo_db):
    from models.accounts import auth

    at = new_app("pages/admin.py")
    at.session_state["approdo_token"] = auth.login(demo_db, "dirigente", demo.DEMO_PASSWORD)
    at.run()
    assert [e.value for e in at.error] == ["Il tuo ruolo non permette di aprire questa pagina."]
    assert not at.dataframe


def test_admin_assigns_a_teachers_classes(demo_db):
    from models.risk import school_risk

    at = log_in(new_app(), "admin")
    at.switch_page("pages/admin.py").run()
    chooser = next(s for s in at.selectbox if s.label == "Nome utente")
    chooser.select_index(next(i for i, o in enumerate(chooser.options) if o.endswith("(docente)"))).run()
    field = next(t for t in at.text_input if t.label.startswith("Classi del docente"))
    field.input("3a, 4B")
    next(b for b in at.button if b.label == "Salva").click().run()
    assert "Classi di docente salvate." in [s.value for s in at.success]
    assert school_risk.classes_of(demo_db, "docente") == ("3A", "4B")


def test_the_coordinator_sets_the_networks_risk_thresholds(demo_db):
    from models.risk import rules

    at = log_in(new_app(), "coordinatrice")
    chronic = next(n for n in at.number_input if n.label.startswith("Assenza cronica"))
    chronic.set_value(12.0)
    next(b for b in at.button if b.label == "Salva").click().run()
    assert [s.value for s in at.success] == ["Soglie della rete salvate."]
    assert rules.network_rules(demo_db, "RETEDEMO").chronic == pytest.approx(0.12)


def test_an_error_a_page_does_not_catch_is_shown_in_italian_not_as_a_traceback(demo_db, monkeypatch):
    from models.core.errors import ApprodoError
    from models.protocols import protocol

    def refuse(*args, **kwargs):
        raise ApprodoError("Il protocollo non si può leggere adesso: riprova più tardi.")

    monkeypatch.setattr(protocol, "list_protocols", refuse)
    at = log_in(new_app(), "dirigente")
    at.switch_page("pages/protocols.py").run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Il protocollo non si può leggere adesso: riprova più tardi."]


def test_a_cookie_ticket_with_a_double_underscore_still_logs_in(demo_db, monkeypatch):
    """Tickets are random URL-safe text, so about one login in 400 used to draw a component key with '__'."""
    from models.accounts import auth

    monkeypatch.setattr(auth.secrets, "token_urlsafe", lambda n=32: "ab__cd__ef__" + "x" * 31)
    at = log_in(new_app(), "dirigente")
    assert not at.exception
    assert any("Marco Bianchi" in m.value for m in at.sidebar.markdown)
