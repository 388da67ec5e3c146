"""Spoken numbers to values: "three hundred forty", "two and a half", "a quarter", "1,000"."""

from __future__ import annotations

import re

UNITS = {
    "zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9,
}
TEENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
# Fractions that can stand alone ("a quarter") or follow "and" ("two and a half").
FRACTIONS = {
    "half": 0.5, "halves": 0.5, "quarter": 0.25, "quarters": 0.25, "third": 1 / 3,
    "thirds": 1 / 3,
}
_DIGITS = re.compile(r"^\d+(?:\.\d+)?$")
# Words that may start a number; "a"/"an" only counts before a scale or fraction.
_STARTERS = set(UNITS) | set(TEENS) | set(TENS) | {"hundred", "dozen", "half", "minus", "negative"}
_INSIDE = _STARTERS | set(SCALES) | set(FRACTIONS) | {"and", "a", "point"}
_MAX_SPAN = 14


def _word_value(tok: str) -> tuple[str, float] | None:
    """Category and value of one integer token."""
    if tok in UNITS and tok != "oh":
        return "unit", UNITS[tok]
    if tok in TEENS:
        return "teen", TEENS[tok]
    if tok in TENS:
        return "ten", TENS[tok]
    if _DIGITS.match(tok):
        return "digits", float(tok)
    return None


def _parse_integer(tokens: list[str]) -> float | None:
    """Whole-number words (with optional digit tokens) to a value; None if not a number."""
    if not tokens:
        return None
    total = 0.0
    current = 0.0
    last = ""  # category of the previous token, to reject "five six" or "twenty twenty"
    seen_any = False
    for i, tok in enumerate(tokens):
        if tok == "and":
            # British "three hundred and forty": only valid after hundred/scale, before a number
            if last not in ("hundred", "scale") or i == len(tokens) - 1:
                return None
            continue
        if tok in ("a", "an"):
            if i != 0 or len(tokens) == 1 or tokens[1] not in ("hundred", "thousand", "million",
                                                                "billion", "dozen"):
                return None
            current = 1
            last = "unit"
            seen_any = True
            continue
        if tok == "hundred":
            if last in ("hundred",):
                return None
            current = (current or 1) * 100
            last = "hundred"
            seen_any = True
            continue
        if tok == "dozen":
            if last in ("hundred", "dozen"):
                return None
            current = (current or 1) * 12
            last = "dozen"
            seen_any = True
            continue
        if tok in SCALES:
            if last == "scale" and current == 0:
                return None
            total += (current or 1) * SCALES[tok]
            current = 0
            last = "scale"
            seen_any = True
            continue
        wv = _word_value(tok)
        if wv is None:
            return None
        cat, val = wv
        if cat == "digits":
            if last not in ("", "scale") or (last == "scale" and val >= 1000):
                return None
        elif cat == "unit":
            if last in ("unit", "teen", "digits", "dozen"):
                return None
        elif cat == "teen":
            if last in ("unit", "teen", "ten", "digits", "dozen"):
                return None
        elif cat == "ten" and last in ("unit", "teen", "ten", "digits", "dozen"):
            return None
        current += val
        last = cat
        seen_any = True
    return total + current if seen_any else None


def _parse_fraction(tokens: list[str]) -> float | None:
    """"a half", "half", "a quarter", "three quarters", "two thirds"."""
    if not tokens or tokens[-1] not in FRACTIONS:
        return None
    unit = FRACTIONS[tokens[-1]]
    head = tokens[:-1]
    if not head or head in (["a"], ["an"], ["one"]):
        return unit
    count = _parse_integer(head)
    if count is None or tokens[-1] in ("half", "quarter", "third"):
        return None
    return count * unit


def parse_tokens(tokens: list[str]) -> float | None:
    """Value of a whole token list, or None if it is not exactly one number."""
    if not tokens:
        return None
    if tokens[0] in ("minus", "negative"):
        rest = parse_tokens(tokens[1:])
        return -rest if rest is not None else None
    if "point" in tokens:
        k = tokens.index("point")
        whole = _parse_integer(tokens[:k]) if k else 0.0
        digits = tokens[k + 1:]
        if whole is None or not digits:
            return None
        decimals = ""
        for d in digits:
            if d in UNITS:
                decimals += str(UNITS[d])
            elif d.isdigit():
                decimals += d
            else:
                return None
        return float(f"{int(whole)}.{decimals}")
    if "and" in tokens:
        k = len(tokens) - 1 - tokens[::-1].index("and")
        frac = _parse_fraction(tokens[k + 1:])
        if frac is not None and frac < 1:
            whole = _parse_integer(tokens[:k])
            if whole is None:
                return None
            return whole + frac
    frac = _parse_fraction(tokens)
    if frac is not None:
        return frac
    return _parse_integer(tokens)


def parse_number(text: str) -> float | None:
    """Parse a phrase that is entirely one number; None otherwise. Never raises."""
    if not isinstance(text, str):
        return None
    cleaned = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text.strip().lower())
    cleaned = cleaned.replace("-", " ")
    tokens = cleaned.split()
    if len(tokens) > 40:
        return None
    return parse_tokens(tokens)


def format_number(value: float) -> str:
    """Readable digits: integers without ".0", others to at most 10 significant digits."""
    if value != value or value in (float("inf"), float("-inf")):
        return str(value)
    if abs(value) < 1e15 and float(value).is_integer():
        return str(int(value))
    text = f"{value:.10g}"
    return text


def words_to_digits(text: str) -> str:
    """Replace every spoken number in a token string by digits ("two and a half" -> "2.5")."""
    tokens = text.split()
    out: list[str] = []
    i = 0
    n = len(tokens)
    while i < n:
        tok = tokens[i]
        starts = tok in _STARTERS or (tok in ("a", "an") and i + 1 < n
                                     and tokens[i + 1] in ("hundred", "thousand", "million",
                                                           "dozen", "half", "quarter", "third"))
        if tok in ("minus", "negative") and out and _DIGITS.match(out[-1]):
            starts = False  # binary minus: "250 minus 75" stays a subtraction
        if not starts:
            out.append(tok)
            i += 1
            continue
        end = i
        while end < n and end - i < _MAX_SPAN and (tokens[end] in _INSIDE
                                                    or _DIGITS.match(tokens[end])):
            end += 1
        value = None
        j = end
        while j > i:
            if tokens[j - 1] not in ("and", "a", "point", "minus", "negative"):
                value = parse_tokens(tokens[i:j])
                if value is not None:
                    break
            j -= 1
        if value is None:
            out.append(tok)
            i += 1
            continue
        out.append(format_number(value))
        i = j
    return " ".join(out)
