"""Networks of schools and their schools, scoped by who is asking."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

import sqlite_utils

from models.accounts import store
from models.core import audit, changes, clock
from models.core.db import transaction
from models.core.errors import ApprodoError, parse_choice
from models.core.permissions import Action, Actor, Resource, SchoolRef, require, school_scope


class Level(StrEnum):
    PRIMARIA = "primaria"
    SECONDARIA_PRIMO_GRADO = "secondaria_primo_grado"
    SECONDARIA_SECONDO_GRADO = "secondaria_secondo_grado"


LEVEL_LABELS = {
    Level.PRIMARIA: "Scuola primaria",
    Level.SECONDARIA_PRIMO_GRADO: "Secondaria di primo grado",
    Level.SECONDARIA_SECONDO_GRADO: "Secondaria di secondo grado",
}

# Annual timetable used for the 25 % attendance rule when the school has not
# set its own: 30 and 32 weekly hours over 33 weeks. Primary school has no
# such rule, so no default.
DEFAULT_ANNUAL_HOURS = {
    Level.PRIMARIA: None,
    Level.SECONDARIA_PRIMO_GRADO: 990,
    Level.SECONDARIA_SECONDO_GRADO: 1056,
}

SCHOOL_CODE = re.compile(r"[A-Z0-9]{10}")
NETWORK_CODE = re.compile(r"[A-Z0-9][A-Z0-9_-]{1,29}")


@dataclass(frozen=True)
class Network:
    code: str
    name: str


@dataclass(frozen=True)
class School:
    code: str
    name: str
    network_code: str
    network_name: str
    level: Level
    annual_hours: int | None
    comune: str
    dirigente_name: str
    referente_intercultura: str = ""
    address: str = ""  # the letterhead of the school's letters (see `update_letterhead`)
    phone: str = ""
    email: str = ""
    pec: str = ""
    office_hours: str = ""
    letter_signature: str = "autografa"  # a key of SIGNATURES

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]

    @property
    def effective_annual_hours(self) -> int | None:
        return self.annual_hours or DEFAULT_ANNUAL_HOURS[self.level]


def parse_level(value: str) -> Level:
    return parse_choice(Level, value, "Grado scolastico")


def check_school_code(code: str) -> str:
    if not SCHOOL_CODE.fullmatch(code or ""):
        raise ApprodoError(
            f"Il codice meccanografico «{code}» non è valido: servono 10 lettere maiuscole o cifre."
        )
    return code


def check_network_code(code: str) -> str:
    if not NETWORK_CODE.fullmatch(code or ""):
        raise ApprodoError(
            f"Il codice di rete «{code}» non è valido: da 2 a 30 lettere maiuscole, cifre, - o _."
        )
    return code


def _check_name(name: str, what: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ApprodoError(f"Il nome {what} è obbligatorio.")
    if len(name) > 200:
        raise ApprodoError(f"Il nome {what} è troppo lungo (massimo 200 caratteri).")
    return name


# --- networks -------------------------------------------------------------


def create_network(db: sqlite_utils.Database, actor: Actor, code: str, name: str) -> Network:
    require(actor, Action.MANAGE_ACCOUNTS)
    check_network_code(code)
    name = _check_name(name, "della rete")
    with transaction(db):
        if store.network_exists(db, code):
            raise ApprodoError(f"Esiste già una rete con codice {code}.")
        store.insert_network(db, code, name, clock.to_text(clock.utcnow()))
        audit.record(db, actor, "rete_creata", code, detail=name)
    return Network(code, name)


def list_networks(db: sqlite_utils.Database, actor: Actor) -> list[Network]:
    """Admins see every network; everyone else the network they belong to."""
    scope, _ = school_scope(actor)
    rows = store.networks(db) if scope == "all" else store.networks(db, actor.network_code)
    return [Network(**row) for row in rows]


def get_network(db: sqlite_utils.Database, actor: Actor, code: str) -> Network:
    for network in list_networks(db, actor):
        if network.code == code:
            return network
    if not store.network_exists(db, code):
        raise ApprodoError(f"La rete {code} non esiste.")
    # It exists, and it is not among the actor's networks.
    require(actor, Action.SEE_SCHOOL, Resource(network_code=code, reachable=False),
            "Non hai accesso ai dati di questa rete.")
    raise AssertionError("unreachable")


# --- schools --------------------------------------------------------------

def _school(row: dict) -> School:
    return School(**{**row, "level": Level(row["level"])})


def create_school(
    db: sqlite_utils.Database,
    actor: Actor,
    code: str,
    name: str,
    network_code: str,
    level: str,
    *,
    annual_hours: int | None = None,
    comune: str = "",
    dirigente_name: str = "",
) -> School:
    require(actor, Action.MANAGE_ACCOUNTS)
    check_school_code(code)
    name = _check_name(name, "della scuola")
    parsed_level = parse_level(level)
    if annual_hours is not None and not 100 <= annual_hours <= 2000:
        raise ApprodoError("Il monte ore annuo deve essere tra 100 e 2000 ore.")
    with transaction(db):
        if not store.network_exists(db, network_code):
            raise ApprodoError(f"La rete {network_code} non esiste: creala prima della scuola.")
        if store.school_exists(db, code):
            raise ApprodoError(f"Esiste già una scuola con codice {code}.")
        store.insert_school(db, code, name, network_code, parsed_level.value, annual_hours, comune.strip(),
                            dirigente_name.strip(), clock.to_text(clock.utcnow()))
        audit.record(db, actor, "scuola_creata", code, school_code=code, detail=name)
    return get_school(db, actor, code)


def list_schools(db: sqlite_utils.Database, actor: Actor) -> list[School]:
    """The schools the actor may see, by name."""
    scope, code = school_scope(actor)
    if scope == "all":
        rows = store.schools(db)
    elif scope == "network":
        rows = store.schools(db, network_code=code)
    else:
        rows = [row for row in [store.school(db, code)] if row]
    return [_school(row) for row in rows]


def network_schools(db: sqlite_utils.Database, network_code: str) -> list[School]:
    """Every school of a network, by name (internal: for aggregates; callers check what the actor sees)."""
    return [_school(row) for row in store.schools(db, network_code=network_code)]


def get_school(db: sqlite_utils.Database, actor: Actor, code: str) -> School:
    """One school, if the actor may see it."""
    row = store.school(db, code)
    if row is None:
        raise ApprodoError(f"La scuola {code} non esiste.")
    school = _school(row)
    require(actor, Action.SEE_SCHOOL, SchoolRef(school.code, school.network_code),
            "Non hai accesso ai dati di questa scuola.")
    return school


def update_school_facts(
    db: sqlite_utils.Database,
    actor: Actor,
    code: str,
    *,
    comune: str,
    dirigente_name: str,
    referente_intercultura: str,
    annual_hours: int | None = None,
) -> School:
    """The facts a school keeps about itself (they fill the protocol's placeholders)."""
    school = get_school(db, actor, code)
    require(actor, Action.MANAGE_SCHOOL, SchoolRef(school.code),
            "Solo il dirigente della scuola può modificarne i dati.")
    if annual_hours is not None and not 100 <= annual_hours <= 2000:
        raise ApprodoError("Il monte ore annuo deve essere tra 100 e 2000 ore.")
    values = {"comune": comune, "dirigente_name": dirigente_name, "referente_intercultura": referente_intercultura}
    for label, value in values.items():
        if len(value.strip()) > 200:
            raise ApprodoError(f"Il campo {label} è troppo lungo (massimo 200 caratteri).")
    with transaction(db):
        store.update_school_facts(db, code, comune.strip(), dirigente_name.strip(), referente_intercultura.strip(),
                                  annual_hours)
        audit.record(db, actor, "scuola_modificata", code, school_code=code)
        if annual_hours != school.annual_hours:  # the projection against the legal limit uses it
            changes.pupil_data_changed(db, code)
    return get_school(db, actor, code)


# --- the letterhead of the school's letters, and how they are signed -------------------------------------

SIGNATURES = {
    "autografa": "Firma autografa del dirigente",
    "a_mezzo_stampa": "Firma autografa sostituita a mezzo stampa ai sensi dell'art. 3, comma 2, del D.Lgs. 39/1993",
    "digitale": "Documento firmato digitalmente ai sensi del D.Lgs. 82/2005 (Codice dell'amministrazione digitale)",
}
LETTERHEAD_FIELDS = {"address": "indirizzo", "phone": "telefono", "email": "e-mail", "pec": "PEC",
                     "office_hours": "orari della segreteria"}
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def update_letterhead(db: sqlite_utils.Database, actor: Actor, code: str, *, address: str = "", phone: str = "",
                      email: str = "", pec: str = "", office_hours: str = "",
                      signature: str = "autografa") -> School:
    """The school's letterhead (address, telephone, e-mail, PEC, office hours) and the signature wording of its
    letters: a hand signature, one replaced by print (art. 3 c. 2 D.Lgs. 39/1993) or a digital signature."""
    school = get_school(db, actor, code)
    require(actor, Action.MANAGE_SCHOOL, SchoolRef(school.code),
            "Solo il dirigente della scuola può modificarne i dati.")
    values = {"address": address, "phone": phone, "email": email, "pec": pec, "office_hours": office_hours}
    values = {key: " ".join((value or "").split()) for key, value in values.items()}
    for key, value in values.items():
        if len(value) > 200:
            raise ApprodoError(f"Il campo {LETTERHEAD_FIELDS[key]} è troppo lungo (massimo 200 caratteri).")
    for key in ("email", "pec"):
        if values[key] and not _EMAIL.fullmatch(values[key]):
            raise ApprodoError(f"L'indirizzo {LETTERHEAD_FIELDS[key]} «{values[key]}» non è valido.")
    if signature not in SIGNATURES:
        raise ApprodoError("Firma delle lettere: scegli tra autografa, a_mezzo_stampa e digitale.")
    with transaction(db):
        store.update_letterhead(db, school.code, **values, signature=signature)
        audit.record(db, actor, "scuola_intestazione", school.code, school_code=school.code)
    return get_school(db, actor, code)




def dirigente_full_name(db: sqlite_utils.Database, actor: Actor, code: str) -> str:
    """Who signs the school's documents: its dirigente's account, else the name in the school's facts."""
    school = get_school(db, actor, code)
    return store.dirigente_full_name(db, school.code) or school.dirigente_name


# The age at which pupils enter each level (for the age-grade delay).
ENTRY_AGE = {Level.PRIMARIA: 6, Level.SECONDARIA_PRIMO_GRADO: 11, Level.SECONDARIA_SECONDO_GRADO: 14}
