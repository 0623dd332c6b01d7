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
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

TARGET = Path(__file__).resolve().parent / "protocollo.docx"

# The context the template uses; models/docx_export.py fills exactly these.
VARIABLES = [
    "titolo", "scuola_nome", "scuola_codice", "rete_nome", "anno_scolastico", "stato", "versione", "data",
    "delibera_data", "delibera_numero", "sezioni",
]


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

    normal = document.styles["Normal"]
    normal.font.name = "Liberation Sans"
    normal.font.size = Pt(11)
    for name, size in (("Heading 1", 15), ("Heading 2", 13), ("Heading 3", 12)):
        style = document.styles[name]
        style.font.name = "Liberation Sans"
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor(0x1F, 0x3A, 0x5F)

    # --- cover ---
    for _ in range(5):
        document.add_paragraph()
    cover = document.add_paragraph(style="Title")
    cover.add_run("{{ titolo }}")
    for text, size, bold in (
        ("{{ scuola_nome }}", 16, True),
        ("{{ scuola_codice }}", 11, False),
        ("{{ rete_nome }}", 13, False),
        ("Anno scolastico {{ anno_scolastico }}", 13, False),
        ("Stato: {{ stato }} · versione {{ versione }} · {{ data }}", 11, False),
    ):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
        run = paragraph.add_run(text)
        run.font.size = Pt(size)
        run.bold = bold
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # --- table of contents ---
    document.add_paragraph("Indice", style="Heading 1")
    _field(document.add_paragraph(), 'TOC \\o "1-3" \\h \\z \\u',
           "Aggiorna l'indice all'apertura del documento (in Word: F9).")
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
        "Il presente protocollo è stato approvato con delibera n. {{ delibera_numero }} del {{ delibera_data }}.")
    document.add_paragraph().add_run("{%p else %}")
    document.add_paragraph().add_run("Protocollo non ancora approvato (stato: {{ stato }}).")
    document.add_paragraph().add_run("{%p endif %}")
    signature = document.add_paragraph()
    signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    signature.add_run("Il dirigente scolastico")

    # --- header and footer (not on the cover) ---
    header = section.header.paragraphs[0]
    header.add_run("{{ scuola_nome }} – Protocollo di accoglienza").font.size = Pt(9)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Versione {{ versione }} · {{ data }} · Pagina ").font.size = Pt(9)
    _field(footer, "PAGE", "1")
    footer.add_run(" di ")
    _field(footer, "NUMPAGES", "1")

    _update_fields_on_open(document)
    document.save(target)
    return target


if __name__ == "__main__":
    print(f"Scritto {build()}")
