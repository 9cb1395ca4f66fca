"""The org-wide held cap (L2, L3) and the journey status machine (J1-J3)."""

from click.testing import CliRunner
from conftest import linear_journey, pause, resume, scenario

from journeysim.cli import main


def cap_journey(key="j"):
    # an arrival every second for 2 h, a 1 h wait, an action
    return linear_journey(key, every="1s", count=7200, wait="1h")


def test_L2_profiles_are_discarded_after_a_check_finds_the_count_at_or_over_the_cap(simulate):
    """L2: Paused at 1 h: one profile a second reaches the action. The 1 h 30 m check finds 1,800 held
    (>= the cap of 1,000): the next 1,800 that would be held are discarded (org_cap)."""
    doc = scenario(cap_journey(), size=10_000, duration="3h", report_every="1m",
                   org={"held_cap": 1000, "cap_check_every": "30m"}, timeline=[pause("1h"), resume("2h 30m")])
    result = simulate(doc)
    s = result.summary["journeys"]["j"]
    org = result.summary["org"]
    assert s["held_peak"] == 1800 and s["discarded"]["org_cap"] == 1800
    assert org["cap_checks"] == 7 and org["cap_exceeded_checks"] == 3
    assert [c["at_s"] for c in org["checks_with_held"] if c["over_cap"]] == [5400, 7200, 9000]
    ev = result.events
    capped = ev[ev.reason == "org_cap"].t_s
    assert capped.min() == 5400 and capped.max() == 7199


def test_L2_between_checks_the_count_may_pass_the_cap(simulate):
    """L2: between checks the count may pass the cap."""
    doc = scenario(cap_journey(), size=10_000, duration="3h", org={"held_cap": 1000, "cap_check_every": "1h"},
                   timeline=[pause("1h"), resume("2h 30m")])
    s = simulate(doc, events=False).summary
    assert s["journeys"]["j"]["held_peak"] == 3600 and s["journeys"]["j"]["discarded"]["org_cap"] == 0


def test_L3_after_a_resume_other_journeys_go_on_losing_profiles_until_the_next_check(simulate):
    """L3: a is held over the cap and resumed at 1 h 35 m; b, paused from 1 h 40 m, still sees the
    last check's verdict (over) until the 2 h check: its profiles are discarded meanwhile."""
    a, b = cap_journey("a"), cap_journey("b")
    doc = scenario(a, b, size=20_000, duration="3h", org={"held_cap": 1000, "cap_check_every": "30m"},
                   timeline=[pause("1h", journeys=["a"]), resume("1h 35m", journeys=["a"]),
                             pause("1h 40m", journeys=["b"]), resume("2h 30m", journeys=["b"])])
    result = simulate(doc)
    ev = result.events
    b_capped = ev[(ev.journey == "b") & (ev.reason == "org_cap")].t_s
    assert b_capped.min() == 6000 and b_capped.max() == 7199  # 1 h 40 m .. the 2 h check
    assert result.summary["journeys"]["b"]["held_peak"] == 1800  # held again from the 2 h check to its 2 h 30 m resume


def test_J1_statuses_live_paused_resuming_live_then_stopped(simulate):
    """J1: statuses live paused resuming live then stopped."""
    doc = scenario(timeline=[pause("300s"), resume("600s"), {"at": "800s", "stop": {"journey": "j"}}])
    s = simulate(doc).summary["journeys"]["j"]
    assert [c["status"] for c in s["status_changes"]] == ["live", "paused", "resuming", "live", "stopped"]
    assert s["status_at_end"] == "stopped" and s["exited"]["stopped"] > 0


def test_J1_a_journey_whose_entries_closed_and_last_profile_left_is_finished(simulate):
    """J1: a journey whose entries closed and last profile left is finished, from the moment the last
    one left (the 100th arrival at 990 s, its 100 s wait, the send: 1090 s), in the status changes
    and the time series as in status_at_end."""
    result = simulate(scenario(), events=False)
    s = result.summary["journeys"]["j"]
    assert s["status_at_end"] == "finished"
    assert s["status_changes"] == [{"at_s": 0, "status": "live"}, {"at_s": 1090, "status": "finished"}]
    series = result.timeseries
    assert set(series[series.t_s < 1090].status) == {"live"} and set(series[series.t_s >= 1090].status) == {"finished"}


def test_J1_requests_the_platform_would_refuse_make_the_scenario_invalid(simulate):
    """J1: requests the platform would refuse make the scenario invalid."""
    runner = CliRunner()
    cases = [
        ([pause("300s"), pause("400s")], "cannot pause journey 'j' v1 at +0d 00:06:40: it is paused"),
        ([resume("300s")], "cannot resume journey 'j' v1 at +0d 00:05: it is live"),
        ([{"at": "300s", "global_filter": {"journey": "j", "exclude": "flag"}}], "only be set while it is paused"),
    ]
    for timeline, message in cases:
        path = simulate.write(scenario(timeline=timeline))
        out = runner.invoke(main, ["run", str(path), "--out", str(simulate.tmp_path / "out")])
        assert out.exit_code == 2 and message in out.output
        assert not (simulate.tmp_path / "out").exists()


def test_J1_a_pause_during_a_resume_drain_is_refused_at_run_time_and_recorded(simulate):
    """J1: a pause during a resume drain is refused at run time and recorded."""
    journey = linear_journey(every="1s", count=20_000, wait="10s")
    doc = scenario(journey, size=20_000, duration="1h", org={"resume_rate": "1/s"},
                   timeline=[pause("100s"), resume("200s"), pause("210s"), resume("400s")])
    s = simulate(doc, events=False).summary["journeys"]["j"]
    assert [r["action"] for r in s["refused_actions"]] == ["pause", "resume"]
    assert "resuming" in s["refused_actions"][0]["reason"]


def test_J2_a_bulk_pause_pauses_each_journey_as_if_alone(simulate):
    """J2: a bulk pause pauses each journey as if alone."""
    doc = scenario(linear_journey("a"), linear_journey("b"), size=2000,
                   timeline=[pause("300s", journeys=["a", "b"]), resume("600s", journeys=["a", "b"])])
    s = simulate(doc, events=False).summary["journeys"]
    alone = simulate(scenario(linear_journey("a"), size=2000, timeline=[pause("300s", journeys=["a"]),
                                                                           resume("600s", journeys=["a"])]),
                     events=False).summary["journeys"]["a"]
    for key in ("a", "b"):
        assert s[key]["pauses"][0]["held_at_resume"] == alone["pauses"][0]["held_at_resume"] == 10
        assert s[key]["discarded"] == alone["discarded"]


def test_J3_a_pause_names_one_version_and_versions_run_side_by_side(simulate):
    """J3: a pause names one version and versions run side by side."""
    v1, v2 = linear_journey(version=1), linear_journey(version=2)
    doc = scenario(v1, v2, size=2000, timeline=[pause("300s", version=2), resume("600s", version=2)])
    s = simulate(doc, events=False).summary["journeys"]
    assert s["j@v1"]["pauses"] == [] and s["j@v1"]["actions"] == {"send": 100}
    assert s["j@v2"]["pauses"][0]["held_at_resume"] == 10
    ambiguous = simulate.write(scenario(v1, v2, timeline=[pause("300s"), resume("600s")]))
    out = CliRunner().invoke(main, ["validate", str(ambiguous)])
    assert out.exit_code == 2 and "runs versions 1, 2: name one with 'version'" in out.output
