"""Rischio dispersione and Carica dati, as their users see them (AppTest)."""

import pytest

from models import demo
from tests.pages.conftest import log_in, new_app


def open_page(username, page):
    at = log_in(new_app(), username)
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def test_funzione_sees_counts_per_level_and_the_ranked_list(pupils_db):
    at = open_page("funzione", "pages/risk.py")
    assert at.title[0].value == "Rischio di dispersione"
    metrics = {m.label: int(m.value) for m in at.metric[:4]}
    assert set(metrics) == {"Alto", "Medio", "Basso", "Dati insufficienti"} and sum(metrics.values()) > 100
    table = at.dataframe[0].value
    assert list(table.columns) == ["Codice alunno", "Classe", "Assenze %", "Proiezione %", "Ore residue", "Livello",
                                   "Rivisto il", "Prossima verifica", "Ultimo intervento", "Motivi"]
    assert set(table["Livello"]) <= {"Alto", "Medio"}  # the default filter
    assert table["Livello"].map({"Alto": 0, "Medio": 1}).is_monotonic_increasing  # high first


def test_a_teacher_sees_only_own_classes(pupils_db):
    at = open_page("docente", "pages/risk.py")
    assert any("Vedi solo gli alunni delle tue classi: 3A, 4B." in c.value for c in at.caption)
    levels = next(m for m in at.multiselect if m.label == "Livelli")
    levels.set_value([]).run()
    assert set(at.dataframe[0].value["Classe"]) <= {"3A", "4B"}


def test_the_class_filter_narrows_the_list(pupils_db):
    at = open_page("funzione", "pages/risk.py")
    classes = next(m for m in at.multiselect if m.label == "Classi")
    classes.set_value(["2A"]).run()
    assert set(at.dataframe[0].value["Classe"]) <= {"2A"}


def test_the_dirigente_reads_the_access_log(pupils_db):
    at = open_page("dirigente", "pages/risk.py")
    log = at.dataframe[-1].value
    assert "elenco rischio" in set(log["Cosa"]) and "Marco Bianchi" in set(log["Chi"])


def test_without_data_the_page_says_where_to_load_it(demo_db):
    at = open_page("funzione", "pages/risk.py")
    assert [i.value for i in at.info] == ["Non ci sono ancora dati di frequenza: caricali dalla pagina «Carica dati»."]


@pytest.mark.parametrize("page", ["pages/risk.py", "pages/data_upload.py"])
def test_a_coordinator_running_the_page_directly_is_refused(pupils_db, page):
    from models import auth

    at = new_app(page)
    at.session_state["approdo_token"] = auth.login(pupils_db, "coordinatrice", demo.DEMO_PASSWORD)
    at.run()
    assert [e.value for e in at.error] == ["Il tuo ruolo non permette di aprire questa pagina."]
    assert not at.dataframe and not at.metric


CSV = ("Cod. alunno;Classe;Mese;Monte ore;Ore di assenza;N° entrate posticipate;N° uscite anticipate\n"
       "N1;1A;10/2025;100;10;0;0\nN1;1A;11/2025;100;30;1;0\n").encode()


def test_upload_maps_checks_and_imports(demo_db):
    at = open_page("funzione", "pages/data_upload.py")
    at.file_uploader[0].set_value(("registro.csv", CSV, "text/csv")).run()
    assert [s.value for s in at.selectbox if s.label == "Ore di assenza *"] == ["Ore di assenza"]
    next(b for b in at.button if b.label == "Controlla senza importare").click().run()
    assert at.success[0].value.startswith("Controllo riuscito: 2 righe, 1 alunni")
    assert demo_db.execute("SELECT COUNT(*) FROM attendance").fetchone()[0] == 0
    next(b for b in at.button if b.label == "Importa").click().run()
    assert at.success[0].value.startswith("Importazione riuscita: 2 righe")
    assert demo_db.execute("SELECT COUNT(*) FROM attendance").fetchone()[0] == 2
    history = at.dataframe[-1].value
    assert list(history["File"]) == ["registro.csv"] and list(history["Chi"]) == ["Sara Galli"]


def test_a_bad_file_gets_the_report_and_changes_nothing(demo_db):
    bad = CSV.replace(b";30;", b";300;")
    at = open_page("dirigente", "pages/data_upload.py")
    at.file_uploader[0].set_value(("registro.csv", bad, "text/csv")).run()
    next(b for b in at.button if b.label == "Importa").click().run()
    assert "non è stato importato" in at.error[0].value
    report = at.dataframe[0].value
    assert list(report.columns) == ["file", "riga", "colonna", "problema"]
    assert report.iloc[0]["riga"] == 3 and report.iloc[0]["colonna"] == "Ore di assenza"
    assert demo_db.execute("SELECT COUNT(*) FROM attendance").fetchone()[0] == 0


def test_a_small_file_replacing_a_big_month_asks_first(pupils_db):
    one_pupil = ("Cod. alunno;Classe;Mese;Monte ore;Ore di assenza;N° entrate posticipate;N° uscite anticipate\n"
                 "N1;1A;02/2026;100;10;0;0\n").encode()
    before = pupils_db.execute("SELECT COUNT(*) FROM attendance WHERE period = '2026-02'").fetchone()[0]
    at = open_page("funzione", "pages/data_upload.py")
    at.file_uploader[0].set_value(("uno.csv", one_pupil, "text/csv")).run()
    next(b for b in at.button if b.label == "Importa").click().run()
    assert any("sostituirebbe" in w.value for w in at.warning)
    assert pupils_db.execute("SELECT COUNT(*) FROM attendance WHERE period = '2026-02'").fetchone()[0] == before
    next(b for b in at.button if b.label == "Sostituisci comunque e importa").click().run()
    assert at.success[0].value.startswith("Importazione riuscita: 1 righe")
    assert pupils_db.execute("SELECT COUNT(*) FROM attendance WHERE period = '2026-02'").fetchone()[0] == 1
