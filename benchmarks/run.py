"""Benchmark journeysim at several sizes: wall time, profile steps per second, peak memory.

Each size runs in a fresh subprocess (so peak RSS is that run's own), `--repeat` times; the
median is reported and every run is written to benchmarks/results/bench.csv. Wall time is the
`journeysim.run` call after a 1,000-profile warm-up run (imports and first calls excluded), so
the time per profile compares sizes; peak RSS includes the interpreter and libraries.

    python benchmarks/run.py                                   # bench-10m.yaml at 100k, 1M, 10M
    python benchmarks/run.py --sizes 1000000 --repeat 3
    python benchmarks/run.py --scenario benchmarks/live-1m.yaml --sizes 1000000
    python benchmarks/run.py --naive --sizes 100000 1000000    # side by side with naive_simpy.py
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"

CHILD = r"""
import json, resource, sys, time
import journeysim
journeysim.run(journeysim.load(sys.argv[1], overrides={"population.size": 1000}))  # warm-up: imports, first calls
loaded = journeysim.load(sys.argv[1], overrides={"population.size": int(sys.argv[2])})
start = time.perf_counter()
result = journeysim.run(loaded)
wall = time.perf_counter() - start
steps = sum(j["entered"] for j in result.summary["journeys"].values())
moves = sum(sum(j["exited"].values()) + sum(j["discarded"].values()) for j in result.summary["journeys"].values())
print(json.dumps({"wall_s": wall, "profiles": int(sys.argv[2]), "entered": steps, "finished": moves,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "ok": result.summary["conservation"]["ok"]}))
"""


def run_journeysim(scenario: Path, size: int) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(scenario), str(size)], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_naive(size: int) -> dict:
    out = subprocess.run([sys.executable, str(HERE / "naive_simpy.py"), "--size", str(size), "--json"],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "bench-10m.yaml")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000, 10_000_000])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--naive", action="store_true", help="also run naive_simpy.py (one process per profile)")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    rows = []
    print(f"{'engine':<12}{'profiles':>12}{'wall s':>10}{'us/profile':>12}{'profiles/s':>14}{'peak MB':>10}")
    for size in args.sizes:
        engines = [("journeysim", lambda size=size: run_journeysim(args.scenario, size))]
        if args.naive:
            engines.append(("naive-simpy", lambda size=size: run_naive(size)))
        medians = {}
        for engine, runner in engines:
            runs = [runner() for _ in range(args.repeat)]
            wall = statistics.median(r["wall_s"] for r in runs)
            peak = statistics.median(r["peak_rss_mb"] for r in runs)
            medians[engine] = wall
            for r in runs:
                rows.append({"engine": engine, "scenario": args.scenario.name, "profiles": size, **r})
            print(f"{engine:<12}{size:>12,}{wall:>10.2f}{wall / size * 1e6:>12.2f}{size / wall:>14,.0f}{peak:>10.0f}")
        if len(medians) == 2:
            print(f"{'':<12}{'':>12}  naive / journeysim = {medians['naive-simpy'] / medians['journeysim']:.1f}x")
    path = RESULTS / "bench.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=sorted({k for r in rows for k in r}))
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
