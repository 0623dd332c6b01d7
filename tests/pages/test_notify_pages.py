"""Reminders on the pages: each person's choice on the home page, the bell, the admin's mail server."""

from datetime import timedelta

from models.core import clock
from models.follow_up import reviews
from models.notify import mail
from models.risk import school_risk
from tests.conftest import actor_named
from tests.pages.conftest import open_page

SCHOOL = "MIIS00003C"


def test_a_person_chooses_how_often_and_the_bell_shows_what_awaits(pupils_db, actors):
    admin, funzione = actors["admin"], actors["funzione_strumentale"]
    from models.accounts import auth

    auth.set_email(pupils_db, admin, "funzione", "funzione@scuola.test")
    code = school_risk.school_risk(pupils_db, funzione, SCHOOL).pupils["pupil_code"].iloc[0]
    reviews.record_review(pupils_db, funzione, SCHOOL, code, as_of="2026-02", level="alto",
                          follow_up_on=clock.local_date() + timedelta(days=1), follow_up_owner="funzione")
    at = open_page("funzione", "pages/home.py")
    radio = next(r for r in at.radio if r.label == "Ricevi il riepilogo di che cosa ti aspetta")
    assert radio.value == "settimanale"
    radio.set_value("giornaliera").run()
    assert not at.exception, at.exception
    assert mail.frequency(pupils_db, actor_named(pupils_db, "funzione")) == "giornaliera"
    # A second change in the same page view is saved too (a widget rebuilt after each save dropped it).
    radio = next(r for r in at.radio if r.label == "Ricevi il riepilogo di che cosa ti aspetta")
    radio.set_value("nessuna").run()
    assert mail.frequency(pupils_db, actor_named(pupils_db, "funzione")) == "nessuna"
    radio = next(r for r in at.radio if r.label == "Ricevi il riepilogo di che cosa ti aspetta")
    assert radio.value == "nessuna"
    radio.set_value("giornaliera").run()
    assert mail.frequency(pupils_db, actor_named(pupils_db, "funzione")) == "giornaliera"
    bell = at.sidebar.get("popover")[0]
    assert bell.proto.popover.label == "Promemoria (1)"
    links = [link.proto.label for link in at.sidebar.get("page_link")]
    assert "1 verifica da fare di cui sei referente, una in scadenza domani" in links


def test_someone_without_an_address_is_told_how_to_get_reminders(pupils_db):
    at = open_page("docente", "pages/home.py")
    assert any("Non hai un indirizzo e-mail" in c.value for c in at.caption)


def test_the_admin_sets_the_mail_server_and_an_error_keeps_what_was_typed(pupils_db):
    at = open_page("admin", "pages/admin.py")
    fields = {t.label: t for t in at.text_input}
    fields["Server SMTP"].input("smtp.rete.test")
    fields["Mittente"].input("approdo@rete.test")
    fields["Indirizzo di Approdo per i collegamenti (es. https://approdo.rete.it)"].input("approdo.rete.test")
    next(b for b in at.button if b.label == "Salva" and "mail_server" in str(b.form_id)).click().run()
    assert any("Scrivi l'indirizzo di Approdo" in e.value for e in at.error)
    assert mail.settings(pupils_db) is None
    fields = {t.label: t for t in at.text_input}
    assert fields["Server SMTP"].value == "smtp.rete.test"  # nothing typed is lost
    fields["Indirizzo di Approdo per i collegamenti (es. https://approdo.rete.it)"].input("https://approdo.rete.test")
    next(b for b in at.button if b.label == "Salva" and "mail_server" in str(b.form_id)).click().run()
    assert mail.settings(pupils_db).host == "smtp.rete.test"
