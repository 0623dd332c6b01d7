"""`make bench`: run every benchmark module, print a table, write bench/results/latest.json."""

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
    results = []
    for module in MODULES:
        results.extend(module.run())
    report(results)


if __name__ == "__main__":
    main()
