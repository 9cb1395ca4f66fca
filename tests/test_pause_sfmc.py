"""SFMC pause semantics (sfmc-pause-journey-api.txt): S1-S9, and the pause policy switches (V2)."""

import pytest
from click.testing import CliRunner
from conftest import SPEC_EXAMPLES

from journeysim.cli import main

DAY = 86400


def welcome(key="w", version=1, every="1h", count=24, wait="2d"):
    """joined (hourly for a day) -> welcome email -> wait 2 d -> tips email."""
    return {"key": key, "version": version, "start": "joined", "nodes": {
        "joined": {"type": "event", "arrivals": {"every": every, "count": count}, "next": "welcome"},
        "welcome": {"type": "action", "channel": "email", "next": "wait"},
        "wait": {"type": "wait", "duration": {"fixed": wait}, "next": "tips"},
        "tips": {"type": "action", "channel": "email", "next": "done"},
        "done": {"type": "end"}}}


def sfmc(*journeys, timeline, duration="10d", **top):
    doc = {"name": "sfmc", "seed": 3, "platform": "sfmc", "duration": duration, "report_every": "1h",
           "population": {"size": 1000, "attributes": {"tier": {"choice": {"gold": 0.5, "bronze": 0.5}}}},
           "journeys": list(journeys) or [welcome()], "timeline": timeline}
    doc.update(top)
    return doc


def sfmc_pause(at, body, key="w", **target):
    target = target or {"versionNumber": 1}
    return {"at": at, "pause": {"journey": key, **target, "body": body}}


def tips_times(result):
    ev = result.events
    return ev[(ev.event == "action") & (ev.node == "tips")].sort_values("t_s").t_s.tolist()


def test_S1_a_pause_without_version_or_all_versions_is_refused_with_10005(simulate, tmp_path):
    """S1: a pause without version or all versions is refused with 10005."""
    doc = sfmc(timeline=[{"at": "1d", "pause": {"journey": "w", "body": {"PausedDays": 1}}}])
    path = simulate.write(doc)
    out = CliRunner().invoke(main, ["validate", str(path)])
    assert out.exit_code == 2
    assert "errorcode 10005: AllVersions=true or VersionNumber required." in out.output


def test_S1_J3_all_versions_pauses_every_version_and_a_version_number_one(simulate):
    """S1, J3: all versions pauses every version and a version number one."""
    journeys = [welcome(version=1), welcome(version=2)]
    both = simulate(sfmc(*journeys, timeline=[sfmc_pause("3h", {"PausedDays": 1}, allVersions=True)]))
    one = simulate(sfmc(*journeys, timeline=[sfmc_pause("3h", {"PausedDays": 1}, versionNumber=2)]))
    assert [len(j["pauses"]) for j in both.summary["journeys"].values()] == [1, 1]
    assert {k: len(j["pauses"]) for k, j in one.summary["journeys"].items()} == {"w@v1": 0, "w@v2": 1}


def test_S2_S7_extend_wait_end_dates_pushes_waits_back_by_the_pause(simulate):
    """S2, S7: extend wait end dates pushes waits back by the pause."""
    base = {"PausedDays": 2, "GuardrailAction": "Resume"}
    plain = simulate(sfmc(timeline=[sfmc_pause("1d", base)]))
    extended = simulate(sfmc(timeline=[sfmc_pause("1d", {**base, "ExtendWaitEndDates": True})]))
    # profile k joins at k h, waits 2 d: end 2 d + k h lies in the 1 d..3 d pause for every k
    assert tips_times(plain) == [3 * DAY] * 24  # S6: stayed at the wait, moved on at the resume
    assert tips_times(extended) == [4 * DAY + k * 3600 for k in range(24)]
    assert extended.summary["journeys"]["w"]["pauses"][0]["waits_extended"] == 24


def test_S7_the_extension_can_use_PausedDays_instead_of_the_pause_period(simulate):
    """S7: the extension can use PausedDays instead of the pause period."""
    body = {"PausedDays": 5, "GuardrailAction": "Resume", "ExtendWaitEndDates": True}
    timeline = [sfmc_pause("1d", body), {"at": "2d", "resume": {"journey": "w", "versionNumber": 1}}]
    by_pause = simulate(sfmc(timeline=timeline))
    by_days = simulate(sfmc(timeline=timeline, policy={"wait_clock": "extend_by_paused_days"}))
    assert tips_times(by_pause)[0] == 2 * DAY + 1 * DAY
    assert tips_times(by_days)[0] == 2 * DAY + 5 * DAY


def test_S3_S8_paused_days_sets_the_pause_length_and_guardrail_resume_resumes(simulate):
    """S3, S8: paused days sets the pause length and guardrail resume resumes."""
    s = simulate(sfmc(timeline=[sfmc_pause("1d", {"PausedDays": 3, "GuardrailAction": "Resume"})])).summary
    p = s["journeys"]["w"]["pauses"][0]
    assert p["resumed_at_s"] == 4 * DAY and p["resumed_by"] == "auto"


def test_S4_guardrail_stop_ends_the_journey_and_every_contact_exits(simulate):
    """S4: guardrail stop ends the journey and every contact exits."""
    s = simulate(sfmc(timeline=[sfmc_pause("1d", {"PausedDays": 1, "GuardrailAction": "Stop"})])).summary["journeys"]["w"]
    assert s["status_at_end"] == "stopped" and s["exited"]["stopped"] == 24 and s["in_journey_at_end"] == 0


def test_S8_guardrail_none_stays_paused(simulate):
    """S8: guardrail none stays paused."""
    s = simulate(sfmc(timeline=[sfmc_pause("1d", {"PausedDays": 1, "GuardrailAction": "None"})])).summary["journeys"]["w"]
    assert s["status_at_end"] == "paused" and s["pauses"][0]["resumed_at_s"] is None
    assert s["in_journey_at_end"] == 24


@pytest.mark.parametrize("body, message", [
    ({"PausedDays": 15}, "PausedDays is a whole number of days from 1 to 14"),
    ({"PausedDays": "3"}, "PausedDays must be an integer"),
    ({"GuardrailAction": "Pause"}, "GuardrailAction is Resume, Stop or None"),
    ({"PauseDays": 3}, "unknown field 'PauseDays'"),
])
def test_S8_bad_request_bodies_are_refused(simulate, body, message):
    """S8: bad request bodies are refused."""
    path = simulate.write(sfmc(timeline=[sfmc_pause("1d", body)]))
    out = CliRunner().invoke(main, ["validate", str(path)])
    assert out.exit_code == 2 and message in out.output


def test_S5_retained_contacts_are_queued_and_enter_at_resume(simulate):
    """S5: retained contacts are queued and enter at resume."""
    journey = welcome(every="1h", count=72)
    body = {"PausedDays": 1, "GuardrailAction": "Resume"}
    dropped = simulate(sfmc(journey, timeline=[sfmc_pause("1d", body)])).summary["journeys"]["w"]
    kept = simulate(sfmc(journey, timeline=[sfmc_pause("1d", {**body, "RetainContactInjectionWhileJourneyPaused": True})]))
    s = kept.summary["journeys"]["w"]
    # joined at 24 h..47 h: paused; at 48 h: the resume, inside the 60 s before entries reopen (R5)
    assert dropped["discarded"]["paused_entry"] == 25 and dropped["entered"] == 47
    assert s["discarded"]["paused_entry"] == 0 and s["entered"] == 72
    assert s["pauses"][0]["entered_from_queue"] == 24
    ev = kept.events
    door = ev[(ev.event == "entered") & (ev.node == "joined")].t_s
    assert (door == 2 * DAY).sum() == 24 and (door == 2 * DAY + 60).sum() == 1


def test_S5_queued_entries_left_at_the_end_are_counted(simulate):
    """S5: queued entries left at the end are counted."""
    body = {"PausedDays": 5, "GuardrailAction": "Resume", "RetainContactInjectionWhileJourneyPaused": True}
    s = simulate(sfmc(welcome(count=72), timeline=[sfmc_pause("1d", body)], duration="2d")).summary["journeys"]["w"]
    assert s["queued_at_end"] == 25 and s["arrived"] == 49 and s["entered"] == 24  # joined at 0 h..48 h


def test_S6_contacts_stay_where_they_are_while_paused(simulate):
    """S6: contacts stay where they are while paused."""
    result = simulate(sfmc(timeline=[sfmc_pause("1d", {"PausedDays": 2, "GuardrailAction": "Resume"})]))
    ev = result.events
    sends = ev[ev.event == "action"].t_s
    assert not ((sends >= DAY) & (sends < 3 * DAY)).any()
    held = ev[ev.event == "held"]
    assert set(held.node) == {"wait"} and len(held) == 24


def test_S9_resume_of_a_journey_that_is_not_paused_answers_10000(simulate):
    """S9: resume of a journey that is not paused answers 10000."""
    path = simulate.write(sfmc(timeline=[{"at": "1d", "resume": {"journey": "w", "versionNumber": 1}}]))
    out = CliRunner().invoke(main, ["validate", str(path)])
    assert out.exit_code == 2 and "errorcode 10000: An interaction must be in paused status to be resumed." in out.output


def test_S9_stop_ejects_every_contact_and_a_stopped_version_cannot_be_resumed(simulate):
    """S9: stop ejects every contact and a stopped version cannot be resumed."""
    stop = {"at": "1d 12h", "stop": {"journey": "w", "versionNumber": 1}}
    s = simulate(sfmc(timeline=[stop])).summary["journeys"]["w"]
    assert s["exited"]["stopped"] == 24 and s["status_at_end"] == "stopped"
    path = simulate.write(sfmc(timeline=[stop, {"at": "2d", "resume": {"journey": "w", "versionNumber": 1}}]))
    out = CliRunner().invoke(main, ["validate", str(path)])
    assert out.exit_code == 2 and "it is stopped" in out.output


def test_V2_a_scenario_may_override_single_switches(simulate):
    """V2: a scenario may override single switches."""
    body = {"PausedDays": 2, "GuardrailAction": "Resume"}
    anywhere = simulate(sfmc(timeline=[sfmc_pause("1d", body)]))
    at_action = simulate(sfmc(timeline=[sfmc_pause("1d", body)], policy={"stop_point": "action"}))
    assert set(anywhere.events[anywhere.events.event == "held"].node) == {"wait"}
    assert set(at_action.events[at_action.events.event == "held"].node) == {"tips"}
    assert at_action.summary["policy"]["stop_point"] == "action" and anywhere.summary["policy"]["stop_point"] == "anywhere"


def test_the_sfmc_example_runs_and_extends_waits(simulate):
    import yaml
    data = yaml.safe_load((SPEC_EXAMPLES / "sfmc-extend-waits.yaml").read_text())
    s = simulate(data, events=False).summary
    p = s["journeys"]["welcome-series"]["pauses"][0]
    assert p["resumed_by"] == "auto" and p["resumed_at_s"] == 6 * DAY
    assert p["waits_extended"] > 0 and p["entered_from_queue"] > 0 and s["conservation"]["ok"]
