"""Cut live audio into chunks at speech pauses so each is transcribed while the key is held.

Silero VAD (the ONNX model faster-whisper ships) runs on 32 ms windows as audio
arrives; a chunk closes inside a pause once it holds enough speech, so at release
only the last short chunk is left to transcribe. Cuts are made only inside silence,
except for a forced cut at the quietest window when a chunk grows too long.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

RATE = 16000
WINDOW = 512  # Silero's window at 16 kHz (32 ms)
CONTEXT = 64


def disable_onnxruntime_telemetry() -> None:
    """onnxruntime (1.32 on Linux) ships Microsoft 1DS telemetry that resolves and posts to
    mobile.events.data.microsoft.com from a background thread (strace: DNS every few
    seconds). Only ORT_DISABLE_TELEMETRY set before onnxruntime is imported stops it;
    disable_telemetry_events() afterwards does not. This is the one place that loads it."""
    import os
    import sys

    already = os.environ.get("ORT_DISABLE_TELEMETRY") == "1"  # a second VAD: not a late import
    os.environ["ORT_DISABLE_TELEMETRY"] = "1"
    if "onnxruntime" in sys.modules and not already:
        import logging

        logging.getLogger(__name__).warning("onnxruntime was imported before its telemetry was disabled")


class StreamingVad:
    """Silero VAD fed window by window, keeping the model's recurrent state between calls."""

    def __init__(self, session: Any | None = None) -> None:
        if session is None:
            disable_onnxruntime_telemetry()
            from faster_whisper.vad import get_vad_model

            session = get_vad_model().session
        self._session = session
        self.reset()

    def reset(self) -> None:
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._ctx = np.zeros(CONTEXT, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)

    def feed(self, audio: np.ndarray) -> np.ndarray:
        """Speech probabilities for every complete 512-sample window now available."""
        data = np.concatenate([self._pending, audio.astype(np.float32, copy=False)])
        n = len(data) // WINDOW
        self._pending = data[n * WINDOW:]
        if n == 0:
            return np.zeros(0, dtype=np.float32)
        windows = data[: n * WINDOW].reshape(n, WINDOW)
        ctx = np.empty((n, CONTEXT), dtype=np.float32)
        ctx[0] = self._ctx
        ctx[1:] = windows[:-1, -CONTEXT:]
        self._ctx = windows[-1, -CONTEXT:].copy()
        batch = np.concatenate([ctx, windows], axis=1)
        out, self._h, self._c = self._session.run(
            None, {"input": batch, "h": self._h, "c": self._c})
        return np.asarray(out, dtype=np.float32).reshape(-1)[:n]


@dataclass(frozen=True)
class Chunk:
    index: int
    start_s: float  # where the chunk's audio starts in the utterance
    audio: np.ndarray  # 16 kHz mono float32, trimmed to speech plus padding
    speech_s: float
    final: bool
    key: tuple[int, int] = (0, 0)  # (chunk start, speech windows so far): same key, same audio


@dataclass(frozen=True)
class ChunkerOptions:
    threshold: float = 0.5
    neg_threshold: float = 0.35  # hysteresis: speech ends when prob drops below this
    min_chunk_s: float = 2.5  # a chunk closes at a pause only after this much audio
    min_speech_s: float = 1.0
    pause_s: float = 0.4  # silence that counts as a pause
    speculate_s: float = 0.25  # silence after which the pending audio is offered early
    max_chunk_s: float = 20.0  # forced cut beyond this
    pad_s: float = 0.2  # silence kept around speech when trimming


class Chunker:
    """Feed audio with `feed()` (one thread); `on_chunk` is called on that thread for each
    closed chunk. `flush()` at release returns the last chunk (or None if it holds no speech).
    """

    def __init__(self, vad: StreamingVad, on_chunk: Callable[[Chunk], None],
                 opts: ChunkerOptions | None = None,
                 on_pause: Callable[[Chunk], None] | None = None) -> None:
        self.vad = vad
        self.on_chunk = on_chunk
        # Called at a pause that did not close a chunk (too short yet): the caller may
        # transcribe it speculatively, since the user often releases the key right then.
        self.on_pause = on_pause
        self.o = opts or ChunkerOptions()
        self.vad.reset()
        self._buf = np.zeros(RATE * 30, dtype=np.float32)
        self._len = 0
        self._probs: list[float] = []
        self._speech: list[bool] = []
        self._triggered = False
        self._chunk_start = 0  # sample index
        self._silence_run = 0  # windows
        self._index = 0
        self.speech_windows = 0

    @property
    def samples(self) -> int:
        return self._len

    @property
    def speech_s(self) -> float:
        return self.speech_windows * WINDOW / RATE

    @property
    def trailing_silence_s(self) -> float:
        return self._silence_run * WINDOW / RATE

    @property
    def pending_key(self) -> tuple[int, int]:
        """Identifies the un-emitted audio's speech: equal keys mean the same final chunk."""
        return (self._chunk_start, self.speech_windows)

    def audio(self) -> np.ndarray:
        """Everything fed so far (for whole-buffer comparison and debugging)."""
        return self._buf[: self._len].copy()

    def feed(self, audio: np.ndarray) -> None:
        self._append(audio)
        for p in self.vad.feed(audio):
            self._window(float(p))

    def flush(self) -> Chunk | None:
        return self._emit(self._len, final=True)

    # ---- internals ----------------------------------------------------------------
    def _append(self, audio: np.ndarray) -> None:
        need = self._len + len(audio)
        self._buf = room(self._buf, self._len, need)
        self._buf[self._len: need] = audio
        self._len = need

    def _window(self, p: float) -> None:
        o = self.o
        if p >= o.threshold:
            self._triggered = True
        elif p < o.neg_threshold:
            self._triggered = False
        self._probs.append(p)
        self._speech.append(self._triggered)
        if self._triggered:
            self.speech_windows += 1
            self._silence_run = 0
        else:
            self._silence_run += 1
        end = len(self._probs) * WINDOW  # sample index after this window
        length_s = (end - self._chunk_start) / RATE
        pause_windows = int(o.pause_s * RATE / WINDOW)
        if (self._silence_run >= pause_windows and length_s >= o.min_chunk_s
                and self._chunk_speech_s(end) >= o.min_speech_s):
            # Cut in the middle of the pause: both chunks keep some silence at the edge.
            cut = end - (self._silence_run * WINDOW) // 2
            self._emit(cut, final=False)
        elif length_s >= o.max_chunk_s:
            self._emit(self._quietest(end), final=False)
        elif (self._silence_run == int(o.speculate_s * RATE / WINDOW)
              and self.on_pause is not None):
            peek = self._slice(self._chunk_start, end, final=True)
            if peek is not None:
                self.on_pause(peek)

    def _chunk_speech_s(self, end: int) -> float:
        a, b = self._chunk_start // WINDOW, end // WINDOW
        return sum(self._speech[a:b]) * WINDOW / RATE

    def _quietest(self, end: int) -> int:
        # Search the second half of the chunk for the window with the least speech
        # probability, then the least energy: a forced cut should fall between words.
        a = (self._chunk_start + end) // 2 // WINDOW
        b = end // WINDOW
        best, best_key = b - 1, (2.0, 0.0)
        for w in range(a, b):
            x = self._buf[w * WINDOW:(w + 1) * WINDOW]
            key = (round(self._probs[w], 1), float(np.mean(x * x)))
            if key < best_key:
                best, best_key = w, key
        return best * WINDOW + WINDOW // 2

    def _emit(self, cut: int, final: bool) -> Chunk | None:
        start = self._chunk_start
        self._chunk_start = cut
        chunk = self._slice(start, cut, final)
        if chunk is not None:
            self._index += 1
            if not final:
                self.on_chunk(chunk)
        return chunk

    def _slice(self, start: int, cut: int, final: bool) -> Chunk | None:
        a = start // WINDOW
        b = min(len(self._speech), -(-cut // WINDOW))
        flags = self._speech[a:b]
        if not any(flags):
            return None
        pad = int(self.o.pad_s * RATE)
        first = a + flags.index(True)
        last = a + len(flags) - 1 - flags[::-1].index(True)
        lo = max(start, first * WINDOW - pad)
        hi = min(cut, (last + 1) * WINDOW + pad)
        return Chunk(self._index, lo / RATE, self._buf[lo:hi].copy(),
                     sum(flags) * WINDOW / RATE, final, (start, self.speech_windows))


def room(buf: np.ndarray, used: int, need: int) -> np.ndarray:
    """`buf` if it holds `need` items, else a copy of its first `used` in one twice as large
    (appending a recording block by block stays linear)."""
    if need <= len(buf):
        return buf
    bigger = np.zeros(max(need, 2 * len(buf)), dtype=buf.dtype)
    bigger[:used] = buf[:used]
    return bigger
