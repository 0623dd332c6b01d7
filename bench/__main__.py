"""`make bench`: run every benchmark module, print a table, write bench/results/latest.json."""

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
from bench.harness import report

MODULES = [bench_accounts, bench_word, bench_page, bench_network, bench_risk_load, bench_pupils, bench_events,
           bench_practices, bench_load]


def main() -> None:
    results, failed = [], []
    for module in MODULES:
        try:
            results.extend(module.run())
        except Exception:  # one broken benchmark must not lose the others' figures: printed, and exit 1
            traceback.print_exc()
            failed.append(module.__name__)
    report(results)
    if failed:
        sys.exit(f"benchmark non riusciti: {', '.join(failed)}")


if __name__ == "__main__":
    main()
