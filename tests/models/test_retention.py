"""How long a school keeps pupil data, and the purge (models/pupils/retention.py)."""

import pytest

from models.core.errors import ApprodoError, PermissionDenied
from models.core.school_year import SchoolYear
from models.demo import synthetic
from models.pupils import importing as pupil_data
from models.pupils import retention

SCHOOL, OTHER = "MIIS00003C", "MIMM00002B"


@pytest.mark.parametrize("years, current, kept", [(1, 2026, 2026), (3, 2026, 2024), (10, 2025, 2016)])
def test_the_earliest_year_kept(years, current, kept):
    assert retention.earliest_kept(years, SchoolYear(current)) == SchoolYear(kept)


def test_the_school_sets_its_years_within_bounds_and_it_is_logged(demo_db, actors):
    dirigente = actors["dirigente"]
    default = retention.retention_years(demo_db, dirigente, SCHOOL)
    assert retention.MIN_YEARS <= default <= retention.MAX_YEARS
    retention.set_retention_years(demo_db, dirigente, SCHOOL, 4)
    assert retention.retention_years(demo_db, actors["funzione_strumentale"], SCHOOL) == 4  # staff may read it
    for wrong in (retention.MIN_YEARS - 1, retention.MAX_YEARS + 1):
        with pytest.raises(ApprodoError, match="Scegli da 1 a 10"):
            retention.set_retention_years(demo_db, dirigente, SCHOOL, wrong)
    assert retention.retention_years(demo_db, dirigente, SCHOOL) == 4
    assert demo_db.execute("SELECT detail FROM audit_log WHERE action = 'conservazione_dati'").fetchall() == [
        ("4 anni",)]


@pytest.mark.parametrize("who", ["funzione_strumentale", "docente", "coordinatore_rete", "other_dirigente"])
def test_only_the_schools_head_or_an_admin_sets_it_and_only_the_head_or_the_cli_purges(demo_db, actors, who):
    with pytest.raises(PermissionDenied):
        retention.set_retention_years(demo_db, actors[who], SCHOOL, 2)
    with pytest.raises(PermissionDenied):
        retention.purge(demo_db, actors[who], SCHOOL, SchoolYear(2024), current=SchoolYear(2026))


def test_the_purge_keeps_other_schools_and_later_years_and_logs_only_real_deletions(demo_db, system, actors):
    for code, prefix in ((SCHOOL, "S"), (OTHER, "O")):
        cohort = synthetic.generate("secondaria_primo_grado", 20, [SchoolYear(2024), SchoolYear(2025)], seed=2,
                                    last_month=2, prefix=prefix)
        pupil_data.import_attendance(demo_db, system, code, synthetic.attendance_csv(cohort), "f.csv")
        pupil_data.import_outcomes(demo_db, system, code, synthetic.outcomes_csv(cohort), "o.csv")

    def rows(code):
        return demo_db.execute("SELECT COUNT(*) FROM attendance WHERE school_code = ?", [code]).fetchone()[0]

    others_before, later = rows(OTHER), demo_db.execute(
        "SELECT COUNT(*) FROM attendance WHERE school_code = ? AND period >= '2025-09'", [SCHOOL]).fetchone()[0]
    retention.set_retention_years(demo_db, actors["dirigente"], SCHOOL, 1)
    trial = retention.purge(demo_db, actors["dirigente"], SCHOOL, SchoolYear(2025), current=SchoolYear(2025),
                            dry_run=True)
    assert trial.total > 0 and trial.removed["outcomes"] > 0
    assert not demo_db.execute("SELECT 1 FROM audit_log WHERE action = 'dati_alunni_eliminati'").fetchall()
    done = retention.purge(demo_db, actors["dirigente"], SCHOOL, SchoolYear(2025), current=SchoolYear(2025))
    assert done.removed == trial.removed  # the trial told the truth
    assert rows(SCHOOL) == later and rows(OTHER) == others_before
    assert demo_db.execute("SELECT COUNT(*) FROM outcomes WHERE school_code = ? AND school_year < '2025'",
                           [SCHOOL]).fetchone()[0] == 0
    assert len(demo_db.execute("SELECT 1 FROM audit_log WHERE action = 'dati_alunni_eliminati'").fetchall()) == 1
    again = retention.purge(demo_db, actors["dirigente"], SCHOOL, SchoolYear(2025), current=SchoolYear(2025))
    assert again.total == 0
    assert again.lines() == [f"Nessun dato degli alunni precedente al 2025/26 per la scuola {SCHOOL}."]
