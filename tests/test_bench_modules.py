"""`make bench` is not run by the suite (it takes minutes): these checks catch what would break it cheaply."""

import ast
import dataclasses
import importlib
from pathlib import Path

import pytest

from bench import __main__ as bench_main
from bench.harness import Result

BENCH = Path(__file__).resolve().parent.parent / "bench"
FIELDS = {field.name for field in dataclasses.fields(Result)}


@pytest.mark.parametrize("path", sorted(BENCH.glob("bench_*.py")), ids=lambda p: p.stem)
def test_every_benchmark_is_run_and_builds_results_with_known_fields(path):
    module = importlib.import_module(f"bench.{path.stem}")
    assert module in bench_main.MODULES
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Result":
            unknown = {k.arg for k in node.keywords} - FIELDS
            assert not unknown, f"{path.name}:{node.lineno}: Result has no {unknown}"
