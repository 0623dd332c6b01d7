"""Rischio dispersione and Carica dati, as their users see them (AppTest)."""

import hashlib

import pytest

from models.core import clock
from models.demo import demo
from tests.pages.conftest import new_app, open_page


def test_funzione_sees_counts_per_level_and_the_ranked_list(pupils_db):
    at = open_page("funzione", "pages/risk.py")
    assert at.title[0].value == "Rischio di dispersione"
    metrics = {m.label: int(m.value) for m in at.metric[:4]}
    assert set(metrics) == {"Alto", "Medio", "Basso", "Dati insufficienti"} and sum(metrics.values()) > 100
    table = at.dataframe[0].value
    # The same columns as the downloaded list (one function builds both), the reasons last (the widest).
    assert list(table.columns) == ["Codice alunno", "Classe", "Livello", "Assenze %", "Proiezione %",
                                   "Ore residue prima del 25 %", "Ultima revisione", "Prossima verifica",
                                   "Ultimo intervento", "Data intervento", "Esito intervento", "Motivi"]
    assert set(table["Livello"]) <= {"Alto", "Medio"}  # the default filter
    assert table["Livello"].map({"Alto": 0, "Medio": 1}).is_monotonic_increasing  # high first
    # A pupil not yet reviewed has blank dates, never the grid's English "None"; a reviewed one an Italian date.
    dates = table[["Ultima revisione", "Prossima verifica", "Data intervento", "Esito intervento"]]
    assert not dates.isna().any().any() and (table["Ultima revisione"] == "").any()
    assert table["Ultima revisione"].str.fullmatch(r"(\d\d/\d\d/\d{4})?").all()


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
    from models.accounts import auth

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
    fingerprint = hashlib.sha256(CSV).hexdigest()[:12] + ".csv"  # the name given is not kept
    assert list(history["Impronta"]) == [fingerprint] and list(history["Chi"]) == ["Sara Galli"]
    # A readable name that says nothing of a pupil: the day, the months, the class, the rows.
    assert list(history["File"]) == [f"{clock.local_date():%d/%m/%Y} · ottobre 2025 – novembre 2025 · classe 1A · 2 "
                                     "righe"]


def test_a_bad_file_gets_the_report_and_changes_nothing(demo_db):
    bad = CSV.replace(b";30;", b";300;")
    at = open_page("dirigente", "pages/data_upload.py")
    at.file_uploader[0].set_value(("registro.csv", bad, "text/csv")).run()
    next(b for b in at.button if b.label == "Importa").click().run()
    assert "non è stato importato" in at.error[0].value
    report = at.dataframe[1].value  # below the preview of the file
    assert list(report.columns) == ["file", "riga", "colonna", "valore trovato", "problema"]
    assert report.iloc[0]["riga"] == 3 and report.iloc[0]["colonna"] == "Ore di assenza"
    assert report.iloc[0]["valore trovato"] == "300"
    assert demo_db.execute("SELECT COUNT(*) FROM attendance").fetchone()[0] == 0


def test_a_small_file_replacing_a_big_month_asks_first(pupils_db):
    one_pupil = ("Cod. alunno;Classe;Mese;Monte ore;Ore di assenza;N° entrate posticipate;N° uscite anticipate\n"
                 "N1;1A;02/2026;100;10;0;0\n").encode()
    before = pupils_db.execute("SELECT COUNT(*) FROM attendance WHERE period = '2026-02'").fetchone()[0]
    in_1a = pupils_db.execute("SELECT COUNT(*) FROM attendance WHERE period = '2026-02' AND class_name = '1A'"
                              ).fetchone()[0]
    assert in_1a > 2
    at = open_page("funzione", "pages/data_upload.py")
    at.file_uploader[0].set_value(("uno.csv", one_pupil, "text/csv")).run()
    next(b for b in at.button if b.label == "Importa").click().run()
    assert any(f"la classe 1A di febbraio 2026 ha {in_1a} righe e il file ne porta 1" in w.value
               for w in at.warning)
    assert pupils_db.execute("SELECT COUNT(*) FROM attendance WHERE period = '2026-02'").fetchone()[0] == before
    next(b for b in at.button if b.label == "Sostituisci comunque e importa").click().run()
    assert at.success[0].value.startswith("Importazione riuscita: 1 righe")
    assert "febbraio 2026 classe 1A sono stati sostituiti" in at.success[0].value
    # Only 1A was replaced: the other classes keep their February.
    assert pupils_db.execute("SELECT COUNT(*) FROM attendance WHERE period = '2026-02'").fetchone()[0] == \
        before - in_1a + 1


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _workbook(*sheets) -> bytes:
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


TITLED_XLSX = _workbook(
    ("Copertina", [["Registro elettronico - stampa del 03/03/2026"], ["Utente: segreteria"]]),
    ("Prospetto", [["IC Manzoni - Prospetto assenze orarie"], ["Classe 2B - febbraio 2026"], [],
                   ["Codice alunno", "Classe", "Mese", "Monte ore", "Ore di assenza"],
                   ["P1", "2B", "febbraio 2026", 120, 12.5], ["P2", "2B", "febbraio 2026", 120, 30]]))


def test_the_preview_says_which_sheet_and_header_row_were_used_and_they_can_be_changed(demo_db):
    at = open_page("funzione", "pages/data_upload.py")
    at.file_uploader[0].set_value(("prospetto.xlsx", TITLED_XLSX, XLSX_MIME)).run()
    assert not at.exception
    sheet = next(s for s in at.selectbox if s.label == "Foglio con la tabella")
    row = next(n for n in at.number_input if n.label == "Riga delle intestazioni")
    assert sheet.value == 2 and row.value == 4
    caption = " ".join(c.value for c in at.caption)
    # Which sheet and the title lines it skipped, masked as the preview is (they may carry a pupil's name).
    assert "dal foglio «•••», intestazioni alla riga 4" in caption
    assert "Righe di titolo saltate: ••• · •••" in caption
    assert sheet.options == ["1. •••", "2. •••"]
    preview = at.dataframe[0].value
    assert list(preview.columns[:2]) == ["Codice alunno", "Classe"] and list(preview["Codice alunno"]) == ["P1", "P2"]
    # The user moves the header one row down: the preview follows, and the caption says it was their choice.
    row.set_value(5).run()
    assert at.dataframe[0].value.columns[0] == "P1"
    assert "scelta da te" in " ".join(c.value for c in at.caption)
    next(n for n in at.number_input if n.label == "Riga delle intestazioni").set_value(4).run()
    next(b for b in at.button if b.label == "Importa").click().run()
    assert at.success[0].value.startswith("Importazione riuscita: 2 righe")
    assert demo_db.execute("SELECT COUNT(*) FROM attendance WHERE period = '2026-02'").fetchone()[0] == 2


def test_a_second_file_gets_its_own_mapping(demo_db):
    at = open_page("funzione", "pages/data_upload.py")
    at.file_uploader[0].set_value(("registro.csv", CSV, "text/csv")).run()
    assert next(s for s in at.selectbox if s.label == "Ore di assenza *").value == "Ore di assenza"
    other = (b"Matricola;Classe;Periodo;Ore previste;Assenze in ore\nQ1;3C;2025-10;100;4\n")
    at.file_uploader[0].set_value(("argo.csv", other, "text/csv")).run()
    assert next(s for s in at.selectbox if s.label == "Ore di assenza *").value == "Assenze in ore"
    assert next(s for s in at.selectbox if s.label == "Codice alunno *").value == "Matricola"


NAMES_CSV = (b"Alunno;Classe;Mese;Monte ore;Ore di assenza\n"
             b"Zanardelli Mario;1A;10/2025;100;10\nBrambilla Anna;1A;10/2025;100;5\n")


def test_names_are_refused_and_the_page_offers_pseudonyms_with_a_key_file(demo_db):
    at = open_page("dirigente", "pages/data_upload.py")
    at.file_uploader[0].set_value(("nomi.csv", NAMES_CSV, "text/csv")).run()
    next(b for b in at.button if b.label == "Importa").click().run()
    assert "sembra contenere nomi e cognomi" in at.error[0].value
    assert demo_db.execute("SELECT COUNT(*) FROM attendance").fetchone()[0] == 0
    next(c for c in at.checkbox if "pseudonimizza" in c.label).check().run()
    next(b for b in at.button if b.label == "Importa").click().run()
    assert at.success[0].value.startswith("Importazione riuscita: 2 righe, 2 alunni")
    assert at.get("download_button")  # the key file, for the dirigente
    codes = [r[0] for r in demo_db.execute("SELECT pupil_code FROM attendance")]
    assert len(codes) == 2 and all(c.startswith("PS") for c in codes)


def test_a_day_by_day_list_is_recognised_on_the_page(demo_db):
    events = (b"Codice alunno;Classe;Data;Tipo evento;Ore perse;Giustificata\n"
              b"E1;3A;06/10/2025;Assenza;5;SI\nE1;3A;09/10/2025;Ritardo;1;NO\n")
    at = open_page("funzione", "pages/data_upload.py")
    at.file_uploader[0].set_value(("eventi.csv", events, "text/csv")).run()
    assert any("giorno per giorno" in i.value for i in at.info)
    assert next(s for s in at.selectbox if s.label == "Evento (assenza, ritardo, uscita) *").value == "Tipo evento"
    next(b for b in at.button if b.label == "Importa").click().run()
    assert at.success[0].value.startswith("Importazione riuscita: 2 eventi giorno per giorno")
    assert demo_db.execute("SELECT COUNT(*) FROM attendance_events").fetchone()[0] == 2


def test_the_admin_corrects_the_regional_calendar(demo_db):
    from models.pupils import school_calendar

    at = open_page("admin", "pages/admin.py")
    year = next(s for s in at.selectbox if s.label == "Anno scolastico")
    year.set_value("2025/26").run()
    assert "fornito con Approdo" in " ".join(c.value for c in at.caption)
    holidays = next(t for t in at.text_area if t.label.startswith("Vacanze"))
    assert "23/12/2025 - 06/01/2026 Vacanze di Natale" in holidays.value
    holidays.set_value(holidays.value + "\n31/10/2025 Ponte")
    next(b for b in at.button if b.label == "Salva").click().run()
    assert any("Calendario 2025/26 salvato" in s.value for s in at.success)
    calendar = school_calendar.calendar_for(demo_db, "2025/26")
    assert calendar.edited and any(label == "Ponte" for _, _, label in calendar.holidays)


def test_a_mapping_of_another_school_of_the_network_is_offered_for_the_same_headers(demo_db):
    from dataclasses import replace

    from models.accounts import auth
    from models.pupils import importing as pupil_data

    dirigente = auth.actor_for_user(demo_db, demo_db.execute("SELECT id FROM users WHERE username = 'dirigente'")
                                    .fetchone()[0])
    tiglio = replace(dirigente, user_id=None, username="dirigente.tiglio", school_code="MIMM00002B")
    headers = ["Matr.", "Cl.", "Mese rif.", "Tot. ore", "Ore ass."]
    pupil_data.save_preset(demo_db, tiglio, "MIMM00002B", "attendance", "Nuvola", dict(zip(
        ["pupil_code", "class_name", "period", "scheduled_hours", "absence_hours"], headers, strict=True)), headers)
    at = open_page("funzione", "pages/data_upload.py")
    at.file_uploader[0].set_value(("n.csv", b"Matr.;Cl.;Mese rif.;Tot. ore;Ore ass.\nW1;1A;2025-10;100;3\n",
                                   "text/csv")).run()
    assert any("Un'altra scuola della rete" in i.value for i in at.info)
    preset = next(s for s in at.selectbox if s.label == "Corrispondenza salvata")
    preset.set_value("Nuvola (Scuola secondaria di primo grado «Tiglio»)").run()
    assert next(s for s in at.selectbox if s.label == "Ore di assenza *").value == "Ore ass."
    next(b for b in at.button if b.label == "Importa").click().run()
    assert at.success[0].value.startswith("Importazione riuscita: 1 righe")


def test_an_import_deleted_from_the_history_says_how_many_rows_went(demo_db):
    at = open_page("dirigente", "pages/data_upload.py")
    at.file_uploader[0].set_value(("registro.csv", CSV, "text/csv")).run()
    next(b for b in at.button if b.label == "Importa").click().run()
    assert demo_db.execute("SELECT COUNT(*) FROM attendance").fetchone()[0] == 2
    at.session_state["history"] = {"selection": {"rows": [0], "columns": [], "cells": []}}  # the row clicked
    at.run()
    next(b for b in at.button if b.label == "Elimina l'importazione selezionata").click().run()
    assert [s.value for s in at.success] == ["Importazione eliminata: tolte 2 righe."]
    assert demo_db.execute("SELECT COUNT(*) FROM attendance").fetchone()[0] == 0


def test_an_unreadable_file_gets_one_italian_error_and_no_traceback(demo_db):
    at = open_page("dirigente", "pages/data_upload.py")
    at.file_uploader[0].set_value(("registro.csv", b"\x00\x01\x02 not a table", "text/csv")).run()
    assert not at.exception
    assert len(at.error) == 1 and at.error[0].value
    assert not [b for b in at.button if b.label == "Importa"]  # nothing to import from it


def test_reruns_of_the_upload_page_do_not_read_the_file_again(demo_db, monkeypatch):
    from models.pupils import tabular

    reads = []
    real = tabular.read_table

    def counted(*args, **kwargs):
        reads.append(kwargs.get("max_rows"))
        return real(*args, **kwargs)

    monkeypatch.setattr(tabular, "read_table", counted)
    at = open_page("funzione", "pages/data_upload.py")
    at.file_uploader[0].set_value(("registro.csv", CSV, "text/csv")).run()
    at.checkbox[0].check().run()
    at.checkbox[0].uncheck().run()
    next(s for s in at.selectbox if s.label == "Classe *").set_value(None).run()
    assert reads == [8]  # the headers and a preview, once, whatever the user changes below
    next(s for s in at.selectbox if s.label == "Classe *").set_value("Classe").run()
    next(b for b in at.button if b.label == "Importa").click().run()
    assert at.success[0].value.startswith("Importazione riuscita: 2 righe")
    assert reads == [8, None]  # the import parses the whole file, once


@pytest.mark.parametrize(("classes", "said"), [
    ([], "Non hai classi assegnate: chiedi al dirigente di assegnarle."),
    (["9Z"], "Vedi solo gli alunni delle tue classi: 9Z."),
])
def test_a_teacher_without_classes_or_pupils_gets_a_sentence_not_an_error(pupils_db, system, classes, said):
    """No class assigned yet, or a class with nobody in the data: the page says so and shows an empty list."""
    from models.risk import school_risk

    school_risk.assign_classes(pupils_db, system, "docente", classes)
    at = open_page("docente", "pages/risk.py")
    assert not at.error and not at.exception
    assert [int(m.value) for m in at.metric[:4]] == [0, 0, 0, 0]
    captions = [c.value for c in at.caption]
    assert said in captions and "Nessun dato da mostrare." in captions
    assert not at.dataframe or at.dataframe[0].value.empty


def test_the_filters_are_still_there_after_the_pupil_page_and_back(pupils_db):
    at = open_page("funzione", "pages/risk.py")
    month = next(s for s in at.selectbox if s.label == "Dati al mese")
    assert month.value == "2026-02"
    month.set_value("2025-12").run()
    next(m for m in at.multiselect if m.label == "Classi").set_value(["2A"]).run()
    next(m for m in at.multiselect if m.label == "Livelli").set_value(["basso"]).run()
    at.switch_page("pages/pupil.py").run()
    at.switch_page("pages/risk.py").run()
    assert not at.exception
    assert next(m for m in at.multiselect if m.label == "Classi").value == ["2A"]
    assert next(m for m in at.multiselect if m.label == "Livelli").value == ["basso"]
    assert next(s for s in at.selectbox if s.label == "Dati al mese").value == "2025-12"  # not back to February
    assert not any("Nessun dato da mostrare" in c.value for c in at.caption)
    assert set(at.dataframe[0].value["Classe"]) <= {"2A"} and set(at.dataframe[0].value["Livello"]) <= {"Basso"}


def test_the_week_and_the_school_calendar_are_set_on_the_upload_page(demo_db):
    from models.pupils import school_calendar

    at = open_page("funzione", "pages/data_upload.py")
    at.session_state["class_hours_open"] = at.session_state["school_calendar_open"] = True  # the user opens both
    week_form = [n for n in at.number_input if n.label in ("Lun", "Mar", "Mer", "Gio", "Ven", "Sab")]
    assert [n.value for n in week_form] == [6.4] * 5 + [0.0]  # the school's 1056 hours over 33 weeks and 5 days
    next(t for t in at.text_input if t.label == "Classe").input("2c")
    for field, hours in zip(week_form, [6, 6, 5, 5, 4, 4], strict=True):
        field.set_value(float(hours))
    next(b for b in at.button if b.label == "Salva" and "class_hours" in str(b.form_id)).click().run()
    assert not at.error, [e.value for e in at.error]
    week = school_calendar.weeks(demo_db, "MIIS00003C").of("2C")
    assert week.text() == "lun 6, mar 6, mer 5, gio 5, ven 4, sab 4"
    assert "lun 6, mar 6, mer 5, gio 5, ven 4, sab 4" in list(at.dataframe[0].value["Ore per giorno"])
    # The walk of 08/12: after the save the panel came back closed, the saved week out of sight.
    panels = {e.label: e.proto.expanded for e in at.expander}
    assert panels["Settimana della scuola e delle classi"] and panels["Calendario della scuola"]
    next(r for r in at.radio if r.label == "Rito").set_value("ambrosiano")
    next(t for t in at.text_area if t.label.startswith("Giorni chiusi")).input("02/01/2026 ponte")
    next(b for b in at.button if b.label == "Salva" and "school_calendar" in str(b.form_id)).click().run()
    assert not at.error, [e.value for e in at.error]
    local = school_calendar.local_calendar(demo_db, "MIIS00003C")
    assert local.rite == "ambrosiano" and local.closed[0][2] == "ponte"
    assert {e.label: e.proto.expanded for e in at.expander}["Calendario della scuola"]


def test_the_dirigente_places_hours_under_a_derogation_on_the_pupil_page(demo_db):
    from datetime import date

    from models.pupils import importing as pupil_data
    from tests.conftest import actor_named

    monthly = "Cod. alunno;Classe;Mese;Monte ore;Ore di assenza\nD1;2A;10/2025;128;40\nD1;2A;11/2025;128;40\n"
    pupil_data.import_attendance(demo_db, actor_named(demo_db, "dirigente"), "MIIS00003C", monthly.encode(), "m.csv")
    at = open_page("dirigente", "pages/pupil.py", alunno="D1")
    assert any("decide il consiglio di classe" in m.value for m in at.caption)
    next(b for b in at.button if b.label == "Salva").click().run()  # the suggested criteria, with a deliberation
    assert any("delibera" in e.value for e in at.error)
    next(t for t in at.text_input if t.label.startswith("Delibera")).input("delibera n. 12 del 10/10/2025")
    next(b for b in at.button if b.label == "Salva").click().run()
    next(n for n in at.number_input if n.label == "Ore in deroga").set_value(40.0)
    # Decided today (a later school year): the hours go to the year of the absences they cover.
    assert next(d for d in at.date_input if d.label == "Data della decisione").value > date(2026, 8, 31)
    assert next(s for s in at.selectbox if s.label == "Anno scolastico delle assenze").options == ["2025/26"]
    next(b for b in at.button if b.label == "Registra le ore in deroga").click().run()
    assert not at.error, [e.value for e in at.error]
    assert any("Ore di assenza: 80, di cui 40 in deroga" in m.value for m in at.caption)
    assert list(at.dataframe[-1].value["Ore in deroga"]) == [40.0]
    assert list(at.dataframe[-1].value["Anno scolastico"]) == ["2025/26"]


def test_one_pupil_with_stopped_data_is_told_in_the_singular(demo_db, actors):
    from models.pupils import importing as pupil_data

    # F1's data stop in December while the rest of 5B goes on: the months after are whole (a class missing
    # from a month would make it partial, and the page opens on the latest whole month).
    header = "Cod. alunno;Classe;Mese;Monte ore;Ore di assenza\n"
    autumn = "".join(f"{code};{c};{m}/2025;100;20\n" for code, c in (("F1", "5B"), ("C1", "5B"))
                     for m in ("10", "11", "12"))
    spring = "".join(f"C1;5B;{m}/2026;100;20\n" for m in ("01", "02", "03"))
    for name, rows in (("autunno.csv", autumn), ("primavera.csv", spring)):
        pupil_data.import_attendance(demo_db, actors["dirigente"], "MIIS00003C", (header + rows).encode(), name)
    at = open_page("dirigente", "pages/risk.py")
    captions = "\n".join(c.value for c in at.caption)
    assert "1 alunno ha dati fermi prima di" in captions and "è fuori dall'elenco del mese" in captions


def test_the_pupil_projection_says_its_pace_and_both_ends(demo_db):
    from models.pupils import importing as pupil_data
    from tests.conftest import actor_named

    # 40 h missed of 100 in September and October, none of 100 from November to February (the school's last
    # month): 80 of 600 = 13 % so far. The year is 1056 h: with no more absences 80/1056 = 7.6 %, shown as 8 %,
    # and that is the projection too (the last two months' pace is nothing).
    rows = "".join(f"P1;2A;{m}/{y};100;{a}\n" for m, y, a in (("09", 2025, 40), ("10", 2025, 40), ("11", 2025, 0),
                                                               ("12", 2025, 0), ("01", 2026, 0), ("02", 2026, 0)))
    monthly = "Cod. alunno;Classe;Mese;Monte ore;Ore di assenza\n" + rows
    pupil_data.import_attendance(demo_db, actor_named(demo_db, "dirigente"), "MIIS00003C", monthly.encode(), "m.csv")
    at = open_page("dirigente", "pages/pupil.py", alunno="P1")
    projection = next(m for m in at.metric if m.label.startswith("Proiezione"))
    assert projection.label == "Proiezione a fine anno (ritmo degli ultimi 2 mesi)"
    assert projection.value == "8 %"
    assert any("se da oggi non fa altre assenze, 8 %; al ritmo tenuto finora, 13 %" in c.value for c in at.caption)


def test_a_link_before_the_list_skips_it_for_the_keyboard(pupils_db):
    """The walk of 08/12: Tab stops at each of the table's 12 columns before leaving it (the grid's own keys).
    A link just before the table lands just after it (in Chromium the next Tab then reaches the downloads)."""
    at = open_page("funzione", "pages/risk.py")
    order = []

    def walk(node):
        for child in getattr(node, "children", {}).values():
            order.append(child)
            walk(child)

    walk(at.main)
    link = next(i for i, e in enumerate(order) if e.type == "markdown" and "Salta la tabella" in e.value)
    table = next(i for i, e in enumerate(order) if e.type == "dataframe")
    target = next(i for i, e in enumerate(order) if e.type == "html" and 'id="dopo-elenco"' in e.proto.body)
    assert order[link].value.endswith("(#dopo-elenco)")
    assert table == link + 1 and target == table + 1  # right before and right after the table
