"""ui/strings.py is written by several people at once: a name given twice silently changes another page's text."""

import ast

from tests.conftest import ROOT


def test_no_string_is_defined_twice():
    seen: dict[str, int] = {}
    twice = []
    for node in ast.parse((ROOT / "ui" / "strings.py").read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    if target.id in seen:
                        twice.append(f"{target.id} (righe {seen[target.id]} e {node.lineno})")
                    seen[target.id] = node.lineno
    assert seen and not twice, twice
