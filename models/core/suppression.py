"""Small-cell suppression for figures about pupils that leave the school.

A count of fewer than 5 pupils is shown as "<5" (primary suppression); an
average or a percentage built on fewer than 5 cases as "n.d. (meno di 5 casi)",
never "<5", which next to a percentage would read as "less than 5 %". Where
a table also shows totals, one hidden cell in a row or column could be worked
out as the total minus the cells shown; a second cell of that line is then
hidden too, as "n.d." (secondary suppression), until no line has exactly one
hidden cell. Zeros are shown: they describe no pupil.
"""

from __future__ import annotations

import pandas as pd

MIN_PUPILS = 5
SMALL = "<5"
FEW = "n.d. (meno di 5 casi)"  # an average or a percentage built on fewer than 5 cases
HIDDEN = "n.d."
TOTAL = "Totale"
SUPPRESSION_NOTE = ("I conteggi di meno di 5 alunni sono indicati come «<5»; le medie e le percentuali costruite su "
                    "meno di 5 casi come «n.d. (meno di 5 casi)»; «n.d.» nasconde una cifra che permetterebbe di "
                    "ricavarne una «<5» per differenza dal totale.")


def is_hidden(value) -> bool:
    return isinstance(value, str)


def text(value, suffix: str = "", digits: int = 1) -> str:
    """A figure as the page and the Word report print it: "18,5 %", "<5", "n.d." or "—" (no data)."""
    if value is None or value != value:  # None or NaN: no figure at all
        return "—"
    if is_hidden(value):
        return value
    number = f"{value:.{digits}f}" if isinstance(value, float) else str(value)
    return number.replace(".", ",") + suffix


def count(value: int):
    """One count on its own (no totals around it)."""
    return SMALL if 0 < value < MIN_PUPILS else int(value)


def rate(numerator, denominator, digits: int = 1):
    """A percentage, hidden when it is built from fewer than 5 pupils («n.d. (meno di 5 casi)») or would reveal
    a hidden count («n.d.»)."""
    if is_hidden(numerator) or is_hidden(denominator):
        return FEW if SMALL in (numerator, denominator) else HIDDEN
    if not denominator:
        return None  # no pupil at all: there is nothing to show, not a small figure
    if denominator < MIN_PUPILS or 0 < numerator < MIN_PUPILS:
        return FEW
    return round(100 * numerator / denominator, digits)


def table(counts: pd.DataFrame, *, total_column: bool = True, total_row: bool = True, known_rows=(),
          rest: pd.DataFrame | None = None) -> pd.DataFrame:
    """Counts (rows × columns, non-negative integers) with their totals, suppressed.

    `total_column` adds each row's total (the columns are parts of a whole, e.g. levels);
    `total_row` adds each column's total (the rows are parts of a whole, e.g. schools).
    `known_rows` are rows the reader already knows (their own school): they cannot hide anything.
    `rest` (same shape as `counts`) is the part of each figure that is not the reader's own: where
    it is small the figure is hidden too, since figure minus own would reveal it.
    The result holds ints where a figure may be shown and "<5" / "n.d." where not.
    """
    values = _with_totals(counts, total_column, total_row)
    hidden = (values > 0) & (values < MIN_PUPILS)
    secondary = pd.DataFrame(False, index=values.index, columns=values.columns)
    if rest is not None:
        others = _with_totals(rest.reindex(index=counts.index, columns=counts.columns, fill_value=0),
                              total_column, total_row)
        secondary |= (others > 0) & (others < MIN_PUPILS) & ~hidden
    known = values.index.isin(list(known_rows))
    known_sums = values[known].sum(axis=0)

    def unknown_part(r, c) -> int:
        """What the reader cannot work out from their own rows: a hidden cell protects only that part."""
        if r in known_rows:
            return 0
        return int(values.at[r, c] - (known_sums[c] if r == TOTAL else 0))

    def protects(r, c) -> bool:
        return bool(hidden.at[r, c] or secondary.at[r, c]) and unknown_part(r, c) > 0

    lines = []  # each line is a set of cells that add up to a total shown with them
    if total_column:
        lines += [[(r, c) for c in values.columns] for r in values.index[~known]]
    if total_row:
        lines += [[(r, c) for r in values.index] for c in values.columns]
    changed = True
    while changed:
        changed = False
        for cells in lines:
            if sum(protects(r, c) for r, c in cells) != 1:
                continue
            candidates = [(values.at[r, c], (r, c)) for r, c in cells
                          if not (hidden.at[r, c] or secondary.at[r, c]) and unknown_part(r, c) > 0]
            if not candidates:
                continue
            # Hide the smallest inner cell; the line's total only when nothing else is left.
            inner = [cand for cand in candidates if TOTAL not in cand[1]]
            _, (r, c) = min(inner or candidates, key=lambda cand: cand[0])
            secondary.at[r, c] = True
            changed = True
    shown = values.astype(object)
    shown[hidden] = SMALL
    shown[secondary & ~hidden] = HIDDEN
    return shown


def _with_totals(counts: pd.DataFrame, total_column: bool, total_row: bool) -> pd.DataFrame:
    values = counts.astype(int).copy()
    if total_column:
        values[TOTAL] = values.sum(axis=1)
    if total_row:
        values.loc[TOTAL] = values.sum(axis=0)
    return values
