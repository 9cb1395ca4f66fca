"""Shared by the benchmark scripts: run a child Python in a fresh process, and say what was measured.

Every measurement runs in its own subprocess so that ``ru_maxrss`` (the peak resident set size)
is that run's own. The child prints one JSON line last; the parent reads it.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"


class RunFailed(RuntimeError):
    pass


def run_child(args: list[str], timeout: float | None) -> dict:
    """Run ``python ARGS`` in a fresh process; return its last stdout line as JSON, plus ``process_s``."""
    start = time.perf_counter()
    try:
        out = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired as exc:
        raise RunFailed(f"timed out after {timeout:.0f} s (the child was killed)") from exc
    elapsed = time.perf_counter() - start
    if out.returncode != 0:
        tail = "\n".join((out.stderr or out.stdout).strip().splitlines()[-15:])
        raise RunFailed(f"exit status {out.returncode}:\n{tail}")
    report = json.loads(out.stdout.strip().splitlines()[-1])
    report["process_s"] = elapsed  # the whole child: interpreter start, imports, load, run
    return report


def code_state() -> dict:
    """Which code was measured: the commit, whether journeysim/ differs from it, a hash of its sources.

    Read-only: ``git rev-parse`` and ``git --no-optional-locks status`` (no index refresh).
    """
    state = {"commit": "", "engine_dirty": "", "source_sha": ""}
    try:
        state["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                         text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "--no-optional-locks", "status", "--porcelain", "--", "journeysim"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
        state["engine_dirty"] = bool(dirty)
    except (OSError, subprocess.CalledProcessError):
        pass
    digest = hashlib.sha1()
    for path in sorted((ROOT / "journeysim").rglob("*.py")):
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    state["source_sha"] = digest.hexdigest()[:10]
    return state


def machine() -> dict:
    return {"python": platform.python_version(), "cpus": os.cpu_count(),
            "load_1m": round(os.getloadavg()[0], 2)}


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
