"""The README's performance table from bench/results.json: `python -m bench.table` (after `make bench`)."""

from __future__ import annotations

import json
import sys

from bench.harness import RESULTS_FILE

VERDICTS = {"ok": "sì", "OLTRE": "**no**", "CARICO": "carico mosso", "": ""}


def seconds(value: float) -> str:
    if value != value:  # NaN: nothing measured
        return "—"
    text = f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
    return text.replace(".", ",")


def number(value: float, digits: int = 2) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


def table(results: dict) -> str:
    lines = ["| misura | Approdo | riferimento (nella stessa esecuzione, a turno) | rapporto | obiettivo | raggiunto"
             " | carico (inizio → fine) |", "|---|---|---|---|---|---|---|"]
    for r in results["results"]:
        target = " ".join(([f"≤ {number(r['target_ratio'], 1)}×"] if r["target_ratio"] else [])
                          + ([f"< {number(r['limit_s'], 3).rstrip('0').rstrip(',')} s"] if r["limit_s"] else []))
        load = "—" if r["load_start"] is None else f"{number(r['load_start'], 1)} → {number(r['load_end'], 1)}"
        met = VERDICTS.get(r["met"], r["met"])
        lines.append(f"| {r['name'].strip()} | {seconds(r['ours_s'])} | {seconds(r['floor_s'])} ({r['floor']}) | "
                     f"{number(r['ratio'])}× | {target or '—'} | {met} | {load} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(table(json.loads(RESULTS_FILE.read_text())) + "\n")
