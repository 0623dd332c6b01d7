"""Approdo's command line: a thin click layer over `models/`, like the pages.

The database is $APPRODO_DB (default data/approdo.db). Errors a user can
cause print one Italian sentence on stderr and exit with status 1.
"""

from __future__ import annotations

import getpass
import sys
from datetime import date
from functools import wraps
from pathlib import Path

import click

from models.accounts import auth, schools
from models.core import audit, backups, clock, school_keys
from models.core import db as database
from models.core.errors import ApprodoError
from models.core.permissions import Actor
from models.demo import demo
from models.protocols import protocol as protocols
from models.protocols import word_export as docx_export
from models.protocols import word_import as docx_import
from models.pupils import importing as pupil_data
from models.risk import history


class ItalianGroup(click.Group):
    """Turns click's usage errors into Italian sentences and status 1."""

    def main(self, *args, **kwargs):
        try:
            return super().main(*args, standalone_mode=False, **kwargs)
        except click.exceptions.Abort:
            click.echo("Interrotto.", err=True)
            sys.exit(1)
        except click.exceptions.NoSuchOption as error:
            _fail(f"Opzione sconosciuta: {error.option_name}. Usa --help per l'elenco.")
        except click.exceptions.MissingParameter as error:
            param = error.param
            if isinstance(param, click.Argument):
                what = f"l'argomento {param.human_readable_name}"
            else:
                what = f"l'opzione {param.opts[0]}" if param and param.opts else "un valore"
            _fail(f"Manca {what}. Usa --help per l'elenco delle opzioni.")
        except click.exceptions.BadParameter as error:
            name = error.param.opts[0] if error.param and error.param.opts else "un valore"
            _fail(f"Valore non valido per {name}. Usa --help per l'elenco delle opzioni.")
        except click.exceptions.UsageError as error:
            if error.message.startswith("No such command"):
                _fail("Comando sconosciuto. Usa --help per l'elenco dei comandi.")
            _fail(f"Comando non valido ({error.format_message()}). Usa --help per l'aiuto.")
        except click.exceptions.Exit as done:
            sys.exit(done.exit_code)


def _fail(message: str):
    click.echo(message, err=True)
    sys.exit(1)


def _system_actor() -> Actor:
    try:
        who = getpass.getuser()
    except Exception:  # no user name in some containers
        who = "?"
    return Actor.system(f"cli:{who}")


def command(group: click.Group, name: str):
    """A command that gets (db, actor) and turns ApprodoError into exit 1."""

    def decorate(function):
        @wraps(function)
        def run(*args, **kwargs):
            try:
                db = database.connect()
                return function(db, _system_actor(), *args, **kwargs)
            except ApprodoError as error:
                _fail(error.message)

        return group.command(name)(run)

    return decorate


@click.group(cls=ItalianGroup)
def cli():
    """Approdo: protocolli di accoglienza e rischio di dispersione per le reti di scuole."""


@command(cli, "init-db")
@click.option("--demo", "with_demo", is_flag=True, help="Aggiunge la rete di esempio con gli account demo.")
def init_db(db, actor, with_demo):
    """Crea il database (o lo aggiorna allo schema corrente)."""
    version = database.schema_version(db)
    click.echo(f"Database pronto: {database.database_path()} (schema versione {version}).")
    if with_demo:
        if demo.install_demo(db):
            click.echo("Rete di esempio creata con gli account demo (vedi README).")
        else:
            click.echo("La rete di esempio c'è già: nulla da aggiungere.")


@command(cli, "add-network")
@click.argument("code")
@click.option("--name", required=True, help="Nome della rete.")
def add_network(db, actor, code, name):
    """Crea una rete di scuole."""
    network = schools.create_network(db, actor, code, name)
    click.echo(f"Rete {network.code} creata: {network.name}.")


@command(cli, "add-school")
@click.argument("code")
@click.option("--name", required=True, help="Nome della scuola.")
@click.option("--network", "network_code", required=True, help="Codice della rete.")
@click.option("--level", required=True, help="primaria, secondaria_primo_grado o secondaria_secondo_grado.")
@click.option("--annual-hours", type=int, default=None, help="Monte ore annuo (per il limite del 25 %).")
@click.option("--comune", default="", help="Comune della scuola.")
@click.option("--dirigente", "dirigente_name", default="", help="Nome del dirigente scolastico.")
def add_school(db, actor, code, name, network_code, level, annual_hours, comune, dirigente_name):
    """Aggiunge una scuola (codice meccanografico) a una rete."""
    school = schools.create_school(
        db, actor, code, name, network_code, level,
        annual_hours=annual_hours, comune=comune, dirigente_name=dirigente_name,
    )
    click.echo(f"Scuola {school.code} creata: {school.name} ({school.level_label}).")


@command(cli, "add-user")
@click.argument("username")
@click.option("--role", required=True,
              help="admin, coordinatore_rete, dirigente, funzione_strumentale, docente o regione.")
@click.option("--school", "school_code", default=None, help="Codice della scuola (ruoli di scuola).")
@click.option("--network", "network_code", default=None, help="Codice della rete (coordinatore_rete).")
@click.option("--full-name", default="", help="Nome e cognome.")
@click.option("--email", default=None, help="E-mail per l'accesso con l'account della scuola (facoltativa).")
@click.option("--password-stdin", is_flag=True, help="Legge la password dalla prima riga dell'input.")
def add_user(db, actor, username, role, school_code, network_code, full_name, email, password_stdin):
    """Crea un account. La password si passa solo da standard input."""
    password = _password_from_stdin(password_stdin)
    user = auth.create_user(
        db, actor, username, password, role,
        school_code=school_code, network_code=network_code, full_name=full_name, email=email,
    )
    click.echo(f"Utente {user.username} creato con ruolo {user.role.value}.")


def _password_from_stdin(password_stdin: bool) -> str:
    if not password_stdin:
        raise ApprodoError("Passa la password con --password-stdin (mai sulla riga di comando).")
    # Read a bounded amount: the first line only, and never more than a password may be.
    line = sys.stdin.readline(auth.MAX_PASSWORD_LENGTH + 2)
    return line.rstrip("\r\n")


@command(cli, "set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Legge la nuova password dalla prima riga dell'input.")
def set_password(db, actor, username, password_stdin):
    """Imposta una nuova password (chiude le sessioni aperte e toglie le attese dopo i tentativi falliti)."""
    auth.set_password(db, actor, username, _password_from_stdin(password_stdin))
    click.echo(f"Password di {username} cambiata: le sue sessioni aperte sono state chiuse.")


@command(cli, "unlock")
@click.argument("username")
def unlock(db, actor, username):
    """Toglie le attese imposte a un account dopo troppi tentativi di accesso falliti."""
    auth.unlock(db, actor, username)
    click.echo(f"Account {username} sbloccato: può accedere subito da qualunque indirizzo.")


@command(cli, "set-email")
@click.argument("username")
@click.argument("email")
def set_email(db, actor, username, email):
    """Collega l'account all'e-mail dell'accesso con l'account della scuola ("" la toglie)."""
    auth.set_email(db, actor, username, email)
    email = auth.get_user(db, actor, username).email
    click.echo(f"Utente {username}: e-mail {email}." if email else f"Utente {username}: nessuna e-mail.")


@command(cli, "backup")
@click.argument("target", required=False, type=click.Path(dir_okay=False))
@click.option("--out", type=click.Path(dir_okay=False), help="Il file nuovo della copia.")
def backup(db, actor, target, out):
    """Scrive una copia coerente del database in un file nuovo (--out FILE), anche con l'app in funzione."""
    if bool(target) == bool(out):
        raise ApprodoError("Indica il file della copia una volta sola: cli.py backup --out FILE.")
    path = backups.backup(db, out or target)
    click.echo(f"Copia scritta in {path}.")
    _secrets_apart(db)


@command(cli, "restore")
@click.argument("source", type=click.Path(dir_okay=False))
def restore(db, actor, source):
    """Rimette il database com'era nella copia FILE (lo stato di prima resta in una copia accanto)."""
    kept, version = backups.restore(db, source)
    with database.transaction(db):
        audit.record(db, actor, "ripristino", Path(source).name, detail=f"schema {version}; prima: {kept.name}")
    click.echo(f"Database ripristinato da {source} (schema versione {version}). Lo stato di prima è in {kept}.")
    keys = school_keys.path_for(db)
    if keys.exists():
        click.echo(f"Il file dei segreti dei pseudonimi ({keys}) resta quello di prima: deve essere lo stesso"
                   " del momento della copia, o i caricamenti di quelle scuole saranno rifiutati.")


def _secrets_apart(db) -> None:
    keys = school_keys.path_for(db)
    if keys.exists():
        click.echo(f"Il file dei segreti dei pseudonimi ({keys}) non è nella copia: copialo a parte, in un luogo "
                   "diverso dalle copie del database.")


@command(cli, "protocol-status")
@click.option("--network", "network_code", required=True, help="Codice della rete.")
def protocol_status(db, actor, network_code):
    """Stato del protocollo di accoglienza di ogni scuola della rete."""
    rows = protocols.network_status(db, actor, network_code)
    click.echo(f"{'Scuola':<12} {'Stato':<14} {'Rev.':>5} {'Versioni':>9}  Delibera / Nome")
    for row in rows:
        status = row["status"] or "non avviato"
        revision = "" if row["revision"] is None else str(row["revision"])
        click.echo(f"{row['school_code']:<12} {status:<14} {revision:>5} {row['versions']:>9}  "
                   f"{row['deliberation'] + ' – ' if row['deliberation'] else ''}{row['school_name']}")
    started = sum(1 for row in rows if row["status"])
    click.echo(f"Scuole con il protocollo avviato: {started} su {len(rows)}.")


@command(cli, "export-protocol")
@click.option("--school", "school_code", required=True, help="Codice meccanografico della scuola.")
@click.option("--out", "out", required=True, help="File .docx da scrivere.")
@click.option("--pdf", is_flag=True, help="Scrive anche il PDF accanto al .docx (serve LibreOffice).")
def export_protocol(db, actor, school_code, out, pdf):
    """Esporta in Word il protocollo di una scuola."""
    protocol = protocols.school_protocol(db, actor, schools.check_school_code(school_code))
    if protocol is None:
        raise ApprodoError(f"La scuola {school_code} non ha ancora un protocollo.")
    data = docx_export.export_protocol(db, actor, protocol.id)
    click.echo(f"Scritto {database.write_private(db, out, data)}.")
    if pdf:
        pdf_data = docx_export.export_protocol_pdf(db, actor, protocol.id)
        click.echo(f"Scritto {database.write_private(db, str(Path(out).with_suffix('.pdf')), pdf_data)}.")


@command(cli, "set-logo")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--school", "school_code", required=True, help="Codice meccanografico della scuola.")
def set_logo(db, actor, file, school_code):
    """Carica il logo (PNG o JPEG) che compare sulla copertina dei protocolli della scuola."""
    from models.accounts import school_logo

    school_logo.save_logo(db, actor, schools.check_school_code(school_code), _read(file))
    click.echo(f"Logo della scuola {school_code} salvato.")


@command(cli, "create-core")
@click.option("--network", "network_code", required=True, help="Codice della rete.")
@click.option("--level", required=True, help="Grado: primaria, secondaria_primo_grado, secondaria_secondo_grado.")
@click.option("--year", default=None, help="Anno scolastico, es. 2025/26 (se manca, quello in corso).")
def create_core(db, actor, network_code, level, year):
    """Crea il protocollo comune della rete per un grado, dal modello di quel grado."""
    from models.core.school_year import SchoolYear
    from models.protocols.templates import template_for_level

    template = template_for_level(schools.parse_level(level))
    core = protocols.create_core(db, actor, network_code, template.id, year or str(SchoolYear.current()))
    sections = protocols.list_sections(db, actor, core.id)
    click.echo(f"Creato il protocollo comune {core.id} «{core.title}» ({core.school_year}, {len(sections)} sezioni).")


@command(cli, "export-core")
@click.option("--network", "network_code", required=True, help="Codice della rete.")
@click.option("--out", "out", required=True, help="File .docx da scrivere.")
@click.option("--level", default=None, help="Grado, se la rete ha più protocolli comuni.")
def export_core(db, actor, network_code, out, level):
    """Esporta in Word il protocollo comune della rete."""
    core = _core(db, actor, network_code, level)
    click.echo(f"Scritto {database.write_private(db, out, docx_export.export_protocol(db, actor, core.id))}.")


def _core(db, actor, network_code: str, level: str | None) -> protocols.Protocol:
    """The network's core protocol; --level chooses when the network has one per school level."""
    return protocols.network_core(db, actor, network_code, schools.parse_level(level) if level else None,
                                  choose="il grado con --level")


PRACTICE_ACTIONS = ("search", "publish", "adopt")


@command(cli, "practices")
@click.argument("action", type=click.Choice(PRACTICE_ACTIONS))
@click.argument("text", required=False, default="")
@click.option("--level", "levels", multiple=True, help="Grado (ripetibile): primaria, secondaria_primo_grado, "
              "secondaria_secondo_grado.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="Formato dei risultati.")
@click.option("--id", "practice_id", type=int, default=None, help="Numero della pratica (per publish e adopt).")
@click.option("--school", "school_code", default=None, help="Con adopt: la scuola nel cui protocollo adottarla.")
def practices_command(db, actor, action, text, levels, fmt, practice_id, school_code):
    """Buone pratiche: search "parole" [--level GRADO] [--format json]; publish --id N; adopt --id N --school CODICE.

    La ricerca trova anche le altre forme delle parole (famiglia, famiglie) nelle pratiche pubblicate.
    """
    import json

    from models.accounts.schools import Level
    from models.core.errors import parse_choice
    from models.practices import adoption, records, search

    if action == "search":
        chosen = [parse_choice(Level, level, "Grado").value for level in levels]
        hits = search.search(db, actor, text, levels=chosen)
        if fmt == "json":
            click.echo(json.dumps([{"id": h.practice_id, "titolo": h.title, "fonte": h.source, "gradi": list(h.levels),
                                    "evidenze": h.strength, "adozioni": h.adopters,
                                    "estratto": "".join(t for t, _ in h.snippet)} for h in hits],
                                  ensure_ascii=False, indent=2))
            return
        if not hits:
            click.echo("Nessuna pratica pubblicata corrisponde alla ricerca.")
        for hit in hits:
            click.echo(f"{hit.practice_id:>5}  {hit.title} — {hit.source}")
            click.echo(f"       {', '.join(hit.levels)} · {hit.strength} · adottata da {hit.adopters}")
        return
    if practice_id is None:
        raise ApprodoError("Indica la pratica con --id (il numero che stampa «practices search»).")
    if action == "publish":
        done = records.publish(db, actor, practice_id)
        click.echo(f"Pubblicata «{done.content.title}», versione {done.published_version}.")
        return
    if not school_code:
        raise ApprodoError("Indica con --school la scuola nel cui protocollo adottare la pratica.")
    protocol = protocols.school_protocol(db, actor, school_code)
    if protocol is None:
        raise ApprodoError(f"La scuola {school_code} non ha ancora un protocollo.")
    section = adoption.adopt(db, actor, practice_id, protocol.id)
    click.echo(f"Adottata nel protocollo di {school_code}, sezione «{section.title}».")


CORE_SECTION_ACTIONS = ("list", "lock", "unlock", "rename", "move", "remove", "add")


@command(cli, "core-section")
@click.argument("action", type=click.Choice(CORE_SECTION_ACTIONS))
@click.option("--network", "network_code", required=True, help="Codice della rete.")
@click.option("--level", default=None, help="Grado, se la rete ha più protocolli comuni.")
@click.option("--section", "key", default=None, help="Chiave della sezione (vedi «list»).")
@click.option("--title", default=None, help="Titolo (per rename e add).")
@click.option("--to", "to", type=int, default=None, help="Nuova posizione, da 1 (per move).")
@click.option("--locked", is_flag=True, help="Con add: la sezione nasce bloccata.")
def core_section(db, actor, action, network_code, level, key, title, to, locked):
    """Struttura del protocollo comune: list, lock, unlock, rename, move, remove, add.

    Ogni cambiamento arriva alle scuole come aggiornamento da decidere.
    """
    from models.protocols import structure as protocol_structure
    from models.protocols.templates import KIND_LABELS

    core = _core(db, actor, network_code, level)
    sections = protocols.list_sections(db, actor, core.id)
    if action == "list":
        for section in sections:
            click.echo(f"{section.position:>3}. {section.key:<28} {KIND_LABELS[section.kind]:<38} {section.title}")
        return
    if action == "add":
        added = protocol_structure.add_core_section(db, actor, core.id, title or "", locked=locked)
        click.echo(f"Aggiunta la sezione «{added.title}» ({added.key}).")
        return
    section = next((s for s in sections if s.key == key), None)
    if section is None:
        raise ApprodoError("Indica la sezione con --section (le chiavi sono nell'elenco di «core-section list»)."
                           if not key else f"Il protocollo comune non ha la sezione «{key}».")
    if action in ("lock", "unlock"):
        changed = protocol_structure.set_locked(db, actor, section.id, action == "lock")
        click.echo(f"«{changed.title}»: {KIND_LABELS[changed.kind]}.")
    elif action == "rename":
        changed = protocol_structure.rename_section(db, actor, section.id, title or "")
        click.echo(f"«{section.title}» ora si chiama «{changed.title}».")
    elif action == "move":
        if to is None or not 1 <= to <= len(sections):
            raise ApprodoError(f"Indica la nuova posizione con --to, da 1 a {len(sections)}.")
        order = [s.id for s in sections if s.id != section.id]
        order.insert(to - 1, section.id)
        protocol_structure.reorder_sections(db, actor, core.id, order)
        click.echo(f"«{section.title}» ora è la sezione {to}.")
    else:
        protocol_structure.remove_section(db, actor, section.id)
        click.echo(f"Tolta la sezione «{section.title}»: le scuole decideranno se toglierla anche loro.")


@command(cli, "proposals")
@click.argument("action", type=click.Choice(["list", "decide"]))
@click.option("--network", "network_code", required=True, help="Codice della rete.")
@click.option("--status", default=None, help="Con list: aperta, accolta, respinta o ritirata (se manca, tutte).")
@click.option("--proposal", "proposal_id", type=int, default=None, help="Con decide: il numero della proposta.")
@click.option("--accept", is_flag=True, help="Con decide: accoglie la proposta (nuova versione del comune).")
@click.option("--decline", is_flag=True, help="Con decide: respinge la proposta (serve --reason).")
@click.option("--reason", default="", help="Con --decline: perché la proposta non è accolta.")
def proposals_command(db, actor, action, network_code, status, proposal_id, accept, decline, reason):
    """Le proposte delle scuole al protocollo comune: elenco (list) e decisione (decide)."""
    from models.protocols import proposals

    if action == "list":
        found = proposals.list_proposals(db, actor, network_code, status=status)
        if not found:
            click.echo("Nessuna proposta.")
        for p in found:
            decided = ""
            if p.decided_at:
                decided = f" · {p.status_label.lower()} da {p.decided_by} il {clock.local_datetime(p.decided_at)}"
                decided += f" (versione comune {p.core_version})" if p.core_version else ""
                decided += f": {p.decision_reason}" if p.decision_reason else ""
            click.echo(f"n. {p.id:<4} {p.status_label:<9} «{p.section_title}» · {p.school_code} · {p.author},"
                       f" {clock.local_datetime(p.created_at)} · sostegni {len(p.supports)}{decided}")
        return
    if proposal_id is None or accept == decline:
        raise ApprodoError("Con decide indica la proposta (--proposal N) e una decisione: --accept oppure --decline.")
    if proposals.get_proposal(db, actor, proposal_id).network_code != network_code:
        raise ApprodoError(f"La proposta n. {proposal_id} non è della rete {network_code}.")
    if accept:
        done = proposals.accept(db, actor, proposal_id)
        click.echo(f"Proposta n. {done.id} accolta: versione {done.core_version} di «{done.section_title}».")
    else:
        proposals.decline(db, actor, proposal_id, reason)
        click.echo(f"Proposta n. {proposal_id} respinta.")


@command(cli, "export-network")
@click.option("--network", "network_code", required=True, help="Codice della rete.")
@click.option("--out", "out", required=True, help="File .zip da scrivere.")
def export_network(db, actor, network_code, out):
    """Esporta in un unico zip tutti i protocolli della rete, con un indice."""
    schools.get_network(db, actor, network_code)  # a clear error before the progress bar
    with click.progressbar(length=1, label="Esportazione", file=sys.stderr) as bar:
        def progress(done, total, label):
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        data = docx_export.export_network(db, actor, network_code, progress)
    click.echo(f"Scritto {database.write_private(db, out, data)}.")


@command(cli, "import-protocol")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--school", "school_code", required=True, help="Codice meccanografico della scuola.")
def import_protocol(db, actor, file, school_code):
    """Importa un protocollo Word esistente come bozza del protocollo della scuola."""
    try:
        data = Path(file).read_bytes()
    except OSError as error:
        raise ApprodoError(f"Non riesco a leggere {file}: {error.strerror}.") from None
    plan = docx_import.plan_import(db, actor, schools.check_school_code(school_code), data)
    for section, (position, _) in zip(plan.sections, plan.final_places(), strict=True):
        click.echo(f"  {section.title[:60]:<60} -> {position:>2}. {section.key or 'nuova sezione della scuola'}")
    protocol = docx_import.apply_import(db, actor, school_code, plan.sections)
    click.echo(f"Importate {len(plan.sections)} sezioni nel protocollo {protocol.id} ({protocol.status_label}).")


@command(cli, "link-sections")
@click.option("--school", "school_code", required=True, help="Codice meccanografico della scuola.")
@click.option("--level", default=None, help="Grado del protocollo comune (se indicato, deve essere quello della "
              "scuola).")
@click.option("--auto", is_flag=True, help="Collega subito le sezioni proposte (senza, le mostra soltanto).")
def link_sections(db, actor, school_code, level, auto):
    """Propone (o con --auto fa) i collegamenti tra le sezioni proprie della scuola e il protocollo comune."""
    from models.protocols import structure

    school = schools.get_school(db, actor, schools.check_school_code(school_code))
    if level is not None and schools.parse_level(level) is not school.level:
        raise ApprodoError(f"La scuola {school.code} è di un altro grado: {school.level_label.lower()}.")
    protocol = protocols.school_protocol(db, actor, school.code)
    if protocol is None:
        raise ApprodoError(f"La scuola {school.code} non ha ancora un protocollo.")
    linking = structure.link_proposals(db, actor, protocol.id)
    if linking.core is None:
        raise ApprodoError(f"La rete non ha un protocollo comune per la {school.level_label.lower()}.")
    if not linking.proposals or not linking.free:
        click.echo("Nulla da collegare: ogni sezione della scuola, o ogni sezione del protocollo comune, "
                   "è già collegata.")
        return
    for proposal in linking.proposals:
        target = (f"{proposal.core.title[:70]} ({proposal.score:.0%})" if proposal.core
                  else "resta della scuola (nessun titolo simile)")
        click.echo(f"  {proposal.section.title[:50]:<50} -> {target}")
    if auto:
        done = structure.link_suggested(db, actor, protocol.id)
        click.echo(f"Collegate {len(done)} sezioni: gli aggiornamenti della rete le mostrano da decidere.")
    else:
        click.echo(f"{len(linking.suggested)} proposte: con --auto si collegano.")


def _read(file: str) -> bytes:
    try:
        return Path(file).read_bytes()
    except OSError as error:
        raise ApprodoError(f"Non riesco a leggere {file}: {error.strerror}.") from None


def _import(db, actor, kind, file, school_code, mapping_name, dry_run, sheet=None, header_row=None,
            pseudonymise=False, key_out=None, replace=False):
    if pseudonymise and not key_out:
        raise ApprodoError("Con --pseudonymise indica anche --key-out FILE: il file chiave (nome → codice) "
                           "resta a scuola, dal dirigente.")
    if key_out:  # refused before the import, not after it
        database.check_target(db, key_out)
    school = schools.get_school(db, actor, schools.check_school_code(school_code))
    mapping = None
    if mapping_name:
        saved = pupil_data.presets(db, actor, school.code, kind)
        if mapping_name not in saved:
            raise ApprodoError(f"Non c'è una corrispondenza di colonne chiamata «{mapping_name}» per questa scuola.")
        mapping = saved[mapping_name]
    importer = pupil_data.IMPORTERS[kind]
    data = _read(file)

    def load(replace_larger: bool):
        # Only attendance replaces classes' months: a class replaced by far fewer rows takes --replace.
        extra = {"replace_larger": replace_larger} if kind == "attendance" else {}
        return importer(db, actor, school.code, data, Path(file).name, mapping, dry_run=dry_run, sheet=sheet,
                        header_row=header_row, pseudonymise=pseudonymise, **extra)

    try:
        try:
            summary = load(replace)
        except pupil_data.NeedsConfirmation as asked:
            # No question at a terminal either: the same command must do the same thing in a scheduled job.
            raise ApprodoError(f"{asked.message} Nulla è stato scritto: se è voluto, ripeti con --replace.") from None
    except pupil_data.ImportRejected as rejected:
        for problem in rejected.report.problems[:20]:
            found = f" (valore «{problem.value}»)" if problem.value else ""
            click.echo(f"  riga {problem.row}, colonna «{problem.column}»{found}: {problem.message}", err=True)
        raise
    click.echo(summary.message())
    if pseudonymise and not dry_run:
        written = database.write_private(db, key_out, summary.key_file)
        click.echo(f"Scritto il file chiave {written}: contiene i nomi, conservalo a scuola e non caricarlo altrove.")


def _import_command(name: str, kind: str, help_text: str):
    @command(cli, name)
    @click.argument("file", type=click.Path(dir_okay=False))
    @click.option("--school", "school_code", required=True, help="Codice meccanografico della scuola.")
    @click.option("--mapping", "mapping_name", default=None, help="Nome di una corrispondenza di colonne salvata.")
    @click.option("--dry-run", is_flag=True, help="Controlla il file senza scrivere nulla.")
    @click.option("--sheet", type=click.IntRange(1), default=None,
                  help="Numero del foglio Excel con la tabella (predefinito: lo trova Approdo).")
    @click.option("--header-row", type=click.IntRange(1), default=None,
                  help="Riga delle intestazioni (predefinito: la trova Approdo sotto le righe di titolo).")
    @click.option("--pseudonymise", is_flag=True,
                  help="La colonna del codice contiene nomi: sostituiscili con codici stabili della scuola.")
    @click.option("--key-out", default=None, help="Con --pseudonymise: dove scrivere il file chiave nome → codice.")
    def run(db, actor, file, school_code, mapping_name, dry_run, sheet, header_row, pseudonymise, key_out,
            replace=False):
        _import(db, actor, kind, file, school_code, mapping_name, dry_run, sheet, header_row, pseudonymise, key_out,
                replace)

    run.__doc__ = help_text
    if kind == "attendance":
        run = click.option("--replace", is_flag=True, help="Sostituisce anche le classi che nel mese hanno già "
                           "molte più righe del file (altrimenti Approdo si ferma e non scrive nulla).")(run)
    return run


_import_command("import-attendance", "attendance",
                "Importa le frequenze esportate dal registro: mensili per alunno, o giorno per giorno (eventi).")


@command(cli, "set-class-hours")
@click.option("--school", "school_code", required=True, help="Codice meccanografico della scuola.")
@click.option("--class", "class_name", default=None, help="Classe, es. 2B (senza: l'orario di tutta la scuola).")
@click.option("--hours", type=float, default=None, help="Ore settimanali, divise in parti uguali sui giorni.")
@click.option("--days", type=click.Choice(["5", "6"]), default="5",
              help="Giorni di lezione con --hours: 5 (lunedì-venerdì) o 6 (lunedì-sabato).")
@click.option("--week", "week_text", default=None,
              help="Ore di ogni giorno, es. «lun 6,mar 6,mer 6,gio 6,ven 6,sab 0» (giorni diversi).")
def set_class_hours(db, actor, school_code, class_name, hours, days, week_text):
    """Settimana di una classe o della scuola: giorni di lezione e ore di ogni giorno.

    Senza --hours né --week la classe torna all'orario della scuola (e la scuola al suo monte ore annuale).
    I mesi già caricati giorno per giorno sono ricalcolati."""
    from models.pupils import school_calendar

    if hours is not None and week_text is not None:
        raise ApprodoError("Scegli --hours (con --days) oppure --week, non tutti e due.")
    week = (school_calendar.Week.parse(week_text) if week_text is not None
            else school_calendar.Week.even(hours, int(days)) if hours is not None else None)
    school_calendar.set_week(db, actor, schools.check_school_code(school_code), class_name, week)
    who = f"della classe {class_name.strip().upper()}" if class_name else "della scuola"
    click.echo(f"Orario {who} salvato: " + (f"{week.text()} ({week.weekly:g} ore)." if week else "quello predefinito."))


@command(cli, "set-school-calendar")
@click.option("--school", "school_code", required=True, help="Codice meccanografico della scuola.")
@click.option("--rite", type=click.Choice(sorted(["romano", "ambrosiano"])), default=None,
              help="Rito: ambrosiano sposta i giorni di Carnevale (lezione lunedì e martedì, chiuso venerdì e sabato).")
@click.option("--closed", "closed_file", default=None,
              help="File di testo dei giorni chiusi dal consiglio d'istituto, una riga per giorno o periodo: "
                   "«02/05/2026 ponte».")
@click.option("--open", "open_file", default=None,
              help="File di testo dei giorni di lezione spostati su giorni chiusi dalla Regione, come --closed.")
def set_school_calendar(db, actor, school_code, rite, closed_file, open_file):
    """Calendario della scuola sopra quello regionale: rito, giorni chiusi, giorni aperti (i file sostituiscono
    l'elenco salvato; senza file l'elenco resta com'è)."""
    from models.pupils import school_calendar

    def text(file):
        return None if file is None else _read(file).decode("utf-8-sig", errors="replace")

    saved = school_calendar.set_school_calendar(db, actor, schools.check_school_code(school_code), rite=rite,
                                                closed=text(closed_file), opened=text(open_file))
    click.echo(f"Calendario della scuola salvato: {school_calendar.RITES[saved.rite].lower()}, "
               f"{len(saved.closed)} periodi chiusi, {len(saved.opened)} aperti.")


@command(cli, "set-calendar")
@click.argument("school_year")
@click.option("--first-day", required=True, help="Primo giorno di lezione, es. 12/09/2025.")
@click.option("--last-day", required=True, help="Ultimo giorno di lezione, es. 08/06/2026.")
@click.option("--holidays", "holidays_file", default=None,
              help="File di testo, una riga per vacanza: «22/12/2025 - 06/01/2026 Natale».")
def set_calendar(db, actor, school_year, first_day, last_day, holidays_file):
    """Corregge (o aggiunge) un anno del calendario scolastico regionale (solo l'amministratore)."""
    from models.pupils import school_calendar

    text = _read(holidays_file).decode("utf-8-sig", errors="replace") if holidays_file else ""
    calendar = school_calendar.set_calendar(db, actor, school_year, first_day, last_day, text)
    click.echo(f"Calendario {calendar.school_year} salvato: {len(calendar.school_days())} giorni di lezione.")
_import_command("import-context", "context", "Importa il contesto degli alunni (nascita, arrivo, livello L2...).")
_import_command("import-outcomes", "outcomes", "Importa gli esiti degli anni scolastici passati.")


@command(cli, "synth")
@click.option("--school", "school_code", default=None, help="Scuola in cui caricare la coorte sintetica.")
@click.option("--level", default=None, help="Grado, quando si scrivono solo i file (--out).")
@click.option("--pupils", type=int, required=True, help="Alunni per anno.")
@click.option("--years", required=True, help="Anni scolastici, es. 2022/23-2025/26.")
@click.option("--seed", type=int, default=0, help="Seme, per avere sempre gli stessi dati.")
@click.option("--last-month", type=int, default=None, help="Ultimo mese dell'anno in corso (es. 2 = febbraio).")
@click.option("--out", "out_dir", default=None, help="Cartella in cui scrivere i CSV invece di caricarli.")
def synth(db, actor, school_code, level, pupils, years, seed, last_month, out_dir):
    """Genera una coorte sintetica (mai dati reali) e la carica in una scuola o la scrive in CSV."""
    from models.core.school_year import SchoolYear
    from models.demo import synthetic

    first, _, last = years.partition("-")
    span = [SchoolYear(y) for y in range(SchoolYear.parse(first).start, SchoolYear.parse(last or first).start + 1)]
    if not 1 <= pupils <= 2_000_000:
        raise ApprodoError("Il numero di alunni deve essere tra 1 e 2.000.000.")
    if last_month is not None and last_month not in synthetic.MONTHS:
        raise ApprodoError("--last-month deve essere un mese di scuola: da 9 a 12 o da 1 a 6.")
    school = schools.get_school(db, actor, schools.check_school_code(school_code)) if school_code else None
    if school is None and not (out_dir and level):
        raise ApprodoError("Indica --school per caricare i dati, oppure --out e --level per scrivere i file.")
    cohort = synthetic.generate(school.level if school else schools.parse_level(level), pupils, span, seed=seed,
                                last_month=last_month)
    files = {"frequenze.csv": synthetic.attendance_csv(cohort), "contesto.csv": synthetic.context_csv(cohort),
             "esiti.csv": synthetic.outcomes_csv(cohort)}
    if out_dir:
        for name, data in files.items():
            click.echo(f"Scritto {database.write_private(db, str(Path(out_dir) / name), data)}.")
        return
    for kind, (name, data) in zip(("attendance", "context", "outcomes"), files.items(), strict=True):
        click.echo(pupil_data.IMPORTERS[kind](db, actor, school.code, data, "sintetico_" + name).message())


@command(cli, "score")
@click.option("--school", "school_code", required=True, help="Codice meccanografico della scuola.")
@click.option("--as-of", default=None, help="Mese di riferimento, es. 2026-02 (predefinito: l'ultimo importato).")
@click.option("--format", "fmt", default="csv", help="csv, json o xlsx (xlsx solo con --out).")
@click.option("--out", "out", default=None, help="File da scrivere (predefinito: lo schermo).")
@click.option("--class", "classes", multiple=True, help="Solo questa classe (ripetibile).")
@click.option("--level", "levels", multiple=True, help="Solo questo livello: alto, medio, basso, dati_insufficienti,"
              " dati_fermi (ripetibile).")
def score(db, actor, school_code, as_of, fmt, out, classes, levels):
    """Elenco di rischio con motivi, revisioni e interventi (la lettura è registrata)."""
    from models.follow_up import list_export as risk_export

    if fmt == "xlsx" and not out:
        raise ApprodoError("Il formato xlsx va scritto in un file: aggiungi --out elenco.xlsx.")
    risk, data = risk_export.export_list(db, actor, schools.check_school_code(school_code), fmt,
                                         as_of=_month_option(as_of), channel="cli",
                                         selection=_selection(classes, levels))
    if out:
        click.echo(f"Scritto {database.write_private(db, out, data)} ({len(risk.pupils)} alunni, al {risk.as_of}).")
    else:
        click.echo(data.decode("utf-8"), nl=False)


def _month_option(as_of: str | None) -> str | None:
    if as_of is None:
        return None
    month = pupil_data.parse_period(as_of)
    if month is None:
        raise ApprodoError("Scrivi il mese di --as-of come 2026-02.")
    return month


def _selection(classes: tuple[str, ...], levels: tuple[str, ...], pupil: str | None = None):
    from models.follow_up.list_export import Selection
    from models.risk.indicators import LEVELS, STALE

    unknown = [level for level in levels if level not in (*LEVELS, STALE)]
    if unknown:
        raise ApprodoError(f"Livello sconosciuto: {unknown[0]}. Usa alto, medio, basso, dati_insufficienti o"
                           " dati_fermi.")
    return Selection(tuple(classes), tuple(levels), pupil)


@command(cli, "pack")
@click.option("--school", "school_code", required=True, help="Codice meccanografico della scuola.")
@click.option("--as-of", default=None, help="Mese di riferimento, es. 2026-02 (predefinito: l'ultimo importato).")
@click.option("--class", "classes", multiple=True, help="Solo questa classe (ripetibile).")
@click.option("--level", "levels", multiple=True, help="Solo questo livello (ripetibile).")
@click.option("--pupil", default=None, help="Solo questo alunno (codice).")
@click.option("--all", "whole_school", is_flag=True, help="Tutta la scuola (senza filtri va chiesto esplicitamente).")
@click.option("--out", "out", required=True, help="File .docx da scrivere (con --pdf anche il PDF accanto).")
@click.option("--pdf", is_flag=True, help="Scrive anche il PDF (serve LibreOffice).")
def pack(db, actor, school_code, as_of, classes, levels, pupil, whole_school, out, pdf):
    """Pacchetto per il consiglio di classe: una pagina per classe e una per alunno (solo codici)."""
    from models.council import pack as council_pack

    selection = _selection(classes, levels, pupil)
    if selection.whole_school and not whole_school:
        raise ApprodoError("Scegli una classe (--class), un livello (--level) o un alunno (--pupil);"
                           " per tutta la scuola scrivi --all.")
    made = council_pack.council_pack(db, actor, schools.check_school_code(school_code), selection,
                                     as_of=_month_option(as_of))
    click.echo(f"{made.first_line} Scritto {database.write_private(db, out, made.docx)} ({len(made.pupils)} alunni).")
    if pdf:
        pdf_file = database.write_private(db, str(Path(out).with_suffix(".pdf")), council_pack.council_pack_pdf(made))
        click.echo(f"Scritto {pdf_file}.")


@cli.command("add-names")
@click.option("--key", "key_file", required=True, help="Il file chiave (nome → codice) scritto al caricamento.")
@click.option("--in", "source", required=True, help="Il file scaricato da Approdo (.docx, .xlsx o .csv).")
@click.option("--out", "out", required=True, help="Dove scrivere la copia con i nomi (resta sul tuo computer).")
def add_names(key_file, source, out):
    """Rimette i nomi accanto ai codici in un file scaricato, sul computer della scuola (senza database)."""
    from models.pupils import names_back

    try:
        if Path(out).resolve() in (Path(key_file).resolve(), Path(source).resolve()):
            raise ApprodoError("--out deve essere un file nuovo, non la chiave né il file di partenza.")
        try:
            key, data = Path(key_file).read_bytes(), Path(source).read_bytes()
        except OSError as error:
            raise ApprodoError(f"Non riesco a leggere {error.filename}: {error.strerror}.") from None
        named, count = names_back.add_names(names_back.read_key(key), data, Path(source).suffix.lower().lstrip("."))
        written = database.write_private(None, out, named)  # opens no database: the configured one is refused
        click.echo(f"Scritto {written}: {count} codici con il nome accanto. Contiene nomi di minori:"
                   " tienilo solo sul computer della scuola.")
    except ApprodoError as error:
        _fail(error.message)


def _day_option(text: str | None, option: str = "--on") -> date | None:
    if text is None:
        return None
    parsed = pupil_data.parse_day(text)
    if parsed is None:
        raise ApprodoError(f"Scrivi il giorno di {option} come 2026-02-20.")
    return date.fromisoformat(parsed)


@command(cli, "notify")
@click.option("--dry-run", is_flag=True, help="Mostra che cosa invierebbe, senza inviare.")
@click.option("--on", "day", default=None, help="Giorno di riferimento, es. 2026-02-20 (predefinito: oggi).")
def notify(db, actor, dry_run, day):
    """Invia i promemoria per e-mail (da cron o da un timer di systemd): il riepilogo e le scadenze di domani."""
    from models.notify import mail

    on = _day_option(day) or clock.local_date()
    if dry_run:
        config = mail.settings(db)
        due = mail.due_messages(db, on, config.app_url if config else "")
        click.echo(f"Da inviare il {on:%d/%m/%Y}: {len(due)} messaggi.")
        for message in due:
            click.echo(f"- a {message.username} <{message.to}>: {message.subject}")
        return
    for line in mail.send_due(db, on).lines():
        click.echo(line)


@command(cli, "obligation")
@click.option("--school", "school_code", required=True, help="Codice meccanografico della scuola.")
@click.option("--as-of", default=None, help="Giorno di riferimento, es. 2026-02-20 (predefinito: oggi).")
@click.option("--format", "fmt", default="csv", help="csv o json.")
def obligation_cases(db, actor, school_code, as_of, fmt):
    """Casi di obbligo scolastico aperti a quella data (art. 114 c. 4 D.Lgs. 297/1994; la lettura è registrata)."""
    from models.obligation import cases as obligation

    data = obligation.export(db, actor, schools.check_school_code(school_code), _day_option(as_of, "--as-of"), fmt)
    click.echo(data.decode("utf-8-sig"), nl=False)


@command(cli, "obligation-letter")
@click.option("--school", "school_code", required=True, help="Codice meccanografico della scuola.")
@click.option("--pupil", "pupil_code", required=True, help="Codice dell'alunno nel registro.")
@click.option("--kind", required=True, type=click.Choice(["famiglia", "sindaco"]),
              help="famiglia (comunicazione ai genitori) o sindaco (segnalazione al Sindaco).")
@click.option("--language", default="it", help="Lingua della famiglia (it, ar, en…): la traduzione segue il testo "
                                                 "italiano.")
@click.option("--out", required=True, help="File .docx da scrivere.")
def obligation_letter(db, actor, school_code, pupil_code, kind, language, out):
    """La lettera Word per il caso aperto di un alunno (lo scaricamento è nel registro degli accessi)."""
    from models.obligation import letters

    data = letters.pupil_letter(db, actor, schools.check_school_code(school_code), pupil_code.strip(), kind,
                                letters.check_language(language))
    click.echo(f"Scritto {database.write_private(db, out, data)}.")


@command(cli, "letter-template")
@click.option("--network", "network_code", required=True, help="Codice della rete.")
@click.option("--kind", required=True, type=click.Choice(["famiglia", "sindaco", "famiglia_ore", "sindaco_ore"]),
              help="famiglia o sindaco; famiglia_ore o sindaco_ore per i casi di un quarto del monte ore.")
@click.option("--language", default="it", help="Lingua del testo (it, ar, en…).")
@click.option("--file", "file", default=None, type=click.Path(dir_okay=False),
              help="File Markdown con il nuovo testo: lo salva come nuova versione. Senza, stampa il testo in uso.")
def letter_template(db, actor, network_code, kind, language, file):
    """Mostra o cambia il testo di una lettera della rete (stesso formato e segnaposto delle sezioni)."""
    from models.obligation import letters

    language = letters.check_language(language)
    current = letters.current_text(db, actor, network_code, kind, language)
    if file is None:
        if current is None:
            raise ApprodoError(f"La rete non ha la lettera «{kind}» in {letters.language_name(language)}.")
        click.echo(current.body, nl=not current.body.endswith("\n"))
        return
    text = _read(file).decode("utf-8-sig", errors="replace")
    saved = letters.save_text(db, actor, network_code, kind, language, text, current.version if current else 0,
                              "dalla riga di comando")
    click.echo(f"Salvata la versione {saved.version} della lettera «{kind}» in {letters.language_name(language)}.")


@command(cli, "set-school-letterhead")
@click.option("--school", "school_code", required=True, help="Codice meccanografico della scuola.")
@click.option("--address", default="", help="Indirizzo (via, CAP, comune).")
@click.option("--phone", default="", help="Telefono.")
@click.option("--email", default="", help="E-mail istituzionale.")
@click.option("--pec", default="", help="Posta elettronica certificata.")
@click.option("--office-hours", default="", help="Orari della segreteria (es. «lun–ven 8–10»).")
@click.option("--signature", default="autografa", type=click.Choice(["autografa", "a_mezzo_stampa", "digitale"]),
              help="Come si firmano le lettere: a mano, a mezzo stampa (art. 3 c. 2 D.Lgs. 39/1993) o digitalmente.")
def set_school_letterhead(db, actor, school_code, address, phone, email, pec, office_hours, signature):
    """L'intestazione delle lettere della scuola (indirizzo, telefono, e-mail, PEC, orari) e la dicitura di firma.
    I campi non indicati restano vuoti."""
    school = schools.update_letterhead(db, actor, schools.check_school_code(school_code), address=address,
                                       phone=phone, email=email, pec=pec, office_hours=office_hours,
                                       signature=signature)
    click.echo(f"Intestazione delle lettere di {school.name} aggiornata ({schools.SIGNATURES[signature].lower()}).")


@command(cli, "set-retention")
@click.option("--school", "school_code", required=True, help="Codice meccanografico della scuola.")
@click.option("--years", type=int, required=True, help="Anni scolastici da conservare, compreso quello in corso.")
def set_retention(db, actor, school_code, years):
    """Per quanti anni scolastici la scuola conserva i dati degli alunni."""
    from models.pupils import retention

    retention.set_retention_years(db, actor, schools.check_school_code(school_code), years)
    click.echo(f"La scuola {school_code} conserva i dati degli alunni per {years} anni scolastici.")


@command(cli, "purge")
@click.option("--school", "school_code", required=True, help="Codice meccanografico della scuola.")
@click.option("--before", required=True, help="Elimina i dati degli anni scolastici precedenti a questo, es. 2024/25.")
@click.option("--dry-run", is_flag=True, help="Mostra che cosa verrebbe eliminato, senza eliminarlo.")
def purge(db, actor, school_code, before, dry_run):
    """Elimina i dati degli alunni più vecchi della conservazione decisa dalla scuola."""
    from models.core.school_year import SchoolYear
    from models.pupils import retention

    report = retention.purge(db, actor, schools.check_school_code(school_code), SchoolYear.parse(before),
                             dry_run=dry_run)
    click.echo("\n".join(report.lines()))


@command(cli, "report")
@click.option("--network", "network_code", required=True, help="Codice della rete.")
@click.option("--year", required=True, help="Anno scolastico, es. 2025/26.")
@click.option("--out", required=True, help="File da scrivere: .docx (Word) o .xlsx (Excel).")
@click.option("--level", default=None,
              help="Solo un grado: primaria, secondaria_primo_grado, secondaria_secondo_grado.")
def report(db, actor, network_code, year, out, level):
    """Rapporto della rete per l'anno: protocolli, rischio, presa in carico, indicatori (solo dati aggregati)."""
    from models.core.school_year import SchoolYear
    from models.network import report as network_report

    extension = Path(out).suffix.lower()
    if extension not in (".docx", ".xlsx"):
        raise ApprodoError("Il file del rapporto deve finire in .docx (Word) o .xlsx (Excel).")
    if level is not None:
        level = schools.parse_level(level).value
    built = network_report.build(db, actor, network_code, SchoolYear.parse(year), level=level)
    data = network_report.to_docx(built) if extension == ".docx" else network_report.to_xlsx(built)
    written = database.write_private(db, out, data)
    click.echo(f"Scritto {written} ({len(built.scope.schools)} scuole, anno {built.year}).")


@command(cli, "train")
@click.option("--network", "network_code", required=True, help="Codice della rete.")
@click.option("--as-of-month", type=int, default=None, help="Mese dell'anno (1-12) a cui leggere ogni anno.")
def train(db, actor, network_code, as_of_month):
    """Addestra il modello di rischio sugli anni passati della rete e lo verifica sull'ultimo con esiti."""
    from models.risk import learn

    document = learn.train(db, actor, network_code, as_of_month=as_of_month)
    m = document["metrics"]
    click.echo(f"Modello versione {document['version']}: addestrato su {', '.join(document['train_years'])},"
               f" verificato sul {document['test_year']} ({m['test_pupils']} alunni, {m['test_adverse']} esiti"
               f" negativi).")
    click.echo(f"AUC modello {m['model']['auc']}, regole {m['rules']['auc']}; precisione ai primi k: modello"
               f" {m['model']['precision_at_k']}, regole {m['rules']['precision_at_k']}; errore di calibrazione"
               f" {m['model']['calibration_error']}.")
    click.echo(document["reason"])


@command(cli, "evaluate")
@click.option("--network", "network_code", required=True, help="Codice della rete.")
@click.option("--k", "k", default=None, help="Quanti alunni segnalare per scuola: 10% oppure 25 (alunni).")
@click.option("--format", "fmt", default="json", help="json.")
def evaluate(db, actor, network_code, k, fmt):
    """Metriche di modello e regole sull'anno di verifica e audit per gruppi (JSON)."""
    import json

    from models.risk import learn

    if fmt != "json":
        raise ApprodoError("Il formato disponibile è json.")
    document = learn.evaluate(db, actor, network_code, k=learn.parse_k(k))
    document.pop("params")
    click.echo(json.dumps(document, ensure_ascii=False, indent=1))


@command(cli, "evaluate-table")
@click.argument("file")
@click.option("--outcome", required=True, help="Esito negativo come confronto, es. \"G3 < 10\".")
@click.option("--features", required=True, help="Variabili separate da virgole, es. absences,failures,age.")
@click.option("--group", "groups", multiple=True, help="Colonna per l'audit per gruppi (ripetibile).")
@click.option("--k", "k", default="10%", help="Quanti alunni segnalare: 10% oppure un numero.")
@click.option("--format", "fmt", default="json", help="json.")
def evaluate_table(db, actor, file, outcome, features, groups, k, fmt):
    """Valida il modello su una tabella con una riga per alunno (validazione incrociata stratificata a 5 parti)."""
    import json

    from models.pupils import tabular
    from models.risk import learn

    if fmt != "json":
        raise ApprodoError("Il formato disponibile è json.")
    table = tabular.read_table(_read(file), Path(file).name)
    result = learn.evaluate_table(table.frame, outcome, [f.strip() for f in features.split(",") if f.strip()],
                                  list(groups), k=learn.parse_k(k))
    click.echo(json.dumps({"file": Path(file).name, **result}, ensure_ascii=False, indent=1))


@command(cli, "assign-classes")
@click.argument("username")
@click.option("--classes", required=True, help="Classi separate da virgole, es. 3A,4B.")
def assign_classes(db, actor, username, classes):
    """Assegna a un docente le sue classi (vede solo quegli alunni)."""
    from models.risk import school_risk

    school_risk.assign_classes(db, actor, username, classes.split(","))
    click.echo(f"Classi di {username}: {classes.upper()}.")


@command(cli, "set-risk-rules")
@click.option("--network", "network_code", required=True, help="Codice della rete.")
@click.option("--chronic", type=float, default=None, help="Assenza cronica (predefinito 0.10).")
@click.option("--severe", type=float, default=None, help="Assenza grave (predefinito 0.20).")
@click.option("--trend-points", type=float, default=None, help="Aumento recente che conta (predefinito 0.05).")
@click.option("--late-per-month", type=float, default=None, help="Ingressi/uscite al mese (predefinito 3).")
@click.option("--context-factors", type=int, default=None, help="Fattori di contesto per il livello medio (2).")
@click.option("--min-months", type=int, default=None, help="Mesi minimi di dati (2).")
@click.option("--recent-months", type=int, default=None, help="Mesi del ritmo recente (2).")
def set_risk_rules(db, actor, network_code, **values):
    """Cambia le soglie dei livelli di rischio per una rete (il 25 % di legge resta fisso)."""
    from models.risk import rules as risk_rules

    changes = {k: v for k, v in values.items() if v is not None}
    updated = risk_rules.set_network_rules(db, actor, network_code, **changes)
    click.echo(f"Soglie della rete {network_code}: assenza cronica {updated.chronic:.0%}, grave {updated.severe:.0%}, "
               f"aumento {updated.trend_points:.0%}, {updated.late_per_month:g} ingressi/uscite al mese, "
               f"{updated.context_factors} fattori di contesto, almeno {updated.min_months} mesi di dati.")
    # Here, unlike the app, the levels by month are recomputed before the command returns.
    job = history.latest_job(db, network_code)
    if job is None or not job.active:  # the same thresholds as before: nothing to recompute
        click.echo("I livelli mese per mese sono già calcolati con queste soglie.")
        return

    def line(done: int, total: int) -> None:
        click.echo(f"\rRicalcolo dei livelli: {done} di {total} scuole", nl=done == total)

    job = history.run_job(db, job.id, progress=line)
    if job.status == "errore":
        raise ApprodoError(f"Il ricalcolo dei livelli non è riuscito ({job.error}); riprova il comando.")
    click.echo(f"Livelli mese per mese ricalcolati per {job.total} scuole." if job.status == "completato"
               else "Il ricalcolo dei livelli è già in corso nell'applicazione.")



@command(cli, "worker")
@click.option("--once", is_flag=True, help="Esegue i lavori in attesa e termina (per cron o systemd).")
@click.option("--every", type=click.IntRange(min=1), default=10, help="Secondi fra un controllo e l'altro (10).")
def worker(db, actor, once, every):
    """Esegue i lavori in background (ricalcolo dei livelli), come farebbe l'app: uno per volta, mai due volte."""
    import time

    while True:
        for job in history.run_waiting(db):
            click.echo(f"Lavoro {job.id} (rete {job.network_code}): {job.status}, {job.done} di {job.total} scuole.")
        if once:
            return
        time.sleep(every)

if __name__ == "__main__":
    cli()
