"""Small-cell suppression for figures about pupils, held across every view a reader can reach.

The rule (DESIGN.md, "Small-cell suppression holds across views"):

1. *One place per reader.* Every figure a reader can reach in a network (any filter of level or school, the
   month table, the schools table, the trend, the downloads, the report, the regional view, the model
   document) is a sum of the same parts: one school's count for one month and one column. `across` receives
   all the parts and every group of schools the reader can reach (`figures.reach`), and decides once which
   cells are shown; each view only picks its rows from that answer. A view can therefore never show a figure
   that another view of the same reader hides.
2. *Schools the reader may not see are never alone.* A reader who sees no row of a school (the dirigente for
   the other schools, the region for every school) must not get that school's figures by difference either:
   a group is not offered (all "n.d.") when, with the groups offered before it (largest first), one such
   school's figures could be worked out — e.g. a network whose only other school with data is one school,
   or a level with a single other school.
3. *Primary cells*: a figure whose part unknown to the reader counts 1–4 pupils is "<5" (the reader's own
   school is known to them and protects nothing).
4. *Complementary cells*: while any hidden cell equals a linear combination of the shown cells and what the
   reader knows (a total minus its shown parts, a network minus a level minus the own school...), one more
   cell of that combination is hidden ("n.d."), the smallest first and parts before totals. The test is
   exact linear algebra over the parts, so no difference of two reachable figures — nor any sum of them —
   gives a hidden one back.

Zeros are shown: they describe no pupil. Rates are shown only when their numerator and denominator are; an
average or a percentage built on fewer than 5 cases reads "n.d. (meno di 5 casi)", never "<5", which next to a
percentage would read as "less than 5 %".
What is not covered: bounds that follow from counts being non-negative (a hidden pair adding up to 6 is
known to be at most 6), and different readers pooling what they see.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable

import numpy as np
import pandas as pd

MIN_PUPILS = 5
SMALL = "<5"
FEW = "n.d. (meno di 5 casi)"  # an average or a percentage built on fewer than 5 cases
HIDDEN = "n.d."
TOTAL = "Totale"
SUPPRESSION_NOTE = ("I conteggi di meno di 5 alunni sono indicati come «<5»; le medie e le percentuali costruite su "
                    "meno di 5 casi come «n.d. (meno di 5 casi)»; «n.d.» nasconde una cifra che permetterebbe di "
                    "ricavarne una nascosta per differenza con le altre viste (un totale, un grado, la rete) o di "
                    "isolare una singola scuola.")
_EPSILON = 1e-9
_LEVERAGE = 1e-9  # a row whose leverage is this close to 1 is the only one carrying a direction


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


def line_points(series: dict[str, dict[str, object]]) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """A line chart's points from {series: {key: value}} (keys in the chart's order, e.g. months).

    Returns the shown points as a long table (series, key, order, rate, segment) and {series: [hidden keys]}.
    A hidden value ("<5", "n.d.") or a missing one (None, NaN) is no point, and `segment` counts them before
    each point of its series: a chart drawing one line per (series, segment) breaks the line there instead of
    joining the neighbours across it, which would draw a trend nobody measured.
    """
    rows, hidden = [], {}
    for name, values in series.items():
        segment = 0
        for order, (key, value) in enumerate(values.items()):
            if value is None or is_hidden(value) or value != value:
                segment += 1
                if is_hidden(value):
                    hidden.setdefault(name, []).append(key)
                continue
            rows.append({"series": name, "key": key, "order": order, "rate": float(value), "segment": segment})
    return pd.DataFrame(rows, columns=["series", "key", "order", "rate", "segment"]), hidden


Group = frozenset  # a set of school codes whose figures are summed


def across(parts: pd.DataFrame, groups: Iterable[Iterable[str]], *, known: Iterable[str] = (),
           unseen: Iterable[str] = (), total_column: bool = False, spare: Iterable[str] = ()
           ) -> dict[Group, dict[str, object]]:
    """Every figure a reader can reach, suppressed together (the rule in this module's docstring).

    `parts`: rows = schools, columns = parts (non-negative counts: levels, or independent measures).
    `groups`: every set of schools whose sums the reader can reach, through any view.
    `known`: schools whose figures the reader has anyway (their own); `unseen`: schools whose row the
    reader may not see, never to be isolated. `total_column` adds each group's total over the parts.
    `spare`: the columns to give up first as complementary cells (those no share is computed from).
    Returns {group: {column: int, "<5" or "n.d."}} for every group given.
    """
    values = parts.fillna(0).astype(int)
    array = values.to_numpy(dtype=np.int64).reshape(len(values), -1)
    key = (tuple(values.index), tuple(values.columns), array.tobytes(), tuple(Group(g) for g in groups),
           frozenset(known), frozenset(unseen), total_column, frozenset(spare))
    with _LOCK:
        found = _MEMO.get(key)
        if found is not None:
            _MEMO.move_to_end(key)
    if found is None:
        found = _across(array, key[0], key[1], key[3], key[4], key[5], total_column, key[7])
        with _LOCK:
            _MEMO[key] = found
            while len(_MEMO) > _MEMO_SIZE:
                _MEMO.popitem(last=False)
    return {group: dict(row) for group, row in found.items()}  # the caller's own copy


# `across` is a pure function of its arguments and the dashboard, its files and the regional view ask it the same
# questions many times (each view of each reader of the same data): the answers are kept, keyed by every argument.
_MEMO: OrderedDict[tuple, dict[Group, dict[str, object]]] = OrderedDict()
_MEMO_SIZE = 4096
_LOCK = threading.Lock()


def _across(array: np.ndarray, index: tuple, parts: tuple, groups: tuple[Group, ...], known: frozenset,
            unseen: frozenset, total_column: bool, spare: frozenset) -> dict[Group, dict[str, object]]:
    width = len(parts)
    columns = [*parts, *([TOTAL] if total_column else [])]
    order = sorted(dict.fromkeys(groups), key=len, reverse=True)  # largest first
    secret = [s for n, s in enumerate(index) if s in unseen and s not in known and array[n].any()]
    offered = set(_offered(order, secret))
    unknown = np.array([s not in known for s in index], dtype=bool)
    position = {column: n for n, column in enumerate(parts)}
    masks = {group: np.array([s in group for s in index], dtype=bool).reshape(len(index)) for group in order}
    sums = {group: array[masks[group]].sum(axis=0) for group in order}  # every school of the group, by part
    secret_sums = {group: array[masks[group] & unknown].sum(axis=0) for group in order}  # the unknown ones

    def vector(group: Group, column: str) -> np.ndarray:
        """The cell as a sum of the parts the reader does not know (rows: unknown schools, by part)."""
        out = np.zeros((len(index), width))
        rows = masks[group] & unknown
        if column == TOTAL:
            out[rows] = 1
        else:
            out[rows, position[column]] = 1
        return out[unknown].ravel()

    def total(by_part: np.ndarray, column: str) -> int:
        return int(by_part.sum() if column == TOTAL else by_part[position[column]])

    cells = [(g, c) for g in order if g in offered for c in columns]
    vectors = {cell: vector(*cell) for cell in cells}
    secret_part = {cell: total(secret_sums[cell[0]], cell[1]) for cell in cells}
    hidden = {cell: SMALL for cell in cells if 0 < secret_part[cell] < MIN_PUPILS}
    unknown_part = {cell for cell in cells if vectors[cell].any()}  # a cell all of the reader's own gives nothing
    size = int(unknown.sum()) * width

    def matrix_of(chosen: list) -> np.ndarray:
        return np.array([vectors[cell] for cell in chosen]).reshape(len(chosen), size)

    def exposed_by(hidden: dict) -> list:
        """The hidden cells that the shown ones (and what the reader knows) give back."""
        basis = _row_basis(matrix_of([cell for cell in cells if cell not in hidden and cell in unknown_part]))
        candidates = [cell for cell in hidden if cell in unknown_part]
        return [cell for cell, given in zip(candidates, _spanned(matrix_of(candidates), basis), strict=True) if given]

    def exposed_without(shown: list, matrix: np.ndarray, hidden: dict, partners: list) -> list[int]:
        """For each partner (a shown cell), how many hidden cells `exposed_by` finds once it is hidden too.

        From one SVD of the shown cells (S = U Σ Vᵀ, rank k) rather than one per partner: taking row i out of S
        keeps its row space when the row's leverage ‖U_k[i]‖² is below 1, and otherwise takes from it exactly
        the direction w = S⁺ eᵢ = V_k Σ_k⁻¹ U_k[i] (the other rows are orthogonal to it). A hidden cell h is
        given back by the rest iff it is in the row space of S and, in the second case, orthogonal to w: its
        residual against the smaller space is √(‖h − P h‖² + (h·ŵ)²), the test `_spanned` makes."""
        if len(shown) < 2 or not size:
            return [len(exposed_by({**hidden, cell: HIDDEN})) for cell in partners]
        u, singular, vt = np.linalg.svd(matrix, full_matrices=False)
        rank = int((singular > _EPSILON * max(matrix.shape) * max(singular[0], 1.0)).sum())
        if rank == 0:
            return [len(exposed_by({**hidden, cell: HIDDEN})) for cell in partners]
        u, singular, basis = u[:, :rank], singular[:rank], vt[:rank]
        candidates = matrix_of([cell for cell in hidden if cell in unknown_part])
        residual = candidates - (candidates @ basis.T) @ basis
        outside = (residual ** 2).sum(axis=1)  # squared distance of each hidden cell from the row space
        row = {cell: n for n, cell in enumerate(shown)}
        counts = []
        for cell in partners:
            left = u[row[cell]]
            if 1.0 - float(left @ left) > _LEVERAGE:  # the others span the same space: the partner is given back
                counts.append(int((np.sqrt(outside) < 1e-6).sum()) + 1)
                continue
            direction = basis.T @ (left / singular)
            direction /= np.linalg.norm(direction)
            along = candidates @ direction
            counts.append(int((np.sqrt(outside + along ** 2) < 1e-6).sum()))  # the partner itself: not given back
        return counts

    def preference(cell) -> tuple:
        # Zeros last (hiding them protects nothing); a spare column first; a second part before a total (a
        # school before a level or the network, a level before the row's total); then the smallest figure.
        return (secret_part[cell] == 0, cell[1] not in spare, len(cell[0]), cell[1] == TOTAL, secret_part[cell])

    exposed = exposed_by(hidden) if hidden else []
    while exposed:
        shown = [cell for cell in cells if cell not in hidden and cell in unknown_part]
        matrix = matrix_of(shown)
        weights = np.linalg.lstsq(matrix.T, vectors[exposed[0]], rcond=None)[0]
        used = sorted((cell for cell, w in zip(shown, weights, strict=True) if abs(w) > 1e-6), key=preference)
        # Of the cells that make up the combination, the one that leaves the fewest hidden cells exposed.
        outcomes = [(count, n, cell) for n, (cell, count) in enumerate(zip(
            used[:12], exposed_without(shown, matrix, hidden, used[:12]), strict=True))]
        _, _, partner = min(outcomes)
        hidden[partner] = HIDDEN
        exposed = exposed_by(hidden)
    result = {}
    for group in order:
        row = {}
        for column in columns:
            if group not in offered:
                row[column] = HIDDEN
            elif (group, column) in hidden:
                row[column] = hidden[(group, column)]
            else:
                value = total(sums[group], column)
                row[column] = SMALL if 0 < value < MIN_PUPILS else value  # small and all the reader's own
        result[group] = row
    return result


def _offered(groups: list[Group], secret: list[str]) -> list[Group]:
    """The groups offered, largest first, while no school of `secret` can be worked out alone from them."""
    offered, rows = [], []
    for group in groups:
        candidate = [*rows, [float(s in group) for s in secret]]
        basis = _row_basis(np.array(candidate).reshape(len(candidate), len(secret)))
        if not _spanned(np.eye(len(secret)), basis).any():
            offered.append(group)
            rows = candidate
    return offered


def _row_basis(matrix: np.ndarray) -> np.ndarray:
    """An orthonormal basis of the rows' span."""
    if matrix.size == 0:
        return np.zeros((0, matrix.shape[1] if matrix.ndim == 2 else 0))
    _, singular, vt = np.linalg.svd(matrix, full_matrices=False)
    rank = int((singular > _EPSILON * max(matrix.shape) * max(singular[0], 1.0)).sum())
    return vt[:rank]


def _spanned(rows: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """For each row, whether it is a linear combination of the basis (it can be worked out from what is shown)."""
    residual = rows - (rows @ basis.T) @ basis if len(basis) else rows
    return np.linalg.norm(residual, axis=1) < 1e-6
