"""Vendor presets (V1, V2) and the switch values they need (V3-V8), with Blueshift's refusals (B1).

The base journey (conftest.linear_journey): an arrival every 10 s from t=0 (100 profiles), a
100 s wait, an action ``send``, end. Paused at 300 s, resumed at 600 s unless said otherwise:
- arrivals at 200..290 s reach the action during the pause (their wait ends at 300..390 s): 10;
- arrivals at 300..650 s come while the journey is closed (paused, then the 60 s reopen delay): 36;
- arrivals at 0..190 s act before the pause (20), those at 660..990 s after it (34).
"""

from __future__ import annotations

import pytest
from conftest import linear_journey, resume, scenario

from journeysim.errors import ScenarioError
from journeysim.model import blueshift
from journeysim.model.policy import SWITCHES, PausePolicy
from journeysim.model.presets import PLATFORMS, PRESETS

V1_NAMES = ("ajo", "ajo-2026", "sfmc", "braze", "hubspot", "klaviyo", "customerio", "moengage", "airship", "pinpoint",
            "simon-data", "dittofeed", "blueshift")
PAUSED = [{"at": "300s", "pause": {"journeys": ["j"]}}, resume("600s")]


def summary_of(result, key="j"):
    return result.summary["journeys"][key]


def run(simulate, platform, timeline=PAUSED, journeys=None, **top):
    return summary_of(simulate(scenario(*(journeys or []), timeline=timeline, platform=platform, **top)))


# ----------------------------------------------------------------- V1, V2: presets as data

def test_V1_the_thirteen_presets_exist_with_sources_and_known_assumed_switches():
    assert PLATFORMS == V1_NAMES
    for preset in PRESETS.values():
        assert preset.sources and all(preset.sources), preset.name
        assert preset.assumed <= set(SWITCHES), (preset.name, preset.assumed - set(SWITCHES))
        assert isinstance(preset.policy, PausePolicy)
    assert PRESETS["ajo"].policy == PausePolicy() and not PRESETS["ajo"].assumed
    assert "release_rate_limited" in PRESETS["sfmc"].assumed


def test_V1_presets_differ_only_by_switches_never_by_name_in_the_engine():
    from pathlib import Path

    engine = Path(__file__).parent.parent / "journeysim" / "engine"
    text = "".join(p.read_text() for p in engine.glob("*.py"))
    for name in V1_NAMES:
        assert f'"{name}"' not in text, f"the engine names the platform {name}"


def test_V2_a_preset_with_one_switch_overridden(simulate):
    """V2: braze with at_stop hold holds where braze would discard."""
    braze = run(simulate, "braze")
    held = run(simulate, "braze", policy={"at_stop": "hold"})
    assert braze["discarded"]["discard_mode"] == 10 and braze["held_peak"] == 0
    assert held["discarded"]["discard_mode"] == 0 and held["held_peak"] == 10


# ----------------------------------------------------------------- V3-V8: the switch values

def test_V3_at_stop_skip_does_not_execute_the_action_and_moves_on(simulate):
    s = run(simulate, "ajo", policy={"at_stop": "skip"})
    assert s["skipped"] == {"send": 10} and s["actions"] == {"send": 54}
    assert s["exited"]["end"] == 64 and s["held_peak"] == 0 and s["discarded"]["paused_entry"] == 36


def test_V4_discard_anywhere_removes_due_steps_and_keeps_the_others_on_schedule(simulate):
    """V4: paused 300-350 s: waits ending at 300..340 s (arrivals 200..240) leave with discard_mode; those
    ending at 350..390 s go on at their time; arrivals 300..400 s find the door closed."""
    timeline = [{"at": "300s", "pause": {"journeys": ["j"]}}, resume("350s")]
    result = simulate(scenario(timeline=timeline, platform="ajo", policy={"stop_point": "anywhere", "at_stop": "discard"}))
    s = summary_of(result)
    assert s["discarded"]["discard_mode"] == 5 and s["discarded"]["paused_entry"] == 11
    assert s["actions"] == {"send": 84}
    ev = result.events
    sends = ev[(ev.event == "action")].t_s
    assert sorted(sends[(sends >= 300) & (sends < 400)].tolist()) == [350.0, 360.0, 370.0, 380.0, 390.0]


def test_V5_park_holds_past_the_resume_until_release_parked(simulate):
    """V5: parked profiles are not released by the resume; release_parked at 1000 s sends them at 5,000/s."""
    timeline = [{"at": "300s", "pause": {"journeys": ["j"], "mode": "park"}}, resume("600s")]
    parked = run(simulate, "ajo", timeline=timeline)
    assert parked["pauses"][0]["parked_at_end"] == 10 and parked["in_journey_at_end"] == 10
    assert parked["pauses"][0]["held_at_resume"] == 0 and parked["actions"] == {"send": 54}
    result = simulate(scenario(timeline=timeline + [{"at": "1000s", "release_parked": {"journeys": ["j"]}}]))
    released = summary_of(result)
    assert released["pauses"][0]["parked_at_end"] == 0 and released["actions"] == {"send": 64}
    ev = result.events
    assert sorted(ev[ev.event == "released"].t_s.unique().tolist()) == [1001.0]


def test_V5_release_parked_on_a_paused_journey_is_refused(simulate):
    timeline = [{"at": "300s", "pause": {"journeys": ["j"], "mode": "park"}}, {"at": "400s", "release_parked": {"journeys": ["j"]}}]
    with pytest.raises(ScenarioError, match="resume it first"):
        simulate(scenario(timeline=timeline))


def test_V6_late_at_release_skips_sends_due_more_than_the_grace_before_release(simulate):
    """V6: held at 300..390 s, released at 601 s: with a 250 s grace, those due at 300..350 s are late (6)."""
    s = run(simulate, "ajo", policy={"late_at_release": "skip", "late_grace": "250s"})
    assert s["skipped"] == {"send": 6} and s["pauses"][0]["skipped_late"] == 6
    assert s["actions"] == {"send": 58} and s["exited"]["end"] == 64
    outcome = s["pauses"][0]["held_at_resume_outcome"]  # the 6 went on to the end: skipped, not "exited"
    assert outcome["sent"] == 4 and outcome["skipped_late"] == 6 and outcome["exited"] == {}


def test_V6_default_sends_late_sends(simulate):
    s = run(simulate, "ajo")
    assert s["skipped"] == {"send": 0} and s["pauses"][0]["skipped_late"] == 0 and s["actions"] == {"send": 64}


def test_V7_requalify_enters_at_reopen_those_still_matching_the_audience(simulate):
    """V7: the 36 arrivals of 300..650 s wait for the reopen (660 s); they enter if they still match."""
    journey = linear_journey()
    journey["nodes"]["entry"]["audience"] = "flag"
    still = run(simulate, "ajo", journeys=[journey], policy={"entry_while_paused": "requalify"})
    assert still["discarded"]["paused_entry"] == 0 and still["entered"] == 100
    assert still["pauses"][0]["entered_from_queue"] == 36
    gone = run(simulate, "ajo", journeys=[journey], policy={"entry_while_paused": "requalify"},
               timeline=PAUSED + [{"at": "400s", "update_profiles": {"where": "all", "set": {"flag": False}}}])
    assert gone["discarded"]["paused_entry"] == 36 and gone["entered"] == 64


def test_V7_requalified_entries_enter_at_the_reopen_moment(simulate):
    result = simulate(scenario(timeline=PAUSED, policy={"entry_while_paused": "requalify"}))
    ev = result.events
    first = ev[(ev.event == "entered") & (ev.node == "entry")]
    assert (first.t_s == 660).sum() == 36 + 1  # the 36 requalified and the arrival at 660 s


def test_V8_max_pause_none_never_ends_the_pause(simulate):
    timeline = [{"at": "300s", "pause": {"journeys": ["j"]}}]
    org = {"max_pause": "600s"}
    auto = run(simulate, "ajo", timeline=timeline, org=org)
    endless = run(simulate, "ajo", timeline=timeline, org=org, policy={"max_pause": "none"})
    assert auto["pauses"][0]["resumed_by"] == "auto" and auto["status_at_end"] != "paused"
    assert endless["pauses"][0]["resumed_at_s"] is None and endless["status_at_end"] == "paused"
    assert endless["in_journey_at_end"] == 10 and endless["discarded"]["paused_entry"] == 70


def test_wait_clock_frozen_keeps_the_remaining_delay(simulate):
    """Simon Data and Pinpoint: a 24 h wait paused at 12 h finishes 12 h after the resume (at 48 h)."""
    journey = linear_journey(count=1, wait="24h")
    for platform in ("simon-data", "pinpoint"):
        result = simulate(scenario(journey, platform=platform, duration="3d", report_every="1h",
                                   timeline=[{"at": "12h", "pause": {"journeys": ["j"]}}, resume("36h")]))
        ev = result.events
        assert ev[ev.event == "action"].t_s.tolist() == [48 * 3600.0], platform
        assert summary_of(result)["pauses"][0]["waits_extended"] == 1


def test_wait_clock_frozen_also_keeps_waits_until_a_time(simulate):
    journey = linear_journey(count=1)
    journey["nodes"]["wait"] = {"type": "wait", "until": "24h", "next": "send"}
    result = simulate(scenario(journey, platform="simon-data", duration="3d", report_every="1h",
                               timeline=[{"at": "12h", "pause": {"journeys": ["j"]}}, resume("36h")]))
    assert result.events.query("event == 'action'").t_s.tolist() == [48 * 3600.0]


def test_at_stop_exit_skips_the_action_and_leaves_the_journey(simulate):
    """Dittofeed: a message node of a paused journey fails and the user goes to the exit node."""
    s = run(simulate, "dittofeed")
    assert s["skipped"] == {"send": 10} and s["actions"] == {"send": 54}
    assert s["exited"]["end"] == 64 and s["discarded"]["paused_entry"] == 36


# ----------------------------------------------------------------- one scenario per preset (V1)

def test_V1_ajo_holds_at_the_action_and_releases_at_5000_per_s(simulate):
    s = run(simulate, "ajo")
    assert s["pauses"][0]["held_at_resume"] == 10 and s["actions"] == {"send": 64}
    assert s["pauses"][0]["drain_s"] == 1 and s["discarded"]["paused_entry"] == 36


def test_V1_ajo_2026_holds_update_profile_nodes_like_actions(simulate):
    journey = linear_journey()
    journey["nodes"]["wait"]["next"] = "mark"
    journey["nodes"]["mark"] = {"type": "update_profile", "set": {"flag": True}, "next": "send"}
    for platform, node in (("ajo", "send"), ("ajo-2026", "mark")):
        ev = simulate(scenario(journey, timeline=PAUSED, platform=platform)).events
        held = ev[ev.event == "held"]
        assert len(held) == 10 and set(held.node) == {node}, platform


def test_V1_ajo_2026_an_event_after_a_held_action_discards_the_event_not_the_profile(simulate):
    opened = {"opened": {"type": "reaction", "to": "send", "chance": 1.0, "delay": {"fixed": "10s"},
                         "timeout": "1000s", "next": "done", "on_timeout": "done"}}
    journey = linear_journey(after_action=opened)
    ajo = run(simulate, "ajo", journeys=[journey])
    new = run(simulate, "ajo-2026", journeys=[journey])
    # the 10 held at the send open 10 s after reaching it (A6 model), while held
    assert ajo["discarded"]["event_while_held"] == 10 and ajo["actions"] == {"send": 54}
    assert new["discarded"]["event_while_held"] == 0 and new["actions"] == {"send": 64}


def test_V1_sfmc_keeps_contacts_where_they_are(simulate):
    timeline = [{"at": "300s", "pause": {"journey": "j", "versionNumber": 1}}, {"at": "600s", "resume": {"journey": "j", "versionNumber": 1}}]
    result = simulate(scenario(timeline=timeline, platform="sfmc"))
    s = summary_of(result)
    assert s["pauses"][0]["held_at_resume"] == 10 and s["actions"] == {"send": 64}
    held = result.events.query("event == 'held'")
    assert set(held.node) == {"wait"} and sorted(held.t_s) == [float(t) for t in range(300, 400, 10)]


@pytest.mark.parametrize("platform", ["braze", "moengage", "airship"])
def test_V1_V4_braze_moengage_airship_drop_users_whose_step_came_due(simulate, platform):
    """Paused 300-350 s: users whose wait ends during the pause leave (discard_mode, 5); those ending
    after it are sent on schedule (at 350..390 s)."""
    timeline = [{"at": "300s", "pause": {"journeys": ["j"]}}, resume("350s")]
    result = simulate(scenario(timeline=timeline, platform=platform))
    s = summary_of(result)
    assert s["discarded"]["discard_mode"] == 5 and s["actions"] == {"send": 84}
    ev = result.events
    assert set(ev[(ev.event == "action") & (ev.t_s >= 350) & (ev.t_s < 400)].t_s) == {350.0, 360.0, 370.0, 380.0, 390.0}


def test_V1_V3_hubspot_skips_actions_and_enrols_those_meeting_the_criteria_at_turn_on(simulate):
    s = run(simulate, "hubspot")
    assert s["skipped"] == {"send": 10} and s["actions"] == {"send": 90}
    assert s["entered"] == 100 and s["discarded"]["paused_entry"] == 0


def test_V1_V5_klaviyo_manual_parks_entries_flow_in_and_only_send_all_sends(simulate):
    """Entries keep coming (assumed): arrivals 200..490 s reach the Manual message during the pause (30 parked);
    after the switch back to Live the others are sent; Send All at 1000 s sends the 30."""
    s = run(simulate, "klaviyo")
    assert s["pauses"][0]["parked_at_end"] == 30 and s["actions"] == {"send": 70} and s["entered"] == 100
    sent = run(simulate, "klaviyo", timeline=PAUSED + [{"at": "1000s", "release_parked": {"journeys": ["j"]}}])
    assert sent["actions"] == {"send": 100} and sent["pauses"][0]["parked_released"] == 30


def test_V1_V5_customerio_parks_and_drops_entries(simulate):
    s = run(simulate, "customerio")
    assert s["pauses"][0]["parked_at_end"] == 10 and s["discarded"]["paused_entry"] == 36 and s["actions"] == {"send": 54}


def test_V1_pinpoint_and_simon_data_stop_where_they_are_and_drop_entries(simulate):
    for platform in ("pinpoint", "simon-data"):
        s = run(simulate, platform)
        # in the wait at 300 s: arrivals 200..290 (10, frozen, the one due at 300 s included); none held
        assert s["pauses"][0]["waits_extended"] == 10 and s["pauses"][0]["held_at_resume"] == 0, platform
        assert s["discarded"]["paused_entry"] == 36 and s["actions"] == {"send": 64}, platform


def test_V1_V6_V7_blueshift_skips_sends_due_before_the_relaunch_and_requalifies_entries(simulate):
    s = run(simulate, "blueshift")
    assert s["pauses"][0]["held_at_resume"] == 10 and s["pauses"][0]["skipped_late"] == 10
    assert s["skipped"] == {"send": 10} and s["actions"] == {"send": 90}
    assert s["entered"] == 100 and s["pauses"][0]["entered_from_queue"] == 36


def test_V1_V6_blueshift_sends_users_whose_delay_ends_after_the_relaunch(simulate):
    """Paused 300-350 s: only the 5 whose wait ended during the pause are skipped."""
    s = run(simulate, "blueshift", timeline=[{"at": "300s", "pause": {"journeys": ["j"]}}, resume("350s")])
    assert s["skipped"] == {"send": 5} and s["actions"] == {"send": 95}


# ----------------------------------------------------------------- B1

def test_B1_blueshift_refuses_to_pause_completed_or_archived_campaigns_and_unknown_ones():
    assert blueshift.pause_refusal("launched", "c1") is None
    assert blueshift.pause_refusal("paused", "c1") is None
    for status in ("completed", "archived"):
        code, body = blueshift.pause_refusal(status, "c1")
        assert code == 422 and "cannot be paused due to its current status" in body["error"]
    code, body = blueshift.pause_refusal(None, "nope")
    assert code == 404 and body["error"].startswith("Not Found - The specified campaign was not found")
    assert blueshift.campaign_status("stopped") == "completed" and blueshift.campaign_status("live") == "launched"


def test_B1_a_scenario_pausing_a_stopped_blueshift_campaign_is_refused_with_422(simulate):
    timeline = [{"at": "300s", "stop": {"journeys": ["j"]}}, {"at": "400s", "pause": {"journeys": ["j"]}}]
    with pytest.raises(ScenarioError, match="Blueshift answers 422 Unprocessable Entity"):
        simulate(scenario(timeline=timeline, platform="blueshift"))
    with pytest.raises(ScenarioError, match="Blueshift answers 404 Not Found"):
        simulate(scenario(timeline=[{"at": "300s", "pause": {"journeys": ["nope"]}}], platform="blueshift"))
