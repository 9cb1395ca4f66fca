"""Timeline ``contact_exit`` (SFMC's remove-contacts-from-journey, X1) and ``draft: true`` versions (S10).

The base journey (tests/conftest.py): one arrival every 10 s from 0 s (100 in all), a 100 s wait,
an email, the end. At 505 s the arrivals of 0..500 s (51) have entered; those of 0..400 s (41)
have left (each leaves 100 s after it arrives); those of 410..500 s (10) are in the wait.
"""

from __future__ import annotations

import yaml
from conftest import linear_journey, scenario
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_bad_input import assert_refused, invoke

import journeysim

EVERYONE = list(range(1000))  # every profile id of the 1000-profile population


def contact_exit(at: str, journey: str, profiles: list[int], version: int | None = None) -> dict:
    return {"at": at, "contact_exit": {"journey": journey, "profiles": profiles, **({"version": version} if version else {})}}


def two_versions(wait: str = "100s", **v2) -> tuple[dict, dict]:
    return linear_journey("a", wait=wait), {**linear_journey("a", wait=wait, version=2), **v2}


def test_X1_contact_exit_removes_the_named_profiles_inside_now(simulate):
    """Every profile is named at 505 s: the 10 in the wait exit (contact_exit), nobody else does; the
    49 arrivals of 510..990 s enter afterwards and run to the end (41 + 49 = 90 ends)."""
    result = simulate(scenario(linear_journey(), timeline=[contact_exit("505s", "j", EVERYONE)]))
    j = result.summary["journeys"]["j"]
    assert j["exited"]["contact_exit"] == 10 and j["exited"]["end"] == 90
    assert j["actions"] == {"send": 90}
    events = result.events
    removed = events[events["reason"] == "contact_exit"]
    assert len(removed) == 10 and set(removed["event"]) == {"exited"} and set(removed["t_s"]) == {505}
    assert set(removed["node"]) == {"wait"}


def test_X1_contact_exit_of_profiles_not_inside_changes_nothing(simulate):
    """The profiles of the arrivals that already left or have not arrived are named: nobody is inside."""
    plain = simulate(scenario(linear_journey()))
    entered = plain.events[plain.events["event"] == "entered"]
    outside = entered[(entered["t_s"] <= 400) | (entered["t_s"] >= 510)]["profile_id"].tolist()
    inside = set(entered[(entered["t_s"] >= 410) & (entered["t_s"] <= 500)]["profile_id"])
    outside = [p for p in outside if p not in inside]
    result = simulate(scenario(linear_journey(), timeline=[contact_exit("505s", "j", outside)]))
    assert result.summary["journeys"]["j"]["exited"]["contact_exit"] == 0
    assert result.summary["journeys"]["j"]["exited"]["end"] == 100


def test_S10_contact_exit_acts_on_every_version_or_the_one_named(simulate):
    """v2 is published at 305 s. At 355 s v1 holds the arrivals of 260..300 s (5) and v2 those of
    310..350 s (5). Without a version both lose theirs (v1 is then empty: finished at 355 s); with
    version 2 only v2 does."""
    publish = {"at": "305s", "publish": {"journey": "a", "version": 2}}
    every = simulate(scenario(*two_versions(), timeline=[publish, contact_exit("355s", "a", EVERYONE)])).summary["journeys"]
    assert every["a@v1"]["exited"]["contact_exit"] == 5 and every["a@v1"]["exited"]["end"] == 26
    assert every["a@v2"]["exited"]["contact_exit"] == 5 and every["a@v2"]["exited"]["end"] == 64
    assert [(c["at_s"], c["status"]) for c in every["a@v1"]["status_changes"]] == [(0, "live"), (305, "finishing"), (355, "finished")]
    one = simulate(scenario(*two_versions(), timeline=[publish, contact_exit("355s", "a", EVERYONE, version=2)])).summary["journeys"]
    assert one["a@v1"]["exited"]["contact_exit"] == 0 and one["a@v1"]["exited"]["end"] == 31
    assert one["a@v2"]["exited"]["contact_exit"] == 5 and one["a@v2"]["exited"]["end"] == 64


def test_S10_a_version_marked_draft_takes_no_entries_until_published(simulate):
    """``draft: true`` without a publish: v2 never takes an entry, v1 takes all 100. With a publish at
    305 s: the same as a publish alone (v1 31, v2 69)."""
    never = simulate(scenario(*two_versions(draft=True))).summary["journeys"]
    assert (never["a@v1"]["arrived"], never["a@v2"]["arrived"], never["a@v2"]["status_at_end"]) == (100, 0, "draft")
    publish = [{"at": "305s", "publish": {"journey": "a", "version": 2}}]
    marked = simulate(scenario(*two_versions(draft=True), timeline=publish)).summary
    plain = simulate(scenario(*two_versions(), timeline=publish)).summary
    assert (marked["journeys"]["a@v1"]["arrived"], marked["journeys"]["a@v2"]["arrived"]) == (31, 69)
    assert marked["journeys"] == plain["journeys"]


def test_X1_contact_exit_of_an_unknown_journey_is_refused_before_anything_runs(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(scenario(linear_journey(), timeline=[contact_exit("5s", "nope", [1])]), sort_keys=False))
    problems = assert_refused(invoke("validate", str(path)), path)
    assert any("no journey with key 'nope'" in p and "contact_exit" in p for p in problems), problems


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tens=st.integers(0, 119), keep=st.lists(st.booleans(), min_size=100, max_size=100))
def test_X1_contact_exit_removes_exactly_the_named_profiles_inside(tmp_path, tens, keep):
    """At ``10 * tens + 5`` s (never on an arrival or a departure) the named profiles that entered in
    the 100 s before leave with ``contact_exit``; everyone else ends; nobody is lost."""
    at = 10 * tens + 5
    base = scenario(linear_journey())
    path = tmp_path / "plain.yaml"
    path.write_text(yaml.safe_dump(base, sort_keys=False))
    events = journeysim.run(journeysim.load(path), events=True).events
    entries = events[(events["event"] == "entered") & (events["node"].astype(str) == "entry")].sort_values("t_s")
    named = [int(p) for p, k in zip(entries["profile_id"], keep, strict=True) if k]
    assume(named)
    inside = entries[(entries["t_s"] > at - 100) & (entries["t_s"] < at)]
    expected = int(inside["profile_id"].isin(named).sum())
    path.write_text(yaml.safe_dump(scenario(linear_journey(), timeline=[contact_exit(f"{at}s", "j", named)]), sort_keys=False))
    exited = journeysim.run(journeysim.load(path)).summary["journeys"]["j"]["exited"]
    assert exited["contact_exit"] == expected
    assert exited["contact_exit"] + exited["end"] == 100
