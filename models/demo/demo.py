"""The demo network: fictional schools and one account per role.

Everything here is invented. The README lists the accounts; the passwords
are public, so a real installation never runs `init-db --demo`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlite_utils

from models.accounts import auth, schools
from models.accounts import store as accounts_store
from models.core import changes, clock
from models.core.db import transaction
from models.core.permissions import Actor
from models.core.school_year import SchoolYear
from models.demo import second_network, store, synthetic
from models.follow_up import interventions, reviews
from models.obligation import letters
from models.protocols import comments, proposals
from models.protocols import protocol as protocols
from models.pupils import importing as pupil_data
from models.risk import history, school_risk

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
    ("regione", "regione", "Elena Marchi", None),
]


# Synthetic pupils (models/risk/synthetic.py), loaded through the real importers.
DEMO_COHORTS = [("MIIS00003C", "secondaria_secondo_grado", 450, 11), ("MIMM00002B", "secondaria_primo_grado", 300, 12)]
DEMO_YEARS = [SchoolYear(2023), SchoolYear(2024), SchoolYear(2025)]
DEMO_LAST_MONTH = 2  # the current year's data stop at February
DEMO_TEACHER_CLASSES = ["3A", "4B"]


DEMO_LETTER_LANGUAGES = ("en", "ar")


def install_demo(db: sqlite_utils.Database, *, with_protocols: bool = True, with_pupils: bool = True) -> bool:
    """Add the demo network and accounts (its protocols, its pupils); return False if already there."""
    if accounts_store.network_exists(db, NETWORK[0]):
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
                school_code=place if role not in ("admin", "coordinatore_rete", "regione") else None,
                network_code=place if role == "coordinatore_rete" else None,
                full_name=full_name,
            )
        _install_letters(db)
        if with_protocols:
            _install_protocols(db)
            # A second network with its good practices: the catalogue has something to show and to adopt.
            second_network.install(db, DEMO_PASSWORD)
        if with_pupils:
            _install_pupils(db)
            _install_obligation(db)
            _install_family_language(db)
            _install_follow_up(db)
            # The demo's outcomes follow absences: the model ties with the rules and the page says the rules stay.
            from models.risk import learn  # here, not at the top: scikit-learn costs every CLI command 0.6 s

            learn.train(db, system, NETWORK[0])
    return True


def _install_letters(db: sqlite_utils.Database) -> None:
    """The family notice in English and Arabic: example texts (they say so) for the mediators to check."""
    system = Actor.system("demo")
    for language in DEMO_LETTER_LANGUAGES:
        letters.save_text(db, system, NETWORK[0], letters.FAMILY, language, letters.example_text(letters.FAMILY,
                          language), 0, "testo di esempio da far rivedere ai mediatori")


def _install_pupils(db: sqlite_utils.Database) -> None:
    system = Actor.system("demo")
    for school_code, level, pupils, seed in DEMO_COHORTS:
        cohort = synthetic.generate(level, pupils, DEMO_YEARS, seed=seed, last_month=DEMO_LAST_MONTH,
                                    prefix=school_code[2:4])
        pupil_data.import_attendance(db, system, school_code, synthetic.attendance_csv(cohort),
                                     "demo_frequenze.csv")
        pupil_data.import_context(db, system, school_code, synthetic.context_csv(cohort), "demo_contesto.csv")
        pupil_data.import_outcomes(db, system, school_code, synthetic.outcomes_csv(cohort), "demo_esiti.csv")
    school_risk.assign_classes(db, system, "docente", DEMO_TEACHER_CLASSES)


# The review meeting of early February looked at January's list; February's data came after it.
DEMO_REVIEW = ("MIIS00003C", "2026-01", datetime(2026, 2, 5, 15, 0, tzinfo=UTC))
DEMO_INTERVENTIONS = [
    ("Colloquio con la famiglia", date(2026, 2, 9), "positivo", "Famiglia disponibile; concordato un calendario."),
    ("Mediatore linguistico-culturale", date(2026, 2, 11), "in_corso", "Mediatrice di lingua araba, due incontri."),
    ("Laboratorio di Italiano L2", date(2026, 1, 19), "parziale", ""),
    ("Tutoraggio tra pari", date(2026, 2, 16), "in_corso", ""),
    ("Piano didattico personalizzato", date(2026, 2, 20), "in_corso", "Deliberato dal consiglio di classe."),
    ("Segnalazione per inadempienza dell'obbligo", date(2026, 2, 23), "in_corso", ""),
]


def _install_follow_up(db: sqlite_utils.Database) -> None:
    """Reviews of the top of January's list with follow-ups in March, and a few interventions."""
    school_code, as_of, at = DEMO_REVIEW
    funzione = _actor(db, "funzione")
    january = history.level_history(db, school_code)
    january = january[(january["period"] == as_of) & january["level"].isin(["alto", "medio"])]
    # The top of the list: alto before medio, most absences first.
    january = january.sort_values(["level", "absence_ratio"], ascending=[True, False]).head(10)
    levels = dict(zip(january["pupil_code"], january["level"], strict=True))
    high = list(levels)
    owners = ["funzione", "docente", "dirigente"]
    for n, pupil in enumerate(high):
        reviews.record_review(db, funzione, school_code, pupil, as_of=as_of, level=levels[pupil], at=at,
                              note="Discusso nella riunione di febbraio." if n % 3 == 0 else "",
                              follow_up_on=date(2026, 3, 2 + n), follow_up_owner=owners[n % 3])
    for pupil, (kind, day, outcome, note) in zip(high, DEMO_INTERVENTIONS, strict=False):
        interventions.add_intervention(db, funzione, school_code, pupil, kind=kind, happened_on=day,
                                       owner="funzione", outcome=outcome, note=note,
                                       at=datetime.combine(day, datetime.min.time(), UTC))


# Three pupils of the first two years (of compulsory age) with day-by-day events, each case at another step.
DEMO_OBLIGATION_SCHOOL = "MIIS00003C"


def _install_obligation(db: sqlite_utils.Database) -> None:
    """Day-by-day events for three pupils of 1st–2nd year: a new case, one whose family was informed and
    whose seven days passed without attendance (the mayor step due), and one whose attendance resumed."""
    import pandas as pd

    from models.obligation import cases as obligation
    from models.obligation import rule
    from models.pupils import school_calendar

    school_code = DEMO_OBLIGATION_SCHOOL
    calendar = school_calendar.calendar_for(db, "2025/26", school_code)
    week = school_calendar.weeks(db, school_code).default

    def lessons(start: date, end: date) -> list[date]:
        days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
        return [d for d in days if rule.is_school_day(d, lambda _year: calendar, week)]

    pupils = store.obligation_pupils(db, school_code, "2026-02", 3)
    (new, new_class), (mayor, mayor_class), (back, back_class) = pupils
    plan = [  # pupil, class, unjustified whole days, justified days
        (new, new_class, lessons(date(2026, 1, 7), date(2026, 2, 27))[::2], [date(2025, 12, 10)]),
        (mayor, mayor_class, lessons(date(2025, 11, 10), date(2025, 12, 12)) + lessons(date(2026, 1, 13),
                                                                                        date(2026, 1, 23)), []),
        (back, back_class, lessons(date(2025, 10, 13), date(2025, 11, 5)) + [date(2025, 12, 2), date(2025, 12, 3)],
         [date(2025, 12, 15)]),
    ]
    events = pd.DataFrame([
        {"pupil_code": pupil, "class_name": class_name, "day": day.isoformat(), "kind": "assenza", "hours": None,
         "justified": float(justified), "seq": 0}
        for pupil, class_name, unjustified, excused in plan
        for days, justified in ((unjustified, 0), (excused, 1)) for day in days])
    # The last day of the export: a late entry of the new case's pupil, so the data reach the end of February.
    events.loc[len(events)] = {"pupil_code": new, "class_name": new_class, "day": "2026-02-27", "kind": "ritardo",
                               "hours": 1.0, "justified": 1.0, "seq": 0}
    events["period"] = events["day"].str[:7]
    events["hours"] = events["hours"].astype(float)
    months = pupil_data.events_to_months(db, school_code, events, "demo_giorno_per_giorno.csv")
    system = Actor.system("demo")
    with transaction(db):
        import_id = store.insert_attendance_import(
            db, school_code, "demo_giorno_per_giorno.csv", len(events),
            "ottobre 2025 – febbraio 2026" + pupil_data.DAY_BY_DAY, system.username, clock.to_text(clock.utcnow()))
        store.insert_events(db, school_code, import_id, [
            {"pupil_code": e.pupil_code, "day": e.day, "kind": e.kind, "seq": int(e.seq), "class_name": e.class_name,
             "hours": None if pd.isna(e.hours) else e.hours, "justified": int(e.justified)}
            for e in events.itertuples()])
        # Their months as the events make them, so the risk list and the events agree.
        store.update_months(db, school_code, [
            {"pupil_code": m.pupil_code, "period": m.period, "scheduled_hours": m.scheduled_hours,
             "absence_hours": m.absence_hours, "late_entries": int(m.late_entries),
             "early_exits": int(m.early_exits), "days_absent": m.days_absent, "justified_hours": m.justified_hours,
             "justified_days": m.justified_days} for m in months.itertuples()])
        changes.pupil_data_changed(db, school_code, tuple(sorted(months["period"].unique())))
    dirigente = _actor(db, "dirigente")
    found = {c.pupil_code: c for c in obligation.cases(db, dirigente, school_code)}
    obligation.record_family_notice(db, dirigente, school_code, found[mayor].id, date(2026, 1, 12), "87/2026",
                                    "Raccomandata A/R", date(2026, 1, 14))  # the return card's date
    obligation.record_family_notice(db, dirigente, school_code, found[back].id, date(2025, 12, 1), "1520/2025",
                                    "Consegna a mano con firma")
    obligation.cases(db, dirigente, school_code)  # the resumption of December shows in the data


def _install_family_language(db: sqlite_utils.Database) -> None:
    """The family of the pupil whose case waits for the mayor reads Arabic (as the context file would say), so
    that the case offers the family notice with the network's Arabic translation."""
    store.set_language_of_families_awaiting_the_mayor(db, DEMO_OBLIGATION_SCHOOL, "ar")


def _actor(db, username: str) -> Actor:
    return auth.actor_for_user(db, accounts_store.user_id(db, username))


def _edit(db, actor: Actor, protocol_id: int, key: str, change, note: str = "") -> int:
    section = next(s for s in protocols.list_sections(db, actor, protocol_id) if s.key == key)
    protocols.save_section(db, actor, section.id, change(section.body), section.version, note)
    return section.id


def publish(db, coordinator: Actor, core_id: int, number: str, day: date) -> None:
    """Approve and publish a network's core: schools receive it as published."""
    protocols.move(db, coordinator, core_id, "in_revisione")
    protocols.move(db, coordinator, core_id, "approvato", deliberation_date=day, deliberation_number=number)
    protocols.move(db, coordinator, core_id, "pubblicato")


def _install_protocols(db: sqlite_utils.Database) -> None:
    """A core per level (published), and one school protocol under review with history and comments."""
    coordinator, dirigente, funzione = (_actor(db, u) for u in ("coordinatrice", "dirigente", "funzione"))
    cores = {
        level: protocols.create_core(db, coordinator, NETWORK[0], level, "2025/26")
        for level in ("primaria", "secondaria_primo_grado", "secondaria_secondo_grado")
    }
    for n, core in enumerate(cores.values(), start=1):
        publish(db, coordinator, core.id, str(n), date(2025, 9, 10))
    schools.update_school_facts(db, dirigente, "MIIS00003C", comune="Valfiorita (MI)",
                                dirigente_name="Marco Bianchi", referente_intercultura="prof.ssa Sara Galli")
    school = protocols.create_school_protocol(db, dirigente, "MIIS00003C")
    _edit(db, dirigente, school.id, "tempi", lambda body: body.replace("Entro 5 giorni", "Entro 3 giorni"),
          "colloquio anticipato")
    section_id = _edit(
        db, dirigente, school.id, "fase_sociale",
        lambda body: body + "\n- **Sportello stranieri del comune di Valfiorita**: orientamento ai servizi "
        "per le famiglie, il martedì mattina.\n", "aggiunto lo sportello del comune")
    _edit(db, dirigente, school.id, "organizzazione_scuola",
          lambda body: body + "\n### Laboratori di italiano L2\n\nDue gruppi (A1 e A2), il lunedì e il giovedì "
          "dalle 14.30 alle 16.00, con docenti dell'organico dell'autonomia.\n", "orari dei laboratori")
    tempi = next(s for s in protocols.list_sections(db, dirigente, school.id) if s.key == "tempi")
    question = comments.add_comment(db, funzione, tempi.id,
                                    "Tre giorni per il colloquio sono pochi se serve il mediatore: proviamo 5?")
    comments.add_comment(db, dirigente, tempi.id, "Teniamo 3 giorni e chiediamo al comune il mediatore "
                         "con priorità.", parent_id=question.id)
    comments.add_comment(db, funzione, section_id, "Aggiungerei anche il CPIA di zona con l'indirizzo.")
    protocols.move(db, dirigente, school.id, "in_revisione")
    # A later change in the network's core, published, waiting in "Aggiornamenti dalla rete"; then a new
    # revision of the core is open (its draft reaches no school until published).
    upper = cores["secondaria_secondo_grado"].id
    protocols.move(db, coordinator, upper, "bozza")
    _edit(db, coordinator, upper, "allegati",
          lambda body: body + "7. **Calendario dei laboratori di italiano L2** della rete.\n",
          "calendario comune dei laboratori")
    publish(db, coordinator, upper, "4", date(2025, 11, 12))
    protocols.move(db, coordinator, upper, "bozza")
    # The school proposes to the network what it learnt: an open proposal on "Proposte alla rete".
    social = next(s for s in protocols.list_sections(db, dirigente, cores["secondaria_secondo_grado"].id)
                  if s.key == "fase_sociale")
    proposals.propose(db, dirigente, social.id, social.body + "\n- **Sportello stranieri del comune**: ogni scuola "
                      "ne indica giorni e orari alle famiglie al primo colloquio.\n",
                      "Da quando lo indichiamo al primo colloquio, le famiglie arrivano allo sportello nella prima "
                      "settimana: proponiamo che lo facciano tutte le scuole della rete.")
