"""Profile one journeysim run: pyinstrument (call tree) or py-spy (self time per source line).

Neither is a dependency: ``pip install pyinstrument py-spy`` into the virtualenv. The scenario is
loaded at the given size and warmed up on 1,000 profiles; only the measured ``journeysim.run``
is reported.

    python benchmarks/profile_run.py --size 1000000                 # pyinstrument call tree
    python benchmarks/profile_run.py --size 10000000 --py-spy       # py-spy: hottest journeysim lines
    python benchmarks/profile_run.py --scenario benchmarks/live-1m.yaml --size 1000000 --html

pyinstrument writes benchmarks/results/profile-<scenario>-<size>.txt (and .html); py-spy writes
its raw stacks to benchmarks/results/pyspy-<scenario>-<size>.raw and prints two tables: the
journeysim line each sample was in (numpy time charged to the journeysim line that called it),
and the leaf frames (where the CPU actually was).
"""

from __future__ import annotations

import argparse
import collections
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*):(?P<line>\d+)\)$")


def _measured(journeysim, loaded) -> None:
    """The profiled call; py-spy stacks are kept only if they pass through here."""
    journeysim.run(loaded)


def py_spy(args: argparse.Namespace) -> None:
    exe = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if exe is None:
        sys.exit("py-spy is not installed: pip install py-spy")
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    raw = out / f"pyspy-{args.scenario.stem}-{args.size}.raw"
    subprocess.run([exe, "record", "--rate", str(args.rate), "--format", "raw", "-o", str(raw), "--",
                    sys.executable, __file__, "--scenario", str(args.scenario), "--size", str(args.size),
                    "--no-profiler"], check=True)
    by_line: collections.Counter = collections.Counter()
    by_leaf: collections.Counter = collections.Counter()
    by_func: collections.Counter = collections.Counter()
    total = 0
    for text in raw.read_text().splitlines():
        stack, _, count = text.rpartition(" ")
        frames = [FRAME.match(f) for f in stack.split(";")]
        frames = [f for f in frames if f]
        names = [f["func"] for f in frames]
        if "_measured" not in names:
            continue
        n = int(count)
        total += n
        inner = [f for f in frames if "journeysim/" in f["file"] and "benchmarks/" not in f["file"]]
        if inner:
            f = inner[-1]
            by_line[f"{f['file'].split('journeysim/', 1)[-1]}:{f['line']}  {f['func']}"] += n
        leaf = frames[-1]
        by_leaf[f"{leaf['file'].rsplit('site-packages/', 1)[-1]}:{leaf['line']}  {leaf['func']}"] += n
        for func in {f"{f['func']} ({f['file'].split('journeysim/', 1)[-1]})" for f in inner}:
            by_func[func] += n
    if not total:
        sys.exit(f"no samples inside the measured run in {raw}")
    for title, table, top in (("innermost journeysim line (numpy time charged to its caller)", by_line, 25),
                              ("inclusive, journeysim functions", by_func, 20),
                              ("leaf frame (self time)", by_leaf, 15)):
        print(f"\n{title}: {total} samples at {args.rate}/s")
        for key, n in table.most_common(top):
            print(f"{100 * n / total:6.1f}%  {key}")
    print(f"\nraw stacks: {raw.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "bench-10m.yaml")
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--interval", type=float, default=0.001, help="pyinstrument sampling interval, s")
    parser.add_argument("--html", action="store_true", help="pyinstrument: also write the HTML view")
    parser.add_argument("--py-spy", action="store_true", help="sample with py-spy and rank journeysim source lines")
    parser.add_argument("--rate", type=int, default=1000, help="py-spy samples per second")
    parser.add_argument("--no-profiler", action="store_true", help="just run (under an outside profiler)")
    args = parser.parse_args()
    if args.py_spy:
        py_spy(args)
        return

    import journeysim

    journeysim.run(journeysim.load(args.scenario, overrides={"population.size": 1000}))  # warm-up
    loaded = journeysim.load(args.scenario, overrides={"population.size": args.size})
    if args.no_profiler:
        start = time.perf_counter()
        _measured(journeysim, loaded)
        print(f"{args.scenario.name} at {args.size:,}: {time.perf_counter() - start:.2f} s")
        return
    from pyinstrument import Profiler

    profiler = Profiler(interval=args.interval)
    profiler.start()
    journeysim.run(loaded)
    profiler.stop()
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    stem = out / f"profile-{args.scenario.stem}-{args.size}"
    text = profiler.output_text(unicode=False, color=False, show_all=False)
    stem.with_suffix(".txt").write_text(text)
    if args.html:
        stem.with_suffix(".html").write_text(profiler.output_html())
    print(text)
    print(f"wrote {stem.with_suffix('.txt').relative_to(ROOT)}")


if __name__ == "__main__":
    main()
