"""Scenario loading: YAML -> pydantic -> semantic checks, with every problem reported at once.

``load(path)`` returns a ``LoadedScenario`` or raises ``ScenarioError`` whose problems name the
file, line, column and key path.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from . import hints
from . import population as pop
from .errors import Problem, ScenarioError
from .expr import Expression, ExpressionError, compile_expression
from .importers.in_scenario import expand_imports
from .inputs import MAX_ARRIVALS_BYTES, MAX_VALUE_CHARS, InputRefused, file_problem, read_bytes
from .model.graph import jump_loop, structure_problems
from .model.policy import PausePolicy, resolve_policy
from .model.timeline import PlannedAction, plan_timeline
from .schema import ConditionNode, EventLike, ReadAudienceNode, Scenario, UpdateProfileNode, WhenBranch
from .units import format_duration
from .yamlio import SourceMap, load_yaml

if TYPE_CHECKING:
    import pandas as pd

ALL = "all"
MAX_SAMPLES = 1_000_000  # time-series samples (duration / report_every): the engine keeps one count per sample
MAX_SERIES_CELLS = 10_000_000  # samples times nodes: up to three counts (queued, waiting, held) per node and sample


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
    warnings: list[Problem] = field(default_factory=list)  # printed, not refused (hints.py)

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
            # the key as the data holds it (pydantic reports a key true as 1, a key null as 'None')
            part = next((k for k in current if k == part and type(k) is type(part)), next(k for k in current if k == part))
            path.append(part)
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            path.append(part)
            current = current[part]
    return tuple(path)


_TYPE_KINDS = ("int_type", "int_parsing", "float_type", "float_parsing", "string_type", "bool_type", "bool_parsing",
               "dict_type", "list_type", "model_type", "model_attributes_type", "int_from_float")
_MAPPING_KINDS = ("dict_type", "model_type", "model_attributes_type")


def _shown(value: Any, limit: int = 80) -> str:
    """repr of a value a user wrote, cut short so that one problem stays one readable line; YAML's null, true
    and false as the file writes them, not Python's None, True and False."""
    if value is None or isinstance(value, bool):
        return "null" if value is None else str(value).lower()
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _keys_here(path: tuple, node_type: Any) -> set[str]:
    """The keys the format allows in the mapping at ``path`` (a node's: its type's), for a did-you-mean."""
    from .overrides import _fields_at

    if isinstance(node_type, str) and len(path) >= 2 and path[-2] == "nodes":
        model = _NODE_MODELS.get(node_type)
        return set(model.model_fields) if model else set()
    return _fields_at(path)


def _node_models() -> dict[str, type[BaseModel]]:
    found = {}
    for model in _model_args(Scenario.model_fields["journeys"].annotation):
        for info in model.model_fields.values():
            for node in _model_args(info.annotation):
                tag = node.model_fields.get("type")
                for value in getattr(tag.annotation, "__args__", ()) if tag else ():
                    if isinstance(value, str):
                        found[value] = node
    return found


_NODE_MODELS = _node_models()


def _at(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data


# bounds a value broke, in words: "resolution: expected a duration of at least 1ms, got '0.5ms'"
_BOUND_KINDS = {"greater_than": ("of more than", "gt"), "greater_than_equal": ("of at least", "ge"),
                "less_than": ("of less than", "lt"), "less_than_equal": ("of at most", "le")}
_DURATION_KEYS = {"duration", "resolution", "report_every", "per", "cap_check_every", "max_pause"}


def _message(error: dict, data: Any) -> tuple[tuple, str]:
    loc = tuple(error["loc"])
    path = _data_path(data, loc)
    kind = error["type"]
    message = error["msg"]
    if kind == "extra_forbidden":
        key = loc[-1]
        path = _data_path(data, loc)
        parent = _at(data, path[:-1])
        node_type = parent.get("type") if isinstance(parent, dict) else None
        here = _keys_here(path[:-1], node_type)
        close_here = difflib.get_close_matches(str(key)[:100], sorted(here - {key}), n=1)
        if close_here:  # journeys in a global_filter: the key this place takes is journey
            message = f"unknown key {key!r} (did you mean {close_here[0]!r}?)"
        elif key in _KNOWN_KEYS:  # a real key, in the wrong place: suggesting it again would not help
            article = "an" if isinstance(node_type, str) and node_type[:1] in "aeiou" else "a"
            message = (f"unknown key {key!r}: {article} {node_type} node takes no {key!r}" if isinstance(node_type, str)
                       else f"unknown key {key!r}: it does not belong here")
        elif here:  # a key close to none this place takes: say which it takes, not a key of elsewhere
            shown = ", ".join(sorted(here)[:15]) + (", …" if len(here) > 15 else "")
            message = f"unknown key {_shown(str(key), 40)} (the keys here: {shown})"
        else:
            close = difflib.get_close_matches(str(key), _KNOWN_KEYS, n=1)
            message = f"unknown key {key!r}" + (f" (did you mean {close[0]!r}?)" if close else "")
    elif kind == "invalid_key":
        key = error.get("input")
        path = _data_path(data, loc[:-1]) + (key,)
        shown = "null" if key is None else str(key).lower() if isinstance(key, bool) else _shown(key)
        message = f"key {shown} must be text" + (
            " (YAML reads yes/no/on/off as true/false: quote it)" if isinstance(key, bool) else ": quote it")
    elif kind == "missing":
        message = f"missing required key {loc[-1]!r}"
        path = _data_path(data, loc[:-1]) + (loc[-1],)
    elif kind == "union_tag_invalid":
        ctx = error.get("ctx", {})
        tag = ctx.get("tag")
        options = [t.strip().strip("'") for t in ctx.get("expected_tags", "").split(",")]
        close = difflib.get_close_matches(str(tag)[:100], options, n=1)
        message = (f"unknown node type {_shown(str(tag), 40)}" + (f" (did you mean {close[0]!r}?)" if close else "")
                   + f"; a node type is one of {', '.join(options)}")
        path = path + ("type",)
    elif kind == "union_tag_not_found":
        message = "missing 'type' (event, read_audience, wait, condition, action, end, ...)"
    elif message.startswith("Value error, "):
        message = message[len("Value error, "):]
    elif kind in _BOUND_KINDS:
        try:
            written = _at(data, path)
        except (KeyError, IndexError, TypeError):
            written = error.get("input")
        limit = (error.get("ctx") or {}).get(_BOUND_KINDS[kind][1])
        if loc[-1] in _DURATION_KEYS and isinstance(limit, (int, float)):
            shown = f"{limit * 1000:g}ms" if 0 < limit < 1 else format_duration(limit)
            message = f"expected a duration {_BOUND_KINDS[kind][0]} {shown}"
        message = f"{message}, got {_shown(written)}"
    elif kind == "literal_error" and loc == ("platform",):
        message = _unknown_platform(error.get("input"))
    elif kind == "literal_error":
        message = f"{message}, got {_shown(error.get('input'))}"
    elif kind in _MAPPING_KINDS:  # pydantic names its own classes here ("instance of PauseAction"): say what to write
        message = f"expected a mapping (key: value), got {_shown(error.get('input'))}"
    elif kind == "int_from_float":  # pydantic: "a valid integer, got a number with a fractional part", then our "got"
        message = f"expected a whole number, got {_shown(error.get('input'))}"
    elif kind == "too_short":  # pydantic: "List should have at least 1 item after validation, not 0"
        ctx = error.get("ctx") or {}
        least, actual = ctx.get("min_length", 1), ctx.get("actual_length", 0)
        what = "entry" if ctx.get("field_type") == "Dictionary" else "item"
        plural = ("entries" if what == "entry" else "items") if least != 1 else what
        message = f"expected at least {least} {plural}, got {'none' if not actual else actual}"
    elif kind == "string_too_short":
        message = f"expected some text, got {_shown(error.get('input'))}"
    elif kind in _TYPE_KINDS:
        value = error.get("input")
        message = f"{message}, got {_shown(value)}"
        if kind == "string_type" and isinstance(value, bool):
            message += " (YAML reads yes/no/on/off as true/false: quote it)"
    return path, message


def _unknown_platform(value: Any) -> str:
    from .model.presets import PLATFORMS

    close = difflib.get_close_matches(str(value), PLATFORMS, n=1)
    return (f"unknown platform {_shown(value)}" + (f" (did you mean {close[0]!r}?)" if close else "")
            + f"; the presets are {', '.join(PLATFORMS)} (journeysim presets)")


def _schema_problems(exc: ValidationError, data: Any, source: SourceMap) -> list[Problem]:
    errors = exc.errors()
    # A value that fits no member of a union of plain types (update_profile's set: bool | int | float | str)
    # gets one error per member: say it once.
    type_errors: dict[tuple, list[str]] = {}
    for error in errors:
        if error["type"] in _TYPE_KINDS:
            type_errors.setdefault(_data_path(data, tuple(error["loc"])), []).append(error["msg"])
    problems = []
    seen = set()
    for error in errors:
        path, message = _message(error, data)
        expected = type_errors.get(path, [])
        if error["type"] in _TYPE_KINDS and len(expected) > 1:
            kinds = [m.removeprefix("Input should be a valid ").split(",")[0] for m in expected]
            message = f"Input should be a valid {', '.join(kinds[:-1])} or {kinds[-1]}, got {_shown(error.get('input'))}"
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
    import_warnings = expand_imports(data, path, source, overrides)
    if overrides:
        written = _override_paths(data, overrides)
        apply_overrides(data, overrides)
        source.overridden = written
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_schema_problems(exc, data, source)) from None
    loaded = check(scenario, path, source)
    loaded.warnings[:0] = import_warnings
    return loaded


def _override_paths(data: Any, overrides: list) -> set[tuple]:
    """The key paths (list items by index) that --set options will write (read before they are applied)."""
    from .overrides import list_index

    found = set()
    for path, _, _ in overrides:
        current, resolved = data, []
        try:
            for part in path:
                if isinstance(part, tuple):  # a list item named by its key
                    part = next(i for i, item in enumerate(current) if isinstance(item, dict) and item.get("key") == part[1])
                elif isinstance(current, list) and isinstance(list_index(part), int):
                    part = list_index(part) % len(current)  # -1: the last item
                resolved.append(part)
                current = current.get(part) if isinstance(current, dict) else current[part] if isinstance(current, list) else None
        except (TypeError, StopIteration, ZeroDivisionError):
            continue  # apply_overrides names the path that does not exist
        found.add(tuple(resolved))
    return found


def check(scenario: Scenario, path: Path, source: SourceMap) -> LoadedScenario:
    problems: list[tuple[tuple, str]] = []
    base = path.parent

    frame = None
    file_ids = None  # the profile ids of a population file (a generated one's are 0 to size - 1)
    kinds: dict[str, str] = {}
    attributes_known = True  # False when the population file cannot be read: attribute names are then unchecked
    popspec = scenario.population
    if popspec.file is not None:
        file = base / popspec.file
        try:
            problem = file_problem(file)
            if problem:
                raise pop.PopulationError(f"cannot read population file {_shown(popspec.file)}: {problem}")
            frame = pop.read_table(file)
            population = pop.from_frame(frame, popspec.file)
            file_ids = population.ids
            kinds = {name: pop.column_kind(col) for name, col in population.columns.items()}
        except pop.PopulationError as exc:
            problems.append((("population", "file"), str(exc)))
            frame, attributes_known = None, False
        except Exception as exc:  # whatever a reader raises on a damaged file is the file's problem, not a crash
            problems.append((("population", "file"), f"cannot read population file {popspec.file!r}: {exc}".splitlines()[0]))
            frame, attributes_known = None, False
    else:
        kinds = {name: pop.generator_kind(g) for name, g in popspec.attributes.items()}
        for name, generator in popspec.attributes.items():
            values = [v for v, _ in generator.args] if generator.kind == "choice" else [generator.args]
            longest = max((len(v) for v in values if isinstance(v, str)), default=0)
            if longest > MAX_VALUE_CHARS:
                problems.append((("population", "attributes", name), f"a text value of {longest:,} characters, more than "
                                 f"{MAX_VALUE_CHARS:,}: every profile's value is stored that wide"))
        try:
            pop.check_fits(popspec.size or 0, pop.attribute_bytes(kinds), len(scenario.journeys))
        except pop.PopulationError as exc:
            problems.append((("population", "size"), str(exc)))
    for name in kinds:
        if not name.isidentifier():
            problems.append((("population", "attributes", name), f"attribute name {name!r} must be letters, digits and _, not starting with a digit"))

    expressions: dict[tuple, Expression] = {}
    known_values = hints.known_text_values(popspec, frame, kinds) if attributes_known else {}
    warnings: list[tuple[tuple, str]] = []

    def compile_at(key: tuple, where: tuple, text: str, all_ok: bool = False) -> None:
        if text.strip() == ALL:
            if not all_ok:  # 'all' names an audience; here it would be a condition that is always true
                problems.append((where, "'all' selects an audience and is not a condition: write one "
                                        "('true' holds for every profile)"))
            return
        try:
            expressions[key] = compile_expression(text, kinds if attributes_known else None, kinds=kinds)
        except ExpressionError as exc:
            problems.append((where, f"bad expression {_shown(text, 60)}: {exc}"))
            return
        warnings.extend((where, f"warning: {message}") for message in hints.unmatched_values(text, known_values))

    arrival_files: dict[tuple, Any] = {}
    seen_versions: dict[tuple, int] = {}
    keys = {j.key for j in scenario.journeys}
    for j, journey in enumerate(scenario.journeys):
        jwhere = ("journeys", j)
        if (journey.key, journey.version) in seen_versions:
            problems.append((jwhere + ("version",), f"journey {journey.key!r} version {journey.version} is defined twice "
                             f"(also journeys[{seen_versions[(journey.key, journey.version)]}])"))
        seen_versions[(journey.key, journey.version)] = j
        problems += [(jwhere + p, m) for p, m in structure_problems(journey, keys, scenario.resolution)]
        for node_id, node in journey.nodes.items():
            nwhere = jwhere + ("nodes", node_id)
            if isinstance(node, ConditionNode):
                for b, branch in enumerate(node.branches):
                    if isinstance(branch, WhenBranch):
                        compile_at((j, node_id, b), nwhere + ("branches", b, "when"), branch.when)
            elif isinstance(node, (ReadAudienceNode, EventLike)) and node.audience is not None:
                compile_at((j, node_id, "audience"), nwhere + ("audience",), node.audience, all_ok=True)
            elif isinstance(node, UpdateProfileNode) and attributes_known:
                problems += _assignment_problems(node.set, kinds, nwhere + ("set",))
            if isinstance(node, EventLike) and node.arrivals is not None and hasattr(node.arrivals, "file"):
                try:
                    arrival_files[(j, node_id)] = read_arrival_times(base / node.arrivals.file, scenario.start)
                except ValueError as exc:
                    problems.append((nwhere + ("arrivals", "file"), str(exc)))
        for i, criterion in enumerate(journey.exit_criteria):
            compile_at((j, "exit_criteria", i), jwhere + ("exit_criteria", i, "when"), criterion.when)

    if not problems:
        loop = jump_loop(scenario.journeys, scenario.resolution)
        if loop:
            first = next(j for j, journey in enumerate(scenario.journeys) if journey.key == loop[0][0])
            shown = " -> ".join(f"{key}.{node}" for key, node in loop + [loop[0]])
            problems.append((("journeys", first, "nodes", loop[0][1]),
                             f"loop through a jump that takes no time: {shown} (a profile would jump round it "
                             "forever at one instant; put a wait with a duration on the loop, or end it)"))
    policy = resolve_policy(scenario.platform, scenario.policy.model_dump(exclude_none=True))
    timeline, timeline_problems = plan_timeline(scenario, policy)
    problems += timeline_problems
    for step in timeline:
        where = ("timeline", step.index, step.kind)
        if step.kind == "global_filter" and step.action.exclude is not None:
            compile_at(("timeline", step.index), where + ("exclude",), step.action.exclude)
        elif step.kind == "update_profiles":
            compile_at(("timeline", step.index), where + ("where",), step.action.where, all_ok=True)
            if attributes_known:
                problems += _assignment_problems(step.action.set, kinds, where + ("set",))
        elif step.kind == "contact_exit" and attributes_known:
            warnings.extend((where + ("profiles",), message)
                            for message in _unknown_profiles(step.action.profiles, file_ids, popspec.size))

    if scenario.report_every < scenario.resolution:
        problems.append((("report_every",), "report_every must be at least the resolution"))
    samples = scenario.duration / scenario.report_every
    if samples > MAX_SAMPLES:
        problems.append((("duration",), f"duration / report_every makes {samples:,.0f} time-series samples, at most {MAX_SAMPLES:,}: "
                                        "shorten the duration or sample less often (report_every)"))
    else:
        nodes = sum(len(journey.nodes) for journey in scenario.journeys)
        if samples * nodes > MAX_SERIES_CELLS:
            longest = scenario.duration * nodes / MAX_SERIES_CELLS
            longest = math.ceil(longest / 60) * 60 if longest > 60 else math.ceil(longest)  # read back at its rounding
            problems.append((("report_every",), f"{samples:,.0f} time-series samples of {nodes:,} nodes make {samples * nodes:,.0f} counts, "
                                                f"at most {MAX_SERIES_CELLS:,} (the memory of timeseries.parquet): sample less often "
                                                f"(report_every of at least {format_duration(longest)}) or shorten the duration"))
    if problems:
        unique = list(dict.fromkeys(problems))
        raise ScenarioError([source.problem(p, m) for p, m in unique])
    counts: dict[str, int] = {}
    for journey in scenario.journeys:
        counts[journey.key] = counts.get(journey.key, 0) + 1
    labels = [j.key if counts[j.key] == 1 else j.label for j in scenario.journeys]
    return LoadedScenario(scenario, path, source, policy, kinds, expressions, labels, timeline, frame, arrival_files,
                          [source.problem(p, m) for p, m in dict.fromkeys(warnings)])


def read_arrival_times(path: Path, start: Any = None) -> Any:
    """Seconds since the start, one per non-comment line, sorted: a number of seconds of 0 or more, a
    duration (``1h 30m``) or, when the scenario has a calendar ``start`` (C1), a date-time (one without an
    offset or zone is read in the start's zone). A first line that is none of these and starts with a
    letter is a header; any other line that is not a time refuses the file, naming the line."""
    import numpy as np

    from .units import MAX_SECONDS, is_datetime_text, parse_datetime, parse_duration, seconds_between

    try:
        lines = read_bytes(path, MAX_ARRIVALS_BYTES, "arrivals file").decode("utf-8").splitlines()
    except InputRefused as exc:
        raise ValueError(f"cannot read arrivals file {_shown(path.name)}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"cannot read arrivals file {_shown(path.name)}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ValueError(f"cannot read arrivals file {_shown(path.name)}: {exc.strerror}") from None

    def seconds(text: str) -> float:
        if is_datetime_text(text):
            if start is None:
                raise ValueError("a date-time needs the scenario's start: add start: 2026-11-27T00:00:00-05:00 "
                                 "(or a zone name) to the scenario, or write seconds since the start")
            when = parse_datetime(text, start.tzinfo)
            elapsed = seconds_between(start, when)
            if elapsed < 0:
                raise ValueError(f"it is {format_duration(-elapsed)} before the scenario start")
            return elapsed
        try:
            number = float(text)
        except ValueError:
            return parse_duration(text)
        if not math.isfinite(number) or number < 0:
            raise ValueError("a time is a finite number of 0 or more seconds since the start")
        return number

    times = []
    for number, line in enumerate(lines, 1):
        text = line.split("#", 1)[0].strip().strip(",").strip()
        if not text:
            continue  # blank or a comment
        try:
            value = seconds(text)
        except ValueError as exc:
            if number == 1 and text[0].isalpha():
                continue  # a header line (t, time, timestamp, ...)
            reason = str(exc) if str(exc).startswith(("a ", "it ")) else (
                "write seconds since the start, a duration like 1h 30m"
                + (", or a date-time like 2026-11-27T09:00" if start is not None else ""))
            raise ValueError(f"arrivals file {_shown(path.name)} line {number}: {_shown(text)} is not an arrival time: "
                             f"{reason}") from None
        if value > MAX_SECONDS:
            raise ValueError(f"arrivals file {_shown(path.name)} line {number}: {_shown(text)} is more than "
                             f"100 years after the start")
        times.append(value)
    return np.sort(np.asarray(times, dtype=float))


def _unknown_profiles(profiles: list[int], file_ids: Any, size: int | None) -> list[str]:
    """A warning naming the ids a contact_exit gives that no profile has: never inside, they are left alone."""
    import numpy as np

    if file_ids is None:
        unknown = [p for p in profiles if not 0 <= p < (size or 0)]
        holds = f"its profile ids are 0 to {(size or 0) - 1:,}" if size else "it has no profiles"
    else:
        unknown = [p for p, known in zip(profiles, np.isin(profiles, file_ids)) if not known]
        holds = "not in the population file's profile_id column"
    if not unknown:
        return []
    shown = ", ".join(str(p) for p in unknown[:5]) + (f" and {len(unknown) - 5:,} more" if len(unknown) > 5 else "")
    one = len(unknown) == 1
    return [f"warning: no profile of the population has the id{'' if one else 's'} {shown} ({holds}): "
            f"nothing happens to {'it' if one else 'them'}"]


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
        elif isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
            problems.append((where + (name,), f"a text value of {len(value):,} characters, more than {MAX_VALUE_CHARS:,}: "
                                              "every profile's value is stored that wide"))
    return problems
