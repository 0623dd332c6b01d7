"""Pupil data in: monthly attendance, pupil context and past outcomes, from register exports.

The path of every file is the same: read it as text (`tabular`), map its
columns to our fields (guessed from common Italian headers, confirmed by the
user, saved as a named preset), convert and check every cell, and only if
nothing is wrong write all rows in one transaction. Re-importing a month
replaces it only for the classes (and pupils) the file brings: a register
exporting class by class fills a month up (`coverage` says which classes
each month holds). Blank, footer and subtotal rows are skipped and named; a
per-subject report is summed per pupil and month. A report names the file, row and column of each
problem and says what to fix.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import islice, repeat

import numpy as np
import pandas as pd
import sqlite_utils

from models.accounts.schools import get_school
from models.core import audit, changes, clock, languages
from models.core.db import transaction
from models.core.errors import ApprodoError
from models.core.permissions import Action, Actor, SchoolRef, require
from models.core.school_year import MONTH_NAMES, SchoolYear, month_label
from models.core.spreadsheet import csv_bytes
from models.pupils import codes, coverage, pseudonyms, store, tabular

MAX_REPORTED = 500
INSERT_CHUNK = 100_000
MAX_CODE = 40

OUTCOMES = ("abbandono", "anno_non_valido", "non_ammesso", "ammesso", "trasferito")
L2_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2", "madrelingua")


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    required: bool
    synonyms: tuple[str, ...]


FIELDS: dict[str, list[Field]] = {
    "attendance": [
        Field("pupil_code", "Codice alunno", True,
              ("cod alunno", "codice alunno", "cod studente", "codice studente", "id alunno", "matricola",
               "codice", "alunno", "studente")),
        Field("class_name", "Classe", True, ("classe", "cl", "classe sezione", "sezione")),
        Field("period", "Periodo (mese)", True, ("periodo", "mese", "mese di riferimento", "periodo di riferimento",
                                                   "data", "mese anno")),
        Field("scheduled_hours", "Monte ore del periodo", True,
              ("monte ore", "ore previste", "ore di lezione", "ore lezione", "ore totali", "monte ore periodo")),
        Field("absence_hours", "Ore di assenza", True,
              ("ore di assenza", "ore assenza", "ore assenze", "assenze ore", "assenze in ore", "assenze")),
        Field("late_entries", "Ingressi posticipati", False,
              ("n entrate posticipate", "entrate posticipate", "ingressi posticipati", "n ingressi posticipati",
               "ritardi", "entrate in ritardo", "ingressi in ritardo")),
        Field("early_exits", "Uscite anticipate", False,
              ("n uscite anticipate", "uscite anticipate", "uscite")),
        Field("days_absent", "Giorni di assenza", False, ("giorni di assenza", "giorni assenza", "gg assenza")),
        Field("justified_hours", "Ore giustificate", False,
              ("ore giustificate", "ore assenza giustificate", "assenze giustificate")),
        Field("absence_pct", "Percentuale di assenza", False,
              ("% assenze", "% assenza", "% ass", "percentuale assenze", "percentuale di assenza", "assenze %",
               "perc assenze")),
        Field("subject", "Materia (prospetto per materia)", False,
              ("materia", "disciplina", "insegnamento", "materia di insegnamento", "descrizione materia")),
        Field("birth_date", "Data di nascita (solo per pseudonimizzare)", False,
              ("data di nascita", "data nascita", "nato il", "nata il", "nascita")),
    ],
    # Day by day: one row per event of the register (absence, late entry, early exit).
    "events": [
        Field("pupil_code", "Codice alunno", True,
              ("cod alunno", "codice alunno", "cod studente", "codice studente", "id alunno", "matricola",
               "codice", "alunno", "studente")),
        Field("class_name", "Classe", True, ("classe", "cl", "classe sezione", "sezione")),
        Field("day", "Data", True, ("data", "giorno", "data evento", "data assenza", "data lezione")),
        Field("event", "Evento (assenza, ritardo, uscita)", True,
              ("evento", "tipo evento", "tipo", "cod evento", "codice evento", "tipo assenza", "tipologia")),
        Field("hours", "Ore perse", False, ("ore perse", "ore", "n ore", "ore di assenza", "ore assenza",
                                            "durata", "ore non svolte")),
        Field("justified", "Giustificata", False,
              ("giustificata", "giustificato", "giustificazione", "giust", "giustificata s n", "giustificata si no")),
        Field("reason", "Motivo", False, ("motivo", "motivazione", "causale", "note", "motivo giustificazione")),
        Field("birth_date", "Data di nascita (solo per pseudonimizzare)", False,
              ("data di nascita", "data nascita", "nato il", "nata il", "nascita")),
        Field("lesson_hour", "Ora di lezione (una riga per ora)", False,
              ("ora di lezione", "ora lezione", "ora della lezione", "n ora", "numero ora", "ora n")),
    ],
    "context": [
        Field("pupil_code", "Codice alunno", True,
              ("cod alunno", "codice alunno", "cod studente", "codice studente", "id alunno", "matricola", "codice")),
        Field("birth", "Data o anno di nascita", False, ("data di nascita", "anno di nascita", "nascita", "nato il")),
        Field("arrival_year", "Anno di arrivo in Italia", False,
              ("anno di arrivo in italia", "anno arrivo in italia", "anno di arrivo", "arrivo in italia", "arrivo")),
        Field("l2_level", "Livello di italiano L2", False,
              ("livello italiano l2", "livello l2", "livello di italiano", "italiano l2", "qcer", "livello qcer")),
        Field("retentions", "Ripetenze", False, ("ripetenze", "bocciature", "n ripetenze", "anni ripetuti")),
        Field("citizenship_group", "Gruppo di cittadinanza", False,
              ("gruppo di cittadinanza", "cittadinanza", "area di cittadinanza")),
        Field("sex", "Sesso", False, ("sesso", "genere")),
        Field("family_language", "Lingua della famiglia", False,
              ("lingua della famiglia", "lingua famiglia", "lingua parlata in famiglia", "lingua dei genitori",
               "lingua madre", "lingua per le comunicazioni")),
    ],
    "outcomes": [
        Field("pupil_code", "Codice alunno", True,
              ("cod alunno", "codice alunno", "cod studente", "codice studente", "id alunno", "matricola", "codice")),
        Field("school_year", "Anno scolastico", True, ("anno scolastico", "a s", "as", "anno")),
        Field("outcome", "Esito", True, ("esito", "esito finale", "risultato")),
    ],
}


@dataclass(frozen=True)
class Problem:
    row: int  # as the user sees it in the file: the header is row 1
    column: str
    message: str
    value: str = ""  # what the cell holds, as read (cut short)


@dataclass
class Report:
    file_name: str
    problems: list[Problem] = field(default_factory=list)
    total: int = 0
    source: pd.DataFrame | None = None  # the table as read, indexed by the file's row numbers

    def add(self, rows, column: str, message: str) -> None:
        rows = list(rows)
        self.total += len(rows)
        room = MAX_REPORTED - len(self.problems)
        self.problems.extend(Problem(int(r), column, message, self._value(r, column)) for r in rows[:max(room, 0)])

    def _value(self, row, column: str) -> str:
        if self.source is None or column not in self.source.columns or row not in self.source.index:
            return ""
        value = self.source.at[row, column]
        text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value).strip()
        return text if len(text) <= 40 else text[:39] + "…"

    def as_rows(self) -> list[dict]:
        return [{"file": self.file_name, "riga": p.row, "colonna": p.column, "valore trovato": p.value,
                 "problema": p.message} for p in self.problems]

    def to_csv(self) -> bytes:
        """The problems as a CSV to download; file, column names and values come from the user: formula-safe."""
        return csv_bytes([["file", "riga", "colonna", "valore trovato", "problema"],
                          *(row.values() for row in self.as_rows())])


def export_name(prefix: str, file_name: str) -> str:
    """The name of a CSV made from an uploaded file: 'problemi_registro.csv' for registro.csv or registro.xlsx
    (never 'problemi_registro.csv.csv')."""
    stem = re.sub(r"\.(csv|txt|xlsx)$", "", file_name.strip(), flags=re.IGNORECASE) or "file"
    return f"{prefix}_{stem}.csv"


class ImportRejected(ApprodoError):
    """The file has problems: nothing was written. `report` lists them."""

    def __init__(self, report: Report):
        count = "1 problema" if report.total == 1 else f"{report.total} problemi"
        shown = f", elencati i primi {len(report.problems)}" if report.total > len(report.problems) else ""
        report.problems.sort(key=lambda p: p.row)
        first = report.problems[0]
        super().__init__(
            f"Il file {report.file_name} non è stato importato ({count}{shown}): nulla è cambiato. "
            f"Il primo: riga {first.row}, colonna «{first.column}»"
            f"{f' (valore «{first.value}»)' if first.value else ''}: {first.message}.")
        self.report = report


class NeedsConfirmation(ApprodoError):
    """The file would replace a class's month with far fewer rows: nothing was written, ask first."""

    def __init__(self, summary: Summary):
        shrunk = [r for r in summary.replaced_classes if r.far_fewer]
        parts = [f"la classe {r.class_name} di {month_label(r.period)} ha {r.before} righe e il file ne porta "
                 f"{r.after}" for r in shrunk[:5]]
        more = f" (e altre {len(shrunk) - 5} classi)" if len(shrunk) > 5 else ""
        super().__init__("Il file sostituirebbe classi già caricate con molte meno righe: " + "; ".join(parts)
                         + more + ".")
        self.summary = summary


@dataclass(frozen=True)
class ReplacedClass:
    """A class of a month that the file replaces: the rows it holds now and the rows the file brings."""

    period: str
    class_name: str
    before: int
    after: int

    @property
    def far_fewer(self) -> bool:
        return self.after * 2 < self.before


@dataclass(frozen=True)
class Summary:
    kind: str
    file_name: str
    rows: int
    pupils: int
    import_id: int | None
    periods: tuple[str, ...] = ()
    replaced_periods: tuple[str, ...] = ()
    replaced_rows: int = 0
    dry_run: bool = False
    key_file: bytes = b""  # with pseudonymisation: name -> code, for the dirigente
    replaced_classes: tuple[ReplacedClass, ...] = ()
    months: tuple[coverage.MonthClasses, ...] = ()  # the file's months as they are after it
    skipped: tuple[tuple[int, str], ...] = ()  # blank, footer and subtotal rows left out
    subjects: int = 0  # a per-subject report: how many subjects were summed per pupil and month

    def message(self) -> str:
        what = "Controllo riuscito" if self.dry_run else "Importazione riuscita"
        noun = "eventi giorno per giorno" if self.kind == "events" else "righe"
        text = f"{what}: {self.rows} {noun}, {self.pupils} alunni"
        if self.periods:
            first, last = month_label(self.periods[0]), month_label(self.periods[-1])
            text += f", mese {first}" if first == last else f", mesi {first} – {last}"
        text += "."
        if self.subjects:
            text += (f" Una riga per materia: le ore di {self.subjects} materie sono "
                     f"{'da sommare' if self.dry_run else 'state sommate'} per alunno e mese (le ore per materia "
                     "restano nella pagina dell'alunno).")
        if self.skipped:
            text += " " + tabular.describe_skipped(dict(self.skipped))
        if self.replaced_classes:
            verb = "sarebbero sostituiti" if self.dry_run else "sono stati sostituiti"
            by_month: dict[str, list[str]] = {}
            for r in self.replaced_classes:
                by_month.setdefault(r.period, []).append(r.class_name)
            where = "; ".join(f"{month_label(p)} classi {', '.join(c)}" if len(c) > 1 else
                              f"{month_label(p)} classe {c[0]}" for p, c in by_month.items())
            text += f" I dati già presenti di {where} {verb} ({self.replaced_rows} righe); le altre classi restano."
        if self.months:
            partial = [m for m in self.months if m.partial]
            shown = partial[:6] if len(self.months) > 2 else list(self.months)
            described = [m.describe() for m in shown]
            whole = len(self.months) - len(partial)
            if len(self.months) > 2 and whole:
                described.append(f"{whole} mesi con tutte le classi dell'anno")
            text += " " + ("Dopo l'importazione: " if self.dry_run else "Ora: ") + " · ".join(described) + "."
        return text


# --- mapping ------------------------------------------------------------------------


def guess_mapping(kind: str, headers: list[str]) -> dict[str, str]:
    """Field -> header, from common Italian headers: exact matches first, then containment."""
    normal = {h: tabular.normal_header(h) for h in headers}
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for exact in (True, False):
        for spec in FIELDS[kind]:
            if spec.name in mapping:
                continue
            for synonym in sorted(spec.synonyms, key=len, reverse=True):
                match = next((h for h in headers if h not in used and (
                    normal[h] == synonym if exact else re.search(rf"\b{re.escape(synonym)}\b", normal[h]))), None)
                if match:
                    mapping[spec.name] = match
                    used.add(match)
                    break
    return mapping


def layout_of(headers: list[str]) -> str:
    """'events' for a day-by-day list (one row per absence, late entry or early exit), else 'attendance'."""
    events, monthly = guess_mapping("events", headers), guess_mapping("attendance", headers)
    if {"day", "event"} <= events.keys() and "scheduled_hours" not in monthly:
        return "events"
    return "attendance"


def check_mapping(kind: str, mapping: dict[str, str], headers: list[str], file_name: str) -> None:
    fields = {f.name: f for f in FIELDS[kind]}
    unknown = [h for h in mapping.values() if h and h not in headers]
    if unknown:
        raise ApprodoError(f"Nel file {file_name} non c'è la colonna «{unknown[0]}» indicata nella corrispondenza.")
    missing = [f.label for f in fields.values() if f.required and not mapping.get(f.name)]
    if missing:
        raise ApprodoError(
            f"Nel file {file_name} mancano colonne obbligatorie: {', '.join(missing)}. Colonne trovate: "
            + ", ".join(headers[:30]) + ". Indica quale colonna corrisponde a ciascun dato.")


def headers_key(headers: list[str]) -> str:
    """What makes two files "the same layout": their headers, normalised, in order."""
    return "|".join(tabular.normal_header(h) for h in headers if str(h).strip())


def save_preset(db, actor: Actor, school_code: str, kind: str, name: str, mapping: dict[str, str],
                headers: list[str] | None = None) -> None:
    """Save a mapping; with the file's headers, other schools of the network are offered it for files like it."""
    require(actor, Action.IMPORT_PUPIL_DATA, SchoolRef(school_code))
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise ApprodoError("Dai alla corrispondenza un nome (al massimo 60 caratteri).")
    with transaction(db):
        store.save_preset(db, school_code, kind, name, json.dumps(mapping), actor.username,
                          clock.to_text(clock.utcnow()), headers_key(headers or []))


def presets(db, actor: Actor, school_code: str, kind: str, headers: list[str] | None = None
            ) -> dict[str, dict[str, str]]:
    """The school's saved mappings; with a file's headers, also those that other schools of the network
    saved for files with the same headers (named "name (school)")."""
    require(actor, Action.IMPORT_PUPIL_DATA, SchoolRef(school_code))
    found = {name: json.loads(mapping) for name, mapping in store.presets(db, school_code, kind)}
    if headers:
        for name, mapping, school_name in store.network_presets(db, school_code, kind, headers_key(headers)):
            found.setdefault(f"{name} ({school_name})", json.loads(mapping))
    return found


# --- converting cells ------------------------------------------------------------------

# Month names as registers write them: whole or cut ("set", "sett").
_MONTHS = {name: number for number, name in enumerate(MONTH_NAMES, start=1)}
_MONTHS |= {name[:3]: number for name, number in list(_MONTHS.items())} | {"sett": 9}


def parse_period(text: str) -> str | None:
    """'2025-10', '10/2025', 'ottobre 2025', '01/10/2025' or '2025-10-01' -> '2025-10'; None if not a month."""
    value = text.strip().lower()
    patterns = [
        (r"(\d{4})[-/.](\d{1,2})", lambda m: (m[1], m[2])),
        (r"(\d{1,2})[-/.](\d{4})", lambda m: (m[2], m[1])),
        (r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", lambda m: (m[3], m[2])),
        (r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ t].*)?", lambda m: (m[1], m[2])),
        (r"([a-z]+)\.?[\s-]+(\d{4})", lambda m: (m[2], _MONTHS.get(m[1]))),
    ]
    for pattern, pick in patterns:
        match = re.fullmatch(pattern, value)
        if match:
            year, month = pick(match)
            if month is None:
                return None
            year, month = int(year), int(month)
            if 2000 <= year <= 2100 and 1 <= month <= 12:
                return f"{year:04d}-{month:02d}"
            return None
    return None




def parse_hours(values: pd.Series) -> pd.Series:
    """'12,5', '12.5', '12:30' or '12' -> float hours; NaN where it is none of these."""
    if pd.api.types.is_numeric_dtype(values):  # already parsed by the CSV reader
        return values.astype(float)
    text = values.astype(str).str.strip()
    out = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce").astype(float)
    colon = text.str.contains(":", regex=False)
    if colon.any():
        parts = text[colon].str.extract(r"^(\d+):([0-5]\d)$")
        out[colon] = parts[0].astype(float) + parts[1].astype(float) / 60
    return out


def parse_percent(values: pd.Series) -> pd.Series:
    """A percentage as registers write it: '9,4', '9,4%', '9.4 %' -> 9.4 (the scale is decided later)."""
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float)
    return parse_hours(values.astype(str).str.replace("%", "", regex=False))


def _parse_counts(values: pd.Series) -> pd.Series:
    numbers = parse_hours(values)
    return numbers.where(numbers == np.floor(numbers))


def _rows(mask: pd.Series) -> np.ndarray:
    """The file's row numbers where `mask` holds (the table's index is the row number in the file)."""
    return mask.index.to_numpy()[mask.to_numpy().nonzero()[0]]


def known_headers(kind: str) -> frozenset[str]:
    """The normalised headers an importer recognises: to find the header row and the sheet."""
    kinds = ("attendance", "events") if kind == "attendance" else (kind,)
    return frozenset(s for k in kinds for f in FIELDS[k] for s in f.synonyms)


def read_options(sheet: int | None = None, header_row: int | None = None) -> dict:
    return {"sheet": sheet, "header_row": header_row}


def _pseudonymised(db, school_code: str, table: tabular.Table, mapping: dict[str, str], birth_field: str
                   ) -> tuple[tabular.Table, bytes]:
    """The table with the names of its code column replaced by the school's stable codes, and the key file."""
    if not mapping.get("pupil_code") or mapping["pupil_code"] not in table.headers:
        check_mapping("attendance" if birth_field == "birth_date" else "context", mapping, table.headers,
                      table.file_name)
    frame, key = pseudonyms.pseudonymise(table.frame, mapping["pupil_code"], mapping.get(birth_field),
                                         pseudonyms.school_secret(db, school_code))
    return replace(table, frame=frame), key


def _begin(kind: str, table: tabular.Table, mapping: dict[str, str]):
    """What every importer does first: check the mapping, then the pupil codes."""
    check_mapping(kind, mapping, table.headers, table.file_name)
    source = table.frame
    report = Report(table.file_name, source=source)
    out = pd.DataFrame(index=source.index)
    code = source[mapping["pupil_code"]].astype(str).str.strip()
    codes.check_code_column(code, table.file_name, mapping["pupil_code"])
    report.add(_rows(code == ""), mapping["pupil_code"], "valore mancante")
    report.add(_rows(code.str.len() > MAX_CODE), mapping["pupil_code"], f"più di {MAX_CODE} caratteri")
    out["pupil_code"] = code
    return source, report, out


# --- attendance --------------------------------------------------------------------------


def percent_scale(stated: pd.Series, computed: pd.Series) -> pd.Series:
    """A percentage column in 0–100, whether the file wrote 25 or 0,25: decided for the whole column.

    Cell by cell, "1,0" % would be read as a fraction (100 %). The column takes the scale under which
    more of its rows agree with hours / monte ore; with no hours to compare, fractions only if no
    value exceeds 1.
    """
    known = stated.notna() & computed.notna()
    if known.any():
        as_percent = ((computed - stated).abs() <= 1.0)[known].sum()
        as_fraction = ((computed - stated * 100).abs() <= 1.0)[known].sum()
        fraction = as_fraction > as_percent
    else:
        fraction = bool((stated.dropna() <= 1).all()) and stated.notna().any()
    return stated * 100 if fraction else stated


def read_attendance(table: tabular.Table, mapping: dict[str, str]) -> pd.DataFrame:
    """Converted, checked attendance rows; raise ImportRejected listing every problem."""
    source, report, out = _begin("attendance", table, mapping)

    def column(name):
        return source[mapping[name]]

    classes = column("class_name").astype(str).str.strip()
    report.add(_rows(classes == ""), mapping["class_name"], "valore mancante")
    report.add(_rows(classes.str.len() > MAX_CODE), mapping["class_name"], f"più di {MAX_CODE} caratteri")
    out["class_name"] = classes.str.upper()
    raw_periods = column("period").astype(str)
    lookup = {value: parse_period(value) for value in raw_periods.unique()}
    out["period"] = raw_periods.map(lookup)
    report.add(_rows(out["period"].isna()), mapping["period"],
               "periodo non riconosciuto: usa 2025-10, 10/2025, ottobre 2025 o una data")
    for name, parser in (("scheduled_hours", parse_hours), ("absence_hours", parse_hours),
                         ("late_entries", _parse_counts), ("early_exits", _parse_counts),
                         ("days_absent", parse_hours), ("justified_hours", parse_hours),
                         ("absence_pct", parse_percent)):
        if not mapping.get(name):
            out[name] = np.nan
            continue
        raw = column(name)
        values = parser(raw)
        label = mapping[name]
        spec = next(f for f in FIELDS["attendance"] if f.name == name)
        blank = (raw.astype(str).str.strip() == "") if not pd.api.types.is_numeric_dtype(raw) else \
            pd.Series(False, index=raw.index)
        if spec.required:
            report.add(_rows(blank), label, "valore mancante")
        kind = "un numero intero" if parser is _parse_counts else "un numero (es. 12,5 o 12:30)"
        report.add(_rows(values.isna() & ~blank), label, f"non è {kind}")
        report.add(_rows(values < 0), label, "numero negativo")
        out[name] = values
    label_abs, label_sched = mapping["absence_hours"], mapping["scheduled_hours"]
    report.add(_rows(out["absence_hours"] > out["scheduled_hours"] + 1e-9), label_abs,
               f"le ore di assenza superano il monte ore («{label_sched}»)")
    if mapping.get("justified_hours"):
        report.add(_rows(out["justified_hours"] > out["absence_hours"] + 1e-9), mapping["justified_hours"],
                   "le ore giustificate superano le ore di assenza")
    if mapping.get("absence_pct"):
        computed = 100 * out["absence_hours"] / out["scheduled_hours"].where(out["scheduled_hours"] > 0)
        stated = percent_scale(out["absence_pct"], computed)
        report.add(_rows((computed - stated).abs() > 1.0), mapping["absence_pct"],
                   "la percentuale non corrisponde a ore di assenza / monte ore: correggi le ore o la percentuale")
    by_subject = bool(mapping.get("subject"))
    if by_subject:
        subjects = column("subject").astype(str).str.strip()
        report.add(_rows(subjects == ""), mapping["subject"], "valore mancante")
        report.add(_rows(subjects.str.len() > MAX_SUBJECT), mapping["subject"], f"più di {MAX_SUBJECT} caratteri")
        out["subject"] = subjects
    valid = out["period"].notna() & (out["pupil_code"] != "")
    keyed = out[valid]
    key = ["pupil_code", "period", "subject"] if by_subject else ["pupil_code", "period"]
    duplicated = keyed.duplicated(key, keep="first")
    classes_in_month = keyed.groupby(["pupil_code", "period"])["class_name"].transform("nunique")
    repeated = ("riga ripetuta: lo stesso alunno, lo stesso mese e la stessa materia compaiono già sopra"
                if by_subject else "riga ripetuta: lo stesso alunno e lo stesso mese compaiono già sopra")
    report.add(_rows((duplicated & (classes_in_month == 1)).reindex(out.index, fill_value=False)),
               mapping["pupil_code"], repeated)
    two_classes = keyed.duplicated(["pupil_code", "period"], keep="first") & (classes_in_month > 1)
    report.add(_rows(two_classes.reindex(out.index, fill_value=False)),
               mapping["class_name"], "lo stesso alunno risulta in due classi nello stesso mese")
    if report.total:
        raise ImportRejected(report)
    return sum_subjects(out) if by_subject else out


MAX_SUBJECT = 60


def sum_subjects(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per pupil and month from a per-subject report: hours summed over the subjects, counts (late
    entries, early exits, days) the largest a subject gives (the same late entry is written under every
    subject of the day). The per-subject rows travel in `attrs["subjects"]`, to be kept as they came."""
    keys = ["pupil_code", "period"]
    grouped = rows.groupby(keys, sort=False)
    summed = grouped[["scheduled_hours", "absence_hours", "justified_hours"]].sum(min_count=1)
    counted = grouped[["late_entries", "early_exits", "days_absent"]].max()
    out = pd.concat([grouped[["class_name"]].first(), summed, counted], axis=1).reset_index()
    out["absence_pct"] = np.nan
    out.attrs["subjects"] = rows[["pupil_code", "period", "subject", "scheduled_hours", "absence_hours"]].copy()
    out.attrs["source_rows"] = len(rows)
    return out


def import_attendance(
    db: sqlite_utils.Database,
    actor: Actor,
    school_code: str,
    data: bytes,
    file_name: str,
    mapping: dict[str, str] | None = None,
    *,
    dry_run: bool = False,
    progress: Callable[[float, str], None] | None = None,
    sheet: int | None = None,
    header_row: int | None = None,
    replace_larger: bool = True,
    pseudonymise: bool = False,
) -> Summary:
    """Check and load attendance, monthly or day by day: all rows or none; the file's classes of its months are
    replaced, the other classes of those months stay.

    A day-by-day list (see `layout_of`) is stored as events and summed into monthly rows. With
    `pseudonymise`, the code column holds names: they become the school's stable codes and the
    summary carries the key file.

    With `replace_larger=False`, a file that would replace a class's month with far fewer rows (less than
    half) raises `NeedsConfirmation` before writing (the page asks for a second, explicit yes).
    """
    require(actor, Action.IMPORT_PUPIL_DATA, SchoolRef(school_code))
    get_school(db, actor, school_code)
    numeric_fields = ("scheduled_hours", "absence_hours", "late_entries", "early_exits", "days_absent",
                      "justified_hours", "absence_pct")

    def numeric_columns(headers: list[str]) -> set[str]:
        chosen = mapping or guess_mapping("attendance", headers)
        return {chosen[f] for f in numeric_fields if chosen.get(f)}

    table = tabular.read_table(data, file_name, numeric_columns, known=known_headers("attendance"), sheet=sheet,
                               header_row=header_row)
    layout = ("events" if "event" in mapping else "attendance") if mapping else layout_of(table.headers)
    mapping = mapping or guess_mapping(layout, table.headers)
    table, skipped = _without_summary_rows(table, mapping)
    key_file = b""
    if pseudonymise:
        table, key_file = _pseudonymised(db, school_code, table, mapping, "birth_date")
    if progress:
        progress(0.1, "Controllo delle righe")
    events = None
    if layout == "events":
        events = read_events(table, mapping)
        rows = events_to_months(db, school_code, events, file_name)
    else:
        rows = read_attendance(table, mapping)
        rows["justified_days"] = np.nan
    subjects = rows.attrs.pop("subjects", None)
    periods = tuple(sorted(rows["period"].unique()))
    # A month is replaced only for the classes the file brings (and its pupils, wherever they were).
    incoming = rows.groupby(["period", "class_name"]).size()
    held = coverage.class_rows(db, school_code, periods)
    replaced = tuple(ReplacedClass(p, c, held[(p, c)], int(n)) for (p, c), n in incoming.items() if (p, c) in held)
    count = len(events) if events is not None else rows.attrs.pop("source_rows", len(rows))
    by_month: dict[str, set[str]] = {}
    for p, c in incoming.index:
        by_month.setdefault(p, set()).add(c)
    summary = Summary(layout, file_name, count, rows["pupil_code"].nunique(), None, periods,
                      tuple(sorted({r.period for r in replaced})), sum(r.before for r in replaced), dry_run, key_file,
                      replaced, tuple(coverage.projected(db, school_code, by_month)), tuple(skipped.items()),
                      subjects["subject"].nunique() if subjects is not None else 0)
    if dry_run:
        return summary
    if not replace_larger and any(r.far_fewer for r in replaced):
        raise NeedsConfirmation(summary)
    # Rows in primary-key order: SQLite appends to its B-tree instead of splitting pages
    # all over it (about 3x faster for a million rows in random pupil order).
    pupil_rank = pd.factorize(rows["pupil_code"], sort=True)[0]
    period_rank = pd.factorize(rows["period"], sort=True)[0]
    rows = rows.iloc[np.lexsort((period_rank, pupil_rank))]
    first, last = month_label(periods[0]), month_label(periods[-1])
    detail = (first if first == last else f"{first} – {last}") + (DAY_BY_DAY if events is not None else "")
    pairs = [f"{p}|{c}" for p, c in incoming.index if (p, c) in held]
    with transaction(db):
        import_id = _new_import(db, actor, school_code, "attendance", data, file_name, count, detail)
        if pairs:
            store.delete_class_months(db, school_code, periods, pairs)
        columns = [rows[c] for c in ("pupil_code", "period", "class_name", "scheduled_hours", "absence_hours")]
        optional = [_nullable(rows[c], integer=c in ("late_entries", "early_exits"))
                    for c in ("late_entries", "early_exits", "days_absent", "justified_hours", "justified_days")]
        records = zip(repeat(school_code), *(c.tolist() for c in columns + optional),
                      repeat(import_id))
        # A pupil of the file held in another class of the month (moved) takes the file's row.
        share = 0.8 if events is None else 0.3
        for written in range(0, len(rows), INSERT_CHUNK):
            store.insert_attendance(db, islice(records, INSERT_CHUNK))
            if progress:
                progress(0.2 + share * min(1.0, (written + INSERT_CHUNK) / len(rows)), "Scrittura nel database")
        _drop_replaced_details(db, school_code, periods, pairs, import_id)
        if events is not None:
            _write_events(db, school_code, events, import_id, progress)
        if subjects is not None:
            _write_subjects(db, school_code, subjects, import_id)
        coverage.refresh(db, school_code, periods)
        if replaced:
            audit.record(db, actor, "frequenze_sostituite", school_code, school_code=school_code,
                         detail=", ".join(f"{r.period} {r.class_name}" for r in replaced)[:500])
        changes.pupil_data_changed(db, school_code, periods)
    return replace(summary, import_id=import_id,
                   months=tuple(coverage.months(db, school_code)[p] for p in periods))


def _without_summary_rows(table: tabular.Table, mapping: dict[str, str]) -> tuple[tabular.Table, dict[int, str]]:
    """Blank, footer and subtotal rows out of the table (the label may sit in the first, code or class column)."""
    labels = [table.headers[0], mapping.get("pupil_code", ""), mapping.get("class_name", "")]
    return tabular.without_summary_rows(table, labels)


def _drop_replaced_details(db, school_code: str, periods: tuple[str, ...], pairs: list[str], import_id: int) -> None:
    """Events and per-subject hours of the replaced months' classes and of the file's pupils go with their rows:
    a class's month comes whole from one file, monthly or day by day (inside the import's transaction)."""
    store.drop_replaced_details(db, school_code, periods, pairs, import_id)


def _write_subjects(db, school_code: str, subjects: pd.DataFrame, import_id: int) -> None:
    records = zip(repeat(school_code), subjects["pupil_code"].tolist(), subjects["period"].tolist(),
                  subjects["subject"].tolist(), _nullable(subjects["scheduled_hours"]).tolist(),
                  subjects["absence_hours"].tolist(), repeat(import_id))
    store.insert_subjects(db, records)


def month_classes(db: sqlite_utils.Database, actor: Actor, school_code: str) -> list[coverage.MonthClasses]:
    """Every month of the school's data with the classes it holds and those it misses, newest first."""
    require(actor, Action.IMPORT_PUPIL_DATA, SchoolRef(school_code))
    return list(reversed(coverage.months(db, school_code).values()))


def _write_events(db, school_code: str, events: pd.DataFrame, import_id: int, progress) -> None:
    order = np.lexsort((events["seq"].to_numpy(), pd.factorize(events["kind"], sort=True)[0],
                        pd.factorize(events["day"], sort=True)[0], pd.factorize(events["pupil_code"], sort=True)[0]))
    events = events.iloc[order]
    reason = events["reason"] if "reason" in events and events["reason"].notna().any() else None
    columns = [events["pupil_code"], events["day"], events["kind"], events["seq"].astype("int64"),
               events["class_name"], _nullable(events["hours"]), _nullable(events["justified"], integer=True),
               _nullable(reason) if reason is not None else pd.Series(None, index=events.index, dtype=object)]
    records = zip(repeat(school_code), *(c.tolist() for c in columns), repeat(import_id))
    for written in range(0, len(events), INSERT_CHUNK):
        store.insert_events(db, islice(records, INSERT_CHUNK))
        if progress:
            progress(0.5 + 0.5 * min(1.0, (written + INSERT_CHUNK) / len(events)), "Scrittura degli eventi")


def _nullable(values: pd.Series, *, integer: bool = False) -> pd.Series:
    """A column for SQLite: NaN becomes NULL; counts as ints (never 2.0)."""
    present = values.notna().to_numpy()
    if present.all():
        return values.astype("int64") if integer else values
    # None where missing, the values as Python ints or floats elsewhere: filled in one go, not value by value.
    out = np.full(len(values), None, dtype=object)
    if present.any():
        kept = values[present]
        out[present] = (kept.astype("int64") if integer else kept.astype(object)).tolist()
    return pd.Series(out, index=values.index, dtype=object)


# --- day-by-day events --------------------------------------------------------------------

EVENT_CODES = {
    "assenza": ("assenza", "a", "ass", "assente", "aba0", "assenza giornaliera", "assenza intera giornata",
                "assenza giorno"),
    "ritardo": ("ritardo", "r", "i", "rit", "abr0", "abr1", "entrata posticipata", "ingresso posticipato",
                "entrata in ritardo", "ingresso in ritardo", "entrata", "ingresso"),
    "uscita": ("uscita", "u", "usc", "abu0", "uscita anticipata", "uscita in anticipo"),
}
_EVENT_KIND = {tabular.normal_header(code): kind for kind, codes in EVENT_CODES.items() for code in codes}
_YES = {"si", "s", "x", "1", "true", "vero", "giustificata", "giustificato", "y", "yes"}
_NO = {"no", "n", "0", "false", "falso", "non giustificata", "non giustificato", "da giustificare"}
# The words of a register's events and justifications that the upload preview shows (codes.hide_names).
REGISTER_WORDS = frozenset({*_YES, *_NO, "sì", *(code for codes in EVENT_CODES.values() for code in codes)})
MAX_EVENT_HOURS = 12.0
DAY_BY_DAY = ", giorno per giorno"  # the end of an events import's detail in the history


def parse_day(text: str) -> str | None:
    """'15/10/2025', '15-10-2025', '2025-10-15' (with or without a time) -> '2025-10-15'; None if not a day."""
    value = text.strip()[:19]
    for pattern, width in (("%d/%m/%Y", 10), ("%Y-%m-%d", 10), ("%d-%m-%Y", 10), ("%d.%m.%Y", 10),
                           ("%d/%m/%y", 8)):
        try:
            day = datetime.strptime(value[:width] if len(value) > width and value[width] in " T" else value,
                                    pattern).date()
        except ValueError:
            continue
        return day.isoformat() if 2000 <= day.year <= 2100 else None
    return None


def _by_unique(values: pd.Series, convert) -> pd.Series:
    """Convert each distinct value once: a million events hold a few hundred dates and codes."""
    text = values.astype(str)
    lookup = {value: convert(value) for value in text.unique()}
    return text.map(lookup)


def read_events(table: tabular.Table, mapping: dict[str, str]) -> pd.DataFrame:
    """Converted, checked events; raise ImportRejected listing every problem."""
    source, report, out = _begin("events", table, mapping)
    classes = source[mapping["class_name"]].astype(str).str.strip()
    report.add(_rows(classes == ""), mapping["class_name"], "valore mancante")
    report.add(_rows(classes.str.len() > MAX_CODE), mapping["class_name"], f"più di {MAX_CODE} caratteri")
    out["class_name"] = classes.str.upper()
    out["day"] = _by_unique(source[mapping["day"]], parse_day)
    report.add(_rows(out["day"].isna()), mapping["day"], "data non riconosciuta: usa gg/mm/aaaa o aaaa-mm-gg")
    out["kind"] = _by_unique(source[mapping["event"]], lambda v: _EVENT_KIND.get(tabular.normal_header(v)))
    report.add(_rows(out["kind"].isna()), mapping["event"],
               "evento non riconosciuto: scrivi assenza, ritardo o uscita (anche A, R, U)")
    if mapping.get("hours"):
        raw = source[mapping["hours"]]
        hours = parse_hours(raw)
        blank = raw.astype(str).str.strip() == "" if not pd.api.types.is_numeric_dtype(raw) else hours.isna() & False
        report.add(_rows(hours.isna() & ~blank), mapping["hours"], "non è un numero (es. 2, 1,5 o 1:30)")
        report.add(_rows((hours < 0) | (hours > MAX_EVENT_HOURS)), mapping["hours"],
                   f"ore perse non plausibili: da 0 a {MAX_EVENT_HOURS:g} in un giorno")
        out["hours"] = hours
    else:
        out["hours"] = np.nan
    if mapping.get("justified"):
        text = _by_unique(source[mapping["justified"]], tabular.normal_header)
        # A column of crosses: the blank cells are the unjustified ones.
        crosses = set(text.unique()) <= {"x", ""}
        justified = _by_unique(text, lambda v: 1.0 if v in _YES else 0.0 if v in _NO or (crosses and v == "") else
                               (np.nan if v == "" else -1.0)).astype(float)
        report.add(_rows(justified == -1), mapping["justified"], "giustificata: scrivi SI o NO (anche S/N o X)")
        out["justified"] = justified
    else:
        out["justified"] = np.nan
    out["reason"] = (source[mapping["reason"]].astype(str).str.strip().str[:200].replace("", None)
                     if mapping.get("reason") else None)
    out["period"] = out["day"].str[:7]
    if mapping.get("lesson_hour"):
        out = _per_day(out, source[mapping["lesson_hour"]], report, mapping["lesson_hour"])
    valid = out["day"].notna() & out["kind"].notna() & (out["pupil_code"] != "")
    keyed = out[valid]
    twice = keyed[keyed["kind"] == "assenza"].duplicated(["pupil_code", "day", "justified"])
    report.add(_rows(twice.reindex(out.index, fill_value=False)), mapping["day"],
               "assenza ripetuta: lo stesso alunno risulta già assente quel giorno")
    classes_in_month = keyed.groupby(["pupil_code", "period"])["class_name"].transform("nunique")
    report.add(_rows((classes_in_month > 1).reindex(out.index, fill_value=False)), mapping["class_name"],
               "lo stesso alunno risulta in due classi nello stesso mese")
    if report.total:
        raise ImportRejected(report)
    out["seq"] = out.groupby(["pupil_code", "day", "kind"]).cumcount()
    return out


def _per_day(out: pd.DataFrame, lesson_hour: pd.Series, report: Report, label: str) -> pd.DataFrame:
    """A register that writes one row per lesson hour: its absences summed per pupil and day (one hour a row
    unless the row says its hours), before the rule reads them. The hours justified and those not stay apart:
    a day is whole only when its unjustified hours cover it. Late entries and exits stay as they are."""
    number = pd.to_numeric(lesson_hour.astype(str).str.extract(r"^\s*(\d{1,2})", expand=False), errors="coerce")
    report.add(_rows(number.isna() | (number < 1) | (number > MAX_EVENT_HOURS)), label,
               "ora di lezione non riconosciuta: scrivi il numero dell'ora (1, 2, 3...)")
    keys = out.assign(hour_number=number)
    report.add(_rows(keys.duplicated(["pupil_code", "day", "kind", "hour_number"]) & number.notna()), label,
               "ora ripetuta: lo stesso alunno ha già un evento di questo tipo in quest'ora")
    absent = out["kind"] == "assenza"
    if not absent.any():
        return out
    hours = out["hours"].where(out["hours"].notna(), 1.0)
    state = out["justified"].fillna(-2.0)  # not stated: a group of its own, NaN again below
    rows = out[absent].assign(hours=hours[absent], state=state[absent])
    summed = rows.groupby(["pupil_code", "day", "state"], as_index=False, sort=False, dropna=False).agg(
        class_name=("class_name", "last"), kind=("kind", "first"), hours=("hours", "sum"),
        justified=("justified", "first"), reason=("reason", "first"), period=("period", "first"))
    summed.index = rows.groupby(["pupil_code", "day", "state"], sort=False, dropna=False).head(1).index
    return pd.concat([summed.drop(columns="state"), out[~absent]]).sort_index()[out.columns]


def events_to_months(db, school_code: str, events: pd.DataFrame, file_name: str) -> pd.DataFrame:
    """Monthly rows from events: every pupil of the file gets every month the file covers.

    A pupil with no event in a month attended it all: an event list names only who missed something.
    Absence without hours counts the class's hours of that day (its week); a late entry or early exit
    without hours counts none. The monte ore is the class's week on the school calendar's lesson days.
    """
    from models.pupils import school_calendar

    periods = sorted(events["period"].unique())
    days = school_calendar.month_days(db, periods, school_code)
    empty = [p for p in periods if not days[p]]
    if empty:
        raise ApprodoError(f"Nel file {file_name} ci sono eventi di {month_label(empty[0])}, che nel calendario "
                           "scolastico non ha giorni di lezione: controlla le date o il calendario.")
    weeks = school_calendar.weeks(db, school_code)
    pupils = events.sort_values("day", kind="stable").groupby("pupil_code")["class_name"].last()
    grid = pd.MultiIndex.from_product([pupils.index, periods], names=["pupil_code", "period"]).to_frame(index=False)
    hours = pd.Series(school_calendar.event_hours(weeks, events), index=events.index)
    absent = events["kind"] == "assenza"
    per_event = pd.DataFrame({
        "pupil_code": events["pupil_code"], "period": events["period"], "class_name": events["class_name"],
        "absence_hours": hours, "late_entries": (events["kind"] == "ritardo").astype(int),
        "early_exits": (events["kind"] == "uscita").astype(int),
        # A day whose hours were part justified and part not (rows per lesson hour) is one day, not justified.
        "days_absent": (absent & ~events[absent].duplicated(["pupil_code", "day"]).reindex(
            events.index, fill_value=False)).astype(int),
        "justified_hours": hours.where(events["justified"] == 1, 0.0),
        "justified_days": (absent & (events["justified"] == 1) & ~events[absent].duplicated(
            ["pupil_code", "day"], keep=False).reindex(events.index, fill_value=False)).astype(int),
        "known_justified": events["justified"].notna()})
    sums = per_event.groupby(["pupil_code", "period"], sort=False).agg(
        class_name=("class_name", "last"), absence_hours=("absence_hours", "sum"),
        late_entries=("late_entries", "sum"), early_exits=("early_exits", "sum"),
        days_absent=("days_absent", "sum"), justified_hours=("justified_hours", "sum"),
        justified_days=("justified_days", "sum"), known_justified=("known_justified", "all")).reset_index()
    rows = grid.merge(sums, on=["pupil_code", "period"], how="left")
    rows["class_name"] = rows["class_name"].fillna(rows["pupil_code"].map(pupils))
    for column in ("absence_hours", "late_entries", "early_exits", "days_absent", "justified_hours",
                   "justified_days"):
        rows[column] = rows[column].fillna(0)
    # Justification unknown for some event of the month: the split is unknown, not zero.
    unknown = rows["known_justified"].eq(False)
    rows.loc[unknown, ["justified_hours", "justified_days"]] = np.nan
    rows["scheduled_hours"] = school_calendar.scheduled_hours(db, school_code, weeks, rows["class_name"],
                                                              rows["period"])
    over = rows["absence_hours"] > rows["scheduled_hours"] + 1e-9
    if over.any():
        first = rows[over].iloc[0]
        raise ApprodoError(
            f"Nel file {file_name} l'alunno {first['pupil_code']} ha {first['absence_hours']:g} ore perse a "
            f"{month_label(first['period'])}, più del monte ore calcolato ({first['scheduled_hours']:g} ore): "
            "controlla le ore degli eventi o l'orario settimanale della classe.")
    rows["absence_pct"] = np.nan
    return rows.drop(columns="known_justified")


# --- pupil context and outcomes ------------------------------------------------------------


def _birth_year(text: str) -> float:
    text = text.strip()
    if not text:
        return np.nan
    if re.fullmatch(r"\d{4}", text):
        return float(text)
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return float(datetime.strptime(text, pattern).year)
        except ValueError:
            continue
    return -1.0  # marks "not a date"


def _birth_date(text: str) -> str | None:
    """The full date of birth (ISO) when the cell gives one, else None (a year alone, or nothing)."""
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text.strip(), pattern).date().isoformat()
        except ValueError:
            continue
    return None


def _l2(text: str) -> str | None:
    value = text.strip()
    if not value:
        return ""
    if value.lower() in ("madrelingua", "l1", "italofono", "italofona", "nativo"):
        return "madrelingua"
    upper = value.upper()
    return upper if upper in L2_LEVELS else None


def _outcome(text: str) -> str | None:
    value = "_".join(tabular.normal_header(text).split())
    value = {"ammessa": "ammesso", "non_ammessa": "non_ammesso", "trasferita": "trasferito",
             "ritirato": "abbandono", "ritirata": "abbandono"}.get(value, value)
    return value if value in OUTCOMES else None


def read_context(table: tabular.Table, mapping: dict[str, str]) -> pd.DataFrame:
    source, report, out = _begin("context", table, mapping)
    report.add(_rows(out["pupil_code"].duplicated()), mapping["pupil_code"], "alunno ripetuto nel file")
    this_year = clock.utcnow().year

    def optional(name):
        return source[mapping[name]].astype(str) if mapping.get(name) else pd.Series("", index=source.index)

    birth = optional("birth").map(_birth_year)
    report.add(_rows(birth == -1), mapping.get("birth", ""), "data di nascita non valida: usa gg/mm/aaaa o l'anno")
    report.add(_rows((birth > 0) & ((birth < 1980) | (birth > this_year))), mapping.get("birth", ""),
               "anno di nascita non plausibile")
    out["birth_year"] = birth.where(birth > 0)
    out["birth_date"] = optional("birth").map(_birth_date).where(birth > 0)
    arrival_text = optional("arrival_year").str.strip()
    arrival = pd.to_numeric(arrival_text, errors="coerce")
    report.add(_rows(arrival.isna() & (arrival_text != "")), mapping.get("arrival_year", ""),
               "anno di arrivo non valido: scrivi l'anno, es. 2024")
    report.add(_rows((arrival < 1980) | (arrival > this_year)), mapping.get("arrival_year", ""),
               "anno di arrivo non plausibile")
    out["arrival_year"] = arrival
    l2 = optional("l2_level").map(_l2)
    report.add(_rows(l2.isna()), mapping.get("l2_level", ""),
               "livello non valido: A1, A2, B1, B2, C1, C2 o madrelingua")
    out["l2_level"] = l2.replace("", None)
    retentions_text = optional("retentions").str.strip()
    retentions = _parse_counts(retentions_text.replace("", "0"))
    report.add(_rows(retentions.isna() | (retentions < 0) | (retentions > 10)), mapping.get("retentions", ""),
               "numero di ripetenze non valido")
    out["retentions"] = retentions.where(retentions_text != "")
    out["citizenship_group"] = optional("citizenship_group").str.strip().str[:40].replace("", None)
    sex = optional("sex").str.strip().str.upper().str[:1]
    report.add(_rows(~sex.isin(["", "M", "F", "X"])), mapping.get("sex", ""), "sesso non valido: M, F o X")
    out["sex"] = sex.replace("", None)
    language = optional("family_language").map(languages.normalise_language)
    report.add(_rows(language.isna()), mapping.get("family_language", ""),
               "lingua non riconosciuta: scrivi il codice di due lettere (ar, zh, sq, ro, uk…) o il nome in italiano"
               " (arabo, cinese, albanese…)")
    out["family_language"] = language.replace("", None)
    if report.total:
        raise ImportRejected(report)
    return out


def read_outcomes(table: tabular.Table, mapping: dict[str, str]) -> pd.DataFrame:
    source, report, out = _begin("outcomes", table, mapping)

    def year(text):
        try:
            return str(SchoolYear.parse(text))
        except ApprodoError:
            return None

    out["school_year"] = source[mapping["school_year"]].astype(str).map(year)
    report.add(_rows(out["school_year"].isna()), mapping["school_year"], "anno scolastico non valido: es. 2024/25")
    out["outcome"] = source[mapping["outcome"]].astype(str).map(_outcome)
    report.add(_rows(out["outcome"].isna()), mapping["outcome"], "esito non valido: " + ", ".join(OUTCOMES))
    report.add(_rows(out.duplicated(["pupil_code", "school_year"]) & out["school_year"].notna()),
               mapping["pupil_code"], "lo stesso alunno ha due esiti per lo stesso anno")
    if report.total:
        raise ImportRejected(report)
    return out


def _import_rows(db, actor, school_code, kind, data, file_name, mapping, reader, table_name, columns,
                 dry_run, options, pseudonymise=False) -> Summary:
    require(actor, Action.IMPORT_PUPIL_DATA, SchoolRef(school_code))
    table = tabular.read_table(data, file_name, known=known_headers(kind), **options)
    mapping = mapping or guess_mapping(kind, table.headers)
    table, skipped = _without_summary_rows(table, mapping)
    key_file = b""
    if pseudonymise:
        table, key_file = _pseudonymised(db, school_code, table, mapping, "birth")
    rows = reader(table, mapping)
    summary = Summary(kind, file_name, len(rows), rows["pupil_code"].nunique(), None, dry_run=dry_run,
                      key_file=key_file, skipped=tuple(skipped.items()))
    if dry_run:
        return summary
    with transaction(db):
        import_id = _new_import(db, actor, school_code, kind, data, file_name, len(rows), "")
        values = [rows[c].astype(object).where(rows[c].notna(), None).tolist() for c in columns]
        records = list(zip([school_code] * len(rows), *values, [import_id] * len(rows), strict=True))
        store.insert_rows(db, table_name, ["school_code", *columns, "import_id"], records)
        if table_name == "pupil_context":  # context enters every month's level; outcomes enter none
            changes.pupil_data_changed(db, school_code)
    return replace(summary, import_id=import_id)


def import_context(db, actor, school_code, data, file_name, mapping=None, *, dry_run=False, sheet=None,
                   header_row=None, pseudonymise=False) -> Summary:
    """Pupil context (birth, arrival, L2 level, retentions, the family's language for the letters; citizenship
    and sex for the audit only)."""
    columns = ["pupil_code", "birth_year", "arrival_year", "l2_level", "retentions", "citizenship_group", "sex",
               "family_language", "birth_date"]
    return _import_rows(db, actor, school_code, "context", data, file_name, mapping, read_context,
                        "pupil_context", columns, dry_run, read_options(sheet, header_row), pseudonymise)


def import_outcomes(db, actor, school_code, data, file_name, mapping=None, *, dry_run=False, sheet=None,
                    header_row=None, pseudonymise=False) -> Summary:
    """Outcomes of past school years, one per pupil and year."""
    return _import_rows(db, actor, school_code, "outcomes", data, file_name, mapping, read_outcomes,
                        "outcomes", ["pupil_code", "school_year", "outcome"], dry_run, read_options(sheet, header_row),
                        pseudonymise)


IMPORTERS = {"attendance": import_attendance, "context": import_context, "outcomes": import_outcomes}


# --- history ----------------------------------------------------------------------------------


def _new_import(db, actor, school_code, kind, data, file_name, rows, detail) -> int:
    """Record an import under the file's fingerprint: the name a person gave it may be a pupil's."""
    stored = codes.stored_file_name(data, file_name)
    import_id = store.insert_import(db, school_code, kind, stored, rows, detail, actor.username,
                                    clock.to_text(clock.utcnow()))
    audit.record(db, actor, "importazione_" + kind, stored, school_code=school_code, detail=f"{rows} righe")
    return import_id


def list_imports(db: sqlite_utils.Database, actor: Actor, school_code: str) -> list[dict]:
    """The school's imports, newest first; each with `label`, what a person reads in the history (see
    `import_label`), beside `file_name`, the fingerprint it is stored under."""
    require(actor, Action.IMPORT_PUPIL_DATA, SchoolRef(school_code))
    classes: dict[int, list[str]] = {}
    for import_id, class_name in store.import_classes(db, school_code):
        classes.setdefault(import_id, []).append(class_name)
    # A day-by-day import counts its events (its monthly rows are derived from them).
    rows = store.imports(db, school_code, DAY_BY_DAY)
    return [{**row, "label": import_label(row, classes.get(row["id"], []))} for row in rows]


def import_label(entry: dict, class_names: list[str]) -> str:
    """A name for an import that a person can read and that says nothing of a pupil: the day it was loaded, the
    months and classes it brought, its rows ("07/12/2026 · marzo 2026 · classi 3B, 4A · 43 righe"). The name the
    file had is never stored (it may be a pupil's); the fingerprint finds the file among the school's copies."""
    months = entry["detail"].removesuffix(DAY_BY_DAY)
    ordered = sorted(class_names, key=lambda c: (len(c), c))
    where = (f"classe {ordered[0]}" if len(ordered) == 1 else
             f"classi {', '.join(ordered[:6])}{'…' if len(ordered) > 6 else ''}" if ordered else "")
    rows = f"{entry['rows']} {'riga' if entry['rows'] == 1 else 'righe'}"
    day = f"{clock.local_date(clock.from_text(entry['imported_at'])):%d/%m/%Y}"
    return " · ".join(part for part in (day, months, where, rows) if part)


def refresh_months(db, school_code: str) -> None:
    """Rebuild the small tables of months and classes a school has data for (after rows were removed)."""
    store.delete_orphan_subjects(db, school_code)
    coverage.refresh(db, school_code)


def delete_import(db: sqlite_utils.Database, actor: Actor, school_code: str, import_id: int) -> int:
    """Remove the rows an import brought (those not replaced since); return how many."""
    require(actor, Action.IMPORT_PUPIL_DATA, SchoolRef(school_code))
    row = store.import_kind(db, import_id, school_code)
    if row is None:
        raise ApprodoError("Questa importazione non esiste per la tua scuola.")
    table = {"attendance": "attendance", "context": "pupil_context", "outcomes": "outcomes"}[row[0]]
    with transaction(db):
        removed = store.delete_import_rows(db, table, school_code, import_id)
        if table == "attendance":
            store.delete_import_rows(db, "attendance_events", school_code, import_id)
            refresh_months(db, school_code)
        store.delete_import(db, import_id)
        if table != "outcomes":
            changes.pupil_data_changed(db, school_code)
        audit.record(db, actor, "importazione_eliminata", row[1], school_code=school_code, detail=f"{removed} righe")
    return removed
