"""A real ``journeysim serve`` in a thread on a free port, for the server tests."""

from __future__ import annotations

import base64
import contextlib
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import yaml

import journeysim
from journeysim.server.auth import Credentials
from journeysim.server.serve import Sandbox

ROOT = Path(__file__).resolve().parent.parent
CREDS = Credentials("test-client", "test-secret", "bs-key")


def running(doc: dict, tmp_path: Path, **options):
    """A fixture's body: a started sandbox, stopped after the test if it still runs."""
    server = Live(doc, tmp_path, **options)
    yield server
    if server.thread.is_alive():
        server.stop()


class Live:
    """A started sandbox: ``client`` talks to it; ``stop()`` is SIGINT's path (outputs where the clock stands)."""

    def __init__(self, doc: dict, tmp_path: Path, *, speed: float = 0, token_ttl_s: float | None = None, name: str = "scenario"):
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False))
        self.out = tmp_path / f"{name}-out"
        self.sandbox = Sandbox(journeysim.load(path), self.out, port=0, speed=speed, credentials=CREDS, report=False,
                               token_ttl_s=token_ttl_s)
        self.thread = threading.Thread(target=self.sandbox.serve, daemon=True)
        self.thread.start()
        server = self.sandbox.server
        for _ in range(500):
            if server.started:
                break
            time.sleep(0.01)
        assert server.started, "the server did not start"
        port = server.servers[0].sockets[0].getsockname()[1]
        self.base = f"http://127.0.0.1:{port}"
        self.client = httpx.Client(base_url=self.base, timeout=30)

    def token(self) -> str:
        answer = self.client.post("/v2/token", json={"grant_type": "client_credentials", "client_id": CREDS.client_id,
                                                     "client_secret": CREDS.client_secret})
        assert answer.status_code == 200, answer.text
        return answer.json()["access_token"]

    def bearer(self) -> dict:
        return {"Authorization": f"Bearer {self.token()}"}

    @staticmethod
    def basic(key: str = CREDS.blueshift_api_key) -> dict:
        return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}

    def advance(self, **body) -> dict:
        answer = self.client.post("/sim/advance", json=body)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def journey(self, label: str) -> dict:
        status = self.client.get("/sim/status").json()
        return next(j for j in status["journeys"] if j["label"] == label)

    def stop(self) -> None:
        self.sandbox.server.should_exit = True
        self.wait()

    def wait(self) -> None:
        self.thread.join(timeout=60)
        assert not self.thread.is_alive()
        self.client.close()


@contextlib.contextmanager
def served_quickstart(tmp_path: Path):
    """``journeysim serve`` of the quickstart as a user starts it (a process, ``--port 0``): yields the
    base URL its start-up line names; SIGINT at the end, which must stop it cleanly."""
    server = subprocess.Popen([sys.executable, "-m", "journeysim.cli", "serve", str(ROOT / "scenarios" / "quickstart.yaml"),
                               "--out", str(tmp_path / "out"), "--port", "0", "--speed", "0", "--no-report"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        banner = server.stdout.readline()
        base = re.search(r" at (http://127\.0\.0\.1:(\d+)) ", banner)
        assert base and base.group(2) != "0", banner
        yield base.group(1)
    finally:
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=60) == 0
        server.stdout.close()
        server.stderr.close()
