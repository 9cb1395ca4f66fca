"""Whole commands, timed as a user runs them: fresh processes, median of ``--repeat`` (default 3).

What a user waits for is the whole command: interpreter start, imports, load, run, outputs, report.
This times exactly that, beside the targets of the speed issue:

    import       python -X importtime -c "import journeysim.cli" (cumulative, microseconds)
    small        journeysim run on a 1,000-profile bench-10m, --no-report (<= 0.5 s) and with the report (<= 1.0 s)
    naive        journeysim run at 1M --no-report vs benchmarks/naive_simpy.py at 1M, whole processes (>= 50x)
    events       journeysim run at 1M with --events vs without (<= 1.5x)
    sweep        journeysim sweep of 20 quickstart runs with --workers 2 vs in-process (>= 1.7x)

    python benchmarks/commands.py                      # everything
    python benchmarks/commands.py --only small events --repeat 5

Wall times depend on what else the machine runs: the load average is printed beside them, the CPU
time of the command's processes (user + system, children included) is shown too, and the fastest
wall time of the repeats (the run least slowed by other processes).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BENCH = ROOT / "scenarios" / "bench-10m.yaml"
QUICK = ROOT / "scenarios" / "quickstart.yaml"
BIN = Path(sys.executable).parent / "journeysim"


#: as on a user's machine: Python caches compiled modules (a sandbox's PYTHONDONTWRITEBYTECODE would
#: make every command compile journeysim's sources again, some 70 ms that no user pays)
USER_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(argv: list[str], repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``argv`` run ``repeat`` times, each in a fresh process, after one
    untimed run (the first run of a command after an install writes the bytecode cache)."""
    subprocess.run(argv, cwd=ROOT, capture_output=True, env=USER_ENV)
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, env=USER_ENV)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    FASTEST[0] = min(walls)
    return statistics.median(walls), statistics.median(cpus)


#: the fastest wall time of the last ``timed`` command: the run least slowed by other processes
FASTEST = [float("nan")]


def line(what: str, wall: float, cpu: float, note: str = "") -> None:
    print(f"  {what:<58}{wall:>8.2f} s{cpu:>8.2f} s{FASTEST[0]:>8.2f} s   {note}")
    FASTEST[0] = float("nan")


def run_cmd(out: Path, *extra: str) -> list[str]:
    return [str(BIN), "run", str(BENCH), "--out", str(out), "-q", *extra]


def import_time(repeat: int) -> None:
    cumulative = []
    subprocess.run([sys.executable, "-c", "import journeysim.cli"], cwd=ROOT, env=USER_ENV, check=True)  # bytecode cache
    for _ in range(repeat):
        done = subprocess.run([sys.executable, "-X", "importtime", "-c", "import journeysim.cli"], capture_output=True,
                              text=True, check=True, cwd=ROOT, env=USER_ENV)
        match = re.search(r"\|\s*(\d+) \| journeysim\.cli$", done.stderr, re.MULTILINE)
        cumulative.append(int(match.group(1)) / 1e6 if match else float("nan"))
        heavy = [m for m in ("pandas", "pyarrow", "matplotlib", "tqdm", "simpy")
                 if re.search(rf"\| {m}$", done.stderr, re.MULTILINE)]
    line("import journeysim.cli (-X importtime, cumulative)", statistics.median(cumulative), float("nan"),
         f"also imported: {', '.join(heavy) or 'none of pandas, pyarrow, matplotlib, tqdm, simpy'}")
    wall, cpu = timed([sys.executable, "-c", "import journeysim.cli"], repeat)
    line("python -c 'import journeysim.cli' (whole process)", wall, cpu)


def small(tmp: Path, repeat: int) -> None:
    size = ["--set", "population.size=1000"]
    wall, cpu = timed(run_cmd(tmp / "small", *size, "--no-report"), repeat)
    line("journeysim run, 1,000 profiles, --no-report", wall, cpu, f"target <= 0.5 s: {'met' if wall <= 0.5 else 'not met'}")
    wall, cpu = timed(run_cmd(tmp / "small-report", *size), repeat)
    line("journeysim run, 1,000 profiles, with the report", wall, cpu, f"target <= 1.0 s: {'met' if wall <= 1.0 else 'not met'}")


def naive(tmp: Path, repeat: int) -> None:
    js, js_cpu = timed(run_cmd(tmp / "m", "--set", "population.size=1000000", "--no-report"), repeat)
    line("journeysim run, 1M profiles, --no-report", js, js_cpu)
    simpy_wall, simpy_cpu = timed([sys.executable, str(HERE / "naive_simpy.py"), "--size", "1000000", "--json"], repeat)
    line("naive_simpy.py --size 1000000 (one SimPy process per profile)", simpy_wall, simpy_cpu,
         f"naive / journeysim: {simpy_wall / js:.1f}x wall, {simpy_cpu / js_cpu:.1f}x cpu (target >= 50x)")


def events(tmp: Path, repeat: int) -> None:
    size = ["--set", "population.size=1000000", "--no-report"]
    plain, plain_cpu = timed(run_cmd(tmp / "plain", *size), repeat)
    line("journeysim run, 1M profiles", plain, plain_cpu)
    with_events, events_cpu = timed(run_cmd(tmp / "events", *size, "--events"), repeat)
    line("journeysim run, 1M profiles, --events", with_events, events_cpu,
         f"--events / plain: {with_events / plain:.2f}x wall, {events_cpu / plain_cpu:.2f}x cpu (target <= 1.5x)")


def sweep(tmp: Path, repeat: int) -> None:
    argv = [str(BIN), "sweep", str(QUICK), "--grid", "org.resume_rate=1000/s,5000/s", "-r", "10", "-q"]
    inproc, inproc_cpu = timed([*argv, "--out", str(tmp / "sweep1")], repeat)
    inproc_fastest = FASTEST[0]
    line("journeysim sweep, 20 runs of quickstart (200k), in-process", inproc, inproc_cpu)
    pool, pool_cpu = timed([*argv, "--out", str(tmp / "sweep2"), "--workers", "2"], repeat)
    line("journeysim sweep, 20 runs, --workers 2", pool, pool_cpu,
         f"in-process / workers: {inproc / pool:.2f}x, fastest {inproc_fastest / FASTEST[0]:.2f}x (target >= 1.7x)")


GROUPS = {"import": lambda tmp, r: import_time(r), "small": small, "naive": naive, "events": events, "sweep": sweep}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", choices=list(GROUPS), help="run only these groups")
    parser.add_argument("--repeat", type=int, default=3, help="fresh-process runs per command; medians shown (default 3)")
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d %H:%M')}, median of {args.repeat} fresh process(es), {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.1f}")
    print(f"  {'command':<58}{'wall':>10}{'cpu':>10}{'fastest':>10}")
    with tempfile.TemporaryDirectory(prefix="journeysim-commands-") as tmp:
        for name in args.only or list(GROUPS):
            GROUPS[name](Path(tmp), args.repeat)
    print(f"load at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
