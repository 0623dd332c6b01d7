"""Small cells: hidden where shown, and never recoverable from a total minus the cells shown."""

import pandas as pd
from hypothesis import example, given, settings
from hypothesis import strategies as st

from models.core import suppression as sup


def lines_of(shown: pd.DataFrame, known=()):
    """Every row and column of a table with totals, as lists of (row, column) cells."""
    rows = [[(r, c) for c in shown.columns] for r in shown.index if r not in known]
    columns = [[(r, c) for r in shown.index] for c in shown.columns]
    return rows + columns


def test_counts_below_five_are_hidden_and_zeros_shown():
    shown = sup.table(pd.DataFrame({"alto": [3, 12, 0], "medio": [20, 30, 7]}, index=["A", "B", "C"]))
    assert shown.at["A", "alto"] == "<5" and shown.at["C", "alto"] == 0
    assert shown.at[sup.TOTAL, sup.TOTAL] == 72 and shown.at[sup.TOTAL, "medio"] == 57


def test_a_single_hidden_cell_gets_a_companion_so_the_total_does_not_reveal_it():
    shown = sup.table(pd.DataFrame({"alto": [3, 40], "medio": [50, 60]}, index=["A", "B"]))
    # Row A: alto hidden, so medio of A must go too (else 53 - 50 = 3); column alto likewise.
    assert shown.at["A", "medio"] == sup.HIDDEN and shown.at["B", "alto"] == sup.HIDDEN


def test_the_readers_own_school_cannot_protect_the_others():
    counts = pd.DataFrame({"alto": [4, 3], "medio": [50, 60]}, index=["Mia scuola", "Altre scuole"])
    shown = sup.table(counts, known_rows=["Mia scuola"])
    # The reader knows their own 4: the total 7 would give away the others' 3.
    assert shown.at["Altre scuole", "alto"] == "<5" and sup.is_hidden(shown.at[sup.TOTAL, "alto"])


def test_a_figure_whose_other_part_is_small_is_hidden():
    total = pd.DataFrame({"alto": [30]}, index=["ottobre"])
    rest = pd.DataFrame({"alto": [2]}, index=["ottobre"])
    assert sup.table(total, total_row=False, rest=rest).at["ottobre", "alto"] == sup.HIDDEN


def test_rates_follow_their_counts():
    # a share of fewer than 5 cases never reads "<5" (as if "less than 5 %")
    assert sup.rate(3, 100) == "n.d. (meno di 5 casi)" and sup.rate(10, 4) == "n.d. (meno di 5 casi)"
    assert sup.rate(sup.SMALL, 40) == "n.d. (meno di 5 casi)" and sup.rate(0, 0) is None
    assert sup.rate(10, 40) == 25.0 and sup.rate(sup.HIDDEN, 40) == sup.HIDDEN
    assert sup.text(25.0, " %") == "25,0 %" and sup.text(None) == "—" and sup.text(float("nan")) == "—"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(0, 30), min_size=3, max_size=3), min_size=1, max_size=6),
       st.booleans())
@example(rows=[[0, 0, 1], [0, 1, 0], [0, 3, 0]], with_known=True)  # the reader's own row gave a total away
def test_no_line_of_any_table_has_exactly_one_hidden_cell(rows, with_known):
    counts = pd.DataFrame(rows, columns=["alto", "medio", "basso"], index=[f"S{i}" for i in range(len(rows))])
    known = ["S0"] if with_known else []
    shown = sup.table(counts, known_rows=known)
    full = counts.assign(Totale=counts.sum(axis=1))
    full.loc[sup.TOTAL] = full.sum(axis=0)

    def others_part(cell) -> int:
        """What a cell holds beyond the reader's own school (a leak is only about that part)."""
        row, column = cell
        if row in known:
            return 0
        return full.at[row, column] - (sum(full.at[k, column] for k in known) if row == sup.TOTAL else 0)

    for cells in lines_of(shown, known):
        hidden = [cell for cell in cells if sup.is_hidden(shown.at[cell]) and others_part(cell) > 0]
        assert len(hidden) != 1, (shown, cells)
    for r in shown.index:
        for c in shown.columns:
            value = shown.at[r, c]
            assert sup.is_hidden(value) or value == 0 or value >= sup.MIN_PUPILS
