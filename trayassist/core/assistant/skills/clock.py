"""Time and date, here or in another place: the time, the date, days until a day, weekdays in a
month, "is it friday", time zones, the difference between two places and a clock time said in
one place converted to another ("what is 3 pm in london in tokyo time")."""

from __future__ import annotations

import calendar
import re
import zoneinfo
from datetime import date, datetime, timedelta
from typing import Any

from trayassist.core.assistant.base import EXACT, Match, Outcome, Skill
from trayassist.core.assistant.context import Context
from trayassist.core.assistant.dates import WEEKDAYS, find_date, find_month, weekdays_in_month
from trayassist.core.assistant.normalize import Utterance
from trayassist.core.assistant.skills._common import compile_all, full
from trayassist.core.assistant.skills.timer_words import find_clock, find_duration
from trayassist.core.assistant.timeparse import describe_duration
from trayassist.core.assistant.zones import NOT_PLACE, find_place, find_zone, places_in

_NOW = r"(?: (?:right )?now| currently| at the moment| today)?"
_TIME_Q = (
    r"(?:what|what is) (?:the )?(?:current |exact )?time(?: is it)?",
    r"what time is it",
    r"what time it is",
    r"what time do (?:you|we) have",
    r"(?:do you )?(?:know|have) (?:what time it is|the time)",
    r"(?:tell|give) me the (?:current )?time",
    r"(?:check|say) the time",
    r"(?:the |current )?time",
    r"what hour is it",
    r"time check",
)
_PLACE = r" (?:in|at|over in|for|in the city of) (?P<place>[a-z][a-z .]*?)"
_TIME = compile_all(
    [rf"{q}{_NOW}" for q in _TIME_Q]
    + [rf"{q}{_PLACE}{_NOW}" for q in _TIME_Q]
    + [rf"what time is it{_NOW}{_PLACE}"]
)
_DATE = compile_all([
    rf"(?:what|what is) (?:the |todays |today is )?date{_NOW}",
    rf"what date is it{_NOW}",
    rf"(?:tell|give) me (?:the |todays )?date{_NOW}",
    r"(?:todays |the )?date(?: today)?",
    rf"what day is (?:it|today){_NOW}",
    rf"what day of the week is (?:it|today){_NOW}",
    r"what is today",
    r"which day is (?:it|today)(?: today)?",
    rf"what is the day{_NOW}",
    rf"what (?:month|year) is it{_NOW}",
    r"what is todays date",
])
# Words that end a place name: "what time is it in tokyo right now".
_PLACE_END = r"(?= right now| now| currently| at the moment| today| tonight| please| is$| and |$)"
_IN_PLACE = re.compile(rf"\b(?:in|at|for|of) (?:the city of |the |)(?P<place>[a-z][a-z ]*?){_PLACE_END}")
_TWO_PLACES = re.compile(r"\bbetween (?P<a>[a-z][a-z ]*?) and (?P<b>[a-z][a-z ]*?)(?= right now| now|$)")
_HERE = {"here", "my place", "my location", "where i am", "home", "my time", "local time"}
# "Here" beside a clock time: not "home" ("9 am at home" is a place of one's own, not a zone).
_HERE_AT = re.compile(r"\b(?:here|my (?:local )?time|local time|where i am|my time zone)\b")
# A clock time belongs to the place right after it: "9 am in new york", "5 pm london time".
_JOINS = {"in", "at", "on"}
_CONVERT_START = re.compile(r"^(?:please |can you |could you )?convert\b")
# Times of day the clock cannot tell: the sky's and the sea's.
_NOT_CLOCK = re.compile(r"\b(?:sunrise|sunset|sun (?:rise|set|go down|come up)|sundown|dawn|dusk|twilight|"
                        r"moonrise|moon rise|(?:high|low) tide|prayer|daylight)\b")
# "what time is it in london in 3 hours", "what time was it 2 hours ago": the clock, moved.
_SHIFT_LATER = re.compile(r"\bin (?:an? |\d)|\bfrom (?:now|today)\b|\bfrom$|\blater\b|\bafter\b")
_SHIFT_EARLIER = re.compile(r"\bago\b|\bearlier\b|\bbefore\b|\bback\b")
_LEFT_IN = re.compile(r"\bhow many (?P<unit>days|weeks) (?:are |is )?(?:there )?(?:still )?(?:left|remaining|to go) "
                      r"(?:in|of|until the end of|till the end of) (?:the |this )?(?P<span>year|month)\b")
_WEEKDAY_WORD = "(?P<wd>" + "|".join(WEEKDAYS) + ")"
_COUNT_WEEKDAYS = re.compile(rf"\bhow many {_WEEKDAY_WORD}s?\b")
_IS_WEEKDAY = re.compile(rf"^(?:is|will) (?P<subject>.+?) (?:be )?(?:a |an |on a )?{_WEEKDAY_WORD}(?: today)?$")
_UNTIL = re.compile(r"\bhow (?:many|much) (?P<unit>days?|weeks?|months?|time|sleeps)\b.*\b(?:until|till|til|"
                    r"before|to|left (?:until|till|before|for)|for|away is)\b|\bhow (?:long|far) (?:is it )?"
                    r"(?:until|till|before|away is)\b|\bdays? (?:left )?(?:until|till|to)\b")
_ASKS_TIME = re.compile(r"\b(?:what|whats|which|tell|give|know|check|current|currently|now|clock|hour|"
                        r"say|show|display|is it|time is it|the time|exact|right now|late|early)\b|^time$")
_DAY_OF = re.compile(r"\bwhat (?:day|weekday|day of the week)\b|\bwhich (?:day|weekday)\b|\bwhen is\b|"
                     r"\bfall on\b|\bfalls on\b|\bland on\b")


# When something happens, not what the clock says: "what time does the pharmacy close", "what time is
# the game on saturday" ("what time is it" and "what time is it in tokyo" stay the clock's).
_EVENT_TIME = re.compile(r"\bwhat time (?:does|do|did|will|should|is|are|was) "
                         r"(?!it\b|(?:the |your |my )?(?:clock|watch)\b)(?:the|my|our|your|a|an|this|that|"
                         r"[a-z]+ (?:open|close|start|end|finish|leave|arrive|begin|depart|shut)s?\b)")
# Short forms whole: "current time new york" (a known place only), "is it friday", "how many
# saturdays are in march".
_TIME_PLACE = re.compile(r"(?:the )?(?:current |local )?time (?:now )?(?P<place>[a-z][a-z .]*?)(?: now| right now)?")
_IS_TODAY = re.compile(rf"(?:is (?:it|today)|today is) (?:a )?{_WEEKDAY_WORD}(?: today)?")
_COUNT_IN = re.compile(rf"how many {_WEEKDAY_WORD}s? (?:are |will )?(?:there )?(?:be )?in (?:the month of )?"
                       r"(?P<month>[a-z]+(?: \d{4})?)")


class TimeSkill(Skill):
    name = "time"

    def match(self, utt: Utterance, ctx: Context) -> Match | None:
        text = utt.text
        m = full(_TIME, text)
        if m:
            place = (m.groupdict().get("place") or "").strip()
            if place and place not in _HERE and find_zone(place) is None and not _ASKS_TIME.search(text):
                return None  # "time for bed": the word, not a question about a place
            return _time_in(place) if place else Match("time", EXACT, {})
        if full(_DATE, text):
            return Match("date", EXACT, {})
        m = _TIME_PLACE.fullmatch(text)
        known = find_zone(m.group("place")) if m else None
        if m and known is not None and known[1] == m.group("place"):  # exactly a place: "time machine" is not Maine
            return _time_in(m.group("place"))
        if _CONVERT_START.search(text):  # "convert 9 am cst to est": a calculator word, the clock's request
            converted = _conversion(utt.numeric)
            if converted is not None and converted.error is None:
                return converted
        today = ctx.clock.now().date()
        m = _IS_TODAY.fullmatch(text)
        if m:
            return Match("is_weekday", EXACT, {"weekday": m.group("wd"), "date": today.isoformat(),
                                               "said": "today"})
        m = _COUNT_IN.fullmatch(utt.numeric)
        month = find_month(f"in {m.group('month')}", today) if m else None
        if m and month is not None:
            return Match("count_weekday", EXACT, {"weekday": m.group("wd"), "year": month[0], "month": month[1]})
        return None

    def parse(self, label: str, utt: Utterance, ctx: Context) -> Match | None:
        text = re.sub(r"\b(tomorrow|yesterday)s\b", r"\1", utt.numeric)  # "tomorrow's date" without the '
        today = ctx.clock.now().date()
        if re.search(r"\b(?:timers?|alarms?|reminders?|lists?)\b", text):
            return None  # "how much time is left on my timer" is the timers' question
        if _EVENT_TIME.search(text) or _NOT_CLOCK.search(text) or re.search(r"\bremind", text):
            return None  # "what time does the museum open", "what time is sunset": not the clock
        if re.search(r"\btime ?zones?\b", text) and not re.search(r"\bwhat time is it\b", text):
            found = find_place(text)
            if found is None:
                return Match("zone", EXACT, {})
            return Match("zone", EXACT, {"zone": found[0], "place": found[1]})
        converted = _conversion(text) or _shifted(text)
        if converted is not None:  # a clock time said with a place, or "in 3 hours": never the time now
            return converted
        m = _LEFT_IN.search(text)
        if m:
            return Match("days_left", EXACT, {"span": m.group("span"), "unit": m.group("unit")})
        if re.search(r"\b(?:difference|ahead|behind|how many hours)\b", text):
            return self._difference(text)
        m = _COUNT_WEEKDAYS.search(text)
        if m:
            month = find_month(text, today)
            if month is None:
                return Match("count_weekday", EXACT, {"weekday": m.group("wd")},
                             error=f"Which month should I count {m.group('wd')}s in?")
            return Match("count_weekday", EXACT, {"weekday": m.group("wd"), "year": month[0],
                                                  "month": month[1]})
        m = _IS_WEEKDAY.match(text)
        if m:
            named = find_date(m.group("subject"), today) if m.group("subject") not in ("it", "this") \
                else (today, "today")
            if named is not None:
                return Match("is_weekday", EXACT, {"weekday": m.group("wd"), "date": named[0].isoformat(),
                                                   "said": named[1]})
        if _UNTIL.search(text):
            named = find_date(text, today)
            if named is None:
                return Match("days_until", EXACT, {}, error="Which day should I count to?")
            return Match("days_until", EXACT, {"date": named[0].isoformat(), "said": named[1]})
        named = find_date(text, today)
        if named is not None and named[1] != "today":
            intent = "day_of" if _DAY_OF.search(text) else "date_of"
            return Match(intent, EXACT, {"date": named[0].isoformat(), "said": named[1]})
        if re.search(r"\b(?:date|day|month|year|week)\b", text) and not re.search(r"\btime\b", text):
            if re.match(r"how (?:many|much|long)\b", text):
                return None  # a count this skill does not make is not today's date
            return Match("date", EXACT, {})
        found = find_place(text)
        if found is not None:
            return Match("time", EXACT, {"zone": found[0], "place": found[1]})
        if not _ASKS_TIME.search(text):
            return None  # "time flies": the word, not a question about the clock
        words = [w for w in (_place(text) or "").split() if w not in NOT_PLACE]
        if words and len(words) <= 3 and " ".join(words) not in _HERE:
            place = " ".join(words)
            return Match("time", EXACT, {"place": place}, error=f"I don't know the time zone for {place.title()}.")
        return Match("time", EXACT, {})

    @staticmethod
    def _difference(text: str) -> Match:
        m = _TWO_PLACES.search(text)
        names = [m.group("a"), m.group("b")] if m else [p for p in [_place(text)] if p]
        if not names:
            return Match("difference", EXACT, {}, error="Which places should I compare?")
        zones = []
        for name in names:
            if name.strip() in _HERE:
                zones.append(("local", "here"))
                continue
            found = find_place(name) or find_zone(name)
            if found is None:
                return Match("difference", EXACT, {"place": name},
                             error=f"I don't know the time zone for {name.title()}.")
            zones.append(found)
        if len(zones) == 1:
            zones.insert(0, ("local", "here"))
        return Match("difference", EXACT, {"zone": zones[1][0], "place": zones[1][1],
                                           "from_zone": zones[0][0], "from_place": zones[0][1]})

    def run(self, match: Match, ctx: Context) -> Outcome:
        return Outcome(answer(match, ctx.clock.now()), performed=True)

    def preview(self, match: Match, ctx: Context) -> Outcome:
        # Reading the clock has no side effect, so a dry run can answer for real.
        return Outcome(answer(match, ctx.clock.now()), performed=False)


def _conversion(text: str) -> Match | None:
    """A clock time said with places: converted from the place it is said in (the one right after
    it, else here) to the other one (else here). None without a clock time or a place."""
    clock = find_clock(text)
    if clock is None:
        return None
    tokens, said = text.split(), clock[3].split()
    start = next((i for i in range(len(tokens)) if tokens[i:i + len(said)] == said), None)
    if start is None:
        return None
    end = start + len(said)
    named = places_in(text) + [(len(text[:m.start()].split()), len(text[:m.end()].split()), "local", "here")
                               for m in _HERE_AT.finditer(text)]
    places = [p for p in sorted(named) if p[0] >= end or p[1] <= start]  # not inside the time's words
    if not places or all(p[2] == "local" for p in places):
        return None
    hour, minute, ap = clock[:3]
    if len(places) > 2:
        return Match("convert", EXACT, {}, error="Which two places should I convert the time between?")
    # "…9 am in new york", "…5 pm new york time": the place right after the time, a "in" between at most.
    source = next((p for p in places if p[0] >= end and set(tokens[end:p[0]]) <= _JOINS and p[0] - end <= 1), None)
    here = (0, 0, "local", "here")
    if source is None:
        if len(places) == 2:
            return Match("convert", EXACT, {}, error="Which place is that time in?")
        source, target = here, places[0]  # "what time will it be in london at 5 pm": 5 pm here
    else:
        target = next((p for p in places if p is not source), here)
    return Match("convert", EXACT, {"hour": hour, "minute": minute, "ap": ap,
                                    "zone": target[2], "place": target[3],
                                    "from_zone": source[2], "from_place": source[3]})


def _shifted(text: str) -> Match | None:
    """"What time is it in london in 3 hours", "what time was it 2 hours ago": the clock now,
    moved by minutes or hours (days are dates). None when the request names no such move."""
    if not re.search(r"\btime\b", text):
        return None
    seconds, earlier = find_duration(text), bool(_SHIFT_EARLIER.search(text))
    if seconds is None or seconds >= 86400 or not (earlier or _SHIFT_LATER.search(text)):
        return None
    params: dict[str, Any] = {"seconds": -seconds if earlier else seconds}
    found = find_place(re.sub(r"\bin (?:an? |\d).*$", "", text))  # "in 3 hours" is no place
    if found is not None:
        params.update(zone=found[0], place=found[1])
    return Match("time_shift", EXACT, params)


def _place(text: str) -> str | None:
    m = _IN_PLACE.search(text)
    if m is None:
        return None
    place = re.sub(r"\b(?:time|right now|now|today|the moment|currently)\b", "", m.group("place")).strip()
    return place or None


def _with_zone(intent: str, place: str) -> Match:
    found = find_zone(place)
    if found is None:
        return Match(intent, EXACT, {"place": place}, error=f"I don't know the time zone for {place.title()}.")
    return Match(intent, EXACT, {"place": found[1], "zone": found[0]})


def _time_in(place: str) -> Match:
    return _with_zone("time", place) if place not in _HERE else Match("time", EXACT, {})


def answer(match: Match, now: datetime) -> str:
    p = match.params
    intent = match.intent
    if intent == "date":
        return f"It's {now:%A}, {now.day} {now:%B %Y}."
    if intent == "zone":
        there = now.astimezone(zoneinfo.ZoneInfo(p["zone"])) if p.get("zone") else now
        where = _place_name(p["place"]) if p.get("place") else "Here"
        return f"{where} is on {p.get('zone') or there.tzname()} time ({_utc(there)})."
    if intent == "difference":
        a = now if p["from_zone"] == "local" else now.astimezone(zoneinfo.ZoneInfo(p["from_zone"]))
        b = now.astimezone(zoneinfo.ZoneInfo(p["zone"]))
        diff = ((b.utcoffset() or timedelta(0)) - (a.utcoffset() or timedelta(0))).total_seconds() / 3600
        first = "here" if p["from_place"] == "here" else p["from_place"].title()
        if diff == 0:
            return f"{_place_name(p['place'])} has the same time as {first} ({_clock_text(b)})."
        way = "ahead of" if diff > 0 else "behind"
        return f"{_place_name(p['place'])} is {_hours(abs(diff))} {way} {first}: it's {_clock_text(b)} there."
    if intent == "convert":
        return _converted(p, now)
    if intent == "time_shift":
        seconds = float(p["seconds"])
        zone = zoneinfo.ZoneInfo(p["zone"]) if p.get("zone") else None
        then = (now + timedelta(seconds=seconds)).astimezone(zone)
        today_there = now.astimezone(zone).date()
        on_day = "" if then.date() == today_there else f" on {then:%A}"
        where = f" in {_place_name(p['place'])}" if zone else ""
        amount = describe_duration(abs(seconds))
        if seconds < 0:
            return f"{amount[0].upper()}{amount[1:]} ago it was {_clock_text(then)}{on_day}{where}."
        return f"In {amount} it will be {_clock_text(then)}{on_day}{where}."
    if intent == "days_left":
        today = now.date()
        if p["span"] == "year":
            last, name = date(today.year, 12, 31), f"{today.year}"
        else:
            last = today.replace(day=calendar.monthrange(today.year, today.month)[1])
            name = f"{today:%B %Y}"
        days = (last - today).days
        count = f"{days} day{'' if days == 1 else 's'}"
        if p.get("unit") == "weeks":
            count = f"{days // 7} week{'' if days // 7 == 1 else 's'} and {days % 7} day{'' if days % 7 == 1 else 's'}"
        return f"{count} left in {name} after today (it ends on {_day_text(last)})."
    if intent in ("days_until", "day_of", "date_of", "is_weekday"):
        day = date.fromisoformat(p["date"])
        said = p.get("said", "")
        if intent == "is_weekday":
            yes = day.weekday() == WEEKDAYS[p["weekday"]]
            return f"{'Yes' if yes else 'No'}, {_day_text(day)} is a {day:%A}."
        if intent == "days_until":
            days = (day - now.date()).days
            if days == 0:
                return f"{said.capitalize()} is today."
            word = "day" if abs(days) == 1 else "days"
            if days < 0:
                return f"{said.capitalize()} was {-days} {word} ago ({_day_text(day)})."
            return f"{days} {word} until {said} ({_day_text(day)})."
        return f"{said.capitalize()} is {_day_text(day)}." if intent == "day_of" \
            else f"That's {_day_text(day)}."
    if intent == "count_weekday":
        n = weekdays_in_month(p["year"], p["month"], WEEKDAYS[p["weekday"]])
        month = date(p["year"], p["month"], 1)
        return f"There are {n} {p['weekday'].title()}s in {month:%B %Y}."
    zone = p.get("zone")
    if not zone:
        return f"It's {_clock_text(now)}."
    there = now.astimezone(zoneinfo.ZoneInfo(zone))
    on_day = "" if there.date() == now.date() else f" on {there:%A}"
    return f"It's {_clock_text(there)}{on_day} in {_place_name(p['place'])}."


def _converted(p: dict[str, Any], now: datetime) -> str:
    def zone_of(key: str) -> zoneinfo.ZoneInfo | None:
        return None if p[key] == "local" else zoneinfo.ZoneInfo(p[key])

    hour, minute, ap = p["hour"], p["minute"], p.get("ap")
    if ap in ("am", "pm"):
        hour = hour % 12 + (12 if ap == "pm" else 0)
    start = now.astimezone(zone_of("from_zone"))  # that clock time today, where it is said
    at = start.replace(hour=hour, minute=minute, second=0, microsecond=0)
    there = at.astimezone(zone_of("zone"))
    days = (there.date() - at.date()).days
    day = {0: "", 1: " the next day", -1: " the day before"}.get(days, "")

    def where(key: str) -> str:
        return "here" if p[key] == "here" else f"in {_place_name(p[key])}"

    return f"{_clock_text(at)} {where('from_place')} is {_clock_text(there)}{day} {where('place')}."


def _place_name(place: str) -> str:
    """"new york" -> "New York", "cst" -> "CST"."""
    return place.upper() if len(place) <= 4 and " " not in place and place not in ("rome", "oslo", "lima", "doha",
                                                                               "fiji", "rio", "la") \
        else place.title()


def _utc(t: datetime) -> str:
    off = (t.utcoffset() or timedelta(0)).total_seconds() / 3600
    return "UTC" if off == 0 else f"UTC{'+' if off > 0 else '-'}{_num(abs(off))}"


def _num(h: float) -> str:
    return str(int(h)) if h == int(h) else f"{int(h)}:{int(round((h % 1) * 60)):02d}"


def _hours(h: float) -> str:
    return f"{_num(h)} hour{'' if h == 1 else 's'}"


def _day_text(d: date) -> str:
    return f"{d:%A} {d.day} {d:%B %Y}"


def _clock_text(t: datetime) -> str:
    hour = t.hour % 12 or 12
    return f"{hour}:{t.minute:02d} {'AM' if t.hour < 12 else 'PM'}"
