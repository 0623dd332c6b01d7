"""The demo's second network and the good practices its schools publish, so the catalogue shows something.

Everything here is invented. The README lists the accounts (password as in demo.py).
"""

from __future__ import annotations

import sqlite_utils

from models.accounts import auth, schools, store
from models.core.permissions import Actor
from models.practices import adoption, records
from models.protocols import protocol as protocols

NETWORK = ("RETELAGHI", "Rete dei Laghi")
SCHOOLS = [
    ("COIC00011E", "Istituto comprensivo «Riva Chiara»", "secondaria_primo_grado", "Lagobello (CO)", "Davide Marini"),
    ("COEE00012F", "Scuola primaria «Aquilone»", "primaria", "Lagobello (CO)", "Davide Marini"),
    ("COIS00013G", "Istituto superiore «Vela»", "secondaria_secondo_grado", "Porto Ceresio Alto (CO)", "Irene Sala"),
]
# username, role, full name, school (or network for the coordinator)
USERS = [
    ("coordinatore.laghi", "coordinatore_rete", "Elena Ferri", NETWORK[0]),
    ("dirigente.laghi", "dirigente", "Davide Marini", "COIC00011E"),
]
# The first network's school that adopts one of these practices.
ADOPTING_SCHOOL = "MIEE00001A"

PRACTICES = [
    # (author, published?, record)
    ("dirigente.laghi", True, records.Content(
        title="Patto di accoglienza con i mediatori culturali",
        problem=("Nei primi giorni le famiglie appena arrivate non conoscono la scuola italiana: orari, registro, "
                 "colloqui, materiali. Senza una lingua comune i primi incontri restano formali e la famiglia "
                 "non torna."),
        levels=("secondaria_primo_grado", "primaria"), targets=("neoarrivati", "famiglie"),
        themes=("mediazione", "accoglienza"),
        steps=("1. All'iscrizione la segreteria chiede la lingua della famiglia e prenota il mediatore dal "
               "servizio comunale.\n"
               "2. Entro cinque giorni il primo colloquio: famiglia, mediatore, referente per l'intercultura.\n"
               "3. Si firma un **patto di accoglienza** in due lingue: che cosa fa la scuola, che cosa fa la "
               "famiglia nelle prime sei settimane.\n"
               "4. Dopo sei settimane un secondo colloquio, sempre con il mediatore, per rivedere il patto."),
        roles=("- **Segreteria**: raccoglie la lingua e prenota il mediatore.\n"
               "- **Referente per l'intercultura**: conduce i colloqui e cura il patto.\n"
               "- **Mediatore culturale**: traduce e spiega le abitudini della scuola.\n"
               "- **Coordinatore di classe**: partecipa al secondo colloquio."),
        duration="Sei settimane per ogni nuovo arrivo, tutto l'anno",
        resources="Mediatori del servizio comunale: circa 4 ore per famiglia. Modello del patto in 8 lingue.",
        evidence_indicator="Famiglie presenti al secondo colloquio",
        evidence_result="dal 35 % (2022/23) all'82 % (2024/25)", evidence_strength="monitorata",
        transfer="Serve una convenzione con il comune o l'ambito per i mediatori, con tempi di prenotazione brevi.",
        contact_role="La funzione strumentale per l'intercultura")),
    ("coordinatore.laghi", True, records.Content(
        title="Laboratorio L2 estivo",
        problem=("Chi arriva in primavera passa l'estate senza italiano e a settembre riparte da zero; i compagni "
                 "sono già avanti."),
        levels=("primaria", "secondaria_primo_grado"), targets=("neoarrivati",), themes=("italiano_l2",),
        steps=("1. A maggio i consigli di classe segnalano gli alunni con italiano sotto l'A2.\n"
               "2. Tre settimane di laboratorio a luglio, quattro mattine a settimana, in gruppi di otto.\n"
               "3. Ogni mattina: lingua per studiare, un'uscita sul territorio, giochi in italiano.\n"
               "4. A settembre una prova breve e un incontro con i docenti della classe."),
        roles=("- **Docenti di italiano L2** della rete, a turno.\n"
               "- **Educatori del centro estivo comunale** per le uscite.\n"
               "- **Coordinatore di rete**: calendario, sedi, iscrizioni."),
        duration="Tre settimane a luglio",
        resources="Circa 120 ore di docenza per 40 alunni; aule della scuola capofila; fondi del progetto FAMI.",
        evidence_indicator="Livello QCER a settembre rispetto a maggio",
        evidence_result="il 70 % sale di un livello, contro il 25 % di chi non ha partecipato",
        evidence_strength="confrontata",
        transfer="Servono una sede aperta a luglio e docenti disponibili; le uscite si appoggiano al centro estivo.",
        contact_role="Il coordinatore della rete")),
    ("dirigente.laghi", True, records.Content(
        title="Tutor tra pari per neoarrivati",
        problem=("Un alunno neoarrivato nei primi mesi non sa a chi chiedere: dove sono le aule, come si usa il "
                 "diario, che cosa ha detto l'insegnante."),
        levels=("secondaria_primo_grado",), targets=("neoarrivati",), themes=("accoglienza",),
        steps=("1. In ogni classe due volontari fanno da tutor, a turno ogni mese.\n"
               "2. Un pomeriggio di formazione per i tutor: ascoltare, spiegare con parole semplici, chiedere aiuto "
               "all'adulto.\n"
               "3. Il tutor accompagna il compagno nei cambi d'aula, in mensa e nell'uso del diario.\n"
               "4. Ogni due settimane il coordinatore di classe sente tutor e compagno per dieci minuti."),
        roles=("- **Coordinatore di classe**: sceglie i tutor e li ascolta.\n"
               "- **Funzione strumentale**: prepara la formazione."),
        duration="I primi tre mesi dall'arrivo",
        resources="Nessun costo: un pomeriggio di formazione all'anno.",
        evidence_indicator="Alunni neoarrivati che dicono di avere un amico a scuola (questionario)",
        evidence_result="dal 40 % al 75 % in un anno", evidence_strength="monitorata",
        transfer="Funziona se i tutor cambiano spesso e nessuno resta tutor contro voglia.",
        contact_role="Il coordinatore di classe delle prime")),
    ("coordinatore.laghi", True, records.Content(
        title="Colloquio di orientamento con la famiglia in terza media",
        problem=("Le famiglie con background migratorio scelgono spesso la scuola superiore sulla base del "
                 "giudizio di un solo docente o dei conoscenti, e gli abbandoni al primo anno sono frequenti."),
        levels=("secondaria_primo_grado", "secondaria_secondo_grado"), targets=("famiglie", "seconde_generazioni"),
        themes=("orientamento", "dispersione"),
        steps=("1. A novembre un incontro di rete, con mediatori, sui percorsi dopo la terza media.\n"
               "2. A dicembre un colloquio individuale: famiglia, alunno, coordinatore, e un docente della "
               "superiore che l'alunno valuta.\n"
               "3. A gennaio una mattina di scuola aperta nella superiore scelta."),
        roles="- **Coordinatore di classe** e **referente per l'orientamento** della scuola media.",
        duration="Da novembre a gennaio",
        resources="Mediatori per l'incontro di rete; 1 ora per colloquio.",
        evidence_indicator="Alunni ancora iscritti a giugno del primo anno di superiore",
        evidence_result="91 % contro l'84 % degli anni precedenti", evidence_strength="monitorata",
        transfer="Richiede l'accordo con le scuole superiori del territorio per le mattine di scuola aperta.",
        contact_role="Il referente per l'orientamento")),
    ("dirigente.laghi", True, records.Content(
        title="Griglia comune per la prima valutazione in italiano",
        problem=("Ogni docente valutava a modo suo l'italiano degli alunni appena arrivati: i livelli non erano "
                 "confrontabili e il piano personalizzato partiva tardi."),
        levels=("primaria", "secondaria_primo_grado"), targets=("neoarrivati", "docenti"),
        themes=("valutazione", "italiano_l2"),
        steps=("1. Nella prima settimana una prova d'ingresso comune, con una griglia sui livelli QCER.\n"
               "2. Il consiglio di classe legge il risultato e decide il piano didattico personalizzato entro un "
               "mese.\n"
               "3. A febbraio e a maggio la stessa griglia misura i progressi."),
        roles="- **Docenti di italiano** per la prova; **consiglio di classe** per il piano personalizzato.",
        duration="Tutto l'anno",
        resources="Nessun costo; la griglia è allegata al protocollo della rete.",
        evidence_indicator="Giorni tra l'arrivo e il piano personalizzato",
        evidence_result="da 60 a 25 giorni in media", evidence_strength="descritta",
        transfer="La griglia va concordata nel collegio: da sola non basta.",
        contact_role="La funzione strumentale per l'intercultura")),
    ("dirigente.laghi", False, records.Content(
        title="Sportello pomeridiano per i compiti con volontari",
        problem="Molti alunni neoarrivati non hanno a casa nessuno che possa aiutarli con i compiti in italiano.",
        levels=("secondaria_primo_grado",), targets=("neoarrivati", "seconde_generazioni"),
        themes=("dispersione", "territorio"),
        steps=("1. Due pomeriggi a settimana in biblioteca comunale.\n"
               "2. Volontari dell'associazione di quartiere, formati dalla scuola."),
        duration="Da ottobre a maggio", evidence_strength="descritta",
        contact_role="Il referente per l'intercultura")),
]


def _actor(db, username: str) -> Actor:
    return auth.actor_for_user(db, store.user_id(db, username))


def install(db: sqlite_utils.Database, password: str) -> None:
    """The network, its schools and accounts, a core and a school protocol, its practices, one adoption.

    Called by demo.install_demo inside its transaction, after the first network's protocols.
    """
    system = Actor.system("demo")
    schools.create_network(db, system, *NETWORK)
    for code, name, level, comune, dirigente in SCHOOLS:
        schools.create_school(db, system, code, name, NETWORK[0], level, comune=comune, dirigente_name=dirigente)
    for username, role, full_name, place in USERS:
        auth.create_user(db, system, username, password, role,
                         school_code=place if role != "coordinatore_rete" else None,
                         network_code=place if role == "coordinatore_rete" else None, full_name=full_name)
    coordinator, dirigente = _actor(db, "coordinatore.laghi"), _actor(db, "dirigente.laghi")
    protocols.create_core(db, coordinator, NETWORK[0], "secondaria_primo_grado", "2025/26")
    protocols.create_school_protocol(db, dirigente, "COIC00011E")
    published = {}
    for author, publish, content in PRACTICES:
        practice = records.create_practice(db, _actor(db, author), content)
        if publish:
            published[content.title] = records.publish(db, coordinator, practice.id)
        else:
            records.propose(db, dirigente, practice.id)
    # A school of the first network took the summer lab into its protocol.
    core = protocols.core_for(db, "RETEDEMO", schools.Level.PRIMARIA)
    if core is not None:
        school = protocols.create_school_protocol(db, system, ADOPTING_SCHOOL)
        adoption.adopt(db, system, published["Laboratorio L2 estivo"].id, school.id)
