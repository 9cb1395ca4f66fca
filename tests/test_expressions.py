"""The safe expression language: vectorised results, and everything else refused with a column."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from journeysim.expr import MAX_DEPTH, ExpressionError, compile_expression

COLUMNS = {
    "country": np.array(["FR", "US", "DE", "FR"]),
    "age": np.array([17, 30, 45, 80]),
    "vip": np.array([True, False, True, False]),
    "score": np.array([0.1, 0.9, 0.5, 0.7]),
}


def evaluate(text):
    return compile_expression(text, COLUMNS).mask(COLUMNS.__getitem__, 4).tolist()


@pytest.mark.parametrize("text, expected", [
    ("country == 'FR' and age >= 30", [False, False, False, True]),
    ("not vip", [False, True, False, True]),
    ("country in ['FR', 'DE']", [True, False, True, True]),
    ("country not in ['FR']", [False, True, True, False]),
    ("score > 0.5 or country != 'US'", [True, True, True, True]),
    ("18 <= age < 50", [False, True, True, False]),
    ("age * 2 - 10 > 60 and score % 1 < 0.8", [False, False, True, True]),
    ("-age < -40", [False, False, True, True]),
    ("vip == true", [True, False, True, False]),
    ("true", [True, True, True, True]),
])
def test_expressions_evaluate_vectorised(text, expected):
    assert evaluate(text) == expected


@pytest.mark.parametrize("text, message, column", [
    ("__import__('os').system('true')", "not allowed", 1),
    ("country.upper() == 'FR'", "not allowed", 1),
    ("age > 3 and contry == 'FR'", "unknown attribute 'contry'", 13),
    ("(lambda: 1)()", "not allowed", 1),
    ("[x for x in age]", "not allowed", 1),
    ("age[0] > 1", "not allowed", 1),
    ("age ** 2 > 3", "only + - * / %", 1),
    ("age is None", "'is' is not allowed", 1),
    ("age > > 3", "syntax error", 7),
    ("country in vip", "'in' takes a list of literals", 12),
    ("", "empty expression", 1),
])
def test_everything_else_is_refused_with_a_column(text, message, column):
    with pytest.raises(ExpressionError) as info:
        compile_expression(text, COLUMNS)
    assert message in str(info.value)
    assert info.value.column == column


def test_size_and_depth_are_bounded():
    with pytest.raises(ExpressionError, match="too large|too deeply"):
        compile_expression(" or ".join(["vip"] * 150), COLUMNS)
    with pytest.raises(ExpressionError, match="too deeply"):
        compile_expression("not " * (MAX_DEPTH + 5) + "vip", COLUMNS)
    with pytest.raises(ExpressionError, match="longer than"):
        compile_expression("vip and " * 400 + "vip", COLUMNS)


def test_text_cannot_be_ordered_against_numbers():
    expression = compile_expression("country > 3", COLUMNS)
    with pytest.raises(ExpressionError, match="cannot order text"):
        expression.mask(COLUMNS.__getitem__, 4)


@given(threshold=st.integers(0, 100), countries=st.lists(st.sampled_from(["FR", "US", "DE", "IT"]), min_size=1, max_size=4))
def test_expressions_agree_with_plain_numpy(threshold, countries):
    text = f"age >= {threshold} and country in {countries!r}"
    expected = (COLUMNS["age"] >= threshold) & np.isin(COLUMNS["country"], countries)
    assert evaluate(text) == expected.tolist()
