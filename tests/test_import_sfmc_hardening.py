"""`journeysim import sfmc` hardening: the output never destroys the input or crashes, criterion
values are typed strictly, replaced values are warned about (refused with --strict), and a search
answer holding several journeys is named as such."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import journeysim
from journeysim.cli import main
from journeysim.importers.sfmc import import_journey

FIXTURES = Path(__file__).parent / "fixtures" / "sfmc"
ALL_TYPES = FIXTURES / "welcome-all-types.json"


def import_sfmc(*args: str):
    return CliRunner().invoke(main, ["import", "sfmc", *map(str, args)])


def assert_refused(result, *fragments: str) -> None:
    """Exit 2, a message holding every fragment, no traceback."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output, result.output


# ---------------------------------------------------------------- 1. -o never destroys the input

@pytest.fixture
def journey(tmp_path) -> Path:
    path = tmp_path / "j.json"
    shutil.copy(ALL_TYPES, path)
    return path


def test_the_output_cannot_be_the_input_file(journey):
    before = journey.read_bytes()
    assert_refused(import_sfmc(journey, "-o", journey, "-q"), "cannot write", "it is the input file")
    assert journey.read_bytes() == before


@pytest.mark.parametrize("link", [os.symlink, os.link], ids=["symbolic link", "hard link"])
def test_the_output_cannot_be_a_link_to_the_input_file(journey, link):
    before = journey.read_bytes()
    other = journey.parent / "scenario.yaml"
    link(journey, other)
    assert_refused(import_sfmc(journey, "-o", other, "-q"), "it is the input file")
    assert journey.read_bytes() == before and other.read_bytes() == before


def test_the_output_cannot_be_the_input_through_a_link_to_it(journey):
    before = journey.read_bytes()
    (journey.parent / "export.json").symlink_to(journey)
    assert_refused(import_sfmc(journey.parent / "export.json", "-o", journey, "-q"), "it is the input file")
    assert journey.read_bytes() == before


def test_an_output_beside_the_input_is_written(journey):
    result = import_sfmc(journey, "-o", journey.with_suffix(".yaml"), "-q")
    assert result.exit_code == 0, result.output
    assert journey.with_suffix(".yaml").read_text().startswith("# Imported by")


# ---------------------------------------------------------------- 2. a folder where nothing can be created

def test_a_folder_where_no_file_can_be_created_is_refused():
    assert_refused(import_sfmc(ALL_TYPES, "-o", "/proc/x.yaml"), "cannot write", "nothing was written")


def test_a_parent_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "f").write_text("a file")
    assert_refused(import_sfmc(ALL_TYPES, "-o", tmp_path / "f" / "x.yaml"), "cannot write", "is a file, not a folder")
    assert (tmp_path / "f").read_text() == "a file"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in a read-only folder")
def test_a_read_only_folder_is_refused(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        assert_refused(import_sfmc(ALL_TYPES, "-o", folder / "x.yaml"), "cannot write")
    finally:
        folder.chmod(0o755)
    assert list(folder.iterdir()) == []


def test_a_write_that_fails_after_the_check_is_refused_and_leaves_nothing(tmp_path, monkeypatch):
    real = tempfile.mkstemp
    monkeypatch.setattr(tempfile, "mkstemp", lambda *a, **k: (_ for _ in ()).throw(PermissionError(13, "Permission denied")))
    assert_refused(import_sfmc(ALL_TYPES, "-o", tmp_path / "x.yaml"), "cannot write", "Permission denied")
    monkeypatch.setattr(tempfile, "mkstemp", real)

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    assert_refused(import_sfmc(ALL_TYPES, "-o", tmp_path / "y.yaml"), "cannot write", "No space left on device")
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- small definitions

def activity(key: str, kind: str, nexts=(None,), config: dict | None = None, outcomes: list | None = None) -> dict:
    return {"key": key, "name": f"{kind} step", "type": kind, "configurationArguments": config or {},
            "outcomes": outcomes if outcomes is not None else [{"key": f"{key}-o{i}", "next": n} for i, n in enumerate(nexts)]}


def definition(*activities: dict, **extra) -> dict:
    body = {"key": "test-journey", "name": "Test journey", "version": 2, "modifiedDate": "2026-11-20T10:30:00",
            "triggers": [{"key": "TRIGGER", "type": "APIEvent", "outcomes": []}], "goals": [], "exits": [],
            "activities": list(activities)}
    body.update(extra)
    return body


def decision(*values_by_outcome: tuple[str, ...], key: str = "Event.DE.Country") -> dict:
    """A decision with one outcome per tuple of values, each outcome 'Country Equal value' (In for several)."""
    criteria, outcomes = {}, []
    for o, values in enumerate(values_by_outcome):
        operator = "Equal" if len(values) == 1 else "In"
        body = "".join(f"<Value>{v}</Value>" for v in values)
        criteria[f"p{o}"] = f'<FilterDefinition><Condition Key="{key}" Operator="{operator}">{body}</Condition></FilterDefinition>'
        outcomes.append({"key": f"p{o}", "next": None})
    return activity("D-1", "MULTICRITERIADECISION", config={"criteria": criteria},
                    outcomes=[*outcomes, {"key": "remainder_path", "next": None}])


# ---------------------------------------------------------------- 3. criterion values are text unless plainly numbers

def imported_decision(*values_by_outcome: tuple[str, ...]):
    imported = import_journey(definition(decision(*values_by_outcome)), 1000)
    whens = [b["when"] for b in imported.journey["nodes"]["D-1"]["branches"] if "when" in b]
    return whens, imported.attributes["Country"]


@pytest.mark.parametrize("value", ["NO", "no", "Yes", "on", "off", "1_000", "1e5", "NaN", "Infinity", "0x10", "١٢"])
def test_a_lone_value_that_is_not_plainly_a_number_or_true_false_is_text(value):
    whens, column = imported_decision((value,))
    assert whens == [f"Country == {value!r}"]
    assert column == {"choice": {value: 0.5, "other": 0.5}}


@pytest.mark.parametrize("value, literal", [("30", 30), ("-2.5", -2.5), ("+4", 4), (".5", 0.5), ("7.", 7)])
def test_plain_numbers_are_numbers(value, literal):
    whens, column = imported_decision((value,))
    assert whens == [f"Country == {literal!r}"] and "choice" in column


@pytest.mark.parametrize("value, literal", [("true", "true"), ("false", "false"), ("True", "true")])
def test_true_and_false_are_yes_no(value, literal):
    whens, column = imported_decision((value,))
    assert whens == [f"Country == {literal}"] and column == {"bernoulli": 0.5}


def test_norway_alone_reads_back_validates_and_runs_as_text(tmp_path):
    source = tmp_path / "j.json"
    source.write_text(json.dumps(definition(decision(("NO",)))))
    out = tmp_path / "s.yaml"
    assert import_sfmc(source, "-o", out, "-q").exit_code == 0
    data = yaml.safe_load(out.read_text())
    assert data["population"]["attributes"]["Country"] == {"choice": {"NO": 0.5, "other": 0.5}}
    assert [b.get("when") for b in data["journeys"][0]["nodes"]["D-1"]["branches"]] == ["Country == 'NO'", None]
    summary = journeysim.run(journeysim.load(out)).summary
    assert summary["conservation"]["ok"]


# ---------------------------------------------------------------- 4. a replaced value is a warning; --strict refuses it

def wait(config: dict) -> dict:
    return definition(activity("W-1", "WAIT", config=config))


def split(*percentages) -> dict:
    return definition(activity("R-1", "RANDOMSPLIT", outcomes=[{"key": f"o{i}", "arguments": {"percentage": p}}
                                                                for i, p in enumerate(percentages)]))


WAIT_ARGS = "$.activities[0].configurationArguments"
REPLACED = [
    (wait({"waitDuration": -3, "waitUnit": "DAYS"}), f"{WAIT_ARGS}.waitDuration: -3:"),
    (wait({"waitDuration": "two", "waitUnit": "DAYS"}), f'{WAIT_ARGS}.waitDuration: "two":'),
    (wait({"waitDuration": float("nan"), "waitUnit": "DAYS"}), f"{WAIT_ARGS}.waitDuration: NaN:"),
    (wait({"waitDuration": True, "waitUnit": "DAYS"}), f"{WAIT_ARGS}.waitDuration: true:"),
    (wait({"waitDuration": "1_000", "waitUnit": "MINUTES"}), f'{WAIT_ARGS}.waitDuration: "1_000":'),
    (wait({"waitDuration": 2, "waitUnit": "YEARS"}), f'{WAIT_ARGS}.waitUnit: "YEARS":'),
    (wait({}), f"{WAIT_ARGS}.waitDuration: missing"),
    (wait({"specificDate": "tomorrow"}), f'{WAIT_ARGS}.specificDate: "tomorrow": not a date'),
    (definition(activity("S-1", "STOWAIT", config={"params": {"slidingWindowHours": -1}})),
     f"{WAIT_ARGS}.params.slidingWindowHours: -1:"),
    (split(-50, 150), "$.activities[0].outcomes[0].arguments.percentage: -50:"),
    (split(0, 0), "$.activities[0].outcomes: [0, 0]: the percentages add up to 0"),
    (split("fifty", 50), '$.activities[0].outcomes[0].arguments.percentage: "fifty":'),
    (split(float("inf"), 50), "$.activities[0].outcomes[0].arguments.percentage: Infinity:"),
    (split(50, None), "$.activities[0].outcomes[1].arguments.percentage: null:"),
]
IDS = ["negative wait", "wait 'two'", "wait NaN", "wait true", "wait 1_000", "wait YEARS", "no wait", "date 'tomorrow'",
       "STO window -1", "split -50/150", "split 0/0", "split 'fifty'", "split 1e309", "split null"]


def write_journey(folder: Path, body: dict) -> Path:
    path = folder / "journey.json"
    path.write_text(json.dumps(body).replace("Infinity", "1e309"))  # JSON has no Infinity; 1e309 reads as it
    return path


@pytest.mark.parametrize("body, warning", REPLACED, ids=IDS)
def test_a_replaced_value_is_a_warning_naming_its_path_and_value(tmp_path, body, warning):
    out = tmp_path / "s.yaml"
    result = import_sfmc(write_journey(tmp_path, body), "-o", out)
    assert result.exit_code == 0, result.output
    assert f"warning: {warning}" in result.output
    assert "0 warning(s)" not in result.output
    assert CliRunner().invoke(main, ["validate", str(out)]).exit_code == 0


@pytest.mark.parametrize("body, warning", REPLACED, ids=IDS)
def test_strict_refuses_a_replaced_value(tmp_path, body, warning):
    out = tmp_path / "s.yaml"
    assert_refused(import_sfmc(write_journey(tmp_path, body), "-o", out, "--strict"), warning, "(--strict)", "nothing was written")
    assert not out.exists()


@pytest.mark.parametrize("body", [wait({"waitDuration": "3", "waitUnit": "hours"}), wait({"waitDuration": 0, "waitUnit": "DAYS"}),
                                  split(70, 30), split("60", 40)], ids=["text 3 hours", "0 days", "70/30", "'60'/40"])
def test_readable_values_are_not_warned_about(body):
    imported = import_journey(body, 1000)
    assert imported.warnings == []
    assert import_journey(body, 1000, strict=True).journey == imported.journey


def test_a_wait_of_true_is_no_longer_one_day_without_a_word():
    imported = import_journey(wait({"waitDuration": True, "waitUnit": "DAYS"}), 1000)
    assert imported.journey["nodes"]["W-1"]["duration"] == {"fixed": "1d"}
    assert imported.warnings == [f"{WAIT_ARGS}.waitDuration: true: not a number of 0 or more; a 1d wait is assumed"]


# ---------------------------------------------------------------- 5. a search answer holding several journeys, or none

def search_answer(*journeys: dict) -> dict:
    return {"count": len(journeys), "page": 1, "pageSize": 50, "items": list(journeys)}


def test_a_search_answer_holding_several_journeys_says_so_and_how_to_pick_one(tmp_path):
    first = definition(activity("A-1", "EMAILV2"), key="welcome")
    second = definition(activity("A-1", "EMAILV2"), key="welcome-copy")
    source = write_journey(tmp_path, search_answer(first, second))
    out = tmp_path / "s.yaml"
    assert_refused(import_sfmc(source, "-o", out), "$.items: the search answer holds 2 journeys (keys 'welcome' version 2, 'welcome-copy' version 2)",
                   "key:KEY", "nothing was written")
    assert not out.exists()


def test_a_search_answer_holding_no_journey_says_so(tmp_path):
    assert_refused(import_sfmc(write_journey(tmp_path, search_answer()), "-o", tmp_path / "s.yaml"),
                   "$.items: the search answer holds no journey")


def test_a_search_answer_holding_one_journey_is_imported(tmp_path):
    source = write_journey(tmp_path, search_answer(definition(activity("A-1", "EMAILV2"))))
    assert import_sfmc(source, "-o", tmp_path / "s.yaml", "-q").exit_code == 0


def test_a_scenario_importing_the_export_directly_prints_the_import_warnings(tmp_path):
    write_journey(tmp_path, wait({"waitDuration": -3, "waitUnit": "DAYS"}))
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("name: imported\nduration: 3d\nplatform: sfmc\npopulation: {size: 100}\n"
                        "journeys:\n  - {import: sfmc, file: journey.json}\n")
    result = CliRunner().invoke(main, ["validate", str(scenario)])
    assert result.exit_code == 0, result.output
    assert f"journeys[0].file: warning: journey.json: {WAIT_ARGS}.waitDuration: -3: not a number of 0 or more" in result.output
