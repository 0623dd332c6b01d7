"""Every writer of the rows the levels read says so itself (`changes.pupil_data_changed`), and the levels follow
in any process: nothing depends on which modules a process happened to import."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from models.core.school_year import SchoolYear
from models.demo import synthetic
from models.risk import history, school_risk
from tests.conftest import ROOT

SCHOOL = "MIIS00003C"
# A write to the rows the levels are computed from (attendance_months and the like are kept by the importer).
WRITES = re.compile(r"\b(?:INSERT(?: OR \w+)? INTO|UPDATE|DELETE FROM) (?:attendance|derogations)\b(?!_)")


def writers_without_notice() -> list[str]:
    """The functions that write the rows (themselves, or through a store's function) without the notice.

    A store's function only runs the statement (issue 29): the function that calls it gives the notice."""
    found, store_writers = [], set()
    paths = sorted((ROOT / "models").rglob("*.py"), key=lambda p: (p.name != "store.py", p))  # the stores first
    for path in paths:
        if path == ROOT / "models" / "core" / "db.py":  # the migrations: no school's data change there
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef):
                continue
            texts = [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
            calls = {ast.unparse(n.func) for n in ast.walk(node) if isinstance(n, ast.Call)}
            if path.name == "store.py":
                if any(WRITES.search(t) for t in texts):
                    store_writers.add(f"store.{node.name}")
                continue
            writes = any(WRITES.search(t) for t in texts) or bool(calls & store_writers)
            if writes and "changes.pupil_data_changed" not in calls:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    return found


def test_every_function_that_writes_pupil_rows_says_so():
    # Nested functions count in their outer one too: a helper's write is its caller's transaction.
    assert writers_without_notice() == []


def test_the_check_would_see_the_demo_writing_attendance_silently(monkeypatch):
    demo = ROOT / "models" / "demo" / "demo.py"
    source = demo.read_text(encoding="utf-8")
    assert "changes.pupil_data_changed" in source
    silent = source.replace("changes.pupil_data_changed(", "print(")
    real_read = Path.read_text
    monkeypatch.setattr(Path, "read_text", lambda self, *a, **k: silent if self == demo else real_read(self, *a, **k))
    assert [w.split()[-1] for w in writers_without_notice() if w.startswith("models/demo/demo.py")] == [
        "_install_obligation"]


IMPORT_ONLY = """
import sys
from models.core import db as database
from models.core.permissions import Actor
from models.pupils import importing
db = database.connect(sys.argv[1])
importing.import_attendance(db, Actor.system("prova"), sys.argv[2], open(sys.argv[3], "rb").read(), "f.csv")
assert "models.risk.history" in sys.modules  # looked up by the notice, not imported by anyone beforehand
"""


def test_an_import_in_a_process_that_never_imported_the_levels_keeps_them(demo_db, db_path, tmp_path):
    cohort = synthetic.generate("secondaria_secondo_grado", 30, [SchoolYear(2025)], seed=5, last_month=2)
    data = tmp_path / "frequenze.csv"
    data.write_bytes(synthetic.attendance_csv(cohort))
    demo_db.conn.close()
    subprocess.run([sys.executable, "-c", IMPORT_ONLY, str(db_path), SCHOOL, str(data)], cwd=ROOT, check=True,
                   capture_output=True, timeout=120)
    from models.core import db as database

    db = database.connect(db_path)
    kept = db.execute("SELECT stamp FROM level_generations WHERE school_code = ?", [SCHOOL]).fetchone()
    assert kept is not None and kept[0] == school_risk.data_stamp(db, SCHOOL)  # computed by the importing process
    fallbacks = history.fallbacks
    levels = history.level_history(db, SCHOOL)
    assert history.fallbacks == fallbacks  # read, not computed here
    assert set(levels["pupil_code"]) == set(school_risk.load_attendance(db, SCHOOL)["pupil_code"])
