"""What one decode is asked for and what it returns, and the Whisper model whose encoder can
look at less than the 30 s window."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

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
    # The encoder sees the audio plus 1 s instead of a 30 s window padded with silence:
    # tiny.en int8 on 2 cores spends ~0.45 of its ~0.6 CPU-s per short decode encoding
    # that padding; cut, a 3.5 s sentence costs ~0.18 CPU-s at the same word error rate
    # (espeak-ng sentences: 0.122 against 0.125). whisper.cpp calls this `audio_ctx`.
    short_context: bool = False
    fallback: bool = True  # decode again at higher temperatures when the output looks wrong
    # > 1 discourages tokens already produced. A buffer that ends inside a word sends a
    # short-window decode into a loop ("the museum opened the museum opened…" to the token
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


def context_frames(samples: int) -> int:
    """Encoder frames for `samples` of audio plus 1 s, in whole seconds (at most the 30 s window)."""
    frames = samples // 160 + 1 + 100
    return min(3000, -(-frames // 100) * 100)


def short_context_model() -> Any:
    """faster-whisper's WhisperModel whose encoder can be told to look at fewer frames than
    the 30 s window (its input is padded to 3000 frames; CTranslate2 accepts fewer)."""
    from faster_whisper import WhisperModel

    class ShortContextWhisper(WhisperModel):  # type: ignore[misc]
        context_frames: int | None = None

        def encode(self, features: np.ndarray) -> Any:
            n = self.context_frames
            if n is not None and features.shape[-1] > n:
                features = np.ascontiguousarray(features[..., :n])
            return super().encode(features)

    return ShortContextWhisper
