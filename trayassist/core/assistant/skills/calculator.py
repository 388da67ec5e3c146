"""Arithmetic and unit conversions from spoken numbers, through the safe evaluator."""

from __future__ import annotations

import re

from trayassist.core.assistant.base import EXACT, Match, Outcome, Skill
from trayassist.core.assistant.calc import CalcError, evaluate
from trayassist.core.assistant.context import Context
from trayassist.core.assistant.normalize import Utterance
from trayassist.core.assistant.numbers import format_number
from trayassist.core.assistant.skills._common import compile_all, full
from trayassist.core.assistant.skills.math_words import find_conversion, find_expression
from trayassist.core.assistant.units import SHORT_ALIASES, ConversionError, convert, lookup

_ASK = (r"(?:(?:what is|what are|what does|what do|how much is|calculate|compute|"
        r"work out|figure out|evaluate|solve|tell me|what would be|what will be|what is the "
        r"answer to|what is the result of|whats) )?")
_END = r"(?: (?:equal|equals|make|come to|give me|is|be))?"
# Spoken operators to symbols; longest phrases first.
_SPOKEN_OPS = [
    (r"(?:the )?square root of", " sqrt "), (r"(?:the )?cube root of", " cbrt "),
    (r"raised to the power of|to the power of|raised to the|to the power|raised to", " ^ "),
    (r"squared", " ^ 2 "), (r"cubed", " ^ 3 "),
    (r"percent of", " % of "), (r"percent", " % "),
    (r"multiplied by|times|multiply by", " * "),
    (r"divided by|divide by|over", " / "),
    (r"plus|added to", " + "), (r"minus|take away|subtract", " - "),
    (r"open bracket|open parenthesis", " ( "), (r"close bracket|close parenthesis", " ) "),
    (r"factorial", " ! "),
]
_SPOKEN_RX = [(re.compile(rf"\b(?:{p})\b"), r) for p, r in _SPOKEN_OPS]
_SYMBOLS = {"+", "-", "*", "/", "^", "%", "of", "sqrt", "cbrt", "(", ")", "!"}
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
# ASR writes "two"/"four" as "to"/"for" next to operators ("to plus to").
_HOMOPHONE = {"to": "2", "too": "2", "for": "4", "fore": "4"}

_MONEY = re.compile(r"\b(?:currency|currencies|exchange rate|euros?|yen|dollars?|usd|gbp|pesos?|rupees?|francs?|"
                    r"yuan|rubles?|roubles?|bitcoin|sterling|pounds? (?:to|in|into) (?:euros?|dollars?|yen))\b")
_CALC = compile_all([rf"{_ASK}(?:the )?(?P<expr>.+?){_END}"])
_U = r"[a-z]+(?: [a-z]+){0,2}?"
_CONVERT = compile_all([
    rf"(?:convert|change|what is|how much is|how many|how much) (?P<n>-?[\d.]+|a|an) (?P<src>{_U})"
    rf" (?:to|into|in|in to|as) (?P<dst>{_U})",
    rf"(?P<n>-?[\d.]+|a|an) (?P<src>{_U}) (?:to|into|in|in to|is how many) (?P<dst>{_U})",
    rf"how many (?P<dst>{_U}) (?:are )?(?:there )?(?:in|is|are|make|to) (?:a |an |one |"
    rf"(?P<n>-?[\d.]+) )?(?P<src>{_U})",
    rf"how much is (?P<n>-?[\d.]+|a|an) (?P<src>{_U}) in (?P<dst>{_U})",
])


def spoken_to_expression(text: str) -> str | None:
    """"12 percent of 340" -> "12 % of 340"; None if any word is not part of a sum."""
    expr = re.sub(r"(?<!\S)-(?=\d)", "- ", text)
    for rx, repl in _SPOKEN_RX:
        expr = rx.sub(repl, expr)
    tokens = expr.split()
    if not tokens:
        return None
    out: list[str] = []
    for i, tok in enumerate(tokens):
        if tok in _HOMOPHONE:
            neighbours = tokens[max(0, i - 1):i] + tokens[i + 1:i + 2]
            if neighbours and all(n in _SYMBOLS - {"(", ")"} for n in neighbours):
                tok = _HOMOPHONE[tok]
        if tok in _SYMBOLS or _NUMBER.fullmatch(tok):
            out.append(tok)
        else:
            return None
    if not any(t in _SYMBOLS - {"(", ")"} for t in out):
        return None  # a bare number is not a sum
    if not any(_NUMBER.fullmatch(t) for t in out):
        return None
    return " ".join(out)


class CalculatorSkill(Skill):
    name = "calculator"

    def match(self, utt: Utterance, ctx: Context) -> Match | None:
        text = utt.numeric
        for rx in _CONVERT:
            m = rx.fullmatch(text)
            conv = self._conversion(m) if m else None
            if conv is not None:
                return conv
        m = full(_CALC, text)
        if m:
            expr = spoken_to_expression(m.group("expr"))
            if expr is not None:
                try:
                    evaluate(expr)
                except CalcError as exc:
                    return Match("calculate", EXACT, {"expression": expr}, error=_sentence(exc))
                return Match("calculate", EXACT, {"expression": expr})
        return None

    def parse(self, label: str, utt: Utterance, ctx: Context) -> Match | None:
        rule = self.match(utt, ctx)
        if rule is not None:
            return rule
        text = utt.numeric
        conv = find_conversion(text)
        if conv is not None:
            value, src, dst = conv
            # "convert inches to centimetres" asks for the rate: answer for one.
            return self._checked_conversion(1.0 if value is None else value, src.name, dst.name)
        expr = find_expression(text)
        if expr is None and _MONEY.search(text):
            return None  # "how does 10 pounds convert to euros": exchange rates are not ours to guess
        if expr is None:
            return Match("calculate", EXACT, {}, error="What should I calculate? Say, for example, "
                                                       "\"what is 12 times 7\".")
        try:
            evaluate(expr)
        except CalcError as exc:
            return Match("calculate", EXACT, {"expression": expr}, error=_sentence(exc))
        return Match("calculate", EXACT, {"expression": expr})

    @staticmethod
    def _checked_conversion(value: float, src_name: str, dst_name: str) -> Match:
        src, dst = lookup(src_name), lookup(dst_name)
        assert src is not None and dst is not None
        params = {"value": value, "from": src.name, "to": dst.name}
        try:
            convert(value, src, dst)
        except ConversionError as exc:
            return Match("convert", EXACT, params, error=_sentence(exc))
        return Match("convert", EXACT, params)

    @staticmethod
    def _conversion(m: re.Match[str]) -> Match | None:
        raw_n = m.group("n")
        value = 1.0 if raw_n in (None, "a", "an") else float(raw_n)
        src_name, dst_name = m.group("src"), m.group("dst")
        src, dst = lookup(src_name), lookup(dst_name)
        if src is None or dst is None:
            return None
        # One- or two-letter units ("in", "m", "c") only count right after a number.
        if dst_name in SHORT_ALIASES and src.dimension != "temperature":
            return None
        if src_name in SHORT_ALIASES and raw_n in (None, "a", "an"):
            return None
        params = {"value": value, "from": src.name, "to": dst.name}
        try:
            convert(value, src, dst)
        except ConversionError as exc:
            return Match("convert", EXACT, params, error=_sentence(exc))
        return Match("convert", EXACT, params)

    def run(self, match: Match, ctx: Context) -> Outcome:
        return Outcome(self._answer(match), performed=True)

    def preview(self, match: Match, ctx: Context) -> Outcome:
        # Pure arithmetic: a dry run can give the real answer.
        return Outcome(self._answer(match), performed=False)

    @staticmethod
    def _answer(match: Match) -> str:
        p = match.params
        if match.intent == "convert":
            src, dst = lookup(p["from"]), lookup(p["to"])
            assert src is not None and dst is not None
            result = convert(p["value"], src, dst)
            shown = round(result, 4) if abs(result) >= 1 else result
            return f"{format_number(p['value'])} {_unit_for(p['value'], p['from'])} is " \
                   f"{format_number(shown)} {_unit_for(shown, p['to'])}."
        try:
            value = evaluate(p["expression"])
        except CalcError as exc:
            return _sentence(exc)
        return f"{p['expression']} = {format_number(value)}"


def _unit_for(value: float, name: str) -> str:
    """"pounds" after 2, "pound" after 1 ("1 foot", "1 degree celsius", "1 mile per hour")."""
    if value not in (1, -1):
        return name
    words = name.split()
    i = words.index("per") - 1 if "per" in words else (0 if words[0] == "degrees" else len(words) - 1)
    word = words[i]
    words[i] = {"feet": "foot", "inches": "inch"}.get(word, word[:-1] if word.endswith("s") else word)
    return " ".join(words)


def _sentence(exc: Exception) -> str:
    text = str(exc)
    return text[:1].upper() + text[1:] + "."
