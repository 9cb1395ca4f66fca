"""Import a large Journey Builder export and run it with 1,000,000 profiles and a 3-day pause.

The journey is benchmarks/sfmc-large-journey.json (written by make_sfmc_journey.py: 120 activities,
21 nested decisions of up to 8 outcomes). Each run is a fresh subprocess: ``import_s`` reads the
JSON, maps it and writes the scenario YAML (what `journeysim import sfmc` does); ``load_s`` checks
the written file; ``run_s`` simulates it (population, engine, summary, time series) with a pause on
day 2 (PausedDays 3, ExtendWaitEndDates); ``peak_rss_mb`` is the whole process's peak.

    python benchmarks/bench_import.py                    # 1M profiles, 1 run
    python benchmarks/bench_import.py --size 200000 --repeat 3
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import HERE, RunFailed, code_state, machine, median, run_child  # noqa: E402

CHILD = r"""
import json, math, resource, sys, tempfile, time
from pathlib import Path
t0 = time.perf_counter()
import journeysim
from journeysim.importers.render import scenario_data, scenario_yaml
from journeysim.importers.sfmc import import_journey, read_definition
size = int(sys.argv[2])
t1 = time.perf_counter()
imported = import_journey(read_definition(Path(sys.argv[1])), size)
data = scenario_data(imported, size, min(120, max(7, math.ceil((imported.longest_s + 8 * 86400) / 86400))))
text = scenario_yaml(imported, data, Path(sys.argv[1]).name)
text = text.replace("timeline: []", "timeline:\n  - at: 2d\n    pause: {journey: %s, versionNumber: %d, "
                    "body: {PausedDays: 3, ExtendWaitEndDates: true, GuardrailAction: Resume}}"
                    % (imported.key, imported.journey["version"]), 1)
folder = tempfile.mkdtemp()
path = Path(folder) / "large.yaml"
path.write_text(text)
t2 = time.perf_counter()
loaded = journeysim.load(path)
t3 = time.perf_counter()
result = journeysim.run(loaded, progress=False)
t4 = time.perf_counter()
journey = next(iter(result.summary["journeys"].values()))
print(json.dumps({
    "import_s": t2 - t1, "load_s": t3 - t2, "run_s": t4 - t3, "total_s": t4 - t0,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "activities": imported.activity_count, "nodes": len(imported.journey["nodes"]), "profiles": size,
    "duration": data["duration"], "entered": journey["entered"], "actions": sum(journey["actions"].values()),
    "ok": result.summary["conservation"]["ok"]}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--journey", type=Path, default=HERE / "sfmc-large-journey.json")
    parser.add_argument("--size", type=int, default=1_000_000, help="profiles (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=1, help="fresh-process runs; the median is printed")
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args()
    runs = []
    for i in range(args.repeat):
        try:
            report = run_child(["-c", CHILD, str(args.journey), str(args.size)], args.timeout)
        except RunFailed as exc:
            sys.exit(f"run {i + 1} failed: {exc}")
        runs.append(report)
        print(f"run {i + 1}: import {report['import_s']:.2f} s, load {report['load_s']:.2f} s, run {report['run_s']:.1f} s, "
              f"total {report['total_s']:.1f} s, peak RSS {report['peak_rss_mb']:.0f} MB; {report['activities']} activities -> "
              f"{report['nodes']} nodes, {report['profiles']:,} profiles over {report['duration']}, {report['entered']:,} entered, "
              f"{report['actions']:,} actions, conservation {'ok' if report['ok'] else 'VIOLATED'}")
    print(f"median of {len(runs)}: import {median([r['import_s'] for r in runs]):.2f} s, "
          f"run {median([r['run_s'] for r in runs]):.1f} s, total {median([r['total_s'] for r in runs]):.1f} s, "
          f"peak RSS {median([r['peak_rss_mb'] for r in runs]):.0f} MB  ({code_state()['commit']}, {machine()})")


if __name__ == "__main__":
    main()
