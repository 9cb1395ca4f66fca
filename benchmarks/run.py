"""Benchmark journeysim at several sizes: wall time, profile steps per second, peak memory.

Each (engine, size) runs in a fresh subprocess (so peak RSS is that run's own), ``--repeat``
times; the table shows medians and every run is appended to benchmarks/results/bench.csv.
Wall time is the ``journeysim.run`` call after a 1,000-profile warm-up run (imports and first
calls excluded), so the time per profile compares sizes; ``load`` (parse and check the file) is
timed apart; peak RSS includes the interpreter and libraries. A *profile step* is one row moved
one node (the read queue, read, wait, condition, action and end nodes are 6 steps, a hold
adds 1): counted by wrapping ``Simulation.step`` in the child, left blank if the engine has none.

    python benchmarks/run.py                                   # bench-10m.yaml at 100k, 1M, 10M
    python benchmarks/run.py --sizes 1000000 --repeat 3
    python benchmarks/run.py --scenario benchmarks/live-1m.yaml --sizes 1000000
    python benchmarks/run.py --compare                         # with naive_simpy.py at 100k and 1M, and the ratio
    python benchmarks/run.py --compare --sizes 100000 --naive-drain batch
    python benchmarks/run.py --floor --sizes 1000000 10000000 --repeat 3   # with closed_form.py: engine / floor

``--compare`` (alias ``--naive``) also runs benchmarks/naive_simpy.py, the same flow with one
SimPy process per profile, and checks that both tell the same story (actions, held at resume,
drain time: equal up to random variation, as the two draw different random numbers). Do not
compare at 10M: the naive version needs about 10 GB.

``--floor`` also runs benchmarks/closed_form.py, the same flow computed directly with numpy (the
fastest this flow can be computed, knowing only this journey), checks the same agreement and
prints the engine / floor ratio of wall times.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import HERE, RESULTS, ROOT, RunFailed, code_state, machine, median, run_child  # noqa: E402

CHILD = r"""
import json, resource, sys, time
import journeysim
path, size = sys.argv[1], int(sys.argv[2])
steps = [0, 0]
try:
    from journeysim.engine.simulation import Simulation
    _step = Simulation.step
    def counted(self, due):
        steps[0] += len(due)
        steps[1] += 1
        return _step(self, due)
    Simulation.step = counted
except (ImportError, AttributeError):
    steps = None
journeysim.run(journeysim.load(path, overrides={"population.size": 1000}))  # warm-up: imports, first calls
if steps:
    steps[:] = [0, 0]
start = time.perf_counter()
loaded = journeysim.load(path, overrides={"population.size": size})
loaded_at = time.perf_counter()
cpu = time.process_time()
result = journeysim.run(loaded)
wall = time.perf_counter() - loaded_at
cpu = time.process_time() - cpu
journeys = result.summary["journeys"].values()
first = next(iter(journeys))
pauses = first["pauses"]
print(json.dumps({
    "wall_s": wall, "cpu_s": cpu, "load_s": loaded_at - start, "profiles": size,
    "steps": steps[0] if steps else None, "step_calls": steps[1] if steps else None,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "entered": sum(j["entered"] for j in journeys),
    "finished": sum(sum(j["exited"].values()) + sum(j["discarded"].values()) for j in journeys),
    "in_journey_at_end": sum(j["in_journey_at_end"] for j in journeys),
    "actions": sum(sum(j["actions"].values()) for j in journeys),
    "held_at_resume": pauses[0]["held_at_resume"] if pauses else 0,
    "drain_s": pauses[0]["drain_s"] if pauses else 0,
    "ok": result.summary["conservation"]["ok"]}))
"""

FIELDS = ["when", "engine", "scenario", "profiles", "run", "status", "wall_s", "cpu_s", "load_s", "process_s",
          "us_per_profile", "profiles_per_s", "steps", "steps_per_s", "step_calls", "peak_rss_mb", "entered",
          "finished", "in_journey_at_end", "actions", "held_at_resume", "drain_s", "ok", "drain",
          "commit", "engine_dirty", "source_sha", "python", "cpus", "load_1m"]


def run_journeysim(scenario: Path, size: int, timeout: float) -> dict:
    return run_child(["-c", CHILD, str(scenario), str(size)], timeout)


def run_floor(size: int, timeout: float) -> dict:
    return run_child([str(HERE / "closed_form.py"), "--size", str(size), "--json"], timeout)


def run_naive(size: int, drain: str, timeout: float) -> dict:
    report = run_child([str(HERE / "naive_simpy.py"), "--size", str(size), "--drain", drain, "--json"], timeout)
    report["actions"] = sum(report["actions"].values())
    return report


def csv_writer(path: Path):
    """Append to bench.csv; an older file with other columns is kept aside as bench.<time>.csv."""
    if path.exists():
        with open(path) as handle:
            header = handle.readline().strip().split(",")
        if header != FIELDS:
            path.rename(path.with_name(f"bench.{time.strftime('%Y%m%dT%H%M%S')}.csv"))
    new = not path.exists()
    handle = open(path, "a", newline="")
    writer = csv.DictWriter(handle, fieldnames=FIELDS, extrasaction="ignore")
    if new:
        writer.writeheader()
    return handle, writer


def agree(js: dict, naive: dict) -> str:
    """Same story from both, up to random variation (different draws): a few per mille or four binomial
    standard deviations, whichever is wider, and a second or two of drain."""
    problems = []
    for key, tolerance in (("actions", 0.01), ("held_at_resume", 0.02), ("in_journey_at_end", None)):
        a, b = js.get(key, 0), naive.get(key, 0)
        if tolerance is None:
            if abs(a - b) > max(50, 0.5 * max(a, b)):
                problems.append(f"{key} {a} vs {b}")
        elif abs(a - b) > max(tolerance * max(a, b, 1), 4 * max(a, b, 1) ** 0.5):
            problems.append(f"{key} {a} vs {b}")
    if abs(js.get("drain_s", 0) - naive.get("drain_s", 0)) > 2:
        problems.append(f"drain_s {js.get('drain_s')} vs {naive.get('drain_s')}")
    return "outputs agree" if not problems else "OUTPUTS DIFFER: " + ", ".join(problems)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "bench-10m.yaml")
    parser.add_argument("--sizes", type=int, nargs="+", help="population sizes (default 100k 1M 10M; with --compare 100k 1M)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per size; the table shows the median")
    parser.add_argument("--compare", "--naive", dest="compare", action="store_true",
                        help="also run naive_simpy.py (one SimPy process per profile) and print the ratio")
    parser.add_argument("--floor", action="store_true",
                        help="also run closed_form.py (the flow in plain numpy: the floor) and print engine / floor")
    parser.add_argument("--naive-drain", choices=["resource", "store", "batch"], default="resource",
                        help="how naive_simpy.py drains the held profiles (default: a simpy.Resource)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds before one run is killed (default 300)")
    args = parser.parse_args()
    sizes = args.sizes or ([100_000, 1_000_000] if args.compare else [100_000, 1_000_000, 10_000_000])
    if (args.compare or args.floor) and args.scenario.name != "bench-10m.yaml":
        print(f"note: naive_simpy.py and closed_form.py implement the flow of bench-10m.yaml, not {args.scenario.name}")
    if args.compare and max(sizes) > 2_000_000:
        parser.error("the naive version at more than 2M profiles needs many GB and minutes: leave it out")
    RESULTS.mkdir(exist_ok=True)
    state, host = code_state(), machine()
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
    print(f"{args.scenario.name}, median of {args.repeat} fresh-process run(s); commit {state['commit']}"
          f"{' + uncommitted engine changes' if state['engine_dirty'] else ''} (sources {state['source_sha']}), "
          f"{host['cpus']} CPUs, load {host['load_1m']}")
    print(f"{'engine':<12}{'profiles':>12}{'wall s':>9}{'cpu s':>8}{'load s':>8}{'us/profile':>12}{'profiles/s':>13}"
          f"{'steps/s':>13}{'peak MB':>9}")
    handle, writer = csv_writer(RESULTS / "bench.csv")
    failed = False
    with handle:
        for size in sizes:
            engines = [("journeysim", lambda size=size: run_journeysim(args.scenario, size, args.timeout))]
            if args.compare:
                engines.append(("naive-simpy", lambda size=size: run_naive(size, args.naive_drain, args.timeout)))
            if args.floor:
                engines.append(("closed-form", lambda size=size: run_floor(size, args.timeout)))
            medians: dict[str, dict] = {}
            for engine, runner in engines:
                runs = []
                for k in range(args.repeat):
                    base = {"when": stamp, "engine": engine, "scenario": args.scenario.name, "profiles": size, "run": k + 1,
                            "drain": args.naive_drain if engine == "naive-simpy" else "", **state, **host}
                    try:
                        r = runner()
                    except RunFailed as exc:
                        print(f"{engine:<12}{size:>12,}  run {k + 1} failed: {exc}")
                        writer.writerow({**base, "status": str(exc).splitlines()[0]})
                        failed = True
                        break
                    r["us_per_profile"] = r["wall_s"] / size * 1e6
                    r["profiles_per_s"] = size / r["wall_s"]
                    r["steps_per_s"] = r["steps"] / r["wall_s"] if r.get("steps") else None
                    if r.get("ok") is False:
                        failed = True
                    writer.writerow({**base, **r, "status": "ok" if r.get("ok", True) else "conservation violated"})
                    handle.flush()
                    runs.append(r)
                if not runs:
                    continue
                m = {key: median([r[key] for r in runs]) for key in ("wall_s", "cpu_s", "peak_rss_mb")}
                m["load_s"] = median([r["load_s"] for r in runs]) if "load_s" in runs[0] else None
                m["steps"] = runs[0].get("steps")
                medians[engine] = {**runs[0], **m}
                steps = f"{m['steps'] / m['wall_s']:>13,.0f}" if m["steps"] else f"{'':>13}"
                load = f"{m['load_s']:>8.2f}" if m["load_s"] is not None else f"{'':>8}"
                print(f"{engine:<12}{size:>12,}{m['wall_s']:>9.2f}{m['cpu_s']:>8.2f}{load}{m['wall_s'] / size * 1e6:>12.2f}"
                      f"{size / m['wall_s']:>13,.0f}{steps}{m['peak_rss_mb']:>9.0f}")
            if "journeysim" in medians and "closed-form" in medians:
                js, floor = medians["journeysim"], medians["closed-form"]
                print(f"{'':<12}{'':>12}  journeysim / closed form (the floor): wall {js['wall_s'] / floor['wall_s']:.2f}x; "
                      f"{agree(js, floor)} (held at resume {js['held_at_resume']:,} vs {floor['held_at_resume']:,}, "
                      f"drain {js['drain_s']} vs {floor['drain_s']} s, actions {js['actions']:,} vs {floor['actions']:,})")
            if "journeysim" in medians and "naive-simpy" in medians:
                js, naive = medians["journeysim"], medians["naive-simpy"]
                print(f"{'':<12}{'':>12}  naive / journeysim: wall {naive['wall_s'] / js['wall_s']:.0f}x, "
                      f"peak RSS {naive['peak_rss_mb'] / js['peak_rss_mb']:.1f}x; {agree(js, naive)} "
                      f"(held at resume {js['held_at_resume']:,} vs {naive['held_at_resume']:,}, "
                      f"drain {js['drain_s']} vs {naive['drain_s']} s)")
    print(f"appended to {(RESULTS / 'bench.csv').relative_to(ROOT)}")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
