"""Carica dati: the preview of an uploaded file never shows a pupil's name, before or after the check."""

from tests.pages.conftest import open_page

NAMED = (b"Codice alunno;Classe;Mese;Monte ore;Ore di assenza\n"
         b"S3A01;3A;03/2026;80;4,5\n"
         b"Mario Rossi;3A;03/2026;80;12\n")


def _everything(at) -> bytes:
    """Every element on the page, serialised (a table's cells are in its Arrow bytes)."""
    return b"".join(node.proto.SerializeToString() for node in at._tree
                    if getattr(node, "proto", None) is not None)


def test_a_name_in_the_code_column_appears_nowhere_on_the_page(pupils_db):
    at = open_page("funzione", "pages/data_upload.py")
    at.file_uploader[0].upload("marzo.csv", NAMED, "text/csv").run()
    assert not at.exception, at.exception
    preview = at.dataframe[0].value
    assert list(preview["Codice alunno"]) == ["S3A01", "•••"]
    assert list(preview["Ore di assenza"]) == ["4,5", "12"]  # numbers stay, to check the mapping
    assert b"Rossi" not in _everything(at)
    next(b for b in at.button if b.label.startswith("Controlla")).click().run()
    assert at.error and b"Rossi" not in _everything(at)


def test_sheet_names_and_title_lines_are_masked_like_the_preview(pupils_db):
    import io

    import openpyxl

    book = openpyxl.Workbook()
    first = book.active
    first.title = "Foglio1"
    first.append(["Riepilogo"])
    named = book.create_sheet("Rossi Mario")
    named.append(["Assenze di Bianchi Luca, marzo 2026"])
    named.append([])
    for row in (["Codice alunno", "Classe", "Mese", "Monte ore", "Ore di assenza"],
                ["S3A01", "3A", "03/2026", 80, 4.5], ["S3A02", "3A", "03/2026", 80, 12]):
        named.append(row)
    data = io.BytesIO()
    book.save(data)
    at = open_page("funzione", "pages/data_upload.py")
    at.file_uploader[0].upload("marzo.xlsx", data.getvalue(),
                               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet").run()
    assert not at.exception, at.exception
    sheet = next(sb for sb in at.selectbox if sb.label == "Foglio con la tabella")
    assert sheet.options == ["1. Foglio1", "2. •••"]
    assert any("Righe di titolo saltate: •••" in c.value for c in at.caption)
    assert list(at.dataframe[0].value["Codice alunno"]) == ["S3A01", "S3A02"]  # the table was found
    everything = _everything(at)
    assert b"Rossi" not in everything and b"Bianchi" not in everything


def _progress_bars(at) -> list:
    return [node for node in at._tree if getattr(node, "type", None) == "progress"]


def test_a_refused_import_leaves_no_progress_bar_that_looks_still_running(pupils_db):
    """The import's progress bar goes once the import is over: after «sembra contenere nomi», a bar stuck at
    «Controllo delle righe» told the head teacher the import was still running."""
    at = open_page("funzione", "pages/data_upload.py")
    surname_name = (b"Codice alunno;Classe;Mese;Monte ore;Ore di assenza\n"
                    b"ROSSI, MARIO;3A;03/2026;100;4\nBIANCHI, ANNA;3A;03/2026;100;2\nS3A01;3A;03/2026;100;1\n")
    at.file_uploader[0].upload("marzo.csv", surname_name, "text/csv").run()
    next(b for b in at.button if b.label == "Importa").click().run()
    assert not at.exception, at.exception
    assert at.error and "sembra contenere nomi e cognomi" in at.error[0].value
    assert _progress_bars(at) == []
    good = b"Codice alunno;Classe;Mese;Monte ore;Ore di assenza\nS3A01;3A;03/2026;100;4\n"
    at.file_uploader[0].upload("marzo_bis.csv", good, "text/csv").run()
    next(b for b in at.button if b.label == "Importa").click().run()
    assert not at.exception, at.exception
    assert at.success and _progress_bars(at) == []


def test_the_page_says_from_the_start_that_a_file_replaces_only_its_own_classes(pupils_db):
    """The intro said «ricaricare un mese lo sostituisce»: a head teacher with one file per class read that her
    other classes' month would go."""
    at = open_page("dirigente", "pages/data_upload.py")
    intro = at.caption[0].value
    assert "solo per le classi del file" in intro and "le altre classi restano" in intro


def test_the_preview_shows_the_register_s_own_words_and_still_hides_names(pupils_db):
    """The walk of 07/12: in a day-by-day list the column «Giustificata» read ••• for every «SI» and «NO» (and a
    kind of event «Assenza» would too): the head teacher could not check the column the compulsory-education rule
    reads. The register's own words show; a name, a free reason, stay hidden."""
    events = ("Codice alunno;Classe;Data;Evento;Ore;Giustificata;Motivo\n"
              "S2C01;2C;01/10/2025;Assenza;5;NO;\n"
              "S2C04;2C;04/10/2025;ABA0;;SI;malattia\n"
              "Mario Rossi;2C;06/10/2025;Ritardo;1;Sì;visita dal dottor Bianchi\n").encode()
    at = open_page("funzione", "pages/data_upload.py")
    at.file_uploader[0].upload("eventi.csv", events, "text/csv").run()
    assert not at.exception, at.exception
    preview = at.dataframe[0].value
    assert list(preview["Giustificata"]) == ["NO", "SI", "Sì"]
    assert list(preview["Evento"]) == ["Assenza", "ABA0", "Ritardo"]
    assert list(preview["Codice alunno"]) == ["S2C01", "S2C04", "•••"]
    assert list(preview["Motivo"]) == ["", "•••", "•••"]
    everything = _everything(at)
    assert b"Rossi" not in everything and b"Bianchi" not in everything and b"malattia" not in everything
