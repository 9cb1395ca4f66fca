"""Audit 4, mutated input files at every front door: sweep files, saved run folders given to
``journeysim report`` and the Python API's overrides. Each test fails on the code before its fix.

The contract (docs/scenario-format.md, "Every key on this page is checked ... one line per problem
naming the file, line, column and key path"; docs/outputs.md exit status 2): a bad input is one line
naming FILE:LINE:COL and the key, exit 2, no traceback, nothing written.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import journeysim
from journeysim.cli import main
from journeysim.errors import ScenarioError

ROOT = Path(__file__).parent.parent
QUICKSTART = ROOT / "scenarios" / "quickstart.yaml"


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def refused(result) -> list[str]:
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result.stderr.splitlines()[:-1]


@pytest.fixture
def small(tmp_path) -> Path:
    """quickstart with 300 profiles: timeline[0] pauses on day 1, the duration is 4d."""
    path = tmp_path / "q.yaml"
    path.write_text(QUICKSTART.read_text().replace("size: 200000", "size: 300"))
    return path


# ---------------------------------------------------------------- sweep files: a bad value is the file's, on its line

PLAN_HEAD = "scenario: q.yaml\ngrid:\n"


@pytest.mark.parametrize("body, line, column, expected", [
    # grid value past the duration: line 3, the grid path's key
    ("  timeline[0].at: [1d, 9d]\n", 3, 3, "timeline[0].at: at +9d 00:00 is after the scenario's duration (4d)"),
    # grid path that is no node of the scenario
    ("  seed: [1]\n  journeys[cart-abandon].nodes.wait_1hh.duration: [2h]\n", 4, 3,
     "journeys[cart-abandon].nodes.wait_1hh.duration: no key 'wait_1hh'"),
    # set as a mapping, a bad rate
    ("  seed: [1, 2]\nset: {org.resume_rate: fast}\n", 4, 7, "org.resume_rate: expected a positive rate"),
    # set as a list of PATH=VALUE texts
    ("  seed: [1, 2]\nset:\n  - seed=1\n  - org.held_cap=-1\n", 6, 5, "org.held_cap: Input should be greater than or equal to 0"),
])
def test_a_bad_grid_or_set_in_a_sweep_file_is_blamed_on_the_sweep_files_line(small, body, line, column, expected):
    """docs/sweeps.md "The same plan can live in a sweep file"; scenario-format.md: a problem names the file,
    line, column and key path. A sweep file's own grid and set values were blamed on '--grid:1:1' / '--set:1:1',
    options the user never typed, with no line in the file that holds the value."""
    plan = small.parent / "plan.yaml"
    plan.write_text(PLAN_HEAD + body)
    out = small.parent / "out"
    problems = refused(cli("sweep", plan, "--out", out, "-q"))
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{plan}:{line}:{column}: {expected}"), problems
    assert not out.exists()


def test_a_grid_path_given_again_with_grid_on_the_command_line_is_blamed_on_the_option(small):
    """--grid replaces the file's values for that path (docs/sweeps.md): its problem is the option's."""
    plan = small.parent / "plan.yaml"
    plan.write_text(PLAN_HEAD + "  timeline[0].at: [1d]\n")
    problems = refused(cli("sweep", plan, "--grid", "timeline[0].at=1d,9d", "--out", small.parent / "out", "-q"))
    assert problems == ["--grid:1:1: timeline[0].at: at +9d 00:00 is after the scenario's duration (4d)"]


@pytest.mark.parametrize("replications", [1_000_001, 99_999_999_999_999])
def test_replications_in_a_sweep_file_have_the_bound_of_the_option(small, replications):
    """`--replications` takes 1 to 1,000,000; the same key in a sweep file took any number, and 10**14
    replications were started (a sweep that never ends) instead of a message naming the key. (Read with
    read_sweep_file: before the fix, `journeysim sweep` on this file does not end.)"""
    from journeysim.sweep import read_sweep_file

    plan = small.parent / "plan.yaml"
    plan.write_text(f"scenario: q.yaml\ngrid:\n  seed: [1]\nreplications: {replications}\n")
    with pytest.raises(ScenarioError) as caught:
        read_sweep_file(plan)
    assert [str(p) for p in caught.value.problems] == [
        f"{plan}:4:1: replications: expected a whole number from 1 to 1,000,000, got {replications}"]


def test_a_million_replications_in_a_sweep_file_is_still_read(tmp_path):
    from journeysim.sweep import read_sweep_file

    plan = tmp_path / "plan.yaml"
    plan.write_text(f"scenario: {QUICKSTART}\nreplications: 1000000\n")
    assert read_sweep_file(plan).replications == 1_000_000


# ---------------------------------------------------------------- report: a saved summary edited by hand

@pytest.mark.parametrize("key", ["end", "timeout"])
def test_report_on_a_summary_with_a_count_past_64_bits_is_refused_not_a_traceback(small, tmp_path, key):
    """docs/outputs.md: `journeysim report DIR` rebuilds report.html from a saved summary.json; a summary
    whose exited.end is 10**30 ended in matplotlib's OverflowError (exit 1, a traceback)."""
    out = tmp_path / "run"
    assert cli("run", small, "--out", out, "-q", "--no-report").exit_code == 0
    summary = json.loads((out / "summary.json").read_text())
    summary["journeys"]["cart-abandon"]["exited"][key] = 10**30
    (out / "summary.json").write_text(json.dumps(summary))
    before = sorted(p.name for p in out.iterdir())
    result = cli("report", out)
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    assert result.stderr.startswith(f"error: {out / 'summary.json'} is not a journeysim summary (OverflowError")
    assert sorted(p.name for p in out.iterdir()) == before  # no report.html, no staging folder left behind


# ---------------------------------------------------------------- Python API: overrides as --set

@pytest.mark.parametrize("path, message", [("]]", "cannot read key path ']]'"), ("", "empty key path"),
                                           ("journeys[0.key", "cannot read key path 'journeys[0.key'")])
def test_load_with_an_override_path_that_cannot_be_read_raises_scenario_error(path, message):
    """journeysim.load's docstring and README: it raises journeysim.errors.ScenarioError (problems as --set's);
    an unreadable key path raised a bare ValueError, which callers catching ScenarioError did not catch."""
    with pytest.raises(ScenarioError) as caught:
        journeysim.load(QUICKSTART, {path: 1, "seed": 3})
    assert [str(p) for p in caught.value.problems] == [f"overrides:1:1: {path}: {message}" if path else f"overrides:1:1: {message}"]


def test_load_with_readable_overrides_still_applies_them():
    loaded = journeysim.load(QUICKSTART, {"seed": 3, "journeys[cart-abandon].nodes.wait_1h.duration": "2h"})
    assert loaded.scenario.seed == 3


# ---------------------------------------------------------------- the server: a body's key with a control character

@pytest.mark.parametrize("path", ["/sim/journeys/j/pause", "/sim/journeys/j/resume", "/sim/advance"])
@pytest.mark.parametrize("key", ["\u0000", "a\nb", "\u007f"])
def test_a_body_key_with_a_control_character_is_a_400_not_a_dropped_connection(tmp_path, path, key):
    """docs/server.md: a /sim refusal is 400 `{"error": "…"}`, the same text in X-Journeysim-Problem. The
    message quotes the key ('body.\\x00: Extra inputs are not permitted'); the raw control character in the
    header made the HTTP layer drop the connection: the client got no answer at all."""
    from conftest import linear_journey, scenario
    from serverkit import running

    server = running(scenario(linear_journey()), tmp_path)
    live = next(server)
    try:
        answer = live.client.post(path, content=json.dumps({key: 1}).encode(), headers={"Content-Type": "application/json"})
        assert answer.status_code == 400, answer.text
        shown = key.replace("\n", "?").replace("\u0000", "?").replace("\u007f", "?")
        assert answer.headers["X-Journeysim-Problem"] == f"body.{shown}: Extra inputs are not permitted"
        assert answer.json() == {"error": f"body.{key}: Extra inputs are not permitted"}
        assert live.client.get("/sim/status").status_code == 200  # still answering
    finally:
        next(server, None)


# ---------------------------------------------------------------- import: --population too large for memory

def test_import_with_a_population_too_large_for_memory_blames_the_option_not_an_importer_bug(tmp_path):
    """docs/import-sfmc.md `--population N`; scenario-format.md: a problem names its file/option and key. The loader's
    check of the written scenario refused 10**20 profiles, and the import called it 'an importer bug', naming a
    temporary file that no longer exists."""
    journey = ROOT / "tests" / "fixtures" / "sfmc" / "welcome-all-types.json"
    out = tmp_path / "s.yaml"
    result = cli("import", "sfmc", journey, "-o", out, "--population", 10**20)
    lines = refused(result)
    assert "importer bug" not in result.output and ".s.yaml." not in result.output
    assert "--population 100000000000000000000: 100,000,000,000,000,000,000 profiles need about " in lines[0], lines
    assert result.stderr.splitlines()[-1] == f"{journey}: refused; nothing was written"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("text", ["grid:\n  seed: [1, 2]\nreplications: 2\n", "replications: 3\n", "set: {seed: 2}\n"])
def test_a_sweep_file_whose_scenario_key_was_deleted_is_told_so(tmp_path, text):
    """docs/sweeps.md: a sweep file names its scenario. Without `scenario:` the plan was read as a scenario:
    six problems about a scenario's missing name, duration, population and journeys and 'unknown key grid'."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(text)
    problems = refused(cli("sweep", plan, "--out", tmp_path / "out", "-q"))
    assert problems == [f"{plan}:1:1: scenario: missing or not a file name: the scenario file, relative to this file"]


def test_a_scenario_is_still_a_scenario_for_sweep(small, tmp_path):
    from journeysim.sweep import is_sweep_file

    assert not is_sweep_file(small)
    partial = tmp_path / "partial.yaml"
    partial.write_text("name: x\nreplications: 2\n")  # a scenario with a wrong key: told as a scenario
    assert not is_sweep_file(partial)


# ---------------------------------------------------------------- date-times at the calendar's ends (C1)

CALENDAR = """name: cal
seed: 1
duration: 2d
start: {start}
population:
  file: people.csv
journeys:
  - key: j
    start: entry
    nodes:
      entry: {{type: event, arrivals: {{file: arrivals.csv}}, next: send}}
      send: {{type: action, channel: email, next: done}}
      done: {{type: end}}
timeline:
  - at: {at}
    pause: {{journeys: [j]}}
"""


def calendar(tmp_path, *, start="2026-11-27T00:00:00-05:00", at="1d", arrival="10") -> Path:
    (tmp_path / "people.csv").write_text("profile_id,country\n0,FR\n1,US\n")
    (tmp_path / "arrivals.csv").write_text(f"time\n{arrival}\n")
    path = tmp_path / "cal.yaml"
    path.write_text(CALENDAR.format(start=start, at=at))
    return path


@pytest.mark.parametrize("where, value, key, words", [
    ("arrival", "9999-12-31T23:59", "journeys[0].nodes.entry.arrivals.file",
     "line 2: '9999-12-31T23:59' is more than 100 years after the start"),
    ("at", "9999-12-31T23:59", "timeline[0].at", "is after the scenario's duration (2d)"),
    ("at", "'0001-01-01T00:00+05:00 America/New_York'", "timeline[0].at",
     "date-time '0001-01-01T00:00+05:00 America/New_York' in America/New_York is outside the years 1 to 9999"),
    ("start", "9999-12-31T00:00:00-05:00", "start", "is too near the calendar's ends"),
    ("start", "0001-01-01T00:00:00+05:00", "start", "is too near the calendar's ends"),
])
def test_a_date_time_at_the_calendars_ends_is_refused_naming_its_key(tmp_path, where, value, key, words):
    """scenario-format.md `start:` (C1) and arrivals `{file: ...}`: a date-time written in the start's zone whose
    UTC form is past 9999-12-31 ended in OverflowError 'date value out of range' (a traceback, exit 1); a start of
    9999-12-31 validated 'ok' and then the run crashed (validate and run must agree)."""
    path = calendar(tmp_path, **{where: value})
    out = tmp_path / "out"
    for args in (("validate", path), ("run", path, "--out", out, "-q", "--no-report")):
        problems = refused(cli(*args))
        assert any(line.startswith(f"{path}:") and f": {key}: " in line and words in line for line in problems), problems
    assert not out.exists()


def test_a_calendar_start_far_from_the_ends_still_runs(tmp_path):
    path = calendar(tmp_path, start="9899-01-01T00:00:00+00:00")
    result = cli("run", path, "--out", tmp_path / "out", "-q", "--no-report")
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["journeys"]["j"]["arrived"] == 1


# ---------------------------------------------------------------- contact_exit: an id past 64 bits

@pytest.mark.parametrize("stranger", [10**30, 2**64 - 1, -(2**63) - 1])
def test_contact_exit_of_an_id_past_64_bits_is_the_documented_warning_and_the_others_leave(tmp_path, stranger):
    """scenario-format.md, contact_exit: "An id that no profile of the population has is a warning (probably a
    typo: nothing happens to it)". validate warned and said ok, then the run ended in OverflowError
    (np.asarray(..., int64)) - exit 1. By hand: profiles 0 and 1 arrive at 10 s and 20 s and wait 2d; at 1d
    profile 0 is named, so it leaves (contact_exit 1) and profile 1 ends at 2d 20s (end 1)."""
    (tmp_path / "people.csv").write_text("profile_id,country\n0,FR\n1,US\n")
    (tmp_path / "arrivals.csv").write_text("time\n10\n20\n")
    path = tmp_path / "s.yaml"
    path.write_text(f"""name: exit
duration: 3d
population: {{file: people.csv}}
journeys:
  - key: j
    start: entry
    nodes:
      entry: {{type: event, arrivals: {{file: arrivals.csv}}, next: wait}}
      wait: {{type: wait, duration: 2d, next: done}}
      done: {{type: end}}
timeline:
  - at: 1d
    contact_exit: {{journey: j, profiles: [{stranger}, 0]}}
""")
    assert cli("validate", path).exit_code == 0
    result = cli("run", path, "--out", tmp_path / "out", "-q", "--no-report")
    assert result.exit_code == 0, result.output
    assert f"warning: no profile of the population has the id {stranger}" in result.stderr
    exited = json.loads((tmp_path / "out" / "summary.json").read_text())["journeys"]["j"]["exited"]
    assert (exited["contact_exit"], exited["end"]) == (1, 1)


# ---------------------------------------------------------------- an SFMC export that is a device

LIMITED = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, resource.getrlimit(resource.RLIMIT_AS)[1])); "
           "from journeysim.cli import main; sys.argv[0] = 'journeysim'; main()")


@pytest.mark.parametrize("door", ["import", "scenario"])
def test_an_sfmc_export_that_is_a_device_is_refused_without_reading_it(tmp_path, door):
    """scenario-format.md ("a directory where a file is expected" is named) and import-sfmc.md: /dev/zero as the
    journey file (`import sfmc /dev/zero`, or `{import: sfmc, file: /dev/zero}` in a scenario) has size 0 and
    never ends; it was read whole, taking every byte of memory until the process was killed. (Run with 3 GiB of
    address space so that the old code fails with MemoryError instead of exhausting the machine.)"""
    import subprocess
    import sys

    if door == "import":
        args = ["import", "sfmc", "/dev/zero", "-o", str(tmp_path / "s.yaml")]
        where = "/dev/zero: $: "
    else:
        path = tmp_path / "s.yaml"
        path.write_text((ROOT / "scenarios" / "sfmc-imported-journey-pause.yaml").read_text()
                        .replace("file: ../tests/fixtures/sfmc/welcome-all-types.json", "file: /dev/zero"))
        args = ["validate", str(path)]
        where = f"{path}:26:20: journeys[0].file: /dev/zero: $: "
    done = subprocess.run([sys.executable, "-c", LIMITED, *args], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 2, done.stderr[-500:]
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines()[0] == f"{where}cannot read /dev/zero: it is a device, not a file"
    assert list(tmp_path.iterdir()) == ([] if door == "import" else [tmp_path / "s.yaml"])
