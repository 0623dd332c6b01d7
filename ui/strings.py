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
SESSION_EXPIRED = "La sessione è terminata (uscita da un'altra scheda o per inattività): accedi di nuovo."
LOGIN_REQUIRED = "Per vedere questa pagina devi prima accedere."
GO_TO_LOGIN = "Vai alla pagina di accesso"
NOT_ALLOWED = "Il tuo ruolo non permette di aprire questa pagina."
LOGGED_IN_AS = "Connesso come"

# page titles
PAGE_HOME = "Home"
PAGE_ADMIN = "Amministrazione"
PAGE_LOGIN = "Accesso"
# the menu's headings
MENU_PROTOCOLS = "Protocolli"
MENU_PRACTICES = "Buone pratiche"
MENU_PUPILS = "Alunni"
MENU_NETWORK = "Rete"
MENU_ADMIN = "Gestione"

# home
WELCOME = "Benvenuta/o, {name}"
HOME_ROLE = "Ruolo: **{role}**"
HOME_SCHOOL = "Scuola: **{school}** ({code}) · {level}"
HOME_NETWORK = "Rete: **{network}**"
HOME_ALL_NETWORKS = "Amministri **{networks}** e **{schools}**."  # the counts with their nouns (plural below)
HOME_REGION_NETWORKS = ("Il programma conta **{networks}** e **{schools}**: le cifre di ogni rete sono nella "
                        "Vista regionale.")
HOME_SCHOOLS_OF_NETWORK = "Le scuole della rete"
HOME_SCHOOLS_OF_NETWORKS = "Le scuole delle reti"
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
    "email": "E-mail (accesso unico)",
    "at": "Quando",
    "actor": "Chi",
    "action": "Azione",
    "target": "Oggetto",
    "detail": "Dettagli",
}

# protocols
PAGE_PROTOCOLS = "Protocolli"
PAGE_EDITOR = "Modifica protocollo"
PAGE_HISTORY = "Storico e confronti"
PROTOCOLS_TITLE = "Protocolli di accoglienza"
PROTOCOLS_INTRO = (
    "Il protocollo comune della rete vale per tutte le scuole dello stesso grado; ogni scuola lo adatta "
    "nelle sezioni adattabili e aggiunge le proprie."
)
NO_PROTOCOLS = "Non ci sono ancora protocolli visibili per te."
OPEN_EDITOR = "Apri"
OPEN_HISTORY = "Storico"
CREATE_CORE = "Crea un protocollo comune della rete"
CREATE_CORE_HELP = "Parte da un modello scritto sulle linee guida nazionali; potrai modificarlo sezione per sezione."
TEMPLATE = "Modello"
SCHOOL_YEAR = "Anno scolastico (es. 2025/26)"
CORE_CREATED = "Protocollo comune creato."
ALL_CORES_EXIST = "La rete ha già un protocollo comune per ogni grado."
START_SCHOOL_PROTOCOL = "Avvia il protocollo della scuola"
START_SCHOOL_PROTOCOL_HELP = "Il protocollo della scuola parte dal protocollo comune della rete per il suo grado."
SCHOOL_PROTOCOL_CREATED = "Protocollo della scuola creato: aprilo per adattarlo."
SCHOOL_FACTS = "Dati della scuola per il protocollo"
SCHOOL_FACTS_HELP = "Compaiono nel protocollo al posto dei segnaposto come {{ scuola.comune }}."
REFERENTE = "Referente per l'intercultura (funzione strumentale)"
FACTS_SAVED = "Dati della scuola salvati."
CHOOSE_PROTOCOL = "Protocollo"
CHOOSE_SECTION = "Sezione"
PROTOCOL_PARAM_INVALID = "Il collegamento non indica un protocollo valido: sceglilo dall'elenco."
STATUS = "Stato"
# The protocol's number, moved on by every change: the Word/PDF footer prints it as "Versione N".
PROTOCOL_VERSION = "Versione del protocollo"
PROTOCOL_VERSION_SHORT = "versione"
DELIBERATION = "Delibera n. {number} del {date}"
CORE_BADGE = "protocollo comune della rete"
GUIDANCE = "Indicazioni per chi scrive"
PREVIEW = "Anteprima"
SECTION_TEXT = "Testo della sezione"
RICH_SECTION_TEXT = "Testo formattato della sezione"
RICH_NO_UNDERLINE = ("La sottolineatura non è disponibile: Word e PDF non la conserverebbero. Usa il grassetto o il "
                     "corsivo.")
MARKDOWN_SOURCE = "Testo in Markdown (per chi preferisce scriverlo)"
MARKDOWN_SOURCE_HELP = ("Lo stesso testo dell'editor qui sopra, scritto in Markdown: quello che cambi qui passa "
                        "all'editor quando premi Ctrl+Invio o esci dal campo.")
INSERT_TABLE = "Aggiungi una tabella in fondo"
TABLE_ROWS = "Righe (oltre all'intestazione)"
TABLE_COLUMNS = "Colonne"
INSERT_AT_END = "Aggiungi in fondo al testo"
INSERT_FACT = "Aggiungi un dato della scuola in fondo"
INSERT_FACT_WHICH = "Dato"
SAVE_NOTE = "Nota sulla modifica (facoltativa)"
SAVE_SECTION = "Salva una nuova versione"
SAVED_VERSION = "Salvata la versione {version}."
READ_ONLY_LOCKED = "Sezione comune a tutta la rete: la scuola non la modifica."
READ_ONLY_ROLE = "Puoi leggere questo protocollo ma non modificarlo."
# Shown only to who may edit it (the dirigente for the school, the coordinator for the core): the reader does it.
READ_ONLY_STATUS = "Il protocollo è {status}: per modificarlo apri una nuova revisione (torna in bozza)."
SHOWING_VERSION = "Versione {version} ({author}, {when})."
EDITING_VERSION = "Stai modificando a partire dalla versione {version} ({author}, {when})."
CONFLICT_THEIRS = "Il testo salvato da {author} (versione {version})"
CONFLICT_THEIRS_OWN = "Il testo salvato dall'altra scheda (versione {version})"
CONFLICT_YOURS = "Il tuo testo (non salvato)"
CONFLICT_DIFF = "Differenze tra il suo testo e il tuo"
CONFLICT_KEEP_MINE = "Continua con il mio testo sulla versione attuale"
CONFLICT_TAKE_THEIRS = "Riparti dal suo testo"
PLACEHOLDERS_HELP = "Segnaposto che puoi usare"
FORMAT_HELP = (
    "Formato: paragrafi separati da una riga vuota (un a capo resta un a capo), **grassetto**, *corsivo*, "
    "elenchi con `-` o `1.`, tabelle con `|`, titoli con `###`."
)
ADD_LOCAL_SECTION = "Aggiungi una sezione della scuola"
SECTION_TITLE = "Titolo della sezione"
LOCAL_SECTION_ADDED = "Sezione «{title}» aggiunta."
WORKFLOW = "Stato del protocollo"
DELIBERATION_NUMBER = "Numero della delibera"
DELIBERATION_BODY = "Organo che ha deliberato"
LOGO_TITLE = "**Logo della scuola**"
LOGO_HELP = ("Compare nell'intestazione della copertina del protocollo (Word e PDF). Immagine PNG o JPEG, "
             "al massimo 2 MB; va bene il logo dell'intestazione della carta della scuola.")
LOGO_UPLOAD = "Carica il logo"
LOGO_SAVE = "Salva il logo"
LOGO_SAVED = "Logo salvato: comparirà nelle prossime esportazioni."
LOGO_REMOVE = "Togli il logo"
MOVED = "Il protocollo ora è: {status}."
NO_COMMENTS = "Nessun commento su questa sezione."
ADD_COMMENT = "Scrivi un commento"
COMMENT_TEXT = "Commento"
COMMENT_PRIVACY = "Non scrivere nei commenti nomi di alunni né dati personali."
SEND = "Invia"
REPLY = "Rispondi"
RESOLVE = "Segna come risolto"
RESOLVED = "risolto"
COMMENT_ADDED = "Commento aggiunto."
NO_BASE = "—"  # a version based on no other one (history page)
TAB_VERSIONS = "Versioni"
TAB_VS_CORE = "Rispetto al protocollo comune"
TAB_VS_SCHOOL = "Rispetto a un'altra scuola"
TAB_EVENTS = "Registro dello stato"
COMPARE_FROM = "Versione precedente"
COMPARE_TO = "Versione successiva"
NO_DIFFERENCE = "Nessuna differenza."
DIFF_SUMMARY = "{added}, {removed}."
LOCAL_NO_CORE = "Questa è una sezione della scuola: non ha un corrispondente nel protocollo comune."
CORE_NO_COMPARE = "Questo è il protocollo comune: il confronto con il comune vale per i protocolli delle scuole."
OTHER_SCHOOL = "Scuola da confrontare"
NO_OTHER_SCHOOL = "Non ci sono altri protocolli di scuole che puoi leggere."
SECTION_MISSING = "(sezione assente)"

# Word documents
EXPORT_TITLE = "Esporta"
DOWNLOAD_DOCX = "Scarica in Word"
DOWNLOAD_PDF = "Scarica in PDF"
PDF_NEEDS_LIBREOFFICE = "Il PDF richiede LibreOffice, che su questo server non è installato: scarica il Word."
EXPORT_NETWORK = "Esporta tutti i protocolli della rete (zip)"
EXPORT_NETWORK_HELP = "Un file Word per ogni scuola e per il protocollo comune, con un indice in Excel."
PREPARE_ZIP = "Prepara lo zip"
PREPARING = "Preparo {label}…"
DOWNLOAD_ZIP = "Scarica lo zip"
WORD_TEMPLATE = "Modello Word della rete"
WORD_TEMPLATE_HELP = (
    "Potete usare un vostro modello .docx con le variabili: titolo, scuola_nome, scuola_codice, scuola_comune, "
    "rete_nome, anno_scolastico, stato, versione, data, delibera_organo, delibera_data, delibera_numero, "
    "dirigente_nome, logo; il ciclo sulle sezioni (sezione.numero, sezione.titolo, sezione.corpo) e quello "
    "sull'indice (voce.livello, voce.testo, voce.pagina); i filtri upper, lower, title, capitalize, trim, default e "
    "length, e if/else; niente funzioni, calcoli o altri cicli. Partite dal modello predefinito."
)
DOWNLOAD_DEFAULT_TEMPLATE = "Scarica il modello predefinito"
UPLOAD_TEMPLATE = "Carica un modello .docx"
TEMPLATE_SAVED = "Modello Word della rete salvato: le prossime esportazioni lo useranno."
TEMPLATE_RESET = "Torna al modello predefinito"
TEMPLATE_IS_CUSTOM = "La rete usa un suo modello Word."
TEMPLATE_WAS_RESET = "La rete usa di nuovo il modello predefinito."
IMPORT_TITLE = "Importa un protocollo Word esistente"
IMPORT_HELP = (
    "Le sezioni del documento diventano sezioni del protocollo della scuola, come bozza. Controlla dove va "
    "ogni sezione prima di importare; nulla viene salvato finché non confermi."
)
IMPORT_UPLOAD = "Documento .docx"
IMPORT_TARGET = "Va nella sezione"
IMPORT_NEW_LOCAL = "nuova sezione della scuola"
IMPORT_PLACE_TARGET = "Finirà nella sezione {position} del protocollo, «{title}», al posto del testo attuale."
IMPORT_PLACE_NEW = "Finirà in una nuova sezione della scuola, la {position}ª del protocollo (in fondo)."
IMPORT_FOLLOWS_CORE = "Il protocollo segue il comune della rete: «{core}». Le sezioni bloccate non si sostituiscono."
IMPORT_WITHOUT_CORE = ("La rete non ha ancora un protocollo comune per questo grado: le sezioni importate saranno "
                       "tutte della scuola.")
IMPORT_CONFIRM = "Importa"
IMPORT_DONE = "Protocollo importato: {count} sezioni. Aprilo per rivederlo."

# pupil data
PAGE_UPLOAD = "Carica dati"
PAGE_RISK = "Rischio dispersione"
UPLOAD_TITLE = "Carica i dati del registro"
UPLOAD_INTRO = (
    "Carica i file esportati dal registro elettronico (CSV o Excel). Servono solo i codici degli alunni, "
    "mai i nomi. Nulla viene salvato se il file ha errori; ricaricare un mese lo sostituisce solo per le classi "
    "del file: le altre classi restano."
)
PREVIEW_HIDDEN = ("Anteprima delle prime righe: le celle con parole che potrebbero essere nomi sono nascoste (•••), "
                  "perché Approdo non mostra né conserva i nomi degli alunni.")
KIND_CHOICE = "Che cosa carichi"
KIND_LABELS = {"attendance": "Frequenze mensili", "context": "Contesto degli alunni",
               "outcomes": "Esiti degli anni passati"}
UPLOAD_FILE = "File CSV o Excel"
MAPPING_TITLE = "Corrispondenza delle colonne"
MAPPING_HELP = "Approdo ha proposto una corrispondenza dalle intestazioni: controllala prima di importare."
PRESET = "Corrispondenza salvata"
PRESET_NONE = "(proposta da Approdo)"
NOT_MAPPED = "— nessuna —"
PRESET_NAME = "Nome per salvare questa corrispondenza"
SAVE_PRESET = "Salva la corrispondenza"
PRESET_SAVED = "Corrispondenza «{name}» salvata."
CHECK = "Controlla senza importare"
IMPORT = "Importa"
IMPORTING = "Importazione in corso…"
REPORT_DOWNLOAD = "Scarica l'elenco dei problemi (CSV)"
HISTORY_TITLE = "Importazioni fatte"
DELETE_IMPORT = "Elimina l'importazione selezionata"
IMPORT_DELETED = "Importazione eliminata: tolte {rows} righe."
SHEET = "Foglio con la tabella"
SHEET_LABEL = "{number}. {name}"
HEADER_ROW = "Riga delle intestazioni"
TABLE_SHEET = "dal foglio «{name}»"
TABLE_CSV = "dal CSV (codifica {encoding}, separatore «{separator}»)"
TABLE_FOUND = "Tabella letta {where}, intestazioni alla riga {row} ({how}). Ecco le prime righe come Approdo le legge."
TABLE_FOUND_AUTO = "trovata da Approdo: cambiala qui sopra se non è giusta"
TABLE_FOUND_CHOSEN = "scelta da te"
TABLE_TITLES = "Righe di titolo saltate: {lines}"
EVENTS_LAYOUT = ("Questo file è un elenco giorno per giorno (una riga per assenza, ritardo o uscita): Approdo "
                 "conserva gli eventi e ne ricava i mesi; il monte ore viene dalla settimana della classe (ore di "
                 "ogni giorno) sui giorni di lezione del calendario della scuola. Le righe per ora di lezione "
                 "sono sommate giorno per giorno.")
RISK_TITLE = "Rischio di dispersione"
RISK_AS_OF = "Dati al mese"
PARTIAL_MONTHS_LEFT_OUT = ("Mesi parziali, lasciati fuori dai conteggi finché le classi mancanti non sono "
                           "caricate: {months}.")
RISK_MONTH_PARTIAL = "{month} (parziale, senza {missing})"
RISK_PARTIAL_MONTH = ("Mese parziale, non è il mese della scuola: {description}. L'elenco mostra solo le classi "
                      "caricate; gli alunni delle altre risultano con dati fermi.")
RISK_INTRO = (
    "Elenco per il lavoro della funzione strumentale e dei consigli di classe: non va mostrato ad alunni o "
    "famiglie. Ogni consultazione è registrata."
)
RISK_NO_DATA = "Non ci sono ancora dati di frequenza: caricali dalla pagina «Carica dati»."
RISK_TEACHER_SCOPE = "Vedi solo gli alunni delle tue classi: {classes}."
RISK_TEACHER_NO_CLASSES = "Non hai classi assegnate: chiedi al dirigente di assegnarle."
FILTER_CLASSES = "Classi"
FILTER_LEVELS = "Livelli"
RISK_TABLE_HELP = "Seleziona una riga per aprire la scheda dell'alunno."
RISK_PUPIL = "Alunno {code} · classe {class_name}"
RISK_RULES = "Come si calcolano i livelli"
RISK_DOWNLOAD_XLSX = "Scarica l'elenco (Excel)"
RISK_DOWNLOAD_CSV = "Scarica l'elenco (CSV)"
RISK_DOWNLOADS = "Per il consiglio di classe"
RISK_DOWNLOAD_WHAT = "I file seguono i filtri: {what} ({pupils})."
RISK_DOWNLOAD_WHOLE = "Scarica tutta la scuola (Excel, senza filtri)"
PACK_DOWNLOAD_DOCX = "Pacchetto (Word)"
PACK_DOWNLOAD_PDF = "Pacchetto (PDF)"
PACK_PUPIL_DOCX = "Scheda per il consiglio (Word)"
PACK_PUPIL_PDF = "Scheda per il consiglio (PDF)"
PACK_HELP = ("Una pagina per classe (alunni per livello, verifiche e interventi, andamento delle assenze) e una"
             " per alunno: solo codici. I nomi si rimettono sul computer della scuola con «cli.py add-names»"
             " (vedi README).")
RISK_DOWNLOAD_NOTE = ("I file contengono dati personali di minori: sono per i consigli di classe, non vanno "
                      "inoltrati né pubblicati. Ogni scaricamento è registrato.")
ACCESS_LOG = "Registro degli accessi ai dati degli alunni"
ALL_CLASSES = "Tutte le classi"
ALL_LEVELS = "Tutti i livelli"
TEACHER_CLASSES = "Classi del docente (separate da virgole, es. 3A, 4B)"
CLASSES_SAVED = "Classi di {username} salvate."
RISK_RULES_TITLE = "Soglie dei livelli di rischio della rete"
RISK_RULES_HELP = (
    "Valgono per tutte le scuole della rete. Il limite del 25 % per la validità dell'anno è di legge e non "
    "si cambia. Il coordinatore non vede mai i dati degli alunni: qui si scelgono solo le soglie."
)
RULE_LABELS = {
    "chronic": "Assenza cronica (% del monte ore)",
    "severe": "Assenza grave (% del monte ore)",
    "trend_points": "Aumento recente che conta (punti %)",
    "late_per_month": "Ingressi posticipati o uscite anticipate al mese",
    "context_factors": "Fattori di contesto per il livello medio",
    "min_months": "Mesi minimi di dati",
}
RULES_SAVED = "Soglie della rete salvate."
REPLACE_WARNING = (
    "{reason} Ricaricare una classe ne sostituisce il mese (le altre classi restano): importa solo se il file "
    "contiene la classe intera."
)
CONFIRM_REPLACE = "Sostituisci comunque e importa"
MONTHS_HELD_TITLE = "Classi caricate per mese"
MONTHS_HELD_HELP = ("Un file sostituisce un mese solo per le classi che contiene. Un mese a cui mancano classi "
                    "dell'anno è parziale: l'elenco del rischio e i cruscotti non lo usano come mese della scuola.")
MONTHS_HELD_MONTH = "Mese"
MONTHS_HELD_CLASSES = "Classi caricate"
MONTHS_HELD_MISSING = "Classi mancanti"
MONTHS_HELD_WHOLE = "nessuna: mese completo"

# --- review workspace and pupil page ---------------------------------------------------
PAGE_PUPIL = "Scheda alunno"
SUBJECT_TITLE = "Assenze per materia"
SUBJECT_HELP = ("Dal prospetto per materia del registro: ore di assenza su ore di lezione di ogni materia, "
                "mese per mese.")
SUBJECT_COLUMN = "Materia"
SUBJECT_CELL = "{absent} su {lessons} ({pct})"
CHANGES_TITLE = "Da rivedere"
CHANGES_NO_REVIEW = "Nessuna revisione registrata finora: ecco gli alunni ad alto rischio da rivedere."
CHANGES_SINCE = "Dall'ultima revisione ({when}, sui dati di {month}):"
CHANGES_NO_NEW_DATA = "Ultima revisione il {when}: non ci sono dati più recenti da allora."
CHANGES_NEW_HIGH = "Nuovi ad alto rischio"
CHANGES_ROSE = "Livello salito"
CHANGES_FELL = "Livello sceso"
CHANGES_DUE = "Verifiche da fare"
CHANGES_NONE = "Nessuno."
CHANGES_MORE = "… e altri {n}: usa i filtri dell'elenco."
DUE_LINE = "verifica del {date}, referente {owner}"
DUE_LATE = " · in ritardo da {days}"
DUE_TODAY = " · da fare oggi"
OPEN_PUPIL = "Apri la scheda dell'alunno"
PUPIL_CHOOSE = "Alunno"
PUPIL_CHOOSE_HELP = "Scrivi il codice del registro o sceglilo dall'elenco."
PUPIL_NONE = "Non ci sono alunni che puoi vedere."
PUPIL_HEADER = "Alunno {code} · classe {class_name}"
PUPIL_LEVEL_NOW = "Livello attuale: **{level}** (dati al mese di {month})."
PUPIL_CHART_TITLE = "Assenze mese per mese (% del monte ore) e interventi"
PUPIL_LEVEL_STRIP = "Livello di rischio mese per mese"
PUPIL_REASONS = "Perché"
PUPIL_NO_REASONS = "Nessun segnale di rischio."
PUPIL_READ_ONLY = "Sola lettura: revisioni e interventi li registrano il dirigente e la funzione strumentale."
METRIC_ABSENCE = "Assenze finora"
METRIC_PROJECTION = "Proiezione a fine anno (ritmo degli ultimi {n} mesi)"
PROJECTION_BOUNDS = "A fine anno: se da oggi non fa altre assenze, {floor}; al ritmo tenuto finora, {steady}."
METRIC_HOURS_LEFT = "Ore prima del 25 %"
DEROGATION_OF_WHICH = ("Ore di assenza: {absent}, di cui {hours} in deroga (DPR 122/2009 art. 14 c. 7). Restano nel "
                       "conteggio e nella proiezione: decide il consiglio di classe se l'anno è valido.")
DEROGATIONS_TITLE = "Deroghe al limite del 25 %"
DEROGATIONS_HELP = ("Il collegio dei docenti delibera i criteri di deroga (motivi di salute e terapie, sport "
                    "certificato, giorni di riposo religioso previsti dalle intese con lo Stato, gravi motivi di "
                    "famiglia); il dirigente registra qui le ore di assenza dell'alunno che vi rientrano, con il "
                    "motivo e la data. Approdo le mostra a parte e non le toglie mai dal conteggio: **decide il "
                    "consiglio di classe**, allo scrutinio, se l'anno è valido (DPR 122/2009 art. 14 c. 7).")
DEROGATIONS_NONE = "Nessuna ora in deroga registrata per questo alunno."
DEROGATION_YEAR = "Anno scolastico"
DEROGATION_HOURS = "Ore in deroga"
DEROGATION_REASON = "Motivo (criterio del collegio)"
DEROGATION_DAY = "Data della decisione"
DEROGATION_FOR_YEAR = "Anno scolastico delle assenze"
DEROGATION_FOR_YEAR_HELP = ("Le ore in deroga contano nell'anno delle assenze che coprono, anche se la decisione è "
                            "presa dopo (per esempio a settembre per le assenze di giugno).")
DEROGATION_NOTE = "Nota (senza dati sanitari)"
DEROGATION_FORM = "Registra ore in deroga"
DEROGATION_SAVE = "Registra le ore in deroga"
DEROGATION_SAVED = "Ore in deroga registrate."
DEROGATION_CRITERIA_TITLE = "Criteri di deroga del collegio dei docenti"
DEROGATION_CRITERIA = "Criteri deliberati, uno per riga"
DEROGATION_RESOLUTION = "Delibera del collegio (numero e data)"
DEROGATION_CRITERIA_SAVED = "Criteri di deroga salvati."
METRIC_LATE = "Entrate/uscite al mese"
REVIEWS_TITLE = "Revisioni e verifiche"
REVIEWS_NONE = "Nessuna revisione per questo alunno."
REVIEW_FORM = "Segna come rivisto"
REVIEW_NOTE = "Nota breve (facoltativa)"
PRIVACY_NOTE = ("Scrivi solo ciò che serve al lavoro con l'alunno: niente dati sanitari o dettagli familiari non "
                "necessari. Le note sono visibili al personale della scuola.")
FOLLOW_UP_PLAN = "Programma una verifica"
FOLLOW_UP_DATE = "Prossima verifica"
FOLLOW_UP_OWNER = "Referente della verifica"
REVIEW_SAVE = "Registra la revisione"
REVIEW_SAVED = "Revisione registrata."
CLOSE_FOLLOW_UP = "Chiudi la verifica aperta"
FOLLOW_UP_CLOSED = "Verifica chiusa."
INTERVENTIONS_TITLE = "Interventi"
INTERVENTIONS_NONE = "Nessun intervento registrato."
INTERVENTION_FORM = "Registra un intervento"
INTERVENTION_KIND = "Tipo di intervento"
INTERVENTION_DATE = "Data"
INTERVENTION_OWNER = "Referente"
INTERVENTION_OUTCOME = "Esito"
INTERVENTION_NOTE = "Nota breve (facoltativa)"
INTERVENTION_SAVE = "Registra l'intervento"
INTERVENTION_SAVED = "Intervento registrato."
OUTCOME_FORM = "Aggiorna l'esito di un intervento"
OUTCOME_WHICH = "Intervento"
OUTCOME_SAVE = "Salva l'esito"
OUTCOME_SAVED = "Esito aggiornato."
KINDS_TITLE = "Tipi di intervento della scuola"
KINDS_HELP = "Uno per riga. Gli interventi già registrati mantengono il nome che avevano."
KINDS_SAVE = "Salva l'elenco"
KINDS_SAVED = "Elenco dei tipi di intervento salvato."
REVIEW_COLUMNS = {"when": "Quando", "who": "Chi", "level": "Livello", "month": "Dati di", "note": "Nota",
                  "follow_up": "Prossima verifica", "owner": "Referente", "state": "Stato"}
INTERVENTION_COLUMNS = {"date": "Data", "kind": "Intervento", "owner": "Referente", "outcome": "Esito",
                        "note": "Nota", "by": "Registrato da"}
FOLLOW_UP_STATES = {"open": "Da fare", "late": "In ritardo", "done": "Fatta", "none": "—"}
RETENTION_TITLE = "Conservazione dei dati degli alunni"
RETENTION_HELP = ("Per quanti anni scolastici (compreso quello in corso) la scuola conserva frequenze, esiti, "
                  "revisioni e interventi. A fine anno l'amministratore elimina i dati più vecchi con "
                  "«python cli.py purge --school {school} --before {year}».")
RETENTION_YEARS = "Anni scolastici da conservare"
RETENTION_SAVE = "Salva"
RETENTION_SAVED = "Durata della conservazione salvata."

# --- network dashboard ------------------------------------------------------------------
PAGE_NETWORK = "Cruscotto di rete"
NETWORK_TITLE = "Cruscotto della rete"
NETWORK_INTRO = ("Protocolli, alunni a rischio e presa in carico, scuola per scuola e per tutta la rete. Solo dati "
                 "aggregati: nessun codice di alunno compare qui né nei file scaricati.")
NETWORKS_OVERVIEW = "Reti"
NETWORK_CHOICE = "Rete"
NETWORK_YEAR = "Anno scolastico"
NETWORK_LEVEL = "Grado"
NETWORK_SCHOOL = "Scuola"
ALL_LEVELS_SCHOOL = "Tutti i gradi"
ALL_SCHOOLS = "Tutte le scuole"
NETWORK_DIRIGENTE_VIEW = ("Vedi i totali della rete e, riga per riga, la tua scuola; le altre sono sommate. Dove le "
                          "altre scuole sarebbero una sola (per esempio filtrando un grado), i totali sono «n.d.».")
NETWORK_SCHOOL_VIEW = "Vedi le cifre della tua scuola."
SECTION_PROTOCOLS = "Protocolli"
SECTION_RISK = "Alunni a rischio"
SECTION_FOLLOW_UP = "Presa in carico"
SECTION_PROGRAMME = "Valutazione del programma"
NETWORK_NO_DATA = "Nessuna scuola ha ancora caricato dati di frequenza."
METRIC_SCHOOLS = "Scuole"
METRIC_APPROVED = "Protocolli approvati"
METRIC_CURRENT_CORE = "Con il nucleo comune aggiornato"
TREND_TITLE = "Quota di alunni a rischio alto o medio, mese per mese"
TREND_AXIS = "% alunni"
MONTHS_TABLE = "Alunni per livello, mese per mese"
SCHOOLS_TABLE = "Alunni per livello nelle scuole ({month})"
FOLLOW_UP_HELP = ("Alunni risultati ad alto rischio nell'anno: quanti sono stati rivisti e quanti hanno avuto un "
                  "intervento entro {days} giorni dalla fine del mese in cui sono risultati ad alto rischio; "
                  "verifiche fissate e non ancora fatte, con la data già passata.")
DEFINITIONS = "Definizioni degli indicatori"
REPORT_XLSX = "Scarica il rapporto (Excel)"
REPORT_DOCX = "Scarica il rapporto (Word)"

# --- learned model ---------------------------------------------------------------------------
PAGE_MODEL = "Modello di rischio"
MODEL_TITLE = "Modello di rischio appreso"
MODEL_INTRO = ("Dove la rete ha gli esiti degli anni passati, un modello può ordinare gli alunni meglio delle regole. "
               "È proposto solo se, sull'anno più recente tenuto da parte, fa meglio delle regole tra gli alunni che "
               "il personale può seguire; altrimenti restano le regole. Cittadinanza e sesso non entrano mai nel "
               "modello: servono solo a controllare che non sbagli di più con alcuni gruppi.")
MODEL_TRAIN = "Addestra e verifica il modello"
MODEL_TRAINING = "Addestramento e verifica in corso…"
MODEL_TRAINED = "Modello addestrato e verificato."
MODEL_NONE = ("La rete non ha ancora un modello. Il coordinatore lo addestra quando ci sono gli esiti di almeno due "
              "anni scolastici passati.")
MODEL_CARD = "Scheda del modello"
MODEL_CARD_TEXT = """
- **Versione** {version}, addestrata il {date}.
- **Dati**: addestrato sugli anni {train} ({train_pupils} alunni, {train_adverse} esiti negativi), verificato sul
  {test} ({test_pupils} alunni, {test_adverse} esiti negativi). Ogni anno è letto al mese di **{month}**: i mesi
  successivi non entrano mai.
- **Esito previsto**: abbandono, anno non valido o non ammissione.
- **Modello**: {model}.
- **Variabili**: {features}.
"""
MODEL_LIMITS = "Limiti"
MODEL_LIMITS_TEXT = """
- Il modello impara dagli esiti del passato: se le scuole cambiano il modo di registrare assenze o esiti, va
  riaddestrato e verificato di nuovo.
- Una stima non è una diagnosi: serve a decidere chi guardare per primo, non a etichettare un alunno. Non va mai
  mostrata ad alunni o famiglie.
- Con pochi esiti negativi le cifre sono incerte; i gruppi con meno di 5 alunni non sono mostrati.
- Il confronto con le regole vale per l'anno di verifica: a ogni nuovo anno di esiti va ripetuto.
"""
MODEL_COMPARISON = "Modello e regole sull'anno di verifica"
COLUMN_MODEL = "Modello"
COLUMN_RULES = "Regole"
METRIC_AUC = "AUC ROC"
METRIC_PRECISION_K = "Precisione tra i primi k (quota con esito negativo)"
METRIC_RECALL_K = "Richiamo tra i primi k (esiti negativi trovati)"
MODEL_CALIBRATION = ("Calibrazione: punteggio di Brier {brier}; errore medio di calibrazione {ece} (differenza tra "
                     "probabilità stimata e frequenza osservata).")
RELIABILITY_TITLE = "Affidabilità delle probabilità"
RELIABILITY_X = "Probabilità stimata"
RELIABILITY_Y = "Frequenza osservata"
RELIABILITY_HIDDEN = ("{hidden} punti su {total} non sono mostrati: sono costruiti su meno di 5 alunni (o su meno di 5"
                      " esiti negativi).")
RELIABILITY_HIDDEN_ONE = ("1 punto su {total} non è mostrato: è costruito su meno di 5 alunni (o su meno di 5 esiti "
                          "negativi).")
RELIABILITY_ISOLATED = ("Il grafico di affidabilità non è mostrato: nell'anno di verifica la rete ha una sola altra "
                        "scuola con alunni, i cui dati si ricaverebbero togliendo quelli della tua scuola.")
AUDIT_TITLE = "Audit per gruppi"
AUDIT_HELP = ("Per ogni gruppo: alunni segnalati tra i primi k, precisione, falsi positivi e falsi negativi, e il "
              "rapporto con il gruppo più numeroso. Fra 0,8 e 1,25 il trattamento è considerato equo.")
AUDIT_SCHOOL = "Alunni della tua scuola nell'anno di verifica."
AUDIT_NETWORK = "Tutti gli alunni della rete nell'anno di verifica (solo cifre aggregate)."
FOLLOW_SHARE_TITLE = "Quanti alunni può seguire la scuola"
FOLLOW_SHARE = "Alunni che il personale può seguire (% degli iscritti): è il k del confronto"
FOLLOW_SHARE_SAVED = "Quota salvata: vale dal prossimo addestramento."
MODEL_DOWNLOAD = "Scarica la scheda del modello (JSON)"
FEATURE_LABELS = {
    "absence_ratio": "assenze finora", "recent_ratio": "assenze recenti",
    "projected_ratio": "proiezione a fine anno",
    "late_per_month": "entrate/uscite fuori orario", "longest_severe_run": "mesi di fila con assenze gravi",
    "worsening": "assenze in aumento", "arrived_recently": "arrivo da meno di 2 anni",
    "age_delay": "ritardo scolastico",
    "retention": "ripetenze", "l2_low": "italiano A1–A2",
}
MODEL_ESTIMATE = "Stima modello %"
MODEL_ON_LIST = ("Il modello della rete (versione {version}) è proposto accanto alle regole: la colonna "
                 "«Stima modello» è la probabilità stimata di un esito negativo.")
MODEL_PUPIL = "Stima del modello: **{value}** di probabilità di un esito negativo. Pesano di più:"

# --- register exports: calendar, weekly hours, pseudonyms ----------------------------------
TAB_CALENDAR = "Calendario scolastico"
CALENDAR_HELP = ("Giorni di lezione della Lombardia, usati per il monte ore degli elenchi giorno per giorno. "
                 "Approdo ha il calendario regionale 2024/25–2026/27 come lo conosce: verificalo con il decreto "
                 "pubblicato e correggilo qui.")
CALENDAR_YEAR = "Anno scolastico"
CALENDAR_SHIPPED = "Calendario regionale fornito con Approdo (non ancora modificato)."
CALENDAR_EDITED = "Calendario modificato dall'amministratore."
CALENDAR_FIRST = "Primo giorno di lezione (gg/mm/aaaa)"
CALENDAR_LAST = "Ultimo giorno di lezione (gg/mm/aaaa)"
CALENDAR_HOLIDAYS = "Vacanze e feste, una per riga (es. 23/12/2025 - 06/01/2026 Vacanze di Natale)"
CALENDAR_SAVED = "Calendario {year} salvato."
PSEUDONYMISE = "La colonna del codice contiene nomi: pseudonimizza al caricamento"
PSEUDONYMISE_HELP = ("Approdo sostituisce ogni nome (con la data di nascita, se c'è) con un codice stabile della "
                     "scuola e conserva solo i codici. Scarica il file chiave (nome → codice) e consegnalo al "
                     "dirigente: resta a scuola. Lo stesso alunno avrà lo stesso codice nei caricamenti successivi.")
KEY_DOWNLOAD = "Scarica il file chiave nome → codice (da conservare a scuola)"
CLASS_HOURS_TITLE = "Settimana della scuola e delle classi"
CLASS_HOURS_HELP = ("Giorni di lezione e ore di ogni giorno: danno il monte ore dei mesi caricati giorno per giorno, "
                    "il giorno intero di assenza (le ore di quel giorno per quella classe) e il monte ore annuo del "
                    "limite del 25 % (ore settimanali per 33 settimane). Le classi senza una settimana propria usano "
                    "quella della scuola: {week} ({hours} ore). Il sabato conta solo dove la settimana ha ore il "
                    "sabato. Cambiare la settimana ricalcola i mesi già caricati giorno per giorno.")
CLASS_NAME = "Classe"
CLASS_NAME_HELP = "Lascia vuoto per la settimana di tutta la scuola."
WHOLE_SCHOOL = "Tutta la scuola"
WEEK_DAYS = "Ore per giorno"
WEEKDAY_SHORT = ("Lun", "Mar", "Mer", "Gio", "Ven", "Sab")
WEEKLY_HOURS = "Ore settimanali"
CLASS_HOURS_SAVED = "Settimana salvata: i mesi caricati giorno per giorno sono stati ricalcolati."
CLASS_HOURS_RESET = "Torna all'orario della scuola"
SCHOOL_CALENDAR_TITLE = "Calendario della scuola"
SCHOOL_CALENDAR_HELP = ("Il calendario regionale resta la base; qui la scuola aggiunge il proprio: il rito (il "
                        "Carnevale ambrosiano sposta i giorni di vacanza), i giorni chiusi dal consiglio d'istituto "
                        "(ponti, santo patrono) e i giorni di lezione spostati su giorni chiusi dalla Regione. Ogni "
                        "conteggio dei giorni di lezione usa questo calendario.")
RITE = "Rito"
RITE_HELP = ("Rito ambrosiano (Milano e gran parte della sua diocesi): lezione nei due giorni del Carnevale romano, "
             "chiuso il venerdì e il sabato dopo le Ceneri, i due giorni prima dell'inizio della Quaresima "
             "ambrosiana (DGR IX/3318 del 2012).")
CLOSED_DAYS = "Giorni chiusi dal consiglio d'istituto"
OPENED_DAYS = "Giorni di lezione spostati (aperti)"
DAYS_FORMAT_HELP = "Una riga per giorno o periodo: «02/05/2026 ponte» o «01/06/2026 - 02/06/2026 ponte»."
SCHOOL_CALENDAR_SAVED = "Calendario della scuola salvato: i mesi caricati giorno per giorno sono stati ricalcolati."
RISK_STALE = ("{n} alunni hanno dati fermi prima di {month} (per esempio trasferiti, o classi non ancora "
              "caricate): sono fuori dall'elenco del mese e non vengono proiettati. Scegli il livello «Dati fermi» "
              "per vederli.")
RISK_STALE_ONE = ("1 alunno ha dati fermi prima di {month} (per esempio trasferito, o una classe non ancora "
                  "caricata): è fuori dall'elenco del mese e non viene proiettato. Scegli il livello «Dati fermi» "
                  "per vederlo.")
PRESET_SHARED = ("Un'altra scuola della rete ha salvato una corrispondenza per file con queste stesse intestazioni: "
                 "la trovi in «Corrispondenza salvata», con il nome della scuola tra parentesi.")


# --- Italian agreement: one helper for "1 commento aperto" / "2 commenti aperti" ----------
def plural(count: int, one: str, many: str) -> str:
    """'1 scuola', '2 scuole': the count with the noun (and adjective) that agrees with it."""
    return f"{count} {one if count == 1 else many}"


def open_comments(count: int) -> str:
    return plural(count, "commento aperto", "commenti aperti")


# --- the editor's drafts, approval and reading -------------------------------------------
UNSAVED_MARK = "✎ modifiche non salvate"
UNSAVED_HERE = "Hai modifiche non salvate in questa sezione (partono dalla versione {version})."
UNSAVED_ELSEWHERE = "Modifiche non salvate anche in: {sections}."
DISCARD_DRAFT = "Annulla le modifiche non salvate"
DRAFT_DISCARDED = "Modifiche annullate: il testo è quello della versione {version}."
COMMENTS_TITLE = "Commenti ({count})"
APPROVE_WARNINGS = "Prima di registrare l'approvazione:"
APPROVE_OPEN_COMMENTS = "{comments} in {sections};"
APPROVE_OPEN_UPDATES = "{updates} della rete da decidere in {sections}."
APPROVE_CONFIRM = "Ho controllato: registra comunque l'approvazione"
APPROVE_CONFIRM_NEEDED = "Spunta la conferma per registrare l'approvazione nonostante gli avvisi."
DELIBERATION_DATE_PICK = "Data della delibera"
CHANGES_SINCE_APPROVAL = "Cosa è cambiato dall'ultima approvazione"
CHANGES_SINCE_APPROVAL_INTRO = "Rispetto al testo approvato il {when} ({deliberation})."
CHANGES_NEVER_APPROVED = "Questo protocollo non è ancora stato approvato: non c'è un testo approvato da confrontare."
CHANGES_NONE_SINCE = "Nessuna sezione è cambiata dall'ultima approvazione."
CHANGES_SUMMARY = "{sections} su {total} cambiate dall'approvazione."
CHANGES_DOWNLOAD = "Scarica da stampare (pagina web)"
CHANGE_NEW_SECTION = "sezione nuova"
READ_PROTOCOL = "Leggi protocollo"
SHOW_VERSION = "Versione da leggere"
SHOW_PUBLISHED = "Pubblicata"
SHOW_CURRENT = "In lavorazione"
PUBLISHED_ON = "Stai leggendo la versione pubblicata il {when}."
CHOOSE_PLACEHOLDER = "Scegli…"
EMPTY_TABLE = "Nessun dato da mostrare."
NO_EVENTS = "Nessun cambio di stato registrato."
NO_SECTIONS = "Questo protocollo non ha ancora sezioni."
STATUS_LABEL_APPROVED = "approvazione registrata"
LEGEND_REMOVED = "testo tolto"
LEGEND_ADDED = "testo aggiunto"
NOT_IN_PUBLISHED = "Questa sezione è stata aggiunta dopo la pubblicazione: nella versione pubblicata non c'è."
RESOLVED_BY = "risolto da {name}"
UPLOAD_HELP = (
    "Trascina il file nel riquadro oppure premi il pulsante accanto («Browse files») per sceglierlo dal computer; "
    "al massimo 50 MB. Nulla viene salvato finché non confermi."
)
DELIBERATION_DATE_MISSING = "Scrivi come gg/mm/aaaa la data in cui l'organo ha deliberato."
DATE_PLACEHOLDER = "gg/mm/aaaa"

# --- structure of protocols and updates from the network (pages/protocol_structure.py, protocol_updates.py) ---
PAGE_STRUCTURE = "Struttura del protocollo"
PAGE_UPDATES = "Aggiornamenti dalla rete"
STRUCTURE_CORE_INTRO = (
    "Qui la rete decide quali sezioni ha il protocollo comune, in che ordine e quali le scuole possono adattare. "
    "Ogni cambiamento arriva alle scuole come aggiornamento da decidere; sbloccare o bloccare vale subito."
)
STRUCTURE_SCHOOL_INTRO = (
    "Qui la scuola divide, unisce, toglie e riordina le proprie sezioni (utile dopo aver importato un file Word). "
    "Le sezioni bloccate dalla rete non si tolgono né si uniscono. Ogni cambiamento resta nello storico."
)
STRUCTURE_READ_ONLY = "Puoi leggere la struttura di questo protocollo ma non modificarla."
MOVE_UP = "Su"
MOVE_DOWN = "Giù"
LOCK = "Blocca"
UNLOCK_SECTION = "Rendi adattabile"
RENAME = "Rinomina"
NEW_TITLE = "Nuovo titolo"
REMOVE = "Togli"
REMOVE_CONFIRM = "Togli «{title}» dal protocollo"
REMOVE_HELP = "La sezione esce dal protocollo; le sue versioni restano nello storico."
REMOVE_CORE_HELP = "Le scuole la vedranno come aggiornamento e decideranno se toglierla anche loro."
SPLIT = "Dividi"
SPLIT_AT = "La nuova sezione comincia dal paragrafo"
SPLIT_TITLE = "Titolo della nuova sezione"
SPLIT_CONFIRM = "Dividi la sezione"
SPLIT_TOO_SHORT = "Questa sezione ha un solo paragrafo: non si può dividere."
MERGE_NEXT = "Unisci con la successiva"
MERGE_NEXT_HELP = "Il testo di «{next}» va in fondo a questa sezione e «{next}» esce dal protocollo."
ADD_CORE_SECTION = "Aggiungi una sezione al protocollo comune"
ADD_CORE_LOCKED = "Bloccata (le scuole non la modificano)"
STRUCTURE_HISTORY = "Storico della struttura"
NO_STRUCTURE_HISTORY = "La struttura non è ancora cambiata."
STRUCTURE_DONE = {
    "moved": "Ordine aggiornato.",
    "locked": "«{title}» ora è bloccata: le scuole non possono modificarla.",
    "unlocked": "«{title}» ora è adattabile: le scuole possono modificarla.",
    "renamed": "Sezione rinominata in «{title}».",
    "removed": "«{title}» tolta dal protocollo.",
    "added": "Sezione «{title}» aggiunta.",
    "split": "Sezione divisa: il seguito è in «{title}».",
    "merged": "Sezioni unite in «{title}».",
}
OPEN_STRUCTURE = "Struttura del protocollo (dividi, unisci, riordina)"
UPDATES_WAITING = "La rete ha aggiornato il protocollo comune: {count} da decidere."
UPDATES_WAITING_ONE = "La rete ha aggiornato il protocollo comune: 1 aggiornamento da decidere."
OPEN_UPDATES = "Decidi gli aggiornamenti della rete"
UPDATES_CORE = "Questo è il protocollo comune: gli aggiornamenti della rete si decidono nei protocolli delle scuole."
NO_UPDATES = "Nessun aggiornamento della rete da decidere."
UPDATES_PAGE_INTRO = (
    "Il coordinatore ha cambiato il protocollo comune dopo che la vostra scuola lo ha adottato. Le modifiche della "
    "rete e le vostre si uniscono da sole dove toccano parti diverse; dove toccano lo stesso passaggio scegliete "
    "voi. Nulla cambia finché non salvate."
)
STRUCTURE_UPDATES = "Sezioni"
TEXT_UPDATES = "Testi"
STRUCTURE_UPDATE_TEXT = {
    "added": "La rete ha aggiunto la sezione «{title}».",
    "removed": "La rete ha tolto la sezione «{title}». Da voi c'è ancora, con il vostro testo.",
    "renamed": "La rete ha rinominato «{title}» in «{detail}».",
    "locked": "La rete ha bloccato «{title}»: la scuola non può più modificarla.",
    "unlocked": "La rete ha reso adattabile «{title}»: ora potete modificarla.",
    "reordered": "La rete ha cambiato l'ordine delle sezioni comuni.",
}
STRUCTURE_UPDATE_ACTIONS = {
    "added": ("Aggiungila", "Non aggiungerla"),
    "removed": ("Toglila anche da noi", "Tienila come sezione della scuola"),
    "renamed": ("Usa il nuovo titolo", "Tieni il nostro titolo"),
    "locked": ("Ho preso nota", None),
    "unlocked": ("Ho preso nota", None),
    "reordered": ("Riordina come la rete", "Tieni il nostro ordine"),
}
STRUCTURE_DECIDED = "Aggiornamento deciso."
WHAT_NETWORK_CHANGED = "Che cosa ha cambiato la rete"
MERGE_CLEAN = "Le modifiche della rete e le vostre toccano parti diverse: si uniscono da sole."
MERGE_CONFLICTS = "La rete e la scuola hanno cambiato lo stesso passaggio in {count} punti: scegliete per ciascuno."
MERGE_CONFLICTS_ONE = "La rete e la scuola hanno cambiato lo stesso passaggio: scegliete quale testo tenere."
CONFLICT_N = "Passaggio {n}"
CONFLICT_NETWORK = "Testo della rete"
CONFLICT_SCHOOL = "Testo della scuola"
CONFLICT_WAS = "Com'era prima"
CONFLICT_CHOICE = "Quale testo tenere"
CONFLICT_EDIT = "Il testo del passaggio"
MERGE_PREVIEW = "Anteprima del risultato"
MERGE_CHANGES = "Che cosa cambia nel vostro testo"
MERGE_CHOOSE_ALL = "Scegliete un testo per ogni passaggio: poi vedrete l'anteprima."
SAVE_MERGED = "Salva come nuova versione"
KEEP_SCHOOL_TEXT = "Tieni il nostro testo"
TAKE_LOCKED = "Accogli il testo della rete"
LOCKED_UPDATE = "Sezione bloccata dalla rete: il suo testo si accoglie così com'è."
MERGE_SAVED = "«{title}»: salvata la versione {version} con l'aggiornamento della rete."
SCHOOL_TEXT_KEPT = "«{title}»: tenuto il vostro testo."
DIFF_BEFORE = "Prima"
DIFF_AFTER = "Dopo"
DIFF_SAME = "{count} paragrafi uguali"
DIFF_SAME_ONE = "1 paragrafo uguale"
DIFF_SHOW_SOURCE = "Mostra il testo sorgente"
DIFF_ADDED_SR = "inserito:"  # read by screen readers before the words added (hidden on screen)
DIFF_REMOVED_SR = "tolto:"
DIFF_WHERE_CELL = "Tabella: riga «{row}», colonna «{column}»"
DIFF_WHERE_HEADER = "Tabella: intestazione della colonna «{column}»"
DIFF_WHERE_ROW_ADDED = "Tabella: riga «{row}» aggiunta"
DIFF_WHERE_ROW_REMOVED = "Tabella: riga «{row}» tolta"
DIFF_SOURCE_ONLY = "Il testo resta uguale: cambia solo il modo in cui è scritto nel sorgente."

# Sessions and single sign-on
SESSION_ENDED = "La sessione precedente è terminata (uscita o inattività): accedi di nuovo."
SSO_DIVIDER = "oppure"
SSO_BUTTON = "Accedi con l'account della scuola"
SSO_OTHER_ACCOUNT = "Usa un altro account della scuola"
EMAIL = "E-mail per l'accesso con l'account della scuola"
EMAIL_HELP = "L'indirizzo con cui la persona entra con l'accesso unico (Google, Microsoft…); vuoto per nessuno."
EMAIL_SET = "E-mail di {username} aggiornata."
SAVE_EMAIL = "Salva l'e-mail"

# --- the pupil chart's threshold lines (the network's values)
CHART_CHRONIC = "{pct} % assenza cronica"
CHART_LEGAL = "{pct} % limite di validità"


# ---- compulsory-education duty (art. 114): cases and procedure ----
PAGE_OBLIGATION = "Obbligo scolastico"
OBL_TITLE = "Obbligo scolastico"
OBL_INTRO = ("Alunni in età di obbligo (6–16 anni) con più di quindici giorni di assenza non giustificati in tre "
             "mesi, dai dati giorno per giorno del registro, e i passi della procedura: famiglia, sette giorni, "
             "sindaco. Solo codici, mai nomi; ogni consultazione e ogni passo vanno nel registro degli accessi.")
OBL_CANNOT_CHECK = "**La regola non si può verificare per questa scuola.** {reason}"
OBL_AS_OF = "Situazione al"
OBL_METRICS = {"open": "Casi aperti", "due": "Passi da fare", "late": "In ritardo", "closed": "Chiusi"}
OBL_TODO = "Da fare"
OBL_TODO_NONE = "Nessun passo da fare a questa data."
OBL_TODO_LINE = "**{pupil}** (classe {class_name}) · {step} · dal {due}"
OBL_TODO_LATE = " · **in ritardo**"
OBL_NO_CASES = "Nessun caso a questa data."
OBL_COLUMNS = {"pupil": "Alunno", "class": "Classe", "age": "Età", "kind": "Regola",
               "days": "Giorni non giustificati",
               "from": "Dal", "to": "Al", "status": "Stato", "next": "Prossimo passo", "due": "Da fare dal",
               "late": "In ritardo"}
OBL_AGE_UNKNOWN = "età non nota"
OBL_AGE_KNOWN = "in obbligo"
OBL_PICK = "Scheda del caso"  # not "da aprire": opening a case is a step of the procedure
OBL_PICK_HELP = "Scegli un caso per vederne i giorni e registrare i passi."
OBL_CASE_HEAD = "Alunno {pupil} · classe {class_name} · {status}"
OBL_CASE_DAYS = ("Caso aperto il {opened}: {n} giorni di assenza non giustificati dal {start} al {end} "
                 "(tre mesi che finiscono il {end}).")
OBL_CASE_PENDING = ("{n} di questi giorni il registro li lascia senza indicazione (non ancora giustificati): "
                    "verifica nel registro prima di scrivere alla famiglia.")
OBL_CASE_AGE_UNKNOWN = ("Età non nota: il file di contesto non ha l'anno di nascita di questo alunno. Verifica che "
                        "sia in età di obbligo (6–16 anni) prima di procedere.")
OBL_DAYS_LIST = "Giorni: {days}"
OBL_CHART_TITLE = "Giorni non giustificati nei tre mesi che finiscono ogni giorno"
OBL_CHART_Y = "giorni nei tre mesi"
OBL_CHART_X = "giorno"
OBL_CHART_LIMIT = "15 giorni: oltre si apre il caso"
OBL_FAMILY_DONE = ("Comunicazione alla famiglia inviata il {on} (prot. {protocol}, {channel}), {receipt}; "
                   "sette giorni fino al {deadline}.")
OBL_RECEIPT_KNOWN = "ricevuta il {on}"
OBL_RECEIPT_PRESUMED = ("ricevimento non ancora documentato: i sette giorni si contano dal {on}, {allowance} giorni "
                        "dopo l'invio; registra la data di ricevimento quando la conosci")
OBL_RECEIPT_FORM = "Ricevimento della comunicazione"
OBL_RECEIPT_DATE = "Data di ricevimento (se nota)"
OBL_RECEIPT_HELP = ("I sette giorni decorrono dal ricevimento. Raccomandata: la data dell'avviso di ricevimento; "
                    "PEC: la data della ricevuta di avvenuta consegna; registro elettronico: la data della presa "
                    "visione. Consegna a mano e colloquio: lo stesso giorno. Se non è nota, Approdo conta "
                    "{allowance} giorni dall'invio (come la compiuta giacenza, art. 8 L. 890/1982) e la data si "
                    "registra quando arriva.")
OBL_SAVE_RECEIPT = "Registra il ricevimento"
OBL_HOURS_CASE = ("Caso aperto il {opened}: {hours} ore di assenza non giustificate, pari o oltre un quarto del monte "
                  "ore annuo ({limit} ore). Si segue la stessa procedura: famiglia, sette giorni, sindaco.")
OBL_KIND_HOURS = "un quarto del monte ore"
OBL_RESUMED_DONE = "Frequenza ripresa dal {on} ({source})."
OBL_RESUMED_SOURCE = {"dati": "vista nei dati del registro", "manuale": "registrata a mano"}
OBL_MAYOR_DONE = "Sindaco di {municipality} informato il {on} (prot. {protocol})."
OBL_CLOSED_DONE = "Caso chiuso il {on}: {outcome}."
# The letters (family notice, report to the mayor) are added by their own block below.
OBL_FAMILY_FORM = "Comunicazione alla famiglia"
OBL_RESUMED_FORM = "Frequenza ripresa"
OBL_MAYOR_FORM = "Segnalazione al sindaco"
OBL_CLOSE_FORM = "Chiudi il caso"
OBL_DATE = "Data"
OBL_PROTOCOL = "Numero di protocollo"
OBL_CHANNEL = "Come è stata inviata"
OBL_MUNICIPALITY = "Comune di residenza dell'alunno"
OBL_NOTE = "Nota (facoltativa)"
OBL_OUTCOME = "Esito"
OBL_SAVE_FAMILY = "Registra la comunicazione alla famiglia"
OBL_SAVE_RESUMED = "Registra la ripresa della frequenza"
OBL_SAVE_MAYOR = "Registra la segnalazione al sindaco"
OBL_SAVE_CLOSE = "Chiudi il caso"
OBL_SAVED = "Passo registrato."
OBL_MAYOR_WAIT = "La segnalazione al sindaco si registra dalla fine dei sette giorni ({deadline})."
OBL_HOURS_TITLE = "Ore non giustificate: un quarto del monte ore annuo"
OBL_HOURS_HELP = ("Alunni in età di obbligo con ore di assenza non giustificate pari ad almeno un quarto del monte "
                  "ore annuo personalizzato, o che ci arrivano entro l'anno al ritmo attuale (la stessa proiezione "
                  "del limite del 25 % nella pagina Rischio dispersione).")
OBL_HOURS_COLUMNS = {"pupil": "Alunno", "class": "Classe", "hours": "Ore non giustificate",
                     "limit": "Un quarto del monte ore", "when": "Quando"}
OBL_HOURS_REACHED = "raggiunto in {month}"
OBL_HOURS_PROJECTED = "al ritmo attuale in {month}"
OBL_HOURS_NONE = "Nessun alunno ha raggiunto o sta per raggiungere un quarto del monte ore senza giustificazione."
OBL_RULE_TITLE = "La regola e come Approdo la legge"
OBL_RULE_HELP = """
**Art. 114 c. 4 D.Lgs. 297/1994**, come riscritto dall'art. 12 del D.L. 123/2023 (convertito dalla L. 159/2023):
il dirigente scolastico vigila sulla frequenza degli alunni in età di obbligo; quando l'alunno risulta assente
**«per più di quindici giorni, anche non consecutivi, in tre mesi, senza giustificati motivi»**, il dirigente
ne informa i genitori; se la frequenza **non riprende entro sette giorni**, informa il **sindaco** del comune
di residenza. L'elusione si ha anche quando l'alunno fa, senza giustificati motivi, assenze pari ad almeno
**un quarto del monte ore annuo personalizzato**.

Come Approdo applica la regola:
- **Giorno di assenza**: un giorno di lezione in cui il registro ha un'assenza per l'intera giornata (senza ore,
  o con almeno le ore di quel giorno per quella classe, dalla sua settimana in *Carica dati*: 5 ore di sabato in
  una settimana di sei giorni da 5 ore). Le assenze orarie, gli ingressi posticipati e le uscite anticipate non
  fanno un giorno: quel giorno l'alunno era a scuola.
- **Non giustificato**: conta solo ciò che dice il registro. Un'assenza giustificata non conta mai; un'assenza
  segnata «no» conta; un'assenza **senza indicazione** (non ancora giustificata) conta anch'essa, perché valgono
  solo le giustificazioni registrate, e la pagina dice quante ce ne sono così da verificarle prima di scrivere.
- **Giorno di lezione**: un giorno di lezione del calendario della scuola (quello regionale con il rito e i
  giorni chiusi o aperti dalla scuola, in *Carica dati*) in cui la settimana della classe ha ore: il sabato solo
  dove la settimana ha il sabato.
- **Tre mesi**: i tre mesi di calendario che finiscono quel giorno, dal giorno dopo lo stesso giorno di tre mesi
  prima (il caso che si apre il 15 gennaio guarda dal 16 ottobre; il 31 maggio dal 1° marzo).
- **Più di quindici**: il caso si apre il primo giorno in cui i giorni non giustificati dei tre mesi sono almeno
  sedici; con quindici esatti non c'è caso.
- **Età**: da 6 a 16 anni (L. 296/2006 art. 1 c. 622): con la data di nascita completa del file di contesto,
  dall'anno dell'iscrizione obbligatoria fino al compimento dei sedici anni; con il solo anno, da 6 a 16 anni
  nell'anno scolastico. Chi non ha l'anno di nascita compare con «età non nota», mai escluso.
- **Sette giorni**: dal **ricevimento** della comunicazione da parte della famiglia (consegna a mano o colloquio: lo
  stesso giorno; raccomandata, PEC, registro: la data documentata; se non è nota, dieci giorni dopo l'invio, come
  la compiuta giacenza). La frequenza è **ripresa** se, nei sette giorni,
  in un giorno di lezione coperto dai dati l'alunno non ha un'assenza non giustificata per l'intera giornata e
  non ne ha altre fino alla fine dei sette giorni; la ripresa si può anche registrare a mano. Senza ripresa,
  dal settimo giorno la segnalazione al sindaco è da fare.
- **Un quarto del monte ore**: quando le ore non giustificate raggiungono un quarto del monte ore annuo si apre un
  caso a sé, con la sua lettera, e segue la stessa procedura; l'elenco sotto mostra anche chi ci arriverebbe al
  ritmo attuale.
- **Da fare dal**: il giorno in cui il passo è diventato da fare (l'apertura del caso, la fine dei sette giorni),
  non il giorno del caricamento dei dati.
- **In ritardo** (promemoria di Approdo, non un termine di legge): un passo da fare da più di sette giorni.
- Con i soli prospetti mensili la regola non si può verificare: un totale mensile non dice in quali giorni né se
  erano giustificati, e Approdo non fa stime.
"""
OBL_HOME_TITLE = "Obbligo scolastico: passi da fare"
OBL_HOME_NONE = "Nessun passo da fare sui casi di obbligo scolastico."
OBL_HOME_LINK = "Apri Obbligo scolastico"
OBL_REVIEW_TAB = "Obbligo scolastico"
OBL_NETWORK_TITLE = "Obbligo scolastico"
OBL_NETWORK_HELP = ("Per mese di apertura del caso (art. 114 c. 4 D.Lgs. 297/1994: più di quindici giorni di assenza "
                    "non giustificati in tre mesi): casi aperti, giorni in media dall'apertura alla comunicazione "
                    "alla famiglia, quota dei casi comunicati in cui la frequenza è ripresa entro sette giorni, "
                    "segnalazioni al sindaco. Solo le scuole con l'elenco giorno per giorno hanno casi.")
OBL_NETWORK_NONE = "Nessun caso di obbligo scolastico aperto in quest'anno scolastico."



# ---- compulsory-education duty: letters to the family and to the mayor ----
PAGE_LETTERS = "Lettere obbligo scolastico"
LET_INTRO = ("Le lettere della procedura dell'art. 114, comma 4, D.Lgs. 297/1994: la comunicazione alla famiglia e "
             "la segnalazione al Sindaco. Il testo è della rete: il coordinatore lo scrive e lo aggiorna, anche nelle "
             "lingue delle famiglie con i mediatori; il dirigente e la funzione strumentale scaricano la lettera di "
             "un caso dalla pagina Obbligo scolastico, con intestazione, date e giorni già compilati e gli spazi per "
             "nome e indirizzo da completare a mano.")
LET_KIND = "Lettera"
LET_LETTERHEAD = "Intestazione e firma delle lettere della scuola"
LET_LETTERHEAD_HELP = ("Compaiono sotto il nome della scuola in ogni lettera scaricata; i campi vuoti non si "
                       "stampano. La dicitura di firma va sotto il nome del dirigente.")
LET_ADDRESS = "Indirizzo"
LET_PHONE = "Telefono"
LET_EMAIL = "E-mail"
LET_PEC = "PEC"
LET_OFFICE_HOURS = "Orari della segreteria"
LET_SIGNATURE = "Firma"
LET_LETTERHEAD_SAVE = "Salva l'intestazione"
LET_LETTERHEAD_SAVED = "Intestazione salvata."
LET_LANGUAGE = "Lingua"
LET_ADD_LANGUAGE = "Aggiungi una lingua"
LET_ADD_LANGUAGE_HELP = ("Una traduzione scritta dai mediatori della rete: si parte dal testo italiano da tradurre. "
                         "La famiglia riceve sempre anche il testo italiano, che fa fede.")
LET_ADD = "Aggiungi"
LET_MAYOR_ITALIAN = "La segnalazione al Sindaco è un atto tra amministrazioni: si scrive solo in italiano."
LET_TEXT = "Testo della lettera"
LET_READ_ONLY = "Le lettere le modifica il coordinatore della rete: qui le leggi come le firmerai."
LET_SOURCE = "Il testo con i segnaposto (come lo scrive il coordinatore)"
LET_VERSION = "Versione {version} di {author}, {when}"
LET_DEFAULT = "Testo predefinito di Approdo (la rete non l'ha ancora cambiato)."
LET_NEW_LANGUAGE = "Nuova traduzione in {language}: non ancora salvata."
LET_SAVE = "Salva la lettera"
LET_SAVED = "Salvata la versione {version} della lettera."
LET_PREVIEW_HELP = "Con un caso inventato (alunno A0042, classe 2B): le righe «____» si completano a mano."
LET_PLACEHOLDERS = "Segnaposto delle lettere"
LET_HISTORY = "Versioni precedenti"
LET_HISTORY_PICK = "Confronta con"
LET_HISTORY_LINE = "Versione {version} · {author} · {when} · {note}"
LET_DEFAULT_LINE = "Testo predefinito di Approdo"
LET_VERSION_SHORT = "Versione {version}"
LET_DOWNLOAD_FAMILY = "Lettera alla famiglia"
LET_DOWNLOAD_FAMILY_BILINGUAL = "Lettera con la traduzione"
LET_BILINGUAL_HELP = ("Il testo italiano, che fa fede, e dopo la traduzione in {language} scritta dai mediatori della "
                      "rete.")
LET_DOWNLOAD_MAYOR = "Segnalazione al Sindaco"
LET_DOWNLOADS = "Lettere"
LET_DOWNLOAD_HELP = ("Word con intestazione della scuola, giorni e date già compilati; i nomi dell'alunno e dei "
                     "genitori e l'indirizzo della famiglia sono campi da compilare nel file (Approdo non li "
                     "conserva). Lo scaricamento va nel registro degli accessi.")
LET_NO_TRANSLATION = ("La famiglia legge {language}, ma la rete non ha ancora la lettera in questa lingua: si scarica "
                      "in italiano (il coordinatore può aggiungere la traduzione).")
LET_MAYOR_NOT_YET = "La segnalazione al Sindaco si scarica quando i sette giorni sono passati senza ripresa."


# ---- good practices: catalogue, adoption ----
PAGE_PRACTICES = "Buone pratiche"
PAGE_PRACTICE_EDITOR = "Scrivi una buona pratica"
PRACTICES_INTRO = ("Le buone pratiche pubblicate da tutte le reti: cercale con parole tue (trova anche le altre forme "
                   "di una parola, per esempio «famiglia» trova «famiglie»), aprile e adottale nel tuo protocollo.")
PRACTICE_SEARCH = "Cerca nel catalogo"
PRACTICE_SEARCH_PLACEHOLDER = "per esempio: mediatori, italiano estivo, tutor"
PRACTICE_FILTER_LEVELS = "Grado scolastico"
PRACTICE_FILTER_TARGETS = "Per chi"
PRACTICE_FILTER_THEMES = "Tema"
PRACTICE_FILTER_STRENGTH = "Evidenze"
PRACTICE_FILTER_ANY = "Tutti"
PRACTICE_RESULTS = "{count} pratiche trovate"
PRACTICE_RESULTS_ONE = "1 pratica trovata"
PRACTICE_NONE_FOUND = "Nessuna pratica pubblicata corrisponde alla ricerca: prova con meno parole o meno filtri."
PRACTICE_EMPTY_CATALOGUE = "Il catalogo è ancora vuoto: nessuna rete ha pubblicato buone pratiche."
PRACTICE_OPEN = "Apri"
PRACTICE_BACK = "Torna al catalogo"
PRACTICE_PARAM_INVALID = "L'indirizzo indica una pratica che non esiste."
PRACTICE_SOURCE = "Da: {source}"
PRACTICE_ADOPTED_BY = "Adozioni: {count}"
PRACTICE_ADOPTERS = "Chi l'ha adottata"
PRACTICE_NO_ADOPTERS = "Nessuno l'ha ancora adottata."
PRACTICE_ADOPTER_LINE = "{where} – sezione «{section}», versione {version}"
PRACTICE_VERSION_LINE = "Versione {version} · {status} · licenza {licence}"
PRACTICE_DRAFT_NOTE = ("Stai leggendo la versione {version}, non ancora pubblicata: le altre reti leggono la versione "
                       "{published}.")
PRACTICE_NEVER_PUBLISHED = "Questa pratica non è ancora pubblicata: la leggono solo la sua scuola e la sua rete."
PRACTICE_FOR = "Per"
PRACTICE_EVIDENCE = "Evidenze"
PRACTICE_EVIDENCE_LINE = "{strength}. Indicatore: {indicator}. Risultato: {result}."
PRACTICE_CONTACT = "Contatto"
PRACTICE_LINKED = "Sezioni di protocollo collegate"
PRACTICE_ATTACHMENTS = "Allegati"
DOWNLOAD_ATTACHMENT = "Scarica"
PRACTICE_ADOPT = "Adotta nel protocollo"
PRACTICE_ADOPT_INTO = "Protocollo"
PRACTICE_ADOPT_MODE = "Come"
PRACTICE_ADOPT_NEW = "Come nuova sezione"
PRACTICE_ADOPT_REPLACE = "Al posto del testo di una sezione"
PRACTICE_ADOPT_SECTION = "Sezione da sostituire"
PRACTICE_ADOPT_BUTTON = "Adotta"
PRACTICE_ADOPTED = "Pratica adottata nella sezione «{title}»: la provenienza è indicata sotto il titolo, anche in Word."
PRACTICE_NO_ADOPTABLE = ("Per adottare una pratica serve un protocollo che puoi modificare, in bozza o in revisione.")
PRACTICE_NEW = "Nuova pratica"
PRACTICE_CHOOSE = "Pratica"
PRACTICE_FROM_SECTIONS = "Parti da sezioni di un protocollo"
PRACTICE_FROM_SECTIONS_HELP = ("Il testo delle sezioni scelte diventa le fasi della pratica; le sezioni restano "
                               "collegate.")
PRACTICE_PICK_SECTIONS = "Sezioni"
PRACTICE_PREFILL = "Compila dalle sezioni"
PRACTICE_PREFILLED = "Pratica compilata da {count} sezioni: completa gli altri campi e salva."
PRACTICE_FIELD_TITLE = "Titolo"
PRACTICE_FIELD_PROBLEM = "Il problema e per chi"
PRACTICE_FIELD_STEPS = "Le fasi"
PRACTICE_FIELD_ROLES = "Chi fa che cosa"
PRACTICE_FIELD_DURATION = "Durata"
PRACTICE_FIELD_RESOURCES = "Risorse e costi"
PRACTICE_FIELD_INDICATOR = "Che cosa si è misurato (indicatore)"
PRACTICE_FIELD_RESULT = "Risultato"
PRACTICE_FIELD_STRENGTH = "Forza delle evidenze"
PRACTICE_FIELD_TRANSFER = "Condizioni per trasferirla"
PRACTICE_FIELD_CONTACT = "Contatto (un ruolo, non un indirizzo personale)"
PRACTICE_FIELD_LICENCE = "Licenza"
PRACTICE_FIELD_NOTE = "Nota sulla versione (facoltativa)"
PRACTICE_RICH_HELP = "Testo con elenchi, **grassetto**, tabelle e titoli ### come nelle sezioni dei protocolli."
PRACTICE_SAVE = "Salva come nuova versione"
PRACTICE_CREATE = "Crea la pratica"
PRACTICE_SAVED = "Pratica «{title}» salvata (versione {version})."
PRACTICE_PROPOSE = "Proponi al coordinatore"
PRACTICE_PROPOSED = "Pratica proposta al coordinatore della rete."
PRACTICE_PUBLISH = "Pubblica per tutte le reti"
PRACTICE_PUBLISHED = "Pratica pubblicata (versione {version}): ora la leggono tutte le reti."
PRACTICE_ADD_ATTACHMENT = "Allega un file Word (.docx) o PDF"
PRACTICE_ATTACH_BUTTON = "Allega"
PRACTICE_ATTACHED = "Allegato {name} aggiunto."
PRACTICE_HISTORY = "Versioni"
PRACTICE_HISTORY_LINE = "Versione {version} – {author}, {when}{note}"
PRACTICE_NO_PRACTICES = "Non hai ancora scritto buone pratiche: comincia da una nuova."
PRACTICE_NONE_TO_EDIT = "Nessuna pratica da modificare: le scrivono i dirigenti e i coordinatori delle reti."
PRACTICE_UPDATES = "Aggiornamenti delle buone pratiche adottate"
PRACTICE_UPDATE_FROM = "Dalla pratica «{title}» ({source}), versione {version}"
PRACTICE_WHAT_CHANGED = "Che cosa è cambiato nella pratica"
PRACTICE_TEXT = "Testo della pratica"
PRACTICE_UPDATE_SAVED = "«{title}»: salvata la versione {version} con l'aggiornamento della pratica."
PRACTICE_UPDATE_KEPT = "«{title}»: tenuto il vostro testo."



# ---- proposals to the core, regional view ----
PAGE_PROPOSALS = "Proposte alla rete"
PROPOSALS_INTRO = ("Le scuole propongono modifiche al protocollo comune della rete: il testo proposto, confrontato con "
                   "quello della rete, e il perché. Le altre scuole le leggono, i dirigenti le sostengono e le "
                   "commentano, il coordinatore le accoglie (diventano una nuova versione del comune e, quando il "
                   "comune è pubblicato, arrivano a ogni scuola in «Aggiornamenti dalla rete») o le respinge "
                   "spiegando perché.")
PROPOSALS_STATUS = "Quali proposte"
PROPOSALS_STATUS_OPTIONS = {"aperta": "Aperte", "accolta": "Accolte", "respinta": "Respinte", "ritirata": "Ritirate",
                            None: "Tutte"}
PROPOSALS_SECTION = "Sezione del protocollo comune"
PROPOSALS_ALL_SECTIONS = "Tutte le sezioni"
PROPOSALS_NONE = "Nessuna proposta da mostrare."
PROPOSALS_OPEN_ONE = "Apri una proposta"
PROPOSAL_LABEL = "n. {id} · «{section}» · {school} · {status}"
PROPOSAL_COLUMNS = {"id": "N.", "section": "Sezione", "school": "Scuola", "author": "Proposta da", "when": "Il",
                    "status": "Stato", "supports": "Sostegni", "decision": "Decisione"}
PROPOSAL_HEADING = "Proposta n. {id}: «{section}»"
PROPOSAL_BY = "Proposta da {author} ({school}) il {when} · stato: **{status}**"
PROPOSAL_REASON = "Perché"
PROPOSAL_DIFF = "Che cosa cambia rispetto al testo della rete (versione {version})"
PROPOSAL_NETWORK_TEXT = "Testo della rete"
PROPOSAL_PROPOSED_TEXT = "Testo proposto"
PROPOSAL_DECIDED = "{status} da {who} il {when}."
PROPOSAL_DECIDED_VERSION = "È la versione {version} della sezione nel protocollo comune."
PROPOSAL_DECISION_REASON = "Motivazione: {reason}"
PROPOSAL_SUPPORTS = "Sostenuta da"
PROPOSAL_NO_SUPPORTS = "Nessun'altra scuola l'ha ancora sostenuta."
PROPOSAL_SUPPORT_LINE = "{school} ({who}, {when})"
PROPOSAL_SUPPORT = "La nostra scuola sostiene questa proposta"
PROPOSAL_SUPPORTED = "Avete sostenuto la proposta."
PROPOSAL_UNSUPPORT = "Ritira il sostegno della nostra scuola"
PROPOSAL_UNSUPPORTED = "Avete ritirato il sostegno alla proposta."
PROPOSAL_COMMENTS = "Discussione"
PROPOSAL_NO_COMMENTS = "Nessun commento."
PROPOSAL_COMMENT = "Scrivi un commento alla proposta"
PROPOSAL_COMMENTED = "Commento aggiunto."
PROPOSAL_WITHDRAW = "Ritira la proposta"
PROPOSAL_WITHDRAWN = "Proposta ritirata."
PROPOSAL_DECIDE = "Decisione del coordinatore"
PROPOSAL_REMOVED = "La sezione «{section}» è stata tolta dal protocollo comune: la proposta non si può accogliere."
PROPOSAL_LOCKED = ("La sezione è bloccata dalla rete: accolta la proposta, ogni scuola dovrà accogliere il nuovo testo "
                   "così com'è.")
PROPOSAL_CORE_NOT_EDITABLE = ("Il protocollo comune è {status}: per accogliere la proposta apri prima una nuova "
                              "revisione in «Modifica protocollo».")
PROPOSAL_MOVED_CLEAN = ("La rete ha cambiato questa sezione dopo la proposta (ora è alla versione {version}): le due "
                        "modifiche toccano parti diverse e si uniscono da sole.")
PROPOSAL_MOVED_CONFLICT = ("La rete ha cambiato questa sezione dopo la proposta (ora è alla versione {version}) negli "
                           "stessi passaggi: scegli il testo per ciascuno.")
PROPOSAL_CONFLICT_CORE = "Testo della rete, oggi"
PROPOSAL_RESULT = "Il testo comune dopo l'accoglimento"
PROPOSAL_ALREADY_IN = ("Il protocollo comune contiene già questo testo: accoglierla non cambierebbe nulla. "
                       "Respingila spiegando perché, o chiedi alla scuola di ritirarla.")
PROPOSAL_ACCEPT = "Accogli la proposta"
PROPOSAL_ACCEPTED = ("Proposta accolta: versione {version} della sezione comune. Le scuole la ricevono quando "
                     "pubblicate il protocollo comune.")
PROPOSAL_DECLINE_REASON = "Perché non la accogli (la scuola lo leggerà)"
PROPOSAL_DECLINE = "Respingi la proposta"
PROPOSAL_DECLINED = "Proposta respinta."
PROPOSAL_PARAM_INVALID = "Il numero della proposta nell'indirizzo non è valido."
PROPOSE_TITLE = "Proponi una modifica alla rete"
PROPOSE_HELP = ("Scrivi il testo che proponi per questa sezione del protocollo comune e il perché: le altre scuole lo "
                "leggeranno e il coordinatore deciderà. Il testo della scuola non cambia.")
PROPOSE_START = "Parti dal"
PROPOSE_START_OPTIONS = {"core": "testo della rete", "school": "testo della scuola"}
PROPOSE_TEXT = "Testo proposto per la rete"
PROPOSE_REASON = "Perché lo proponete"
PROPOSE_SEND = "Invia la proposta"
PROPOSE_SENT = "Proposta n. {id} inviata alla rete."
PROPOSE_OPEN_HERE = "Proposte alla rete su questa sezione: {count} aperte"
PROPOSE_OPEN_HERE_ONE = "Proposte alla rete su questa sezione: 1 aperta"
PROPOSALS_LINK = "Vai alle proposte alla rete"

PAGE_REGIONAL = "Vista regionale"
REGIONAL_INTRO = ("Le cifre di ogni rete del programma, una accanto all'altra: solo totali di rete, nessuna scuola da "
                  "sola e nessun alunno.")
REGIONAL_NO_NETWORKS = "Non ci sono ancora reti."
REGIONAL_PROTOCOLS = "Protocolli"
REGIONAL_RISK = "Alunni a rischio alto o medio, mese per mese (%)"
REGIONAL_TREND_AXIS = "% alunni"
REGIONAL_LEVELS = "Alunni per livello nell'ultimo mese con dati"
REGIONAL_FOLLOW_UP = "Presa in carico degli alunni ad alto rischio"
REGIONAL_PROGRAMME = "Indicatori del programma ({year})"
REGIONAL_PROGRAMME_CHART = "Indicatori del programma a confronto (%)"
REGIONAL_NO_DATA = "Nessuna rete ha ancora dati di frequenza."



# ---- performance: background recompute, caches ----
LEVELS_RECOMPUTING = ("Ricalcolo dei livelli mese per mese con le nuove soglie: {done} di {total} scuole. Fino alla"
                      " fine il cruscotto mostra i livelli delle soglie precedenti; il ricalcolo continua anche se"
                      " cambi pagina.")
LEVELS_RECOMPUTE_FAILED = ("Il ricalcolo dei livelli con le nuove soglie non è riuscito: il cruscotto mostra ancora i"
                           " livelli delle soglie precedenti. Salva di nuovo le soglie per riprovare.")



# ---- house keeping and documents ----
# documents: a school's own sections linked to the network core once it exists
LINK_TITLE = "Collega le sezioni della scuola al protocollo comune"
LINK_INTRO = (
    "La rete ha ora il protocollo comune ({core}). Le sezioni che la scuola ha scritto da sé possono seguire "
    "le sezioni comuni che dicono la stessa cosa: da quel momento le modifiche della rete arrivano qui come "
    "aggiornamenti, da unire al vostro testo, che resta finché non decidete. Le proposte vengono dai titoli: "
    "confermate una sezione alla volta. Le sezioni non collegate restano della scuola."
)
LINK_TARGET = "Sezione del protocollo comune"
LINK_KEEP_OWN = "Nessuna: resta una sezione della scuola"
LINK_SUGGESTED = "Proposta dal titolo: «{title}»."
LINK_NO_SUGGESTION = "Nessuna sezione comune ha un titolo simile."
LINK_LOCKED = ("Questa sezione comune è bloccata dalla rete: collegandola, il testo della rete sostituirà il "
               "vostro (lo vedrete negli aggiornamenti prima di accoglierlo).")
LINK_LOCKED_MARK = " (bloccata)"
LINK_CONFIRM = "Collega"
LINK_DONE = "«{title}» ora segue il protocollo comune: trovate il testo della rete tra gli aggiornamenti."
LINK_WAITING = ("La rete ha ora il protocollo comune per il vostro grado: potete collegare le sezioni della scuola "
                "a quelle comuni, così riceverete le modifiche della rete.")
LINK_OPEN = "Collega le sezioni al protocollo comune"

# Charts: each has a text alternative, a sentence below it and (where no table on the page has them) the figures.
CHART_DATA = "I dati del grafico"
SKIP_RISK_TABLE = "Salta la tabella degli alunni"
HIDDEN_MONTHS = ("Mesi nascosti: {months}. Le loro cifre sono sotto soglia («<5» o «n.d.» nella tabella): la "
                 "linea si interrompe lì (una riga tratteggiata segna il mese) e non va letta come un andamento.")
HIDDEN_MONTH_TIP = "Mese nascosto (cifre sotto soglia)"
TREND_SUMMARY = ("Il grafico mostra, per ogni scuola e per la rete, la quota di alunni a rischio alto o medio mese "
                 "per mese (la rete con la linea grigia tratteggiata); le cifre sono nella tabella «{table}» "
                 "qui sotto.")
REGIONAL_CHART_SUMMARY = ("Il grafico mostra in percentuale il valore di ogni indicatore del programma per ogni rete; "
                          "le cifre sono nella tabella qui sopra.")
RELIABILITY_SUMMARY = ("Il grafico confronta, per gruppi di alunni, la probabilità stimata dal modello (asse "
                       "orizzontale) con la frequenza osservata (asse verticale): più i punti stanno vicini alla "
                       "diagonale tratteggiata, più le stime del modello sono affidabili.")
PUPIL_CHART_SUMMARY = ("Il grafico mostra, mese per mese, le assenze dell'alunno in percentuale del monte ore con le "
                       "soglie dell'assenza cronica e del limite di legge, gli interventi nel giorno in cui sono "
                       "stati fatti e, nella striscia sotto, il livello di rischio di ogni mese.")
OBL_CHART_SUMMARY = ("Il grafico mostra, giorno per giorno, quanti giorni di assenza non giustificata ci sono nei tre "
                     "mesi che finiscono quel giorno; la linea tratteggiata è la soglia di {threshold} giorni.")
CHART_MONTH = "Mese"
CHART_ABSENCE = "Assenze (%)"
CHART_LEVEL = "Livello"

# --- reminders (issue 34) ---
TAB_MAIL = "Posta"
MAIL_HELP = ("Il server di posta da cui partono i promemoria (`cli.py notify`, da cron o da un timer di systemd)."
             " La password non si scrive qui: va nella variabile d'ambiente {env} del servizio.")
MAIL_HOST = "Server SMTP"
MAIL_PORT = "Porta"
MAIL_STARTTLS = "Connessione cifrata (STARTTLS)"
MAIL_USER = "Utente (vuoto se il server non chiede l'accesso)"
MAIL_SENDER = "Mittente"
MAIL_APP_URL = "Indirizzo di Approdo per i collegamenti (es. https://approdo.rete.it)"
MAIL_SAVED = "Server di posta salvato."
MAIL_BOUNCED = "Indirizzi rifiutati dal server di posta"
MAIL_BOUNCED_NONE = "Nessun indirizzo rifiutato."
MAIL_BOUNCED_LINE = "**{username}** ({email}): rifiutato il {when} — {why}"
MAIL_BOUNCE_CLEAR = "Riprova"
MAIL_CLEARED = "L'indirizzo riceverà di nuovo i promemoria."
NOTIFY_TITLE = "Promemoria per e-mail"
NOTIFY_CHOICE = "Ricevi il riepilogo di che cosa ti aspetta"
NOTIFY_HELP = ("Le scadenze di domani (per esempio i sette giorni dell'obbligo scolastico) arrivano il giorno prima,"
               " anche fuori dal giorno del riepilogo. I messaggi non contengono codici né nomi.")
NOTIFY_NO_EMAIL = "Non hai un indirizzo e-mail in Approdo: chiedilo all'amministratore per ricevere i promemoria."
NOTIFY_SAVED = "Preferenza salvata."
BELL = "Promemoria ({n})"
BELL_NONE = "Niente in sospeso."
