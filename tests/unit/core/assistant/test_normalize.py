from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trayassist.core.assistant.normalize import make_utterance, normalize_text

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("raw", "text"), [
    ("Um, could you please set a timer for ten minutes?", "set a timer for ten minutes"),
    ("Hey, what's the time?", "what is the time"),
    ("whats the time", "what is the time"),
    ("What is 3 + 4 * 2?", "what is 3 plus 4 times 2"),
    ("Alarm for 7:30 a.m. please", "alarm for 7:30 am"),
    ("Is anyone using my mike?", "is anyone using my mic"),
    ("Convert 5 km/h to mph.", "convert 5 kph to mph"),
    ("Add call the plumber to my to-do list.", "add call the plumber to my todo list"),
    ("What's 1,200 divided by 3?", "what is 1200 divided by 3"),
    ("Turn it down, thank you", "turn it down"),
    ("uh", ""),
])
def test_normalises(raw: str, text: str) -> None:
    assert normalize_text(raw) == text


def test_utterance_keeps_raw_and_numbers() -> None:
    u = make_utterance("What's twelve percent of three hundred forty?")
    assert u.raw == "What's twelve percent of three hundred forty?"
    assert u.text == "what is twelve percent of three hundred forty"
    assert u.numeric == "what is 12 percent of 340"


@given(st.text(max_size=200))
def test_fuzz_never_crashes(raw: str) -> None:
    u = make_utterance(raw)
    assert u.text == u.text.strip()
