"""Build guidelines/word/protocollo.docx, the docxtpl template of an exported protocol.

Run `python guidelines/word/build_template.py` after changing it; the .docx is
committed so that the export never depends on this script at run time, and
this file is the reviewable source of the template.

Every Jinja tag is written as one run (python-docx `add_run`), because
docxtpl only sees tags that Word has not split across runs.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

TARGET = Path(__file__).resolve().parent / "protocollo.docx"

# The context the template uses; models/docx_export.py fills exactly these.
VARIABLES = [
    "titolo", "scuola_nome", "scuola_codice", "scuola_comune", "rete_nome", "anno_scolastico", "stato", "versione",
    "data", "delibera_organo", "delibera_data", "delibera_numero", "dirigente_nome", "logo", "indice", "sezioni",
]
TEXT_WIDTH = Cm(21.0 - 2 * 2.2)


def _field(paragraph, instruction: str, placeholder: str = "") -> None:
    """A Word field (PAGE, NUMPAGES, TOC...) that Word and LibreOffice compute."""
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, instr, separate):
        paragraph.add_run()._r.append(element)
    paragraph.add_run(placeholder)
    paragraph.add_run()._r.append(end)


def _field_char(paragraph, kind: str, instruction: str = "") -> None:
    """One end of a field whose result spans several paragraphs (the table of contents)."""
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    paragraph.add_run()._r.append(char)
    if instruction:
        instr = OxmlElement("w:instrText")
        instr.set(qn("xml:space"), "preserve")
        instr.text = f" {instruction} "
        paragraph.add_run()._r.append(instr)
        _field_char(paragraph, "separate")


def _language(document, tag: str = "it-IT") -> None:
    """The document's language, so spelling, hyphenation and the PDF's /Lang are Italian."""
    r_pr = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = r_pr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        r_pr.append(lang)
    for attribute in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attribute), tag)


def _styles(document) -> None:
    normal = document.styles["Normal"]
    normal.font.name = "Liberation Sans"
    normal.font.size = Pt(11)
    normal.paragraph_format.widow_control = True
    for name, size in (("Heading 1", 15), ("Heading 2", 13), ("Heading 3", 12)):
        style = document.styles[name]
        style.font.name = "Liberation Sans"
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor(0x1F, 0x3A, 0x5F)
        # A heading never ends a page: it moves with the paragraph or table that follows.
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.keep_together = True
    for level, indent in ((1, 0), (2, 0.6)):
        # "toc N" is the built-in name Word and LibreOffice give the table-of-contents levels.
        style = document.styles.add_style(f"toc {level}", WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.paragraph_format.left_indent = Cm(indent)
        style.paragraph_format.space_after = Pt(3 if level == 1 else 1)
        style.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
        style.font.bold = level == 1
    _language(document)


def _update_fields_on_open(document) -> None:
    settings = document.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)


def build(target: Path = TARGET) -> Path:
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.2))
    section.top_margin = section.bottom_margin = Cm(2.0)
    section.different_first_page_header_footer = True

    _styles(document)

    # --- cover: the school's letterhead, then the document ---
    document.add_paragraph().add_run("{%p if logo %}")
    document.add_paragraph().add_run("{{ logo }}")
    document.add_paragraph().add_run("{%p endif %}")
    letterhead = document.add_paragraph()
    letterhead.add_run("{{ scuola_nome }}").font.size = Pt(15)
    letterhead.runs[0].bold = True
    document.add_paragraph().add_run(
        "{{ scuola_codice }}{% if scuola_comune %} · {{ scuola_comune }}{% endif %}").font.size = Pt(10)
    for _ in range(6):
        document.add_paragraph()
    document.add_paragraph(style="Title").add_run("{{ titolo }}")
    document.add_paragraph().add_run("{%p if scuola_codice %}")
    document.add_paragraph().add_run("{{ rete_nome }}").font.size = Pt(13)
    document.add_paragraph().add_run("{%p endif %}")
    document.add_paragraph().add_run("Anno scolastico {{ anno_scolastico }}").font.size = Pt(13)
    document.add_paragraph()
    document.add_paragraph().add_run("{%p if delibera_numero %}")
    document.add_paragraph().add_run(
        "Approvato dal {{ delibera_organo }} con delibera n. {{ delibera_numero }} del {{ delibera_data }}"
    ).font.size = Pt(11)
    document.add_paragraph().add_run("{%p else %}")
    document.add_paragraph().add_run("Stato: {{ stato }} · non ancora approvato").font.size = Pt(11)
    document.add_paragraph().add_run("{%p endif %}")
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # --- table of contents: a TOC field whose result holds the entries, so the
    # document shows them without an update (page numbers come from the PDF pass)
    # and Word can still refresh it with F9 ---
    document.add_paragraph("Indice", style="TOC Heading")
    _field_char(document.add_paragraph(), "begin", 'TOC \\o "1-3" \\h \\z \\u')
    document.add_paragraph().add_run("{%p for voce in indice %}")
    document.add_paragraph().add_run("{%p if voce.livello == 1 %}")
    document.add_paragraph(style="toc 1").add_run("{{ voce.testo }}\t{{ voce.pagina }}")
    document.add_paragraph().add_run("{%p else %}")
    document.add_paragraph(style="toc 2").add_run("{{ voce.testo }}\t{{ voce.pagina }}")
    document.add_paragraph().add_run("{%p endif %}")
    document.add_paragraph().add_run("{%p endfor %}")
    _field_char(document.add_paragraph(), "end")
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # --- sections: one numbered heading and a subdocument body each ---
    document.add_paragraph().add_run("{%p for sezione in sezioni %}")
    document.add_paragraph(style="Heading 1").add_run("{{ sezione.numero }}. {{ sezione.titolo }}")
    document.add_paragraph().add_run("{{p sezione.corpo }}")
    document.add_paragraph().add_run("{%p endfor %}")

    # --- approval ---
    document.add_paragraph(style="Heading 1").add_run("Approvazione")
    document.add_paragraph().add_run("{%p if delibera_numero %}")
    document.add_paragraph().add_run(
        "Il presente protocollo è stato approvato dal {{ delibera_organo }} con delibera n. {{ delibera_numero }}"
        " del {{ delibera_data }}.")
    document.add_paragraph().add_run("{%p else %}")
    document.add_paragraph().add_run("Protocollo non ancora approvato (stato: {{ stato }}).")
    document.add_paragraph().add_run("{%p endif %}")
    signature = document.add_paragraph()
    signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    signature.add_run("Il dirigente scolastico")
    signature.add_run().add_break()
    signature.add_run("{{ dirigente_nome }}")

    # --- header and footer (not on the cover) ---
    header = section.header.paragraphs[0]
    header.add_run("{{ scuola_nome }} – Protocollo di accoglienza").font.size = Pt(9)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Versione {{ versione }} del {{ data }} · Pagina ").font.size = Pt(9)
    _field(footer, "PAGE", "1")
    footer.add_run(" di ").font.size = Pt(9)
    _field(footer, "NUMPAGES", "1")
    for run in footer.runs:  # the page numbers too, not only the text around them
        run.font.size = Pt(9)

    _update_fields_on_open(document)
    document.save(target)
    return target


if __name__ == "__main__":
    print(f"Scritto {build()}")
