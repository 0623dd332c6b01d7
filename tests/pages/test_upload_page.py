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
