"""Text to the n-gram features the intent model scores; shared by the runtime and the training tool."""

from __future__ import annotations

import re

from trayassist.core.assistant.normalize import make_utterance

MAX_WORDS = 60  # commands are short; a longer text is scored on its first words only
_NUMBER = re.compile(r"^-?\d+(?:[.:]\d+)?$")
_ORDINAL = re.compile(r"^\d+(?:st|nd|rd|th)$")


def model_words(text: str) -> list[str]:
    """Normalised words with every number as one token, so "200" and "two hundred" look alike."""
    words = make_utterance(text[:2000]).numeric.split()[:MAX_WORDS]
    out = []
    for w in words:
        if _NUMBER.match(w):
            out.append("<n>")
        elif _ORDINAL.match(w):
            out.append("<nth>")
        else:
            out.append(w)
    return out


def ngrams(words: list[str]) -> list[str]:
    """Word 1- and 2-grams (with sentence edges) and 3- to 5-letter pieces of each word.

    Letter pieces let unseen spellings and ASR slips ("alarms", "alarum") share weights."""
    feats = [f"w:{w}" for w in words]
    edged = ["<s>", *words, "</s>"]
    feats += [f"b:{a} {b}" for a, b in zip(edged, edged[1:], strict=False)]
    for w in set(words):
        if w.startswith("<"):
            continue
        padded = f" {w} "
        for n in (3, 4, 5):
            feats += [f"c:{padded[i:i + n]}" for i in range(max(1, len(padded) - n + 1))]
    return feats


def text_features(text: str) -> list[str]:
    return ngrams(model_words(text))
