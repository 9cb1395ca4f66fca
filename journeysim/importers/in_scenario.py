"""``journeys: [{import: sfmc, file: my-journey.json}]``: an exported journey used directly in a scenario.

The item is replaced by the imported journey before the scenario is checked, so the scenario's own
population, timeline and org apply; a problem names the scenario file, line and key.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import units
from ..errors import Problem, ScenarioError
from ..yamlio import SourceMap

IMPORTERS = ("sfmc",)


def expand_imports(data: dict, scenario: Path, source: SourceMap, overrides: list | None = None) -> list[Problem]:
    """Replace every ``{import: ..., file: ...}`` item of ``data['journeys']`` by the journey it names;
    the importers' warnings (a value replaced by an assumption, an unknown activity type), to print.
    ``overrides`` (``--set``) of the population and the start are taken into account: the population's size sets
    the arrival rate, the start where waits until a date end."""
    journeys = data.get("journeys")
    if not isinstance(journeys, list) or not any(isinstance(item, dict) and "import" in item for item in journeys):
        return []
    from .render import flow  # the importers load only for a scenario that imports
    from .sfmc import SfmcImportError, import_journey, read_definition

    problems, warnings = [], []
    as_run = _as_run(data, overrides or [])
    population = as_run["population"] if isinstance(as_run["population"], dict) else {}
    size, start = _size(population, scenario.parent), _start(as_run["start"])
    for i, item in enumerate(journeys):
        if not isinstance(item, dict) or "import" not in item:
            continue
        where = ("journeys", i)
        extra = sorted(str(k) for k in item if k not in ("import", "file"))
        if extra:
            problems.append(source.problem(where + (extra[0],), f"an imported journey takes only 'import' and 'file', not {extra[0]!r}"))
            continue
        if item["import"] not in IMPORTERS:
            problems.append(source.problem(where + ("import",), f"unknown importer {item['import']!r} (known: {', '.join(IMPORTERS)})"))
            continue
        file = item.get("file")
        if not isinstance(file, str) or not file.strip():
            problems.append(source.problem(where + ("file",), "missing 'file': the exported journey JSON, relative to this scenario"))
            continue
        try:
            imported = import_journey(read_definition(scenario.parent / file), size, start=start)
        except SfmcImportError as exc:
            problems.append(source.problem(where + ("file",), f"{file}: {exc}"))
            continue
        attributes = population.get("attributes")
        if "file" not in population and (attributes is None or isinstance(attributes, dict)):  # none given: none there
            missing = {name: spec for name, spec in imported.attributes.items() if name not in (attributes or {})}
            if missing:
                problems.append(source.problem(where + ("file",), f"{file} reads attributes the population does not have; "
                                               f"add to population.attributes: {flow(missing)}"))
                continue
        journeys[i] = imported.journey
        warnings += [source.problem(where + ("file",), f"warning: {file}: {warning}") for warning in imported.warnings]
    if problems:
        raise ScenarioError(problems)
    return warnings


def _as_run(data: dict, overrides: list) -> dict:
    """The scenario's ``population`` and ``start`` as the run will have them: the file's, with the --set options
    that change them (the imported journey's arrival rate and waits until a date depend on them)."""
    as_run = {"population": data.get("population"), "start": data.get("start")}
    mine = [o for o in overrides if o[0][:1] in (("population",), ("start",))]
    if mine:
        from ..overrides import apply_overrides

        trial = copy.deepcopy(as_run)
        try:
            apply_overrides(trial, mine)
            as_run = trial
        except ScenarioError:  # reported when the options are applied to the scenario
            pass
    return as_run


def _size(population: dict, folder: Path) -> int:
    """The profiles of the population (a file's rows), which arrive at an imported event entry over about a week."""
    from .sfmc import DEFAULT_POPULATION

    if isinstance(population.get("file"), str):
        from ..population import read_table

        try:
            return max(1, len(read_table(folder / population["file"])))
        except Exception:  # a file that cannot be read is reported when the population is read
            return DEFAULT_POPULATION
    size = population.get("size")
    return size if isinstance(size, int) and not isinstance(size, bool) and size > 0 else DEFAULT_POPULATION


def _start(value: Any) -> datetime | None:
    """The scenario's start as naive UTC, or None (a bad start is reported by the schema check)."""
    try:
        moment = units.parse_datetime(value)
    except (ValueError, TypeError):
        return None
    return moment.astimezone(UTC).replace(tzinfo=None)


def import_item_schema() -> dict[str, Any]:
    return {"type": "object", "title": "JourneyImport", "additionalProperties": False, "required": ["import", "file"],
            "properties": {"import": {"enum": list(IMPORTERS), "description": "The platform the journey was exported from."},
                           "file": {"type": "string", "description": "The exported journey JSON, relative to the scenario file."}},
            "description": "A journey exported from a marketing platform, imported as it is (journeysim import sfmc)."}
