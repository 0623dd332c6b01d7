"""What the tests that read the app's source share: its Python files, and the lines where a syntax node matches."""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable
from pathlib import Path

from tests.conftest import ROOT

APP_FILES = sorted([ROOT / "app.py", ROOT / "cli.py", ROOT / "server.py",
                    *(path for folder in ("models", "ui", "pages") for path in (ROOT / folder).rglob("*.py"))])


def matching_lines(source: str, match: Callable[[ast.AST], bool]) -> list[int]:
    """The lines of the nodes of `source` for which `match` is true, in order, once each."""
    return sorted({node.lineno for node in nodes(source) if match(node)})


@functools.lru_cache(maxsize=512)
def nodes(source: str) -> tuple[ast.AST, ...]:
    """Every node of a file, parsed once however many checks read it."""
    return tuple(ast.walk(ast.parse(source)))


def named(node: ast.AST, names: set[str]) -> bool:
    """`node` is a bare name among `names`, or a call of one (`plain(...)`)."""
    if isinstance(node, ast.Call):
        node = node.func
    return isinstance(node, ast.Name) and node.id in names


def file_id(path: Path) -> str:
    return str(path.relative_to(ROOT))
