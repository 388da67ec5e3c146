"""Requests as people word them, through the shipped intent model and the skills' parsers:
each intent with its parameters, the replies, undo, and bad input answered with no action."""

from __future__ import annotations

import pytest

from tests.support.assistant_fakes import FakeVolume
from trayassist.core.assistant import Assistant, Context

pytestmark = pytest.mark.unit


def _ask(assistant: Assistant, text: str) -> tuple[str | None, str | None, dict]:
    r = assistant.handle(text, dry_run=True)
    return r.skill, r.intent, r.params


@pytest.mark.parametrize(("text", "intent", "params"), [
    ("i'd like to know what time it is right now", "time", {}),
    ("current time new york", "time", {"zone": "America/New_York"}),
    ("today is what date", "date", {}),
    ("is it wednesday", "is_weekday", {"weekday": "wednesday", "date": "2026-03-14"}),
    ("how many saturdays are in march", "count_weekday", {"weekday": "saturday", "month": 3}),
    ("what day of the week does christmas fall on this year", "day_of", {"date": "2026-12-25"}),
    ("how many days until christmas", "days_until", {"date": "2026-12-25"}),
    ("what is the time difference between here and japan", "difference", {"zone": "Asia/Tokyo"}),
    ("what time zone is chicago in", "zone", {"zone": "America/Chicago"}),
])
def test_time_and_date(assistant: Assistant, text: str, intent: str, params: dict) -> None:
    skill, got, p = _ask(assistant, text)
    assert (skill, got) == ("time", intent), text
    assert params.items() <= p.items()


def test_time_and_date_answers(assistant: Assistant) -> None:
    assert assistant.handle("how many saturdays are in march").reply == "There are 4 Saturdays in March 2026."
    assert assistant.handle("is it wednesday").reply.startswith("No, Saturday 14 March 2026")
    assert "286 days until christmas" in assistant.handle("how many days until christmas").reply
    assert "9 hours ahead" in assistant.handle("what is the time difference between here and japan").reply


@pytest.mark.parametrize(("text", "intent", "params"), [
    ("set a timer for ten minutes", "set_timer", {"seconds": 600}),
    ("remind me to call mum at 5 pm", "set_alarm", {"hour": 5, "ampm": "pm", "label": "call mum"}),
    ("remind me in twenty minutes to check the oven", "set_timer", {"seconds": 1200, "label": "check the oven"}),
    ("wake me up at seven thirty tomorrow", "set_alarm", {"hour": 7, "minute": 30, "tomorrow": True}),
    ("is my alarm set", "list", {"kind": "alarm"}),
    ("cancel my alarm", "cancel", {"kind": "alarm"}),
    ("turn off the 6 am alarm", "cancel", {"kind": "alarm", "what": "6 am"}),
])
def test_alarms_and_timers(assistant: Assistant, text: str, intent: str, params: dict) -> None:
    skill, got, p = _ask(assistant, text)
    assert (skill, got) == ("timers", intent), text
    assert params.items() <= p.items()


def test_a_reminder_rings_with_its_message(assistant: Assistant, ctx: Context) -> None:
    r = assistant.handle("remind me to call mum at 5 pm")
    assert r.performed and r.reply == "I'll remind you to call mum at 17:00 today."
    assert ctx.timers is not None
    [timer] = ctx.timers.list()
    assert (timer.kind, timer.label) == ("alarm", "call mum")


def test_a_reminder_for_another_day_is_a_calendars_job(assistant: Assistant) -> None:
    assert assistant.handle("remind me to pay the rent every month", dry_run=True).skill is None


def test_cancelled_alarm_comes_back_with_undo(assistant: Assistant, ctx: Context) -> None:
    assert ctx.timers is not None
    assistant.handle("set an alarm for 7 am")
    r = assistant.handle("cancel my alarm")
    assert r.performed and "undo" in r.reply.lower() and ctx.timers.list() == []
    assert assistant.handle("undo").performed
    assert [t.kind for t in ctx.timers.list()] == ["alarm"]


@pytest.mark.parametrize(("text", "intent", "params"), [
    ("please update my grocery list with one gallon of two percent milk", "add_to_list",
     {"list": "shopping", "items": ["one gallon of two percent milk"]}),
    ("what is on my to do list", "show_list", {"list": "todo"}),
    ("what lists do i have", "show_lists", {}),
    ("create a new list called packing", "create_list", {"list": "packing"}),
    ("take eggs off the shopping list", "remove_from_list", {"list": "shopping", "item": "eggs"}),
    ("delete my shopping list", "remove_list", {"list": "shopping"}),
    ("is bread on my shopping list", "has_item", {"item": "bread"}),
])
def test_lists(assistant: Assistant, text: str, intent: str, params: dict) -> None:
    skill, got, p = _ask(assistant, text)
    assert (skill, got) == ("notes", intent), text
    assert params.items() <= p.items()


def test_a_removed_list_comes_back_with_undo(assistant: Assistant) -> None:
    assistant.handle("add eggs and bread to my shopping list")
    assistant.handle("create a list called packing")
    assert assistant.handle("what lists do i have").reply == "You have 2 lists: shopping, packing."
    r = assistant.handle("delete my shopping list")
    assert r.performed and r.reply.startswith("Removed your shopping list (2 items)") and "undo" in r.reply
    assert assistant.handle("what lists do i have").reply == "You have 1 list: packing."
    assert assistant.handle("undo").reply == "Your shopping list is back (2 items)."
    assert assistant.handle("what is on my shopping list").reply == "On your shopping list: eggs, bread."
    assert assistant.handle("undo").reply == "There is nothing to undo."


@pytest.mark.parametrize(("text", "expected"), [
    ("divide two hundred by four", "200 / 4 = 50"),
    ("tell me what the product of eighteen and thirty one is", "18 * 31 = 558"),
    ("what's the square root of eighty one", "sqrt 81 = 9"),
    ("what is fifteen percent of two hundred", "15 % of 200 = 30"),
    ("how many ounces in a pound", "1 pound is 16 ounces."),
    ("convert five miles to kilometers", "5 miles is 8.0467 kilometers."),
])
def test_calculator(assistant: Assistant, text: str, expected: str) -> None:
    r = assistant.handle(text, dry_run=True)
    assert (r.skill, r.reply) == ("calculator", expected)


@pytest.mark.parametrize(("text", "call"), [
    ("turn the volume up", ("change", 10)),
    ("make it quieter", ("change", -10)),
    ("mute the speakers", ("mute", True)),
    ("set volume to 7", ("set", 70)),
    ("set the volume to 35 percent", ("set", 35)),
])
def test_volume(assistant: Assistant, ctx: Context, text: str, call: tuple) -> None:
    assert assistant.handle(text).skill == "volume", text
    assert isinstance(ctx.volume, FakeVolume) and ctx.volume.calls[-1] == call


@pytest.mark.parametrize("text", [
    "", "   ", "?!", "x" * 10_000, "word " * 2_000, "1234567", "3 14 15 92 65",
    "¿Qué hora es en Madrid?", "Stell einen Wecker für sieben Uhr", "今何時ですか", "Ставь таймер",
    "\x00\x01\x02", "🙂🙂🙂",
])
def test_bad_input_is_no_action(assistant: Assistant, text: str) -> None:
    r = assistant.handle(text)
    assert r.skill is None and not r.performed and r.reply == "no command recognised"


@pytest.mark.parametrize("text", [
    "what's the weather like tomorrow", "play some music", "send an email to bob",
    "i will be home in ten minutes", "the volume of the box is ten liters", "time flies",
    "tell me a joke", "book a table for two at eight",
])
def test_not_ours_is_no_action(assistant: Assistant, text: str) -> None:
    assert assistant.handle(text, dry_run=True).skill is None
