"""A small safe expression language over profile attributes, compiled to numpy.

Grammar (Python-like syntax, parsed with ``ast`` but only a whitelist of node kinds is
accepted): comparisons (``== != < <= > >=``, chained), ``and``/``or``/``not``, ``in [..]`` /
``not in [..]``, ``+ - * / %``, unary minus, attribute names, string / number / boolean literals,
and three text tests ``contains(name, 'x')``, ``startswith(name, 'x')``, ``endswith(name, 'x')``.
No other calls, no attribute access, no subscripts, nothing is ever executed by Python.

``compile_expression(text, columns)`` checks names against the known columns and returns an
``Expression`` whose ``evaluate(lookup)`` gives a numpy array; ``lookup(name)`` returns the
column values of the rows being evaluated. Given ``kinds`` (column -> text | number | bool), text
ordered against a number, or used in arithmetic, is refused while compiling rather than at run time.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

MAX_LENGTH = 2000
MAX_NODES = 200
MAX_DEPTH = 32


class ExpressionError(ValueError):
    """A bad expression; ``column`` is the 1-based position in the expression text."""

    def __init__(self, message: str, column: int = 1):
        self.column = column
        super().__init__(f"{message} (at column {column})")
        self.bare_message = message


_COMPARE = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt,
    ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
}
_ARITH = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.true_divide, ast.Mod: np.mod}
_KEYWORD_LITERALS = {"true": True, "false": False, "True": True, "False": False}
_TEXT_TESTS = {"contains": (lambda v, x: x in v, lambda a, x: np.char.find(a, x) >= 0),
               "startswith": (lambda v, x: v.startswith(x), np.char.startswith),
               "endswith": (lambda v, x: v.endswith(x), np.char.endswith)}

Lookup = Callable[[str], np.ndarray]
Compiled = Callable[[Lookup], Any]


@dataclass(frozen=True)
class Expression:
    text: str
    names: frozenset[str]
    _fn: Compiled

    def evaluate(self, lookup: Lookup, size: int) -> np.ndarray:
        """Boolean-or-value array of ``size`` rows (scalars are broadcast)."""
        value = self._fn(lookup)
        array = np.asarray(value)
        if array.ndim == 0:
            array = np.full(size, array.item())
        return array

    def mask(self, lookup: Lookup, size: int) -> np.ndarray:
        array = self.evaluate(lookup, size)
        if array.dtype != bool:
            array = array.astype(bool)
        return array


def _depth(node: ast.AST) -> int:
    children = list(ast.iter_child_nodes(node))
    return 1 + (max(_depth(c) for c in children) if children else 0)


def compile_expression(text: str, columns: Iterable[str] | None, kinds: Mapping[str, str] | None = None) -> Expression:
    """Parse and check ``text``; names must be among ``columns`` (any name when None)."""
    if not isinstance(text, str):
        raise ExpressionError(f"an expression must be a string, got {type(text).__name__}")
    if not text.strip():
        raise ExpressionError("empty expression")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_LENGTH} characters")
    if "\n" in text.strip():
        raise ExpressionError("an expression is one line")
    source = text.strip()
    offset = text.index(source[0])
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"syntax error: {exc.msg}", offset + (exc.offset or 1)) from None
    nodes = sum(1 for _ in ast.walk(tree))
    if nodes > MAX_NODES:
        raise ExpressionError(f"expression too large ({nodes} parts, at most {MAX_NODES})")
    if _depth(tree) > MAX_DEPTH:
        raise ExpressionError(f"expression nested too deeply (at most {MAX_DEPTH} levels)")
    known = None if columns is None else frozenset(columns)
    used: set[str] = set()
    fn = _Compiler(known, used, offset, kinds or {}).visit(tree.body)
    return Expression(text, frozenset(used), fn)


class _Compiler:
    def __init__(self, known: frozenset[str] | None, used: set[str], offset: int, kinds: Mapping[str, str]):
        self.known, self.used, self.offset, self.kinds = known, used, offset, kinds

    def kind(self, node: ast.AST) -> str | None:
        """text, number or bool when it is known before any row is seen."""
        if isinstance(node, ast.Constant):
            value = node.value
            return "text" if isinstance(value, str) else "bool" if isinstance(value, bool) else "number"
        if isinstance(node, ast.Name):
            return "bool" if node.id in _KEYWORD_LITERALS and node.id not in self.kinds else self.kinds.get(node.id)
        if isinstance(node, ast.BinOp) or (isinstance(node, ast.UnaryOp) and not isinstance(node.op, ast.Not)):
            return "number"
        if isinstance(node, (ast.Compare, ast.BoolOp, ast.UnaryOp, ast.Call)):  # a UnaryOp here is a 'not'
            return "bool"
        return None

    def fail(self, node: ast.AST, message: str) -> ExpressionError:
        return ExpressionError(message, self.offset + getattr(node, "col_offset", 0) + 1)

    def visit(self, node: ast.AST) -> Compiled:
        method = getattr(self, f"visit_{type(node).__name__}", None)
        if method is None:
            raise self.fail(node, f"'{ast.unparse(node)}' is not allowed: use comparisons, and/or/not, in [...], arithmetic, names and literals")
        return method(node)

    def visit_Constant(self, node: ast.Constant) -> Compiled:
        if not isinstance(node.value, (str, int, float, bool)) or node.value is None:
            raise self.fail(node, f"literal {node.value!r} is not allowed")
        value = node.value
        if isinstance(value, int) and not isinstance(value, bool) and not -2**63 <= value < 2**63:
            # numpy columns hold 64-bit numbers: a larger whole number compares as a float (or infinity)
            value = float(value) if abs(value) < 2**1023 else float("inf") if value > 0 else float("-inf")
        return lambda lookup: value

    def visit_Name(self, node: ast.Name) -> Compiled:
        if node.id in _KEYWORD_LITERALS and (self.known is None or node.id not in self.known):
            value = _KEYWORD_LITERALS[node.id]
            return lambda lookup: value
        if self.known is not None and node.id not in self.known:
            hint = ", ".join(sorted(self.known)) or "none"
            raise self.fail(node, f"unknown attribute {node.id!r} (known: {hint})")
        self.used.add(node.id)
        name = node.id
        return lambda lookup: lookup(name)

    def visit_BoolOp(self, node: ast.BoolOp) -> Compiled:
        parts = [self.visit(v) for v in node.values]
        combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or

        def run(lookup: Lookup) -> Any:
            result = _as_bool(parts[0](lookup))
            for part in parts[1:]:
                result = combine(result, _as_bool(part(lookup)))
            return result
        return run

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Compiled:
        if not isinstance(node.op, ast.Not) and self.kind(node.operand) == "text":
            raise self.fail(node, "arithmetic on text is not allowed")
        inner = self.visit(node.operand)
        if isinstance(node.op, ast.Not):
            return lambda lookup: np.logical_not(_as_bool(inner(lookup)))
        if isinstance(node.op, ast.USub):
            return lambda lookup: np.negative(_numeric(inner(lookup)))
        if isinstance(node.op, ast.UAdd):
            return inner
        raise self.fail(node, "operator not allowed")

    def visit_Call(self, node: ast.Call) -> Compiled:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in _TEXT_TESTS:
            raise self.fail(node, f"'{ast.unparse(node)}' is not allowed: the only calls are contains, startswith and endswith")
        if node.keywords or len(node.args) != 2 or not isinstance(node.args[1], ast.Constant) or not isinstance(node.args[1].value, str):
            raise self.fail(node, f"{name} takes an attribute and a text literal, like {name}(email, 'gmail')")
        if self.kind(node.args[0]) not in ("text", None):
            raise self.fail(node, f"{name} tests text, not a {self.kind(node.args[0])}")
        value, needle = self.visit(node.args[0]), node.args[1].value
        on_scalar, on_array = _TEXT_TESTS[name]

        def run(lookup: Lookup) -> Any:
            values = value(lookup)
            if isinstance(values, np.ndarray):
                return on_array(values.astype(str), needle)
            return on_scalar(str(values), needle)
        return run

    def visit_BinOp(self, node: ast.BinOp) -> Compiled:
        op = _ARITH.get(type(node.op))
        if op is None:
            raise self.fail(node, "only + - * / % are allowed")
        if "text" in (self.kind(node.left), self.kind(node.right)):
            raise self.fail(node, "arithmetic on text is not allowed")
        left, right = self.visit(node.left), self.visit(node.right)

        def run(lookup: Lookup) -> Any:
            a, b = left(lookup), right(lookup)
            if _is_text(a) or _is_text(b):
                raise ExpressionError("arithmetic on text is not allowed", self.offset + node.col_offset + 1)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # IEEE: inf and nan compare as they should
                return op(_numeric(a), _numeric(b))
        return run

    def visit_Compare(self, node: ast.Compare) -> Compiled:
        operands = [node.left, *node.comparators]
        steps: list[Compiled] = []
        for op, left_node, right_node in zip(node.ops, operands, operands[1:]):
            steps.append(self._comparison(op, left_node, right_node))

        def run(lookup: Lookup) -> Any:
            result = _as_bool(steps[0](lookup))
            for step in steps[1:]:
                result = np.logical_and(result, _as_bool(step(lookup)))
            return result
        return run

    def _comparison(self, op: ast.cmpop, left_node: ast.AST, right_node: ast.AST) -> Compiled:
        left = self.visit(left_node)
        if isinstance(op, (ast.In, ast.NotIn)):
            if not isinstance(right_node, (ast.List, ast.Tuple)):
                raise self.fail(right_node, "'in' takes a list of literals, like country in ['FR', 'DE']")
            items = []
            for element in right_node.elts:
                if not isinstance(element, ast.Constant) or not isinstance(element.value, (str, int, float, bool)):
                    raise self.fail(element, "'in' lists may only hold literals")
                items.append(element.value)
            negate = isinstance(op, ast.NotIn)

            def run_in(lookup: Lookup) -> Any:
                values = left(lookup)
                hit = np.isin(values, np.asarray(items)) if np.ndim(values) else values in items
                return np.logical_not(hit) if negate else hit
            return run_in
        compare = _COMPARE.get(type(op))
        if compare is None:
            raise self.fail(left_node, "'is' is not allowed: use == or !=")
        sides = (self.kind(left_node), self.kind(right_node))
        if compare not in (operator.eq, operator.ne) and None not in sides and (sides[0] == "text") != (sides[1] == "text"):
            raise self.fail(left_node, "cannot order text against a number")
        right = self.visit(right_node)

        def run(lookup: Lookup) -> Any:
            a, b = left(lookup), right(lookup)
            if compare not in (operator.eq, operator.ne) and (_is_text(a) != _is_text(b)):
                raise ExpressionError("cannot order text against a number", self.offset + left_node.col_offset + 1)
            return compare(a, b)
        return run


def _numeric(value: Any) -> Any:
    """Yes/no values as 0 and 1 in arithmetic, as in Python (numpy refuses - on booleans: -has_app, True - False)."""
    if isinstance(value, np.ndarray) and value.dtype == bool:
        return value.astype(np.int64)
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    return value


def _is_text(value: Any) -> bool:
    if isinstance(value, str):
        return True
    return isinstance(value, np.ndarray) and value.dtype.kind in ("U", "O", "T")


def _as_bool(value: Any) -> Any:
    if isinstance(value, np.ndarray) and value.dtype != bool:
        if value.dtype.kind in ("U", "O", "T"):
            return value != ""
        return value != 0
    return value
