"""The one diff renderer of the app: escaped, marked for every reader, the source one click away."""

import re

import pytest

from ui.diff_view import diff_html, paragraph_diff_html

ALLOWED_TAGS = {"style", "table", "thead", "tbody", "tr", "th", "td", "del", "ins", "span", "strong", "em", "br",
                "div", "details", "summary"}
HOSTILE = [
    # Inside the section format: markup typed as text, in a paragraph, a heading and table cells.
    "Testo <script>alert(1)</script> & <img src=x onerror=alert(1)>.\n\n### <i>Titolo</i>\n\n"
    "| <b>Chi</b> | Compiti |\n|---|---|\n| \"><svg onload=alert(1)> | <a href=\"javascript:alert(1)\">x</a> |\n",
    # Outside it (a link, raw HTML block): compared as plain paragraphs, still text.
    "[clic](javascript:alert(1)) <iframe src=//evil>\n\n<div onclick=alert(1)>ciao</div>\n\n- <style>*{}</style>",
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_user_text_is_never_markup_in_a_diff(hostile):
    for old, new in [("Testo.", hostile), (hostile, "Testo."), (hostile, hostile + "\n\nAltro.")]:
        shown = diff_html(old, new, "<b>Prima</b>", "Dopo")
        tags = set(re.findall(r"<\s*/?\s*([a-zA-Z]+)", shown))
        assert tags <= ALLOWED_TAGS, tags - ALLOWED_TAGS
        assert shown.count("<style>") == 1 and "&lt;b&gt;Prima&lt;/b&gt;" in shown
        assert "href" not in re.sub(r"&lt;.*?&gt;", "", shown)  # only as escaped text, never an attribute
        # Every mark carries the word for screen readers, not only a colour.
        assert shown.count("<ins>") == shown.count('<ins><span class="approdo-sr">inserito: </span>') > 0
        assert shown.count("<del>") == shown.count('<del><span class="approdo-sr">tolto: </span>')


def test_the_rendered_text_is_shown_and_the_source_is_one_click_away():
    shown = diff_html("Uno.\n\nEntro **5** giorni.", "Uno.\n\nEntro **3** giorni.\n\n- nuova voce")
    rendered, summary, source = shown.partition('<details class="approdo-source"><summary>Mostra il testo sorgente'
                                                "</summary>")
    assert summary and source.endswith("</details>")
    assert ('<td class="gone">Entro <strong><del><span class="approdo-sr">tolto: </span>5</del></strong> giorni.</td>'
            '<td class="new">Entro <strong><ins><span class="approdo-sr">inserito: </span>3</ins></strong> giorni.</td>'
            ) in rendered
    assert '<td class="new"><div style="padding-left:0em">• <ins><span class="approdo-sr">inserito: </span>' \
           "nuova voce</ins></div></td>" in rendered
    assert "1 paragrafo uguale" in rendered and "**" not in rendered
    assert 'Entro <del><span class="approdo-sr">tolto: </span>**5**</del>' in source
    assert '<ins><span class="approdo-sr">inserito: </span>- nuova voce</ins>' in source
    # Without the source (the printable page), only the rendered text.
    assert "<details" not in diff_html("a", "b", source=False)


def test_the_source_diff_alone_is_escaped_and_paired_by_paragraph():
    shown = paragraph_diff_html("Uno.\n\n<script>alert(1)</script> vecchio", "Uno.\n\n<script>alert(1)</script> nuovo")
    assert "<script>" not in shown and "&lt;script&gt;" in shown
    assert '<del><span class="approdo-sr">tolto: </span>vecchio</del>' in shown
    assert '<ins><span class="approdo-sr">inserito: </span>nuovo</ins>' in shown
    assert "1 paragrafo uguale" in shown
