"""The probe's differencing attack (issue 31), played by every reader on random data.

Each reader opens every view they can reach — the dashboard with every level and school filter, its
month table, the table of schools for every month, the trend, the regional view — and writes every figure
down as a sum of parts (a school's pupils at one level in one month). The `Attacker` then solves: no hidden
figure may be a linear combination of the shown ones and of the reader's own school (a difference of two
views, a total minus its parts, a network minus a level minus one's own school), and no school the reader
does not see may come out alone. The report and its files are made from these same functions.
"""

from dataclasses import replace

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.accounts import schools
from models.core import suppression
from models.core.school_year import SchoolYear
from models.network import figures, regional
from models.risk import history, indicators
from tests.conftest import OTHER_SCHOOL
from tests.proof.attacker import Attacker

YEAR = SchoolYear(2025)
PERIODS = ["2025-10", "2025-11"]
LEVELS = list(indicators.LEVELS)
LABELS = {indicators.LEVEL_LABELS[level]: level for level in LEVELS}
ROLES = ["admin", "coordinatore_rete", "dirigente", "funzione_strumentale", "regione"]


@pytest.fixture
def network(demo_db, system, monkeypatch):
    """The demo network and two more schools (two schools for each level), the other network's one school;
    the levels each test example sets, read through a stand-in for the level history's columns (what the
    figures read: `history.level_columns`, in month then pupil order, None for a school without data)."""
    schools.create_school(demo_db, system, "MIEE00005E", "Scuola primaria «Quercia»", "RETEDEMO", "primaria")
    schools.create_school(demo_db, system, "MIMM00006F", "Secondaria di primo grado «Olmo»", "RETEDEMO",
                          "secondaria_primo_grado")
    data: dict[str, pd.DataFrame] = {}
    read: list[str] = []

    def level_columns(db, code):
        read.append(code)
        frame = data[code].sort_values(["period", "pupil_code"])
        if frame.empty:
            return None
        return {**{name: frame[name].to_numpy(dtype=object) for name in history.COLUMNS[:4]},
                "absence_ratio": frame["absence_ratio"].to_numpy(dtype=float), "derived": {}}

    monkeypatch.setattr(history, "level_columns", level_columns)
    return demo_db, data, read


def frames(counts: dict) -> dict[str, pd.DataFrame]:
    """A level history per school with the given number of pupils per (month, level)."""
    out = {}
    for school, months in counts.items():
        rows = [(period, f"{school}-{period}-{level}-{n}", "1A", level, 0.0, str(YEAR))
                for period, by_level in months.items() for level, k in zip(LEVELS, by_level, strict=True)
                for n in range(k)]
        out[school] = pd.DataFrame(rows, columns=["period", "pupil_code", "class_name", "level", "absence_ratio",
                                                  "school_year"], dtype=object)
    return out


def parts(group, period, column):
    levels = LEVELS if column == suppression.TOTAL else [LABELS[column]]
    return [(s, period, level) for s in group for level in levels]


def read_dashboard(db, actor, network_code, attacker, truth):
    """Every view of one network's dashboard under every filter the page offers (and the report holds)."""
    everything = figures.scope(db, actor, network_code)
    for level in [None, *dict.fromkeys(s.level for s in everything.schools)]:
        choosable = [s.code for s in everything.schools if s.code in everything.shown
                     and (level is None or s.level == level)]
        for school in [None, *choosable]:
            # The figures read for one filter are the same for all (every school reached is read, whatever
            # the filter): shared, as the test would otherwise compute the same protection 20 times.
            where = replace(figures.scope(db, actor, network_code, level=level, school_code=school),
                            read=everything.read)
            label = f"{network_code} {level or 'tutti'} {school or 'tutte'}"
            months = figures.network_months(db, where, YEAR)
            by_label = {indicators.month_label(p): p for p in PERIODS}
            for month, row in months.iterrows():
                for column, value in row.items():
                    see(attacker, truth, f"{label} mesi {month} {column}",
                        parts(where.group, by_label[month], column), value)
            for period in PERIODS:
                _, table = figures.schools_in_month(db, where, YEAR, period)
                groups = dict(where.rows())
                for name, row in table.iterrows():
                    for column, value in row.items():
                        see(attacker, truth, f"{label} {period} {name} {column}",
                            parts(groups[name], period, column), value)
            series = {where.names[c]: frozenset([c]) for c in where.shown}
            trend = figures.trend(db, where, YEAR)
            for name, period in zip(trend["series"], trend["period"], strict=True):  # not itertuples: a class a call
                rate_seen(attacker, series.get(name, where.group), period)


def see(attacker, truth, where, cells, value):
    shown = not suppression.is_hidden(value)
    if shown:
        true = sum(truth.get(cell, 0) for cell in cells)
        assert value == true, (where, value, true)  # what is shown is right
    attacker.see(where, cells, shown, sensitive=any(truth.get(c, 0) for c in cells if c not in attacker.known))


def rate_seen(attacker, group, period):
    """A shown share of pupils at alto or medio gives its numerator and denominator (to 0.1 %)."""
    attacker.see("trend", [(s, period, lv) for s in group for lv in ("alto", "medio")], True)
    attacker.see("trend", parts(group, period, suppression.TOTAL), True)


def read_region(db, actor, attacker, truth):
    where = regional.region(db, actor)
    for code, scope in where.scopes.items():
        rates = figures.flagged_rates(db, scope, YEAR, scope.group)
        for period, value in rates.items():
            if not suppression.is_hidden(value) and value is not None:
                rate_seen(attacker, scope.group, period)
        months = regional.levels_last_month(db, where, YEAR)
        name = where.label(code)
        if name in months.index:
            period = PERIODS[[indicators.month_label(p) for p in PERIODS].index(months.at[name, "Mese"])]
            for column in [*LABELS, suppression.TOTAL]:
                see(attacker, truth, f"regione {name} {column}", parts(scope.group, period, column),
                    months.at[name, column])


SCHOOL_CODES = ["MIEE00001A", "MIEE00005E", "MIMM00002B", "MIMM00006F", "MIIS00003C", "MIRI00004D", OTHER_SCHOOL]
count = st.one_of(st.integers(0, 4), st.integers(0, 40))
month = st.lists(count, min_size=len(LEVELS), max_size=len(LEVELS))
school_data = st.one_of(st.none(), st.fixed_dictionaries({p: month for p in PERIODS}))
datasets = st.fixed_dictionaries({code: school_data for code in SCHOOL_CODES})


def attack(db, data, actors, counts):
    counts = {school: months for school, months in counts.items() if months}
    data.clear()
    data.update(frames({code: counts.get(code, {}) for code in SCHOOL_CODES}))
    truth = {(s, p, lv): k for s, months in counts.items() for p, by_level in months.items()
             for lv, k in zip(LEVELS, by_level, strict=True)}
    for role in ROLES:
        actor = actors[role]
        own = actor.school_code
        # The reader knows their own school, and (a stronger attacker than needed) which schools have no data.
        empty = [(s, p) for s in SCHOOL_CODES for p in PERIODS if not any(counts.get(s, {}).get(p, []))]
        attacker = Attacker(known=[(s, p, lv) for s, p in [*((own, p) for p in PERIODS), *empty] for lv in LEVELS])
        if role != "regione":
            read_dashboard(db, actor, "RETEDEMO", attacker, truth)
        if role in ("admin", "regione"):
            read_region(db, actor, attacker, truth)
        assert attacker.recovered() == [], role
        sees_rows = role in ("admin", "coordinatore_rete")
        for school, months in counts.items():
            if school == own or sees_rows:
                continue
            for period, by_level in months.items():
                if any(by_level):  # a school the reader does not see never comes out alone
                    assert not any(attacker.recovers([(school, period, lv)]) for lv in LEVELS), (role, school)


def differencing(examples: int):
    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(datasets)
    def run(network, actors, counts):
        db, data, read = network
        read.clear()
        attack(db, data, actors, counts)
        # Were the figures to read the levels elsewhere, they would see no pupil and the attack nothing.
        assert set(read) == set(SCHOOL_CODES), "the figures no longer read the stand-in (history.level_columns)"

    return run


test_no_reader_recovers_a_hidden_cell = differencing(3)
test_no_reader_recovers_a_hidden_cell_full = pytest.mark.slow(differencing(200))
