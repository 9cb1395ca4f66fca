"""Shared helpers: small scenarios built as dicts, written to YAML and run."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

import journeysim

HERE = Path(__file__).parent
ROOT = HERE.parent
SPEC_EXAMPLES = HERE / "spec_examples"  # the format's reference examples: they must load and run unchanged


def linear_journey(key: str = "j", *, every: str = "10s", count: int = 100, wait: str = "100s",
                   action_type: str = "action", after_action: dict | None = None, version: int = 1) -> dict:
    """event (every 10 s, 100 arrivals) -> wait -> action -> end: the hand-computable base journey."""
    nodes = {
        "entry": {"type": "event", "arrivals": {"every": every, "count": count}, "next": "wait"},
        "wait": {"type": "wait", "duration": {"fixed": wait}, "next": "send"},
        "send": {"type": action_type, "channel": "email", "next": "done"},
        "done": {"type": "end"},
    }
    if after_action:
        nodes["send"]["next"] = next(iter(after_action))
        nodes.update(after_action)
    return {"key": key, "version": version, "start": "entry", "nodes": nodes}


def scenario(*journeys: dict, timeline: list | None = None, platform: str = "ajo", duration: str = "2000s",
             size: int = 1000, attributes: dict | None = None, **top) -> dict:
    doc = {
        "name": "test", "seed": 1, "platform": platform, "duration": duration, "resolution": "1s",
        "report_every": "10s",
        "population": {"size": size, "attributes": attributes or {"flag": {"bernoulli": 0.5}}},
        "journeys": list(journeys) or [linear_journey()],
        "timeline": timeline or [],
    }
    doc.update(top)
    return doc


def pause(at, journeys=("j",), mode="hold", **extra) -> dict:
    return {"at": at, "pause": {"journeys": list(journeys), "mode": mode, **extra}}


def resume(at, journeys=("j",), **extra) -> dict:
    return {"at": at, "resume": {"journeys": list(journeys), **extra}}


def wake_every_tick(monkeypatch) -> None:
    """Make the engine the slow way: the clock wakes at every tick and moves what is due before it."""
    from journeysim.engine import simulation

    original = simulation.Simulation.run

    def run(self):
        def every_tick():
            while True:
                yield self.env.timeout(1)
                self.sync()

        self.env.process(every_tick())
        original(self)

    monkeypatch.setattr(simulation.Simulation, "run", run)


def assert_same_outputs(a: journeysim.Result, b: journeysim.Result) -> None:
    """Same summary, same time series, and the same events (in any order within a tick)."""
    assert a.summary == b.summary
    assert a.timeseries.equals(b.timeseries)
    columns = list(a.events.columns)
    assert a.events.sort_values(columns).reset_index(drop=True).equals(b.events.sort_values(columns).reset_index(drop=True))


def batched_and_per_tick(runner: Runner, doc: dict) -> tuple[journeysim.Result, journeysim.Result]:
    """The same scenario run by the engine as it is, and with the clock woken at every tick."""
    batched = runner(doc)
    with pytest.MonkeyPatch.context() as patch:
        wake_every_tick(patch)
        return batched, runner(doc)


class Runner:
    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.count = 0

    def write(self, doc: dict) -> Path:
        self.count += 1
        path = self.tmp_path / f"scenario{self.count}.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False))
        return path

    def __call__(self, doc: dict, events: bool = True, **kw) -> journeysim.Result:
        return journeysim.run(journeysim.load(self.write(copy.deepcopy(doc))), events=events, **kw)


@pytest.fixture
def simulate(tmp_path) -> Runner:
    return Runner(tmp_path)


@pytest.fixture
def tiny(simulate) -> Path:
    """A scenario file that runs in a few ms: Poisson arrivals (1/s) into a 60 s wait, paused from
    300 s to 600 s (what the sweep tests vary)."""
    journey = linear_journey(wait="60s")
    journey["nodes"]["entry"]["arrivals"] = {"rate": "1/s"}
    return simulate.write(scenario(journey, size=3000, duration="1500s", timeline=[pause("300s"), resume("600s")]))
