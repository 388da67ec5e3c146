"""What one decode is asked for and what it returns."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from trayassist.core.transcribe.streaming import Word


@dataclass(frozen=True)
class ChunkText:
    """What the model heard in one piece of audio (after the hallucination filters)."""

    text: str
    audio_s: float
    compute_s: float
    dropped: tuple[str, ...] = ()  # segment texts removed by the filters (for debugging)
    words: tuple[Word, ...] = ()  # with Decoding.words: times from the start of the audio


@dataclass(frozen=True)
class Decoding:
    """How one piece of audio is decoded."""

    words: bool = False  # word timestamps (one extra alignment pass)
    fallback: bool = True  # decode again at higher temperatures when the output looks wrong
    # > 1 discourages tokens already produced. A buffer that ends inside a word sends a
    # live decode into a loop ("the museum opened the museum opened…" to the token
    # limit) in 16 % of live decodes; at 1.2 it happened in 1 of 309, and complete
    # sentences lost nothing (WER 0.119 against 0.122).
    repetition_penalty: float = 1.0


WHOLE = Decoding()


@dataclass(frozen=True)
class TimedWord:
    start: float
    end: float
    word: str
    probability: float


@dataclass(frozen=True)
class TimedSegment:
    """A kept segment with times in seconds from the start of the audio given."""

    start: float
    end: float
    text: str
    words: tuple[TimedWord, ...] = ()


@dataclass(frozen=True)
class Timing:
    """What a timed job (files) wants besides the text: progress and a way to stop early."""

    on_segment: Callable[[float], None] | None = None  # seconds decoded so far in this audio
    cancel: threading.Event | None = None


class Cancelled(Exception):
    """A timed job stopped because its cancel event was set."""
