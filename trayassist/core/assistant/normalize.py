"""Turns a raw transcript into matchable text: case, punctuation, fillers, common ASR slips."""

from __future__ import annotations

import re
from dataclasses import dataclass

from trayassist.core.assistant.numbers import words_to_digits

# Contractions whose "'s" means "is"; other "'s" are possessive and just lose the apostrophe.
_IS_WORDS = ("what", "that", "it", "there", "who", "where", "how", "here", "when", "whats")
_CONTRACTIONS = [
    (r"\b(what|that|it|there|who|where|how|here|when)'s\b", r"\1 is"),
    (r"\bwhats\b", "what is"),
    (r"\bwhos\b", "who is"),
    (r"\bhows\b", "how is"),
    (r"\bwheres\b", "where is"),
    (r"\bcan't\b", "can not"),
    (r"\bwon't\b", "will not"),
    (r"n't\b", " not"),
    (r"'re\b", " are"),
    (r"'ve\b", " have"),
    (r"'ll\b", " will"),
    (r"'d\b", " would"),
    (r"\bi'm\b", "i am"),
    (r"\bim\b", "i am"),
    (r"o'clock", "oclock"),
    (r"'", ""),
]
# Word-level fixes for things speech recognisers commonly write differently.
_SPELLING = {
    "minuets": "minutes", "minuts": "minutes", "mins": "minutes", "min": "minute",
    "secs": "seconds", "sec": "second", "hrs": "hours", "hr": "hour",
    "mike": "mic", "microphones": "microphone",
    "volumn": "volume", "celcius": "celsius", "centigrade": "celsius",
    "farenheit": "fahrenheit", "fahrenheight": "fahrenheit", "farenheight": "fahrenheit",
    "kilometres": "kilometers", "kilometre": "kilometer", "metres": "meters", "metre": "meter",
    "centimetres": "centimeters", "centimetre": "centimeter", "millimetres": "millimeters",
    "millimetre": "millimeter", "litres": "liters", "litre": "liter", "millilitres": "milliliters",
    "millilitre": "milliliter", "timmer": "timer", "alarum": "alarm",
    "ok": "okay", "okey": "okay",
}
_PHRASES = [
    (r"\bper cent\b", "percent"),
    (r"\bto do list\b", "todo list"),
    (r"\bto-do list\b", "todo list"),
    (r"\bmicro phone\b", "microphone"),
    (r"\bwake up me\b", "wake me up"),
    (r"\bkm/h\b", "kph"),
    (r"\bm/s\b", "mps"),
    (r"\bmiles per hour\b", "mph"),
    (r"\bkilometers per hour\b", "kph"),
    (r"\bkilometers an hour\b", "kph"),
    (r"\bmiles an hour\b", "mph"),
    (r"\bmeters per second\b", "mps"),
    (r"\bsquare route\b", "square root"),
    (r"\ba m\b", "am"),
    (r"\bp m\b", "pm"),
]
_FILLER_WORDS = {"um", "umm", "uh", "uhh", "uhm", "erm", "er", "hmm", "mm", "please", "pls"}
# Politeness and wake-ups that wrap a command without changing it.
_LEAD = re.compile(
    r"^(?:hey|hi|okay|so|alright|all right|right|well|now|yo|"
    r"hey (?:computer|assistant|tray assist|trayassist)|"
    # Other assistants' wake words: people say them out of habit.
    r"(?:hey |okay |ok )?(?:olly|siri|alexa|google|cortana|computer|assistant)|"
    r"(?:could|can|would|will) you(?: please)?(?: just)?|would you mind|"
    r"i (?:want|need|would like) you to|i would like you to|go ahead and|just|quickly|"
    r"kindly|and)\b\s*"
)
_TRAIL = re.compile(
    r"\s*\b(?:for me|thanks|thank you|thank you very much|now|right now|real quick|"
    r"quickly|okay|then|if you can|if you could|will you|would you|can you)$"
)


@dataclass(frozen=True)
class Utterance:
    """One utterance in three forms: as heard, normalised words, and with numbers as digits."""

    raw: str
    text: str
    numeric: str

    @property
    def words(self) -> list[str]:
        return self.text.split()


def _strip_wrappers(text: str) -> str:
    for _ in range(6):
        new = _LEAD.sub("", text).strip()
        new = _TRAIL.sub("", new).strip()
        if new == text:
            break
        text = new
    return text


def normalize_text(raw: str) -> str:
    """Lowercase words without punctuation or fillers; keeps "7:30", "3.5", "10%" readable."""
    t = raw.lower().replace("\u2019", "'").replace("\u2018", "'")
    t = t.replace("\u00d7", " times ").replace("\u00f7", " divided by ")
    for pattern, repl in _PHRASES[5:7]:
        t = re.sub(pattern, repl, t)
    t = re.sub(r"(?<=\d),(?=\d{3}\b)", "", t)  # 1,000 -> 1000
    t = re.sub(r"(?<=\d)\s*%", " percent", t)
    t = re.sub(r"(?<=\d)\s*\+\s*(?=\d)", " plus ", t)
    t = re.sub(r"(?<=\d)\s*[*x]\s*(?=\d)", " times ", t)
    t = re.sub(r"(?<=\d)\s*/\s*(?=\d)", " divided by ", t)
    t = re.sub(r"(?<=\d)\s*\^\s*(?=\d)", " to the power of ", t)
    t = re.sub(r"(?<=\d) - (?=\d)", " minus ", t)
    t = re.sub(r"(?<=\d)\s*=\s*$", "", t)
    for pattern, repl in _CONTRACTIONS:
        t = re.sub(pattern, repl, t)
    # Keep ":" and "." only inside numbers (times, decimals); everything else is a word break.
    t = re.sub(r"(?<!\d)[:.]|[:.](?!\d)", " ", t)
    t = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", t)
    t = re.sub(r"(?<![\w])-(?=\d)", "minus ", t)
    t = re.sub(r"[^\w\s:.]", " ", t)
    t = re.sub(r"_", " ", t)
    words = [_SPELLING.get(w, w) for w in t.split() if w not in _FILLER_WORDS]
    t = " ".join(words)
    for pattern, repl in _PHRASES:
        t = re.sub(pattern, repl, t)
    return _strip_wrappers(t)


def make_utterance(raw: str) -> Utterance:
    text = normalize_text(raw)
    return Utterance(raw=raw, text=text, numeric=words_to_digits(text))
