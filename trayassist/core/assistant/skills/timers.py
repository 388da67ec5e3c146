"""Timers, alarms and reminders: set (with a message), ask about, cancel (with undo).

Persisted by the timer service, so they survive restarts."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from trayassist.core.assistant.base import EXACT, Match, Outcome, Skill
from trayassist.core.assistant.context import Context, Timer
from trayassist.core.assistant.normalize import Utterance
from trayassist.core.assistant.skills._common import compile_all, full
from trayassist.core.assistant.skills.timer_words import (
    find_clock,
    find_duration,
    reminder_label,
    too_far,
)
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
# Timers said as what should happen when the time is up; only with a real duration in them
# ("tell me when the pizza is done" is not one).
_TIMER_WHEN = compile_all([
    r"(?:start |begin )?count(?:ing)? ?down (?:from |for )?(?P<dur>.+?)",
    r"(?:tell|let) me (?:know )?when (?P<dur>.+?) (?:is|are|has|have) (?:up|over|passed|gone by|elapsed|gone|done)",
    r"(?:alert|ping|notify|buzz) me in (?P<dur>.+?)",
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


# "a timer for 10 minutes and another for 20": two requests in one ("1 hour and 30 minutes" is one).
_SECOND_ONE = re.compile(r"\band (?:another|a second|one more|a (?:timer|alarm)|an alarm|one)\b"
                         r"(?: (?:timer|alarm|one))?(?: for| at)? (?:\d|an? )")
_REMOVE_WORDS = re.compile(r"\b(?:cancel|stop|delete|remove|clear|turn off|kill|end|switch off|dismiss|"
                           r"disable|get rid of|deactivate|shut off|erase|silence|unset)\b")
_ALL = re.compile(r"\b(?:all|every|any|both)\b")


def _kind(text: str) -> str | None:
    if re.search(r"\b(?:alarms?|wake|wakeup)\b", text):
        return "alarm"
    if re.search(r"\b(?:timers?|count ?down)\b", text):
        return "timer"
    if re.search(r"\breminders?\b|\bremind\b", text):
        return "reminder"
    return None


class TimerSkill(Skill):
    name = "timers"
    # Cancelling is undoable and small: it takes the ordinary threshold, not the destructive one.

    def parse(self, label: str, utt: Utterance, ctx: Context) -> Match | None:
        text = utt.numeric
        rule = self.match(utt, ctx)
        if rule is not None and rule.error is None:
            return rule
        if label == "timers.remove" or (label != "timers.set" and _REMOVE_WORDS.search(text)):
            kind = _kind(text) or "alarm"
            when = find_clock(text)
            return Match("cancel", EXACT, {"kind": "timer" if kind == "timer" else "alarm",
                                           "all": bool(_ALL.search(text)),
                                           "what": "" if when is None else when[3],
                                           "label": reminder_label(utt.text) or ""})
        if label == "timers.query":
            return Match("list", EXACT, {"kind": _kind(text) or ""})
        return self._parse_set(utt, rule)

    def _parse_set(self, utt: Utterance, rule: Match | None) -> Match | None:
        text = utt.numeric
        kind = _kind(text)
        label = reminder_label(utt.text) or ""
        if too_far(text):
            return None  # another day, or every week: that is a calendar's job, not ours
        if _SECOND_ONE.search(text):  # setting only one of them would be half of what was asked
            return Match("set_alarm" if kind == "alarm" else "set_timer", EXACT, {},
                         error="I set one at a time: say the first, then the next.")
        seconds = find_duration(text)
        clock = find_clock(text) if kind != "timer" else None  # "a timer for 10" is no clock time
        if seconds is not None and (clock is None or kind == "timer"):
            if seconds > MAX_TIMER_S:
                return Match("set_timer", EXACT, {"seconds": seconds}, error="Timers can be at most 7 days long.")
            return Match("set_timer", EXACT, {"seconds": seconds, "label": label})
        if clock is not None:
            hour, minute, ap, _said = clock
            return Match("set_alarm", EXACT, {"hour": hour, "minute": minute, "ampm": ap, "label": label,
                                              "tomorrow": bool(re.search(r"\btomorrow\b", text))})
        if rule is not None:
            return rule  # a template that recognised it, with its own explanation
        if kind == "reminder" or label:
            what = f" to {label}" if label else ""
            return Match("set_reminder", EXACT, {"label": label},
                         error=f"When should I remind you{what}? Say, for example, \"in 20 minutes\".")
        if kind == "alarm":
            return Match("set_alarm", EXACT, {}, error="What time should the alarm be for?")
        return Match("set_timer", EXACT, {}, error="How long should the timer be?")

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
            return Match("set_alarm", EXACT, {"hour": hour, "minute": minute, "ampm": ap,
                                              "tomorrow": bool(re.search(r"\btomorrow\b", text))})
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
        m = full(_TIMER_WHEN, text)
        seconds = parse_duration(m.group("dur")) if m else None
        if seconds is not None and 0 < seconds <= MAX_TIMER_S:
            return Match("set_timer", EXACT, {"seconds": seconds, "label": ""})
        return None

    def _due_alarm(self, match: Match, ctx: Context) -> datetime:
        p = match.params
        now = ctx.clock.now()
        if p.get("tomorrow"):  # the first time the clock shows it tomorrow: "tomorrow at 7" is 07:00
            midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
            return next_occurrence(midnight - timedelta(microseconds=1), p["hour"], p["minute"], p["ampm"])
        return next_occurrence(now, p["hour"], p["minute"], p["ampm"])

    def preview(self, match: Match, ctx: Context) -> Outcome:
        p = match.params
        label = f" to {p['label']}" if p.get("label") else ""
        if match.intent == "set_timer":
            reply = f"would set a timer for {describe_duration(p['seconds'])}{label}"
        elif match.intent == "set_alarm":
            reply = f"would set an alarm for {self._due_alarm(match, ctx):%H:%M on %A}{label}"
        elif match.intent == "cancel":
            reply = f"would cancel {'all ' if p['all'] else 'the '}{p['kind']}{'s' if p['all'] else ''}"
        else:
            reply = f"would list your {p.get('kind') or 'timer'}s"
        return Outcome(reply, performed=False)

    def run(self, match: Match, ctx: Context) -> Outcome:
        timers = ctx.timers
        if timers is None:
            return Outcome("Timers are not available right now.", performed=False)
        now = ctx.clock.now()
        label = match.params.get("label", "")
        if match.intent == "set_timer":
            seconds = float(match.params["seconds"])
            timers.schedule("timer", now.timestamp() + seconds, label=label, seconds=seconds)
            if label:
                return Outcome(f"I'll remind you to {label} in {describe_duration(seconds)}.", performed=True)
            return Outcome(f"Timer set for {describe_duration(seconds)}.", performed=True)
        if match.intent == "set_alarm":
            due = self._due_alarm(match, ctx)
            timers.schedule("alarm", due.timestamp(), label=label)
            day = "today" if due.date() == now.date() else "tomorrow"
            if label:
                return Outcome(f"I'll remind you to {label} at {due:%H:%M} {day}.", performed=True)
            return Outcome(f"Alarm set for {due:%H:%M} {day}.", performed=True)
        if match.intent == "list":
            kind = match.params.get("kind") or ""
            shown = [t for t in timers.list() if kind in ("", "reminder") or t.kind == kind]
            if kind == "reminder":
                shown = [t for t in shown if t.label]
            return Outcome(_describe_list(shown, now, kind), performed=True)
        return self._cancel(match, ctx, now)

    def _cancel(self, match: Match, ctx: Context, now: datetime) -> Outcome:
        timers = ctx.timers
        assert timers is not None
        kind = match.params["kind"]
        found = [t for t in timers.list() if t.kind == kind]
        what = match.params.get("what", "")
        label = match.params.get("label", "")
        if (what or label) and not match.params["all"]:
            found = [t for t in found if _is_the_one(t, what, label, now)]
        if not found:
            return Outcome(f"There is no {kind} to cancel.", performed=False)
        if len(found) > 1 and not match.params["all"]:
            return Outcome(f"You have {len(found)} {kind}s; say \"cancel all {kind}s\" "
                           "or name the one to cancel.", performed=False)
        for t in found:
            timers.cancel(t.id)

        def restore() -> str:
            for t in found:
                if t.due > ctx.clock.now().timestamp():
                    timers.schedule(t.kind, t.due, label=t.label, seconds=t.seconds)
            return f"Put back {len(found)} {kind}{'s' if len(found) != 1 else ''}."

        ctx.undo.push(f"cancelling {len(found)} {kind}s", restore)
        which = f"the {kind}" if len(found) == 1 else f"{len(found)} {kind}s"
        when = f" for {datetime.fromtimestamp(found[0].due, now.tzinfo):%H:%M}" if len(found) == 1 else ""
        return Outcome(f"Cancelled {which}{when}. Say \"undo\" to put it back.", performed=True)


def _is_the_one(t: Timer, what: str, label: str, now: datetime) -> bool:
    if label and t.label and (label in t.label or t.label in label):
        return True
    if not what:
        return False
    seconds = parse_duration(what)
    if seconds and abs(t.seconds - seconds) < 1:
        return True
    clock = parse_clock(what)
    if clock is None:
        return bool(t.label and t.label in what)
    due = datetime.fromtimestamp(t.due, now.tzinfo)
    hour, minute, ap = clock
    hours = {hour % 12 + (12 if ap == "pm" else 0)} if ap else {hour % 24, (hour + 12) % 24}
    return due.minute == minute and due.hour in hours


def _describe_list(timers: list[Timer], now: datetime, kind: str = "") -> str:
    if not timers:
        return f"You have no {kind or 'timer'}s." if kind else "You have no timers or alarms."
    parts = []
    for t in timers:
        left = describe_duration(max(0.0, t.due - now.timestamp()))
        label = f" ({t.label})" if t.label else ""
        at = f" at {datetime.fromtimestamp(t.due, now.tzinfo):%H:%M}" if t.kind == "alarm" else ""
        parts.append(f"{t.kind}{label}{at} with {left} left")
    return "You have " + "; ".join(parts) + "."
