"""The docs audit: what docs/ and the format's contract promise, checked against what journeysim does.

Each test names the defect it pins: it failed before its fix and passes after.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import linear_journey, scenario

from journeysim.cli import main


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def arrivals_scenario(tmp_path: Path, rows: str, **top) -> Path:
    """linear_journey whose entry reads its arrival times from times.csv (``rows``)."""
    (tmp_path / "times.csv").write_text(rows)
    doc = scenario(linear_journey(), duration="1d", **top)
    doc["journeys"][0]["nodes"]["entry"]["arrivals"] = {"file": "times.csv"}
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


# ---- arrivals files: "one timestamp per row" (the contract), every row read or refused by its line


@pytest.mark.parametrize("rows, line, words", [
    ("10\n-5\n20\n", 2, "'-5' is not an arrival time: a time is a finite number of 0 or more seconds"),
    ("-5\n10\n", 1, "'-5' is not an arrival time"),  # was taken for a header and dropped
    ("10\nnan\n", 2, "'nan' is not an arrival time"),
    ("10\ninf\n", 2, "'inf' is not an arrival time"),
    ("t\n10\nsoon\n", 3, "'soon' is not an arrival time: write seconds since the start, a duration like 1h 30m"),
    ("2026-11-27T01:00\n", 1, "a date-time needs the scenario's start"),
])
def test_an_arrivals_row_that_is_not_a_time_refuses_the_file_naming_its_line(tmp_path, rows, line, words):
    """A negative time was dropped silently (line 1: read as a header), nan made a numpy warning."""
    path = arrivals_scenario(tmp_path, rows)
    result = invoke("run", str(path), "--out", str(tmp_path / "out"), "--quiet")
    assert result.exit_code == 2, result.output
    assert f"journeys[0].nodes.entry.arrivals.file: arrivals file 'times.csv' line {line}: " in result.output
    assert words in result.output
    assert "Warning" not in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_an_arrivals_file_takes_date_times_with_the_scenario_start(tmp_path):
    """The contract's "one timestamp per row": with `start:`, a row may be a date-time (C1), read in the
    start's zone unless it names its offset, as a timeline `at:` is; a header row is skipped."""
    rows = "timestamp\n2026-11-27T01:00:00-05:00\n2026-11-27T02:00\n0.5\n90\n1h 30m\n"
    path = arrivals_scenario(tmp_path, rows, start="2026-11-27T00:00:00-05:00")
    result = invoke("run", str(path), "--out", str(tmp_path / "out"), "--quiet", "--events", "--no-report")
    assert result.exit_code == 0, result.output
    import pandas as pd

    events = pd.read_parquet(tmp_path / "out" / "events.parquet")
    entered = sorted(events[(events["event"] == "entered") & (events["node"] == "entry")]["t_s"])
    assert entered == [0.0, 90.0, 3600.0, 5400.0, 7200.0]  # 0.5 s rounds to the 1 s tick 0 (half to even)


def test_an_arrivals_date_time_before_the_start_is_refused(tmp_path):
    path = arrivals_scenario(tmp_path, "2026-11-26T23:00\n", start="2026-11-27T00:00 America/New_York")
    result = invoke("validate", str(path))
    assert result.exit_code == 2
    assert "line 1: '2026-11-26T23:00' is not an arrival time: it is 1h before the scenario start" in result.output


# ---- the Python snippets of docs/ read files that a documented command writes, and run


def python_snippets() -> list[tuple[Path, str]]:
    from test_readme import PAGES, page_blocks

    return [(page, body) for page in PAGES for language, body in page_blocks(page) if language == "python"]


def test_every_output_file_a_python_snippet_reads_is_written_by_a_documented_command():
    """docs/org.md read out/run/events.parquet, which no command of README.md or docs/ writes."""
    import re

    from test_readme import ROOT, cli_args, commands

    makefile = (ROOT / "Makefile").read_text()
    make_run = re.search(r"^run:.*\n\t\$\(BIN\)/(journeysim run .*)$", makefile, re.M).group(1)  # `make run`
    written: dict[str, set[str]] = {}
    for _, command in commands():
        args = cli_args(make_run if command.split("  #")[0].strip() == "make run" else command.rstrip(" &"))
        if args and args[0] == "run" and "--out" in args:
            out = args[args.index("--out") + 1]
            written.setdefault(out, set()).update({"summary.json", "timeseries.parquet"}
                                                  | ({"events.parquet"} if "--events" in args else set()))
    reads = [(page.name, m.group(1), m.group(2)) for page, body in python_snippets()
             for m in re.finditer(r"""["'](out/[\w.-]+)/([\w.-]+\.(?:parquet|json))["']""", body)]
    assert reads, "the docs' snippets read run outputs"
    missing = [(page, f"{folder}/{name}") for page, folder, name in reads if name not in written.get(folder, set())]
    assert not missing, missing


def test_the_org_page_snippet_runs_after_its_command(tmp_path, monkeypatch):
    from test_readme import ROOT, cli_args, in_a_scratch_folder, page_blocks, shell_lines

    page = ROOT / "docs" / "org.md"
    in_a_scratch_folder(tmp_path, monkeypatch, page)
    for command in shell_lines(page):
        result = invoke(*cli_args(command), "--quiet")
        assert result.exit_code == 0, result.output
    snippet = next(body for language, body in page_blocks(page) if language == "python")
    scope: dict = {}
    exec(compile(snippet, "docs/org.md", "exec"), scope)  # noqa: S102 - the page's own example
    assert len(scope["hidden"]) == 286 and set(scope["hidden"]["reason"]) == {"event_while_held"}


# ---- the contract's "report.html with its figures as PNG beside it": dropped, so a migration note says so


def test_the_report_figures_moved_inline_and_the_release_notes_say_so(tmp_path):
    """The format's contract promised PNG figures beside report.html and says a dropped output needs a
    migration note; docs/outputs.md pointed to release notes the repository did not have."""
    from test_readme import ROOT

    notes = ROOT / "CHANGELOG.md"
    assert notes.is_file()
    assert "(../CHANGELOG.md)" in (ROOT / "docs" / "outputs.md").read_text()
    assert "(CHANGELOG.md)" in (ROOT / "README.md").read_text()
    text = notes.read_text()
    assert "`report.html` has no image files beside it" in text and "fig_sweep_*.png" in text
    result = invoke("run", str(ROOT / "scenarios" / "quickstart.yaml"), "--out", str(tmp_path / "out"), "--quiet")
    assert result.exit_code == 0, result.output
    assert not list((tmp_path / "out").glob("*.png"))  # what the note says: the figures are in the page
    assert (tmp_path / "out" / "report.html").read_text().count("<svg") >= 6


# ---- docs/server.md: the operator pause takes every mode a timeline pause takes


def test_the_sandbox_operator_pause_row_lists_every_mode_it_takes(tmp_path):
    """docs/server.md listed `"hold" | "discard"`; the endpoint takes the five modes of a timeline pause."""
    import re
    import typing

    from serverkit import Live
    from test_readme import ROOT

    from journeysim.server.operator import JourneyPause

    row = next(line for line in (ROOT / "docs" / "server.md").read_text().splitlines()
               if line.startswith("| `POST /sim/journeys/{key}/pause`"))
    documented = [word for word in re.findall(r'"(\w+)"', row.split("`")[3]) if word not in ("mode", "version")]
    accepted = typing.get_args(typing.get_args(JourneyPause.model_fields["mode"].annotation)[0])
    assert documented == list(accepted) == ["hold", "discard", "skip", "park", "exit"]
    live = Live(scenario(linear_journey(), duration="2000s"), tmp_path)
    try:
        live.advance(to="150s")
        answer = live.client.post("/sim/journeys/j/pause", json={"mode": "park"})
        assert answer.status_code == 200, answer.text
        live.advance(to="300s")
        assert live.journey("j")["held"] > 0  # parked at the action: a park pause, as the timeline's
    finally:
        live.stop()
    summary = __import__("json").loads((live.out / "summary.json").read_text())
    assert summary["journeys"]["j"]["pauses"][0]["mode"] == "park"


# ---- numbers the README states about the repository are its numbers


def test_the_readme_counts_the_broken_scenarios_there_are():
    """The README said 65 broken files; tests/bad_scenarios/ holds 66 (the input audit added one)."""
    import re

    from test_bad_input import EXPECTED
    from test_readme import README, ROOT

    stated = int(re.search(r"`tests/bad_scenarios/` holds (\d+) broken files", README).group(1))
    files = sorted((ROOT / "tests" / "bad_scenarios").glob("*.yaml"))
    assert stated == len(files) == len(EXPECTED)


# ---- a value out of its bounds: the bound in the file's own terms, and what was written


@pytest.mark.parametrize("key, value, words", [
    ("resolution", "0.5ms", "resolution: expected a duration of at least 1ms, got '0.5ms'"),
    ("report_every", 0, "report_every: expected a duration of more than 0s, got 0"),
    ("seed", -1, "seed: Input should be greater than or equal to 0, got -1"),
])
def test_a_value_below_its_bound_names_the_bound_in_the_files_terms(tmp_path, key, value, words):
    """'resolution: Input should be greater than or equal to 0.001' for `resolution: 0.5ms`: no unit, and
    not what was written (docs/scenario-format.md says "at least 1ms")."""
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(scenario(linear_journey(), **{key: value}), sort_keys=False))
    result = invoke("validate", str(path))
    assert result.exit_code == 2
    assert words in result.output


# ---- docs/outputs.md names every file and row `compare --presets` writes


def test_compare_presets_writes_only_what_the_outputs_page_lists(tmp_path):
    """compare --presets wrote fig_outcomes.png and a `verdict` row that docs/outputs.md did not name."""
    from test_readme import ROOT

    page = (ROOT / "docs" / "outputs.md").read_text()
    section = page[page.index("## `journeysim compare"):page.index("## `journeysim sweep")]
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(scenario(linear_journey(), timeline=[
        {"at": "150s", "pause": {"journeys": ["j"]}}, {"at": "400s", "resume": {"journeys": ["j"]}}]), sort_keys=False))
    out = tmp_path / "out"
    result = invoke("compare", str(path), "--presets", "ajo,sfmc", "--out", str(out))
    assert result.exit_code == 0, result.output
    for name in (p.name for p in out.iterdir() if not p.name.startswith(".")):
        assert f"`{name}`" in section, name
    rows = [line.split(",")[0] for line in (out / "comparison.csv").read_text().splitlines()[1:]]
    assert rows[-1] == "verdict" and "`verdict` row" in section
    assert "note, sfmc: timeline[0]: SFMC names a version: versionNumber 1 added" in result.output


# ---- the output contract: every key the format's contract names is written, and docs/outputs.md names every key


CONTRACT_JOURNEY = {"arrived": int, "entered": int, "in_journey_at_end": int, "queued_at_end": int, "exited": dict,
                    "discarded": dict, "actions": dict, "held_peak": int, "status_at_end": str, "pauses": list,
                    "skipped": dict, "capped": dict, "report_view": dict}
CONTRACT_EXITED = {"end", "timeout", "exit_criteria", "jump", "stopped"}
CONTRACT_DISCARDED = {"paused_entry", "discard_mode", "global_filter", "org_cap", "event_while_held", "read_queue"}
CONTRACT_PAUSE = {"paused_at_s", "resumed_at_s", "held_at_resume", "drain_s", "live_at_s", "resumed_by", "send_delay_s",
                  "skipped_late", "parked_at_end"}
CONTRACT_ORG = {"held_peak", "cap_checks", "cap_exceeded_checks", "engageable_profiles", "live_journeys_peak",
                "events_per_s_peak", "seconds_over_events_quota"}


@pytest.fixture(scope="module")
def run_outputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("contract")
    doc = scenario(linear_journey(), timeline=[{"at": "150s", "pause": {"journeys": ["j"]}},
                                               {"at": "400s", "resume": {"journeys": ["j"]}}])
    path = folder / "s.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    result = invoke("run", str(path), "--out", str(folder / "out"), "--events", "--no-report", "--quiet")
    assert result.exit_code == 0, result.output
    return folder / "out"


def test_every_key_the_contract_names_is_written_with_its_type(run_outputs):
    import json

    import pandas as pd

    summary = json.loads((run_outputs / "summary.json").read_text())
    assert isinstance(summary["scenario"], str) and isinstance(summary["seed"], int) and summary["platform"] == "ajo"
    journey = summary["journeys"]["j"]
    for key, kind in CONTRACT_JOURNEY.items():
        assert isinstance(journey[key], kind), key
    assert CONTRACT_EXITED <= set(journey["exited"]) and CONTRACT_DISCARDED <= set(journey["discarded"])
    pause = journey["pauses"][0]
    assert CONTRACT_PAUSE <= set(pause) and set(pause["send_delay_s"]) == {"p50", "p95", "max"}
    assert pause["resumed_by"] == "manual"
    assert CONTRACT_ORG <= set(summary["org"]) and summary["conservation"]["ok"] is True
    series = pd.read_parquet(run_outputs / "timeseries.parquet")
    assert {"t_s", "journey", "node", "state", "count", "status"} <= set(series.columns)
    assert set(series["state"]) <= {"queued", "waiting", "held", "in_journey"}
    events = pd.read_parquet(run_outputs / "events.parquet")
    assert {"t_s", "profile_id", "journey", "version", "node", "event", "reason"} <= set(events.columns)
    assert set(events["event"]) <= {"entered", "left", "held", "released", "action", "discarded", "exited", "capped"}


def test_docs_outputs_names_every_summary_key_and_column_written(run_outputs):
    import json

    import pandas as pd
    from test_readme import ROOT

    page = (ROOT / "docs" / "outputs.md").read_text()
    summary = json.loads((run_outputs / "summary.json").read_text())
    journey = summary["journeys"]["j"]
    written = set(summary) | set(journey) | set(journey["pauses"][0]) | set(summary["org"])
    written |= set(pd.read_parquet(run_outputs / "timeseries.parquet").columns)
    written |= set(pd.read_parquet(run_outputs / "events.parquet").columns)
    undocumented = sorted(key for key in written if f"`{key}`" not in page)
    assert not undocumented, undocumented


# ---- a scenario's warnings: printed by validate, run, compare and sweep, once, even with --quiet


def warned_scenario(tmp_path: Path) -> Path:
    doc = scenario(linear_journey(), attributes={"country": {"choice": {"FR": 0.5, "US": 0.5}}})
    doc["journeys"][0]["exit_criteria"] = [{"when": "country == 'DE'"}]
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


@pytest.mark.parametrize("command", [
    ["run"], ["compare", "--variant", "other:seed=2"], ["compare", "--presets", "ajo,braze"], ["sweep", "--grid", "seed=1,2"]])
@pytest.mark.parametrize("quiet", [False, True])
def test_every_command_that_runs_a_scenario_prints_its_warnings_once(tmp_path, command, quiet):
    """compare and sweep dropped the scenario's warnings that validate and run print (docs/import-sfmc.md:
    an import's assumptions are printed), so a compared or swept file never said its condition is always false."""
    path = warned_scenario(tmp_path)
    result = invoke(command[0], str(path), *command[1:], "--out", str(tmp_path / "out"), *(["--quiet"] if quiet else []))
    assert result.exit_code == 0, result.output
    assert result.stderr.count("warning: country never holds 'DE' in this population") == 1
    if quiet:
        assert result.stdout == "" and result.stderr.count("\n") == 1  # the warning, nothing else


# ---- docs/README.md, the docs' index, lists every page of docs/


def test_the_docs_index_lists_every_page():
    """docs/README.md left out presets.md and server.md."""
    from test_readme import ROOT

    index = (ROOT / "docs" / "README.md").read_text()
    pages = {p.name for p in (ROOT / "docs").glob("*.md")} - {"README.md"}
    assert {page for page in pages if f"]({page})" not in index} == set()


# ---- exit statuses: serve on a port in use


def test_serve_on_a_port_in_use_exits_1_as_the_outputs_page_says(tmp_path):
    """docs/outputs.md's exit statuses did not say what `serve` does when its port is taken: exit 1, one
    'Error: cannot listen' line, no traceback, nothing written."""
    import socket
    import subprocess
    import sys

    from test_readme import ROOT

    page = (ROOT / "docs" / "outputs.md").read_text()
    assert "a `serve` port already in use" in next(line for line in page.splitlines() if line.startswith("| 1 |"))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "journeysim.cli", "serve", str(ROOT / "scenarios" / "quickstart.yaml"),
                               "--out", str(tmp_path / "out"), "--port", str(port), "--speed", "0"],
                              capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert f"Error: cannot listen on 127.0.0.1:{port} (in use" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""  # the banner announced the server at that address before it failed to listen
    assert done.stderr.strip().count("\n") == 0  # and uvicorn's own ERROR line came with it
    assert not (tmp_path / "out").exists()


def test_serve_on_port_0_names_the_port_it_answers_on(tmp_path):
    """docs/server.md: `--port 0` takes a free port; the banner said `http://127.0.0.1:0`, an address no
    script could call (and the token answer's instance URLs pointed there too)."""
    import time
    import urllib.request

    from serverkit import served_quickstart

    with served_quickstart(tmp_path) as base:
        for _ in range(300):
            try:
                with urllib.request.urlopen(base + "/sim/status") as answer:
                    assert answer.status == 200
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(f"nothing answers at {base}")


# ---- a population CSV row with more fields than the header


@pytest.mark.parametrize("rows, line", [("profile_id,country\n1,FR,extra\n2,US\n", 2), ("profile_id,country\n1,FR\n2,US,x\n", 3)])
def test_a_population_row_longer_than_the_header_is_named_by_its_line(tmp_path, rows, line):
    """A first data row with an extra field made pandas take profile_id for an index: the message was
    'profile_id must hold integers, found str'; a later one gave pandas' 'C error' text and a blank line."""
    (tmp_path / "people.csv").write_text(rows)
    doc = scenario(linear_journey())
    doc["population"] = {"file": "people.csv"}
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    result = invoke("validate", str(path))
    assert result.exit_code == 2
    assert (f"population.file: population file 'people.csv': line {line} has 3 fields, the header 2 (profile_id, country)"
            in result.output)
    assert "\n\n" not in result.output and "C error" not in result.output


# ---- contact_exit naming an id no profile has


def test_a_contact_exit_of_an_id_no_profile_has_is_a_warning(tmp_path):
    """`contact_exit: {profiles: [999]}` over 1,000 profiles was accepted without a word: a typo in an id
    silently removed nobody. It still runs (the id is left alone, as docs/scenario-format.md says)."""
    doc = scenario(linear_journey(), timeline=[{"at": "500s", "contact_exit": {"journey": "j", "profiles": [3, 999, 4000]}}])
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    result = invoke("run", str(path), "--out", str(tmp_path / "out"), "--no-report", "--quiet")
    assert result.exit_code == 0, result.output
    assert ("timeline[0].contact_exit.profiles: warning: no profile of the population has the id 4000 "
            "(its profile ids are 0 to 999): nothing happens to it") in result.stderr
    assert "999," not in result.stderr


# ---- compare: a name given twice is named


@pytest.mark.parametrize("extra, words", [
    (["scenarios/quickstart.yaml"], "each file once: 'quickstart' is given more than once"),
    (["--variant", "as written:seed=1"], "each variant name once: 'as written' is given more than once ('as written' is the file itself)"),
])
def test_compare_names_what_it_was_given_twice(tmp_path, monkeypatch, extra, words):
    """'variant names must differ' for the same file given twice, or a variant named 'as written': the user
    gave no variant names at all in the first case."""
    from test_readme import ROOT

    monkeypatch.chdir(ROOT)
    result = invoke("compare", "scenarios/quickstart.yaml", *extra, "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert words in result.output
    assert not (tmp_path / "out").exists()
