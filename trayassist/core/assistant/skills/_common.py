"""Small helpers the built-in skills share: full-utterance templates and raw-text tails."""

from __future__ import annotations

import re
from collections.abc import Iterable

DET = r"(?:(?:the|my|a|an|our|this|that|all|all my|all the|all of my|all of the) )?"


def compile_all(patterns: Iterable[str]) -> list[re.Pattern[str]]:
    return [re.compile(p) for p in patterns]


def full(patterns: Iterable[re.Pattern[str]], text: str) -> re.Match[str] | None:
    """The first template that matches the whole utterance (never a fragment of it)."""
    for p in patterns:
        m = p.fullmatch(text)
        if m:
            return m
    return None


_RAW_LEAD = re.compile(
    r"^[\W_]*(?:(?:um+|uh+|erm|hmm|hey|hi|okay|ok|so|please|could you|can you|would you|"
    r"will you|just|alright|right|now)(?:[\W_]+|$))*",
    re.IGNORECASE,
)


def raw_tail(raw: str, head_words: str, keep_end: bool = False) -> str | None:
    """Text of `raw` after the spoken command words, keeping the speaker's case and punctuation.

    `head_words` is a regex over words (spaces between words); punctuation in raw may separate
    them. Returns None if raw does not start with them.
    """
    body = _RAW_LEAD.sub("", raw, count=1)
    words_rx = head_words.replace(" ", r"[\W_]+")
    m = re.match(rf"(?:{words_rx})(?:[\s,:;.!?\u2014-]+|$)", body, re.IGNORECASE)
    if not m:
        return None
    tail = body[m.end():].strip()
    if keep_end:
        return tail or None
    tail = re.sub(r"(?i)[\s,]*(?:please|thanks|thank you)?[.!]*$", "", tail).strip()
    return tail or None
