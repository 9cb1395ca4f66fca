"""Third hand audit: behaviours combined, and the per-pause accounting, computed by hand.

Every expected number below is derived in the docstring from the behaviour catalogue
(docs/behaviors.md) and the timing rules stated there (regular arrivals at start + k * every,
release slots ceil((i + 1) / rate) s after the resume, oldest hold first; operator actions and
cap checks before profile moves at one instant; a time-series sample at t counts the state after
the moves at t). None was copied from a run.
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import ROOT, linear_journey, pause, resume, scenario


def _at(result, t, journey=None):
    """{(journey, node, state): count} of the non-zero time-series rows at sample t."""
    ts = result.timeseries
    rows = ts[(ts["t_s"] == t) & (ts["count"] > 0)]
    if journey is not None:
        rows = rows[rows["journey"] == journey]
    return {(j, n, s): int(c) for j, n, s, c in zip(rows["journey"], rows["node"], rows["state"], rows["count"])}


def _events(result, journey=None):
    ev = result.events
    if journey is not None:
        ev = ev[ev["journey"] == journey]
    return {(e, r): int(n) for (e, r), n in ev.groupby(["event", "reason"], observed=True).size().items()}


def _outcome(p):
    o = p["held_at_resume_outcome"]
    return (o["sent"], o["capped"], o["skipped_late"], {k: v for k, v in o["exited"].items() if v},
            {k: v for k, v in o["discarded"].items() if v}, o["still_held"], o["in_journey_unsent"])


def _accounted(p):
    o = p["held_at_resume_outcome"]
    return (o["sent"] + o["capped"] + o["skipped_late"] + sum(o["exited"].values()) + sum(o["discarded"].values())
            + o["still_held"] + o["in_journey_unsent"])


def _conserved(j):
    return j["arrived"] == (sum(j["exited"].values()) + sum(j["discarded"].values()) + j["in_journey_at_end"]
                            + j["queued_at_end"])


# ------------------------------------------------------------------ G1, G2: two pauses, one filter changed

def _filter_population(tmp_path):
    """100 profiles: ids 0-29 FR, 30-99 US; gold: ids 0-9 (FR) and 30-49 (US)."""
    path = tmp_path / "filter-population.csv"
    pd.DataFrame({"profile_id": range(100), "country": ["FR"] * 30 + ["US"] * 70,
                  "tier": ["gold"] * 10 + ["silver"] * 20 + ["gold"] * 20 + ["silver"] * 50}).to_csv(path, index=False)
    return path


def _filter_doc(tmp_path, second_filter_at, second_filter):
    """Arrivals at 0..99 s (all 100 profiles), a 200 s wait, then FR profiles wait 600 s more and reach
    send2 at 800..899 s; the others reach send1 at 200..299 s, wait 300 s and reach send2. Released
    10 a second. Pause 150-400 s with filter country == 'FR' from 160 s; pause 600-950 s with the
    filter changed (or deleted) at ``second_filter_at``."""
    journey = {"key": "j", "start": "entry", "nodes": {
        "entry": {"type": "event", "arrivals": {"every": "1s", "count": 100}, "next": "w1"},
        "w1": {"type": "wait", "duration": {"fixed": "200s"}, "next": "cond"},
        "cond": {"type": "condition", "branches": [{"when": "country == 'FR'", "next": "wfr"}, {"otherwise": "send1"}]},
        "wfr": {"type": "wait", "duration": {"fixed": "600s"}, "next": "send2"},
        "send1": {"type": "action", "channel": "email", "next": "w2"},
        "w2": {"type": "wait", "duration": {"fixed": "300s"}, "next": "send2"},
        "send2": {"type": "action", "channel": "email", "next": "done"},
        "done": {"type": "end"}}}
    gf = lambda at, exclude: {"at": at, "global_filter": {"journey": "j", "exclude": exclude}}  # noqa: E731
    doc = scenario(journey, duration="1200s", org={"resume_rate": "10/s"},
                   timeline=[pause("150s"), gf("160s", "country == 'FR'"), resume("400s"), pause("600s"),
                             gf(second_filter_at, second_filter), resume("950s")])
    doc["population"] = {"file": str(_filter_population(tmp_path))}
    return doc


def test_G1_G2_a_filter_set_in_the_first_pause_and_changed_in_the_second(simulate, tmp_path):
    """G1, G2, R6, P4. Pause 1 (150-400 s, filter FR from 160 s): no FR profile reaches an action (they
    are in wfr until 800..899 s); the 70 US reach send1 at 200..299 s and are held. Resume 400 s:
    held_at_resume 70, released 10 a second at 401..407 s (drain 7 s, live 407 s), all sent.
    They reach send2 at 701..707 s, in pause 2 (600-950 s) whose filter became tier == 'gold' at 610 s:
    the 20 US gold (ids 30-49) are removed there at once (global_filter), 50 held. The FR reach send2 at
    800..899 s under the new filter: FR is no longer excluded, the 10 FR gold are removed, 20 held.
    Resume 950 s: 70 held, released at 951..957 s (drain 7 s), all sent.
    Totals: send1 70, send2 70, discarded.global_filter 30, exited.end 70, held_peak 70.
    Samples: 300 s: 70 held at send1, 30 waiting at wfr; 500 s: 70 at w2, 30 at wfr; 900 s: 70 held
    at send2 (70 in the journey)."""
    result = simulate(_filter_doc(tmp_path, "610s", "tier == 'gold'"))
    j = result.summary["journeys"]["j"]
    assert (j["arrived"], j["entered"], j["in_journey_at_end"]) == (100, 100, 0) and _conserved(j)
    assert j["actions"] == {"send1": 70, "send2": 70}
    assert j["discarded"]["global_filter"] == 30 and j["exited"]["end"] == 70 and j["held_peak"] == 70
    keys = ("paused_at_s", "resumed_at_s", "held_at_resume", "drain_s", "live_at_s", "sent_after_hold")
    assert [tuple(p[k] for k in keys) for p in j["pauses"]] == [(150, 400, 70, 7, 407, 70), (600, 950, 70, 7, 957, 70)]
    assert [_outcome(p) for p in j["pauses"]] == [(70, 0, 0, {}, {}, 0, 0)] * 2
    assert _at(result, 300) == {("j", "(journey)", "in_journey"): 100, ("j", "send1", "held"): 70, ("j", "wfr", "waiting"): 30}
    assert _at(result, 500) == {("j", "(journey)", "in_journey"): 100, ("j", "w2", "waiting"): 70, ("j", "wfr", "waiting"): 30}
    assert _at(result, 900) == {("j", "(journey)", "in_journey"): 70, ("j", "send2", "held"): 70}
    ev = _events(result)
    assert (ev[("held", "")], ev[("released", "")], ev[("action", "")], ev[("discarded", "global_filter")]) == (140, 140, 140, 30)
    removed = result.events[result.events["event"] == "discarded"]["t_s"]
    assert ((removed >= 701) & (removed <= 707)).sum() == 20 and ((removed >= 800) & (removed <= 899)).sum() == 10


def test_G2_the_first_pause_filter_stays_until_changed_then_the_new_one_applies_at_release(simulate, tmp_path):
    """G2, R7: as above, but the filter is only changed at 930 s. Until then country == 'FR' is still in
    force: the 30 FR reaching send2 at 800..899 s are removed at once; the 70 US are held at 701..707 s.
    At 930 s the filter becomes tier == 'gold'; at the resume (950 s) the 70 held are released oldest
    first at 951..957 s and the 20 US gold are removed at their slots (drain still 7 s).
    Pause 2: held_at_resume 70 = 50 sent + 20 global_filter. Totals: global_filter 50, send2 50."""
    result = simulate(_filter_doc(tmp_path, "930s", "tier == 'gold'"))
    j = result.summary["journeys"]["j"]
    assert j["actions"] == {"send1": 70, "send2": 50} and j["discarded"]["global_filter"] == 50 and _conserved(j)
    second = j["pauses"][1]
    assert (second["held_at_resume"], second["drain_s"], second["live_at_s"], second["sent_after_hold"]) == (70, 7, 957, 50)
    assert _outcome(second) == (50, 0, 0, {}, {"global_filter": 20}, 0, 0)
    removed = result.events[result.events["event"] == "discarded"]["t_s"]
    assert ((removed >= 800) & (removed <= 899)).sum() == 30 and ((removed >= 951) & (removed <= 957)).sum() == 20


def test_G1_a_filter_deleted_in_the_second_pause_holds_everyone(simulate, tmp_path):
    """G1, G2: the filter is deleted (exclude: null) at 610 s: pause 2 holds the 70 US (701..707 s) and
    the 30 FR (800..899 s): 100 held at 950 s, released 10 a second (drain 10 s, live 960 s), all
    sent. send2 100, no global_filter discard, held_peak 100."""
    result = simulate(_filter_doc(tmp_path, "610s", None))
    j = result.summary["journeys"]["j"]
    assert j["actions"] == {"send1": 70, "send2": 100} and j["discarded"]["global_filter"] == 0 and j["held_peak"] == 100
    second = j["pauses"][1]
    assert (second["held_at_resume"], second["drain_s"], second["live_at_s"]) == (100, 10, 960)
    assert _outcome(second) == (100, 0, 0, {}, {}, 0, 0)


def test_G2_R7_a_held_profile_matching_the_filter_only_after_a_data_change_is_removed_at_release(simulate):
    """G2, R7, P2: every profile is US. Arrivals every 10 s (0..290 s), paused at 50 s: 0..40 s enter
    (5), 50..290 s are discarded at the door (25). The 5 reach send at 100..140 s and are held (the
    filter country == 'FR' set at 60 s does not match them then). At 300 s every profile becomes FR.
    Resume 400 s at 1/s: released at 401..405 s, each now matches and is removed (global_filter 5);
    held_at_resume 5 = 5 global_filter, nothing sent; drain 5 s."""
    doc = scenario(linear_journey(every="10s", count=30, wait="100s"), size=30, attributes={"country": {"constant": "US"}},
                   duration="1000s", org={"resume_rate": "1/s"},
                   timeline=[pause("50s"), {"at": "60s", "global_filter": {"journey": "j", "exclude": "country == 'FR'"}},
                             {"at": "300s", "update_profiles": {"where": "all", "set": {"country": "FR"}}}, resume("400s")])
    result = simulate(doc)
    j = result.summary["journeys"]["j"]
    assert (j["entered"], j["discarded"]["paused_entry"], j["discarded"]["global_filter"], j["actions"]["send"]) == (5, 25, 5, 0)
    p = j["pauses"][0]
    assert (p["held_at_resume"], p["drain_s"], p["live_at_s"]) == (5, 5, 405)
    assert _outcome(p) == (0, 0, 0, {}, {"global_filter": 5}, 0, 0)
    removed = result.events[result.events["event"] == "discarded"]
    assert sorted(removed[removed["reason"] == "global_filter"]["t_s"].astype(int)) == [401, 402, 403, 404, 405]


def test_G2_P1_in_discard_mode_a_profile_matching_the_filter_is_removed_by_the_filter(simulate):
    """G2, P1: discard mode, every profile FR, filter country == 'FR' from 60 s. The 5 entered (0..40 s)
    reach send at 100..140 s, after the filter was set: both the mode and the filter would remove them;
    the filter is what removes them (G2's model decision): global_filter 5, discard_mode 0."""
    doc = scenario(linear_journey(every="10s", count=30, wait="100s"), size=30, attributes={"country": {"constant": "FR"}},
                   duration="1000s", timeline=[pause("50s", mode="discard"),
                                               {"at": "60s", "global_filter": {"journey": "j", "exclude": "country == 'FR'"}},
                                               resume("400s")])
    j = simulate(doc).summary["journeys"]["j"]
    assert (j["discarded"]["global_filter"], j["discarded"]["discard_mode"], j["discarded"]["paused_entry"]) == (5, 0, 25)


def test_G2_L2_a_profile_matching_the_filter_is_removed_by_it_even_when_the_cap_is_over(simulate):
    """G2, L2, R7. Cap 1, checked every 100 s; every profile US. Arrivals every 10 s (0..190 s), 300 s
    wait: send at 300..490 s. Paused (hold) at 250 s, filter country == 'FR' from 260 s. Check 400 s
    finds 10 held (300..390 s): over. The profile at 400 s is US: org_cap 1. At 405 s everyone becomes
    FR: 410..490 s match the filter, which is applied first: global_filter 9, not org_cap. Resume
    600 s: the 10 held now match and are removed at 601 s. global_filter 19, org_cap 1, no send."""
    doc = scenario(linear_journey(every="10s", count=20, wait="300s"), size=20, attributes={"country": {"constant": "US"}},
                   duration="800s", org={"held_cap": 1, "cap_check_every": "100s"},
                   timeline=[pause("250s"), {"at": "260s", "global_filter": {"journey": "j", "exclude": "country == 'FR'"}},
                             {"at": "405s", "update_profiles": {"where": "all", "set": {"country": "FR"}}}, resume("600s")])
    j = simulate(doc).summary["journeys"]["j"]
    assert (j["discarded"]["global_filter"], j["discarded"]["org_cap"], j["org_cap_discards_between_s"]) == (19, 1, [400, 400])
    assert _outcome(j["pauses"][0]) == (0, 0, 0, {}, {"global_filter": 10}, 0, 0) and j["actions"]["send"] == 0


# ------------------------------------------------------------------ L2, L3: the org cap crossed during a drain

def test_L2_L3_the_org_cap_crossed_during_a_resume_drain_with_two_journeys_held(simulate):
    """L2, L3, R6. Cap 70, checked every 30 min (0, 1800, 3600, 5400, 7200, 9000 s: 6 checks in 9,900 s),
    released 1 a minute (the i-th 60 (i + 1) s after the resume). All three paused (hold) at 2,000 s.
    a: 60 arrivals at 0..59 s, 4,000 s wait: held at 4,000..4,059 s; resumed at 4,200 s, the k-th
    released at 4,260 + 60k s (drain 3,600 s, live 7,800 s); send delay 200 + 60 (k + 1) - k =
    260 + 59k: p50 260 + 59 * 29.5 = 2,000.5, p95 260 + 59 * 56.05 = 3,566.95, max 3,741.
    b: 66 arrivals every 30 s (0..1,950 s), 3,600 s wait: reaches send at 3,600 + 30k s.
    c: 30 arrivals every 60 s (0..1,740 s), 6,000 s wait: reaches send at 6,000 + 60k s.
    Check 3,600 s: nobody held yet (b's first moves after the check). Check 5,400 s (during a's drain):
    a still holds 60 - 19 = 41 (released 4,260..5,340 s), b holds k = 0..59 (60): 101 >= 70, over.
    So b's k = 60..65 (5,400..5,550 s) are discarded (org_cap 6), and so are c's k = 0..19
    (6,000..7,140 s: 20), though b was resumed at 6,000 s: the lower count is only seen at 7,200 s (L3):
    a 60 - 49 = 11, b 60 - 19 = 41 (released at 6,060 + 60i s), c 0: 52, under. c then holds k = 20..29
    (7,200..7,740 s: 10), never resumed. Check 9,000 s: a 0, b 11, c 10: 21.
    Org held peak: a releases one a minute while b holds two: the peak is at 5,370 s, b's last hold:
    41 + 60 = 101. b: held_at_resume 60, drain 3,600 s, live 9,600 s, delay 2,460 + 30k.
    Samples (after the moves at t): 5,400 s: a 40 held, b 60 held + 5 waiting; 7,200 s: a 10, b 40,
    c 1 held + 9 waiting; 9,000 s: b 10, c 10 held."""
    a = linear_journey("a", every="1s", count=60, wait="4000s")
    b = linear_journey("b", every="30s", count=66, wait="3600s")
    c = linear_journey("c", every="60s", count=30, wait="6000s")
    doc = scenario(a, b, c, size=200, duration="9900s", report_every="600s",
                   org={"held_cap": 70, "cap_check_every": "30m", "resume_rate": "1/m"},
                   timeline=[pause("2000s", journeys=["a", "b", "c"]), resume("4200s", journeys=["a"]),
                             resume("6000s", journeys=["b"])])
    result = simulate(doc)
    s = result.summary
    ja, jb, jc = (s["journeys"][k] for k in "abc")
    keys = ("held_at_resume", "drain_s", "live_at_s", "sent_after_hold")
    assert tuple(ja["pauses"][0][k] for k in keys) == (60, 3600, 7800, 60) and ja["discarded"]["org_cap"] == 0
    assert ja["pauses"][0]["send_delay_s"] == {"p50": 2000.5, "p95": 3566.95, "max": 3741.0}
    assert tuple(jb["pauses"][0][k] for k in keys) == (60, 3600, 9600, 60)
    assert jb["pauses"][0]["send_delay_s"] == {"p50": 3345.0, "p95": 4141.5, "max": 4230.0}
    assert (jb["discarded"]["org_cap"], jb["org_cap_discards_between_s"], jb["actions"]["send"]) == (6, [5400, 5550], 60)
    assert (jc["discarded"]["org_cap"], jc["org_cap_discards_between_s"], jc["in_journey_at_end"]) == (20, [6000, 7140], 10)
    assert jc["status_at_end"] == "paused" and jc["held_peak"] == 10
    assert all(_conserved(j) for j in (ja, jb, jc))
    assert all(_accounted(p) == p["held_at_resume"] for p in (ja["pauses"][0], jb["pauses"][0]))
    org = s["org"]
    assert (org["held_peak"], org["cap_checks"], org["cap_exceeded_checks"]) == (101, 6, 1)
    assert [(x["at_s"], x["held"], x["over_cap"]) for x in org["checks_with_held"]] == [
        (5400, 101, True), (7200, 52, False), (9000, 21, False)]
    held = lambda t: {k[0]: v for k, v in _at(result, t).items() if k[2] == "held"}  # noqa: E731
    assert held(5400) == {"a": 40, "b": 60} and held(7200) == {"a": 10, "b": 40, "c": 1} and held(9000) == {"b": 10, "c": 10}
    assert _at(result, 5400, "b")[("b", "wait", "waiting")] == 5 and _at(result, 7200, "c")[("c", "wait", "waiting")] == 9
    assert _events(result, "b")[("discarded", "org_cap")] == 6 and _events(result, "c")[("discarded", "org_cap")] == 20
    assert _events(result, "c")[("held", "")] == 10


def test_L2_L7_a_check_at_exactly_the_cap_is_over_and_timed_out_holds_leave_the_count(simulate):
    """L2 ("at or over"), L7, P2. Cap 50, checked every 100 s; j and k paused (hold) at 50 s.
    j: arrivals at 0..59 s, so 0..49 s enter (50) and 50..59 s are turned away (10); held at
    100..149 s; global timeout 250 s: they leave at 250..299 s, still paused (timeout 50).
    Check 200 s: 50 held, equal to the cap: over. k: 50 arrivals at 0..49 s, 280 s wait: reaches send
    at 280..329 s: 280..299 s discarded (org_cap 20); check 300 s finds 0 held (j's all gone): under;
    300..329 s held (30), never resumed. Checks 0..500 s: 6; with someone held: 200 (50, over),
    400 (30), 500 (30)."""
    j = linear_journey("j", every="1s", count=60, wait="100s")
    j["global_timeout"] = "250s"
    k = linear_journey("k", every="1s", count=50, wait="280s")
    s = simulate(scenario(j, k, size=100, duration="500s", org={"held_cap": 50, "cap_check_every": "100s"},
                          timeline=[pause("50s", journeys=["j", "k"])])).summary
    jj, jk = s["journeys"]["j"], s["journeys"]["k"]
    assert (jj["entered"], jj["discarded"]["paused_entry"], jj["exited"]["timeout"], jj["held_peak"]) == (50, 10, 50, 50)
    assert (jk["discarded"]["org_cap"], jk["org_cap_discards_between_s"], jk["in_journey_at_end"]) == (20, [280, 299], 30)
    org = s["org"]
    assert (org["cap_checks"], org["cap_exceeded_checks"]) == (6, 1)
    assert [(x["at_s"], x["held"], x["over_cap"]) for x in org["checks_with_held"]] == [
        (200, 50, True), (400, 30, False), (500, 30, False)]


# ------------------------------------------------------------------ L7 during a drain

def test_L7_R6_held_profiles_time_out_during_the_drain(simulate):
    """L7, R6. 20 arrivals at 0..19 s, 100 s wait, global timeout 300 s; paused at 50 s (hold): held at
    100..119 s. Resume 290 s at 30/m (0.5/s): the k-th released at 290 + 2 (k + 1) = 292 + 2k s; its
    timeout is at 300 + k s. Released first while 292 + 2k < 300 + k, k < 8: 8 sent (delay
    192 + k: p50 195.5, p95 198.65, max 199). k = 8 is due both ways at 308 s: the timeout is
    checked first (its time in the journey has reached 300 s). k = 8..19 time out at 308..319 s (12);
    the last leaves at 319 s: drain 29 s, live 319 s. held_at_resume 20 = 8 sent + 12 timeout.
    Sample 300 s: 5 released (292..300 s): 15 held."""
    journey = linear_journey(every="1s", count=20, wait="100s")
    journey["global_timeout"] = "300s"
    result = simulate(scenario(journey, size=20, duration="500s", org={"resume_rate": "30/m"},
                               timeline=[pause("50s"), resume("290s")]))
    j = result.summary["journeys"]["j"]
    p = j["pauses"][0]
    assert (p["held_at_resume"], p["drain_s"], p["live_at_s"], p["sent_after_hold"]) == (20, 29, 319, 8)
    assert _outcome(p) == (8, 0, 0, {"timeout": 12}, {}, 0, 0)
    assert p["send_delay_s"] == {"p50": 195.5, "p95": 198.65, "max": 199.0}
    assert (j["exited"]["end"], j["exited"]["timeout"], j["actions"]["send"]) == (8, 12, 8) and _conserved(j)
    assert _at(result, 300) == {("j", "(journey)", "in_journey"): 15, ("j", "send", "held"): 15}
    ev = _events(result)
    assert (ev[("held", "")], ev[("released", "")], ev[("exited", "timeout")]) == (20, 8, 12)


def test_L7_R6_a_resume_after_some_timed_out_counts_those_held_at_its_instant(simulate):
    """L7, R6: the same journey resumed at 305 s. k = 0..4 time out at 300..304 s, still paused. At 305 s
    the resume acts before the moves: 15 held (k = 5..19). Their slots, 305 + 2 (i + 1) with i = k - 5,
    are 297 + 2k s, never before their timeouts 300 + k s: all 15 time out (305..319 s), none sent;
    drain 14 s (the last leaves at 319 s)."""
    journey = linear_journey(every="1s", count=20, wait="100s")
    journey["global_timeout"] = "300s"
    j = simulate(scenario(journey, size=20, duration="500s", org={"resume_rate": "30/m"},
                          timeline=[pause("50s"), resume("305s")])).summary["journeys"]["j"]
    p = j["pauses"][0]
    assert (p["held_at_resume"], p["drain_s"], p["live_at_s"], p["sent_after_hold"]) == (15, 14, 319, 0)
    assert _outcome(p) == (0, 0, 0, {"timeout": 15}, {}, 0, 0)
    assert j["exited"]["timeout"] == 20 and j["actions"] == {"send": 0}


# ------------------------------------------------------------------ R4, L1: auto-resume, drain running at the end

def test_R4_L1_R8_auto_resume_at_14_days_with_the_drain_still_running_at_the_end(simulate):
    """R4, L1, R8, R6, P2. 1,000 arrivals at 0..999 s, 1,000 s wait; paused at 500 s (hold): 500 enter,
    500 turned away; held at 1,000..1,499 s. Nobody resumes: auto-resume at 500 s + 14 d =
    1,210,100 s. Released 1 a minute: the k-th at 1,210,100 + 60 (k + 1) s; the run ends at 14 d 6 h =
    1,231,200 s, so k + 1 <= 351.67: 351 sent, 149 still held; status resuming, drain and live_at null.
    Send delay 1,210,100 + 60 (k + 1) - (1,000 + k) = 1,209,160 + 59k, k = 0..350: p50 1,219,485,
    p95 1,209,160 + 59 * 332.5 = 1,228,777.5, max 1,229,810. Last sample (1,231,200 s): 149 held."""
    result = simulate(scenario(linear_journey(every="1s", count=1000, wait="1000s"), size=1000, duration="14d 6h",
                               report_every="1h", org={"resume_rate": "1/m"}, timeline=[pause("500s")]))
    j = result.summary["journeys"]["j"]
    p = j["pauses"][0]
    assert (p["resumed_at_s"], p["resumed_by"], p["held_at_resume"], p["drain_s"], p["live_at_s"]) == (1210100, "auto", 500, None, None)
    assert _outcome(p) == (351, 0, 0, {}, {}, 149, 0)
    assert p["send_delay_s"] == {"p50": 1219485.0, "p95": 1228777.5, "max": 1229810.0}
    assert (j["entered"], j["discarded"]["paused_entry"], j["exited"]["end"], j["in_journey_at_end"]) == (500, 500, 351, 149)
    assert j["status_at_end"] == "resuming" and _conserved(j)
    last = result.timeseries[result.timeseries["t_s"] == 1231200]
    assert set(last["status"]) == {"resuming"}
    assert _at(result, 1231200) == {("j", "(journey)", "in_journey"): 149, ("j", "send", "held"): 149}


# ------------------------------------------------------------------ P1: discard vs hold on one timeline

def test_P1_P2_R5_hold_and_discard_on_the_same_timeline(simulate):
    """P1, P2, R5. h and d are the same journey (arrivals every 10 s, 0..990 s, 100 s wait), both
    paused at 300 s (h hold, d discard) and resumed at 600 s; entries reopen at 660 s. Entered: 0..290 s
    (30) and 660..990 s (34) = 64; turned away 300..650 s (36). Arrivals 0..190 s send live at
    100..290 s (20); 200..290 s reach send at 300..390 s while paused (10); 660..990 s send at
    760..1,090 s (34). h: 10 held, released at 601 s (drain 1 s), 64 sent, delay 601 - (300..390):
    p50 256, p95 296.5, max 301. d: 10 discarded (discard_mode), 54 sent, held_at_resume 0, live at
    600 s. Sample 400 s: h holds 10, d has nobody inside."""
    h, d = linear_journey("h", every="10s", count=100, wait="100s"), linear_journey("d", every="10s", count=100, wait="100s")
    result = simulate(scenario(h, d, size=100, duration="1200s",
                               timeline=[pause("300s", journeys=["h"]), pause("300s", journeys=["d"], mode="discard"),
                                         resume("600s", journeys=["h", "d"])]))
    jh, jd = result.summary["journeys"]["h"], result.summary["journeys"]["d"]
    for j in (jh, jd):
        assert (j["arrived"], j["entered"], j["discarded"]["paused_entry"]) == (100, 64, 36) and _conserved(j)
    assert (jh["actions"]["send"], jh["discarded"]["discard_mode"], jh["held_peak"]) == (64, 0, 10)
    assert (jd["actions"]["send"], jd["discarded"]["discard_mode"], jd["held_peak"]) == (54, 10, 0)
    ph, pd_ = jh["pauses"][0], jd["pauses"][0]
    assert (ph["held_at_resume"], ph["drain_s"], ph["live_at_s"], ph["sent_after_hold"]) == (10, 1, 601, 10)
    assert ph["send_delay_s"] == {"p50": 256.0, "p95": 296.5, "max": 301.0}
    assert (pd_["mode"], pd_["held_at_resume"], pd_["drain_s"], pd_["live_at_s"]) == ("discard", 0, 0, 600)
    assert _at(result, 400) == {("h", "(journey)", "in_journey"): 10, ("h", "send", "held"): 10}
    assert _events(result, "d")[("discarded", "discard_mode")] == 10 and ("held", "") not in _events(result, "d")


# ------------------------------------------------------------------ R1-R3: read audience paused mid-read

def _read_doc(tmp_path, schedule, timeline, incremental=True):
    """100 profiles, cohort = id // 20; cohort 0 is a member from the start, cohort k + 1 becomes one at
    500 + 1,000k s. Read audience `member`, read 1 a second; 50 s wait; send."""
    path = tmp_path / "read-population.csv"
    pd.DataFrame({"profile_id": range(100), "cohort": [i // 20 for i in range(100)],
                  "member": [i < 20 for i in range(100)]}).to_csv(path, index=False)
    journey = {"key": "j", "start": "read", "nodes": {
        "read": {"type": "read_audience", "audience": "member", "schedule": schedule, "incremental": incremental,
                 "read_rate": "1/s", "next": "wait"},
        "wait": {"type": "wait", "duration": {"fixed": "50s"}, "next": "send"},
        "send": {"type": "action", "channel": "email", "next": "done"}, "done": {"type": "end"}}}
    updates = [{"at": f"{500 + 1000 * k}s", "update_profiles": {"where": f"cohort == {k + 1}", "set": {"member": True}}}
               for k in range(4)]
    doc = scenario(journey, duration="4200s", timeline=sorted(updates + timeline, key=lambda s: int(s["at"][:-1])))
    doc["population"] = {"file": str(path)}
    return doc


def test_R1_R3_a_recurring_incremental_read_paused_mid_read(simulate, tmp_path):
    """R1, R3, R2 (skipped reads), L16. Reads at 0, 1,000, ..., 4,000 s. Read 0 s: cohort 0 (20) enters
    at 1..20 s, sent at 51..70 s. Read 1,000 s: cohort 1 queued for 1,001..1,020 s; paused at 1,010 s
    (hold): 1,001..1,009 s entered (9), the 11 still queued are discarded (read_queue). The 9 are held at
    1,051..1,059 s. Reads at 2,000 and 3,000 s fall in the pause (skipped). Resume 3,200 s: the 9 go at
    3,201 s (drain 1 s, delay 2,142..2,150: p50 2,146, max 2,150); the catch-up read takes the profiles
    that qualified meanwhile, cohorts 2 and 3 (40; the 11 of cohort 1 were read by the 1,000 s read and
    lost to the pause, R1), entering 3,201..3,240 s. Read 4,000 s: cohort 4 (20). Arrived 100, entered
    89, read_queue 11 (not in the journey report), sends 89. Samples: 3,200 s: 40 queued at read, 9
    held; 3,220 s: 20 queued, 20 waiting."""
    result = simulate(_read_doc(tmp_path, {"every": "1000s", "start": "0s", "count": 5}, [pause("1010s"), resume("3200s")]))
    j = result.summary["journeys"]["j"]
    assert (j["arrived"], j["entered"], j["discarded"]["read_queue"], j["actions"]["send"]) == (100, 89, 11, 89)
    assert j["skipped_reads_at_s"] == [2000, 3000] and _conserved(j)
    p = j["pauses"][0]
    assert (p["held_at_resume"], p["read_at_resume"], p["drain_s"], p["live_at_s"], p["sent_after_hold"]) == (9, 40, 1, 3201, 9)
    assert (p["send_delay_s"]["p50"], p["send_delay_s"]["max"]) == (2146.0, 2150.0)
    assert j["report_view"]["not_shown"]["read_queue"] == 11 and j["report_view"]["entered"] == 89
    assert _at(result, 3200) == {("j", "(journey)", "in_journey"): 9, ("j", "read", "queued"): 40, ("j", "send", "held"): 9}
    assert _at(result, 3220) == {("j", "(journey)", "in_journey"): 20, ("j", "read", "queued"): 20, ("j", "wait", "waiting"): 20}
    discards = result.events[result.events["event"] == "discarded"]
    assert len(discards) == 11 and set(discards["t_s"]) == {1010.0} and not discards["in_report"].any()


def test_R3_a_pause_before_the_first_occurrence_plays_the_whole_audience_at_resume(simulate, tmp_path):
    """R3: reads at 100, 1,100, ..., 4,100 s; paused 50-2,500 s: reads 100, 1,100 and 2,100 s skipped.
    At the resume the catch-up read takes every member then: cohorts 0..3 (80). Read 3,100 s: nobody
    new (cohort 4 joins at 3,500 s); read 4,100 s: cohort 4 (20), sent by 4,170 s. Entered 100."""
    result = simulate(_read_doc(tmp_path, {"every": "1000s", "start": "100s", "count": 5}, [pause("50s"), resume("2500s")]))
    j = result.summary["journeys"]["j"]
    assert j["skipped_reads_at_s"] == [100, 1100, 2100] and j["pauses"][0]["read_at_resume"] == 80
    assert (j["arrived"], j["entered"], j["actions"]["send"]) == (100, 100, 100)


@pytest.mark.parametrize("incremental", [False, True])
def test_R2_a_single_read_scheduled_in_the_pause_is_ignored_incremental_or_not(simulate, incremental):
    """R2: a single execution whose date (500 s) falls in the pause (400-600 s) is ignored, without
    error, whatever its incremental flag: nobody arrives, read_at_resume 0, skipped_reads [500].
    (The incremental flag made the resume play it: 100 read at the resume.)"""
    journey = {"key": "j", "start": "read", "nodes": {
        "read": {"type": "read_audience", "audience": "all", "schedule": {"at": "500s"}, "incremental": incremental,
                 "read_rate": "10/s", "next": "wait"},
        "wait": {"type": "wait", "duration": {"fixed": "50s"}, "next": "send"},
        "send": {"type": "action", "channel": "email", "next": "done"}, "done": {"type": "end"}}}
    j = simulate(scenario(journey, size=100, duration="1000s", timeline=[pause("400s"), resume("600s")])).summary["journeys"]["j"]
    assert (j["arrived"], j["entered"], j["pauses"][0]["read_at_resume"], j["skipped_reads_at_s"]) == (0, 0, 0, [500])


def test_R5_a_read_occurrence_inside_the_reopen_delay_enters_at_its_read_rate(simulate):
    """R5 (model decision): the reopen delay holds back arrivals at an event entry, not a read audience.
    Reads at 0 and 1,000 s (10 profiles, 1 a second, not incremental); paused 900-980 s, entries
    reopen at 1,040 s; the 1,000 s read enters at 1,001..1,010 s and sends at 1,051..1,060 s."""
    journey = {"key": "j", "start": "read", "nodes": {
        "read": {"type": "read_audience", "audience": "all", "schedule": {"every": "1000s", "start": "0s", "count": 2},
                 "read_rate": "1/s", "next": "wait"},
        "wait": {"type": "wait", "duration": {"fixed": "50s"}, "next": "send"},
        "send": {"type": "action", "channel": "email", "next": "done"}, "done": {"type": "end"}}}
    result = simulate(scenario(journey, size=10, duration="1500s", timeline=[pause("900s"), resume("980s")]))
    assert result.summary["journeys"]["j"]["entered"] == 20
    sends = sorted(result.events[result.events["event"] == "action"]["t_s"].astype(int))
    assert sends == list(range(51, 61)) + list(range(1051, 1061))


# ------------------------------------------------------------------ A2, A4, A6: events after a held action

@pytest.mark.parametrize("node_type", ["reaction", "event", "audience_qualification"])
def test_A2_A4_A6_E5_events_after_a_held_action(simulate, node_type):
    """A2, A4, A6, E5, L16. Arrivals every 10 s (0..190 s), 100 s wait, send, then an event-like node
    (chance 1, delay 200 s counted from reaching send). Paused 150-400 s (hold): 0..140 s enter (15),
    150..190 s turned away (5). 0..40 s send live at 100..140 s and their events come at 300..340 s
    (as live). 50..140 s are held at 150..240 s; their events come at 350..440 s: 350..390 s while
    paused (5 discarded, event_while_held), 400 s at the resume instant, still held (release at 401 s:
    discarded, 6 in all); 410..440 s after the release (4 sent at 401 s, then on). held_at_resume 5 =
    4 sent + 1 event_while_held; sends 9, exited.end 9; the 6 are not in the journey report.
    Samples: 300 s: 10 held, 4 waiting at the event (the first left at 300 s); 370 s: 7 held; 400 s: 4."""
    after = {"opened": {"type": node_type, "chance": 1, "delay": {"fixed": "200s"}, "timeout": "1000s",
                        "next": "done", "on_timeout": "done"}}
    if node_type == "reaction":
        after["opened"]["to"] = "send"
    result = simulate(scenario(linear_journey(every="10s", count=20, wait="100s", after_action=after), size=20,
                               duration="2000s", timeline=[pause("150s"), resume("400s")]))
    j = result.summary["journeys"]["j"]
    assert (j["entered"], j["discarded"]["paused_entry"], j["discarded"]["event_while_held"]) == (15, 5, 6)
    assert (j["actions"]["send"], j["exited"]["end"], j["held_peak"]) == (9, 9, 10) and _conserved(j)
    p = j["pauses"][0]
    assert (p["held_at_resume"], p["drain_s"], p["live_at_s"]) == (5, 1, 401)
    assert _outcome(p) == (4, 0, 0, {}, {"event_while_held": 1}, 0, 0)
    assert j["report_view"]["not_shown"]["event_while_held"] == 6
    held = lambda t: _at(result, t).get(("j", "send", "held"), 0)  # noqa: E731
    assert (held(300), held(370), held(400)) == (10, 7, 4) and _at(result, 300)[("j", "opened", "waiting")] == 4
    lost = result.events[(result.events["event"] == "discarded") & (result.events["reason"] == "event_while_held")]
    assert sorted(lost["t_s"].astype(int)) == [350, 360, 370, 380, 390, 400]


def test_A4_an_event_at_the_release_instant_finds_the_profile_released(simulate):
    """A4, R6 (tie, a decision of docs/behaviors.md): as above with a 201 s delay. Held profiles
    reached send at 150..240 s; their events come at 351..441 s. 351..391 s while paused (5 discarded);
    the profile held at 200 s has its event at 401 s, its release slot: released first, it is sent and
    the event then counts as live. held_at_resume 5, all sent; event_while_held 5 in all, sends 10."""
    after = {"opened": {"type": "event", "chance": 1, "delay": {"fixed": "201s"}, "timeout": "1000s",
                        "next": "done", "on_timeout": "done"}}
    j = simulate(scenario(linear_journey(every="10s", count=20, wait="100s", after_action=after), size=20,
                          duration="2000s", timeline=[pause("150s"), resume("400s")])).summary["journeys"]["j"]
    assert (j["discarded"]["event_while_held"], j["actions"]["send"]) == (5, 10)
    assert _outcome(j["pauses"][0]) == (5, 0, 0, {}, {}, 0, 0)


def test_A4_discard_event_keeps_the_held_profiles(simulate):
    """A4 with policy.event_while_held: discard_event: the same run loses no profile to the events; the
    10 held are all there at the resume and all sent (held_at_resume 10, sends 15)."""
    after = {"opened": {"type": "event", "chance": 1, "delay": {"fixed": "200s"}, "timeout": "1000s",
                        "next": "done", "on_timeout": "done"}}
    doc = scenario(linear_journey(every="10s", count=20, wait="100s", after_action=after), size=20, duration="2000s",
                   timeline=[pause("150s"), resume("400s")], policy={"event_while_held": "discard_event"})
    j = simulate(doc).summary["journeys"]["j"]
    assert (j["discarded"]["event_while_held"], j["actions"]["send"], j["pauses"][0]["held_at_resume"]) == (0, 15, 10)


# ------------------------------------------------------------------ L6: the resume burst meets the business rules

def test_L6_the_resume_burst_hits_the_business_rules(simulate):
    """L6, R6. Rule: 1 email per profile in any 1,000 s. 50 profiles. a: arrivals 0..49 s (everyone),
    100 s wait, paused 50-600 s: all 50 held at 100..149 s, released at 601 s. b: 25 arrivals at
    500..524 s (25 different profiles), emails at once. At 601 s the 25 b reached got an email within
    (-399, 601]: capped; the other 25 are sent. c: 50 arrivals at 1,550..1,599 s (everyone), emails at
    once: the 25 a sent to at 601 s are inside (550.., 1,599]: capped; the 25 capped by a have only b's
    email at 500..524 s, outside the window: sent (a suppressed send counts in no rule).
    a: held_at_resume 50 = 25 sent + 25 capped, capped_after_hold 25, actions 25, exited.end 50.
    org.capped 50; hour 0: 75 sent, 50 capped."""
    a = linear_journey("a", every="1s", count=50, wait="100s")
    b = linear_journey("b", every="1s", count=25, wait="0s")
    b["nodes"]["entry"]["arrivals"]["start"] = "500s"
    c = linear_journey("c", every="1s", count=50, wait="0s")
    c["nodes"]["entry"]["arrivals"]["start"] = "1550s"
    result = simulate(scenario(a, b, c, size=50, duration="1700s",
                               org={"business_rules": [{"channel": "email", "max": 1, "per": "1000s"}]},
                               timeline=[pause("50s", journeys=["a"]), resume("600s", journeys=["a"])]))
    s = result.summary
    ja, jb, jc = (s["journeys"][k] for k in "abc")
    p = ja["pauses"][0]
    assert (p["held_at_resume"], p["sent_after_hold"], p["capped_after_hold"]) == (50, 25, 25)
    assert _outcome(p) == (25, 25, 0, {}, {}, 0, 0)
    assert (ja["actions"]["send"], ja["capped"]["send"], ja["exited"]["end"]) == (25, 25, 50)
    assert (jb["actions"]["send"], jb["capped"].get("send", 0)) == (25, 0)
    assert (jc["actions"]["send"], jc["capped"]["send"]) == (25, 25)
    assert s["org"]["capped"] == 50
    assert s["org"]["capped_sends_per_hour"] == {"hour_s": [0], "sent": [75], "capped": [50]}
    assert _events(result, "a")[("capped", "")] == 25 and _events(result, "c")[("capped", "")] == 25


# ------------------------------------------------------------------ S10, L4: a new version while the old is paused

@pytest.mark.parametrize("quota", [2, 1])
def test_S10_L4_a_new_version_published_while_the_old_one_is_paused(simulate, quota):
    """S10, L4, P2. v1 and v2 of w: arrivals every 10 s (0..990 s), 100 s wait. v1 paused at 300 s (hold),
    v2 published at 400 s, v1 resumed at 700 s.
    Quota 2: the paused v1 counts, v2 makes 2: allowed. v1 arrivals 0..290 s enter (30), 300..390 s
    are turned away (10), later ones go to v2 (not v1's). v1: 20 sent live (100..290 s), 10 held
    (300..390 s), released at 701 s (live_at 701 s as finishing), then finished at 701 s. v2 takes
    its arrivals from 400 s: 60, sent at 500..1,090 s. live_journeys_peak 2.
    Quota 1: the publish is refused (listed in v2's refused_actions); v2 stays a draft; v1 keeps the
    entries: 300..650 s turned away (36: paused, then the 60 s reopen), 660..990 s enter (24):
    entered 54, sends 54."""
    v1, v2 = (linear_journey("w", every="10s", count=100, wait="100s", version=n) for n in (1, 2))
    result = simulate(scenario(v1, v2, size=100, duration="1200s", org={"max_live_journeys": quota},
                               timeline=[{"at": "300s", "pause": {"journey": "w", "version": 1, "mode": "hold"}},
                                         {"at": "400s", "publish": {"journey": "w", "version": 2}},
                                         {"at": "700s", "resume": {"journey": "w", "version": 1}}]))
    s = result.summary
    one, two = s["journeys"]["w@v1"], s["journeys"]["w@v2"]
    p = one["pauses"][0]
    assert (p["held_at_resume"], p["drain_s"], p["live_at_s"], p["sent_after_hold"]) == (10, 1, 701, 10)
    assert _conserved(one) and _conserved(two)
    if quota == 2:
        assert (one["arrived"], one["entered"], one["discarded"]["paused_entry"], one["actions"]["send"]) == (40, 30, 10, 30)
        assert [c["status"] for c in one["status_changes"]] == ["live", "paused", "resuming", "finishing", "finished"]
        assert (two["arrived"], two["entered"], two["actions"]["send"], two["refused_actions"]) == (60, 60, 60, [])
        assert s["org"]["live_journeys_peak"] == 2
    else:
        assert (one["arrived"], one["entered"], one["discarded"]["paused_entry"], one["actions"]["send"]) == (100, 54, 46, 54)
        assert (two["status_at_end"], two["arrived"]) == ("draft", 0)
        assert [r["action"] for r in two["refused_actions"]] == ["publish"]
        assert s["org"]["live_journeys_peak"] == 1


# ------------------------------------------------------------------ the docs state these model decisions

def test_L4_the_format_page_says_a_finishing_version_leaves_the_live_journey_quota():
    """L4: finishing versions do not count towards org.max_live_journeys (docs/behaviors.md, docs/org.md
    and the code); the format page's comment on the key still counted them."""
    line = next(x for x in (ROOT / "docs" / "scenario-format.md").read_text().splitlines() if "max_live_journeys:" in x)
    assert "finishing ones do not count" in line and "resuming or finishing" not in line


def test_R1_R3_R5_G2_the_catalogue_states_the_decisions_these_cases_rest_on():
    """A read's queue lost to a pause is not read again (R1, R3: 40 at the resume above, not 51); the
    reopen delay does not hold back reads (R5); a filter match in discard mode is a global_filter
    discard (G2); a timeout on the release slot wins, an event on it does not."""
    catalogue = " ".join((ROOT / "docs" / "behaviors.md").read_text().split())
    assert "those its queue lost to a pause (R1) are not read again" in catalogue
    assert "a read audience is not held back" in catalogue
    assert "In discard mode a profile that matches the filter is counted under `global_filter`" in catalogue
    assert "one that the org cap would discard (L2) under `global_filter`" in catalogue
    assert "a profile whose timeout falls on its release slot leaves (`timeout`)" in catalogue
    fmt = " ".join((ROOT / "docs" / "scenario-format.md").read_text().split())
    assert "a profile an earlier read lost from its queue to a pause, R1, was taken and is not read again" in fmt


def test_L2_L3_org_cap_losses_over_two_pauses_are_not_given_to_the_first_pause(simulate):
    """L2, L3, P2, R5. Cap 1, checked every 50 s. Arrivals every 10 s (0..990 s), 300 s wait. Pause 1
    100-500 s: 0..90 s enter (10) and reach send at 300..390 s; check 350 s finds 5 held (300..340 s):
    over, so 350..390 s are discarded (org_cap 5); released at 501 s. Entries reopen at 560 s:
    560..790 s enter (24) and reach send at 860..1,090 s. Check 550 s found 0 held: under. Pause 2
    800-1,200 s: 860..890 s held (4); check 900 s: 4, over: 900..1,090 s discarded (20). org_cap 25 in
    [350, 1,090] s: 5 in pause 1, 20 in pause 2. The summary counts them per journey, so the report
    must not put all 25 in pause 1's sentence (it said '5 sent; 25 discarded by the org cap between
    +0d 00:05:50 and +0d 00:18:10' of the pause that ended at 00:08:20)."""
    from journeysim.outputs.report import verdicts

    s = simulate(scenario(linear_journey(every="10s", count=100, wait="300s"), size=100, duration="1500s",
                          org={"held_cap": 1, "cap_check_every": "50s"},
                          timeline=[pause("100s"), resume("500s"), pause("800s"), resume("1200s")])).summary
    j = s["journeys"]["j"]
    assert (j["entered"], j["discarded"]["paused_entry"], j["discarded"]["org_cap"], j["actions"]["send"]) == (34, 66, 25, 9)
    assert j["org_cap_discards_between_s"] == [350, 1090]
    assert [p["held_at_resume"] for p in j["pauses"]] == [5, 4]
    lines = verdicts(s)
    assert not any("org cap" in line for line in lines[:2])
    assert "j: 25 discarded by the org cap between +0d 00:05:50 and +0d 00:18:10, over 2 pauses." in lines


def test_G2_the_verdict_names_the_pause_whose_send_delay_it_quotes(simulate, tmp_path):
    """The two-pause filter run with the filter changed at 930 s: pause 1's 70 sends went out 100..198 s
    late; pause 2's 50 all 250 s late (held at 701..707 s, ten a second, released ten a second at
    951..957 s). The verdict quotes pause 2's figures (up to 4m 10s, half within 4m 10s), which are
    not the journey's (half of its 120 held sends went within 3m 18s): it names the pause."""
    from journeysim.outputs.verdict import glance

    s = simulate(_filter_doc(tmp_path, "930s", "tier == 'gold'")).summary
    assert [p["send_delay_s"] for p in s["journeys"]["j"]["pauses"]][1] == {"p50": 250.0, "p95": 250.0, "max": 250.0}
    assert dict(glance(s))["send delay"] == "up to 4m 10s late (the pause at +0d 00:10), half within 4m 10s"


def test_L2_V5_profiles_parked_in_a_resumed_journey_are_not_in_the_org_held_count(simulate):
    """L2 (the count is of profiles held in paused or resuming journeys), V5. Cap 15, checked every
    100 s. a: arrivals at 0..9 s, 100 s wait, paused in park mode at 50 s: 10 parked at 100..109 s;
    resumed at 200 s, it is live again with its 10 still parked (no release_parked). b: arrivals every
    10 s (0..90 s), 420 s wait, paused (hold) at 300 s: held at 420..510 s. Check 500 s: b holds 8
    (420..490 s); a is live, so its parked do not count: 8 < 15, and b's 500 and 510 s are held too.
    Checks with someone held: 500 s (8), 600 s (10), 700 s (10), none over; no org_cap discard.
    (The count took every journey's held rows once any journey was paused: 18 at 500 s, over the cap,
    and b lost 2 to org_cap, while with b never paused a's parked counted for nothing.)"""
    a = linear_journey("a", every="1s", count=10, wait="100s")
    b = linear_journey("b", every="10s", count=10, wait="420s")
    s = simulate(scenario(a, b, size=20, duration="700s", org={"held_cap": 15, "cap_check_every": "100s"},
                          timeline=[pause("50s", journeys=["a"], mode="park"), resume("200s", journeys=["a"]),
                                    pause("300s", journeys=["b"])])).summary
    ja, jb = s["journeys"]["a"], s["journeys"]["b"]
    assert (ja["status_at_end"], ja["pauses"][0]["parked_at_end"], ja["in_journey_at_end"]) == ("live", 10, 10)
    assert (jb["discarded"]["org_cap"], jb["in_journey_at_end"], jb["held_peak"]) == (0, 10, 10)
    assert [(c["at_s"], c["held"], c["over_cap"]) for c in s["org"]["checks_with_held"]] == [
        (500, 8, False), (600, 10, False), (700, 10, False)]
    assert s["org"]["cap_exceeded_checks"] == 0


def test_L9_L5_entry_events_while_paused_still_count_and_discarded_profiles_stay_engageable(simulate):
    """L9, L5, P2. Quota 1 event/s. a: arrivals at 0..99 s, paused 10-200 s: 0..9 s enter (10), 10..99 s
    are turned away (90) but still events. b: arrivals at 20..69 s. Seconds 20..69 s get 2 events:
    peak 2, 50 seconds over the quota. Every one of the 100 profiles arrived at a (the population is
    100): engageable 100, though 90 never entered a."""
    a = linear_journey("a", every="1s", count=100, wait="10s")
    b = linear_journey("b", every="1s", count=50, wait="10s")
    b["nodes"]["entry"]["arrivals"]["start"] = "20s"
    s = simulate(scenario(a, b, size=100, duration="300s", org={"events_per_s_quota": "1/s"},
                          timeline=[pause("10s", journeys=["a"]), resume("200s", journeys=["a"])])).summary
    assert (s["journeys"]["a"]["entered"], s["journeys"]["a"]["discarded"]["paused_entry"]) == (10, 90)
    org = s["org"]
    assert (org["events_per_s_peak"], org["seconds_over_events_quota"], org["engageable_profiles"]) == (2, 50, 100)


@pytest.mark.parametrize("how", ["timeout", "stop"])
def test_R6_an_org_wide_drain_that_ended_early_does_not_delay_the_next_one(simulate, how):
    """R6 (org-wide rate), L7, S9. Rate 30/m (one every 2 s), shared by the org. a: 10 arrivals at
    0..9 s, b: 5 at 0..4 s; 100 s wait: held at 100..109 s and 100..104 s (both paused at 50 s).
    a resumed at 199 s: its k-th slot is 199 + 2 (k + 1) = 201 + 2k s, the queue's last at 219 s.
    timeout: a's global timeout 200 s removes its k-th at 200 + k s, before its slot: all 10 leave,
    the last at 209 s, when a's drain is over (live at 209 s).
    stop: a stopped at 205 s: 2 sent (201, 203 s), 8 stopped; its drain is over.
    b resumed at 212 s: no drain is going, so its queue starts afresh: 214, 216, ..., 222 s (drain
    10 s, live 222 s). (It queued behind a's unused slots: 221..229 s, drain 17 s.)"""
    a = linear_journey("a", every="1s", count=10, wait="100s")
    b = linear_journey("b", every="1s", count=5, wait="100s")
    timeline = [pause("50s", journeys=["a", "b"]), resume("199s", journeys=["a"]), resume("212s", journeys=["b"])]
    if how == "timeout":
        a["global_timeout"] = "200s"
    else:
        timeline.insert(2, {"at": "205s", "stop": {"journey": "a"}})
    result = simulate(scenario(a, b, size=15, duration="400s", org={"resume_rate": "30/m", "resume_rate_scope": "org"},
                               timeline=timeline))
    ja, jb = result.summary["journeys"]["a"], result.summary["journeys"]["b"]
    if how == "timeout":
        assert (ja["exited"]["timeout"], ja["pauses"][0]["drain_s"], ja["pauses"][0]["live_at_s"]) == (10, 10, 209)
    else:
        assert (ja["actions"]["send"], ja["exited"]["stopped"], ja["pauses"][0]["drain_s"]) == (2, 8, None)
    p = jb["pauses"][0]
    assert (p["held_at_resume"], p["drain_s"], p["live_at_s"], p["sent_after_hold"]) == (5, 10, 222, 5)
    released = result.events[(result.events["journey"] == "b") & (result.events["event"] == "released")]
    assert sorted(released["t_s"].astype(int)) == [214, 216, 218, 220, 222]
