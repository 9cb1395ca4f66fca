"""docs/ says what this version does: every key the schema accepts is on the format page, the keys
listed as coming are refused today, and the behaviour catalogue and the tests name the same IDs."""

import re

from conftest import ROOT

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
