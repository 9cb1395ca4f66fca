"""Every file in scenarios/ and every example of the spec loads; the small ones run with conservation."""

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import ROOT, SPEC_EXAMPLES

import journeysim
from journeysim.cli import main

RUN_LIMIT = 1_000_000  # profiles; bigger scenarios are checked with `journeysim validate`
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
EXAMPLES = sorted(SPEC_EXAMPLES.glob("*.yaml"))


def population_size(path: Path) -> int:
    return yaml.safe_load(path.read_text())["population"].get("size") or 0


def test_the_scenario_library_is_there():
    names = {p.stem for p in SCENARIOS}
    assert {"quickstart", "hold-vs-discard", "global-filter-exclusion", "org-cap-small", "org-cap-black-friday",
            "sfmc-extended-waits-queued", "content-fix-hold", "data-quality-incident", "recurring-read-catch-up",
            "auto-resume-timeout"} <= names


@pytest.mark.parametrize("path", SCENARIOS + EXAMPLES, ids=lambda p: p.name)
def test_scenario_validates_and_small_ones_run(path):
    out = CliRunner().invoke(main, ["validate", str(path)])
    assert out.exit_code == 0, out.output
    text = path.read_text()
    assert text.lstrip().startswith("#"), "each scenario starts with a comment saying what question it answers"
    if population_size(path) > RUN_LIMIT:
        return
    result = journeysim.run(journeysim.load(path))
    summary = result.summary
    assert summary["conservation"]["ok"]
    assert all(j["arrived"] > 0 for j in summary["journeys"].values())
    if yaml.safe_load(text).get("timeline"):
        assert any(j["pauses"] for j in summary["journeys"].values())


def test_the_org_cap_example_drops_profiles_after_a_check(tmp_path):
    """org-cap-two-journeys.yaml, unchanged: 14 M profiles held past the 10 M cap (L2, L3)."""
    result = journeysim.run(journeysim.load(SPEC_EXAMPLES / "org-cap-two-journeys.yaml"))
    s = result.summary
    assert s["org"]["held_peak"] >= 10_000_000 and s["org"]["cap_exceeded_checks"] > 0
    assert all(j["discarded"]["org_cap"] > 0 for j in s["journeys"].values())
    assert s["conservation"]["ok"]


@pytest.mark.parametrize("path", sorted((ROOT / "benchmarks").glob("*.yaml")), ids=lambda p: p.name)
def test_benchmark_scenarios_validate(path):
    out = CliRunner().invoke(main, ["validate", str(path)])
    assert out.exit_code == 0, out.output
