"""Placeholders in section text: a fixed whitelist, substituted as plain text.

Authors write ``{{ scuola.nome }}``; the value is put in its place and
nothing else happens. Section text is never handed to a template engine,
so ``{{ ''.__class__ }}`` or ``{% for %}`` can only be refused, never run.
Letters (models/obligation/letters.py) use the same mechanism with a longer
list: `LETTER_WHITELIST` adds the facts of a compulsory-education case.
"""

from __future__ import annotations

import re

from models.core.errors import ApprodoError

WHITELIST: dict[str, str] = {
    "scuola.nome": "nome della scuola",
    "scuola.codice": "codice meccanografico",
    "scuola.comune": "comune della scuola",
    "scuola.dirigente": "nome del dirigente scolastico",
    "rete.nome": "nome della rete",
    "anno_scolastico": "anno scolastico del protocollo (es. 2025/26)",
    "referente_intercultura": "docente referente per l'intercultura (funzione strumentale)",
    "delibera.data": "data della delibera di approvazione",
    "delibera.numero": "numero della delibera di approvazione",
}

# The facts of a compulsory-education case a letter shows (section texts never have them).
LETTER_FIELDS: dict[str, str] = {
    "alunno.codice": "codice dell'alunno nel registro",
    "alunno.nome": "campo da compilare nel file Word con nome e cognome dell'alunno (mai salvato da Approdo)",
    "famiglia.nome": "campo da compilare nel file Word con i nomi dei genitori o dei tutori",
    "alunno.classe": "classe dell'alunno",
    "famiglia.indirizzo": "campo da compilare nel file Word con l'indirizzo della famiglia",
    "assenze.giorni": "numero di giorni di assenza non giustificati",
    "assenze.date": "elenco delle date delle assenze non giustificate",
    "assenze.dal": "primo giorno del periodo considerato (mai prima del primo giorno di lezione)",
    "assenze.al": "ultimo giorno del periodo considerato",
    "caso.aperto_il": "data in cui il caso si è aperto",
    "comunicazione.data": "data della comunicazione alla famiglia",
    "comunicazione.protocollo": "numero di protocollo della comunicazione alla famiglia",
    "comunicazione.scadenza": "giorno entro cui la frequenza doveva riprendere (7 giorni dal ricevimento)",
    "comunicazione.ricevuta": "data in cui la famiglia ha ricevuto la comunicazione (o quella contata se non nota)",
    "ore.assenza": "ore di assenza non giustificate (caso di un quarto del monte ore)",
    "ore.limite": "un quarto del monte ore annuo, in ore",
    "comune.residenza": "comune di residenza dell'alunno (destinatario della segnalazione)",
    "lettera.data": "data della lettera",
    "lettera.protocollo": "numero di protocollo della lettera",
}
LETTER_WHITELIST: dict[str, str] = WHITELIST | LETTER_FIELDS

# A backslash before a brace makes it plain text (Markdown escaping), as imported documents use.
_PLACEHOLDER = re.compile(r"(?<!\\)\{\{(.*?)\}\}", re.DOTALL)
_STATEMENT = re.compile(r"(?<!\\)\{%|%\}|(?<!\\)\{#|#\}")


def names_in(text: str) -> list[str]:
    """The placeholder names as written (stripped), in order of appearance."""
    return [match.group(1).strip() for match in _PLACEHOLDER.finditer(text)]


def check(text: str, whitelist: dict[str, str] = WHITELIST) -> None:
    """Refuse template statements and any placeholder outside the whitelist, naming it."""
    statement = _STATEMENT.search(text)
    if statement:
        raise ApprodoError(
            f"Il testo contiene «{statement.group(0)}»: le istruzioni di modello non sono ammesse. "
            "Usa solo i segnaposto dell'elenco, come {{ scuola.nome }}."
        )
    unknown = [name for name in names_in(text) if name not in whitelist]
    if unknown:
        shown = ", ".join(f"{{{{ {name} }}}}" for name in dict.fromkeys(unknown))
        raise ApprodoError(
            f"Segnaposto sconosciuto: {shown}. Quelli ammessi sono: "
            + ", ".join(whitelist) + "."
        )


def missing_marker(name: str, whitelist: dict[str, str] = WHITELIST) -> str:
    return f"[da completare: {whitelist.get(name, name)}]"


def fill(text: str, values: dict[str, str], whitelist: dict[str, str] = WHITELIST) -> str:
    """Put each whitelisted placeholder's value in its place; empty ones get a visible marker."""

    def replace(match: re.Match) -> str:
        name = match.group(1).strip()
        if name not in whitelist:
            return match.group(0)  # left as it was written, never evaluated
        return values.get(name) or missing_marker(name, whitelist)

    return _PLACEHOLDER.sub(replace, text)
