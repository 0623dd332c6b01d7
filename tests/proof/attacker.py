"""A reader who writes down every figure their views show and solves for the hidden ones.

Each figure is a sum of parts (a school's count for one month and one level...): `Attacker.see` records
its parts and whether it was shown. `Attacker.recovers(parts)` says whether a figure is a linear combination
of the shown ones and of what the reader knows anyway (their own school's parts): the differences of two
views, a total minus its parts, a network minus a level minus one's own school, and every longer chain.

Exact arithmetic (Gaussian elimination modulo a large prime, as for integer matrices of 0 and 1), written
here independently of `models/core/suppression.py`, which decides with floating point.
"""

from __future__ import annotations

PRIME = 2_305_843_009_213_693_951  # 2**61 - 1


class Attacker:
    def __init__(self, known=()):
        self.known = set(known)  # parts the reader has anyway
        self.basis: dict[object, dict] = {}  # pivot part -> reduced row (part -> coefficient mod PRIME)
        self.hidden: list[tuple[str, dict]] = []  # (where it was seen, parts) of every hidden figure

    def _reduce(self, row: dict) -> dict:
        row = {p: c % PRIME for p, c in row.items() if p not in self.known and c % PRIME}
        changed = True
        while changed and row:
            changed = False
            for pivot in [p for p in row if p in self.basis]:
                if pivot not in row:
                    continue
                factor = row[pivot]
                for part, coefficient in self.basis[pivot].items():
                    value = (row.get(part, 0) - factor * coefficient) % PRIME
                    if value:
                        row[part] = value
                    else:
                        row.pop(part, None)
                changed = True
        return row

    def see(self, where: str, parts, shown: bool, sensitive: bool = True) -> None:
        """A figure of a view: `parts` (an iterable of parts, or {part: coefficient}) and whether it is shown.

        A hidden figure is `sensitive` unless what the reader does not know of it is 0: a "<5" that is all the
        reader's own school (zeros are shown: they describe no pupil).
        """
        row = dict(parts) if isinstance(parts, dict) else dict.fromkeys(parts, 1)
        if not shown:
            if sensitive:
                self.hidden.append((where, row))
            return
        row = self._reduce(row)
        if not row:
            return
        pivot = next(iter(row))
        inverse = pow(row[pivot], PRIME - 2, PRIME)
        row = {p: c * inverse % PRIME for p, c in row.items()}
        for other in self.basis.values():  # keep the basis reduced, so `_reduce` needs one pass per pivot
            if pivot in other:
                factor = other[pivot]
                for part, coefficient in row.items():
                    value = (other.get(part, 0) - factor * coefficient) % PRIME
                    if value:
                        other[part] = value
                    else:
                        other.pop(part, None)
        self.basis[pivot] = row

    def recovers(self, parts) -> bool:
        row = dict(parts) if isinstance(parts, dict) else dict.fromkeys(parts, 1)
        return not self._reduce(row)

    def recovered(self) -> list[str]:
        """The hidden figures (of parts the reader does not know) that the shown ones give back."""
        return [where for where, row in self.hidden
                if any(p not in self.known for p in row) and self.recovers(row)]
