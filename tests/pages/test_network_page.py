"""Cruscotto di rete as the coordinator, a dirigente, a funzione strumentale and the admin see it (AppTest)."""

from models.core.school_year import SchoolYear
from models.demo import synthetic
from tests.pages.conftest import log_in, new_app


def open_dashboard(username):
    at = log_in(new_app(), username)
    at.switch_page("pages/network.py").run()
    assert not at.exception, at.exception
    return at


def tables(at):
    return [t.value for t in at.table]


def pupil_codes(db):
    return {r[0] for r in db.execute("SELECT DISTINCT pupil_code FROM attendance")}


def everything_shown(at) -> str:
    parts = [str(t.value.to_dict()) for t in at.table] + [m.value for m in at.markdown] + [c.value for c in at.caption]
    return " ".join(parts)


def test_the_coordinator_sees_every_school_and_no_pupil(pupils_db):
    at = open_dashboard("coordinatrice")
    assert at.title[0].value == "Cruscotto della rete"
    protocols, months, schools, follow, indicators = tables(at)
    assert len(protocols) == 4 and "Istituto di istruzione superiore «Ponte Nuovo»" in set(protocols["Scuola"])
    assert "Totale" in schools.index and "Altre scuole" not in schools.index
    assert "Alunni con assenza cronica" in indicators.index
    shown = everything_shown(at)
    assert not any(code in shown for code in pupil_codes(pupils_db))
    assert {b.proto.label for b in at.get("download_button")} == {"Scarica il rapporto (Excel)",
                                                                  "Scarica il rapporto (Word)"}


def test_small_cells_show_as_less_than_five_on_the_page(pupils_db):
    at = open_dashboard("coordinatrice")
    _, months, schools, follow, _ = tables(at)
    for table in (months, schools, follow):
        for value in table.to_numpy().ravel():
            if value.isdigit():
                assert int(value) == 0 or int(value) >= 5, table


def test_a_dirigente_sees_the_network_and_their_school(pupils_db, system):
    from models.pupils import importing as pupil_data

    cohort = synthetic.generate("secondaria_primo_grado", 60, [SchoolYear(2025)], seed=5, last_month=2, prefix="MM")
    pupil_data.import_attendance(pupils_db, system, "MIMM00002B", synthetic.attendance_csv(cohort), "f.csv")
    at = open_dashboard("dirigente")
    assert any("Vedi i totali della rete" in c.value for c in at.caption)
    protocols, _, schools, _, _ = tables(at)
    assert list(protocols["Scuola"]) == ["Istituto di istruzione superiore «Ponte Nuovo»"]
    assert set(schools.index) == {"Istituto di istruzione superiore «Ponte Nuovo»", "Altre scuole", "Totale"}


def test_a_funzione_sees_only_the_own_school(pupils_db):
    at = open_dashboard("funzione")
    assert any("Vedi le cifre della tua scuola" in c.value for c in at.caption)
    _, _, schools, _, _ = tables(at)
    assert "Totale" not in schools.index


def test_the_admin_dashboard_lists_networks(pupils_db):
    at = open_dashboard("admin")
    networks = at.dataframe[0].value
    assert set(networks["Codice"]) == {"RETEDEMO", "RETEALTRA"}
    assert int(networks.loc[networks["Codice"] == "RETEDEMO", "Scuole"].iloc[0]) == 4


def test_a_teacher_is_refused(pupils_db):
    from models.accounts import auth
    from models.demo import demo

    at = new_app("pages/network.py")
    at.session_state["approdo_token"] = auth.login(pupils_db, "docente", demo.DEMO_PASSWORD)
    at.run()
    assert [e.value for e in at.error] == ["Il tuo ruolo non permette di aprire questa pagina."]
    assert not at.table


def test_the_page_shows_what_the_downloaded_report_holds(pupils_db):
    from models.core import suppression
    from models.network import report as network_report
    from tests.conftest import actor_named

    at = open_dashboard("coordinatrice")
    year = next(s for s in at.selectbox if s.label == "Anno scolastico").value
    built = network_report.build(pupils_db, actor_named(pupils_db, "coordinatrice"), "RETEDEMO", year)
    protocols, months, schools, follow, indicators = tables(at)
    assert months.equals(built.months.map(suppression.text).astype(str))
    assert schools.equals(built.schools.map(suppression.text).astype(str))
    assert list(indicators.index) == list(built.evaluation.frame().index)
    assert len(protocols) == len(built.protocols) == built.protocol_summary["schools"]


def test_the_trend_breaks_at_a_hidden_month_and_says_which(pupils_db, monkeypatch):
    from models.network import figures
    from tests.pages.test_regional_page import line_chart, lines

    rates = {"2025-09": 4.0, "2025-10": "<5", "2025-11": "n.d.", "2025-12": 6.0, "2026-01": 7.0}
    monkeypatch.setattr(figures, "flagged_rates", lambda db, where, year, group: rates)
    at = open_dashboard("coordinatrice")
    layer, data = line_chart(at)
    drawn = lines(layer, data)
    assert drawn and all(stroke in (["settembre 2025"], ["dicembre 2025", "gennaio 2026"]) for stroke in drawn)
    assert layer["encoding"]["x"]["scale"]["domain"] == [
        "settembre 2025", "ottobre 2025", "novembre 2025", "dicembre 2025", "gennaio 2026"]
    notes = [c.value for c in at.caption if "Mesi nascosti" in c.value]
    assert len(notes) == 1 and "ottobre 2025, novembre 2025 (Rete (4 scuole))" in notes[0]
