"""The levels by month: computed when the data arrive, equal to a full recompute, never computed by a reader;
a change of thresholds recomputed as a job that switches a network at once."""

from __future__ import annotations

import time

import pytest

from models.accounts.schools import network_schools
from models.core import db as database
from models.core.school_year import SchoolYear
from models.demo import synthetic
from models.network import figures as network_figures
from models.network import programme
from models.network import report as network_report
from models.pupils import importing as pupil_data
from models.risk import history, indicators, pupil_sheet, rules, school_risk
from tests.conftest import copy_prepared

NETWORK, SCHOOL = "RETEDEMO", "MIIS00003C"


def reference(db, school_code: str, thresholds: indicators.Rules | None = None) -> list[tuple]:
    """The straightforward way: score the whole school as of each month with data, keep who has data that month."""
    setup = school_risk.scoring_setup(db, school_code)
    attendance = school_risk.load_attendance(db, school_code)
    context = school_risk.load_context(db, school_code)
    rows = []
    for period in sorted(attendance["period"].unique()):
        scored = indicators.score(attendance, context, level=setup.level, annual_hours=setup.annual_hours,
                                  as_of=period, rules=thresholds or setup.rules)
        rows += [(period, r.pupil_code, r.class_name, r.level, r.absence_ratio)
                 for r in scored.itertuples() if not r.stale]
    return sorted(rows)


def stored(db, school_code: str) -> list[tuple]:
    frame = history.level_history(db, school_code)
    return sorted(zip(frame["period"], frame["pupil_code"], frame["class_name"], frame["level"],
                      frame["absence_ratio"], strict=True))


@pytest.fixture
def scorings(monkeypatch):
    """Every call of indicators.score, by the month it scored as of."""
    calls: list[str | None] = []
    real = indicators.score_rows  # every scoring path ends here (the frame path and the packed read)

    def spy(*args, **kwargs):
        calls.append(kwargs.get("as_of"))
        return real(*args, **kwargs)

    monkeypatch.setattr(indicators, "score_rows", spy)
    return calls


def month_file(cohort, period: str, absent_share: float) -> bytes:
    """The register's file for one month only, with every pupil absent `absent_share` of the scheduled time."""
    lines = synthetic.attendance_csv(cohort).decode("utf-8").splitlines()
    month = f"{period[5:]}/{period[:4]}"
    out = [lines[0]]
    for line in lines[1:]:
        cells = line.split(";")
        if cells[2] == month:
            scheduled = float(cells[3].replace(",", "."))
            cells[4] = f"{scheduled * absent_share:.1f}".replace(".", ",")
            out.append(";".join(cells))
    return ("\n".join(out) + "\n").encode("utf-8")


def test_the_demo_levels_are_there_after_install_and_equal_a_full_recompute(db_path, scorings):
    # What `cli.py init-db --demo` installed (the demo is built once per test process and copied: tests/conftest.py).
    db = database.connect(copy_prepared("init-db --demo", db_path))
    fallbacks = history.fallbacks
    scorings.clear()
    assert len(codes_with_data(db)) >= 2
    for code in codes_with_data(db):
        assert stored(db, code), code
        assert stored(db, code) == reference(db, code)
    assert history.fallbacks == fallbacks  # the reads above found everything computed at import


def test_a_second_import_of_one_month_recomputes_only_that_month_and_those_after_it(pupils_db, system, scorings):
    cohort = synthetic.generate("secondaria_secondo_grado", 150, [SchoolYear(2024), SchoolYear(2025)], seed=3,
                                last_month=2)
    before = stored(pupils_db, SCHOOL)
    scorings.clear()
    pupil_data.import_attendance(pupils_db, system, SCHOOL, month_file(cohort, "2025-12", 0.4), "dicembre.csv")
    # December and the later months of its school year; not the autumn, not the year before.
    assert sorted(scorings) == ["2025-12", "2026-01", "2026-02"]
    after = stored(pupils_db, SCHOOL)
    assert after == reference(pupils_db, SCHOOL)
    assert after != before
    assert [r for r in after if r[0] < "2025-12"] == [r for r in before if r[0] < "2025-12"]

    def high(rows):
        return sum(r[3] == "alto" for r in rows if r[0] == "2025-12")

    assert high(after) > high(before)  # 40 % absent in December


def test_deleting_the_context_import_recomputes_at_once(pupils_db, system, actors):
    # Delete the context import: the levels lose their context factors, at once.
    context_import = pupils_db.execute("SELECT id FROM imports WHERE kind = 'context'").fetchone()[0]
    pupil_data.delete_import(pupils_db, actors["dirigente"], SCHOOL, context_import)
    fallbacks = history.fallbacks
    assert stored(pupils_db, SCHOOL) == reference(pupils_db, SCHOOL)
    assert history.fallbacks == fallbacks


def test_views_of_the_dashboard_and_the_report_never_score(pupils_db, system, actors, scorings):
    cohort = synthetic.generate("secondaria_primo_grado", 60, [SchoolYear(2025)], seed=5, last_month=2, prefix="MM")
    pupil_data.import_attendance(pupils_db, system, "MIMM00002B", synthetic.attendance_csv(cohort), "f.csv")
    fallbacks = history.fallbacks
    scorings.clear()
    for role in ("coordinatore_rete", "dirigente", "funzione_strumentale"):
        for _ in range(2):  # a view, and the same view again
            where = network_figures.scope(pupils_db, actors[role], NETWORK)
            network_figures.network_months(pupils_db, where, SchoolYear(2025))
            network_figures.trend(pupils_db, where, SchoolYear(2025))
            network_figures.follow_up(pupils_db, where, SchoolYear(2025))
            programme.evaluate(pupils_db, where)
            network_report.build(pupils_db, actors[role], NETWORK, SchoolYear(2025))
    assert scorings == [] and history.fallbacks == fallbacks


def test_a_request_reads_each_school_once(pupils_db, actors, monkeypatch):
    reads = []
    real = history.level_columns  # what the figures read
    monkeypatch.setattr(history, "level_columns", lambda db, code: reads.append(code) or real(db, code))
    network_report.build(pupils_db, actors["coordinatore_rete"], NETWORK, SchoolYear(2025))
    assert sorted(reads) == sorted(s.code for s in network_figures.scope(
        pupils_db, actors["coordinatore_rete"], NETWORK).schools)


def test_the_pupil_record_shows_the_levels_the_list_gave(pupils_db, actors, scorings):
    dirigente = actors["dirigente"]
    code = pupils_db.execute("SELECT pupil_code FROM attendance WHERE school_code = ? LIMIT 1", [SCHOOL]).fetchone()[0]
    scorings.clear()
    record = pupil_sheet.pupil_record(pupils_db, dirigente, SCHOOL, code)
    assert len(scorings) == 1  # the latest indicators; the months come from the history
    expected = [(p, lvl) for p, c, _, lvl, _ in reference(pupils_db, SCHOOL) if c == code]
    assert list(zip(record.levels["period"], record.levels["level"], strict=True)) == expected
    assert list(record.levels["period"]) == list(record.months["period"])


# --- a change of thresholds -------------------------------------------------------------------------


def codes_with_data(db) -> list[str]:
    return [r[0] for r in db.execute("SELECT DISTINCT school_code FROM attendance_months ORDER BY 1")]


def test_a_change_of_thresholds_switches_the_whole_network_at_once(pupils_db, actors, scorings):
    coordinator = actors["coordinatore_rete"]
    old = {code: stored(pupils_db, code) for code in codes_with_data(pupils_db)}
    new_rules = rules.set_network_rules(pupils_db, coordinator, NETWORK, chronic=0.05, severe=0.12)
    job = history.latest_job(pupils_db, NETWORK)
    assert job.status == "in_attesa" and job.total == len(network_schools(pupils_db, NETWORK))
    # Until the job has run, readers see the old levels, whole; nobody computes them on a read.
    scorings.clear()
    assert {code: stored(pupils_db, code) for code in old} == old
    assert scorings == []

    seen = []
    done = history.run_job(pupils_db, job.id, progress=lambda n, total: seen.append((n, total)))
    assert done.status == "completato" and seen[-1] == (job.total, job.total)
    for code in old:
        assert stored(pupils_db, code) == reference(pupils_db, code, new_rules)
    assert stored(pupils_db, SCHOOL) != old[SCHOOL]  # 5 % chronic flags more pupils
    # Only the live generation is kept.
    assert pupils_db.execute("SELECT DISTINCT generation FROM level_history").fetchall() == [(job.id,)]
    # Idempotent: running it again does nothing.
    scorings.clear()
    assert history.run_job(pupils_db, job.id).status == "completato" and scorings == []


def test_an_orphaned_job_is_resumed_without_redoing_its_schools(pupils_db, actors, scorings):
    new_rules = rules.set_network_rules(pupils_db, actors["coordinatore_rete"], NETWORK, chronic=0.06)
    job = history.latest_job(pupils_db, NETWORK)
    # A runner wrote the first school and stopped (a server restart): its heartbeat is old.
    first = codes_with_data(pupils_db)[0]
    pupils_db.execute("UPDATE level_jobs SET status = 'in_corso', heartbeat_at = '2000-01-01T00:00:00.000000Z'"
                      " WHERE id = ?", [job.id])
    history._write(pupils_db, first, job.id, history._compute(pupils_db, first, new_rules))
    pupils_db.execute("INSERT INTO level_job_schools VALUES (?, ?, ?)",
                      [job.id, first, school_risk.data_stamp(pupils_db, first)])
    months_of_others = pupils_db.execute("SELECT COUNT(*) FROM attendance_months WHERE school_code != ?",
                                         [first]).fetchone()[0]
    scorings.clear()
    assert history.run_job(pupils_db, job.id).status == "completato"
    assert len(scorings) == months_of_others  # one scoring per month of the others; the first not again
    assert stored(pupils_db, first) == reference(pupils_db, first, new_rules)


def test_a_live_runner_is_left_alone(pupils_db, actors, scorings):
    rules.set_network_rules(pupils_db, actors["coordinatore_rete"], NETWORK, chronic=0.06)
    job = history.latest_job(pupils_db, NETWORK)
    pupils_db.execute("UPDATE level_jobs SET status = 'in_corso', heartbeat_at = ? WHERE id = ?",
                      [history._now(), job.id])
    scorings.clear()
    assert history.run_job(pupils_db, job.id).status == "in_corso" and scorings == []


def test_a_later_change_supersedes_a_waiting_job(pupils_db, actors):
    coordinator = actors["coordinatore_rete"]
    rules.set_network_rules(pupils_db, coordinator, NETWORK, chronic=0.06)
    first = history.latest_job(pupils_db, NETWORK)
    second_rules = rules.set_network_rules(pupils_db, coordinator, NETWORK, chronic=0.15)
    second = history.latest_job(pupils_db, NETWORK)
    assert history.run_job(pupils_db, first.id).status == "sostituito"
    assert history.run_job(pupils_db, second.id).status == "completato"
    assert stored(pupils_db, SCHOOL) == reference(pupils_db, SCHOOL, second_rules)


def test_data_arriving_during_the_job_are_in_the_switched_levels(pupils_db, system, actors, monkeypatch):
    new_rules = rules.set_network_rules(pupils_db, actors["coordinatore_rete"], NETWORK, chronic=0.05)
    job = history.latest_job(pupils_db, NETWORK)
    cohort = synthetic.generate("secondaria_secondo_grado", 150, [SchoolYear(2024), SchoolYear(2025)], seed=3,
                                last_month=2)
    real = history._compute
    imported = []

    def compute_then_import(db, code, thresholds, months=None):
        frame = real(db, code, thresholds, months)
        if code == SCHOOL and not imported:  # an import lands after the job read this school
            imported.append(code)
            pupil_data.import_attendance(db, system, SCHOOL, month_file(cohort, "2026-01", 0.3), "gennaio.csv")
        return frame

    monkeypatch.setattr(history, "_compute", compute_then_import)
    assert history.run_job(pupils_db, job.id).status == "completato" and imported
    assert stored(pupils_db, SCHOOL) == reference(pupils_db, SCHOOL, new_rules)


def test_a_failed_job_leaves_the_old_levels_whole(pupils_db, actors, monkeypatch):
    old = stored(pupils_db, SCHOOL)
    rules.set_network_rules(pupils_db, actors["coordinatore_rete"], NETWORK, chronic=0.05)
    job = history.latest_job(pupils_db, NETWORK)
    monkeypatch.setattr(history, "_compute", lambda *a, **k: (_ for _ in ()).throw(MemoryError("finta")))
    failed = history.run_job(pupils_db, job.id)
    assert failed.status == "errore" and "finta" in failed.error
    assert stored(pupils_db, SCHOOL) == old


def test_the_background_thread_finishes_the_job(pupils_db, actors):
    new_rules = rules.set_network_rules(pupils_db, actors["coordinatore_rete"], NETWORK, chronic=0.05)
    job = history.resume(pupils_db, NETWORK)
    assert job.active
    history.resume(pupils_db, NETWORK)  # a second poll does not start a second runner
    deadline = time.monotonic() + 120
    while history.latest_job(pupils_db, NETWORK).active and time.monotonic() < deadline:
        time.sleep(0.1)
    assert history.latest_job(pupils_db, NETWORK).status == "completato"
    assert stored(pupils_db, SCHOOL) == reference(pupils_db, SCHOOL, new_rules)


def test_saving_the_same_thresholds_queues_nothing(pupils_db, actors):
    current = rules.network_rules(pupils_db, NETWORK)
    rules.set_network_rules(pupils_db, actors["coordinatore_rete"], NETWORK, chronic=current.chronic)
    assert history.latest_job(pupils_db, NETWORK) is None


def _frame_read_from_rows(db, school_code: str):
    """level_history as read from level_history's rows (the packed row taken away for the read)."""
    history._MEMO.clear()
    live = history._live(db, school_code)
    kept = db.execute("SELECT * FROM level_history_packed WHERE school_code = ? AND generation = ?",
                      [school_code, live.generation]).fetchall()
    db.execute("DELETE FROM level_history_packed WHERE school_code = ?", [school_code])
    try:
        return history.level_history(db, school_code)
    finally:
        history._MEMO.clear()
        db.conn.executemany(f"INSERT INTO level_history_packed VALUES ({', '.join('?' * 9)})", kept)


def _packed_is_the_rows(db, school_code: str) -> None:
    import pandas as pd

    history._MEMO.clear()
    live = history._live(db, school_code)
    assert db.execute("SELECT rows FROM level_history_packed WHERE school_code = ? AND generation = ?",
                      [school_code, live.generation]).fetchone()[0] == db.execute(
        "SELECT COUNT(*) FROM level_history WHERE school_code = ? AND generation = ?",
        [school_code, live.generation]).fetchone()[0]
    packed = history.level_history(db, school_code)
    pd.testing.assert_frame_equal(packed, _frame_read_from_rows(db, school_code), check_exact=True)


def test_the_packed_levels_are_the_rows_after_every_kind_of_write(pupils_db, system, actors):
    _packed_is_the_rows(pupils_db, SCHOOL)
    cohort = synthetic.generate("secondaria_secondo_grado", 150, [SchoolYear(2024), SchoolYear(2025)], seed=3,
                                last_month=2)
    pupil_data.import_attendance(pupils_db, system, SCHOOL, month_file(cohort, "2025-12", 0.4), "dicembre.csv")
    _packed_is_the_rows(pupils_db, SCHOOL)
    rules.set_network_rules(pupils_db, actors["coordinatore_rete"], NETWORK, chronic=0.08)
    assert history.run_job(pupils_db, history.latest_job(pupils_db, NETWORK).id).status == "completato"
    _packed_is_the_rows(pupils_db, SCHOOL)
    live = history._live(pupils_db, SCHOOL)
    assert [g for (g,) in pupils_db.execute("SELECT generation FROM level_history_packed WHERE school_code = ?",
                                            [SCHOOL])] == [live.generation]  # the old generation's row went too


def test_a_value_holding_the_separator_is_read_from_the_rows(pupils_db, system):
    lines = ["codice_alunno;classe;mese;ore_previste;ore_assenza"]
    lines += [f"ZZ{n};4\x1fB;{m};100;{n}" for n in range(3) for m in ("09/2025", "10/2025")]
    pupil_data.import_attendance(pupils_db, system, "MIMM00002B", "\n".join(lines).encode(), "f.csv")
    assert history._unpack(pupils_db, "MIMM00002B", history._live(pupils_db, "MIMM00002B").generation) is None
    history._MEMO.clear()
    assert set(history.level_history(pupils_db, "MIMM00002B")["class_name"]) == {"4\x1fB"}


def test_a_history_computed_on_read_says_so_in_italian(pupils_db, caplog):
    pupils_db.execute("DELETE FROM level_generations WHERE school_code = ?", [SCHOOL])  # a database from before
    fallbacks = history.fallbacks
    with caplog.at_level("WARNING", logger=history.LOG.name):
        assert not history.level_history(pupils_db, SCHOOL).empty
    assert history.fallbacks == fallbacks + 1
    assert [r.getMessage() for r in caplog.records] == [
        f"Storico dei livelli di {SCHOOL} calcolato alla lettura: non era ancora conservato (un database di prima "
        "che lo fosse) o i dati sono cambiati senza changes.pupil_data_changed."]


def test_a_generation_packed_from_what_was_just_written_is_the_one_its_rows_give(pupils_db):
    """The first import packs its levels from the frame it wrote; packing again from the stored rows changes
    nothing (the same order, the same values)."""
    query = "SELECT * FROM level_history_packed WHERE school_code = ? ORDER BY generation"
    packed = pupils_db.execute(query, [SCHOOL]).fetchall()
    assert packed and packed[0][2] > 0  # rows
    for generation in [row[1] for row in packed]:
        history._pack(pupils_db, SCHOOL, generation)  # from level_history's rows
    assert pupils_db.execute(query, [SCHOOL]).fetchall() == packed
