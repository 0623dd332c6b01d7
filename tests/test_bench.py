"""`make bench` is not run by the tests; this keeps its modules and its child processes working."""

import importlib
import pkgutil

import bench
from bench import bench_pupils
from bench.harness import in_child


def test_every_bench_module_imports():
    for module in pkgutil.iter_modules(bench.__path__):
        importlib.import_module(f"bench.{module.name}")


def test_a_side_in_a_child_imports_a_small_register_file(tmp_path):
    db_path = bench_pupils.empty_database(tmp_path / "bench.db")
    register = tmp_path / "frequenze.csv"
    register.write_text("Cod. alunno;Classe;Mese;Monte ore;Ore di assenza\n"
                        "A1;1A;02/2026;100;10\nA2;1A;02/2026;100;5,5\n")
    measured = in_child("bench.bench_pupils:ingest_ours", db_path, register)
    assert measured.answer == (2, 2, 15.5) and measured.seconds > 0 and measured.peak_mb > 0
