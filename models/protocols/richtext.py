"""The text format of protocol sections: a small, safe subset of Markdown.

Allowed: paragraphs (a single line break inside one is kept as a line break),
**bold**, *italic*, bullet and numbered lists (nested by indentation), pipe
tables, and level-3 headings (``### Titolo``).
Anything else (raw HTML, images, links, code, quotes, other headings) is
refused with an Italian message naming the line, so that what an author
writes is exactly what the Word export and the preview can show.

The text is parsed once, with markdown-it-py, into a few plain blocks;
the HTML preview and the Word export both render those blocks.

The rich-text editor of the sections (a Lexical component) reads and writes Markdown too: `for_editor` gives it
the text in the one spelling its importer reads back faithfully (lists indented by 4 spaces, tables with
`| --- |`), and `from_editor` turns what it returns into the text to keep, with every block the author did not
touch in its original spelling, so an unchanged section stays byte for byte what it was.
"""

from __future__ import annotations

import difflib
import html
import re
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
    return [block for block, _ in _parse_spans(text)]


def _parse_spans(text: str) -> list[tuple[Block, tuple[int, int]]]:
    """The blocks, each with the lines of `text` it came from (start, end: a slice of text.split("\\n"))."""
    if len(text) > MAX_LENGTH:
        raise ApprodoError(f"Il testo è troppo lungo: al massimo {MAX_LENGTH:,} caratteri.".replace(",", "."))
    tokens = _parser.parse(text)
    blocks: list[tuple[Block, tuple[int, int]]] = []
    span = (0, 0)
    i = 0
    list_stack: list[tuple[bool, list[ListItem]]] = []
    table: dict | None = None
    block_line = 0
    while i < len(tokens):
        token = tokens[i]
        if token.map:
            block_line = _line(token)
            if token.level == 0:
                span = tuple(token.map)
        if token.type in _REFUSED:
            raise _refuse(_REFUSED[token.type], block_line)
        if token.type == "heading_open":
            if token.tag != "h3":
                raise ApprodoError(
                    f"Titolo di livello {token.tag[1]} alla riga {block_line}: nelle sezioni usa solo "
                    "titoli di livello 3 (### Titolo); il titolo della sezione c'è già."
                )
            blocks.append((Heading(_runs(tokens[i + 1], block_line)), span))
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
                blocks.append((ListBlock(ordered, tuple(items)), span))
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
            blocks.append((Table(tuple(table["header"]), tuple(table["rows"])), span))
            table = None
        elif token.type == "inline":
            blocks.append((Paragraph(_runs(token, block_line)), span))
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


# --- the rich-text editor's Markdown ------------------------------------------------

# What would read as markup, escaped; not "_" (inside a word it is text for both parsers, and the editor would
# show the backslash).
_ESCAPED = str.maketrans({c: "\\" + c for c in "\\*`<[]"})
_LINE_START = ("#", "-", "+", ">", "=")


def _runs_markdown(runs: Runs, table: bool = False, escape: bool = True) -> str:
    out = []
    for run in runs:
        text = run.text.translate(_ESCAPED) if escape else run.text
        if table:
            text = text.replace("|", "\\|").replace("\n", " ")
        marker = ("**" if run.bold else "") + ("*" if run.italic else "")
        core = text.strip(" ")
        if marker and core:  # an emphasis closes on a letter, never on a space
            lead, trail = text[:len(text) - len(text.lstrip(" "))], text[len(text.rstrip(" ")):]
            text = f"{lead}{marker}{core}{marker[::-1]}{trail}"
        out.append(text)
    line = "".join(out)
    if not table:  # a paragraph that would read as a list, a heading or a quote
        line = "\n".join("\\" + part if part.lstrip().startswith(_LINE_START) or _numbered(part) else part
                         for part in line.split("\n"))
    return line


def _numbered(line: str) -> bool:
    digits = line.lstrip()[:10]
    count = len(digits) - len(digits.lstrip("0123456789"))
    return 0 < count and digits[count:count + 1] in (".", ")")


def to_markdown(blocks: list[Block]) -> str:
    """The blocks in one plain spelling: `### ` headings, `-`/`1.` lists indented by 4 spaces per level,
    `| --- |` tables, a hard line break as a bare new line (how the editor reads it). A character that could
    read as markup (`* < [ ] \\ ``) is escaped only in a block that would read differently without the
    backslash: the editor shows a backslash as it is, so "3 * 4" and "<5" go plain."""
    out: list[str] = []
    previous: Block | None = None
    for block in blocks:
        plain = _block_markdown(block, previous, escape=False)
        out.append(plain if _reads_as(plain, block) else _block_markdown(block, previous, escape=True))
        previous = block
    return "\n\n".join(out) + "\n"


def _reads_as(markdown: str, block: Block) -> bool:
    try:
        return parse(markdown) == [block]
    except ApprodoError:  # e.g. "<http://…>" without its backslash: a link
        return False


def _block_markdown(block: Block, previous: Block | None, escape: bool) -> str:
    if isinstance(block, Heading):
        return "### " + _runs_markdown(block.runs, escape=escape)
    if isinstance(block, Paragraph):
        return _runs_markdown(block.runs, escape=escape)
    if isinstance(block, ListBlock):
        # Two lists in a row stay two lists: the second one changes its marker.
        other = isinstance(previous, ListBlock) and previous.ordered == block.ordered
        numbers: list[int] = []
        lines = []
        for item in block.items:
            numbers = numbers[:item.level + 1] + [0] * (item.level + 1 - len(numbers))
            numbers[item.level] += 1
            mark = f"{numbers[item.level]}{')' if other else '.'}" if block.ordered else ("*" if other else "-")
            text = _runs_markdown(item.runs, escape=escape).replace("\n", "\n" + " " * (4 * item.level + len(mark) + 1))
            lines.append(" " * (4 * item.level) + f"{mark} {text}")
        return "\n".join(lines)

    def row(cells: tuple[Runs, ...]) -> str:
        return "| " + " | ".join(_runs_markdown(cell, table=True, escape=escape) for cell in cells) + " |"
    lines = [row(block.header), "| " + " | ".join("---" for _ in block.header) + " |"]
    lines += [row(cells) for cells in block.rows]
    return "\n".join(lines)


def for_editor(text: str) -> str:
    """The section's text as the rich-text editor should load it; a text outside the subset goes as it is
    (the editor shows it, the save refuses it with the reason)."""
    try:
        return to_markdown(parse(text))
    except ApprodoError:
        return text


_LIST_LINE = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s")


def _blocks_apart(edited: str) -> str:
    """The editor's Markdown with its blocks apart: it writes one line per paragraph (Enter starts a new one, as
    in a word processor), marks a line followed by another with two spaces, and puts no empty line after a table
    or a list; read as it is, the next paragraph would join the table (a row) or the list (an item's text)."""
    out: list[str] = []
    previous = "blank"
    for line in edited.split("\n"):
        if not line.strip():
            kind = "blank"
        elif line.lstrip().startswith("|"):
            kind = "table"
        elif _LIST_LINE.match(line):
            kind = "list"
        elif line.startswith((" ", "\t")) and previous in ("list", "continued"):
            kind = "continued"
        else:
            kind = "text"
            line = line.strip(" ")
            if line.endswith("\\") and not line.endswith("\\\\"):
                line = line[:-1]
        in_list = ("list", "continued")
        together = (kind == previous == "table") or (kind in in_list and previous in in_list)
        if kind != "blank" and previous != "blank" and not together:
            out.append("")
        if kind != "blank" or previous != "blank":
            out.append(line)
        previous = kind
    return "\n".join(out).strip("\n") + "\n"


def from_editor(edited: str, original: str) -> str:
    """The text to keep for what the editor returned: the blocks also found, in the same order, in `original`
    keep their original spelling; the others are the editor's. Nothing is dropped: a text outside the subset
    comes back as it is, for the save to refuse with the reason."""
    edited = _blocks_apart(edited)
    try:
        new, old = _parse_spans(edited), _parse_spans(original)
    except ApprodoError:
        return edited
    if [b for b, _ in new] == [b for b, _ in old]:
        return original
    new_lines, old_lines = edited.split("\n"), original.split("\n")

    def source(lines: list[str], span: tuple[int, int]) -> str:
        return "\n".join(lines[span[0]:span[1]]).strip("\n")

    parts: list[str] = []
    matcher = difflib.SequenceMatcher(None, [b for b, _ in old], [b for b, _ in new], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            parts += [source(old_lines, span) for _, span in old[i1:i2]]
        else:
            parts += [source(new_lines, span) for _, span in new[j1:j2]]
    kept = "\n\n".join(parts) + "\n"
    # Original spellings next to the editor's could read differently (two lists joined): then the editor's own.
    return kept if parse(kept) == [b for b, _ in new] else edited


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
