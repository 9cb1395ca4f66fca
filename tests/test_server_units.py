"""The sandbox's parts without a server: the wall-driven virtual clock (X1 --speed), token expiry and
credentials (X1, X2), and that `journeysim run` never loads the web stack."""

from __future__ import annotations

import base64
import subprocess
import sys

import yaml
from conftest import linear_journey, scenario

import journeysim
from journeysim.server.auth import Credentials, TokenStore
from journeysim.server.clock import SimRunner


class FakeWall:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def runner_for(tmp_path, wall, speed):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(scenario(linear_journey()), sort_keys=False))
    return SimRunner(journeysim.load(path), tmp_path / "out", speed=speed, report=False, wall=wall)


def test_X1_speed_maps_wall_seconds_to_simulated_seconds(tmp_path):
    """--speed 60: 5 wall seconds are 300 simulated seconds; the run ends (and writes) at 2000 s."""
    wall = FakeWall()
    runner = runner_for(tmp_path, wall, 60)
    wall.now += 5
    status = runner.status()
    assert status["now_s"] == 300 and status["journeys"][0]["arrived"] == 30  # arrivals at 0..290 s
    runner.advance(1000)  # /sim/advance with a moving clock jumps it; wall time then runs on from there
    wall.now += 10
    assert runner.status()["now_s"] == 1600
    wall.now += 100
    assert runner.status()["ended"] and runner.now_s == 2000 and not runner.finished
    runner.finish_if_at_end()  # what the server does once the call that reached the end is logged
    assert runner.ended_by == "end"
    assert (tmp_path / "out" / "summary.json").is_file()


def test_X1_speed_zero_stands_still(tmp_path):
    wall = FakeWall()
    runner = runner_for(tmp_path, wall, 0)
    wall.now += 10_000
    assert runner.status()["now_s"] == 0
    runner.advance(250)
    assert runner.status()["now_s"] == 250 and not runner.finished


def test_X2_tokens_expire_and_only_valid_credentials_get_one():
    wall = FakeWall()
    store = TokenStore(Credentials("id", "secret", "key"), ttl_s=1080, wall=wall)
    assert store.issue("id", "wrong") is None and store.issue("id", None) is None and store.issue(1, "secret") is None
    token = store.issue("id", "secret")
    assert store.valid(f"Bearer {token}") and store.valid(f"bearer {token}")
    assert not store.valid(token) and not store.valid(f"Basic {token}") and not store.valid(None)
    wall.now += 1079
    assert store.valid(f"Bearer {token}")
    wall.now += 1
    assert not store.valid(f"Bearer {token}")
    basic = lambda text: "Basic " + base64.b64encode(text.encode()).decode()  # noqa: E731
    assert store.blueshift_ok(basic("key:")) and store.blueshift_ok(basic("key:anything"))
    assert not store.blueshift_ok(basic("other:")) and not store.blueshift_ok("Basic ***") and not store.blueshift_ok(None)


def test_X1_credentials_from_flags_then_environment_then_random():
    env = {"JOURNEYSIM_SFMC_CLIENT_ID": "env-id", "JOURNEYSIM_SFMC_CLIENT_SECRET": "env-secret"}
    chosen = Credentials.resolve("flag-id", None, None, environ=env)
    assert (chosen.client_id, chosen.client_secret) == ("flag-id", "env-secret")
    assert chosen.generated == ("blueshift_api_key",) and len(chosen.blueshift_api_key) == 32
    assert Credentials.resolve(environ={}).generated == ("client_id", "client_secret", "blueshift_api_key")


def test_run_does_not_import_the_web_stack(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(scenario(linear_journey()), sort_keys=False))
    code = ("import sys; from click.testing import CliRunner; from journeysim.cli import main; "
            f"r = CliRunner().invoke(main, ['run', {str(path)!r}, '--out', {str(tmp_path / 'out')!r}, '-q', '--no-report']); "
            "assert r.exit_code == 0, r.output; print(sorted(m for m in ('fastapi', 'uvicorn', 'starlette') if m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "[]"


def test_X1_a_port_in_use_is_a_clear_error_and_writes_nothing(tmp_path):
    import socket

    import pytest

    from journeysim.server.serve import CannotListen, Sandbox

    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(scenario(linear_journey()), sort_keys=False))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        sandbox = Sandbox(journeysim.load(path), tmp_path / "out", port=port, speed=0, credentials=Credentials("a", "b", "c"))
        with pytest.raises(CannotListen, match=f"cannot listen on 127.0.0.1:{port}"):
            sandbox.serve()
    assert not (tmp_path / "out").exists()


def test_X1_a_moving_clock_runs_to_the_end_by_itself(tmp_path):
    """--speed N with nobody calling: the ticker keeps the simulation up with wall time and, at the
    scenario's end, writes the outputs and stops."""
    import threading

    wall = FakeWall()
    runner = runner_for(tmp_path, wall, 3600)
    ended = threading.Event()
    runner.on_end = ended.set
    wall.now += 1  # one wall second: an hour simulated, past the 2000 s scenario
    ticker = threading.Thread(target=runner.tick_forever, args=(threading.Event(), 0.001))
    ticker.start()
    ticker.join(timeout=60)
    assert ended.is_set() and runner.ended_by == "end" and runner.now_s == 2000
    assert (tmp_path / "out" / "summary.json").is_file()
