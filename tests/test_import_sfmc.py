"""`journeysim import sfmc`: Journey Builder definitions become scenarios (D3, D4, D5).

Every D3 type is imported from its real configuration shape (as in Salesforce's Journey Spec
pages); the FilterDefinition XML translation is checked operator by operator and by a property
test against a direct evaluation of the condition tree.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import journeysim
from journeysim.cli import main
from journeysim.expr import compile_expression
from journeysim.importers import filter_xml as fx
from journeysim.importers.render import scenario_data, scenario_yaml
from journeysim.importers.sfmc import SfmcImportError, import_journey

FIXTURES = Path(__file__).parent / "fixtures" / "sfmc"
ALL_TYPES = FIXTURES / "welcome-all-types.json"


# ---------------------------------------------------------------- building small definitions

def condition(key: str, operator: str, *values: str) -> str:
    body = "".join(f"<Value><![CDATA[{v}]]></Value>" for v in values) or "<Value><![CDATA[]]></Value>"
    return f'<Condition Key="{key}" Operator="{operator}" IsEphemeralAttribute="true" UiMetaData="{{}}">{body}</Condition>'


def condition_set(operator: str, *children: str) -> str:
    return f'<ConditionSet Operator="{operator}" ConditionSetName="Individual Filter Grouping">{"".join(children)}</ConditionSet>'


def filter_definition(*children: str) -> str:
    return "<FilterDefinition>" + "".join(children) + "</FilterDefinition>"


def activity(key: str, kind: str, *nexts: str | None, config: dict | None = None, outcomes: list | None = None) -> dict:
    return {"key": key, "name": f"{kind} step", "type": kind, "configurationArguments": config or {},
            "outcomes": outcomes if outcomes is not None else [{"key": f"{key}-o{i}", "next": n} for i, n in enumerate(nexts)],
            "metaData": {"isConfigured": True}}


def definition(*activities: dict, trigger: str = "APIEvent", **extra) -> dict:
    body = {"key": "test-journey", "name": "Test journey", "version": 2, "workflowApiVersion": 1.0,
            "modifiedDate": "2026-11-20T10:30:00", "triggers": [{"key": "TRIGGER", "type": trigger, "outcomes": []}],
            "goals": [], "exits": [], "activities": list(activities)}
    body.update(extra)
    return body


def nodes_of(body: dict, population: int = 1000):
    return import_journey(body, population).journey["nodes"]


def single(kind: str, config: dict, **extra) -> dict:
    """The node a one-activity journey makes of an activity of ``kind``."""
    return nodes_of(definition(activity("A-1", kind, None, config=config), **extra))["A-1"]


# ---------------------------------------------------------------- D3: triggers and entry modes

@pytest.mark.parametrize("trigger", ["APIEvent", "ContactEvent", "SalesforceObjectTriggerV2", "TransactionalAPIEvent"])
def test_D3_event_triggers_become_event_entries(trigger):
    imported = import_journey(definition(activity("EMAIL-1", "EMAILV2", None), trigger=trigger), 16800)
    entry = imported.journey["nodes"][imported.journey["start"]]
    # 16,800 profiles over the 168 hours of the first week: 100 an hour
    assert entry == {"type": "event", "arrivals": {"rate": "100.000/h"}, "reentry": False, "next": "EMAIL-1"}


def test_D3_audience_triggers_become_read_audiences():
    once = import_journey(definition(activity("EMAIL-1", "EMAILV2", None), trigger="EmailAudience"), 10)
    assert once.journey["nodes"]["TRIGGER"] == {"type": "read_audience", "audience": "all", "schedule": {"at": "0s"}, "next": "EMAIL-1"}
    daily = import_journey(definition(activity("EMAIL-1", "EMAILV2", None), trigger="AutomationAudience"), 10)
    assert daily.journey["nodes"]["TRIGGER"]["schedule"] == {"every": "1d", "start": "0s", "count": 7}
    assert daily.journey["nodes"]["TRIGGER"]["incremental"] is True


@pytest.mark.parametrize("mode, reentry", [("MultipleEntries", True), ("OnceAndDone", False), ("SingleEntryAcrossAllVersions", False)])
def test_D3_entry_mode_sets_reentry(mode, reentry):
    imported = import_journey(definition(activity("EMAIL-1", "EMAILV2", None), entryMode=mode), 10)
    assert imported.journey["nodes"]["TRIGGER"]["reentry"] is reentry
    assert any(f"entryMode {mode}" in a for a in imported.assumptions)


def test_D3_entry_filter_criteria_become_the_audience():
    body = definition(activity("EMAIL-1", "EMAILV2", None))
    body["triggers"][0]["configurationArguments"] = {"criteria": filter_definition(condition_set(
        "AND", condition("Event.APIEvent-1.Country", "Equal", "FR")))}
    assert nodes_of(body)["TRIGGER"]["audience"] == "Country == 'FR'"


# ---------------------------------------------------------------- D3: waits

@pytest.mark.parametrize("amount, unit, expected", [
    (30, "MINUTES", "30m"), ("3", "hours", "3h"), (2, "DAYS", "2d"), (1, "WEEKS", "1w"), (2, "MONTHS", "60d")])
def test_D3_wait_duration_and_unit(amount, unit, expected):
    node = single("WAIT", {"waitDuration": amount, "waitUnit": unit})
    assert node["duration"] == {"fixed": expected}


def test_D3_wait_then_until_a_time_of_day_in_a_time_zone():
    node = single("WAIT", {"waitDuration": 1, "waitUnit": "DAYS", "specifiedTime": "09:00", "timeZone": "Central European Standard Time"})
    # one day, then at most a day more until 09:00 comes round
    assert node["duration"] == {"uniform": ["1d", "2d"]}


def test_D3_wait_until_a_specific_date_counts_from_the_day_the_journey_was_saved():
    node = single("WAIT", {"specificDate": "2026-11-27T09:00:00", "timeZone": "Eastern Standard Time"})
    # scenario start 2026-11-20 00:00 (modifiedDate's day); 7 days and 9 hours later
    assert node["until"] == "177h"


def test_D3_wait_until_a_date_attribute_is_a_per_profile_spread():
    node = single("WAIT", {"waitEndDateAttributeExpression": "{{Contact.Attribute.Subscription.RenewalDate}}"})
    assert node["duration"] == {"uniform": ["1h", "14d"]}


def test_D3_stowait_draws_the_send_moment_within_its_window():
    node = single("STOWAIT", {"params": {"slidingWindowHours": 12}})
    assert node["duration"] == {"uniform": ["0s", "12h"]}


# ---------------------------------------------------------------- D3: decisions and splits

def test_D3_multi_criteria_decision_keeps_outcome_order_with_the_remainder_last():
    criteria = {"path_fr": filter_definition(condition_set("AND", condition("Event.DEAudience-1.Country", "Equal", "FR"))),
                "path_old": filter_definition(condition_set("OR", condition("Event.DEAudience-1.Age", "GreaterThanOrEqual", "65"),
                                                            condition("Contact.Attribute.Loyalty.Tier", "NotEqual", "gold")))}
    outcomes = [{"key": "remainder_path", "next": "SMS-1"}, {"key": "path_old", "next": "PUSH-1"}, {"key": "path_fr", "next": "EMAIL-1"}]
    body = definition(activity("SPLIT-1", "MULTICRITERIADECISION", config={"criteria": criteria, "schemaVersionId": 47}, outcomes=outcomes),
                      activity("EMAIL-1", "EMAILV2", None), activity("PUSH-1", "MOBILEPUSH", None), activity("SMS-1", "SMSSYNC", None))
    assert nodes_of(body)["SPLIT-1"] == {"type": "condition", "branches": [
        {"when": "Age >= 65 or Tier != 'gold'", "next": "PUSH-1"},
        {"when": "Country == 'FR'", "next": "EMAIL-1"},
        {"otherwise": "SMS-1"}]}


def test_D3_random_split_percentages_are_weights():
    outcomes = [{"next": "EMAIL-1", "arguments": {"percentage": 90}}, {"next": None, "arguments": {"percentage": 10}}]
    body = definition(activity("Random-Split-1", "randomSplit", outcomes=outcomes), activity("EMAIL-1", "EMAILV2", None))
    assert nodes_of(body)["Random-Split-1"] == {"type": "random_split", "branches": [{"weight": 0.9, "next": "EMAIL-1"},
                                                                                       {"weight": 0.1, "next": "end"}]}


def test_D3_abn_test_percentages_are_weights():
    outcomes = [{"key": "a", "next": "EMAIL-1", "arguments": {"percentage": 25}},
                {"key": "b", "next": "EMAIL-2", "arguments": {"percentage": 75}}]
    body = definition(activity("ABN-1", "ABNTEST", outcomes=outcomes), activity("EMAIL-1", "EMAILV2", None), activity("EMAIL-2", "EMAILV2", None))
    assert [b["weight"] for b in nodes_of(body)["ABN-1"]["branches"]] == [0.25, 0.75]


@pytest.mark.parametrize("kind, stats, chance", [("ENGAGEMENTDECISION", 2, 0.2), ("ENGAGEMENTSPLIT", 3, 0.03), ("EngagementDecision", 6, 0.02)])
def test_D3_engagement_split_is_a_reaction_to_the_referenced_send(kind, stats, chance):
    outcomes = [{"next": "SMS-1", "arguments": {"when": False}}, {"next": "PUSH-1", "arguments": {"when": True}}]
    config = {"refActivityCustomerKey": "EMAIL-1", "statsTypeId": stats, "statusUrlId": "0"}
    body = definition(activity("EMAIL-1", "EMAILV2", "WAIT-1"), activity("WAIT-1", "WAIT", "ENG-1", config={"waitDuration": 2, "waitUnit": "DAYS"}),
                      activity("ENG-1", kind, config=config, outcomes=outcomes),
                      activity("SMS-1", "SMSSYNC", None), activity("PUSH-1", "MOBILEPUSH", None))
    imported = import_journey(body, 10)
    node = imported.journey["nodes"]["ENG-1"]
    assert {k: node[k] for k in ("type", "to", "chance", "timeout", "next", "on_timeout")} == {
        "type": "reaction", "to": "EMAIL-1", "chance": chance, "timeout": "0s", "next": "PUSH-1", "on_timeout": "SMS-1"}
    assert any(f"{chance:.0%}" in a and "ENG-1" in a for a in imported.assumptions)  # D4: the chance is stated


def test_D3_engagement_split_without_its_send_is_a_stated_random_split():
    config = {"refActivityCustomerKey": "EMAIL-ELSEWHERE", "statsTypeId": 2}
    outcomes = [{"next": None, "arguments": {"when": True}}, {"next": None, "arguments": {"when": False}}]
    imported = import_journey(definition(activity("ENG-1", "ENGAGEMENTDECISION", config=config, outcomes=outcomes)), 10)
    assert imported.journey["nodes"]["ENG-1"]["branches"] == [{"weight": 0.2, "next": "end"}, {"weight": 0.8, "next": "end"}]
    assert any("EMAIL-ELSEWHERE" in a for a in imported.assumptions)


# ---------------------------------------------------------------- D3: sends, custom activities, updates

@pytest.mark.parametrize("kind, channel", [("EMAILV2", "email"), ("SMSSYNC", "sms"), ("MOBILEPUSH", "push"),
                                           ("INAPPMESSAGE", "in_app"), ("WHATSAPPACTIVITY", "whatsapp")])
def test_D3_channel_activities_are_actions(kind, channel):
    config = {"applicationExtensionKey": "jb-email-activity", "triggeredSend": {"emailId": 531213, "emailSubject": "Hi"}}
    assert single(kind, config) == {"type": "action", "channel": channel, "next": "end"}


@pytest.mark.parametrize("kind, channel", [("SALESCLOUDACTIVITY", "salesforce"), ("REST", "rest")])
def test_D3_custom_activities_are_custom_actions(kind, channel):
    assert single(kind, {"url": "https://example.invalid/execute"}) == {"type": "custom_action", "channel": channel, "next": "end"}


@pytest.mark.parametrize("kind", ["UPDATECONTACTDATA", "DATAEXTENSIONUPDATE"])
def test_D3_updates_are_update_profile_nodes(kind):
    imported = import_journey(definition(activity("UPD-1", kind, None, config={"dataExtensionId": "de-1"})), 10)
    assert imported.journey["nodes"]["UPD-1"] == {"type": "update_profile", "set": {"updated_by_UPD_1": True}, "next": "end"}
    assert imported.attributes["updated_by_UPD_1"] == {"constant": False}


def test_D3_goals_marked_exit_criteria_and_exits_become_exit_criteria():
    bought = filter_definition(condition_set("AND", condition("Contact.Attribute.Orders.Count", "GreaterThan", "0")))
    goal = {"key": "g", "name": "Bought", "type": "ContactDecision", "metaData": {"isExitCriteria": True},
            "configurationArguments": {"criteria": bought}}
    measure_only = copy.deepcopy(goal) | {"metaData": {"isExitCriteria": False}}
    exit_ = {"key": "x", "name": "Opted out", "configurationArguments": {"criteria": filter_definition(
        condition_set("AND", condition("Contact.Attribute.Prefs.OptOut", "Equal", "true")))}}
    imported = import_journey(definition(activity("EMAIL-1", "EMAILV2", None), goals=[goal, measure_only], exits=[exit_]), 10)
    assert imported.journey["exit_criteria"] == [{"when": "Count > 0"}, {"when": "OptOut == true"}]
    # only exit criteria read these columns: about 10% of profiles meet them
    assert imported.attributes["OptOut"] == {"bernoulli": 0.1}
    assert imported.attributes["Count"] == {"choice": {-1: 0.45, 0: 0.45, 1: 0.1}}


# ---------------------------------------------------------------- D4: nothing dropped silently

def test_D4_every_activity_keeps_its_key_and_outcomes_without_next_end_the_journey():
    body = json.loads(ALL_TYPES.read_text())
    imported = import_journey(body, 1000)
    nodes = imported.journey["nodes"]
    assert {a["key"] for a in body["activities"]} <= set(nodes)
    assert set(nodes) - {a["key"] for a in body["activities"]} == {"TRIGGER", "end"}
    assert nodes["EMAILV2-4"]["next"] == "end" and nodes["end"] == {"type": "end"}
    assert imported.warnings == []


def test_D4_unknown_activity_types_pass_through_with_a_warning():
    body = definition(activity("EMAIL-1", "EMAILV2", "NEW-1"), activity("NEW-1", "FANCYNEWTHING", "SMS-1"), activity("SMS-1", "SMSSYNC", None))
    imported = import_journey(body, 10)
    assert imported.journey["nodes"]["NEW-1"] == {"type": "wait", "duration": "0s", "next": "SMS-1"}
    assert imported.unknown_types == ["FANCYNEWTHING"]
    assert any("FANCYNEWTHING" in w and "NEW-1" in w for w in imported.warnings)


def test_D4_unknown_split_passes_through_evenly_over_its_outcomes():
    body = definition(activity("X-1", "RESTDECISION", "A-1", "B-1", "C-1"),
                      *[activity(k, "EMAILV2", None) for k in ("A-1", "B-1", "C-1")])
    weights = [b["weight"] for b in nodes_of(body)["X-1"]["branches"]]
    assert weights == [0.333333, 0.333333, 0.333334]


def test_D4_an_untranslatable_criterion_is_a_stated_generated_column():
    criteria = {"p1": filter_definition(condition_set("AND", condition("Event.E.Score", "IsAnniversaryOf", "5")))}
    outcomes = [{"key": "p1", "next": None}, {"key": "remainder_path", "next": None}]
    imported = import_journey(definition(activity("D-1", "MULTICRITERIADECISION", config={"criteria": criteria}, outcomes=outcomes)), 10)
    assert imported.journey["nodes"]["D-1"]["branches"][0] == {"when": "D_1_p1", "next": "end"}
    assert imported.attributes["D_1_p1"] == {"bernoulli": 0.5}
    assert any("IsAnniversaryOf" in w for w in imported.warnings)


# ---------------------------------------------------------------- D5: generated population

def test_D5_every_attribute_a_decision_reads_is_a_column_over_the_compared_values():
    imported = import_journey(json.loads(ALL_TYPES.read_text()), 1000)
    attributes = imported.attributes
    assert attributes["Country"] == {"choice": {"FR": 0.5, "other": 0.5}}
    assert attributes["Age"] == {"choice": {29: 0.333333, 30: 0.333333, 31: 0.333334}}  # 30 and either side of it
    assert attributes["Phone"] == {"choice": {"other": 0.5, "": 0.5}}  # IsNotNull: '' is "no value"
    assert set(attributes["Email"]["choice"]) == {"gmail", ".de", "other"}
    assert "Event.DEAudience-7c1e-welcome.Country" in imported.attribute_notes["Country"]
    assert "DECISION-1" in imported.attribute_notes["Country"]


# ---------------------------------------------------------------- XML operators, one by one

PROFILES = {"Country": np.array(["FR", "US", "", "FRA"]), "Age": np.array([20, 30, 40, 50]),
            "Vip": np.array([True, False, True, False])}


@pytest.mark.parametrize("operator, key, values, expected", [
    ("Equal", "Country", ["FR"], [1, 0, 0, 0]),
    ("NotEqual", "Country", ["FR"], [0, 1, 1, 1]),
    ("GreaterThan", "Age", ["30"], [0, 0, 1, 1]),
    ("GreaterThanOrEqual", "Age", ["30"], [0, 1, 1, 1]),
    ("LessThan", "Age", ["30"], [1, 0, 0, 0]),
    ("LessThanOrEqual", "Age", ["30"], [1, 1, 0, 0]),
    ("Between", "Age", ["25", "40"], [0, 1, 1, 0]),
    ("IsNull", "Country", [], [0, 0, 1, 0]),
    ("IsNotNull", "Country", [], [1, 1, 0, 1]),
    ("IsEmpty", "Country", [], [0, 0, 1, 0]),
    ("IsNotEmpty", "Country", [], [1, 1, 0, 1]),
    ("Contains", "Country", ["R"], [1, 0, 0, 1]),
    ("DoesNotContain", "Country", ["R"], [0, 1, 1, 0]),
    ("BeginsWith", "Country", ["FR"], [1, 0, 0, 1]),
    ("EndsWith", "Country", ["A"], [0, 0, 0, 1]),
    ("In", "Country", ["FR", "US"], [1, 1, 0, 0]),
    ("Equal", "Vip", ["true"], [1, 0, 1, 0]),
])
def test_D3_filter_xml_operator(operator, key, values, expected):
    xml = filter_definition(condition_set("AND", condition(f"Event.DEAudience-1.{key}", operator, *values)))
    translator = fx.Translator()
    tree = fx.parse_filter(xml)
    translator.collect(tree, "test")
    translator.settle()
    expression = compile_expression(translator.expression(tree), list(PROFILES))
    assert expression.mask(PROFILES.__getitem__, 4).astype(int).tolist() == expected


def test_D3_null_tests_on_numbers_use_a_companion_column():
    xml = filter_definition(condition_set("OR", condition("E.Age", "IsNull"), condition("E.Age", "GreaterThan", "30")))
    translator = fx.Translator()
    tree = fx.parse_filter(xml)
    translator.collect(tree, "test")
    translator.settle()
    assert translator.expression(tree) == "Age_is_null or (not Age_is_null and Age > 30)"


def test_filter_xml_refuses_entities_and_dtds():
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            '<FilterDefinition><ConditionSet Operator="AND"><Condition Key="a.b" Operator="Equal"><Value>&lol2;</Value>'
            '</Condition></ConditionSet></FilterDefinition>')
    with pytest.raises(fx.FilterError, match="refused"):
        fx.parse_filter(bomb)
    external = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><FilterDefinition>&e;</FilterDefinition>'
    with pytest.raises(fx.FilterError, match="refused"):
        fx.parse_filter(external)


# ---------------------------------------------------------------- property: XML -> expression agrees with the tree

TEXT_VALUES = ["FR", "US", "DE", "gold", "F", "ol", ""]
KEYS = {"text": "Event.DEAudience-1.Country", "number": "Contact.Attribute.Demo.Age", "bool": "Event.DEAudience-1.Vip"}
NAMES = {"text": "Country", "number": "Age", "bool": "Vip"}
OPERATORS = {
    "text": ["Equal", "NotEqual", "IsNull", "IsNotNull", "IsEmpty", "Contains", "DoesNotContain", "BeginsWith", "EndsWith", "In"],
    "number": ["Equal", "NotEqual", "GreaterThan", "GreaterThanOrEqual", "LessThan", "LessThanOrEqual", "Between", "IsNull", "IsNotNull"],
    "bool": ["Equal", "NotEqual"],
}


@st.composite
def leaf(draw):
    kind = draw(st.sampled_from(sorted(OPERATORS)))
    operator = draw(st.sampled_from(OPERATORS[kind]))
    if operator in ("IsNull", "IsNotNull", "IsEmpty"):
        values = []
    elif kind == "text":
        values = draw(st.lists(st.sampled_from(TEXT_VALUES[:-1]), min_size=2 if operator == "In" else 1, max_size=3 if operator == "In" else 1))
    elif kind == "number":
        values = [str(v) for v in sorted(draw(st.lists(st.integers(0, 100), min_size=2 if operator == "Between" else 1,
                                                       max_size=2 if operator == "Between" else 1)))]
    else:
        values = [draw(st.sampled_from(["true", "false"]))]
    return ("leaf", kind, operator, tuple(values))


trees = st.recursive(leaf(), lambda children: st.tuples(st.just("set"), st.sampled_from(["AND", "OR"]),
                                                           st.lists(children, min_size=1, max_size=3)), max_leaves=8)


def to_xml(tree) -> str:
    if tree[0] == "leaf":
        _, kind, operator, values = tree
        return condition(KEYS[kind], operator, *values)
    return condition_set(tree[1], *(to_xml(child) for child in tree[2]))


def direct(tree, profile: dict) -> bool:
    """The documented semantics, straight from the generated tree (no parsing, no expression)."""
    if tree[0] == "set":
        results = [direct(child, profile) for child in tree[2]]
        return all(results) if tree[1] == "AND" else any(results)
    _, kind, operator, values = tree
    value = profile[NAMES[kind]]
    missing = value == "" if kind == "text" else profile.get(NAMES[kind] + "_is_null", False)
    if operator in ("IsNull", "IsEmpty"):
        return missing
    if operator == "IsNotNull":
        return not missing
    if missing and kind != "text":
        return False
    typed = [v == "true" for v in values] if kind == "bool" else [int(v) for v in values] if kind == "number" else list(values)
    return {"Equal": lambda: value == typed[0], "NotEqual": lambda: value != typed[0],
            "GreaterThan": lambda: value > typed[0], "GreaterThanOrEqual": lambda: value >= typed[0],
            "LessThan": lambda: value < typed[0], "LessThanOrEqual": lambda: value <= typed[0],
            "Between": lambda: typed[0] <= value <= typed[1], "In": lambda: value in typed,
            "Contains": lambda: typed[0] in value, "DoesNotContain": lambda: typed[0] not in value,
            "BeginsWith": lambda: value.startswith(typed[0]), "EndsWith": lambda: value.endswith(typed[0])}[operator]()


@settings(max_examples=300, deadline=None)
@given(tree=trees, data=st.data())
def test_D3_property_xml_expression_agrees_with_direct_evaluation(tree, data):
    xml = filter_definition(to_xml(tree) if tree[0] == "set" else condition_set("AND", to_xml(tree)))
    translator = fx.Translator()
    parsed = fx.parse_filter(xml)
    translator.collect(parsed, "property")
    translator.settle()
    # an attribute that only null tests read has no values to say its kind: the importer makes it text
    # (tested above); here every attribute keeps the kind the tree gives it
    assume(all(translator.by_key[KEYS[kind]].kind == kind for kind in ("number", "bool") if KEYS[kind] in translator.by_key))
    size = 40
    columns = {"Country": np.array(data.draw(st.lists(st.sampled_from(TEXT_VALUES + ["FRA", "xgoldx"]), min_size=size, max_size=size))),
               "Age": np.array(data.draw(st.lists(st.integers(-5, 105), min_size=size, max_size=size))),
               "Age_is_null": np.array(data.draw(st.lists(st.booleans(), min_size=size, max_size=size))),
               "Vip": np.array(data.draw(st.lists(st.booleans(), min_size=size, max_size=size)))}
    text = translator.expression(parsed)
    got = compile_expression(text, list(columns)).mask(columns.__getitem__, size)
    number = translator.by_key.get(KEYS["number"])
    for row in range(size):
        profile = {name: values[row].item() for name, values in columns.items()}
        if number is None or not number.has_null_column:
            profile["Age_is_null"] = False
        assert bool(got[row]) == direct(tree, profile), (text, profile)
        assert fx.evaluate(parsed, profile, translator.by_key) == direct(tree, profile)


# ---------------------------------------------------------------- refusals (exit 2, nothing written, JSON path named)

@pytest.mark.parametrize("body, path", [
    ({"key": "x", "name": "no activities", "triggers": []}, "$.activities"),
    (definition(activity("A-1", "EMAILV2", "NOPE")), "$.activities[0].outcomes[0].next"),
    (definition(activity("A-1", "EMAILV2", "B-1"), activity("B-1", "WAIT", "A-1", config={"waitDuration": 1, "waitUnit": "DAYS"})),
     "$.activities[1].outcomes[0].next"),
    ([1, 2, 3], "$"),
    (definition(activity("A-1", "EMAILV2", None), activity("A-1", "SMSSYNC", None)), "$.activities[1].key"),
])
def test_D3_definitions_that_are_not_journeys_are_refused(tmp_path, body, path):
    source = tmp_path / "journey.json"
    source.write_text(json.dumps(body))
    out = tmp_path / "scenario.yaml"
    result = CliRunner().invoke(main, ["import", "sfmc", str(source), "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert f"{path}:" in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)  # sys.exit(2), not a crash
    assert not out.exists() and list(tmp_path.iterdir()) == [source]


def test_D3_a_cycle_is_named():
    body = definition(activity("A-1", "EMAILV2", "B-1"), activity("B-1", "SMSSYNC", "A-1"))
    with pytest.raises(SfmcImportError, match="cycle: A-1 -> B-1 -> A-1"):
        import_journey(body)


def test_D3_not_json_is_refused_with_its_line(tmp_path):
    source = tmp_path / "journey.json"
    source.write_text('{"key": "x",\n "activities": [,]}')
    result = CliRunner().invoke(main, ["import", "sfmc", str(source), "-o", str(tmp_path / "s.yaml")])
    assert result.exit_code == 2 and "line 2" in result.output


def test_D4_strict_refuses_unknown_types_and_keeps_an_existing_file(tmp_path):
    source = tmp_path / "journey.json"
    source.write_text(json.dumps(definition(activity("A-1", "FANCYNEWTHING", None))))
    out = tmp_path / "scenario.yaml"
    out.write_text("# the user's own file\n")
    result = CliRunner().invoke(main, ["import", "sfmc", str(source), "-o", str(out), "--strict"])
    assert result.exit_code == 2 and "$.activities[0].type: activity type 'FANCYNEWTHING' is not known" in result.output
    assert out.read_text() == "# the user's own file\n"
    lenient = CliRunner().invoke(main, ["import", "sfmc", str(source), "-o", str(out)])
    assert lenient.exit_code == 0 and "warning: activity A-1: unknown type 'FANCYNEWTHING'" in lenient.output


# ---------------------------------------------------------------- end to end

def test_D3_D4_D5_import_validate_run_end_to_end(tmp_path):
    out = tmp_path / "welcome.yaml"
    runner = CliRunner()
    result = runner.invoke(main, ["import", "sfmc", str(ALL_TYPES), "-o", str(out), "--population", "3000"])
    assert result.exit_code == 0, result.output
    assert "activity DECISION-1 (MULTICRITERIADECISION 'Country and tier') -> node DECISION-1 (condition)" in result.output
    assert "Country: text, from Event.DEAudience-7c1e-welcome.Country" in result.output
    text = out.read_text()
    assert "# activity EMAILV2-1 (EMAILV2 'Welcome email')" in text
    assert "# assumed: a month is taken as 30 days" in text
    data = yaml.safe_load(text)
    assert data["population"]["size"] == 3000 and data["platform"] == "sfmc"
    assert runner.invoke(main, ["validate", str(out)]).exit_code == 0
    run = runner.invoke(main, ["run", str(out), "--out", str(tmp_path / "run"), "--no-report", "-q"])
    assert run.exit_code == 0, run.output
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    journey = summary["journeys"]["welcome-all-types"]
    assert summary["conservation"]["ok"] and journey["arrived"] == 3000
    assert journey["actions"]["EMAILV2-1"] > 0 and journey["exited"]["exit_criteria"] > 0


@pytest.mark.parametrize("source", [ALL_TYPES, Path(__file__).parent.parent / "benchmarks" / "sfmc-large-journey.json"],
                         ids=lambda p: p.name)
def test_D3_the_commented_yaml_reads_back_as_the_imported_data(source):
    imported = import_journey(json.loads(source.read_text()), 1234)
    data = scenario_data(imported, 1234, 30)
    assert yaml.safe_load(scenario_yaml(imported, data, source.name)) == data


def test_D3_an_imported_scenario_is_the_same_scenario_with_the_same_seed(tmp_path):
    paths = []
    for name in ("a.yaml", "b.yaml"):
        CliRunner().invoke(main, ["import", "sfmc", str(ALL_TYPES), "-o", str(tmp_path / name), "--population", "500", "-q"])
        paths.append(tmp_path / name)
    assert paths[0].read_text() == paths[1].read_text()
    first, second = (journeysim.run(journeysim.load(p)).summary for p in paths)
    assert first["journeys"] == second["journeys"]


# ---------------------------------------------------------------- journeys: [{import: sfmc, file: ...}] in a scenario

SCENARIO_HEAD = """name: imported
duration: 3d
platform: sfmc
population:
  size: 200
  attributes:
{attributes}
journeys:
  - {{import: sfmc, file: {file}}}
"""


def write_scenario(folder: Path, file: str, attributes: str = "    x: {constant: 1}") -> Path:
    path = folder / "scenario.yaml"
    path.write_text(SCENARIO_HEAD.format(attributes=attributes, file=file))
    return path


def test_D3_a_scenario_imports_the_exported_journey_directly(tmp_path):
    (tmp_path / "exports").mkdir()
    body = definition(activity("EMAIL-1", "EMAILV2", "WAIT-1"), activity("WAIT-1", "WAIT", None, config={"waitDuration": 1, "waitUnit": "DAYS"}),
                      trigger="EmailAudience")
    (tmp_path / "exports" / "journey.json").write_text(json.dumps(body))
    loaded = journeysim.load(write_scenario(tmp_path, "exports/journey.json"))  # relative to the scenario file
    journey = loaded.scenario.journeys[0]
    assert journey.key == "test-journey" and journey.version == 2 and set(journey.nodes) == {"TRIGGER", "EMAIL-1", "WAIT-1", "end"}
    summary = journeysim.run(loaded).summary
    assert summary["journeys"]["test-journey"]["actions"] == {"EMAIL-1": 200}  # the audience is read once: all 200


@pytest.mark.parametrize("item, key, message", [
    ("{import: sfmc, file: nowhere.json}", "journeys[0].file", "nowhere.json: $: cannot read"),
    ("{import: braze, file: j.json}", "journeys[0].import", "unknown importer 'braze'"),
    ("{import: sfmc}", "journeys[0].file", "missing 'file'"),
    ("{import: sfmc, file: j.json, start: x}", "journeys[0].start", "only 'import' and 'file'"),
    ("{import: sfmc, file: cycle.json}", "journeys[0].file", "cycle.json: $.activities[1].outcomes[0].next: the activities form a cycle"),
    ("{import: sfmc, file: split.json}", "journeys[0].file", "add to population.attributes: {Country: {choice: {FR: 0.5, other: 0.5}}}"),
])
def test_D3_problems_with_an_imported_journey_name_the_scenario_file_and_key(tmp_path, item, key, message):
    (tmp_path / "j.json").write_text(json.dumps(definition(activity("EMAIL-1", "EMAILV2", None))))
    (tmp_path / "cycle.json").write_text(json.dumps(definition(activity("A-1", "EMAILV2", "B-1"), activity("B-1", "SMSSYNC", "A-1"))))
    criteria = {"p": filter_definition(condition_set("AND", condition("Event.E.Country", "Equal", "FR")))}
    split = activity("D-1", "MULTICRITERIADECISION", config={"criteria": criteria}, outcomes=[{"key": "p"}, {"key": "remainder_path"}])
    (tmp_path / "split.json").write_text(json.dumps(definition(split)))
    path = tmp_path / "scenario.yaml"
    path.write_text(SCENARIO_HEAD.format(attributes="    x: {constant: 1}", file="X").replace("{import: sfmc, file: X}", item))
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert f"{path}:9:" in result.output and f"{key}: " in result.output and message in result.output, result.output


def test_D3_the_large_benchmark_journey_imports_and_validates(tmp_path):
    source = Path(__file__).parent.parent / "benchmarks" / "sfmc-large-journey.json"
    body = json.loads(source.read_text())
    decisions = [a for a in body["activities"] if a["type"] == "MULTICRITERIADECISION"]
    assert len(body["activities"]) >= 100 and len(decisions) == 21 and max(len(d["outcomes"]) for d in decisions) == 8
    out = tmp_path / "large.yaml"
    result = CliRunner().invoke(main, ["import", "sfmc", str(source), "-o", str(out), "--population", "1000", "-q"])
    assert result.exit_code == 0, result.output
    nodes = journeysim.load(out).scenario.journeys[0].nodes
    assert {a["key"] for a in body["activities"]} <= set(nodes)
    assert sum(n.type == "condition" for n in nodes.values()) == 21


# ---------------------------------------------------------------- robustness: never a traceback

def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, prefix + (index,))


BASE = json.loads(ALL_TYPES.read_text())
BASE_PATHS = [p for p in _paths(BASE) if p]
JUNK = [None, 0, -3, 1.5, 10**12, "x", "", True, [], {}, [1], {"a": 1}, "DAYS", "9999-12-31T00:00:00", "<FilterDefinition/>",
        "<x>", "WAIT-1", "EMAILV2-1", "remainder_path"]


@settings(max_examples=150, deadline=None)
@given(edits=st.lists(st.tuples(st.sampled_from(BASE_PATHS), st.sampled_from(JUNK) | st.just("DELETE")), min_size=1, max_size=4))
def test_D4_a_damaged_export_is_refused_or_imported_never_a_crash(tmp_path_factory, edits):
    body = copy.deepcopy(BASE)
    for path, value in edits:
        holder = body
        try:
            for part in path[:-1]:
                holder = holder[part]
            if value == "DELETE" and isinstance(holder, dict):
                holder.pop(path[-1], None)
            elif value != "DELETE":
                holder[path[-1]] = copy.deepcopy(value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit removed the place
    folder = tmp_path_factory.mktemp("damaged")
    (folder / "journey.json").write_text(json.dumps(body))
    out = folder / "scenario.yaml"
    result = CliRunner().invoke(main, ["import", "sfmc", str(folder / "journey.json"), "-o", str(out), "-q"])
    assert result.exit_code in (0, 2), result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    if result.exit_code == 0:
        assert CliRunner().invoke(main, ["validate", str(out)]).exit_code == 0
    else:
        assert "$" in result.output and not out.exists()


def test_D3_a_scenario_start_sets_when_a_wait_until_a_date_ends(tmp_path):
    wait = activity("WAIT-1", "WAIT", None, config={"specificDate": "2026-11-27T09:00:00", "timeZone": "UTC"})
    (tmp_path / "j.json").write_text(json.dumps(definition(wait)))
    path = write_scenario(tmp_path, "j.json")
    path.write_text(path.read_text().replace("platform: sfmc", "platform: sfmc\nstart: 2026-11-25T06:00:00+01:00"))
    # the scenario starts 2026-11-25 05:00 UTC: 2 days and 4 hours before the date
    assert journeysim.load(path).scenario.journeys[0].nodes["WAIT-1"].until == 2 * 86400 + 4 * 3600
    assert import_journey(definition(wait)).journey["nodes"]["WAIT-1"]["until"] == "177h"  # from modifiedDate's day
