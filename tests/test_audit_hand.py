"""Hand-computed cases from the vendor documents and docs/behaviors.md (an audit by hand).

Each test states the computation it pins; every one failed on the engine before its fix.
"""

from conftest import linear_journey, pause, resume, scenario


def _released_per_tick(result, journey):
    ev = result.events
    released = ev[(ev.event == "released") & (ev.journey == journey)]
    return released.groupby("t_s").size().to_dict()


def test_R6_an_org_wide_rate_gives_the_next_drain_what_the_last_second_left(simulate):
    """R6 (org scope): one rate of 10/s shared by a and b, both paused at 100 s and resumed together at
    1,000 s. a holds 25 (arrived 0..24 s, 900 s wait), b 15. At 10/s the org releases 10 at 1,001 s,
    10 at 1,002 s, then a's last 5 and b's first 5 at 1,003 s, b's last 10 at 1,004 s: the 40 drain in
    ceil(40 / 10) = 4 s, as one queue. (The engine used to start b at 1,004 s and leave 5 places of
    1,003 s unused: b live at 1,005 s.)"""
    doc = scenario(linear_journey("a", every="1s", count=25, wait="900s"),
                   linear_journey("b", every="1s", count=15, wait="900s"), size=100, duration="1100s",
                   org={"resume_rate": "10/s", "resume_rate_scope": "org"},
                   timeline=[pause("100s", journeys=["a", "b"]), resume("1000s", journeys=["a", "b"])])
    result = simulate(doc)
    journeys = result.summary["journeys"]
    assert _released_per_tick(result, "a") == {1001.0: 10, 1002.0: 10, 1003.0: 5}
    assert _released_per_tick(result, "b") == {1003.0: 5, 1004.0: 10}
    assert [journeys[k]["pauses"][0]["drain_s"] for k in "ab"] == [3, 4]
    assert journeys["b"]["pauses"][0]["live_at_s"] == 1004


def test_R6_an_org_wide_drain_resumed_later_continues_the_queue(simulate):
    """R6 (org scope): a (25 held) resumed at 1,000 s drains 10, 10, 5 at 1,001-1,003 s; b (15 held)
    resumed at 1,002 s, while a drains, takes the 5 places left at 1,003 s and 10 at 1,004 s.
    b resumed at 1,003 s, when a's last release is due, starts afresh: 10 at 1,004 s, 5 at 1,005 s."""
    journeys = [linear_journey("a", every="1s", count=25, wait="900s"),
                linear_journey("b", every="1s", count=15, wait="900s")]
    org = {"resume_rate": "10/s", "resume_rate_scope": "org"}
    for b_at, expected in (("1002s", {1003.0: 5, 1004.0: 10}), ("1003s", {1004.0: 10, 1005.0: 5})):
        doc = scenario(*journeys, size=100, duration="1100s", org=org,
                       timeline=[pause("100s", journeys=["a", "b"]), resume("1000s", journeys=["a"]),
                                 resume(b_at, journeys=["b"])])
        result = simulate(doc)
        assert _released_per_tick(result, "a") == {1001.0: 10, 1002.0: 10, 1003.0: 5}
        assert _released_per_tick(result, "b") == expected


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


def test_R6_release_slots_are_whole_seconds_at_a_half_second_resolution(simulate):
    """R6 at 0.5 s resolution: the i-th held profile goes ceil((i + 1) / 5,000) seconds after the resume,
    as behaviors.md states, so of 7,000 held, 5,000 go at +1 s and 2,000 at +2 s (drain 2 s). The read
    that brings them in goes the same way (the 7,000 at 7,000,000/s all enter at 1 s). (The engine used
    5,000/s as 2,500 per half second: 2,500 at +0.5 s, +1 s, 2,000 at +1.5 s, drain 1.5 s.)"""
    journey = {"key": "j", "start": "read", "nodes": {
        "read": {"type": "read_audience", "schedule": {"at": "0s"}, "read_rate": "7000000/s", "next": "wait"},
        "wait": {"type": "wait", "duration": {"fixed": "100s"}, "next": "send"},
        "send": {"type": "action", "channel": "email", "next": "done"},
        "done": {"type": "end"}}}
    result = simulate(scenario(journey, size=7000, duration="300s", resolution="0.5s", report_every="1s",
                               timeline=[pause("50s"), resume("200s")]))
    ev = result.events
    assert ev[(ev.event == "held")].t_s.unique().tolist() == [101.0]
    assert _released_per_tick(result, "j") == {201.0: 5000, 202.0: 2000}
    p = result.summary["journeys"]["j"]["pauses"][0]
    assert p["held_at_resume"] == 7000 and p["drain_s"] == 2.0 and p["live_at_s"] == 202.0


def test_J1_a_pause_at_the_instant_a_drain_ends_sees_the_journey_resuming_whatever_else_the_timeline_holds(simulate):
    """R6, J1: 25 held released at 10/s from 1,000 s: 10, 10, 5 at 1,001-1,003 s, live at 1,003 s. A pause
    at 1,003 s acts before that instant's profile moves (the last 5 releases), so it finds the journey
    resuming and is refused; the 5 are sent. The answer used to depend on whether an unrelated timeline
    step came between the resume and the pause (then the pause was taken and the 5 held again)."""
    journeys = [linear_journey("a", every="1s", count=25, wait="900s"),
                linear_journey("b", every="1s", count=15, wait="900s")]
    base = [pause("100s", journeys=["a"]), resume("1000s", journeys=["a"])]
    other = {"at": "1001s", "pause": {"journeys": ["b"], "mode": "hold"}}
    for timeline in (base + [pause("1003s", journeys=["a"])], base + [other, pause("1003s", journeys=["a"])]):
        doc = scenario(*journeys, size=100, duration="1100s", org={"resume_rate": "10/s"}, timeline=timeline)
        a = simulate(doc, events=False).summary["journeys"]["a"]
        assert a["actions"] == {"send": 25} and a["in_journey_at_end"] == 0
        assert a["refused_actions"] == [{"at_s": 1003.0, "action": "pause",
                                         "reason": "cannot pause: the journey is resuming (J1)"}]
        assert len(a["pauses"]) == 1 and a["pauses"][0]["live_at_s"] == 1003
