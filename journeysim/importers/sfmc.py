"""Salesforce Marketing Cloud Journey Builder definitions -> journeysim journeys (D3-D5).

``import_journey(definition)`` maps the JSON body of ``GET/POST/PUT /interaction/v1/interactions``
onto the node types of the scenario format, and says what it assumed: every activity becomes a
node with its key (D4), every attribute a decision reads becomes a generated population column
(D5). The result is plain scenario data; the importer adds no behaviour of its own.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..expr import ExpressionError, compile_expression
from ..schema import Journey
from . import filter_xml as fx

MAX_JSON_BYTES = 50 * 2**20
DEFAULT_POPULATION = 100_000
ENTRY_WINDOW_H = 168
MAX_VERSION = 1_000_000  # far above any journey's; a version of 1e308 would be a 309-digit integer in the scenario
SCENARIO_TIMEOUT_S = float(Journey.model_fields["global_timeout"].default)  # a scenario journey's when it names none (L7)
MAX_WAIT_S = 36500 * 86400.0  # event entries are spread over the first week

WAIT_UNITS = {"MINUTE": "m", "MINUTES": "m", "HOUR": "h", "HOURS": "h", "DAY": "d", "DAYS": "d",
              "WEEK": "w", "WEEKS": "w", "MONTH": "month", "MONTHS": "month"}
UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400, "w": 604800, "month": 30 * 86400}
AUDIENCE_TRIGGERS = {"EMAILAUDIENCE", "AUTOMATIONAUDIENCE", "DEAUDIENCE", "DATAEXTENSIONAUDIENCE", "AUDIENCE"}
EVENT_TRIGGERS = {"APIEVENT", "CONTACTEVENT", "SALESFORCEOBJECTTRIGGERV2", "SALESFORCEOBJECTTRIGGER", "EVENT",
                  "TRANSACTIONALAPIEVENT", "TRANSACTIONALAPI", "TRANSACTIONAL", "TRANSACTIONALEMAIL", "CLOUDPAGESFORMSUBMIT", "MOBILEAPPEVENT"}
CHANNELS = {"EMAILV2": "email", "EMAIL": "email", "SENDEMAIL": "email", "TRANSACTIONALEMAIL": "email",
            "SMSSYNC": "sms", "SMS": "sms", "MOBILECONNECT": "sms", "MOBILEPUSH": "push", "PUSHNOTIFICATION": "push",
            "PUSHNOTIFICATIONACTIVITY": "push", "MOBILEPUSHACTIVITY": "push", "PUSH": "push", "INBOX": "inbox",
            "PUSHINBOXACTIVITY": "inbox", "INAPP": "in_app", "INAPPMESSAGE": "in_app", "INAPPACTIVITY": "in_app",
            "WHATSAPPACTIVITY": "whatsapp", "WHATSAPP": "whatsapp", "WHATSAPPMESSAGE": "whatsapp", "LINE": "line",
            "LINEMESSAGE": "line", "OTTMESSAGING": "ott", "SMSACTIVITY": "sms"}
CUSTOM = {"SALESCLOUDACTIVITY": "salesforce", "OBJECTACTIVITY": "salesforce", "CREATECASE": "salesforce",
          "CREATELEAD": "salesforce", "REST": "rest", "CUSTOMACTIVITY": "rest", "ADSAUDIENCE": "ads",
          "ADVERTISINGCAMPAIGN": "ads", "EINSTEINSCORE": "rest"}
UPDATES = {"UPDATECONTACTDATA", "DATAEXTENSIONUPDATE", "UPDATECONTACT", "CONTACTUPDATE"}
DECISIONS = {"MULTICRITERIADECISION", "MULTICRITERIADECISIONV2", "DECISIONSPLIT"}
RANDOM = {"RANDOMSPLIT", "RANDOMSPLITV2", "ABNTEST", "PATHOPTIMIZER"}
ENGAGEMENT = {"ENGAGEMENTDECISION", "ENGAGEMENTSPLIT"}
WAITS = {"WAIT", "WAITBYDURATION", "WAITUNTILDATE", "WAITBYATTRIBUTE"}
STO = {"STOWAIT", "EINSTEINSTO"}
JOINS = {"ABNTESTSTOP"}  # where a Path Optimizer's (ABNTEST's) paths come together again
# statsTypeId of an engagement split -> (what, assumed chance, assumed delay after the send)
ENGAGEMENT_STATS = {2: ("opened", 0.2, {"exponential": {"mean": "6h"}}),
                    3: ("clicked", 0.03, {"exponential": {"mean": "8h"}}),
                    6: ("bounced", 0.02, {"exponential": {"mean": "10m"}})}


class SfmcImportError(ValueError):
    """A definition that is not a journey; ``path`` is the JSON path of the problem."""

    def __init__(self, path: str, message: str):
        self.path, self.message = path, message
        super().__init__(f"{path}: {message}")


@dataclass
class NodeOut:
    """A node of the imported journey with what a reader needs beside it."""

    node_id: str
    spec: dict
    source: str  # "activity KEY (TYPE, 'name')" or "generated"
    notes: list[str] = field(default_factory=list)


@dataclass
class ImportedJourney:
    journey: dict
    nodes: list[NodeOut]
    exits: list[tuple[dict, str, list[str]]]
    attributes: dict[str, dict]  # population column -> generator
    attribute_notes: dict[str, str]
    warnings: list[str]
    assumptions: list[str]
    unknown_types: list[str]
    name: str
    key: str
    activity_count: int
    longest_s: float
    start: str | None = None  # the calendar start the waits until a date count from (C1)


# ---------------------------------------------------------------- reading the file

def read_definition(path: Path) -> dict:
    """The parsed JSON of a journey file; SfmcImportError for what is not readable JSON."""
    from ..inputs import file_problem

    problem = file_problem(path)
    if problem and problem.startswith(("it is a device", "it is a named pipe", "it is a socket", "it is not a regular")):
        # /dev/zero has size 0 and never ends: read whole, it took every byte of memory (the process was killed)
        raise SfmcImportError("$", f"cannot read {path}: {problem}")
    try:
        size = path.stat().st_size
        if size > MAX_JSON_BYTES:
            raise SfmcImportError("$", f"file is {size / 2**20:.0f} MB, more than {MAX_JSON_BYTES // 2**20} MB: not a journey export")
        raw = path.read_bytes()
    except OSError as exc:
        raise SfmcImportError("$", f"cannot read {path}: {exc.strerror}") from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise SfmcImportError("$", "not UTF-8 text: is it a journey JSON export?") from None
    except json.JSONDecodeError as exc:
        raise SfmcImportError("$", f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise SfmcImportError("$", "JSON nested too deeply: not a journey export") from None
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # JSON lets "\ud800" through; YAML, Arrow and the terminal do not
        raise SfmcImportError(_surrogate_path(data), "text holding a lone UTF-16 surrogate (a \\ud800-\\udfff escape "
                                                     "without its pair): not valid Unicode") from None
    return data  # a GET ?name=... answer ({"items": [...]}) is opened by import_journey, which names its paths


def _surrogate_path(data: Any, path: str = "$") -> str:
    """The JSON path of the first text (a key or a value) holding a lone surrogate."""
    def bad(text: str) -> bool:
        return any("\ud800" <= ch <= "\udfff" for ch in text)

    stack = [(data, path)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, str) and bad(value):
            return where
        if isinstance(value, dict):
            for key, item in reversed(list(value.items())):
                if bad(key):
                    return where
                stack.append((item, f"{where}.{key}"))
        elif isinstance(value, list):
            stack.extend((item, f"{where}[{i}]") for i, item in reversed(list(enumerate(value))))
    return path


def _the_one_journey(items: list) -> Any:
    """The journey a GET /interaction/v1/interactions?name=... answer holds; refused unless it holds one."""
    if len(items) == 1:
        return items[0]
    if not items:
        raise SfmcImportError("$.items", "the search answer holds no journey: no journey has that name; "
                                         "check the name, or export the journey by key (GET /interaction/v1/interactions/key:KEY)")
    keys = [repr(str(item["key"])) + (f" version {item['version']}" if "version" in item else "")
            for item in items if isinstance(item, dict) and item.get("key")]
    shown = ", ".join(keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")
    raise SfmcImportError("$.items", f"the search answer holds {len(items)} journeys" + (f" (keys {shown})" if keys else "") +
                          ": export the one to import by key (GET /interaction/v1/interactions/key:KEY), "
                          "or keep only its item in $.items")


# ---------------------------------------------------------------- small helpers

def _type(item: dict) -> str:
    return str(item.get("type") or "").replace("_", "").replace("-", "").upper()


def _name(item: dict) -> str:
    return str(item.get("name") or "").strip()


def _describe(item: dict) -> str:
    name = _name(item)
    return f"{item.get('type')}" + (f" {name!r}" if name else "")


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _config(item: dict) -> dict:
    return _dict(item.get("configurationArguments"))


def _duration_text(seconds: float) -> str:
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    # to the millisecond, in plain digits: '{:g}' wrote 3.12857e+06s (52142.9 minutes) and 6e-299s, which no
    # duration reads back
    return f"{round(seconds, 3):.3f}".rstrip("0").rstrip(".") + "s"


def _number(value: Any) -> float | None:
    """A finite JSON number, or text that is plainly one ("3"); None for anything else (true, "two", NaN, 1e309)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not fx.is_plain_number(value):
            return None
    elif not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


MISSING = object()  # a key the export does not have


def _shown(value: Any) -> str:
    """A value of the export as JSON, cut to 40 characters, for a message."""
    if value is MISSING:
        return "(missing)"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:39] + "…"


def _present(config: dict, *keys: str) -> str:
    """The first of ``keys`` the configuration has (the vendor's name, else an older one), else the first."""
    return next((key for key in keys if key in config), keys[0])


def _weights(percentages: list[float]) -> list[float]:
    total = sum(percentages)
    weights = [round(p / total, 6) for p in percentages]
    weights[-1] = round(1 - sum(weights[:-1]), 6)
    return weights


# ---------------------------------------------------------------- the graph

def _check_graph(activities: list[dict]) -> tuple[dict[str, int], dict[str, list[tuple[int, str | None]]]]:
    """Activity index by key and outcome targets; refuses unknown targets, duplicates and cycles."""
    index: dict[str, int] = {}
    for i, activity in enumerate(activities):
        if not isinstance(activity, dict):
            raise SfmcImportError(f"$.activities[{i}]", "an activity must be a JSON object")
        key = activity.get("key")
        if not isinstance(key, str) or not key.strip():
            raise SfmcImportError(f"$.activities[{i}].key", "every activity needs a text 'key'")
        if key in index:
            raise SfmcImportError(f"$.activities[{i}].key", f"key {key!r} is also activities[{index[key]}]'s")
        if not activity.get("type"):
            raise SfmcImportError(f"$.activities[{i}].type", f"activity {key!r} has no 'type'")
        index[key] = i
    targets: dict[str, list[tuple[int, str | None]]] = {}
    for i, activity in enumerate(activities):
        outcomes = activity.get("outcomes", [])
        if outcomes is None:
            outcomes = []
        if not isinstance(outcomes, list):
            raise SfmcImportError(f"$.activities[{i}].outcomes", "outcomes must be a list")
        found = []
        for o, outcome in enumerate(outcomes):
            if not isinstance(outcome, dict):
                raise SfmcImportError(f"$.activities[{i}].outcomes[{o}]", "an outcome must be a JSON object")
            target = outcome.get("next")
            if target in ("", None):
                target = None
            elif not isinstance(target, str) or target not in index:
                raise SfmcImportError(f"$.activities[{i}].outcomes[{o}].next",
                                      f"{target!r} is not the key of an activity of this journey")
            found.append((o, target))
        targets[activity["key"]] = found
    _refuse_cycles(activities, index, targets)
    return index, targets


def _refuse_cycles(activities: list[dict], index: dict[str, int], targets: dict[str, list[tuple[int, str | None]]]) -> None:
    color: dict[str, int] = {}
    for root in index:
        if root in color:
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        path: list[str] = [root]
        color[root] = 1
        while stack:
            key, position = stack[-1]
            outs = targets[key]
            if position == len(outs):
                stack.pop()
                path.pop()
                color[key] = 2
                continue
            stack[-1] = (key, position + 1)
            o, target = outs[position]
            if target is None:
                continue
            if color.get(target) == 1:
                loop = path[path.index(target):] + [target]
                raise SfmcImportError(f"$.activities[{index[key]}].outcomes[{o}].next",
                                      "the activities form a cycle: " + " -> ".join(loop) + " (a journey is a tree of steps)")
            if target not in color:
                color[target] = 1
                path.append(target)
                stack.append((target, 0))


# ---------------------------------------------------------------- the importer

class _Importer:
    def __init__(self, definition: Any, population: int, strict: bool, start: datetime | None = None):
        if not isinstance(definition, dict):
            raise SfmcImportError("$", f"a journey definition is a JSON object, got {type(definition).__name__}")
        activities = definition.get("activities")
        if activities is None:
            raise SfmcImportError("$.activities", "missing: a journey definition lists its 'activities'")
        if not isinstance(activities, list):
            raise SfmcImportError("$.activities", "must be a list of activities")
        if not activities:
            raise SfmcImportError("$.activities", "is empty: there is nothing to simulate")
        self.definition = definition
        self.activities: list[dict] = activities
        self.population = population
        self.strict = strict
        self.index, self.targets = _check_graph(activities)
        self.translator = fx.Translator()
        self.parsed: dict[tuple, fx.ConditionSet] = {}
        self.nodes: list[NodeOut] = []
        self.generated: list[NodeOut] = []  # nodes an activity needs beside its own (after it, in the scenario)
        self.warnings: list[str] = []
        self.assumptions: list[str] = []
        self.unknown: list[str] = []
        self.extra_columns: dict[str, dict] = {}
        self.extra_notes: dict[str, str] = {}
        taken = set(self.index)
        self.end_id = self._free("end", taken)
        taken.add(self.end_id)
        self.taken = taken
        self.end_used = False
        self.start_time = start or self._start_time()

    def _free(self, wanted: str, taken: set[str]) -> str:
        name = wanted
        while name in taken:
            name += "_"
        return name

    def _start_time(self) -> datetime | None:
        for key in ("lastPublishedDate", "modifiedDate", "createdDate"):
            moment = fx.parse_date(str(self.definition.get(key) or ""))
            if moment is not None and moment.year > 1:
                return moment.replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)
        return None

    def _next(self, target: str | None) -> str:
        if target is None:
            self.end_used = True
            return self.end_id
        return target

    def _note(self, node: NodeOut, text: str) -> None:
        node.notes.append(text)
        self.assumptions.append(f"{node.node_id}: {text}")

    def _path(self, activity: dict, *parts: str) -> str:
        return f"$.activities[{self.index[activity['key']]}]" + "".join(f".{p}" for p in parts)

    def _replaced(self, node: NodeOut, path: str, value: Any, problem: str, instead: str) -> None:
        """A value the importer cannot use stands in for ``instead``: a warning naming its JSON path and
        the value (and a note beside the node); --strict refuses instead."""
        what = f"{_shown(value)}: {problem}" if value is not MISSING else problem
        if self.strict:
            raise SfmcImportError(path, f"{what}; refused (--strict) rather than assuming {instead}")
        self.warnings.append(f"{path}: {what}; {instead} is assumed")
        self._note(node, f"{path.rsplit('.', 1)[-1]} {what}; {instead} is assumed")

    # ---------------------------------------------------------- criteria

    def _criteria(self, where: str, xml: Any, reader: str) -> fx.ConditionSet | None:
        try:
            tree = fx.parse_filter(xml)
            self.translator.collect(tree, reader)
            for condition in fx.conditions(tree):
                if fx.operator_of(condition) is None:
                    raise fx.FilterError(f"unknown operator {condition.operator!r} in the condition on {condition.key!r}")
        except fx.FilterError as exc:
            self.warnings.append(f"{where}: {exc}; modelled as a generated yes/no column")
            return None
        return tree

    def _when(self, where: str, tree: fx.ConditionSet | None, fallback: str, node: NodeOut, chance: float = 0.5) -> str:
        """The expression of a criterion, or a generated yes/no column when it cannot be one."""
        if tree is not None:
            try:
                text = self.translator.expression(tree)
                compile_expression(text, None)
                return text
            except (fx.FilterError, ExpressionError) as exc:
                self.warnings.append(f"{where}: {exc}; modelled as a generated yes/no column")
        column = fx.identifier(fallback)
        while column in self.translator.taken or column in self.extra_columns:
            column += "_"
        self.extra_columns[column] = {"bernoulli": chance}
        self.extra_notes[column] = f"stands for a criterion of {node.node_id} that could not be translated"
        self._note(node, f"criterion modelled as {column!r} (true for {chance:.0%} of profiles)")
        return column

    # ---------------------------------------------------------- activities

    def run(self) -> ImportedJourney:
        decisions: list[tuple[int, dict]] = []
        for i, activity in enumerate(self.activities):
            kind = _type(activity)
            if kind in DECISIONS:
                criteria = _config(activity).get("criteria") or {}
                if not isinstance(criteria, dict):
                    criteria = {}
                trees = {}
                for outcome_key, xml in criteria.items():
                    trees[outcome_key] = self._criteria(f"activities[{i}] {activity['key']} criteria[{outcome_key!r}]",
                                                        xml, activity["key"])
                decisions.append((i, trees))
        exit_trees = []
        for section in ("goals", "exits"):
            items = self.definition.get(section) or []
            if not isinstance(items, list):
                raise SfmcImportError(f"$.{section}", "must be a list")
            for g, item in enumerate(items):
                if not isinstance(item, dict):
                    raise SfmcImportError(f"$.{section}[{g}]", "must be a JSON object")
                xml = _config(item).get("criteria") or _dict(item.get("arguments")).get("criteria")
                label = f"{section}[{g}]" + (f" {_name(item)!r}" if _name(item) else "")
                if not xml:
                    self.warnings.append(f"{label}: no criteria; not an exit criterion")
                    continue
                is_exit = section == "exits" or self._goal_exits(g, item)
                tree = self._criteria(label, xml, label) if is_exit else None
                exit_trees.append((section, g, item, label, tree, is_exit))
        self.exit_conditions = [c for *_, tree, is_exit in exit_trees if tree is not None and is_exit for c in fx.conditions(tree)]
        triggers = self.definition.get("triggers") or []
        if not isinstance(triggers, list):
            raise SfmcImportError("$.triggers", "must be a list")
        trigger = next((t for t in triggers if isinstance(t, dict)), None)
        entry_tree, entry_filtered = None, False
        if trigger is not None:
            # the Journey Spec's GET example keeps the entry criteria under 'arguments'; exports under 'configurationArguments'
            xml = next((x for x in (_config(trigger).get("criteria"), _dict(trigger.get("arguments")).get("criteria"),
                                    _dict(trigger.get("metaData")).get("criteria")) if isinstance(x, str) and x.strip()), None)
            if xml is not None:
                entry_filtered = True
                entry_tree = self._criteria("triggers[0] criteria", xml, "entry")
        try:
            self.translator.settle()
        except fx.FilterError as exc:
            raise SfmcImportError("$", str(exc)) from None

        entry = self._entry(trigger, entry_tree, entry_filtered)
        self.decision_trees = dict(decisions)
        for i, activity in enumerate(self.activities):
            self.nodes.append(self._activity(i, activity))
            self.nodes += self.generated
            self.generated = []
        if self.end_used:
            self.nodes.append(NodeOut(self.end_id, {"type": "end"}, "generated",
                                      ["where outcomes without 'next' lead: the profile leaves the journey"]))
        exits = []
        for section, g, _item, label, tree, is_exit in exit_trees:
            holder = NodeOut(f"{section}[{g}]", {}, label)
            if is_exit:
                exits.append(({"when": self._when(label, tree, f"{section}_{g}_met", holder, 0.1)}, label, holder.notes))
            else:
                self.assumptions.append(f"{label}: a goal without isExitCriteria only measures; journeysim does not model it")
        attributes, notes = self._population()
        journey = {"key": str(self.definition.get("key") or self.definition.get("id") or "imported-journey"),
                   "version": self._version(),
                   "name": str(self.definition.get("name") or "") or None,
                   "start": entry.node_id,
                   "nodes": {n.node_id: n.spec for n in [entry, *self.nodes]},
                   "exit_criteria": [e[0] for e in exits]}
        if journey["name"] is None:
            del journey["name"]
        longest = self._longest()
        if longest >= SCENARIO_TIMEOUT_S:
            # Journey Builder keeps a contact as long as its waits last; a scenario journey's global_timeout (91 days
            # unless set) would take out at day 91 every contact still on a longer path
            timeout = (math.ceil(longest / 86400) + 1) * 86400
            journey["global_timeout"] = _duration_text(timeout)
            self.assumptions.append(f"global_timeout {journey['global_timeout']}: Journey Builder has no journey-wide time limit; "
                                    f"set past the longest path ({_duration_text(longest)}) so that the 91d default cuts no one short")
        return ImportedJourney(journey, [entry, *self.nodes], exits, attributes, notes, self.warnings, self.assumptions,
                               self.unknown, journey.get("name") or journey["key"], journey["key"], len(self.activities),
                               longest, f"{self.start_time:%Y-%m-%dT%H:%M:%S}+00:00" if self.start_time else None)

    def _goal_exits(self, g: int, goal: dict) -> bool:
        """Whether a goal removes the contacts who meet it: only when metaData.isExitCriteria is true; a goal
        without the flag only measures. A value that is not true or false: a warning (--strict refuses)."""
        value = _dict(goal.get("metaData")).get("isExitCriteria", MISSING)
        if value is MISSING or value is None:
            return False
        if isinstance(value, bool) or (isinstance(value, str) and value.strip().lower() in ("true", "false")):
            return str(value).strip().lower() == "true"
        path, what = f"$.goals[{g}].metaData.isExitCriteria", f"{_shown(value)}: not true or false"
        if self.strict:
            raise SfmcImportError(path, f"{what}; refused (--strict) rather than assuming the goal only measures")
        self.warnings.append(f"{path}: {what}; the goal is assumed to only measure")
        return False

    def _version(self) -> int:
        """The journey's version: a whole number from 1 to MAX_VERSION, else 1 with a warning (--strict refuses);
        a body without one (a POST) is version 1."""
        value = self.definition.get("version")
        if value is None:
            return 1
        number = _number(value)
        if number is not None and number.is_integer() and 1 <= number <= MAX_VERSION:
            return int(number)
        what = f"{_shown(value)}: not a whole number from 1 to {MAX_VERSION:,}"
        if self.strict:
            raise SfmcImportError("$.version", f"{what}; refused (--strict) rather than assuming version 1")
        self.warnings.append(f"$.version: {what}; version 1 is assumed")
        return 1

    def _roots(self) -> list[str]:
        pointed = {t for outs in self.targets.values() for _, t in outs if t is not None}
        return [a["key"] for a in self.activities if a["key"] not in pointed]

    def _entry(self, trigger: dict | None, tree: fx.ConditionSet | None, filtered: bool) -> NodeOut:
        roots = self._roots()
        first = roots[0]
        if len(roots) > 1:
            self.warnings.append(f"activities {', '.join(roots[1:])} are not reached from the entry (it leads to {first}); "
                                 "they are kept as nodes no profile reaches")
        trigger_key = str((trigger or {}).get("key") or "entry")
        node_id = self._free(trigger_key, self.taken)
        self.taken.add(node_id)
        kind = _type(trigger or {})
        mode = str(self.definition.get("entryMode") or "NotSet")
        reentry = mode.lower() == "multipleentries"
        source = f"trigger {_describe(trigger)}" if trigger else "generated"
        node = NodeOut(node_id, {}, source)
        if kind in AUDIENCE_TRIGGERS:
            spec: dict[str, Any] = {"type": "read_audience", "audience": "all"}
            if kind == "AUTOMATIONAUDIENCE":
                spec["schedule"] = {"every": "1d", "start": "0s", "count": 7}
                spec["incremental"] = True
                self._note(node, "the automation is assumed to run daily for a week, each run reading only new profiles")
            else:
                spec["schedule"] = {"at": "0s"}
                self._note(node, "the audience is read once, at the start")
            spec["next"] = first
        else:
            rate = f"{self.population / ENTRY_WINDOW_H:.3f}/h"
            spec = {"type": "event", "arrivals": {"rate": rate}, "reentry": reentry, "next": first}
            if trigger is None:
                self.warnings.append("no trigger: the entry is modelled as an event")
            elif kind not in EVENT_TRIGGERS:
                self.warnings.append(f"trigger type {trigger.get('type')!r} is not known: modelled as an event")
            self._note(node, f"arrivals assumed at {rate} (the population arrives over about a week)")
        if filtered:  # criteria that cannot be read are a generated yes/no column, as the warning says
            spec["audience"] = self._when("triggers[0] criteria", tree, "entry_filter", node)
        self._note(node, f"entryMode {mode}: " + ("a contact may enter again" if reentry else "a contact enters at most once"))
        node.spec = spec
        return node

    def _outcomes(self, activity: dict) -> list[tuple[int, dict, str | None]]:
        outcomes = activity.get("outcomes") or []
        return [(o, outcome, target) for (o, target), outcome in zip(self.targets[activity["key"]], outcomes)]

    def _single_next(self, activity: dict, node: NodeOut) -> str:
        outs = self._outcomes(activity)
        if len({t for _, _, t in outs}) > 1:
            others = ", ".join(str(t or self.end_id) for _, _, t in outs[1:])
            self.warnings.append(f"activity {activity['key']}: {len(outs)} outcomes on a {activity.get('type')} activity, which has one way "
                                 f"on: only the first ({outs[0][2] or self.end_id}) is followed, not {others}")
            self._note(node, f"{len(outs)} outcomes on a one-way activity: the first is followed")
        return self._next(outs[0][2] if outs else None)

    def _action(self, activity: dict, kind: str, node: NodeOut) -> dict:
        """A send or custom activity; one with several outcomes (a custom split: the activity's service answers
        the branch, as REST activities do with branchResult) goes on to a generated even split over them."""
        spec = {"type": "action" if kind in CHANNELS else "custom_action", "channel": CHANNELS.get(kind) or CUSTOM[kind]}
        outs = self._outcomes(activity)
        if len({t for _, _, t in outs}) < 2:
            return spec | {"next": self._next(outs[0][2] if outs else None)}
        split_id = self._free(f"{activity['key']}-branches", self.taken)
        self.taken.add(split_id)
        labels = [str(_dict(o.get("metaData")).get("label") or _dict(o.get("arguments")).get("branchResult") or o.get("key") or n)
                  for n, o, _ in outs]
        self.warnings.append(f"activity {activity['key']}: {activity.get('type')} with {len(outs)} outcomes (a split its service "
                             f"decides: {', '.join(labels)}): which one a contact takes is not known; split evenly in generated node {split_id}")
        self._note(node, f"{len(outs)} outcomes: the activity is followed by {split_id}, an even split over them")
        branches = [{"weight": w, "next": self._next(t)} for w, (_, _, t) in zip(_weights([1.0] * len(outs)), outs)]
        self.generated.append(NodeOut(split_id, {"type": "random_split", "branches": branches}, f"generated for {activity['key']}",
                                      [f"the branch {activity['key']} answers is not known: even split over {', '.join(labels)}"]))
        return spec | {"next": split_id}

    def _activity(self, i: int, activity: dict) -> NodeOut:
        key, kind, config = activity["key"], _type(activity), _config(activity)
        node = NodeOut(key, {}, f"activity {key} ({_describe(activity)})")
        if kind in WAITS:
            node.spec = self._wait(activity, config, node)
        elif kind in STO:
            node.spec = self._send_time_optimisation(activity, config, node)
        elif kind in DECISIONS:
            node.spec = self._decision(i, activity, node)
        elif kind in RANDOM:
            node.spec = self._random(activity, node)
        elif kind in ENGAGEMENT:
            node.spec = self._engagement(activity, config, node)
        elif kind in CHANNELS or kind in CUSTOM:
            node.spec = self._action(activity, kind, node)
        elif kind in JOINS:
            node.spec = {"type": "wait", "duration": "0s", "next": self._single_next(activity, node)}
            self._note(node, "the end of a Path Optimizer: its paths join here; profiles pass through without delay")
        elif kind in UPDATES:
            column = fx.identifier(f"updated_by_{key}")
            while column in self.translator.taken or column in self.extra_columns:
                column += "_"
            self.extra_columns[column] = {"constant": False}
            self.extra_notes[column] = f"set to true by {key}"
            node.spec = {"type": "update_profile", "set": {column: True}, "next": self._single_next(activity, node)}
            self._note(node, f"the fields it writes are not read by the journey: modelled as setting {column!r}")
        else:
            node.spec = self._pass_through(activity, node)
        return node

    def _pass_through(self, activity: dict, node: NodeOut) -> dict:
        if self.strict:
            raise SfmcImportError(f"$.activities[{self.index[activity['key']]}].type",
                                  f"activity type {activity.get('type')!r} is not known to the importer (--strict)")
        self.unknown.append(str(activity.get("type")))
        self.warnings.append(f"activity {activity['key']}: unknown type {activity.get('type')!r}: imported as a pass-through node")
        outs = self._outcomes(activity)
        if len(outs) > 1:
            self._note(node, f"unknown type {activity.get('type')!r}: profiles pass through, split evenly over its {len(outs)} outcomes")
            return {"type": "random_split", "branches": [{"weight": w, "next": self._next(t)}
                                                          for w, (_, _, t) in zip(_weights([1] * len(outs)), outs)]}
        self._note(node, f"unknown type {activity.get('type')!r}: profiles pass through without delay")
        return {"type": "wait", "duration": "0s", "next": self._next(outs[0][2] if outs else None)}

    def _send_time_optimisation(self, activity: dict, config: dict, node: NodeOut) -> dict:
        params = config.get("params") if isinstance(config.get("params"), dict) else {}
        holder, parts = (params, ("configurationArguments", "params")) if "slidingWindowHours" in params or \
            "slidingWindowHours" not in config else (config, ("configurationArguments",))
        value = holder.get("slidingWindowHours", MISSING)
        hours = _number(value)
        if value is MISSING:
            hours = 24
            self._note(node, "no slidingWindowHours: Einstein's 24h window is assumed")
        elif hours is None or hours <= 0 or hours > 24 * 365:
            hours = 24
            self._replaced(node, self._path(activity, *parts, "slidingWindowHours"), value,
                           "not a number of hours above 0 and up to 8760", "a 24h window")
        self._note(node, f"send-time optimisation: the send moment is drawn uniformly within the {hours:g}h window")
        return {"type": "wait", "duration": {"uniform": ["0s", _duration_text(hours * 3600)]}, "next": self._single_next(activity, node)}

    def _wait(self, activity: dict, config: dict, node: NodeOut) -> dict:
        following = self._single_next(activity, node)
        if config.get("waitEndDateAttributeExpression") or config.get("waitEndDateAttributeDataBound"):
            self._note(node, f"waits until a per-profile date ({config.get('waitEndDateAttributeExpression')}): "
                             "modelled as uniform between 1h and 14d; being a duration, a pause with ExtendWaitEndDates "
                             "pushes it back, which Journey Builder does not do to a wait by attribute")
            return {"type": "wait", "duration": {"uniform": ["1h", "14d"]}, "next": following}
        specific = config.get("specificDate") or config.get("waitForDate")
        if specific:
            moment = fx.parse_date(str(specific))
            if moment is None:
                key = "specificDate" if config.get("specificDate") else "waitForDate"
                self._replaced(node, self._path(activity, "configurationArguments", key), specific, "not a date", "a 1d wait")
                return {"type": "wait", "duration": "1d", "next": following}
            start = self.start_time or moment.replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)
            seconds = max(0.0, (moment.replace(tzinfo=None) - start).total_seconds())
            if seconds > MAX_WAIT_S:
                raise SfmcImportError(f"$.activities[{self.index[activity['key']]}].configurationArguments.specificDate",
                                      f"{specific!r} is more than 100 years after the journey was saved: not a journey step")
            self._note(node, f"waits until {specific} ({config.get('timeZone') or config.get('timeZoneId') or 'no time zone'}); "
                             f"the scenario starts {start:%Y-%m-%d %H:%M} UTC, so until {_duration_text(seconds)}")
            return {"type": "wait", "until": _duration_text(seconds), "next": following}
        amount, unit = self._duration(activity, config, node)
        seconds = amount * UNIT_SECONDS[unit]
        event = config.get("waitForEventKey")
        if isinstance(event, str) and event.strip():
            self.warnings.append(f"activity {activity['key']}: {activity.get('type')} waits for event {event.strip()!r} or at most "
                                 f"{amount:g} {unit_name(unit, amount)}: the event is not simulated; modelled as waiting the whole time")
            self._note(node, f"waits for event {event.strip()!r}: modelled as its longest wait")
        if seconds > MAX_WAIT_S:
            raise SfmcImportError(f"$.activities[{self.index[activity['key']]}].configurationArguments.waitDuration",
                                  f"a wait of {amount:g} {config.get('waitUnit')} is longer than 100 years: not a journey step")
        if unit == "month":
            self._note(node, "a month is taken as 30 days")
        text = _duration_text(seconds)
        clock = config.get("specifiedTime") or config.get("specificTime")
        extended = _dict(activity.get("metaData")).get("isExtended", MISSING)
        if clock and (extended is False or str(extended).lower() == "false"):
            # Journey Builder keeps the time fields of every wait by duration ('00:00' and the account's zone);
            # only a wait whose 'extend until a specific time' box is ticked (isExtended) waits for the clock
            self._note(node, f"specifiedTime {clock} is not used: metaData.isExtended is false (a plain wait of {text})")
            clock = None
        if clock:
            zone = config.get("timeZone") or config.get("timeZoneId") or "the account's time zone"
            self._note(node, f"waits {text}, then until {clock} ({zone}): the extra time to that moment is drawn uniformly in [0, 24h)")
            return {"type": "wait", "duration": {"uniform": [text, _duration_text(seconds + 86400)]}, "next": following}
        return {"type": "wait", "duration": {"fixed": text}, "next": following}

    def _duration(self, activity: dict, config: dict, node: NodeOut) -> tuple[float, str]:
        """The wait's amount and unit; when either cannot be read, a 1 day wait (with a warning; --strict refuses)."""
        amount_key, unit_key = _present(config, "waitDuration", "duration"), _present(config, "waitUnit", "durationUnits")
        amount_value, unit_value = config.get(amount_key, MISSING), config.get(unit_key, MISSING)
        amount = _number(amount_value)
        unit = WAIT_UNITS.get(unit_value.strip().upper()) if isinstance(unit_value, str) else None
        if amount is None or amount < 0:
            self._replaced(node, self._path(activity, "configurationArguments", amount_key), amount_value,
                           "not a number of 0 or more" if amount_value is not MISSING else "missing", "a 1d wait")
        if unit is None:
            self._replaced(node, self._path(activity, "configurationArguments", unit_key), unit_value,
                           "not a unit (MINUTES, HOURS, DAYS, WEEKS, MONTHS)" if unit_value is not MISSING else "missing",
                           "a 1d wait")
        if amount is None or amount < 0 or unit is None:
            return 1.0, "d"
        return amount, unit

    def _decision(self, i: int, activity: dict, node: NodeOut) -> dict:
        trees = self.decision_trees.get(i, {})
        branches: list[dict] = []
        otherwise = None
        outs = self._outcomes(activity)
        has_remainder = any(str(outcome.get("key") or "") == "remainder_path" for _, outcome, _ in outs)
        for o, outcome, target in outs:
            outcome_key = str(outcome.get("key") or "")
            where = f"activities[{i}] {activity['key']} outcome {outcome_key!r}"
            if outcome_key in trees:
                when = self._when(where, trees[outcome_key], f"{activity['key']}_{outcome_key}", node)
                branches.append({"when": when, "next": self._next(target)})
            elif has_remainder and outcome_key != "remainder_path":
                # a path without criteria beside the remainder (a split not configured yet, criteria lost): which
                # contacts take it is not known; it was the remainder, and the real remainder took no one
                self.warnings.append(f"{where}: no criteria for this path; modelled as a generated yes/no column")
                when = self._when(where, None, f"{activity['key']}_{outcome_key or o}", node)
                branches.append({"when": when, "next": self._next(target)})
            elif otherwise is None:
                otherwise = self._next(target)
                if outcome_key != "remainder_path":
                    self._note(node, f"outcome {outcome_key or o!r} has no criteria: it is taken as the remainder path")
            else:
                branches.append({"when": "false", "next": self._next(target)})
                self._note(node, f"outcome {outcome_key or o!r} has no criteria and is not the remainder: no profile takes it")
        if otherwise is None:
            otherwise = self._next(None)
            self._note(node, "no remainder path: profiles matching no criteria leave the journey")
        return {"type": "condition", "branches": [*branches, {"otherwise": otherwise}]}

    def _random(self, activity: dict, node: NodeOut) -> dict:
        outs = self._outcomes(activity)
        if not outs:
            self._note(node, "a split without outcomes: profiles leave the journey")
            return {"type": "wait", "duration": "0s", "next": self._next(None)}
        weights = _weights(self._percentages(activity, outs, node))
        return {"type": "random_split", "branches": [{"weight": w, "next": self._next(t)} for w, (_, _, t) in zip(weights, outs)]}

    def _percentages(self, activity: dict, outs: list[tuple[int, dict, str | None]], node: NodeOut) -> list[float]:
        """Each outcome's percentage; when one cannot be read or they add up to no share, an even split
        (with a warning per value; --strict refuses)."""
        percentages: list[float | None] = []
        values: list[Any] = []
        for o, outcome, _ in outs:
            section = "arguments" if "percentage" in _dict(outcome.get("arguments")) or \
                "percentage" not in _dict(outcome.get("metaData")) else "metaData"
            value = _dict(outcome.get(section)).get("percentage", MISSING)
            values.append(value)
            number = _number(value)
            if number is None or number < 0:
                self._replaced(node, self._path(activity, f"outcomes[{o}]", section, "percentage"), value,
                               "not a number of 0 or more" if value is not MISSING else "missing", "an even split")
                number = None
            percentages.append(number)
        if any(p is None for p in percentages):
            return [1.0] * len(outs)
        try:
            total = math.fsum(percentages)  # type: ignore[arg-type]
        except OverflowError:  # 1e308 + 1e308: no share of the contacts, as an infinite total
            total = math.inf
        if not (0 < total < math.inf):
            self._replaced(node, self._path(activity, "outcomes"), values,
                           f"the percentages add up to {total:g}, no share of the contacts", "an even split")
            return [1.0] * len(outs)
        if abs(total - 100) > 1e-6:
            self._note(node, f"percentages sum to {total:g}, not 100: scaled")
        return [float(p) for p in percentages]  # type: ignore[arg-type]

    def _engagement(self, activity: dict, config: dict, node: NodeOut) -> dict:
        value = config.get("statsTypeId", MISSING)
        number = _number(value)
        stats = int(number) if number is not None and number.is_integer() else None
        if stats not in ENGAGEMENT_STATS:
            self._replaced(node, self._path(activity, "configurationArguments", "statsTypeId"), value,
                           "not 2 (opened), 3 (clicked) or 6 (bounced)" if value is not MISSING else "missing", "'opened' (2)")
            stats = 2
        what, chance, delay = ENGAGEMENT_STATS[stats]
        yes = no = None
        outs = self._outcomes(activity)
        for position, (_, outcome, target) in enumerate(outs):
            arguments = outcome.get("arguments") if isinstance(outcome.get("arguments"), dict) else {}
            when = arguments.get("when", position == 0)
            if str(when).lower() in ("true", "1", "yes") and yes is None:
                yes = target
            elif no is None:
                no = target
        yes_id, no_id = self._next(yes), self._next(no)
        ref = str(config.get("refActivityCustomerKey") or "")
        sent = next((a["key"] for a in self.activities if ref and ref in (a["key"], str(a.get("id")))), None)
        if sent is None or (_type(self.activities[self.index[sent]]) not in CHANNELS and _type(self.activities[self.index[sent]]) not in CUSTOM):
            self._note(node, f"the referenced send {ref!r} is not a send of this journey: a {chance:.0%} chance of "
                             f"'{what}' is drawn as a random split")
            return {"type": "random_split", "branches": [{"weight": chance, "next": yes_id}, {"weight": round(1 - chance, 6), "next": no_id}]}
        self._note(node, f"{chance:.0%} of contacts are assumed to have {what} {sent}, after a delay of {json.dumps(delay)} "
                         "from the step before this split; the split looks at that moment (timeout 0s)")
        return {"type": "reaction", "to": sent, "chance": chance, "delay": delay, "timeout": "0s", "next": yes_id, "on_timeout": no_id}

    # ---------------------------------------------------------- population and timing

    def _population(self) -> tuple[dict[str, dict], dict[str, str]]:
        attributes: dict[str, dict] = {}
        notes: dict[str, str] = {}
        for attribute in self.translator.by_key.values():
            attributes[attribute.name] = generator(attribute)
            if all(r.startswith(("goals[", "exits[")) for r in attribute.readers):
                attributes[attribute.name] = rarely_exiting(attribute, attributes[attribute.name], self.exit_conditions)
            shown = f"{attribute.key}" + (" (dates as days since 1970-01-01)" if attribute.kind == "date" else "")
            notes[attribute.name] = f"{attribute.kind}, from {shown}; read by {', '.join(attribute.readers)}"
            if attribute.has_null_column:
                attributes[attribute.null_column] = {"bernoulli": 0.1}
                notes[attribute.null_column] = f"true where {attribute.name} has no value"
        for column, spec in self.extra_columns.items():
            attributes[column] = spec
            notes[column] = self.extra_notes[column]
        return attributes, notes

    def _longest(self) -> float:
        """Longest time a profile can spend along the activities (upper ends of the waits)."""
        memo: dict[str, float] = {}

        def seconds(node: NodeOut) -> float:
            spec = node.spec
            if spec.get("type") == "wait":
                if "until" in spec:
                    return _seconds(spec["until"])
                duration = spec["duration"]
                if isinstance(duration, dict):
                    (kind, arg), = duration.items()
                    return _seconds(arg[-1] if kind == "uniform" else arg) if kind in ("uniform", "fixed") else 86400
                return _seconds(duration)
            return 0.0

        by_id = {n.node_id: n for n in self.nodes}
        for activity in reversed(self._topological()):
            node = by_id[activity]
            after = [memo.get(t, 0.0) for _, t in self.targets[activity] if t is not None]
            memo[activity] = seconds(node) + max(after, default=0.0)
        return max(memo.values(), default=0.0)

    def _topological(self) -> list[str]:
        order: list[str] = []
        seen: set[str] = set()
        for root in self.index:
            stack = [(root, iter([t for _, t in self.targets[root] if t is not None]))]
            if root in seen:
                continue
            seen.add(root)
            while stack:
                key, children = stack[-1]
                child = next(children, None)
                if child is None:
                    order.append(key)
                    stack.pop()
                elif child not in seen:
                    seen.add(child)
                    stack.append((child, iter([t for _, t in self.targets[child] if t is not None])))
        return order[::-1]


def unit_name(unit: str, amount: float) -> str:
    name = {"m": "minute", "h": "hour", "d": "day", "w": "week", "month": "month"}[unit]
    return name if amount == 1 else name + "s"


def _seconds(text: Any) -> float:
    from ..units import parse_duration

    return parse_duration(text)


def generator(attribute: fx.Attribute) -> dict:
    """A population generator drawing over the values the criteria compare (D5), so every branch is taken."""
    if attribute.kind == "bool":
        return {"bernoulli": 0.5}
    if attribute.kind == "text":
        values = [v for v in attribute.values if v != ""]
        domain = values + ["other"] if "other" not in values else values + ["other_value"]
        if attribute.null_tested or "" in attribute.values:
            domain.append("")
        domain = domain[:60]
    else:
        numbers = sorted({float(fx.literal(attribute, v)) for v in attribute.values if v != ""})
        step = 1.0
        grid = sorted({round(n + d, 6) for n in numbers for d in (-step, 0.0, step)})
        if len(grid) > 60:
            grid = grid[:: math.ceil(len(grid) / 60)]
        domain = [int(n) if n.is_integer() else n for n in grid] or [0]
        if any(isinstance(v, float) for v in domain):
            domain = [float(v) for v in domain]
    return {"choice": dict(zip(domain, _weights([1.0] * len(domain))))}


EXIT_SHARE = 0.1


def rarely_exiting(attribute: fx.Attribute, spec: dict, exit_conditions: list[fx.Condition]) -> dict:
    """An attribute only exit criteria read: weight its values so that about EXIT_SHARE of profiles meet them."""
    mine = [c for c in exit_conditions if c.key == attribute.key]
    by_key = {attribute.key: attribute}

    def meets(value: Any) -> bool:
        profile = {attribute.name: value, attribute.null_column: False}
        return any(fx.evaluate(c, profile, by_key) for c in mine)

    if "bernoulli" in spec:
        yes, no = meets(True), meets(False)
        return spec if yes == no else {"bernoulli": EXIT_SHARE if yes else 1 - EXIT_SHARE}
    values = list(spec["choice"])
    hit = [v for v in values if meets(v)]
    if not hit or len(hit) == len(values):
        return spec
    miss = [v for v in values if v not in hit]
    weights = _weights([EXIT_SHARE / len(hit) if v in hit else (1 - EXIT_SHARE) / len(miss) for v in values])
    return {"choice": dict(zip(values, weights))}


def import_journey(definition: Any, population: int = DEFAULT_POPULATION, strict: bool = False,
                   start: datetime | None = None) -> ImportedJourney:
    """Map a Journey Builder definition onto a journeysim journey; SfmcImportError if it is not one.

    ``start`` (naive UTC) is the scenario's calendar start; without it, the day the journey was last
    published (else modified, created) is taken. A GET /interaction/v1/interactions answer holding one journey
    in ``items`` is that journey; the JSON paths of refusals and warnings then start at ``$.items[0]``."""
    root = "$"
    if isinstance(definition, dict) and "activities" not in definition and "items" in definition:
        if not isinstance(definition["items"], list):
            raise SfmcImportError("$.items", f"must be the list of journeys of a GET /interaction/v1/interactions answer, "
                                             f"got {type(definition['items']).__name__}")
        definition, root = _the_one_journey(definition["items"]), "$.items[0]"
    try:
        imported = _Importer(definition, population, strict, start).run()
    except SfmcImportError as exc:
        if root == "$" or not exc.path.startswith("$"):
            raise
        raise SfmcImportError(root + exc.path[1:], exc.message) from None
    if root != "$":
        imported.warnings[:] = [root + w[1:] if w.startswith("$") else w for w in imported.warnings]
    return imported


_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-") or "imported-journey"
