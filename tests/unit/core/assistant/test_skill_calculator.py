from __future__ import annotations

import pytest

from trayassist.core.assistant import Assistant, Context
from trayassist.core.assistant.normalize import make_utterance
from trayassist.core.assistant.skills.calculator import CalculatorSkill, spoken_to_expression

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("text", "reply"), [
    ("What's twelve percent of three hundred forty?", "12 % of 340 = 40.8"),
    ("what is 7 times 8", "7 * 8 = 56"),
    ("How much is 250 minus 75?", "250 - 75 = 175"),
    ("what's the square root of 144", "sqrt 144 = 12"),
    ("what is two to the power of ten", "2 ^ 10 = 1024"),
    ("what's two and a half times four", "2.5 * 4 = 10"),
    ("what is a quarter of 200", "0.25 of 200 = 50"),
    ("what is to plus to", "2 + 2 = 4"),
    ("What's 1,200 divided by 3?", "1200 / 3 = 400"),
    ("what is 15 squared", "15 ^ 2 = 225"),
    ("what's 0.1 plus 0.2", "0.1 + 0.2 = 0.3"),
])
def test_calculates(assistant: Assistant, text: str, reply: str) -> None:
    r = assistant.handle(text)
    assert (r.skill, r.intent) == ("calculator", "calculate")
    assert r.reply == reply


def test_division_by_zero(assistant: Assistant) -> None:
    r = assistant.handle("What is ten divided by zero?")
    assert r.skill == "calculator" and not r.performed
    assert r.reply == "You can't divide by zero."


@pytest.mark.parametrize(("text", "reply"), [
    ("Convert five miles to kilometers.", "5 miles is 8.0467 kilometers."),
    ("What's 100 degrees Fahrenheit in Celsius?", "100 degrees fahrenheit is 37.7778 degrees celsius."),
    ("convert 30 celsius to fahrenheit", "30 degrees celsius is 86 degrees fahrenheit."),
    ("how many feet are in a mile", "1 mile is 5280 feet."),
    ("how many seconds are there in a day", "1 day is 86400 seconds."),
    ("What's 60 miles per hour in kilometers per hour?",
     "60 miles per hour is 96.5606 kilometers per hour."),
    ("Convert 2 gallons to litres.", "2 gallons is 7.5708 liters."),
    ("convert 0 kelvin to celsius", "0 kelvin is -273.15 degrees celsius."),
])
def test_converts(assistant: Assistant, text: str, reply: str) -> None:
    r = assistant.handle(text)
    assert (r.skill, r.intent) == ("calculator", "convert")
    assert r.reply == reply


def test_mismatched_units(assistant: Assistant) -> None:
    r = assistant.handle("convert 5 miles to kilograms")
    assert r.skill == "calculator" and not r.performed
    assert "can't convert miles to kilograms" in r.reply


def test_a_question_that_is_not_yet_a_sum_asks(assistant: Assistant) -> None:
    r = assistant.handle("what is 5")
    assert r.skill in (None, "calculator") and not r.performed  # never a guessed answer


@pytest.mark.parametrize("text", [
    "what is love", "I ran five miles this morning",
    "How many calories are in an apple?", "how many people are coming",
    "It's twelve degrees outside.", "Two plus two is four, everyone knows that.",
    "what's the square root of a banana",
])
def test_not_sums(assistant: Assistant, text: str) -> None:
    assert assistant.handle(text).skill is None


def test_spoken_to_expression() -> None:
    assert spoken_to_expression("12 percent of 340") == "12 % of 340"
    assert spoken_to_expression("3 plus banana") is None
    assert spoken_to_expression("5") is None
    assert spoken_to_expression("plus") is None


@pytest.mark.parametrize("text", ["how does 10 pounds convert to euros", "what's 11 yen in pounds",
                                  "what is the exchange rate for dollars"])
def test_money_is_not_asked_back(ctx: Context, text: str) -> None:
    """Exchange rates are not ours: no "what should I calculate?" for them."""
    assert CalculatorSkill().parse("calculator", make_utterance(text), ctx) is None


def test_sums_of_money_still_add_up(ctx: Context) -> None:
    m = CalculatorSkill().parse("calculator", make_utterance("split 90 dollars 4 ways"), ctx)
    assert m is not None and m.params["expression"] == "90 / 4"


@pytest.mark.parametrize(("value", "name", "said"), [
    (1, "pounds", "pound"), (2, "pounds", "pounds"), (1, "feet", "foot"), (1, "inches", "inch"),
    (1, "degrees celsius", "degree celsius"), (1, "miles per hour", "mile per hour"),
    (1, "fluid ounces", "fluid ounce"), (1, "kelvin", "kelvin"), (0.5, "cups", "cups"),
])
def test_one_of_a_unit_is_said_in_the_singular(value: float, name: str, said: str) -> None:
    from trayassist.core.assistant.skills.calculator import _unit_for
    assert _unit_for(value, name) == said
