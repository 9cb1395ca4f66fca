"""The foundation benchmark: a 1,000,000-profile live journey through journeysim, under 10 s and 1 GB.

The journey (benchmarks/live-1m.yaml): read_audience (all, at 20,000/s), wait uniform 1-3 days,
a condition on an attribute (about 50/50), two actions (push, email), end; no pause; 3 days at 1 s.
``--pause`` runs benchmarks/hold-3d-1m.yaml instead: the same journey with a 3-day hold from day 1
(resume at day 4, drained at 5,000/s), 6 days simulated.

Each run is a fresh subprocess, cold (no warm-up), so ``ru_maxrss`` is that run's own peak and the
time is what a user waits for. Reported per run: ``import`` (import journeysim), ``load``
(journeysim.load: parse and check the file), ``run`` (journeysim.run: population, simulation,
summary and time series), ``total`` (import + load + run, the number held to the 10 s target),
CPU time of load + run, and peak RSS of the whole process (held to the 1 GB target).

    python benchmarks/bench_live.py                  # live journey, 1M profiles, 3 runs
    python benchmarks/bench_live.py --pause          # with the 3-day hold
    python benchmarks/bench_live.py --size 200000 --repeat 5

Rows are appended to benchmarks/results/bench_live.csv.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import HERE, RESULTS, RunFailed, code_state, machine, median, run_child  # noqa: E402

TARGET_S, TARGET_MB = 10.0, 1024.0

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter(); c0 = time.process_time()
import journeysim
t1 = time.perf_counter(); c1 = time.process_time()
loaded = journeysim.load(sys.argv[1], overrides={"population.size": int(sys.argv[2])})
t2 = time.perf_counter()
result = journeysim.run(loaded)
t3 = time.perf_counter(); c3 = time.process_time()
journey = next(iter(result.summary["journeys"].values()))
pauses = journey["pauses"]
print(json.dumps({
    "import_s": t1 - t0, "load_s": t2 - t1, "run_s": t3 - t2, "total_s": t3 - t0, "cpu_s": c3 - c1,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "profiles": int(sys.argv[2]), "entered": journey["entered"], "actions": sum(journey["actions"].values()),
    "held_at_resume": pauses[0]["held_at_resume"] if pauses else 0,
    "drain_s": pauses[0]["drain_s"] if pauses else 0,
    "ok": result.summary["conservation"]["ok"]}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pause", action="store_true", help="the variant with a 3-day hold (hold-3d-1m.yaml)")
    parser.add_argument("--scenario", type=Path, help="another scenario file (overrides --pause)")
    parser.add_argument("--size", type=int, default=1_000_000, help="population.size (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=3, help="fresh-process runs; the median is judged")
    parser.add_argument("--timeout", type=float, default=300, help="seconds before a run is killed")
    args = parser.parse_args()
    scenario = args.scenario or HERE / ("hold-3d-1m.yaml" if args.pause else "live-1m.yaml")
    state, host = code_state(), machine()
    print(f"{scenario.name}, {args.size:,} profiles, {args.repeat} fresh-process run(s); commit {state['commit']}"
          f"{' + uncommitted engine changes' if state['engine_dirty'] else ''} (sources {state['source_sha']}), "
          f"{host['cpus']} CPUs, load {host['load_1m']}")
    header = f"{'run':>4}{'import s':>10}{'load s':>9}{'run s':>8}{'total s':>9}{'cpu s':>8}{'peak MB':>9}  check"
    print(header)
    runs = []
    for k in range(args.repeat):
        try:
            r = run_child(["-c", CHILD, str(scenario), str(args.size)], args.timeout)
        except RunFailed as exc:
            print(f"{k + 1:>4}  failed: {exc}")
            sys.exit(1)
        check = "ok" if r["ok"] and r["entered"] == args.size else f"CONSERVATION/ENTRY PROBLEM {r}"
        extra = f", held {r['held_at_resume']:,} drained in {r['drain_s']} s" if r["held_at_resume"] else ""
        print(f"{k + 1:>4}{r['import_s']:>10.2f}{r['load_s']:>9.2f}{r['run_s']:>8.2f}{r['total_s']:>9.2f}"
              f"{r['cpu_s']:>8.2f}{r['peak_rss_mb']:>9.0f}  {check}{extra}")
        runs.append(r)
    med = {key: median([r[key] for r in runs]) for key in ("import_s", "load_s", "run_s", "total_s", "cpu_s", "peak_rss_mb")}
    print(f"{'med':>4}{med['import_s']:>10.2f}{med['load_s']:>9.2f}{med['run_s']:>8.2f}{med['total_s']:>9.2f}"
          f"{med['cpu_s']:>8.2f}{med['peak_rss_mb']:>9.0f}")
    verdict_s = "PASS" if med["total_s"] < TARGET_S else "FAIL"
    verdict_mb = "PASS" if med["peak_rss_mb"] < TARGET_MB else "FAIL"
    print(f"target: total under {TARGET_S:.0f} s: {verdict_s} ({med['total_s']:.2f} s); "
          f"peak RSS under {TARGET_MB:.0f} MB: {verdict_mb} ({med['peak_rss_mb']:.0f} MB)")
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / "bench_live.csv"
    new = not path.exists()
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
    fields = ["when", "scenario", "profiles", "import_s", "load_s", "run_s", "total_s", "cpu_s", "process_s",
              "peak_rss_mb", "entered", "actions", "held_at_resume", "drain_s", "ok",
              "commit", "engine_dirty", "source_sha", "python", "cpus", "load_1m"]
    with open(path, "a", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
        if new:
            writer.writeheader()
        for r in runs:
            writer.writerow({"when": stamp, "scenario": scenario.name, **r, **state, **host})
    print(f"appended {len(runs)} row(s) to {path.relative_to(HERE.parent)}")
    if verdict_s == "FAIL" or verdict_mb == "FAIL":
        sys.exit(3)


if __name__ == "__main__":
    main()
