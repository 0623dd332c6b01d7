"""Every pupil's level month by month (models/risk/history.py): the same levels as the list, kept fresh."""

from models.risk import history, indicators, rules, school_risk

SCHOOL = "MIIS00003C"


def list_levels(db, actor, period):
    """The risk list as it stood at `period`, pupils with data in that month only."""
    pupils = school_risk.school_risk(db, actor, SCHOOL, as_of=period).pupils
    shown = pupils[pupils["level"] != indicators.STALE]
    return dict(zip(shown["pupil_code"], shown["level"], strict=True))


def test_each_month_holds_the_levels_the_list_shows_for_that_month(pupils_db, system):
    periods = school_risk.periods(pupils_db, system, SCHOOL)
    assert len(periods) > 3
    for period in (periods[0], periods[len(periods) // 2], periods[-1]):
        kept = history.levels_at(pupils_db, SCHOOL, period)
        assert kept and kept == list_levels(pupils_db, system, period)
    frame = history.level_history(pupils_db, SCHOOL)
    assert set(frame["period"]) == set(periods)
    assert set(frame["school_year"]) == {"2024/25", "2025/26"}


def test_a_change_of_the_networks_thresholds_is_seen_at_the_next_read(pupils_db, system, actors):
    period = school_risk.periods(pupils_db, system, SCHOOL)[-1]
    before = history.levels_at(pupils_db, SCHOOL, period)
    rules.set_network_rules(pupils_db, actors["coordinatore_rete"], "RETEDEMO", chronic=0.05, severe=0.10)
    after = history.levels_at(pupils_db, SCHOOL, period)
    assert after == list_levels(pupils_db, system, period)
    assert sum(v == "basso" for v in after.values()) < sum(v == "basso" for v in before.values())


def test_a_month_without_data_has_no_levels(pupils_db):
    assert history.levels_at(pupils_db, SCHOOL, "2019-10") == {}
    assert history.level_history(pupils_db, "MIEE00001A").empty  # a school with no attendance at all
