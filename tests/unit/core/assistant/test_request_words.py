"""The parameter readers the skills use on freely worded requests: dates, durations, clock times,
reminder messages, lists and items, sums and conversions."""

from __future__ import annotations

from datetime import date

import pytest

from trayassist.core.assistant.dates import find_date, find_month, weekdays_in_month
from trayassist.core.assistant.normalize import make_utterance
from trayassist.core.assistant.skills import list_words as lw
from trayassist.core.assistant.skills.math_words import find_conversion, find_expression
from trayassist.core.assistant.skills.timer_words import find_clock, find_duration, reminder_label, too_far

pytestmark = pytest.mark.unit
TODAY = date(2026, 3, 14)  # a Saturday


def _num(text: str) -> str:
    return make_utterance(text).numeric


@pytest.mark.parametrize(("text", "expected"), [
    ("how many days until christmas", date(2026, 12, 25)),
    ("what day is the fourth of july", date(2026, 7, 4)),
    ("when is the 25th of december", date(2026, 12, 25)),
    ("is march 20 a friday", date(2026, 3, 20)),
    ("what date will it be in ten days", date(2026, 3, 24)),
    ("what is the date 3 weeks from now", date(2026, 4, 4)),
    ("is tomorrow sunday", date(2026, 3, 15)),
    ("what is the date next friday", date(2026, 3, 20)),
    ("how long until easter", date(2026, 4, 5)),
    ("days until thanksgiving", date(2026, 11, 26)),
    ("how many days until new year", date(2027, 1, 1)),  # this year's has passed
    ("what day of the week is the twenty second of may", date(2026, 5, 22)),
])
def test_dates(text: str, expected: date) -> None:
    found = find_date(_num(text), TODAY)
    assert found is not None and found[0] == expected


@pytest.mark.parametrize("text", ["what time is it", "set a timer", "february 30th", ""])
def test_no_date(text: str) -> None:
    assert find_date(_num(text), TODAY) is None


def test_weekdays_in_a_month() -> None:
    assert find_month("how many saturdays are in march", TODAY) == (2026, 3)
    assert weekdays_in_month(2026, 3, 5) == 4  # Saturdays in March 2026
    assert weekdays_in_month(2026, 5, 4) == 5  # Fridays in May 2026
    assert find_month("how many mondays next month", TODAY) == (2026, 4)
    assert find_month("may i ask you something", TODAY) is None


@pytest.mark.parametrize(("text", "seconds"), [
    ("remind me in twenty minutes to stretch", 1200),
    ("set a timer for an hour and a half", 5400),
    ("wake me in an hour", 3600),
    ("put a 10 minute timer on", 600),
    ("count down from ninety seconds", 90),
    ("i need two and a half minutes", 150),
])
def test_durations(text: str, seconds: float) -> None:
    assert find_duration(_num(text)) == seconds


@pytest.mark.parametrize(("text", "clock"), [
    ("remind me to call mum at 5 pm", (5, 0, "pm")),
    ("set an alarm for 7:30", (7, 30, None)),
    ("i'd like alarms set for 11am and 132pm", (11, 0, "am")),
    ("please add an alarm at 430am", (4, 30, "am")),
    ("set an alarm for half past six in the morning", (6, 30, "am")),
    ("wake me at noon", (12, 0, "pm")),
    ("set an alarm for mid day", (12, 0, "pm")),
])
def test_clock_times(text: str, clock: tuple[int, int, str | None]) -> None:
    found = find_clock(_num(text))
    assert found is not None and found[:3] == clock


@pytest.mark.parametrize("text", ["set a timer for 10 minutes", "i ran 5 miles", "add 2 eggs"])
def test_not_clock_times(text: str) -> None:
    assert find_clock(_num(text)) is None


@pytest.mark.parametrize(("text", "label"), [
    ("remind me to call mum at 5 pm", "call mum"),
    ("remind me at six pm to take my pills", "take my pills"),
    ("in twenty minutes remind me to stretch", "stretch"),
    ("set a reminder to pay the gas bill in an hour", "pay the gas bill"),
    ("set an alarm for 7 labelled taxi", "taxi"),
    ("remind me tomorrow at 7 am to call mum", "call mum"),
    ("set a new reminder for tomorrow at 4am", None),
    ("set a timer for ten minutes", None),
])
def test_reminder_messages(text: str, label: str | None) -> None:
    assert reminder_label(make_utterance(text).text) == label


@pytest.mark.parametrize(("text", "far"), [
    ("remind me to pay rent every month", True),
    ("remind me about the meeting on friday", True),
    ("remind me tomorrow to call the vet", True),
    ("set an alarm for 7 tomorrow", False),
    ("remind me to call mum at 5 pm", False),
    ("remind me tomorrow at 7 am to call mum", False),
    ("set a new reminder for tomorrow at 4am", False),
    ("remind me about the meeting tomorrow at ten", True),
    ("remind me i need to be at the library a week from today at five", True),
])
def test_calendar_requests_are_not_timers(text: str, far: bool) -> None:
    assert too_far(_num(text)) is far


@pytest.mark.parametrize(("text", "name"), [
    ("add milk to my grocery list", "shopping"),
    ("what is on my to do list", "todo"),
    ("create a list called packing", "packing"),
    ("remove the list of things to do", "todo"),
    ("make a new camping list", "camping"),
    ("what do i need to buy", "shopping"),
    ("please create new list", None),
    ("show everything on my to buy list", "shopping"),
    ("add eggs to my list of things to buy", "shopping"),
    ("what tasks do i have today", "todo"),
    ("what is left to do this afternoon", "todo"),
])
def test_list_names(text: str, name: str | None) -> None:
    assert lw.list_name(make_utterance(text).text) == name


@pytest.mark.parametrize(("text", "items"), [
    ("please update my grocery list with one gallon of two percent milk", ["one gallon of two percent milk"]),
    ("add eggs, bread and butter to my shopping list", ["eggs", "bread", "butter"]),
    ("on my to do list add cleaning", ["cleaning"]),
    ("i need oranges on my shopping list", ["oranges"]),
    ("put it on my list", []),
])
def test_items_to_add(text: str, items: list[str]) -> None:
    assert lw.items_to_add(make_utterance(text.replace(",", " and")).text) == items


@pytest.mark.parametrize(("text", "item", "whole"), [
    ("take eggs off the shopping list", "eggs", None),
    ("remove pepper from my grocery list", "pepper", None),
    ("remove that item", None, None),
    ("we no longer need fries on the shopping list", "fries", None),
    ("i don't need milk anymore", "milk", None),
    ("delete my shopping list", None, ("remove", "shopping")),
    ("delete my list", None, ("remove", None)),
    ("clear my to do list", None, ("clear", "todo")),
    ("delete everything on my to do list", None, ("clear", "todo")),
])
def test_removing(text: str, item: str | None, whole: tuple[str, str | None] | None) -> None:
    t = make_utterance(text).text
    assert lw.item_to_remove(t) == item
    assert lw.whole_list(t) == whole


@pytest.mark.parametrize(("text", "expr"), [
    ("divide two hundred by four", "200 / 4"),
    ("tell me what the product of eighteen and thirty one is", "18 * 31"),
    ("what is the sum of 3, 7, 9 and 24", "3 + 7 + 9 + 24"),
    ("subtract seven from fifty", "50 - 7"),
    ("what is the square root of eighty one", "sqrt 81"),
    ("what is fifteen percent of two hundred", "15 % of 200"),
    ("how much is a twenty percent tip on sixty dollars", "20 % of 60"),
    ("can you multiply 45 by 23", "45 * 23"),
    ("help me solve this math problem", None),
    ("what is ten to the twelfth power", "10 ^ 12"),
    ("what is 3 to the 6th power", "3 ^ 6"),
    ("if i win 200000 how do i split it 7 ways", "200000 / 7"),
    ("split 90 dollars 4 ways", "90 / 4"),
    ("divide 90 between 4", "90 / 4"),
])
def test_sums(text: str, expr: str | None) -> None:
    assert find_expression(_num(text)) == expr


@pytest.mark.parametrize(("text", "value", "src", "dst"), [
    ("how many ounces in a pound", 1.0, "pounds", "ounces"),
    ("convert 5 miles to kilometers", 5.0, "miles", "kilometers"),
    ("what is the total number of pints in two quarts", 2.0, "quarts", "pints"),
    ("convert inches to centimeters", None, "inches", "centimeters"),
])
def test_conversions(text: str, value: float | None, src: str, dst: str) -> None:
    found = find_conversion(_num(text))
    assert found is not None and (found[0], found[1].name, found[2].name) == (value, src, dst)


def test_no_conversion_between_kinds() -> None:
    assert find_conversion(_num("convert 5 miles to kilograms")) is None
