"""Audit 4 of `journeysim import sfmc` (docs/import-sfmc.md; D3-D5 of docs/behaviors.md).

Each test pins a defect found in this audit: it fails on the code before the fix and passes after.
"""

from __future__ import annotations

from click.testing import CliRunner

from journeysim.cli import main
from journeysim.importers.sfmc import import_journey


def journey(activities: list[dict], **fields) -> dict:
    body = {"key": "j", "name": "j", "version": 1, "triggers": [{"key": "T", "type": "APIEvent"}], "activities": activities}
    return body | fields


def run_import(tmp_path, body: dict | str, *options: str):
    import json

    source = tmp_path / "journey.json"
    source.write_text(body if isinstance(body, str) else json.dumps(body), encoding="utf-8")
    out = tmp_path / "scenario.yaml"
    return CliRunner().invoke(main, ["import", "sfmc", str(source), "-o", str(out), *options]), out


# ---------------------------------------------------------------- dates with an offset

def test_dates_with_an_offset_are_counted_in_utc():
    """docs/import-sfmc.md: the scenario's `start` is "the day the journey was last published, in UTC" and a
    `specificDate` wait is "`wait` `until` that moment". lastPublishedDate 2026-03-04T23:30-06:00 is
    2026-03-05 05:30 UTC, so the start is 2026-03-05; 2026-03-10T09:00-05:00 is 14:00 UTC, 5 days and 14 hours
    (134h) after it. The offsets were dropped: start 2026-03-04 and 'until 153h' (09:00 read as UTC)."""
    wait = {"key": "W-1", "type": "WAIT", "outcomes": [{"key": "o", "next": None}],
            "configurationArguments": {"specificDate": "2026-03-10T09:00:00-05:00"}}
    imported = import_journey(journey([wait], lastPublishedDate="2026-03-04T23:30:00-06:00"), 100)
    assert imported.start == "2026-03-05T00:00:00+00:00"
    assert imported.journey["nodes"]["W-1"] == {"type": "wait", "until": "134h", "next": "end"}


# ---------------------------------------------------------------- keys in any case

def test_the_fields_of_a_body_are_read_in_any_case_as_journey_builder_reads_them():
    """docs/import-sfmc.md "the body you POST or PUT ... works as it is": Journey Builder reads a body's keys in any
    case, so 'Activities', 'Outcomes', 'Next', 'ConfigurationArguments', 'WaitDuration', 'WaitUnit' are the fields
    the mapping table names. Before, 'Activities' was refused as missing, and an activity's 'Outcomes' were dropped
    without a word (E-1 led to the end; W-1 became an unreached 1-day wait)."""
    body = {"Key": "mixed", "Name": "Mixed case", "Version": "2", "EntryMode": "MultipleEntries",
            "Triggers": [{"Key": "T", "Type": "APIEvent"}],
            "Activities": [
                {"Key": "E-1", "Type": "EMAILV2", "Outcomes": [{"Key": "o", "Next": "W-1"}]},
                {"KEY": "W-1", "TYPE": "WAIT", "OUTCOMES": [{"key": "o", "NEXT": None}],
                 "ConfigurationArguments": {"WaitDuration": 90, "WAITUNIT": "minutes"}}]}
    imported = import_journey(body, 168)
    assert imported.warnings == []
    assert (imported.key, imported.name, imported.journey["version"]) == ("mixed", "Mixed case", 2)
    assert imported.journey["nodes"] == {
        "T": {"type": "event", "arrivals": {"rate": "1.000/h"}, "reentry": True, "next": "E-1"},
        "E-1": {"type": "action", "channel": "email", "next": "W-1"},
        "W-1": {"type": "wait", "duration": {"fixed": "90m"}, "next": "end"},
        "end": {"type": "end"}}


def test_one_field_given_twice_in_two_cases_is_refused_naming_the_place(tmp_path):
    """A body that names one field twice ('next' and 'Next') with different values is ambiguous: exit 2, the JSON
    path, nothing written (the import's contract for a file it cannot read as one journey)."""
    body = journey([{"key": "E-1", "type": "EMAILV2", "outcomes": [{"key": "o", "next": "E-2", "Next": None}]},
                    {"key": "E-2", "type": "SMSSYNC", "outcomes": []}])
    result, out = run_import(tmp_path, body)
    assert result.exit_code == 2
    assert "$.activities[0].outcomes[0].next: given twice, as 'next' and 'Next', with different values" in result.output
    assert "nothing was written" in result.output and not out.exists()


# ---------------------------------------------------------------- reading scenarios with libyaml

def test_libyaml_reading_keeps_what_the_pure_python_reader_refused_refused(tmp_path):
    """Scenarios are read with libyaml when PyYAML has it (the import's 10,000-activity scenario: 9 s -> under 2 s).
    libyaml accepts a '?' inside an unquoted value in braces and a tab after 'key:', which the pure-Python reader
    refuses: such files must still be refused with its message and place (the messages of the code before)."""
    import yaml

    from journeysim.errors import ScenarioError
    from journeysim.yamlio import load_yaml

    for text, where, message in [
        ("name: x\nseed: {a: b?c}\n", (2, 12), "YAML: while parsing a flow mapping: expected ',' or '}', but got '?'"),
        ("name:\tx\n", (1, 6), "YAML: while scanning for the next token: found character '\\t' that cannot start any token "
                               "(indent with spaces: YAML does not allow tabs there)"),
    ]:
        if getattr(yaml, "CSafeLoader", None):
            yaml.load(text, Loader=yaml.CSafeLoader)  # libyaml alone would read it
        path = tmp_path / "s.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            load_yaml(path)
        except ScenarioError as exc:
            problem = exc.problems[0]
            assert ((problem.line, problem.column), problem.message[:len(message)]) == (where, message), text
        else:
            raise AssertionError(f"{text!r} was read")


# ---------------------------------------------------------------- a scenario too large to read back

def test_an_export_whose_scenario_would_be_too_large_to_read_is_refused_saying_what_to_do(tmp_path):
    """docs/import-sfmc.md: a file the import cannot turn into a scenario is refused with exit 2, a message naming the
    place, nothing written. Three activities named with 1,000,000 characters each (the names go into the comments)
    make a 2.9 MiB scenario, over the 2.0 MiB every command reads: it was refused as 'an importer bug', naming a
    temporary file that no longer exists."""
    activities = [{"key": f"E-{i}", "name": "n" * 1_000_000, "type": "EMAILV2",
                   "outcomes": [{"key": "o", "next": f"E-{i + 1}" if i < 2 else None}]} for i in range(3)]
    result, out = run_import(tmp_path, journey(activities))
    assert result.exit_code == 2
    assert (f"{tmp_path / 'journey.json'}: $: the scenario would be 2.9 MiB, more than the 2.0 MiB a scenario file may be "
            "(3 activities); a scenario can name the export instead: journeys: [{import: sfmc, file: journey.json}]") in result.output
    assert "importer bug" not in result.output and not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["journey.json"]


# ---------------------------------------------------------------- --population

def test_a_population_the_machine_cannot_hold_is_the_options_fault_not_an_importer_bug(tmp_path):
    """docs/import-sfmc.md "--population N profiles in the generated population": a value the scenario check refuses
    (10^12 profiles need about 159,000 GiB) is refused naming the option, exit 2, nothing written. It was reported as
    'the imported scenario does not validate (an importer bug: please report it ...)', naming a temporary file."""
    body = journey([{"key": "E-1", "type": "EMAILV2", "outcomes": []}])
    result, out = run_import(tmp_path, body, "--population", "1000000000000")
    assert result.exit_code == 2
    assert f"{tmp_path / 'journey.json'}: --population 1000000000000: 1,000,000,000,000 profiles need about" in result.output
    assert "use a smaller size" in result.output
    assert "importer bug" not in result.output and ".scenario.yaml." not in result.output and not out.exists()


# ---------------------------------------------------------------- a scenario naming the export: its own population

def _scenario_naming_the_export(tmp_path, population: str) -> str:
    import json

    (tmp_path / "journey.json").write_text(json.dumps(journey([{"key": "E-1", "type": "EMAILV2", "outcomes": []}])))
    (tmp_path / "contacts.csv").write_text("profile_id\n" + "".join(f"{i}\n" for i in range(1000)))
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(f"name: s\nplatform: sfmc\nduration: 10d\npopulation: {population}\n"
                        "journeys:\n  - {import: sfmc, file: journey.json}\n")
    return str(scenario)


def test_a_scenario_naming_the_export_spreads_its_own_population_over_the_week(tmp_path):
    """docs/import-sfmc.md: a scenario may name the export "with its own population", and an event trigger is an
    `event` entry whose "population arrives over the first week" (ENTRY rate = profiles / 168 h). With
    `population: {file: contacts.csv}` (1,000 rows) the rate was the default 100,000 profiles' (595.238/h): every
    contact had arrived after 1.8 hours, and a pause on day 2 turned no one away. 1,000 / 168 h = 5.952/h.
    The same with `--set population.size=1680` over a scenario of 100,000 profiles: 1,680 / 168 h = 10/h."""
    import journeysim

    loaded = journeysim.load(_scenario_naming_the_export(tmp_path, "{file: contacts.csv}"))
    assert round(loaded.scenario.journeys[0].nodes["T"].arrivals.rate * 3600, 9) == 5.952
    loaded = journeysim.load(_scenario_naming_the_export(tmp_path, "{size: 100000}"), {"population.size": 1680})
    assert round(loaded.scenario.journeys[0].nodes["T"].arrivals.rate * 3600, 9) == 10.0


def test_a_scenario_naming_the_export_counts_a_wait_until_a_date_from_its_start_as_set(tmp_path):
    """docs/import-sfmc.md: a wait until a `specificDate` is counted from the scenario's `start` ("a scenario's own
    `start` is then used"); `--set start=...` changes that start, so the wait must follow it. Until 2026-11-27 09:00
    UTC from 2026-11-25 00:00 UTC is 2 days 9 hours (57 h); from the file's 2026-11-20 it is 177 h, which the
    import kept under --set (it read the start before the options were applied)."""
    import json

    import journeysim

    wait = {"key": "W-1", "type": "WAIT", "outcomes": [], "configurationArguments": {"specificDate": "2026-11-27T09:00:00Z"}}
    (tmp_path / "journey.json").write_text(json.dumps(journey([wait])))
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("name: s\nplatform: sfmc\nstart: 2026-11-20T00:00:00+00:00\nduration: 10d\npopulation: {size: 10}\n"
                        "journeys:\n  - {import: sfmc, file: journey.json}\n")
    assert journeysim.load(scenario).scenario.journeys[0].nodes["W-1"].until == 177 * 3600
    loaded = journeysim.load(scenario, {"start": "2026-11-25T00:00:00+00:00"})
    assert loaded.scenario.journeys[0].nodes["W-1"].until == 57 * 3600


# ---------------------------------------------------------------- what is not a file

def test_a_device_or_a_pipe_given_as_the_export_is_called_what_it_is(tmp_path):
    """The project's input rule (issue 10 item 6): a named pipe, a device or a folder is called what it is, never a
    blocked or endless read. The import read /dev/zero without end (its size is 0, so the 50 MB bound did not
    apply) and called /dev/null 'not valid JSON'; a FIFO blocked the import until something wrote to it."""
    result, out = CliRunner().invoke(main, ["import", "sfmc", "/dev/null", "-o", str(tmp_path / "s.yaml")]), tmp_path / "s.yaml"
    assert result.exit_code == 2
    assert "/dev/null: $: cannot read /dev/null: it is a device, not a file" in result.output and not out.exists()


# ---------------------------------------------------------------- engagement split paths

def _engagement(outcomes: list[dict]) -> dict:
    send = {"key": "E-1", "type": "EMAILV2", "outcomes": [{"key": "o", "next": "ENG-1"}]}
    split = {"key": "ENG-1", "type": "ENGAGEMENTDECISION", "outcomes": outcomes,
             "configurationArguments": {"statsTypeId": 2, "refActivityCustomerKey": "E-1"}}
    return journey([send, split, {"key": "NO-1", "type": "SMSSYNC", "outcomes": []}, {"key": "YES-1", "type": "MOBILEPUSH", "outcomes": []}])


def test_an_engagement_split_without_when_follows_its_yes_no_labels_and_says_what_it_assumed():
    """docs/import-sfmc.md: "`when: true` is `next`, `when: false` `on_timeout`"; D4: nothing is assumed without
    a word. Outcomes without `when`, labelled No then Yes, made the 'No' path the one taken by the 20% who opened,
    silently (the first outcome was taken as 'yes'). The labels now decide; with neither, the first-is-yes guess
    is a warning naming the JSON path."""
    labelled = _engagement([{"key": "n", "next": "NO-1", "metaData": {"label": "No"}},
                            {"key": "y", "next": "YES-1", "metaData": {"label": "Yes"}}])
    imported = import_journey(labelled, 100)
    assert (imported.journey["nodes"]["ENG-1"]["next"], imported.journey["nodes"]["ENG-1"]["on_timeout"]) == ("YES-1", "NO-1")
    assert imported.warnings == []
    bare = import_journey(_engagement([{"key": "a", "next": "YES-1"}, {"key": "b", "next": "NO-1"}]), 100)
    assert (bare.journey["nodes"]["ENG-1"]["next"], bare.journey["nodes"]["ENG-1"]["on_timeout"]) == ("YES-1", "NO-1")
    assert bare.warnings[0] == ("$.activities[1].outcomes[0].arguments.when: missing (and no Yes/No label); "
                                "the yes path (the first outcome is 'yes') is assumed")
