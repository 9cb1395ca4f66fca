"""Hand-computed checks of AJO's pause behaviour and guardrails (the second hand audit).

Each test states the computation it pins from the seed document (ajo-pause-journey.txt) and
docs/behaviors.md; every one failed on the engine before its fix.
"""

from conftest import linear_journey, pause, resume, scenario


def _status_changes(result, key):
    return [(c["at_s"], c["status"]) for c in result.summary["journeys"][key]["status_changes"]]


def test_R6_a_drain_whose_last_held_profiles_time_out_is_live_when_the_last_one_leaves(simulate):
    """R6 + L7: 10 profiles enter at 0..9 s, wait 100 s, are held at 100..109 s (pause at 50 s) and
    resumed at 200 s at 20/m (one release every 3 s: 203, 206, ..., 230 s). Their global timeout is
    212 s: profiles 0-4 are released at 203..215 s and sent; profiles 5-9 time out at 217..221 s,
    before their slots (218..230 s). After 221 s nobody is held, so the journey is `live` at 221 s:
    drain_s 21, not 30 (the engine kept it `resuming` with nobody held until the unused slot of
    230 s, and drain_s said 30)."""
    journey = linear_journey(every="1s", count=10, wait="100s")
    journey["global_timeout"] = "212s"
    doc = scenario(journey, size=100, duration="300s", org={"resume_rate": "20/m"},
                   timeline=[pause("50s"), resume("200s")])
    result = simulate(doc)
    j = result.summary["journeys"]["j"]
    p = j["pauses"][0]
    assert p["held_at_resume"] == 10
    assert p["held_at_resume_outcome"]["sent"] == 5 and p["held_at_resume_outcome"]["exited"] == {"timeout": 5}
    assert (p["live_at_s"], p["drain_s"]) == (221, 21)
    assert _status_changes(result, "j") == [(0, "live"), (50, "paused"), (200, "resuming"), (221, "live"),
                                            (221, "finished")]
    ev = result.events
    assert sorted(ev[(ev.event == "released")].t_s.tolist()) == [203.0, 206.0, 209.0, 212.0, 215.0]
    assert sorted(ev[(ev.reason == "timeout")].t_s.tolist()) == [217.0, 218.0, 219.0, 220.0, 221.0]


def test_R6_A4_a_drain_whose_last_held_profiles_are_discarded_by_their_event_is_live_when_the_last_goes(simulate):
    """R6 + A4: as above without the timeout, but the action is followed by an event that fires
    112 s after the profile reached the action (held at 100+k s: fires at 212+k s). Profiles 0-4 are
    released (203..215 s) before their event; 5-9 are still held when it fires at 217..221 s and are
    discarded (event_while_held). The journey is live at 221 s, drain_s 21 (the engine said 230, 30)."""
    journey = linear_journey(every="1s", count=10, wait="100s", after_action={
        "ev": {"type": "event", "chance": 1.0, "delay": {"fixed": "112s"}, "timeout": "1000s", "next": "done",
               "on_timeout": "done"}})
    doc = scenario(journey, size=100, duration="400s", org={"resume_rate": "20/m"},
                   timeline=[pause("50s"), resume("200s")])
    p = simulate(doc).summary["journeys"]["j"]["pauses"][0]
    assert p["held_at_resume_outcome"]["sent"] == 5
    assert p["held_at_resume_outcome"]["discarded"] == {"event_while_held": 5}
    assert (p["live_at_s"], p["drain_s"]) == (221, 21)


def test_R6_a_journey_stopped_or_still_draining_at_the_end_was_never_live_again(simulate):
    """R6: a and b each hold 10 (entered 0..9 s, held 100..109 s; paused at 50 s), released at 1/s.
    a is resumed at 200 s (releases 201..210 s) and stopped at 205 s: 4 sent, 6 stopped, and it never
    went `live` again. b is resumed at 295 s (releases 296..305 s) and the run ends at 300 s with 5
    sent and 5 still held, `resuming`. Neither has a `live_at_s` or `drain_s` (null, as
    `resumed_at_s` is for a pause never resumed): the engine said a was live at 210 s (drain 10 s)
    and b at 305 s (drain 10 s), after the run's end."""
    doc = scenario(linear_journey("a", every="1s", count=10), linear_journey("b", every="1s", count=10),
                   size=100, duration="300s", org={"resume_rate": "1/s"},
                   timeline=[pause("50s", journeys=["a", "b"]), resume("200s", journeys=["a"]),
                             {"at": "205s", "stop": {"journey": "a"}}, resume("295s", journeys=["b"])])
    result = simulate(doc)
    a, b = (result.summary["journeys"][k] for k in "ab")
    pa, pb = a["pauses"][0], b["pauses"][0]
    assert pa["held_at_resume_outcome"]["sent"] == 4 and pa["held_at_resume_outcome"]["exited"] == {"stopped": 6}
    assert (pa["resumed_at_s"], pa["live_at_s"], pa["drain_s"]) == (200, None, None)
    assert a["status_at_end"] == "stopped"
    assert pb["held_at_resume_outcome"]["sent"] == 5 and pb["held_at_resume_outcome"]["still_held"] == 5
    assert (pb["resumed_at_s"], pb["live_at_s"], pb["drain_s"]) == (295, None, None)
    assert b["status_at_end"] == "resuming"
    # the drain curves stop where the run (or the journey) did
    assert pa["drain_curve"]["after_resume_s"][-1] == 5 and pa["drain_curve"]["held"][-1] == 0
    assert pb["drain_curve"]["after_resume_s"][-1] == 5 and pb["drain_curve"]["held"][-1] == 5


def test_R6_the_printed_summary_and_the_report_say_a_drain_did_not_finish(simulate):
    """R6: the drains of the test above (a stopped during it, b still resuming at the end) have no
    drain_s; the printed summary said "drained in 0s" and the report "released in 0s"."""
    from journeysim.cli import format_summary
    from journeysim.outputs.report import verdicts

    doc = scenario(linear_journey("a", every="1s", count=10), linear_journey("b", every="1s", count=10),
                   size=100, duration="300s", org={"resume_rate": "1/s"},
                   timeline=[pause("50s", journeys=["a", "b"]), resume("200s", journeys=["a"]),
                             {"at": "205s", "stop": {"journey": "a"}}, resume("295s", journeys=["b"])])
    summary = simulate(doc).summary
    text = format_summary(summary)
    assert "drained in 0s" not in text
    assert "10 held, drain cut short by a stop" in text and "10 held, still draining at the end" in text
    page = " ".join(verdicts(summary))
    assert "released in 0s" not in page and page.count("the release did not finish") == 2
