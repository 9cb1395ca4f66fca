"""What business rules cost: scenarios/bench-10m.yaml against benchmarks/bench-10m-capped.yaml
(the same flow with two frequency caps on every send), in fresh processes, runs interleaved;
prints the median wall time of each and the ratio. The issue's bound is 1.3x at 10M.

    python benchmarks/cap_cost.py                      # 10M profiles, 3 runs each
    python benchmarks/cap_cost.py --size 1000000 --repeat 5
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import HERE, ROOT, median  # noqa: E402
from run import run_journeysim  # noqa: E402

BOUND = 1.3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    files = {"without caps": ROOT / "scenarios" / "bench-10m.yaml", "with caps": HERE / "bench-10m-capped.yaml"}
    walls: dict[str, list[float]] = {name: [] for name in files}
    peaks: dict[str, list[float]] = {name: [] for name in files}
    cpus: dict[str, list[float]] = {name: [] for name in files}
    for _ in range(args.repeat):
        for name, path in files.items():
            report = run_journeysim(path, args.size, args.timeout)
            walls[name].append(report["wall_s"])
            peaks[name].append(report["peak_rss_mb"])
            cpus[name].append(report["cpu_s"])
    for name in files:
        print(f"{name:<14}{args.size:>12,} profiles  wall {median(walls[name]):6.2f} s  cpu {median(cpus[name]):6.2f} s"
              f"  peak {median(peaks[name]):6.0f} MB"
              f"  (runs: {', '.join(f'{w:.2f}' for w in walls[name])})")
    ratio = median(walls["with caps"]) / median(walls["without caps"])
    cpu_ratio = median(cpus["with caps"]) / median(cpus["without caps"])
    print(f"with / without caps: wall {ratio:.2f}x, cpu {cpu_ratio:.2f}x (bound {BOUND}x): {'within' if ratio <= BOUND else 'OVER'}")
    if ratio > BOUND:
        sys.exit(1)


if __name__ == "__main__":
    main()
