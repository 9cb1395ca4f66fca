"""Hand-computed checks of AJO's pause behaviour and guardrails (the second hand audit).

Each test states the computation it pins from the seed document (ajo-pause-journey.txt) and
docs/behaviors.md; every one failed on the engine before its fix.
"""

from conftest import linear_journey, pause, resume, scenario


def _status_changes(result, key):
    return [(c["at_s"], c["status"]) for c in result.summary["journeys"][key]["status_changes"]]


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
