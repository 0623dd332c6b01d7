"""Practice search: 10,000 published practices, the catalogue's search against a bare FTS5 MATCH on the same table.

The target is absolute (docs/design.md: under 50 ms on 10,000 practices); the floor, measured in turns, is the
same MATCH ranked by the same bm25 weights, and must find the same practices in the same order: what is left is
the records and the snippets on top of the index.
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from bench.harness import Result, best_of_pair, row
from models.core import clock
from models.core import db as database
from models.core.db import transaction
from models.core.permissions import Actor, Role
from models.demo import demo
from models.practices import records, search, store

PRACTICES = 10_000
TITLES = ["Patto di accoglienza con i mediatori culturali", "Laboratorio L2 estivo", "Tutor tra pari per neoarrivati",
          "Sportello per le famiglie", "Griglia comune di valutazione", "Orientamento in terza media",
          "Compiti pomeridiani con volontari", "Accoglienza a metà anno", "Colloquio con la famiglia",
          "Piano didattico personalizzato per l'italiano"]
WORDS = ("accoglienza accogliere alunni neoarrivati famiglie famiglia mediatore mediatori culturale scuola classe "
         "docenti italiano lingua laboratorio estivo compagni tutor settimana colloquio iscrizione segreteria "
         "valutazione prova ingresso livello piano personalizzato consiglio orientamento superiore comune servizi "
         "biblioteca volontari compiti pomeriggio territorio progetto incontro calendario giorni mesi primo "
         "secondo inserimento relazione fiducia ascolto gruppo attività materiali traduzione moduli").split()
QUERIES = [("mediatori famiglia", {}), ("laboratorio italiano estivo", {}), ("tutor neoarrivato", {}),
           ("accogliere", {"levels": ["primaria"]}), ("valutazione", {"strengths": ["monitorata"]}),
           ("orientamento superiore", {"targets": ["famiglie"]}), ('"NEAR( biblioteca* AND', {}),
           ("colloquio", {"themes": ["mediazione"], "levels": ["secondaria_primo_grado"]})]


def _fill(db, count: int) -> None:
    """Practices written straight into the tables (as publishing leaves them), indexed by the real code."""
    rng = random.Random(7)
    now = clock.to_text(clock.utcnow())
    levels = ["primaria", "secondaria_primo_grado", "secondaria_secondo_grado"]
    with transaction(db):
        for n in range(1, count + 1):
            text = lambda k: " ".join(rng.choice(WORDS) for _ in range(k)).capitalize() + "."  # noqa: E731
            content = records.Content(
                title=f"{rng.choice(TITLES)} {n}", problem=text(40), steps=text(120), roles=text(30),
                duration="Tutto l'anno", resources=text(20), transfer=text(25),
                levels=tuple(rng.sample(levels, rng.randint(1, 2))),
                targets=tuple(rng.sample(list(records.TARGETS), 2)), themes=tuple(rng.sample(list(records.THEMES), 2)),
                evidence_strength=rng.choice([s.value for s in records.Strength]))
            db.execute("INSERT INTO practices (id, network_code, status, current_version, published_version,"
                       " created_by, created_at, updated_at, published_at) VALUES (?, 'RETEDEMO', 'pubblicata', 1, 1,"
                       " 'bench', ?, ?, ?)", [n, now, now, now])
            db.execute("INSERT INTO practice_versions (practice_id, version, document, author, created_at)"
                       " VALUES (?, 1, ?, 'bench', ?)", [n, content.to_json(), now])
            records.index(db, n, content)


def bare_match(db, expression: str | None) -> list[int]:
    """The floor: the FTS5 MATCH ranked as ours ranks it (bm25, the same weights), the same page of ids."""
    if expression is None:
        return []
    return [r[0] for r in db.execute(
        "SELECT rowid FROM practice_search WHERE practice_search MATCH ? ORDER BY bm25(practice_search,"
        f" {search.TITLE_WEIGHT}, {search.BODY_WEIGHT}, {search.TAGS_WEIGHT}) LIMIT ?",
        [expression, search.DEFAULT_LIMIT])]


def queries(db, reader: Actor, chosen=QUERIES):
    """(ours, floor) over the chosen queries: the practices found, in order, for each."""
    expressions = [store.match_expression(*search.match_terms(text, **filters)) for text, filters in chosen]

    def ours() -> list[list[int]]:
        return [[hit.practice_id for hit in search.search(db, reader, text, **filters)] for text, filters in chosen]

    return ours, lambda: [bare_match(db, expression) for expression in expressions]


def reader() -> Actor:
    return Actor(user_id=None, username="lettore", role=Role.DIRIGENTE, school_code="BGIC00009Z",
                 network_code="RETEALTRA")


def run() -> list[Result]:
    db = database.connect(Path(tempfile.mkdtemp()) / "bench.db")
    demo.install_demo(db, with_protocols=False, with_pupils=False)
    start = time.perf_counter()
    _fill(db, PRACTICES)
    print(f"(indicizzate {PRACTICES} pratiche in {time.perf_counter() - start:.1f} s)")
    ours, floor = queries(db, reader())
    name = f"ricerca tra {PRACTICES:,} buone pratiche".replace(",", ".")
    mean = row(name + ", media di 8 ricerche", lambda: best_of_pair(ours, floor, 5),
               "MATCH FTS5 ordinato con lo stesso bm25, stessa pagina", limit_s=0.050 * len(QUERIES))
    mean.ours_s, mean.floor_s, mean.limit_s = mean.ours_s / len(QUERIES), mean.floor_s / len(QUERIES), 0.050
    # The query that takes longest (most matches to rank), and the floor of that same query.
    slowest = row("  la stessa, la ricerca più lenta",
                  lambda: max(best_of_pair(*queries(db, reader(), [query]), 5) for query in QUERIES),
                  "lo stesso, stessa ricerca", limit_s=0.050)
    return [mean, slowest]
