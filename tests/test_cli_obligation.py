"""`cli.py obligation`: the compulsory-education cases open at a date, as CSV or JSON, each run logged."""

import json
import sqlite3

from tests import test_cli
from tests.test_cli import assert_italian_failure

# The command line's fixtures (a demo database per test, the in-process runner), shared with tests/test_cli.py.
demo, run = test_cli.demo, test_cli.run

COLUMNS = "codice_alunno;classe;giorni_ingiustificati;dal;al;stato"


def demo_cases(tmp_path) -> dict[str, tuple[str, str]]:
    """The demo's cases by status: (pupil, class), read from the database the CLI used."""
    db = sqlite3.connect(tmp_path / "cli.db")
    return dict(db.execute("SELECT pupil_code, class_name FROM obligation_cases ORDER BY opened_on").fetchall())


def test_obligation_lists_the_cases_open_today_with_the_documented_columns(demo, run, tmp_path):
    result = run("obligation", "--school", "MIIS00003C")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.lstrip("\ufeff").splitlines()
    assert lines[0] == COLUMNS
    rows = [line.split(";") for line in lines[1:]]
    known = demo_cases(tmp_path)
    assert [(r[0], r[1]) for r in rows] == list(known.items())
    assert all(int(r[2]) >= 16 for r in rows)
    assert sorted(r[5] for r in rows) == ["famiglia_da_informare", "ripresa", "sindaco_da_informare"]
    # The window: three calendar months ending on the day the case opened (dd/mm/yyyy in the CSV).
    assert rows[0][3] == "12/09/2025" and rows[0][4] == "03/11/2025"  # from the first lesson day


def test_obligation_as_of_an_earlier_day_in_json_shows_the_steps_as_they_were(demo, run, tmp_path):
    result = run("obligation", "--school", "MIIS00003C", "--as-of", "2026-01-10", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [set(d) for d in data] == [set(COLUMNS.split(";"))] * 2  # the February case was not open yet
    # The family of the second case was informed on 12 January: on the 10th that step was still to do.
    assert [d["stato"] for d in data] == ["ripresa", "famiglia_da_informare"]
    assert data[0]["dal"] == "2025-09-12" and data[0]["al"] == "2025-11-03"  # from the first lesson day
    db = sqlite3.connect(tmp_path / "cli.db")
    logged = db.execute("SELECT actor, detail FROM access_log WHERE what = 'obbligo scolastico'"
                        " ORDER BY id DESC LIMIT 1").fetchone()
    assert logged[0].startswith("cli:") and logged[1] == "cli: 2 casi"


def test_obligation_refuses_bad_input_in_italian(demo, run):
    assert_italian_failure(run("obligation", "--school", "MIIS00003C", "--as-of", "ieri"), "--as-of")
    assert_italian_failure(run("obligation", "--school", "MIIS00003C", "--format", "xlsx"), "csv o json")
    assert_italian_failure(run("obligation", "--school", "nope"), "codice meccanografico")
