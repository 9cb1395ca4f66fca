"""Warnings about a scenario that runs but probably does not say what its author meant.

``unmatched_values``: an expression comparing a text attribute with a value the population never
holds (``country == 'DE'`` when country is FR or US) is always false (or, with !=, always true).
"""

from __future__ import annotations

import ast
from typing import Any

MAX_KNOWN_VALUES = 10_000  # a text column with more distinct values than this is not checked


def known_text_values(population_spec: Any, frame: Any, kinds: dict[str, str]) -> dict[str, set[str]]:
    """Every value each text attribute can hold, where that is known (generated choices and constants, a file's column)."""
    known: dict[str, set[str]] = {}
    for name, kind in kinds.items():
        if kind != "text":
            continue
        if frame is not None and name in frame:
            values = frame[name].drop_duplicates()
            if len(values) <= MAX_KNOWN_VALUES:
                known[name] = {str(v) for v in values}
            continue
        generator = (population_spec.attributes or {}).get(name) if population_spec is not None else None
        if generator is None:
            continue
        if generator.kind == "choice":
            known[name] = {str(v) for v, _ in generator.args}
        elif generator.kind == "constant":
            known[name] = {str(generator.args)}
    return known


def _literals(node: ast.AST) -> list[str] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)) and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
        return [e.value for e in node.elts]
    return None


def unmatched_values(text: str, known: dict[str, set[str]]) -> list[str]:
    """One sentence per comparison of a text attribute with a value it never holds."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError):
        return []
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare) or len(node.ops) != 1:
            continue
        left, op, right = node.left, node.ops[0], node.comparators[0]
        if isinstance(right, ast.Name) and isinstance(op, (ast.Eq, ast.NotEq)):
            left, right = right, left
        if not isinstance(left, ast.Name) or left.id not in known or not isinstance(op, (ast.Eq, ast.NotEq, ast.In, ast.NotIn)):
            continue
        values = _literals(right)
        if values is None:
            continue
        missing = [v for v in values if v not in known[left.id]]
        if not missing:
            continue
        held = sorted(known[left.id])
        shown = ", ".join(repr(v) for v in held[:8]) + (f" and {len(held) - 8} more" if len(held) > 8 else "")
        if len(missing) < len(values):
            effect = "that value never matches"
        else:
            effect = f"this comparison is always {'false' if isinstance(op, (ast.Eq, ast.In)) else 'true'}"
        found.append(f"{left.id} never holds {', '.join(repr(v) for v in missing[:3])} in this population "
                     f"(it holds {shown}): {effect}")
    return found
