"""Write the Word protocols of this folder: realistic layouts schools use, texts written for Approdo.

Run `python tests/data/protocolli/genera.py` after changing a layout; the .docx files are committed,
and EXPECTED says which sections each must give when imported (tests/models/test_import_corpus.py).
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

FOLDER = Path(__file__).resolve().parent

LETTERHEAD = [
    "MINISTERO DELL'ISTRUZIONE E DEL MERITO",
    "ISTITUTO COMPRENSIVO STATALE «VIA DEI MILLE»",
    "Via dei Mille 12 – 20100 Valfiorita (MI) – tel. 02 1234567",
    "e-mail miic00000x@istruzione.it – PEC miic00000x@pec.istruzione.it – C.F. 80000000000",
]

# Body texts, one per section (each long enough to be body text, never a title).
TEXTS = {
    "premessa": "Il presente protocollo definisce le pratiche condivise dalla scuola per l'accoglienza degli alunni "
                "con background migratorio e neoarrivati, in coerenza con le Linee guida del 2014.",
    "finalita": "Il protocollo intende facilitare l'ingresso a scuola, sostenere l'apprendimento dell'italiano "
                "e costruire un rapporto di fiducia con le famiglie fin dal primo giorno.",
    "destinatari": "Si rivolge agli alunni arrivati in Italia da meno di due anni, alle seconde generazioni e ai "
                   "minori stranieri non accompagnati, e alle loro famiglie.",
    "amministrativa": "La segreteria accoglie l'iscrizione in qualsiasi momento dell'anno, anche senza documenti, e "
                      "informa entro due giorni la commissione accoglienza.",
    "comunicativa": "La commissione incontra la famiglia con il mediatore linguistico-culturale, raccoglie la storia "
                    "scolastica dell'alunno e presenta l'organizzazione della scuola.",
    "educativa": "L'alunno è assegnato alla classe corrispondente all'età, salvo diversa delibera del collegio dei "
                 "docenti; entro due settimane si accerta il livello di italiano.",
    "sociale": "La scuola collabora con i servizi del Comune, il CPIA, le associazioni di volontariato e le "
               "biblioteche del territorio per i laboratori pomeridiani.",
}
TITLES = {
    "premessa": "Premessa", "finalita": "Finalità", "destinatari": "Destinatari",
    "amministrativa": "Fase amministrativa", "comunicativa": "Fase comunicativo-relazionale",
    "educativa": "Fase educativo-didattica", "sociale": "Fase sociale",
}
TABLE = [("Quando", "Chi", "Che cosa"), ("Primo giorno", "Segreteria", "Raccoglie la domanda di iscrizione"),
         ("Entro una settimana", "Commissione", "Colloquio con la famiglia e l'alunno")]

# What each file must give: section titles in order (letterhead, cover and table of contents left out).
EXPECTED = {
    "stili_titolo.docx": [TITLES[k] for k in TEXTS],
    "grassetto_numerati.docx": [TITLES[k] for k in TEXTS],
    "maiuscoli_con_sottotitoli.docx": ["Introduzione (dal documento)", "Premessa", "Le fasi dell'accoglienza",
                                       "Il territorio"],
    "livelli_struttura.docx": [TITLES[k] for k in TEXTS],
}


def _letterhead(document, as_table: bool = False) -> None:
    if as_table:
        table = document.add_table(rows=1, cols=2)
        table.rows[0].cells[0].text = "LOGO"
        table.rows[0].cells[1].text = "\n".join(LETTERHEAD)
        return
    for line in LETTERHEAD:
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(line).font.size = Pt(9)


def _cover(document) -> None:
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run("PROTOCOLLO DI ACCOGLIENZA DEGLI ALUNNI STRANIERI").bold = True
    document.add_paragraph("Anno scolastico 2025/26").alignment = WD_ALIGN_PARAGRAPH.CENTER


def _toc_field(document, entries: list[str]) -> None:
    """A Word table of contents as Word writes it: a TOC field whose result lists the entries."""
    document.add_paragraph("Sommario", style="TOC Heading")
    for n, entry in enumerate(entries):
        paragraph = document.add_paragraph()
        if n == 0:
            _char(paragraph, "begin")
            instr = OxmlElement("w:instrText")
            instr.text = ' TOC \\o "1-3" \\h \\z \\u '
            paragraph.add_run()._r.append(instr)
            _char(paragraph, "separate")
        paragraph.add_run(f"{entry}\t{n + 2}")
        if n == len(entries) - 1:
            _char(paragraph, "end")


def _char(paragraph, kind: str) -> None:
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    paragraph.add_run()._r.append(char)


def _table(document) -> None:
    table = document.add_table(rows=len(TABLE), cols=3)
    for row, values in zip(table.rows, TABLE, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value


def heading_styles(document) -> None:
    """Letterhead as lines, a cover, a Word table of contents, then Heading 1 titles with Heading 2 inside."""
    _letterhead(document)
    _cover(document)
    _toc_field(document, [TITLES[k] for k in TEXTS])
    for key, text in TEXTS.items():
        document.add_heading(TITLES[key], level=1)
        document.add_paragraph(text)
        if key == "amministrativa":
            document.add_heading("Documenti da raccogliere", level=2)
            document.add_paragraph("Documento d'identità o autocertificazione", style="List Bullet")
            document.add_paragraph("Certificato delle vaccinazioni", style="List Bullet")
        if key == "educativa":
            _table(document)


def bold_numbered(document) -> None:
    """The layout of the issue: letterhead in a table, a typed index, bold numbered upper-case titles."""
    _letterhead(document, as_table=True)
    _cover(document)
    document.add_paragraph().add_run("INDICE").bold = True
    for n, key in enumerate(TEXTS, start=1):
        document.add_paragraph(f"{n}. {TITLES[key].upper()} ........................ {n + 1}")
    for n, (key, text) in enumerate(TEXTS.items(), start=1):
        title = document.add_paragraph()
        title.add_run(f"{n}. {TITLES[key].upper()}").bold = True
        document.add_paragraph(text)
        if key == "comunicativa":
            sub = document.add_paragraph()
            sub.add_run(f"{n}.1 Il colloquio con la famiglia").bold = True
            document.add_paragraph("Nel colloquio si concordano i modi per restare in contatto con la scuola, "
                                   "la lingua degli avvisi e gli orari più adatti alla famiglia.")


def upper_case_titles(document) -> None:
    """No numbers and no styles: upper-case titles, bold subtitles, an opening text before the first title."""
    _letterhead(document)
    document.add_paragraph("Questo documento è stato elaborato dalla commissione intercultura e discusso nel "
                           "collegio dei docenti, che lo rivede ogni anno sulla base dell'esperienza fatta.")
    document.add_paragraph("PREMESSA")
    document.add_paragraph(TEXTS["premessa"])
    document.add_paragraph("LE FASI DELL'ACCOGLIENZA")
    for key in ("amministrativa", "comunicativa", "educativa"):
        document.add_paragraph().add_run(TITLES[key]).bold = True
        document.add_paragraph(TEXTS[key])
    document.add_paragraph("IL TERRITORIO")
    document.add_paragraph(TEXTS["sociale"])
    document.add_paragraph("Rete dei servizi comunali", style="List Bullet")


def outline_levels(document) -> None:
    """A school's own styles with Word outline levels (no 'Heading' names); letterhead in the page header."""
    header = document.sections[0].header.paragraphs[0]
    header.text = " – ".join(LETTERHEAD[1:3])
    styles = document.styles
    title_style = styles.add_style("Titolo paragrafo scuola", WD_STYLE_TYPE.PARAGRAPH)
    title_style.font.size, title_style.font.bold = Pt(14), True
    p_pr = title_style.element.get_or_add_pPr()
    level = OxmlElement("w:outlineLvl")
    level.set(qn("w:val"), "0")
    p_pr.append(level)
    for key, text in TEXTS.items():
        document.add_paragraph(TITLES[key], style=title_style)
        document.add_paragraph(text)
        if key == "sociale":
            _table(document)


BUILDERS = {"stili_titolo.docx": heading_styles, "grassetto_numerati.docx": bold_numbered,
            "maiuscoli_con_sottotitoli.docx": upper_case_titles, "livelli_struttura.docx": outline_levels}


def build(folder: Path = FOLDER) -> list[Path]:
    written = []
    for name, builder in BUILDERS.items():
        document = Document()
        document.core_properties.author = "Approdo (esempio)"
        builder(document)
        document.save(folder / name)
        written.append(folder / name)
    return written


if __name__ == "__main__":
    for path in build():
        print(f"Scritto {path}")
