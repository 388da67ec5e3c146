from __future__ import annotations

import ast
import builtins
import inspect
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trayassist.core.assistant import calc
from trayassist.core.assistant.calc import CalcError, DivisionByZero, evaluate

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("expr", "value"), [
    ("3+4*2", 11), ("(3+4)*2", 14), ("2^10", 1024), ("2**3", 8), ("-3^2", -9), ("2^-1", 0.5),
    ("12% of 340", 40.8), ("sqrt 144", 12), ("sqrt(2)*sqrt(2)", 2), ("10 ÷ 4", 2.5),
    ("3 × 4", 12), ("5!", 120), ("0.5 of 10", 5), ("cbrt 27", 3), ("2^3^2", 512),
    ("100 - 25 - 25", 50), ("1.5 + .5", 2), ("cbrt - 8", -2), ("sqrt + 9", 3), ("sqrt 16 - 4", 0),
])
def test_evaluates(expr: str, value: float) -> None:
    assert evaluate(expr) == pytest.approx(value)


def test_division_by_zero_is_a_clear_error() -> None:
    with pytest.raises(DivisionByZero, match="divide by zero"):
        evaluate("10 / 0")
    with pytest.raises(DivisionByZero):
        evaluate("0 ^ -1")


@pytest.mark.parametrize("expr", ["", "(1+2", "1+", "sqrt(-4)", "sqrt - 4", "sqrt -", "9^9^9", "__import__('os')",
                                  "1 2", "abc", "2 ** 100000", "171!", ")"])
def test_bad_input_raises_calc_error(expr: str) -> None:
    with pytest.raises(CalcError):
        evaluate(expr)


def test_deep_nesting_is_refused_not_a_recursion_error() -> None:
    with pytest.raises(CalcError):
        evaluate("(" * 150 + "1" + ")" * 150)
    with pytest.raises(CalcError):
        evaluate("-" * 199 + "1")


def test_module_never_calls_eval_or_exec() -> None:
    tree = ast.parse(inspect.getsource(calc))
    called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call)
              and isinstance(n.func, ast.Name)}
    assert not called & {"eval", "exec", "compile", "__import__"}


def test_works_with_eval_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_a: object, **_k: object) -> None:
        raise AssertionError("eval used")

    monkeypatch.setattr(builtins, "eval", boom)
    monkeypatch.setattr(builtins, "exec", boom)
    assert evaluate("2 + 2 * 3") == 8


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789.+-*/^%()! sqrtof×÷", max_size=40))
def test_fuzz_never_crashes(expr: str) -> None:
    try:
        value = evaluate(expr)
    except CalcError:
        return
    assert math.isfinite(value)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_fuzz_any_text(expr: str) -> None:
    try:
        evaluate(expr)
    except CalcError:
        pass


# A reference for random well-formed sums, computed by walking the tree (not by eval).
_leaf = st.integers(min_value=0, max_value=50).map(lambda n: (str(n), float(n)))


def _combine(children: st.SearchStrategy) -> st.SearchStrategy:
    def build(a: tuple[str, float], op: str, b: tuple[str, float]) -> tuple[str, float]:
        text = f"({a[0]} {op} {b[0]})"
        if op == "+":
            return text, a[1] + b[1]
        if op == "-":
            return text, a[1] - b[1]
        if op == "*":
            return text, a[1] * b[1]
        if b[1] == 0:
            return text, math.nan
        return text, a[1] / b[1]
    return st.builds(build, children, st.sampled_from("+-*/"), children)


@settings(max_examples=300, deadline=None)
@given(st.recursive(_leaf, _combine, max_leaves=12))
def test_matches_reference_on_random_sums(tree: tuple[str, float]) -> None:
    text, expected = tree
    if math.isnan(expected):  # the reference divided by zero somewhere
        with pytest.raises(DivisionByZero):
            evaluate(text)
        return
    assert evaluate(text) == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_the_root_of_a_negative_number_is_named_as_such() -> None:
    """"the square root of minus four" reads "sqrt - 4": the sign belongs to the root's number."""
    with pytest.raises(CalcError, match="negative numbers have no real square root"):
        evaluate("sqrt - 4")
