"""Salesforce Marketing Cloud FilterDefinition XML -> journeysim expressions.

A decision's criteria, a goal or an exit criterion is a ``<FilterDefinition>`` holding nested
``<ConditionSet Operator="AND|OR">`` elements and ``<Condition Key=".." Operator=".."><Value>..``
leaves. The XML comes from a file a user did not write, so it is parsed with defusedxml: DTDs,
entities and external references are refused (no XML bomb, no file read).

Semantics the translation keeps (and ``evaluate`` implements directly, for the tests):
a text attribute with no value is the empty text ``''`` (IsNull and IsEmpty test for it); a number,
date or yes/no attribute that a criterion tests for null gets a companion yes/no column
``<name>_is_null``, and no other comparison holds while it is set; dates are numbers of days
since 1970-01-01; text comparisons are case-sensitive.
"""

from __future__ import annotations

import keyword
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Union
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from ..inputs import MAX_VALUE_CHARS

MAX_XML_CHARS = 200_000
MAX_DEPTH = 32


class FilterError(ValueError):
    """Criteria XML that cannot be read."""


@dataclass(frozen=True)
class Condition:
    key: str
    operator: str
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConditionSet:
    operator: str  # AND | OR
    children: tuple[Union[Condition, ConditionSet], ...]


Tree = Union[Condition, ConditionSet]

# operator -> (kind of test, negated)
OPERATORS: dict[str, tuple[str, bool]] = {
    "equal": ("==", False), "equals": ("==", False), "is": ("==", False),
    "notequal": ("==", True), "notequals": ("==", True), "isnot": ("==", True),
    "greaterthan": (">", False), "greaterthanorequal": (">=", False), "greaterthanorequalto": (">=", False),
    "lessthan": ("<", False), "lessthanorequal": ("<=", False), "lessthanorequalto": ("<=", False),
    "between": ("between", False), "notbetween": ("between", True),
    "isnull": ("null", False), "isnotnull": ("null", True),
    "isempty": ("null", False), "isnotempty": ("null", True),
    "contains": ("contains", False), "doesnotcontain": ("contains", True), "notcontains": ("contains", True),
    "beginswith": ("startswith", False), "startswith": ("startswith", False),
    "doesnotbeginwith": ("startswith", True), "notbeginswith": ("startswith", True),
    "endswith": ("endswith", False), "doesnotendwith": ("endswith", True), "notendswith": ("endswith", True),
    "in": ("in", False), "isin": ("in", False), "anyof": ("in", False),
    "notin": ("in", True), "isnotin": ("in", True), "noneof": ("in", True),
}
TEXT_ONLY = {"contains", "startswith", "endswith"}


def operator_of(condition: Condition) -> tuple[str, bool] | None:
    return OPERATORS.get(condition.operator.replace("_", "").replace(" ", "").lower())


# ---------------------------------------------------------------- parsing

def parse_filter(text: str) -> ConditionSet:
    """The condition tree of a FilterDefinition (a bare ConditionSet is accepted too)."""
    if not isinstance(text, str) or not text.strip():
        raise FilterError("criteria must be FilterDefinition XML text")
    if len(text) > MAX_XML_CHARS:
        raise FilterError(f"criteria XML longer than {MAX_XML_CHARS:,} characters")
    try:
        root = SafeET.fromstring(text.strip(), forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise FilterError(f"criteria XML refused: {type(exc).__name__} (DTDs, entities and external references are not read)") from None
    except ParseError as exc:
        raise FilterError(f"criteria XML is malformed: {exc}") from None
    if _local(root) == "ConditionSet":
        return _condition_set(root, 0)
    if _local(root) != "FilterDefinition":
        raise FilterError(f"criteria XML root is <{_local(root)}>, expected <FilterDefinition>")
    sets = [_condition_set(child, 1) if _local(child) == "ConditionSet" else _condition(child)
            for child in root if _local(child) in ("ConditionSet", "Condition")]
    if not sets:
        raise FilterError("FilterDefinition holds no ConditionSet or Condition")
    return sets[0] if len(sets) == 1 and isinstance(sets[0], ConditionSet) else ConditionSet("AND", tuple(sets))


def _local(element: Element) -> str:
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""


def _condition_set(element: Element, depth: int) -> ConditionSet:
    if depth > MAX_DEPTH:
        raise FilterError(f"condition sets nested more than {MAX_DEPTH} levels deep")
    operator = (element.get("Operator") or "AND").strip().upper()
    if operator not in ("AND", "OR"):
        raise FilterError(f"ConditionSet Operator must be AND or OR, got {operator!r}")
    children: list[Tree] = []
    for child in element:
        if _local(child) == "ConditionSet":
            children.append(_condition_set(child, depth + 1))
        elif _local(child) == "Condition":
            children.append(_condition(child))
    if not children:
        raise FilterError("a ConditionSet holds no Condition")
    return ConditionSet(operator, tuple(children))


def _condition(element: Element) -> Condition:
    key = element.get("Key") or (f"id:{element.get('ID')}" if element.get("ID") else None)
    if not key:
        raise FilterError("a Condition has neither Key nor ID")
    operator = element.get("Operator")
    if not operator:
        raise FilterError(f"Condition {key!r} has no Operator")
    values = tuple((value.text or "").strip() for value in element if _local(value) == "Value")
    longest = max(map(len, values), default=0)
    if longest > MAX_VALUE_CHARS:  # a profile's text value is stored that wide; the loader refuses it
        raise FilterError(f"Condition {key[:60]!r} compares with a Value of {longest:,} characters, more than {MAX_VALUE_CHARS:,}")
    return Condition(key, operator, values)


def conditions(tree: Tree) -> list[Condition]:
    if isinstance(tree, Condition):
        return [tree]
    return [c for child in tree.children for c in conditions(child)]


# ---------------------------------------------------------------- attributes

_WORDS = {"true", "false", "and", "or", "not", "in", "contains", "startswith", "endswith"}


def attribute_name(key: str, taken: Mapping[str, str]) -> str:
    """A usable attribute name for a condition key: the last part of ``Event.DEAudience-1.Country``,
    made an identifier; the last two parts when another key already has the short name."""
    if key.startswith("id:"):
        return identifier("attr_" + key[3:].split("-")[0])
    parts = [p.strip().strip('"[]') for p in key.split(".") if p.strip().strip('"[]')] or ["attribute"]
    for count in range(1, len(parts) + 1):
        name = identifier("_".join(parts[-count:]))
        if taken.get(name, key) == key:
            return name
    base, n = identifier("_".join(parts)), 2
    while taken.get(f"{base}_{n}", key) != key:
        n += 1
    return f"{base}_{n}"


def identifier(text: str) -> str:
    name = re.sub(r"\W+", "_", text, flags=re.ASCII).strip("_") or "attribute"
    if name[0].isdigit():
        name = "a_" + name
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name.lower() in _WORDS:
        name += "_"
    return name


_DATE_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M", "%m/%d/%Y")


def parse_date(text: str) -> datetime | None:
    text = text.strip()
    if not re.match(r"^\d{1,4}[-/]\d{1,2}[-/]\d{1,4}", text):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    for form in _DATE_FORMATS:
        try:
            return datetime.strptime(text, form)
        except ValueError:
            continue
    return None


def day_number(text: str) -> float:
    moment = parse_date(text)
    assert moment is not None
    delta = moment.replace(tzinfo=None) - datetime(1970, 1, 1)
    return round(delta.total_seconds() / 86400, 6)


# Only what the vendor writes for a yes/no attribute: 'NO' (Norway), 'yes', 'on' are text.
_BOOL_WORDS = {"true": True, "false": False}
# Plainly a number: ASCII digits with an optional sign and decimal point; no '1_000', '1e5', 'NaN', 'Infinity'.
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)", re.ASCII)


def is_plain_number(text: str) -> bool:
    """Whether a criterion value (or any text of the export) is plainly a finite number."""
    return bool(_PLAIN_NUMBER.fullmatch(text)) and math.isfinite(float(text))


@dataclass
class Attribute:
    """One column decisions read: its kind, the values criteria compare it with, who reads it."""

    name: str
    key: str
    kind: str = "text"  # text | number | date | bool
    values: list[str] = field(default_factory=list)
    null_tested: bool = False
    text_tested: bool = False
    readers: list[str] = field(default_factory=list)

    @property
    def has_null_column(self) -> bool:
        return self.null_tested and self.kind != "text"

    @property
    def null_column(self) -> str:
        return f"{self.name}_is_null"


def infer_kind(values: list[str], text_tested: bool) -> str:
    present = [v for v in values if v != ""]
    if text_tested or not present:
        return "text"
    if all(v.lower() in _BOOL_WORDS for v in present):
        return "bool"
    if all(is_plain_number(v) for v in present):
        return "number"
    if all(parse_date(v) is not None for v in present):
        return "date"
    return "text"


def literal(attribute: Attribute, value: str) -> Any:
    """The Python value a criterion's text means for this attribute."""
    if attribute.kind == "bool":
        return _BOOL_WORDS.get(value.lower(), False)
    if attribute.kind == "number":
        number = float(value)
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if attribute.kind == "date":
        return day_number(value)
    return value


def _split_values(values: tuple[str, ...]) -> list[str]:
    """Between and In carry one Value per item, or one Value with items separated by commas."""
    if len(values) == 1 and "," in values[0]:
        return [v.strip() for v in values[0].split(",")]
    return list(values)


# ---------------------------------------------------------------- translation

class Translator:
    """Turns condition trees into expressions over the attributes it collects (one per condition key)."""

    def __init__(self) -> None:
        self.by_key: dict[str, Attribute] = {}
        self.taken: dict[str, str] = {}

    def collect(self, tree: Tree, reader: str) -> None:
        """First pass: note every attribute a tree reads and the values it compares it with."""
        for condition in conditions(tree):
            attribute = self.by_key.get(condition.key)
            if attribute is None:
                name = attribute_name(condition.key, self.taken)
                self.taken[name] = condition.key
                attribute = self.by_key[condition.key] = Attribute(name, condition.key)
            if reader not in attribute.readers:
                attribute.readers.append(reader)
            op = operator_of(condition)
            if op is None:
                continue
            test, _ = op
            if test == "null":
                attribute.null_tested = True
                continue
            if test in TEXT_ONLY:
                attribute.text_tested = True
            attribute.values += [v for v in _split_values(condition.values) if v not in attribute.values]

    def settle(self) -> None:
        """After every tree is collected: fix each attribute's kind; keep the null columns' names free."""
        for attribute in self.by_key.values():
            attribute.kind = infer_kind(attribute.values, attribute.text_tested)
        for attribute in self.by_key.values():
            if attribute.has_null_column and attribute.null_column in self.taken:
                raise FilterError(f"attribute name {attribute.null_column!r} is used twice")

    def expression(self, tree: Tree) -> str:
        return self._tree(tree, top=True)

    def _tree(self, tree: Tree, top: bool = False) -> str:
        if isinstance(tree, Condition):
            return self._condition(tree)
        parts = [self._tree(child) for child in tree.children]
        if len(parts) == 1:
            return parts[0]
        joined = f" {tree.operator.lower()} ".join(parts)
        return joined if top else f"({joined})"

    def _condition(self, condition: Condition) -> str:
        attribute = self.by_key[condition.key]
        op = operator_of(condition)
        if op is None:
            raise FilterError(f"unknown operator {condition.operator!r} in the condition on {condition.key!r}")
        test, negated = op
        name = attribute.name
        if test == "null":
            if attribute.kind == "text":
                return f"{name} != ''" if negated else f"{name} == ''"
            return f"not {attribute.null_column}" if negated else attribute.null_column
        values = _split_values(condition.values)
        if test in TEXT_ONLY:
            body = f"{test}({name}, {_repr(values[0] if values else '')})"
        elif test == "between":
            if len(values) != 2:
                raise FilterError(f"Between on {condition.key!r} needs two values, got {len(values)}")
            low, high = (literal(attribute, v) for v in values)
            body = f"{name} >= {_repr(low)} and {name} <= {_repr(high)}"
        elif test == "in":
            body = f"{name} in [{', '.join(_repr(literal(attribute, v)) for v in values)}]"
        else:
            if not values:
                raise FilterError(f"{condition.operator} on {condition.key!r} has no Value")
            body = f"{name} {test} {_repr(literal(attribute, values[0]))}"
        if negated:
            body = f"not ({body})" if test != "==" else body.replace(" == ", " != ", 1)
        if attribute.has_null_column:
            return f"(not {attribute.null_column} and {_wrap(body)})"
        return _wrap(body) if " and " in body else body


def _wrap(text: str) -> str:
    return f"({text})" if (" and " in text or " or " in text) and not (text.startswith("(") and text.endswith(")")) else text


def _repr(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


# ---------------------------------------------------------------- direct evaluation (reference for the tests)

def evaluate(tree: Tree, profile: Mapping[str, Any], attributes: Mapping[str, Attribute]) -> bool:
    """Evaluate a condition tree on one profile (attribute name -> value), with the semantics above,
    without going through expressions. ``attributes`` maps condition keys to their Attribute."""
    if isinstance(tree, ConditionSet):
        results = (evaluate(child, profile, attributes) for child in tree.children)
        return all(results) if tree.operator == "AND" else any(results)
    attribute = attributes[tree.key]
    test, negated = operator_of(tree)  # type: ignore[misc]
    value = profile[attribute.name]
    missing = value == "" if attribute.kind == "text" else bool(profile.get(attribute.null_column, False))
    if test == "null":
        return missing != negated
    if missing and attribute.kind != "text":
        return False
    values = _split_values(tree.values)
    if test in TEXT_ONLY:
        needle = values[0] if values else ""
        hit = {"contains": needle in value, "startswith": value.startswith(needle), "endswith": value.endswith(needle)}[test]
    elif test == "between":
        low, high = (literal(attribute, v) for v in values)
        hit = low <= value <= high
    elif test == "in":
        hit = value in [literal(attribute, v) for v in values]
    else:
        other = literal(attribute, values[0])
        hit = {"==": value == other, ">": value > other, ">=": value >= other, "<": value < other, "<=": value <= other}[test]
    return hit != negated
