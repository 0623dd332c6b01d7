"""Differences as readers see them: the rendered text (paragraphs, headings, list items, table cells) with the
changed words marked, the Markdown source one click away.

The HTML is built here from escaped text only: what users wrote is never injected as markup. A change is
never carried by colour alone: removed words are struck through, added ones underlined, and each carries a
word for screen readers ("tolto:", "inserito:", hidden on screen).
"""

from __future__ import annotations

import html

from models.protocols import diffs, richtext
from ui import strings as S

CSS = """
<style>
.approdo-pdiff {border-collapse: collapse; width: 100%; table-layout: fixed; line-height: 1.5;}
.approdo-pdiff th {text-align: left; font-weight: 600; padding: .2em .5em; border-bottom: 1px solid #ccc;}
.approdo-pdiff td {vertical-align: top; padding: .35em .5em; border-bottom: 1px solid #eee;
                   overflow-wrap: anywhere;}
.approdo-pdiff.source td {white-space: pre-wrap;}
.approdo-pdiff td.same {color: #555; font-style: italic; text-align: center;}
.approdo-pdiff td.where {font-size: .9em; color: #333; border-bottom: none; padding-bottom: 0;}
.approdo-pdiff td.gone {background: #fdf0ef;}
.approdo-pdiff td.new {background: #edf9f1;}
.approdo-pdiff .heading {font-weight: 700; font-size: 1.05em;}
.approdo-pdiff table.cells {border-collapse: collapse; margin: .2em 0;}
.approdo-pdiff table.cells th, .approdo-pdiff table.cells td {border: 1px solid #bbb; padding: .15em .4em;
                                                              white-space: normal;}
.approdo-pdiff del {background: #fde2e1; color: #8a1c14; text-decoration: line-through;}
.approdo-pdiff ins {background: #c9efd6; color: #0f5a2a; text-decoration: underline;}
.approdo-sr {position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
             clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0;}
details.approdo-source {margin: .3em 0 .6em 0;}
details.approdo-source summary {cursor: pointer; text-decoration: underline;}
</style>
"""

_MARK = {"removed": ("del", S.DIFF_REMOVED_SR), "added": ("ins", S.DIFF_ADDED_SR)}


def _escaped(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def marked(text: str, kind: str) -> str:
    """Escaped text inside <del> or <ins>, with the word a screen reader says first; a changed line break
    shows as ↵."""
    tag, word = _MARK[kind]
    shown = _escaped(text) if text.strip() else ("↵<br>" if "\n" in text else html.escape(text))
    return f'<{tag}><span class="approdo-sr">{html.escape(word)} </span>{shown}</{tag}>'


def _styled(piece: diffs.Styled, text: str) -> str:
    if piece.italic:
        text = f"<em>{text}</em>"
    if piece.bold:
        text = f"<strong>{text}</strong>"
    return text


def _pieces(pieces: tuple[diffs.Styled, ...], keep: str) -> str:
    """One side of a change: the words shared and those of this side (`keep`: "removed" or "added") marked."""
    out = []
    for piece in pieces:
        if piece.kind == "same":
            out.append(_styled(piece, _escaped(piece.text)))
        elif piece.kind == keep:
            out.append(_styled(piece, marked(piece.text, keep)))
    return "".join(out)


def _table(table: richtext.Table) -> str:
    def cells(tag: str, row: tuple[richtext.Runs, ...]) -> str:
        return "<tr>" + "".join(f"<{tag}>{richtext.runs_html(cell)}</{tag}>" for cell in row) + "</tr>"

    body = "".join(cells("td", row) for row in table.rows)
    return f'<table class="cells"><thead>{cells("th", table.header)}</thead><tbody>{body}</tbody></table>'


def _side(change: diffs.BlockChange, keep: str) -> str:
    """What one column shows of a change: the old side (`keep` "removed") or the new one ("added")."""
    if change.kind == ("added" if keep == "removed" else "removed"):
        return ""
    if change.table is not None:
        tag, word = _MARK[keep]
        return f'<{tag}><span class="approdo-sr">{html.escape(word)} </span>{_table(change.table)}</{tag}>'
    text = _pieces(change.pieces, keep)
    if change.shape == "heading":
        return f'<span class="heading">{text}</span>'
    if change.shape == "item":
        marker = change.old_marker if keep == "removed" else change.new_marker
        return f'<div style="padding-left:{change.level * 1.5:g}em">{html.escape(marker)} {text}</div>'
    return text


def _where(change: diffs.BlockChange) -> str:
    """Where a table change is, in words: the row (by its first cell) and the column (by its header)."""
    if change.shape == "row":
        return (S.DIFF_WHERE_ROW_ADDED if change.kind == "added" else S.DIFF_WHERE_ROW_REMOVED).format(row=change.row)
    if change.row == diffs.HEADER_ROW:
        return S.DIFF_WHERE_HEADER.format(column=change.column)
    return S.DIFF_WHERE_CELL.format(row=change.row, column=change.column)


def _table_html(rows: list[str], before: str, after: str, css_class: str = "approdo-pdiff") -> str:
    head = f"<tr><th>{html.escape(before)}</th><th>{html.escape(after)}</th></tr>"
    return f'<table class="{css_class}">{head}{"".join(rows)}</table>'


def _folded(count: int) -> str:
    label = S.DIFF_SAME_ONE if count == 1 else S.DIFF_SAME.format(count=count)
    return f'<tr><td class="same" colspan="2">… {html.escape(label)} …</td></tr>'


def rendered_diff_html(old: str, new: str, before: str = S.DIFF_BEFORE, after: str = S.DIFF_AFTER) -> str:
    """The rendered texts side by side: each changed block beside its old self, unchanged runs folded."""
    rows: list[str] = []
    same = 0
    for change in diffs.rendered_diff(old, new):
        if change.kind == "same":
            same += 1
            continue
        if same:
            rows.append(_folded(same))
            same = 0
        if change.shape in ("cell", "row"):
            rows.append(f'<tr><td class="where" colspan="2">{html.escape(_where(change))}</td></tr>')
        rows.append(f'<tr><td class="gone">{_side(change, "removed")}</td>'
                    f'<td class="new">{_side(change, "added")}</td></tr>')
    if same:
        rows.append(_folded(same))
    return _table_html(rows, before, after)


def paragraph_diff_html(old: str, new: str, before: str = S.DIFF_BEFORE, after: str = S.DIFF_AFTER) -> str:
    """The Markdown sources side by side, paragraph by paragraph, changed words marked."""
    rows: list[str] = []
    same = 0
    for change in diffs.paragraph_diff(old, new):
        if change.kind == "same":
            same += 1
            continue
        if same:
            rows.append(_folded(same))
            same = 0
        if change.kind == "changed":
            pieces = tuple(diffs.Styled(p.kind, p.text) for p in change.words())
            rows.append(f'<tr><td class="gone">{_pieces(pieces, "removed")}</td>'
                        f'<td class="new">{_pieces(pieces, "added")}</td></tr>')
        elif change.kind == "removed":
            rows.append(f'<tr><td class="gone">{marked(change.old, "removed")}</td><td></td></tr>')
        else:
            rows.append(f'<tr><td></td><td class="new">{marked(change.new, "added")}</td></tr>')
    if same:
        rows.append(_folded(same))
    return _table_html(rows, before, after, "approdo-pdiff source")


def diff_html(old: str, new: str, before: str = S.DIFF_BEFORE, after: str = S.DIFF_AFTER, *,
              source: bool = True) -> str:
    """The rendered comparison and, one click away (a native disclosure, usable by keyboard), the source's."""
    shown = CSS + rendered_diff_html(old, new, before, after)
    if source:
        shown += (f'<details class="approdo-source"><summary>{html.escape(S.DIFF_SHOW_SOURCE)}</summary>'
                  f"{paragraph_diff_html(old, new, before, after)}</details>")
    return shown
