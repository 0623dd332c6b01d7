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


# --- by paragraph: what readers compare -------------------------------------------------


@dataclass(frozen=True)
class ParagraphChange:
    """One paragraph of the comparison: unchanged, changed (its words compared), added or removed."""

    kind: str  # "same", "changed", "added" or "removed"
    old: str
    new: str

    def words(self) -> list[Piece]:
        return word_diff(self.old, self.new)


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a section text: blocks separated by blank lines, each stripped."""
    return [block.strip("\n") for block in re.split(r"\n[ \t]*\n", (text or "").replace("\r\n", "\n"))
            if block.strip()]


def paragraph_diff(old: str, new: str) -> list[ParagraphChange]:
    """The two texts paragraph by paragraph; a rewritten paragraph is paired with its old self.

    Within a replaced run, paragraphs are paired in order, so a paragraph with one word changed shows as
    that paragraph with the word highlighted rather than as a removal and an addition.
    """
    a, b = paragraphs(old), paragraphs(new)
    out: list[ParagraphChange] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.extend(ParagraphChange("same", p, p) for p in a[i1:i2])
            continue
        olds, news = a[i1:i2], b[j1:j2]
        paired = min(len(olds), len(news))
        out.extend(ParagraphChange("changed", o, n) for o, n in zip(olds[:paired], news[:paired], strict=True))
        out.extend(ParagraphChange("removed", o, "") for o in olds[paired:])
        out.extend(ParagraphChange("added", "", n) for n in news[paired:])
    return out
