"""Word-level differences between two texts, for history and comparisons: of the rendered text (what readers
see) and of the Markdown source."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace

from models.core.errors import ApprodoError
from models.protocols import richtext

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


# --- the rendered text: what readers compare, block by block -------------------------------------------
# Every diff a reader sees compares the text as it is shown (paragraphs, headings, list items, table cells),
# not its Markdown source: a word made bold, an item added to a list, a table cell rewritten read as such.

_WORDS = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class Styled:
    """A piece of rendered text, as it was and as it is: "same", "removed" or "added", with its style."""

    kind: str
    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class BlockChange:
    """One block of the rendered comparison.

    shape: "heading", "paragraph", "item" (of a list), "cell" (of a table: `row` and `column` name it),
    "row" (a table row added or removed, `row` names it: `table` holds it under its header) or "table" (a whole
    table added or removed: `table` holds it). kind: "same", "changed", "added", "removed".
    `pieces` hold the words of both sides ("same" ones shared); markers are the list item's "•" or "2." on
    each side.
    """

    kind: str
    shape: str
    pieces: tuple[Styled, ...] = ()
    level: int = 0
    old_marker: str = ""
    new_marker: str = ""
    row: str = ""
    column: str = ""
    table: richtext.Table | None = None


HEADER_ROW = ""  # the `row` of a change in a table's header


@dataclass(frozen=True)
class _Unit:
    shape: str
    runs: richtext.Runs = ()
    level: int = 0
    ordered: bool = False
    marker: str = ""
    table: richtext.Table | None = None

    @property
    def key(self) -> tuple:
        """What must be equal for the unit to be unchanged (not an item's number: adding an item renumbers)."""
        return self.shape, self.runs, self.level, self.ordered, self.table


def _blocks(text: str) -> list[richtext.Block]:
    try:
        return richtext.parse(text or "")
    except ApprodoError:  # a text outside today's subset (an old version): its paragraphs as plain text
        return [richtext.Paragraph((richtext.Run(p),)) for p in paragraphs(text)]


def _units(text: str) -> list[_Unit]:
    units: list[_Unit] = []
    for block in _blocks(text):
        if isinstance(block, richtext.Heading):
            units.append(_Unit("heading", block.runs))
        elif isinstance(block, richtext.Paragraph):
            units.append(_Unit("paragraph", block.runs))
        elif isinstance(block, richtext.Table):
            units.append(_Unit("table", table=block))
        else:
            counters: list[int] = []
            for item in block.items:
                del counters[item.level + 1:]
                counters += [0] * (item.level + 1 - len(counters))
                counters[item.level] += 1
                marker = f"{counters[item.level]}." if block.ordered else "•"
                units.append(_Unit("item", item.runs, item.level, block.ordered, marker))
    return units


def _pairs(a: list, b: list, key, alike, pair_unlike: bool) -> list[tuple[int | None, int | None]]:
    """Indices of `a` and `b` matched in order: equal keys pair; within a replaced run, what is `alike` pairs
    (and, if `pair_unlike`, the rest pairs in order too); the others stand alone (removed or added)."""
    out: list[tuple[int | None, int | None]] = []
    outer = difflib.SequenceMatcher(a=[key(x) for x in a], b=[key(y) for y in b], autojunk=False)
    for op, i1, i2, j1, j2 in outer.get_opcodes():
        if op == "equal":
            out.extend(zip(range(i1, i2), range(j1, j2), strict=True))
            continue
        inner = difflib.SequenceMatcher(a=[alike(x) for x in a[i1:i2]], b=[alike(y) for y in b[j1:j2]],
                                        autojunk=False)
        for sub, k1, k2, l1, l2 in inner.get_opcodes():
            olds, news = list(range(i1 + k1, i1 + k2)), list(range(j1 + l1, j1 + l2))
            paired = min(len(olds), len(news)) if sub == "equal" or (sub == "replace" and pair_unlike) else 0
            out.extend(zip(olds[:paired], news[:paired], strict=True))
            out.extend((i, None) for i in olds[paired:])
            out.extend((None, j) for j in news[paired:])
    return out


def _tokens(runs: richtext.Runs) -> list[tuple[str, bool, bool]]:
    return [(word, run.bold, run.italic) for run in runs for word in _WORDS.findall(run.text)]


def runs_diff(old: richtext.Runs, new: richtext.Runs) -> tuple[Styled, ...]:
    """The pieces that turn one rendered text into the other, word by word; a word whose style changed
    (made bold) is a change. Spaces alone between two changes join them, so a rewritten phrase reads as
    one removal and one insertion, not as alternating words."""
    a, b = _tokens(old), _tokens(new)
    ops = [list(op) for op in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()]
    for n in range(1, len(ops) - 1):
        op, i1, i2, _, _ = ops[n]
        if op == "equal" and all(not t[0].strip() for t in a[i1:i2]) and ops[n - 1][0] != "equal" \
                and ops[n + 1][0] != "equal":
            ops[n][0] = "replace"
    pieces: list[Styled] = []

    def add(kind: str, tokens: list[tuple[str, bool, bool]]) -> None:
        for text, bold, italic in tokens:
            if pieces and (pieces[-1].kind, pieces[-1].bold, pieces[-1].italic) == (kind, bold, italic):
                pieces[-1] = replace(pieces[-1], text=pieces[-1].text + text)
            else:
                pieces.append(Styled(kind, text, bold, italic))

    # Neighbouring changed runs read as one change: their removals first, then their insertions.
    n = 0
    while n < len(ops):
        if ops[n][0] == "equal":
            add("same", a[ops[n][1]:ops[n][2]])
            n += 1
            continue
        start = n
        while n < len(ops) and ops[n][0] != "equal":
            n += 1
        add("removed", [t for op in ops[start:n] for t in a[op[1]:op[2]]])
        add("added", [t for op in ops[start:n] for t in b[op[3]:op[4]]])
    return tuple(pieces)


def _text(runs: richtext.Runs) -> str:
    return " ".join(richtext.plain_text(runs).split())


def _cell(row: tuple[richtext.Runs, ...] | None, index: int | None) -> richtext.Runs:
    if row is None or index is None or index >= len(row):
        return ()
    return row[index]


def _table_changes(old: richtext.Table, new: richtext.Table) -> list[BlockChange]:
    """A changed table as the cells that changed, each named by its row (its first cell) and its column."""
    columns = _pairs(list(old.header), list(new.header), _text, lambda _: 0, pair_unlike=True)
    rows = _pairs(list(old.rows), list(new.rows), lambda r: r, lambda r: _text(r[0]) if r else "",
                  pair_unlike=True)
    names = []
    for number, (i, j) in enumerate(columns, start=1):
        name = _text(new.header[j]) if j is not None else _text(old.header[i])
        names.append(name or f"{number}")
    out = [_cell_change(old.header[i] if i is not None else (), new.header[j] if j is not None else (),
                        HEADER_ROW, names[n]) for n, (i, j) in enumerate(columns)]
    for number, (ri, rj) in enumerate(rows, start=1):
        old_row = old.rows[ri] if ri is not None else None
        new_row = new.rows[rj] if rj is not None else None
        name = _text(_cell(new_row, 0) or _cell(old_row, 0)) or f"{number}"
        if old_row is None or new_row is None:  # a whole row added or removed: shown as a row, under its header
            side = new if old_row is None else old
            out.append(BlockChange("added" if old_row is None else "removed", "row", row=name,
                                   table=richtext.Table(side.header, (new_row or old_row,))))
            continue
        out.extend(_cell_change(_cell(old_row, i), _cell(new_row, j), name, names[n])
                   for n, (i, j) in enumerate(columns))
    return [change for change in out if change is not None]


def _cell_change(old: richtext.Runs, new: richtext.Runs, row: str, column: str) -> BlockChange | None:
    if old == new:
        return None
    kind = "added" if not _text(old) else "removed" if not _text(new) else "changed"
    return BlockChange(kind, "cell", runs_diff(old, new), row=row, column=column)


def _change(kind: str, old: _Unit | None, new: _Unit | None) -> list[BlockChange]:
    unit = new or old
    if unit.shape == "table":
        if old is not None and new is not None:
            return [BlockChange("same", "table")] if old.table == new.table else _table_changes(old.table, new.table)
        return [BlockChange(kind, "table", table=unit.table)]
    pieces = runs_diff(old.runs if old else (), new.runs if new else ())
    return [BlockChange(kind, unit.shape, pieces, unit.level, old.marker if old else "", new.marker if new else "")]


def rendered_diff(old: str, new: str) -> list[BlockChange]:
    """The two texts as readers see them, block by block: unchanged blocks, and the changed ones with their
    words marked. A rewritten block is paired with its old self (a paragraph with a paragraph, an item with
    an item); a changed table gives the cells that changed."""
    a, b = _units(old), _units(new)
    out: list[BlockChange] = []
    for i, j in _pairs(a, b, lambda u: u.key, lambda u: u.shape, pair_unlike=False):
        first, second = (a[i] if i is not None else None), (b[j] if j is not None else None)
        if first is not None and second is not None:
            kind = "same" if first.key == second.key else "changed"
            out.extend(_change(kind, first, second))
        else:
            out.extend(_change("removed" if second is None else "added", first, second))
    return out


def _word_count(text: str) -> int:
    return len(re.findall(r"\w+", text))


def counted(changes: list[BlockChange]) -> tuple[int, int]:
    """Words added and removed in a rendered comparison."""
    added = removed = 0
    for change in changes:
        if change.table is not None:  # a whole table counts its header too; a row shown under it, not
            rows = change.table.rows if change.shape == "row" else (change.table.header, *change.table.rows)
            words = sum(_word_count(_text(cell)) for row in rows for cell in row)
            added += words if change.kind == "added" else 0
            removed += words if change.kind == "removed" else 0
        added += sum(_word_count(p.text) for p in change.pieces if p.kind == "added")
        removed += sum(_word_count(p.text) for p in change.pieces if p.kind == "removed")
    return added, removed
