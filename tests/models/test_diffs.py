"""The rendered comparison: what a reader sees change, block by block and word by word (worked out by hand)."""

from models.protocols import diffs
from models.protocols.diffs import BlockChange, Styled
from models.protocols.richtext import Run, Table


def kinds(changes):
    return [(c.kind, c.shape) for c in changes]


def test_a_changed_word_is_marked_inside_its_paragraph():
    (change,) = diffs.rendered_diff("Entro 5 giorni la famiglia.", "Entro 3 giorni la famiglia.")
    assert change == BlockChange("changed", "paragraph", (
        Styled("same", "Entro "), Styled("removed", "5"), Styled("added", "3"), Styled("same", " giorni la famiglia.")))
    assert diffs.counted([change]) == (1, 1)


def test_a_rewritten_phrase_is_one_removal_and_one_insertion_not_alternating_words():
    (change,) = diffs.rendered_diff("Il gatto nero dorme.", "Il cane bianco dorme.")
    assert change.pieces == (Styled("same", "Il "), Styled("removed", "gatto nero"), Styled("added", "cane bianco"),
                             Styled("same", " dorme."))


def test_punctuation_is_a_word_of_its_own_and_bold_is_a_change():
    (change,) = diffs.rendered_diff("La scuola accoglie.", "La scuola **accoglie**;")
    assert change.pieces == (Styled("same", "La scuola "), Styled("removed", "accoglie."),
                             Styled("added", "accoglie", bold=True), Styled("added", ";"))
    assert diffs.counted([change]) == (1, 1)  # words, not punctuation


def test_an_item_added_to_a_numbered_list_leaves_the_renumbered_items_unchanged():
    changes = diffs.rendered_diff("1. Iscrizione\n2. Colloquio\n", "1. Iscrizione\n2. Prova d'ingresso\n3. Colloquio\n")
    assert kinds(changes) == [("same", "item"), ("added", "item"), ("same", "item")]
    assert changes[1].new_marker == "2." and changes[1].old_marker == ""
    assert changes[2].old_marker == "2." and changes[2].new_marker == "3."
    assert diffs.counted(changes) == (3, 0)  # Prova, d, ingresso


def test_headings_pair_with_headings_and_unchanged_blocks_stay_same():
    changes = diffs.rendered_diff("### Orari\n\nDal lunedì.\n\n- uno\n",
                                  "### Orari di apertura\n\nDal lunedì.\n\n- uno\n")
    assert kinds(changes) == [("changed", "heading"), ("same", "paragraph"), ("same", "item")]
    assert changes[0].pieces == (Styled("same", "Orari"), Styled("added", " di apertura"))


def test_a_paragraph_replaced_by_a_list_is_removed_and_added_not_paired():
    changes = diffs.rendered_diff("Tre fasi.", "- accoglienza\n- inserimento\n")
    assert kinds(changes) == [("removed", "paragraph"), ("added", "item"), ("added", "item")]


TABLE = "| Chi | Compiti |\n|---|---|\n| Segreteria | Iscrizione |\n| Docente | Colloquio |\n"


def test_a_changed_table_gives_each_changed_cell_by_row_and_column():
    new = "| Chi | Compiti |\n|---|---|\n| Segreteria | Iscrizione e moduli |\n| Docente | Colloquio |\n"
    (change,) = diffs.rendered_diff("Intro.\n\n" + TABLE, "Intro.\n\n" + new)[1:]
    assert change == BlockChange("changed", "cell", (Styled("same", "Iscrizione"), Styled("added", " e moduli")),
                                 row="Segreteria", column="Compiti")


def test_a_row_added_or_removed_is_shown_as_that_row_under_its_header():
    new = "| Chi | Compiti |\n|---|---|\n| Docente | Colloquio |\n| Mediatore | Traduzione |\n"
    changes = diffs.rendered_diff(TABLE, new)
    header = ((Run("Chi"),), (Run("Compiti"),))
    assert changes == [
        BlockChange("removed", "row", row="Segreteria",
                    table=Table(header, (((Run("Segreteria"),), (Run("Iscrizione"),)),))),
        BlockChange("added", "row", row="Mediatore",
                    table=Table(header, (((Run("Mediatore"),), (Run("Traduzione"),)),))),
    ]
    assert diffs.counted(changes) == (2, 2)


def test_a_renamed_row_and_a_renamed_column_are_named_as_they_are_now():
    new = "| Chi | Attività |\n|---|---|\n| Segreteria alunni | Iscrizione |\n| Docente | Colloquio |\n"
    changes = diffs.rendered_diff(TABLE, new)
    assert [(c.kind, c.row, c.column) for c in changes] == [
        ("changed", diffs.HEADER_ROW, "Attività"), ("changed", "Segreteria alunni", "Chi")]
    assert changes[1].pieces == (Styled("same", "Segreteria"), Styled("added", " alunni"))


def test_a_whole_table_added_is_one_change_holding_it():
    (same, added) = diffs.rendered_diff("Intro.", "Intro.\n\n" + TABLE)
    assert same.kind == "same" and (added.kind, added.shape) == ("added", "table")
    assert added.table.rows[1] == ((Run("Docente"),), (Run("Colloquio"),))
    assert diffs.counted([same, added]) == (6, 0)


def test_a_line_break_added_is_a_change_and_a_text_outside_the_subset_still_compares():
    (change,) = diffs.rendered_diff("Via Roma 1 Milano", "Via Roma 1\nMilano")
    assert change.pieces == (Styled("same", "Via Roma 1"), Styled("removed", " "), Styled("added", "\n"),
                             Styled("same", "Milano"))
    # An old version with a link (refused today) is compared as its plain paragraphs, never dropped.
    (change,) = diffs.rendered_diff("Vedi [sito](https://example.org).", "Vedi il sito.")
    assert change.kind == "changed" and change.shape == "paragraph"
    assert "".join(p.text for p in change.pieces if p.kind != "added") == "Vedi [sito](https://example.org)."
