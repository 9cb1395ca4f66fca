"""Fixes found by an independent check (issue 10): held-send delays wherever the hold point is,
the account of every profile held at a resume, and loops through jumps that take no time."""

from click.testing import CliRunner
from conftest import linear_journey, pause, resume, scenario
from test_pause_sfmc import DAY, sfmc, sfmc_pause, tips_times, welcome

from journeysim.cli import main


def test_S6_held_send_delay_counts_from_when_the_wait_ended_not_from_the_release(simulate):
    """S6: a contact whose 2-day wait ends during a pause from day 1 to day 4 is sent at day 4,
    two days late (it was held at the wait, not at the action); the summary says so."""
    one = welcome(every="1h", count=1, wait="2d")  # joins at 0, welcome at 0, wait ends at day 2
    result = simulate(sfmc(one, timeline=[sfmc_pause("1d", {"PausedDays": 14, "GuardrailAction": "None"}),
                                          {"at": "4d", "resume": {"journey": "w", "versionNumber": 1}}]))
    assert tips_times(result) == [4 * DAY]
    pause_ = result.summary["journeys"]["w"]["pauses"][0]
    assert pause_["held_at_resume"] == 1
    assert pause_["send_delay_s"] == {"p50": 2.0 * DAY, "p95": 2.0 * DAY, "max": 2.0 * DAY}
    assert pause_["held_at_resume_outcome"] == {"sent": 1, "capped": 0, "skipped_late": 0, "exited": {}, "discarded": {}, "still_held": 0,
                                                "in_journey_unsent": 0}


def test_P1_R6_held_send_delay_at_an_action_is_from_arrival_to_release(simulate):
    """P1, R6: under AJO the hold point is the action: 100 arrivals every 10 s, a 100 s wait, a
    pause from 500 s to 800 s holds the profiles that entered at 400..490 s and reach the send at
    500..590 s (10 of them; those arriving during the pause are discarded at the door, P2);
    released at 5,000/s from 800 s (each at 800 + ceil((i+1)/5000) = 801 s), so the delays run
    from 211 s (reached the send at 590) to 301 s (at 500)."""
    result = simulate(scenario(linear_journey(), timeline=[pause("500s"), resume("800s")]))
    p = result.summary["journeys"]["j"]["pauses"][0]
    assert p["held_at_resume"] == 10
    assert p["send_delay_s"]["max"] == 301.0
    assert min(p["send_delay_quantiles_s"]) == 211.0
    assert p["held_at_resume_outcome"]["sent"] == 10


def test_held_at_resume_is_accounted_for_by_sent_removed_and_still_held(simulate):
    """G2, E5, L7: every profile held at the resume ends in exactly one place of the account: its
    send went out, it was removed before the send (by reason), it is still held, or it moved on."""
    after = {"react": {"type": "event", "chance": 0.5, "delay": {"fixed": "1250s"}, "next": "done2"},
             "done2": {"type": "end"}}
    # one arrival a second; the 100 reaching the send at 300..399 s are held; released one every 10 s
    # from 1500 s; their events (half of them) fire at 1550..1649 s, mostly while still held
    doc = scenario(linear_journey(after_action=after, every="1s", count=2000),
                   timeline=[pause("300s"), {"at": "1000s", "global_filter": {"journey": "j", "exclude": "flag"}},
                             resume("1500s")],
                   org={"resume_rate": "6/m"}, duration="1700s")
    result = simulate(doc)
    p = result.summary["journeys"]["j"]["pauses"][0]
    outcome = p["held_at_resume_outcome"]
    parts = outcome["sent"] + sum(outcome["exited"].values()) + sum(outcome["discarded"].values()) \
        + outcome["still_held"] + outcome["in_journey_unsent"]
    assert parts == p["held_at_resume"] > 0
    assert outcome["sent"] == p["sent_after_hold"]
    assert outcome["discarded"].get("global_filter", 0) > 0
    assert outcome["discarded"].get("event_while_held", 0) > 0
    assert outcome["still_held"] > 0  # released one per second: the end comes before the drain does
    ev = result.events
    sent = ev[(ev.event == "action") & (ev.node == "send") & (ev.t_s >= 1500)]
    assert len(sent) == outcome["sent"]


def _jump_scenario(tmp_path, journeys):
    doc = scenario(*journeys, duration="1h")
    import yaml
    path = tmp_path / "loop.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def test_a_journey_jumping_into_itself_in_no_time_is_refused_naming_the_loop(tmp_path):
    """A12: a jump loop that takes no time would run forever at one instant: validate refuses it."""
    me = {"key": "a", "start": "e", "nodes": {"e": {"type": "event", "arrivals": {"rate": "1/s"}, "next": "go"},
                                             "go": {"type": "jump", "to": "a"}}}
    path = _jump_scenario(tmp_path, [me])
    for command in (["validate", str(path)], ["run", str(path), "--out", str(tmp_path / "out")]):
        out = CliRunner().invoke(main, command)
        assert out.exit_code == 2, out.output
        assert "loop through a jump that takes no time: a.e -> a.go -> a.e" in out.output
    assert not (tmp_path / "out").exists()


def test_a_jump_loop_across_two_journeys_is_refused_and_a_loop_with_a_wait_runs(tmp_path):
    """A12: a -> b -> a in no time is refused; with a wait on the loop, time bounds it and it runs."""
    a = {"key": "a", "start": "e", "nodes": {"e": {"type": "event", "arrivals": {"every": "10m", "count": 3}, "next": "go"},
                                            "go": {"type": "jump", "to": "b"}}}
    b = {"key": "b", "start": "e", "nodes": {"e": {"type": "event", "arrivals": {"every": "10m", "count": 3}, "next": "go"},
                                            "go": {"type": "jump", "to": "a"}}}
    out = CliRunner().invoke(main, ["validate", str(_jump_scenario(tmp_path, [a, b]))])
    assert out.exit_code == 2 and "a.e -> a.go -> b.e -> b.go -> a.e" in out.output
    b["nodes"]["e"]["next"] = "pause"
    b["nodes"]["pause"] = {"type": "wait", "duration": {"fixed": "5m"}, "next": "go"}
    path = _jump_scenario(tmp_path, [a, b])
    out = CliRunner().invoke(main, ["run", str(path), "--out", str(tmp_path / "ran"), "--no-report"])
    assert out.exit_code == 0, out.output
    import json
    summary = json.loads((tmp_path / "ran" / "summary.json").read_text())
    # every 5 minutes each looping profile passes a once: 3 own arrivals + 3 from b at 0,10,20 min looping
    assert summary["journeys"]["a"]["exited"]["jump"] > 12
    assert summary["conservation"]["ok"]


def test_a_timed_jump_loop_that_would_outgrow_memory_stops_with_a_message(tmp_path, monkeypatch):
    """A jump loop with a wait is bounded by time, but re-entries can still outgrow memory: the run
    stops with exit 2 naming the jump, and writes nothing."""
    import journeysim.population as population
    monkeypatch.setattr(population, "available_memory", lambda: 400_000)  # room for 2,000 entries
    loop = {"key": "a", "start": "e", "nodes": {
        "e": {"type": "event", "arrivals": {"every": "1s", "count": 500}, "next": "w"},
        "w": {"type": "wait", "duration": {"fixed": "1s"}, "next": "go"},
        "go": {"type": "jump", "to": "a"}}}
    path = _jump_scenario(tmp_path, [loop])
    out = CliRunner().invoke(main, ["run", str(path), "--out", str(tmp_path / "out")])
    assert out.exit_code == 2, out.output
    assert "journey 'a' jumps through 'go' to 'a' so often" in out.output and "nothing was written" in out.output
    assert not (tmp_path / "out").exists()
