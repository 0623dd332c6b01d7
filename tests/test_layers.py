"""The layers of models/ import one way (core <- accounts <- protocols, pupils <- risk <- follow_up, obligation,
practices <- network, council, notify <- demo); models/ never imports streamlit, ui/ or pages/;
pages/ never touch the database themselves."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

LAYERS = [{"core"}, {"accounts"}, {"protocols", "pupils"}, {"risk"}, {"follow_up", "obligation", "practices"},
          {"network", "council", "notify"}, {"demo"}]
RANK = {package: rank for rank, packages in enumerate(LAYERS) for package in packages}


def imports_of(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return found


MODULES = sorted((ROOT / "models").rglob("*.py"))


def test_every_models_module_lives_in_a_layer():
    loose = [p.relative_to(ROOT) for p in MODULES if len(p.relative_to(ROOT / "models").parts) == 1
             and p.name != "__init__.py"]
    assert not loose, f"modules outside the packages of models/: {loose}"
    assert {p.relative_to(ROOT / "models").parts[0] for p in MODULES if p.parent != ROOT / "models"} <= set(RANK)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_layers_import_one_way(path: Path):
    parts = path.relative_to(ROOT / "models").parts
    if len(parts) == 1:
        return
    own = RANK[parts[0]]
    for line, module in imports_of(path):
        top = module.split(".")[0]
        assert top not in {"streamlit", "ui", "pages", "app", "cli"}, f"{path.name}:{line} imports {module}"
        if top == "models" and module.count(".") >= 1:
            package = module.split(".")[1]
            if package in RANK and package != parts[0]:
                assert RANK[package] < own, f"{'/'.join(parts)}:{line} imports {module}, a layer above or beside it"


@pytest.mark.parametrize("path", sorted((ROOT / "pages").glob("*.py")) + [ROOT / "app.py"],
                         ids=lambda p: p.name)
def test_pages_never_touch_the_database_or_files(path: Path):
    for line, module in imports_of(path):
        assert module.split(".")[0] not in {"sqlite3", "sqlite_utils", "pandas.io"}, f"{path.name}:{line} {module}"
