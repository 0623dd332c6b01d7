"""Reviews, follow-ups, interventions, the exported list and the end-of-year purge."""

import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from models.core.errors import ApprodoError, PermissionDenied
from models.core.school_year import SchoolYear
from models.follow_up import interventions, reviews
from models.follow_up import list_export as risk_export
from models.pupils import retention
from models.risk import school_risk

SCHOOL = "MIIS00003C"
FEB_10 = datetime(2026, 2, 10, 9, 0, tzinfo=UTC)


def pupil_at(db, level="alto", as_of=None, actor=None):
    risk = school_risk.school_risk(db, actor, SCHOOL, as_of=as_of)
    return risk.pupils[risk.pupils["level"] == level].iloc[0]["pupil_code"]


@pytest.fixture
def funzione(actors):
    return actors["funzione_strumentale"]


def test_a_review_records_who_when_and_the_follow_up(pupils_db, funzione):
    pupil = pupil_at(pupils_db, actor=funzione)
    review = reviews.record_review(pupils_db, funzione, SCHOOL, pupil, as_of="2026-02", level="alto",
                                   note="Sentita la coordinatrice di classe.", follow_up_on=date(2026, 3, 10),
                                   follow_up_owner="dirigente", at=FEB_10)
    assert (review.reviewed_by, review.level, review.follow_up_owner, review.follow_up_open) == (
        "funzione", "alto", "dirigente", True)
    assert reviews.pupil_reviews(pupils_db, funzione, SCHOOL, pupil) == [review]


def test_reviewing_again_closes_the_earlier_follow_up(pupils_db, funzione):
    pupil = pupil_at(pupils_db, actor=funzione)
    first = reviews.record_review(pupils_db, funzione, SCHOOL, pupil, as_of="2026-01", level="alto",
                                  follow_up_on=date(2026, 3, 1), at=FEB_10)
    reviews.record_review(pupils_db, funzione, SCHOOL, pupil, as_of="2026-02", level="alto",
                          at=datetime(2026, 3, 2, tzinfo=UTC))
    later, earlier = reviews.pupil_reviews(pupils_db, funzione, SCHOOL, pupil)
    assert earlier.id == first.id and not earlier.follow_up_open and earlier.follow_up_done_at


def test_follow_ups_are_due_on_their_date_and_not_before(pupils_db, funzione):
    pupil = pupil_at(pupils_db, actor=funzione)
    reviews.record_review(pupils_db, funzione, SCHOOL, pupil, as_of="2026-02", level="alto",
                          follow_up_on=date(2026, 3, 10), at=FEB_10)
    risk = school_risk.school_risk(pupils_db, funzione, SCHOOL)
    assert reviews.due_follow_ups(pupils_db, funzione, risk, on=date(2026, 3, 9)) == []
    due = reviews.due_follow_ups(pupils_db, funzione, risk, on=date(2026, 3, 10))
    assert [r.pupil_code for r in due] == [pupil]
    reviews.close_follow_up(pupils_db, funzione, SCHOOL, due[0].id)
    assert reviews.due_follow_ups(pupils_db, funzione, risk, on=date(2026, 4, 1)) == []
    with pytest.raises(ApprodoError, match="non è aperta"):
        reviews.close_follow_up(pupils_db, funzione, SCHOOL, due[0].id)


def test_a_follow_up_in_the_past_or_for_a_stranger_is_refused(pupils_db, funzione):
    pupil = pupil_at(pupils_db, actor=funzione)
    with pytest.raises(ApprodoError, match="già passata"):
        reviews.record_review(pupils_db, funzione, SCHOOL, pupil, as_of="2026-02", level="alto",
                              follow_up_on=date(2026, 2, 1), at=FEB_10)
    with pytest.raises(ApprodoError, match="non è un utente attivo di questa scuola"):
        reviews.record_review(pupils_db, funzione, SCHOOL, pupil, as_of="2026-02", level="alto",
                              follow_up_on=date(2026, 3, 1), follow_up_owner="altro.dirigente", at=FEB_10)
    with pytest.raises(ApprodoError, match="il massimo è 500"):
        reviews.record_review(pupils_db, funzione, SCHOOL, pupil, as_of="2026-02", level="alto", note="x" * 501)
    assert pupils_db.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 0


def test_changes_since_the_last_review_compare_the_list_then_and_now(pupils_db, funzione):
    january = school_risk.school_risk(pupils_db, funzione, SCHOOL, as_of="2026-01").pupils
    february = school_risk.school_risk(pupils_db, funzione, SCHOOL)
    reviews.record_review(pupils_db, funzione, SCHOOL, january["pupil_code"].iloc[0], as_of="2026-01",
                          level=january["level"].iloc[0], at=FEB_10)
    changes = reviews.changes_since_last_review(pupils_db, funzione, february, on=date(2026, 3, 1))
    then = dict(zip(january["pupil_code"], january["level"], strict=True))
    now = dict(zip(february.pupils["pupil_code"], february.pupils["level"], strict=True))
    assert changes.since == "2026-01"
    assert set(changes.new_high) == {p for p, level in now.items() if level == "alto" and then.get(p) != "alto"}
    assert changes.new_high and (changes.rose or changes.fell)
    for pupil, before, after in changes.rose:
        assert (then[pupil], now[pupil]) == (before, after) and (before, after) in {
            ("basso", "medio")}  # alto is reported as "new alto", not as "rose"
    for pupil, before, after in changes.fell:
        assert then[pupil] == before and now[pupil] == after and before != "basso"


def test_compare_levels_orders_alto_medio_basso_and_leaves_insufficient_data_aside():
    before = {"A": "medio", "B": "alto", "C": "basso", "D": "dati_insufficienti", "E": "alto"}
    now = {"A": "alto", "B": "medio", "C": "medio", "D": "basso", "E": "alto", "F": "alto"}
    assert reviews.compare_levels(before, now) == (["A", "F"], [("C", "basso", "medio")], [("B", "alto", "medio")])


def test_without_a_review_every_alto_pupil_is_new_and_with_no_newer_data_nothing_changed(pupils_db, funzione):
    risk = school_risk.school_risk(pupils_db, funzione, SCHOOL)
    changes = reviews.changes_since_last_review(pupils_db, funzione, risk)
    assert changes.last_review_at is None and set(changes.new_high) == set(
        risk.pupils.loc[risk.pupils["level"] == "alto", "pupil_code"])
    reviews.record_review(pupils_db, funzione, SCHOOL, changes.new_high[0], as_of="2026-02", level="alto")
    again = reviews.changes_since_last_review(pupils_db, funzione, risk)
    assert again.last_review_at and again.since is None and not again.new_high


def test_an_intervention_is_recorded_with_its_kind_date_owner_and_outcome(pupils_db, funzione):
    pupil = pupil_at(pupils_db, actor=funzione)
    done = interventions.add_intervention(pupils_db, funzione, SCHOOL, pupil, kind="Colloquio con la famiglia",
                                          happened_on=date(2026, 2, 12), owner="dirigente", note="Fissato.")
    assert done.outcome_label == "In corso" and done.recorded_by == "funzione"
    later = interventions.set_outcome(pupils_db, funzione, SCHOOL, done.id, "positivo", expected="in_corso")
    assert later.outcome_label == "Esito positivo"
    with pytest.raises(ApprodoError, match="Nel frattempo l'esito è stato cambiato in «Esito positivo»"):
        interventions.set_outcome(pupils_db, funzione, SCHOOL, done.id, "parziale", expected="in_corso")
    assert [i.outcome for i in interventions.pupil_interventions(pupils_db, funzione, SCHOOL, pupil)] == ["positivo"]


@pytest.mark.parametrize("change, message", [
    ({"kind": "Esorcismo"}, "non è tra i tipi"),
    ({"happened_on": date(2099, 1, 1)}, "nel futuro"),
    ({"owner": "coordinatrice"}, "non è un utente attivo di questa scuola"),
    ({"outcome": "boh"}, "Esito «boh» non valido"),
])
def test_a_bad_intervention_is_refused_and_nothing_is_written(pupils_db, funzione, change, message):
    pupil = pupil_at(pupils_db, actor=funzione)
    values = {"kind": "Altro", "happened_on": date(2026, 2, 12), "owner": "funzione"} | change
    with pytest.raises(ApprodoError, match=message):
        interventions.add_intervention(pupils_db, funzione, SCHOOL, pupil, **values)
    assert pupils_db.execute("SELECT COUNT(*) FROM interventions").fetchone()[0] == 0


def test_the_school_edits_its_list_of_kinds(pupils_db, funzione, actors):
    assert interventions.kinds(pupils_db, funzione, SCHOOL) == list(interventions.DEFAULT_KINDS)
    saved = interventions.set_kinds(pupils_db, funzione, SCHOOL, ["  Sportello  d'ascolto ", "Altro", "altro", ""])
    assert saved == ["Sportello d'ascolto", "Altro"]
    assert interventions.kinds(pupils_db, actors["docente"], SCHOOL) == saved
    with pytest.raises(PermissionDenied):
        interventions.set_kinds(pupils_db, actors["docente"], SCHOOL, ["X"])


@pytest.mark.parametrize("role", ["docente", "coordinatore_rete", "admin", "other_dirigente"])
def test_only_the_dirigente_and_the_funzione_record(pupils_db, actors, role):
    pupil = pupil_at(pupils_db, actor=actors["funzione_strumentale"])
    with pytest.raises(PermissionDenied):
        reviews.record_review(pupils_db, actors[role], SCHOOL, pupil, as_of="2026-02", level="alto")
    with pytest.raises(PermissionDenied):
        interventions.add_intervention(pupils_db, actors[role], SCHOOL, pupil, kind="Altro",
                                       happened_on=date(2026, 2, 1), owner="funzione")


def test_a_teacher_reads_the_interventions_of_own_classes_only(pupils_db, actors, funzione):
    docente = actors["docente"]
    mine = school_risk.school_risk(pupils_db, docente, SCHOOL).pupils["pupil_code"].iloc[0]
    other = pupils_db.execute("SELECT pupil_code FROM attendance WHERE period = '2026-02' AND class_name = '1A'"
                              " LIMIT 1").fetchone()[0]
    for pupil in (mine, other):
        interventions.add_intervention(pupils_db, funzione, SCHOOL, pupil, kind="Altro",
                                       happened_on=date(2026, 2, 1), owner="docente")
    assert len(interventions.pupil_interventions(pupils_db, docente, SCHOOL, mine)) == 1
    with pytest.raises(ApprodoError, match="tra quelli che puoi vedere"):
        interventions.pupil_interventions(pupils_db, docente, SCHOOL, other)


def test_the_exported_list_holds_the_last_intervention_and_says_it_is_personal_data(pupils_db, funzione):
    pupil = pupil_at(pupils_db, actor=funzione)
    interventions.add_intervention(pupils_db, funzione, SCHOOL, pupil, kind="Laboratorio di Italiano L2",
                                   happened_on=date(2026, 2, 3), owner="funzione")
    reviews.record_review(pupils_db, funzione, SCHOOL, pupil, as_of="2026-02", level="alto",
                          note="=cmd|' /C calc'!A0", follow_up_on=date(2026, 3, 1), at=FEB_10)
    risk, data = risk_export.export_list(pupils_db, funzione, SCHOOL, "xlsx")
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].value.startswith("DATI PERSONALI DI MINORI")
    header = [c.value for c in sheet[4]]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=5, values_only=True)}
    assert len(rows) == len(risk.pupils)
    mine = rows[pupil]
    assert (mine["Ultimo intervento"], mine["Esito intervento"]) == ("Laboratorio di Italiano L2", "In corso")
    assert mine["Data intervento"].date() == date(2026, 2, 3) and mine["Prossima verifica"].date() == date(2026, 3, 1)
    assert pupils_db.execute("SELECT what, detail FROM access_log ORDER BY id DESC LIMIT 1").fetchone() == (
        "elenco rischio", f"esportazione XLSX: {len(risk.pupils)} alunni")


def test_exports_neutralise_formulas_in_every_text_cell(pupils_db, funzione):
    pupils_db.execute("UPDATE attendance SET class_name = '@SUM(A1)' WHERE class_name = '2A'")
    interventions.set_kinds(pupils_db, funzione, SCHOOL, ["=1+1", "-2+3", "+cmd"])
    pupil = pupil_at(pupils_db, actor=funzione)
    interventions.add_intervention(pupils_db, funzione, SCHOOL, pupil, kind="=1+1", happened_on=date(2026, 2, 3),
                                   owner="funzione")
    _, data = risk_export.export_list(pupils_db, funzione, SCHOOL, "xlsx")
    cells = [c for row in load_workbook(io.BytesIO(data)).active.iter_rows(min_row=5, values_only=True)
             for c in row if isinstance(c, str)]
    assert "'=1+1" in cells and "'@SUM(A1)" in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    _, text = risk_export.export_list(pupils_db, funzione, SCHOOL, "csv")
    assert ";'=1+1;" in text.decode("utf-8-sig") and ";=1+1;" not in text.decode("utf-8-sig")


def test_purge_removes_the_years_before_and_says_what(pupils_db, system, funzione, actors):
    retention.set_retention_years(pupils_db, actors["dirigente"], SCHOOL, 1)
    pupil = pupil_at(pupils_db, actor=funzione)
    interventions.add_intervention(pupils_db, funzione, SCHOOL, pupil, kind="Altro", happened_on=date(2025, 3, 1),
                                   owner="funzione")
    interventions.add_intervention(pupils_db, funzione, SCHOOL, pupil, kind="Altro", happened_on=date(2025, 10, 1),
                                   owner="funzione")
    old_rows = pupils_db.execute("SELECT COUNT(*) FROM attendance WHERE period < '2025-09'").fetchone()[0]
    kept_rows = pupils_db.execute("SELECT COUNT(*) FROM attendance WHERE period >= '2025-09'").fetchone()[0]
    trial = retention.purge(pupils_db, system, SCHOOL, SchoolYear(2025), current=SchoolYear(2026), dry_run=True)
    assert trial.removed["attendance"] == old_rows and trial.lines()[0].startswith("Si eliminerebbero")
    assert pupils_db.execute("SELECT COUNT(*) FROM attendance").fetchone()[0] == old_rows + kept_rows

    report = retention.purge(pupils_db, system, SCHOOL, SchoolYear(2025), current=SchoolYear(2026))
    assert report.removed["attendance"] == old_rows and report.removed["interventions"] == 1
    assert f"- {old_rows} righe di frequenza mensile" in report.lines()
    assert pupils_db.execute("SELECT COUNT(*) FROM attendance").fetchone()[0] == kept_rows
    assert pupils_db.execute("SELECT MIN(period) FROM attendance_months").fetchone()[0] == "2025-09"
    assert [i.happened_on for i in interventions.pupil_interventions(pupils_db, funzione, SCHOOL, pupil)] == [
        date(2025, 10, 1)]
    assert pupils_db.execute("SELECT COUNT(*) FROM pupil_context c WHERE NOT EXISTS (SELECT 1 FROM attendance a"
                             " WHERE a.pupil_code = c.pupil_code)").fetchone()[0] == 0
    assert retention.purge(pupils_db, system, SCHOOL, SchoolYear(2025), current=SchoolYear(2026)).total == 0


def test_purge_refuses_to_cut_into_the_retention_the_school_set(pupils_db, system, actors):
    retention.set_retention_years(pupils_db, actors["dirigente"], SCHOOL, 2)
    with pytest.raises(ApprodoError, match="conserva i dati per 2 anni scolastici \\(dal 2025/26 in poi\\)"):
        retention.purge(pupils_db, system, SCHOOL, SchoolYear(2026), current=SchoolYear(2026))
    assert retention.purge(pupils_db, system, SCHOOL, SchoolYear(2025), current=SchoolYear(2026)).total > 0
    with pytest.raises(PermissionDenied):
        retention.set_retention_years(pupils_db, actors["funzione_strumentale"], SCHOOL, 5)
    with pytest.raises(ApprodoError, match="da 1 a 10"):
        retention.set_retention_years(pupils_db, actors["dirigente"], SCHOOL, 0)
