"""Issue 31's differencing attacks, replayed on demo-like data: each used to give hidden figures back.

- A dirigente opens the dashboard with no filter, then level = secondaria I grado, then II grado.
- The coordinator does the same with the school filter (Ponte Nuovo's "alto" = network − Tiglio).
- The regional view showed a network whose only school with data is one school, alone.
(The model document's "network minus one's own school" is in test_model_document_by_role.py.)
"""

from dataclasses import replace

import pytest

from models.core import suppression
from models.core.school_year import SchoolYear
from models.demo import synthetic
from models.network import figures, regional
from models.pupils import importing as pupil_data
from models.risk import indicators
from tests.conftest import OTHER_NETWORK, OTHER_SCHOOL
from tests.proof.attacker import Attacker
from tests.proof.test_differencing import LABELS, LEVELS, parts

NETWORK, YEAR = "RETEDEMO", SchoolYear(2025)
OWN, TIGLIO = "MIIS00003C", "MIMM00002B"


@pytest.fixture
def two_schools(pupils_db, system):
    """Ponte Nuovo (the dirigente's, 150 pupils) and Tiglio (60): the demo's two schools with data."""
    cohort = synthetic.generate("secondaria_primo_grado", 60, [SchoolYear(2024), YEAR], seed=5, last_month=2,
                                prefix="MM")
    pupil_data.import_attendance(pupils_db, system, TIGLIO, synthetic.attendance_csv(cohort), "f.csv")
    return pupils_db


MONTHS = {indicators.month_label(f"{y}-{m:02d}"): f"{y}-{m:02d}" for y, m in
          [(2025, m) for m in range(9, 13)] + [(2026, m) for m in range(1, 9)]}


def with_data(db) -> dict[str, set[str]]:
    rows = db.execute("SELECT DISTINCT period, school_code FROM attendance_months").fetchall()
    out: dict[str, set[str]] = {}
    for period, school in rows:
        if period in MONTHS.values():
            out.setdefault(period, set()).add(school)
    return out


def known_parts(db, actors, own):
    """What the reader knows: their own school, and (a stronger attacker) which schools have no data."""
    everything = figures.scope(db, actors["admin"], NETWORK)
    return [(s.code, period, lv) for period, schools in with_data(db).items()
            for s in everything.schools if s.code == own or s.code not in schools for lv in LEVELS]


def group(where):
    return frozenset(s.code for s in where.schools)


def rows_of(where):
    """What each row of a table by school sums (its label: a school, the others, the total)."""
    rows = {where.names[c]: frozenset([c]) for c in where.shown}
    rows["Altre scuole"] = group(where) - set(where.shown)
    rows[suppression.TOTAL] = group(where)
    return rows


def month_cells(db, where, attacker, label):
    """Every cell of the month table of a view, seen by the attacker; returns how many were hidden."""
    hidden = 0
    for month, row in figures.network_months(db, where, YEAR).iterrows():
        for column, value in row.items():
            attacker.see(f"{label} {month} {column}", parts(group(where), MONTHS[month], column),
                         not suppression.is_hidden(value))
            hidden += suppression.is_hidden(value)
    return hidden


def test_a_dirigente_gets_no_cell_of_the_other_school_from_the_levels(two_schools, actors):
    dirigente = actors["dirigente"]
    attacker = Attacker(known=known_parts(two_schools, actors, OWN))
    hidden = 0
    for level in (None, "secondaria_primo_grado", "secondaria_secondo_grado"):
        where = figures.scope(two_schools, dirigente, NETWORK, level=level)
        hidden += month_cells(two_schools, where, attacker, level or "tutti i gradi")
    assert hidden  # there was something to protect
    assert attacker.recovered() == []
    # Tiglio is the only other school with data: none of its figures comes out, small or not.
    for period, schools in with_data(two_schools).items():
        if TIGLIO in schools:
            assert not any(attacker.recovers([(TIGLIO, period, lv)]) for lv in LEVELS), period
    only_tiglio = figures.network_months(two_schools, figures.scope(two_schools, dirigente, NETWORK,
                                                                    level="secondaria_primo_grado"), YEAR)
    assert set(only_tiglio.to_numpy().ravel()) == {suppression.HIDDEN}


def test_the_coordinator_gets_no_hidden_cell_from_the_school_filter(two_schools, actors):
    coordinator = actors["coordinatore_rete"]
    everything = figures.scope(two_schools, coordinator, NETWORK)
    attacker, hidden = Attacker(known=known_parts(two_schools, actors, None)), 0
    for school in (None, OWN, TIGLIO):
        where = replace(figures.scope(two_schools, coordinator, NETWORK, school_code=school), read=everything.read)
        hidden += month_cells(two_schools, where, attacker, school or "tutte")
        for period in with_data(two_schools):
            _, table = figures.schools_in_month(two_schools, where, YEAR, period)
            rows = rows_of(where)
            for name, row in table.iterrows():
                for column, value in row.items():
                    attacker.see(f"{school} {period} {name} {column}", parts(rows[name], period, column),
                                 not suppression.is_hidden(value))
                    hidden += suppression.is_hidden(value)
    assert hidden
    assert attacker.recovered() == []


def test_the_region_never_sees_a_network_of_one_school_with_data(two_schools, actors, system):
    cohort = synthetic.generate("primaria", 132, [YEAR], seed=8, last_month=2, prefix="AL")
    pupil_data.import_attendance(two_schools, system, OTHER_SCHOOL, synthetic.attendance_csv(cohort), "a.csv")
    where = regional.region(two_schools, actors["regione"])
    names = {n.code: n.name for n in where.networks}
    levels = regional.levels_last_month(two_schools, where, YEAR)
    alone = levels.loc[names[OTHER_NETWORK]]
    assert {alone[c] for c in [*LABELS, suppression.TOTAL]} == {suppression.HIDDEN}
    shares = regional.risk_months(two_schools, where, YEAR)[names[OTHER_NETWORK]].dropna()
    assert len(shares) and set(shares) == {suppression.HIDDEN}
    # The demo network has two schools with data: its total is shown, as a total.
    assert isinstance(levels.at[names[NETWORK], suppression.TOTAL], int)
