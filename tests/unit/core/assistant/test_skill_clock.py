from __future__ import annotations

import pytest

from trayassist.core.assistant import Assistant, Context
from trayassist.core.assistant.normalize import make_utterance
from trayassist.core.assistant.skills.clock import TimeSkill
from trayassist.core.assistant.zones import CITY_ZONES, find_zone

pytestmark = pytest.mark.unit


def test_local_time(assistant: Assistant) -> None:
    r = assistant.handle("what time is it")
    assert (r.skill, r.intent, r.performed) == ("time", "time", True)
    assert r.reply == "It's 9:30 AM."


@pytest.mark.parametrize(("text", "zone", "reply"), [
    ("What time is it in Tokyo?", "Asia/Tokyo", "It's 6:30 PM in Tokyo."),
    ("what's the time in new york", "America/New_York", "It's 5:30 AM in New York."),
    ("time in sydney", "Australia/Sydney", "It's 8:30 PM in Sydney."),
    ("what time is it in tokio", "Asia/Tokyo", "It's 6:30 PM in Tokyo."),  # ASR slip
    ("what time is it in kolkata", "Asia/Kolkata", "It's 3:00 PM in Kolkata."),
    ("what time is it in honolulu", "Pacific/Honolulu", "It's 11:30 PM on Friday in Honolulu."),
])
def test_other_cities(assistant: Assistant, text: str, zone: str, reply: str) -> None:
    r = assistant.handle(text)
    assert r.params["zone"] == zone
    assert r.reply == reply


def test_zoneinfo_keys_beyond_the_table() -> None:
    assert "ulaanbaatar" not in CITY_ZONES
    assert find_zone("ulaanbaatar") == ("Asia/Ulaanbaatar", "ulaanbaatar")


def test_unknown_place_is_recognised_but_says_so(assistant: Assistant) -> None:
    r = assistant.handle("what time is it in narnia")
    assert r.skill == "time" and not r.performed
    assert "Narnia" in r.reply


def test_date(assistant: Assistant) -> None:
    r = assistant.handle("What's the date today?")
    assert r.reply == "It's Saturday, 14 March 2026."


@pytest.mark.parametrize("text", ["What time is the meeting?", "I don't have time for this",
                                  "We had a great time in Tokyo.", "time flies"])
def test_time_words_in_prose_are_not_commands(assistant: Assistant, text: str) -> None:
    assert assistant.handle(text).skill is None


@pytest.mark.parametrize("text", ["what time does the louvre open", "what time is the cookout on saturday",
                                  "what time do the shops close"])
def test_when_something_happens_is_not_the_clock(ctx: Context, text: str) -> None:
    """Even when the model proposes the time: a timetable is not ours to answer."""
    assert TimeSkill().parse("time", make_utterance(text), ctx) is None


@pytest.mark.parametrize("text", ["what time does your clock say", "what time is it in tokyo", "what time is it"])
def test_the_clock_is_still_the_clock(ctx: Context, text: str) -> None:
    m = TimeSkill().parse("time", make_utterance(text), ctx)
    assert m is not None and m.intent == "time"


def test_tomorrows_date_is_tomorrow(ctx: Context) -> None:
    m = TimeSkill().parse("time", make_utterance("tell me tomorrow's date"), ctx)
    assert m is not None and (m.intent, m.params["date"]) == ("date_of", "2026-03-15")


@pytest.mark.parametrize(("text", "reply"), [
    # The fixture's clock: Saturday 14 March 2026, 9:30 AM UTC; New York is on summer time.
    ("what time is it in tokyo when it is 9 am in new york", "9:00 AM in New York is 10:00 PM in Tokyo."),
    ("if it's noon in paris what time is it in chicago", "12:00 PM in Paris is 6:00 AM in Chicago."),
    ("what is 3 pm in london in tokyo time", "3:00 PM in London is 12:00 AM the next day in Tokyo."),
    ("convert 5:30 pm new york time to london time", "5:30 PM in New York is 9:30 PM in London."),
    ("convert nine am cst to est", "9:00 AM in CST is 10:00 AM in EST."),
    ("what is 5 pm est in my time", "5:00 PM in EST is 9:00 PM here."),
    ("what time will it be in sydney at 8 pm", "8:00 PM here is 7:00 AM the next day in Sydney."),
    ("when it is half past six in the morning in sydney what time is it here",
     "6:30 AM in Sydney is 7:30 PM the day before here."),
])
def test_a_clock_time_said_in_one_place_is_converted_to_the_other(
        assistant: Assistant, text: str, reply: str) -> None:
    r = assistant.handle(text)
    assert (r.skill, r.intent) == ("time", "convert"), r
    assert r.reply == reply


def test_a_clock_time_with_a_place_is_never_answered_with_the_time_now(ctx: Context) -> None:
    """Before the conversion, "what time is it in tokyo when it is 9 am in new york" said the
    time in Tokyo now: an answer to another question."""
    for text in ("what time is it in tokyo when it is 9 am in new york", "what is 3 pm in london in tokyo time"):
        match = TimeSkill().parse("time", make_utterance(text), ctx)
        assert match is not None and match.intent == "convert", text
    ambiguous = TimeSkill().parse("time", make_utterance("what is the time in london and tokyo at 5 pm"), ctx)
    assert ambiguous is not None and ambiguous.error == "Which place is that time in?"
    three = TimeSkill().parse("time", make_utterance("9 am in paris in london in tokyo"), ctx)
    assert three is not None and three.error is not None
    # No clock time, or no place: the questions they were.
    assert TimeSkill().parse("time", make_utterance("what time is it in tokyo"), ctx).intent == "time"
    assert TimeSkill().parse("time", make_utterance("what time is it at 5 pm"), ctx).intent == "time"


@pytest.mark.parametrize(("text", "intent", "reply"), [
    # The fixture's clock: Saturday 14 March 2026, 9:30 AM here (UTC).
    ("what time is it in london in 3 hours", "time_shift", "In 3 hours it will be 12:30 PM in London."),
    ("what time will it be in 45 minutes", "time_shift", "In 45 minutes it will be 10:15 AM."),
    ("what time was it in tokyo two hours ago", "time_shift", "2 hours ago it was 4:30 PM in Tokyo."),
    ("what time will it be in tokyo in 16 hours", "time_shift", "In 16 hours it will be 10:30 AM on Sunday in Tokyo."),
    ("what was the date 10 days ago", "date_of", "That's Wednesday 4 March 2026."),
    ("what day will it be 100 days from now", "day_of", "100 days from now is Monday 22 June 2026."),
    ("how many days are left in the year", "days_left",
     "292 days left in 2026 after today (it ends on Thursday 31 December 2026)."),
    ("how many days are left in this month", "days_left",
     "17 days left in March 2026 after today (it ends on Tuesday 31 March 2026)."),
])
def test_the_clock_and_the_calendar_moved_are_not_the_time_now(
        ctx: Context, text: str, intent: str, reply: str) -> None:
    """Each was answered with the time or the date now before: an answer to another question."""
    from trayassist.core.assistant.skills.clock import answer
    match = TimeSkill().parse("time", make_utterance(text), ctx)
    assert match is not None and match.intent == intent and match.error is None, match
    assert answer(match, ctx.clock.now()) == reply


@pytest.mark.parametrize("text", ["what time is sunset", "what time is sunrise tomorrow", "when is high tide",
                                  "how many hours of daylight are there", "remind me in 45 minutes what time it is"])
def test_what_the_clock_cannot_tell_is_not_answered_with_it(ctx: Context, text: str) -> None:
    assert TimeSkill().parse("time", make_utterance(text), ctx) is None


def test_the_uk_is_written_as_people_write_it(assistant: Assistant) -> None:
    assert assistant.handle("what time is it in the uk").reply.endswith("in UK.")
