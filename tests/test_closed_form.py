"""The closed-form floor (benchmarks/closed_form.py) tells the engine's story for bench-10m.yaml.

The engine is benchmarked against it, so the two must simulate the same flow: if the scenario or
the engine's pause semantics (AJO hold at the action, R6 drain oldest first) drift apart from the
numpy version, this fails. The two draw different random numbers, so counts agree up to sampling.
"""

from __future__ import annotations

import sys
from pathlib import Path

import journeysim

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import closed_form  # noqa: E402
from run import agree  # noqa: E402

SIZE = 20_000


def _binomial_close(a: int, b: int, n: int, p: float) -> bool:
    return abs(a - b) <= 5 * (2 * n * p * (1 - p)) ** 0.5


def test_R6_closed_form_agrees_with_engine_on_bench_flow_at_20k():
    result = journeysim.run(journeysim.load(ROOT / "scenarios" / "bench-10m.yaml", overrides={"population.size": SIZE}))
    journey = result.summary["journeys"]["bench"]
    pause = journey["pauses"][0]
    floor = closed_form.simulate(SIZE, seed=1)

    # read at 20,000/s: everyone has entered within a second, and a 1-3 day wait ends before day 3
    assert journey["entered"] == floor["entered"] == SIZE
    assert journey["in_journey_at_end"] == floor["in_journey_at_end"] == 0
    assert sum(journey["actions"].values()) == floor["actions"] == SIZE
    # has_app is 50/50: push counts agree within sampling
    assert _binomial_close(journey["actions"]["push"], floor["actions_by_channel"]["push"], SIZE, 0.5)
    # the 12 h hold out of a uniform 2-day window of wait ends holds about a quarter
    assert _binomial_close(pause["held_at_resume"], floor["held_at_resume"], SIZE, 0.25)
    assert abs(pause["held_at_resume"] - SIZE / 4) < 5 * (SIZE * 0.25 * 0.75) ** 0.5
    # drained at 5,000/s: ceil(held / 5000) seconds, and every held profile is sent after the hold
    assert pause["drain_s"] == -(-pause["held_at_resume"] // 5000)
    assert floor["drain_s"] == -(-floor["held_at_resume"] // 5000)
    assert pause["sent_after_hold"] == pause["held_at_resume"] and floor["sent_after_hold"] == floor["held_at_resume"]
    # the longest delay: held at the pause's first second, released in the drain's last
    assert floor["send_delay_s"]["max"] == 43200 + floor["drain_s"]
    assert abs(pause["send_delay_s"]["max"] - floor["send_delay_s"]["max"]) <= 10
    # the median send delay is about half the 12 h hold
    assert abs(pause["send_delay_s"]["p50"] - floor["send_delay_s"]["p50"]) < 0.05 * 43200
    assert journey["held_peak"] == pause["held_at_resume"] and floor["held_peak"] == floor["held_at_resume"]

    engine = {"actions": SIZE, "held_at_resume": pause["held_at_resume"], "drain_s": pause["drain_s"],
              "in_journey_at_end": journey["in_journey_at_end"]}
    assert agree(engine, floor) == "outputs agree"


def test_R6_closed_form_keeps_profiles_whose_wait_ends_after_the_run():
    """At 10M the read takes 500 s: waits drawn near 3 days end after the run (still in the journey)."""
    floor = closed_form.simulate(2_000_000, seed=3)  # read over 100 s
    assert floor["entered"] == 2_000_000
    # wait end > 259,200 needs entry + uniform(1d, 3d) > 3d: P = E[entry] / 2d ~ 50 s / 172,800 s
    expected = 2_000_000 * 50.5 / 172_800
    assert abs(floor["in_journey_at_end"] - expected) < 5 * expected ** 0.5
    assert floor["actions"] + floor["in_journey_at_end"] == 2_000_000
