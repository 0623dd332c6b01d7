"""`make bench` is not run by the tests; this keeps its modules and its child-process script importable."""

import importlib
import pkgutil

import bench
from bench.harness import ingest_in_child
from models.core import db as database
from models.demo import demo


def test_every_bench_module_imports():
    for module in pkgutil.iter_modules(bench.__path__):
        importlib.import_module(f"bench.{module.name}")


def test_the_ingest_child_imports_a_small_register_file(tmp_path):
    db = database.connect(tmp_path / "bench.db")
    demo.install_demo(db, with_protocols=False, with_pupils=False)
    db.conn.close()
    register = tmp_path / "frequenze.csv"
    register.write_text("Cod. alunno;Classe;Mese;Monte ore;Ore di assenza\n"
                        "A1;1A;02/2026;100;10\nA2;1A;02/2026;100;5,5\n")
    seconds, peak_mb, kind, rows = ingest_in_child(tmp_path / "bench.db", register)
    assert (kind, rows) == ("attendance", 2) and seconds > 0 and peak_mb > 0
