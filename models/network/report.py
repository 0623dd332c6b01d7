"""The network's report for its meetings: every dashboard figure, as an XLSX workbook or a Word file.

Built from `network_figures` and `programme` only, so it holds exactly the
suppressed aggregates the dashboard shows, and never a pupil code.
"""

from __future__ import annotations

import copy
import io
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import sqlite_utils
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm
from matplotlib.figure import Figure  # not pyplot: no global state, no display (a server shared by sessions)
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from models.accounts.schools import LEVEL_LABELS, Level
from models.core import clock, suppression, word_layout
from models.core.permissions import Action, Actor, NetworkRef, require
from models.core.school_year import SchoolYear
from models.core.spreadsheet import safe_cell
from models.network import figures as network_figures
from models.network import programme
from models.protocols import word_export as docx_export
from models.risk import indicators

TEMPLATE = Path(__file__).resolve().parents[2] / "guidelines" / "word" / "rapporto_rete.docx"
REPORT_FIELDS = docx_export.Fields(frozenset({"titolo", "sottotitolo", "avviso"}),
                                   {"capitoli": frozenset({"corpo"})})


@dataclass(frozen=True)
class Report:
    scope: network_figures.Scope
    year: SchoolYear | None
    filters: str
    protocols: pd.DataFrame
    protocol_summary: dict[str, int]
    months: pd.DataFrame
    month: str | None
    schools: pd.DataFrame
    trend: pd.DataFrame
    follow_up: pd.DataFrame
    evaluation: programme.Evaluation
    obligation: pd.DataFrame  # the compulsory-education procedure per month and school (suppressed)
    trend_hidden: dict[str, list[str]] = field(default_factory=dict)  # {series: [periods hidden in the trend]}

    @property
    def title(self) -> str:
        return f"Rapporto della rete «{self.scope.network.name}»"

    @property
    def subtitle(self) -> str:
        return (f"Anno scolastico {self.year} · {self.filters} · "
                f"estratto il {clock.local_date():%d/%m/%Y}")


def build(db: sqlite_utils.Database, actor: Actor, network_code: str, year: SchoolYear | None, *,
          level: str | None = None, school_code: str | None = None) -> Report:
    """Every figure of the dashboard for one school year, as the actor may see them.

    The dashboard page renders this and the files are made from it: one computation for both. Without a year
    (no attendance data yet) only the protocols and the programme indicators are filled.
    """
    # The dashboard's readers (the region reads its own view).
    require(actor, Action.VIEW_NETWORK_FIGURES, NetworkRef(network_code))
    where = network_figures.scope(db, actor, network_code, level=level, school_code=school_code)
    filters = ", ".join(part for part in (
        LEVEL_LABELS[Level(level)] if level else "tutti i gradi",
        where.names.get(school_code, "") if school_code else f"{len(where.schools)} scuole",
    ) if part)
    protocols, summary = network_figures.protocols(db, where)
    if year is None:
        empty = pd.DataFrame()
        return Report(where, year, filters, protocols, summary, empty, None, empty, empty, empty,
                      programme.evaluate(db, where), empty)
    month, schools = network_figures.schools_in_month(db, where, year)
    return Report(where, year, filters, protocols, summary, network_figures.network_months(db, where, year), month,
                  schools, network_figures.trend(db, where, year), network_figures.follow_up(db, where, year),
                  programme.evaluate(db, where), network_figures.obligation(db, where, year),
                  network_figures.trend_hidden(db, where, year))


# --- charts ------------------------------------------------------------------------


def short_month(period: str) -> str:
    """'2025-09' as 'set 2025', the way Italian charts label months."""
    return f"{indicators.month_name(period)[:3]} {period[:4]}"


def trend_figure(report: Report) -> Figure | None:
    """Share of pupils at alto or medio month by month, one line per series; the legend below the plot."""
    if report.trend.empty:
        return None
    # A hidden month stays on the axis and breaks its series' line (one stroke per segment, one legend entry).
    periods = sorted({*report.trend["period"], *(p for months in report.trend_hidden.values() for p in months)})
    figure = Figure(figsize=(7.5, 3.8), dpi=150)
    axes = figure.subplots()
    for number, (name, part) in enumerate(report.trend.groupby("series", sort=False)):
        for segment, stroke in part.groupby("segment", sort=False):
            axes.plot([periods.index(p) for p in stroke["period"]], stroke["rate"], marker="o", color=f"C{number}",
                      label=name if segment == part["segment"].iloc[0] else None)
    for period in sorted({p for months in report.trend_hidden.values() for p in months}):
        axes.axvline(periods.index(period), color="0.6", linestyle=":", linewidth=0.8)  # a hidden month, marked
    axes.set_xticks(range(len(periods)), [short_month(p) for p in periods], fontsize=8)
    if len(periods) > 8:  # a whole year: slanted so that neighbours never touch
        axes.tick_params(axis="x", rotation=35)
        for label in axes.get_xticklabels():
            label.set_horizontalalignment("right")
    axes.set_ylabel("% alunni a rischio alto o medio", fontsize=8)
    axes.set_ylim(bottom=0)
    axes.grid(axis="y", alpha=0.3)
    series = report.trend["series"].nunique()
    axes.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.18 if len(periods) <= 8 else -0.28),
                ncol=min(series, 2), frameon=False)
    figure.set_layout_engine("constrained")
    return figure


def indicators_figure(report: Report) -> Figure | None:
    """The pupil indicators year by year, as horizontal bars with their whole names (hidden figures left out)."""
    frame = report.evaluation.frame(as_text=False)
    pupil_rows = [i.label for i in programme.INDICATORS if i.pupils]
    frame = frame.loc[pupil_rows].map(lambda v: v if isinstance(v, float | int) else float("nan"))
    if frame.empty or frame.isna().all().all():
        return None
    frame = frame.iloc[::-1]  # the first indicator at the top
    figure = Figure(figsize=(7.5, 0.55 * len(frame.index) * max(1, len(frame.columns) / 2) + 1.4), dpi=150)
    axes = figure.subplots()
    height = 0.8 / max(len(frame.columns), 1)
    for n, year in enumerate(frame.columns):
        positions = [i + n * height for i in range(len(frame.index))]
        bars = axes.barh(positions, frame[year].fillna(0), height=height, label=year)
        axes.bar_label(bars, labels=[suppression.text(v, " %") if v == v else "" for v in frame[year]],
                       fontsize=6, padding=2)
    axes.set_yticks([i + height * (len(frame.columns) - 1) / 2 for i in range(len(frame.index))],
                    [textwrap.fill(label, 34) for label in frame.index], fontsize=7)
    axes.set_xlabel("%", fontsize=8)
    axes.set_xlim(0, 115)  # percentages, with room for the value printed after each bar
    axes.set_xticks(range(0, 101, 20))
    axes.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=len(frame.columns),
                frameon=False)
    axes.grid(axis="x", alpha=0.3)
    figure.set_layout_engine("constrained")
    return figure


def trend_chart(report: Report) -> bytes | None:
    figure = trend_figure(report)
    return _png(figure) if figure else None


def indicators_chart(report: Report) -> bytes | None:
    figure = indicators_figure(report)
    return _png(figure) if figure else None


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


# --- XLSX ---------------------------------------------------------------------------

PERCENT_FORMAT = "0.0%"


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
    _sheet(book, "Presa in carico", report.follow_up, percent=lambda row, column: column.endswith("%"))
    _sheet(book, "Obbligo scolastico", report.obligation, index=False, percent=lambda row, column: column.endswith("%"))
    indicator_table = report.evaluation.frame(as_text=False)
    indicator_table.insert(0, "Definizione", [i.definition for i in programme.INDICATORS])
    _sheet(book, "Indicatori", indicator_table, percent=lambda row, column: column != "Definizione")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet(book: Workbook, title: str, frame: pd.DataFrame, *, index: bool = True,
           percent=lambda row, column: False) -> None:
    """One table; numbers stay numbers, and percentages are fractions shown with a percent format."""
    sheet = book.create_sheet(title[:31])
    if frame.empty:
        sheet.append(["Nessun dato per questo anno scolastico."])
        return
    columns = ([""] if index else []) + [str(c) for c in frame.columns]
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for label, row in frame.iterrows():
        values = ([str(label)] if index else [])
        formats = [None] * len(values)
        for column, value in row.items():
            value = _plain(value)
            if isinstance(value, int | float) and not isinstance(value, bool) and percent(label, str(column)):
                values.append(value / 100)
                formats.append(PERCENT_FORMAT)
            else:
                values.append(value)
                formats.append(None)
        sheet.append([safe_cell(v) for v in values])
        for cell, number_format in zip(sheet[sheet.max_row], formats, strict=True):
            if number_format:
                cell.number_format = number_format
            elif isinstance(cell.value, str) and cell.value in ("<5", suppression.HIDDEN, suppression.FEW):
                cell.alignment = Alignment(horizontal="right")
    for n, name in enumerate(columns, start=1):
        longest = max([len(str(c.value or "")) for c in sheet[get_column_letter(n)][1:]] + [8])
        sheet.column_dimensions[get_column_letter(n)].width = min(60, max(longest, min(len(name), 24)) + 2)
    sheet.freeze_panes = "B2" if index else "A2"


def _plain(value):
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


# --- Word -----------------------------------------------------------------------------

OBLIGATION_TEXT = ("Per mese di apertura del caso: casi aperti (più di quindici giorni di assenza non giustificati in"
                   " tre mesi), giorni in media dall'apertura alla comunicazione alla famiglia, quota dei casi"
                   " comunicati in cui la frequenza è ripresa entro sette giorni, segnalazioni al sindaco.")
TABLE_FONT_PT = 9
WIDE_TABLE_COLUMNS = 7  # from this many columns a table gets a landscape page


# The charts' alternative text (a screen reader, the tagged PDF): what each shows; the figures follow in a table.
CHART_TEXTS = {
    "trend": "Grafico a linee: la quota di alunni a rischio alto o medio, mese per mese, per ogni scuola e per la"
             " rete. Le cifre sono nella tabella che segue.",
    "indicators": "Grafico a barre: il valore di ogni indicatore del programma, anno per anno. Le cifre sono nella"
                  " tabella che segue.",
}


def to_docx(report: Report) -> bytes:
    charts = {"trend": trend_chart(report), "indicators": indicators_chart(report)}

    def context(template) -> dict:
        document = template.get_docx()
        page = document.sections[-1]
        footer_references = [copy.deepcopy(e) for e in page._sectPr
                             if e.tag in (qn("w:headerReference"), qn("w:footerReference"))]

        def chapter(title: str, text: str = "", chart: str | None = None, frame: pd.DataFrame | None = None,
                    *, index: bool = True, empty: str = "", paragraphs: list[tuple[str, str]] = ()):
            subdoc = template.new_subdoc()
            wide = frame is not None and not frame.empty and len(frame.columns) + index >= WIDE_TABLE_COLUMNS
            if wide:  # the pages so far stay portrait; this chapter gets landscape pages of its own
                word_layout.section_break(subdoc.add_paragraph(), landscape=False, like=page,
                                          references=footer_references)
            subdoc.add_paragraph(title, style="Heading 1")
            if text:
                subdoc.add_paragraph(text)
            if chart and charts[chart]:
                picture = subdoc.add_paragraph().add_run().add_picture(io.BytesIO(charts[chart]), width=Cm(16))
                docx_export.describe_picture(picture, CHART_TEXTS[chart])
            elif chart:
                subdoc.add_paragraph(empty)
            for label, definition in paragraphs:
                paragraph = subdoc.add_paragraph()
                paragraph.add_run(label + ": ").bold = True
                paragraph.add_run(definition)
            if frame is not None:
                if frame.empty:
                    subdoc.add_paragraph(empty)
                else:
                    width = word_layout.text_width_cm(page)
                    if wide:
                        width += (page.page_height - page.page_width) / 360000
                    _word_table(subdoc, frame, index, width)
            if wide:
                word_layout.section_break(subdoc.add_paragraph(), landscape=True, like=page,
                                          references=footer_references)
            return {"corpo": subdoc}

        s = report.protocol_summary
        month = indicators.month_label(report.month)
        no_data = f"Nessun dato di frequenza caricato per l'anno scolastico {report.year}."
        return {
            "titolo": report.title,
            "sottotitolo": report.subtitle,
            "avviso": suppression.SUPPRESSION_NOTE,
            "capitoli": [
                chapter("Protocolli di accoglienza",
                        f"{s['approved']} {'scuola' if s['approved'] == 1 else 'scuole'} su {s['schools']}"
                        f" {'ha' if s['approved'] == 1 else 'hanno'} il protocollo approvato; {s['current_core']}"
                        f" {'ha' if s['current_core'] == 1 else 'hanno'} accolto l'ultima versione del nucleo comune"
                        " della rete.",
                        frame=report.protocols, index=False, empty="Nessuna scuola in questa selezione."),
                chapter("Alunni per livello di rischio, mese per mese",
                        "Quota di alunni a rischio alto o medio e numero di alunni per livello.",
                        "trend", report.months, empty=no_data),
                chapter(f"Alunni per livello nelle scuole ({month})" if month else "Alunni per livello nelle scuole",
                        frame=report.schools, empty=no_data),
                chapter("Presa in carico degli alunni ad alto rischio",
                        f"Rivisti e raggiunti da un intervento entro {network_figures.FOLLOW_UP_DAYS} giorni dalla"
                        " fine del mese in cui sono risultati ad alto rischio; verifiche scadute ad oggi.",
                        frame=report.follow_up, empty=no_data),
                chapter("Obbligo scolastico (art. 114 c. 4 D.Lgs. 297/1994)", OBLIGATION_TEXT,
                        frame=report.obligation, index=False,
                        empty=f"Nessun caso di obbligo scolastico aperto nell'anno scolastico {report.year}."),
                chapter("Indicatori del programma", "Valori anno per anno.", "indicators",
                        report.evaluation.frame(), empty="Nessun anno scolastico con dati per gli indicatori."),
                chapter("Definizioni degli indicatori",
                        paragraphs=[(i.label, i.definition) for i in programme.INDICATORS]),
            ],
        }

    return docx_export.render(TEMPLATE.read_bytes(), context, lambda: docx_export.Metadata(
        report.title, report.scope.network.name, report.subtitle, "rapporto di rete; dispersione; accoglienza"),
        REPORT_FIELDS)


def _word_table(subdoc, frame: pd.DataFrame, index: bool, width_cm: float) -> None:
    header = ([""] if index else []) + [str(c) for c in frame.columns]
    rows = [([str(label)] if index else []) + [suppression.text(v) for v in row] for label, row in frame.iterrows()]
    grid = subdoc.add_table(rows=1 + len(rows), cols=len(header))
    grid.style = "Table Grid"
    for cell, text in zip(grid.rows[0].cells, header, strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    for cells, values in zip(grid.rows[1:], rows, strict=True):
        for cell, text in zip(cells.cells, values, strict=True):
            cell.paragraphs[0].add_run(text)
            if text and (text[0].isdigit() or text in ("<5", suppression.HIDDEN, suppression.FEW, "—")):
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    word_layout.table_font(grid, TABLE_FONT_PT)
    word_layout.fit_columns(grid, [header, *rows], width_cm, TABLE_FONT_PT)
    word_layout.mark_header_row(grid)
