"""Audit 4 of the API sandbox: a client written from the vendors' API documents and docs/server.md,
each answer checked against them, and each session against `journeysim run` with its calls written
as a timeline (docs/server.md, "How calls act": "a session driven by calls writes the same outputs
as `journeysim run` with those calls written as a timeline (same seed)")."""

from __future__ import annotations

import pytest
import yaml
from conftest import linear_journey, scenario
from serverkit import Live, running
from test_audit_server import assert_same_outputs, run_as_timeline
from test_pause_ajo import _reader
from test_server import MALFORMED, SFMC_BASE

import journeysim
from journeysim.errors import ScenarioError

JSON = {"content-type": "application/json"}

# ---------------------------------------------------------------- where a call acts among the control events of its instant


def served_and_ran(doc: dict, tmp_path, drive, timeline: list) -> dict:
    """Drive a stepped sandbox with ``drive(live)``, run the scenario to its end, and check its outputs
    against `journeysim run` with ``timeline``; the served summary."""
    live = Live(doc, tmp_path, name="served")
    try:
        drive(live)
        live.advance(to=f"{doc['duration']}")
        live.wait()
    finally:
        if live.thread.is_alive():
            live.stop()
    return assert_same_outputs(live, run_as_timeline(doc, tmp_path, timeline))


def test_X3_a_pause_call_at_the_instant_of_a_read_acts_before_it_as_in_the_timeline(tmp_path):
    """docs/server.md "How calls act" (R2). A read every day from day 1 (100 profiles); a pause at
    day 2. In `journeysim run` the pause at 2 d comes before the read of 2 d (that read is scheduled
    at 1 d, after the timeline last acted), so the reads of 2 d and 3 d are skipped and 100 arrive.
    The session ran the read first (200 arrived, only 3 d skipped): the call acted after every event
    of its instant, not where the timeline action does."""
    doc = scenario(_reader({"every": "1d", "start": "1d", "count": 3}), size=100, duration="4d", report_every="1h")

    def drive(live):
        live.advance(to="2d")
        answer = live.client.post("/sim/journeys/j/pause", json={"mode": "hold"})
        assert (answer.status_code, answer.json()["at_s"]) == (200, 172800)

    served = served_and_ran(doc, tmp_path, drive, [{"at": "2d", "pause": {"journey": "j", "mode": "hold"}}])
    j = served["journeys"]["j"]
    assert (j["arrived"], j["skipped_reads_at_s"]) == (100, [172800, 259200])


def test_X3_a_pause_right_after_a_resume_at_one_instant_is_refused_as_in_the_timeline(tmp_path):
    """docs/behaviors.md, decisions left open: "a pause at the instant a drain ends finds the journey
    still `resuming` and is refused". Paused (discard) at 300 s, resumed at 500 s with nobody held,
    paused again at 500 s: `journeysim run` refuses the second pause. The session accepted it (the
    journey had gone live between the two calls of one instant) and then discarded 70 entries instead
    of 26 (arrivals at 300..550 s, one every 10 s, are the 26)."""
    doc = scenario(linear_journey())

    def drive(live):
        live.advance(to="300s")
        assert live.client.post("/sim/journeys/j/pause", json={"mode": "discard"}).status_code == 200
        live.advance(to="500s")
        assert live.client.post("/sim/journeys/j/resume").status_code == 200
        again = live.client.post("/sim/journeys/j/pause", json={"mode": "discard"})
        assert (again.status_code, again.json()) == (409, {"error": "j is resuming; it must be live (J1, G1)"})

    timeline = [{"at": "300s", "pause": {"journey": "j", "mode": "discard"}}, {"at": "500s", "resume": {"journey": "j"}}]
    served = served_and_ran(doc, tmp_path, drive, timeline)
    j = served["journeys"]["j"]
    assert (len(j["pauses"]), j["discarded"]["paused_entry"], j["discarded"]["discard_mode"]) == (1, 26, 10)


def test_X3_a_stop_call_at_a_cap_check_comes_before_a_check_scheduled_after_the_timeline_acted(tmp_path):
    """L2 checks every 100 s; a hold pause at 300 s holds the 10 profiles that reach the send by 400 s
    (arrivals 200..290 s after their 100 s wait); a stop at 500 s. In `journeysim run` the stop comes
    before the 500 s check (scheduled at 400 s, after the pause), which then counts nobody: only the
    400 s check lists held profiles. The session listed the 500 s check too."""
    doc = scenario(linear_journey(), org={"cap_check_every": "100s"})

    def drive(live):
        live.advance(to="300s")
        assert live.client.post("/sim/journeys/j/pause", json={"mode": "hold"}).status_code == 200
        live.advance(to="500s")
        assert live.client.post("/sim/journeys/j/stop").status_code == 200

    timeline = [{"at": "300s", "pause": {"journey": "j", "mode": "hold"}}, {"at": "500s", "stop": {"journey": "j"}}]
    served = served_and_ran(doc, tmp_path, drive, timeline)
    assert served["org"]["checks_with_held"] == [{"at_s": 400, "held": 10, "over_cap": False}]


# ---------------------------------------------------------------- bodies and numbers


@pytest.fixture
def sfmc(tmp_path):
    yield from running(scenario(linear_journey(), platform="sfmc"), tmp_path)


@pytest.mark.parametrize("body", [b'{"Version": NaN}', b'{"id": Infinity, "PausedDays": 2}', b'{"ProcessWaitUntilEvents": -Infinity}',
                                  b'{"version": 1e400}', b'{"id": [1, NaN]}'])
def test_X2_a_pause_body_with_nan_or_infinity_in_an_ignored_field_is_malformed(sfmc, body):
    """docs/server.md, Refusals: bad JSON, "including `NaN`, `Infinity`, numbers beyond a float such
    as `1e400`", is 400 malformed. In the fields the SFMC pause accepts and ignores (`id`, `Version`,
    `ProcessWaitUntilEvents`) such a body was 202 Accepted and paused the journey."""
    answer = sfmc.client.post(f"{SFMC_BASE}/pause/key:j?versionNumber=1", headers={**sfmc.bearer(), **JSON}, content=body)
    assert (answer.status_code, answer.json()) == (400, MALFORMED)
    assert sfmc.journey("j")["status"] == "live"


def test_X2_a_version_number_or_pausedays_written_as_a_float_is_malformed_on_every_route(sfmc):
    """docs/server.md, Refusals: "wrong types, such as `true`, `1.5` or `1.0` where a whole number is
    expected" are 400, one rule for every route (SFMC types versionNumber and PausedDays as integer).
    `versionNumber=1.0` in a query, `PausedDays: 3.0`, `Versions: [1.0]` and `{"version": 1.0}` on
    /sim were refused, but an update's `"version": 1.0` was taken as version 1 and applied."""
    auth = {**sfmc.bearer(), **JSON}
    created = sfmc.client.post(SFMC_BASE, headers=auth, json={"key": "d", "name": "D", "workflowApiVersion": 1.0}).json()
    update = {"key": "d", "name": "renamed", "workflowApiVersion": 1.0, "version": 1.0, "modifiedDate": created["modifiedDate"]}
    answers = [sfmc.client.put(SFMC_BASE, headers=auth, json=update),
               sfmc.client.post(f"{SFMC_BASE}/pause/key:j?versionNumber=1.0", headers=auth),
               sfmc.client.post(f"{SFMC_BASE}/pause/key:j?versionNumber=1", headers=auth, json={"PausedDays": 3.0}),
               sfmc.client.post(f"{SFMC_BASE}/contactexit", headers=auth, json=[{"ContactKey": "1", "DefinitionKey": "j", "Versions": [1.0]}]),
               sfmc.client.post(f"{SFMC_BASE}/publishAsync/key:j?versionNumber=1.0", headers=auth)]
    assert [(a.status_code, a.json()) for a in answers] == [(400, MALFORMED)] * 5
    sim = sfmc.client.post("/sim/journeys/j/pause", json={"version": 1.0})
    assert sim.status_code == 400 and set(sim.json()) == {"error"}
    assert sfmc.client.get(f"{SFMC_BASE}/key:d", headers=auth).json()["name"] == "D"
    assert sfmc.journey("j")["status"] == "live"
    whole = sfmc.client.put(SFMC_BASE, headers=auth, json={**update, "version": 1})
    assert (whole.status_code, whole.json()["name"]) == (200, "renamed")


# ---------------------------------------------------------------- methods


def test_X1_head_is_answered_wherever_get_is_without_a_body(sfmc):
    """HTTP (RFC 9110 9.1, 9.3.2): a server supports HEAD wherever it supports GET, with GET's headers
    and no body; docs/server.md now says so. The API routes answered HEAD 405 (`Allow: GET`), while
    `/openapi.json` answered it 200. A method a route does not list stays 405 with `Allow`."""
    auth = sfmc.bearer()
    for path, headers in ((f"{SFMC_BASE}/key:j", auth), ("/sim/status", {})):
        got, head = sfmc.client.get(path, headers=headers), sfmc.client.head(path, headers=headers)
        assert (head.status_code, head.content) == (200, b"")
        assert head.headers["content-length"] == got.headers["content-length"] == str(len(got.content))
    options = sfmc.client.options(f"{SFMC_BASE}/key:j", headers=auth)
    assert (options.status_code, options.headers["allow"], options.json()["errorcode"]) == (405, "GET, HEAD", 405)
    assert sfmc.client.head(f"{SFMC_BASE}/pause/key:j", headers=auth).headers["allow"] == "POST"
    calls = sfmc.client.get("/sim/summary").json()["api_calls"]
    assert [(c["method"], c["path"], c["status"]) for c in calls[1:]] == [
        ("GET", f"{SFMC_BASE}/key:j", 200), ("HEAD", f"{SFMC_BASE}/key:j", 200), ("OPTIONS", f"{SFMC_BASE}/key:j", 405),
        ("HEAD", f"{SFMC_BASE}/pause/key:j", 405)]


# ---------------------------------------------------------------- what a refusal says SFMC answers


@pytest.mark.parametrize(("body", "field"), [({"PauseDays": 3}, "PauseDays"), ({"PausedDays": "3"}, "PausedDays"),
                                             ({"ExtendWaitEndDates": "yes"}, "ExtendWaitEndDates")])
def test_X2_a_malformed_pause_body_is_explained_with_the_errorcode_it_is_answered_with(sfmc, tmp_path, body, field):
    """docs/server.md, Refusals: a pause body with a field the pause does not have, or a value of the
    wrong type, is 400 `Please validate that your request is properly formed.` (errorcode 400); the same
    body in a timeline is refused with the same reading. The explanation (the X-Journeysim-Problem
    header, and `validate`'s message) said "SFMC would refuse this pause (errorcode 10005)", the code of
    a missing versionNumber, in the very answer whose body is errorcode 400."""
    answer = sfmc.client.post(f"{SFMC_BASE}/pause/key:j?versionNumber=1", headers=sfmc.bearer(), json=body)
    assert (answer.status_code, answer.json()) == (400, MALFORMED)
    said = "SFMC would refuse this pause (errorcode 400: Please validate that your request is properly formed.)"
    if field == "PauseDays":  # a wrong type is refused by the route's own model first, in its own words
        assert said in answer.headers["X-Journeysim-Problem"]
    path = tmp_path / "timeline.yaml"
    path.write_text(yaml.safe_dump(scenario(linear_journey(), platform="sfmc", timeline=[
        {"at": "100s", "pause": {"journey": "j", "versionNumber": 1, "body": body}}]), sort_keys=False))
    with pytest.raises(ScenarioError) as refused:
        journeysim.load(path)
    assert f"body.{field}: {said}" in str(refused.value)


@pytest.mark.parametrize("headers", [{}, {"content-type": "text/plain"}, {"content-type": "application/x-www-form-urlencoded"}])
def test_X2_a_json_body_sent_without_the_json_content_type_is_refused_saying_so(sfmc, headers):
    """A pause or /sim body sent without `Content-Type: application/json` (Python's `data=json.dumps(...)`,
    curl's `-d` without `-H`) is not read: 400, as before, but the explanation was FastAPI's "body:
    Input should be a valid dictionary or object to extract fields from" for a body that is one;
    docs/server.md now says what to send, and the answer says it too."""
    said = "the body was not read as JSON: send it with Content-Type: application/json"
    pause = sfmc.client.post(f"{SFMC_BASE}/pause/key:j?versionNumber=1", headers={**sfmc.bearer(), **headers},
                             content=b'{"PausedDays": 2}')
    assert (pause.status_code, pause.json(), pause.headers["X-Journeysim-Problem"]) == (400, MALFORMED, said)
    moved = sfmc.client.post("/sim/advance", headers=headers, content=b'{"to": "100s"}')
    assert (moved.status_code, moved.json()) == (400, {"error": said})
    assert sfmc.journey("j")["status"] == "live" and sfmc.client.get("/sim/status").json()["now_s"] == 0
