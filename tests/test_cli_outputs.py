"""The CLI and the output contract: files, columns, atomic writes, population and arrival files."""

import json

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import ROOT, linear_journey, pause, resume, scenario

import journeysim
from journeysim.cli import main

QUICKSTART = ROOT / "scenarios" / "quickstart.yaml"


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "out"
    result = CliRunner().invoke(main, ["run", str(QUICKSTART), "--out", str(out), "--events", "--quiet"])
    assert result.exit_code == 0, result.output
    return out


def test_run_writes_the_contract_files(quick_run):
    assert {p.name for p in quick_run.iterdir()} >= {"summary.json", "timeseries.parquet", "events.parquet", "report.html"}
    summary = json.loads((quick_run / "summary.json").read_text())
    assert summary["scenario"] == "quickstart" and summary["seed"] == 42 and summary["platform"] == "ajo"
    assert summary["journeysim_version"] == journeysim.__version__
    assert summary["conservation"]["ok"] is True
    j = summary["journeys"]["cart-abandon"]
    assert set(j["exited"]) == {"end", "timeout", "exit_criteria", "jump", "stopped", "contact_exit"}
    assert set(j["discarded"]) == {"paused_entry", "discard_mode", "global_filter", "org_cap", "event_while_held", "read_queue"}
    assert set(j["pauses"][0]) >= {"paused_at_s", "resumed_at_s", "held_at_resume", "drain_s", "live_at_s", "resumed_by", "send_delay_s"}
    assert set(summary["org"]) >= {"held_peak", "cap_checks", "cap_exceeded_checks"}
    ts = pd.read_parquet(quick_run / "timeseries.parquet")
    assert list(ts.columns) == ["t_s", "journey", "node", "state", "count", "status"]
    assert set(ts.state) == {"waiting", "held", "in_journey"}
    assert ts[ts.state == "held"]["count"].max() > 0
    ev = pd.read_parquet(quick_run / "events.parquet")
    assert list(ev.columns) == ["t_s", "profile_id", "journey", "version", "node", "event", "reason", "in_report"]
    assert set(ev.event) == {"entered", "left", "held", "released", "action", "discarded", "exited"}


def test_run_prints_a_readable_summary_and_the_same_seed_reproduces_the_files(tmp_path):
    runner = CliRunner()
    a = runner.invoke(main, ["run", str(QUICKSTART), "--out", str(tmp_path / "a"), "--no-report"])
    b = runner.invoke(main, ["run", str(QUICKSTART), "--out", str(tmp_path / "b"), "--no-report", "--quiet"])
    assert "conservation: ok" in a.output and "held peak" in a.output and b.output == ""
    for name in ("summary.json", "timeseries.parquet"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    seeded = runner.invoke(main, ["run", str(QUICKSTART), "--out", str(tmp_path / "c"), "--no-report", "--seed", "7"])
    assert seeded.exit_code == 0
    assert json.loads((tmp_path / "c" / "summary.json").read_text())["seed"] == 7


def test_a_refused_scenario_writes_nothing_and_keeps_earlier_outputs(tmp_path, simulate):
    out = tmp_path / "out"
    good = simulate.write(scenario())
    assert CliRunner().invoke(main, ["run", str(good), "--out", str(out), "--no-report"]).exit_code == 0
    before = (out / "summary.json").read_bytes()
    bad = simulate.write(scenario(timeline=[resume("10s")]))
    result = CliRunner().invoke(main, ["run", str(bad), "--out", str(out)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert (out / "summary.json").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_set_overrides_are_validated_like_the_file(simulate):
    path = simulate.write(scenario(timeline=[pause("300s"), resume("600s")]))
    ok = CliRunner().invoke(main, ["run", str(path), "--out", str(simulate.tmp_path / "o"), "--quiet", "--no-report",
                                   "--set", "timeline[0].pause.mode=discard", "--set", "org.resume_rate=10/s"])
    assert ok.exit_code == 0
    summary = json.loads((simulate.tmp_path / "o" / "summary.json").read_text())
    assert summary["journeys"]["j"]["discarded"]["discard_mode"] == 10
    bad = CliRunner().invoke(main, ["validate", str(path), "--set", "org.resume_rate=fast"])
    assert bad.exit_code == 2 and "org.resume_rate" in bad.output and "5000/s" in bad.output
    typo = CliRunner().invoke(main, ["validate", str(path), "--set", "journeys[j].nodes.wiat.duration=5s"])
    assert typo.exit_code == 2 and "closest valid path: journeys[j].nodes.wait" in typo.output


def test_schema_command_prints_the_committed_json_schema():
    out = CliRunner().invoke(main, ["schema"])
    assert out.exit_code == 0
    assert json.loads(out.output) == json.loads((ROOT / "scenario.schema.json").read_text())


def test_population_from_csv_and_parquet_with_profile_ids(simulate, tmp_path):
    frame = pd.DataFrame({"profile_id": [100 + i for i in range(50)], "country": ["FR", "US"] * 25,
                          "score": [float(i) for i in range(50)]})
    frame.to_csv(tmp_path / "people.csv", index=False)
    frame.to_parquet(tmp_path / "people.parquet")
    journey = linear_journey(every="1s", count=50)
    journey["nodes"]["wait"]["next"] = "c"
    journey["nodes"]["c"] = {"type": "condition", "branches": [
        {"when": "country == 'FR' and score >= 10", "next": "send"}, {"otherwise": "done"}]}
    for name in ("people.csv", "people.parquet"):
        doc = scenario(journey, duration="1000s")
        doc["population"] = {"file": name}
        result = simulate(doc)
        sent = set(result.events[result.events.event == "action"].profile_id)
        assert sent == {100 + i for i in range(10, 50, 2)}


def test_population_file_problems_are_clear(simulate, tmp_path):
    pd.DataFrame({"country": ["FR", None]}).to_csv(tmp_path / "holes.csv", index=False)
    for file, message in (("missing.csv", "cannot read population file"), ("holes.csv", "missing value in data row 2")):
        doc = scenario()
        doc["population"] = {"file": file}
        out = CliRunner().invoke(main, ["validate", str(simulate.write(doc))])
        assert out.exit_code == 2 and "population.file" in out.output and message in out.output


def test_a_population_too_large_for_memory_is_refused_with_the_estimate(simulate):
    out = CliRunner().invoke(main, ["validate", str(simulate.write(scenario(size=50_000_000_000)))])
    assert out.exit_code == 2 and "GiB" in out.output and "population.size" in out.output


def test_arrivals_from_a_file(simulate, tmp_path):
    (tmp_path / "arrivals.csv").write_text("# one arrival time per row\n5\n1m\n2m 30s\n")
    journey = linear_journey()
    journey["nodes"]["entry"]["arrivals"] = {"file": "arrivals.csv"}
    result = simulate(scenario(journey))
    entered = result.events[(result.events.event == "entered") & (result.events.node == "entry")].t_s.tolist()
    assert entered == [5.0, 60.0, 150.0]


def test_poisson_arrivals_stop_when_the_population_is_exhausted(simulate):
    journey = linear_journey()
    journey["nodes"]["entry"]["arrivals"] = {"rate": "2/s"}
    s = simulate(scenario(journey, size=500, duration="1000s"), events=False).summary["journeys"]["j"]
    assert s["arrived"] == 500 and 200 < s["population_exhausted_at_s"] < 300


def test_every_shipped_scenario_fits_the_json_schema_and_a_pause_body_field_validate_refuses_does_not():
    """Editors check files against scenario.schema.json: it must accept what validate accepts and list a
    pause body's fields (an unknown one was accepted there, then refused by validate)."""
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    validator = jsonschema.Draft202012Validator(json.loads((ROOT / "scenario.schema.json").read_text()))
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        assert not list(validator.iter_errors(yaml.safe_load(path.read_text()))), path.name
    doc = yaml.safe_load((ROOT / "scenarios" / "sfmc-extended-waits-queued.yaml").read_text())
    pause_step = next(step for step in doc["timeline"] if "pause" in step)
    pause_step["pause"]["body"] = {**(pause_step["pause"].get("body") or {}), "Foo": 1}
    assert list(validator.iter_errors(doc))
