"""Broken scenario files: one line per problem (FILE:LINE:COL: key.path: message), exit 2, never a
traceback, nothing written. Each file in bad_scenarios/ (made by its generate.py) is a small valid
scenario with one defect, named in its first line; EXPECTED holds the key path and the words of the
message it must get."""

import random
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from journeysim.cli import main

HERE = Path(__file__).parent / "bad_scenarios"
QUICKSTART = HERE.parent.parent / "scenarios" / "quickstart.yaml"

# file stem -> (key path in the problem line, "" for a whole-file problem; words of the message)
EXPECTED = {
    # keys and types
    "top-level-typo": ("sed", "unknown key 'sed' (did you mean 'seed'?)"),
    "node-key-typo": ("journeys[0].nodes.wait_1.duraton", "unknown key 'duraton' (did you mean 'duration'?)"),
    "key-in-wrong-place": ("journeys[0].nodes.done.next", "an end node takes no 'next'"),
    "seed-wrong-type": ("seed", "valid integer"),
    "size-is-true": ("population.size", "should be a number, not true"),
    "duration-is-a-list": ("duration", "expected a duration"),
    "yes-as-node-name": ("journeys[0].nodes.email.next", "YAML reads yes/no/on/off as true/false"),
    "update-list-value": ("journeys[0].nodes.mark.set.age", "boolean, integer, number or string, got [30]"),
    "platform-unknown": ("platform", "unknown platform 'braze-ish' (did you mean 'braze'?); the presets are ajo, ajo-2026"),
    # units
    "unknown-node-type": ("journeys[0].nodes.done.type", "unknown node type 'finish'"),
    "unknown-distribution": ("journeys[0].nodes.wait_1.duration", "unknown distribution 'unifrom'"),
    "bad-duration-text": ("journeys[0].nodes.wait_1.duration", "cannot read duration '1 hour'"),
    "bad-rate-text": ("journeys[0].nodes.entry.arrivals.rate", "expected a positive rate"),
    "duration-too-long": ("duration", "at most 100 years"),
    "too-many-samples": ("duration", "time-series samples"),
    "too-many-series-counts": ("report_every", "864,000 time-series samples of 16 nodes make 13,824,000 counts, at most 10,000,000"),
    "resolution-too-fine": ("resolution", "expected a duration of at least 1ms, got"),
    "probability-out-of-range": ("population.attributes.country", "must sum to 1"),
    # journey graph
    "dangling-next": ("journeys[0].nodes.wait_1.next", "'is_french' is not a node"),
    "dangling-branch": ("journeys[0].nodes.is_fr.branches[1].otherwise", "'mail' is not a node"),
    "missing-start": ("journeys[0].start", "start node 'begin' is not among the nodes"),
    "start-not-entry": ("journeys[0].start", "the start node must be an entry"),
    "cycle-without-wait": ("journeys[0].nodes.push", "cycle without a wait: push -> email -> push"),
    "cycle-through-until-wait": ("journeys[0].nodes.push", "waits 'until' a moment"),
    "cycle-through-zero-wait": ("journeys[0].nodes.push", "can last less than the resolution"),
    "split-weights": ("journeys[0].nodes.is_fr", "weights must sum to 1"),
    "condition-without-otherwise": ("journeys[0].nodes.is_fr", "ending with exactly one {otherwise: NODE}"),
    "reaction-to-wait": ("journeys[0].nodes.opened.to", "reacts to an action node"),
    "jump-unknown-journey": ("journeys[0].nodes.go.to", "no journey with key 'upsell'"),
    "update-unknown-attribute": ("journeys[0].nodes.mark.set.vip", "unknown attribute 'vip'"),
    # expressions
    "expression-syntax": ("journeys[0].nodes.is_fr.branches[0].when", "syntax error"),
    "expression-unknown-attribute": ("journeys[0].nodes.is_fr.branches[0].when", "unknown attribute 'contry'"),
    "expression-call": ("journeys[0].nodes.is_fr.branches[0].when", "is not allowed"),
    "expression-attribute-access": ("journeys[0].nodes.is_fr.branches[0].when", "is not allowed"),
    "expression-too-deep": ("journeys[0].nodes.is_fr.branches[0].when", "nested too deeply"),
    "expression-text-vs-number": ("journeys[0].nodes.is_fr.branches[0].when", "cannot order text against a number"),
    "expression-text-arithmetic": ("journeys[0].nodes.is_fr.branches[0].when", "arithmetic on text"),
    # population
    "missing-population-file": ("population.file", "cannot read population file 'nobody.csv': no such file"),
    "population-missing-value": ("population.file", "column 'country' has a missing value in data row 2"),
    "population-size-and-file": ("population", "exactly one of 'size' or 'file'"),
    "population-too-large": ("population.size", "GiB"),
    # timeline
    "pause-twice": ("timeline[1].pause", "it is paused"),
    "resume-live": ("timeline[0].resume", "it is live"),
    "filter-outside-pause": ("timeline[0].global_filter", "only be set while it is paused"),
    "action-after-duration": ("timeline[1].at", "after the scenario's duration"),
    "two-actions-in-one-item": ("timeline[1]", "exactly one of pause, resume"),
    "ajo-pause-with-body": ("timeline[0].pause.body.Extend",
                            "SFMC would refuse this pause (errorcode 400: Please validate that your request is properly formed.): "
                            "unknown field 'Extend'"),
    "sfmc-no-version": ("timeline[0].pause", "errorcode 10005"),
    "sfmc-unknown-body-field": ("timeline[0].pause.body.PauseDays", "unknown field 'PauseDays'"),
    "sfmc-paused-days-range": ("timeline[0].pause.body.PausedDays", "from 1 to 14"),
    # the file as a whole
    "duplicate-key": ("", "duplicate key 'done' (first written on line 24)"),
    "top-level-list": ("", "a scenario is a mapping of keys, got a list"),
    "yaml-syntax": ("", "YAML: "),
    "tab-indentation": ("", "indent with spaces"),
    "key-is-a-list": ("", "a key must be a name or a number, not a list"),
    "nested-too-deeply": ("", "nested more than 64 levels"),
    "alias-bomb": ("", "values once aliases are expanded"),
    "recursive-alias": ("", "cannot contain itself"),
    "control-character": ("", "control character U+0007"),
    "empty": ("", "empty scenario file"),
    "comments-only": ("", "empty scenario file"),
    "binary-garbage": ("", "not a UTF-8 text file"),
    # issue 10 items 7 and 11
    "integer-too-long": ("", "a number of 5,000 characters: at most 100 digits"),
    "global-filter-key-typo": ("timeline[1].global_filter.journeys", "unknown key 'journeys' (did you mean 'journey'?)"),
    "choice-yaml-boolean": ("population.attributes.country", "quote it: 'NO'"),
    "condition-when-all": ("journeys[0].nodes.is_fr.branches[0].when", "'all' selects an audience and is not a condition"),
}
KEY_PATH = r"[\w-]+(?:\[\d+\]|\.[\w-]+)*"

# file stem -> text at the start of what the first problem points at (the n-th time it is written, from 0),
# and whether the column must be that text's column too
POINTS_AT = {
    "node-key-typo": ("duraton:", True),
    "dangling-next": ("next: is_french", True),
    "seed-wrong-type": ("seed: one", True),
    "duplicate-key": ("done:", True, 1),
    "expression-unknown-attribute": ("when: \"contry", True),
    "resume-live": ("resume: {journeys: [cart]}", True),
    "sfmc-unknown-body-field": ("PauseDays:", True),
    "yes-as-node-name": ("next: yes", True),
    "population-missing-value": ("file: holes.csv", True),
    "action-after-duration": ("at: 3d", False),
    "tab-indentation": ("\tstart", True),
    "key-is-a-list": ("[age, score]", True),
    "control-character": ("\x07", True),
    "integer-too-long": ("99999", True),
    "global-filter-key-typo": ("global_filter: {journeys", True),
}


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def assert_refused(result, file: Path) -> list[str]:
    """Exit 2, no traceback, every stderr line a problem FILE:LINE:COL: ... and a closing line; the problems."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert lines and lines[-1] == f"{file}: refused ({len(lines) - 1} problem{'s' if len(lines) != 2 else ''}); nothing was run", lines
    problems = lines[:-1]
    assert problems
    for line in problems:
        assert re.match(rf"^{re.escape(str(file))}:\d+:\d+: ", line), line
    return problems


def test_the_corpus_has_at_least_thirty_five_broken_files_each_with_its_expectation():
    files = sorted(HERE.glob("*.yaml"))
    assert len(files) >= 35
    assert {p.stem for p in files} == set(EXPECTED)
    for file in files:
        if file.stem not in ("empty", "comments-only", "binary-garbage"):
            assert file.read_text().startswith("# broken: "), file


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_each_broken_file_is_refused_with_its_key_path_and_nothing_is_written(stem, tmp_path):
    file = HERE / f"{stem}.yaml"
    out = tmp_path / "out"
    result = invoke("run", str(file), "--out", str(out), "--quiet")
    problems = assert_refused(result, file)
    assert not out.exists()
    assert result.stdout == ""
    key_path, words = EXPECTED[stem]
    if key_path:  # every line names its key path
        for line in problems:
            assert re.match(rf"^{re.escape(str(file))}:\d+:\d+: {KEY_PATH}: \S", line), line
    assert any(words in line and (not key_path or f": {key_path}: " in line) for line in problems), problems


@pytest.mark.parametrize("stem", sorted(POINTS_AT))
def test_the_line_and_column_point_at_the_problem(stem):
    file = HERE / f"{stem}.yaml"
    marker, exact_column, nth = (*POINTS_AT[stem], 0)[:3]
    text = file.read_text()
    at = -1
    for _ in range(nth + 1):
        at = text.index(marker, at + 1)
    line = text[:at].count("\n") + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    problems = assert_refused(invoke("validate", str(file)), file)
    where = re.match(rf"^{re.escape(str(file))}:(\d+):(\d+): ", problems[0])
    assert int(where.group(1)) == line, (problems[0], marker)
    if exact_column:
        assert int(where.group(2)) == column, (problems[0], marker)


def test_every_problem_of_a_file_is_reported_at_once(tmp_path):
    text = (HERE / "node-key-typo.yaml").read_text()
    text = text.replace("seed: 1", "seed: one").replace("rate: 1/s", "rate: fast")
    file = tmp_path / "three.yaml"
    file.write_text(text)
    problems = assert_refused(invoke("validate", str(file)), file)
    assert len(problems) == 3
    assert {p.split(": ")[1] for p in problems} == {"seed", "journeys[0].nodes.entry.arrivals.rate", "journeys[0].nodes.wait_1.duraton"}
    lines = {p.split(": ")[1]: int(p.split(":")[1]) for p in problems}
    assert lines == {"seed": 3, "journeys[0].nodes.entry.arrivals.rate": 15, "journeys[0].nodes.wait_1.duraton": 16}


@pytest.mark.parametrize("name, data", [
    ("random", bytes(random.Random(7).getrandbits(8) for _ in range(4096))),
    ("png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)),
    ("utf16", "name: x\nseed: 1\n".encode("utf-16")),
    ("nul-in-text", b"name: x\nseed: 1\x00\n"),
    ("gzip", b"\x1f\x8b\x08\x00" + bytes(range(200))),
])
def test_binary_garbage_written_by_the_test_is_refused(name, data, tmp_path):
    file = tmp_path / f"{name}.yaml"
    file.write_bytes(data)
    out = tmp_path / "out"
    problems = assert_refused(invoke("run", str(file), "--out", str(out), "--quiet"), file)
    assert len(problems) == 1 and not out.exists()


def test_an_existing_out_folder_is_left_as_it_was(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    assert_refused(invoke("run", str(HERE / "dangling-next.yaml"), "--out", str(out), "--quiet"), HERE / "dangling-next.yaml")
    assert [p.name for p in out.iterdir()] == ["keep.txt"] and (out / "keep.txt").read_text() == "mine"


def test_a_set_override_of_a_path_that_does_not_exist_is_refused_naming_the_closest(tmp_path):
    out = tmp_path / "out"
    result = invoke("run", str(QUICKSTART), "--out", str(out), "--quiet", "--set", "journeys[cart-abandon].nodes.wait_1hh.duration=2h")
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    problems = result.stderr.splitlines()[:-1]
    assert len(problems) == 1
    assert problems[0].startswith("--set:1:1: journeys[cart-abandon].nodes.wait_1hh.duration: ")
    assert "closest valid path: journeys[cart-abandon].nodes.wait_1" in problems[0]
    assert not out.exists()


def test_a_bad_value_from_set_is_blamed_on_the_option_not_on_the_file(tmp_path):
    out = tmp_path / "out"
    result = invoke("run", str(QUICKSTART), "--out", str(out), "--quiet", "--set", "org.held_cap=-1", "--set", "seed=one")
    assert result.exit_code == 2 and not out.exists()
    problems = result.stderr.splitlines()[:-1]
    assert sorted(p.split(": ")[0] + ": " + p.split(": ")[1] for p in problems) == ["--set:1:1: org.held_cap", "--set:1:1: seed"]


def test_a_set_value_that_is_not_yaml_says_so_in_words(tmp_path):
    result = invoke("validate", str(QUICKSTART), "--set", "timeline[0].at=[1")
    assert result.exit_code == 2
    problems = result.stderr.splitlines()[:-1]
    assert problems == ["--set:1:1: timeline[0].at: cannot read the value '[1' as YAML: expected ',' or ']', "
                        "but got '<stream end>' (quote it, or close its brackets)"]


def test_a_bad_override_names_the_closest_valid_path():
    result = invoke("validate", str(HERE.parent / "spec_examples" / "ajo-end-to-end-sample.yaml"),
                    "--set", "journeys[cart-abandon].nodes.wait_1hh.duration=2h")
    assert result.exit_code == 2
    assert "closest valid path: journeys[cart-abandon].nodes.wait_1" in result.output


def test_validate_accepts_a_good_file_and_refuses_a_bad_one():
    good = invoke("validate", str(QUICKSTART))
    assert good.exit_code == 0 and "ok" in good.output
    bad = HERE / "unknown-node-type.yaml"
    assert_refused(invoke("validate", str(bad)), bad)


def test_an_unknown_key_close_to_none_of_its_place_lists_the_keys_there_not_a_key_of_elsewhere():
    result = invoke("validate", str(QUICKSTART), "--set", "org.nope=1")
    assert result.exit_code == 2
    problem = result.stderr.splitlines()[0]
    assert problem.startswith("--set:1:1: org.nope: unknown key 'nope' (the keys here: ") and "held_cap" in problem
    assert "nodes" not in problem
    typo = invoke("validate", str(QUICKSTART), "--set", "org.held_cpa=1")
    assert "did you mean 'held_cap'?" in typo.stderr
