"""Input audit (mutated scenarios and SFMC exports): cases that used to end in a traceback, exit 1,
an invalid imported scenario or a half-written output. Each test fails on the code before its fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from journeysim.cli import main

ROOT = Path(__file__).parent.parent
WELCOME = ROOT / "tests" / "fixtures" / "sfmc" / "welcome-all-types.json"


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def ok(result):
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output


# ---------------------------------------------------------------- rates at the edges of float and int64

@pytest.mark.parametrize("rate", ["10000000000000000000000/s", "0.0000000000000000000001/s"])
def test_a_read_rate_past_int64_ticks_runs(rate, tmp_path):
    """A read_rate of 1e22/s used to overflow int64 (OverflowError), one of 1e-22/s to wrap negative (ValueError)."""
    out = tmp_path / "out"
    ok(cli("run", ROOT / "scenarios" / "black-friday-caps.yaml", "--out", out, "--no-report", "-q",
           "--set", f"journeys[0].nodes.read.read_rate={rate}", "--set", "population.size=2000"))
    assert json.loads((out / "summary.json").read_text())["conservation"]["ok"]


@pytest.mark.parametrize("rate", ["10000000000000000000000/s", "0.0000000000000000000001/s"])
def test_a_resume_rate_past_int64_ticks_runs(rate, tmp_path):
    out = tmp_path / "out"
    ok(cli("run", ROOT / "scenarios" / "quickstart.yaml", "--out", out, "--no-report", "-q",
           "--set", f"org.resume_rate={rate}", "--set", "population.size=20000", "--set", "journeys[0].nodes.add_to_cart.arrivals.rate=1/s"))
    summary = json.loads((out / "summary.json").read_text())
    assert summary["conservation"]["ok"]
