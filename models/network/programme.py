"""Programme evaluation: a network's indicators across school years, each with its definition.

Figures are shares of pupils summed over the scope's schools; numerators and
denominators are suppressed with every other group the reader reaches
(`suppression.across`), and a share is shown only when both are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import sqlite_utils

from models.core import suppression
from models.core.school_year import SchoolYear
from models.network import store
from models.network.figures import APPROVED, Scope, school_years, worked_out, year_levels
from models.protocols.protocol import deliberation_day
from models.risk.rules import network_rules


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    definition: str
    pupils: bool = True  # a share of pupils (suppressed), or of schools (not pupil data)


INDICATORS = [
    Indicator("protocols", "Scuole con un protocollo approvato",
              "Scuole della rete il cui protocollo di accoglienza è approvato o pubblicato, con delibera datata entro"
              " la fine dell'anno scolastico, sul totale delle scuole.", pupils=False),
    Indicator("newcomers_assessed", "Neoarrivati con livello di italiano rilevato",
              "Alunni arrivati in Italia nell'anno solare d'inizio dell'anno scolastico o in quello precedente (dal"
              " file di contesto) per i quali è registrato un livello di italiano L2 (A1–C2), sul totale dei"
              " neoarrivati."),
    Indicator("chronic", "Alunni con assenza cronica",
              "Alunni con assenze pari ad almeno la soglia di assenza cronica della rete (10 % del monte ore svolto se"
              " la rete non l'ha cambiata), all'ultimo mese con dati dell'anno,"
              " sul totale degli alunni con dati di frequenza."),
    Indicator("reached", "Alunni ad alto rischio raggiunti da un intervento",
              "Alunni al livello «alto» in almeno un mese dell'anno con almeno un intervento registrato nell'anno,"
              " sul totale degli alunni al livello «alto»."),
    Indicator("improved", "Frequenza migliorata dopo l'intervento",
              "Tra gli alunni raggiunti, quelli la cui percentuale di assenze nei due mesi dopo il mese del primo"
              " intervento è più bassa che nei due mesi prima (contano solo gli alunni con dati per tutti e"
              " quattro i mesi)."),
    Indicator("dropout", "Abbandoni",
              "Esiti «abbandono» sul totale degli esiti di fine anno caricati per l'anno."),
    Indicator("invalid_year", "Anni non validi per assenze",
              "Esiti «anno non valido» sul totale degli esiti di fine anno caricati per l'anno."),
]


@dataclass
class Evaluation:
    years: list[SchoolYear]
    values: dict[str, dict[str, object]] = field(default_factory=dict)  # indicator key -> year -> shown value
    counts: dict[str, dict[str, tuple]] = field(default_factory=dict)  # indicator key -> year -> (num, den) shown

    def frame(self, *, as_text: bool = True) -> pd.DataFrame:
        """Rows = indicators, columns = school years: "18,5 %", "<5", "3 su 4"... (or the raw values)."""
        def cell(indicator: Indicator, year: str):
            value = self.values[indicator.key][year]
            if not as_text:
                return value
            if not indicator.pupils:
                return "{} su {}".format(*self.counts[indicator.key][year]) if value is not None else "—"
            return suppression.text(value, " %")

        data = {str(y): [cell(i, str(y)) for i in INDICATORS] for y in self.years}
        return pd.DataFrame(data, index=[i.label for i in INDICATORS])


def evaluate(db: sqlite_utils.Database, where: Scope, years: list[SchoolYear] | None = None) -> Evaluation:
    """Every indicator for every school year with data (oldest first)."""
    years = sorted(years or school_years(db, where))
    everyone = where.everyone or where.schools
    per_school = {s.code: _school_years(db, where, s.code, years) for s in everyone}
    result = Evaluation(years)
    for indicator in INDICATORS:
        result.values[indicator.key], result.counts[indicator.key] = {}, {}
        for year in map(str, years):
            if not indicator.pupils:
                num = sum(per_school[c][year][indicator.key][0] for c in where.group)
                den = sum(per_school[c][year][indicator.key][1] for c in where.group)
                result.values[indicator.key][year] = round(100 * num / den, 1) if den else None
                result.counts[indicator.key][year] = (num, den)
                continue
            # Numerator and denominator of every school, suppressed over every group the reader reaches.
            parts = pd.DataFrame(np.array([per_school[c][year][indicator.key] for c in per_school],
                                          dtype=np.int64).reshape(len(per_school), 2),
                                 index=list(per_school), columns=["num", "den"])
            shown = suppression.across(parts, where.reach, known=where.known, unseen=where.unseen).get(
                where.group, {"num": suppression.HIDDEN, "den": suppression.HIDDEN})
            value = suppression.rate(shown["num"], shown["den"])
            result.values[indicator.key][year] = value
            result.counts[indicator.key][year] = (shown["num"], shown["den"])
    return result


def _school_years(db, where: Scope, school_code: str, years: list[SchoolYear]) -> dict[str, dict]:
    """{year: `_school_figures`} of one school: what does not change from year to year is read once."""
    school = _School.read(db, school_code)
    return {str(y): _school_figures(db, year_levels(db, where, school_code, y), school_code, y, school) for y in years}


@dataclass(frozen=True)
class _School:
    """What a school's figures read once for every year: its protocol, chronic threshold and context."""

    protocol: tuple | None
    chronic: float
    arrivals: list[tuple]

    @classmethod
    def read(cls, db, school_code: str) -> _School:
        return cls(store.protocol_approval(db, school_code),
                   network_rules(db, store.network_of(db, school_code)).chronic,  # the network's threshold
                   store.pupil_arrivals(db, school_code))


def _school_figures(db, school_levels, school_code: str, year: SchoolYear, school: _School | None = None
                    ) -> dict[str, tuple[int, int]]:
    """(numerator, denominator) of each indicator for one school and year, from its levels of that year (raw:
    callers suppress)."""
    school = school or _School.read(db, school_code)
    start, end = year.first_day.isoformat(), year.last_day.isoformat()
    protocol = school.protocol
    # Stored as the user wrote it (dd/mm/yyyy): compared as a day, never as text.
    day = deliberation_day(protocol[1]) if protocol else None
    approved = bool(protocol and protocol[0] in APPROVED and day is not None and day <= year.last_day)

    pupils, last, high = worked_out(school_levels, "programme", _level_facts)

    newcomers = {p: l2 for p, arrival, l2 in school.arrivals if p in pupils and arrival and arrival >= year.start - 1}

    first_intervention: dict[str, date] = {}
    for pupil, day in store.first_interventions(db, school_code, start, end):
        first_intervention[pupil] = date.fromisoformat(day)
    reached = high & set(first_intervention)
    improved, measured = _improvement(db, school_code, {p: first_intervention[p] for p in reached})

    outcomes = store.outcome_counts(db, school_code, str(year))
    all_outcomes = sum(outcomes.values())
    return {
        "protocols": (int(approved), 1),
        "newcomers_assessed": (sum(1 for l2 in newcomers.values() if l2), len(newcomers)),
        "chronic": (int((last >= school.chronic).sum()), len(last)),  # NaN: not chronic
        "reached": (len(reached), len(high)),
        "improved": (improved, measured),
        "dropout": (outcomes.get("abbandono", 0), all_outcomes),
        "invalid_year": (outcomes.get("anno_non_valido", 0), all_outcomes),
    }


def _level_facts(school_levels) -> tuple[frozenset, np.ndarray, frozenset]:
    """The year's pupils, each pupil's absence ratio at its latest month, the pupils ever at `alto`."""
    codes = np.asarray(school_levels["pupil_code"]).tolist()
    # Each pupil's latest month: the rows come in month order, so the last ratio written for a pupil wins.
    last = np.array(list(dict(zip(codes, np.asarray(school_levels["absence_ratio"], dtype=float).tolist(),
                                  strict=True)).values()), dtype=float)
    high = frozenset(np.asarray(school_levels["pupil_code"])[np.asarray(school_levels["level"]) == "alto"].tolist())
    return frozenset(codes), last, high


def _improvement(db, school_code: str, first: dict[str, date]) -> tuple[int, int]:
    """How many pupils missed less in the two months after their first intervention than in the two before."""
    improved = measured = 0
    for pupil, day in first.items():
        month = pd.Period(day, freq="M")
        before = [str(month - 2), str(month - 1)]
        after = [str(month + 1), str(month + 2)]
        rows = store.pupil_months(db, school_code, pupil, [*before, *after])
        if not all(p in rows for p in before + after):
            continue
        measured += 1
        improved += _ratio(rows, after) < _ratio(rows, before)
    return improved, measured


def _ratio(rows: dict[str, tuple[float, float]], periods: list[str]) -> float:
    scheduled = sum(rows[p][1] for p in periods)
    return sum(rows[p][0] for p in periods) / scheduled if scheduled else 0.0
