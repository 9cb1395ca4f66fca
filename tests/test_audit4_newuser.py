"""The new-user audit: README.md and docs/ followed as written, and compared with what journeysim does.

Each test names the mismatch it pins: it failed before its fix and passes after.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner
from conftest import ROOT, linear_journey, pause, resume, scenario

from journeysim.cli import main

OUTPUTS = (ROOT / "docs" / "outputs.md").read_text()
FORMAT = (ROOT / "docs" / "scenario-format.md").read_text()


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def written(tmp_path: Path, doc: dict) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def table_rows(page: str, heading: str) -> dict[str, str]:
    """The rows of the first table after ``heading``: each key named in its first cell -> the row."""
    lines = page[page.index(heading):].splitlines()[1:]
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows: dict[str, str] = {}
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        for key in re.findall(r"`([\w.]+)`", line.split("|")[1]):
            rows[key] = line
    return rows


# ---- a value that must be a mapping: the message names what to write, not pydantic's class names


def _set(doc: dict, path: tuple, value) -> None:
    for part in path[:-1]:
        doc = doc[part]
    doc[path[-1]] = value


@pytest.mark.parametrize("path, value, where, shown", [
    (("org",), 5, "org", "5"),
    (("policy",), "sfmc", "policy", "'sfmc'"),
    (("timeline", 0, "pause"), 3, "timeline[0].pause", "3"),
    (("journeys", 0, "nodes", "entry", "arrivals"), 3, "journeys[0].nodes.entry.arrivals", "3"),
    (("journeys", 0, "nodes", "wait"), 3, "journeys[0].nodes.wait", "3"),
    (("journeys", 0, "exit_criteria"), ["flag"], "journeys[0].exit_criteria[0]", "'flag'"),
])
def test_a_value_that_must_be_a_mapping_is_refused_in_the_files_terms(tmp_path, path, value, where, shown):
    """docs/scenario-format.md: "a value of the wrong type ... refuses the whole file ... one line per problem
    naming the file, line, column and key path". The line said `org: Input should be a valid dictionary or
    instance of Org, got 5`; `instance of PauseAction`, `PolicyOverrides`, `PoissonArrivals` (for any arrivals),
    `ExitCriterion`, and `object to extract fields from` for a node: Python class names no page mentions."""
    doc = scenario(linear_journey(), timeline=[pause("150s"), resume("400s")])
    _set(doc, path, value)
    result = invoke("validate", str(written(tmp_path, doc)))
    assert result.exit_code == 2, result.output
    assert f": {where}: expected a mapping (key: value), got {shown}\n" in result.output
    assert "instance of" not in result.output and "extract fields" not in result.output
    assert "refused (1 problem); nothing was run" in result.output


@pytest.mark.parametrize("path, value, words", [
    (("journeys",), [], "journeys: expected at least 1 item, got none"),
    (("journeys", 0, "nodes"), {}, "journeys[0].nodes: expected at least 1 entry, got none"),
    (("seed",), 1.5, "seed: expected a whole number, got 1.5"),
    (("name",), "", "name: expected some text, got ''"),
])
def test_an_empty_list_or_a_fraction_is_refused_in_the_files_terms(tmp_path, path, value, words):
    """The same page's promise, for pydantic's own words: `journeys: []` was "List should have at least 1 item
    after validation, not 0" ("after validation" means nothing to the file's author), `nodes: {}` "Dictionary
    should ...", `seed: 1.5` "Input should be a valid integer, got a number with a fractional part, got 1.5"
    (two "got"s), `name: ''` "String should have at least 1 character" (no value shown)."""
    doc = scenario(linear_journey())
    _set(doc, path, value)
    result = invoke("validate", str(written(tmp_path, doc)))
    assert result.exit_code == 2, result.output
    assert f": {words}\n" in result.output
    assert "after validation" not in result.output and "fractional part" not in result.output


# ---- every option of every command says what it does


def _commands(command: click.Command, path: tuple[str, ...] = ("journeysim",)):
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _commands(sub, (*path, name))


def test_every_option_of_every_command_has_a_help_text():
    """`journeysim serve --help` listed `--port INTEGER RANGE  [default: 8787; 0<=x<=65535]` with no words:
    docs/server.md says `--port 0` takes a free port and the first line printed names it; the help said nothing."""
    bare = [(" ".join(path), param.opts[0]) for path, command in _commands(main) for param in command.params
            if isinstance(param, click.Option) and not (param.help or "").strip()]
    assert bare == []
    result = invoke("serve", "--help")
    assert result.exit_code == 0
    assert "0 takes a free one" in " ".join(result.output.split())


# ---- attribute names: the rule the page states is the rule the loader applies


@pytest.mark.parametrize("name", ["1st_order", "2"])
def test_an_attribute_name_starting_with_a_digit_is_refused_saying_why(tmp_path, name):
    """docs/scenario-format.md said "Attribute names are letters, digits and `_`", and `1st_order` (letters,
    digits and _) was refused with "attribute name '1st_order' must be letters, digits and _": what it is.
    The loader takes names that can be written in an expression, which cannot start with a digit."""
    doc = scenario(linear_journey(), attributes={name: {"bernoulli": 0.5}, "first_order": {"bernoulli": 0.5}})
    result = invoke("validate", str(written(tmp_path, doc)))
    assert result.exit_code == 2
    assert (f"population.attributes.{name}: attribute name '{name}' must be letters, digits and _, "
            "not starting with a digit") in result.output
    assert "refused (1 problem)" in result.output  # first_order is fine
    assert "not starting with a digit (`first_order`, not `1st_order`)" in FORMAT


def test_a_population_file_column_starting_with_a_digit_is_refused_saying_why(tmp_path):
    (tmp_path / "people.csv").write_text("profile_id,1st_order\n1,true\n2,false\n")
    doc = scenario(linear_journey())
    doc["population"] = {"file": "people.csv"}
    result = invoke("validate", str(written(tmp_path, doc)))
    assert result.exit_code == 2
    assert ("population.file: population file 'people.csv': column '1st_order' is not a usable attribute name "
            "(letters, digits and _, not starting with a digit)") in result.output


# ---- docs/outputs.md: a pause that held nobody at its resume


def test_a_pause_that_held_nobody_writes_what_the_outputs_page_says(tmp_path):
    """docs/outputs.md gave `drain_curve` as `{"after_resume_s": [...], "held": [...]}` and `send_delay_s` as
    percentiles of the held sends' delays; a pause that held nobody writes `drain_curve: null` (a script
    reading `["held"]` fails) and `send_delay_s` all 0, which the page did not say.

    By hand: arrivals every 10 s from 0 and a 100 s wait, so the first profile reaches the action at 100 s:
    the pause from 5 s to 50 s holds nobody. The second pause (500 s) is stopped at 600 s, never resumed."""
    doc = scenario(linear_journey(), timeline=[pause("5s"), resume("50s"), pause("500s"),
                                               {"at": "600s", "stop": {"journey": "j"}}])
    out = tmp_path / "out"
    result = invoke("run", str(written(tmp_path, doc)), "--out", str(out), "--no-report", "--quiet")
    assert result.exit_code == 0, result.output
    first, second = json.loads((out / "summary.json").read_text())["journeys"]["j"]["pauses"]
    assert (first["held_at_resume"], first["sent_after_hold"], first["resumed_at_s"]) == (0, 0, 50)
    assert first["drain_curve"] is None and first["send_delay_s"] == {"p50": 0.0, "p95": 0.0, "max": 0.0}
    assert second["resumed_at_s"] is None and second["ended_by"] == "stop" and second["drain_curve"] is None
    rows = table_rows(OUTPUTS, "Per pause (")
    assert "`null` when the pause was not resumed or held nobody at its resume" in rows["drain_curve"]
    assert "all three `0` when no held action ran (`sent_after_hold` is 0)" in rows["send_delay_s"]


# ---- docs/outputs.md names the summary keys `journeysim serve` adds


def test_the_outputs_page_names_every_top_level_key_a_serve_summary_has(tmp_path):
    """The format's contract: "From `journeysim serve`: `api_calls`, a list of `{at_s, method, path, status,
    answer}`". docs/outputs.md, "what each command writes, key by key", had no `api_calls` nor `serve`."""
    from serverkit import Live

    live = Live(scenario(linear_journey(), duration="2000s"), tmp_path)
    try:
        assert live.client.post("/sim/journeys/j/pause", json={}).status_code == 200
        live.advance(to="300s")
        assert live.client.post("/sim/journeys/j/resume", json={}).status_code == 200
        live.advance(to="2000s")
    finally:
        if live.thread.is_alive():
            live.stop()
    summary = json.loads((live.out / "summary.json").read_text())
    assert {"api_calls", "serve"} <= set(summary)
    rows = table_rows(OUTPUTS, "Top level:")
    assert set(summary) - set(rows) == set()
    assert "{at_s, method, path, status, answer}" in rows["api_calls"]
    assert set(summary["api_calls"][0]) == {"at_s", "method", "path", "status", "answer"}
    assert set(summary["serve"]) == {"ended_by", "ended_at_s", "speed"} and summary["serve"]["ended_by"] == "end"


# ---- a refused value is echoed as the file writes it


@pytest.mark.parametrize("key, text, words", [
    ("name", "name:\n", "name: Input should be a valid string, got null"),
    ("channel", "channel: yes", "channel: Input should be a valid string, got true (YAML reads yes/no/on/off as true/false: quote it)"),
    ("key", "key: off", "key: Input should be a valid string, got false (YAML reads"),
])
def test_a_refused_null_true_or_false_is_echoed_as_yaml_writes_it(tmp_path, key, text, words):
    """`name:` (YAML's null) was refused as "got None", `channel: yes` as "got True (YAML reads yes/no/on/off as
    true/false ...)": Python's spelling in a line about a YAML file, which the same loader writes `null`,
    `true` and `false` elsewhere (a key `null` "must be text", "choice values mix text with false")."""
    doc = scenario(linear_journey())
    source = yaml.safe_dump(doc, sort_keys=False)
    source = {"name": source.replace("name: test\n", text),
              "channel": source.replace("channel: email", text),
              "key": source.replace("- key: j", "- " + text)}[key]
    path = tmp_path / "s.yaml"
    path.write_text(source)
    result = invoke("validate", str(path))
    assert result.exit_code == 2, result.output
    assert words in result.output
    assert not re.search(r"\b(None|True|False)\b", result.output)


# ---- an arrivals file: what the format page and the editor's schema say is what the loader reads


def test_an_arrivals_file_is_read_as_the_format_page_and_the_schema_say(tmp_path):
    """The loader skips blank lines and `#` comments of an arrivals file (tests/test_cli_outputs.py writes one)
    and takes date-times with a `start:`; docs/scenario-format.md named neither the comments nor the blank
    lines, and the JSON Schema an editor shows said "one arrival time (seconds, or a duration) per row".

    By hand: 5 s, 1 min = 60 s, 2 min 30 s = 150 s and 00:04 local = 240 s after a 00:00 start."""
    from journeysim.schema import json_schema

    (tmp_path / "times.csv").write_text("time\n# the first three\n5\n\n1m   # a duration\n2m 30s\n2026-11-27T00:04\n")
    doc = scenario(linear_journey(), duration="1000s", start="2026-11-27T00:00 America/New_York")
    doc["journeys"][0]["nodes"]["entry"]["arrivals"] = {"file": "times.csv"}
    out = tmp_path / "out"
    result = invoke("run", str(written(tmp_path, doc)), "--out", str(out), "--events", "--no-report", "--quiet")
    assert result.exit_code == 0, result.output
    import pandas as pd

    events = pd.read_parquet(out / "events.parquet")
    assert sorted(events[(events["event"] == "entered") & (events["node"] == "entry")]["t_s"]) == [5.0, 60.0, 150.0, 240.0]
    assert "Blank lines and\n  `#` comments are skipped" in FORMAT
    description = json_schema()["$defs"]["FileArrivals"]["properties"]["file"]["description"]
    assert "date-time" in description and "duration" in description
    assert json.loads((ROOT / "scenario.schema.json").read_text()) == json_schema()


# ---- the format page states the default of every key whose default a user meets


def test_the_format_page_states_the_defaults_it_left_out():
    """docs/scenario-format.md ("every key, its default", docs/README.md) gave no default for `platform`,
    an action node's `channel` or a read's `incremental`; a file without them runs as ajo, on channel
    `default` (what a business rule's `channel:` must name to cap it), with a full read each time."""
    from journeysim.schema import ActionNode, ReadAudienceNode, Scenario

    platform_line = next(line for line in FORMAT.splitlines() if line.startswith("platform: ajo"))
    assert Scenario.model_fields["platform"].default == "ajo" and "(default ajo;" in platform_line
    action_row = next(line for line in FORMAT.splitlines() if line.startswith("| `action` |"))
    assert ActionNode.model_fields["channel"].default == "default" and "default `default`" in action_row
    assert ReadAudienceNode.model_fields["incremental"].default is False
    assert "`incremental: true|false` (default false;" in FORMAT


# ---- docs/sweeps.md: a sweep row rebuilt in Python with its own overrides


def test_a_sweep_row_is_rebuilt_in_python_as_the_sweeps_page_says(tmp_path):
    """docs/sweeps.md: "Any run can be rebuilt alone: ... or `journeysim.run(journeysim.load(path, overrides),
    replication=r)` in Python". A row's `overrides` is a JSON list of `PATH=VALUE` texts, which `load` did not
    take (it wanted a dict, and read a dict's text values as they are: '{fixed: 200s}' was refused as a
    duration where `--set` reads it as YAML)."""
    import journeysim
    from journeysim.sweep import SweepPlan, run_sweep

    path = written(tmp_path, scenario(linear_journey(), timeline=[pause("150s"), resume("400s")]))
    plan = SweepPlan(path, {"journeys[j].nodes.wait.duration": ["{fixed: 100s}", "{uniform: [50s, 200s]}"]},
                     replications=2)
    table = run_sweep(plan, tmp_path / "out", progress=False)
    assert list(table["status"]) == ["ok"] * 4
    row = table.iloc[3]  # the uniform wait, replication 1
    page = (ROOT / "docs" / "sweeps.md").read_text()
    assert 'journeysim.load(path, json.loads(row["overrides"])), replication=row["replication"])' in page
    result = journeysim.run(journeysim.load(path, json.loads(row["overrides"])), replication=row["replication"])
    pause_0 = result.summary["journeys"]["j"]["pauses"][0]
    assert (result.summary["org"]["held_peak"], pause_0["drain_s"]) == (row["held_peak"], row["drain_s"])
    # 100 arrivals at 0, 10, ..., 990 s; those from 150 s to the reopening at 400 + 60 s (150 ... 450: 31) turned away
    assert result.summary["journeys"]["j"]["actions"]["send"] == row["actions"] == 69
    assert pause_0["send_delay_s"]["max"] == row["send_delay_max_s"]
    other = journeysim.run(journeysim.load(path, json.loads(row["overrides"])))  # drawn as no replication does
    assert other.summary["journeys"]["j"]["pauses"][0]["send_delay_quantiles_s"] != pause_0["send_delay_quantiles_s"]


# ---- the README quotes the report's verdict as the report writes it


def test_the_readmes_quoted_pause_verdict_is_the_reports(tmp_path):
    """README.md, "The report": `make run` writes a plain-words verdict per pause ("cart-abandon: paused ...
    (half within 23h 30m)."); the report's sentence goes on "; of the held, 3,395 sent.", so the quote
    was not a sentence the report has."""
    import html

    readme = " ".join((ROOT / "README.md").read_text().split())
    quoted = re.search(r'a plain-words verdict per pause \("(cart-abandon: paused .*?)"\)', readme).group(1)
    result = invoke("run", str(ROOT / "scenarios" / "quickstart.yaml"), "--out", str(tmp_path / "out"), "--quiet")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "out" / "report.html").read_text()
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    assert re.search(re.escape(quoted) + r"(?= cart-abandon: also)", text), quoted


# ---- a refused compare names what it refused, as validate, run and sweep do


@pytest.mark.parametrize("args, last", [
    (["validate", "docs/examples/broken.yaml"], "docs/examples/broken.yaml: refused (2 problems); nothing was run"),
    (["sweep", "docs/examples/broken.yaml", "--grid", "seed=1,2"], "docs/examples/broken.yaml: sweep refused (2 problems); nothing was run"),
    (["compare", "docs/examples/broken.yaml", "--variant", "v:seed=2"],
     "docs/examples/broken.yaml: compare refused (2 problems); nothing was run"),
    (["compare", "docs/examples/broken.yaml", "--presets", "ajo,sfmc"],
     "docs/examples/broken.yaml: compare refused (2 problems); nothing was run"),
    (["compare", "scenarios/quickstart.yaml", "docs/examples/broken.yaml"],
     "scenarios/quickstart.yaml, docs/examples/broken.yaml: compare refused (2 problems); nothing was run"),
])
def test_every_refusal_ends_naming_the_files_it_refused(tmp_path, monkeypatch, args, last):
    """README: "A refused scenario names the file ...": `validate`, `run` and `sweep` end with "FILE: refused (N
    problems); nothing was run", `compare` ended with a bare "refused (2 problems); nothing was run"."""
    monkeypatch.chdir(ROOT)
    result = invoke(*args, "--out", str(tmp_path / "out")) if args[0] != "validate" else invoke(*args)
    assert result.exit_code == 2, result.output
    assert result.output.splitlines()[-1] == last
    assert not (tmp_path / "out").exists()


# ---- the schema an editor shows for policy.late_grace says what the switch does


@pytest.mark.parametrize("late_at_release, skipped", [("send", 0), ("skip", 6)])
def test_late_grace_skips_only_with_late_at_release_skip_as_the_schema_now_says(tmp_path, late_at_release, skipped):
    """V6 (docs/scenario-format.md: `late_at_release` "a held send due more than `late_grace` earlier is sent,
    or skipped"). The JSON Schema's description of `late_grace`, what an editor shows, said "a held send
    released later than this after it came due is skipped", whatever `late_at_release` says.

    By hand: arrivals every 10 s, a 100 s wait; paused 150 s to 400 s, so the profiles of 50 ... 140 s are held
    from 150 ... 240 s (later arrivals are turned away) and all 10 released at 401 s (5,000/s): 251 ... 161 s
    late. With a 200 s grace, those held before 201 s (arrived 50 ... 100 s: 6) are more than 200 s late."""
    from journeysim.schema import json_schema

    doc = scenario(linear_journey(), timeline=[pause("150s"), resume("400s")],
                   policy={"late_grace": "200s", "late_at_release": late_at_release})
    out = tmp_path / "out"
    result = invoke("run", str(written(tmp_path, doc)), "--out", str(out), "--no-report", "--quiet")
    assert result.exit_code == 0, result.output
    held = json.loads((out / "summary.json").read_text())["journeys"]["j"]["pauses"][0]
    assert (held["held_at_resume"], held["skipped_late"], held["sent_after_hold"]) == (10, skipped, 10 - skipped)
    assert held["send_delay_s"]["max"] == (251.0 if skipped == 0 else 191.0)  # the sent ones: 251 ... 161 s, or 191 ... 161 s
    described = json_schema()["$defs"]["PolicyOverrides"]["properties"]["late_grace"]["description"]
    assert described.startswith("V6: with late_at_release: skip,")


# ---- docs/outputs.md: the shape of org.capped_sends_per_hour


def test_capped_sends_per_hour_has_the_shape_the_outputs_page_gives(tmp_path):
    """docs/outputs.md wrote `capped_sends_per_hour` as `{"hour_s", "sent", "capped"}`, the notation it uses for
    one number each (`send_delay_s`: `{"p50", "p95", "max"}`); the summary holds three lists, one item per hour
    that had sends at capped nodes, `hour_s` its start (L6).

    By hand: arrivals every 60 s from 0, a 100 s wait, one email each at 100 ... 6040 s: the 59 of 100 ... 3580 s
    in the hour from 0, the 41 of 3700 ... 6040 s in the hour from 3600 s; one email a day is never capped."""
    import journeysim

    doc = scenario(linear_journey(every="60s"), duration="7200s",
                   org={"business_rules": [{"channel": "email", "max": 1, "per": "1d"}]})
    hourly = journeysim.run(journeysim.load(written(tmp_path, doc))).summary["org"]["capped_sends_per_hour"]
    assert hourly == {"hour_s": [0, 3600], "sent": [59, 41], "capped": [0, 0]}
    row = table_rows(OUTPUTS, "`org`:")["capped_sends_per_hour"]
    assert '`{"hour_s": [...], "sent": [...], "capped": [...]}`' in row and "`hour_s` its start" in row


# ---- `journeysim --help` lists every command with words that are not cut off


@pytest.mark.parametrize("args", [[], ["import"]])
def test_the_command_list_of_help_is_not_cut_off(args):
    """`journeysim --help` is where a new user starts; it listed every command cut at 45 characters:
    "compare   Run several SCENARIOS (or one with --variant overrides, or...", "serve  Run SCENARIO on a
    virtual clock behind the vendors' pause...", "import sfmc  Import a Salesforce Marketing Cloud Journey Builder
    definition...". Each now has a whole short description."""
    result = invoke(*args, "--help")
    assert result.exit_code == 0
    listed = result.output.split("Commands:\n", 1)[1].splitlines()
    assert listed and all(line.startswith("  ") and not line.endswith("...") for line in listed), listed
    group = main if not args else main.commands["import"]
    assert {line.split()[0] for line in listed} == set(group.commands)


# ---- the README's list of step events is the one events.parquet holds


def test_the_readme_lists_every_step_event_events_parquet_holds():
    """README.md, "What you get": `events.parquet` rows are (`entered`, ..., `exited`); the engine also writes
    `capped` (a send a business rule suppressed, L6), which docs/outputs.md lists and the README left out."""
    from journeysim.engine.recorder import EVENTS

    readme = (ROOT / "README.md").read_text()
    row = next(line for line in readme.splitlines() if line.startswith("| `events.parquet` |"))
    listed = re.findall(r"`(\w+)`", row.split("one row per profile step", 1)[1])
    assert listed == list(EVENTS)
    events_row = next(line for line in OUTPUTS.splitlines() if line.startswith("| `event` |"))
    assert re.findall(r"`(\w+)`", events_row.split("|")[3])[: len(EVENTS)] == list(EVENTS)


@pytest.mark.parametrize("overrides, first", [
    ({"org.held_cpa": 1}, "overrides:1:1: org.held_cpa: unknown key 'held_cpa' (did you mean 'held_cap'?)"),
    (["org.resume_rate=fast"], "overrides:1:1: org.resume_rate: expected a positive rate like '5000/s'"),
])
def test_a_bad_python_override_is_blamed_on_the_overrides_argument(overrides, first):
    """README.md, "Python API": `journeysim.load(path, overrides={...})`. A bad override was refused as
    "--set:1:1: org.held_cpa: ...": an option a notebook user never typed."""
    import journeysim
    from journeysim.errors import ScenarioError

    with pytest.raises(ScenarioError) as refused:
        journeysim.load(ROOT / "scenarios" / "quickstart.yaml", overrides)
    assert str(refused.value).startswith(first) and "--set" not in str(refused.value)
