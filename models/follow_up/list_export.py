"""The risk list as files for the class councils: CSV, XLSX and JSON, formula-safe.

Pupil codes only (no names are stored), the reasons, the last review and the
last intervention. Every file says on its first line that it holds personal
data of minors.
"""

from __future__ import annotations

import io
import json
import math
import re
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd
import sqlite_utils
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from models.core import clock
from models.core.errors import ApprodoError
from models.core.permissions import Actor
from models.core.spreadsheet import csv_bytes, safe_cell
from models.follow_up import reviews
from models.risk import school_risk
from models.risk.indicators import LEVEL_LABELS, month_label
from models.risk.school_risk import RiskList

COLUMNS = {
    "codice_alunno": "Codice alunno",
    "classe": "Classe",
    "livello": "Livello",
    "assenze_pct": "Assenze %",
    "proiezione_pct": "Proiezione %",
    "ore_residue": "Ore residue prima del 25 %",
    "motivi": "Motivi",
    "ultima_revisione": "Ultima revisione",
    "prossima_verifica": "Prossima verifica",
    "ultimo_intervento": "Ultimo intervento",
    "data_intervento": "Data intervento",
    "esito_intervento": "Esito intervento",
}
NOTICE = ("DATI PERSONALI DI MINORI - riservato al consiglio di classe e al personale incaricato: non inoltrare,"
          " non pubblicare, eliminare quando non serve più.")


@dataclass(frozen=True)
class Selection:
    """What the risk page's filters keep: some classes, some levels, or one pupil; nothing = the whole school.

    Every download and the class council's pack follow it, and say it in their file name and first line.
    """
    classes: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    pupil: str | None = None

    @property
    def whole_school(self) -> bool:
        return not (self.classes or self.levels or self.pupil)

    def describe(self, risk: RiskList) -> str:
        parts = [f"alunno {self.pupil}"] if self.pupil else []
        if self.classes:
            parts.append(("classe " if len(self.classes) == 1 else "classi ") + ", ".join(self.classes))
        if self.levels:
            parts.append(("livello " if len(self.levels) == 1 else "livelli ")
                         + ", ".join(LEVEL_LABELS.get(level, level).lower() for level in self.levels))
        month = month_label(risk.as_of) if risk.as_of else "nessun mese"
        return f"Scuola {risk.school_code}, dati al mese {month}: {'; '.join(parts) or 'tutta la scuola'}."

    def describe_short(self) -> str:
        return "; ".join(filter(None, [f"alunno {self.pupil}" if self.pupil else "",
                                       f"classi {', '.join(self.classes)}" if self.classes else "",
                                       f"livelli {', '.join(self.levels)}" if self.levels else ""]))

    def file_stem(self, prefix: str, risk: RiskList) -> str:
        parts = [prefix, risk.school_code, risk.as_of or ""]
        if self.whole_school:
            parts.append("tutta-la-scuola")
        if self.pupil:
            parts.append(f"alunno-{self.pupil}")
        if self.classes:
            parts.append("classe-" + "-".join(self.classes))
        if self.levels:
            parts.append("livello-" + "-".join(self.levels))
        # Class names come from the register's file: nothing but letters, digits, - and _ reaches a file name.
        return "_".join(re.sub(r"[^A-Za-z0-9]+", "-", part).strip("-") for part in parts if part)


def selected(pupils: pd.DataFrame, selection: Selection) -> pd.Series:
    """The rows of the scored list the selection keeps (the page's table, the files and the pack alike)."""
    keep = pd.Series(True, index=pupils.index)
    if selection.classes:
        keep &= pupils["class_name"].isin(selection.classes)
    if selection.levels:
        keep &= pupils["level"].isin(selection.levels)
    if selection.pupil:
        keep &= pupils["pupil_code"] == selection.pupil
    return keep


def table(risk: RiskList, follow: pd.DataFrame | None = None, pupils: pd.DataFrame | None = None) -> pd.DataFrame:
    """The list as the risk page shows it and the files hold it: one row per pupil, columns as COLUMNS' keys.

    `follow` is reviews.follow_up_table (optional); `pupils` a filtered part of risk.pupils (default: all).
    Dates are `date` objects, missing values None (NaN in number columns), the level its code (the reader
    labels it).
    """
    pupils = risk.pupils if pupils is None else pupils
    extra = (pd.DataFrame(columns=["pupil_code"]) if follow is None else follow).set_index("pupil_code")
    more = extra.reindex(pupils["pupil_code"])

    def column(name: str) -> list:
        return [None if _missing(v) else v for v in more[name]] if name in more else [None] * len(pupils)

    # Hours before the legal limit: only where the limit applies (not in primary school).
    hours_left = pupils["hours_left"].round(1) if risk.legal_limit_applies else pupils["hours_left"] * math.nan
    frame = pd.DataFrame({
        "codice_alunno": list(pupils["pupil_code"]),
        "classe": list(pupils["class_name"]),
        "livello": list(pupils["level"]),
        "assenze_pct": (100 * pupils["absence_ratio"]).round(1).to_numpy(),
        "proiezione_pct": (100 * pupils["projected_ratio"]).round(1).to_numpy(),
        "ore_residue": hours_left.to_numpy(dtype=float),
        "motivi": [" ".join(reasons) for reasons in pupils["reasons"]],
        "ultima_revisione": [clock.local_date(clock.from_text(t)) if t else None for t in column("reviewed_at")],
        "prossima_verifica": [_date(d) for d in column("follow_up_on")],
        "ultimo_intervento": [k or None for k in column("intervention")],
        "data_intervento": [_date(d) for d in column("intervention_on")],
        "esito_intervento": [o or None for o in column("intervention_outcome")],
    }, columns=list(COLUMNS))
    frame.index = pupils.index
    return frame


def rows(risk: RiskList, follow: pd.DataFrame | None = None) -> list[dict]:
    """One dict per pupil, keys as COLUMNS: `table` for the files."""
    frame = table(risk, follow)
    return [{key: None if _missing(value) else value for key, value in row.items()}
            for row in frame.to_dict("records")]


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _date(value) -> date | None:
    return value if isinstance(value, date) else None


def _title(risk: RiskList) -> str:
    return (f"Scuola {risk.school_code} - rischio di dispersione, dati al mese {risk.as_of}"
            f" (anno scolastico {risk.school_year}); estratto il {clock.local_date():%d/%m/%Y}.")


def list_csv(risk: RiskList, follow: pd.DataFrame | None = None, selection: Selection = Selection()) -> bytes:
    """Semicolon CSV with decimal commas (what Italian Excel opens): the notice and what it holds first."""
    return csv_bytes([[NOTICE, selection.describe(risk)], list(COLUMNS),
                      *([_csv_text(v) for v in row.values()] for row in rows(risk, follow))])


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(value).replace(".", ",")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return value if isinstance(value, str) else str(value)


def list_xlsx(risk: RiskList, follow: pd.DataFrame | None = None, selection: Selection = Selection()) -> bytes:
    """A workbook for the class council: notice, title, then one row per pupil."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Elenco"
    book.properties.title = f"Rischio di dispersione {risk.school_code} {risk.as_of}"
    book.properties.subject = "Dati personali di minori"
    sheet.append([NOTICE])
    sheet["A1"].font = Font(bold=True, color="C00000")
    sheet.append([f"{selection.describe(risk)} {_title(risk)}"])
    sheet.append([])
    sheet.append(list(COLUMNS.values()))
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for row in rows(risk, follow):
        values = dict(row, livello=LEVEL_LABELS.get(row["livello"], row["livello"]))
        sheet.append([safe_cell(v) for v in values.values()])
    for column, key in enumerate(COLUMNS, start=1):
        width = {"motivi": 80, "ultimo_intervento": 32}.get(key, 16)
        sheet.column_dimensions[get_column_letter(column)].width = width
        if key in ("ultima_revisione", "prossima_verifica", "data_intervento"):
            for (cell,) in sheet.iter_rows(min_row=5, min_col=column, max_col=column):
                cell.number_format = "DD/MM/YYYY"
    for (cell,) in sheet.iter_rows(min_row=5, min_col=7, max_col=7):
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "B5"
    sheet.auto_filter.ref = f"A4:{get_column_letter(len(COLUMNS))}{sheet.max_row}"
    sheet.oddHeader.center.text = "Dati personali di minori - riservato"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def list_json(risk: RiskList, follow: pd.DataFrame | None = None, selection: Selection = Selection()) -> bytes:
    pupils = [{k: v.isoformat() if isinstance(v, date) else v for k, v in row.items()} for row in rows(risk, follow)]
    return json.dumps({"avviso": NOTICE, "contenuto": selection.describe(risk), "scuola": risk.school_code,
                       "al_mese": risk.as_of, "anno_scolastico": risk.school_year, "livelli": LEVEL_LABELS,
                       "alunni": pupils},
                      ensure_ascii=False, indent=1).encode()


FORMATS = {"csv": list_csv, "xlsx": list_xlsx, "json": list_json}


def export_list(db: sqlite_utils.Database, actor: Actor, school_code: str, fmt: str, *, as_of: str | None = None,
                channel: str = "esportazione", selection: Selection = Selection()) -> tuple[RiskList, bytes]:
    """Score the list the actor may see, keep what `selection` keeps, add reviews and interventions, render it.

    The read is logged with what the file holds. The RiskList returned holds the exported pupils only.
    """
    if fmt not in FORMATS:
        raise ApprodoError(f"Formato «{fmt}» non previsto: scegli tra {', '.join(FORMATS)}.")
    what = "" if selection.whole_school else f" ({selection.describe_short()})"
    risk = school_risk.school_risk(db, actor, school_code, as_of=as_of, channel=f"{channel} {fmt.upper()}{what}")
    risk = replace(risk, pupils=risk.pupils[selected(risk.pupils, selection)])
    return risk, FORMATS[fmt](risk, reviews.follow_up_table(db, actor, risk), selection)
