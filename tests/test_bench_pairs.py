"""Each benchmark's pair on small data: ours and its floor give the same answer, as `make bench` asserts before it
reports a ratio (no timing asserted here)."""

from dataclasses import asdict

import pytest

from bench import bench_accounts, bench_events, bench_network, bench_page, bench_practices, bench_pupils, bench_word
from bench.harness import Result, best_of_pair
from bench.table import table
from models.accounts import auth, schools
from models.core import db as database
from models.core.permissions import Actor
from models.core.school_year import SchoolYear
from models.demo import demo, synthetic
from models.protocols import protocol as protocols
from models.pupils import importing

pytestmark = pytest.mark.xdist_group("bench_pairs")
SYSTEM = Actor.system("bench")


def in_process(name: str, *args, module=bench_pupils):
    """A child side's set-up, work and answer, run here (the child process itself is tested in test_bench.py)."""
    work, answer = getattr(module, name)(*args)
    return answer(work())


def test_best_of_pair_refuses_a_pair_whose_answers_differ():
    with pytest.raises(AssertionError, match="differ"):
        best_of_pair(lambda: 1, lambda: 2, repeat=1)


def test_a_row_is_not_ok_when_the_load_moved():
    assert Result("x", 1.0, 1.0, "f", target_ratio=2.0, load_start=0.5, load_end=1.2).verdict == "ok"
    assert Result("x", 1.0, 1.0, "f", target_ratio=2.0, load_start=0.5, load_end=1.7).verdict == "CARICO"
    assert Result("x", 3.0, 1.0, "f", target_ratio=2.0, load_start=0.5, load_end=0.5).verdict == "OLTRE"


def test_pupils_ingest_and_scoring_give_the_floors_answers(tmp_path):
    cohort = synthetic.generate("secondaria_secondo_grado", 30, [SchoolYear(2025)], seed=9)
    csv_path = tmp_path / "frequenze.csv"
    csv_path.write_bytes(synthetic.attendance_csv(cohort))
    db_path = bench_pupils.empty_database(tmp_path / "approdo.db")
    ours, floor = in_process("ingest_ours", db_path, csv_path), in_process("ingest_floor", csv_path)
    assert ours == floor and ours[:2] == (len(cohort.attendance), cohort.attendance["pupil_code"].nunique())

    db = database.connect(db_path)
    importing.import_attendance(db, SYSTEM, bench_pupils.SCHOOL, csv_path.read_bytes(), "f.csv")
    months = bench_pupils.school_year_of(db, bench_pupils.SCHOOL)
    scored = bench_pupils.score_ours(db, bench_pupils.SCHOOL)
    bench_pupils.same_ratios(scored, bench_pupils.score_floor(db, bench_pupils.SCHOOL, months))
    bench_pupils.same_rows(scored, bench_pupils.bare_read(db, bench_pupils.SCHOOL))
    # One pupil's ratio worked out by hand from the file's own rows.
    first = cohort.attendance[cohort.attendance["pupil_code"] == scored.pupils["pupil_code"].iloc[0]]
    by_hand = first["absence_hours"].sum() / first["scheduled_hours"].sum()
    assert bench_pupils.ratios(scored)[first["pupil_code"].iloc[0]] == pytest.approx(by_hand)
    with pytest.raises(AssertionError):  # a floor that differs is caught
        bench_pupils.same_ratios(scored, [(code, ratio + 0.01) for code, ratio in
                                          bench_pupils.score_floor(db, bench_pupils.SCHOOL, months)])

    region = bench_pupils.region_frame(50, __import__("numpy").random.default_rng(1))
    bench_pupils.same_ratios(bench_pupils.region_ours(region), bench_pupils.region_floor(region))


def test_big_school_scored_in_children_gives_the_floors_ratios(tmp_path):
    db_path = bench_pupils.empty_database(tmp_path / "big.db")
    assert bench_pupils.big_school(db_path, 40) == 400
    ours = in_process("score_ours_child", db_path, bench_pupils.BIG_SCHOOL)
    bench_pupils.same_ratios(ours, in_process("score_floor_child", db_path, bench_pupils.BIG_SCHOOL))
    assert len(ours) == 40


def test_events_ingest_stores_what_the_floor_stores(tmp_path):
    csv_path = tmp_path / "eventi.csv"
    csv_path.write_bytes(bench_events.events_csv(200))
    db_path = bench_pupils.empty_database(tmp_path / "approdo.db")
    ours = in_process("ingest_ours", db_path, csv_path, "events")
    assert ours == in_process("ingest_floor", csv_path, "events") and ours[:2] == (200, 10)


def test_word_export_has_the_floors_text(demo_db):
    schools.create_network(demo_db, SYSTEM, "RETE2", "Rete di 2 scuole")
    protocols.create_core(demo_db, SYSTEM, "RETE2", "secondaria_secondo_grado", "2025/26")
    for n in range(2):
        schools.create_school(demo_db, SYSTEM, f"MIIS{n:05d}Z", f"Istituto {n}", "RETE2", "secondaria_secondo_grado")
        protocols.create_school_protocol(demo_db, SYSTEM, f"MIIS{n:05d}Z")
    first = protocols.school_protocol(demo_db, SYSTEM, "MIIS00000Z")
    ours, floor = bench_word.one_protocol(demo_db, SYSTEM, first)
    document = ours()
    bench_word.same_document(document, floor())
    assert "Istituto 0" in " ".join(bench_word.document_text(document))
    with pytest.raises(AssertionError):  # another school's document is not the same answer
        bench_word.same_document(document, bench_word.bare_render(bench_word.DEFAULT_TEMPLATE.read_bytes(), *(
            bench_word.floor_input(demo_db, SYSTEM, protocols.school_protocol(demo_db, SYSTEM, "MIIS00001Z")))))
    ours, floor = bench_word.network(demo_db, SYSTEM, "RETE2")
    archive = ours()
    bench_word.same_zip(archive, floor())
    assert len(bench_word.zip_texts(archive)) == 3  # the core and two schools


def test_network_dashboard_counts_what_the_group_by_counts(pupils_db, db_path):
    where = bench_network.dashboard(pupils_db)
    floor = bench_network.floor_dashboard(pupils_db)
    bench_network.same_counts(pupils_db)(where, floor)
    february = pupils_db.execute("SELECT COUNT(*) FROM attendance WHERE period = '2026-02'").fetchone()[0]
    assert sum(n for school, period, level, n in floor if period == "2026-02") == february > 0
    assert in_process("dashboard_child", db_path, module=bench_network) == in_process(
        "floor_child", db_path, module=bench_network) == sorted(floor)
    ours_import, bare_import = bench_network.imports(pupils_db, "MIIS00003C")
    assert ours_import() == bare_import()


def test_accounts_pairs_agree(demo_db, db_path):
    token = auth.login(demo_db, "dirigente", demo.DEMO_PASSWORD)
    ours, floor = bench_accounts.sessions(db_path, token, reruns=2)
    assert ours() == floor() == [auth.resolve_session(demo_db, token).user_id] * 2
    ours, floor = bench_accounts.logins(demo_db, "dirigente", demo.DEMO_PASSWORD)
    assert ours() is floor() is True


def test_practice_search_finds_what_the_ranked_match_finds(demo_db):
    bench_practices._fill(demo_db, 60)
    ours, floor = bench_practices.queries(demo_db, bench_practices.reader())
    found = ours()
    assert found == floor() and sum(map(len, found)) > 0


def test_the_risk_page_lists_the_pupils_the_model_scores(pupils_db):
    ours, floor, filter_changed = bench_page.page(pupils_db, auth.login(pupils_db, "funzione", demo.DEMO_PASSWORD))
    listed = ours()
    assert listed == floor() and listed
    high = filter_changed()  # only "alto" now
    assert set(high) < set(listed)
    assert filter_changed() == listed


def test_the_readme_table_shows_the_load_and_the_verdict():
    rows = [Result("rischio", 1.5, 1.0, "GROUP BY", target_ratio=2.0, load_start=0.4, load_end=0.6),
            Result("zip", 0.7, 1.0, "render", target_ratio=0.6, load_start=0.4, load_end=2.0)]
    text = table({"results": [{**asdict(r), "ratio": r.ratio, "met": r.verdict} for r in rows]})
    assert "| rischio | 1,50 s | 1,00 s (GROUP BY) | 1,50× | ≤ 2,0× | sì | 0,4 → 0,6 |" in text
    assert "| zip | 700 ms | 1,00 s (render) | 0,70× | ≤ 0,6× | carico mosso | 0,4 → 2,0 |" in text


def test_a_row_whose_load_moved_is_measured_again(monkeypatch, capsys):
    from bench import harness

    loads = iter([0.5, 2.0, 2.0, 2.1])  # the first attempt starts at 0.5 and ends at 2.0; the second holds still
    monkeypatch.setattr(harness, "load_average", lambda: next(loads))
    measured = []
    result = harness.row("x", lambda: measured.append(1) or (1.0, 1.0), "f", target_ratio=2.0)
    assert len(measured) == 2 and result.verdict == "ok" and result.load == "2.0>2.1"
    printed = capsys.readouterr().out
    assert "carico all'inizio 0.50" in printed and "si ripete" in printed and "carico all'inizio 2.00" in printed


def test_bench_only_and_skip_choose_the_modules():
    from bench.__main__ import selected

    assert selected("bench_word") == [bench_word]
    assert bench_pupils not in selected("", "bench_pupils") and bench_word in selected("", "bench_pupils")
    with pytest.raises(SystemExit, match="sconosciuti"):
        selected("bench_wrod")
