"""The network's report for its meetings: every dashboard figure, as an XLSX workbook or a Word file.

Built from `network_figures` and `programme` only, so it holds exactly the
suppressed aggregates the dashboard shows, and never a pupil code.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlite_utils
from docx.shared import Cm
from docxtpl import InlineImage
from matplotlib.figure import Figure  # not pyplot: no global state, no display (a server shared by sessions)
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from models import clock, docx_export, network_figures, programme, suppression, word_layout
from models.permissions import Actor
from models.risk import indicators
from models.school_year import SchoolYear
from models.schools import LEVEL_LABELS, Level
from models.spreadsheet import safe_cell

TEMPLATE = Path(__file__).resolve().parent.parent / "guidelines" / "word" / "rapporto_rete.docx"


@dataclass(frozen=True)
class Report:
    scope: network_figures.Scope
    year: SchoolYear
    filters: str
    protocols: pd.DataFrame
    protocol_summary: dict[str, int]
    months: pd.DataFrame
    month: str | None
    schools: pd.DataFrame
    trend: pd.DataFrame
    follow_up: pd.DataFrame
    evaluation: programme.Evaluation

    @property
    def title(self) -> str:
        return f"Rapporto della rete «{self.scope.network.name}»"

    @property
    def subtitle(self) -> str:
        return (f"Anno scolastico {self.year} · {self.filters} · "
                f"estratto il {clock.local_date():%d/%m/%Y}")


def build(db: sqlite_utils.Database, actor: Actor, network_code: str, year: SchoolYear, *,
          level: str | None = None, school_code: str | None = None) -> Report:
    """Every figure of the dashboard for one school year, as the actor may see them."""
    where = network_figures.scope(db, actor, network_code, level=level, school_code=school_code)
    filters = ", ".join(part for part in (
        LEVEL_LABELS[Level(level)] if level else "tutti i gradi",
        where.names.get(school_code, "") if school_code else f"{len(where.schools)} scuole",
    ) if part)
    protocols, summary = network_figures.protocols(db, where)
    month, schools = network_figures.schools_in_month(db, where, year)
    return Report(where, year, filters, protocols, summary, network_figures.network_months(db, where, year), month,
                  schools, network_figures.trend(db, where, year), network_figures.follow_up(db, where, year),
                  programme.evaluate(db, where))


# --- charts ------------------------------------------------------------------------


def trend_chart(report: Report) -> bytes | None:
    """PNG: share of pupils at alto or medio month by month, one line per series."""
    if report.trend.empty:
        return None
    figure = Figure(figsize=(7, 3.2), dpi=150)
    axes = figure.subplots()
    for name, part in report.trend.groupby("series", sort=False):
        axes.plot(part["period"], part["rate"], marker="o", label=name)
    axes.set_ylabel("% alunni a rischio alto o medio")
    axes.set_ylim(bottom=0)
    axes.grid(axis="y", alpha=0.3)
    axes.legend(fontsize=7, loc="upper left")
    axes.tick_params(axis="x", labelsize=7, rotation=45)
    return _png(figure)


def indicators_chart(report: Report) -> bytes | None:
    """PNG: the pupil indicators year by year (hidden figures are left out, not drawn as zero)."""
    frame = report.evaluation.frame(as_text=False)
    pupil_rows = [i.label for i in programme.INDICATORS if i.pupils]
    frame = frame.loc[pupil_rows].map(lambda v: v if isinstance(v, float | int) else float("nan"))
    if frame.isna().all().all():
        return None
    figure = Figure(figsize=(7, 3.6), dpi=150)
    axes = figure.subplots()
    width = 0.8 / max(len(frame.columns), 1)
    for n, year in enumerate(frame.columns):
        positions = [i + n * width for i in range(len(frame.index))]
        axes.bar(positions, frame[year].fillna(0), width=width, label=year)
    axes.set_xticks([i + width * (len(frame.columns) - 1) / 2 for i in range(len(frame.index))])
    axes.set_xticklabels([label.replace(" ", "\n", 2) for label in frame.index], fontsize=6)
    axes.set_ylabel("%")
    axes.legend(fontsize=7)
    axes.grid(axis="y", alpha=0.3)
    return _png(figure)


def _png(figure: Figure) -> bytes:
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


# --- XLSX ---------------------------------------------------------------------------


def to_xlsx(report: Report) -> bytes:
    book = Workbook()
    info = book.active
    info.title = "Informazioni"
    for line in (report.title, report.subtitle, suppression.SUPPRESSION_NOTE,
                 "Nessun codice di alunno è presente in questo file."):
        info.append([line])
    info["A1"].font = Font(bold=True, size=14)
    info.column_dimensions["A"].width = 110
    _sheet(book, "Protocolli", report.protocols, index=False)
    _sheet(book, "Livelli per mese", report.months)
    _sheet(book, f"Scuole {indicators.month_label(report.month)}".strip(), report.schools)
    _sheet(book, "Presa in carico", report.follow_up)
    indicator_table = report.evaluation.frame(as_text=False)
    indicator_table.insert(0, "Definizione", [i.definition for i in programme.INDICATORS])
    _sheet(book, "Indicatori", indicator_table)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet(book: Workbook, title: str, frame: pd.DataFrame, *, index: bool = True) -> None:
    sheet = book.create_sheet(title[:31])
    if frame.empty:
        sheet.append(["Nessun dato."])
        return
    columns = ([""] if index else []) + [str(c) for c in frame.columns]
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for label, row in frame.iterrows():
        values = ([str(label)] if index else []) + [_plain(v) for v in row]
        sheet.append([safe_cell(v) for v in values])
    for n in range(1, len(columns) + 1):
        sheet.column_dimensions[get_column_letter(n)].width = 48 if n == 1 else 18


def _plain(value):
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


# --- Word -----------------------------------------------------------------------------


def to_docx(report: Report) -> bytes:
    charts = {"trend": trend_chart(report), "indicators": indicators_chart(report)}

    def context(template) -> dict:
        def image(key):
            data = charts[key]
            return InlineImage(template, io.BytesIO(data), width=Cm(16)) if data else ""

        def table(frame: pd.DataFrame, index: bool = True):
            subdoc = template.new_subdoc()
            if frame.empty:
                subdoc.add_paragraph("Nessun dato.")
                return subdoc
            header = ([""] if index else []) + [str(c) for c in frame.columns]
            grid = subdoc.add_table(rows=1, cols=len(header))
            grid.style = "Table Grid"
            for cell, text in zip(grid.rows[0].cells, header, strict=True):
                cell.paragraphs[0].add_run(text).bold = True
            for label, row in frame.iterrows():
                cells = grid.add_row().cells
                values = ([str(label)] if index else []) + [suppression.text(v) for v in row]
                for cell, text in zip(cells, values, strict=True):
                    cell.text = text
            word_layout.mark_header_row(grid)
            return subdoc

        s = report.protocol_summary
        definitions = template.new_subdoc()
        for indicator in programme.INDICATORS:
            paragraph = definitions.add_paragraph()
            paragraph.add_run(indicator.label + ": ").bold = True
            paragraph.add_run(indicator.definition)
        month = indicators.month_label(report.month)
        return {
            "titolo": report.title,
            "sottotitolo": report.subtitle,
            "avviso": suppression.SUPPRESSION_NOTE,
            "capitoli": [
                {"titolo": "Protocolli di accoglienza",
                 "testo": f"{s['approved']} scuole su {s['schools']} hanno il protocollo approvato; {s['current_core']}"
                          f" hanno accolto l'ultima versione del nucleo comune della rete.",
                 "grafico": "", "tabella": table(report.protocols, index=False)},
                {"titolo": "Alunni per livello di rischio, mese per mese",
                 "testo": "Quota di alunni a rischio alto o medio e numero di alunni per livello.",
                 "grafico": image("trend"), "tabella": table(report.months)},
                {"titolo": f"Alunni per livello nelle scuole ({month})", "testo": "", "grafico": "",
                 "tabella": table(report.schools)},
                {"titolo": "Presa in carico degli alunni ad alto rischio",
                 "testo": f"Rivisti e raggiunti da un intervento entro {network_figures.FOLLOW_UP_DAYS} giorni dalla"
                          " fine del mese in cui sono risultati ad alto rischio; verifiche scadute ad oggi.",
                 "grafico": "", "tabella": table(report.follow_up)},
                {"titolo": "Indicatori del programma", "testo": "Valori anno per anno.",
                 "grafico": image("indicators"), "tabella": table(report.evaluation.frame())},
                {"titolo": "Definizioni degli indicatori", "testo": "", "grafico": "", "tabella": definitions},
            ],
        }

    return docx_export.render(TEMPLATE.read_bytes(), context)


def file_name(report: Report, extension: str) -> str:
    return f"rapporto_{report.scope.network.code}_{str(report.year).replace('/', '-')}.{extension}"
