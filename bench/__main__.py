"""`make bench`: run every benchmark module, print a table, write bench/results.json.

The load average is printed when each module starts and ends (each row of a pair prints its own, see
`harness.row`); rows measured without `row` (the browser loads) take their module's.
BENCH_ONLY=bench_word,bench_pupils runs only those modules, BENCH_SKIP=... leaves some out.
"""

import os
import sys
import traceback

from bench import (
    bench_accounts,
    bench_events,
    bench_load,
    bench_network,
    bench_page,
    bench_practices,
    bench_pupils,
    bench_risk_load,
    bench_word,
)
from bench.harness import load_average, report

MODULES = [bench_accounts, bench_word, bench_page, bench_network, bench_risk_load, bench_pupils, bench_events,
           bench_practices, bench_load]


def selected(only: str = "", skip: str = "") -> list:
    """The modules to run: BENCH_ONLY=bench_word,bench_pupils runs only those; BENCH_SKIP=bench_load,bench_risk_load
    leaves those out (the browser crowds, on a machine others share). An unknown name is an error, not a no-op."""
    names = {module.__name__.removeprefix("bench."): module for module in MODULES}
    wanted, skipped = (set(filter(None, (n.strip() for n in text.split(",")))) for text in (only, skip))
    unknown = sorted((wanted | skipped) - set(names))
    if unknown:
        sys.exit(f"moduli di benchmark sconosciuti: {', '.join(unknown)} (ci sono: {', '.join(names)})")
    return [module for name, module in names.items() if (not wanted or name in wanted) and name not in skipped]


def main() -> None:
    results, failed = [], []
    chosen = selected(os.environ.get("BENCH_ONLY", ""), os.environ.get("BENCH_SKIP", ""))
    for module in MODULES:
        if module not in chosen:
            print(f"{module.__name__}: saltato (BENCH_ONLY/BENCH_SKIP)")
            continue
        start = load_average()
        print(f"{module.__name__}: carico all'inizio {start:.2f}", flush=True)
        try:
            rows = module.run()
            end = load_average()
            for result in rows:
                if result.load_start is None:  # the browser loads: their crowd is the load
                    result.load_start, result.load_end, result.loads_itself = start, end, True
            results.extend(rows)
            print(f"{module.__name__}: carico alla fine {end:.2f}", flush=True)
        except Exception:  # one broken benchmark must not lose the others' figures: printed, and exit 1
            traceback.print_exc()
            failed.append(module.__name__)
    report(results)
    if failed:
        sys.exit(f"benchmark non riusciti: {', '.join(failed)}")


if __name__ == "__main__":
    main()
