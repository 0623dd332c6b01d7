"""The risk list as files for the class councils: CSV, XLSX and JSON, formula-safe.

Pupil codes only (no names are stored), the reasons, the last review and the
last intervention. Every file says on its first line that it holds personal
data of minors.
"""

from __future__ import annotations

import io
import json
import math
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
from models.risk.indicators import LEVEL_LABELS
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


def rows(risk: RiskList, follow: pd.DataFrame | None = None) -> list[dict]:
    """One dict per pupil, keys as COLUMNS; `follow` is reviews.follow_up_table (optional)."""
    extra = {} if follow is None else follow.set_index("pupil_code").to_dict("index")
    out = []
    for pupil in risk.pupils.itertuples(index=False):
        hours_left = pupil.hours_left if risk.legal_limit_applies and not math.isnan(pupil.hours_left) else None
        more = extra.get(pupil.pupil_code, {})
        reviewed = more.get("reviewed_at")
        out.append({
            "codice_alunno": pupil.pupil_code,
            "classe": pupil.class_name,
            "livello": pupil.level,
            "assenze_pct": round(100 * pupil.absence_ratio, 1),
            "proiezione_pct": round(100 * pupil.projected_ratio, 1),
            "ore_residue": None if hours_left is None else round(hours_left, 1),
            "motivi": " ".join(pupil.reasons),
            "ultima_revisione": clock.local_date(clock.from_text(reviewed)) if reviewed else None,
            "prossima_verifica": _date(more.get("follow_up_on")),
            "ultimo_intervento": more.get("intervention") or None,
            "data_intervento": _date(more.get("intervention_on")),
            "esito_intervento": more.get("intervention_outcome") or None,
        })
    return out


def _date(value) -> date | None:
    return value if isinstance(value, date) else None


def _title(risk: RiskList) -> str:
    return (f"Scuola {risk.school_code} - rischio di dispersione, dati al mese {risk.as_of}"
            f" (anno scolastico {risk.school_year}); estratto il {clock.local_date():%d/%m/%Y}.")


def list_csv(risk: RiskList, follow: pd.DataFrame | None = None) -> bytes:
    """Semicolon CSV with decimal commas (what Italian Excel opens), a notice line first."""
    return csv_bytes([[NOTICE], list(COLUMNS), *([_csv_text(v) for v in row.values()] for row in rows(risk, follow))])


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(value).replace(".", ",")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return value if isinstance(value, str) else str(value)


def list_xlsx(risk: RiskList, follow: pd.DataFrame | None = None) -> bytes:
    """A workbook for the class council: notice, title, then one row per pupil."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Elenco"
    book.properties.title = f"Rischio di dispersione {risk.school_code} {risk.as_of}"
    book.properties.subject = "Dati personali di minori"
    sheet.append([NOTICE])
    sheet["A1"].font = Font(bold=True, color="C00000")
    sheet.append([_title(risk)])
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


def list_json(risk: RiskList, follow: pd.DataFrame | None = None) -> bytes:
    pupils = [{k: v.isoformat() if isinstance(v, date) else v for k, v in row.items()} for row in rows(risk, follow)]
    return json.dumps({"avviso": NOTICE, "scuola": risk.school_code, "al_mese": risk.as_of,
                       "anno_scolastico": risk.school_year, "livelli": LEVEL_LABELS, "alunni": pupils},
                      ensure_ascii=False, indent=1).encode()


FORMATS = {"csv": list_csv, "xlsx": list_xlsx, "json": list_json}


def export_list(db: sqlite_utils.Database, actor: Actor, school_code: str, fmt: str, *, as_of: str | None = None,
                channel: str = "esportazione") -> tuple[RiskList, bytes]:
    """Score the list the actor may see, add reviews and interventions, and render it; the read is logged."""
    if fmt not in FORMATS:
        raise ApprodoError(f"Formato «{fmt}» non previsto: scegli tra {', '.join(FORMATS)}.")
    risk = school_risk.school_risk(db, actor, school_code, as_of=as_of, channel=f"{channel} {fmt.upper()}")
    return risk, FORMATS[fmt](risk, reviews.follow_up_table(db, actor, risk))
