"""The rich-text editor's Markdown and ours: what it is given and what it gives back (richtext.for_editor,
richtext.from_editor). An untouched section comes back byte for byte; a change keeps the other blocks' spelling;
what the format refuses is kept as typed, for the save to refuse it with the reason."""

import re

import pytest

from models.core.errors import ApprodoError
from models.demo import demo
from models.protocols import richtext
from models.protocols.templates import list_templates


def as_the_editor_writes(markdown: str) -> str:
    """Markdown as the Lexical component writes it back (seen in the browser): one line per block, the empty
    lines it read kept as empty paragraphs, no empty line after a table, and two spaces at the end of a text line
    followed by another text line."""
    lines = markdown.rstrip("\n").split("\n")
    out = []
    for number, line in enumerate(lines):
        following = lines[number + 1] if number + 1 < len(lines) else ""
        plain = re.compile(r"^(?!\s*(?:[-*+]|\d+[.)])\s|#|\|)\S")
        out.append(line + "  " if plain.match(line) and plain.match(following) else line)
    return "\n".join(out)


def template_sections():
    return [(f"{t.id}/{s.key}", s.body) for t in list_templates() for s in t.sections]


def test_the_three_templates_are_all_here():
    assert len({name.split("/")[0] for name, _ in template_sections()}) == 3


@pytest.mark.parametrize(("name", "body"), template_sections(), ids=lambda v: v if "/" in str(v) else "")
def test_every_template_section_comes_back_unchanged_from_the_editor(name, body):
    given = richtext.for_editor(body)
    assert richtext.parse(given) == richtext.parse(body)  # the editor is given the same content
    assert richtext.from_editor(given, body) == body
    assert richtext.from_editor(as_the_editor_writes(given), body) == body


def test_every_text_of_the_demo_protocols_comes_back_unchanged(db):
    demo.install_demo(db, with_pupils=False)  # the demo's protocols, with their edits and proposals
    bodies = {row[0] for row in db.execute("SELECT body FROM section_versions").fetchall()}
    assert len(bodies) > 20  # the demo's protocols, their versions and edits
    for body in bodies:
        given = richtext.for_editor(body)
        assert richtext.parse(given) == richtext.parse(body), body
        assert richtext.from_editor(as_the_editor_writes(given), body) == body, body


SECTION = """Premessa con **grassetto** e *corsivo*.

| Chi | Cosa |
|---|---|
| Segreteria | Iscrive |

* primo
* secondo
  * sotto

Fine, con {{ scuola.nome }}.
"""


def test_nested_lists_go_to_the_editor_indented_by_four_spaces_and_come_back_as_written():
    given = richtext.for_editor(SECTION)
    assert "- primo\n- secondo\n    - sotto" in given
    assert "| --- | --- |" in given
    assert richtext.from_editor(as_the_editor_writes(given), SECTION) == SECTION


def test_a_changed_paragraph_is_the_editors_and_the_rest_keeps_its_spelling():
    edited = as_the_editor_writes(richtext.for_editor(SECTION)).replace("Iscrive", "Iscrive e informa")
    kept = richtext.from_editor(edited, SECTION)
    assert kept == SECTION.replace("| Chi | Cosa |\n|---|---|\n| Segreteria | Iscrive |",
                                   "| Chi | Cosa |\n| --- | --- |\n| Segreteria | Iscrive e informa |")


def test_a_paragraph_typed_after_a_table_or_a_list_stays_a_paragraph():
    # The editor writes the new paragraph on the very next line: read as it is, it would be a row or an item.
    edited = "| Chi | Cosa |\n| --- | --- |\n| A | B |\nDopo la tabella.\n- uno\n- due\nDopo l'elenco."
    blocks = richtext.parse(richtext.from_editor(edited, ""))
    assert [type(b).__name__ for b in blocks] == ["Table", "Paragraph", "ListBlock", "Paragraph"]
    assert blocks[0].rows == (((richtext.Run("A"),), (richtext.Run("B"),)),)
    assert blocks[3].runs == (richtext.Run("Dopo l'elenco."),)


def test_enter_in_the_editor_makes_a_new_paragraph():
    blocks = richtext.parse(richtext.from_editor("Prima riga.  \nSeconda riga.", ""))
    assert blocks == [richtext.Paragraph((richtext.Run("Prima riga."),)),
                      richtext.Paragraph((richtext.Run("Seconda riga."),))]


def test_what_the_format_refuses_is_kept_as_typed_and_refused_on_save_in_italian():
    edited = "# Un titolo grande\n\n> una citazione"
    kept = richtext.from_editor(edited, SECTION)
    assert "# Un titolo grande" in kept and "> una citazione" in kept  # nothing dropped
    with pytest.raises(ApprodoError, match="Titolo di livello 1 alla riga 1"):
        richtext.validate(kept)


def test_markup_characters_in_the_text_stay_text():
    body = "Il 3 \\* 4 e \\`nome\\` tra \\[parentesi\\]: *corsivo*.\n"
    assert richtext.parse(richtext.for_editor(body)) == richtext.parse(body)
    assert richtext.from_editor(richtext.for_editor(body), body) == body


def test_the_editor_shows_no_backslash_where_the_character_cannot_read_as_markup():
    # The editor shows a backslash as typed: "3 \* 4" would stay "3 \* 4" on the author's screen.
    body = "Il 3 \\* 4, meno di \\<5 e \\[nota\\] restano testo.\n\n| Voto | Nota |\n|---|---|\n| \\<6 | \\[a\\] |\n"
    given = richtext.for_editor(body)
    assert "\\" not in given
    assert "Il 3 * 4, meno di <5 e [nota] restano testo." in given
    assert richtext.parse(given) == richtext.parse(body)
    assert richtext.from_editor(as_the_editor_writes(given), body) == body


def test_a_character_that_would_read_as_markup_keeps_its_backslash():
    body = "Non \\*corsivo\\* e \\<http://esempio.it\\>.\n"
    given = richtext.for_editor(body)
    assert "\\*corsivo\\*" in given
    assert richtext.parse(given) == richtext.parse(body)
