"""Hand-computed checks of AJO's pause behaviour and guardrails (the second hand audit).

Each test states the computation it pins from the seed document (ajo-pause-journey.txt) and
docs/behaviors.md. The R6 tests failed on the engine before their fixes; the L2/L3 test pins a case
the audit found right, computed the same way.
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


def test_L2_L3_the_org_cap_with_two_journeys_hand_computed(simulate):
    """L2, L3: a and b each get 40 entries (every 10 s from 0 s), wait 405 s and reach their action at
    405, 415, ..., 795 s. Both paused at 395 s (hold), cap 15, checked every 100 s. Check 500 s: 20
    held (10 + 10) >= 15, so from 505 s every profile that would be held is discarded (org_cap): a
    505..545 s (5) and b 505..595 s (10). a resumed at 550 s: its 10 released at 551 s, then it sends
    live (555..795 s: 25). The count drops to 10 only at the 600 s check (L3): b holds again from 605 s
    (605..695 s: 10 more, 20 in all); check 700 s finds 20: b's 705..795 s (10) are discarded. b
    resumed at 1,000 s (the check at that instant still counts its 20, resuming): 20 sent at 1,001 s."""
    a, b = (linear_journey(k, every="10s", count=40, wait="405s") for k in "ab")
    doc = scenario(a, b, size=100, duration="2000s", org={"held_cap": 15, "cap_check_every": "100s"},
                   timeline=[pause("395s", journeys=["a", "b"]), resume("550s", journeys=["a"]),
                             resume("1000s", journeys=["b"])])
    s = simulate(doc).summary
    ja, jb = s["journeys"]["a"], s["journeys"]["b"]
    assert (ja["discarded"]["org_cap"], ja["actions"]["send"], ja["held_peak"]) == (5, 35, 10)
    assert (jb["discarded"]["org_cap"], jb["actions"]["send"], jb["held_peak"]) == (20, 20, 20)
    assert ja["org_cap_discards_between_s"] == [505, 545] and jb["org_cap_discards_between_s"] == [505, 795]
    assert [p["held_at_resume"] for p in (ja["pauses"][0], jb["pauses"][0])] == [10, 20]
    assert jb["pauses"][0]["send_delay_s"] == {"p50": 451.0, "p95": 586.5, "max": 596.0}
    org = s["org"]
    assert (org["held_peak"], org["cap_checks"], org["cap_exceeded_checks"]) == (20, 21, 5)
    assert [(c["at_s"], c["held"], c["over_cap"]) for c in org["checks_with_held"]] == [
        (500, 20, True), (600, 10, False), (700, 20, True), (800, 20, True), (900, 20, True), (1000, 20, True)]


def test_R4_L1_pausing_twice_auto_resume_and_per_pause_accounting_hand_computed(simulate):
    """R4, L1, R6, P1: a and c get 40 entries (every 10 s), wait 405 s: they reach the action at
    405 + 10k s (k = 0..39). Maximum pause 200 s, release 3/s (the i-th at ceil((i+1)/3) s).
    a: paused (hold) at 395 s, auto-resumed at 595 s with 19 held (405..585 s), released 3 a second,
    the last at 595 + ceil(19/3) = 602 s; the profile reaching the action at 595 s (resuming) sends at
    once. Paused again at 650 s in discard mode: 655..795 s (15) are discarded; auto-resumed at 850 s.
    c: held 405..495 s (10) until the manual resume at 500 s (live at 504 s), then paused again at
    600 s, holding 605..695 s (10) until 700 s (live at 704 s), each pause with its own accounting."""
    a, c = (linear_journey(k, every="10s", count=40, wait="405s") for k in "ac")
    doc = scenario(a, c, size=100, duration="2000s", org={"max_pause": "200s", "resume_rate": "3/s"},
                   timeline=[pause("395s", journeys=["a", "c"]), resume("500s", journeys=["c"]),
                             pause("600s", journeys=["c"]), pause("650s", journeys=["a"], mode="discard"),
                             resume("700s", journeys=["c"])])
    s = simulate(doc).summary
    ja, jc = s["journeys"]["a"], s["journeys"]["c"]
    keys = ("paused_at_s", "mode", "resumed_at_s", "resumed_by", "held_at_resume", "drain_s", "live_at_s",
            "sent_after_hold")
    assert [tuple(p[k] for k in keys) for p in ja["pauses"]] == [
        (395, "hold", 595, "auto", 19, 7, 602, 19), (650, "discard", 850, "auto", 0, 0, 850, 0)]
    assert ja["pauses"][0]["send_delay_s"] == {"p50": 104.0, "p95": 182.0, "max": 191.0}
    assert (ja["actions"]["send"], ja["discarded"]["discard_mode"], ja["exited"]["end"]) == (25, 15, 25)
    assert [tuple(p[k] for k in keys) for p in jc["pauses"]] == [
        (395, "hold", 500, "manual", 10, 4, 504, 10), (600, "hold", 700, "manual", 10, 4, 704, 10)]
    assert [p["send_delay_s"] for p in jc["pauses"]] == [{"p50": 52.0, "p95": 91.5, "max": 96.0}] * 2
    assert jc["actions"]["send"] == 40 and s["org"]["held_peak"] == 20
