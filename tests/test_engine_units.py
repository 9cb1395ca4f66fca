"""Exact numbers on small hand-computed live journeys (foundation issue)."""

import numpy as np
import pytest
from conftest import linear_journey, scenario

from journeysim.engine.moves import duration_ticks, rate_slots
from journeysim.units import MAX_SECONDS, parse_distribution, parse_duration, parse_rate


def test_units_parse_durations_rates_and_distributions():
    assert parse_duration("2d 6h") == 2 * 86400 + 6 * 3600
    assert parse_duration(90) == 90.0
    assert parse_duration("90s") == 90.0
    assert parse_rate("5000/s") == 5000.0
    assert parse_rate("20/m") == pytest.approx(1 / 3)
    assert parse_rate("50000/d") == pytest.approx(50000 / 86400)
    dist = parse_distribution({"uniform": ["1h", "3d"]})
    assert dist.mean == pytest.approx((3600 + 3 * 86400) / 2)
    with pytest.raises(ValueError, match="unknown distribution 'unifrom'"):
        parse_distribution({"unifrom": ["1h", "3d"]})


def test_distribution_samples_match_their_mean():
    rng = np.random.default_rng(0)
    for spec in ({"exponential": {"mean": "2h"}}, {"lognormal": {"median": "2h", "sigma": 0.5}},
                 {"choice": {"1h": 0.5, "1d": 0.5}}, {"uniform": ["1h", "3d"]}):
        dist = parse_distribution(spec)
        sample = dist.sample(rng, 200_000)
        assert sample.mean() == pytest.approx(dist.mean, rel=0.02)
        inverse = dist.from_uniforms(rng.random(200_000), rng.random(200_000))
        assert inverse.mean() == pytest.approx(dist.mean, rel=0.02)
        assert np.median(inverse) == pytest.approx(np.median(sample), rel=0.03)


@pytest.mark.parametrize("count, rate, resolution", [(0, 5.0, 1.0), (12_000, 5000.0, 1.0), (3_000_001, 20_000.0, 1.0),
                                                     (2_500_000, 7.3, 1.0), (1_200_000, 0.5, 1.0), (2_100_000, 5000.0, 0.1)])
def test_rate_slots_written_in_place_in_chunks_equal_the_whole_array(count, rate, resolution):
    """R6 slots written into a column a million at a time (a 50M read) are the slots, plus the start."""
    out = np.full(count, -1, dtype=np.int64)
    rate_slots(count, rate, resolution, out=out, start=86_400)
    assert np.array_equal(out, rate_slots(count, rate, resolution) + 86_400)
    if count > 1_048_576 and rate == 20_000.0:  # across a chunk boundary: item i goes at ceil((i + 1) / 20,000)
        assert out[1_048_575] == 86_400 + 53 and out[1_048_576] == 86_400 + 53 and out[1_059_999] == 86_400 + 53
        assert out[1_060_000] == 86_400 + 54


def test_rate_slots_release_in_whole_seconds():
    slots = rate_slots(12_000, 5000.0, 1.0)
    assert slots[0] == 1 and slots[4999] == 1 and slots[5000] == 2 and slots[-1] == 3
    assert np.bincount(slots).max() == 5000


def test_fixed_wait_moves_every_profile_exactly_one_hour_later(simulate):
    doc = scenario(linear_journey(every="1s", count=10, wait="1h"), duration="2h")
    result = simulate(doc)
    ev = result.events
    entered = ev[(ev.event == "entered") & (ev.node == "entry")].set_index("profile_id").t_s
    acted = ev[ev.event == "action"].set_index("profile_id").t_s
    assert sorted(entered.tolist()) == list(range(10))
    assert ((acted - entered.loc[acted.index]) == 3600).all()
    summary = result.summary["journeys"]["j"]
    assert summary["exited"]["end"] == 10 and summary["actions"] == {"send": 10}


def test_deterministic_split_routes_everyone_one_way(simulate):
    journey = {"key": "j", "start": "entry", "nodes": {
        "entry": {"type": "event", "arrivals": {"every": "1s", "count": 50}, "next": "split"},
        "split": {"type": "random_split", "branches": [{"weight": 1.0, "next": "a"}, {"weight": 0.0, "next": "b"}]},
        "a": {"type": "action", "channel": "email", "next": "done"},
        "b": {"type": "action", "channel": "push", "next": "done"},
        "done": {"type": "end"}}}
    result = simulate(scenario(journey, duration="100s"))
    assert result.summary["journeys"]["j"]["actions"] == {"a": 50, "b": 0}


def test_condition_first_match_wins(simulate):
    journey = {"key": "j", "start": "entry", "nodes": {
        "entry": {"type": "event", "arrivals": {"every": "1s", "count": 1000}, "next": "c"},
        "c": {"type": "condition", "branches": [
            {"when": "tier == 'gold'", "next": "a"}, {"when": "tier in ['gold', 'silver']", "next": "b"},
            {"otherwise": "z"}]},
        "a": {"type": "action", "next": "done"}, "b": {"type": "action", "next": "done"},
        "z": {"type": "action", "next": "done"}, "done": {"type": "end"}}}
    result = simulate(scenario(journey, duration="2000s", attributes={"tier": {"choice": {"gold": 0.2, "silver": 0.3, "bronze": 0.5}}}))
    actions = result.summary["journeys"]["j"]["actions"]
    assert sum(actions.values()) == 1000
    ev = result.events
    gold = set(ev[(ev.event == "action") & (ev.node == "a")].profile_id)
    assert 150 < len(gold) < 250 and 230 < actions["b"] < 370


def test_read_audience_enters_at_its_read_rate(simulate):
    journey = {"key": "j", "start": "read", "nodes": {
        "read": {"type": "read_audience", "audience": "all", "schedule": {"at": 0}, "read_rate": "1000/s", "next": "w"},
        "w": {"type": "wait", "duration": "1h", "next": "done"}, "done": {"type": "end"}}}
    doc = scenario(journey, size=10_000, duration="2h", report_every="1s")
    result = simulate(doc)
    ev = result.events
    entered = ev[(ev.event == "entered") & (ev.node == "read")]
    assert entered.t_s.min() == 1 and entered.t_s.max() == 10
    assert (entered.groupby("t_s").size() == 1000).all()
    ts = result.timeseries
    queued_at_5 = ts[(ts.t_s == 5) & (ts.node == "read") & (ts.state == "queued")]["count"].item()
    assert queued_at_5 == 5000  # slots 1..5 have entered at t=5 (an interval [start, end) covers t iff start <= t < end)


def test_global_timeout_91_days_L7_live(simulate):
    journey = {"key": "j", "start": "entry", "nodes": {
        "entry": {"type": "event", "arrivals": {"every": "1d", "count": 3}, "next": "never"},
        "never": {"type": "event", "chance": 0.0, "next": "done"}, "done": {"type": "end"}}}
    result = simulate(scenario(journey, duration="100d", report_every="1d"))
    ev = result.events
    exits = ev[ev.event == "exited"]
    assert exits.reason.tolist() == ["timeout"] * 3
    assert exits.t_s.tolist() == [91 * 86400, 92 * 86400, 93 * 86400]
    assert result.summary["journeys"]["j"]["exited"]["timeout"] == 3


def test_later_event_with_timeout_branches(simulate):
    journey = {"key": "j", "start": "entry", "nodes": {
        "entry": {"type": "event", "arrivals": {"every": "1s", "count": 2000}, "next": "send"},
        "send": {"type": "action", "next": "opened"},
        "opened": {"type": "reaction", "to": "send", "chance": 0.3, "delay": {"fixed": "10s"},
                   "timeout": "60s", "next": "yes", "on_timeout": "no"},
        "yes": {"type": "action", "next": "done"}, "no": {"type": "action", "next": "done"}, "done": {"type": "end"}}}
    result = simulate(scenario(journey, duration="3000s", size=5000))
    actions = result.summary["journeys"]["j"]["actions"]
    assert actions["yes"] + actions["no"] == 2000
    assert 500 < actions["yes"] < 700
    ev = result.events
    sent = ev[(ev.event == "action") & (ev.node == "send")].set_index("profile_id").t_s
    yes = ev[(ev.event == "action") & (ev.node == "yes")].set_index("profile_id").t_s
    no = ev[(ev.event == "action") & (ev.node == "no")].set_index("profile_id").t_s
    assert ((yes - sent.loc[yes.index]) == 10).all()
    assert ((no - sent.loc[no.index]) == 60).all()


def test_update_profile_jump_and_external_data_live(simulate):
    first = {"key": "first", "start": "entry", "nodes": {
        "entry": {"type": "event", "arrivals": {"every": "1s", "count": 10}, "next": "fetch"},
        "fetch": {"type": "external_data", "latency": {"fixed": "5s"}, "next": "mark"},
        "mark": {"type": "update_profile", "set": {"flag": True}, "next": "go"},
        "go": {"type": "jump", "to": "second"}}}
    second = {"key": "second", "start": "in", "nodes": {
        "in": {"type": "event", "arrivals": {"every": "1h", "count": 0 + 1, "start": "10h"}, "next": "c"},
        "c": {"type": "condition", "branches": [{"when": "flag", "next": "a"}, {"otherwise": "b"}]},
        "a": {"type": "action", "next": "done"}, "b": {"type": "action", "next": "done"}, "done": {"type": "end"}}}
    result = simulate(scenario(first, second, duration="1h", attributes={"flag": {"constant": False}}))
    s = result.summary["journeys"]
    assert s["first"]["exited"]["jump"] == 10
    assert s["second"]["arrived"] == 10 and s["second"]["actions"] == {"a": 10, "b": 0}
    ev = result.events
    assert ev[(ev.event == "entered") & (ev.node == "in")].t_s.tolist() == [float(t) for t in range(5, 15)]


def test_exit_criteria_remove_profiles_at_their_next_move(simulate):
    journey = linear_journey(every="1s", count=100)
    journey["exit_criteria"] = [{"when": "flag"}]
    result = simulate(scenario(journey, duration="1000s"))
    s = result.summary["journeys"]["j"]
    assert s["exited"]["exit_criteria"] + s["exited"]["end"] == 100
    assert 30 < s["exited"]["exit_criteria"] < 70
    assert s["actions"]["send"] == s["exited"]["end"]


def test_same_seed_gives_identical_outputs_and_another_seed_differs(simulate, tmp_path):
    doc = scenario(linear_journey(every="1s", count=300), duration="1000s",
                   timeline=[{"at": "100s", "pause": {"journeys": ["j"], "mode": "hold"}},
                             {"at": "200s", "resume": {"journeys": ["j"]}}])
    doc["journeys"][0]["nodes"]["wait"]["duration"] = {"exponential": {"mean": "60s"}}
    a, b = simulate(doc), simulate(doc)
    assert a.summary == b.summary
    assert a.timeseries.equals(b.timeseries) and a.events.equals(b.events)
    doc["seed"] = 2
    c = simulate(doc)
    assert not a.events.equals(c.events)


def test_a_heavy_tailed_draw_is_clipped_to_the_longest_duration_not_wrapped_negative():
    """A lognormal with a huge sigma draws beyond int64 ticks; the tick count must stay in [0, 100 years]."""
    dist = parse_distribution({"lognormal": {"median": "1h", "sigma": 400}})
    u = np.array([0.0, 0.5, 0.999999, 0.9999999999])
    v = np.array([0.0, 0.0, 0.0, 0.5])
    ticks = duration_ticks(dist, u, v, resolution=1.0)
    assert ticks.min() >= 0
    assert ticks.max() == int(MAX_SECONDS)
    assert ticks[0] == 3600  # u = 0: the normal is 0, the median itself


@pytest.mark.parametrize(("write_at", "branch"), [("5s", "yes"), ("31s", "no"), ("100s", "no")])
def test_a_write_by_one_journey_is_seen_by_another_from_the_next_tick_never_before(simulate, write_at, branch):
    """One profile: journey 'writer' sets flag at write_at, journey 'reader' tests it at 31 s. Rows run
    ahead of the clock between control events, yet the reader sees the write only if it came earlier
    (a write at the same tick by another journey is not seen: the clock takes one tick at a time)."""
    writer = {"key": "writer", "start": "in", "nodes": {
        "in": {"type": "event", "arrivals": {"every": "1s", "count": 1, "start": write_at}, "next": "mark"},
        "mark": {"type": "update_profile", "set": {"flag": True}, "next": "done"}, "done": {"type": "end"}}}
    reader = {"key": "reader", "start": "in", "nodes": {
        "in": {"type": "event", "arrivals": {"every": "1s", "count": 1, "start": "31s"}, "next": "c"},
        "c": {"type": "condition", "branches": [{"when": "flag", "next": "yes"}, {"otherwise": "no"}]},
        "yes": {"type": "action", "next": "done"}, "no": {"type": "action", "next": "done"}, "done": {"type": "end"}}}
    result = simulate(scenario(reader, writer, duration="1000s", size=1, attributes={"flag": {"constant": False}}))
    actions = result.summary["journeys"]["reader"]["actions"]
    assert actions == {"yes": int(branch == "yes"), "no": int(branch == "no")}
