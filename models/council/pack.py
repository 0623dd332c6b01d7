"""The class council's pack: one page per class, one page per pupil, as Word and PDF. Codes only.

What a consiglio di classe reads before it meets: for the pupils the risk page's filters show, a first
page per class (pupils by level with their reasons in one line, the checks and interventions due, the
class's absence month by month) and a page per pupil (the months with the network's chronic line and the
25 % line, the level each month, the reasons, the projection against the limit, reviews, interventions
with outcomes, the next check and who owns it, the compulsory-education case if any).

Names never enter: the pack carries pupil codes, and the school puts names back on its own computer with
`cli.py add-names` (models/pupils/names_back.py). The pack is built from the same scored list as
the risk page and its downloads, with the same filters (`list_export.Selection`), and its read is logged.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pandas as pd
import sqlite_utils
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_BREAK
from docx.shared import Cm, Pt, RGBColor

from models.accounts import people
from models.core import audit, clock
from models.core.permissions import Action, Actor, SchoolRef, allowed
from models.core.school_year import SchoolYear
from models.core.word_layout import fit_columns, mark_header_row, table_font, text_width_cm
from models.follow_up import interventions, list_export, reviews
from models.follow_up.list_export import NOTICE, Selection
from models.obligation import cases as obligation
from models.risk import derogations, history, indicators, school_risk
from models.risk.school_risk import RiskList

CHART_WIDTH_CM = 16.0
BAR_COLOUR = "#4C78A8"
CHRONIC_COLOUR = "#B35806"  # dark orange and dark red: the lines stay apart for colour-blind readers (dashes too)
LEGAL_COLOUR = "#B2182B"


@dataclass(frozen=True)
class Pack:
    file_stem: str  # e.g. pacchetto_RMIC8AB00X_2026-03_classe-3A: what it holds, in the name
    first_line: str  # the filters, as the first line of the document says them
    pupils: tuple[str, ...]  # the codes it holds, in order
    classes: tuple[str, ...]
    docx: bytes


def council_pack(db: sqlite_utils.Database, actor: Actor, school_code: str, selection: Selection, *,
                 as_of: str | None = None) -> Pack:
    """The pack for the pupils `selection` keeps of the list the actor may see; the read is logged once."""
    risk = school_risk.school_risk(db, actor, school_code, as_of=as_of, channel="pacchetto consiglio")
    chosen = risk.pupils[list_export.selected(risk.pupils, selection)]
    chosen = chosen.sort_values(["class_name", "level", "pupil_code"],
                                key=lambda c: c.map(_LEVEL_ORDER) if c.name == "level" else c)
    follow = reviews.follow_up_table(db, actor, risk).set_index("pupil_code")
    # The class's trend is the whole class's (as far as the actor sees it), the pupils' sheets their own months.
    months = _months(db, risk, tuple(risk.pupils.loc[risk.pupils["class_name"].isin(chosen["class_name"]),
                                                     "pupil_code"]))
    levels = history.level_history(db, school_code)
    levels = levels[levels["pupil_code"].isin(chosen["pupil_code"])]
    cases = _cases(db, actor, school_code, set(chosen["pupil_code"]))
    first_line = selection.describe(risk)
    document = _document(risk, first_line)
    owners = people.names(db, actor, [o for o in follow["follow_up_owner"] if o])
    classes = tuple(dict.fromkeys(chosen["class_name"]))
    for n, class_name in enumerate(classes):
        in_class = chosen[chosen["class_name"] == class_name]
        if n:
            _page_break(document)
        _class_page(document, risk, class_name, in_class, follow, owners, months)
        for _, pupil in in_class.iterrows():
            _page_break(document)
            code = pupil["pupil_code"]
            done = interventions.pupil_interventions(db, actor, school_code, code)
            seen = reviews.pupil_reviews(db, actor, school_code, code)
            who = people.names(db, actor, [u for i in done for u in (i.owner,)]
                               + [u for r in seen for u in (r.reviewed_by, r.follow_up_owner) if u])
            _pupil_page(document, risk, pupil, months[months["pupil_code"] == code],
                        levels[levels["pupil_code"] == code], done, seen, who, cases.get(code),
                        derogations.of_pupil(db, actor, school_code, code))
    if chosen.empty:
        document.add_paragraph("Nessun alunno corrisponde ai filtri scelti.")
    audit.record_access(db, actor, school_code, "pacchetto consiglio di classe",
                        f"{first_line}: {len(chosen)} alunni")
    buffer = io.BytesIO()
    document.save(buffer)
    return Pack(selection.file_stem("pacchetto", risk), first_line, tuple(chosen["pupil_code"]), classes,
                buffer.getvalue())


def council_pack_pdf(pack: Pack) -> bytes:
    """The pack as PDF, converted by LibreOffice (as the protocols are)."""
    from models.protocols.word_export import to_pdf

    return to_pdf(pack.docx)


_LEVEL_ORDER = {level: n for n, level in enumerate([*indicators.LEVELS, indicators.STALE])}


def _months(db, risk: RiskList, codes: tuple[str, ...]) -> pd.DataFrame:
    """The school year's monthly rows of the chosen pupils, up to the list's month."""
    if not codes or risk.as_of is None:
        return pd.DataFrame(columns=["pupil_code", "class_name", "period", "scheduled_hours", "absence_hours"])
    since = SchoolYear.of_period(risk.as_of).first_month
    frame = school_risk.load_attendance(db, risk.school_code, since=since)
    frame = frame[frame["pupil_code"].isin(codes) & (frame["period"] <= risk.as_of)]
    return frame.sort_values(["pupil_code", "period"], ignore_index=True)


def _cases(db, actor: Actor, school_code: str, codes: set[str]) -> dict[str, obligation.Case]:
    if not codes or not allowed(actor, Action.FOLLOW_OBLIGATION, SchoolRef(school_code)):
        return {}
    found = obligation.cases(db, actor, school_code, include_closed=True, channel="pacchetto consiglio")
    return {case.pupil_code: case for case in found if case.pupil_code in codes}


# --- the document ------------------------------------------------------------------------------------------

def _document(risk: RiskList, first_line: str) -> Document:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2))
    section.top_margin = section.bottom_margin = Cm(1.8)
    style = document.styles["Normal"]
    style.font.name, style.font.size = "Liberation Sans", Pt(10)
    properties = document.core_properties
    properties.title = f"Pacchetto per il consiglio di classe - {risk.school_code}"
    properties.subject = "Dati personali di minori"
    properties.author = "Approdo"
    properties.language = "it-IT"
    properties.keywords = "consiglio di classe"
    header = section.header.paragraphs[0]
    header.text = (f"DATI PERSONALI DI MINORI - riservato al consiglio di classe · Scuola {risk.school_code}"
                   f" · dati al mese {indicators.month_label(risk.as_of) if risk.as_of else '-'}")
    header.runs[0].font.size = Pt(8)
    header.runs[0].font.color.rgb = RGBColor(0xA0, 0x00, 0x00)
    first = document.add_paragraph()
    run = first.add_run(first_line)
    run.bold = True
    notice = document.add_paragraph(NOTICE)
    notice.runs[0].font.size = Pt(8)
    document.add_paragraph(f"Estratto da Approdo il {clock.local_date():%d/%m/%Y}. I livelli sono un aiuto alla"
                           " lettura: decide il consiglio di classe.").runs[0].font.size = Pt(8)
    return document


def _page_break(document) -> None:
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _table(document, header: list[str], rows: list[list[str]], *, font_pt: float = 9) -> None:
    table = document.add_table(rows=1 + len(rows), cols=len(header))
    table.style = "Table Grid"
    for n, text in enumerate(header):
        cell = table.rows[0].cells[n]
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for r, row in enumerate(rows, start=1):
        for n, text in enumerate(row):
            table.rows[r].cells[n].text = text
    mark_header_row(table)
    fit_columns(table, [header, *rows], text_width_cm(document.sections[0]), font_pt)
    table_font(table, font_pt)


def _class_page(document, risk: RiskList, class_name: str, pupils: pd.DataFrame, follow: pd.DataFrame,
                owners: dict[str, str], months: pd.DataFrame) -> None:
    document.add_heading(f"Classe {class_name}", level=1)
    counts = pupils["level"].value_counts()
    document.add_paragraph("; ".join(f"{indicators.LEVEL_LABELS[level]}: {int(counts.get(level, 0))}"
                                     for level in [*indicators.LEVELS, indicators.STALE] if counts.get(level, 0))
                           + f" (alunni in questo pacchetto: {len(pupils)}).")
    document.add_heading("Alunni per livello", level=2)
    _table(document, ["Codice", "Livello", "Assenze", "Motivi"],
           [[p["pupil_code"], indicators.LEVEL_LABELS[p["level"]], indicators.percent(p["absence_ratio"]),
             _one_line(p["reasons"])] for _, p in pupils.iterrows()])
    document.add_heading("Verifiche e interventi", level=2)
    due = []
    for code in pupils["pupil_code"]:
        row = follow.loc[code] if code in follow.index else None
        if row is None:
            continue
        if row["follow_up_on"] is not None and not pd.isna(row["follow_up_on"]):
            due.append([code, f"verifica entro il {row['follow_up_on']:%d/%m/%Y}",
                        owners.get(row["follow_up_owner"], "") if row["follow_up_owner"] else ""])
        if row["intervention"]:
            due.append([code, f"ultimo intervento: {row['intervention']} ({row['intervention_on']:%d/%m/%Y},"
                              f" {row['intervention_outcome']})", ""])
    if due:
        _table(document, ["Codice", "Cosa", "Referente"], due)
    else:
        document.add_paragraph("Nessuna verifica aperta e nessun intervento registrato.")
    document.add_heading("Assenze della classe mese per mese", level=2)
    mine = months[months["class_name"] == class_name]
    trend = mine.groupby("period")[["absence_hours", "scheduled_hours"]].sum()
    trend = trend[trend["scheduled_hours"] > 0]
    if trend.empty:
        document.add_paragraph("Nessun mese con dati per questi alunni.")
        return
    ratios = (100 * trend["absence_hours"] / trend["scheduled_hours"]).round(1)
    _chart(document, list(trend.index), list(ratios), risk, f"Assenze della classe {class_name} (%)")
    document.add_paragraph("In cifre: " + "; ".join(f"{indicators.month_label(p)} {indicators.percent(v / 100)}"
                                                    for p, v in ratios.items()) + ".")


def _one_line(reasons: list[str]) -> str:
    """The class page gives each pupil one line: the first (strongest) reason; the rest are on the pupil's page."""
    if not reasons:
        return "-"
    more = len(reasons) - 1
    rest = "" if not more else " (e un altro motivo)" if more == 1 else f" (e altri {more} motivi)"
    return reasons[0].rstrip(".") + rest


def _pupil_page(document, risk: RiskList, pupil: pd.Series, months: pd.DataFrame, levels: pd.DataFrame,
                done: list, seen: list, who: dict[str, str], case: obligation.Case | None,
                granted: list[derogations.Derogation]) -> None:
    code = pupil["pupil_code"]
    document.add_heading(f"Alunno {code} · classe {pupil['class_name']}", level=1)
    document.add_paragraph(f"Livello al mese {indicators.month_label(risk.as_of)}: "
                           f"{indicators.LEVEL_LABELS[pupil['level']]}.")
    document.add_heading("Perché", level=2)
    for reason in pupil["reasons"] or ["Nessun segnale particolare."]:
        document.add_paragraph(reason, style="List Bullet")
    document.add_heading("Assenze mese per mese", level=2)
    level_of = dict(zip(levels["period"], levels["level"], strict=True))
    rows, periods, ratios = [], [], []
    for _, month in months.iterrows():
        ratio = month["absence_hours"] / month["scheduled_hours"] if month["scheduled_hours"] else None
        periods.append(month["period"])
        ratios.append(round(100 * ratio, 1) if ratio is not None else 0.0)
        rows.append([indicators.month_label(month["period"]), indicators.hours(month["scheduled_hours"]),
                     indicators.hours(month["absence_hours"]),
                     indicators.percent(ratio) if ratio is not None else "-",
                     indicators.LEVEL_LABELS.get(level_of.get(month["period"]), "-")])
    if periods:
        _chart(document, periods, ratios, risk, f"Assenze di {code} (%)")
        _table(document, ["Mese", "Ore di lezione", "Ore di assenza", "Assenze", "Livello"], rows, font_pt=8)
    document.add_heading("Proiezione", level=2)
    projection = (f"Assenze finora: {indicators.percent(pupil['absence_ratio'])}; a questo ritmo a fine anno:"
                  f" {indicators.percent(pupil['projected_ratio'])}.")
    if risk.legal_limit_applies:
        left = max(float(pupil["hours_left"]), 0.0)
        projection += (f" Ore di assenza ancora possibili prima del limite del"
                       f" {indicators.percent(risk.rules.legal_limit)}: {indicators.hours(left)}"
                       " (il consiglio di classe valuta le deroghe deliberate dal collegio).")
    document.add_paragraph(projection)
    if granted:
        document.add_paragraph("Ore in deroga deliberate (restano nel conteggio; decide il consiglio di classe):")
        _table(document, ["Anno", "Ore", "Motivo", "Data"],
               [[d.school_year, indicators.hours(d.hours), d.reason, f"{d.on:%d/%m/%Y}"] for d in granted])
    document.add_heading("Revisioni e verifiche", level=2)
    if seen:
        _table(document, ["Quando", "Chi", "Nota", "Prossima verifica", "Referente", "Stato"],
               [[clock.local_datetime(r.reviewed_at), who.get(r.reviewed_by, ""), r.note or "",
                 f"{r.follow_up_on:%d/%m/%Y}" if r.follow_up_on else "-", who.get(r.follow_up_owner, "") or "",
                 ("aperta" if r.follow_up_open else "chiusa") if r.follow_up_on else "-"] for r in seen])
    else:
        document.add_paragraph("Nessuna revisione registrata.")
    document.add_heading("Interventi", level=2)
    if done:
        _table(document, ["Data", "Intervento", "Referente", "Esito", "Nota"],
               [[f"{i.happened_on:%d/%m/%Y}", i.kind, who.get(i.owner, ""), i.outcome_label,
                 interventions.short_note(i.note)] for i in done])
    else:
        document.add_paragraph("Nessun intervento registrato.")
    if case is not None:
        document.add_heading("Obbligo scolastico (art. 114 D.Lgs. 297/1994)", level=2)
        text = (f"Caso aperto il {case.opened_on:%d/%m/%Y}: {len(case.unjustified_days)} giorni di assenza non"
                f" giustificati dal {case.period_start:%d/%m/%Y} al {case.window_end:%d/%m/%Y}."
                f" Stato: {case.status_label}.")
        if case.is_open and case.due_on is not None:
            text += f" Prossimo passo: {case.next_step} (da fare dal {case.due_on:%d/%m/%Y})."
        document.add_paragraph(text)


def _chart(document, periods: list[str], ratios: list[float], risk: RiskList, title: str) -> None:
    """Monthly bars with the network's chronic line and the 25 % line, as a picture with its figures beside."""
    from matplotlib.figure import Figure  # only when a pack is made: matplotlib takes a while to import

    chronic, legal = 100 * risk.rules.chronic, 100 * risk.rules.legal_limit
    figure = Figure(figsize=(CHART_WIDTH_CM / 2.54, 1.9), dpi=150)
    axes = figure.add_subplot()
    labels = [indicators.month_label(p) for p in periods]
    axes.bar(range(len(ratios)), ratios, color=BAR_COLOUR, width=0.7)
    axes.axhline(chronic, color=CHRONIC_COLOUR, linestyle="--", linewidth=1.2,
                 label=f"assenza cronica ({indicators.percent(risk.rules.chronic)})")
    axes.axhline(legal, color=LEGAL_COLOUR, linestyle=(0, (6, 2)), linewidth=1.4,
                 label=f"limite di legge ({indicators.percent(risk.rules.legal_limit)})")
    axes.set_xticks(range(len(labels)), labels, fontsize=7, rotation=30, ha="right")
    axes.set_ylabel("%", fontsize=8)
    axes.set_ylim(0, max([legal + 5, *ratios]) * 1.08)
    axes.tick_params(axis="y", labelsize=7)
    axes.set_title(title, fontsize=9, pad=18)
    axes.legend(fontsize=7, loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2, frameon=False)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    image = io.BytesIO()
    figure.savefig(image, format="png")
    document.add_picture(io.BytesIO(image.getvalue()), width=Cm(CHART_WIDTH_CM))
    # A text alternative for readers who do not see the picture (the figures also follow in words or a table).
    picture = document.inline_shapes[-1]
    picture._inline.docPr.set("descr", f"{title}: " + ", ".join(
        f"{label} {value:.1f}".replace(".", ",") for label, value in zip(labels, ratios, strict=True)))


def pack_for_pupil(db: sqlite_utils.Database, actor: Actor, school_code: str, pupil_code: str, *,
                   as_of: str | None = None) -> Pack:
    """The same sheet for one pupil (from the pupil page); refused as the pupil page refuses."""
    school_risk.require_pupil(db, actor, school_code, pupil_code)
    return council_pack(db, actor, school_code, Selection(pupil=pupil_code), as_of=as_of)

