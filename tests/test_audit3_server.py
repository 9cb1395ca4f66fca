"""Audit of the API sandbox by a client written from the vendors' documents and docs/server.md:
every answer checked against them, and the session against the same scenario run with a timeline."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import urllib.request

import pytest
from conftest import linear_journey, scenario
from serverkit import running
from test_readme import ROOT

# ---------------------------------------------------------------- the start-up line


def test_the_start_up_line_names_a_port_that_already_answers(tmp_path):
    """docs/server.md: with `--port 0` "the first line printed names the address it answers on". The
    line came before uvicorn bound the port (a probe socket had found it free, then closed it), so a
    client that called at once was refused the connection, and another process could take the port in
    between. A call made right after reading the line, with no retry, is answered."""
    server = subprocess.Popen([sys.executable, "-m", "journeysim.cli", "serve", str(ROOT / "scenarios" / "quickstart.yaml"),
                               "--out", str(tmp_path / "out"), "--port", "0", "--speed", "0", "--no-report"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        banner = server.stdout.readline()
        base = re.search(r" at (http://127\.0\.0\.1:\d+) ", banner)
        assert base, banner
        with urllib.request.urlopen(base.group(1) + "/sim/status", timeout=60) as answer:
            assert answer.status == 200 and json.load(answer)["now_s"] == 0
    finally:
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=60) == 0
        server.stdout.close()
        server.stderr.close()


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
