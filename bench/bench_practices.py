"""Practice search: 10,000 published practices, the catalogue's search against a bare FTS5 MATCH on the same table.

The target is absolute (docs/design.md: under 50 ms on 10,000 practices); the floor, measured in the same run, shows
what ranking, filters, the records and the snippets cost on top of the index.
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from bench.harness import Result, best_of
from models.core import clock
from models.core import db as database
from models.core.db import transaction
from models.core.permissions import Actor, Role
from models.demo import demo
from models.practices import records, search

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


def run() -> list[Result]:
    db = database.connect(Path(tempfile.mkdtemp()) / "bench.db")
    demo.install_demo(db, with_protocols=False, with_pupils=False)
    start = time.perf_counter()
    _fill(db, PRACTICES)
    indexed = time.perf_counter() - start
    reader = Actor(user_id=None, username="lettore", role=Role.DIRIGENTE, school_code="BGIC00009Z",
                   network_code="RETEALTRA")
    expressions = [search.fts_query(text, **filters) for text, filters in QUERIES]

    def ours():
        for text, filters in QUERIES:
            assert search.search(db, reader, text, **filters) is not None

    def floor():
        for expression in expressions:
            db.execute("SELECT rowid FROM practice_search WHERE practice_search MATCH ? LIMIT 20",
                       [expression]).fetchall()

    def slowest() -> tuple[float, float]:
        """The query that takes longest (most matches to rank), and the bare MATCH of that same query."""
        times = [(best_of(lambda q=q, f=f: search.search(db, reader, q, **f)),
                  best_of(lambda e=e: db.execute("SELECT rowid FROM practice_search WHERE practice_search MATCH ?"
                                                 " LIMIT 20", [e]).fetchall()))
                 for (q, f), e in zip(QUERIES, expressions, strict=True)]
        return max(times)

    per_query = len(QUERIES)
    print(f"(indicizzate {PRACTICES} pratiche in {indexed:.1f} s)")
    worst_ours, worst_floor = slowest()
    name = f"practice search, {PRACTICES // 1000}k practices"
    return [Result(name + " (mean query)", best_of(ours) / per_query, best_of(floor) / per_query,
                   "bare FTS5 MATCH, same table", limit_s=0.050),
            Result(name + " (slowest query)", worst_ours, worst_floor, "bare FTS5 MATCH, same query", limit_s=0.050)]

