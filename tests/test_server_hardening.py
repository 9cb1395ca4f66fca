"""The sandbox under hostile input (X2): every refusal is the documented answer, never a 500 or a
second response; nothing a refused call names is acted on.

The base journey (tests/conftest.py): one arrival every 10 s from 0 s (100 in all), a 100 s wait,
an email, the end; duration 2000 s. At 505 s the arrivals of 410..500 s (10) are in the wait.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import httpx
import pytest
import yaml
from conftest import linear_journey, scenario
from serverkit import Live, running
from test_server import MALFORMED, NOT_FOUND, SFMC_BASE
from test_server_units import FakeWall, runner_for
from test_server_versions import EXIT, inside_at

from journeysim.server import blueshift
from journeysim.server.app import MAX_BODY_BYTES

PROBLEM = "X-Journeysim-Problem"
INVALID_CONTACT = "Exit request Ignored - Invalid Contact Key."
JSON = {"content-type": "application/json"}


@pytest.fixture
def live(tmp_path):
    yield from running(scenario(linear_journey(), platform="sfmc"), tmp_path)


def api_calls(live: Live) -> list[dict]:
    return live.client.get("/sim/summary").json()["api_calls"]


# ---------------------------------------------------------------- --speed


@pytest.mark.parametrize("speed", ["nan", "inf", "1e400"])
def test_X1_serve_refuses_a_speed_that_is_not_a_finite_number(tmp_path, speed):
    """Exit 2 before listening, as --speed -1 does; no outputs."""
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(scenario(linear_journey()), sort_keys=False))
    command = [sys.executable, "-m", "journeysim.cli", "serve", str(path), "--out", str(tmp_path / "out"), "--port", "0",
               "--speed", speed, "--no-report"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _, stderr = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail(f"--speed {speed} was accepted: the server started")
    assert proc.returncode == 2, stderr
    assert "--speed" in stderr and "finite" in stderr and "Traceback" not in stderr
    assert not (tmp_path / "out").exists()


def test_X1_the_clock_refuses_a_non_finite_speed(tmp_path):
    with pytest.raises(ValueError, match="finite"):
        runner_for(tmp_path, FakeWall(), math.nan)


def test_X1_a_huge_finite_speed_reaches_the_end(tmp_path):
    """1e308 simulated seconds per wall second: the virtual instant overflows to inf after 2 wall seconds."""
    wall = FakeWall()
    runner = runner_for(tmp_path, wall, 1e308)
    wall.now += 5
    assert runner.status()["now_s"] == 2000 and runner.at_end


# ---------------------------------------------------------------- body size


def chunks(total: int = MAX_BODY_BYTES + 40_000):
    """A body sent without Content-Length (chunked), in pieces of 10,000 bytes."""
    sent = 0
    while sent < total:
        yield b"a" * min(10_000, total - sent)
        sent += 10_000


TOO_LARGE_SFMC = {"message": "Request body too large.", "errorcode": 413, "documentation": ""}
TOO_LARGE_BLUESHIFT = {"errors": ["Request body too large"]}
TOO_LARGE_SIM = {"error": "request body too large"}
OVER_LIMIT_CALLS = [
    ("post", "/v2/token", None, TOO_LARGE_SFMC),
    ("post", SFMC_BASE, "bearer", TOO_LARGE_SFMC),
    ("put", SFMC_BASE, "bearer", TOO_LARGE_SFMC),
    ("post", EXIT, "bearer", TOO_LARGE_SFMC),
    ("post", f"{SFMC_BASE}/pause/key:j?versionNumber=1", "bearer", TOO_LARGE_SFMC),
    ("patch", "/api/v1/campaigns/j/pause", "basic", TOO_LARGE_BLUESHIFT),
    ("post", "/sim/advance", None, TOO_LARGE_SIM),
    ("post", "/sim/journeys/j/pause", None, TOO_LARGE_SIM),
]


@pytest.mark.parametrize("declared", [False, True], ids=["chunked", "content-length"])
@pytest.mark.parametrize(("method", "path", "auth", "expected"), OVER_LIMIT_CALLS, ids=[c[1] for c in OVER_LIMIT_CALLS])
def test_X2_a_body_over_64_KiB_is_one_413_in_the_routes_dialect(live, method, path, auth, expected, declared):
    """With or without Content-Length: the app never reads the body; one answer, logged; nothing changes."""
    headers = {**JSON, **({"bearer": live.bearer(), "basic": live.basic()}.get(auth) or {})}
    body = b"".join(chunks()) if declared else chunks()
    answer = getattr(live.client, method)(path, headers=headers, content=body)
    assert (answer.status_code, answer.json()) == (413, expected)
    assert answer.headers[PROBLEM] == f"the request body is over {MAX_BODY_BYTES} bytes"
    assert live.journey("j")["status"] == "live"
    assert api_calls(live)[-1] | {"at_s": 0} == {"at_s": 0, "method": method.upper(), "path": path, "status": 413,
                                                  "answer": expected}


def test_X2_a_chunked_body_within_the_limit_reaches_the_route(live):
    def pieces():
        yield b'{"to": '
        yield b'"500s"}'
    answer = live.client.post("/sim/advance", headers=JSON, content=pieces())
    assert (answer.status_code, answer.json()) == (200, {"now_s": 500, "ended": False})


# ---------------------------------------------------------------- numbers


def create_draft(live: Live, auth: dict, key: str = "d1") -> dict:
    created = live.client.post(SFMC_BASE, headers=auth, json={"key": key, "name": key.upper(), "workflowApiVersion": 1.0})
    assert created.status_code == 200, created.text
    return created.json()


@pytest.mark.parametrize("version", ["1e400", "-1e400", "NaN", "Infinity", "-Infinity", "true", "1.5", '"1"', "0"])
def test_D2_an_update_whose_version_is_not_a_whole_number_is_malformed(live, version):
    auth = live.bearer()
    draft = create_draft(live, auth)
    fields = json.dumps({"key": "d1", "name": "renamed", "workflowApiVersion": 1.0, "modifiedDate": draft["modifiedDate"]})
    body = fields[:-1] + f', "version": {version}}}'
    answer = live.client.put(SFMC_BASE, headers={**auth, **JSON}, content=body.encode())
    assert (answer.status_code, answer.json()) == (400, MALFORMED)
    assert live.client.get(f"{SFMC_BASE}/key:d1", headers=auth).json()["name"] == "D1"


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_X2_json_bodies_with_non_finite_numbers_are_malformed(live, literal):
    """JSON has no NaN or Infinity, and 1e400 is no float: a 400 in each dialect, whatever the field."""
    auth = {**live.bearer(), **JSON}
    create = live.client.post(SFMC_BASE, headers=auth, content=b'{"key": "d2", "name": "n", "workflowApiVersion": %s}'
                              % literal.encode())
    assert (create.status_code, create.json()) == (400, MALFORMED)
    leave = live.client.post(EXIT, headers=auth, content=b'[{"ContactKey": "1", "DefinitionKey": "j", "Versions": [%s]}]'
                             % literal.encode())
    assert (leave.status_code, leave.json()) == (400, MALFORMED)
    token = live.client.post("/v2/token", headers=JSON, content=b'{"grant_type": "client_credentials", "client_id": %s, '
                             b'"client_secret": "x"}' % literal.encode())
    assert (token.status_code, token.json()["error"]) == (400, "invalid_request")
    for path in ("/sim/advance", "/sim/journeys/j/pause"):
        field = b"by" if path == "/sim/advance" else b"version"
        sim = live.client.post(path, headers=JSON, content=b'{"%s": %s}' % (field, literal.encode()))
        assert sim.status_code == 400 and set(sim.json()) == {"error"} and sim.headers[PROBLEM]
    assert live.journey("j")["status"] == "live"


@pytest.mark.parametrize(("path", "body"), [("/sim/advance", {"by": True}), ("/sim/advance", {"to": False}),
                                            ("/sim/journeys/j/pause", {"version": True}),
                                            ("/sim/journeys/j/stop", {"version": True}),
                                            ("/sim/journeys/j/global-filter", {"exclude": None, "version": True})])
def test_X2_a_boolean_is_not_a_number_on_sim_routes(live, path, body):
    answer = live.client.post(path, json=body)
    assert answer.status_code == 400 and set(answer.json()) == {"error"} and answer.headers[PROBLEM]
    status = live.client.get("/sim/status").json()
    assert status["now_s"] == 0 and status["journeys"][0]["status"] == "live"


@pytest.mark.parametrize("number", [" 1", "1 ", "+1", "1_0", "0_1", "\u0661", "1e0", "9" * 5000])
def test_S1_a_version_number_is_ascii_digits_only(live, number):
    """int() reads ' 1', '1_0' (10) and Arabic-Indic digits; a query's version number is written in ASCII digits."""
    auth = live.bearer()
    for name in ("versionNumber", "VersionNumber"):
        answer = live.client.post(f"{SFMC_BASE}/pause/key:j?{name}={number}", headers=auth)
        assert (answer.status_code, answer.json()) == (400, MALFORMED), name
    assert live.journey("j")["status"] == "live"


# ---------------------------------------------------------------- contact keys


def arabic_indic(text: str) -> str:
    return text.translate({ord("0") + d: 0x0660 + d for d in range(10)})


def test_X1_contact_exit_takes_only_a_profile_ids_canonical_form(tmp_path):
    """' 17', '١٧', '017', '+17' are not the ContactKey '17': Invalid Contact Key, and the profile stays."""
    doc = scenario(linear_journey(), platform="sfmc")
    profile = str(inside_at(doc, tmp_path, 505)[0])
    live = Live(doc, tmp_path, name="served")
    try:
        auth = live.bearer()
        live.advance(to="505s")
        for key in (f" {profile}", f"{profile} ", arabic_indic(profile), f"0{profile}", f"+{profile}", f"{profile}\n",
                    "-0", "9" * 5000, "99999999999999999999"):
            answer = live.client.post(EXIT, headers=auth, json=[{"ContactKey": key, "DefinitionKey": "j"}])
            assert (answer.status_code, answer.json()) == (202, {"errors": [
                {"contactKey": key, "definitionKey": "j", "status": [{"message": INVALID_CONTACT}]}]}), key
            assert live.journey("j")["in_journey"] == 10, key
        answer = live.client.post(EXIT, headers=auth, json=[{"ContactKey": profile, "DefinitionKey": "j"}])
        assert (answer.status_code, answer.json()) == (202, {"errors": []})
        assert live.journey("j")["in_journey"] == 9
    finally:
        live.stop()


# ---------------------------------------------------------------- drafts


def test_D1_a_drafts_unknown_version_is_not_found(live):
    auth = live.bearer()
    draft = create_draft(live, auth)
    for ident in ("key:d1", draft["id"], draft["definitionId"]):
        missing = live.client.get(f"{SFMC_BASE}/{ident}?versionNumber=7", headers=auth)
        assert (missing.status_code, missing.json()) == (404, NOT_FOUND), ident
        assert missing.headers[PROBLEM]
        found = live.client.get(f"{SFMC_BASE}/{ident}?VersionNumber=1", headers=auth)
        assert (found.status_code, found.json()["version"]) == (200, 1), ident


# ---------------------------------------------------------------- /sim answers


def test_X2_sim_refusals_carry_the_problem_header(live):
    answers = [live.client.post("/sim/journeys/nope/pause", json={}),
               live.client.post("/sim/advance", json={"by": "1s", "to": "2s"}),
               live.client.post("/sim/journeys/j/resume", json={})]
    live.advance(to="500s")
    answers.append(live.client.post("/sim/advance", json={"to": "100s"}))
    assert [a.status_code for a in answers] == [404, 400, 409, 409]
    for answer in answers:
        assert answer.headers[PROBLEM] == answer.json()["error"]


def test_X2_an_internal_error_answers_500_in_the_routes_dialect(live, monkeypatch):
    """A bug's 500 is in the family's own shape (the SFMC body only on SFMC routes); the log has the traceback."""
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")
    monkeypatch.setattr(live.sandbox.runner, "status", broken)
    monkeypatch.setattr(blueshift, "_campaign", broken)
    sim = httpx.get(live.base + "/sim/status")  # a connection of its own: uvicorn closes it after a crash
    assert (sim.status_code, sim.json()) == (500, {"error": "internal error (see the server's log)"})
    campaign = httpx.patch(live.base + "/api/v1/campaigns/j/pause", headers=live.basic())
    assert (campaign.status_code, campaign.json()) == (500, {"errors": ["Internal server error"]})
    assert campaign.headers[PROBLEM] == sim.headers[PROBLEM] == "internal error (see the server's log)"
