"""The letters of the compulsory-education procedure (art. 114 c. 4 D.Lgs. 297/1994, as amended by art. 12
D.L. 123/2023, conv. L. 159/2023): the notice to the family and the report to the mayor.

Their texts belong to the network and are edited like a protocol section: the
same Markdown subset (protocols.richtext), the same placeholder mechanism with
a longer whitelist (placeholders.LETTER_WHITELIST), every save a new version
with its author. Nothing a user types reaches Jinja: the text is parsed into
blocks, placeholders are replaced as plain strings, and the blocks become a
docxtpl subdocument of guidelines/word/lettera.docx.

Approdo stores pupil codes, never names: the pupil's and the parents' names and
the family's address are fill-in fields of the Word file (content controls), typed
by the school in the downloaded file and never stored.

A family that reads another language gets the Italian letter, which is the
administrative act (protocolled, signed, the one the report to the mayor
cites), and after it a courtesy translation written by the network's
mediators: schools send both, so that the family understands and the act
stays the same for every family.
"""

from __future__ import annotations

import io
import re
from copy import deepcopy
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlite_utils
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docxtpl import DocxTemplate, InlineImage

from models.accounts import people, school_logo
from models.accounts.schools import SIGNATURES, Level, School, dirigente_full_name, get_network, get_school
from models.core import audit, clock
from models.core.db import transaction
from models.core.errors import ApprodoError, NothingToSave
from models.core.languages import ITALIAN, RTL, WORD_TAGS, check_language, language_name
from models.core.permissions import Action, Actor, NetworkRef, SchoolRef, require
from models.core.school_year import SchoolYear
from models.obligation import cases, store
from models.obligation.cases import Case
from models.protocols import placeholders, richtext
from models.protocols.word_export import LOGO_HEIGHT, Fields, Metadata, SectionBody, fill_subdoc, render

ROOT = Path(__file__).resolve().parents[2]
TEXTS_DIR = ROOT / "guidelines" / "letters"
EXAMPLES_DIR = TEXTS_DIR / "esempi"
TEMPLATE = ROOT / "guidelines" / "word" / "lettera.docx"
MAX_NOTE = 300

FAMILY, MAYOR = "famiglia", "sindaco"
FAMILY_HOURS, MAYOR_HOURS = "famiglia_ore", "sindaco_ore"  # the letters of a quarter-of-hours case
KIND_LABELS = {FAMILY: "Comunicazione alla famiglia", MAYOR: "Segnalazione al Sindaco",
               FAMILY_HOURS: "Comunicazione alla famiglia (un quarto del monte ore)",
               MAYOR_HOURS: "Segnalazione al Sindaco (un quarto del monte ore)"}
KIND_FILE = {FAMILY: "comunicazione_famiglia", MAYOR: "segnalazione_sindaco",
             FAMILY_HOURS: "comunicazione_famiglia_ore", MAYOR_HOURS: "segnalazione_sindaco_ore"}
MAYOR_KINDS = (MAYOR, MAYOR_HOURS)  # acts between administrations: Italian only

BLANK_NAME = "_" * 28
BLANK_ADDRESS = "_" * 40
BLANK_SHORT = "_" * 16
# Fill-in fields: a marker in the filled text becomes a Word content control (`_fill_in_fields`).
FILL_IN = {"alunno.nome": "nome e cognome dell'alunno/a", "famiglia.nome": "nomi dei genitori o dei tutori",
           "famiglia.indirizzo": "indirizzo della famiglia"}
_MARK_OPEN, _MARK_CLOSE = "\ue000", "\ue001"  # private-use characters: nobody types them
_MARKED = re.compile(f"{_MARK_OPEN}([a-z.]+){_MARK_CLOSE}")


def _field(key: str) -> str:
    return f"{_MARK_OPEN}{key}{_MARK_CLOSE}"

WORD_FIELDS = Fields(frozenset({"logo", "scuola_nome", "scuola_codice", "scuola_comune", "scuola_contatti",
                                "luogo_data", "protocollo", "corpo", "dirigente_nome", "firma_nota", "traduzione",
                                "traduzione_titolo", "traduzione_corpo"}),
                     {"destinatario": frozenset({"testo"})})


def check_kind(kind: str) -> str:
    if kind not in KIND_LABELS:
        raise ApprodoError(f"Tipo di lettera «{kind}» sconosciuto: usa {', '.join(KIND_LABELS)}.")
    return kind


# --- the texts: shipped defaults, the network's versions -------------------------------------------


@dataclass(frozen=True)
class LetterText:
    network_code: str
    kind: str
    language: str
    version: int  # 0: the text shipped with Approdo, not yet changed by the network
    body: str
    author: str
    created_at: str
    note: str = ""

    @property
    def is_default(self) -> bool:
        return self.version == 0


class LetterConflict(ApprodoError):
    """Someone saved the letter after the editor loaded it."""

    def __init__(self, theirs: LetterText, yours: str, author_name: str = ""):
        super().__init__(
            f"{author_name or theirs.author} ha salvato questa lettera (versione {theirs.version}, "
            f"{clock.local_datetime(theirs.created_at)}) dopo che l'hai aperta. Il tuo testo non è stato salvato:"
            " confrontalo con il suo, poi salva di nuovo partendo dalla versione attuale.")
        self.theirs = theirs
        self.yours = yours


def default_text(kind: str, language: str) -> str | None:
    """The text Approdo ships (Italian only: translations are the network's mediators' work)."""
    path = TEXTS_DIR / f"{check_kind(kind)}.{language}.md"
    return path.read_text(encoding="utf-8") if path.exists() else None


def example_text(kind: str, language: str) -> str | None:
    """An example translation (for the demo network), marked in its text as one for the mediators to check."""
    path = EXAMPLES_DIR / f"{check_kind(kind)}.{language}.md"
    return path.read_text(encoding="utf-8") if path.exists() else None


def _require_read(db: sqlite_utils.Database, actor: Actor, network_code: str) -> str:
    network = get_network(db, actor, network_code)
    require(actor, Action.READ_LETTERS, NetworkRef(network.code),
            "Le lettere della rete sono del coordinatore e delle scuole della rete.")
    return network.code


def _stored(db, network_code: str, kind: str, language: str) -> list[LetterText]:
    return [LetterText(network_code, kind, language, *row)
            for row in store.letter_versions(db, network_code, kind, language)]


def history(db: sqlite_utils.Database, actor: Actor, network_code: str, kind: str,
            language: str) -> list[LetterText]:
    """Every version, newest first, ending with the shipped text where there is one."""
    network_code = _require_read(db, actor, network_code)
    kind, language = check_kind(kind), check_language(language)
    versions = _stored(db, network_code, kind, language)
    shipped = default_text(kind, language)
    if shipped is not None:
        versions.append(LetterText(network_code, kind, language, 0, shipped, "Approdo", "", "testo predefinito"))
    return versions


def current_text(db: sqlite_utils.Database, actor: Actor, network_code: str, kind: str,
                 language: str) -> LetterText | None:
    """The text in use: the latest saved version, else the shipped one; None if the language has none."""
    versions = history(db, actor, network_code, kind, language)
    return versions[0] if versions else None


def languages(db: sqlite_utils.Database, actor: Actor, network_code: str, kind: str) -> list[str]:
    """The languages the network has this letter in: Italian first, then the others by their Italian name."""
    network_code = _require_read(db, actor, network_code)
    stored = store.letter_languages(db, network_code, check_kind(kind))
    others = sorted(stored - {ITALIAN}, key=language_name)
    return [ITALIAN, *others]


def check_text(text: str) -> str:
    """The checks of a protocol section, with the letter's placeholders."""
    text = (text or "").replace("\r\n", "\n")
    if not text.strip():
        raise ApprodoError("Il testo della lettera è vuoto.")
    richtext.validate(text)
    placeholders.check(text, placeholders.LETTER_WHITELIST)
    return text


def save_text(db: sqlite_utils.Database, actor: Actor, network_code: str, kind: str, language: str, text: str,
              base_version: int, note: str = "") -> LetterText:
    """A new version of the network's letter; refused (LetterConflict) if someone saved after `base_version`."""
    network_code = _require_read(db, actor, network_code)
    require(actor, Action.MANAGE_NETWORK, NetworkRef(network_code),
            "Solo il coordinatore della rete modifica le lettere.")
    kind, language = check_kind(kind), check_language(language)
    if kind in MAYOR_KINDS and language != ITALIAN:
        raise ApprodoError("La segnalazione al Sindaco si scrive solo in italiano: le traduzioni sono per le famiglie.")
    text = check_text(text)
    note = (note or "").strip()[:MAX_NOTE]
    with transaction(db):
        versions = _stored(db, network_code, kind, language)
        current = versions[0] if versions else None
        if (current.version if current else 0) != base_version:
            if current is None:
                raise ApprodoError("Versione di partenza non valida: ricarica la pagina.")
            raise LetterConflict(current, text, people.names(db, actor, [current.author])[current.author])
        previous = current.body if current else default_text(kind, language)
        if text == previous:
            raise NothingToSave("Il testo non è cambiato: nessuna nuova versione salvata.")
        version = base_version + 1
        store.insert_letter_version(db, network_code, kind, language, version, text, actor.username,
                                    clock.to_text(clock.utcnow()), note)
        audit.record(db, actor, "lettera_salvata", f"{network_code} / {kind} / {language}",
                     detail=f"versione {version}")
    return current_text(db, actor, network_code, kind, language)


# --- the facts of a case, as a letter shows them ---------------------------------------------------


@dataclass(frozen=True)
class LetterFacts:
    """What a letter says about one case; built from the case record (models.obligation)."""

    pupil_code: str
    class_name: str
    days: tuple[date, ...]  # the unjustified days that make the case
    window_start: date  # the three months, from the first day of lessons (`Case.period_start`)
    window_end: date
    opened_on: date
    family_date: date | None = None  # the family was informed on, with this protocol number
    family_protocol: str = ""
    deadline: date | None = None  # seven days after the family's receipt, as the case record says
    mayor_date: date | None = None
    mayor_protocol: str = ""
    municipality: str = ""
    received_on: date | None = None  # the receipt the seven days run from (documented or allowed for)
    receipt_known: bool = True
    hours_unjustified: float | None = None  # a quarter-of-hours case
    hours_limit: float | None = None


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _hours(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}".replace(".", ",").removesuffix(",0")


def _received(facts: LetterFacts) -> str:
    if facts.received_on is None:
        return BLANK_SHORT
    if facts.receipt_known:
        return _day(facts.received_on)
    return (f"{_day(facts.received_on)} (data di ricevimento non documentata: {cases.RECEIPT_ALLOWANCE_DAYS} giorni "
            "dall'invio)")


def letter_values(school: School, network_name: str, facts: LetterFacts, kind: str,
                  today: date | None = None, *, fill_in: bool = False) -> dict[str, str]:
    """Every placeholder's value: school facts, the case's days and dates; names and address as fill-in fields of
    the Word file (`fill_in`) or as blanks (the preview)."""
    today = today or clock.local_date()
    own = ((facts.family_date, facts.family_protocol) if kind not in MAYOR_KINDS
           else (facts.mayor_date, facts.mayor_protocol))
    blanks = {"alunno.nome": BLANK_NAME, "famiglia.nome": BLANK_NAME, "famiglia.indirizzo": BLANK_ADDRESS}
    return {
        "scuola.nome": school.name, "scuola.codice": school.code, "scuola.comune": school.comune,
        "scuola.dirigente": school.dirigente_name, "referente_intercultura": school.referente_intercultura,
        "rete.nome": network_name, "anno_scolastico": str(SchoolYear.containing(facts.window_end)),
        "alunno.codice": facts.pupil_code, "alunno.classe": facts.class_name,
        **({key: _field(key) for key in FILL_IN} if fill_in else blanks),
        "assenze.giorni": str(len(facts.days)), "assenze.date": ", ".join(_day(d) for d in sorted(facts.days)),
        "assenze.dal": _day(facts.window_start), "assenze.al": _day(facts.window_end),
        "caso.aperto_il": _day(facts.opened_on),
        "comunicazione.data": _day(facts.family_date) or BLANK_SHORT,
        "comunicazione.protocollo": facts.family_protocol or BLANK_SHORT,
        "comunicazione.scadenza": _day(facts.deadline) or BLANK_SHORT,
        "comunicazione.ricevuta": _received(facts),
        "ore.assenza": _hours(facts.hours_unjustified) or BLANK_SHORT,
        "ore.limite": _hours(facts.hours_limit) or BLANK_SHORT,
        "comune.residenza": facts.municipality or BLANK_SHORT,
        "lettera.data": _day(own[0] or today), "lettera.protocollo": own[1] or BLANK_SHORT,
    }


def sample_facts() -> LetterFacts:
    """An invented case for the editor's preview."""
    days = tuple(date(2025, 10, d) for d in (6, 7, 8, 9, 10, 13, 14, 15, 16, 17, 20, 21, 22, 23, 24, 27))
    return LetterFacts("A0042", "2B", days, date(2025, 9, 8), date(2025, 10, 27), date(2025, 10, 27),
                       date(2025, 10, 29), "1234/IV.1", date(2025, 11, 7), municipality="Milano",
                       received_on=date(2025, 10, 31), hours_unjustified=252.5, hours_limit=247.5)


def blocks(text: str, values: dict[str, str]) -> list[richtext.Block]:
    """The text as blocks with placeholders filled as plain text (never a template)."""
    return richtext.map_text(richtext.parse(text),
                             lambda t: placeholders.fill(t, values, placeholders.LETTER_WHITELIST))


def preview_html(db: sqlite_utils.Database, actor: Actor, network_code: str, text: str, language: str,
                 kind: str = FAMILY) -> str:
    """The text filled with an invented case, as escaped HTML (right to left for Arabic, Persian, Urdu)."""
    network_code = _require_read(db, actor, network_code)
    network = get_network(db, actor, network_code)
    school = School("XXXX00000X", "Istituto di esempio", network.code, network.name,
                    Level.SECONDARIA_PRIMO_GRADO, None, "Milano",
                    "Nome del dirigente")
    html = richtext.to_html(blocks(text, letter_values(school, network.name, sample_facts(), kind)))
    direction = "rtl" if language in RTL else "ltr"
    return f'<div dir="{direction}" lang="{language}">{html}</div>'


# --- Word -------------------------------------------------------------------------------------------

# Elements a paragraph's or run's properties may hold after the ones we add (OOXML fixes their order).
_AFTER_BIDI = ("w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
               "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
               "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
_AFTER_RTL = ("w:cs", "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath")
_AFTER_BIDI_VISUAL = ("w:tblStyleRowBandSize", "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing",
                      "w:tblInd", "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook")


def _flag(parent, tag: str, successors: tuple[str, ...]):
    if parent.find(qn(tag)) is None:
        parent.insert_element_before(OxmlElement(tag), *successors)


def mark_right_to_left(element, language: str) -> None:
    """Make every paragraph of `element` right-to-left in Word and LibreOffice: w:bidi on the paragraph,
    w:rtl on its runs (with bold and italic for complex scripts, which Word keeps apart), w:lang w:bidi."""
    tag = WORD_TAGS.get(language, language)
    for paragraph in element.iter(qn("w:p")):
        _flag(paragraph.get_or_add_pPr(), "w:bidi", _AFTER_BIDI)
        for run in paragraph.iter(qn("w:r")):
            r_pr = run.get_or_add_rPr()
            if r_pr.find(qn("w:b")) is not None:
                _flag(r_pr, "w:bCs", ("w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike", "w:color", "w:sz",
                                      "w:szCs", "w:u", "w:vertAlign", "w:rtl", *_AFTER_RTL))
            if r_pr.find(qn("w:i")) is not None:
                _flag(r_pr, "w:iCs", ("w:caps", "w:smallCaps", "w:strike", "w:color", "w:sz", "w:szCs", "w:u",
                                      "w:vertAlign", "w:rtl", *_AFTER_RTL))
            _flag(r_pr, "w:rtl", _AFTER_RTL)
            lang = r_pr.find(qn("w:lang"))
            if lang is None:
                lang = OxmlElement("w:lang")
                r_pr.insert_element_before(lang, "w:eastAsianLayout", "w:specVanish", "w:oMath")
            lang.set(qn("w:bidi"), tag)
    for table in element.iter(qn("w:tbl")):
        _flag(table.tblPr, "w:bidiVisual", _AFTER_BIDI_VISUAL)


def _mark_language(element, language: str) -> None:
    """A left-to-right translation still says its language, for spelling and for screen readers."""
    tag = WORD_TAGS.get(language, language)
    for run in element.iter(qn("w:r")):
        r_pr = run.get_or_add_rPr()
        lang = r_pr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            r_pr.insert_element_before(lang, "w:eastAsianLayout", "w:specVanish", "w:oMath")
        lang.set(qn("w:val"), tag)
        lang.set(qn("w:eastAsia"), tag)


def _body(template: DocxTemplate, text: str, values: dict[str, str], language: str):
    if language in RTL:  # the Arabic comma between the dates
        values = {**values, "assenze.date": values["assenze.date"].replace(", ", "، ")}
    subdoc = SectionBody(template)
    fill_subdoc(subdoc, blocks(text, values))
    if language in RTL:
        mark_right_to_left(subdoc.element.body, language)
    elif language != ITALIAN:
        _mark_language(subdoc.element.body, language)
    return subdoc


def _addressee(kind: str, facts: LetterFacts) -> list[dict[str, str]]:
    """Who the letter goes to, in words that fit anyone: the parents or whoever has parental responsibility; the
    mayor's office, whoever holds it."""
    if kind in MAYOR_KINDS:
        lines = [f"Al Sindaco del Comune di {facts.municipality or BLANK_SHORT}"]
    else:
        lines = ["Ai genitori o a chi esercita la responsabilità genitoriale", _field("famiglia.nome"),
                 f"dell'alunno/a {_field('alunno.nome')}", _field("famiglia.indirizzo")]
    return [{"testo": line} for line in lines]


def _contacts(school: School) -> str:
    """The letterhead's second line: address, telephone, e-mail, PEC, office hours (those the school gave)."""
    parts = [school.address, f"Tel. {school.phone}" if school.phone else "",
             f"e-mail {school.email}" if school.email else "", f"PEC {school.pec}" if school.pec else "",
             f"Segreteria: {school.office_hours}" if school.office_hours else ""]
    return " · ".join(part for part in parts if part)


def _fill_in_fields(data: bytes) -> bytes:
    """Each marked fill-in field (`_field`) becomes a plain-text content control with its placeholder text: the
    school types the name in the downloaded file (Word and LibreOffice), and Approdo never sees it."""
    document = Document(io.BytesIO(data))
    for text in list(document.element.body.iter(qn("w:t"))):
        run = text.getparent()
        if not _MARKED.search(text.text or "") or run.tag != qn("w:r"):
            continue
        properties = run.find(qn("w:rPr"))
        pieces = _MARKED.split(text.text)  # text, key, text, key, ..., text
        replacement = []
        for index, piece in enumerate(pieces):
            if index % 2 == 0:
                if piece:
                    replacement.append(_run(piece, properties))
                continue
            control = OxmlElement("w:sdt")
            settings = OxmlElement("w:sdtPr")
            if properties is not None:
                settings.append(deepcopy(properties))
            for tag, value in (("w:alias", FILL_IN[piece].capitalize()), ("w:tag", piece)):
                element = OxmlElement(tag)
                element.set(qn("w:val"), value)
                settings.append(element)
            settings.append(OxmlElement("w:showingPlcHdr"))
            settings.append(OxmlElement("w:text"))
            content = OxmlElement("w:sdtContent")
            content.append(_run(f"[{FILL_IN[piece]}]", properties))
            control.extend([settings, content])
            replacement.append(control)
        for element in replacement:
            run.addprevious(element)
        run.getparent().remove(run)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _run(text: str, properties) -> object:
    run = OxmlElement("w:r")
    if properties is not None:
        run.append(deepcopy(properties))
    element = OxmlElement("w:t")
    element.text = text
    element.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    run.append(element)
    return run


def letter_docx(db: sqlite_utils.Database, actor: Actor, school: School, facts: LetterFacts, kind: str,
                language: str = ITALIAN, today: date | None = None) -> bytes:
    """The letter as a Word document: Italian, and the courtesy translation after it when `language` is another."""
    kind, language = check_kind(kind), check_language(language)
    if kind in MAYOR_KINDS and language != ITALIAN:
        raise ApprodoError("La segnalazione al Sindaco si scrive solo in italiano.")
    network = get_network(db, actor, school.network_code)
    italian = current_text(db, actor, network.code, kind, ITALIAN)
    translated = current_text(db, actor, network.code, kind, language) if language != ITALIAN else None
    if language != ITALIAN and translated is None:
        raise ApprodoError(f"La rete non ha ancora la lettera in {language_name(language)}: il coordinatore può "
                           "aggiungerla dalla pagina delle lettere. Intanto si può scaricare in italiano.")
    values = letter_values(school, network.name, facts, kind, today, fill_in=True)
    own_protocol = values["lettera.protocollo"]
    signer = dirigente_full_name(db, actor, school.code) or BLANK_NAME
    logo_png = school_logo.school_logo(db, actor, school.code)

    def context(template: DocxTemplate) -> dict:
        return {
            "logo": InlineImage(template, io.BytesIO(logo_png), height=LOGO_HEIGHT) if logo_png else "",
            "scuola_nome": school.name, "scuola_codice": school.code, "scuola_comune": school.comune,
            "scuola_contatti": _contacts(school),
            "firma_nota": "" if school.letter_signature == "autografa" else SIGNATURES[school.letter_signature],
            "destinatario": _addressee(kind, facts),
            "luogo_data": f"{school.comune or BLANK_SHORT}, {values['lettera.data']}",
            "protocollo": own_protocol, "dirigente_nome": signer,
            "corpo": _body(template, italian.body, values, ITALIAN),
            "traduzione": translated is not None,
            "traduzione_titolo": (f"Traduzione di cortesia in {language_name(language)} della lettera che precede,"
                                  " scritta dai mediatori della rete: fa fede il testo in italiano.")
            if translated else "",
            "traduzione_corpo": _body(template, translated.body, values, language) if translated else "",
        }

    def metadata() -> Metadata:
        extra = f"; traduzione in {language_name(language)}" if translated else ""
        return Metadata(f"{KIND_LABELS[kind]} – alunno {facts.pupil_code}", school.name,
                        "Obbligo di istruzione: art. 114, comma 4, D.Lgs. 297/1994",
                        f"obbligo di istruzione; {KIND_LABELS[kind].lower()}{extra}")

    return _fill_in_fields(render(TEMPLATE.read_bytes(), context, metadata, fields=WORD_FIELDS))


def file_name(pupil_code: str, kind: str, language: str = ITALIAN) -> str:
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", pupil_code)[:40]
    suffix = "" if language == ITALIAN else f"_it_{language}"
    return f"{KIND_FILE[kind]}_{safe}{suffix}.docx"


# --- who sends a letter, and the family's language -------------------------------------------------


def require_send(actor: Actor, school_code: str) -> None:
    require(actor, Action.FOLLOW_OBLIGATION, SchoolRef(school_code),
            "Le lettere le scaricano solo il dirigente e la funzione strumentale della scuola.")


def family_language(db: sqlite_utils.Database, actor: Actor, school_code: str, pupil_code: str) -> str | None:
    """The family's language from the pupil context file, if the school gave it."""
    require(actor, Action.READ_PUPILS, SchoolRef(school_code))
    return store.family_language(db, school_code, pupil_code) or None


def language_options(db: sqlite_utils.Database, actor: Actor, school_code: str, pupil_code: str,
                     kind: str) -> list[str]:
    """What a letter can be downloaded in: Italian always; for the family, also Italian with the family's
    language when the context file gives it and the network has that translation."""
    if check_kind(kind) in MAYOR_KINDS:
        return [ITALIAN]
    school = get_school(db, actor, school_code)
    wanted = family_language(db, actor, school.code, pupil_code)
    if wanted and wanted != ITALIAN and wanted in languages(db, actor, school.network_code, kind):
        return [wanted, ITALIAN]
    return [ITALIAN]


def send_letter(db: sqlite_utils.Database, actor: Actor, school_code: str, facts: LetterFacts, kind: str,
                language: str = ITALIAN) -> bytes:
    """The letter about a case, for the school's dirigente or funzione; the download goes in the access log."""
    school = get_school(db, actor, school_code)
    require_send(actor, school.code)
    data = letter_docx(db, actor, school, facts, kind, language)
    audit.record_access(db, actor, school.code, "lettera obbligo scolastico",
                        f"{KIND_LABELS[kind]} ({language_name(check_language(language))}), alunno {facts.pupil_code}")
    return data


# --- a letter about a recorded case ---------------------------------------------------------------------


def facts_of(case: Case) -> LetterFacts:
    family, mayor = case.family_notice, case.mayor_notice
    return LetterFacts(case.pupil_code, case.class_name, tuple(case.unjustified_days),
                       case.period_start or case.window_start, case.window_end, case.opened_on,
                       family.on if family else None, family.protocol_no if family else "", case.deadline,
                       mayor.on if mayor else None, mayor.protocol_no if mayor else "",
                       mayor.municipality if mayor else "", family.term_start if family else None,
                       family.receipt_known if family else True, case.hours_unjustified, case.hours_limit)


def text_kind(case: Case, step: str) -> str:
    """The letter for a step (FAMILY or MAYOR) of this case: a quarter-of-hours case has letters of its own."""
    if step not in (FAMILY, MAYOR):
        raise ApprodoError("Scegli la lettera: famiglia o sindaco.")
    return f"{step}_ore" if case.kind == cases.HOURS else step


def check_step(case: Case, kind: str) -> None:
    """Refuse, in Italian, a letter the case's record does not call for."""
    if not case.is_open:
        raise ApprodoError(f"Il caso dell'alunno {case.pupil_code} è chiuso ({case.outcome or 'senza esito'}): "
                           "non si preparano altre lettere.")
    if check_kind(kind) not in MAYOR_KINDS:
        return
    if case.family_notice is None:
        raise ApprodoError("La famiglia non risulta ancora informata: prima si invia e si registra la comunicazione"
                           " alla famiglia; il Sindaco si informa solo se la frequenza non riprende entro sette "
                           "giorni da quella.")
    if case.resumption is not None:
        raise ApprodoError(f"La frequenza risulta ripresa dal {_day(case.resumption.on)}: non si segnala al Sindaco;"
                           " si chiude il caso.")
    if case.status == "in_attesa":
        raise ApprodoError(f"I sette giorni dal ricevimento della comunicazione alla famiglia finiscono il "
                           f"{_day(case.deadline)}: "
                           "la segnalazione al Sindaco si prepara dopo, se la frequenza non è ripresa.")


def case_letter(db: sqlite_utils.Database, actor: Actor, school_code: str, case_id: int, kind: str,
                language: str = ITALIAN) -> bytes:
    """The letter for one of the school's cases (the obligation page's buttons)."""
    require_send(actor, school_code)
    case = cases.get_case(db, actor, school_code, case_id)
    kind = text_kind(case, kind)
    check_step(case, kind)
    return send_letter(db, actor, school_code, facts_of(case), kind, language)


def pupil_letter(db: sqlite_utils.Database, actor: Actor, school_code: str, pupil_code: str, kind: str,
                 language: str = ITALIAN) -> bytes:
    """The letter for the pupil's open case (the command line); refused if the pupil has none."""
    require_send(actor, school_code)
    case = cases.open_case_for(db, actor, school_code, pupil_code)
    if case is None:
        raise ApprodoError(f"L'alunno {pupil_code} non ha un caso aperto di obbligo scolastico in questa scuola: "
                           "nessuna lettera da preparare.")
    kind = text_kind(case, kind)
    check_step(case, kind)
    return send_letter(db, actor, school_code, facts_of(case), kind, language)
