from __future__ import annotations

from datetime import datetime

import pytest

from trayassist.core.assistant import Assistant, Context
from trayassist.core.assistant.normalize import make_utterance
from trayassist.core.assistant.skills.timers import TimerSkill
from trayassist.core.assistant.timeparse import parse_clock, parse_duration

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("text", "seconds"), [
    ("set a timer for ten minutes", 600), ("Set a timer for 1 hour and 30 minutes.", 5400),
    ("start a 20 minute timer", 1200), ("set a timer for half an hour", 1800),
    ("set a timer four ten minutes", 600), ("set a timer for for minutes", 240),
    ("set a timer for to minutes", 120), ("timer for 90 seconds", 90),
    ("set a timer for two and a half minutes", 150), ("set a timer for an hour and a half", 5400),
])
def test_sets_timers(assistant: Assistant, ctx: Context, text: str, seconds: float) -> None:
    r = assistant.handle(text)
    assert (r.skill, r.intent, r.performed) == ("timers", "set_timer", True), r.reply
    assert ctx.timers is not None
    [timer] = ctx.timers.list()
    assert timer.seconds == seconds
    assert timer.due == pytest.approx(ctx.clock.now().timestamp() + seconds)
    assert ctx.store.get_items("timer")[0]["id"] == timer.id  # persisted


def test_label(assistant: Assistant, ctx: Context) -> None:
    assistant.handle("set a pasta timer for 8 minutes")
    assert ctx.timers is not None
    assert ctx.timers.list()[0].label == "pasta"


@pytest.mark.parametrize("text", ["set a timer for banana minutes", "set a timer",
                                  "set a timer for 10", "set a timer for 9 days"])
def test_bad_durations_set_nothing(assistant: Assistant, ctx: Context, text: str) -> None:
    r = assistant.handle(text)
    assert r.skill == "timers" and not r.performed
    assert r.reply and r.reply != "no command recognised"
    assert ctx.timers is not None and ctx.timers.list() == []


def test_banana_reply_is_clear(assistant: Assistant) -> None:
    assert "banana minutes" in assistant.handle("Set a timer for banana minutes.").reply


def test_alarm_next_occurrence(assistant: Assistant, ctx: Context) -> None:
    # It is 09:30: "7:30" means this evening, "6 am" tomorrow morning.
    assert assistant.handle("set an alarm for 7:30").reply == "Alarm set for 19:30 today."
    assert assistant.handle("wake me up at 6 am").reply == "Alarm set for 06:00 tomorrow."
    assert ctx.timers is not None
    dues = sorted(datetime.fromtimestamp(t.due, ctx.clock.now().tzinfo).strftime("%d %H:%M")
                  for t in ctx.timers.list())
    assert dues == ["14 19:30", "15 06:00"]


@pytest.mark.parametrize(("text", "due"), [
    ("wake me up tomorrow at 7", "15 07:00"),  # not 19:00: the first 7 o'clock tomorrow
    ("set an alarm for 7 pm tomorrow", "15 19:00"),
    ("set an alarm for tomorrow at 9:30", "15 09:30"),
    ("set an alarm for tomorrow at midnight", "15 00:00"),
])
def test_an_alarm_for_tomorrow_rings_at_the_first_such_time_tomorrow(assistant: Assistant, ctx: Context,
                                                                   text: str, due: str) -> None:
    assert assistant.handle(text).performed  # it is 09:30 on the 14th
    assert ctx.timers is not None
    [timer] = ctx.timers.list()
    assert datetime.fromtimestamp(timer.due, ctx.clock.now().tzinfo).strftime("%d %H:%M") == due


def test_impossible_alarm(assistant: Assistant, ctx: Context) -> None:
    r = assistant.handle("set an alarm for 25 o'clock")
    assert r.skill == "timers" and not r.performed
    assert ctx.timers is not None and ctx.timers.list() == []


def test_list_and_cancel(assistant: Assistant, ctx: Context) -> None:
    assert assistant.handle("what timers do I have").reply == "You have no timers or alarms."
    assistant.handle("set a timer for 10 minutes")
    assistant.handle("set a timer for 5 minutes")
    assert "10 minutes left" in assistant.handle("any timers running").reply
    r = assistant.handle("cancel the timer")
    assert not r.performed and "2 timers" in r.reply  # ambiguous: cancels nothing
    r = assistant.handle("cancel the 10 minute timer")
    assert r.performed
    assert ctx.timers is not None and [t.seconds for t in ctx.timers.list()] == [300]
    assert assistant.handle("cancel all timers").performed
    assert ctx.timers.list() == [] and ctx.store.get_items("timer") == []
    assert not assistant.handle("cancel my alarm").performed


def test_no_timer_service(ctx: Context, assistant: Assistant) -> None:
    ctx.timers = None
    r = assistant.handle("set a timer for 1 minute")
    assert r.skill == "timers" and not r.performed


def test_parsers_reject_garbage() -> None:
    assert parse_duration("banana") is None
    assert parse_duration("") is None
    assert parse_duration("0 minutes") is None
    assert parse_clock("25:00") is None
    assert parse_clock("7:75") is None
    assert parse_clock("13 pm") is None
    assert parse_clock("quarter to 8".replace("quarter", "0.25")) == (7, 45, None)


@pytest.mark.parametrize(("text", "seconds"), [
    ("tell me when two minutes are up", 120), ("start counting down from ten minutes", 600),
    ("let me know when ninety minutes have passed", 5400), ("ping me in fifteen minutes", 900),
])
def test_timers_said_as_when_the_time_is_up(ctx: Context, text: str, seconds: float) -> None:
    """Whole-sentence forms: they decide even where the model is unsure."""
    m = TimerSkill().match(make_utterance(text), ctx)
    assert m is not None and (m.intent, m.params["seconds"], m.error) == ("set_timer", seconds, None)


@pytest.mark.parametrize("text", ["tell me when the pizza is done", "let me know when you are done",
                                  "start counting down from three days ago"])
def test_when_without_a_duration_is_not_a_timer(ctx: Context, text: str) -> None:
    assert TimerSkill().match(make_utterance(text), ctx) is None


def test_a_reminder_for_tomorrow_at_a_time_is_an_alarm_with_its_message(ctx: Context) -> None:
    m = TimerSkill().parse("timers.set", make_utterance("remind me tomorrow at 7 am to call mum"), ctx)
    assert m is not None and m.intent == "set_alarm"
    assert (m.params["hour"], m.params["ampm"], m.params["tomorrow"], m.params["label"]) == (7, "am", True, "call mum")
    assert TimerSkill().parse("timers.set", make_utterance("remind me to call the vet tomorrow"), ctx) is None


@pytest.mark.parametrize("text", ["set a timer for 10 minutes and another for 20 minutes",
                                  "set a timer for 5 minutes and a timer for 10 minutes",
                                  "set an alarm for 7 am and another one at 8 am"])
def test_two_at_once_sets_neither_and_says_so(assistant: Assistant, ctx: Context, text: str) -> None:
    """Setting the first and dropping the second would be half an action that looks whole."""
    r = assistant.handle(text)
    assert r.skill == "timers" and not r.performed
    assert r.reply == "I set one at a time: say the first, then the next."
    assert ctx.timers is not None and ctx.timers.list() == []


@pytest.mark.parametrize(("text", "seconds"), [("set a timer for 1 hour and 30 minutes", 5400),
                                               ("set a timer for an hour and a half", 5400),
                                               ("set a timer for 2 hours and one minute", 7260)])
def test_one_duration_said_in_parts_is_still_one_timer(assistant: Assistant, text: str, seconds: float) -> None:
    r = assistant.handle(text)
    assert r.performed and r.params["seconds"] == seconds
