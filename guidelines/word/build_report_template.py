"""Build guidelines/word/rapporto_rete.docx, the docxtpl template of a network's report.

Run `python guidelines/word/build_report_template.py` after changing it; the
.docx is committed (like protocollo.docx) and this file is its reviewable source.
Every Jinja tag is one run, because docxtpl only sees tags Word has not split.
"""

from __future__ import annotations

from pathlib import Path

from build_template import _language
from docx import Document
from docx.shared import Cm, Pt, RGBColor

TARGET = Path(__file__).resolve().parent / "rapporto_rete.docx"

# The context the template uses; models/network_report.py fills exactly these.
VARIABLES = ["titolo", "sottotitolo", "avviso", "capitoli"]


def build(target: Path = TARGET) -> Path:
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(2)
    normal = document.styles["Normal"]
    normal.font.name = "Liberation Sans"
    normal.font.size = Pt(10.5)

    document.add_paragraph(style="Title").add_run("{{ titolo }}")
    document.add_paragraph().add_run("{{ sottotitolo }}")
    notice = document.add_paragraph().add_run("{{ avviso }}")
    notice.italic = True
    notice.font.color.rgb = RGBColor(0x59, 0x59, 0x59)

    document.add_paragraph().add_run("{%p for capitolo in capitoli %}")
    # Each chapter (heading, text, chart, table) is built in code, so that a wide table
    # can take landscape pages of its own with its heading.
    document.add_paragraph().add_run("{{p capitolo.corpo }}")
    document.add_paragraph().add_run("{%p endfor %}")

    for name in ("Heading 1", "Heading 2"):
        document.styles[name].paragraph_format.keep_with_next = True
    _language(document)

    footer = section.footer.paragraphs[0]
    footer.add_run("Dati aggregati: le cifre costruite su meno di 5 alunni non sono mostrate.").font.size = Pt(8)
    document.save(str(target))
    return target


if __name__ == "__main__":
    print(build())
