"""Fuzzing the front door (issue 10): the shipped scenarios and the spec examples, mutated by
hypothesis (wrong types, huge and tiny numbers, long strings, deleted keys, loops, references to
nothing), run through ``journeysim run``. Every case ends in exit 0 (outputs written) or exit 2
(a message, nothing written): never a traceback, a warning, or more than its time and memory bound.

Populations are capped at 2,000 profiles and the keys that set a run's length (duration,
resolution, report_every, population.size) take only values from BOUNDED, so a case is a fraction
of a second. JOURNEYSIM_FUZZ_EXAMPLES=2000 fuzzes longer.
"""

from __future__ import annotations

import copy
import os
import resource
import signal
import tempfile
import warnings
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeysim.cli import main

ROOT = Path(__file__).parent.parent
SEED_FILES = sorted(p for p in [*ROOT.glob("scenarios/*.yaml"), *ROOT.glob("tests/spec_examples/*.yaml")]
                    if "bench" not in p.name)
MAX_PROFILES = 2_000
SECONDS_PER_CASE = 30  # far above the ~0.1 s a case takes: a bound against hangs, not a speed test
# bytes of address space a case may add: 1.5 GiB, plus what threads first started in a case reserve (malloc arenas)
MEMORY_PER_CASE = 1536 * 2**20 + 64 * 2**20 * (os.cpu_count() or 1)

# Values a mutation writes anywhere: wrong types, huge and tiny numbers, durations and rates at the edges.
VALUES = [None, True, False, 0, -1, 1, 2**63, 10**30, 1e308, -1e308, 1e-308, float("nan"), float("inf"), "", "abc",
          "0s", "-5m", "1e9d", "100y", "99999999d", "0/s", "1e12/s", "1000000/s", "1/s", "all", "true", "NO",
          [], {}, [1, 2], ["x"], {"fixed": "0s"}, {"uniform": ["2d", "1s"]}, {"every": "0s", "count": 10**9},
          {"rate": "1e9/s"}, "x" * 5000, "9" * 200]
# Keys that set how long a run is: only values that are small enough to run or that must be refused.
BOUNDED = {"duration": [None, "0s", "-1h", "abc", 10**30, 1e308, [], "200y", 0, 1, "x" * 300, "1h"],
           "resolution": [None, "0s", "-1s", "abc", 0, 1e-308, 10**30, "1d", "1h", []],
           "report_every": [None, "0s", "-1s", "abc", 0, 1e-308, 10**30, "1d", []],
           "size": [None, 0, 1, -5, 10**30, 90_000_000_000, "many", 2.5, True, 1500]}
REFERENCE_KEYS = {"next", "to", "start", "otherwise", "journey"}


def _seed(path: Path) -> dict:
    doc = yaml.safe_load(path.read_text())
    population = doc.get("population", {})
    if isinstance(population.get("size"), int):
        population["size"] = min(population["size"], MAX_PROFILES)
    return doc


SEEDS = {p.name: _seed(p) for p in SEED_FILES}


def _paths(data, prefix=()):
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        yield prefix + (key,)
        yield from _paths(value, prefix + (key,))


def _parent(doc, path):
    for part in path[:-1]:
        doc = doc[part]
    return doc


def _node_ids(doc, path) -> list:
    """The node ids of the journey ``path`` is in (for loops and self-references)."""
    if len(path) >= 2 and path[0] == "journeys" and isinstance(doc.get("journeys"), list):
        journey = doc["journeys"][path[1]]
        if isinstance(journey, dict) and isinstance(journey.get("nodes"), dict):
            return list(journey["nodes"])
    return []


@st.composite
def mutated_scenarios(draw):
    name = draw(st.sampled_from(sorted(SEEDS)))
    doc = copy.deepcopy(SEEDS[name])
    done = []
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_paths(doc))
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _parent(doc, path), path[-1]
        op = draw(st.sampled_from(["replace", "delete", "reference", "long", "jump"]))
        nodes = _node_ids(doc, path)
        if op == "jump" and nodes and isinstance(doc["journeys"][path[1]].get("key"), str):
            # a node's next becomes a jump into a journey (its own: a loop that takes no time unless a wait is on it)
            journey = doc["journeys"][path[1]]
            keys = [j.get("key") for j in doc["journeys"] if isinstance(j, dict)]
            journey["nodes"]["fuzz_jump"] = {"type": "jump", "to": draw(st.sampled_from(keys))}
            source = journey["nodes"][draw(st.sampled_from(nodes))]
            if isinstance(source, dict):
                source["next"] = "fuzz_jump"
        elif op == "jump":
            continue
        elif op == "delete":
            del parent[key]
        elif op == "reference" or (key in REFERENCE_KEYS and op == "long"):
            nodes = _node_ids(doc, path)
            node_here = path[3] if len(path) > 3 and path[2] == "nodes" else None
            choices = ["nowhere", *nodes] + ([node_here] if node_here else [])
            if isinstance(parent, dict) and parent.get("type") == "jump" and key == "to":
                # a jump goes to a journey: its own (a loop, item 4), another, or none
                choices = ["nowhere", *(j.get("key") for j in doc.get("journeys", []) if isinstance(j, dict))]
            parent[key] = draw(st.sampled_from(choices))
        elif key in BOUNDED and (key != "size" or path[:1] == ("population",)):
            parent[key] = draw(st.sampled_from(BOUNDED[key]))
        elif op == "long":
            parent[key] = draw(st.sampled_from(["x" * 100_000, "é" * 2000, "a" * 81]))
        else:
            parent[key] = copy.deepcopy(draw(st.sampled_from(VALUES)))
        done.append((op, path))
    return name, doc, done


class CaseTimeout(Exception):
    pass


def _run_bounded(args: list[str]):
    """The CLI in this process, stopped after SECONDS_PER_CASE and refused memory past MEMORY_PER_CASE."""
    def expire(signum, frame):
        raise CaseTimeout(f"no answer in {SECONDS_PER_CASE} s")

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as statm:
        in_use = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(SECONDS_PER_CASE)
    resource.setrlimit(resource.RLIMIT_AS, (in_use + MEMORY_PER_CASE, hard))
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = CliRunner().invoke(main, args)
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return result, [w for w in caught if issubclass(w.category, RuntimeWarning)]


@pytest.fixture(scope="module", autouse=True)
def warm_up(tmp_path_factory):
    """One unbounded run first: the thread pools Arrow starts once do not count against a case's memory."""
    out = tmp_path_factory.mktemp("warm") / "out"
    result = CliRunner().invoke(main, ["run", str(SEED_FILES[0]), "--out", str(out), "--quiet", "--no-report",
                                       "--set", f"population.size={MAX_PROFILES}"])
    assert result.exit_code == 0, result.output


@settings(max_examples=int(os.environ.get("JOURNEYSIM_FUZZ_EXAMPLES", "600")), deadline=None,
          derandomize=not os.environ.get("JOURNEYSIM_FUZZ_RANDOM"),
          database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated_scenarios())
def test_mutated_scenarios_run_or_are_refused_cleanly(case):
    name, doc, mutations = case
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / name
        path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
        out = Path(work) / "out"
        result, runtime_warnings = _run_bounded(["run", str(path), "--out", str(out), "--quiet", "--no-report"])
        context = f"{name} {mutations}: exit {result.exit_code}\n{result.output[-3000:]}"
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            context + f"\n{type(result.exception).__name__}: {result.exception}")
        assert result.exit_code in (0, 2), context
        assert "Traceback" not in result.output, context
        assert runtime_warnings == [], context + f"\n{runtime_warnings[0].message}"
        if result.exit_code == 2:
            assert not out.exists(), context
            assert result.stderr.rstrip().endswith("nothing was run"), context
        else:
            assert (out / "summary.json").is_file(), context
