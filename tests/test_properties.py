"""Property tests over generated journeys, populations, arrivals and operator timelines, under
every vendor preset (V1) with single switches overridden (V2).

For every generated run: conservation holds (the run raises otherwise), the same seed gives
identical outputs, no profile is in two places, no action executes while its journey is
paused (P3), the release rate never exceeds the setting (R6), nothing is discarded for
org_cap unless the last check found the count at or over the cap (L2, L3), every
profile held at a resume is released before the journey is live again (R6), and no profile
receives more messages in a window than a business rule allows (L6).
"""

from __future__ import annotations

import os

import numpy as np
from conftest import Runner, assert_same_outputs, batched_and_per_tick
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeysim.model.presets import PLATFORMS

SETTINGS = settings(max_examples=int(os.environ.get("JOURNEYSIM_EXAMPLES", 40)), deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                            HealthCheck.too_slow])
DURATION = 4000
BUSINESS_RULES = [[], [{"channel": "email", "max": 1, "per": "600s"}],
                  [{"max": 2, "per": "300s"}, {"channel": "email", "max": 1, "per": "1000s"}],
                  [{"channel": "sms", "max": 3, "per": "2000s"}]]
DURATIONS = st.sampled_from(["0s", "5s", "30s", "90s", "300s", "900s"])


@st.composite
def distribution(draw):
    kind = draw(st.sampled_from(["fixed", "uniform", "exponential"]))
    if kind == "fixed":
        return {"fixed": draw(DURATIONS)}
    if kind == "uniform":
        low, high = sorted([draw(st.integers(0, 600)), draw(st.integers(0, 600))])
        return {"uniform": [low, high]}
    return {"exponential": {"mean": draw(st.sampled_from(["10s", "60s", "300s"]))}}


EXPRESSIONS = ["flag", "not flag", "score > 50", "tier == 'gold'", "tier in ['gold', 'silver'] and score < 80"]


@st.composite
def journey(draw, key: str, jump_to: str | None):
    count = draw(st.integers(2, 7))
    names = [f"n{i}" for i in range(count)] + ["end"]
    nodes: dict = {}
    for i in range(count):
        later = names[i + 1:]
        target = lambda later=later: draw(st.sampled_from(later))
        kinds = ["wait", "condition", "random_split", "action", "action", "content_decision", "event",
                 "update_profile", "external_data"]
        if i > 0 and names[i - 1] in nodes and nodes[names[i - 1]]["type"] == "action":
            kinds = ["reaction", "event", "reaction"]
        if i == count - 1:
            kinds = ["action"]
        if jump_to:
            kinds.append("jump")
        kind = draw(st.sampled_from(kinds))
        if kind == "wait":
            node = {"type": "wait", "duration": draw(distribution()), "next": target()}
        elif kind == "condition":
            node = {"type": "condition", "branches": [{"when": draw(st.sampled_from(EXPRESSIONS)), "next": target()},
                                                      {"otherwise": target()}]}
        elif kind == "random_split":
            w = draw(st.sampled_from([0.0, 0.25, 0.5, 0.9, 1.0]))
            node = {"type": "random_split", "branches": [{"weight": w, "next": target()}, {"weight": 1 - w, "next": target()}]}
        elif kind in ("action", "content_decision"):
            node = {"type": kind, "channel": draw(st.sampled_from(["email", "email", "sms"])),
                    "next": names[i + 1] if draw(st.booleans()) else target()}
        elif kind in ("event", "reaction"):
            node = {"type": kind, "chance": draw(st.sampled_from([0.0, 0.3, 1.0])), "delay": draw(distribution()),
                    "next": target()}
            if kind == "reaction":
                node["to"] = names[i - 1]
            if draw(st.booleans()):
                node["timeout"] = draw(st.sampled_from(["60s", "600s"]))
                node["on_timeout"] = target()
        elif kind == "update_profile":
            node = {"type": "update_profile", "set": {"flag": draw(st.booleans())}, "next": target()}
        elif kind == "jump":
            node = {"type": "jump", "to": jump_to}
        else:
            node = {"type": "external_data", "latency": draw(distribution()), "next": target()}
        nodes[names[i]] = node
    nodes["end"] = {"type": "end"}
    entry_kind = draw(st.sampled_from(["poisson", "every", "read"]))
    if entry_kind == "read":
        entry = {"type": "read_audience", "audience": draw(st.sampled_from(["all", "flag", "score > 30"])),
                 "schedule": draw(st.sampled_from([{"at": 0}, {"at": "100s"}, {"every": "1000s", "count": 3}])),
                 "incremental": draw(st.booleans()), "read_rate": draw(st.sampled_from(["5/s", "50/s", "1000/s"])),
                 "next": "n0"}
    else:
        arrivals = {"rate": draw(st.sampled_from(["0.2/s", "1/s", "3/s"]))} if entry_kind == "poisson" \
            else {"every": draw(st.sampled_from(["3s", "20s"])), "count": draw(st.integers(1, 200))}
        entry = {"type": draw(st.sampled_from(["event", "audience_qualification"])), "arrivals": arrivals, "next": "n0"}
    nodes = {"entry": entry, **nodes}
    result = {"key": key, "start": "entry", "nodes": nodes,
              "global_timeout": draw(st.sampled_from(["91d", "1500s", "3000s"]))}
    if draw(st.integers(0, 4)) == 0:
        result["exit_criteria"] = [{"when": draw(st.sampled_from(EXPRESSIONS))}]
    return result


MODES = [None, "hold", "discard", "skip", "park", "exit"]
SWITCH_OVERRIDES = [{}, {}, {"late_at_release": "skip", "late_grace": "30s"}, {"entry_while_paused": "requalify"},
                    {"entry_while_paused": "enter"}, {"wait_clock": "frozen"}, {"stop_point": "anywhere"},
                    {"stop_at_update_and_jump": True}, {"max_pause": "none"}]


@st.composite
def timeline(draw, key: str, platform: str, max_pause: int):
    steps = []
    t = draw(st.integers(0, 700))
    for _ in range(draw(st.integers(0, 2))):
        if platform == "sfmc":
            body = {"PausedDays": 1, "GuardrailAction": draw(st.sampled_from(["Resume", "Stop", "None"])),
                    "ExtendWaitEndDates": draw(st.booleans()),
                    "RetainContactInjectionWhileJourneyPaused": draw(st.booleans())}
            steps.append({"at": t, "pause": {"journey": key, "versionNumber": 1, "body": body}})
        else:
            mode = draw(st.sampled_from(MODES[1:3] if platform == "ajo" else MODES))
            steps.append({"at": t, "pause": {"journeys": [key]} | ({"mode": mode} if mode else {})})
        if draw(st.booleans()):
            steps.append({"at": t + draw(st.integers(0, 300)),
                          "global_filter": {"journey": key, "exclude": draw(st.sampled_from(EXPRESSIONS))}})
        if draw(st.integers(0, 3)) == 0:
            target = {"journey": key} if platform == "ajo" else {"journey": key, "versionNumber": 1}
            steps.append({"at": t + draw(st.integers(301, min(1200, max_pause - 1))), "stop": target})
            return steps
        end = t + draw(st.integers(301, min(1500, max_pause - 1)))
        if draw(st.integers(0, 4)) == 0:
            return steps  # stays paused (ajo: until the 14-day auto resume, after the end)
        steps.append({"at": end, "resume": {"journeys": [key]} if platform == "ajo"
                      else {"journey": key, "versionNumber": 1}})
        t = end + draw(st.integers(0, 800))
        if draw(st.integers(0, 2)) == 0:  # V5 "send all", after the resume and before the next pause
            steps.append({"at": draw(st.integers(end, t)), "release_parked": {"journey": key, "versionNumber": 1}})
        if t > DURATION - 200:
            break
    return [s for s in steps if s["at"] <= DURATION]


@st.composite
def scenarios(draw):
    platform = draw(st.sampled_from(PLATFORMS))
    two = draw(st.booleans())
    journeys = [draw(journey("a", "b" if two and draw(st.booleans()) else None))]
    if two:
        journeys.append(draw(journey("b", None)))
    max_pause = draw(st.sampled_from(["600s", "14d"]))
    steps = []
    for j in journeys:
        steps += draw(timeline(j["key"], platform, 600 if max_pause == "600s" and platform != "sfmc" else 10**6))
    steps.sort(key=lambda s: s["at"])
    org = {"held_cap": draw(st.integers(1, 60)), "cap_check_every": draw(st.sampled_from(["60s", "300s", "30m"])),
           "resume_rate": draw(st.sampled_from(["1/s", "3/s", "5000/s"])),
           "resume_rate_scope": draw(st.sampled_from(["journey", "org"])),
           "entry_reopen_delay": draw(st.sampled_from(["0s", "60s"])), "max_pause": max_pause,
           "business_rules": draw(st.sampled_from(BUSINESS_RULES))}
    doc = {"name": "generated", "seed": draw(st.integers(0, 1000)), "platform": platform, "duration": DURATION,
           "resolution": "1s", "report_every": draw(st.sampled_from(["30s", "5m"])), "org": org,
           "population": {"size": draw(st.integers(50, 3000)), "attributes": {
               "flag": {"bernoulli": 0.5}, "score": {"uniform": [0, 100]},
               "tier": {"choice": {"gold": 0.2, "silver": 0.3, "bronze": 0.5}}}},
           "journeys": journeys, "timeline": steps, "policy": draw(st.sampled_from(SWITCH_OVERRIDES))}
    return doc


def paused_windows(summary_journey: dict) -> list[tuple[float, float]]:
    changes = summary_journey["status_changes"]
    windows = []
    for k, change in enumerate(changes):
        if change["status"] == "paused":
            end = changes[k + 1]["at_s"] if k + 1 < len(changes) else float("inf")
            windows.append((change["at_s"], end))
    return windows


@SETTINGS
@given(doc=scenarios())
def test_generated_runs_conserve_profiles_and_are_deterministic(tmp_path_factory, doc):
    runner = Runner(tmp_path_factory.mktemp("gen"))
    first = runner(doc)                       # raises ConservationError on a violation
    second = runner(doc)
    assert first.summary["conservation"]["ok"]
    assert first.summary == second.summary
    assert first.timeseries.equals(second.timeseries)
    assert first.events.equals(second.events)


@SETTINGS
@given(doc=scenarios())
def test_generated_runs_respect_the_pause_guarantees(tmp_path_factory, doc):
    """P3, R6, L2/L3 on every generated run."""
    result = Runner(tmp_path_factory.mktemp("gen"))(doc)
    ev = result.events
    rate = {"1/s": 1, "3/s": 3, "5000/s": 5000}[doc["org"]["resume_rate"]]
    for label, s in result.summary["journeys"].items():
        mine = ev[ev.journey == label]
        sends = mine[mine.event == "action"].t_s.to_numpy()
        for start, end in paused_windows(s):
            assert not ((sends >= start) & (sends < end)).any(), "an action executed while paused (P3)"
        released = mine[mine.event == "released"].t_s
        if result.summary["policy"]["release_rate_limited"] and len(released):
            assert released.value_counts().max() <= rate, "release faster than the resume rate (R6)"
        send_all = [step["at"] for step in doc["timeline"] if "release_parked" in step]
        for p in s["pauses"]:
            if p["resumed_at_s"] is not None and p["held_at_resume"]:
                after = released[(released >= p["resumed_at_s"])]
                nxt = [q["paused_at_s"] for q in s["pauses"] if q["paused_at_s"] > p["resumed_at_s"]]
                nxt += [at for at in send_all if at >= p["resumed_at_s"]]  # parked profiles go after the drain (V5)
                nxt = sorted(nxt)
                window = after[after < (nxt[0] if nxt else float("inf"))]
                # empty when every profile held at the resume left another way (its reaction came at the resume tick: A2/A4/A6 model)
                assert window.empty or window.max() <= p["live_at_s"], "a held profile released after the journey went live (R6)"
    checks = result.cap_checks
    capped = ev[ev.reason == "org_cap"].t_s.to_numpy()
    if len(capped):
        last = np.searchsorted(checks.t_s.to_numpy(), capped, side="right") - 1
        assert (last >= 0).all() and checks.over_cap.to_numpy()[last].all(), "org_cap discard without an over-cap check (L2)"


@SETTINGS
@given(doc=scenarios())
def test_no_profile_is_in_two_places_at_any_sample(tmp_path_factory, doc):
    result = Runner(tmp_path_factory.mktemp("gen"))(doc, events=False)
    ts = result.timeseries
    places = ts[ts.node != "(journey)"].groupby(["t_s", "journey"], observed=True)["count"].sum()
    inside = ts[ts.node == "(journey)"].set_index(["t_s", "journey"])["count"]
    held_or_waiting = ts[(ts.node != "(journey)") & (ts.state != "queued")].groupby(["t_s", "journey"], observed=True)["count"].sum()
    assert (held_or_waiting <= inside.reindex(held_or_waiting.index, fill_value=0)).all()
    assert (places >= 0).all()


@st.composite
def held_heavy(draw):
    """A journey built to hold many profiles: steady arrivals, a wait, an action, a reaction."""
    key = "h"
    journey = {"key": key, "start": "entry", "nodes": {
        "entry": {"type": "event", "arrivals": {"every": draw(st.sampled_from(["1s", "2s", "5s"])),
                                                "count": draw(st.integers(200, 3000))}, "next": "wait"},
        "wait": {"type": "wait", "duration": draw(distribution()), "next": "send"},
        "send": {"type": "action", "channel": "email", "next": "opened"},
        "opened": {"type": "reaction", "to": "send", "chance": draw(st.sampled_from([0.0, 0.5, 1.0])),
                   "delay": draw(distribution()), "timeout": "900s", "next": "done", "on_timeout": "done"},
        "done": {"type": "end"}}}
    doc = draw(scenarios())
    doc["journeys"] = [journey]
    doc["population"]["size"] = 3000
    doc["org"]["max_pause"] = "14d"
    doc["timeline"] = sorted(draw(timeline(key, doc["platform"], 10**6)), key=lambda s: s["at"])
    return doc


@SETTINGS
@given(doc=held_heavy())
def test_held_heavy_runs_respect_the_pause_guarantees(tmp_path_factory, doc):
    test_generated_runs_respect_the_pause_guarantees.hypothesis.inner_test(tmp_path_factory, doc)


@settings(SETTINGS, max_examples=max(1, SETTINGS.max_examples // 4))
@given(doc=scenarios())
def test_generated_runs_are_the_same_when_the_clock_wakes_every_tick(tmp_path_factory, doc):
    """The batched engine equals the slow path that wakes the clock at every tick (issue: ten million in seconds)."""
    batched, per_tick = batched_and_per_tick(Runner(tmp_path_factory.mktemp("gen")), doc)
    assert_same_outputs(batched, per_tick)


def sends_over_a_cap(doc: dict, events) -> list[str]:
    """Every (rule, profile) that received more than ``max`` messages in some window of ``per`` (L6)."""
    from journeysim.units import parse_duration

    channel_of = {(j["key"], name): (node["type"], node.get("channel", "default"))
                  for j in doc["journeys"] for name, node in j["nodes"].items()}
    sends = events[events.event == "action"]
    kind = [channel_of[(str(journey).split("@")[0], str(node))] for journey, node in zip(sends.journey, sends.node)]
    over = []
    for rule in doc["org"].get("business_rules", []):
        channel = rule.get("channel", "all")
        mine = sends[np.array([t == "action" and channel in ("all", c) for t, c in kind], dtype=bool)]
        per = parse_duration(rule["per"])
        for profile, times in mine.groupby("profile_id", observed=True).t_s:
            t = np.sort(times.to_numpy())
            if len(t) > rule["max"] and (t[rule["max"]:] - t[:-rule["max"]] < per).any():
                over.append(f"{rule}: profile {profile} at {t.tolist()}")
    return over


@SETTINGS
@given(doc=scenarios())
def test_L6_no_profile_receives_more_messages_in_a_window_than_a_cap_allows(tmp_path_factory, doc):
    result = Runner(tmp_path_factory.mktemp("gen"))(doc)
    assert not sends_over_a_cap(doc, result.events)
    capped = sum(sum(s["capped"].values()) for s in result.summary["journeys"].values())
    assert capped == (result.events.event == "capped").sum() == result.summary["org"]["capped"]


@SETTINGS
@given(doc=held_heavy())
def test_L6_held_sends_released_in_a_burst_respect_the_caps(tmp_path_factory, doc):
    doc["org"]["business_rules"] = [{"channel": "email", "max": 1, "per": "900s"}]
    result = Runner(tmp_path_factory.mktemp("gen"))(doc)
    assert not sends_over_a_cap(doc, result.events)
