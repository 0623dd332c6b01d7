"""Three-way merge of a network update into a school's section.

base = the core text the school's section started from, theirs = the core's
new text, mine = the school's text. Lines are the unit (a paragraph of the
section Markdown is one line, paragraphs are separated by blank lines), so
changes to different paragraphs merge by themselves and only a passage both
sides changed becomes a conflict for the dirigente to decide.

The merge itself is the `merge3` library (from the Breezy project); this
module only turns its groups into chunks and chosen passages back into text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

import merge3

from models.core.errors import ApprodoError


class Choice(StrEnum):
    CORE = "core"  # the network's passage
    MINE = "mine"  # the school's passage
    BOTH = "both"  # the network's passage, then the school's
    EDIT = "edit"  # a text the dirigente writes


CHOICE_LABELS = {
    Choice.CORE: "Testo della rete",
    Choice.MINE: "Testo della scuola",
    Choice.BOTH: "Entrambi (prima la rete)",
    Choice.EDIT: "Lo riscrivo io",
}


@dataclass(frozen=True)
class Chunk:
    """A run of lines of the result. `source` says where a settled chunk's text comes from;
    a conflict keeps the three versions of the passage."""

    source: str  # "same" (nobody changed it, or both alike), "core", "mine" or "conflict"
    lines: tuple[str, ...] = ()  # the settled text; empty for a conflict
    base: tuple[str, ...] = ()  # a conflict's passage as it was, as the network has it, as the school has it
    theirs: tuple[str, ...] = ()
    mine: tuple[str, ...] = ()

    @property
    def is_conflict(self) -> bool:
        return self.source == "conflict"

    def text(self, side: str) -> str:
        """One side of the chunk as text: "lines", "base", "theirs" or "mine"."""
        return "\n".join(getattr(self, side))


@dataclass(frozen=True)
class MergeResult:
    chunks: tuple[Chunk, ...]

    @property
    def conflicts(self) -> list[int]:
        """Indexes of the chunks that need a choice."""
        return [i for i, chunk in enumerate(self.chunks) if chunk.is_conflict]

    @property
    def clean(self) -> bool:
        return not self.conflicts


def _lines(text: str) -> list[str]:
    # split/join on "\n" gives the text back exactly, a final newline included.
    return (text or "").replace("\r\n", "\n").split("\n")


def merge_update(base: str, theirs: str, mine: str) -> MergeResult:
    """Merge the core's change (base → theirs) into the school's text (base → mine)."""
    merger = merge3.Merge3(_lines(base), _lines(theirs), _lines(mine))
    chunks: list[Chunk] = []
    for group in merger.merge_groups():
        kind = group[0]
        if kind == "conflict":
            _, b, t, m = group
            chunks.append(Chunk("conflict", base=tuple(b), theirs=tuple(t), mine=tuple(m)))
        else:
            source = {"unchanged": "same", "same": "same", "a": "core", "b": "mine"}[kind]
            chunks.append(Chunk(source, lines=tuple(group[1])))
    return MergeResult(tuple(chunks))


def resolve(result: MergeResult, choices: Mapping[int, Choice | str] | None = None,
            edits: Mapping[int, str] | None = None) -> str:
    """The merged text, with each conflict settled by `choices[index]` (and `edits[index]` for EDIT).

    A conflict without a choice is an error: nothing is decided on the dirigente's behalf.
    """
    choices, edits = choices or {}, edits or {}
    out: list[str] = []
    for index, chunk in enumerate(result.chunks):
        if not chunk.is_conflict:
            out.extend(chunk.lines)
            continue
        if index not in choices:
            raise ApprodoError("Scegli il testo per ogni passaggio in cui la rete e la scuola hanno cambiato "
                               "la stessa parte.")
        choice = Choice(choices[index])
        if choice is Choice.CORE:
            out.extend(chunk.theirs)
        elif choice is Choice.MINE:
            out.extend(chunk.mine)
        elif choice is Choice.BOTH:
            out.extend(_both(chunk.theirs, chunk.mine))
        else:
            out.extend(_lines(edits.get(index, "")))
    return "\n".join(out)


def _both(theirs: tuple[str, ...], mine: tuple[str, ...]) -> list[str]:
    """The two passages one after the other, as separate paragraphs."""
    if not theirs:
        return list(mine)
    if not mine:
        return list(theirs)
    joined = list(theirs)
    if theirs[-1].strip() and mine[0].strip():
        joined.append("")  # keep them two paragraphs, not one run-on line
    return joined + list(mine)
