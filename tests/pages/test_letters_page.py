"""The letters page (compulsory-education procedure), through AppTest: the coordinator edits, previews, adds a
language and meets a conflict; the dirigente reads; others do not have the page."""

import pytest

from models.obligation import letters
from tests.pages.conftest import log_in, new_app

PAGE = "pages/letters.py"


def open_page(username):
    at = log_in(new_app(), username)
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def text_area(at):
    return next(t for t in at.text_area if t.label == "Testo della lettera")


def click(at, label):
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, at.exception
    return at


def page_text(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [e.value for e in at.error]
    parts += [i.value for i in at.info] + [s.value for s in at.success] + [w.value for w in at.warning]
    return "\n".join(str(p) for p in parts)


def preview(at) -> str:
    return "\n".join(h.proto.body for h in at.get("html"))


def test_the_coordinator_changes_the_family_letter_and_the_preview_and_history_follow(demo_db, actors):
    at = open_page("coordinatrice")
    assert "Testo predefinito di Approdo" in page_text(at)
    area = text_area(at)
    assert "art. 114, comma 4" in area.value and "{{ assenze.giorni }}" in area.value
    assert "16 giorni" in preview(at)  # the invented case fills the placeholders
    area.input(area.value.replace("Distinti saluti.", "Cordiali saluti.")).run()
    assert "Cordiali saluti." in preview(at)
    click(at, "Salva la lettera")
    assert "Salvata la versione 1" in page_text(at)
    stored = letters.current_text(demo_db, actors["coordinatore_rete"], "RETEDEMO", "famiglia", "it")
    assert stored.version == 1 and "Cordiali saluti." in stored.body and stored.author == "coordinatrice"
    # Reloaded, the text is the saved one; the older version can be compared.
    at = open_page("coordinatrice")
    assert "Cordiali saluti." in text_area(at).value
    assert any(e.label == "Versioni precedenti" for e in at.expander)


def test_typed_jinja_and_unknown_placeholders_are_refused_with_italian_messages(demo_db, actors):
    at = open_page("coordinatrice")
    area = text_area(at)
    area.input(area.value + "\n\n{{ alunno.indirizzo_completo }}").run()
    click(at, "Salva la lettera")
    assert "Segnaposto sconosciuto: {{ alunno.indirizzo_completo }}" in page_text(at)
    text_area(at).input("Saluti {% for x in range(10) %}x{% endfor %}").run()
    click(at, "Salva la lettera")
    assert "le istruzioni di modello non sono ammesse" in page_text(at)
    assert letters.current_text(demo_db, actors["coordinatore_rete"], "RETEDEMO", "famiglia", "it").version == 0


def test_the_coordinator_adds_a_persian_translation_starting_from_the_italian_text(demo_db, actors):
    at = open_page("coordinatrice")
    at.selectbox(key="letters_new_language").set_value("fa")
    click(at, "Aggiungi")
    assert "Nuova traduzione in persiano" in page_text(at)
    area = text_area(at)
    assert "Gentile famiglia" in area.value  # the Italian text to translate
    area.input("والدین گرامی، {{ assenze.giorni }} روز").run()
    assert 'dir="rtl"' in preview(at) and "16 روز" in preview(at)
    click(at, "Salva la lettera")
    assert letters.languages(demo_db, actors["coordinatore_rete"], "RETEDEMO", "famiglia") == ["it", "ar", "en",
                                                                                             "fa"]


def test_a_second_save_on_an_old_version_shows_the_conflict_and_keeps_the_typed_text(demo_db, actors):
    at = open_page("coordinatrice")
    letters.save_text(demo_db, actors["admin"], "RETEDEMO", "famiglia", "it",
                      letters.default_text("famiglia", "it") + "\nRiga dell'amministratore.", 0)
    area = text_area(at)
    area.input(area.value + "\nRiga della coordinatrice.").run()
    click(at, "Salva la lettera")
    assert "Amministratore demo ha salvato questa lettera (versione 1" in page_text(at)
    click(at, "Continua con il mio testo sulla versione attuale")
    assert "Riga della coordinatrice." in text_area(at).value
    click(at, "Salva la lettera")
    saved = letters.current_text(demo_db, actors["admin"], "RETEDEMO", "famiglia", "it")
    assert saved.version == 2 and "Riga della coordinatrice." in saved.body


@pytest.mark.parametrize("username", ["dirigente", "funzione"])
def test_the_school_reads_the_letters_without_an_editor(demo_db, username):
    at = open_page(username)
    assert not [t for t in at.text_area if t.label == "Testo della lettera"]
    assert "Le lettere le modifica il coordinatore della rete" in page_text(at)
    # The letter as it will be signed first; the source with its placeholders folded away below.
    source = next(e for e in at.expander if e.label.startswith("Il testo con i segnaposto"))
    assert "{{ alunno.nome }}" in source.code[0].value and not any(column.code for column in at.columns)


def test_the_page_is_not_in_the_teachers_menu(demo_db):
    at = log_in(new_app(), "docente")
    with pytest.raises(Exception):  # noqa: B017 - AppTest raises a plain error for a page the role lacks
        at.switch_page(PAGE)


# --- the download buttons on the obligation page ----------------------------------------------------------


def download_labels(at) -> list[str]:
    return [element.proto.label for element in at.get("download_button")]


@pytest.fixture
def case_db(demo_db, system):
    """Pupil CASO1 of the demo school with sixteen unjustified days (an open case); its family reads Arabic."""
    from datetime import date

    from models.pupils import importing as pupil_data
    from tests.models.test_obligation import SCHOOL, events, load, school_days

    load(demo_db, system, events("CASO1", school_days(date(2026, 1, 12), 16)))
    pupil_data.import_context(demo_db, system, SCHOOL, b"Codice alunno;Lingua della famiglia\nCASO1;arabo\n",
                              "contesto.csv")
    return demo_db


def test_the_case_offers_the_family_letter_with_its_translation_and_the_mayors_only_when_due(case_db, actors,
                                                                                                monkeypatch):
    from datetime import UTC, datetime, timedelta

    from models.core import clock
    from models.obligation import cases as obligation

    boss = actors["dirigente"]
    case = obligation.cases(case_db, boss, "MIIS00003C")[0]
    notice = clock.local_date() - timedelta(days=2)
    obligation.record_family_notice(case_db, boss, "MIIS00003C", case.id, notice, "211/2026", obligation.HAND_DELIVERY)
    before = case_db.execute("SELECT COUNT(*) FROM access_log WHERE what = 'lettera obbligo scolastico'").fetchone()

    def case_page(username: str):
        at = log_in(new_app(), username)
        at.switch_page("pages/obligation.py").run()
        at.selectbox(key="obl_case").select_index(0).run()
        assert not at.exception, at.exception
        return at

    at = case_page("funzione")
    assert download_labels(at) == ["Lettera alla famiglia",
                                   "Lettera con la traduzione"]
    assert "La segnalazione al Sindaco si scarica quando i sette giorni sono passati" in page_text(at)
    # The files are built (and logged) only when a button is pressed: showing the page writes no letter line.
    assert case_db.execute("SELECT COUNT(*) FROM access_log WHERE what = 'lettera obbligo scolastico'"
                           ).fetchone() == before
    later = notice + timedelta(days=8)
    monkeypatch.setattr(clock, "utcnow", lambda: datetime(later.year, later.month, later.day, 11, tzinfo=UTC))
    at = case_page("dirigente")
    assert "Segnalazione al Sindaco" in download_labels(at)


def test_the_dirigente_sets_the_letterhead_and_the_signature_wording(demo_db):
    from models.accounts import schools
    from models.core.permissions import Actor

    at = open_page("dirigente")
    form_inputs = {t.label: t for t in at.text_input}
    form_inputs["Indirizzo"].input("Via Roma 1, 20100 Milano")
    form_inputs["PEC"].input("miis00003c@pec.istruzione.it")
    next(r for r in at.radio if r.label == "Firma").set_value("a_mezzo_stampa")
    click(at, "Salva l'intestazione")
    assert "Intestazione salvata." in page_text(at)
    school = schools.get_school(demo_db, Actor.system("test"), "MIIS00003C")
    assert (school.address, school.pec, school.letter_signature) == (
        "Via Roma 1, 20100 Milano", "miis00003c@pec.istruzione.it", "a_mezzo_stampa")
    # the coordinator has no school: no letterhead form
    assert "Salva l'intestazione" not in [b.label for b in open_page("coordinatrice").button]
