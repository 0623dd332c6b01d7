"""The fast scoring equals the row-by-row reference (tests/models/risk_reference.py), bit for bit.

Levels, indicators, reasons and order: on the demo network's data month by month, through the page's own
path (the packed read of models/risk/school_risk.py), and on generated frames with the edge cases: one
month, missing months, zero scheduled hours, primary schools (no legal limit), network thresholds, late
entries and early exits absent, justified hours beside the rest, rows out of order, summer months.
"""

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.accounts.schools import DEFAULT_ANNUAL_HOURS, Level
from models.core.permissions import Actor
from models.core.school_year import SchoolYear
from models.demo import demo, synthetic
from models.pupils import importing
from models.risk import indicators, school_risk
from models.risk.rules import network_rules
from tests.models import risk_reference

# make test runs two processes (xdist, loadgroup): one of them runs this module, whose network is built once.
pytestmark = pytest.mark.xdist_group("exactness")

YEAR = ["2025-09", "2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05",
        "2026-06"]
SUMMER = ["2025-07", "2025-08", "2026-07"]


def same(expected: pd.DataFrame, got: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert got.attrs == expected.attrs


def derogated(db, school_code: str, school_year: str | None) -> dict[str, float]:
    """The hours in derogation per pupil, read from the table directly (not through models/risk/derogations.py)."""
    return {code: hours for code, hours in db.execute(
        "SELECT pupil_code, SUM(hours) FROM derogations WHERE school_code = ? AND school_year = ? GROUP BY pupil_code",
        [school_code, school_year]).fetchall()}


def both(attendance, context=None, **setup):
    return (risk_reference.score(attendance, context, **setup),
            indicators.score(attendance.copy(), None if context is None else context.copy(), **setup))


# ---- the demo network, month by month -------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_network(tmp_path_factory):
    from models.core import db as database

    db = database.connect(tmp_path_factory.mktemp("exact") / "approdo.db")
    demo.install_demo(db, with_protocols=False, with_pupils=False)
    system = Actor.system("test")
    for school_code, level, pupils, seed in demo.DEMO_COHORTS:
        cohort = synthetic.generate(level, pupils, demo.DEMO_YEARS, seed=seed, last_month=demo.DEMO_LAST_MONTH,
                                    prefix=school_code[2:4])
        importing.import_attendance(db, system, school_code, synthetic.attendance_csv(cohort), "f.csv")
        importing.import_context(db, system, school_code, synthetic.context_csv(cohort), "c.csv")
    school_risk.assign_classes(db, system, "docente", demo.DEMO_TEACHER_CLASSES)
    # Hours in derogation for one pupil of each school in each year, and a second decision for the same
    # pupil in the last one: the list shows their sum in its year only, and the sentence after the reasons.
    for school_code, *_ in demo.DEMO_COHORTS:
        pupil = db.execute("SELECT MIN(pupil_code) FROM attendance WHERE school_code = ?", [school_code]).fetchone()[0]
        for year, hours in [(str(y), 12.5) for y in demo.DEMO_YEARS] + [(str(demo.DEMO_YEARS[-1]), 30.0)]:
            db.execute("INSERT INTO derogations (school_code, pupil_code, school_year, hours, reason, on_day,"
                       " recorded_by, recorded_at) VALUES (?, ?, ?, ?, 'Motivi di salute', '2026-01-10', 'test',"
                       " '2026-01-10')", [school_code, pupil, year, hours])
    return db


def test_every_demo_school_and_month_scores_as_the_reference(demo_network):
    db = demo_network
    compared = 0
    for school_code, *_ in demo.DEMO_COHORTS:
        setup = school_risk.scoring_setup(db, school_code)
        attendance = school_risk.load_attendance(db, school_code)
        context = school_risk.load_context(db, school_code)
        for as_of in sorted(attendance["period"].unique()):
            expected, got = both(attendance, context, level=setup.level, annual_hours=setup.annual_hours,
                                 as_of=as_of, rules=setup.rules)
            same(expected, got)
            compared += len(got)
    assert compared > 1000  # schools of every level, every month of two years


def test_the_risk_list_from_the_database_is_the_reference_list(demo_network):
    """The page's path (packed read, teacher scope, an earlier month) against the reference on the frame."""
    db = demo_network
    system = Actor.system("test")
    from models.accounts import auth

    docente = auth.actor_for_user(db, db.execute("SELECT id FROM users WHERE username = 'docente'").fetchone()[0])
    years_with_derogations = set()
    for school_code, *_ in demo.DEMO_COHORTS:
        school = db.execute("SELECT level, annual_hours, network_code FROM schools WHERE code = ?",
                            [school_code]).fetchone()
        level, hours = school[0], school[1] or DEFAULT_ANNUAL_HOURS[Level(school[0])]
        months = school_risk.periods(db, system, school_code)
        actors = [system] + ([docente] if docente.school_code == school_code else [])
        for actor in actors:
            classes = school_risk.teacher_classes(db, actor)
            for as_of in (None, months[-1], months[-3], months[0]):
                risk = school_risk.school_risk(db, actor, school_code, as_of=as_of)
                since = SchoolYear.of_period(as_of or months[-1]).first_month
                frame = school_risk.load_attendance(db, school_code, classes, since=since)
                expected = risk_reference.score(frame, school_risk.load_context(db, school_code), level=level,
                                                annual_hours=hours, as_of=as_of, rules=network_rules(db, school[2]))
                expected = risk_reference.with_derogations(
                    expected, derogated(db, school_code, expected.attrs.get("school_year")))
                same(expected, risk.pupils)
                assert risk.as_of == expected.attrs["as_of"]
                if (risk.pupils["derogation_hours"] > 0).any():
                    years_with_derogations.add((school_code, risk.school_year))
    assert len(years_with_derogations) > len(demo.DEMO_COHORTS)  # the sum in the latest year and in an earlier one


# ---- generated frames -------------------------------------------------------------------------------------

hours_values = st.one_of(st.sampled_from([0.0, 0.5, 8.0, 20.0, 100.0, 133.3]),
                         st.floats(0, 160, allow_nan=False, allow_infinity=False))


@st.composite
def attendance_frames(draw, summer=True):
    rows = []
    for pupil in range(draw(st.integers(1, 6))):
        periods = YEAR + SUMMER if summer else YEAR
        months = draw(st.lists(st.sampled_from(periods), min_size=1, max_size=len(periods), unique=True))
        classes = draw(st.lists(st.sampled_from(["1A", "2B", "3C", "5D", "X1", "4"]), min_size=1, max_size=2))
        for period in months:
            scheduled = draw(hours_values)
            absent = scheduled * draw(st.sampled_from([0.0, 0.05, 0.15, 0.3, 0.6, 1.0]) | st.floats(0, 1))
            late = draw(st.none() | st.integers(0, 8))
            early = draw(st.none() | st.integers(0, 5))
            rows.append({"pupil_code": f"P{pupil}", "class_name": draw(st.sampled_from(classes)),
                         "period": period, "scheduled_hours": scheduled, "absence_hours": absent,
                         "late_entries": late, "early_exits": early,
                         "justified_hours": draw(st.none() | st.just(absent / 2))})
    order = draw(st.permutations(range(len(rows))))
    return pd.DataFrame([rows[i] for i in order])


@st.composite
def contexts(draw):
    if not draw(st.booleans()):
        return None
    codes = draw(st.lists(st.sampled_from(["P0", "P1", "P2", "P3", "P9"]), unique=True))
    return pd.DataFrame({
        "pupil_code": codes,
        "birth_year": [draw(st.none() | st.integers(2005, 2020)) for _ in codes],
        "arrival_year": [draw(st.none() | st.integers(2015, 2026)) for _ in codes],
        "l2_level": [draw(st.sampled_from([None, "A1", "A2", "B1", "madrelingua"])) for _ in codes],
        "retentions": [draw(st.none() | st.integers(0, 2)) for _ in codes],
    }, columns=["pupil_code", "birth_year", "arrival_year", "l2_level", "retentions"])


@st.composite
def network_rules_drawn(draw):
    if not draw(st.booleans()):
        return indicators.DEFAULT_RULES
    chronic = draw(st.sampled_from([0.05, 0.1, 0.15]))
    return indicators.Rules(chronic=chronic, severe=chronic + draw(st.sampled_from([0.05, 0.1])),
                            legal_limit=draw(st.sampled_from([0.2, 0.25, 0.3])),
                            trend_points=draw(st.sampled_from([0.02, 0.05, 0.1])),
                            late_per_month=draw(st.sampled_from([1.0, 3.0, 5.5])),
                            context_factors=draw(st.integers(1, 4)), min_months=draw(st.integers(1, 4)),
                            min_hours=draw(st.sampled_from([0.0, 20.0, 50.0])), recent_months=draw(st.integers(1, 4)))


setups = st.fixed_dictionaries({
    "level": st.sampled_from(list(Level)),
    "annual_hours": st.sampled_from([None, 0, 891, 1056.5]),
    "rules": network_rules_drawn(),
})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(attendance_frames(), contexts(), setups, st.none() | st.sampled_from(YEAR + SUMMER))
def test_generated_frames_score_as_the_reference(attendance, context, setup, as_of):
    expected, got = both(attendance, context, as_of=as_of, **setup)
    same(expected, got)
    # Without the sentences (for callers that keep only levels): the same list, every reason list empty.
    bare = indicators.score(attendance, context, as_of=as_of, reasons=False, **setup)
    if "reasons" in expected and len(expected):
        same(expected.drop(columns="reasons"), bare.drop(columns="reasons"))
        assert all(r == [] for r in bare["reasons"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(attendance_frames(summer=False), setups, st.booleans())
def test_generated_rows_in_the_database_list_as_the_reference(demo_db, attendance, setup, tenths):
    """The packed read on rows written straight into the table: NULL late counts, hours that are (or are
    not) whole tenths, months missing; the list must be the one the reference makes from the frame."""
    db, school = demo_db, "MIIS00003C"
    if tenths:
        attendance["scheduled_hours"] = attendance["scheduled_hours"].round(1)
        attendance["absence_hours"] = (attendance["absence_hours"].round(1)).clip(upper=attendance["scheduled_hours"])
    db.execute("DELETE FROM attendance")
    db.execute("DELETE FROM attendance_months")
    # A new import row, as every real write has: the data stamp changes, so no list kept from the
    # previous example is served.
    db.execute("INSERT INTO imports (school_code, kind, file_name, rows, imported_by, imported_at)"
               " VALUES (?, 'attendance', 'generato.csv', ?, 'test', '2026-01-01')", [school, len(attendance)])
    db.conn.executemany(
        "INSERT INTO attendance (school_code, pupil_code, period, class_name, scheduled_hours, absence_hours,"
        " late_entries, early_exits, justified_hours, import_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
        [(school, r.pupil_code, r.period, r.class_name, r.scheduled_hours, r.absence_hours,
          None if pd.isna(r.late_entries) else int(r.late_entries),
          None if pd.isna(r.early_exits) else int(r.early_exits),
          None if pd.isna(r.justified_hours) else r.justified_hours) for r in attendance.itertuples()])
    db.execute("INSERT INTO attendance_months SELECT school_code, period, COUNT(*) FROM attendance"
               " GROUP BY school_code, period")
    annual = setup["annual_hours"] or None  # the table allows no zero
    db.execute("UPDATE schools SET level = ?, annual_hours = ? WHERE code = ?", [setup["level"].value, annual, school])
    system = Actor.system("test")
    months = school_risk.periods(db, system, school)
    packed = school_risk._read_school_year(db, school, months[-1], months, None)
    if tenths:  # whole tenths always take the packed read; other hours may fall back to the frame
        assert packed is not None
    risk = school_risk.school_risk(db, system, school, rules=setup["rules"])
    expected = risk_reference.score(school_risk.load_attendance(db, school, since="2025-09"),
                                    school_risk.load_context(db, school), level=setup["level"],
                                    annual_hours=annual or DEFAULT_ANNUAL_HOURS[setup["level"]],
                                    rules=setup["rules"])
    same(risk_reference.with_derogations(expected, derogated(db, school, expected.attrs.get("school_year"))),
         risk.pupils)
