"""AJO pause semantics (ajo-pause-journey.txt): P1-P4, A1-A14, R1-R8, G1-G2, L1, L7, E1-E6.

The base journey: an arrival every 10 s from t=0 (100 profiles), a 100 s wait, an action.
Paused at 300 s and resumed at 600 s, by hand:
- arrivals at 200..290 s reach the action during the pause: 10 held (or discarded);
- arrivals at 300..650 s hit a closed door (paused, then the 60 s reopen delay): 36 discarded;
- arrivals at 0..190 s act before the pause, 660..990 s after it: 20 + 34.
"""

import pytest
from conftest import SPEC_EXAMPLES, linear_journey, pause, resume, scenario

PAUSED = [pause("300s"), resume("600s")]


def journey_summary(result, key="j"):
    return result.summary["journeys"][key]


def test_P1_hold_mode_holds_at_the_action_and_discard_mode_removes(simulate):
    """P1: hold mode holds at the action and discard mode removes."""
    hold = journey_summary(simulate(scenario(timeline=PAUSED)))
    discard = journey_summary(simulate(scenario(timeline=[pause("300s", mode="discard"), resume("600s")])))
    assert hold["pauses"][0]["held_at_resume"] == 10 and hold["held_peak"] == 10
    assert hold["actions"] == {"send": 64} and hold["discarded"]["discard_mode"] == 0
    assert discard["discarded"]["discard_mode"] == 10 and discard["held_peak"] == 0
    assert discard["actions"] == {"send": 54}


def test_P2_fresh_entrances_are_discarded_whatever_the_mode(simulate):
    """P2: fresh entrances are discarded whatever the mode."""
    live = journey_summary(simulate(scenario()))
    for mode in ("hold", "discard"):
        s = journey_summary(simulate(scenario(timeline=[pause("300s", mode=mode), resume("600s")])))
        assert s["discarded"]["paused_entry"] == 36 and s["entered"] == 64
    assert live["discarded"]["paused_entry"] == 0 and live["entered"] == 100


def test_P3_nothing_is_sent_while_paused(simulate):
    """P3: nothing is sent while paused."""
    ev = simulate(scenario(timeline=PAUSED)).events
    sends = ev[ev.event == "action"].t_s
    assert not ((sends >= 300) & (sends < 600)).any()
    assert ((sends >= 600) & (sends <= 601)).sum() == 10


def test_P4_A7_E2_waits_go_on_and_profiles_leave_on_time(simulate):
    """P4, A7, E2: waits go on and profiles leave on time."""
    ev = simulate(scenario(timeline=PAUSED)).events
    entered = ev[(ev.event == "entered") & (ev.node == "entry")].set_index("profile_id").t_s
    left = ev[(ev.event == "left") & (ev.node == "wait")].set_index("profile_id").t_s
    assert ((left - entered.loc[left.index]) == 100).all()
    assert ((left >= 300) & (left < 600)).sum() == 10  # left the wait during the pause, on time
    held = ev[ev.event == "held"]
    assert sorted(held.t_s.tolist()) == [float(t) for t in range(300, 400, 10)]


def test_A8_E3_conditions_route_while_paused_on_current_data(simulate):
    """A8, E3: conditions route while paused on current data."""
    journey = linear_journey(after_action=None)
    journey["nodes"]["wait"]["next"] = "c"
    journey["nodes"]["c"] = {"type": "condition", "branches": [{"when": "flag", "next": "send"}, {"otherwise": "other"}]}
    journey["nodes"]["other"] = {"type": "action", "channel": "push", "next": "done"}
    timeline = [pause("300s"), {"at": "301s", "update_profiles": {"where": "all", "set": {"flag": True}}}, resume("600s")]
    ev = simulate(scenario(journey, timeline=timeline)).events
    routed = ev[(ev.event == "held")]
    # profiles reaching the condition at 300 s used the old data; from 310 s every one has flag = true
    late = routed[routed.t_s > 301]
    assert len(late) == 9 and (late.node == "send").all()


@pytest.mark.parametrize("node_type", ["content_decision", "action", "custom_action"])
def test_A9_A10_A11_every_action_class_node_is_held_or_discarded(simulate, node_type):
    """A9, A10, A11: every action class node is held or discarded."""
    held = journey_summary(simulate(scenario(linear_journey(action_type=node_type), timeline=PAUSED)))
    assert held["pauses"][0]["held_at_resume"] == 10
    dropped = journey_summary(simulate(scenario(linear_journey(action_type=node_type),
                                                timeline=[pause("300s", mode="discard"), resume("600s")])))
    assert dropped["discarded"]["discard_mode"] == 10


def test_A12_A13_update_profile_jump_and_external_data_run_while_paused(simulate):
    """A12, A13: update profile jump and external data run while paused."""
    first = linear_journey("first")
    first["nodes"]["wait"]["next"] = "fetch"
    first["nodes"]["fetch"] = {"type": "external_data", "latency": {"fixed": "5s"}, "next": "mark"}
    first["nodes"]["mark"] = {"type": "update_profile", "set": {"flag": True}, "next": "go"}
    first["nodes"]["go"] = {"type": "jump", "to": "second"}
    del first["nodes"]["send"], first["nodes"]["done"]
    second = {"key": "second", "start": "in", "nodes": {
        "in": {"type": "event", "arrivals": {"every": "1h", "count": 1, "start": "10h"}, "next": "c"},
        "c": {"type": "condition", "branches": [{"when": "flag", "next": "a"}, {"otherwise": "b"}]},
        "a": {"type": "action", "next": "done"}, "b": {"type": "action", "next": "done"}, "done": {"type": "end"}}}
    result = simulate(scenario(first, second, attributes={"flag": {"constant": False}},
                               timeline=[pause("300s", journeys=["first"]), resume("600s", journeys=["first"])]))
    ev = result.events
    jumped = ev[(ev.event == "exited") & (ev.reason == "jump")]
    assert ((jumped.t_s > 300) & (jumped.t_s < 600)).sum() == 10  # fetch (5 s) and update ran while paused
    s = result.summary["journeys"]
    assert s["second"]["actions"] == {"a": 64, "b": 0}


def test_A14_exit_criteria_apply_while_paused(simulate):
    """A14: exit criteria apply while paused."""
    journey = linear_journey()
    journey["exit_criteria"] = [{"when": "flag"}]
    result = simulate(scenario(journey, attributes={"flag": {"constant": True}}, timeline=PAUSED))
    s = journey_summary(result)
    assert s["exited"]["exit_criteria"] == 64 and s["held_peak"] == 0


def test_A14_a_held_profile_matching_exit_criteria_leaves_at_its_release_unsent(simulate):
    """A14: 10 profiles are held at the send (300..390 s); every profile comes to match the exit criteria
    at 450 s. At the resume each held one leaves at its release without the send, as a live one would
    at its next move; the 34 entering after the resume leave as their wait ends. Only the 20 sent
    before the pause are sent."""
    journey = linear_journey()
    journey["exit_criteria"] = [{"when": "flag"}]
    update = {"at": "450s", "update_profiles": {"where": "all", "set": {"flag": True}}}
    result = simulate(scenario(journey, attributes={"flag": {"constant": False}}, timeline=[PAUSED[0], update, PAUSED[1]]))
    s = journey_summary(result)
    assert s["actions"] == {"send": 20} and s["exited"]["exit_criteria"] == 44
    outcome = s["pauses"][0]["held_at_resume_outcome"]
    assert outcome["sent"] == 0 and outcome["exited"] == {"exit_criteria": 10}
    ev = result.events
    released = ev[ev.event == "released"]
    left = ev[(ev.event == "exited") & ev.profile_id.isin(released.profile_id)]
    assert len(released) == 10 and (left.reason == "exit_criteria").all() and (left.node == "send").all()
    assert sorted(left.t_s) == sorted(released.t_s)
    assert not ev[(ev.event == "action") & ev.profile_id.isin(released.profile_id)].size


def _event_after_action(kind="event"):
    node = {"type": kind, "chance": 1.0, "delay": {"fixed": "50s"}, "timeout": "1h", "next": "done", "on_timeout": "done"}
    if kind == "reaction":
        node["to"] = "send"
    return linear_journey(after_action={"after": node})


@pytest.mark.parametrize("kind", ["event", "audience_qualification", "reaction"])
def test_A2_A4_A6_E5_event_while_held_discards_the_profile(simulate, kind):
    """A2, A4, A6, E5: event while held discards the profile."""
    paused = journey_summary(simulate(scenario(_event_after_action(kind), timeline=PAUSED)))
    live = journey_summary(simulate(scenario(_event_after_action(kind))))
    # held at 300..390 s, each event fires 50 s after reaching the action: all before the 600 s resume
    assert paused["discarded"]["event_while_held"] == 10
    assert live["discarded"]["event_while_held"] == 0 and live["exited"]["end"] == 100


def test_A4_an_event_after_the_release_goes_on_as_live(simulate):
    """A4: an event after the release goes on as live."""
    journey = _event_after_action()
    journey["nodes"]["after"]["delay"] = {"fixed": "1000s"}
    s = journey_summary(simulate(scenario(journey, timeline=PAUSED, duration="3000s")))
    assert s["discarded"]["event_while_held"] == 0 and s["exited"]["end"] == 64


@pytest.mark.parametrize("kind", ["event", "audience_qualification"])
def test_A1_A3_a_first_node_event_or_qualification_is_discarded_while_paused(simulate, kind):
    """A1, A3: a first node event or qualification is discarded while paused."""
    journey = linear_journey()
    journey["nodes"]["entry"]["type"] = kind
    s = journey_summary(simulate(scenario(journey, timeline=PAUSED)))
    assert s["discarded"]["paused_entry"] == 36


def _reader(schedule, incremental=False, audience="all", rate="1000/s"):
    return {"key": "j", "start": "read", "nodes": {
        "read": {"type": "read_audience", "audience": audience, "schedule": schedule, "incremental": incremental,
                 "read_rate": rate, "next": "w"},
        "w": {"type": "wait", "duration": "1h", "next": "send"},
        "send": {"type": "action", "next": "done"}, "done": {"type": "end"}}}


def test_A5_R1_pause_during_a_read_discards_the_queue_and_lets_entered_go_on(simulate):
    """A5, R1: pause during a read discards the queue and lets entered go on."""
    result = simulate(scenario(_reader({"at": 0}), size=10_000, duration="2h", timeline=[pause("5s"), resume("1h 30m")]))
    s = journey_summary(result)
    # slot i enters at ceil((i+1)/1000) s: 4,000 entered before the 5 s pause, 6,000 still queued
    assert s["entered"] == 4000 and s["discarded"]["read_queue"] == 6000
    assert s["pauses"][0]["held_at_resume"] == 4000  # the entered went on to the action and are held there


def test_R2_a_single_read_scheduled_during_the_pause_is_ignored(simulate):
    """R2: a single read scheduled during the pause is ignored."""
    s = journey_summary(simulate(scenario(_reader({"at": "10m"}), size=1000, duration="3h",
                                          timeline=[pause("5m"), resume("20m")])))
    assert s["arrived"] == 0 and s["skipped_reads_at_s"] == [600]


def test_R3_incremental_read_plays_the_whole_audience_at_resume_after_a_pause_before_the_first(simulate):
    """R3: incremental read plays the whole audience at resume after a pause before the first."""
    result = simulate(scenario(_reader({"every": "1d", "start": "1d", "count": 5}, incremental=True), size=1000,
                               duration="6d", report_every="1h", timeline=[pause("12h"), resume("2d 12h")]))
    ev = result.events
    entered = ev[(ev.event == "entered") & (ev.node == "read")]
    assert len(entered) == 1000 and entered.t_s.min() == 2.5 * 86400 + 1
    assert journey_summary(result)["skipped_reads_at_s"] == [86400, 2 * 86400]
    assert journey_summary(result)["pauses"][0]["read_at_resume"] == 1000


def test_R3_incremental_read_over_occurrences_includes_everyone_qualified_in_between(simulate):
    """R3: incremental read over occurrences includes everyone qualified in between."""
    timeline = [pause("4d"), {"at": "5d 1h", "update_profiles": {"where": "not flag", "set": {"flag": True}}},
                resume("9d 1h")]
    result = simulate(scenario(_reader({"every": "1d", "count": 12}, incremental=True, audience="flag"),
                               size=2000, duration="12d", report_every="1h", timeline=timeline))
    ev = result.events
    entered = ev[(ev.event == "entered") & (ev.node == "read")]
    first = entered[entered.t_s < 86400]
    at_resume = entered[(entered.t_s > 9 * 86400) & (entered.t_s < 9 * 86400 + 7200)]
    assert len(first) + len(at_resume) == 2000 and len(at_resume) == 2000 - len(first) > 0
    assert journey_summary(result)["skipped_reads_at_s"] == [d * 86400 for d in range(4, 10)]
    assert journey_summary(result)["pauses"][0]["read_at_resume"] == len(at_resume)


def test_R4_R8_L1_automatic_resume_at_the_maximum_pause_keeps_held_profiles(simulate):
    """R4, R8, L1: automatic resume at the maximum pause keeps held profiles."""
    doc = scenario(timeline=[pause("300s")], org={"max_pause": "1000s"}, duration="3000s")
    s = journey_summary(simulate(doc))
    p = s["pauses"][0]
    assert p["resumed_by"] == "auto" and p["resumed_at_s"] == 1300
    assert p["held_at_resume"] == s["pauses"][0]["sent_after_hold"] > 0
    default = journey_summary(simulate(scenario(timeline=[pause("300s")], duration="15d", report_every="1h")))
    assert default["pauses"][0]["resumed_at_s"] == 300 + 14 * 86400 and default["pauses"][0]["resumed_by"] == "auto"


def test_R5_entries_reopen_after_the_configured_delay(simulate):
    """R5: entries reopen after the configured delay."""
    default = journey_summary(simulate(scenario(timeline=PAUSED)))
    slower = journey_summary(simulate(scenario(timeline=PAUSED, org={"entry_reopen_delay": "120s"})))
    assert default["discarded"]["paused_entry"] == 36  # 300..650 s
    assert slower["discarded"]["paused_entry"] == 42  # 300..710 s


def test_R6_held_profiles_drain_at_5000_per_second_oldest_first(simulate):
    """R6: held profiles drain at 5000 per second oldest first."""
    journey = _reader({"at": 0}, rate="100000/s")
    journey["nodes"]["w"]["duration"] = {"uniform": ["10s", "100s"]}
    result = simulate(scenario(journey, size=12_000, duration="400s", report_every="1s",
                               timeline=[pause("5s"), resume("200s")]))
    s = journey_summary(result)
    p = s["pauses"][0]
    assert p["held_at_resume"] == 12_000 and p["drain_s"] == 3 and p["live_at_s"] == 203
    assert [c["status"] for c in s["status_changes"]] == ["live", "paused", "resuming", "live", "finished"]
    ev = result.events
    held = ev[ev.event == "held"].set_index("profile_id").t_s
    released = ev[ev.event == "released"].set_index("profile_id").t_s
    assert released.value_counts().to_dict() == {201.0: 5000, 202.0: 5000, 203.0: 2000}
    order = held.loc[released.index]
    assert (order.groupby(released).max().values[:-1] <= order.groupby(released).min().values[1:]).all()


def test_R6_a_slower_resume_rate_drains_longer(simulate):
    """R6: a slower resume rate drains longer."""
    journey = _reader({"at": 0}, rate="100000/s")
    journey["nodes"]["w"]["duration"] = "10s"
    s = journey_summary(simulate(scenario(journey, size=12_000, duration="400s", org={"resume_rate": "1000/s"},
                                          timeline=[pause("5s"), resume("200s")])))
    assert s["pauses"][0]["drain_s"] == 12


def test_R7_held_profiles_use_data_updated_during_the_pause(simulate):
    """R7: held profiles use data updated during the pause."""
    journey = linear_journey(after_action={"check": {"type": "condition", "branches": [
        {"when": "price_ok", "next": "offer"}, {"otherwise": "done"}]},
        "offer": {"type": "action", "channel": "email", "next": "done"}})
    attributes = {"price_ok": {"constant": False}}
    fixed = [pause("300s"), {"at": "400s", "update_profiles": {"where": "all", "set": {"price_ok": True}}}, resume("600s")]
    with_update = journey_summary(simulate(scenario(journey, attributes=attributes, timeline=fixed)))
    without = journey_summary(simulate(scenario(journey, attributes=attributes, timeline=PAUSED)))
    assert without["actions"]["offer"] == 0
    assert with_update["actions"]["offer"] == 10 + 34  # the 10 released and every later entrant


def test_G1_G2_global_filter_removes_matching_profiles_at_release_and_after(simulate):
    """G1, G2: global filter removes matching profiles at release and after."""
    timeline = [pause("300s"), {"at": "310s", "global_filter": {"journey": "j", "exclude": "flag"}}, resume("600s")]
    result = simulate(scenario(timeline=timeline, attributes={"flag": {"bernoulli": 0.5}}))
    s = journey_summary(result)
    ev = result.events
    filtered = ev[ev.reason == "global_filter"]
    assert s["discarded"]["global_filter"] == len(filtered) > 0
    assert (filtered.t_s >= 310).all()
    flagged_sends = ev[(ev.event == "action") & (ev.t_s > 310)].profile_id
    assert not set(flagged_sends) & set(filtered.profile_id)
    deleted = timeline[:2] + [{"at": "320s", "global_filter": {"journey": "j", "exclude": None}}, resume("600s")]
    assert journey_summary(simulate(scenario(timeline=deleted)))["discarded"]["global_filter"] < s["discarded"]["global_filter"]


def test_L7_the_global_timeout_applies_to_held_profiles(simulate):
    """L7: the global timeout applies to held profiles."""
    journey = linear_journey()
    journey["global_timeout"] = "1000s"
    result = simulate(scenario(journey, timeline=[pause("300s"), resume("1500s")]))
    ev = result.events
    timeouts = ev[ev.reason == "timeout"]
    # held at 300..390 s after entering at 200..290 s: out at 1200..1290 s, still paused
    assert sorted(timeouts.t_s.tolist()) == [float(t) for t in range(1200, 1300, 10)]
    assert journey_summary(result)["pauses"][0]["held_at_resume"] == 0


@pytest.fixture
def e2e(simulate):
    doc = {"size": 50_000}
    import yaml
    data = yaml.safe_load((SPEC_EXAMPLES / "ajo-end-to-end-sample.yaml").read_text())
    data["population"]["size"] = doc["size"]
    data["journeys"][0]["nodes"]["add_to_cart"]["arrivals"] = {"every": "10s"}
    data["duration"] = "5d"
    return simulate(data)


def test_E1_E6_the_documented_end_to_end_sample(e2e):
    """E1, E6: the documented end to end sample."""
    s = e2e.summary["journeys"]["cart-abandon"]
    ev = e2e.events
    p = s["pauses"][0]
    door = ev[(ev.event == "entered") & (ev.node == "add_to_cart")].t_s
    assert not ((door >= 2 * 86400) & (door < 4 * 86400 + 60)).any()                       # E1, E6: reopen within a minute
    assert door[door >= 2 * 86400].min() == 4 * 86400 + 60
    assert s["discarded"]["paused_entry"] > 0
    left = ev[(ev.event == "left") & (ev.node == "wait_1h")].t_s
    assert ((left >= 2 * 86400) & (left < 2 * 86400 + 3600)).sum() == 360                  # E2: on time
    held = ev[ev.event == "held"]
    assert set(held.node) == {"push", "email"} and p["held_at_resume"] > 0                  # E3, E4
    assert s["discarded"]["event_while_held"] > 0                                           # E5
    assert p["drain_s"] == -(-p["held_at_resume"] // 5000)                                  # E6


def test_V2_event_while_held_can_discard_the_event_instead_of_the_profile(simulate):
    """V2: event while held can discard the event instead of the profile."""
    doc = scenario(_event_after_action(), timeline=PAUSED, policy={"event_while_held": "discard_event"})
    result = simulate(doc)
    s = journey_summary(result)
    assert s["discarded"]["event_while_held"] == 0
    ev = result.events
    released = ev[ev.event == "released"].profile_id
    done = ev[(ev.event == "exited") & ev.profile_id.isin(released)]
    action = ev[(ev.event == "action") & ev.profile_id.isin(released)].set_index("profile_id").t_s
    # the event fired while held and was lost: the profile waits for the 1 h timeout after its release
    assert ((done.set_index("profile_id").t_s - action.loc[done.profile_id].values) == 3600).all()


def test_V2_a_pause_can_stay_paused_at_its_maximum_instead_of_resuming(simulate):
    """V2: a pause can stay paused at its maximum instead of resuming."""
    doc = scenario(timeline=[pause("300s")], org={"max_pause": "1000s"}, duration="3000s",
                   policy={"pause_end": "stay_paused"})
    s = journey_summary(simulate(doc, events=False))
    assert s["status_at_end"] == "paused" and s["pauses"][0]["resumed_at_s"] is None and s["in_journey_at_end"] == 10


def test_R6_an_org_wide_resume_rate_queues_the_drains_of_two_journeys(simulate):
    """R6: an org wide resume rate queues the drains of two journeys."""
    journeys = [linear_journey("a", every="1s", count=3000, wait="900s"), linear_journey("b", every="1s", count=3000, wait="900s")]
    timeline = [pause("100s", journeys=["a", "b"]), resume("1000s", journeys=["a", "b"])]
    per_journey = simulate(scenario(*journeys, size=6000, duration="1500s", org={"resume_rate": "10/s"},
                                    timeline=timeline), events=False).summary["journeys"]
    org_wide = simulate(scenario(*journeys, size=6000, duration="1500s",
                                 org={"resume_rate": "10/s", "resume_rate_scope": "org"}, timeline=timeline),
                        events=False).summary["journeys"]
    # entered at 0..99 s before the 100 s pause, each journey holds 100 at the action from 900 s
    assert [per_journey[k]["pauses"][0]["held_at_resume"] for k in "ab"] == [100, 100]
    assert [per_journey[k]["pauses"][0]["drain_s"] for k in "ab"] == [10, 10]
    assert [org_wide[k]["pauses"][0]["drain_s"] for k in "ab"] == [10, 20]


def test_the_time_series_counts_held_profiles_per_node_and_the_status(simulate):
    ts = simulate(scenario(timeline=PAUSED), events=False).timeseries
    held = ts[(ts.node == "send") & (ts.state == "held")].set_index("t_s")["count"]
    assert held.loc[290] == 0 and held.loc[300] == 1 and held.loc[350] == 6 and held.loc[600] == 10 and held.loc[610] == 0
    waiting = ts[(ts.node == "wait") & (ts.state == "waiting")].set_index("t_s")["count"]
    assert waiting.loc[250] == 10 and waiting.loc[450] == 0  # nobody enters while paused
    status = ts[ts.node == "(journey)"].set_index("t_s")["status"]
    assert status.loc[290] == "live" and status.loc[300] == "paused" and status.loc[600] == "resuming" and status.loc[610] == "live"


def test_G2_a_profile_reaching_an_action_after_the_filter_is_set_is_removed_there_not_held(simulate):
    """Every profile matches. Paused at 300 s, filter at 310 s, resumed at 600 s. The profile that
    reached the email at 300 s was held before the filter: removed at its release (601 s, the first
    slot of the drain at 5,000/s, R6). Those
    reaching it at 310-390 s (entered 210-290 s; later entries were turned away at the door) are
    removed as they reach it: 9, never held."""
    timeline = [pause("300s"), {"at": "310s", "global_filter": {"journey": "j", "exclude": "flag"}}, resume("600s")]
    result = simulate(scenario(timeline=timeline, attributes={"flag": {"bernoulli": 1.0}}))
    ev = result.events
    filtered = ev[ev.reason == "global_filter"].t_s
    assert filtered[filtered < 600].tolist() == [float(t) for t in range(310, 400, 10)]
    assert filtered[(filtered >= 600) & (filtered < 700)].tolist() == [601.0]
    assert journey_summary(result)["pauses"][0]["held_at_resume"] == 1
