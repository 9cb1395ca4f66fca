"""The pause API sandbox (X1, X2, X3, X4, D1, D2, S1, S8, S9, B1): a real server on a free port, driven over HTTP.

The base journey (tests/conftest.py): one arrival every 10 s from 0 s (100 in all), a 100 s wait,
an email, the end; duration 2000 s. Paused at 500 s: arrivals at 0..490 s (50) have entered, those
of 0..390 s (40) have left, those of 400..490 s (10) are in the wait.
"""

from __future__ import annotations

import json
import threading

import pandas as pd
import pytest
from conftest import linear_journey, scenario
from serverkit import CREDS, Live, running

import journeysim

SFMC_BASE = "/interaction/v1/interactions"
NOT_PAUSED = {"message": "An interaction must be in paused status to be resumed.", "errorcode": 10000, "documentation": ""}
NOT_RUNNING = {"message": "An interaction must be in running status to be paused.", "errorcode": 10000, "documentation": ""}
VERSION_REQUIRED = {"message": "AllVersions=true or VersionNumber required.", "errorcode": 10005, "documentation": ""}
NOT_FOUND = {"message": "Interaction not found.", "errorcode": 30003, "documentation": ""}
MALFORMED = {"message": "Please validate that your request is properly formed.", "errorcode": 400, "documentation": ""}
CONFLICT = {"message": "Conflict, this change would cause a current operation on the specified interaction or a running "
                       "interaction to be changed, which is not permitted", "errorcode": 409, "documentation": ""}
NOT_AUTHORIZED = {"message": "Not Authorized", "errorcode": 0, "documentation": ""}


def sfmc_doc(**top) -> dict:
    return scenario(linear_journey(), platform="sfmc", **top)


@pytest.fixture
def live(tmp_path):
    yield from running(sfmc_doc(), tmp_path)


@pytest.fixture
def ajo_live(tmp_path):
    """A stepped AJO sandbox at 500 s, for the operator calls."""
    server = Live(scenario(linear_journey()), tmp_path)
    server.advance(to="500s")
    yield server
    if server.thread.is_alive():
        server.stop()


def summary_of(out) -> dict:
    return json.loads((out / "summary.json").read_text())


def test_X1_token_and_sfmc_pause_resume_over_a_stepped_clock(live):
    """X1, S1, S9: token, pause at 500 s, counts at 800 s, resume; the answers are SFMC's."""
    auth = live.bearer()
    assert live.advance(by="500s") == {"now_s": 500, "ended": False}
    answer = live.client.post(f"{SFMC_BASE}/pause/key:j?versionNumber=1", headers=auth, json={"PausedDays": 1})
    assert (answer.status_code, answer.json()) == (202, {"status": "Accepted"})
    j = live.journey("j")
    assert (j["status"], j["arrived"], j["entered"], j["left"], j["waiting"], j["held"]) == ("paused", 50, 50, 40, 10, 0)
    live.advance(to="800s")
    j = live.journey("j")  # arrivals 500..790 s discarded at the door; the 10 waits ended and are held where they are (S6)
    assert (j["arrived"], j["entered"], j["left"], j["waiting"], j["held"]) == (80, 50, 70, 0, 10)
    got = live.client.get(f"{SFMC_BASE}/key:j", headers=auth).json()
    assert (got["status"], got["version"], got["healthStats"]["currentlyInCount"], got["stats"]["cumulativePopulation"]) == \
        ("Paused", 1, 10, 50)
    answer = live.client.post(f"{SFMC_BASE}/resume/key:j?VersionNumber=1", headers=auth)
    assert (answer.status_code, answer.json()) == (202, {"status": "Accepted"})
    live.advance(by="1s")
    j = live.journey("j")  # the 10 held go at 5,000/s, in the resume's second; the arrival at 800 s is turned
    assert (j["status"], j["held"], j["left"]) == ("live", 0, 81)  # away: entries reopen a minute after the resume (R5)


def test_S1_S9_X2_refusals_are_sfmc_bodies_and_change_nothing(live):
    auth = live.bearer()
    live.advance(to="500s")
    post = lambda what, headers=auth, **kw: live.client.post(f"{SFMC_BASE}/{what}", headers=headers, **kw)  # noqa: E731
    cases = [
        (post("pause/key:j", json={"ExtendWaitEndDates": True}), 202, VERSION_REQUIRED),
        (post("resume/key:j?versionNumber=1"), 202, NOT_PAUSED),
        (post("pause/key:nope?versionNumber=1"), 404, NOT_FOUND),
        (post("pause/key:j?versionNumber=7"), 404, NOT_FOUND),
        (post("pause/key:j?versionNumber=one"), 400, MALFORMED),
        (post("pause/key:j?versionNumber=1", json={"PausedDays": 15}), 400, MALFORMED),  # S8: 1..14
        (post("pause/key:j?versionNumber=1", json={"PausedDays": "3"}), 400, MALFORMED),
        (post("pause/key:j?versionNumber=1", json={"GuardrailAction": "Later"}), 400, MALFORMED),
        (post("pause/key:j?versionNumber=1", content=b"{not json", headers={**auth, "content-type": "application/json"}),
         400, MALFORMED),
    ]
    for answer, status, body in cases:
        assert (answer.status_code, answer.json()) == (status, body), answer.request.url
    assert "X-Journeysim-Problem" in cases[5][0].headers and "14" in cases[5][0].headers["X-Journeysim-Problem"]
    assert live.journey("j")["status"] == "live"
    assert post("pause/key:j?AllVersions=true").json() == {"status": "Accepted"}
    assert post("pause/key:j?versionNumber=1").json() == NOT_RUNNING
    assert post("stop/key:j?versionNumber=1").json() == {"status": "Accepted"}
    assert post("stop/key:j?versionNumber=1").json()["errorcode"] == 10000
    assert post("resume/key:j?versionNumber=1").json() == NOT_PAUSED  # S9: a stopped version can never be resumed
    live.advance(to="2000s")
    live.wait()
    summary = summary_of(live.out)
    j = summary["journeys"]["j"]
    assert j["refused_actions"] == [] and j["status_at_end"] == "stopped" and len(j["pauses"]) == 1
    assert j["exited"]["stopped"] == 10 and j["discarded"]["paused_entry"] == 0
    assert [c["status"] for c in summary["api_calls"]][:3] == [200, 200, 202]  # token, advance, the 10005 answer


def test_X2_auth_failures(tmp_path):
    live = Live(sfmc_doc(), tmp_path, token_ttl_s=0)
    try:
        c = live.client
        wrong = c.post("/v2/token", json={"grant_type": "client_credentials", "client_id": CREDS.client_id, "client_secret": "x"})
        assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
        assert c.post("/v2/token", json={"grant_type": "password", "client_id": "a", "client_secret": "b"}).status_code == 400
        assert c.post("/v2/token", content=b"[1]", headers={"content-type": "application/json"}).status_code == 400
        form = c.post("/v2/token", data={"grant_type": "client_credentials", "client_id": CREDS.client_id,
                                         "client_secret": CREDS.client_secret, "account_id": "123"})
        assert form.status_code == 200 and form.json()["token_type"] == "Bearer" and form.json()["expires_in"] == 0
        assert form.json()["rest_instance_url"] == live.base + "/"
        expired = {"Authorization": f"Bearer {form.json()['access_token']}"}  # token_ttl_s=0: expired at once
        for headers in ({}, expired, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic Zm9vOg=="}):
            answer = c.post(f"{SFMC_BASE}/pause/key:j?versionNumber=1", headers=headers)
            assert (answer.status_code, answer.json()) == (401, NOT_AUTHORIZED)
        for headers in ({}, live.basic("wrong"), {"Authorization": "Basic !!!"}):
            assert c.patch("/api/v1/campaigns/j/pause", headers=headers).status_code == 401
        assert live.journey("j")["status"] == "live"
    finally:
        live.stop()


def test_X1_blueshift_pause_B1(tmp_path):
    live = Live(scenario(linear_journey(), linear_journey("k")), tmp_path)
    try:
        c, auth = live.client, live.basic()
        live.advance(to="100s")
        answer = c.patch("/api/v1/campaigns/j/pause", headers=auth)
        assert answer.status_code == 200
        assert {k: answer.json()[k] for k in ("uuid", "status")} == {"uuid": "j", "status": "paused"}
        assert answer.json()["updated_at"].endswith("Z")
        assert c.patch("/api/v1/campaigns/j/pause", headers=auth).json()["status"] == "paused"  # paused stays paused
        assert c.patch("/api/v1/campaigns/nope/pause", headers=auth).status_code == 404
        assert c.post("/sim/journeys/k/stop").status_code == 200
        completed = c.patch("/api/v1/campaigns/k/pause", headers=auth)
        assert completed.status_code == 422 and "completed" in completed.json()["errors"][0]
        assert c.patch("/api/v1/campaigns/j/launch", headers=auth).json()["status"] == "launched"
        assert live.journey("j")["status"] in ("resuming", "live")
    finally:
        live.stop()


def test_X1_operator_calls_ajo_pause_modes_and_global_filter(tmp_path):
    live = Live(scenario(linear_journey()), tmp_path)
    try:
        c = live.client
        live.advance(to="500s")
        assert c.post("/sim/journeys/j/global-filter", json={"exclude": "flag == true"}).status_code == 409  # G1: only paused
        answer = c.post("/sim/journeys/j/pause", json={"mode": "discard"})
        assert answer.status_code == 200 and answer.json() == {"at_s": 500, "action": "pause", "journeys": ["j"]}
        assert c.post("/sim/journeys/j/pause", json={"mode": "hold"}).status_code == 409
        assert c.post("/sim/journeys/j/pause", json={"mode": "sideways"}).status_code == 400
        assert c.post("/sim/journeys/j/global-filter", json={"exclude": "no_such == 1"}).status_code == 400
        assert c.post("/sim/journeys/j/global-filter", json={"exclude": "flag == true"}).status_code == 200
        assert c.post("/sim/journeys/nope/resume").status_code == 404
        assert c.post("/sim/advance", json={"by": "1h", "to": "2h"}).status_code == 400
        assert c.post("/sim/advance", json={"to": "100s"}).status_code == 409  # the clock does not go back
        live.advance(to="800s")
        j = live.journey("j")  # discard mode: the 10 in the wait at 500 s reach the email while paused and are discarded
        assert (j["in_journey"], j["held"], j["left"]) == (0, 0, 80)
        assert c.post("/sim/journeys/j/resume").status_code == 200
        so_far = c.get("/sim/summary").json()
        discarded = so_far["journeys"]["j"]["discarded"]  # at the email: by the filter (G2) or by the mode
        assert discarded["discard_mode"] + discarded["global_filter"] == 10 and discarded["global_filter"] > 0
        assert so_far["conservation"]["ok"]
        assert [call["path"] for call in so_far["api_calls"]][-1] == "/sim/journeys/j/resume"
    finally:
        live.stop()


def test_D1_D2_create_and_update_journeys(live):
    auth = live.bearer()
    c = live.client
    created = c.post(SFMC_BASE, headers=auth, json={"key": "ixn-api", "name": "API journey", "workflowApiVersion": 1.0,
                                                   "triggers": [], "goals": [], "activities": []})
    assert created.status_code == 200
    doc = created.json()
    assert (doc["status"], doc["version"], doc["lastPublishedDate"]) == ("Draft", 1, "0001-01-01T00:00:00")
    assert doc["id"] and doc["definitionId"] and doc["createdDate"] == doc["modifiedDate"]
    for bad in ({"key": "x", "name": "n", "workflowApiVersion": 1.0, "id": "mine"},  # D1: system-assigned
                {"key": "x", "name": "n", "workflowApiVersion": 2.0}, {"name": "n", "workflowApiVersion": 1.0}):
        assert (c.post(SFMC_BASE, headers=auth, json=bad).status_code, c.post(SFMC_BASE, headers=auth, json=bad).json()) == \
            (400, MALFORMED)
    update = {"key": "ixn-api", "name": "API journey", "version": 1, "workflowApiVersion": 1.0, "modifiedDate": doc["modifiedDate"]}
    same = c.put(SFMC_BASE, headers=auth, json=update)
    assert same.status_code == 304 and "No change has been processed" in same.headers["X-Journeysim-Problem"]
    changed = c.put(SFMC_BASE, headers=auth, json={**update, "name": "renamed"})
    assert changed.status_code == 200 and changed.json()["name"] == "renamed"
    assert changed.json()["modifiedDate"] != doc["modifiedDate"] and changed.json()["createdDate"] == doc["createdDate"]
    stale = c.put(SFMC_BASE, headers=auth, json={**update, "name": "again"})  # D2: modifiedDate no longer current
    assert (stale.status_code, stale.json()) == (409, CONFLICT)
    unknown = c.put(SFMC_BASE, headers=auth, json={**update, "key": "nope"})
    assert (unknown.status_code, unknown.json()) == (404, NOT_FOUND)
    running = c.put(SFMC_BASE, headers=auth, json={**update, "key": "j"})
    assert (running.status_code, running.json()) == (409, CONFLICT)
    assert c.put(SFMC_BASE, headers=auth, json={"key": "ixn-api"}).status_code == 400
    assert c.get(f"{SFMC_BASE}/key:ixn-api", headers=auth).json()["name"] == "renamed"
    listed = c.get(SFMC_BASE, headers=auth, params={"name": "RENAMED"}).json()
    assert listed["count"] == 1 and listed["items"][0]["key"] == "ixn-api"
    by_id = c.get(SFMC_BASE, headers=auth, params={"id": live.client.get(f"{SFMC_BASE}/key:j", headers=auth).json()["id"]}).json()
    assert [d["key"] for d in by_id["items"]] == ["j"]


def test_X2_body_size_limit_and_unknown_paths(live):
    auth = live.bearer()
    big = live.client.post(f"{SFMC_BASE}/pause/key:j?versionNumber=1", headers={**auth, "content-type": "application/json"},
                           content=b'{"x": "' + b"a" * 70_000 + b'"}')
    assert big.status_code == 413
    assert live.client.get("/no/such/thing").status_code == 404
    assert live.journey("j")["status"] == "live"


def test_X1_concurrent_clients_one_pause_wins(live):
    """Four clients pause the same journey at the same instant: one is accepted, three are refused."""
    live.advance(to="500s")
    answers: list = []

    def client():
        import httpx
        with httpx.Client(base_url=live.base, timeout=30) as mine:
            token = mine.post("/v2/token", json={"grant_type": "client_credentials", "client_id": CREDS.client_id,
                                                 "client_secret": CREDS.client_secret}).json()["access_token"]
            answers.append(mine.post(f"{SFMC_BASE}/pause/key:j?versionNumber=1", headers={"Authorization": f"Bearer {token}"}).json())
            mine.get("/sim/status")
    threads = [threading.Thread(target=client) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(json.dumps(a, sort_keys=True) for a in answers) == sorted(
        [json.dumps({"status": "Accepted"})] + [json.dumps(NOT_RUNNING, sort_keys=True)] * 3)
    assert len(live.client.get("/sim/summary").json()["journeys"]["j"]["pauses"]) == 1


def test_X1_call_at_the_instant_of_a_timeline_action_acts_after_it(tmp_path):
    """The scenario pauses at 500 s; a pause call at 500 s is refused (already paused), a resume call
    at 500 s acts after the timeline's pause, as a timeline action listed after it would."""
    doc = sfmc_doc(timeline=[{"at": "500s", "pause": {"journey": "j", "versionNumber": 1}}])
    live = Live(doc, tmp_path)
    auth = live.bearer()
    live.advance(to="500s")
    assert live.client.post(f"{SFMC_BASE}/pause/key:j?versionNumber=1", headers=auth).json() == NOT_RUNNING
    assert live.client.post(f"{SFMC_BASE}/resume/key:j?versionNumber=1", headers=auth).json() == {"status": "Accepted"}
    live.advance(to="2000s")
    live.wait()
    pause = summary_of(live.out)["journeys"]["j"]["pauses"][0]
    assert (pause["paused_at_s"], pause["resumed_at_s"], pause["resumed_by"], pause["held_at_resume"]) == (500, 500, "manual", 0)


def test_X3_serve_session_equals_run_with_the_same_timeline(tmp_path):
    """The API adds no behaviour: calls at 500 s (SFMC pause, extended waits, retained entries) and
    800 s (resume) give the outputs of ``journeysim run`` with those actions as a timeline."""
    body = {"PausedDays": 2, "ExtendWaitEndDates": True, "RetainContactInjectionWhileJourneyPaused": True,
            "GuardrailAction": "Resume"}
    live = Live(sfmc_doc(), tmp_path, name="served")
    auth = live.bearer()
    live.advance(to="500s")
    assert live.client.post(f"{SFMC_BASE}/pause/key:j?versionNumber=1", headers=auth, json=body).status_code == 202
    live.advance(by="300s")
    assert live.client.post(f"{SFMC_BASE}/resume/key:j?versionNumber=1", headers=auth).json() == {"status": "Accepted"}
    live.advance(to="2000s")
    live.wait()
    served = summary_of(live.out)
    timeline = [{"at": "500s", "pause": {"journey": "j", "versionNumber": 1, "body": body}},
                {"at": "800s", "resume": {"journey": "j", "versionNumber": 1}}]
    path = tmp_path / "as-timeline.yaml"
    import yaml
    path.write_text(yaml.safe_dump(sfmc_doc(timeline=timeline), sort_keys=False))
    ran = journeysim.run(journeysim.load(path))
    calls = served.pop("api_calls")
    assert [(c["at_s"], c["method"], c["path"], c["status"]) for c in calls] == [
        (0, "POST", "/v2/token", 200), (500, "POST", "/sim/advance", 200),
        (500, "POST", f"{SFMC_BASE}/pause/key:j?versionNumber=1", 202), (800, "POST", "/sim/advance", 200),
        (800, "POST", f"{SFMC_BASE}/resume/key:j?versionNumber=1", 202), (2000, "POST", "/sim/advance", 200)]
    assert calls[-1]["answer"] == {"now_s": 2000, "ended": True}
    assert served.pop("serve") == {"ended_by": "end", "ended_at_s": 2000, "speed": 0}
    assert served == json.loads(json.dumps(ran.summary))
    assert served["journeys"]["j"]["pauses"][0]["entered_from_queue"] == 30
    pd.testing.assert_frame_equal(pd.read_parquet(live.out / "timeseries.parquet"), ran.timeseries)


def test_X3_operator_calls_equal_run_even_when_a_filter_reads_what_a_journey_writes(tmp_path):
    """AJO-style hold at 500 s, a global filter at 600 s on ``flag`` (which journey ``w`` writes for
    every profile as it passes), resume at 900 s: the same outputs as the timeline run."""
    writer = {"key": "w", "start": "entry", "nodes": {
        "entry": {"type": "event", "arrivals": {"every": "20s", "count": 100}, "next": "unflag"},
        "unflag": {"type": "update_profile", "set": {"flag": False}, "next": "done"}, "done": {"type": "end"}}}
    doc = scenario(linear_journey(), writer, size=100)
    live = Live(doc, tmp_path, name="served")
    live.advance(to="500s")
    assert live.client.post("/sim/journeys/j/pause", json={"mode": "hold"}).status_code == 200
    live.advance(to="600s")
    assert live.client.post("/sim/journeys/j/global-filter", json={"exclude": "flag == true"}).status_code == 200
    live.advance(to="900s")
    assert live.client.post("/sim/journeys/j/resume", json={}).status_code == 200
    live.advance(to="2000s")
    live.wait()
    served = summary_of(live.out)
    timeline = [{"at": "500s", "pause": {"journeys": ["j"], "mode": "hold"}},
                {"at": "600s", "global_filter": {"journey": "j", "exclude": "flag == true"}},
                {"at": "900s", "resume": {"journeys": ["j"]}}]
    path = tmp_path / "as-timeline.yaml"
    import yaml
    path.write_text(yaml.safe_dump(scenario(linear_journey(), writer, size=100, timeline=timeline), sort_keys=False))
    ran = journeysim.run(journeysim.load(path))
    served.pop("api_calls"), served.pop("serve")
    assert served == json.loads(json.dumps(ran.summary))
    assert served["journeys"]["j"]["discarded"]["global_filter"] > 0
    pd.testing.assert_frame_equal(pd.read_parquet(live.out / "timeseries.parquet"), ran.timeseries)


def test_X1_by_id_forms_and_version_query_names_in_either_case(tmp_path):
    """Real automation pauses by journey id with AllVersions / VersionNumber (X1)."""
    live = Live(scenario(linear_journey(), linear_journey(version=2), platform="sfmc"), tmp_path)
    try:
        auth = live.bearer()
        versions = live.client.get(SFMC_BASE, headers=auth, params={"mostRecentVersionOnly": "false"}).json()["items"]
        assert [(d["key"], d["version"], d["status"]) for d in versions] == [("j", 1, "Published"), ("j", 2, "Published")]
        one = versions[0]["id"]
        assert live.client.post(f"{SFMC_BASE}/pause/{one}", headers=auth).json() == VERSION_REQUIRED
        assert live.client.post(f"{SFMC_BASE}/pause/{one}?VersionNumber=2", headers=auth).json() == {"status": "Accepted"}
        assert live.client.post(f"{SFMC_BASE}/resume/{one}?AllVersions=true", headers=auth).json() == NOT_PAUSED  # v1 is live
        assert live.client.post(f"{SFMC_BASE}/pause/{one}?allVersions=true", headers=auth).json() == NOT_RUNNING  # v2 is paused
        assert [j["status"] for j in live.client.get("/sim/status").json()["journeys"]] == ["live", "paused"]
        assert live.client.post(f"{SFMC_BASE}/stop/{one}?allVersions=1", headers=auth).json() == {"status": "Accepted"}
        assert [j["status"] for j in live.client.get("/sim/status").json()["journeys"]] == ["stopped", "stopped"]
        latest = live.client.get(f"{SFMC_BASE}/key:j", headers=auth).json()
        assert (latest["version"], latest["status"]) == (2, "Stopped")
        assert live.client.get(f"{SFMC_BASE}/key:j?versionNumber=1", headers=auth).json()["version"] == 1
        assert live.client.get(f"{SFMC_BASE}/not-an-id", headers=auth).json() == NOT_FOUND
    finally:
        live.stop()


def test_X4_openapi_describes_every_endpoint(live):
    paths = live.client.get("/openapi.json").json()["paths"]
    assert {"/v2/token", f"{SFMC_BASE}/pause/{{ident}}", f"{SFMC_BASE}/resume/{{ident}}", f"{SFMC_BASE}/stop/{{ident}}",
            SFMC_BASE, f"{SFMC_BASE}/{{ident}}", "/api/v1/campaigns/{uuid}/pause", "/api/v1/campaigns/{uuid}/launch",
            "/sim/status", "/sim/summary", "/sim/advance", "/sim/journeys/{key}/pause", "/sim/journeys/{key}/resume",
            "/sim/journeys/{key}/global-filter"} <= set(paths)
    assert set(paths[SFMC_BASE]) == {"get", "post", "put"}


def test_X3_sigterm_mid_run_writes_complete_outputs(tmp_path):
    """SIGTERM at 500 s of a stepped session: the outputs describe the run up to 500 s, conservation holds."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    import httpx
    import yaml

    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(sfmc_doc(), sort_keys=False))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "JOURNEYSIM_SFMC_CLIENT_ID": "id1", "JOURNEYSIM_SFMC_CLIENT_SECRET": "secret1"}
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "journeysim.cli", "serve", str(path), "--out", str(out), "--port", str(port),
                             "--speed", "0", "--no-report"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                httpx.get(base + "/sim/status", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        token = httpx.post(base + "/v2/token", json={"grant_type": "client_credentials", "client_id": "id1",
                                                     "client_secret": "secret1"}).json()["access_token"]
        assert httpx.post(base + "/sim/advance", json={"to": "500s"}).status_code == 200
        paused = httpx.post(base + f"{SFMC_BASE}/pause/key:j?versionNumber=1", headers={"Authorization": f"Bearer {token}"})
        assert paused.json() == {"status": "Accepted"}
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, stderr
    assert "Traceback" not in stderr  # SFMC credentials came from the environment; the Blueshift key is made and printed
    assert "JOURNEYSIM_SFMC_CLIENT_ID" not in stdout and "JOURNEYSIM_BLUESHIFT_API_KEY=" in stdout
    summary = summary_of(out)
    assert summary["serve"] == {"ended_by": "signal", "ended_at_s": 500, "speed": 0}
    j = summary["journeys"]["j"]
    assert summary["conservation"]["ok"]  # the cut includes what is due at 500 s: that arrival is turned away (paused)
    assert (j["arrived"], j["discarded"]["paused_entry"], j["in_journey_at_end"], j["status_at_end"]) == (51, 1, 10, "paused")
    assert [c["path"] for c in summary["api_calls"]] == ["/v2/token", "/sim/advance", f"{SFMC_BASE}/pause/key:j?versionNumber=1"]
    series = pd.read_parquet(out / "timeseries.parquet")
    assert series["t_s"].max() == 500


def test_X1_the_example_script_runs_against_the_sandbox(tmp_path):
    """examples/sfmc_pause_automation.py, unchanged, against the sandbox at 500 s: pause with extended
    waits and retained entries, 300 s later resume; the 10 in the wait had their waits extended, the
    30 arrivals of the pause entered at the resume."""
    import os
    import subprocess
    import sys

    from conftest import ROOT

    live = Live(sfmc_doc(), tmp_path)
    live.advance(to="500s")
    env = {**os.environ, "JOURNEYSIM_SFMC_CLIENT_ID": CREDS.client_id, "JOURNEYSIM_SFMC_CLIENT_SECRET": CREDS.client_secret}
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "sfmc_pause_automation.py"), "--auth-url", live.base,
                           "--key", "j", "--version", "1", "--paused-days", "1", "--sandbox-wait", "300s"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "paused: Paused\nbefore the resume: 10 contacts in the journey\nresumed: Published\n"
    pause = live.client.get("/sim/summary").json()["journeys"]["j"]["pauses"][0]
    assert (pause["paused_at_s"], pause["resumed_at_s"], pause["waits_extended"], pause["entered_from_queue"]) == (500, 800, 10, 30)
    live.stop()


def test_X2_a_value_the_scenario_format_refuses_is_a_400_not_a_server_error(ajo_live):
    """X2: an empty global-filter expression (the format refuses it) answers 400 with a message, never 500."""
    c = ajo_live.client
    assert c.post("/sim/journeys/j/pause", json={"mode": "hold"}).status_code == 200
    answer = c.post("/sim/journeys/j/global-filter", json={"exclude": ""})
    assert answer.status_code == 400 and "exclude" in answer.json()["error"], answer.text
