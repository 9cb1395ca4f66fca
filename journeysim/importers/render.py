"""The imported scenario as YAML for people (comments beside the nodes) and the import report."""

from __future__ import annotations

import json
import math
import re

import yaml

from .sfmc import ImportedJourney, slug

_PLAIN = re.compile(r"^([A-Za-z_][A-Za-z0-9_.\-]*|\d+(\.\d+)?(ms|s|m|h|d|w)|\d+(\.\d+)?/[smhd])$")
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}
# What YAML reads as written: its printable characters less its line breaks (NEL, U+2028, U+2029). Anything
# else in an export's text (a key with U+2028, a name with DEL) is written as an escape: raw, YAML refuses
# the file or folds the line break into a space, and the imported scenario would not read back.
# libyaml's emitter when PyYAML has it: the same text for a number, true/false or null, four times faster
# (a journey of 10,000 activities writes ten thousand of them)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_NOT_RAW = re.compile("[^\x09\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _escape(text: str) -> str:
    return _NOT_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def scalar(value: str) -> str:
    """A key or value as YAML: plain when it reads back as the same text, else double-quoted."""
    if _PLAIN.match(value) and value.lower() not in _YAML_WORDS:
        return value
    return _escape(json.dumps(value, ensure_ascii=False))


def flow(value: object) -> str:
    """One-line YAML of plain data; text is plain or double-quoted (expressions keep their single quotes)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"? {flow(k)} : {flow(v)}" if _too_long_for_a_key(flow(k)) else f"{flow(k)}: {flow(v)}"
                               for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    if isinstance(value, str):
        return scalar(value)
    return yaml.dump(value, Dumper=_DUMPER).removesuffix("\n...\n").strip()


def _too_long_for_a_key(text: str) -> bool:
    """YAML reads a key written as ``key: value`` only up to 1,024 characters; longer, it is written ``? key``."""
    return len(text) > 1000


def _entry(indent: int, key: str, value: str = "") -> list[str]:
    """A block mapping entry: ``key: value``, or ``? key`` and ``: value`` on two lines for a long key."""
    written = scalar(key)
    if _too_long_for_a_key(written):
        return [" " * indent + "? " + written, " " * indent + (": " + value if value else ":")]
    return [" " * indent + written + (": " + value if value else ":")]


def _comment(text: str, indent: int) -> list[str]:
    return [" " * indent + "# " + _escape(line) if line else " " * indent + "#" for line in text.splitlines()]


def report_every(nodes: int, duration_days: int) -> str:
    """10 minutes, or the whole number of minutes that keeps samples times nodes within what a run records
    (a journey of thousands of activities: 10,002 nodes over 15 days at 10m is 21.6 million counts)."""
    from ..loader import MAX_SERIES_CELLS

    minutes = math.ceil(duration_days * 1440 * nodes / MAX_SERIES_CELLS)
    return f"{max(10, minutes)}m"


def scenario_data(imported: ImportedJourney, population: int, duration_days: int) -> dict:
    """The scenario as plain data (what the YAML text reads back as)."""
    data = {
        "name": slug(imported.name),
        "description": f"Imported from Salesforce Marketing Cloud journey {imported.name!r} (key {imported.key}).",
        "seed": 1,
        "platform": "sfmc",
        "start": imported.start,
        "duration": f"{duration_days}d",
        "report_every": report_every(len(imported.journey["nodes"]), duration_days),
        "population": {"size": population, "attributes": imported.attributes},
        "journeys": [imported.journey],
        "timeline": [],
    }
    if imported.start is None:
        del data["start"]
    return data


def scenario_yaml(imported: ImportedJourney, data: dict, source_name: str) -> str:
    """The scenario text: same data as ``data``, with the activity names and assumptions as comments."""
    lines = [*_comment(f"Imported by `journeysim import sfmc {source_name}`: Journey Builder journey {imported.name!r}"
                       f"\n(key {imported.key}, {imported.activity_count} activities). Every activity is a node with its key;"
                       "\nthe comment above a node names the activity and what the import assumed (see docs/import-sfmc.md).", 0),
             f"name: {scalar(data['name'])}",
             f"description: {json.dumps(data['description'])}",
             f"seed: {data['seed']}",
             f"platform: {data['platform']}",
             *([f"start: {scalar(data['start'])}  # the day the journey was last published (UTC); waits until a date count from it"]
               if "start" in data else []),
             f"duration: {data['duration']}",
             f"report_every: {data['report_every']}",
             "population:",
             "  # Generated (D5): one column per attribute the decisions read, drawn over the values their criteria",
             "  # compare, so that every branch is taken. To use your own contacts, replace 'size' and 'attributes'",
             "  # with  file: contacts.csv  (one row per contact, one column per attribute named below).",
             f"  size: {data['population']['size']}"]
    attributes = data["population"]["attributes"]
    if attributes:
        lines.append("  attributes:")
        for name, spec in attributes.items():
            lines += _comment(imported.attribute_notes.get(name, ""), 4)
            lines += _entry(4, name, flow(spec))
    else:
        lines.append("  attributes: {}")
    journey = data["journeys"][0]
    lines.append("journeys:")
    lines.append(f"  - key: {scalar(journey['key'])}")
    lines.append(f"    version: {journey['version']}")
    if "name" in journey:
        lines.append(f"    name: {json.dumps(journey['name'])}")
    if "global_timeout" in journey:
        lines.append(f"    global_timeout: {journey['global_timeout']}  # past the longest path: Journey Builder has no journey-wide limit")
    lines.append(f"    start: {scalar(journey['start'])}")
    lines.append("    nodes:")
    for node in imported.nodes:
        lines += _comment(node.source, 6)
        for note in node.notes:
            lines += _comment(f"assumed: {note}", 6)
        spec = journey["nodes"][node.node_id]
        if spec["type"] in ("condition", "random_split"):
            lines += _entry(6, node.node_id)
            lines.append(f"        type: {spec['type']}")
            lines.append("        branches:")
            lines += [f"          - {flow(branch)}" for branch in spec["branches"]]
        else:
            lines += _entry(6, node.node_id, flow(spec))
    if imported.exits:
        lines.append("    exit_criteria:")
        for criterion, label, notes in imported.exits:
            lines += _comment(label + "".join(f"; assumed: {n}" for n in notes), 6)
            lines.append(f"      - {flow(criterion)}")
    lines += ["timeline: []",
              "# What if the journey is paused for 3 days on day 2? Replace 'timeline: []' above with:",
              "# timeline:",
              "#   - at: 2d",
              f"#     pause: {{journey: {scalar(journey['key'])}, versionNumber: {journey['version']},",
              "#             body: {PausedDays: 3, ExtendWaitEndDates: true, GuardrailAction: Resume}}",
              ""]
    return "\n".join(lines)


def report(imported: ImportedJourney, source_name: str) -> str:
    """The import report: activity -> node, every assumption, the generated columns, the warnings."""
    journey = imported.journey
    lines = [f"imported {source_name}: journey {imported.name!r} (key {imported.key}, version {journey['version']}): "
             f"{imported.activity_count} activities -> {len(journey['nodes'])} nodes", ""]
    for node in imported.nodes:
        spec = journey["nodes"][node.node_id]
        detail = spec["type"] + (f", channel {spec['channel']}" if "channel" in spec else "")
        lines.append(f"  {node.source} -> node {node.node_id} ({detail})")
        lines += [f"      assumed: {note}" for note in node.notes]
    for criterion, label, notes in imported.exits:
        lines.append(f"  {label} -> exit criterion {criterion['when']!r}")
        lines += [f"      assumed: {note}" for note in notes]
    goals_only = [a for a in imported.assumptions if "only measures" in a or a.startswith("global_timeout ")]
    lines += [f"  {a}" for a in goals_only]
    lines.append("")
    if imported.attributes:
        lines.append("generated population columns (D5; replace them with your own data: population.file):")
        lines += [f"  {name}: {imported.attribute_notes.get(name, '')}" for name in imported.attributes]
    else:
        lines.append("generated population columns: none (no decision reads an attribute)")
    lines.append(f"\n{len(imported.assumptions)} assumption(s), {len(imported.warnings)} warning(s)")
    lines += [f"warning: {w}" for w in imported.warnings]
    return "\n".join(lines)
