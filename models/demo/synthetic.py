"""A seeded synthetic cohort of pupils, for the demo, the tests and the benchmarks.

Never real data, and never shown as such. What it assumes (ASSUMPTIONS below)
follows the published figures in shared/REFERENCES.md where there are any:
about 17 % of pupils with non-Italian citizenship (Lombardy 2022/23), a
quarter of them newly arrived, age–grade delay far more common among
pupils with a migrant background (25 % vs 8 %), chronic absence for roughly
one pupil in seven. Each pupil has a hidden risk made of arrival, delay, L2
level and an individual part; attendance and the outcomes of past years
both depend on it, so a model can be checked against a known truth.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.accounts.schools import (
    ENTRY_AGE,  # noqa: F401
    Level,
)
from models.core.school_year import MONTHS, WEEKS, SchoolYear  # noqa: F401 - used below and by callers

ASSUMPTIONS = """
- Classi: 5 anni alla primaria e alla secondaria di secondo grado, 3 alla secondaria di primo grado;
  sezioni da circa 22 alunni.
- Cittadinanza non italiana: 17 % (di cui un terzo UE); tra questi, il 25 % arrivato in Italia da meno di due anni.
- Ritardo scolastico di almeno un anno: 25 % con background migratorio, 8 % gli altri; una ripetenza passata
  per metà di loro.
- Livello di italiano: A1–A2 per gran parte dei neoarrivati, B1 e oltre per gli altri con background migratorio.
- Rischio nascosto = arrivo recente + ritardo + livello L2 basso + parte individuale; l'assenza mensile ne dipende,
  ha una forma stagionale (più assenze a febbraio e a giugno) e, per chi è a rischio, cresce nel corso dell'anno.
- Esiti degli anni passati: abbandono, anno non valido (oltre il 25 % di assenze nella secondaria),
  non ammesso, trasferito o ammesso, con probabilità che crescono con il rischio e le assenze.
"""

# A seasonal factor on absence, month by month.
SEASON = {9: 0.7, 10: 0.85, 11: 1.0, 12: 1.1, 1: 1.1, 2: 1.2, 3: 1.0, 4: 1.0, 5: 1.1, 6: 1.3}
WEEKLY_HOURS = {Level.PRIMARIA: 27, Level.SECONDARIA_PRIMO_GRADO: 30, Level.SECONDARIA_SECONDO_GRADO: 32}
CLASS_YEARS = {Level.PRIMARIA: 5, Level.SECONDARIA_PRIMO_GRADO: 3, Level.SECONDARIA_SECONDO_GRADO: 5}


@dataclass(frozen=True)
class Cohort:
    attendance: pd.DataFrame  # pupil_code, class_name, period, scheduled_hours, absence_hours, late, early
    context: pd.DataFrame  # pupil_code, birth_year, arrival_year, l2_level, retentions, citizenship_group, sex
    outcomes: pd.DataFrame  # pupil_code, school_year, outcome (past years only)
    risk: pd.Series  # the hidden risk per pupil, for checking models against the truth


def generate(
    level: Level | str,
    pupils: int,
    years: list[SchoolYear],
    *,
    seed: int = 0,
    last_month: int | None = None,
    prefix: str = "S",
    context_weight: float = 0.0,
) -> Cohort:
    """`pupils` per year over `years`; the last year stops at `last_month` (e.g. 2 for February).

    `context_weight` makes outcomes depend on arrival, age–grade delay and Italian level beyond what
    they do to absences (0 by default: absences carry most of the signal, and the rules do as well as a
    model). Tests use it to check that a model finds signal that the rules miss.
    """
    level = Level(level)
    rng = np.random.default_rng(seed)
    n_years = CLASS_YEARS[level]
    per_class = 22
    sections = max(1, round(pupils / n_years / per_class))
    # The pupils of the whole span: those present in the first year plus a new class each later year.
    total = pupils + (len(years) - 1) * (pupils // n_years) + pupils // 10
    codes = np.array([f"{prefix}{n:06d}" for n in rng.permutation(total) + 100_000])
    foreign = rng.random(total) < 0.17
    group = np.where(foreign, np.where(rng.random(total) < 1 / 3, "UE", "extra UE"), "italiana")
    newly = foreign & (rng.random(total) < 0.25)
    delay = rng.random(total) < np.where(foreign, 0.25, 0.08)
    retention = delay & (rng.random(total) < 0.5)
    l2 = np.where(~foreign, "madrelingua",
                  np.where(newly, rng.choice(["A1", "A2", "B1"], total, p=[0.45, 0.4, 0.15]),
                           rng.choice(["A2", "B1", "B2", "C1"], total, p=[0.1, 0.35, 0.35, 0.2])))
    individual = rng.normal(0, 1, total)
    risk = (-2.2 + 1.1 * newly + 0.8 * delay + 0.7 * ((l2 == "A1") | (l2 == "A2")) + 0.5 * retention
            + 0.9 * individual)
    base_rate = 0.04 + 0.22 / (1 + np.exp(-risk))  # yearly absence ratio around 5 %, up to ~25 %
    sex = rng.choice(["F", "M"], total)

    first = years[0].start
    # Class year in the first year for the initial pupils; later entrants join class 1.
    start_class = np.concatenate([rng.integers(1, n_years + 1, pupils),
                                  np.ones(total - pupils, dtype=int)])
    entry_year = np.concatenate([np.full(pupils, first),
                                 first + 1 + (np.arange(total - pupils) // max(1, pupils // n_years))])
    entry_year = np.minimum(entry_year, years[-1].start)
    arrival_year = np.where(newly, entry_year - rng.integers(0, 2, total), np.where(
        foreign, entry_year - rng.integers(3, 12, total), 0))
    birth_year = entry_year - (ENTRY_AGE[level] + start_class - 1) - delay.astype(int)
    section_letter = rng.choice(list("ABCD")[:sections], total)

    attendance, outcomes = [], []
    class_year = start_class.copy()
    present = np.zeros(total, dtype=bool)
    for year in years:
        present |= entry_year == year.start
        active = np.flatnonzero(present)
        months = MONTHS if (year != years[-1] or last_month is None) else MONTHS[:MONTHS.index(last_month) + 1]
        # Newly arrived pupils may join after September.
        join = np.where(newly[active] & (arrival_year[active] == year.start),
                        rng.integers(0, 5, len(active)), 0)
        yearly_abs = np.zeros(len(active))
        yearly_sched = np.zeros(len(active))
        drift = np.where(risk[active] > 0, 0.015 * rng.random(len(active)), 0.0)
        for index, month in enumerate(months):
            here = join <= index
            scheduled = np.round(WEEKLY_HOURS[level] * WEEKS[month] * rng.uniform(0.95, 1.05, len(active)))
            rate = np.clip(base_rate[active] * SEASON[month] + drift * index
                           + rng.normal(0, 0.025, len(active)), 0, 0.95)
            absence = np.round(scheduled * rate * 2) / 2  # half hours, as registers count them
            calendar_year = year.start if month >= 9 else year.start + 1
            late = rng.poisson(0.3 + 2.5 * np.clip(base_rate[active] - 0.05, 0, None) * 4)
            early = rng.poisson(0.2 + 0.5 * (risk[active] > 0.5))
            frame = pd.DataFrame({
                "pupil_code": codes[active], "class_name": [f"{c}{s}" for c, s in
                                                            zip(class_year[active], section_letter[active],
                                                                strict=True)],
                "period": f"{calendar_year:04d}-{month:02d}", "scheduled_hours": scheduled,
                "absence_hours": absence, "late_entries": late, "early_exits": early})
            attendance.append(frame[here])
            yearly_abs += np.where(here, absence, 0)
            yearly_sched += np.where(here, scheduled, 0)
        if year != years[-1]:
            ratio = yearly_abs / np.maximum(yearly_sched, 1)
            context = newly[active].astype(float) + delay[active] + ((l2[active] == "A1") | (l2[active] == "A2"))
            p_drop = 1 / (1 + np.exp(-(risk[active] * 1.1 - 2.6 + 6 * ratio + context_weight * (context - 1))))
            roll = rng.random(len(active))
            outcome = np.where(roll < p_drop * 0.5, "abbandono",
                       np.where((level != Level.PRIMARIA) & (ratio > 0.25), "anno_non_valido",
                       np.where(roll < p_drop, "non_ammesso",
                       np.where(roll > 0.985, "trasferito", "ammesso"))))
            outcomes.append(pd.DataFrame({"pupil_code": codes[active], "school_year": str(year),
                                          "outcome": outcome}))
            gone = (outcome == "abbandono") | (outcome == "trasferito") | (class_year[active] >= n_years)
            advance = outcome == "ammesso"
            class_year[active] = class_year[active] + advance
            present[active[gone]] = False
    seen = np.unique(np.concatenate([f["pupil_code"].to_numpy() for f in attendance]))
    mask = pd.Series(codes).isin(seen).to_numpy()  # hash-based: np.isin on strings is quadratic here
    context = pd.DataFrame({
        "pupil_code": codes[mask], "birth_year": birth_year[mask],
        "arrival_year": np.where(arrival_year[mask] > 0, arrival_year[mask], None),
        "l2_level": l2[mask], "retentions": retention[mask].astype(int),
        "citizenship_group": group[mask], "sex": sex[mask]})
    return Cohort(pd.concat(attendance, ignore_index=True), context,
                  pd.concat(outcomes, ignore_index=True) if outcomes else
                  pd.DataFrame(columns=["pupil_code", "school_year", "outcome"]),
                  pd.Series(risk[mask], index=codes[mask], name="rischio_nascosto"))


# --- files in the style of a register export -------------------------------------------


def _csv(frame: pd.DataFrame, headers: dict[str, str]) -> bytes:
    out = io.StringIO()
    frame.rename(columns=headers)[list(headers.values())].to_csv(out, sep=";", index=False, decimal=",")
    return out.getvalue().encode("utf-8")


def attendance_csv(cohort: Cohort) -> bytes:
    frame = cohort.attendance.copy()
    frame["period"] = frame["period"].str.slice(5, 7) + "/" + frame["period"].str.slice(0, 4)
    return _csv(frame, {"pupil_code": "Cod. alunno", "class_name": "Classe", "period": "Mese",
                        "scheduled_hours": "Monte ore", "absence_hours": "Ore di assenza",
                        "late_entries": "N° entrate posticipate", "early_exits": "N° uscite anticipate"})


def context_csv(cohort: Cohort) -> bytes:
    return _csv(cohort.context, {"pupil_code": "Cod. alunno", "birth_year": "Anno di nascita",
                                 "arrival_year": "Anno di arrivo in Italia", "l2_level": "Livello italiano L2",
                                 "retentions": "Ripetenze", "citizenship_group": "Cittadinanza", "sex": "Sesso"})


def outcomes_csv(cohort: Cohort) -> bytes:
    return _csv(cohort.outcomes, {"pupil_code": "Cod. alunno", "school_year": "Anno scolastico",
                                  "outcome": "Esito"})
