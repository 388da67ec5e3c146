"""What the capture thread needs besides the stream: when each block was captured, on the
stream's clock, and resampling to 16 kHz."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

RATE = 16000


class CaptureClock:
    """When the last frame of each delivered block was captured, on the stream's clock.

    PortAudio gives a block's ADC time where the host API knows it (ALSA, PulseAudio's
    ALSA plugin, CoreAudio, WASAPI); otherwise frames are counted from the earliest start
    the arrivals allow: exact for a device that delivers late in bursts, "now" for one that
    delivers as it captures.
    """

    def __init__(self, rate: float, now: Callable[[], float], arrival: Callable[[], float]) -> None:
        self.rate = rate
        self._now = now  # the stream's clock, when the block carries no time
        self._arrival = arrival  # any monotonic clock, to see bursts
        self._frames = 0
        self._start = float("inf")  # estimated capture time of frame 0
        self._burst = 0.0
        self._last_arrival = float("-inf")
        self.longest_burst_s = 0.0  # most audio delivered at once so far

    def block(self, frames: int, adc: float, now: float) -> float:
        arrived = self._arrival()
        self._burst = (self._burst if arrived - self._last_arrival < 0.1 else 0.0) + frames / self.rate
        self._last_arrival = arrived
        self.longest_burst_s = max(self.longest_burst_s, self._burst)
        self._frames += frames
        if adc > 0 and now > 0 and 0 <= now - adc < 10:
            return adc + frames / self.rate
        if now <= 0:
            now = self._now()
        self._start = min(self._start, now - self._frames / self.rate)
        return self._start + self._frames / self.rate


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
