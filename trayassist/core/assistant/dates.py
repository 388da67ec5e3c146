"""Spoken dates: "christmas", "the 25th of december", "march 3", "next friday", "in ten days"."""

from __future__ import annotations

import re
from datetime import date, timedelta

MONTHS = {m: i for i, m in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"), 1)}
MONTHS |= {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
           "sept": 9, "oct": 10, "nov": 11, "dec": 12}
WEEKDAYS = {d: i for i, d in enumerate(
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))}
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}
_ORD_RX = "|".join(sorted(_ORDINALS, key=len, reverse=True))
_DAY = rf"(?P<day>\d{{1,2}}(?:st|nd|rd|th)?|(?:(?:20|twenty|30|thirty) )?(?:{_ORD_RX}))"
_MONTH = "(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + ")"
_DAY_MONTH = [
    re.compile(rf"\b(?:the )?{_DAY} (?:of )?{_MONTH}\b"),
    re.compile(rf"\b{_MONTH} (?:the )?{_DAY}\b"),
]
_WEEKDAY = re.compile(r"\b(?P<rel>next |this |last |coming )?(?P<wd>" + "|".join(WEEKDAYS) + r")s?\b")
_OFFSET = re.compile(r"\b(?:in|after) (?P<n>\d+|a|an|one) (?P<unit>days?|weeks?|months?|years?)\b"
                     r"|\b(?P<n2>\d+|a|an|one) (?P<unit2>days?|weeks?|months?|years?) "
                     r"(?:from(?: now| today)?|later|away)(?!\w)"
                     r"|\b(?P<n3>\d+|a|an|one) (?P<unit3>days?|weeks?|months?|years?) (?P<ago>ago|back|before today)\b")


def _easter(year: int) -> date:
    """Gregorian Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ll = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ll) // 451
    month, day = divmod(h + ll - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th (1-based; -1 = last) given weekday of a month."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    last = nxt - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


HOLIDAYS = {
    "christmas eve": lambda y: date(y, 12, 24),
    "christmas day": lambda y: date(y, 12, 25),
    "christmas": lambda y: date(y, 12, 25),
    "xmas": lambda y: date(y, 12, 25),
    "boxing day": lambda y: date(y, 12, 26),
    "new years eve": lambda y: date(y, 12, 31),
    "new year eve": lambda y: date(y, 12, 31),
    "new years day": lambda y: date(y, 1, 1),
    "new years": lambda y: date(y, 1, 1),
    "new year": lambda y: date(y, 1, 1),
    "valentines day": lambda y: date(y, 2, 14),
    "valentines": lambda y: date(y, 2, 14),
    "st patricks day": lambda y: date(y, 3, 17),
    "saint patricks day": lambda y: date(y, 3, 17),
    "april fools day": lambda y: date(y, 4, 1),
    "independence day": lambda y: date(y, 7, 4),
    "halloween": lambda y: date(y, 10, 31),
    "easter sunday": _easter,
    "easter": _easter,
    "good friday": lambda y: _easter(y) - timedelta(days=2),
    "thanksgiving": lambda y: _nth_weekday(y, 11, 3, 4),
    "mothers day": lambda y: _nth_weekday(y, 5, 6, 2),
    "fathers day": lambda y: _nth_weekday(y, 6, 6, 3),
    "memorial day": lambda y: _nth_weekday(y, 5, 0, -1),
    "labor day": lambda y: _nth_weekday(y, 9, 0, 1),
    "labour day": lambda y: _nth_weekday(y, 9, 0, 1),
    "martin luther king day": lambda y: _nth_weekday(y, 1, 0, 3),
}
_HOLIDAY_RX = re.compile(r"\b(?:" + "|".join(sorted(HOLIDAYS, key=len, reverse=True)) + r")\b")


def ordinal_day(text: str) -> int | None:
    """"25th", "25", "twenty fifth", "third" -> the day number; None otherwise."""
    text = text.strip()
    m = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?", text)
    if m:
        return int(m.group(1))
    words = text.split()
    if len(words) == 2 and words[0] in ("20", "twenty", "30", "thirty") and words[1] in _ORDINALS:
        return (20 if words[0] in ("20", "twenty") else 30) + _ORDINALS[words[1]]
    return _ORDINALS.get(text)


def _this_or_next(today: date, make: object, future: bool) -> date | None:
    """The holiday (or date) this year, or next year's once it has passed and `future`."""
    assert callable(make)
    try:
        found: date = make(today.year)
        if future and found < today:
            found = make(today.year + 1)
    except ValueError:  # "february 30th"
        return None
    return found


def find_date(text: str, today: date, future: bool = True) -> tuple[date, str] | None:
    """The first date named in `text` and the words that named it; None if there is none.

    `future` picks next year's date once this year's has passed ("days until christmas")."""
    m = _HOLIDAY_RX.search(text)
    if m:
        found = _this_or_next(today, HOLIDAYS[m.group(0)], future)
        return (found, m.group(0)) if found else None
    for rx in _DAY_MONTH:
        m = rx.search(text)
        if m:
            day = ordinal_day(m.group("day"))
            month = MONTHS[m.group("month")]
            if day is None or not 1 <= day <= 31:
                continue
            found = _this_or_next(today, lambda y, mo=month, d=day: date(y, mo, d), future)
            return (found, m.group(0)) if found else None
    for word, delta in (("day after tomorrow", 2), ("tomorrow", 1), ("today", 0), ("yesterday", -1)):
        if re.search(rf"\b{word}\b", text):
            return today + timedelta(days=delta), word
    m = _OFFSET.search(text)
    if m:
        raw = m.group("n") or m.group("n2") or m.group("n3")
        unit = m.group("unit") or m.group("unit2") or m.group("unit3")
        n = (1 if raw in ("a", "an", "one") else int(raw)) * (-1 if m.group("ago") else 1)
        said = m.group(0) + (" now" if m.group(0).endswith(" from") else "")  # the normaliser drops "now"
        if unit.startswith("day"):
            return today + timedelta(days=n), said
        if unit.startswith("week"):
            return today + timedelta(weeks=n), said
        months = n * (12 if unit.startswith("year") else 1)
        y, mo = divmod(today.month - 1 + months, 12)
        for day in range(today.day, 27, -1):
            try:
                return date(today.year + y, mo + 1, day), said
            except ValueError:
                continue
        return date(today.year + y, mo + 1, min(today.day, 28)), said
    m = _WEEKDAY.search(text)
    if m:
        wd = WEEKDAYS[m.group("wd")]
        ahead = (wd - today.weekday()) % 7
        rel = (m.group("rel") or "").strip()
        if rel == "last":
            return today - timedelta(days=(today.weekday() - wd) % 7 or 7), m.group(0).strip()
        if rel == "next" and ahead == 0:
            ahead = 7
        return today + timedelta(days=ahead), m.group(0).strip()
    return None


def find_month(text: str, today: date) -> tuple[int, int] | None:
    """(year, month) of a month named in `text` ("in march", "this month", "next month")."""
    if re.search(r"\bnext month\b", text):
        y, m = divmod(today.month, 12)
        return today.year + y, m + 1
    if re.search(r"\bthis month\b|\bthe month\b(?! of)", text):
        return today.year, today.month
    named = re.search(r"\b(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b", text)
    if named is None or named.group(1) == "may" and not re.search(r"\b(?:in|of|during) may\b", text):
        return None
    month = MONTHS[named.group(1)]
    year = today.year + (1 if re.search(r"\bnext year\b", text) else 0)
    return year, month


def weekdays_in_month(year: int, month: int, weekday: int) -> int:
    first = _nth_weekday(year, month, weekday, 1)
    return sum(1 for k in range(5) if (first + timedelta(weeks=k)).month == month)
