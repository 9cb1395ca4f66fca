"""The sandbox under hostile input (X2): every refusal is the documented answer, never a 500 or a
second response; nothing a refused call names is acted on.

The base journey (tests/conftest.py): one arrival every 10 s from 0 s (100 in all), a 100 s wait,
an email, the end; duration 2000 s. At 505 s the arrivals of 410..500 s (10) are in the wait.
"""

from __future__ import annotations

import math
import subprocess
import sys

import pytest
import yaml
from conftest import linear_journey, scenario
from serverkit import Live
from test_server_units import FakeWall, runner_for

PROBLEM = "X-Journeysim-Problem"
INVALID_CONTACT = "Exit request Ignored - Invalid Contact Key."
JSON = {"content-type": "application/json"}


@pytest.fixture
def live(tmp_path):
    server = Live(scenario(linear_journey(), platform="sfmc"), tmp_path)
    yield server
    if server.thread.is_alive():
        server.stop()


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
