"""Comparing what was said with what came back: word error rate, not exact keywords.

tiny.en on espeak-ng speech through a virtual mic is good but not perfect: a plosive
lost to a scheduling hiccup turns "bread" into "red". Tests of the pipeline accept a
small word error rate instead of insisting on each word; accuracy itself is measured
by `make bench`."""

from __future__ import annotations

import re

MAX_WER = 0.25  # one or two wrong words in a sentence: the pipeline works

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
         "nineteen"]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
# The model writes "6" and "12" where the script said "six" and "twelve": the same words.
SPOKEN = {str(i): w for i, w in enumerate(_ONES)} | {str(20 + 10 * i): w for i, w in enumerate(_TENS)}


def words(text: str) -> list[str]:
    return [SPOKEN.get(w, w) for w in re.findall(r"[a-z0-9']+", text.lower())]


def word_error_rate(said: str, heard: str) -> float:
    """(substitutions + deletions + insertions) / words said, over whole words."""
    from rapidfuzz.distance import Levenshtein

    ref = words(said)
    return Levenshtein.distance(ref, words(heard)) / max(1, len(ref))


def assert_heard(said: str, heard: str, max_wer: float = MAX_WER) -> None:
    wer = word_error_rate(said, heard)
    assert wer <= max_wer, f"said {said!r}, heard {heard!r}: WER {wer:.2f} > {max_wer}"
