"""Fourth hand audit: numbers computed by hand from the vendor documents and docs/behaviors.md.

Every expected number below is derived in the docstring from the behaviour catalogue and the
timing rules of docs/behaviors.md ("Decisions the documents leave open": regular arrivals at
start + k * every; a read enters its i-th profile ceil((i + 1) / read_rate) s after it starts;
release slots ceil((i + 1) / rate) s after the resume; at one instant, operator actions act
before profile moves). None was copied from a run.
"""

from __future__ import annotations

from conftest import linear_journey, pause, resume, scenario


def _read_journey(schedule: dict, incremental: bool = False) -> dict:
    """A read of the whole population at 1 profile a second, a 50 s wait, a send."""
    return {"key": "j", "start": "read", "nodes": {
        "read": {"type": "read_audience", "schedule": schedule, "incremental": incremental, "read_rate": "1/s",
                 "next": "wait"},
        "wait": {"type": "wait", "duration": {"fixed": "50s"}, "next": "send"},
        "send": {"type": "action", "channel": "email", "next": "done"},
        "done": {"type": "end"}}}


_NOTE = {"at": "50s", "update_profiles": {"where": "all", "set": {"flag": True}}}  # changes nothing the run reads


def test_R2_a_read_scheduled_at_the_pause_instant_is_skipped_whatever_else_the_timeline_holds(simulate):
    """R2 and the rule "at one instant, operator actions act before profile moves" (docs/behaviors.md,
    Decisions the documents leave open). A one-off read of 10 profiles at 100 s; the journey is paused
    at 100 s and resumed at 300 s. The pause acts first, so the read falls in the pause and is skipped
    (skipped_reads_at_s [100]): nobody arrives, nothing is discarded. The engine did so only when the
    pause was the timeline's first item: with an unrelated data change at 50 s before it, the read ran
    first and the pause then discarded its 10 queued profiles (arrived 10, read_queue 10)."""
    for timeline in ([pause("100s"), resume("300s")], [_NOTE, pause("100s"), resume("300s")]):
        j = simulate(scenario(_read_journey({"at": "100s"}), size=10, duration="1000s",
                              timeline=timeline)).summary["journeys"]["j"]
        assert j["skipped_reads_at_s"] == [100]
        assert (j["arrived"], j["entered"], j["actions"]["send"]) == (0, 0, 0)
        assert {k: v for k, v in j["discarded"].items() if v} == {}


def test_R2_R5_a_read_scheduled_at_the_resume_instant_runs(simulate):
    """R2, R5 (a read is not held back by the reopen delay). A one-off read of 10 profiles at 100 s;
    the journey is paused at 20 s and resumed at 100 s. The resume acts first: the read is not in the
    pause, and enters its 10 profiles at 101..110 s (1 a second); after the 50 s wait they are sent at
    151..160 s and leave (end 10); the journey is finished at 160 s. The engine skipped the read
    (skipped_reads_at_s [100], nothing sent), whatever the timeline held before the resume."""
    for timeline in ([pause("20s"), resume("100s")], [pause("20s"), _NOTE, resume("100s")]):
        result = simulate(scenario(_read_journey({"at": "100s"}), size=10, duration="1000s", timeline=timeline))
        j = result.summary["journeys"]["j"]
        assert j["skipped_reads_at_s"] == []
        assert (j["arrived"], j["entered"], j["actions"]["send"], j["exited"]["end"]) == (10, 10, 10, 10)
        ev = result.events
        assert sorted(ev[(ev.event == "entered") & (ev.node == "read")].t_s) == list(range(101, 111))
        assert sorted(ev[ev.event == "action"].t_s) == list(range(151, 161))
        assert j["status_changes"][-1] == {"at_s": 160, "status": "finished"}


def _stop_at_a_check(extra: list) -> dict:
    a = linear_journey("a", count=5, wait="100s")
    b = linear_journey("b", count=10, wait="210s")
    timeline = [pause("50s", ["a"]), pause("90s", ["b"]), *extra, {"at": "200s", "stop": {"journey": "a"}},
                resume("400s", ["b"])]
    return scenario(a, b, duration="1000s", org={"held_cap": 5, "cap_check_every": "100s"}, timeline=timeline)


def test_L2_S9_a_stop_at_a_check_instant_acts_before_the_check_whatever_else_the_timeline_holds(simulate):
    """L2, L3, S9, P2, R6 and "at one instant, operator actions (...) and cap checks act before profile
    moves" (docs/behaviors.md): operator actions at a check's instant act before it. Cap 5, checked
    every 100 s. a: 5 arrivals at 0..40 s, 100 s wait, paused at 50 s: held at 100..140 s (5). b: 10
    arrivals at 0..90 s, 210 s wait, paused at 90 s: the one at 90 s is turned away; the 9 reach the
    send at 210..290 s. a is stopped at 200 s, a check instant: its 5 leave (stopped) before the check,
    which finds nobody held. b holds its 9 (nobody over the cap at 210..290 s); the 300 s check finds 9
    (over), the 400 s one (after b's resume, still resuming) 9 (over); released at 401 s, sent.
    With an unrelated data change at 150 s in the timeline the engine checked first: it counted a's 5
    (over the cap) and discarded b's 9 (org_cap 9, held 0)."""
    for extra in ([], [{"at": "150s", "update_profiles": {"where": "all", "set": {"flag": True}}}]):
        s = simulate(_stop_at_a_check(extra)).summary
        a, b = s["journeys"]["a"], s["journeys"]["b"]
        assert a["exited"]["stopped"] == 5 and a["status_at_end"] == "stopped"
        assert b["discarded"]["org_cap"] == 0 and b["discarded"]["paused_entry"] == 1
        p = b["pauses"][0]
        assert (p["held_at_resume"], p["sent_after_hold"], p["drain_s"], p["live_at_s"]) == (9, 9, 1, 401)
        assert s["org"]["checks_with_held"] == [{"at_s": 300, "held": 9, "over_cap": True},
                                                {"at_s": 400, "held": 9, "over_cap": True}]
        assert (s["org"]["cap_checks"], s["org"]["cap_exceeded_checks"]) == (11, 2)


def test_R4_J1_a_resume_at_the_instant_the_maximum_pause_runs_out_is_the_operators(simulate):
    """R4, L1, J1, P2, R5. org.max_pause 100 s; arrivals every 10 s (0..190 s), 100 s wait. Paused at
    10 s, resumed by the timeline at 110 s, the very instant the pause would end on its own. The
    timeline's action acts first (the file check, which accepted the resume, replays it so): resumed_by
    manual, nothing refused. 0 s enters; 10..100 s are turned away (10); the one entered is held at
    100 s, released at 111 s and sent; entries reopen at 170 s: 110..160 s turned away (6), 170..190 s
    enter (3). The engine let the automatic resume act first, and refused the timeline's resume
    ("the journey is resuming"), when the timeline had any item between the pause and the resume."""
    note = {"at": "50s", "update_profiles": {"where": "all", "set": {"flag": True}}}
    for extra in ([], [note]):
        j = simulate(scenario(linear_journey(count=20), duration="1000s", org={"max_pause": "100s"},
                              timeline=[pause("10s"), *extra, resume("110s")])).summary["journeys"]["j"]
        p = j["pauses"][0]
        assert (p["resumed_at_s"], p["resumed_by"], j["refused_actions"]) == (110, "manual", [])
        assert (p["held_at_resume"], p["sent_after_hold"], p["live_at_s"]) == (1, 1, 111)
        assert (j["entered"], j["discarded"]["paused_entry"], j["actions"]["send"]) == (4, 16, 4)


def test_R6_a_contact_exit_of_the_last_held_during_a_drain_ends_it_then(simulate):
    """R6 ("held profiles that leave before their release ... end the drain when the last of them
    goes, not at their unused release slots"; docs/outputs.md drain_s: "or had left"), org-wide rate.
    Rate 1/s shared by the org; 15 profiles. a: 10 arrivals at 0..9 s, b: 5 at 0..4 s, 100 s waits,
    both paused at 50 s: a holds 10, b 5. a resumed at 1,000 s: slots 1,001..1,010 s; 4 sent at
    1,001..1,004 s (901 s late); a contact exit of every profile of a at 1,005 s (an operator action,
    before that second's release) removes the 6 still held. a is live at 1,005 s (drain_s 5), finished
    then. b resumed at 1,006 s finds the queue over: fresh slots 1,007..1,011 s, live at 1,011 s,
    drain_s 5, 907 s late. The engine kept a resuming until its unused slot at 1,010 s (drain_s 10) and
    queued b behind it (1,011..1,015 s, drain_s 9)."""
    a = linear_journey("a", count=10, every="1s")
    b = linear_journey("b", count=5, every="1s")
    out = {"at": "1005s", "contact_exit": {"journey": "a", "profiles": list(range(15))}}
    s = simulate(scenario(a, b, size=15, duration="2000s", org={"resume_rate": "1/s", "resume_rate_scope": "org"},
                          timeline=[pause("50s", ["a", "b"]), resume("1000s", ["a"]), out, resume("1006s", ["b"])])).summary
    ja, jb = s["journeys"]["a"], s["journeys"]["b"]
    pa, pb = ja["pauses"][0], jb["pauses"][0]
    assert (ja["actions"]["send"], ja["exited"]["contact_exit"]) == (4, 6)
    assert (pa["held_at_resume"], pa["drain_s"], pa["live_at_s"]) == (10, 5, 1005)
    assert pa["held_at_resume_outcome"]["sent"] == 4 and pa["held_at_resume_outcome"]["exited"] == {"contact_exit": 6}
    assert ja["status_changes"][-2:] == [{"at_s": 1005, "status": "live"}, {"at_s": 1005, "status": "finished"}]
    assert (pb["held_at_resume"], pb["sent_after_hold"], pb["drain_s"], pb["live_at_s"]) == (5, 5, 5, 1011)
    assert pb["send_delay_s"] == {"p50": 907.0, "p95": 907.0, "max": 907.0}


def test_J1_a_journey_is_finished_when_its_last_profile_leaves_and_then_refuses_a_pause_or_stop(simulate):
    """J1 ("finished (entries closed and the last profile gone) ... Only a live journey can be paused
    ... a live or paused one can be stopped. Any other request is refused, naming the status, and
    changes nothing"). 5 arrivals at 0..40 s (all its arrivals), 100 s wait, send: sent and gone at
    100..140 s, finished at 140 s. A pause at 500 s and a resume at 600 s are refused at their time
    (the file check cannot know when the journey empties), so is a stop at 500 s; no pause is
    recorded; the time series shows it finished from 140 s. The engine only decided "finished" at the
    end of the run: it paused and resumed the finished journey (status_changes live, paused at 500 s,
    resuming, live, finished at 600 s), and stopped it."""
    refused = {"pause": "cannot pause: the journey is finished (J1)",
               "resume": "cannot resume: the journey is finished (J1)",
               "stop": "cannot stop: the journey is finished (J1)"}
    for timeline, kinds in (([pause("500s"), resume("600s")], [("pause", 500), ("resume", 600)]),
                            ([{"at": "500s", "stop": {"journey": "j"}}], [("stop", 500)])):
        result = simulate(scenario(linear_journey(count=5), duration="1000s", timeline=timeline))
        j = result.summary["journeys"]["j"]
        assert j["status_changes"] == [{"at_s": 0, "status": "live"}, {"at_s": 140, "status": "finished"}]
        assert j["refused_actions"] == [{"at_s": float(at), "action": kind, "reason": refused[kind]} for kind, at in kinds]
        assert j["pauses"] == [] and (j["exited"]["end"], j["exited"]["stopped"], j["actions"]["send"]) == (5, 0, 5)
        ts = result.timeseries
        status = ts[ts["node"] == "(journey)"].set_index("t_s")["status"]
        assert (status[130.0], status[140.0], status[990.0]) == ("live", "finished", "finished")


def test_L4_J1_a_finished_journey_leaves_the_live_journey_quota(simulate):
    """L4 (live, paused and resuming versions count), J1. max_live_journeys 1. a: 5 arrivals at
    0..40 s, 100 s wait, send: finished at 140 s. b, a draft published at 500 s, its 5 arrivals at
    500..540 s: the publish leaves one journey live (a is finished), so it goes through; b sends at
    600..640 s and is finished at 640 s; live_journeys_peak 1. The engine still counted a as live
    and refused the publish ("would make 2 journey versions live"), while the same summary said a
    finished at 140 s."""
    a = linear_journey("a", count=5)
    b = linear_journey("b", count=5)
    b["nodes"]["entry"]["arrivals"]["start"] = "500s"
    s = simulate(scenario(a, b, duration="1000s", org={"max_live_journeys": 1},
                          timeline=[{"at": "500s", "publish": {"journey": "b", "version": 1}}])).summary
    ja, jb = s["journeys"]["a"], s["journeys"]["b"]
    assert ja["status_changes"] == [{"at_s": 0, "status": "live"}, {"at_s": 140, "status": "finished"}]
    assert jb["refused_actions"] == []
    assert jb["status_changes"] == [{"at_s": 0, "status": "draft"}, {"at_s": 500, "status": "live"},
                                    {"at_s": 640, "status": "finished"}]
    assert (jb["entered"], jb["actions"]["send"], s["org"]["live_journeys_peak"]) == (5, 5, 1)


def test_J1_S10_a_version_published_mid_arrivals_is_finished_when_its_last_entrant_leaves(simulate):
    """J1, S10 ("those before the publish never happen"). b: arrivals every 10 s at 0..90 s, a draft
    published at 45 s: 50..90 s enter (5), are sent at 150..190 s and leave; b is finished at 190 s and
    refuses a pause at 500 s."""
    b = linear_journey("b", count=10)
    j = simulate(scenario(b, duration="1000s", timeline=[{"at": "45s", "publish": {"journey": "b", "version": 1}},
                                                         pause("500s", ["b"])])).summary["journeys"]["b"]
    assert (j["arrived"], j["entered"], j["actions"]["send"]) == (5, 5, 5)
    assert j["status_changes"] == [{"at_s": 0, "status": "draft"}, {"at_s": 45, "status": "live"},
                                   {"at_s": 190, "status": "finished"}]
    assert j["refused_actions"] == [{"at_s": 500.0, "action": "pause", "reason": "cannot pause: the journey is finished (J1)"}]
