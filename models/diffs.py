"""Word-level differences between two texts, for history and comparisons."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Piece:
    kind: str  # "same", "removed" or "added"
    text: str


def word_diff(old: str, new: str) -> list[Piece]:
    """The pieces that turn `old` into `new`, word by word (whitespace kept)."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    pieces: list[Piece] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(Piece("same", "".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            pieces.append(Piece("removed", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            pieces.append(Piece("added", "".join(b[j1:j2])))
    return pieces


def changed(pieces: list[Piece]) -> bool:
    return any(p.kind != "same" for p in pieces)


def summary(pieces: list[Piece]) -> tuple[int, int]:
    """Words added and removed."""
    added = sum(len(p.text.split()) for p in pieces if p.kind == "added")
    removed = sum(len(p.text.split()) for p in pieces if p.kind == "removed")
    return added, removed
