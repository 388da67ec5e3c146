"""Spoken durations ("1 hour and 30 minutes") and clock times ("7:30 pm", "half past 6")."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

_UNIT_S = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_NUM = r"\d+(?:\.\d+)?"
# ASR writes number words it mishears as their homophones: "for"/"four", "to"/"two".
_HOMOPHONES = {"for": "4", "fore": "4", "to": "2", "too": "2", "a": "1", "an": "1", "one": "1"}
MAX_TIMER_S = 7 * 86400


def _unit(word: str) -> str | None:
    w = word.rstrip("s") if word not in ("s",) else word
    return w if w in _UNIT_S else None


def parse_duration(text: str) -> float | None:
    """Seconds in "10 minutes", "1 hour and 30 minutes", "2.5 hours", "1 hour and 0.5"; else None."""
    tokens = text.replace(",", " ").split()
    if tokens and tokens[0] in ("for", "of") and len(tokens) > 1 and _unit(tokens[1]) is None:
        tokens = tokens[1:]
    total = 0.0
    i = 0
    last_unit: str | None = None
    seen = False
    while i < len(tokens):
        tok = tokens[i]
        if tok in ("and", "plus"):
            i += 1
            continue
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if tok == "0.5" and last_unit and not nxt:  # "an hour and a half"
            total += 0.5 * _UNIT_S[last_unit]
            i += 1
            continue
        if tok in _HOMOPHONES and _unit(nxt):
            tok = _HOMOPHONES[tok]
        if not re.fullmatch(_NUM, tok):
            return None
        value = float(tok)
        if nxt in ("a", "an") and i + 2 < len(tokens) and _unit(tokens[i + 2]):
            i += 1  # "0.5 an hour" from "half an hour"
            nxt = tokens[i + 1]
        unit = _unit(nxt)
        if unit is None:
            # "1 hour 30" -> 30 of the next smaller unit
            if last_unit in ("hour", "minute") and i + 1 == len(tokens):
                total += value * _UNIT_S["minute" if last_unit == "hour" else "second"]
                seen = True
                i += 1
                continue
            return None
        total += value * _UNIT_S[unit]
        last_unit = unit
        seen = True
        i += 2
    if not seen or total <= 0:
        return None
    return total


def describe_duration(seconds: float) -> str:
    seconds = round(seconds)
    parts = []
    for name, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        if seconds >= size:
            n, seconds = divmod(seconds, size)
            parts.append(f"{n} {name}{'s' if n != 1 else ''}")
    return " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts) or "0 seconds"


_CLOCK = re.compile(
    r"(?:at |for )?(?P<h>\d{1,2})(?:(?::| )(?P<m>\d{2}))?(?: (?P<oc>oclock))?"
    r"(?: ?(?P<ap>am|pm))?(?P<rest>(?: (?:in the (?:morning|afternoon|evening)|tonight|"
    r"at night|tomorrow(?: morning)?|today|this (?:morning|afternoon|evening)))*)"
)
_PAST = re.compile(r"(?:at |for )?(?P<q>0\.5|0\.25|1\.5|\d{1,2}) (?P<rel>past|after|to|til|"
                   r"till|before) (?P<h>\d{1,2})(?: ?(?P<ap>am|pm))?(?P<rest>.*)")


def parse_clock(text: str) -> tuple[int, int, str | None] | None:
    """(hour, minute, "am"/"pm"/None) for a spoken clock time; None if it is not one."""
    text = text.strip()
    if text in ("noon", "midday", "12 noon"):
        return 12, 0, "pm"
    if text == "midnight":
        return 0, 0, "am"
    ap: str | None
    m = _PAST.fullmatch(text)
    if m:
        q = m.group("q")
        minutes = {"0.5": 30, "0.25": 15}.get(q)
        if minutes is None:
            if "." in q:
                return None
            minutes = int(q)
        if minutes >= 60:
            return None
        hour = int(m.group("h"))
        ap = m.group("ap") or _daypart(m.group("rest"))
        if m.group("rel") in ("past", "after"):
            h, mm = hour, minutes
        else:
            h, mm = hour - 1, 60 - minutes
        if not 0 <= h <= 23 or hour > 23:
            return None
        return h % 24, mm, ap
    m = _CLOCK.fullmatch(text)
    if not m:
        return None
    hour, minute = int(m.group("h")), int(m.group("m") or 0)
    ap = m.group("ap") or _daypart(m.group("rest") or "")
    if minute > 59 or hour > 23 or (ap and not 1 <= hour <= 12):
        return None
    return hour, minute, ap


def _daypart(rest: str) -> str | None:
    if "morning" in rest:
        return "am"
    if any(w in rest for w in ("afternoon", "evening", "night", "tonight")):
        return "pm"
    return None


def next_occurrence(now: datetime, hour: int, minute: int, ap: str | None) -> datetime:
    """The next time the clock shows hour:minute; without am/pm, whichever comes first."""
    if ap == "am":
        hours = [hour % 12]
    elif ap == "pm":
        hours = [hour % 12 + 12]
    elif hour <= 12:
        hours = [hour % 12, hour % 12 + 12]
    else:
        hours = [hour]
    best: datetime | None = None
    for h in hours:
        cand = now.replace(hour=h, minute=minute, second=0, microsecond=0)
        if cand <= now:
            cand += timedelta(days=1)
        if best is None or cand < best:
            best = cand
    assert best is not None
    return best
