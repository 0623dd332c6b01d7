"""How long a school keeps pupil-level data, and the end-of-year purge.

The school sets how many school years it keeps (the current one included);
`purge` removes everything pupil-level from the school years before a given
one, refusing to cut into the years the school decided to keep.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlite_utils

from models.accounts.schools import get_school
from models.core import audit, changes
from models.core.db import transaction
from models.core.errors import ApprodoError
from models.core.permissions import Action, Actor, SchoolRef, require
from models.core.school_year import SchoolYear
from models.pupils import store
from models.pupils.importing import refresh_months

MIN_YEARS, MAX_YEARS = 1, 10

# What a purge removes, in the order it reports it.
TABLE_LABELS = {
    "attendance": "righe di frequenza mensile",
    "outcomes": "esiti di fine anno",
    "pupil_context": "schede di contesto di alunni senza altri dati",
    "reviews": "revisioni",
    "interventions": "interventi",
    "derogations": "ore in deroga al limite del 25 %",
    "access_log": "voci del registro degli accessi",
}


def retention_years(db: sqlite_utils.Database, actor: Actor, school_code: str) -> int:
    get_school(db, actor, school_code)  # checks the actor may see the school
    return store.retention_years(db, school_code)


def set_retention_years(db: sqlite_utils.Database, actor: Actor, school_code: str, years: int) -> None:
    require(actor, Action.MANAGE_SCHOOL, SchoolRef(school_code),
            "Solo il dirigente della scuola decide per quanto si conservano i dati.")
    if not MIN_YEARS <= years <= MAX_YEARS:
        raise ApprodoError(f"Scegli da {MIN_YEARS} a {MAX_YEARS} anni scolastici.")
    with transaction(db):
        store.set_retention_years(db, school_code, years)
        audit.record(db, actor, "conservazione_dati", school_code, school_code=school_code, detail=f"{years} anni")


def earliest_kept(years: int, current: SchoolYear) -> SchoolYear:
    """The oldest school year the retention keeps (with 3 years in 2026/27: 2024/25)."""
    return SchoolYear(current.start - years + 1)


@dataclass(frozen=True)
class PurgeReport:
    school_code: str
    before: SchoolYear
    removed: dict[str, int] = field(default_factory=dict)  # table -> rows
    dry_run: bool = False

    @property
    def total(self) -> int:
        return sum(self.removed.values())

    def lines(self) -> list[str]:
        verb = "Si eliminerebbero" if self.dry_run else "Eliminati"
        if not self.total:
            return [f"Nessun dato degli alunni precedente al {self.before} per la scuola {self.school_code}."]
        return [f"{verb} i dati degli alunni precedenti al {self.before} (scuola {self.school_code}):"] + [
            f"- {count} {TABLE_LABELS[table]}" for table, count in self.removed.items() if count]


def purge(db: sqlite_utils.Database, actor: Actor, school_code: str, before: SchoolYear, *,
          current: SchoolYear | None = None, dry_run: bool = False) -> PurgeReport:
    """Remove the school's pupil-level data of the school years before `before`, in one transaction."""
    require(actor, Action.MANAGE_SCHOOL, SchoolRef(school_code),
            "Solo il dirigente della scuola o l'amministratore del server eliminano i dati.")
    years = retention_years(db, actor, school_code)
    current = current or SchoolYear.current()
    kept = earliest_kept(years, current)
    if before > kept:
        raise ApprodoError(
            f"La scuola conserva i dati per {years} anni scolastici (dal {kept} in poi): non si può eliminare il"
            f" {SchoolYear(before.start - 1)}. Usa --before {kept} o un anno precedente, oppure cambia la durata"
            " della conservazione.")
    month, day, first_year = before.first_month, before.first_day.isoformat(), f"{before.start:04d}"
    removed: dict[str, int] = {}  # in the order of TABLE_LABELS
    try:
        with transaction(db):
            removed = store.purge(db, school_code, month, day, first_year)
            refresh_months(db, school_code)
            if dry_run:
                raise _DryRun
            changes.pupil_data_changed(db, school_code)
            audit.record(db, actor, "dati_alunni_eliminati", school_code, school_code=school_code,
                         detail=f"prima del {before}: " + ", ".join(f"{t} {n}" for t, n in removed.items() if n))
    except _DryRun:
        pass
    return PurgeReport(school_code, before, removed, dry_run)


class _DryRun(Exception):
    """Raised inside the transaction to roll back a trial purge."""
