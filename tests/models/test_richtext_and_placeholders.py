import pytest

from models.core.errors import ApprodoError
from models.protocols import placeholders, richtext
from models.protocols.richtext import Heading, ListBlock, Paragraph, Run, Table


def test_the_subset_parses_into_blocks():
    blocks = richtext.parse(
        "Testo **forte** e *corsivo*.\n\n### Titolo\n\n- uno\n  - sotto\n\n1. primo\n\n"
        "| Quando | Chi |\n|---|---|\n| Subito | **Segreteria** |\n"
    )
    assert blocks[0] == Paragraph((Run("Testo "), Run("forte", bold=True), Run(" e "),
                                   Run("corsivo", italic=True), Run("."),))
    assert blocks[1] == Heading((Run("Titolo"),))
    assert isinstance(blocks[2], ListBlock) and not blocks[2].ordered
    assert [(item.level, richtext.plain_text(item.runs)) for item in blocks[2].items] == [(0, "uno"), (1, "sotto")]
    assert isinstance(blocks[3], ListBlock) and blocks[3].ordered
    assert isinstance(blocks[4], Table)
    assert [richtext.plain_text(c) for c in blocks[4].header] == ["Quando", "Chi"]
    assert blocks[4].rows[0][1] == (Run("Segreteria", bold=True),)


def test_a_single_line_break_stays_a_line_break_without_touching_lists_tables_and_headings():
    blocks = richtext.parse("Via Roma 1\nMilano **sede\ncentrale**\n\n### Orari\n\n- lunedì\n  e martedì\n- giovedì\n\n"
                            "| Chi | Quando |\n|---|---|\n| Segreteria | 8-10 |\n")
    assert blocks[0] == Paragraph((Run("Via Roma 1\nMilano "), Run("sede\ncentrale", bold=True)))
    assert blocks[1] == Heading((Run("Orari"),))
    assert [richtext.plain_text(i.runs) for i in blocks[2].items] == ["lunedì\ne martedì", "giovedì"]
    assert blocks[3] == Table(((Run("Chi"),), (Run("Quando"),)), (((Run("Segreteria"),), (Run("8-10"),)),))
    assert len(blocks) == 4
    # The preview breaks the line where the author did.
    assert "<p>Via Roma 1<br>Milano <strong>sede<br>centrale</strong></p>" in richtext.to_html(blocks)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("# Titolo grande", "livello 1"),
        ("## Titolo", "livello 2"),
        ("![foto](x.png)", "immagini"),
        ("[sito](https://example.org)", "collegamenti"),
        ("> citazione", "citazioni"),
        ("```\ncodice\n```", "blocchi di codice"),
        ("testo\n\n---\n\naltro", "linee orizzontali"),
    ],
)
def test_constructs_outside_the_subset_are_refused_in_italian(text, fragment):
    with pytest.raises(ApprodoError, match=fragment):
        richtext.parse(text)


def test_html_is_shown_as_text_never_as_markup():
    html = richtext.to_html(richtext.parse("<script>alert(1)</script> & <b>x</b>"))
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp;" in html


def test_placeholders_are_filled_from_the_whitelist_only():
    text = "Scuola {{ scuola.nome }} ({{scuola.codice}}), a.s. {{ anno_scolastico }}"
    assert placeholders.fill(text, {"scuola.nome": "Ponte", "scuola.codice": "MIIS00003C",
                                    "anno_scolastico": "2025/26"}) == "Scuola Ponte (MIIS00003C), a.s. 2025/26"


def test_an_empty_value_leaves_a_visible_marker():
    assert placeholders.fill("{{ referente_intercultura }}", {}) == "[da completare: docente referente per " \
        "l'intercultura (funzione strumentale)]"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("{{ scuola.indirizzo }}", "{{ scuola.indirizzo }}"),
        ("{{ ''.__class__.__mro__ }}", "__class__"),
        ("{{ config }}", "{{ config }}"),
        ("{% for x in y %}ciao{% endfor %}", "{%"),
        ("{# commento #}", "{#"),
    ],
)
def test_unknown_placeholders_and_template_statements_are_refused_naming_them(text, fragment):
    with pytest.raises(ApprodoError) as refused:
        placeholders.check(text)
    assert fragment in refused.value.message


def test_filling_never_evaluates_anything():
    hostile = "{{ ''.__class__.__mro__[1].__subclasses__() }} {{ 7*7 }}"
    assert placeholders.fill(hostile, {}) == hostile
