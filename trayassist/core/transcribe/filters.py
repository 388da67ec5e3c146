"""Hallucination filters: no text for silence, too-short presses or Whisper's stock phrases."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FilterOptions:
    min_press_s: float = 0.3  # shorter presses are key taps, not speech
    min_speech_s: float = 0.15  # VAD speech needed before the model is asked at all
    no_speech_threshold: float = 0.6
    log_prob_threshold: float = -1.0
    compression_ratio_threshold: float = 2.4  # above: a repetition loop
    low_confidence_logprob: float = -0.45  # stock phrases below this are dropped
    low_confidence_no_speech: float = 0.25


# Whisper learned these from subtitle files; on silence or noise it produces them.
_STOCK = {
    "thanks for watching", "thank you for watching", "thanks for watching bye",
    "thank you", "thank you so much", "thanks", "you", "bye", "bye bye", "okay",
    "please subscribe", "like and subscribe", "subscribe to my channel",
    "see you next time", "see you in the next video", "so", "oh", "uh", "um", "hmm",
    "the end", "i", "we", "yeah", "music", "applause", "silence", "blank audio",
}
_CREDITS = re.compile(
    r"^(subtitles?|captions?|closed captions?|transcri\w*|translat\w*|subs)\b.*\b(by|from)\b"
    r"|amara\.org|www\.|\.com\b|mooji|opensubtitles",
)
# Non-speech tags are never dictation: [BLANK_AUDIO], (music), *laughs*, ♪
_TAG = re.compile(r"^\s*([\[\(\*♪].*[\]\)\*♪]|♪+)\s*$")


def normalise(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s.']", " ", text.lower()).replace(".", " ").split())


def is_stock_phrase(text: str) -> bool:
    t = text.strip()
    if not t or _TAG.match(t):
        return True
    n = normalise(t)
    return not n or n in _STOCK or bool(_CREDITS.search(t.lower()))


def is_nonspeech_tag(text: str) -> bool:
    return bool(_TAG.match(text)) or not normalise(text)


def clean_segments(
    segments: Sequence[Any], opts: FilterOptions
) -> tuple[str, tuple[str, ...]]:
    """Join segment texts, dropping non-speech tags, repetition loops, silent segments and
    stock phrases that come with low confidence. Returns (text, dropped texts)."""
    kept: list[str] = []
    dropped: list[str] = []
    for seg in segments:
        text = segment_text(seg, opts)
        if text is None:
            dropped.append(seg.text.strip())
            continue
        kept.append(text)
    return " ".join(k for k in kept if k), tuple(dropped)


def segment_text(seg: Any, opts: FilterOptions) -> str | None:
    """One segment's text with tags stripped, or None when the filters drop it."""
    text = str(seg.text).strip()
    low_conf = (seg.avg_logprob < opts.low_confidence_logprob
                or seg.no_speech_prob > opts.low_confidence_no_speech)
    silent = (seg.no_speech_prob > opts.no_speech_threshold
              and seg.avg_logprob < opts.log_prob_threshold)
    if (not text or is_nonspeech_tag(text) or silent
            or seg.compression_ratio > opts.compression_ratio_threshold
            or (low_conf and is_stock_phrase(text))):
        return None
    return _strip_tags(text)


def _strip_tags(text: str) -> str:
    # "[BLANK_AUDIO] hello" → "hello": a tag inside real speech is dropped, the words kept.
    return " ".join(re.sub(r"\[[A-Z_ ]+\]|\((?:music|applause|silence)\)|♪", " ", text,
                           flags=re.IGNORECASE).split())


def drop_whole_output(text: str) -> str:
    """A whole utterance that is only a stock phrase from a low-confidence model is dropped
    already per segment; this catches an utterance that is only tags after joining."""
    return "" if is_nonspeech_tag(text) else text


def close_released_ending(text: str) -> str:
    """The last decode of a take ends where the speaker let go, and Whisper marks audio that
    stops right after a word as cut off ("…about the meeting..."): the user ended the
    sentence, so it ends with a full stop. An ellipsis inside the text is left alone."""
    stripped = text.rstrip()
    for mark in ("...", "…"):
        if stripped.endswith(mark):
            body = stripped[: -len(mark)].rstrip()
            return body + "." if body and body[-1].isalnum() else body or stripped
    return text
