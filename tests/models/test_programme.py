"""The programme indicators counted on small, known data: each share, its suppression, the protocol dates."""

import pytest

from models.core import suppression
from models.core.school_year import SchoolYear
from models.network import figures as network_figures
from models.network import programme
from models.protocols import protocol as protocols
from models.pupils import importing as pupil_data

NETWORK, YEAR, BEFORE = "RETEDEMO", SchoolYear(2025), SchoolYear(2024)


def outcomes(db, system, school_code, prefix, **counts):
    lines = ["Codice alunno;Anno scolastico;Esito"]
    n = 0
    for outcome, how_many in counts.items():
        for _ in range(how_many):
            n += 1
            lines.append(f"{prefix}{n:03d};{YEAR};{outcome}")
    pupil_data.import_outcomes(db, system, school_code, "\n".join(lines).encode(), "esiti.csv")


def evaluate(db, actor):
    return programme.evaluate(db, network_figures.scope(db, actor, NETWORK), [BEFORE, YEAR])


def test_dropout_and_invalid_years_are_shares_of_the_outcomes_and_small_counts_hide(demo_db, system, actors):
    outcomes(demo_db, system, "MIIS00003C", "P", abbandono=6, anno_non_valido=2, ammesso=12)
    evaluation = evaluate(demo_db, actors["coordinatore_rete"])
    assert evaluation.values["dropout"][str(YEAR)] == 30.0 and evaluation.counts["dropout"][str(YEAR)] == (6, 20)
    # 2 pupils: too few to show, as a count and as a share.
    assert evaluation.counts["invalid_year"][str(YEAR)] == (suppression.SMALL, 20)
    frame = evaluation.frame()
    assert frame.loc["Abbandoni", str(YEAR)] == "30,0 %"
    assert frame.loc["Anni non validi per assenze", str(YEAR)] == suppression.FEW  # a share, never "<5"
    assert frame.loc["Abbandoni", str(BEFORE)] == "—"  # no outcomes that year: no share, not 0 %


def test_a_head_teacher_does_not_see_the_network_total_when_the_other_schools_part_is_small(demo_db, system,
                                                                                            actors):
    outcomes(demo_db, system, "MIIS00003C", "P", abbandono=6, ammesso=14)
    outcomes(demo_db, system, "MIMM00002B", "M", abbandono=1, ammesso=2)  # 3 outcomes elsewhere: one school's
    coordinator = evaluate(demo_db, actors["coordinatore_rete"])
    # The coordinator sees Ponte Nuovo's 6 of 20 (school filter): the network's 7 of 23 would give Tiglio's 1 of 3.
    assert coordinator.counts["dropout"][str(YEAR)] == (suppression.HIDDEN, suppression.HIDDEN)
    ponte_nuovo = programme.evaluate(demo_db, network_figures.scope(demo_db, actors["coordinatore_rete"], NETWORK,
                                                                    school_code="MIIS00003C"), [BEFORE, YEAR])
    assert ponte_nuovo.counts["dropout"][str(YEAR)] == (6, 20)
    # The dirigente of MIIS00003C knows their own 6 of 20: the network's total would give away the other 1 of 3.
    dirigente = evaluate(demo_db, actors["dirigente"])
    assert dirigente.values["dropout"][str(YEAR)] == suppression.HIDDEN
    assert dirigente.counts["dropout"][str(YEAR)] == (suppression.HIDDEN, suppression.HIDDEN)


def test_a_protocol_counts_from_the_year_of_its_deliberation(demo_db, actors, school_protocol):
    dirigente = actors["dirigente"]
    protocols.move(demo_db, dirigente, school_protocol.id, "in_revisione")
    protocols.move(demo_db, dirigente, school_protocol.id, "approvato", deliberation_date="2025-10-15",
                   deliberation_number="7", deliberation_body="collegio dei docenti")
    evaluation = evaluate(demo_db, actors["coordinatore_rete"])
    schools = len(network_figures.scope(demo_db, actors["coordinatore_rete"], NETWORK).schools)
    assert evaluation.counts["protocols"][str(YEAR)] == (1, schools)
    assert evaluation.counts["protocols"][str(BEFORE)] == (0, schools)  # approved after that year ended
    assert evaluation.frame().loc["Scuole con un protocollo approvato", str(YEAR)] == f"1 su {schools}"


@pytest.mark.parametrize("arrival, l2, newcomer, assessed", [
    (2025, "A1", True, True), (2024, "", True, False), (2023, "A2", False, False)])
def test_newcomers_are_pupils_arrived_this_or_last_year_and_assessed_when_their_level_is_known(
        demo_db, system, actors, arrival, l2, newcomer, assessed):
    from models.demo import synthetic

    cohort = synthetic.generate("secondaria_secondo_grado", 12, [YEAR], seed=4, last_month=2, prefix="N")
    pupil_data.import_attendance(demo_db, system, "MIIS00003C", synthetic.attendance_csv(cohort), "f.csv")
    codes = [r[0] for r in demo_db.execute("SELECT DISTINCT pupil_code FROM attendance ORDER BY pupil_code")]
    lines = ["Codice alunno;Anno di arrivo in Italia;Livello italiano L2"]
    lines += [f"{code};{arrival};{l2}" for code in codes]
    pupil_data.import_context(demo_db, system, "MIIS00003C", "\n".join(lines).encode(), "contesto.csv")
    counts = evaluate(demo_db, actors["coordinatore_rete"]).counts["newcomers_assessed"][str(YEAR)]
    assert counts == ((len(codes) if assessed else 0, len(codes)) if newcomer else (0, 0))
