"""The text format of protocol sections: a small, safe subset of Markdown.

Allowed: paragraphs (a single line break inside one is kept as a line break),
**bold**, *italic*, bullet and numbered lists (nested by indentation), pipe
tables, and level-3 headings (``### Titolo``).
Anything else (raw HTML, images, links, code, quotes, other headings) is
refused with an Italian message naming the line, so that what an author
writes is exactly what the Word export and the preview can show.

The text is parsed once, with markdown-it-py, into a few plain blocks;
the HTML preview and the Word export both render those blocks.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from markdown_it import MarkdownIt
from markdown_it.token import Token

from models.core.errors import ApprodoError

MAX_LENGTH = 50_000

_parser = MarkdownIt("commonmark", {"html": False}).enable("table")


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False


Runs = tuple[Run, ...]


@dataclass(frozen=True)
class Heading:
    runs: Runs


@dataclass(frozen=True)
class Paragraph:
    runs: Runs


@dataclass(frozen=True)
class ListItem:
    level: int  # 0 for top-level items
    runs: Runs


@dataclass(frozen=True)
class ListBlock:
    ordered: bool
    items: tuple[ListItem, ...]


@dataclass(frozen=True)
class Table:
    header: tuple[Runs, ...]
    rows: tuple[tuple[Runs, ...], ...] = field(default_factory=tuple)


Block = Heading | Paragraph | ListBlock | Table

_REFUSED = {
    "fence": "blocchi di codice",
    "code_block": "blocchi di codice (righe rientrate di 4 spazi)",
    "blockquote_open": "citazioni (righe che iniziano con >)",
    "hr": "linee orizzontali",
    "html_block": "codice HTML",
    "html_inline": "codice HTML",
    "image": "immagini",
    "link_open": "collegamenti",
    "code_inline": "codice tra apici inversi",
}


def _line(token: Token, offset: int = 0) -> int:
    return (token.map[0] + 1 + offset) if token.map else 0


def _refuse(what: str, line: int) -> ApprodoError:
    where = f" (riga {line})" if line else ""
    return ApprodoError(
        f"Il testo contiene {what}{where}: non sono ammessi. Usa paragrafi, grassetto, corsivo, "
        "elenchi, tabelle e titoli di livello 3 (### Titolo)."
    )


def parse(text: str) -> list[Block]:
    """Parse section text into blocks; raise ApprodoError for anything outside the subset."""
    if len(text) > MAX_LENGTH:
        raise ApprodoError(f"Il testo è troppo lungo: al massimo {MAX_LENGTH:,} caratteri.".replace(",", "."))
    tokens = _parser.parse(text)
    blocks: list[Block] = []
    i = 0
    list_stack: list[tuple[bool, list[ListItem]]] = []
    table: dict | None = None
    block_line = 0
    while i < len(tokens):
        token = tokens[i]
        if token.map:
            block_line = _line(token)
        if token.type in _REFUSED:
            raise _refuse(_REFUSED[token.type], block_line)
        if token.type == "heading_open":
            if token.tag != "h3":
                raise ApprodoError(
                    f"Titolo di livello {token.tag[1]} alla riga {block_line}: nelle sezioni usa solo "
                    "titoli di livello 3 (### Titolo); il titolo della sezione c'è già."
                )
            blocks.append(Heading(_runs(tokens[i + 1], block_line)))
            i += 3
            continue
        if token.type in ("bullet_list_open", "ordered_list_open"):
            ordered = token.type == "ordered_list_open"
            if list_stack:
                list_stack.append((list_stack[0][0], list_stack[-1][1]))
            else:
                list_stack.append((ordered, []))
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            ordered, items = list_stack.pop()
            if not list_stack:
                blocks.append(ListBlock(ordered, tuple(items)))
        elif token.type == "inline" and list_stack:
            level = len(list_stack) - 1
            list_stack[-1][1].append(ListItem(level, _runs(token, block_line)))
        elif token.type == "table_open":
            table = {"header": [], "rows": [], "row": None}
        elif token.type == "tr_open":
            table["row"] = []
        elif token.type == "inline" and table is not None:
            table["row"].append(_runs(token, block_line))
        elif token.type == "tr_close":
            if not table["header"]:
                table["header"] = table["row"]
            else:
                table["rows"].append(tuple(table["row"]))
        elif token.type == "table_close":
            blocks.append(Table(tuple(table["header"]), tuple(table["rows"])))
            table = None
        elif token.type == "inline":
            blocks.append(Paragraph(_runs(token, block_line)))
        i += 1
    return blocks


def _runs(inline: Token, line: int) -> Runs:
    runs: list[Run] = []
    bold = italic = False
    for child in inline.children or []:
        if child.type in _REFUSED:
            raise _refuse(_REFUSED[child.type], line)
        if child.type == "strong_open":
            bold = True
        elif child.type == "strong_close":
            bold = False
        elif child.type == "em_open":
            italic = True
        elif child.type == "em_close":
            italic = False
        elif child.type == "text":
            runs.append(Run(child.content, bold, italic))
        elif child.type in ("softbreak", "hardbreak"):
            # A line break as the author typed it stays one (Markdown would join the lines): in the
            # preview, in Word (w:br) and in the PDF.
            runs.append(Run("\n", bold, italic))
    return tuple(_merge(runs))


def _merge(runs: list[Run]) -> list[Run]:
    """Join neighbouring runs with the same style (markdown-it splits text at '*')."""
    merged: list[Run] = []
    for run in runs:
        if merged and (merged[-1].bold, merged[-1].italic) == (run.bold, run.italic):
            merged[-1] = replace(merged[-1], text=merged[-1].text + run.text)
        elif run.text:
            merged.append(run)
    return merged


def validate(text: str) -> None:
    parse(text)


def map_text(blocks: list[Block], function: Callable[[str], str]) -> list[Block]:
    """The same blocks with every run's text passed through `function` (e.g. placeholders)."""

    def runs(rs: Runs) -> Runs:
        return tuple(replace(r, text=function(r.text)) for r in rs)

    out: list[Block] = []
    for block in blocks:
        if isinstance(block, Heading):
            out.append(Heading(runs(block.runs)))
        elif isinstance(block, Paragraph):
            out.append(Paragraph(runs(block.runs)))
        elif isinstance(block, ListBlock):
            out.append(ListBlock(block.ordered, tuple(ListItem(it.level, runs(it.runs)) for it in block.items)))
        else:
            out.append(Table(tuple(runs(c) for c in block.header),
                             tuple(tuple(runs(c) for c in row) for row in block.rows)))
    return out


def plain_text(runs: Runs) -> str:
    return "".join(run.text for run in runs)


# --- HTML preview ---------------------------------------------------------


def runs_html(runs: Runs) -> str:
    parts = []
    for run in runs:
        text = html.escape(run.text).replace("\n", "<br>")
        if run.italic:
            text = f"<em>{text}</em>"
        if run.bold:
            text = f"<strong>{text}</strong>"
        parts.append(text)
    return "".join(parts)


def to_html(blocks: list[Block]) -> str:
    """Escaped HTML of the blocks, for the preview beside the editor."""
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            out.append(f"<h3>{runs_html(block.runs)}</h3>")
        elif isinstance(block, Paragraph):
            out.append(f"<p>{runs_html(block.runs)}</p>")
        elif isinstance(block, ListBlock):
            tag = "ol" if block.ordered else "ul"
            items = "".join(
                f'<li style="margin-left:{item.level * 1.5}em">{runs_html(item.runs)}</li>' for item in block.items
            )
            out.append(f"<{tag}>{items}</{tag}>")
        else:
            head = "".join(f"<th>{runs_html(cell)}</th>" for cell in block.header)
            body = "".join(
                "<tr>" + "".join(f"<td>{runs_html(cell)}</td>" for cell in row) + "</tr>" for row in block.rows
            )
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    return "\n".join(out)
