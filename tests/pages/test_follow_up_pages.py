"""The review workspace as the funzione strumentale and a teacher use it (AppTest)."""

import csv
import io
from datetime import date, timedelta

from models.core import clock
from models.follow_up import interventions, list_export, reviews
from models.risk import school_risk
from models.risk.indicators import LEVEL_LABELS
from tests.conftest import actor_named
from tests.pages.conftest import log_in, new_app

SCHOOL = "MIIS00003C"


def table_with(at, column: str):
    """The page's first table with that column (the chart's own data table comes before the lists)."""
    return next(t.value for t in at.table if column in t.value.columns)


def high_pupil(db):
    risk = school_risk.school_risk(db, actor_named(db, "funzione"), SCHOOL)
    return risk.pupils[risk.pupils["level"] == "alto"].iloc[0]["pupil_code"]


def open_pupil(username, code):
    at = log_in(new_app(), username)
    at.switch_page("pages/pupil.py")
    at.query_params["alunno"] = code
    at.run()
    assert not at.exception, at.exception
    return at


def form_button(at, label):
    return next(b for b in at.button if b.label == label)


def test_the_funzione_reviews_a_pupil_and_adds_an_intervention_seen_on_the_pupil_page(pupils_db):
    code = high_pupil(pupils_db)
    at = open_pupil("funzione", code)
    assert at.subheader[0].value.startswith(f"Alunno {code} · classe ")
    assert any("Livello attuale: **Alto**" in m.value for m in at.markdown)

    kind = next(s for s in at.selectbox if s.label == "Tipo di intervento")
    kind.select("Mediatore linguistico-culturale")
    next(t for t in at.text_area if t.label == "Nota breve (facoltativa)").input("Contattato il mediatore.")
    form_button(at, "Registra l'intervento").click()
    at.run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["Intervento registrato."]
    table = table_with(at, "Intervento")
    assert list(table["Intervento"]) == ["Mediatore linguistico-culturale"]
    assert list(table["Esito"]) == ["In corso"] and list(table["Nota"]) == ["Contattato il mediatore."]
    assert list(table["Referente"]) == ["Sara Galli"]  # people by full name, not username

    in_50_days = clock.local_date() + timedelta(days=50)
    review_note = [t for t in at.text_area if t.label == "Nota breve (facoltativa)"][-1]
    review_note.input("Visto in riunione.")
    next(d for d in at.date_input if d.label == "Prossima verifica").set_value(in_50_days)
    form_button(at, "Registra la revisione").click()
    at.run()
    assert [s.value for s in at.success] == ["Revisione registrata."]
    reviews_table = table_with(at, "Prossima verifica")
    assert list(reviews_table["Chi"]) == ["Sara Galli"] and list(reviews_table["Prossima verifica"]) == [
        f"{in_50_days:%d/%m/%Y}"]
    assert list(reviews_table["Stato"]) == ["Da fare"]
    # No stray «0» row-number column on either table.
    shown = [t for t in at.table if {"Intervento", "Prossima verifica"} & set(t.value.columns)]
    assert len(shown) == 2 and all(t.proto.hide_index for t in shown)
    assert pupils_db.execute("SELECT what, detail FROM access_log WHERE what = 'scheda alunno' LIMIT 1").fetchone() \
        == ("scheda alunno", code)


def test_a_teacher_reads_the_pupil_page_of_own_classes_but_cannot_record(pupils_db):
    funzione = actor_named(pupils_db, "funzione")
    docente = actor_named(pupils_db, "docente")
    code = school_risk.school_risk(pupils_db, docente, SCHOOL).pupils["pupil_code"].iloc[0]
    interventions.add_intervention(pupils_db, funzione, SCHOOL, code, kind="Altro", happened_on=date(2026, 2, 2),
                                   owner="funzione")
    at = open_pupil("docente", code)
    assert [i.value for i in at.info] == [
        "Sola lettura: revisioni e interventi li registrano il dirigente e la funzione strumentale."]
    assert list(table_with(at, "Intervento")["Intervento"]) == ["Altro"]
    labels = {b.label for b in at.button}
    assert "Registra l'intervento" not in labels and "Registra la revisione" not in labels


def test_a_teacher_opening_another_class_pupil_by_url_is_refused(pupils_db):
    other = pupils_db.execute("SELECT pupil_code FROM attendance WHERE period = '2026-02' AND class_name = '1A'"
                              " LIMIT 1").fetchone()[0]
    at = open_pupil("docente", other)
    assert [e.value for e in at.error] == [f"Nessun alunno con codice «{other}» tra quelli che puoi vedere."]
    assert not at.table and not at.metric


def test_the_list_shows_what_changed_and_the_due_follow_ups(pupils_db):
    funzione = actor_named(pupils_db, "funzione")
    code = high_pupil(pupils_db)
    reviews.record_review(pupils_db, funzione, SCHOOL, code, as_of="2026-01", level="alto",
                          follow_up_on=clock.local_date())
    at = log_in(new_app(), "funzione")
    at.switch_page("pages/risk.py").run()
    assert not at.exception, at.exception
    assert any(c.value.startswith("Dall'ultima revisione") and "sui dati di gennaio" in c.value for c in at.caption)
    counts = {m.label: int(m.value) for m in at.metric[4:]}
    assert list(counts) == ["Nuovi ad alto rischio", "Livello salito", "Livello sceso", "Verifiche da fare",
                            "Obbligo scolastico"]  # the steps due of the compulsory-education cases
    assert counts["Verifiche da fare"] == 1 and counts["Nuovi ad alto rischio"] > 0
    assert counts["Obbligo scolastico"] == 0  # monthly data only: no case
    table = at.dataframe[0].value
    assert {"Ultima revisione", "Prossima verifica", "Ultimo intervento"} <= set(table.columns)
    assert table.loc[table["Codice alunno"] == code, "Prossima verifica"].iloc[0] == f"{clock.local_date():%d/%m/%Y}"
    assert table.loc[table["Codice alunno"] == code, "Ultima revisione"].iloc[0] == f"{clock.local_date():%d/%m/%Y}"


def test_the_due_follow_ups_come_oldest_first_and_say_how_late_they_are(pupils_db):
    funzione = actor_named(pupils_db, "funzione")
    codes = list(school_risk.school_risk(pupils_db, funzione, SCHOOL).pupils["pupil_code"].iloc[:4])
    late_by = dict(zip(codes, (0, 1, 12, 5), strict=True))  # recorded in this order, not by date
    for code, days in late_by.items():
        reviews.record_review(pupils_db, funzione, SCHOOL, code, as_of="2026-01", level=None,
                              follow_up_on=clock.local_date())
        # Time passed: the follow-up fell due `days` ago.
        pupils_db.execute("UPDATE reviews SET follow_up_on = ? WHERE pupil_code = ?",
                          [(clock.local_date() - timedelta(days=days)).isoformat(), code])
    at = log_in(new_app(), "funzione")
    at.switch_page("pages/risk.py").run()
    assert not at.exception, at.exception
    tab = next(t for t in at.tabs if t.label == "Verifiche da fare")
    # Down the first column, then the next: the oldest first, each saying in words how late it is.
    shown = [link.proto.label for link in tab.get("page_link")]
    words = {0: "da fare oggi", 1: "in ritardo da 1 giorno", 5: "in ritardo da 5 giorni",
             12: "in ritardo da 12 giorni"}
    assert shown == [f"{code} · verifica del {clock.local_date() - timedelta(days=days):%d/%m/%Y}, referente "
                     f"Sara Galli · {words[days]}"
                     for code, days in sorted(late_by.items(), key=lambda item: -item[1])]


def test_the_page_and_the_downloaded_list_hold_the_same_rows(pupils_db):
    funzione = actor_named(pupils_db, "funzione")
    code = high_pupil(pupils_db)
    interventions.add_intervention(pupils_db, funzione, SCHOOL, code, kind="Colloquio con la famiglia",
                                   happened_on=clock.local_date(), owner="funzione")
    at = log_in(new_app(), "funzione")
    at.switch_page("pages/risk.py").run()
    next(m for m in at.multiselect if m.label == "Livelli").set_value([]).run()  # every pupil
    assert not at.exception, at.exception
    shown = at.dataframe[0].value.set_index("Codice alunno")
    text = list_export.export_list(pupils_db, funzione, SCHOOL, "csv")[1].decode("utf-8-sig")
    header, *lines = list(csv.reader(io.StringIO(text), delimiter=";"))[1:]
    exported = {line[0]: dict(zip(header, line, strict=True)) for line in lines}
    assert set(shown.index) == set(exported) and len(exported) > 100
    for pupil, row in shown.iterrows():
        file_row = exported[pupil]
        assert (row["Classe"], row["Livello"]) == (file_row["classe"], LEVEL_LABELS[file_row["livello"]])
        assert f"{row['Assenze %']}".replace(".", ",") == file_row["assenze_pct"]
        assert row["Motivi"] == file_row["motivi"]
    assert shown.loc[code, "Ultimo intervento"] == exported[code]["ultimo_intervento"] == "Colloquio con la famiglia"


def test_the_list_downloads_as_xlsx_with_the_notice(pupils_db):
    at = log_in(new_app(), "funzione")
    at.switch_page("pages/risk.py").run()
    buttons = {b.proto.label: b for b in at.get("download_button")}
    assert set(buttons) >= {"Scarica l'elenco (Excel)", "Scarica l'elenco (CSV)"}


def test_the_funzione_edits_the_list_of_kinds(pupils_db):
    at = log_in(new_app(), "funzione")
    at.switch_page("pages/risk.py").run()
    area = next(t for t in at.text_area if t.label == "Tipi di intervento della scuola")
    area.input("Sportello d'ascolto\nColloquio con la famiglia")
    form_button(at, "Salva l'elenco").click()
    at.run()
    assert [s.value for s in at.success] == ["Elenco dei tipi di intervento salvato."]
    assert interventions.kinds(pupils_db, actor_named(pupils_db, "funzione"), SCHOOL) == [
        "Sportello d'ascolto", "Colloquio con la famiglia"]


def test_the_docente_sees_no_kinds_editor(pupils_db):
    at = log_in(new_app(), "docente")
    at.switch_page("pages/risk.py").run()
    assert not any(t.label == "Tipi di intervento della scuola" for t in at.text_area)


def test_the_outcome_of_an_intervention_is_updated_from_the_pupil_page(pupils_db):
    code = high_pupil(pupils_db)
    interventions.add_intervention(pupils_db, actor_named(pupils_db, "funzione"), SCHOOL, code, kind="Altro",
                                   happened_on=date(2026, 2, 2), owner="funzione")
    at = open_pupil("funzione", code)
    outcome = [s for s in at.selectbox if s.label == "Esito"][-1]
    outcome.select("positivo")
    form_button(at, "Salva l'esito").click()
    at.run()
    assert [s.value for s in at.success] == ["Esito aggiornato."]
    assert list(table_with(at, "Esito")["Esito"]) == ["Esito positivo"]


def test_the_dirigente_sets_how_long_pupil_data_is_kept(pupils_db):
    at = log_in(new_app(), "dirigente")
    at.switch_page("pages/data_upload.py").run()
    assert any("python cli.py purge --school MIIS00003C --before" in c.value for c in at.caption)
    next(n for n in at.number_input if n.label == "Anni scolastici da conservare").set_value(5)
    next(b for b in at.button if b.label == "Salva" and b.form_id == "retention").click()
    at.run()
    assert [s.value for s in at.success] == ["Durata della conservazione salvata."]
    assert pupils_db.execute("SELECT retention_years FROM schools WHERE code = ?", [SCHOOL]).fetchone()[0] == 5


def test_the_funzione_does_not_set_the_retention(pupils_db):
    at = log_in(new_app(), "funzione")
    at.switch_page("pages/data_upload.py").run()
    assert not [n for n in at.number_input if n.label == "Anni scolastici da conservare"]


def test_the_downloads_follow_the_filters_on_screen_and_name_them(pupils_db):
    at = log_in(new_app(), "funzione")
    at.switch_page("pages/risk.py").run()
    next(m for m in at.multiselect if m.label == "Classi").set_value(["3A"]).run()
    assert not at.exception, at.exception
    shown = at.dataframe[0].value
    assert set(shown["Classe"]) == {"3A"}
    what = next(c.value for c in at.caption if c.value.startswith("I file seguono i filtri"))
    assert what.endswith(f"classe 3A; livelli alto, medio. ({len(shown)} {'alunno' if len(shown) == 1 else 'alunni'}).")
    buttons = {b.proto.label: b.proto for b in at.get("download_button")}
    # The files are built when pressed (their names are checked in the browser journey and the model tests).
    assert {"Scarica l'elenco (Excel)", "Pacchetto (Word)",
            "Scarica tutta la scuola (Excel, senza filtri)"} <= set(buttons)
    next(m for m in at.multiselect if m.label == "Classi").set_value([]).run()
    next(m for m in at.multiselect if m.label == "Livelli").set_value([]).run()
    assert "Scarica tutta la scuola (Excel, senza filtri)" not in {b.proto.label for b in at.get("download_button")}
    assert any(c.value.startswith("I file seguono i filtri") and "tutta la scuola" in c.value for c in at.caption)


def test_an_intervention_is_recorded_only_once_its_kind_is_chosen(pupils_db):
    """The walk of 07/12: «Registra l'intervento» pressed on a pupil's page, or pressed again after a save,
    recorded a «Colloquio con la famiglia» nobody chose (the list's first kind was preselected)."""
    code = high_pupil(pupils_db)
    at = open_pupil("funzione", code)
    assert next(s for s in at.selectbox if s.label == "Tipo di intervento").value is None
    form_button(at, "Registra l'intervento").click()
    at.run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == ["Scegli il tipo di intervento."]
    assert interventions.pupil_interventions(pupils_db, actor_named(pupils_db, "funzione"), SCHOOL, code) == []


def test_the_browser_s_back_reopens_the_pupil_before(pupils_db):
    """The walk of 07/12: a pupil, then another chosen in «Alunno», then the browser's Back (the first pupil's
    ?alunno= in the address, and a rerun): the page stayed on the second pupil and wrote it back in the address."""
    risk = school_risk.school_risk(pupils_db, actor_named(pupils_db, "funzione"), SCHOOL)
    first, second = list(risk.pupils["pupil_code"])[:2]
    at = open_pupil("funzione", first)
    next(s for s in at.selectbox if s.label == "Alunno").select(second).run()
    assert at.subheader[0].value.startswith(f"Alunno {second} ") and at.query_params["alunno"] == second
    at.query_params["alunno"] = first  # Back
    at.run()
    assert not at.exception, at.exception
    assert at.subheader[0].value.startswith(f"Alunno {first} ") and at.query_params["alunno"] == first
    at.run()
    assert at.subheader[0].value.startswith(f"Alunno {first} ")
    next(s for s in at.selectbox if s.label == "Alunno").select(second).run()  # and choosing again still works
    assert at.subheader[0].value.startswith(f"Alunno {second} ") and at.query_params["alunno"] == second
