"""Audit of the API sandbox by a client written from the vendors' documents and docs/server.md:
every answer checked against them, and the session against the same scenario run with a timeline."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import urllib.request

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
