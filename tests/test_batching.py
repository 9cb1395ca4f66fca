"""Results do not depend on how the engine batches rows (the performance path equals the slow path)."""

import numpy as np
import pytest
import yaml
from conftest import ROOT, Runner, assert_same_outputs, batched_and_per_tick, linear_journey, pause, resume, scenario

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
def test_tiny_batches_and_scans_give_identical_summary_time_series_and_events(tmp_path, monkeypatch, scenario):
    loaded = small_copy_of_the_benchmark(tmp_path) if scenario == "bench" else journeysim.load(ROOT / "scenarios" / "quickstart.yaml")
    fast = journeysim.run(loaded, events=True)
    monkeypatch.setattr(simulation, "BATCH_ROWS", 97)
    monkeypatch.setattr(simulation, "SCAN_ROWS", 1000)  # the store scanned in slices, not whole
    slow = journeysim.run(loaded, events=True)
    assert_same_outputs(fast, slow)


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



@pytest.mark.parametrize("timeline", ["hold", "discard", "none"])
def test_waking_the_clock_every_tick_gives_identical_outputs(tmp_path, timeline):
    """The batched path (rows move straight to the next control event) equals the per-tick path."""
    reaction = {"opened": {"type": "reaction", "to": "send", "chance": 0.5, "delay": {"uniform": [0, 400]},
                           "timeout": "300s", "next": "done", "on_timeout": "done"}}
    steps = [] if timeline == "none" else [pause(300, mode=timeline), resume(900)]
    doc = scenario(linear_journey(every="3s", count=600, wait="50s", after_action=reaction),
                   timeline=steps, duration="2500s", org={"held_cap": 15, "cap_check_every": "120s", "resume_rate": "2/s"})
    doc["journeys"][0]["nodes"]["wait"]["duration"] = {"exponential": {"mean": "200s"}}
    batched, per_tick = batched_and_per_tick(Runner(tmp_path), doc)
    assert_same_outputs(batched, per_tick)
    if timeline == "hold":
        assert batched.summary["journeys"]["j"]["pauses"][0]["held_at_resume"] > 0
        assert batched.summary["journeys"]["j"]["discarded"]["org_cap"] > 0


def test_a_write_read_by_another_journey_gives_the_per_tick_result(tmp_path):
    """Journey 'mark' sets flag; journey 'route' tests it on the same profiles at random moments: the
    engine's per-profile conflict ticks give what a clock waking every tick gives."""
    mark = {"key": "mark", "start": "in", "nodes": {
        "in": {"type": "event", "arrivals": {"rate": "2/s"}, "next": "wait"},
        "wait": {"type": "wait", "duration": {"uniform": [0, 600]}, "next": "set"},
        "set": {"type": "update_profile", "set": {"flag": True}, "next": "done"}, "done": {"type": "end"}}}
    route = {"key": "route", "start": "in", "nodes": {
        "in": {"type": "event", "arrivals": {"rate": "2/s"}, "next": "wait"},
        "wait": {"type": "wait", "duration": {"uniform": [0, 600]}, "next": "c"},
        "c": {"type": "condition", "branches": [{"when": "flag", "next": "yes"}, {"otherwise": "no"}]},
        "yes": {"type": "action", "next": "done"}, "no": {"type": "action", "next": "done"}, "done": {"type": "end"}}}
    doc = scenario(mark, route, duration="2000s", size=1500, attributes={"flag": {"constant": False}})
    batched, per_tick = batched_and_per_tick(Runner(tmp_path), doc)
    assert_same_outputs(batched, per_tick)
    actions = batched.summary["journeys"]["route"]["actions"]
    assert actions["yes"] > 100 and actions["no"] > 100  # both outcomes happen: the test can tell orders apart


def _chain_of_conditions(length: int) -> dict:
    """event -> wait -> ``length`` conditions in a row (no time between them) -> action or exit -> end."""
    nodes = {"entry": {"type": "event", "arrivals": {"every": "2s", "count": 400}, "next": "wait"},
             "wait": {"type": "wait", "duration": {"uniform": ["10s", "300s"]}, "next": "c0"}}
    for i in range(length):
        last = i == length - 1
        nodes[f"c{i}"] = {"type": "condition", "branches": [
            {"when": "flag", "next": "send" if last else f"c{i + 1}"}, {"otherwise": "done" if i % 3 == 2 else ("send" if last else f"c{i + 1}")}]}
    nodes["send"] = {"type": "action", "channel": "email", "next": "done"}
    nodes["done"] = {"type": "end"}
    return {"key": "j", "start": "entry", "nodes": nodes}


@pytest.mark.parametrize("scenario_name", ["bench", "quickstart", "long chain", "reaction"])
def test_going_on_through_nodes_that_take_no_time_changes_nothing(tmp_path, monkeypatch, scenario_name):
    """Rows go on through condition, action and end nodes in the step that brought them there
    (``CHAIN_DEPTH`` nodes deep, the rest in the next step): the same outputs as one node per step."""
    from journeysim.engine import flow

    if scenario_name == "bench":
        loaded = small_copy_of_the_benchmark(tmp_path)
    elif scenario_name == "quickstart":
        loaded = journeysim.load(ROOT / "scenarios" / "quickstart.yaml")
    else:
        journey = _chain_of_conditions(flow.CHAIN_DEPTH + 40) if scenario_name == "long chain" else linear_journey(
            every="3s", count=600, wait="50s", after_action={"opened": {
                "type": "reaction", "to": "send", "chance": 0.5, "delay": {"uniform": [0, 400]}, "timeout": "300s",
                "next": "done", "on_timeout": "done"}})
        doc = scenario(journey, timeline=[pause(300), resume(900)], duration="2500s",
                       org={"held_cap": 1000, "cap_check_every": "120s", "resume_rate": "2/s"})
        loaded = journeysim.load(Runner(tmp_path).write(doc))
    chained = journeysim.run(loaded, events=True)
    monkeypatch.setattr(flow, "CHAIN_DEPTH", 0)
    one_node_per_step = journeysim.run(loaded, events=True)
    assert_same_outputs(chained, one_node_per_step)
    assert sum(chained.summary["journeys"][k]["entered"] for k in chained.summary["journeys"]) > 0


def test_a_read_shuffled_in_a_thread_reads_in_the_same_order(tmp_path, monkeypatch):
    """R1: a big read's order is shuffled on a second thread while the store fills; the same draws,
    the same order, the same outputs as shuffling in line (every read here is small, so both ways
    are forced)."""
    from journeysim.engine import control

    loaded = small_copy_of_the_benchmark(tmp_path)
    monkeypatch.setattr(control, "THREADED_SHUFFLE", 0)
    threaded = journeysim.run(loaded, events=True)
    monkeypatch.setattr(control, "THREADED_SHUFFLE", 1 << 62)
    inline = journeysim.run(loaded, events=True)
    assert_same_outputs(threaded, inline)
    assert threaded.summary["journeys"]["bench"]["arrived"] == 20_000
