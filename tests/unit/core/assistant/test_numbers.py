from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trayassist.core.assistant.numbers import format_number, parse_number, words_to_digits

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("text", "value"), [
    ("twelve", 12), ("three hundred forty", 340), ("three hundred and forty two", 342),
    ("two and a half", 2.5), ("a quarter", 0.25), ("half", 0.5), ("three quarters", 0.75),
    ("one point five", 1.5), ("twenty-five", 25), ("a thousand", 1000),
    ("one thousand two hundred", 1200), ("nine hundred ninety nine", 999), ("1,000", 1000),
    ("a dozen", 12), ("minus five", -5), ("ten thousand", 10000), ("zero", 0),
    ("two million", 2_000_000), ("1.5", 1.5),
])
def test_parses_spoken_numbers(text: str, value: float) -> None:
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "banana", "five six", "twenty twenty", "a", "and",
                                  "hundred hundred", "point", "three and", "one point banana"])
def test_rejects_non_numbers(text: str) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize(("text", "out"), [
    ("twelve percent of three hundred forty", "12 percent of 340"),
    ("set a timer for two and a half minutes", "set a timer for 2.5 minutes"),
    ("a quarter of 200", "0.25 of 200"),
    ("set a timer for a minute", "set a timer for a minute"),  # "a" alone stays a word
    ("seven thirty", "7 30"),  # not a single number: two numbers
    ("250 minus 75", "250 minus 75"),  # binary minus is not a negative number
])
def test_words_to_digits_in_sentences(text: str, out: str) -> None:
    assert words_to_digits(text) == out


def test_format_number() -> None:
    assert format_number(40.8) == "40.8"
    assert format_number(12.0) == "12"
    assert format_number(1 / 3) == "0.3333333333"


_VOCAB = ["one", "two", "twelve", "twenty", "hundred", "thousand", "and", "a", "half",
          "quarter", "point", "minus", "five", "ninety", "dozen", "oh", "3", "1,000", "x", "-"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_VOCAB), max_size=12))
def test_fuzz_number_words_never_crash(words: list[str]) -> None:
    value = parse_number(" ".join(words))
    assert value is None or isinstance(value, float | int)
    assert isinstance(words_to_digits(" ".join(words)), str)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_fuzz_arbitrary_text(text: str) -> None:
    value = parse_number(text)
    assert value is None or isinstance(value, float | int)
    words_to_digits(text)
