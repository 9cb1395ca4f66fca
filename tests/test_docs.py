"""docs/ says what this version does: every key the schema accepts is on the format page, the keys
listed as coming are refused today, and the behaviour catalogue and the tests name the same IDs."""

import re

import pytest
import yaml
from click.testing import CliRunner
from conftest import ROOT, scenario

from journeysim.cli import main
from journeysim.model.presets import PLATFORMS
from journeysim.schema import json_schema

DOCS = ROOT / "docs"
FORMAT = (DOCS / "scenario-format.md").read_text()
CATALOGUE = (DOCS / "behaviors.md").read_text()
ID = r"[JPARGLESVDBCX]\d{1,2}"
COMING = "(coming in this release)"


def schema_keys() -> set[str]:
    names: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            names.update(node.get("properties", {}) if isinstance(node.get("properties"), dict) else ())
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json_schema())
    return names


def catalogue_ids() -> dict[str, bool]:
    """Each ID of behaviors.md and whether this version simulates it (False: marked as coming)."""
    ids: dict[str, bool] = {}
    heading_coming = False
    for line in CATALOGUE.splitlines():
        if line.startswith("#"):
            heading_coming = COMING in line
            continue
        found = re.match(rf"- \*\*({ID})\*\*|\| ({ID}) \|", line)
        if found:
            ids[found.group(1) or found.group(2)] = not (heading_coming or COMING in line)
    return ids


def ids_named_by_tests() -> set[str]:
    named: set[str] = set()
    for path in (ROOT / "tests").glob("test_*.py"):
        named |= set(re.findall(rf"\b({ID})\b", path.read_text()))
    return named


def test_every_key_the_schema_accepts_is_documented():
    documented = {k for k in schema_keys() if f"`{k}`" in FORMAT or re.search(rf"(?<![\w.]){re.escape(k)}:", FORMAT)}
    assert schema_keys() - documented == set()


def test_every_behaviour_id_the_tests_name_is_in_the_catalogue():
    assert ids_named_by_tests() - set(catalogue_ids()) == set()


def test_every_behaviour_this_version_simulates_has_a_test():
    simulated = {i for i, now in catalogue_ids().items() if now}
    assert simulated - ids_named_by_tests() == set(), "mark it (coming in this release) in docs/behaviors.md, or test it"


def test_V1_the_documented_presets_are_the_shipped_ones():
    """V1: the format page's `platform:` line lists exactly the presets this version has."""
    line = next(line for line in FORMAT.splitlines() if line.startswith("platform: ajo"))
    listed = re.search(r"preset: ([\w| -]+?) \(", line).group(1).split(" | ")
    assert listed == list(PLATFORMS)


def coming_additions() -> list[tuple[str, dict]]:
    """(label, scenario change) for every top-level, policy and org key of the 'Coming in this release' block."""
    if "## Coming in this release" not in FORMAT:
        return []  # everything the format lists has landed
    section = FORMAT.split("## Coming in this release", 1)[1]
    block = yaml.safe_load(re.search(r"```yaml\n(.*?)```", section, re.S).group(1))
    changes = [(f"platform: {block['platform']}", {"platform": block["platform"]})] if "platform" in block else []
    changes += [(key, {key: block[key]}) for key in block if key not in ("platform", "policy", "org", "timeline")]
    changes += [(f"policy.{k}: {v}", {"policy": {k: v}}) for k, v in (block.get("policy") or {}).items()]
    changes += [(f"org.{k}", {"org": {k: v}}) for k, v in (block.get("org") or {}).items()]
    return changes


@pytest.mark.parametrize("label, change", coming_additions(), ids=[label for label, _ in coming_additions()])
def test_what_the_format_page_lists_as_coming_is_refused_today(tmp_path, label, change):
    """When one of these lands, move it out of 'Coming in this release' in docs/scenario-format.md."""
    doc = scenario()
    for key, value in change.items():
        doc[key] = {**doc.get(key, {}), **value} if isinstance(value, dict) else value
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2, f"{label} is accepted now: document it as part of this version"
