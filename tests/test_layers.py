"""The layers of models/ import one way (core <- accounts <- protocols, pupils <- risk <- follow_up, obligation,
practices <- network, council, notify <- demo); models/ never imports streamlit, ui/ or pages/;
ui/ never imports pages/, app or cli; cli.py never imports streamlit, ui/ or pages/; pages/ never touch the
database themselves; no module of a package imports itself back through the others (not even inside a
function)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.source_scan import APP_FILES, file_id, matching_lines, nodes

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


UI = sorted((ROOT / "ui").glob("*.py"))


@pytest.mark.parametrize("path", UI, ids=lambda p: p.name)
def test_ui_sits_between_models_and_pages(path: Path):
    for line, module in imports_of(path):
        assert module.split(".")[0] not in {"pages", "app", "cli", "sqlite3"}, f"ui/{path.name}:{line} {module}"


def test_the_command_line_never_imports_the_web_interface():
    for line, module in imports_of(ROOT / "cli.py"):
        assert module.split(".")[0] not in {"streamlit", "ui", "pages", "app"}, f"cli.py:{line} {module}"


def package_cycles(paths: Iterable[Path]) -> list[list[str]]:
    """The import cycles among the modules of one package (imports inside functions count too)."""
    paths = list(paths)
    package = ".".join(paths[0].relative_to(ROOT).parent.parts)
    names = {".".join(p.relative_to(ROOT).with_suffix("").parts): p for p in paths if p.name != "__init__.py"}
    graph = {name: {m for _, m in imports_of(path) if m in names and m != name} for name, path in names.items()}
    cycles, state = [], {}  # state: 1 on the current path, 2 done

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for nxt in sorted(graph[name]):
            if state.get(nxt) == 1:
                cycles.append(trail[trail.index(nxt):] + [name, nxt] if nxt in trail else [name, nxt])
            elif nxt not in state:
                visit(nxt, [*trail, name])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [])
    return [[c.removeprefix(package + ".") for c in cycle] for cycle in cycles]


PACKAGES = sorted({p.parent for p in MODULES if p.parent != ROOT / "models"}) + [ROOT / "ui"]


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_import_cycles_inside_a_package(package: Path):
    assert package_cycles(sorted(package.glob("*.py"))) == []


def test_the_cycle_check_finds_a_cycle(tmp_path: Path, monkeypatch):
    """What the check above would say of records <-> search, as practices had it."""
    folder = ROOT / "models" / "practices"
    monkeypatch.setattr("tests.test_layers.imports_of", lambda path: {
        folder / "records.py": [(1, "models.practices.search")],
        folder / "search.py": [(1, "models.practices.records")],
        folder / "adoption.py": [(1, "models.practices.records")]}[path])
    assert package_cycles([folder / "adoption.py", folder / "records.py", folder / "search.py"]) == [
        ["records", "search", "records"]]


# --- the storage seam (issue 29) ---------------------------------------------------------------------------------
# Each product's SQL lives in its own store module (models/<product>/store.py), so that a second engine can stand
# behind it; the schema and the engine's own backup live in models/core/db.py and models/core/backups.py, and what
# the stores may ask of the engine in models/core/connection.py.
SQL_CALLS = {"execute", "executemany", "executescript", "query"}
SQL_TEXT = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|WITH|DROP|ALTER|PRAGMA|REPLACE|BEGIN|COMMIT|ROLLBACK"
                      r"|SAVEPOINT|RELEASE|VACUUM)\b|\b(FROM|WHERE|JOIN|ORDER BY|GROUP BY|VALUES|ON CONFLICT|LIMIT"
                      r"|IS NULL|INSERT INTO|DELETE FROM)\b")
ENGINE_MODULES = {"models/core/db.py", "models/core/backups.py", "models/core/connection.py"}


def sql_lines(source: str) -> list[int]:
    """The lines of `source` that run SQL (`.execute(`, `.query(`, ...) or hold SQL text (docstrings aside)."""
    docstrings = {id(body[0].value) for node in nodes(source)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and (body := node.body) and isinstance(body[0], ast.Expr)}

    def sql(node: ast.AST) -> bool:
        if isinstance(node, ast.Call):
            return isinstance(node.func, ast.Attribute) and node.func.attr in SQL_CALLS
        return (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
                and bool(SQL_TEXT.search(node.value)))

    return matching_lines(source, sql)


def is_store(path: Path) -> bool:
    name = file_id(path)
    return name in ENGINE_MODULES or (name.startswith("models/") and path.name == "store.py")


@pytest.mark.parametrize("path", [p for p in APP_FILES if not is_store(p)], ids=file_id)
def test_sql_lives_in_the_stores(path: Path):
    assert sql_lines(path.read_text(encoding="utf-8")) == [], f"{file_id(path)}: SQL outside the stores"


def test_the_sql_check_finds_sql():
    source = ('"""Reads pupils: SELECT them FROM the table."""\n'
              'def f(db):\n    """Where they are."""\n    return db.query("SELECT code FROM pupils")\n\n\n'
              'def g(db, code):\n    return list(db.execute(f"DELETE FROM pupils WHERE code = {code}"))\n\n\n'
              'WHERE = " WHERE school_code = :school"\nOK = "Dove sono gli alunni?"\n')
    assert sql_lines(source) == [4, 8, 11]


STORES = sorted((ROOT / "models").glob("*/store.py"))
NOT_SHARED = re.compile(r"(?<![:\w])\?|\bINSERT OR\b|\bREPLACE INTO\b")  # positional marks, SQLite's upserts
SQLITE_ONLY = re.compile(r"\b(PRAGMA|MATCH|bm25|rowid|sqlite_master|group_concat)\b|\bchar\(")


def _strings(node: ast.AST) -> list[tuple[int, str]]:
    """The string constants under `node`, docstrings aside."""
    docstrings = {id(n.body[0].value) for n in ast.walk(node)
                  if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef)) and n.body
                  and isinstance(n.body[0], ast.Expr)}
    return [(n.lineno, n.value) for n in ast.walk(node)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]


@pytest.mark.parametrize("path", STORES, ids=file_id)
def test_stores_write_the_sql_both_engines_share(path: Path):
    """Named parameters, ON CONFLICT and RETURNING (never `?`, INSERT OR REPLACE, lastrowid); what only SQLite
    has stays in a function whose docstring says what PostgreSQL will use."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    for line, text in _strings(tree):
        if SQL_TEXT.search(text):
            assert not NOT_SHARED.search(text), f"{file_id(path)}:{line} {text[:60]!r}"
    assert not [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "lastrowid"], \
        f"{file_id(path)}: RETURNING gives the new id on both engines"
    for function in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
        docstring = ast.get_docstring(function) or ""
        if any(SQLITE_ONLY.search(text) for _, text in _strings(function)):
            assert "PostgreSQL" in docstring, f"{file_id(path)}: {function.name} uses SQLite-only SQL"


@pytest.mark.parametrize("path", STORES, ids=file_id)
def test_stores_reach_the_engine_only_through_the_connection(path: Path):
    """Stores take a `models.core.connection.Connection` and use its functions: no sqlite3, no sqlite_utils, no
    `.conn`, so that a PostgreSQL connection can stand in its place."""
    engines = [f"{line}: {module}" for line, module in imports_of(path)
               if module.split(".")[0] in {"sqlite3", "sqlite_utils", "psycopg"}]
    assert not engines, f"{file_id(path)} imports an engine: {engines}"
    reached = [n.lineno for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
               if isinstance(n, ast.Attribute) and n.attr == "conn"]
    assert not reached, f"{file_id(path)}:{reached} reaches past the connection (.conn)"
