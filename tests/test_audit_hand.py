"""Hand-computed cases from the vendor documents and docs/behaviors.md (an audit by hand).

Each test states the computation it pins; every one failed on the engine before its fix.
"""

from conftest import scenario


def test_regular_arrivals_round_each_time_not_the_step(simulate):
    """Arrivals `every: 1.5s` at 1 s resolution come at 0, 1.5, 3, 4.5, ... s, each rounded to a whole
    tick (as every time is): 0, 2, 3, 4, 6, 8, 9, 10, ...; the 100th at 99 x 1.5 = 148.5 -> 148 s.
    (The engine rounded the step to 2 s: the 100th came at 198 s.)"""
    journey = {"key": "j", "start": "entry", "nodes": {
        "entry": {"type": "event", "arrivals": {"every": "1.5s", "count": 100}, "next": "done"},
        "done": {"type": "end"}}}
    result = simulate(scenario(journey, size=1000, duration="1000s"))
    ev = result.events
    entered = ev[(ev.event == "entered") & (ev.node == "entry")].t_s.tolist()
    assert entered[:8] == [0.0, 2.0, 3.0, 4.0, 6.0, 8.0, 9.0, 10.0]
    assert len(entered) == 100 and entered[-1] == 148.0
    assert result.summary["journeys"]["j"]["status_changes"][-1] == {"at_s": 148, "status": "finished"}


def test_L9_arrivals_every_second_at_a_one_minute_resolution_keep_their_rate(simulate):
    """`every: 1s, count: 600` at a 1 min resolution: 600 arrivals over 0..599 s, each rounded to the
    nearest minute as every time is (half to even, as Python's round: 30 s -> 0, 90 s -> 2 min): 31 at
    0 (0..30 s), then 59 and 61 in turn (31..89 s, 90..150 s, ...), 30 at 10 min (570..599 s); the peak
    entry events in one second is 61 (L9), 9 seconds over a 50/s quota. (The engine made one arrival a
    minute: the 120th came at the end of the 2 h run, 480 never came, and the peak was 1.)"""
    journey = {"key": "j", "start": "entry", "nodes": {
        "entry": {"type": "event", "arrivals": {"every": "1s", "count": 600}, "next": "done"},
        "done": {"type": "end"}}}
    result = simulate(scenario(journey, size=1000, duration="2h", resolution="1m", report_every="1m",
                               org={"events_per_s_quota": "50/s"}))
    s = result.summary
    assert s["journeys"]["j"]["arrived"] == 600
    counts = result.events[(result.events.event == "entered") & (result.events.node == "entry")].groupby("t_s").size()
    assert counts.to_dict() == {0.0: 31, **{60.0 * m: 59 if m % 2 else 61 for m in range(1, 10)}, 600.0: 30}
    assert s["org"]["events_per_s_peak"] == 61 and s["org"]["seconds_over_events_quota"] == 9
