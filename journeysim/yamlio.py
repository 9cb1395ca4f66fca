"""YAML reading that refuses duplicate keys and remembers where every key path is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import Problem, ScenarioError

Location = tuple[int, int]  # 1-based line, column


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a mapping key written twice (PyYAML keeps the last one)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first written on line {seen[key].start_mark.line + 1})",
                key_node.start_mark,
            )
        seen[key] = key_node
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _index_locations(node: yaml.Node, path: tuple, out: dict[tuple, Location]) -> None:
    out[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            _index_locations(value_node, path + (key,), out)
            out[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index_locations(item, path + (i,), out)


class SourceMap:
    """Maps a key path (tuple of keys and list indices) to where it is written."""

    def __init__(self, file: str, locations: dict[tuple, Location]):
        self.file = file
        self.locations = locations

    def locate(self, path: tuple) -> Location:
        path = tuple(path)
        while path and path not in self.locations:
            path = path[:-1]
        return self.locations.get(path, (1, 1))

    def problem(self, path: tuple, message: str) -> Problem:
        line, column = self.locate(path)
        return Problem(self.file, line, column, format_path(path), message)


def format_path(path: tuple) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def load_yaml(path: Path) -> tuple[Any, SourceMap]:
    """Parsed document and its source map; a ScenarioError for unreadable or invalid YAML."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioError([Problem(name, 1, 1, "", f"cannot read scenario file: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError([Problem(name, 1, 1, "", f"not a UTF-8 text file (byte {exc.start}): is it a YAML scenario?")]) from None
    if "\x00" in text:
        raise ScenarioError([Problem(name, 1, 1, "", "binary data (NUL bytes): not a YAML scenario")])
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = exc.problem or str(exc)
        if exc.context and "duplicate" not in message:
            message = f"{exc.context}: {message}"
        raise ScenarioError([Problem(name, line, column, "", f"YAML: {message}")]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem(name, 1, 1, "", f"YAML: {exc}")]) from None
    if node is None or data is None:
        raise ScenarioError([Problem(name, 1, 1, "", "empty scenario file: expected a mapping with name, population, journeys")])
    if not isinstance(data, dict):
        raise ScenarioError([Problem(name, 1, 1, "", f"a scenario is a mapping of keys, got a {type(data).__name__}")])
    locations: dict[tuple, Location] = {}
    _index_locations(node, (), locations)
    return data, SourceMap(name, locations)
