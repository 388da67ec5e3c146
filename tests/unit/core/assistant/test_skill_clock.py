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
