"""Small cells: hidden where shown, and never recoverable from any combination of what a reader can reach."""

import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from models.core import suppression as sup
from tests.proof.attacker import Attacker

LEVELS = ["alto", "medio", "basso"]


def across(rows: dict[str, list[int]], groups, **kwargs):
    return sup.across(pd.DataFrame.from_dict(rows, orient="index", columns=LEVELS),
                      [frozenset(g) for g in groups], total_column=True, **kwargs)


def test_counts_below_five_are_hidden_and_zeros_shown():
    shown = across({"A": [3, 20, 9], "B": [12, 30, 8], "C": [0, 7, 6]}, ["A", "B", "C", "ABC"])
    assert shown[frozenset("A")]["alto"] == "<5" and shown[frozenset("C")]["alto"] == 0
    assert shown[frozenset("ABC")]["medio"] == 57 and shown[frozenset("ABC")][sup.TOTAL] == 95


def test_a_single_hidden_cell_gets_a_companion_so_the_total_does_not_reveal_it():
    shown = across({"A": [3, 50, 0], "B": [40, 60, 0]}, ["A", "B", "AB"])
    # Row A: alto hidden, so medio of A must go too (else 53 - 50 = 3); column alto likewise, in B.
    assert shown[frozenset("A")]["medio"] == sup.HIDDEN and shown[frozenset("B")]["alto"] == sup.HIDDEN
    # Parts are hidden before totals: the network's figures stay.
    assert shown[frozenset("AB")] == {"alto": 43, "medio": 110, "basso": 0, sup.TOTAL: 153}


def test_the_readers_own_school_cannot_protect_the_others():
    shown = across({"Mia": [4, 50, 5], "B": [3, 30, 5], "C": [0, 30, 5]}, [["Mia"], "BC", ["Mia", "B", "C"]],
                   known=["Mia"], unseen=["B", "C"])
    # The reader knows their own 4: a total of 7 would give away the others' 3.
    assert shown[frozenset("BC")]["alto"] == "<5" and sup.is_hidden(shown[frozenset(["Mia", "B", "C"])]["alto"])


def test_a_school_the_reader_does_not_see_is_never_alone():
    # Issue 31: level = secondaria I grado is one other school; the network minus the own school is it too.
    shown = across({"Mia": [10, 50, 60], "Tiglio": [12, 40, 70], "Girasole": [0, 0, 0]},
                   [["Mia"], ["Tiglio"], ["Mia", "Tiglio", "Girasole"], ["Girasole"]],
                   known=["Mia"], unseen=["Tiglio", "Girasole"])
    assert set(shown[frozenset(["Tiglio"])].values()) == {sup.HIDDEN}
    assert set(shown[frozenset(["Mia", "Tiglio", "Girasole"])].values()) == {sup.HIDDEN}
    assert shown[frozenset(["Girasole"])]["alto"] == 0  # a school with no data describes no pupil


def test_rates_follow_their_counts():
    # a share of fewer than 5 cases never reads "<5" (as if "less than 5 %")
    assert sup.rate(3, 100) == "n.d. (meno di 5 casi)" and sup.rate(10, 4) == "n.d. (meno di 5 casi)"
    assert sup.rate(sup.SMALL, 40) == "n.d. (meno di 5 casi)" and sup.rate(0, 0) is None
    assert sup.rate(10, 40) == 25.0 and sup.rate(sup.HIDDEN, 40) == sup.HIDDEN
    assert sup.text(25.0, " %") == "25,0 %" and sup.text(None) == "—" and sup.text(float("nan")) == "—"


SCHOOLS = ["S0", "S1", "S2", "S3", "S4"]


@st.composite
def readers(draw):
    """Random data, random groups (nested or overlapping), and a reader of each kind."""
    n = draw(st.integers(2, 5))
    schools = SCHOOLS[:n]
    small = st.one_of(st.integers(0, 6), st.integers(0, 60))
    values = {s: draw(st.lists(small, min_size=3, max_size=3)) for s in schools}
    subsets = st.frozensets(st.sampled_from(schools), min_size=1)
    groups = draw(st.lists(subsets, min_size=1, max_size=7))
    kind = draw(st.sampled_from(["schools", "network", "region"]))
    own = schools[0] if kind == "network" else None
    if kind == "schools":
        groups += [frozenset([s]) for s in schools]
    elif kind == "network":
        groups += [frozenset([own])]
    known = [own] if own else []
    unseen = [s for s in schools if s != own] if kind != "schools" else []
    return values, groups, known, unseen


def no_combination_gives_a_hidden_one_back(reader):
    values, groups, known, unseen = reader
    shown = across(values, groups, known=known, unseen=unseen)
    attacker = Attacker(known=[(s, level) for s in known for level in LEVELS])
    for group, cells in shown.items():
        for column, value in cells.items():
            parts = [(s, level) for s in group for level in (LEVELS if column == sup.TOTAL else [column])]
            true = sum(values[s][LEVELS.index(level)] for s, level in parts)
            secret = sum(values[s][LEVELS.index(level)] for s, level in parts if s not in known)
            attacker.see(f"{sorted(group)} {column}", parts, shown=not sup.is_hidden(value), sensitive=secret > 0)
            assert sup.is_hidden(value) or value == true  # what is shown is right
            assert sup.is_hidden(value) or not 0 < secret < sup.MIN_PUPILS  # small parts of others never shown
    assert attacker.recovered() == [], shown
    for school in unseen:  # a school the reader does not see is never worked out alone
        if any(values[school]):
            assert not any(attacker.recovers([(school, level)]) for level in LEVELS), (school, shown)


def attack(examples: int):
    @settings(max_examples=examples, deadline=None, database=None)
    @given(readers())
    @example(({"S0": [0, 0, 1], "S1": [0, 1, 0], "S2": [0, 3, 0]},
              [frozenset(["S0"]), frozenset(["S1"]), frozenset(["S2"]), frozenset(["S0", "S1", "S2"])], [], []))
    def run(reader):
        no_combination_gives_a_hidden_one_back(reader)

    return run


test_no_combination_of_shown_figures_gives_a_hidden_one_back = attack(50)
test_no_combination_of_shown_figures_gives_a_hidden_one_back_full = pytest.mark.slow(attack(2000))
