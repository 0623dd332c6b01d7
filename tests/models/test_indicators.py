"""Hand-computed cases for every indicator (annual timetable 1000 h unless said otherwise)."""

import math

import pandas as pd
import pytest

from models.risk import indicators

PERIODS = ["2025-09", "2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05",
           "2026-06"]


def months(pupil, absences, *, start=0, scheduled=100, late=0, class_name="2A"):
    return pd.DataFrame({
        "pupil_code": pupil, "class_name": class_name, "period": PERIODS[start:start + len(absences)],
        "scheduled_hours": float(scheduled), "absence_hours": [float(a) for a in absences],
        "late_entries": late, "early_exits": 0})


def score(*frames, level="secondaria_secondo_grado", annual=1000, context=None, as_of=None):
    result = indicators.score(pd.concat(frames, ignore_index=True), context, level=level, annual_hours=annual,
                              as_of=as_of)
    return {row.pupil_code: row for row in result.itertuples(index=False)}


def test_ratio_trend_and_projection_without_crossing():
    # Sep–Dec: 10, 10, 20, 30 of 100 h. Ratio 70/400 = 17.5 %. Recent pace (Nov, Dec) = 25 h/month;
    # 6 months left: 70 + 150 = 220 h = 22 % of 1000. Limit 250 h: 180 h left, 8 months at that pace.
    pupil = score(months("A", [10, 10, 20, 30]))["A"]
    assert pupil.absence_ratio == pytest.approx(0.175)
    assert pupil.projected_ratio == pytest.approx(0.22)
    assert pupil.hours_left == pytest.approx(180)
    assert not isinstance(pupil.crossing_month, str)
    assert pupil.recent_ratio == pytest.approx(0.25) and pupil.earlier_ratio == pytest.approx(0.10)
    assert pupil.worsening and pupil.level == "medio"
    assert "Assenze al 18 % del monte ore svolto finora (70 ore su 400)." in pupil.reasons
    assert "Assenze in aumento: 25 % negli ultimi 2 mesi contro 10 % nei mesi precedenti." in pupil.reasons


def test_the_month_of_crossing_at_the_recent_pace():
    # 40 h a month: 160 h by December, 90 h left, 3 more months -> March.
    pupil = score(months("B", [40, 40, 40, 40]))["B"]
    assert pupil.crossing_month == "2026-03" and pupil.level == "alto"
    assert "Al ritmo degli ultimi 2 mesi supera il 25 % a marzo (restano 90 ore)." in pupil.reasons
    # what made it alto, said in its reason
    assert ("Assenze al 40 % del monte ore svolto finora (160 ore su 400): oltre il 20 %, la soglia del livello "
            "alto.") in pupil.reasons

    assert pupil.longest_severe_run == 4


def test_a_pupil_already_beyond_the_limit():
    # 90, 180, 270 h: the 250 h limit is crossed in November.
    pupil = score(months("C", [90, 90, 90], scheduled=100))["C"]
    assert pupil.hours_left == pytest.approx(-20) and pupil.crossing_month == "2025-11"
    assert any(r.startswith("Ha superato il limite del 25 % del monte ore annuo a novembre") for r in pupil.reasons)


def test_primary_schools_have_no_legal_limit():
    # Same months as the first case: projection over the whole year's hours (400 + 6 × 100) = 22 %.
    pupil = score(months("A", [10, 10, 20, 30]), level="primaria", annual=None)["A"]
    assert math.isnan(pupil.hours_left) and not isinstance(pupil.crossing_month, str)
    assert pupil.projected_ratio == pytest.approx(0.22)
    assert not any("limite" in r or "supera il" in r for r in pupil.reasons)
    assert "Proiezione a fine anno al ritmo attuale: 22 % di assenze." in pupil.reasons


def test_too_little_data_is_never_a_high_level():
    # D arrived in the second month (one month of data, current); E has two months of few hours.
    result = score(months("D", [60], start=1), months("E", [5, 5], scheduled=8))
    assert result["D"].level == "dati_insufficienti"
    assert result["D"].reasons == ["Solo 1 mese di dati: servono almeno 2 mesi per una valutazione."]
    assert result["E"].level == "dati_insufficienti"


def test_a_pupil_arriving_in_february_gets_a_shorter_year():
    # Personalised year: 1000 h × weeks Feb–Jun (17.6) / weeks Sep–Jun (35.4) = 497.2 h; limit 124.3 h.
    # February and March: 30 h each -> 60 h, 64.3 h left, 30 h/month -> crosses in June.
    pupil = score(months("F", [30, 30], start=5), as_of="2026-03")["F"]
    assert pupil.hours_left == pytest.approx(0.25 * 1000 * 17.6 / 35.4 - 60, abs=0.01)
    assert pupil.crossing_month == "2026-06"
    assert pupil.months == 2 and pupil.level == "alto"


def test_as_of_ignores_later_months():
    pupil = score(months("G", [10, 10, 50, 50]), as_of="2025-10")["G"]
    assert pupil.months == 2 and pupil.absence_ratio == pytest.approx(0.10)


def test_frequent_late_entries_and_exits():
    pupil = score(months("H", [2, 2, 2], late=4))["H"]
    assert pupil.level == "medio"
    assert "In media 4 ingressi posticipati o uscite anticipate al mese." in pupil.reasons


def test_context_factors_count_and_explain():
    context = pd.DataFrame({"pupil_code": ["I"], "birth_year": [2009], "arrival_year": [2025], "l2_level": ["A2"],
                            "retentions": [0]})
    # Class 3 of upper secondary in 2025/26: expected birth year 2025 - (14 + 2) = 2009 -> no delay.
    pupil = score(months("I", [1, 1, 1], class_name="3B"), context=context)["I"]
    assert (pupil.arrived_recently, pupil.age_delay, pupil.l2_low) == (True, 0, True)
    assert pupil.level == "medio"
    assert {"In Italia da meno di due anni.", "Livello di italiano A2."} <= set(pupil.reasons)
    delayed = score(months("J", [1, 1], class_name="1A"),
                    context=pd.DataFrame({"pupil_code": ["J"], "birth_year": [2009], "arrival_year": [None],
                                          "l2_level": ["madrelingua"], "retentions": [1]}))["J"]
    assert delayed.age_delay == 2 and delayed.retention
    assert "In ritardo di 2 anni rispetto all'età." in delayed.reasons


def test_a_quiet_pupil_is_low_and_says_so():
    pupil = score(months("K", [2, 3, 2]))["K"]
    assert pupil.level == "basso"
    assert pupil.reasons == ["Assenze al 2 % del monte ore: nessun segnale di rischio."]


def test_the_list_is_ordered_by_level_then_projection():
    result = indicators.score(pd.concat([months("low", [1, 1, 1]), months("high", [40, 40, 40]),
                                         months("mid", [12, 12, 12]), months("none", [5])]),
                              level="secondaria_secondo_grado", annual_hours=1000)
    assert list(result["pupil_code"]) == ["high", "mid", "low", "none"]
    assert result.attrs["as_of"] == "2025-11" and result.attrs["school_year"] == "2025/26"


def test_a_month_that_only_some_pupils_have_does_not_lower_the_others_projection():
    alone = score(months("B", [40, 40, 40, 40]))["B"]
    # As of B's own last month, a newcomer's later rows change nothing for B.
    with_newcomer = score(months("B", [40, 40, 40, 40]), months("N", [10, 10], start=2), as_of=PERIODS[3])["B"]
    assert with_newcomer.projected_ratio == pytest.approx(alone.projected_ratio)
    assert with_newcomer.crossing_month == alone.crossing_month == "2026-03"
    # As of a later month that B lacks, B's data stopped: apart, and not projected at all (issue 17).
    later = score(months("B", [40, 40, 40, 40]), months("N", [10, 10], start=3))["B"]
    assert later.level == indicators.STALE and later.projected_ratio == later.absence_ratio


def test_the_month_past_the_limit_does_not_depend_on_the_pupils_before():
    # B reaches the 250 h limit exactly in December. Listed after a pupil with enormous hours, a running sum
    # over the whole list would lose B's last digits (the old code then raised IndexError).
    alone = score(months("B", [62.5, 62.5, 62.5, 62.5]))["B"]
    after = score(months("A", [1e16], scheduled=1e16), months("B", [62.5, 62.5, 62.5, 62.5]))["B"]
    assert alone.crossing_month == after.crossing_month == "2025-12"
    assert alone.hours_left == after.hours_left == 0 and after.level == "alto"


@pytest.mark.parametrize("codes", [
    ["A1", "A1", "B2", "B2", "C3"],  # grouped, in code order: the rows as the database gives them
    ["B2", "B2", "A1", "C3"],  # grouped, out of order
    ["A1", "B2", "A1", "C3"],  # not grouped
    ["A1", None, None, "B2"],  # a missing code
    ["A1"],
    ["É1", "É1", "Z9", "é1"],  # beyond ASCII: the order of code points
])
def test_pupil_ids_are_what_pandas_factorize_gives(codes):
    series = pd.Series(codes, dtype="str")
    ids, uniques = indicators._pupil_ids(series)
    expected_ids, expected_uniques = pd.factorize(series, sort=True)
    assert ids.tolist() == expected_ids.tolist()
    pd.testing.assert_index_equal(uniques, expected_uniques)


def test_the_article_elides_before_a_number_read_with_a_vowel():
    from models.risk.indicators import al

    assert [al(x) for x in ("8 %", "11 %", "1 %", "80 %", "18 %", "20 %", "2 %", "100 %")] == [
        "all'8 %", "all'11 %", "all'1 %", "all'80 %", "al 18 %", "al 20 %", "al 2 %", "al 100 %"]


def test_a_month_takes_ad_before_a_vowel():
    from models.risk.indicators import a_month

    assert [a_month(m) for m in ("marzo", "aprile", "agosto", "ottobre")] == [
        "a marzo", "ad aprile", "ad agosto", "ad ottobre"]


def test_a_pupil_back_at_school_is_projected_with_both_ends_said():
    # Sep–Dec: 20, 60, 20, 20 of 100 h, then January and February without absences: 120 h of 600 = 20 % so far.
    # The recent pace (Jan, Feb) is nothing, so the projection is the floor: 120 of 1000 = 12 %. At the rate so far
    # over the 400 h left: 120 + 0.2 × 400 = 200 of 1000 = 20 %, said beside it.
    pupil = score(months("R", [20, 60, 20, 20, 0, 0]))["R"]
    assert pupil.absence_ratio == pytest.approx(0.20)
    assert pupil.projected_ratio == pytest.approx(0.12) and pupil.floor_ratio == pytest.approx(0.12)
    assert indicators.steady_ratio(pd.Series(pupil._asdict())) == pytest.approx(0.20)
    # More hours so far than the year's (a short personalised year): no hours left, the floor it is.
    over = score(months("S", [30, 30, 30], scheduled=200), annual=500)["S"]  # 90 of 600 so far, 90 of 500 at the end
    assert indicators.steady_ratio(pd.Series(over._asdict())) == pytest.approx(0.18)
