"""Finds the sum or the unit conversion inside a request, however it is worded ("tell me what the
product of 18 and 31 is", "divide 200 by 4", "how many ounces in a pound")."""

from __future__ import annotations

import re
from collections.abc import Callable

from trayassist.core.assistant.calc import CalcError, evaluate
from trayassist.core.assistant.units import SHORT_ALIASES, Unit, lookup

_N = r"-?\d+(?:\.\d+)?"
_ORDINAL_WORDS = {"second": "2", "third": "3", "fourth": "4", "fifth": "5", "sixth": "6", "seventh": "7",
                  "eighth": "8", "ninth": "9", "tenth": "10", "eleventh": "11", "twelfth": "12"}
_ORDINAL_RX = "|".join(_ORDINAL_WORDS)
_LIST = rf"{_N}(?:(?:,| and|, and)? {_N})+"
# Verbal forms people use for sums, rewritten to the spoken operators the evaluator reads.
_FORMS: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    (re.compile(rf"\bproduct of ({_LIST})"), lambda m: " times ".join(_nums(m.group(1)))),
    (re.compile(rf"\bsum of ({_LIST})"), lambda m: " plus ".join(_nums(m.group(1)))),
    (re.compile(rf"\b(?:average|mean) of ({_LIST})"),
     lambda m: f"( {' plus '.join(_nums(m.group(1)))} ) divided by {len(_nums(m.group(1)))}"),
    (re.compile(rf"\bdifference between ({_N}) and ({_N})"), r"\1 minus \2"),
    (re.compile(rf"\bquotient of ({_N}) and ({_N})"), r"\1 divided by \2"),
    (re.compile(rf"\bdivide ({_N}) (?:by|with) ({_N})"), r"\1 divided by \2"),
    (re.compile(rf"\bdivide ({_N}) into ({_N})"), r"\2 divided by \1"),
    (re.compile(rf"\bmultiply ({_N}) (?:by|and|with|times) ({_N})"), r"\1 times \2"),
    (re.compile(rf"\badd ({_N}) (?:and|to|plus|with) ({_N})"), r"\1 plus \2"),
    (re.compile(rf"\bsubtract ({_N}) from ({_N})"), r"\2 minus \1"),
    (re.compile(rf"\btake ({_N}) (?:away )?from ({_N})"), r"\2 minus \1"),
    (re.compile(rf"\b({_N}) is what percent(?:age)? of ({_N})"), r"\1 divided by \2 times 100"),
    (re.compile(rf"\bwhat percent(?:age)? of ({_N}) is ({_N})"), r"\2 divided by \1 times 100"),
    (re.compile(rf"\b({_N}) percent (?:tip|discount|tax|off|increase) (?:on|of|for) (?:a |an )?({_N})"),
     r"\1 percent of \2"),
    (re.compile(rf"\bincrease ({_N}) by ({_N}) percent"), r"\1 plus \2 percent of \1"),
    (re.compile(rf"\b(?:decrease|reduce) ({_N}) by ({_N}) percent"), r"\1 minus \2 percent of \1"),
    (re.compile(rf"\b({_N}) (?:into|by) ({_N})(?= (?:equals|is)|$)"), r"\1 times \2"),
    # "10 to the 12th power", "2 to the tenth": the power as an ordinal.
    (re.compile(rf"\bto the (?:({_N})(?:st|nd|rd|th)|({_ORDINAL_RX}))(?: power)?\b"),
     lambda m: f"to the power of {m.group(1) or _ORDINAL_WORDS[m.group(2)]}"),
    # Sharing out: "split 200 3 ways", "if i win 200000 how do i split it 7 ways", "divide 90 between 4".
    (re.compile(rf"\bsplit ({_N})(?: [a-z]+)? (?:(?:in|into|between|among|by) )?({_N})(?: ways| people| parts)?\b"),
     r"\1 divided by \2"),
    (re.compile(rf"\b({_N})\b(?:(?!{_N}).)*? split (?:it|that|this|them) (?:(?:in|into|between|among) )?({_N}) "
                rf"(?:ways|people|parts)\b"), r"\1 divided by \2"),
    (re.compile(rf"\bdivide ({_N}) (?:between|among|amongst) ({_N})\b"), r"\1 divided by \2"),
]


_STARTS = {"the", "square", "cube", "minus", "open", "-", "(", "negative"}


def _nums(text: str) -> list[str]:
    return re.findall(_N, text)


def find_expression(text: str) -> str | None:
    """The longest stretch of the request that is a sum the evaluator accepts; None if none."""
    from trayassist.core.assistant.skills.calculator import spoken_to_expression

    for rx, repl in _FORMS:
        text = rx.sub(repl, text)
    tokens = text.split()[:40]
    best: str | None = None
    best_len = 0
    for i in range(len(tokens)):
        if not (re.fullmatch(_N, tokens[i]) or tokens[i] in _STARTS):
            continue
        for j in range(len(tokens), i, -1):
            if j - i <= best_len:
                break
            expr = spoken_to_expression(" ".join(tokens[i:j]))
            if expr is None or not _is_sum(expr):
                continue
            try:
                evaluate(expr)
            except CalcError:
                if j - i > best_len:  # a real sum that fails (1 / 0) is still the sum meant
                    best, best_len = expr, j - i
                continue
            best, best_len = expr, j - i
    return best


def _is_sum(expr: str) -> bool:
    """Two numbers, or one under a function: a lone "2 %" is a quantity, not a sum."""
    parts = expr.split()
    return len(re.findall(_N, expr)) >= 2 or any(p in ("sqrt", "cbrt", "!", "^") for p in parts)


def _units(tokens: list[str]) -> list[tuple[int, int, Unit]]:
    """Unit names in the token list: (start, end, unit), longest first at each place."""
    found = []
    i = 0
    while i < len(tokens):
        for n in (3, 2, 1):
            name = " ".join(tokens[i:i + n])
            unit = lookup(name) if i + n <= len(tokens) else None
            if unit is None:
                continue
            if name in SHORT_ALIASES and not (i and re.fullmatch(_N, tokens[i - 1])):
                continue  # "in", "m", "c" count only right after a number
            found.append((i, i + n, unit))
            i += n - 1
            break
        i += 1
    return found


def find_conversion(text: str) -> tuple[float | None, Unit, Unit] | None:
    """(amount or None, from, to) for a conversion between two units of one kind."""
    tokens = text.split()
    units = _units(tokens)
    for a in range(len(units)):
        for b in range(a + 1, len(units)):
            first, second = units[a], units[b]
            if first[2].dimension != second[2].dimension or first[2] == second[2]:
                continue
            head = " ".join(tokens[max(0, first[0] - 3):first[0]])
            asks_how_many = re.search(r"\b(?:how many|how much|number of|amount of)$", head) \
                and not re.fullmatch(_N, tokens[first[0] - 1])
            src, dst = (second, first) if asks_how_many else (first, second)
            before = tokens[src[0] - 1] if src[0] else ""
            if re.fullmatch(_N, before):
                return float(before), src[2], dst[2]
            if before in ("a", "an", "one", "per") or asks_how_many:
                return 1.0, src[2], dst[2]
            return None, src[2], dst[2]
    return None
