"""Audit of the API sandbox by a client written from the vendors' documents and docs/server.md:
every answer checked against them, and the session against the same scenario run with a timeline."""

from __future__ import annotations

import json
import urllib.request

import pytest
import yaml
from conftest import linear_journey, scenario
from serverkit import Live, running, served_quickstart
from test_audit_server import assert_same_outputs, run_as_timeline
from test_readme import ROOT
from test_server import MALFORMED

import journeysim
from journeysim.errors import ScenarioError

# ---------------------------------------------------------------- the start-up line


def test_the_start_up_line_names_a_port_that_already_answers(tmp_path):
    """docs/server.md: with `--port 0` "the first line printed names the address it answers on". The
    line came before uvicorn bound the port (a probe socket had found it free, then closed it), so a
    client that called at once was refused the connection, and another process could take the port in
    between. A call made right after reading the line, with no retry, is answered."""
    with served_quickstart(tmp_path) as base, urllib.request.urlopen(base + "/sim/status", timeout=60) as answer:
        assert answer.status == 200 and json.load(answer)["now_s"] == 0


# ---------------------------------------------------------------- journeysim's own calls


@pytest.fixture
def ajo(tmp_path):
    yield from running(scenario(linear_journey()), tmp_path)


def test_sim_pause_without_a_body_pauses_with_the_policys_mode(ajo):
    """docs/server.md: `mode` and `version` are both optional, `mode` defaulting to the policy's
    `at_stop`; `/resume` and `/stop` take no body. A pause sent with no body (curl -X POST) was 400
    "body: Field required"; it is the pause the empty object asks for."""
    ajo.advance(to="500s")
    bare = ajo.client.post("/sim/journeys/j/pause")
    assert (bare.status_code, bare.json()) == (200, {"at_s": 500, "action": "pause", "journeys": ["j"]})
    assert ajo.journey("j")["status"] == "paused"
    assert ajo.client.post("/sim/journeys/j/resume").status_code == 200
    ajo.advance(to="2000s")
    ajo.wait()
    pause = json.loads((ajo.out / "summary.json").read_text())["journeys"]["j"]["pauses"][0]
    assert (pause["paused_at_s"], pause["mode"]) == (500, "hold")  # AJO's at_stop


def test_sim_stop_of_a_stopped_journey_is_409_not_an_internal_error(ajo):
    """docs/server.md: a /sim refusal for a wrong status is 409 with `{"error": …}`. A second
    `/sim/journeys/{key}/stop` answered 500 (the refusal's wording had no entry for stop)."""
    assert ajo.client.post("/sim/journeys/j/stop").status_code == 200
    again = ajo.client.post("/sim/journeys/j/stop", json={"version": 1})
    assert again.status_code == 409, again.text
    assert again.json() == {"error": "j is stopped; it must be live or paused (J1, G1)"}
    assert again.headers["X-Journeysim-Problem"] == again.json()["error"]
    calls = ajo.client.get("/sim/summary").json()["api_calls"]
    assert [c["status"] for c in calls] == [200, 409]


# ---------------------------------------------------------------- allVersions and draft versions


SFMC_BASE = "/interaction/v1/interactions"
STOP_REFUSED = {"message": "An interaction must be in running or paused status to be stopped.", "errorcode": 10000,
                "documentation": ""}


def with_draft() -> dict:
    return scenario(linear_journey(), {**linear_journey(version=2), "draft": True}, platform="sfmc")


@pytest.fixture
def drafted(tmp_path):
    yield from running(with_draft(), tmp_path)


def test_sfmc_stop_all_versions_passes_over_the_draft_which_stays_publishable(drafted):
    """docs/server.md: "`allVersions=true` passes over draft versions". A pause did, a stop did not:
    it stopped the draft too, so the publish that followed answered 409 and the summary listed the
    publish as refused."""
    auth = drafted.bearer()
    drafted.advance(to="500s")
    stop = drafted.client.post(f"{SFMC_BASE}/stop/key:j?allVersions=true", headers=auth)
    assert (stop.status_code, stop.json()) == (202, {"status": "Accepted"})
    assert [drafted.journey(label)["status"] for label in ("j@v1", "j@v2")] == ["stopped", "draft"]
    published = drafted.client.post(f"{SFMC_BASE}/publishAsync/key:j?versionNumber=2", headers=auth)
    assert published.status_code == 200, published.text
    drafted.advance(to="2000s")
    drafted.wait()
    journeys = json.loads((drafted.out / "summary.json").read_text())["journeys"]
    assert [journeys[label]["refused_actions"] for label in ("j@v1", "j@v2")] == [[], []]
    assert journeys["j@v2"]["arrived"] > 0


def test_sfmc_resume_all_versions_passes_over_the_draft_and_refuses_nothing(drafted):
    """An accepted resume with allVersions=true listed the draft version in the summary's
    `refused_actions` ("cannot resume: the journey is draft"), though docs/server.md says an
    accepted call passes over drafts and a refused one never appears there."""
    auth = drafted.bearer()
    drafted.advance(to="500s")
    for kind in ("pause", "resume"):
        answer = drafted.client.post(f"{SFMC_BASE}/{kind}/key:j?allVersions=true", headers=auth)
        assert (answer.status_code, answer.json()) == (202, {"status": "Accepted"})
    # nobody held: live once the instant's calls are done (a call at 500 s would still find it resuming, as in a timeline)
    assert [drafted.journey(label)["status"] for label in ("j@v1", "j@v2")] == ["resuming", "draft"]
    drafted.advance(by="1s")
    assert [drafted.journey(label)["status"] for label in ("j@v1", "j@v2")] == ["live", "draft"]
    so_far = drafted.client.get("/sim/summary").json()["journeys"]
    assert [so_far[label]["refused_actions"] for label in ("j@v1", "j@v2")] == [[], []]


def test_sfmc_stop_of_a_draft_version_is_refused_and_the_draft_is_kept(drafted):
    """J1: a version is stopped from live or paused. A stop naming the draft version answered
    Accepted and stopped a journey that had never run (it could no longer be published); it is
    refused with the stop refusal of docs/server.md, and changes nothing."""
    auth = drafted.bearer()
    stop = drafted.client.post(f"{SFMC_BASE}/stop/key:j?versionNumber=2", headers=auth)
    assert (stop.status_code, stop.json()) == (202, STOP_REFUSED)
    assert drafted.client.post("/sim/journeys/j/stop", json={"version": 2}).status_code == 409
    assert drafted.journey("j@v2")["status"] == "draft"
    assert drafted.client.post(f"{SFMC_BASE}/publishAsync/key:j?versionNumber=2", headers=auth).status_code == 200


def test_a_timeline_stop_of_a_draft_version_is_refused_before_the_run(tmp_path):
    """The same rule in a timeline (the server and the timeline share it): the scenario is refused."""
    doc = {**with_draft(), "timeline": [{"at": "100s", "stop": {"journey": "j", "versionNumber": 2}}]}
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    with pytest.raises(ScenarioError, match=r"cannot stop journey 'j' v2 .*only a published version"):
        journeysim.load(path)


def test_a_timeline_stop_all_versions_then_publish_runs_as_the_static_check_said(tmp_path):
    """The static check let `stop allVersions` pass over the draft and accepted the publish after it;
    the run then stopped the draft and refused the publish. Both now agree."""
    doc = {**with_draft(), "timeline": [{"at": "100s", "stop": {"journey": "j", "allVersions": True}},
                                        {"at": "200s", "publish": {"journey": "j", "version": 2}}]}
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    journeys = journeysim.run(journeysim.load(path)).summary["journeys"]
    assert [(journeys[label]["status_at_end"], journeys[label]["refused_actions"]) for label in ("j@v1", "j@v2")] == \
        [("stopped", []), ("finished", [])]


# ---------------------------------------------------------------- the SFMC pause body: one reading for calls and timelines


SEED_PAUSE_BODY = {"ExtendWaitEndDates": False, "PausedDays": 14, "ProcessWaitUntilEvents": True, "GuardrailAction": "Resume",
                   "RetainContactInjectionWhileJourneyPaused": True, "version": 1}  # SFMC's example request, verbatim


@pytest.fixture
def sfmc(tmp_path):
    yield from running(scenario(linear_journey(), platform="sfmc"), tmp_path)


def test_sfmc_pause_body_with_a_field_sfmc_does_not_have_is_malformed_as_in_a_timeline(sfmc):
    """A misspelt field (`PauseDays: 3`) was accepted and ignored: the journey was paused for the
    default 14 days, while the same body in a timeline is refused. It is 400 and changes nothing."""
    auth = sfmc.bearer()
    for body in ({"PauseDays": 3}, {"PausedDays": 3, "GuardrailActions": "Stop"}):
        answer = sfmc.client.post(f"{SFMC_BASE}/pause/key:j?versionNumber=1", headers=auth, json=body)
        assert (answer.status_code, answer.json()) == (400, MALFORMED), body
        assert "unknown field" in answer.headers["X-Journeysim-Problem"]
    assert sfmc.journey("j")["status"] == "live"


def test_sfmc_example_pause_body_in_a_timeline_runs_as_the_same_call(tmp_path):
    """docs/server.md: a session gives the outputs of `journeysim run` with its calls written as a
    timeline. SFMC's own example body (`ProcessWaitUntilEvents`, `version`) was accepted over the API
    but refused in a timeline ("unknown field"), so that timeline could not be written; a field name in
    another case (`pausedDays`) likewise. Both now read the body the same way, with the same outputs."""
    body = {**SEED_PAUSE_BODY, "pausedDays": 3}
    body.pop("PausedDays")
    doc = scenario(linear_journey(), platform="sfmc")
    live = Live(doc, tmp_path, name="served")
    auth = live.bearer()
    live.advance(to="500s")
    answer = live.client.post(f"{SFMC_BASE}/pause/key:j?versionNumber=1&allVersions=false", headers=auth, json=body)
    assert (answer.status_code, answer.json()) == (202, {"status": "Accepted"})
    live.advance(to="800s")
    assert live.client.post(f"{SFMC_BASE}/resume/key:j?versionNumber=1", headers=auth).status_code == 202
    live.advance(to="2000s")
    live.wait()
    ran = run_as_timeline(doc, tmp_path, [
        {"at": "500s", "pause": {"journey": "j", "versionNumber": 1, "allVersions": False, "body": body}},
        {"at": "800s", "resume": {"journey": "j", "versionNumber": 1}}])
    served = assert_same_outputs(live, ran)
    assert served["journeys"]["j"]["pauses"][0]["resumed_at_s"] == 800


def test_the_json_schema_accepts_the_sfmc_example_body_and_names_in_any_case():
    """Editors check timelines against scenario.schema.json, which must accept what validate accepts."""
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(json.loads((ROOT / "scenario.schema.json").read_text()))
    doc = scenario(linear_journey(), platform="sfmc", timeline=[
        {"at": "500s", "pause": {"journey": "j", "versionNumber": 1, "body": {**SEED_PAUSE_BODY, "guardrailaction": "Stop"}}}])
    del doc["timeline"][0]["pause"]["body"]["GuardrailAction"]
    assert not list(validator.iter_errors(doc))
    doc["timeline"][0]["pause"]["body"]["PauseDays"] = 3
    assert list(validator.iter_errors(doc))


# ---------------------------------------------------------------- bodies that are not JSON a parser can read


DEEP = b"[" * 30_000 + b"]" * 30_000  # 60,000 bytes: under the 64 KiB limit, deeper than Python's JSON parser goes


@pytest.mark.parametrize("method, path", [("POST", f"{SFMC_BASE}/pause/key:j?versionNumber=1"), ("POST", SFMC_BASE),
                                          ("PUT", SFMC_BASE), ("POST", f"{SFMC_BASE}/contactexit")])
def test_sfmc_body_nested_too_deeply_is_malformed_not_an_internal_error(sfmc, method, path):
    """docs/server.md: bad JSON is 400 `Please validate that your request is properly formed.`. A body
    of deeply nested arrays (a few KiB) made the create, update and contact exit routes answer 500 with a
    RecursionError traceback in the log, and the pause route 400 with FastAPI's own words as the body."""
    auth = sfmc.bearer()
    answer = sfmc.client.request(method, path, content=DEEP, headers={**auth, "content-type": "application/json"})
    assert (answer.status_code, answer.json()) == (400, MALFORMED)
    assert sfmc.journey("j")["status"] == "live"


def test_token_and_sim_bodies_nested_too_deeply_are_400(sfmc):
    token = sfmc.client.post("/v2/token", content=DEEP, headers={"content-type": "application/json"})
    assert (token.status_code, token.json()["error"]) == (400, "invalid_request")
    for path in ("/sim/advance", "/sim/journeys/j/pause"):
        answer = sfmc.client.post(path, content=DEEP, headers={"content-type": "application/json"})
        assert answer.status_code == 400 and set(answer.json()) == {"error"}
    assert sfmc.client.get("/sim/status").json()["now_s"] == 0


# ---------------------------------------------------------------- a key named twice in one JSON object


def test_sfmc_pause_body_naming_a_field_twice_exactly_is_malformed(sfmc):
    """docs/server.md: naming a pause field twice is 400 (a timeline's YAML refuses a repeated key too).
    `pausedDays` beside `PausedDays` was refused, but `{"PausedDays": 2, "PausedDays": 3}` was accepted,
    the parser silently keeping the last value (a 3-day pause)."""
    auth = {**sfmc.bearer(), "content-type": "application/json"}
    answer = sfmc.client.post(f"{SFMC_BASE}/pause/key:j?versionNumber=1", headers=auth, content=b'{"PausedDays": 2, "PausedDays": 3}')
    assert (answer.status_code, answer.json()) == (400, MALFORMED)
    assert "'PausedDays' is named twice" in answer.headers["X-Journeysim-Problem"]
    created = sfmc.client.post(SFMC_BASE, headers=auth, content=b'{"key": "a", "key": "b", "name": "n", "workflowApiVersion": 1.0}')
    assert (created.status_code, created.json()) == (400, MALFORMED)
    moved = sfmc.client.post("/sim/advance", content=b'{"to": "1d", "to": "100s"}', headers={"content-type": "application/json"})
    assert (moved.status_code, moved.json()) == (400, {"error": "'to' is named twice in one JSON object"})
    assert sfmc.journey("j")["status"] == "live" and sfmc.client.get("/sim/status").json()["now_s"] == 0
    assert sfmc.client.post(f"{SFMC_BASE}/pause/key:j?versionNumber=1", headers=auth, json={"PausedDays": 2}).status_code == 202


@pytest.mark.parametrize("query", ["versionNumber=1&VersionNumber=2", "versionNumber=2&versionNumber=1",
                                   "allVersions=true&AllVersions=false&versionNumber=1"])
def test_sfmc_query_naming_a_parameter_twice_with_different_values_is_malformed(sfmc, query):
    """`versionNumber=1&VersionNumber=2` paused version 1 (the first spelling found), and
    `versionNumber=2&versionNumber=1` answered 404 for version 2 while FastAPI's own reading was 1: the
    call names no one version, so it is 400 and changes nothing. The same value twice is one value."""
    auth = sfmc.bearer()
    answer = sfmc.client.post(f"{SFMC_BASE}/pause/key:j?{query}", headers=auth)
    assert (answer.status_code, answer.json()) == (400, MALFORMED)
    assert sfmc.journey("j")["status"] == "live"
    same = sfmc.client.post(f"{SFMC_BASE}/pause/key:j?versionNumber=1&VersionNumber=1", headers=auth)
    assert (same.status_code, same.json()) == (202, {"status": "Accepted"})
