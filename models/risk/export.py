"""The risk list as files: CSV and JSON for the CLI and the page, formula-safe."""

from __future__ import annotations

import csv
import io
import json
import math

from models.risk.indicators import LEVEL_LABELS
from models.risk.school_risk import RiskList
from models.spreadsheet import safe_cell

COLUMNS = ["codice_alunno", "classe", "assenze_pct", "proiezione_pct", "ore_residue", "livello", "motivi"]


def rows(risk: RiskList) -> list[dict]:
    out = []
    for pupil in risk.pupils.itertuples(index=False):
        hours_left = pupil.hours_left if risk.legal_limit_applies and not math.isnan(pupil.hours_left) else None
        out.append({
            "codice_alunno": pupil.pupil_code,
            "classe": pupil.class_name,
            "assenze_pct": round(100 * pupil.absence_ratio, 1),
            "proiezione_pct": round(100 * pupil.projected_ratio, 1),
            "ore_residue": None if hours_left is None else round(hours_left, 1),
            "livello": pupil.level,
            "motivi": " ".join(pupil.reasons),
        })
    return out


def score_csv(risk: RiskList) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, delimiter=";")
    writer.writeheader()
    for row in rows(risk):
        writer.writerow({k: safe_cell("" if v is None else (str(v).replace(".", ",") if isinstance(v, float) else v))
                         for k, v in row.items()})
    return out.getvalue().encode("utf-8-sig")


def score_json(risk: RiskList) -> bytes:
    return json.dumps({"scuola": risk.school_code, "al_mese": risk.as_of, "anno_scolastico": risk.school_year,
                       "livelli": LEVEL_LABELS, "alunni": rows(risk)}, ensure_ascii=False, indent=1).encode()
