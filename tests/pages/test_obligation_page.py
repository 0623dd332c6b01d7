"""The Obbligo scolastico page, the home page and the risk page's "Da rivedere" as the staff use them (AppTest)."""

from datetime import date, timedelta

import pytest

from models.core import clock
from models.pupils import importing as pupil_data
from tests.models.test_obligation import HEADER, events, school_days
from tests.pages.conftest import log_in, new_app

SCHOOL = "MIIS00003C"


@pytest.fixture
def case_db(demo_db, system):
    """One pupil (CASO1, 2A) with sixteen unjustified days in January–February 2026, one with fifteen."""
    sixteen = school_days(date(2026, 1, 12), 16)
    lines = [HEADER, *events("CASO1", sixteen), *events("QUINDICI3", sixteen[:15])]
    pupil_data.import_attendance(demo_db, system, SCHOOL, "\n".join(lines).encode(), "eventi.csv")
    return demo_db


def open_page(username: str, page: str = "pages/obligation.py"):
    at = log_in(new_app(), username)
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def texts(at) -> str:
    return "\n".join([m.value for m in at.markdown] + [w.value for w in at.warning] + [e.value for e in at.error]
                     + [c.value for c in at.caption])


def button(at, label):
    return next(b for b in at.button if b.label == label)


def test_the_dirigente_sees_the_case_and_records_the_family_notice(case_db):
    at = open_page("dirigente")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Casi aperti"] == "1" and metrics["Passi da fare"] == "1"
    assert "**CASO1** (classe 1A) · Informare la famiglia" in texts(at)
    table = at.dataframe[0].value
    assert list(table["Alunno"]) == ["CASO1"]  # fifteen days is not a case
    assert list(table["Giorni non giustificati"]) == [16] and list(table["Età"]) == ["età non nota"]

    at.selectbox(key="obl_case").select_index(0).run()
    assert "Età non nota" in texts(at)
    assert "16 giorni di assenza non giustificati" in texts(at)
    # An empty protocol number: an Italian message, nothing recorded.
    button(at, "Registra la comunicazione alla famiglia").click().run()
    assert "Scrivi il numero di protocollo." in [e.value for e in at.error]
    next(t for t in at.text_input if t.label == "Numero di protocollo").input("211/2026")
    # No channel preselected (it decides when the seven days start): without one, an Italian message.
    channel = next(s for s in at.selectbox if s.label == "Come è stata inviata")
    assert channel.value is None
    assert next(s for s in at.selectbox if s.label == "Esito").value is None  # closing a case: no outcome chosen for it
    button(at, "Registra la comunicazione alla famiglia").click().run()
    assert "Scegli come è stata inviata la comunicazione." in [e.value for e in at.error]
    assert case_db.execute("SELECT COUNT(*) FROM obligation_steps").fetchone()[0] == 0
    next(s for s in at.selectbox if s.label == "Come è stata inviata").select("Raccomandata A/R")
    at.date_input[1].set_value(clock.local_date() - timedelta(days=1))
    button(at, "Registra la comunicazione alla famiglia").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["Passo registrato."]
    # The case stays open on the step just recorded (its status, in the label, has changed).
    assert at.selectbox(key="obl_case").value.startswith("CASO1 · ")
    shown = texts(at)
    assert "Comunicazione alla famiglia inviata il" in shown and "prot. 211/2026" in shown
    assert "ricevimento non ancora documentato: i sette giorni si contano dal" in shown  # no receipt date given
    assert "Ricevimento della comunicazione" in shown
    assert "La segnalazione al sindaco si registra dalla fine dei sette giorni" in shown
    assert {m.label: m.value for m in at.metric}["Passi da fare"] == "0"
    # Again, as after a reload: the same case, the same step, nothing recorded twice.
    again = open_page("dirigente")
    assert list(again.dataframe[0].value["Stato"]) == ["Famiglia informata: sette giorni in corso"]
    assert case_db.execute("SELECT COUNT(*) FROM obligation_steps").fetchone()[0] == 1


def test_the_rule_and_its_reading_are_in_the_help(case_db):
    at = open_page("funzione")
    help_text = "\n".join(m.value for m in at.markdown)
    assert "per più di quindici giorni, anche non consecutivi, in tre mesi, senza giustificati motivi" in help_text
    assert "senza indicazione" in help_text and "dal 16 ottobre" in help_text


def test_a_school_with_monthly_data_only_is_told_why_the_rule_cannot_be_checked(demo_db, system):
    monthly = b"Cod. alunno;Classe;Mese;Monte ore;Ore assenza\nM1;1A;10/2025;120;60\n"
    pupil_data.import_attendance(demo_db, system, SCHOOL, monthly, "mensile.csv")
    at = open_page("dirigente")
    assert any("non si può verificare" in w.value and "prospetti mensili" in w.value for w in at.warning)


def test_home_and_da_rivedere_show_the_step_due_to_the_dirigente_not_to_the_teacher(case_db, system):
    from models.risk import school_risk

    school_risk.assign_classes(case_db, system, "docente", ["1A"])  # even the case's own class
    home = open_page("dirigente", "pages/home.py")
    # due since the case opened weeks before the upload: late, shown as an error
    assert any("CASO1" in w.value and "Informare la famiglia" in w.value for w in [*home.warning, *home.error])
    risk = open_page("funzione", "pages/risk.py")
    assert "Obbligo scolastico" in [t.label for t in risk.tabs]
    assert "**CASO1** (classe 1A)" in "\n".join(m.value for m in risk.markdown)
    teacher_home = open_page("docente", "pages/home.py")
    assert "CASO1" not in texts(teacher_home) + "\n".join(w.value for w in teacher_home.warning)
    teacher_risk = open_page("docente", "pages/risk.py")
    assert "Obbligo scolastico" not in [t.label for t in teacher_risk.tabs]
