"""Results do not depend on how the engine batches rows (the performance path equals the slow path)."""

import numpy as np
import pytest
import yaml
from conftest import ROOT

import journeysim
from journeysim.engine import simulation
from journeysim.engine.draws import KeyedDraws


def small_copy_of_the_benchmark(tmp_path):
    data = yaml.safe_load((ROOT / "scenarios" / "bench-10m.yaml").read_text()) \
        if (ROOT / "scenarios" / "bench-10m.yaml").exists() else None
    if data is None:
        pytest.skip("scenarios/bench-10m.yaml is not there")
    data["population"]["size"] = 20_000
    path = tmp_path / "bench-small.yaml"
    path.write_text(yaml.safe_dump(data))
    return journeysim.load(path)


@pytest.mark.parametrize("scenario", ["bench", "quickstart"])
def test_tiny_batches_give_identical_summary_time_series_and_events(tmp_path, monkeypatch, scenario):
    loaded = small_copy_of_the_benchmark(tmp_path) if scenario == "bench" else journeysim.load(ROOT / "scenarios" / "quickstart.yaml")
    fast = journeysim.run(loaded, events=True)
    monkeypatch.setattr(simulation, "BATCH_ROWS", 97)
    slow = journeysim.run(loaded, events=True)
    assert fast.summary == slow.summary
    assert fast.timeseries.equals(slow.timeseries)
    columns = list(fast.events.columns)
    a = fast.events.sort_values(columns).reset_index(drop=True)
    b = slow.events.sort_values(columns).reset_index(drop=True)
    assert a.equals(b)


def test_keyed_draws_are_uniform_and_depend_only_on_their_key():
    draws = KeyedDraws(np.random.SeedSequence(1))
    profiles = np.arange(200_000)
    u = draws.uniform(profiles, np.zeros(200_000, dtype=np.int64), 3, np.full(200_000, 10))
    assert abs(u.mean() - 0.5) < 0.005 and u.min() >= 0 and u.max() < 1
    assert np.histogram(u, bins=10, range=(0, 1))[0].min() > 19_000
    again = draws.uniform(profiles[::-1], np.zeros(200_000, dtype=np.int64), 3, np.full(200_000, 10))
    assert np.array_equal(u, again[::-1])
    other = KeyedDraws(np.random.SeedSequence(1, spawn_key=(1,))).uniform(profiles, np.zeros(200_000, dtype=np.int64), 3,
                                                                         np.full(200_000, 10))
    assert not np.array_equal(u, other)
