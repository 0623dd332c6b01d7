"""pyproject.toml is the one list of dependencies: every package the code imports is declared there (the app's in
the runtime list, the tests' and benchmarks' in either), every one declared is used, and the lock files pin what it
declares."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions

from tests.conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
APP = [ROOT / "app.py", ROOT / "cli.py", ROOT / "server.py",
       *(p for folder in ("models", "ui", "pages") for p in sorted((ROOT / folder).rglob("*.py")))]
DEVELOPMENT = [p for folder in ("tests", "bench", "guidelines") for p in sorted((ROOT / folder).rglob("*.py"))]
# Our own top-level names: the packages of the repository and the scripts that import one another.
OWN = {"models", "ui", "pages", "tests", "bench", "app", "cli", "server",
       *(p.stem for p in (ROOT / "guidelines").rglob("*.py"))}
# Declared without being imported, each for a reason.
NOT_IMPORTED = {
    "pytest-xdist": "a pytest plugin: make test runs `pytest -n 2`",
    "ruff": "a command: make lint and make test run `ruff check`",
    "uv": "a command: make lock",
}


def name(requirement: str) -> str:
    """The normalised distribution name of a requirement such as 'docxtpl[subdoc]==0.20.2' (PEP 503)."""
    return re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9_.-]+", requirement)[0]).lower()


RUNTIME = {name(r) for r in PYPROJECT["dependencies"]}
DEV = {name(r) for r in PYPROJECT["optional-dependencies"]["dev"]}


def imported_modules(paths) -> dict[str, str]:
    """Top-level module -> the first file importing it, for every absolute import of those files."""
    found: dict[str, str] = {}
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            else:
                continue
            for module in names:
                found.setdefault(module.split(".")[0], str(path.relative_to(ROOT)))
    return {m: f for m, f in found.items() if m not in sys.stdlib_module_names and m not in OWN}


def distributions(modules: dict[str, str]) -> dict[str, str]:
    """Distribution -> a file that imports it; a module that no installed distribution provides is an error."""
    provided = packages_distributions()
    out: dict[str, str] = {}
    unknown = []
    for module, where in modules.items():
        if module not in provided:
            unknown.append(f"{module} ({where})")
        for dist in provided.get(module, []):
            out.setdefault(name(dist), where)
    assert not unknown, f"imported but installed by no package: {unknown}"
    return out


def test_the_app_imports_only_runtime_dependencies():
    used = distributions(imported_modules(APP))
    missing = {dist: where for dist, where in used.items() if dist not in RUNTIME}
    assert not missing, f"imported by the app but not in pyproject.toml's dependencies: {missing}"


def test_tests_and_benchmarks_import_only_declared_dependencies():
    used = distributions(imported_modules(DEVELOPMENT))
    missing = {dist: where for dist, where in used.items() if dist not in RUNTIME | DEV}
    assert not missing, f"imported by tests or benchmarks but not declared in pyproject.toml: {missing}"


def test_every_declared_dependency_is_used():
    used = set(distributions(imported_modules(APP))) | set(distributions(imported_modules(DEVELOPMENT)))
    unused = (RUNTIME | DEV) - used - set(NOT_IMPORTED)
    assert not unused, f"declared in pyproject.toml but never imported: {sorted(unused)}"
    assert not set(NOT_IMPORTED) & used, "imported after all: drop it from NOT_IMPORTED"


def test_the_dev_list_holds_no_runtime_package():
    assert not RUNTIME & DEV, f"declared twice: {sorted(RUNTIME & DEV)}"


def pins(path) -> dict[str, str]:
    return {name(m[1]): m[2] for m in re.finditer(r"^([A-Za-z0-9_.-]+)==(\S+)", path.read_text(), re.MULTILINE)}


def test_the_lock_files_pin_what_pyproject_declares():
    """requirements.txt and requirements-dev.txt are `make lock`'s output, not lists to edit by hand."""
    runtime, dev = pins(ROOT / "requirements.txt"), pins(ROOT / "requirements-dev.txt")
    for requirement in PYPROJECT["dependencies"]:
        version = requirement.split("==")[1].split(";")[0].strip()
        assert runtime.get(name(requirement)) == version, f"requirements.txt: run `make lock` ({requirement})"
        assert dev.get(name(requirement)) == version, f"requirements-dev.txt: run `make lock` ({requirement})"
    for requirement in PYPROJECT["optional-dependencies"]["dev"]:
        version = requirement.split("==")[1].split(";")[0].strip()
        assert dev.get(name(requirement)) == version, f"requirements-dev.txt: run `make lock` ({requirement})"
        assert name(requirement) not in runtime, f"requirements.txt holds the dev package {requirement}"
    assert runtime.items() <= dev.items(), "the runtime lock and the dev lock disagree: run `make lock`"
    for lock in ("requirements.txt", "requirements-dev.txt"):
        assert (ROOT / lock).read_text().startswith("# This file was autogenerated by uv"), lock
