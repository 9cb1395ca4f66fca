"""V9: one scenario under every vendor preset, side by side, with a timeline translated per preset."""

from __future__ import annotations

import re

import matplotlib.image as mpimg
import pandas as pd
from click.testing import CliRunner
from conftest import linear_journey, pause, resume, scenario

from journeysim.cli import main
from journeysim.compare_presets import translate
from journeysim.model.presets import PLATFORMS

SFMC_TIMELINE = [{"at": "300s", "pause": {"journey": "j", "versionNumber": 1,
                                          "body": {"PausedDays": 1, "ExtendWaitEndDates": True}}},
                 {"at": "600s", "resume": {"journey": "j", "versionNumber": 1}}]


def test_V9_compare_presets_all_runs_every_preset_with_the_same_seed(simulate, tmp_path):
    path = simulate.write(scenario(timeline=SFMC_TIMELINE, platform="sfmc"))
    out = tmp_path / "cmp"
    result = CliRunner().invoke(main, ["compare", str(path), "--presets", "all", "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "comparison.csv", index_col="figure")
    assert list(table.columns) == list(PLATFORMS)
    row = lambda name: dict(zip(table.columns, table.loc[name]))  # noqa: E731
    assert int(row("held at resume")["ajo"]) == 10 and int(row("discarded.discard_mode")["braze"]) == 10
    assert int(row("actions skipped")["hubspot"]) == 10 and int(row("parked at end")["klaviyo"]) == 30
    assert int(row("skipped late at release")["blueshift"]) == 10 and row("status at end")["customerio"] == "live"
    # the SFMC body's ExtendWaitEndDates holds for sfmc only: its 10 waits are extended, nobody is held
    assert int(row("held at resume")["sfmc"]) == 0 and int(row("actions executed")["sfmc"]) == 64
    assert row("verdict")["braze"].startswith("10 users whose step came due during the pause left the journey")
    assert {int(v) for v in table.loc["arrived"]} == {100}
    page = (out / "comparison.html").read_text()
    assert "In plain words" in page and "ExtendWaitEndDates is an SFMC option; braze" in page
    for image in re.findall(r"<img src='([^']+)'", page):
        assert mpimg.imread(out / image).std() > 0.01
    assert "fig_outcomes.png" in page and "braze: 10 users whose step came due" in result.output


def test_V9_an_ajo_mode_applies_to_the_ajo_presets_and_sfmc_gets_a_version(simulate, tmp_path):
    doc = scenario(timeline=[pause("300s", mode="discard"), resume("600s")])
    sets, notes = translate(doc, "braze")
    assert "timeline[0].pause.mode=null" in sets and any("AJO's choice; braze does discard" in n for n in notes)
    sets, notes = translate(doc, "sfmc")
    assert "timeline[0].pause.versionNumber=1" in sets and "timeline[1].resume.versionNumber=1" in sets
    assert translate(doc, "ajo-2026")[0] == ("platform=ajo-2026",)
    path = simulate.write(doc)
    out = tmp_path / "three"
    result = CliRunner().invoke(main, ["compare", str(path), "--presets", "ajo,sfmc,hubspot", "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "comparison.csv", index_col="figure")
    assert table.loc["discarded.discard_mode"].astype(int).tolist() == [10, 0, 0]
    assert table.loc["actions skipped"].astype(int).tolist() == [0, 0, 10]


def test_V9_sfmc_gets_a_version_for_a_pause_of_several_single_version_journeys(simulate, tmp_path):
    """scenarios/org-cap-black-friday.yaml pauses three journeys in one action: under --presets all the
    SFMC run was refused (errorcode 10005) although each journey has only one version to name."""
    doc = scenario(linear_journey("a"), linear_journey("b"), linear_journey("c"),
                   timeline=[pause("300s", journeys=("a", "b")), pause("300s", journeys=("a", "b", "c"))])
    doc["journeys"][2]["version"] = 2
    sets, notes = translate(doc, "sfmc")
    assert "timeline[0].pause.versionNumber=1" in sets and "timeline[1].pause.allVersions=true" in sets
    assert any("allVersions added (each journey has one)" in n for n in notes)
    doc["timeline"] = [pause("300s", journeys=("a", "b", "c")), resume("600s", journeys=("a", "b", "c"))]
    out = tmp_path / "cmp"
    result = CliRunner().invoke(main, ["compare", str(simulate.write(doc)), "--presets", "ajo,sfmc", "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "comparison.csv", index_col="figure")
    # each journey: the sends due from 300 s (arrivals from 200 s) are held; arrivals from 300 s are
    # turned away while paused and 60 s after (36): 10 held per journey, 30 in all, under both presets
    assert table.loc["held at resume"].astype(int).tolist() == [30, 30]
    assert table.loc["discarded.paused_entry"].astype(int).tolist() == [108, 108]


def test_V9_unknown_presets_are_a_usage_error(simulate, tmp_path):
    path = simulate.write(scenario())
    bad = CliRunner().invoke(main, ["compare", str(path), "--presets", "ajo,brazed", "--out", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "brazed" in bad.output and not (tmp_path / "x").exists()


def test_V9_an_sfmc_body_is_translated_not_refused_on_other_platforms(simulate):
    """PausedDays 1 + GuardrailAction Stop is the operator's plan anywhere: braze (no pause limit of its own)
    stops the journey one day after the pause; ExtendWaitEndDates stays an SFMC option."""
    timeline = [{"at": "300s", "pause": {"journey": "j", "versionNumber": 1,
                                         "body": {"PausedDays": 1, "GuardrailAction": "Stop", "ExtendWaitEndDates": True}}}]
    s = simulate(scenario(timeline=timeline, platform="braze", duration="2d", report_every="1h")).summary["journeys"]["j"]
    assert s["status_at_end"] == "stopped" and s["pauses"][0]["ended_by"] == "stop"
    assert s["pauses"][0]["waits_extended"] == 0 and s["discarded"]["discard_mode"] == 10
    only_guardrail = [{"at": "300s", "pause": {"journeys": ["j"], "body": {"GuardrailAction": "Resume"}}}]
    s = simulate(scenario(timeline=only_guardrail, platform="braze", duration="15d", report_every="1h")).summary
    assert s["journeys"]["j"]["pauses"][0]["resumed_at_s"] == 300 + 14 * 86400
