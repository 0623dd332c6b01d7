"""The learned model: no leakage from later months, temporal validation, calibration, checks on loading."""

import json

import numpy as np
import pytest

from models.core.errors import ApprodoError
from models.core.permissions import Actor
from models.core.school_year import SchoolYear
from models.demo import synthetic
from models.pupils import importing as pupil_data
from models.risk import fairness, learn

# make test runs two processes (xdist, loadgroup): one of them runs this module, whose cohorts are built once.
pytestmark = pytest.mark.xdist_group("learn")

YEARS = [SchoolYear(2022), SchoolYear(2023), SchoolYear(2024), SchoolYear(2025)]


@pytest.fixture(scope="module")
def cohort_db(tmp_path_factory):
    """Two schools whose outcomes depend on arrival, delay and Italian level beyond absences (a known truth)."""
    from argon2 import PasswordHasher

    from models.accounts import auth
    from models.core import db as database
    from models.core.permissions import Actor
    from models.demo import demo

    auth._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    db = database.connect(tmp_path_factory.mktemp("learn") / "learn.db")
    demo.install_demo(db, with_protocols=False, with_pupils=False)
    system = Actor.system("test")
    for code, seed in (("MIIS00003C", 1), ("MIRI00004D", 2)):
        cohort = synthetic.generate("secondaria_secondo_grado", 1500, YEARS, seed=seed, last_month=2,
                                    prefix=code[2:4], context_weight=1.5)
        pupil_data.import_attendance(db, system, code, synthetic.attendance_csv(cohort), "a.csv")
        pupil_data.import_context(db, system, code, synthetic.context_csv(cohort), "c.csv")
        pupil_data.import_outcomes(db, system, code, synthetic.outcomes_csv(cohort), "o.csv")
    return db


@pytest.fixture(scope="module")
def trained(cohort_db):
    from models.core.permissions import Actor

    return learn.train(cohort_db, Actor.system("test"), "RETEDEMO")


def test_a_years_later_months_never_enter_its_features(cohort_db):
    before = learn.school_frame(cohort_db, "MIIS00003C", 11, [SchoolYear(2023)])
    cohort_db.conn.execute("BEGIN")  # undone below: the other tests use the same data
    try:
        cohort_db.execute("UPDATE attendance SET absence_hours = scheduled_hours WHERE school_code = 'MIIS00003C'"
                          " AND period > '2023-11' AND period < '2024-09'")
        after = learn.school_frame(cohort_db, "MIIS00003C", 11, [SchoolYear(2023)])
    finally:
        cohort_db.conn.execute("ROLLBACK")
    assert set(before["as_of"]) == {"2023-11"}
    assert np.allclose(before[learn.FEATURES].astype(float).to_numpy(), after[learn.FEATURES].astype(float).to_numpy(),
                       equal_nan=True)


def test_citizenship_and_sex_are_never_features():
    assert not {"citizenship_group", "sex", "class_name"} & set(learn.FEATURES)


def test_the_model_is_validated_on_the_latest_year_and_beats_the_rules_there(trained):
    assert trained["train_years"] == ["2022/23", "2023/24"] and trained["test_year"] == "2024/25"
    metrics = trained["metrics"]
    assert metrics["model"]["precision_at_k"] > metrics["rules"]["precision_at_k"]
    assert trained["offered"] and "proposto accanto alle regole" in trained["reason"]
    assert 0 <= metrics["model"]["calibration_error"] < 0.05 and 0 < metrics["model"]["brier"] < 0.1
    assert len(metrics["reliability"]) >= 5
    schools = metrics["schools"]
    assert set(schools) == {"MIIS00003C", "MIRI00004D"}
    assert sum(s["pupils"] for s in schools.values()) == metrics["test_pupils"]
    for school in schools.values():  # offered school by school, only where the model wins
        assert school["offered"] == (school["model_precision_at_k"] > school["rules_precision_at_k"])


@pytest.fixture(scope="module")
def demo_cohort_db(tmp_path_factory):
    """The demo installation with its pupils: a copy of what `init-db --demo` makes (built once, tests/conftest.py)."""
    from models.core import db as database
    from tests.conftest import copy_prepared

    return database.connect(copy_prepared("init-db --demo", tmp_path_factory.mktemp("demo_cohort") / "demo.db"))


def test_where_outcomes_follow_absences_the_rules_stay(demo_cohort_db):
    # In the demo's cohort absences carry the signal: the model ranks no better than the rules, is not
    # offered, and the page says why in words.
    document = learn.evaluate(demo_cohort_db, Actor.system("test"), "RETEDEMO")
    model, rules = (document["metrics"][side]["precision_at_k"] for side in ("model", "rules"))
    assert model is not None and rules is not None and model <= rules
    assert document["offered"] is False
    assert document["reason"] == learn.offer(document["metrics"])[1]
    assert document["reason"].startswith("Sull'anno di verifica il modello non fa meglio delle regole (")
    assert document["reason"].endswith("restano le regole, che sono più semplici da spiegare.")


def test_the_stored_model_is_checked_on_loading(cohort_db, trained):
    model = learn.load(cohort_db, Actor.system(), "RETEDEMO")
    assert model.document["version"] == trained["version"] and model.document["features"] == learn.FEATURES
    row = cohort_db.execute("SELECT id, document FROM risk_models ORDER BY id DESC LIMIT 1").fetchone()
    tampered = json.loads(row[1])
    tampered["params"]["coef"][0] = 99.0
    cohort_db.execute("UPDATE risk_models SET document = ? WHERE id = ?",
                      [learn.canonical(tampered), row[0]])
    with pytest.raises(ApprodoError, match="codice di controllo"):
        learn.load(cohort_db, Actor.system(), "RETEDEMO")
    cohort_db.execute("UPDATE risk_models SET document = ? WHERE id = ?", [row[1], row[0]])
    with pytest.raises(ApprodoError, match="variabili"):
        learn.verified(learn.canonical({**json.loads(row[1]), "features": ["x"]}),
                       learn.checksum(learn.canonical({**json.loads(row[1]), "features": ["x"]})), "RETEDEMO")


def test_each_pupil_gets_the_features_that_raised_the_score(cohort_db, trained):
    model = learn.load(cohort_db, Actor.system(), "RETEDEMO")
    frame = learn.school_frame(cohort_db, "MIIS00003C", 2, [SchoolYear(2025)])
    probability = model.probability(learn.matrix(frame))
    top = frame.iloc[int(np.argmax(probability))]
    sentences = learn.explain(model, top)
    assert 1 <= len(sentences) <= 3 and all(s.endswith(".") for s in sentences)


def test_the_audit_covers_every_group_with_ratios_and_hides_small_groups(trained):
    rows = trained["audit"]["model"]
    assert {r["group"] for r in rows} == set(learn.AUDIT_GROUPS)
    reference = [r for r in rows if r["group"] == "sex" and r["reference"]][0]
    assert reference["precision_ratio"] == 1.0
    for row in rows:
        if row["n"] == "<5":
            assert row["precision"] == row["fnr_ratio"] == "n.d. (meno di 5 casi)"
        else:
            assert row["n"] >= 5


def test_fairness_audit_computes_rates_and_ratios():
    import pandas as pd

    frame = pd.DataFrame({"y": [1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0],
                          "flagged": [1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0],
                          "g": ["a"] * 5 + ["b"] * 6 + ["c"] * 2})
    rows = {r["value"]: r for r in fairness.audit(frame, ["g"])}
    assert rows["b"]["reference"] and rows["b"]["precision"] == 0.333 and rows["b"]["fpr"] == 0.4
    assert rows["a"]["precision"] == 0.5 and rows["a"]["fnr"] == 0.5 and rows["a"]["fpr_ratio"] == 0.83
    assert rows["a"]["precision_ratio"] == 1.5 and rows["a"]["in_band"] is False
    assert rows["c"]["n"] == "<5" and rows["c"]["in_band"] is None
    # As the model page shows it: counts under 5 read "<5", rates built on them "n.d. (meno di 5 casi)".
    shown = fairness.table(list(rows.values())).set_index("Valore").loc["c"]
    assert shown["Alunni"] == "<5" and shown["Segnalati"] == "<5"
    assert shown["Precisione"] == shown["Falsi negativi"] == shown["Rapporto precisione"] == "n.d. (meno di 5 casi)"
    # A document trained before said "<5" for rates too: shown the same way.
    legacy = {**rows["c"], "precision": "<5", "fpr_ratio": "<5"}
    old = fairness.table([legacy]).iloc[0]
    assert old["Precisione"] == old["Rapporto falsi positivi"] == "n.d. (meno di 5 casi)" and old["Alunni"] == "<5"


def test_training_needs_two_years_of_outcomes_and_the_coordinator(pupils_db, actors):
    with pytest.raises(ApprodoError, match="almeno due anni"):
        learn.train(pupils_db, actors["coordinatore_rete"], "RETEDEMO")
    with pytest.raises(ApprodoError, match="Solo il coordinatore"):
        learn.train(pupils_db, actors["dirigente"], "RETEDEMO")
