"""The demo network: fictional schools and one account per role.

Everything here is invented. The README lists the accounts; the passwords
are public, so a real installation never runs `init-db --demo`.
"""

from __future__ import annotations

import sqlite_utils

from models import auth, schools
from models.db import transaction
from models.permissions import Actor

NETWORK = ("RETEDEMO", "Rete di esempio")

SCHOOLS = [
    # code, name, level, comune, dirigente
    ("MIEE00001A", "Scuola primaria «Girasole»", "primaria", "Borgo Sereno (MI)", "Anna Verdi"),
    ("MIMM00002B", "Scuola secondaria di primo grado «Tiglio»", "secondaria_primo_grado",
     "Borgo Sereno (MI)", "Anna Verdi"),
    ("MIIS00003C", "Istituto di istruzione superiore «Ponte Nuovo»", "secondaria_secondo_grado",
     "Valfiorita (MI)", "Marco Bianchi"),
    ("MIRI00004D", "Istituto professionale «Arti e Mestieri»", "secondaria_secondo_grado",
     "Valfiorita (MI)", "Giulia Neri"),
]

DEMO_PASSWORD = "approdo-demo"

# username, role, full name, school (or network for the coordinator)
USERS = [
    ("admin", "admin", "Amministratore demo", None),
    ("coordinatrice", "coordinatore_rete", "Laura Rossi", NETWORK[0]),
    ("dirigente", "dirigente", "Marco Bianchi", "MIIS00003C"),
    ("funzione", "funzione_strumentale", "Sara Galli", "MIIS00003C"),
    ("docente", "docente", "Paolo Conti", "MIIS00003C"),
]


def install_demo(db: sqlite_utils.Database) -> bool:
    """Add the demo network and accounts; return False if they are already there."""
    if db.execute("SELECT 1 FROM networks WHERE code = ?", [NETWORK[0]]).fetchone():
        return False
    system = Actor.system("demo")
    with transaction(db):
        schools.create_network(db, system, *NETWORK)
        for code, name, level, comune, dirigente in SCHOOLS:
            schools.create_school(
                db, system, code, name, NETWORK[0], level, comune=comune, dirigente_name=dirigente
            )
        for username, role, full_name, place in USERS:
            auth.create_user(
                db,
                system,
                username,
                DEMO_PASSWORD,
                role,
                school_code=place if role not in ("admin", "coordinatore_rete") else None,
                network_code=place if role == "coordinatore_rete" else None,
                full_name=full_name,
            )
    return True
