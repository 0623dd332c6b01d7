"""The Italian text of the interface, in one place.

Pages use these names instead of writing sentences inline, so the wording
stays consistent and can be reviewed (or translated) in one file. Error
messages that come from `models/` (ApprodoError) are already Italian.
"""

APP_NAME = "Approdo"
APP_TAGLINE = "Protocolli di accoglienza e prevenzione della dispersione per le reti di scuole"

# login and session
LOGIN_TITLE = "Accesso ad Approdo"
LOGIN_INTRO = (
    "Accedi con le credenziali che ti ha dato l'amministratore della rete. "
    "Approdo tratta dati di minori: non condividere la password."
)
USERNAME = "Nome utente"
PASSWORD = "Password"
LOGIN_BUTTON = "Accedi"
LOGIN_MISSING = "Scrivi nome utente e password."
LOGOUT_BUTTON = "Esci"
LOGGED_OUT = "Sei uscito da Approdo."
SESSION_EXPIRED = "La sessione è scaduta per inattività: accedi di nuovo."
LOGIN_REQUIRED = "Per vedere questa pagina devi prima accedere."
GO_TO_LOGIN = "Vai alla pagina di accesso"
NOT_ALLOWED = "Il tuo ruolo non permette di aprire questa pagina."
LOGGED_IN_AS = "Connesso come"

# page titles
PAGE_HOME = "Home"
PAGE_ADMIN = "Amministrazione"
PAGE_LOGIN = "Accesso"

# home
WELCOME = "Benvenuta/o, {name}"
HOME_ROLE = "Ruolo: **{role}**"
HOME_SCHOOL = "Scuola: **{school}** ({code}) · {level}"
HOME_NETWORK = "Rete: **{network}**"
HOME_ALL_NETWORKS = "Amministri **{networks}** reti e **{schools}** scuole."
HOME_SCHOOLS_OF_NETWORK = "Le scuole della rete"
HOME_PRIVACY = (
    "Approdo tratta dati personali di minori. Vedi solo i dati che il tuo ruolo "
    "permette; ogni accesso ai dati degli alunni è registrato."
)

# admin
ADMIN_TITLE = "Amministrazione"
TAB_NETWORKS = "Reti"
TAB_SCHOOLS = "Scuole"
TAB_USERS = "Utenti"
TAB_AUDIT = "Registro attività"
ADD_NETWORK = "Aggiungi una rete"
ADD_SCHOOL = "Aggiungi una scuola"
ADD_USER = "Aggiungi un utente"
CODE = "Codice"
NAME = "Nome"
NETWORK = "Rete"
SCHOOL = "Scuola"
LEVEL = "Grado"
ANNUAL_HOURS = "Monte ore annuo (vuoto = valore predefinito del grado)"
COMUNE = "Comune"
DIRIGENTE = "Dirigente scolastico"
ROLE = "Ruolo"
FULL_NAME = "Nome e cognome"
INITIAL_PASSWORD = "Password iniziale (almeno 10 caratteri)"
NEW_PASSWORD = "Nuova password (almeno 10 caratteri)"
SAVE = "Salva"
CREATE = "Crea"
NETWORK_CREATED = "Rete {code} creata."
SCHOOL_CREATED = "Scuola {code} creata."
USER_CREATED = "Utente {username} creato."
MANAGE_USER = "Gestisci un utente"
DEACTIVATE = "Disattiva"
ACTIVATE = "Riattiva"
UNLOCK = "Sblocca"
SET_PASSWORD = "Imposta la password"
USER_DEACTIVATED = "Utente {username} disattivato: le sue sessioni sono chiuse."
USER_ACTIVATED = "Utente {username} riattivato."
USER_UNLOCKED = "Utente {username} sbloccato."
PASSWORD_SET = "Password di {username} aggiornata: dovrà accedere di nuovo."
NONE_YET = "Nessun elemento per ora."
NO_NETWORK_YET = "Crea prima una rete."
STATUS_ACTIVE = "attivo"
STATUS_INACTIVE = "disattivato"
STATUS_LOCKED = "bloccato"

# column headers shared by tables
COLUMNS = {
    "code": "Codice",
    "name": "Nome",
    "network": "Rete",
    "level": "Grado",
    "annual_hours": "Monte ore annuo",
    "comune": "Comune",
    "dirigente": "Dirigente",
    "username": "Utente",
    "full_name": "Nome e cognome",
    "role": "Ruolo",
    "school": "Scuola",
    "status": "Stato",
    "at": "Quando",
    "actor": "Chi",
    "action": "Azione",
    "target": "Oggetto",
    "detail": "Dettagli",
}
