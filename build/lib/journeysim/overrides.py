"""``--set PATH=VALUE`` overrides, applied to the parsed scenario before it is validated.

PATH uses the scenario's own key paths: ``org.resume_rate``, ``timeline[0].at``,
``journeys[cart-abandon].nodes.wait_1.duration`` (a list item by index or by its ``key``).
VALUE is read as YAML (``2000/s``, ``{uniform: [1h, 2d]}``, ``true``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem, ScenarioError
from .yamlio import load_value

_SEGMENT = re.compile(r"([^.\[\]]+)|\[([^\]]+)\]")

Override = tuple[tuple, Any, str]


def parse_path(text: str) -> tuple:
    parts: list = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        if text[pos] == ".":
            pos += 1
            continue
        match = _SEGMENT.match(text, pos)
        if not match:
            raise ValueError(f"cannot read key path {text!r}")
        if match.group(1) is not None:
            parts.append(match.group(1))
        else:
            inner = match.group(2)
            parts.append(int(inner) if inner.lstrip("-").isdigit() else ("key", inner))
        pos = match.end()
    if not parts:
        raise ValueError("empty key path")
    return tuple(parts)


def split_values(text: str, separator: str = ",") -> list[str]:
    """``1h,2d`` -> ``['1h', '2d']``; separators inside brackets, braces or quotes do not split."""
    values, depth, quote, start = [], 0, None, 0
    for i, ch in enumerate(text):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "[{(":
            depth += 1
        elif ch in "]})":
            depth -= 1
        elif ch == separator and depth == 0:
            values.append(text[start:i].strip())
            start = i + 1
    values.append(text[start:].strip())
    return values


def parse_overrides(file: str, sets: tuple[str, ...] | list[str], source: str = "--set") -> list[Override]:
    """``PATH=VALUE`` texts as overrides; problems are blamed on ``source`` (the option they came from)."""
    overrides: list[Override] = []
    problems = []
    for text in sets:
        if "=" not in text:
            problems.append(Problem(source, 1, 1, text, "expected PATH=VALUE"))
            continue
        path_text, value_text = text.split("=", 1)
        try:
            path = parse_path(path_text)
        except ValueError as exc:
            problems.append(Problem(source, 1, 1, path_text, str(exc).splitlines()[0]))
            continue
        try:
            value = load_value(value_text, source) if value_text.strip() else ""
        except ScenarioError as exc:
            problems += [Problem(source, 1, 1, path_text, p.message) for p in exc.problems]
            continue
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            problems.append(Problem(source, 1, 1, path_text, f"cannot read the value {value_text!r} as YAML: "
                                                            f"{problem} (quote it, or close its brackets)"))
            continue
        overrides.append((path, value, text))
    if problems:
        raise ScenarioError(problems)
    return overrides


def list_index(part: Any) -> Any:
    """``journeys.0.key`` names list item 0 like ``journeys[0].key``: a dotted number is an index."""
    if isinstance(part, str) and part.lstrip("-").isdigit() and len(part) < 20:
        return int(part)
    return part


def _paths(data: Any, prefix: str = "") -> list[str]:
    found = []
    if isinstance(data, dict):
        for key, value in data.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            found.append(path)
            found += _paths(value, path)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            label = value.get("key") if isinstance(value, dict) and "key" in value else i
            path = f"{prefix}[{label}]"
            found.append(path)
            found += _paths(value, path)
    return found


def _format(path: tuple) -> str:
    text = ""
    for part in path:
        if isinstance(part, tuple):
            text += f"[{part[1]}]"
        elif isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _depth(text: str) -> int:
    try:
        return len(parse_path(text))
    except ValueError:
        return -1


def _models(annotation: Any) -> list:
    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found = []
    for arg in getattr(annotation, "__args__", ()) or ():
        found += _models(arg)
    return found


def _fields_at(prefix: tuple) -> set[str]:
    """The key names the scenario format allows after ``prefix`` (for a hint)."""
    from .schema import Scenario

    models: list = [Scenario]
    free_key = False  # the next part is a key of a dict field (a node id), not a field name
    for part in prefix:
        if not isinstance(part, str):
            continue  # a list item: the same models
        if free_key:
            free_key = False
            continue
        infos = [m.model_fields[part] for m in models if part in m.model_fields]
        models = [m for info in infos for m in _models(info.annotation)]
        free_key = any(getattr(info.annotation, "__origin__", None) is dict for info in infos)
    return set() if free_key else {name for m in models for name in m.model_fields}


def _schema_keys() -> set[str]:
    from .loader import known_keys
    return set(known_keys())


def apply_overrides(data: dict, overrides: list[Override]) -> None:
    """Set each value in place; a path that does not exist raises ScenarioError naming the closest."""
    problems = []
    for path, value, text in overrides:
        current: Any = data
        resolved: list = []
        error = None
        for i, part in enumerate(path):
            last = i == len(path) - 1
            if isinstance(part, tuple):
                items = [k for k, item in enumerate(current) if isinstance(item, dict) and item.get("key") == part[1]] \
                    if isinstance(current, list) else []
                if not items:
                    error = f"no list item with key {part[1]!r}"
                    break
                part = items[0]
            if isinstance(current, list):
                part = list_index(part)
                if not isinstance(part, int):
                    error = f"{part!r} is not a list position: write [0] or [KEY] for a list item"
                    break
                if not -len(current) <= part < len(current):
                    error = (f"index {part} is out of range: the list has {len(current)} item"
                             + ("s" if len(current) != 1 else "") + (f" (0 to {len(current) - 1})" if current else ""))
                    break
            elif isinstance(current, dict):
                if part not in current and not last:
                    if part not in _schema_keys():
                        error = f"no key {part!r}"
                        break
                    current[part] = {}
            else:
                error = f"{'.'.join(map(str, resolved)) or 'the scenario'} holds a value, not keys"
                break
            resolved.append(part)
            if last:
                current[part] = value
            else:
                current = current[part]
        if error:
            wanted = text.split("=", 1)[0]
            valid = _paths(data)
            close = difflib.get_close_matches(wanted, valid, n=1, cutoff=0.5)
            if not close:  # e.g. org.resum.x: the closest path to the part up to the one that failed
                failed = _format(path[:len(resolved) + 1])
                depth = [p for p in valid if _depth(p) == _depth(failed)]
                close = difflib.get_close_matches(failed, depth, n=1, cutoff=0.5)
            hint = f" (closest valid path: {close[0]})" if close else ""
            segment = path[len(resolved)] if len(resolved) < len(path) else None
            if not close and isinstance(segment, str):  # a section the file does not write yet
                here = _fields_at(path[:len(resolved)])
                known = difflib.get_close_matches(segment, sorted(here), n=1)
                hint = f" (closest valid path: {_format(path[:len(resolved)] + (known[0],))})" if known else ""
            problems.append(Problem("--set", 1, 1, wanted, error + hint))
    if problems:
        raise ScenarioError(problems)


def paths_written(scenario: str | Path, paths: Iterable[str]) -> set[str]:
    """Overridden key paths as written and as the loader names them (journeys[cart] -> journeys[0])."""
    from .loader import _override_paths
    from .yamlio import format_path, load_yaml

    names = set(paths)
    try:
        data, _ = load_yaml(Path(scenario))
        names |= {format_path(p) for p in _override_paths(data, parse_overrides(str(scenario), [f"{k}=0" for k in names]))}
    except ScenarioError:
        pass
    return names


def blamed_on(problems: list[Problem], source: str, written: set[str]) -> list[Problem]:
    """The problems at (or under) the key paths ``written`` blamed on ``source`` (the option that wrote
    them: --grid, --variant NAME) rather than on --set."""
    return [replace(p, file=source) if p.file == "--set" and _under(p.path, written) else p for p in problems]


def _under(path: str, written: set[str]) -> bool:
    return any(path == name or path.startswith((name + ".", name + "[")) for name in written)
