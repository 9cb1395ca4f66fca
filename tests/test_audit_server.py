"""Audit of the API sandbox against the vendors' own documents (the requests a client written from
them sends) and against the YAML timeline (the server adds no behaviour of its own)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml
from conftest import linear_journey, scenario
from serverkit import Live, running
from test_server import MALFORMED, NOT_RUNNING, SFMC_BASE

import journeysim

CREATE_EXAMPLE = {"key": "ixn-created-via-the-api", "name": "API-Created journey", "workflowApiVersion": 1.0,
                  "triggers": [], "goals": [], "activities": []}


@pytest.fixture
def live(tmp_path):
    yield from running(scenario(linear_journey(), platform="sfmc"), tmp_path)


def summary_of(folder) -> dict:
    return json.loads((folder / "summary.json").read_text())


def run_as_timeline(doc: dict, tmp_path, timeline: list) -> journeysim.Result:
    path = tmp_path / "as-timeline.yaml"
    path.write_text(yaml.safe_dump({**doc, "timeline": timeline}, sort_keys=False))
    return journeysim.run(journeysim.load(path))


def assert_same_outputs(live: Live, ran: journeysim.Result) -> dict:
    served = summary_of(live.out)
    served.pop("api_calls"), served.pop("serve")
    assert served == json.loads(json.dumps(ran.summary))
    pd.testing.assert_frame_equal(pd.read_parquet(live.out / "timeseries.parquet"), ran.timeseries)
    return served


# ---------------------------------------------------------------- trailing slash (SFMC's update example)


def test_sfmc_update_example_with_its_trailing_slash_is_served_not_redirected(live):
    """SFMC's document writes ``PUT /interaction/v1/interactions/``: the call is answered there (a 307
    leaves curl and httpx, which do not follow redirects, with an empty answer and nothing done)."""
    auth = live.bearer()
    created = live.client.post(f"{SFMC_BASE}/", headers=auth, json=CREATE_EXAMPLE)
    assert created.status_code == 200, created.text
    assert created.json()["status"] == "Draft"
    update = {"key": CREATE_EXAMPLE["key"], "modifiedDate": created.json()["modifiedDate"], "name": "API-Created journey updated",
              "version": 1, "description": "This is a journey created via the API created in this account",
              "workflowApiVersion": 1.0}
    updated = live.client.put(f"{SFMC_BASE}/", headers=auth, json=update)
    assert updated.status_code == 200, updated.text
    assert updated.json()["name"] == "API-Created journey updated"
    listed = live.client.get(f"{SFMC_BASE}/", headers=auth)
    assert listed.status_code == 200 and listed.json()["count"] == 2
    paused = live.client.post(f"{SFMC_BASE}/pause/key:j/?versionNumber=1", headers=auth, json={})
    assert (paused.status_code, paused.json()) == (202, {"status": "Accepted"})
    assert live.client.get(f"{SFMC_BASE}/key:j/", headers=auth).json()["status"] == "Paused"
    calls = live.client.get("/sim/summary").json()["api_calls"]
    assert [c["status"] for c in calls if c["method"] != "GET"] == [200, 200, 200, 202]


# ---------------------------------------------------------------- status rules: the timeline's own


def with_draft() -> dict:
    return scenario(linear_journey(), {**linear_journey(version=2, wait="50s"), "draft": True}, platform="sfmc")


def test_sfmc_pause_of_a_finishing_version_is_accepted_as_in_the_timeline(tmp_path):
    """After v2 is published, v1 is finishing; a timeline may pause it (J1 allows live or finishing),
    so the call must too, with the same outputs (it answered 10000 "must be in running status")."""
    doc = with_draft()
    live = Live(doc, tmp_path, name="served")
    auth = live.bearer()
    live.advance(to="305s")
    assert live.client.post(f"{SFMC_BASE}/publishAsync/key:j?versionNumber=2", headers=auth).status_code == 200
    live.advance(to="400s")
    assert live.client.get(f"{SFMC_BASE}/key:j?versionNumber=1", headers=auth).json()["status"] == "Finishing"
    paused = live.client.post(f"{SFMC_BASE}/pause/key:j?versionNumber=1", headers=auth, json={"PausedDays": 1})
    assert (paused.status_code, paused.json()) == (202, {"status": "Accepted"}), paused.headers.get("X-Journeysim-Problem")
    live.advance(to="600s")
    assert live.client.post(f"{SFMC_BASE}/resume/key:j?versionNumber=1", headers=auth).json() == {"status": "Accepted"}
    live.advance(to="2000s")
    live.wait()
    ran = run_as_timeline(doc, tmp_path, [{"at": "305s", "publish": {"journey": "j", "version": 2}},
                                          {"at": "400s", "pause": {"journey": "j", "versionNumber": 1, "body": {"PausedDays": 1}}},
                                          {"at": "600s", "resume": {"journey": "j", "versionNumber": 1}}])
    served = assert_same_outputs(live, ran)
    assert served["journeys"]["j@v1"]["pauses"][0]["paused_at_s"] == 400


def test_sim_pause_of_a_finishing_version_is_accepted(tmp_path):
    live = Live(with_draft(), tmp_path)
    try:
        live.advance(to="305s")
        assert live.client.post(f"{SFMC_BASE}/publishAsync/key:j?versionNumber=2", headers=live.bearer()).status_code == 200
        answer = live.client.post("/sim/journeys/j/pause", json={"version": 1, "mode": "hold"})
        assert answer.status_code == 200, answer.text
        assert live.journey("j@v1")["status"] == "paused"
    finally:
        live.stop()


def test_sfmc_pause_all_versions_passes_over_a_draft_as_in_the_timeline(tmp_path):
    """``allVersions=true`` acts on the versions published so far: a draft v2 does not make the call
    refused (it answered 10000), and the outputs are the timeline's."""
    doc = with_draft()
    live = Live(doc, tmp_path, name="served")
    auth = live.bearer()
    live.advance(to="300s")
    paused = live.client.post(f"{SFMC_BASE}/pause/key:j?allVersions=true", headers=auth, json={"PausedDays": 2})
    assert (paused.status_code, paused.json()) == (202, {"status": "Accepted"}), paused.headers.get("X-Journeysim-Problem")
    assert [live.journey(label)["status"] for label in ("j@v1", "j@v2")] == ["paused", "draft"]
    live.advance(to="700s")
    assert live.client.post(f"{SFMC_BASE}/resume/key:j?allVersions=true", headers=auth).json() == {"status": "Accepted"}
    live.advance(to="2000s")
    live.wait()
    ran = run_as_timeline(doc, tmp_path, [{"at": "300s", "pause": {"journey": "j", "allVersions": True, "body": {"PausedDays": 2}}},
                                          {"at": "700s", "resume": {"journey": "j", "allVersions": True}}])
    assert_same_outputs(live, ran)


def test_sfmc_pause_twice_still_answers_10000(live):
    auth = live.bearer()
    assert live.client.post(f"{SFMC_BASE}/pause/key:j?versionNumber=1", headers=auth, json={}).status_code == 202
    again = live.client.post(f"{SFMC_BASE}/pause/key:j?versionNumber=1", headers=auth, json={})
    assert (again.status_code, again.json()) == (202, NOT_RUNNING)


# ---------------------------------------------------------------- Blueshift


def test_blueshift_pause_acts_on_the_published_version_not_a_draft(tmp_path):
    """A campaign is what runs: with v2 still a draft in the scenario, a pause pauses v1 (it answered
    422 "its status is draft"), as the timeline's pause of v1 does."""
    doc = {**with_draft(), "platform": "blueshift"}
    live = Live(doc, tmp_path, name="served")
    live.advance(to="300s")
    answer = live.client.patch("/api/v1/campaigns/j/pause", headers={**Live.basic(), "accept": "application/json"})
    assert answer.status_code == 200, answer.text
    assert {k: answer.json()[k] for k in ("uuid", "status")} == {"uuid": "j", "status": "paused"}
    assert [live.journey(label)["status"] for label in ("j@v1", "j@v2")] == ["paused", "draft"]
    live.advance(to="2000s")
    live.wait()
    ran = run_as_timeline(doc, tmp_path, [{"at": "300s", "pause": {"journey": "j", "version": 1}}])
    assert_same_outputs(live, ran)


def test_blueshift_wrong_method_answers_in_blueshift_shape(live):
    answer = live.client.post("/api/v1/campaigns/j/pause", headers=Live.basic())
    assert answer.status_code == 405
    assert set(answer.json()) == {"errors"} and isinstance(answer.json()["errors"], list)


# ---------------------------------------------------------------- SFMC pause body: field names in any case


def test_sfmc_pause_body_field_names_are_read_in_any_case(tmp_path):
    """SFMC's own example sends ``version`` for the documented ``Version``: its names are read in
    any case. ``pausedDays: 1`` was an unknown field, silently ignored: the pause lasted 14 days."""
    doc = scenario(linear_journey(), platform="sfmc", duration="3d")
    live = Live(doc, tmp_path, name="served")
    auth = live.bearer()
    live.advance(to="500s")
    body = {"pausedDays": 1, "guardrailAction": "Resume", "extendWaitEndDates": True, "version": 1}
    paused = live.client.post(f"{SFMC_BASE}/pause/key:j?versionNumber=1&allVersions=false", headers=auth, json=body)
    assert (paused.status_code, paused.json()) == (202, {"status": "Accepted"})
    live.advance(to="3d")
    live.wait()
    ran = run_as_timeline(doc, tmp_path, [{"at": "500s", "pause": {"journey": "j", "versionNumber": 1, "body": {
        "PausedDays": 1, "GuardrailAction": "Resume", "ExtendWaitEndDates": True}}}])
    served = assert_same_outputs(live, ran)
    assert served["journeys"]["j"]["pauses"][0]["resumed_at_s"] == 500 + 86400


def test_sfmc_pause_body_naming_a_field_twice_is_malformed(live):
    auth = live.bearer()
    answer = live.client.post(f"{SFMC_BASE}/pause/key:j?versionNumber=1", headers=auth, json={"PausedDays": 2, "pausedDays": 3})
    assert (answer.status_code, answer.json()) == (400, MALFORMED)
    assert live.journey("j")["status"] == "live"


# ---------------------------------------------------------------- /sim: an unknown version is not found


@pytest.mark.parametrize("path, body", [("pause", {"mode": "hold", "version": 2}), ("resume", {"version": 2}),
                                        ("stop", {"version": 2}), ("global-filter", {"exclude": "flag", "version": 2})])
def test_sim_call_naming_an_unknown_version_is_404(live, path, body):
    """An unknown version is as unknown as an unknown key (404, as SFMC's 30003), not malformed (400)."""
    answer = live.client.post(f"/sim/journeys/j/{path}", json=body)
    assert answer.status_code == 404, answer.text
    assert answer.json() == {"error": "journey 'j' has no version 2"}
    assert live.journey("j")["status"] == "live"
