"""One press-to-release take: its live transcript, the release tail in audio time, and
the stop a hands-free take asks for by itself."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np

from trayassist.core.transcribe.live import LiveTranscriber

RATE = 16000


@dataclass(frozen=True)
class AutoStop:
    """When a hands-free take (toggle) ends by itself, in seconds of audio; 0 = never."""

    silence_s: float = 3.0
    max_s: float = 300.0

    def reason(self, live: LiveTranscriber) -> str | None:
        if self.silence_s and live.trailing_silence_s >= self.silence_s:
            return f"Stopped listening after {self.silence_s:g} s of silence."
        if self.max_s and live.samples >= self.max_s * RATE:
            length = f"{self.max_s / 60:g} min" if self.max_s >= 60 else f"{self.max_s:g} s"
            return f"Stopped listening at the maximum length of {length}."
        return None


@dataclass
class Tail:
    """The release, on the stream's clock: the take ends once audio captured at or after
    `mark` has arrived and is quiet, or with the first block that reaches `limit`. That
    block is kept whole: a device that delivers in bursts may report times ahead of the
    truth (PulseAudio's ALSA plugin with 1.5 s fragments did), and cutting the block there
    cut the last words said before the release, in 2 of 5 captures."""

    mark: float
    limit: float
    done: threading.Event = field(default_factory=threading.Event)


@dataclass
class Take:
    number: int
    live: LiveTranscriber
    pressed_at: float
    hands_free: bool = False
    tail: Tail | None = None
    stop_asked: bool = False
    # The device delivered its first audio. A source that wakes up (a Bluetooth headset
    # changing profile, PulseAudio with a large fragment: 1.5 s here) captures nothing
    # before that: words said earlier are lost, so the tray says "starting" until then.
    audio_arrived: bool = False
    mic_closed: threading.Event = field(default_factory=threading.Event)

    def feed(self, block: np.ndarray, captured_until: float, quiet_s: float,
             auto_stop: AutoStop) -> str | None:
        """Mic consumer thread: one block whose last sample was captured at `captured_until`
        (stream clock). Returns why a hands-free take should stop now, once."""
        tail = self.tail
        if tail is None:
            self.live.feed(block)
            if self.hands_free and not self.stop_asked:
                why = auto_stop.reason(self.live)
                self.stop_asked = why is not None
                return why
            return None
        if tail.done.is_set():
            return None  # after the end of the take: not the user's words for this one
        if captured_until - len(block) / RATE >= tail.limit:
            tail.done.set()
            return None
        self.live.feed(block)
        if captured_until >= tail.mark and (self.live.trailing_silence_s >= quiet_s
                                            or captured_until >= tail.limit):
            tail.done.set()  # the release instant is in and the speaker is quiet
        return None
