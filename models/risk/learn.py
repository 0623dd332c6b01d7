"""A learned risk model, validated on a later school year, calibrated, compared with the rules and audited.

- Features: the rule indicators (`indicators.score`) as of the same month in
  every year, so nothing from a year's later months enters its features.
  Citizenship and sex are never features; they are kept for the audit.
- Label: an adverse outcome of that year (abbandono, anno non valido, non ammesso).
- Split: train on the earlier school years, test on the latest one with outcomes.
- Model: imputer + scaler + logistic regression (its weights explain each
  pupil's score), calibrated with Platt scaling fitted on out-of-fold scores
  of the training years.
- Offered for the network only when it beats the rules' ranking on precision
  at the top k of the held-out year; otherwise the rules stay, and the page says why.
- Persistence: a JSON document (no pickle) with its data range, metrics,
  features and a SHA-256 checksum, all checked on loading.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import sqlite_utils
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from models.accounts.schools import get_network, network_schools
from models.core import audit, clock, suppression
from models.core.db import transaction
from models.core.errors import ApprodoError
from models.core.permissions import Action, Actor, NetworkRef, SchoolRef, network_figures_view, require
from models.core.school_year import SchoolYear
from models.risk import fairness, indicators, store
from models.risk.school_risk import load_attendance, load_context, scoring_setup

FORMAT = 1
SEED = 0
ADVERSE = ("abbandono", "anno_non_valido", "non_ammesso")
FEATURES = ["absence_ratio", "recent_ratio", "projected_ratio", "late_per_month", "longest_severe_run", "worsening",
            "arrived_recently", "age_delay", "retention", "l2_low"]
AUDIT_GROUPS = ["citizenship_group", "sex", "arrived_recently", "class_name"]
DEFAULT_K = 0.10
_LEVEL_ORDER = {"alto": 3, "medio": 2, "basso": 1, "dati_insufficienti": 0, "dati_fermi": 0}

# The sentence for a feature that raised a pupil's score (the same wording as the rules' reasons).
PHRASES = {
    "absence_ratio": lambda v: f"Assenze al {indicators.percent(v)} del monte ore svolto finora.",
    "recent_ratio": lambda v: f"Assenze al {indicators.percent(v)} negli ultimi mesi.",
    "projected_ratio": lambda v: f"Al ritmo attuale, assenze al {indicators.percent(v)} a fine anno.",
    "late_per_month": lambda v: f"In media {indicators.hours(v)} ingressi posticipati o uscite anticipate al mese.",
    "longest_severe_run": lambda v: f"Per {v:.0f} mesi di fila oltre il 20 % di assenze.",
    "worsening": lambda v: "Assenze in aumento negli ultimi mesi.",
    "arrived_recently": lambda v: "In Italia da meno di due anni.",
    "age_delay": lambda v: f"In ritardo di {v:.0f} anni rispetto all'età." if v > 1 else "In ritardo rispetto all'età.",
    "retention": lambda v: "Ha già ripetuto almeno un anno.",
    "l2_low": lambda v: "Italiano L2 a livello A1–A2.",
}


# --- data ---------------------------------------------------------------------------


def month_of_year(as_of_month: int, year: SchoolYear) -> str:
    """The period 'YYYY-MM' of a month (1–12) inside a school year."""
    return f"{year.start if as_of_month >= 9 else year.start + 1:04d}-{as_of_month:02d}"


def school_frame(db: sqlite_utils.Database, school_code: str, as_of_month: int,
                 years: list[SchoolYear] | None = None) -> pd.DataFrame:
    """One row per pupil and school year: features as of `as_of_month`, the outcome, the audit groups.

    Internal: callers check access. Only attendance up to the month enters the features.
    """
    setup = scoring_setup(db, school_code)
    attendance = load_attendance(db, school_code)
    if attendance.empty:
        return pd.DataFrame()
    context = load_context(db, school_code, audit_groups=True)  # the groups ride along for the audit only
    outcomes = pd.DataFrame(store.outcomes(db, school_code), columns=["pupil_code", "school_year", "outcome"])
    present = sorted({SchoolYear.of_period(p) for p in attendance["period"].unique()})
    frames = []
    for year in years or present:
        as_of = month_of_year(as_of_month, year)
        rows = attendance[attendance["period"] <= as_of]  # never a later month of the year
        scored = indicators.score(rows, context, level=setup.level, as_of=as_of, rules=setup.rules, **setup.hours)
        if scored.empty or scored.attrs.get("school_year") != str(year):
            continue
        frame = scored.assign(school_code=school_code, school_year=str(year), as_of=as_of)
        frame = frame.merge(context[["pupil_code", "citizenship_group", "sex"]], on="pupil_code", how="left")
        year_outcomes = outcomes[outcomes["school_year"] == str(year)][["pupil_code", "outcome"]]
        frames.append(frame.merge(year_outcomes, on="pupil_code", how="left"))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def network_frame(db: sqlite_utils.Database, network_code: str, as_of_month: int) -> pd.DataFrame:
    frames = [school_frame(db, s.code, as_of_month) for s in network_schools(db, network_code)]
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """Pupils with a known outcome (transfers are neither success nor failure); y = adverse outcome."""
    known = frame[frame["outcome"].notna() & (frame["outcome"] != "trasferito")].copy()
    known["y"] = known["outcome"].isin(ADVERSE).astype(int)
    return known


def matrix(frame: pd.DataFrame) -> np.ndarray:
    return frame[FEATURES].astype(float).to_numpy()


def rules_score(frame: pd.DataFrame) -> np.ndarray:
    """The rules' ranking as a number: the level first, then the projected ratio (as the list is ordered)."""
    return frame["level"].map(_LEVEL_ORDER).to_numpy(float) + np.clip(frame["projected_ratio"].to_numpy(float), 0, 0.99)


# --- training -------------------------------------------------------------------------


def pipeline() -> Pipeline:
    return Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler()),
                     ("model", LogisticRegression(max_iter=2000, C=1.0))])


@dataclass(frozen=True)
class Model:
    """A trained model as plain numbers: it predicts without scikit-learn objects or pickles."""

    document: dict

    @property
    def params(self) -> dict:
        return self.document["params"]

    def decision(self, x: np.ndarray) -> np.ndarray:
        p = self.params
        x = np.where(np.isnan(x), np.array(p["medians"]), x)
        z = (x - np.array(p["means"])) / np.array(p["scales"])
        return z @ np.array(p["coef"]) + p["intercept"]

    def probability(self, x: np.ndarray) -> np.ndarray:
        a, b = self.params["platt"]
        return 1 / (1 + np.exp(-(a * self.decision(x) + b)))

    def contributions(self, x: np.ndarray) -> np.ndarray:
        """How much each feature moved each pupil's score away from the average pupil's."""
        p = self.params
        x = np.where(np.isnan(x), np.array(p["medians"]), x)
        return (x - np.array(p["means"])) / np.array(p["scales"]) * np.array(p["coef"])


def fit(train: pd.DataFrame) -> dict:
    """Fit the pipeline and its calibration on the training rows; return the parameters as plain lists."""
    x, y = matrix(train), train["y"].to_numpy()
    if y.sum() < 5 or (len(y) - y.sum()) < 5:
        raise ApprodoError("Troppo pochi esiti negativi o positivi negli anni di addestramento per un modello.")
    fitted = pipeline().fit(x, y)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED)
    out_of_fold = cross_val_predict(pipeline(), x, y, cv=folds, method="decision_function")
    platt = LogisticRegression(C=1e6).fit(out_of_fold.reshape(-1, 1), y)
    imputer, scaler, model = fitted.named_steps["impute"], fitted.named_steps["scale"], fitted.named_steps["model"]
    scales = np.where(scaler.scale_ == 0, 1.0, scaler.scale_)
    return {"medians": imputer.statistics_.tolist(), "means": scaler.mean_.tolist(), "scales": scales.tolist(),
            "coef": model.coef_[0].tolist(), "intercept": float(model.intercept_[0]),
            "platt": [float(platt.coef_[0][0]), float(platt.intercept_[0])]}


def top_k(frame: pd.DataFrame, score: np.ndarray, k) -> np.ndarray:
    """Flag the k highest scores of each school (k: a share of its pupils, or a number per school)."""
    flagged = np.zeros(len(frame), dtype=bool)
    for _, index in frame.groupby("school_code").indices.items():
        share = k.get(frame["school_code"].iloc[index[0]], DEFAULT_K) if isinstance(k, dict) else k
        count = int(share) if share >= 1 else max(1, math.ceil(share * len(index)))
        order = index[np.argsort(-score[index], kind="stable")]
        flagged[order[:count]] = True
    return flagged


def ranking_metrics(y: np.ndarray, score: np.ndarray, flagged: np.ndarray) -> dict:
    tp = int((y.astype(bool) & flagged).sum())
    return {"auc": round(float(roc_auc_score(y, score)), 3) if 0 < y.sum() < len(y) else None,
            "precision_at_k": round(tp / int(flagged.sum()), 3) if flagged.sum() else None,
            "recall_at_k": round(tp / int(y.sum()), 3) if y.sum() else None, "flagged": int(flagged.sum()),
            "true_positives": tp}


def evaluate_split(train: pd.DataFrame, test: pd.DataFrame, k) -> dict:
    """Fit on `train`, then compare model and rules on `test`; metrics, reliability and the audits."""
    params = fit(train)
    model = Model({"params": params})
    y = test["y"].to_numpy()
    probability = model.probability(matrix(test))
    rules = rules_score(test)
    model_flags, rule_flags = top_k(test, probability, k), top_k(test, rules, k)
    bins = np.clip(np.digitize(probability, np.quantile(probability, np.linspace(0, 1, 11)[1:-1])), 0, 9)
    ece = sum(abs(probability[bins == b].mean() - y[bins == b].mean()) * (bins == b).mean()
              for b in range(10) if (bins == b).any())
    audit_frame = test.assign(flag_model=model_flags, flag_rules=rule_flags)
    schools = {}
    for code, index in test.groupby("school_code").indices.items():
        model_at_k = ranking_metrics(y[index], probability[index], model_flags[index])["precision_at_k"]
        rules_at_k = ranking_metrics(y[index], rules[index], rule_flags[index])["precision_at_k"]
        schools[code] = {"pupils": len(index), "adverse": int(y[index].sum()),
                         "model_true_positives": int((y[index].astype(bool) & model_flags[index]).sum()),
                         "model_flagged": int(model_flags[index].sum()),
                         "rules_true_positives": int((y[index].astype(bool) & rule_flags[index]).sum()),
                         "rules_flagged": int(rule_flags[index].sum()), "model_precision_at_k": model_at_k,
                         "rules_precision_at_k": rules_at_k,
                         "offered": model_at_k is not None and rules_at_k is not None and model_at_k > rules_at_k}
    metrics = {
        "model": ranking_metrics(y, probability, model_flags) | {
            "brier": round(float(brier_score_loss(y, probability)), 4), "calibration_error": round(float(ece), 4)},
        "rules": ranking_metrics(y, rules, rule_flags),
        "schools": schools,  # the comparison school by school: the model is offered where it wins
        "test_pupils": len(test), "test_adverse": int(y.sum()), "train_pupils": len(train),
        "train_adverse": int(train["y"].sum()),
        "reliability": reliability(y, probability),
    }
    audits = {"model": fairness.audit(audit_frame, [g for g in AUDIT_GROUPS if g in test], flagged="flag_model"),
              "rules": fairness.audit(audit_frame, [g for g in AUDIT_GROUPS if g in test], flagged="flag_rules")}
    return {"params": params, "metrics": metrics, "audit": audits}


def reliability(y: np.ndarray, probability: np.ndarray, n_bins: int = 10) -> list[dict]:
    """The reliability curve on quantile bins (as sklearn's calibration_curve), with each bin's counts.

    The counts (pupils, adverse outcomes) let `figures_for` hide a point built on fewer than 5 pupils.
    """
    edges = np.quantile(probability, np.linspace(0, 1, n_bins + 1))
    binids = np.searchsorted(edges[1:-1], probability)
    points = []
    for b in range(n_bins):
        in_bin = binids == b
        if in_bin.any():
            points.append({"predicted": round(float(probability[in_bin].mean()), 3),
                           "observed": round(float(y[in_bin].mean()), 3), "pupils": int(in_bin.sum()),
                           "adverse": int(y[in_bin].sum())})
    return points


def offer(metrics: dict) -> tuple[bool, str]:
    """Whether the model replaces nothing but joins the rules: only when it beats them at the top k."""
    model, rules = metrics["model"]["precision_at_k"], metrics["rules"]["precision_at_k"]
    if model is None or rules is None:
        return False, "Non ci sono abbastanza dati dell'anno di verifica per confrontare modello e regole."
    if model > rules:
        return True, (f"Sull'anno di verifica, tra gli alunni segnalati dal modello il {indicators.percent(model)} ha"
                      f" poi avuto un esito negativo, contro il {indicators.percent(rules)} delle regole: il modello è"
                      " proposto accanto alle regole.")
    return False, (f"Sull'anno di verifica il modello non fa meglio delle regole ({indicators.percent(model)} contro"
                   f" {indicators.percent(rules)} di segnalati con esito negativo): restano le regole, che sono più"
                   " semplici da spiegare.")


def evaluate(db: sqlite_utils.Database, actor: Actor, network_code: str, *, as_of_month: int | None = None,
             k=None) -> dict:
    """Fit on the network's earlier years and compare model and rules on the latest year with outcomes.

    Returns the document `train` stores (without its version): data range, parameters, metrics, audit.
    """
    require(actor, Action.MANAGE_NETWORK, NetworkRef(network_code),
            "Solo il coordinatore della rete o l'amministratore addestrano e valutano il modello.")
    get_network(db, actor, network_code)
    as_of_month = as_of_month or latest_month(db, network_code)
    read = network_frame(db, network_code, as_of_month)
    for school_code in sorted(read["school_code"].unique()) if not read.empty else []:
        # Training reads every pupil of the school (even if only figures come out): it is in the access log.
        audit.record_access(db, actor, school_code, "modello di rischio", f"addestramento sulla rete {network_code}")
    frame = labelled(read)
    years = sorted(frame["school_year"].unique()) if not frame.empty else []
    if len(years) < 2:
        raise ApprodoError("Per addestrare un modello servono gli esiti di almeno due anni scolastici passati.")
    test_year = years[-1]
    split = evaluate_split(frame[frame["school_year"] < test_year], frame[frame["school_year"] == test_year],
                           k if k is not None else school_shares(db, network_code))
    offered, reason = offer(split["metrics"])
    return {
        "format": FORMAT, "network": network_code, "created_at": clock.to_text(clock.utcnow()),
        "created_by": actor.username, "train_years": years[:-1], "test_year": test_year, "as_of_month": as_of_month,
        "k": k if k is not None else "quota per scuola (predefinita 10 %)",
        "features": FEATURES, "label": list(ADVERSE), "params": split["params"], "metrics": split["metrics"],
        "audit": split["audit"], "offered": offered, "reason": reason,
        "model": "LogisticRegression con standardizzazione e calibrazione di Platt (scikit-learn)",
    }


def train(db: sqlite_utils.Database, actor: Actor, network_code: str, *, as_of_month: int | None = None,
          k=None) -> dict:
    """Evaluate, then store the model as the network's next version; return its document."""
    document = evaluate(db, actor, network_code, as_of_month=as_of_month, k=k)
    with transaction(db):
        version = store.latest_model_version(db, network_code) + 1
        document["version"] = version
        text = canonical(document)
        store.insert_model(db, network_code, version, document["created_at"], text, checksum(text))
        audit.record(db, actor, "modello_addestrato", network_code,
                     detail=f"versione {version}, proposto: {'sì' if document['offered'] else 'no'}")
    return document


def parse_k(text: str | None):
    """k as a user writes it: "10%" or "0.1" (a share of each school's pupils), or "25" (pupils per school)."""
    if text is None:
        return None
    cleaned = text.strip().replace(",", ".")
    problem = f"k «{text}» non valido: scrivi una quota come 10% o un numero di alunni per scuola come 25."
    try:
        value = float(cleaned.rstrip("%"))
    except ValueError:
        raise ApprodoError(problem) from None
    if cleaned.endswith("%"):
        value /= 100
        if not 0 < value < 1:
            raise ApprodoError(problem)
        return value
    if 0 < value < 1:
        return value
    if value >= 1 and value.is_integer():
        return int(value)
    raise ApprodoError(problem)


def canonical(document: dict) -> str:
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def checksum(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _figures_view(actor: Actor, network_code: str) -> str:
    """How much of the model's document the actor reads: it counts pupils and adverse outcomes per school, so it
    follows the network figures (docs/design.md); teachers and the region read none of it."""
    require(actor, Action.VIEW_NETWORK_FIGURES, NetworkRef(network_code))
    return network_figures_view(actor, network_code)


def load(db: sqlite_utils.Database, actor: Actor, network_code: str) -> Model | None:
    """The network's latest model as the actor may read it (see `document_for`), checked; None if there is none."""
    view = _figures_view(actor, network_code)
    model = _load(db, network_code)
    return None if model is None else Model(figures_for(model.document, view, actor.school_code))


def _load(db: sqlite_utils.Database, network_code: str) -> Model | None:
    """The network's latest model, whole, after checking its checksum, format, features and network.

    Internal: callers have asked permissions (the document holds every school's counts).
    """
    row = store.latest_model(db, network_code)
    if row is None:
        return None
    return Model(verified(row[0], row[1], network_code))


def verified(text: str, expected: str, network_code: str) -> dict:
    if checksum(text) != expected:
        raise ApprodoError("Il modello salvato non corrisponde al suo codice di controllo: va riaddestrato.")
    document = json.loads(text)
    problems = [what for what, ok in (
        ("formato", document.get("format") == FORMAT), ("variabili", document.get("features") == FEATURES),
        ("rete", document.get("network") == network_code),
        ("parametri", len(document.get("params", {}).get("coef", [])) == len(FEATURES))) if not ok]
    if problems:
        raise ApprodoError(f"Il modello salvato non è utilizzabile ({', '.join(problems)}): va riaddestrato.")
    return document


def latest_month(db: sqlite_utils.Database, network_code: str) -> int:
    """The calendar month of the network's latest data: the point in the year every year is scored at."""
    period = store.network_latest_period(db, network_code)
    if not period:
        raise ApprodoError("La rete non ha ancora dati di frequenza.")
    return int(period[5:7])


def school_shares(db: sqlite_utils.Database, network_code: str) -> dict[str, float]:
    """k per school: the share of its pupils its staff can follow (internal: for training and the school audit)."""
    return dict(store.follow_shares(db, network_code))


def explain(model: Model, row: pd.Series, top: int = 3) -> list[str]:
    """The few features that raised this pupil's score most, as sentences."""
    x = row[FEATURES].astype(float).to_numpy().reshape(1, -1)
    contributions = model.contributions(x)[0]
    order = [i for i in np.argsort(-contributions) if contributions[i] > 0.05][:top]
    return [PHRASES[FEATURES[i]](float(x[0, i])) for i in order]


# --- any one-row-per-pupil table (e.g. UCI Student Performance) -------------------------------

_OUTCOME = re.compile(r"\s*([A-Za-z_][\w]*)\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:[.,]\d+)?)\s*")
_COMPARE = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal, "==": np.equal,
            "!=": np.not_equal}


def outcome_column(frame: pd.DataFrame, expression: str) -> np.ndarray:
    """'G3 < 10' as a 0/1 column; parsed, never evaluated as code."""
    match = _OUTCOME.fullmatch(expression or "")
    if not match:
        raise ApprodoError(f"Esito «{expression}» non valido: scrivilo come «G3 < 10» (colonna, confronto, numero).")
    column, operator, number = match.groups()
    values = _numeric(frame, column)
    return _COMPARE[operator](values, float(number.replace(",", "."))).astype(int)


def _numeric(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame:
        raise ApprodoError(f"La colonna «{column}» non c'è nel file (colonne: {', '.join(map(str, frame.columns))}).")
    values = frame[column]
    if values.astype(str).str.lower().isin(["yes", "no", "sì", "si"]).all():
        return values.astype(str).str.lower().isin(["yes", "sì", "si"]).to_numpy(float)
    numbers = pd.to_numeric(values.astype(str).str.replace(",", ".", regex=False), errors="coerce")
    if numbers.isna().any():
        raise ApprodoError(f"La colonna «{column}» ha valori non numerici: non può essere una variabile del modello.")
    return numbers.to_numpy(float)


def evaluate_table(frame: pd.DataFrame, outcome: str, features: list[str], groups: list[str], *,
                   k: float | int = DEFAULT_K, folds: int = 5, seed: int = SEED) -> dict:
    """Stratified k-fold cross-validation of the same pipeline on a one-row-per-pupil table, with the audit."""
    if not features:
        raise ApprodoError("Indica almeno una variabile con --features.")
    y = outcome_column(frame, outcome)
    if y.sum() < folds or (len(y) - y.sum()) < folds:
        raise ApprodoError("Troppo pochi casi positivi o negativi per la validazione incrociata.")
    x = np.column_stack([_numeric(frame, f) for f in features])
    for group in groups:
        if group not in frame:
            raise ApprodoError(f"Il gruppo «{group}» non è una colonna del file.")
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    probability = cross_val_predict(pipeline(), x, y, cv=splitter, method="predict_proba")[:, 1]
    scored = frame[groups].copy().assign(y=y, school_code="tutti")
    flagged = top_k(scored, probability, k)
    metrics = ranking_metrics(y, probability, flagged)
    return {
        "rows": len(frame), "positives": int(y.sum()), "outcome": outcome, "features": features,
        "model": "LogisticRegression con standardizzazione (scikit-learn)", "folds": folds, "seed": seed,
        "auc": metrics["auc"], "accuracy": round(float(((probability >= 0.5) == y).mean()), 3),
        "brier": round(float(brier_score_loss(y, probability)), 4), "k": k,
        "precision_at_k": metrics["precision_at_k"], "recall_at_k": metrics["recall_at_k"],
        "audit": fairness.audit(scored.assign(flagged=flagged), groups),
    }


# --- using the model in the school's list -------------------------------------------------------


def offered_model(db: sqlite_utils.Database, actor: Actor, school_code: str) -> Model | None:
    """The network's model if it beat the rules on the school's own pupils of the held-out year.

    For whoever reads the school's pupils (its estimates join their list). None where it did not, where the
    school had no pupils in that year, or if the stored model fails its checks.
    """
    require(actor, Action.READ_PUPILS, SchoolRef(school_code))
    network_code = store.school_network(db, school_code)
    if network_code is None:
        return None
    try:
        model = _load(db, network_code)
    except ApprodoError:
        return None
    if model is None:
        return None
    return model if model.document["metrics"].get("schools", {}).get(school_code, {}).get("offered") else None


def school_comparison(document: dict, school_code: str) -> str:
    """One sentence for a school's staff: does the model do better than the rules with their pupils?"""
    entry = document["metrics"].get("schools", {}).get(school_code)
    if not entry or entry["model_precision_at_k"] is None or entry["rules_precision_at_k"] is None:
        return "La tua scuola non ha abbastanza alunni nell'anno di verifica: per i suoi alunni restano le regole."
    model = indicators.percent(entry["model_precision_at_k"])
    rules = indicators.percent(entry["rules_precision_at_k"])
    if entry["offered"]:
        return (f"Con gli alunni della tua scuola il modello fa meglio delle regole ({model} contro {rules} di"
                " segnalati con esito negativo): nell'elenco compare la sua stima.")
    return (f"Con gli alunni della tua scuola il modello non fa meglio delle regole ({model} contro {rules}):"
            " nell'elenco restano le regole.")


def estimates(model: Model, pupils: pd.DataFrame) -> pd.Series:
    """The model's probability of an adverse outcome for each pupil of a scored list."""
    if pupils.empty:
        return pd.Series(dtype=float)
    return pd.Series(model.probability(matrix(pupils)), index=pupils.index)


def school_audit(db: sqlite_utils.Database, actor: Actor, school_code: str, document: dict) -> dict[str, list]:
    """The audit of model and rules on the school's own pupils of the held-out year (for its staff)."""
    require(actor, Action.READ_PUPILS, SchoolRef(school_code))
    test = labelled(school_frame(db, school_code, document["as_of_month"], [SchoolYear.parse(document["test_year"])]))
    if test.empty:
        return {"model": [], "rules": []}
    model = Model(document)
    share = school_shares(db, document["network"]).get(school_code, DEFAULT_K)
    frame = test.assign(flag_model=top_k(test, model.probability(matrix(test)), share),
                        flag_rules=top_k(test, rules_score(test), share))
    groups = [g for g in AUDIT_GROUPS if g in frame]
    return {"model": fairness.audit(frame, groups, flagged="flag_model"),
            "rules": fairness.audit(frame, groups, flagged="flag_rules")}


def set_follow_share(db: sqlite_utils.Database, actor: Actor, school_code: str, share: float) -> None:
    """How many pupils (a share) the school's staff can follow: the k of precision at the top k."""
    require(actor, Action.MANAGE_SCHOOL, SchoolRef(school_code),
            "Solo il dirigente della scuola indica quanti alunni il personale può seguire.")
    if not 0.01 <= share <= 0.5:
        raise ApprodoError("Indica una quota tra l'1 % e il 50 % degli alunni.")
    with transaction(db):
        store.set_follow_share(db, school_code, share)
        audit.record(db, actor, "quota_seguibile", school_code, school_code=school_code, detail=f"{share:.0%}")


def follow_share(db: sqlite_utils.Database, actor: Actor, school_code: str) -> float:
    """The share of pupils the school's staff can follow, for the one who sets it."""
    require(actor, Action.MANAGE_SCHOOL, SchoolRef(school_code),
            "Solo il dirigente della scuola indica quanti alunni il personale può seguire.")
    return store.follow_share(db, school_code) or DEFAULT_K


# --- what each role reads of the document ---------------------------------------------------------

_NETWORK_COUNTS = ("test_pupils", "test_adverse", "train_pupils", "train_adverse")
# A school's counts in the held-out year, and the network's count each one adds up to.
_SCHOOL_COUNTS = {"pupils": ("test_pupils",), "adverse": ("test_adverse",),
                  "model_true_positives": ("model", "true_positives"), "model_flagged": ("model", "flagged"),
                  "rules_true_positives": ("rules", "true_positives"), "rules_flagged": ("rules", "flagged")}


def figures_for(document: dict, view: str, own_school: str | None) -> dict:
    """The model's document as a role may read it (docs/design.md, network figures; permissions.model_figures_for).

    'schools': every school and the network, their counts suppressed together (`suppression.across`: no
    school's hidden count is the network's minus the others'); 'network': the own school as it is and the
    network's counts, hidden ("n.d.") where the other schools' part is small or is a single school's (the
    network minus one's own school would give it); 'school': the own school only, no network counts. The rates
    that describe the model as a whole (AUC, Brier, calibration) stay; precision and recall go with their counts.
    """
    shown = copy.deepcopy(document)
    metrics = shown["metrics"]
    schools = metrics.get("schools", {})
    columns = [c for c in _SCHOOL_COUNTS if schools and all(c in entry for entry in schools.values())]
    parts = pd.DataFrame.from_dict({code: {c: entry[c] for c in columns} for code, entry in schools.items()},
                                   orient="index", columns=columns)
    network = frozenset(schools)
    singles = [frozenset([code]) for code in schools if view == "schools" or code == own_school]
    known = [own_school] if view != "schools" and own_school in schools else []
    protected = suppression.across(parts, [network, *singles], known=known,
                                   unseen=[c for c in schools if c != own_school] if view != "schools" else [])
    whole = protected.get(network, {})
    isolated = bool(whole) and all(v == suppression.HIDDEN for v in whole.values())  # one other school's figures
    if view == "school":
        metrics["schools"] = {code: entry for code, entry in schools.items() if code == own_school}
        metrics["reliability"] = _suppressed_reliability(document["metrics"], hide_all=isolated)
        for key in _NETWORK_COUNTS:
            metrics[key] = None
        for side in ("model", "rules"):
            metrics[side]["flagged"] = metrics[side]["true_positives"] = None
        shown["audit"] = {"model": [], "rules": []}  # the school's own audit is computed for its staff
        return shown
    if view == "schools":
        metrics["schools"] = {code: _suppressed_school(entry, protected[frozenset([code])])
                              for code, entry in schools.items()}
    else:
        metrics["schools"] = {code: entry for code, entry in schools.items() if code == own_school}
    metrics["reliability"] = _suppressed_reliability(document["metrics"], hide_all=isolated)
    for column, (*path, key) in _SCHOOL_COUNTS.items():
        target = metrics[path[0]] if path else metrics
        if column in whole:
            target[key] = whole[column]
        elif target.get(key) is not None:  # a document from before the schools' counts were kept
            target[key] = suppression.count(target[key])
    for key in ("train_pupils", "train_adverse"):
        metrics[key] = suppression.HIDDEN if isolated else suppression.count(metrics[key])
    for side in ("model", "rules"):
        part = metrics[side]
        positives, flagged = part.get("true_positives"), part.get("flagged")
        if suppression.is_hidden(positives) or suppression.is_hidden(flagged):
            part["precision_at_k"] = part["recall_at_k"] = (
                suppression.FEW if suppression.SMALL in (positives, flagged) else suppression.HIDDEN)
        elif suppression.is_hidden(metrics["test_adverse"]):
            part["recall_at_k"] = metrics["test_adverse"]
    shown["audit"] = ({"model": [], "rules": []} if isolated else
                      {side: _suppressed_audit(rows) for side, rows in shown["audit"].items()})
    return shown


def _suppressed_reliability(metrics: dict, *, hide_all: bool = False) -> list[dict]:
    """The reliability curve with each point built on fewer than 5 pupils (or 1–4 adverse outcomes) as
    "n.d. (meno di 5 casi)", its counts as "<5".

    The curve is the network's as a whole, so every role that reads it gets it suppressed the same way, but
    for a reader whose only other school would be the network minus their own (`hide_all`): every point hidden.
    A document from before the bins' counts were kept: counts estimated from equal quantile bins.
    """
    points = metrics.get("reliability", [])
    shown = []
    for point in points:
        pupils = point.get("pupils")
        if pupils is None:
            pupils = metrics["test_pupils"] // max(len(points), 1)
            adverse = round(point["observed"] * pupils)
        else:
            adverse = point["adverse"]
        small = suppression.is_hidden(suppression.rate(adverse, pupils)) if pupils else True
        if hide_all:
            shown.append({"predicted": point["predicted"], "observed": suppression.HIDDEN,
                          "pupils": suppression.HIDDEN, "adverse": suppression.HIDDEN})
            continue
        shown.append({"predicted": point["predicted"], "observed": suppression.FEW if small else point["observed"],
                      "pupils": suppression.count(pupils), "adverse": suppression.count(adverse)})
    return shown


def _suppressed_school(entry: dict, counts: dict) -> dict:
    """A school's entry for who sees every school: its counts as `suppression.across` left them, and each
    precision hidden with its counts."""
    shown = dict(entry) | counts
    for side in ("model", "rules"):
        if f"{side}_true_positives" not in counts:  # a document from before these were kept: hide unless many
            small = entry["adverse"] < suppression.MIN_PUPILS or entry["pupils"] < suppression.MIN_PUPILS
        else:
            small = any(suppression.is_hidden(counts[f"{side}_{key}"]) for key in ("true_positives", "flagged"))
        if small and shown[f"{side}_precision_at_k"] is not None:
            shown[f"{side}_precision_at_k"] = suppression.FEW
    return shown


def _suppressed_audit(rows: list[dict]) -> list[dict]:
    """The network's audit rows suppressed; where the reference value's rate is hidden, so are the ratios to it
    (a shown rate and its ratio would give the hidden one back)."""
    shown = [_suppressed_audit_row(row) for row in rows]
    for reference in [row for row in shown if row.get("reference")]:
        for key in ("precision", "fpr", "fnr"):
            if reference.get(key) in (suppression.SMALL, suppression.FEW):
                for row in shown:
                    if row["group"] == reference["group"] and row.get(f"{key}_ratio") is not None:
                        row[f"{key}_ratio"] = suppression.FEW
                        row["in_band"] = None
    return shown


def _suppressed_audit_row(row: dict) -> dict:
    """An audit row of the network: each rate whose denominator or numerator counts 1–4 pupils as
    "n.d. (meno di 5 casi)", each count of 1–4 as "<5".

    Precision is over the flagged, the false-negative rate over the pupils with an adverse outcome, the
    false-positive rate over those without. A row from before `adverse` was kept hides both error rates.
    The numerator is the rate times its denominator (both shown, or derivable from shown counts): 10,7 % false
    positives among 28 pupils is 3 pupils, so such a rate is hidden as `suppression.rate` hides it.
    """
    shown = dict(row)
    n, flagged, adverse = row.get("n"), row.get("flagged"), row.get("adverse")
    if not isinstance(n, int):  # the whole group is already "<5"
        return shown
    denominators = {"precision": flagged if isinstance(flagged, int) else None,
                    "fnr": adverse if isinstance(adverse, int) else None,
                    "fpr": n - adverse if isinstance(adverse, int) else None}

    def few(count) -> bool:
        return count is not None and 0 < count < suppression.MIN_PUPILS

    def numerator(key: str):
        rate, denominator = row.get(key), denominators[key]
        return round(rate * denominator) if isinstance(rate, float | int) and denominator is not None else None

    small = {"precision": few(denominators["precision"]) or few(numerator("precision")),
             "fnr": denominators["fnr"] is None or few(denominators["fnr"]) or few(numerator("fnr")),
             "fpr": denominators["fpr"] is None or few(denominators["fpr"]) or few(numerator("fpr"))}
    if isinstance(flagged, int):
        shown["flagged"] = suppression.count(flagged)
    if isinstance(adverse, int):
        shown["adverse"] = suppression.count(adverse)
    for key, hide in small.items():
        if hide and shown.get(key) is not None:
            shown[key] = shown[f"{key}_ratio"] = suppression.FEW
    if any(small.values()):
        shown["in_band"] = None  # whether a hidden ratio is in the band would tell something of it
    return shown


def document_for(db: sqlite_utils.Database, actor: Actor, network_code: str) -> dict | None:
    """The document the model page shows and lets the actor download: only what the role may read."""
    model = load(db, actor, network_code)
    return None if model is None else model.document


def document_download(db: sqlite_utils.Database, actor: Actor, network_code: str) -> bytes:
    """The model page's download: the document as the role reads it, without the audit's rows (JSON)."""
    document = document_for(db, actor, network_code)
    if document is None:
        raise ApprodoError("La rete non ha ancora un modello addestrato.")
    return json.dumps({k: v for k, v in document.items() if k != "audit"}, ensure_ascii=False, indent=1).encode()


def audits_for(db: sqlite_utils.Database, actor: Actor, network_code: str, document: dict) -> tuple[str, dict]:
    """The audit by group the actor reads, and whose it is: ('network', the document's, suppressed) for those
    who see every school, ('school', the own school's pupils) for the school's staff."""
    if _figures_view(actor, network_code) == "schools":
        return "network", document["audit"]
    return "school", school_audit(db, actor, actor.school_code, document)
