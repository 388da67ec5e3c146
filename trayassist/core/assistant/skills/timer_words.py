"""Finds a duration, a clock time and a reminder's message anywhere in a request, however worded."""

from __future__ import annotations

import re

from trayassist.core.assistant.timeparse import parse_clock, parse_duration

_UNIT = re.compile(r"^(?:seconds?|minutes?|hours?|days?)$")
_CLOCK_HINT = re.compile(r"\b(?:am|pm|oclock|noon|midnight|morning|evening|afternoon|tonight|past|"
                         r"quarter)\b|\d:\d")
_CLOCK_LEAD = ("at", "for", "by", "till", "until", "to", "from")
_DAY_WORDS = re.compile(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mondays|tuesdays|wednesdays|"
    r"thursdays|fridays|saturdays|sundays|weekdays?|weekends?|every|each|daily|weekly|monthly|"
    r"yearly|annually|next week|next month|next year|weeks? from|january|february|march|april|june|july|"
    r"august|september|october|november|december|<nth>|\d+(?:st|nd|rd|th))\b")
_CALENDAR_WORDS = re.compile(r"\b(?:meeting|appointment|event|birthday|anniversary|calendar|schedule|"
                             r"interview|class|lecture|party|wedding|tomorrows|day after)\b")
_LABEL_HEADS = re.compile(
    r"\b(?:remind me (?:to|about|that|of)|reminder (?:to|about|that|for me to|for)|"
    r"remember to|not forget to|labell?ed|called|named|titled|with the (?:label|message|note))"
    r" (?P<label>.+)$")
_LABEL_LATE = re.compile(r"\bremind me (?:(?:tomorrow|today|tonight|later) )?"
                         r"(?:(?:at|in|by|around|after) (?:\S+ ){1,4}?)?(?:to|about|that) (?P<label>.+)$")
_WHEN_WORDS = {"tomorrow", "today", "tonight", "morning", "afternoon", "evening", "night", "later", "soon",
               "me"}
_LABEL_TAIL = re.compile(
    r"(?: (?:at|in|by|on|for|after|around|about|before|within|tonight|today|tomorrow|this|"
    r"every|from now)\b.*)$")


def _spoken_clock(text: str) -> str:
    """CLINC-style "430am", "7am", "7.30 pm" to what parse_clock reads ("4:30 am")."""
    text = re.sub(r"\bmid ?day\b", "midday", text)
    text = re.sub(r"\b(\d{1,2})(\d{2}) ?(am|pm)\b", r"\1:\2 \3", text)
    text = re.sub(r"\b(\d{1,2})(am|pm)\b", r"\1 \2", text)
    return re.sub(r"\b(\d{1,2})\.(\d{2})\b", r"\1:\2", text)


def find_duration(text: str) -> float | None:
    """Seconds in the longest duration named anywhere ("in twenty minutes", "for 1 hour and 30
    minutes"); None if there is none."""
    tokens = text.split()
    best: tuple[int, float] | None = None
    for end in range(1, len(tokens) + 1):
        if not (_UNIT.match(tokens[end - 1]) or tokens[end - 1] == "0.5"):
            continue
        for start in range(max(0, end - 9), end):
            if tokens[start] == "and":
                continue
            seconds = parse_duration(" ".join(tokens[start:end]))
            if seconds is not None and (best is None or end - start > best[0]):
                best = (end - start, seconds)
    return best[1] if best else None


def find_clock(text: str) -> tuple[int, int, str | None, str] | None:
    """(hour, minute, am/pm or None, the words) of the first clock time named: "at 5 pm",
    "for 7:30", "half past six in the morning". A bare number counts only after "at"/"for"/…
    and never before a unit ("for 10 minutes" is a duration)."""
    tokens = _spoken_clock(text).split()
    for start in range(len(tokens)):
        for end in range(min(len(tokens), start + 7), start, -1):
            span = " ".join(tokens[start:end])
            if end < len(tokens) and _UNIT.match(tokens[end]):
                continue
            found = parse_clock(span)
            if found is None:
                continue
            lead = tokens[start - 1] if start else ""
            if not (_CLOCK_HINT.search(span) or lead in _CLOCK_LEAD or span.startswith(("at ", "for "))):
                continue
            return found[0], found[1], found[2], span
    return None


def reminder_label(text: str) -> str | None:
    """The message of a reminder ("remind me to call mum at 5 pm" -> "call mum")."""
    m = _LABEL_LATE.search(text) or _LABEL_HEADS.search(text)
    if m is None:
        return None
    label = m.group("label")
    for _ in range(3):
        label = _LABEL_TAIL.sub("", label).strip()
    label = re.sub(r"^(?:to|about|that|of|me to) ", "", label)
    label = re.sub(r"\b(?:please|thanks|thank you)$", "", label).strip()
    words = label.split()
    if not words or len(words) > 10 or all(w in _WHEN_WORDS for w in words):
        return None  # "a reminder for tomorrow at 4 am" names a time, not a message
    return label


def too_far(text: str) -> bool:
    """A request tied to another day, a date or a repeat: a calendar's job, not a timer's. A reminder
    for tomorrow at a time ("remind me tomorrow at 7 am to call mum") is an alarm with a message, as
    "wake me up tomorrow at 7" is; without a time it is a calendar's."""
    if _DAY_WORDS.search(text):
        return True
    if not re.search(r"\bremind|\breminder", text):
        return False
    if _CALENDAR_WORDS.search(text):
        return True
    return bool(re.search(r"\btomorrow\b", text)) and find_clock(text) is None
