"""A safe arithmetic evaluator: a tokenizer and a recursive-descent parser, never eval()."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

MAX_TOKENS = 200
MAX_DEPTH = 60
MAX_EXPONENT = 10_000


class CalcError(ValueError):
    """The expression cannot be evaluated; the message is fit to show the user."""


class DivisionByZero(CalcError):
    pass


@dataclass(frozen=True)
class Token:
    kind: str  # "num", "op", "lparen", "rparen", "func"
    text: str
    value: float = 0.0


_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d*)?|\.\d+)|(?P<func>sqrt|cbrt|\u221a)|(?P<of>of\b)"
    r"|(?P<op>\*\*|[-+*/^%\u00d7\u00f7!])|(?P<lparen>\()|(?P<rparen>\)))"
)
_OPS = {"\u00d7": "*", "\u00f7": "/", "**": "^"}


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise CalcError(f"I don't understand {text[pos:pos + 10].strip()!r} in that sum")
        pos = m.end()
        kind = m.lastgroup or ""
        val = m.group(kind)
        if kind == "num":
            tokens.append(Token("num", val, float(val)))
        elif kind == "func":
            tokens.append(Token("func", "sqrt" if val == "\u221a" else val))
        elif kind == "of":
            tokens.append(Token("op", "of"))
        elif kind == "op":
            tokens.append(Token("op", _OPS.get(val, val)))
        else:
            tokens.append(Token(kind, val))
        if len(tokens) > MAX_TOKENS:
            raise CalcError("that sum is too long")
        while pos < len(text) and text[pos].isspace():
            pos += 1
    if not tokens:
        raise CalcError("there is nothing to calculate")
    return tokens


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0
        self.depth = 0

    def peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise CalcError("that sum ends too early")
        self.i += 1
        return tok

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise CalcError("that sum is nested too deeply")

    def parse(self) -> float:
        value = self.expr()
        if self.peek() is not None:
            raise CalcError(f"unexpected {self.peek().text!r} in that sum")  # type: ignore[union-attr]
        return value

    def expr(self) -> float:
        self._enter()
        value = self.term()
        while (tok := self.peek()) is not None and tok.kind == "op" and tok.text in "+-":
            self.take()
            rhs = self.term()
            value = value + rhs if tok.text == "+" else value - rhs
        self.depth -= 1
        return _finite(value)

    def term(self) -> float:
        value = self.unary()
        while (tok := self.peek()) is not None and tok.kind == "op" and tok.text in ("*", "/",
                                                                                      "of"):
            self.take()
            rhs = self.unary()
            if tok.text == "/":
                if rhs == 0:
                    raise DivisionByZero("you can't divide by zero")
                value = value / rhs
            else:
                value = value * rhs
            value = _finite(value)
        return value

    def unary(self) -> float:
        tok = self.peek()
        if tok is not None and tok.kind == "op" and tok.text in "+-":
            self.take()
            self._enter()
            value = self.unary()
            self.depth -= 1
            return -value if tok.text == "-" else value
        return self.power()

    def power(self) -> float:
        base = self.postfix()
        tok = self.peek()
        if tok is not None and tok.kind == "op" and tok.text == "^":
            self.take()
            self._enter()
            exponent = self.unary()
            self.depth -= 1
            return _pow(base, exponent)
        return base

    def postfix(self) -> float:
        value = self.primary()
        while (tok := self.peek()) is not None and tok.kind == "op" and tok.text in ("%", "!"):
            self.take()
            if tok.text == "%":
                value = value / 100
            else:
                if value < 0 or not float(value).is_integer() or value > 170:
                    raise CalcError("factorials need a whole number from 0 to 170")
                value = float(math.factorial(int(value)))
        return value

    def primary(self) -> float:
        tok = self.take()
        if tok.kind == "num":
            return tok.value
        if tok.kind == "lparen":
            self._enter()
            value = self.expr()
            self.depth -= 1
            if self.take().kind != "rparen":
                raise CalcError("a bracket is not closed")
            return value
        if tok.kind == "func":
            self._enter()
            nxt = self.peek()
            sign = 1.0
            if nxt is not None and nxt.kind == "op" and nxt.text in "+-":  # "square root of minus four"
                sign = -1.0 if self.take().text == "-" else 1.0
                nxt = self.peek()
            arg = sign * (self.primary() if nxt is not None and nxt.kind == "lparen" else self.postfix())
            self.depth -= 1
            if tok.text == "sqrt":
                if arg < 0:
                    raise CalcError("negative numbers have no real square root")
                return math.sqrt(arg)
            return math.copysign(abs(arg) ** (1 / 3), arg)
        raise CalcError(f"unexpected {tok.text!r} in that sum")


def _finite(value: float) -> float:
    if math.isinf(value) or math.isnan(value):
        raise CalcError("the result is too large")
    return value


def _pow(base: float, exponent: float) -> float:
    if abs(exponent) > MAX_EXPONENT:
        raise CalcError("that power is too large")
    if base == 0 and exponent < 0:
        raise DivisionByZero("you can't divide by zero")
    if base < 0 and not float(exponent).is_integer():
        raise CalcError("a negative number to a fractional power is not a real number")
    try:
        value = math.pow(base, exponent)
    except OverflowError as exc:
        raise CalcError("the result is too large") from exc
    return _finite(value)


def evaluate(expression: str) -> float:
    """Evaluate + - * / ^ % of sqrt and brackets; raises CalcError with a readable message."""
    if not isinstance(expression, str):
        raise CalcError("there is nothing to calculate")
    return _Parser(tokenize(expression)).parse()
