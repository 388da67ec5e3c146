from __future__ import annotations

import pytest

from trayassist.core.assistant import Assistant
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
