"""Unit conversions for length, mass, temperature, volume, speed and time."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    name: str  # plural display name
    dimension: str
    factor: float  # to the dimension's base unit (metre, kilogram, litre, m/s, second)
    offset: float = 0.0  # temperatures only: base = value * factor + offset (kelvin)


def _u(dimension: str, factor: float, name: str, *aliases: str,
       offset: float = 0.0) -> list[tuple[str, Unit]]:
    unit = Unit(name, dimension, factor, offset)
    return [(a, unit) for a in (name, *aliases)]


_TABLE: list[tuple[str, Unit]] = [
    *_u("length", 1000.0, "kilometers", "kilometer", "km", "kms", "k"),
    *_u("length", 1.0, "meters", "meter", "m"),
    *_u("length", 0.01, "centimeters", "centimeter", "cm", "cms"),
    *_u("length", 0.001, "millimeters", "millimeter", "mm"),
    *_u("length", 1609.344, "miles", "mile", "mi"),
    *_u("length", 0.9144, "yards", "yard", "yd", "yds"),
    *_u("length", 0.3048, "feet", "foot", "ft"),
    *_u("length", 0.0254, "inches", "inch", "in"),
    *_u("length", 1852.0, "nautical miles", "nautical mile"),
    *_u("mass", 1000.0, "tonnes", "tonne", "metric tons", "metric ton"),
    *_u("mass", 1.0, "kilograms", "kilogram", "kilo", "kilos", "kg", "kgs"),
    *_u("mass", 0.001, "grams", "gram", "g", "grammes"),
    *_u("mass", 1e-6, "milligrams", "milligram", "mg"),
    *_u("mass", 0.45359237, "pounds", "pound", "lb", "lbs"),
    *_u("mass", 0.028349523125, "ounces", "ounce", "oz"),
    *_u("mass", 6.35029318, "stone", "stones"),
    *_u("temperature", 1.0, "degrees celsius", "celsius", "degrees c", "c",
        "degree celsius", offset=273.15),
    *_u("temperature", 5 / 9, "degrees fahrenheit", "fahrenheit", "degrees f", "f",
        "degree fahrenheit", offset=273.15 - 32 * 5 / 9),
    *_u("temperature", 1.0, "kelvin", "kelvins", "degrees kelvin"),
    *_u("volume", 1.0, "liters", "liter", "l"),
    *_u("volume", 0.001, "milliliters", "milliliter", "ml", "mls"),
    *_u("volume", 3.785411784, "gallons", "gallon", "gal", "us gallons", "us gallon"),
    *_u("volume", 4.54609, "imperial gallons", "imperial gallon", "uk gallons"),
    *_u("volume", 0.946352946, "quarts", "quart", "qt"),
    *_u("volume", 0.473176473, "pints", "pint", "pt"),
    *_u("volume", 0.2365882365, "cups", "cup"),
    *_u("volume", 0.0295735295625, "fluid ounces", "fluid ounce", "fl oz"),
    *_u("volume", 0.01478676478125, "tablespoons", "tablespoon", "tbsp"),
    *_u("volume", 0.00492892159375, "teaspoons", "teaspoon", "tsp"),
    *_u("speed", 1000 / 3600, "kilometers per hour", "kph", "kmh"),
    *_u("speed", 1609.344 / 3600, "miles per hour", "mph"),
    *_u("speed", 1.0, "meters per second", "mps"),
    *_u("speed", 1852 / 3600, "knots", "knot"),
    *_u("time", 1.0, "seconds", "second", "s"),
    *_u("time", 60.0, "minutes", "minute"),
    *_u("time", 3600.0, "hours", "hour", "h"),
    *_u("time", 86400.0, "days", "day"),
    *_u("time", 604800.0, "weeks", "week"),
    *_u("time", 31_557_600.0, "years", "year"),  # Julian year
    *_u("time", 0.001, "milliseconds", "millisecond", "ms"),
]
UNITS: dict[str, Unit] = dict(_TABLE)
# Single letters are too easy to mishear; they only count next to a number.
SHORT_ALIASES = frozenset(a for a in UNITS if len(a) == 1) | {"in"}


class ConversionError(ValueError):
    """The conversion makes no sense (e.g. miles to kilograms); message fit to show."""


def lookup(name: str) -> Unit | None:
    name = name.strip().lower()
    if name.startswith("degree ") and name not in UNITS:
        name = "degrees " + name[len("degree "):]
    return UNITS.get(name)


def convert(value: float, source: Unit, target: Unit) -> float:
    if source.dimension != target.dimension:
        raise ConversionError(f"I can't convert {source.name} to {target.name}")
    base = value * source.factor + source.offset
    return (base - target.offset) / target.factor
