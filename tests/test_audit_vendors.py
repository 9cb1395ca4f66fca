"""An independent hand-computed check of the platform presets (vendors.md, behaviors.md V1-V8).

Each test names the behaviour it checks and the numbers worked out by hand from the vendor
documents; each failed on the engine before the fix it comes with.
"""

from __future__ import annotations

from conftest import linear_journey, resume, scenario


def summary_of(result, key="j"):
    return result.summary["journeys"][key]


def read_journey(at: str = "200s", rate: str = "1/s") -> dict:
    """A one-off read of the whole population (40) at ``at``, 1 profile a second, a 100 s wait, a send."""
    journey = linear_journey()
    journey["nodes"]["entry"] = {"type": "read_audience", "audience": "all", "schedule": {"at": at},
                                 "read_rate": rate, "next": "wait"}
    return journey


def test_V1_R2_klaviyo_entries_flow_in_while_manual_a_read_during_the_pause_is_not_skipped(simulate):
    """Klaviyo (entry_while_paused: enter, assumed): entries flow in while the message is Manual and park
    there. A read of 40 at 200 s (paused 150-320 s) lets them in at 201..240 s (1/s); their 100 s wait ends
    at 301..340 s: the 19 reaching the message before the switch back to Live (301..319 s) park, the 21
    from 320 s on are sent. The engine skipped the read as R2 does for AJO (0 entered, 0 sent)."""
    timeline = [{"at": "150s", "pause": {"journeys": ["j"]}}, resume("320s")]
    result = simulate(scenario(read_journey(), timeline=timeline, platform="klaviyo", size=40, duration="1000s"))
    s = summary_of(result)
    assert s["arrived"] == 40 and s["entered"] == 40 and s["skipped_reads_at_s"] == []
    assert s["pauses"][0]["parked_at_end"] == 19 and s["in_journey_at_end"] == 19
    assert s["actions"] == {"send": 21} and s["exited"]["end"] == 21
    sends = sorted(result.events[result.events.event == "action"].t_s.tolist())
    assert sends == [float(t) for t in range(320, 341)]


def test_R2_a_read_during_an_ajo_pause_is_still_skipped(simulate):
    """R2 unchanged where entries are dropped: the same read under ajo is skipped (nothing enters)."""
    timeline = [{"at": "150s", "pause": {"journeys": ["j"]}}, resume("320s")]
    s = summary_of(simulate(scenario(read_journey(), timeline=timeline, platform="ajo", size=40, duration="1000s")))
    assert s["arrived"] == 0 and s["skipped_reads_at_s"] == [200] and s["actions"] == {"send": 0}


def test_V1_event_while_held_is_marked_assumed_where_a_preset_holds_and_no_source_says_it():
    """V1: a switch no source documents is marked assumed. Only AJO's page says what an event does to
    a held profile (A4, A6, E5; AJO 2026: the event is dropped); SFMC already marks it. Klaviyo and
    Customer.io (park), Pinpoint and Simon Data (hold where they are) and Blueshift (hold at the send)
    keep profiles held too, and none of their sources speaks of events: the engine discards the profile
    (their value), which `journeysim presets` showed as documented."""
    from journeysim.model.presets import PRESETS

    for name in ("sfmc", "klaviyo", "customerio", "pinpoint", "simon-data", "blueshift"):
        assert PRESETS[name].is_assumed("event_while_held"), name
    for name in ("ajo", "ajo-2026"):
        assert not PRESETS[name].is_assumed("event_while_held"), name


def test_V1_A6_klaviyo_a_reaction_firing_while_parked_discards_the_profile(simulate):
    """What the assumed value does, by hand: 40 arrivals every 10 s, a 100 s wait, the send, then a
    reaction to it (always, 100 s after the profile reached the send; 200 s timeout). Paused 150-300 s:
    the 15 reaching the Manual send at 150..290 s park; their reactions fire at 250..390 s, all while
    parked: 15 discarded (event_while_held); the 25 others are sent and exit (end)."""
    journey = linear_journey(count=40, after_action={
        "opened": {"type": "reaction", "to": "send", "chance": 1.0, "delay": {"fixed": "100s"},
                   "timeout": "200s", "next": "done", "on_timeout": "done"}})
    timeline = [{"at": "150s", "pause": {"journeys": ["j"]}}, resume("300s")]
    s = summary_of(simulate(scenario(journey, timeline=timeline, platform="klaviyo", size=40, duration="1000s")))
    assert s["discarded"]["event_while_held"] == 15 and s["actions"] == {"send": 25}
    assert s["exited"]["end"] == 25 and s["in_journey_at_end"] == 0


def test_V9_compare_verdict_names_the_users_a_guardrail_stop_removed(simulate, tmp_path):
    """V9, S4: paused at 300 s with PausedDays 1 and GuardrailAction Stop (100 arrivals every 10 s, a
    100 s wait, a send): the journey is stopped at 86,700 s. Klaviyo lets every entry in: the 20 arriving
    before 200 s are sent, the 80 reaching the Manual send from 300 s on park and the stop removes them.
    AJO holds the 10 reaching the send at 300..390 s (removed by the stop) and turns away the 70 arriving
    from 300 s. The verdict said of Klaviyo 'the pause changed nothing anyone would see'."""
    import pandas as pd
    from click.testing import CliRunner

    from journeysim.cli import main

    timeline = [{"at": "300s", "pause": {"journey": "j", "body": {"PausedDays": 1, "GuardrailAction": "Stop"}}}]
    path = simulate.write(scenario(timeline=timeline, platform="ajo", duration="2d"))
    out = tmp_path / "cmp"
    result = CliRunner().invoke(main, ["compare", str(path), "--presets", "klaviyo,ajo", "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "comparison.csv", index_col="figure")
    assert table.loc["exited.stopped"].astype(int).tolist() == [80, 10]
    assert table.loc["actions executed"].astype(int).tolist() == [20, 20]
    assert table.loc["verdict", "klaviyo"] == "80 users were removed when the journey was stopped"
    assert table.loc["verdict", "ajo"] == "70 entries were turned away; 10 users were removed when the journey was stopped"


def test_S7_S3_extend_by_paused_days_without_PausedDays_extends_by_the_default_14_days(simulate):
    """S7 (newer reference: waits extended by PausedDays) with S3 (PausedDays defaults to 14): 40 arrivals
    every 10 s, a 100 s wait, paused 150-300 s with ExtendWaitEndDates and no PausedDays. The 10 waits in
    progress at the pause (ending 150..240 s) end 14 days (1,209,600 s) later: sends at 1,209,750..1,209,840 s.
    The engine extended them by the actual 150 s pause instead (sends at 300..390 s), as if the switch
    were extend_by_pause; with PausedDays: 1 named it already extended by 86,400 s."""
    timeline = [{"at": "150s", "pause": {"journey": "j", "versionNumber": 1, "body": {"ExtendWaitEndDates": True}}},
                {"at": "300s", "resume": {"journey": "j", "versionNumber": 1}}]
    doc = scenario(linear_journey(count=40), timeline=timeline, platform="sfmc", size=40, duration="20d",
                   policy={"wait_clock": "extend_by_paused_days"})
    result = simulate(doc)
    s = summary_of(result)
    assert s["pauses"][0]["waits_extended"] == 10 and s["actions"] == {"send": 19}
    sends = sorted(result.events[result.events.event == "action"].t_s.tolist())
    assert sends == [100.0, 110.0, 120.0, 130.0, 140.0, 460.0, 470.0, 480.0, 490.0] + [
        1_209_600.0 + t for t in range(150, 250, 10)]
    doc["timeline"][0]["pause"]["body"]["PausedDays"] = 1
    one_day = sorted(simulate(doc).events.query("event == 'action'").t_s.tolist())
    assert one_day[-10:] == [86_400.0 + t for t in range(150, 250, 10)]


def test_V5_klaviyo_send_all_after_two_pauses_credits_each_pause_with_the_profiles_it_parked(simulate):
    """V5: parked_released is 'profiles parked by this pause that a release_parked released'. 60 arrivals
    every 10 s, a 100 s wait; the message is Manual 150-200 s and 400-500 s; Send All at 600 s (5,000/s:
    everyone at 601 s). Pause 1 parked the 5 reaching the send at 150..190 s (sent 451..411 s late), pause 2
    the 10 reaching it at 400..490 s (201..111 s late). The engine credited all 15 and their delays to the
    latest pause (parked_released 0 and 15; pause 2's longest delay 451 s)."""
    timeline = [{"at": "150s", "pause": {"journeys": ["j"]}}, resume("200s"),
                {"at": "400s", "pause": {"journeys": ["j"]}}, resume("500s"),
                {"at": "600s", "release_parked": {"journeys": ["j"]}}]
    doc = scenario(linear_journey(count=60), timeline=timeline, platform="klaviyo", size=60, duration="1500s")
    s = summary_of(simulate(doc))
    assert s["actions"] == {"send": 60} and s["in_journey_at_end"] == 0
    first, second = s["pauses"]
    assert (first["parked_released"], second["parked_released"]) == (5, 10)
    assert (first["sent_after_hold"], second["sent_after_hold"]) == (5, 10)
    assert first["send_delay_s"] == {"p50": 431.0, "p95": 449.0, "max": 451.0}
    assert second["send_delay_s"] == {"p50": 156.0, "p95": 196.5, "max": 201.0}


def _two_close_pauses(body: dict | None = None) -> list:
    first = {"journeys": ["j"], **({"body": body} if body else {})}
    return [{"at": "150s", "pause": first}, resume("300s"),
            {"at": "330s", "pause": dict(first)}, resume("600s")]


def test_S5_sfmc_retained_entries_waiting_for_the_reopen_stay_queued_through_a_second_pause(simulate):
    """S5 (P2: nothing enters a paused journey): 40 arrivals every 10 s, a 100 s wait; RetainContactInjection,
    paused 150-300 s and again 330-600 s. The 15 retained in pause 1 enter at 300 s; the 3 arriving at
    300..320 s wait for the reopen (360 s), but the journey is paused again at 330 s: they stay queued and
    enter at the resume (600 s) with the 7 arriving at 330..390 s (entered_from_queue 10). At 330 s only the
    15 entered at 300 s are inside: their waits end during pause 2 (held_at_resume 15). The engine let the
    3 into the paused journey at 360 s (entered_from_queue 7, held_at_resume 18)."""
    doc = scenario(linear_journey(count=40), timeline=_two_close_pauses({"RetainContactInjectionWhileJourneyPaused": True}),
                   platform="sfmc", size=40, duration="1500s")
    for item in doc["timeline"]:
        next(iter(v for k, v in item.items() if k != "at"))["versionNumber"] = 1
    result = simulate(doc)
    s = summary_of(result)
    second = s["pauses"][1]
    assert (second["entered_from_queue"], second["held_at_resume"]) == (10, 15)
    assert s["entered"] == 40 and s["actions"] == {"send": 40}
    ev = result.events
    entries = ev[(ev.event == "entered") & (ev.node == "entry")].t_s
    assert int((entries == 600).sum()) == 10 and not ((entries > 330) & (entries < 600)).any()


def test_V7_blueshift_requalified_entries_waiting_for_the_reopen_wait_for_the_next_resume(simulate):
    """V7, V6: the same two pauses under blueshift. The 15 arriving in pause 1 and the 3 at 300..320 s wait
    for the reopen at 360 s; paused again at 330 s, they and the 7 arriving at 330..390 s enter at pause 2's
    reopen (660 s) and are sent at 760 s: 25 + the 5 sent before pause 1 = 30 sends; only pause 1's 10 held
    sends are skipped as late. The engine let the 18 into the paused journey at 360 s, held them at the send
    and skipped them at 600 s (sends 12, skipped 28)."""
    s = summary_of(simulate(scenario(linear_journey(count=40), timeline=_two_close_pauses(), platform="blueshift",
                                     size=40, duration="1500s")))
    assert s["actions"] == {"send": 30} and s["skipped"] == {"send": 10}
    assert [p["entered_from_queue"] for p in s["pauses"]] == [0, 25]
    assert [p["held_at_resume"] for p in s["pauses"]] == [10, 0]


def test_V9_V7_compare_keeps_entries_queued_at_the_end_out_of_in_journey_at_end(simulate, tmp_path):
    """V9, V7: 100 arrivals every 10 s, a 100 s wait, paused at 300 s and never resumed (2,000 s).
    HubSpot lets in the 30 arriving before 300 s (20 sent, 10 skipped) and keeps the 70 later arrivals
    waiting for a turn-on that never comes: 0 in the journey, 70 queued (never entered). AJO holds 10
    and drops the 70. The table's 'in journey at end' said 70 for HubSpot (queued entries added in)."""
    import pandas as pd
    from click.testing import CliRunner

    from journeysim.cli import main

    path = simulate.write(scenario(timeline=[{"at": "300s", "pause": {"journeys": ["j"]}}], platform="ajo"))
    out = tmp_path / "cmp"
    result = CliRunner().invoke(main, ["compare", str(path), "--presets", "hubspot,ajo", "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "comparison.csv", index_col="figure")
    assert table.loc["entered"].astype(int).tolist() == [30, 30]
    assert table.loc["in journey at end"].astype(int).tolist() == [0, 10]
    assert table.loc["queued at end"].astype(int).tolist() == [70, 0]
    assert table.loc["discarded.paused_entry"].astype(int).tolist() == [0, 70]
