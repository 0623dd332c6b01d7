"""Differences shown paragraph by paragraph, changed words highlighted inside each paragraph.

The HTML is built here from escaped text only: what users wrote is never
injected as markup.
"""

from __future__ import annotations

import html

from models.protocols import diffs
from ui import strings as S

CSS = """
<style>
.approdo-pdiff {border-collapse: collapse; width: 100%; table-layout: fixed; line-height: 1.5;}
.approdo-pdiff th {text-align: left; font-weight: 600; padding: .2em .5em; border-bottom: 1px solid #ccc;}
.approdo-pdiff td {vertical-align: top; padding: .35em .5em; border-bottom: 1px solid #eee;
                   white-space: pre-wrap; overflow-wrap: anywhere;}
.approdo-pdiff td.same {color: #666; font-style: italic; text-align: center;}
.approdo-pdiff td.gone {background: #fdf0ef;}
.approdo-pdiff td.new {background: #edf9f1;}
.approdo-pdiff del {background: #fde2e1; color: #8a1c14; text-decoration: line-through;}
.approdo-pdiff ins {background: #c9efd6; color: #0f5a2a; text-decoration: underline;}
</style>
"""


def _words(pieces: list[diffs.Piece], keep: str) -> str:
    """One side of a changed paragraph: its words, the changed ones marked (`keep` is "removed" or "added")."""
    tag = "del" if keep == "removed" else "ins"
    out = []
    for piece in pieces:
        if piece.kind == "same":
            out.append(html.escape(piece.text))
        elif piece.kind == keep:
            out.append(f"<{tag}>{html.escape(piece.text)}</{tag}>")
    return "".join(out)


def paragraph_diff_html(old: str, new: str, before: str = S.DIFF_BEFORE, after: str = S.DIFF_AFTER) -> str:
    """A two-column table: each changed paragraph beside its old self, unchanged runs folded into one line."""
    rows: list[str] = []
    same = 0

    def fold() -> None:
        nonlocal same
        if same:
            label = S.DIFF_SAME_ONE if same == 1 else S.DIFF_SAME.format(count=same)
            rows.append(f'<tr><td class="same" colspan="2">… {html.escape(label)} …</td></tr>')
            same = 0

    for change in diffs.paragraph_diff(old, new):
        if change.kind == "same":
            same += 1
            continue
        fold()
        if change.kind == "changed":
            pieces = change.words()
            rows.append(f'<tr><td class="gone">{_words(pieces, "removed")}</td>'
                        f'<td class="new">{_words(pieces, "added")}</td></tr>')
        elif change.kind == "removed":
            rows.append(f'<tr><td class="gone"><del>{html.escape(change.old)}</del></td><td></td></tr>')
        else:
            rows.append(f'<tr><td></td><td class="new"><ins>{html.escape(change.new)}</ins></td></tr>')
    fold()
    head = f"<tr><th>{html.escape(before)}</th><th>{html.escape(after)}</th></tr>"
    return CSS + f'<table class="approdo-pdiff">{head}{"".join(rows)}</table>'

