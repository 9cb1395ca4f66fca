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
