"""Time and date, here or in another city ("what time is it in Tokyo")."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

from trayassist.core.assistant.base import EXACT, Match, Outcome, Skill
from trayassist.core.assistant.context import Context
from trayassist.core.assistant.normalize import Utterance
from trayassist.core.assistant.skills._common import compile_all, full
from trayassist.core.assistant.zones import find_zone

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


class TimeSkill(Skill):
    name = "time"

    def match(self, utt: Utterance, ctx: Context) -> Match | None:
        text = utt.text
        m = full(_TIME, text)
        if m:
            place = (m.groupdict().get("place") or "").strip()
            if not place:
                return Match("time", EXACT, {})
            found = find_zone(place)
            if found is None:
                return Match("time", EXACT, {"place": place},
                             error=f"I don't know the time zone for {place.title()}.")
            zone, name = found
            return Match("time", EXACT, {"place": name, "zone": zone})
        if full(_DATE, text):
            return Match("date", EXACT, {})
        return None

    def run(self, match: Match, ctx: Context) -> Outcome:
        now = ctx.clock.now()
        if match.intent == "date":
            return Outcome(f"It's {now:%A}, {now.day} {now:%B %Y}.", performed=True)
        zone = match.params.get("zone")
        if not zone:
            return Outcome(f"It's {_clock_text(now)}.", performed=True)
        there = now.astimezone(zoneinfo.ZoneInfo(zone))
        day = "" if there.date() == now.date() else f" on {there:%A}"
        return Outcome(f"It's {_clock_text(there)}{day} in {match.params['place'].title()}.",
                       performed=True)

    def preview(self, match: Match, ctx: Context) -> Outcome:
        # Reading the clock has no side effect, so a dry run can answer for real.
        out = self.run(match, ctx)
        return Outcome(out.reply, performed=False)


def _clock_text(t: datetime) -> str:
    hour = t.hour % 12 or 12
    return f"{hour}:{t.minute:02d} {'AM' if t.hour < 12 else 'PM'}"
