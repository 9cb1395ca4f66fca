"""Scenario loading: YAML -> pydantic -> semantic checks, with every problem reported at once.

``load(path)`` returns a ``LoadedScenario`` or raises ``ScenarioError`` whose problems name the
file, line, column and key path.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ValidationError

from . import population as pop
from .errors import Problem, ScenarioError
from .expr import Expression, ExpressionError, compile_expression
from .model.graph import structure_problems
from .model.policy import PausePolicy, resolve_policy
from .model.timeline import PlannedAction, plan_timeline
from .schema import ConditionNode, EventLike, ReadAudienceNode, Scenario, UpdateProfileNode, WhenBranch
from .yamlio import SourceMap, load_yaml

ALL = "all"


@dataclass
class LoadedScenario:
    """A checked scenario, ready to run."""

    scenario: Scenario
    path: Path
    source: SourceMap
    policy: PausePolicy
    attribute_kinds: dict[str, str]
    expressions: dict[tuple, Expression]
    labels: list[str]
    timeline: list[PlannedAction]
    population_frame: pd.DataFrame | None = None
    arrival_files: dict[int, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.scenario.name

    def with_seed(self, seed: int) -> LoadedScenario:
        clone = LoadedScenario(**self.__dict__)
        clone.scenario = self.scenario.model_copy(update={"seed": seed})
        return clone


def _field_names(model: type[BaseModel], seen: set[type]) -> set[str]:
    names: set[str] = set()
    if model in seen:
        return names
    seen.add(model)
    for name, info in model.model_fields.items():
        names.add(name)
        for arg in _model_args(info.annotation):
            names |= _field_names(arg, seen)
    return names


def _model_args(annotation: Any) -> list[type[BaseModel]]:
    found = []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    for arg in getattr(annotation, "__args__", ()) or ():
        found += _model_args(arg)
    origin = getattr(annotation, "__origin__", None)
    if origin is not None and isinstance(origin, type) and issubclass(origin, BaseModel):
        found.append(origin)
    return found


_KNOWN_KEYS = sorted(_field_names(Scenario, set()))


def known_keys() -> list[str]:
    """Every key name the scenario format knows, at any depth (for suggestions)."""
    return _KNOWN_KEYS


def _data_path(data: Any, loc: tuple) -> tuple:
    """The part of a pydantic error location that exists in the data (drops union tags)."""
    path: list = []
    current = data
    for part in loc:
        if isinstance(current, dict) and part in current:
            path.append(part)
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            path.append(part)
            current = current[part]
    return tuple(path)


def _message(error: dict, data: Any) -> tuple[tuple, str]:
    loc = tuple(error["loc"])
    path = _data_path(data, loc)
    kind = error["type"]
    message = error["msg"]
    if kind == "extra_forbidden":
        key = loc[-1]
        path = _data_path(data, loc)
        close = difflib.get_close_matches(str(key), _KNOWN_KEYS, n=1)
        message = f"unknown key {key!r}" + (f" (did you mean {close[0]!r}?)" if close else "")
    elif kind == "missing":
        message = f"missing required key {loc[-1]!r}"
        path = _data_path(data, loc[:-1]) + (loc[-1],)
    elif kind == "union_tag_invalid":
        ctx = error.get("ctx", {})
        tag = ctx.get("tag")
        options = ctx.get("expected_tags", "")
        close = difflib.get_close_matches(str(tag), [t.strip().strip("'") for t in options.split(",")], n=1)
        message = f"unknown node type {tag!r}" + (f" (did you mean {close[0]!r}?)" if close else "") + f"; expected one of {options}"
        path = path + ("type",)
    elif kind == "union_tag_not_found":
        message = "missing 'type' (event, read_audience, wait, condition, action, end, ...)"
    elif message.startswith("Value error, "):
        message = message[len("Value error, "):]
    elif kind == "literal_error":
        message = f"{message}, got {error.get('input')!r}"
    elif kind in ("int_type", "int_parsing", "float_type", "float_parsing", "string_type", "bool_type", "bool_parsing",
                  "dict_type", "list_type", "model_type", "model_attributes_type", "int_from_float"):
        message = f"{message}, got {error.get('input')!r}"
    return path, message


def _schema_problems(exc: ValidationError, data: Any, source: SourceMap) -> list[Problem]:
    problems = []
    seen = set()
    for error in exc.errors():
        path, message = _message(error, data)
        if (path, message) in seen:
            continue
        seen.add((path, message))
        problems.append(source.problem(path, message))
    return problems


def load(path: str | Path, overrides: list | None = None) -> LoadedScenario:
    """Load and check a scenario file; raises ``ScenarioError`` listing every problem.

    ``overrides`` come from ``overrides.parse_overrides`` (``--set PATH=VALUE``).
    """
    from .overrides import apply_overrides

    path = Path(path)
    data, source = load_yaml(path)
    if overrides:
        apply_overrides(data, overrides)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_schema_problems(exc, data, source)) from None
    return check(scenario, path, source)


def check(scenario: Scenario, path: Path, source: SourceMap) -> LoadedScenario:
    problems: list[tuple[tuple, str]] = []
    base = path.parent

    frame = None
    kinds: dict[str, str] = {}
    popspec = scenario.population
    if popspec.file is not None:
        try:
            frame = pop.read_table(base / popspec.file)
            population = pop.from_frame(frame, popspec.file)
            kinds = {name: pop.column_kind(col) for name, col in population.columns.items()}
        except pop.PopulationError as exc:
            problems.append((("population", "file"), str(exc)))
            frame = None
    else:
        kinds = {name: pop.generator_kind(g) for name, g in popspec.attributes.items()}
        try:
            pop.check_fits(popspec.size or 0, pop.attribute_bytes(kinds), len(scenario.journeys))
        except pop.PopulationError as exc:
            problems.append((("population", "size"), str(exc)))
    for name in kinds:
        if not name.isidentifier():
            problems.append((("population", "attributes", name), f"attribute name {name!r} must be letters, digits and _"))

    expressions: dict[tuple, Expression] = {}

    def compile_at(key: tuple, where: tuple, text: str) -> None:
        if text == ALL:
            return
        try:
            expressions[key] = compile_expression(text, kinds)
        except ExpressionError as exc:
            problems.append((where, f"bad expression {text!r}: {exc}"))

    arrival_files: dict[tuple, Any] = {}
    seen_versions: dict[tuple, int] = {}
    keys = {j.key for j in scenario.journeys}
    for j, journey in enumerate(scenario.journeys):
        jwhere = ("journeys", j)
        if (journey.key, journey.version) in seen_versions:
            problems.append((jwhere + ("version",), f"journey {journey.key!r} version {journey.version} is defined twice "
                             f"(also journeys[{seen_versions[(journey.key, journey.version)]}])"))
        seen_versions[(journey.key, journey.version)] = j
        problems += [(jwhere + p, m) for p, m in structure_problems(journey, keys)]
        for node_id, node in journey.nodes.items():
            nwhere = jwhere + ("nodes", node_id)
            if isinstance(node, ConditionNode):
                for b, branch in enumerate(node.branches):
                    if isinstance(branch, WhenBranch):
                        compile_at((j, node_id, b), nwhere + ("branches", b, "when"), branch.when)
            elif isinstance(node, (ReadAudienceNode, EventLike)) and node.audience is not None:
                compile_at((j, node_id, "audience"), nwhere + ("audience",), node.audience)
            elif isinstance(node, UpdateProfileNode):
                problems += _assignment_problems(node.set, kinds, nwhere + ("set",))
            if isinstance(node, EventLike) and node.arrivals is not None and hasattr(node.arrivals, "file"):
                try:
                    arrival_files[(j, node_id)] = read_arrival_times(base / node.arrivals.file)
                except ValueError as exc:
                    problems.append((nwhere + ("arrivals", "file"), str(exc)))
        for i, criterion in enumerate(journey.exit_criteria):
            compile_at((j, "exit_criteria", i), jwhere + ("exit_criteria", i, "when"), criterion.when)

    policy = resolve_policy(scenario.platform, scenario.policy.model_dump(exclude_none=True))
    timeline, timeline_problems = plan_timeline(scenario, policy)
    problems += timeline_problems
    for step in timeline:
        where = ("timeline", step.index, step.kind)
        if step.kind == "global_filter" and step.action.exclude is not None:
            compile_at(("timeline", step.index), where + ("exclude",), step.action.exclude)
        elif step.kind == "update_profiles":
            compile_at(("timeline", step.index), where + ("where",), step.action.where)
            problems += _assignment_problems(step.action.set, kinds, where + ("set",))

    if scenario.report_every < scenario.resolution:
        problems.append((("report_every",), "report_every must be at least the resolution"))
    if problems:
        unique = list(dict.fromkeys(problems))
        raise ScenarioError([source.problem(p, m) for p, m in unique])
    counts: dict[str, int] = {}
    for journey in scenario.journeys:
        counts[journey.key] = counts.get(journey.key, 0) + 1
    labels = [j.key if counts[j.key] == 1 else j.label for j in scenario.journeys]
    return LoadedScenario(scenario, path, source, policy, kinds, expressions, labels, timeline, frame, arrival_files)


def read_arrival_times(path: Path) -> Any:
    """Seconds since the start, one per non-comment line (a number or a duration); sorted."""
    import numpy as np

    from .units import parse_duration

    try:
        lines = path.read_text().splitlines()
    except OSError as exc:
        raise ValueError(f"cannot read arrivals file {path.name!r}: {exc.strerror}") from None
    times = []
    for number, line in enumerate(lines, 1):
        text = line.split("#", 1)[0].strip().strip(",")
        if not text or (number == 1 and not text[0].isdigit()):
            continue  # blank, comment or a header line
        try:
            times.append(float(text))
        except ValueError:
            try:
                times.append(parse_duration(text))
            except ValueError:
                raise ValueError(f"arrivals file {path.name!r} line {number}: {text!r} is not a time") from None
    return np.sort(np.asarray(times, dtype=float))


def _assignment_problems(assignments: dict, kinds: dict[str, str], where: tuple) -> list[tuple[tuple, str]]:
    problems = []
    for name, value in assignments.items():
        kind = kinds.get(name)
        if kind is None:
            close = difflib.get_close_matches(name, list(kinds), n=1)
            problems.append((where + (name,), f"unknown attribute {name!r}" + (f" (did you mean {close[0]!r}?)" if close else "")))
            continue
        actual = "bool" if isinstance(value, bool) else "text" if isinstance(value, str) else "number"
        if actual != kind:
            problems.append((where + (name,), f"attribute {name!r} holds {kind} values, got {value!r}"))
    return problems
