"""Timers and alarms: set, list, cancel. Persisted by the timer service, so they survive restarts."""

from __future__ import annotations

from datetime import datetime

from trayassist.core.assistant.base import EXACT, Match, Outcome, Skill
from trayassist.core.assistant.context import Context, Timer
from trayassist.core.assistant.normalize import Utterance
from trayassist.core.assistant.skills._common import compile_all, full
from trayassist.core.assistant.timeparse import (
    MAX_TIMER_S,
    describe_duration,
    next_occurrence,
    parse_clock,
    parse_duration,
)

_SET = r"(?:set|start|make|create|put on|put|give me|begin|run)(?: me| up)?"
_A = r"(?:(?:a|an|the|1|one|another|new) )?"
_LABEL = r"(?: (?:for|called|named) (?:the |my )?(?P<label>[a-z][a-z ]*))?"
_TIMER_SET = compile_all([
    rf"{_SET} {_A}timer(?: (?:for|of|4|to|2|at|on))? (?P<dur>.+?){_LABEL}",
    rf"{_SET} {_A}timer",
    rf"{_SET} {_A}(?P<label>[a-z]+(?: [a-z]+)?) timer (?:for|of) (?P<dur>.+?)",
    rf"{_SET} {_A}(?P<dur>\S+(?: \S+)*?) (?:long )?timer{_LABEL}",
    r"timer(?: for)? (?P<dur>.+?)",
    rf"{_A}(?P<dur>\d\S* (?:\S+ )*?(?:seconds?|minutes?|hours?)) timer{_LABEL}",
    r"count ?down(?: from| for)? (?P<dur>.+?)",
])
_ALARM_SET = compile_all([
    rf"{_SET} {_A}alarm(?: (?:for|at|4|to))? (?P<when>.+?)",
    r"wake me(?: up)?(?: at| by)? (?P<when>.+?)",
    r"alarm (?:for|at) (?P<when>.+?)",
    rf"{_SET} {_A}alarm",
])
_LIST = compile_all([
    r"(?:list|show|read|check)(?: me)? (?:my |all |all my |the |all the )?(?:timers?|alarms?)",
    r"what (?:timers?|alarms?) (?:do i have|are (?:set|running|on))(?: (?:set|running|on))?",
    r"(?:do i have|are there|is there|have i got) (?:any |a )?(?:timers?|alarms?)"
    r"(?: (?:set|running|going|on))?",
    r"any (?:timers?|alarms?)(?: (?:set|running))?",
    r"how (?:much time|long) (?:is )?(?:left|remaining)(?: on (?:the|my) (?:timer|alarm))?",
    r"(?:what is the )?time (?:left|remaining) on (?:the|my) (?:timer|alarm)",
    r"(?:how is|status of) (?:the|my) timer(?: doing)?",
])
_CANCEL = compile_all([
    r"(?:cancel|stop|delete|remove|clear|turn off|kill|end|switch off|dismiss|disable)"
    r" (?P<all>all |all my |all the |all of my |every |my |the |that |this )?"
    r"(?:(?P<what>.+?) )?(?P<kind>timers?|alarms?)",
])


class TimerSkill(Skill):
    name = "timers"

    def match(self, utt: Utterance, ctx: Context) -> Match | None:
        text = utt.numeric
        m = full(_CANCEL, text)
        if m:
            kind = "alarm" if m.group("kind").startswith("alarm") else "timer"
            everything = bool(m.group("all") and m.group("all").startswith(("all", "every")))
            what = (m.group("what") or "").strip()
            if (what and parse_duration(what) is None and parse_clock(what) is None
                    and len(what.split()) > 3):
                return None
            return Match("cancel", EXACT, {"kind": kind, "all": everything, "what": what})
        if full(_LIST, text):
            return Match("list", EXACT, {})
        m = full(_ALARM_SET, text)
        if m:
            when = (m.groupdict().get("when") or "").strip()
            if not when:
                return Match("set_alarm", EXACT, {}, error="What time should the alarm be for?")
            clock = parse_clock(when)
            if clock is None:
                return Match("set_alarm", EXACT, {"when": when},
                             error=f"I couldn't understand the time \"{when}\", so I set no alarm.")
            hour, minute, ap = clock
            return Match("set_alarm", EXACT, {"hour": hour, "minute": minute, "ampm": ap})
        m = full(_TIMER_SET, text)
        if m:
            groups = m.groupdict()
            dur = (groups.get("dur") or "").strip()
            label = (groups.get("label") or "").strip()
            if not dur:
                return Match("set_timer", EXACT, {}, error="How long should the timer be?")
            seconds = parse_duration(dur)
            if seconds is None and label:
                seconds = parse_duration(f"{dur} for {label}")
                label = "" if seconds is not None else label
            if seconds is None:
                return Match("set_timer", EXACT, {"duration": dur},
                             error=f"I couldn't understand \"{dur}\" as a duration, "
                                   "so I set no timer.")
            if seconds > MAX_TIMER_S:
                return Match("set_timer", EXACT, {"seconds": seconds},
                             error="Timers can be at most 7 days long.")
            return Match("set_timer", EXACT, {"seconds": seconds, "label": label})
        return None

    def _due_alarm(self, match: Match, ctx: Context) -> datetime:
        p = match.params
        return next_occurrence(ctx.clock.now(), p["hour"], p["minute"], p["ampm"])

    def preview(self, match: Match, ctx: Context) -> Outcome:
        if match.intent == "set_timer":
            reply = f"would set a timer for {describe_duration(match.params['seconds'])}"
        elif match.intent == "set_alarm":
            reply = f"would set an alarm for {self._due_alarm(match, ctx):%H:%M on %A}"
        elif match.intent == "cancel":
            reply = f"would cancel {'all ' if match.params['all'] else 'the '}" \
                    f"{match.params['kind']}{'s' if match.params['all'] else ''}"
        else:
            reply = "would list your timers"
        return Outcome(reply, performed=False)

    def run(self, match: Match, ctx: Context) -> Outcome:
        timers = ctx.timers
        if timers is None:
            return Outcome("Timers are not available right now.", performed=False)
        now = ctx.clock.now()
        if match.intent == "set_timer":
            seconds = float(match.params["seconds"])
            label = match.params.get("label", "")
            timers.schedule("timer", now.timestamp() + seconds, label=label, seconds=seconds)
            what = f" for {label}" if label else ""
            return Outcome(f"Timer set for {describe_duration(seconds)}{what}.", performed=True)
        if match.intent == "set_alarm":
            due = self._due_alarm(match, ctx)
            timers.schedule("alarm", due.timestamp())
            day = "today" if due.date() == now.date() else "tomorrow"
            return Outcome(f"Alarm set for {due:%H:%M} {day}.", performed=True)
        if match.intent == "list":
            return Outcome(_describe_list(timers.list(), now.timestamp()), performed=True)
        return self._cancel(match, ctx, now.timestamp())

    def _cancel(self, match: Match, ctx: Context, now: float) -> Outcome:
        assert ctx.timers is not None
        kind = match.params["kind"]
        found = [t for t in ctx.timers.list() if t.kind == kind]
        what = match.params.get("what", "")
        if what and not match.params["all"]:
            seconds = parse_duration(what)
            picked = [t for t in found if (seconds and abs(t.seconds - seconds) < 1)
                      or (t.label and t.label in what)]
            found = picked
        if not found:
            return Outcome(f"There is no {kind} to cancel.", performed=False)
        if len(found) > 1 and not match.params["all"]:
            return Outcome(f"You have {len(found)} {kind}s; say \"cancel all {kind}s\" "
                           "or name the one to cancel.", performed=False)
        for t in found:
            ctx.timers.cancel(t.id)
        if len(found) == 1:
            return Outcome(f"Cancelled the {kind}.", performed=True)
        return Outcome(f"Cancelled {len(found)} {kind}s.", performed=True)


def _describe_list(timers: list[Timer], now: float) -> str:
    if not timers:
        return "You have no timers or alarms."
    parts = []
    for t in timers:
        left = describe_duration(max(0.0, t.due - now))
        label = f" ({t.label})" if t.label else ""
        parts.append(f"{t.kind}{label} with {left} left")
    return "You have " + "; ".join(parts) + "."
