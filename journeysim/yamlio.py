"""YAML reading that refuses duplicate keys and remembers where every key path is written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem, ScenarioError
from .inputs import MAX_SCENARIO_BYTES, InputRefused, read_bytes

Location = tuple[int, int]  # 1-based line, column

MAX_DEPTH = 64  # nesting levels of mappings and lists; far beyond any scenario, far below the recursion limit
MAX_VALUES = 1_000_000  # values once aliases are expanded (a few aliases of aliases can make billions)
MAX_DIGITS = 100  # a plain number longer than this is a mistake (Python refuses to read ints past 4,300 digits)
_LONG_NUMBER = re.compile(r"[-+]?[0-9_.,:eExXoObB+-]+")
# libyaml's parser when PyYAML has it (ten times faster: an imported journey of 10,000 activities is a 1 MB scenario);
# the nodes it composes are PyYAML's, built into data by the same Python constructor. A file it refuses is read again
# with the pure-Python parser, whose messages (and marks) are the ones the user sees. libyaml reads two things the
# pure-Python parser refuses: a tab after 'key:', a byte order mark past the start and a '?' inside an unquoted value
# in braces ({n?xt: a}); a file that may hold one is read by the pure-Python parser only, so every file reads as ever.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DOUBLE_QUOTED = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def _read_alike(text: str) -> bool:
    """Whether libyaml and the pure-Python parser read ``text`` alike: no tab, and no '?' outside comments and
    double-quoted text (where the import writes the names and expressions that hold one)."""
    if "\t" in text or "\ufeff" in text[1:]:
        return False
    if "?" not in text:
        return True
    for line in text.splitlines():
        line = line.lstrip()
        if "?" in line and not line.startswith("#") and "?" in _DOUBLE_QUOTED.sub("", line):
            return False
    return True


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a mapping key written twice (PyYAML keeps the last one)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    loader.flatten_mapping(node)
    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, (list, dict, set)):
            raise yaml.constructor.ConstructorError(
                None, None, f"a key must be a name or a number, not a {'list' if isinstance(key, list) else 'mapping'}",
                key_node.start_mark)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first written on line {seen[key].start_mark.line + 1})",
                key_node.start_mark,
            )
        seen[key] = key_node
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _index_locations(node: yaml.Node, path: tuple, out: dict[tuple, Location], keys: yaml.SafeLoader) -> None:
    out[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            try:
                key = keys.construct_object(key_node, deep=True)  # 5, true, null: the key as the data holds it
            except yaml.YAMLError:  # a merge key '<<'
                continue
            if isinstance(key, (list, dict, set)):
                continue
            _index_locations(value_node, path + (key,), out, keys)
            out[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index_locations(item, path + (i,), out, keys)


class SourceMap:
    """Maps a key path (tuple of keys and list indices) to where it is written."""

    def __init__(self, file: str, locations: dict[tuple, Location]):
        self.file = file
        self.locations = locations
        self.overridden: set[tuple] = set()  # key paths a --set wrote: a problem there is the option's, not the file's

    def locate(self, path: tuple) -> Location:
        path = tuple(path)
        while path and path not in self.locations:
            path = path[:-1]
        return self.locations.get(path, (1, 1))

    def problem(self, path: tuple, message: str) -> Problem:
        path = tuple(path)
        if any(path[:end] in self.overridden for end in range(len(path), 0, -1)):
            return Problem("--set", 1, 1, format_path(path), message)
        line, column = self.locate(path)
        return Problem(self.file, line, column, format_path(path), message)


def format_path(path: tuple) -> str:
    text = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{part}]"
        else:
            name = part if isinstance(part, str) else "null" if part is None else str(part).lower()
            text += f".{name}" if text else name
    return text


def _check_size(text: str, name: str, loader: type = yaml.SafeLoader) -> None:
    """Refuse documents nested too deeply or whose aliases expand too much, before building them."""
    sizes: dict[str, int] = {}
    stack: list[list] = [[None, 0]]  # [anchor, values so far] per open collection
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            stack.append([event.anchor, 0])
            if len(stack) - 1 > MAX_DEPTH:
                raise ScenarioError([Problem(name, event.start_mark.line + 1, event.start_mark.column + 1, "",
                                             f"nested more than {MAX_DEPTH} levels deep: not a scenario")])
            continue
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            anchor, count = stack.pop()
            count += 1
        elif isinstance(event, yaml.ScalarEvent):
            anchor, count = event.anchor, 1
            if not event.style and len(event.value) > MAX_DIGITS and _LONG_NUMBER.fullmatch(event.value) \
                    and any(ch.isdigit() for ch in event.value):  # 'xxx…' or 'eee…' is text, not a number
                raise ScenarioError([Problem(name, event.start_mark.line + 1, event.start_mark.column + 1, "",
                                             f"a number of {len(event.value):,} characters: at most {MAX_DIGITS} digits "
                                             "(quote it if it is text)")])
        elif isinstance(event, yaml.AliasEvent):
            if any(entry[0] == event.anchor for entry in stack):
                raise ScenarioError([Problem(name, event.start_mark.line + 1, event.start_mark.column + 1, "",
                                             f"alias *{event.anchor} is inside its own anchor &{event.anchor}: a value cannot contain itself")])
            anchor, count = None, sizes.get(event.anchor, 1)
        else:
            continue
        if anchor is not None:
            sizes[anchor] = count
        stack[-1][1] += count
        if stack[-1][1] > MAX_VALUES:
            raise ScenarioError([Problem(name, event.start_mark.line + 1, event.start_mark.column + 1, "",
                                         f"more than {MAX_VALUES:,} values once aliases are expanded: not a scenario")])


def _yaml_message(exc: yaml.MarkedYAMLError) -> str:
    message = exc.problem or str(exc).splitlines()[0]
    if exc.context and "duplicate" not in message:
        message = f"{exc.context}: {message}"
    if "'\\t'" in message:  # PyYAML writes the tab it found as '\t'
        message += " (indent with spaces: YAML does not allow tabs there)"
    elif "expected <block end>" in message or "mapping values are not allowed here" in message:
        message += " (check the indentation of this line and the one before)"
    return f"YAML: {message}"


def _read(text: str, name: str) -> tuple[yaml.Node | None, Any]:
    """The checked document's node tree and data: libyaml's parse when it reads the text; else, or when that
    parse or its data meets any problem, the pure-Python parser's, which raises the error it always gave."""
    if _FAST_LOADER is not yaml.SafeLoader and _read_alike(text):
        try:
            _check_size(text, name, _FAST_LOADER)
            node = yaml.compose(text, Loader=_FAST_LOADER)
            return node, None if node is None else _UniqueKeyLoader("").construct_document(node)
        except (yaml.YAMLError, ScenarioError, ValueError, RecursionError):
            pass
    _check_size(text, name)
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    return node, None if node is None else _UniqueKeyLoader("").construct_document(node)


def load_value(text: str, name: str) -> Any:
    """One YAML value given outside a file (``--set``): the same depth, alias and number bounds as a file."""
    try:
        _check_size(text, name)
        return yaml.safe_load(text)
    except RecursionError:
        raise ScenarioError([Problem(name, 1, 1, "", "nested too deeply")]) from None
    except ValueError as exc:  # an int past Python's digit limit that the scan did not see
        raise ScenarioError([Problem(name, 1, 1, "", f"cannot read the value: {str(exc)[:80]}")]) from None


def load_yaml(path: Path) -> tuple[Any, SourceMap]:
    """Parsed document and its source map; a ScenarioError for unreadable or invalid YAML."""
    name = str(path)
    try:
        raw = read_bytes(path, MAX_SCENARIO_BYTES, "scenario file")
    except InputRefused as exc:
        raise ScenarioError([Problem(name, 1, 1, "", f"cannot read scenario file: {exc}")]) from None
    except OSError as exc:
        raise ScenarioError([Problem(name, 1, 1, "", f"cannot read scenario file: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError([Problem(name, 1, 1, "", f"not a UTF-8 text file (byte {exc.start}): is it a YAML scenario?")]) from None
    if "\x00" in text:
        raise ScenarioError([Problem(name, 1, 1, "", "binary data (NUL bytes): not a YAML scenario")])
    try:
        node, data = _read(text, name)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise ScenarioError([Problem(name, line, column, "", _yaml_message(exc))]) from None
    except yaml.reader.ReaderError as exc:  # a control character: no mark, a position in the text
        before = text[: exc.position]
        line, column = before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise ScenarioError([Problem(name, line, column, "", f"YAML: control character U+{code:04X} is not allowed in a YAML file")]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem(name, 1, 1, "", f"YAML: {str(exc).splitlines()[0]}")]) from None
    except RecursionError:
        raise ScenarioError([Problem(name, 1, 1, "", "nested too deeply: not a scenario")]) from None
    except ValueError as exc:  # an int past Python's digit limit in a form the scan did not recognise
        raise ScenarioError([Problem(name, 1, 1, "", f"YAML: cannot read a value: {str(exc)[:80]}")]) from None
    if node is None or data is None:
        raise ScenarioError([Problem(name, 1, 1, "", "empty scenario file: expected a mapping with name, population, journeys")])
    if not isinstance(data, dict):
        kind = ("a list" if isinstance(data, list) else "text" if isinstance(data, str) else "true/false" if isinstance(data, bool)
                else "a number" if isinstance(data, (int, float)) else f"a {type(data).__name__}")
        raise ScenarioError([Problem(name, 1, 1, "", f"a scenario is a mapping of keys, got {kind}")])
    locations: dict[tuple, Location] = {}
    _index_locations(node, (), locations, yaml.SafeLoader(""))
    return data, SourceMap(name, locations)
