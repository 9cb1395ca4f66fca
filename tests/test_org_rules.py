"""The org around a pause: business rules (L6), the live-journey quota (L4), engageable
profiles (L5), entry events per second (L9), the two report views (L16) and versions (S10)."""

from conftest import linear_journey, pause, resume, scenario

EMAIL_TWICE_A_DAY = [{"channel": "email", "max": 2, "per": "1d"}]


def three_sends(wait: str = "1h", channels=("email", "email", "email"), every="60s", count=10) -> dict:
    """event -> m1 -> wait -> m2 -> m3 -> end, all sends of type action."""
    return {"key": "j", "start": "entry", "nodes": {
        "entry": {"type": "event", "arrivals": {"every": every, "count": count}, "next": "m1"},
        "m1": {"type": "action", "channel": channels[0], "next": "w"},
        "w": {"type": "wait", "duration": {"fixed": wait}, "next": "m2"},
        "m2": {"type": "action", "channel": channels[1], "next": "m3"},
        "m3": {"type": "action", "channel": channels[2], "next": "done"},
        "done": {"type": "end"}}}


def read_once(key: str, sends: int, at: str = "0s", rate: str = "5000/s") -> dict:
    nodes = {"read": {"type": "read_audience", "schedule": {"at": at}, "read_rate": rate, "next": "m1"}}
    for i in range(1, sends + 1):
        nodes[f"m{i}"] = {"type": "action", "channel": "email", "next": f"m{i + 1}" if i < sends else "done"}
    nodes["done"] = {"type": "end"}
    return {"key": key, "start": "read", "nodes": nodes}


def test_L6_a_send_over_the_cap_is_suppressed_and_the_profile_goes_on(simulate):
    """Two emails in the first hour use the cap of 2 a day: the third is capped, the profile still ends."""
    result = simulate(scenario(three_sends(), duration="1d", org={"business_rules": EMAIL_TWICE_A_DAY}))
    j = result.summary["journeys"]["j"]
    assert j["actions"] == {"m1": 10, "m2": 10, "m3": 0}
    assert j["capped"] == {"m1": 0, "m2": 0, "m3": 10}
    assert j["exited"]["end"] == 10 and j["in_journey_at_end"] == 0
    ev = result.events
    assert (ev.event == "capped").sum() == 10 and set(ev[ev.event == "capped"].node) == {"m3"}
    assert result.summary["org"]["capped"] == 10


def test_L6_the_window_rolls(simulate):
    """m1 at t, m2 and m3 at t + wait. With a 1-day wait m1 has left the window (t <= t + 1d - 1d):
    m3 goes. One second less and m1 is still in it: m3 is capped."""
    day = simulate(scenario(three_sends("1d"), duration="3d", org={"business_rules": EMAIL_TWICE_A_DAY}))
    assert day.summary["journeys"]["j"]["actions"] == {"m1": 10, "m2": 10, "m3": 10}
    short = simulate(scenario(three_sends("86399s"), duration="3d", org={"business_rules": EMAIL_TWICE_A_DAY}))
    assert short.summary["journeys"]["j"]["actions"] == {"m1": 10, "m2": 10, "m3": 0}


def test_L6_a_rule_caps_its_channel_and_all_caps_every_channel(simulate):
    """email, sms, email: an email rule of 1 a day caps only the second email; a rule for every
    channel (channel omitted) of 2 a day caps the third send, whatever its channel."""
    journey = three_sends(channels=("email", "sms", "email"))
    email = simulate(scenario(journey, duration="1d", org={"business_rules": [{"channel": "email", "max": 1, "per": "1d"}]}))
    assert email.summary["journeys"]["j"]["capped"] == {"m1": 0, "m3": 10}
    every = simulate(scenario(journey, duration="1d", org={"business_rules": [{"max": 2, "per": "1d"}]}))
    assert every.summary["journeys"]["j"]["capped"] == {"m1": 0, "m2": 0, "m3": 10}


def test_L6_several_rules_a_send_must_pass_every_one(simulate):
    """email 3 a day and any channel 1 an hour: m2 and m3 come an hour after m1 at the same tick;
    m2 passes both, m3 is over the hourly rule. A capped send counts in no rule."""
    rules = [{"channel": "email", "max": 3, "per": "1d"}, {"channel": "all", "max": 1, "per": "1h"}]
    result = simulate(scenario(three_sends("1h"), duration="1d", org={"business_rules": rules}))
    assert result.summary["journeys"]["j"]["actions"] == {"m1": 10, "m2": 10, "m3": 0}


def test_L6_content_decisions_and_custom_actions_are_not_messages(simulate):
    journey = three_sends()
    journey["nodes"]["m2"]["type"] = "content_decision"
    journey["nodes"]["m3"]["type"] = "custom_action"
    result = simulate(scenario(journey, duration="1d", org={"business_rules": [{"max": 1, "per": "1d"}]}))
    assert result.summary["journeys"]["j"]["actions"] == {"m1": 10, "m2": 10, "m3": 10}
    assert result.summary["journeys"]["j"]["capped"] == {"m1": 0}


def test_L6_caps_count_sends_of_every_journey_in_the_order_of_the_clock(simulate):
    """Both journeys read all 10 profiles at 0 and enter them at 1 s; at that tick a's email and b's
    first go (step by step, nodes in file order), b's second is the third email of the day."""
    doc = scenario(read_once("a", 1), read_once("b", 2), size=10, duration="1h",
                   org={"business_rules": EMAIL_TWICE_A_DAY})
    s = simulate(doc).summary["journeys"]
    assert s["a"]["actions"] == {"m1": 10} and s["a"]["capped"] == {"m1": 0}
    assert s["b"]["actions"] == {"m1": 10, "m2": 0} and s["b"]["capped"] == {"m1": 0, "m2": 10}


def test_L6_held_sends_count_when_they_execute(simulate):
    """h: 50 profiles arrive every 10 s and reach its email 100 s later; paused at 150 s, 5 got it
    (arrived 0-40 s), 10 are held (50-140 s), 35 are dropped at the door. o reads all 50 at 600 s
    and emails them at 601 s. Cap: 1 email a day. At the 1000 s resume the 10 held emails go out
    behind o's: all capped; o's 5 to the profiles h emailed before the pause are capped."""
    h = linear_journey("h", every="10s", count=50, wait="100s")
    doc = scenario(h, read_once("o", 1, at="600s"), size=50, duration="2000s",
                   org={"business_rules": [{"channel": "email", "max": 1, "per": "1d"}]},
                   timeline=[pause("150s", ["h"]), resume("1000s", ["h"])])
    s = simulate(doc).summary["journeys"]
    assert s["h"]["pauses"][0]["held_at_resume"] == 10
    assert s["h"]["actions"] == {"send": 5} and s["h"]["capped"] == {"send": 10}
    assert s["h"]["pauses"][0]["capped_after_hold"] == 10 and s["h"]["pauses"][0]["sent_after_hold"] == 0
    assert s["o"]["actions"] == {"m1": 45} and s["o"]["capped"] == {"m1": 5}


def two_versions(every="10s", count=100, wait="3600s") -> tuple[dict, dict]:
    return (linear_journey("a", every=every, count=count, wait=wait),
            linear_journey("a", every=every, count=count, wait=wait, version=2))


def test_S10_a_published_version_takes_the_entries_and_the_old_one_finishes(simulate):
    """v1 takes the arrivals at 0-300 s (31); v2 is published at 305 s and takes those from 310 s
    (69). v1 is finishing from 305 s and finished when its last profile leaves (300 s + 1 h)."""
    doc = scenario(*two_versions(), duration="2h", size=1000, timeline=[{"at": "305s", "publish": {"journey": "a", "version": 2}}])
    s = simulate(doc).summary["journeys"]
    assert s["a@v1"]["arrived"] == 31 and s["a@v1"]["exited"]["end"] == 31
    assert s["a@v2"]["arrived"] == 69
    assert [(c["at_s"], c["status"]) for c in s["a@v1"]["status_changes"]] == [(0, "live"), (305, "finishing"), (3900, "finished")]
    assert [(c["at_s"], c["status"]) for c in s["a@v2"]["status_changes"]] == [(0, "draft"), (305, "live"), (4590, "finished")]
    assert s["a@v1"]["status_at_end"] == "finished"


def test_S10_an_sfmc_pause_with_allVersions_pauses_every_published_version(simulate):
    """Before the publish allVersions pauses v1 alone (v2 is a draft); after it, both."""
    body = {"PausedDays": 1, "GuardrailAction": "None"}
    timeline = [{"at": "100s", "pause": {"journey": "a", "allVersions": True, "body": body}},
                {"at": "200s", "resume": {"journey": "a", "allVersions": True}},
                {"at": "305s", "publish": {"journey": "a", "version": 2}},
                {"at": "400s", "pause": {"journey": "a", "allVersions": True, "body": body}}]
    s = simulate(scenario(*two_versions(), platform="sfmc", duration="2h", timeline=timeline)).summary["journeys"]
    assert [(c["at_s"], c["status"]) for c in s["a@v1"]["status_changes"]][:6] == [
        (0, "live"), (100, "paused"), (200, "resuming"), (200, "live"), (305, "finishing"), (400, "paused")]
    assert [(c["at_s"], c["status"]) for c in s["a@v2"]["status_changes"]] == [(0, "draft"), (305, "live"), (400, "paused")]


def test_L4_paused_journeys_use_the_live_journey_quota_and_a_publish_over_it_is_refused(simulate):
    """Quota 2, a@v1 and b live. a@v1 paused at 100 s still uses its place; publishing a@v2 at 500 s
    would leave it paused beside a live v2 and b: 3, refused, v2 stays a draft."""
    b = linear_journey("b")
    timeline = [{"at": "100s", "pause": {"journey": "a", "version": 1, "mode": "hold"}}, {"at": "500s", "publish": {"journey": "a", "version": 2}}]
    s = simulate(scenario(*two_versions(), b, timeline=timeline, org={"max_live_journeys": 2})).summary
    assert s["journeys"]["a@v2"]["status_at_end"] == "draft"
    assert "(L4)" in s["journeys"]["a@v2"]["refused_actions"][0]["reason"]
    assert "3 journey versions" in s["journeys"]["a@v2"]["refused_actions"][0]["reason"]
    assert s["journeys"]["a@v1"]["status_at_end"] == "paused"
    assert s["org"]["live_journeys_peak"] == 2


def test_L4_a_finishing_version_leaves_the_quota(simulate):
    """Quota 2, a@v1 live and b paused at 100 s: 2. Publishing a@v2 at 500 s turns v1 finishing (it
    no longer counts: live, paused and resuming versions do) and v2 live beside paused b: 2, allowed."""
    b = linear_journey("b")
    timeline = [pause("100s", ["b"]), {"at": "500s", "publish": {"journey": "a", "version": 2}}]
    s = simulate(scenario(*two_versions(), b, timeline=timeline, org={"max_live_journeys": 2})).summary
    assert s["journeys"]["a@v2"]["refused_actions"] == []
    assert [(c["at_s"], c["status"]) for c in s["journeys"]["a@v1"]["status_changes"]][:2] == [(0, "live"), (500, "finishing")]
    assert s["org"]["live_journeys_peak"] == 2
    once_more = simulate(scenario(*two_versions(), b, timeline=timeline, org={"max_live_journeys": 1})).summary
    assert "(L4)" in once_more["journeys"]["a@v2"]["refused_actions"][0]["reason"]


def test_L5_profiles_discarded_during_a_pause_are_engageable(simulate):
    """100 profiles arrive every 10 s; paused at 500 s for good, the 50 arriving from then are
    discarded at the door. All 100 are engageable."""
    result = simulate(scenario(linear_journey(count=100), size=1000, timeline=[pause("500s")]))
    assert result.summary["journeys"]["j"]["discarded"]["paused_entry"] == 50
    assert result.summary["org"]["engageable_profiles"] == 100


def test_L9_events_received_while_paused_count_towards_the_events_quota(simulate):
    """a: an event a second for 100 s; b: one a second for 50 s, paused from 10 s (its events are
    discarded, still received). Two a second for 50 s: over a quota of 1/s for 50 seconds."""
    doc = scenario(linear_journey("a", every="1s", count=100), linear_journey("b", every="1s", count=50),
                   org={"events_per_s_quota": "1/s"}, timeline=[pause("10s", ["b"])])
    s = simulate(doc).summary
    assert s["journeys"]["b"]["discarded"]["paused_entry"] == 40
    assert s["org"]["events_per_s_peak"] == 2 and s["org"]["seconds_over_events_quota"] == 50


def test_L16_read_audience_discards_are_in_the_step_events_not_in_the_journey_report(simulate):
    """100 profiles read at 0 s enter at 1 per second (1-100 s); paused at 50 s, the 51 still queued
    (50-100 s) are discarded: step events show them (in_report false), the report view does not."""
    journey = read_once("r", 1, rate="1/s")
    result = simulate(scenario(journey, size=100, duration="300s", timeline=[pause("50s", ["r"])]))
    j = result.summary["journeys"]["r"]
    assert j["discarded"]["read_queue"] == 51
    assert j["report_view"]["not_shown"] == {"read_queue": 51, "event_while_held": 0}
    assert "read_queue" not in j["report_view"]["discarded"]
    ev = result.events
    hidden = ev[~ev.in_report]
    assert len(hidden) == 51 and set(hidden.reason) == {"read_queue"} and set(hidden.event) == {"discarded"}


def test_L6_L16_the_report_shows_capped_held_sends_the_caps_figure_and_both_views(simulate, tmp_path):
    """The held-send scenario above, with its report: the pause row counts the 10 capped held
    sends, the caps figure is drawn, and the views table is there."""
    from journeysim.outputs.report import write_report_files

    h = linear_journey("h", every="10s", count=50, wait="100s")
    doc = scenario(h, read_once("o", 1, at="600s"), size=50, duration="2000s",
                   org={"business_rules": [{"channel": "email", "max": 1, "per": "1d"}]},
                   timeline=[pause("150s", ["h"]), resume("1000s", ["h"])])
    page = write_report_files(simulate(doc), tmp_path).read_text()
    assert "held sends capped" in page and "<td>10</td>" in page
    assert "0 sent, 10 suppressed by a business rule" in page
    assert "Business rules suppressed 15 sends (10 of them held sends): h 10, o 5." in page
    caps = page[page.index('<figure id="fig-caps">'):]
    assert 'aria-label="Sends per hour against the business rules"' in caps[:caps.index("</figure>")]
    assert "Step events and the journey report" in page and "15 sends suppressed by business rules" in page
