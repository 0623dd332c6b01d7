"""Per-class uploads on the pages: a partial month is labelled and never opened as the school's month; the pupil
page shows the hours per subject of a per-subject report."""

from models.core.permissions import Actor
from models.pupils import importing as pupil_data
from tests.pages.conftest import open_page

SCHOOL = "MIIS00003C"
SUBJECTS = (b"Codice alunno;Classe;Mese;Materia;Ore lezione;Ore assenza\n"
            b"W1;1A;03/2026;Italiano;20;3\nW1;1A;03/2026;Matematica;16;2,5\n"
            b"Totale;1A;03/2026;;36;5,5\n")


def test_a_partial_month_is_labelled_and_the_list_opens_on_the_whole_one(pupils_db):
    pupil_data.import_attendance(pupils_db, Actor.system("test"), SCHOOL, SUBJECTS, "materie_1A.csv")
    at = open_page("funzione", "pages/risk.py")
    month = next(s for s in at.selectbox if s.label == "Dati al mese")
    assert month.value == "2026-02"  # March holds 1A only
    assert month.options[0].startswith("marzo 2026 (parziale, senza ")
    month.set_value("2026-03").run()
    assert any(w.value.startswith("Mese parziale, non è il mese della scuola: marzo 2026: classe 1A; mancano")
               for w in at.warning)


def test_the_pupil_page_shows_the_hours_per_subject(pupils_db):
    pupil_data.import_attendance(pupils_db, Actor.system("test"), SCHOOL, SUBJECTS, "materie_1A.csv")
    at = open_page("funzione", "pages/pupil.py", alunno="W1")
    assert any(m.value == "**Assenze per materia**" for m in at.markdown)
    # Found by its first column (the chart's figures, "I dati del grafico", are a table before it).
    table = next(t.value for t in at.table if t.value.columns[0] == "Materia")
    assert list(table.iloc[:, 0]) == ["Italiano", "Matematica"]
    assert list(table["marzo 2026"]) == ["3 su 20 (15 %)", "2,5 su 16 (16 %)"]
    upload = open_page("funzione", "pages/data_upload.py")
    held = next(d.value for d in upload.dataframe if "Classi mancanti" in d.value.columns)
    assert held.iloc[0]["Mese"] == "marzo 2026" and held.iloc[0]["Classi caricate"] == "1A"


def test_a_month_kept_across_pages_gives_way_to_a_newer_whole_month(pupils_db):
    at = open_page("funzione", "pages/risk.py")
    next(s for s in at.selectbox if s.label == "Dati al mese").set_value("2025-12").run()
    at.switch_page("pages/pupil.py").run()
    # Meanwhile March arrives for every class: the school's month is now March, and the page opens on it.
    rows = pupils_db.execute("SELECT pupil_code, class_name, scheduled_hours, absence_hours FROM attendance"
                             " WHERE period = '2026-02'").fetchall()
    march = "Codice alunno;Classe;Mese;Monte ore;Ore di assenza\n" + "".join(
        f"{code};{class_name};03/2026;{hours:g};{absent:g}\n".replace(".", ",")
        for code, class_name, hours, absent in rows)
    pupil_data.import_attendance(pupils_db, Actor.system("test"), SCHOOL, march.encode(), "marzo.csv")
    at.switch_page("pages/risk.py").run()
    assert next(s for s in at.selectbox if s.label == "Dati al mese").value == "2026-03"
