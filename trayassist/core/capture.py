"""What the capture thread needs besides the stream: when each block was captured, on the
stream's clock, and resampling to 16 kHz."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

RATE = 16000


BURSTY_S = 0.2  # audio delivered at once beyond which a device's own times are not trusted


class CaptureClock:
    """When the last frame of each delivered block was captured, on the stream's clock.

    A steady device: PortAudio's ADC time where the host API gives one (ALSA, PulseAudio's
    ALSA plugin, CoreAudio, WASAPI), otherwise frames counted from the earliest start the
    arrivals allow. Both were within 10 ms of the truth on the PulseAudio virtual source.

    A device that hands over audio in bursts (PulseAudio's ALSA plugin asked for 1.5 s
    fragments: 24 000 frames at once every 1.5 s) reports both ahead of the truth: a beep
    played at 2.02 s after the open was dated 2.55 s by its ADC time and 2.30 s by counted
    frames, and 3.15 s in another run. A tail that trusts them ends before the audio of
    the release instant has arrived and cuts the last words. For such a device the time
    is never later than the open plus the frames received: nothing is captured before its
    stream is opened, so that bound is never ahead of the truth (frames the device dropped
    only make it later). It lags by however long the device took to start capturing, and
    the text waits that long: late, never cut.
    """

    def __init__(self, rate: float, now: Callable[[], float], arrival: Callable[[], float],
                 opened_at: float | None = None) -> None:
        self.rate = rate
        self._now = now  # the stream's clock, when the block carries no time
        self._arrival = arrival  # the monotonic clock `opened_at` and arrival times are on
        self._opened_at = opened_at
        self._offset: float | None = None  # stream clock minus monotonic clock
        self._frames = 0
        self._start = float("inf")  # estimated capture time of frame 0
        self._burst = 0.0
        self._last_arrival = float("-inf")
        self.longest_burst_s = 0.0  # most audio delivered at once so far

    @property
    def bursty(self) -> bool:
        """Whether the device has handed over a burst of BURSTY_S or more so far."""
        return self.longest_burst_s >= BURSTY_S

    def block(self, frames: int, adc: float, now: float, arrived: float) -> float:
        """`arrived`: when the block reached the callback (monotonic clock); `adc` and `now`:
        PortAudio's times for it (stream clock), 0 where the host API gives none."""
        seconds = frames / self.rate
        # A burst: blocks arriving much faster than they were captured.
        together = arrived - self._last_arrival < 0.25 * seconds
        self._burst = (self._burst if together else 0.0) + seconds
        self._last_arrival = arrived
        self.longest_burst_s = max(self.longest_burst_s, self._burst)
        self._frames += frames
        if self._offset is None:
            self._offset = (now - arrived) if now > 0 else (self._now() - self._arrival())
        if adc > 0 and now > 0 and 0 <= now - adc < 10:
            told = adc + seconds
        else:
            if now <= 0:
                now = self._now()
            self._start = min(self._start, now - self._frames / self.rate)
            told = self._start + self._frames / self.rate
        # Bounded too: any block that came with the one before, before a burst is long
        # enough to tell (the very first block of the recording cannot be told apart).
        if (self.bursty or together) and self._opened_at is not None:
            return min(told, self._opened_at + self._offset + self._frames / self.rate)
        return told


class Resampler:
    """Streaming resampler to 16 kHz (PyAV's libswresample; identity at 16 kHz)."""

    def __init__(self, rate: float) -> None:
        self.rate = int(round(rate))
        self._r: Any = None
        if self.rate != RATE:
            import av

            self._r = av.AudioResampler(format="flt", layout="mono", rate=RATE)
            self._pts = 0

    def __call__(self, mono: np.ndarray) -> np.ndarray:
        if self._r is None:
            return mono.astype(np.float32, copy=False)
        import av

        frame = av.AudioFrame.from_ndarray(mono.reshape(1, -1).astype(np.float32),
                                           format="flt", layout="mono")
        frame.sample_rate = self.rate
        frame.pts = self._pts
        self._pts += len(mono)
        return self._collect(self._r.resample(frame))

    def flush(self) -> np.ndarray:
        if self._r is None:
            return np.zeros(0, dtype=np.float32)
        return self._collect(self._r.resample(None))

    @staticmethod
    def _collect(frames: list[Any]) -> np.ndarray:
        if not frames:
            return np.zeros(0, dtype=np.float32)
        return np.concatenate([f.to_ndarray().reshape(-1) for f in frames]).astype(np.float32)
