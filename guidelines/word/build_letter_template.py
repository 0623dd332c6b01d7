"""Build guidelines/word/lettera.docx, the docxtpl template of the compulsory-education letters.

Run `python guidelines/word/build_letter_template.py` after changing it; the
.docx is committed (like protocollo.docx) and this file is its reviewable source.
Every Jinja tag is one run, because docxtpl only sees tags Word has not split.

The letter: the school's letterhead, the addressee on the right, place, date and
protocol number, the network's text (a subdocument), the signature; when the
family reads another language, a courtesy translation follows on a new page.
"""

from __future__ import annotations

from pathlib import Path

from build_template import _language
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

TARGET = Path(__file__).resolve().parent / "lettera.docx"

# The context the template uses; models/obligation/letters.py fills exactly these.
VARIABLES = ["logo", "scuola_nome", "scuola_codice", "scuola_comune", "scuola_contatti", "destinatario", "luogo_data",
             "protocollo", "corpo", "dirigente_nome", "firma_nota", "traduzione", "traduzione_titolo",
             "traduzione_corpo"]
GREY = RGBColor(0x40, 0x40, 0x40)


def _right(document, text: str, *, bold: bool = False):
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    paragraph.paragraph_format.space_after = Pt(0)
    run = paragraph.add_run(text)
    run.bold = bold or None
    return paragraph


def _letterhead(document) -> None:
    document.add_paragraph().add_run("{%p if logo %}")
    logo = document.add_paragraph()
    logo.alignment = WD_ALIGN_PARAGRAPH.CENTER
    logo.add_run("{{ logo }}")
    document.add_paragraph().add_run("{%p endif %}")
    name = document.add_paragraph()
    name.alignment = WD_ALIGN_PARAGRAPH.CENTER
    name.paragraph_format.space_after = Pt(0)
    run = name.add_run("{{ scuola_nome }}")
    run.bold, run.font.size = True, Pt(14)
    facts = document.add_paragraph()
    facts.alignment = WD_ALIGN_PARAGRAPH.CENTER
    facts.paragraph_format.space_after = Pt(14)
    run = facts.add_run("Codice meccanografico {{ scuola_codice }}{% if scuola_comune %} · {{ scuola_comune }}"
                        "{% endif %}")
    run.font.size, run.font.color.rgb = Pt(9.5), GREY
    # The school's contacts (address, telephone, e-mail, PEC, office hours) on a second line, when it gave them.
    run = facts.add_run("{% if scuola_contatti %}")
    run = facts.add_run()
    run.add_break()
    run = facts.add_run("{{ scuola_contatti }}{% endif %}")
    run.font.size, run.font.color.rgb = Pt(9.5), GREY
    # A rule under the letterhead, as on the schools' own paper.
    borders = facts._p.get_or_add_pPr()
    p_bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "4"), ("w:color", "808080")):
        bottom.set(qn(key), value)
    p_bdr.append(bottom)
    borders.append(p_bdr)


def _complex_script_font(document) -> None:
    """Arabic, Persian, Urdu are complex scripts: give them a font that has their letters."""
    r_pr = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    fonts.set(qn("w:cs"), "DejaVu Sans")


def build(target: Path = TARGET) -> Path:
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin, section.bottom_margin = Cm(1.6), Cm(2.0)
    normal = document.styles["Normal"]
    normal.font.name = "Liberation Sans"
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.widow_control = True
    _complex_script_font(document)

    _letterhead(document)

    # The addressee, on the right: blanks (underlined spaces) where Approdo knows no name or address.
    document.add_paragraph().add_run("{%p for riga in destinatario %}")
    _right(document, "{{ riga.testo }}")
    document.add_paragraph().add_run("{%p endfor %}")

    place = document.add_paragraph()
    place.paragraph_format.space_before, place.paragraph_format.space_after = Pt(14), Pt(0)
    place.add_run("{{ luogo_data }}")
    number = document.add_paragraph()
    number.paragraph_format.space_after = Pt(12)
    number.add_run("Prot. n. {{ protocollo }}")

    document.add_paragraph().add_run("{{p corpo }}")

    role = _right(document, "Il Dirigente Scolastico")
    role.paragraph_format.space_before = Pt(12)
    role.paragraph_format.keep_with_next = True  # never a signature alone on a page
    _right(document, "{{ dirigente_nome }}")
    # How the letter is signed, when not by hand (art. 3 c. 2 D.Lgs. 39/1993; digital signature).
    document.add_paragraph().add_run("{%p if firma_nota %}")
    signature = _right(document, "{{ firma_nota }}")
    signature.paragraph_format.space_before = Pt(6)
    signature.runs[0].italic, signature.runs[0].font.size = True, Pt(8.5)
    signature.runs[0].font.color.rgb = GREY
    document.add_paragraph().add_run("{%p endif %}")

    # The courtesy translation, on its own page, after the Italian act that is protocolled and signed.
    document.add_paragraph().add_run("{%p if traduzione %}")
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    note = document.add_paragraph()
    note.paragraph_format.space_after = Pt(12)
    run = note.add_run("{{ traduzione_titolo }}")
    run.italic, run.font.size, run.font.color.rgb = True, Pt(9.5), GREY
    document.add_paragraph().add_run("{{p traduzione_corpo }}")
    document.add_paragraph().add_run("{%p endif %}")

    _language(document)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = footer.add_run("{{ scuola_nome }} · {{ scuola_codice }}")
    run.font.size, run.font.color.rgb = Pt(8), GREY
    document.save(str(target))
    return target


if __name__ == "__main__":
    print(build())
