"""`journeysim import sfmc` on real export shapes (tests/fixtures/sfmc_exports, sources in its README.md).

Each test pins a defect an export of this shape showed: it failed before the fix and passes after.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import journeysim
from journeysim.cli import main
from journeysim.importers.sfmc import import_journey, read_definition

EXPORTS = Path(__file__).parent / "fixtures" / "sfmc_exports"


def export(name: str) -> dict:
    return read_definition(EXPORTS / name)


def run_import(tmp_path: Path, source: Path, *options: str):
    out = tmp_path / "scenario.yaml"
    result = CliRunner().invoke(main, ["import", "sfmc", str(source), "-o", str(out), *options])
    return result, out


# ---------------------------------------------------------------- waits by duration

def test_a_plain_wait_keeps_its_length_though_the_export_carries_a_time_of_day():
    # Journey Builder writes specifiedTime '00:00' and the account's zone into every wait by duration;
    # with isExtended false the 1-minute wait was imported as uniform 1m..1441m (12 hours on average)
    nodes = import_journey(export("custom-activity-engagement-split.json"), 100).journey["nodes"]
    for key in ("WAITBYDURATION-2", "WAITBYDURATION-3", "WAITBYDURATION-5"):
        assert nodes[key]["duration"] == {"fixed": "1m"}, key


@pytest.mark.parametrize("meta, expected", [
    ({"isExtended": True}, {"uniform": ["2d", "3d"]}),
    ({}, {"uniform": ["2d", "3d"]}),  # a body without the flag (the Journey Spec sample) keeps the clock
    ({"isExtended": False}, {"fixed": "2d"}),
    ({"isExtended": "false"}, {"fixed": "2d"}),
])
def test_only_an_extended_wait_waits_for_the_time_of_day(meta, expected):
    wait = {"key": "W-1", "type": "WAIT", "outcomes": [{"key": "o"}], "metaData": meta,
            "configurationArguments": {"waitDuration": 2, "waitUnit": "DAYS", "specifiedTime": "09:00", "timeZone": "UTC"}}
    body = {"key": "j", "name": "j", "triggers": [{"key": "T", "type": "APIEvent"}], "activities": [wait]}
    assert import_journey(body, 10).journey["nodes"]["W-1"]["duration"] == expected


# ---------------------------------------------------------------- entry criteria

def test_entry_criteria_under_the_triggers_arguments_filter_the_entry():
    # Salesforce's GET /interactions/{id} example keeps them in triggers[0].arguments.criteria: they were dropped
    # without a word, and every contact entered
    imported = import_journey(export("vendor-get-by-id.json"), 100)
    assert imported.journey["nodes"]["first-activity"]["audience"] == "Country == 'US'"
    assert imported.attributes["Country"] == {"choice": {"US": 0.5, "other": 0.5}}


def test_entry_criteria_that_cannot_be_read_are_a_stated_column_not_dropped():
    body = export("vendor-get-by-id.json")
    body["triggers"][0]["arguments"]["criteria"] = "Country is US"
    imported = import_journey(body, 100)
    assert imported.journey["nodes"]["first-activity"]["audience"] == "entry_filter"
    assert imported.attributes["entry_filter"] == {"bernoulli": 0.5}
    assert any(w.startswith("triggers[0] criteria:") and "generated yes/no column" in w for w in imported.warnings)


# ---------------------------------------------------------------- goals

def test_a_goal_without_isExitCriteria_only_measures_as_the_docs_say():
    # the GET /interactions/{id} example's goal has no metaData: it removed every contact meeting it (10% of them)
    imported = import_journey(export("vendor-get-by-id.json"), 100)
    assert imported.journey["exit_criteria"] == []
    assert "Registered" not in imported.attributes
    assert any("goals[0] 'My Goal': a goal without isExitCriteria only measures" in a for a in imported.assumptions)


@pytest.mark.parametrize("flag, exits", [(True, True), ("true", True), ("True", True), (False, False), ("false", False)])
def test_isExitCriteria_written_as_text_is_read(flag, exits):
    body = export("vendor-get-by-id.json")
    body["goals"][0]["metaData"] = {"isExitCriteria": flag}
    assert bool(import_journey(body, 100).journey["exit_criteria"]) is exits  # "false" was read as true


def test_an_isExitCriteria_that_is_not_true_or_false_is_a_warning_and_refused_with_strict(tmp_path):
    body = export("vendor-get-by-id.json")
    body["goals"][0]["metaData"] = {"isExitCriteria": "yes please"}
    imported = import_journey(body, 100)
    assert imported.journey["exit_criteria"] == []
    assert '$.goals[0].metaData.isExitCriteria: "yes please": not true or false; the goal is assumed to only measure' in imported.warnings
    source = tmp_path / "journey.json"
    source.write_text(json.dumps(body))
    result, out = run_import(tmp_path, source, "--strict")
    assert result.exit_code == 2 and "$.goals[0].metaData.isExitCriteria" in result.output and not out.exists()


# ---------------------------------------------------------------- triggers

def test_a_transactional_send_journeys_trigger_is_a_known_event_entry():
    # Journey Builder names it 'transactional-api'; it was 'not known' (a warning on every transactional journey)
    imported = import_journey(export("devtools-transactional-api.json"), 100)
    assert imported.warnings == []
    entry = imported.journey["nodes"]["TRIGGER"]
    assert entry["type"] == "event" and entry["reentry"] is True and entry["next"] == "EMAILV2-4"


# ---------------------------------------------------------------- activities with several outcomes

def test_a_custom_activity_with_several_outcomes_is_a_stated_even_split_over_all_of_them(tmp_path):
    # a custom split (REST, branchResult per outcome): every contact followed the first outcome, and the other four
    # branches were left unreached, with an assumption note but no warning
    imported = import_journey(export("custom-activity-rest-split.json"), 100)
    nodes = imported.journey["nodes"]
    assert nodes["REST-2"] == {"type": "custom_action", "channel": "rest", "next": "REST-2-branches"}
    assert nodes["REST-2-branches"] == {"type": "random_split", "branches": [
        {"weight": 0.2, "next": t} for t in ("WAITBYDURATION-1", "WAITBYDURATION-2", "REST-3", "WAITBYDURATION-4", "WAITBYDURATION-5")]}
    assert imported.warnings == [
        "activity REST-2: REST with 5 outcomes (a split its service decides: No Activity, Viewed Item, Abandoned Cart, Purchased Item, "
        "Invalid Code): which one a contact takes is not known; split evenly in generated node REST-2-branches"]
    assert [n.node_id for n in imported.nodes].index("REST-2-branches") == [n.node_id for n in imported.nodes].index("REST-2") + 1


def test_the_custom_split_runs_and_every_branch_is_taken(tmp_path):
    result, out = run_import(tmp_path, EXPORTS / "custom-activity-rest-split.json", "--population", "500", "-q")
    assert result.exit_code == 0, result.output
    summary = journeysim.run(journeysim.load(out)).summary["journeys"]["discount-redemption-journey"]
    assert summary["actions"]["REST-1"] == summary["actions"]["REST-2"] == 500  # an audience read once: everyone
    assert 60 <= summary["actions"]["REST-3"] <= 140  # a fifth of 500 (Abandoned Cart)
    assert summary["exited"]["end"] == 500


def test_a_one_way_activity_with_outcomes_to_different_places_says_which_it_follows():
    body = export("devtools-multistep-decision.json")
    wait = body["activities"][2]  # WAITBYDURATION-2, one outcome without next
    wait["outcomes"].append({"key": "second", "next": "EMAILV2-1"})
    imported = import_journey(body, 100)
    assert imported.journey["nodes"]["WAITBYDURATION-2"]["next"] == "end"
    assert "activity WAITBYDURATION-2: 2 outcomes on a WAIT activity, which has one way on: only the first (end) is followed, " \
           "not EMAILV2-1" in imported.warnings


# ---------------------------------------------------------------- large journeys

def test_a_journey_of_many_activities_samples_less_often_instead_of_being_refused(tmp_path):
    # 1,000 activities and an 80-day wait: an 89-day scenario at report_every 10m made 12,816 samples of 1,002
    # nodes, over the 10,000,000 counts a run records, and the import refused its own scenario as 'an importer bug'
    activities = [{"key": f"W-{i}", "type": "WAIT",
                   "configurationArguments": {"waitDuration": 80, "waitUnit": "DAYS"} if i == 0 else {"waitDuration": 1, "waitUnit": "MINUTES"},
                   "outcomes": [{"key": "o", "next": f"W-{i + 1}" if i < 999 else None}]} for i in range(1000)]
    source = tmp_path / "journey.json"
    source.write_text(json.dumps({"key": "long", "name": "long", "triggers": [{"key": "T", "type": "EmailAudience"}],
                                  "activities": activities}))
    result, out = run_import(tmp_path, source, "--population", "20", "-q")
    assert result.exit_code == 0, result.output
    loaded = journeysim.load(out)
    assert loaded.scenario.duration == 89 * 86400
    assert loaded.scenario.report_every == 13 * 60  # ceil(89 d * 1440 min * 1,002 nodes / 10,000,000) minutes
    assert journeysim.run(loaded).summary["journeys"]["long"]["exited"]["end"] == 20


def test_a_path_longer_than_91_days_is_not_cut_short_by_the_scenarios_default_timeout(tmp_path):
    # a 100-day wait then an email (a renewal journey): every contact left at day 91 by 'timeout' and none was sent
    # the email, though Journey Builder has no journey-wide time limit
    activities = [{"key": "WAIT-1", "type": "WAIT", "configurationArguments": {"waitDuration": 100, "waitUnit": "DAYS"},
                   "outcomes": [{"key": "o", "next": "EMAILV2-1"}]},
                  {"key": "EMAILV2-1", "type": "EMAILV2", "outcomes": [{"key": "o"}]}]
    source = tmp_path / "journey.json"
    source.write_text(json.dumps({"key": "renewal", "name": "Renewal", "triggers": [{"key": "T", "type": "EmailAudience"}],
                                  "activities": activities}))
    result, out = run_import(tmp_path, source, "--population", "20")
    assert result.exit_code == 0, result.output
    assert "global_timeout 101d: Journey Builder has no journey-wide time limit" in result.output
    loaded = journeysim.load(out)
    assert loaded.scenario.journeys[0].global_timeout == 101 * 86400
    journey = journeysim.run(loaded).summary["journeys"]["renewal"]
    assert journey["actions"] == {"EMAILV2-1": 20} and journey["exited"]["end"] == 20 and journey["exited"]["timeout"] == 0


def test_a_journey_within_91_days_keeps_the_default_timeout():
    imported = import_journey(export("devtools-multistep-decision.json"), 10)
    assert "global_timeout" not in imported.journey


# ---------------------------------------------------------------- decision splits

def test_a_decision_path_without_criteria_is_a_stated_column_and_the_remainder_stays_the_remainder():
    # a split not configured yet (a draft) or whose criteria were lost: its first path took every contact as
    # 'the remainder', the real remainder_path none, with only assumption notes
    body = export("devtools-multistep-decision.json")
    body["activities"][0]["configurationArguments"]["criteria"] = {}
    imported = import_journey(body, 100)
    node = imported.journey["nodes"]["MULTICRITERIADECISIONV2-1"]
    assert node["branches"] == [{"when": "MULTICRITERIADECISIONV2_1_default_path_1", "next": "EMAILV2-1"},
                                {"otherwise": "WAITBYDURATION-2"}]
    assert imported.attributes["MULTICRITERIADECISIONV2_1_default_path_1"] == {"bernoulli": 0.5}
    assert imported.warnings == ["activities[0] MULTICRITERIADECISIONV2-1 outcome 'default_path_1': no criteria for this path; "
                                 "modelled as a generated yes/no column"]


def test_a_decision_read_from_a_real_export_keeps_its_paths_in_order_with_the_remainder_last():
    imported = import_journey(export("devtools-push-is-operator.json"), 100)
    assert imported.journey["nodes"]["MULTICRITERIADECISIONV2-1"]["branches"] == [
        {"when": "consentPushTransactional == true and consentInAppTransactional == true", "next": "PUSHNOTIFICATIONACTIVITY-1"},
        {"otherwise": "end"}]
    assert imported.attributes == {"consentPushTransactional": {"bernoulli": 0.5}, "consentInAppTransactional": {"bernoulli": 0.5}}
    assert imported.warnings == []


# ---------------------------------------------------------------- engagement splits

def test_an_engagement_split_from_a_real_export_reacts_to_its_send():
    imported = import_journey(export("custom-activity-engagement-split.json"), 100)
    assert imported.journey["nodes"]["ENGAGEMENTSPLITV2-1"] == {
        "type": "reaction", "to": "EMAILV2-1", "chance": 0.2, "delay": {"exponential": {"mean": "6h"}}, "timeout": "0s",
        "next": "WAITBYDURATION-3", "on_timeout": "REST-1"}
    spec = import_journey(export("vendor-spec-wait-engagement.json"), 100).journey["nodes"]["ENGAGEMENTDECISION-1"]
    assert (spec["chance"], spec["next"], spec["on_timeout"]) == (0.03, "WAIT-3", "WAIT-4")  # statsTypeId 3: clicked


@pytest.mark.parametrize("value, shown", [(4, "4"), ("clicks", '"clicks"'), (2.5, "2.5"), (True, "true"), ("MISSING", None)])
def test_an_engagement_statsTypeId_that_is_not_known_is_a_warning_not_a_quiet_opened(tmp_path, value, shown):
    # 4, "clicks" or none became 'opened' with at most a note beside the node; 2.5 was read as 2 without a word
    body = export("custom-activity-engagement-split.json")
    config = body["activities"][2]["configurationArguments"]
    if value == "MISSING":
        del config["statsTypeId"]
    else:
        config["statsTypeId"] = value
    imported = import_journey(body, 100)
    assert imported.journey["nodes"]["ENGAGEMENTSPLITV2-1"]["chance"] == 0.2
    problem = f"{shown}: not 2 (opened), 3 (clicked) or 6 (bounced)" if shown else "missing"
    assert imported.warnings == [f"$.activities[2].configurationArguments.statsTypeId: {problem}; 'opened' (2) is assumed"]
    source = tmp_path / "journey.json"
    source.write_text(json.dumps(body))
    result, out = run_import(tmp_path, source, "--strict")
    assert result.exit_code == 2 and "$.activities[2].configurationArguments.statsTypeId" in result.output and not out.exists()


def test_a_wait_until_an_event_says_the_event_is_not_simulated():
    # every exported wait carries waitForEventKey; one that names an event ends when the event comes or at the
    # duration: it was imported as a plain wait of the whole duration without a word
    body = export("devtools-multistep-decision.json")
    body["activities"][3]["configurationArguments"]["waitForEventKey"] = "APIEvent-purchase"
    imported = import_journey(body, 100)
    assert imported.journey["nodes"]["WAITBYDURATION-1"]["duration"] == {"fixed": "1d"}
    assert imported.warnings == ["activity WAITBYDURATION-1: WAIT waits for event 'APIEvent-purchase' or at most 1 day: "
                                 "the event is not simulated; modelled as waiting the whole time"]
    plain = import_journey(export("custom-activity-engagement-split.json"), 100)  # waitForEventKey "" in every wait
    assert plain.warnings == []


# ---------------------------------------------------------------- Path Optimizer

def test_a_path_optimizer_imports_with_strict_its_end_marker_included(tmp_path):
    # ABNTEST was known but the ABNTESTSTOP every Path Optimizer ends with was 'not known': a warning on every such
    # journey, and --strict refused it
    activities = [
        {"key": "ABNTEST-1", "type": "ABNTEST", "metaData": {"capsule": {"startId": "ABNTEST-1", "endId": "ABNTESTSTOP-1"}},
         "outcomes": [{"key": "path1", "next": "EMAILV2-1", "arguments": {"percentage": 50, "branchResult": "branchResult-1"}},
                      {"key": "path2", "next": "EMAILV2-2", "arguments": {"percentage": 50, "branchResult": "branchResult-2"}}]},
        {"key": "EMAILV2-1", "type": "EMAILV2", "outcomes": [{"key": "o", "next": "ABNTESTSTOP-1"}]},
        {"key": "EMAILV2-2", "type": "EMAILV2", "outcomes": [{"key": "o", "next": "ABNTESTSTOP-1"}]},
        {"key": "ABNTESTSTOP-1", "type": "ABNTESTSTOP", "outcomes": [{"key": "o", "next": "WAIT-1"}]},
        {"key": "WAIT-1", "type": "WAIT", "configurationArguments": {"waitDuration": 2, "waitUnit": "HOURS"}, "outcomes": [{"key": "o"}]}]
    source = tmp_path / "journey.json"
    source.write_text(json.dumps({"key": "po", "name": "po", "triggers": [{"key": "T", "type": "APIEvent"}], "activities": activities}))
    result, out = run_import(tmp_path, source, "--strict", "--population", "200")
    assert result.exit_code == 0, result.output
    assert "0 warning(s)" in result.output
    nodes = journeysim.load(out).scenario.journeys[0].nodes
    assert nodes["ABNTESTSTOP-1"].type == "wait" and nodes["ABNTESTSTOP-1"].next == "WAIT-1"


# ---------------------------------------------------------------- a run gives the numbers one works out by hand

def test_an_imported_real_export_run_on_known_contacts_gives_the_hand_counted_numbers(tmp_path):
    # 50 contacts, 30 with an email address: the data extension is read once at 0s; the decision sends the 30 to
    # EMAILV2-1 then a 1-day wait, the 20 others to the remainder's 1-day wait; all 50 leave at the end by day 1
    pd.DataFrame({"Email": [f"c{i}@example.com" if i < 30 else "" for i in range(50)]}).to_parquet(tmp_path / "contacts.parquet")
    (tmp_path / "journey.json").write_text((EXPORTS / "devtools-multistep-decision.json").read_text())
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("name: by-hand\nplatform: sfmc\nduration: 3d\npopulation: {file: contacts.parquet}\n"
                        "journeys:\n  - {import: sfmc, file: journey.json}\n")
    summary = journeysim.run(journeysim.load(scenario)).summary
    journey = summary["journeys"]["testExisting_journey_Multistep"]
    assert journey["entered"] == 50 and journey["actions"] == {"EMAILV2-1": 30}
    assert journey["exited"]["end"] == 50 and journey["in_journey_at_end"] == 0
    assert summary["conservation"]["ok"]


# ---------------------------------------------------------------- the API envelope {"items": [...]}

def test_the_one_journey_of_a_list_answer_is_imported_with_its_paths_named_in_the_file():
    envelope = json.loads((EXPORTS / "vendor-list-extras-activities.json").read_text())
    imported = import_journey(envelope, 100)
    assert imported.key == "a-key-that-is-unique-for-MID" and imported.journey["nodes"]["WAIT-2"]["duration"] == {"fixed": "1d"}
    envelope["items"][0]["activities"][0]["configurationArguments"]["waitDuration"] = -3
    warnings = import_journey(envelope, 100).warnings
    # the path was $.activities[0]..., a place the file does not have
    assert "$.items[0].activities[0].configurationArguments.waitDuration: -3: not a number of 0 or more; a 1d wait is assumed" in warnings


@pytest.mark.parametrize("edit, message", [
    (lambda e: e["items"][0]["activities"][0].update(outcomes=[{"key": "o", "next": "WAIT-9"}]),
     "$.items[0].activities[0].outcomes[0].next: 'WAIT-9' is not the key of an activity of this journey"),
    (lambda e: e.update(items=[1]), "$.items[0]: a journey definition is a JSON object, got int"),
    (lambda e: e.update(items={"a": 1}), "$.items: must be the list of journeys of a GET /interaction/v1/interactions answer, got dict"),
])
def test_a_list_answer_that_cannot_be_imported_is_refused_naming_the_place_in_the_file(tmp_path, edit, message):
    # the one journey's problems were named from the journey ($.activities[0]..., $: ... got int), and items that
    # are not a list read as a journey without activities
    envelope = json.loads((EXPORTS / "vendor-list-extras-activities.json").read_text())
    edit(envelope)
    source = tmp_path / "journey.json"
    source.write_text(json.dumps(envelope))
    result, out = run_import(tmp_path, source)
    assert result.exit_code == 2 and f"journey.json: {message}" in result.output, result.output
    assert not out.exists() and "Traceback" not in result.output


# ---------------------------------------------------------------- journeys: [{import: sfmc, file: ...}]

def test_a_scenario_without_population_attributes_is_told_the_columns_to_add(tmp_path):
    # population: {size: 100} with no attributes skipped the check, and the refusal was an expression error at
    # journeys[0].nodes.MULTICRITERIADECISIONV2-1.branches[0].when, a place the scenario file does not have
    (tmp_path / "journey.json").write_text((EXPORTS / "devtools-push-is-operator.json").read_text())
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("name: s\nplatform: sfmc\nduration: 3d\npopulation: {size: 100}\njourneys:\n  - {import: sfmc, file: journey.json}\n")
    result = CliRunner().invoke(main, ["validate", str(scenario)])
    assert result.exit_code == 2
    assert (f"{scenario}:6:20: journeys[0].file: journey.json reads attributes the population does not have; add to "
            "population.attributes: {consentPushTransactional: {bernoulli: 0.5}, consentInAppTransactional: {bernoulli: 0.5}}") in result.output


def test_a_scenario_without_population_attributes_runs_a_journey_that_reads_none(tmp_path):
    (tmp_path / "journey.json").write_text((EXPORTS / "devtools-sms-no-trigger.json").read_text())
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text("name: s\nplatform: sfmc\nduration: 3d\npopulation: {size: 100}\njourneys:\n  - {import: sfmc, file: journey.json}\n")
    assert CliRunner().invoke(main, ["validate", str(scenario)]).exit_code == 0


# ---------------------------------------------------------------- every export: imported, validated and run, or refused

REFUSED = {
    "vendor-create-minimal.json": "$.activities: is empty: there is nothing to simulate",
    "vendor-list-extras-outcome.json": "$.items[0].activities: missing: a journey definition lists its 'activities'",
    "vendor-list-two-journeys.json": "$.items: the search answer holds 2 journeys",
}


@pytest.mark.parametrize("name", sorted(p.name for p in EXPORTS.glob("*.json")))
def test_every_export_is_imported_validated_and_run_or_refused_naming_the_place(tmp_path, name):
    result, out = run_import(tmp_path, EXPORTS / name, "--population", "60")
    assert "Traceback" not in result.output
    if name in REFUSED:
        assert result.exit_code == 2 and f"{name}: {REFUSED[name]}" in result.output and not out.exists()
        return
    assert result.exit_code == 0, result.output
    assert CliRunner().invoke(main, ["validate", str(out)]).exit_code == 0
    run = CliRunner().invoke(main, ["run", str(out), "--out", str(tmp_path / "run"), "--no-report", "-q"])
    assert run.exit_code == 0, run.output
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["conservation"]["ok"]


def test_a_wait_by_attribute_says_a_pause_would_extend_it():
    # the scenario format has no wait until a per-contact date: the uniform 1h..14d stand-in is a duration, which an
    # SFMC pause with ExtendWaitEndDates pushes back; the import said nothing of it
    body = export("devtools-multistep-decision.json")
    body["activities"][3]["configurationArguments"] = {"waitEndDateAttributeExpression": "{{Contact.Attribute.Sub.RenewalDate}}"}
    node = next(n for n in import_journey(body, 10).nodes if n.node_id == "WAITBYDURATION-1")
    assert node.spec["duration"] == {"uniform": ["1h", "14d"]}
    assert any("a pause with ExtendWaitEndDates pushes it back, which Journey Builder does not do" in note for note in node.notes)
