"""Audit of a ranked list by group: who is flagged, and how often the list is wrong for each group.

Per group value: pupils, flagged, precision, false-positive rate and
false-negative rate, and each as a ratio to the reference group (the largest),
with the 0.8–1.25 band counted as fair (Aequitas). Groups under 5 pupils
show "<5" for their counts and "n.d. (meno di 5 casi)" for their rates and
ratios. Citizenship and sex are audit groups only, never model inputs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.core import suppression

BAND = (0.8, 1.25)
RATES = ("precision", "fpr", "fnr", "precision_ratio", "fpr_ratio", "fnr_ratio")
GROUP_LABELS = {"citizenship_group": "Cittadinanza", "sex": "Sesso", "arrived_recently": "Arrivo da meno di 2 anni",
                "class_name": "Classe"}


def audit(frame: pd.DataFrame, groups: list[str], *, y: str = "y", flagged: str = "flagged") -> list[dict]:
    """One row per (group, value): n, flagged, precision, fpr, fnr and their ratios to the reference value."""
    rows = []
    for group in groups:
        values = frame[group].astype(object).where(frame[group].notna(), "non indicato")
        values = values.map(lambda v: {True: "sì", False: "no"}.get(v, v) if isinstance(v, bool | np.bool_) else v)
        values = values.astype(str)
        parts = {value: frame[values == value] for value in sorted(values.unique())}
        reference = max(parts, key=lambda v: len(parts[v]))
        ref_metrics = _metrics(parts[reference], y, flagged)
        for value, part in parts.items():
            metrics = _metrics(part, y, flagged)
            row = {"group": group, "value": value, "reference": value == reference, "n": len(part)}
            if len(part) < suppression.MIN_PUPILS:
                row.update(dict.fromkeys(("n", "flagged", "adverse"), suppression.SMALL))
                row.update(dict.fromkeys(RATES, suppression.FEW))
                row["in_band"] = None
                rows.append(row)
                continue
            row["flagged"] = int(part[flagged].sum())
            row["adverse"] = int(part[y].sum())  # so a reader can hide error rates built on 1–4 pupils
            in_band = []
            for key in ("precision", "fpr", "fnr"):
                row[key] = None if metrics[key] is None else round(metrics[key], 3)
                ratio = _ratio(metrics[key], ref_metrics[key])
                row[f"{key}_ratio"] = ratio
                if ratio is not None:
                    in_band.append(BAND[0] <= ratio <= BAND[1])
            row["in_band"] = all(in_band) if in_band else None
            rows.append(row)
    return rows


def _metrics(part: pd.DataFrame, y: str, flagged: str) -> dict[str, float | None]:
    truth, chosen = part[y].astype(bool), part[flagged].astype(bool)
    tp, fp = int((truth & chosen).sum()), int((~truth & chosen).sum())
    fn, tn = int((truth & ~chosen).sum()), int((~truth & ~chosen).sum())
    return {"precision": tp / (tp + fp) if tp + fp else None, "fpr": fp / (fp + tn) if fp + tn else None,
            "fnr": fn / (fn + tp) if fn + tp else None}


def _ratio(value: float | None, reference: float | None) -> float | None:
    if value is None or reference is None or reference == 0:
        return None
    return round(value / reference, 2)


def table(rows: list[dict]) -> pd.DataFrame:
    """The audit as people read it: Italian headers, percentages; a rate built on fewer than 5 pupils reads
    "n.d. (meno di 5 casi)" (documents trained before said "<5")."""
    rows = [{**r, **{k: suppression.FEW for k in RATES if r.get(k) == suppression.SMALL}} for r in rows]

    def pct(value):
        return suppression.text(None if value is None else (value if isinstance(value, str) else 100 * value), " %")

    return pd.DataFrame([{
        "Gruppo": GROUP_LABELS.get(r["group"], r["group"]), "Valore": r["value"] + (" (riferimento)"
                                                                                     if r["reference"] else ""),
        "Alunni": r["n"], "Segnalati": r.get("flagged"), "Precisione": pct(r["precision"]),
        "Falsi positivi": pct(r["fpr"]), "Falsi negativi": pct(r["fnr"]),
        "Rapporto precisione": suppression.text(r["precision_ratio"], digits=2),
        "Rapporto falsi positivi": suppression.text(r["fpr_ratio"], digits=2),
        "Rapporto falsi negativi": suppression.text(r["fnr_ratio"], digits=2),
        "Entro 0,8–1,25": {True: "sì", False: "no", None: "—"}[r["in_band"]],
    } for r in rows])
