"""Fakes for fast tests of push-to-talk: a `sounddevice` whose input stream plays a
prepared signal into the callback on its own thread (at real speed or faster, optionally
starting late like a waking PulseAudio source, or delivering every block late or in bursts
like a Bluetooth headset, with PortAudio's capture times), a VAD that calls loud windows
speech, and an engine that "transcribes" by naming how much audio it got."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np

from trayassist.core.transcribe.decoding import ChunkText
from trayassist.core.transcribe.streaming import Word

RATE = 16000
BLOCK = 512


def tone(seconds: float, level: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (level * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def quiet(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * RATE), dtype=np.float32)


def loud_runs(audio: np.ndarray, level: float = 0.05, gap_s: float = 0.1) -> list[tuple[float, float]]:
    """(start, end) in seconds of each stretch of sound (gaps shorter than `gap_s` joined)."""
    hop = 160
    n = len(audio) // hop
    loud = np.abs(audio[: n * hop]).reshape(n, hop).max(axis=1) > level if n else np.zeros(0, bool)
    runs: list[tuple[float, float]] = []
    for i in np.flatnonzero(loud):
        t = i * hop / RATE
        if runs and t - runs[-1][1] <= gap_s:
            runs[-1] = (runs[-1][0], t + hop / RATE)
        else:
            runs.append((t, t + hop / RATE))
    return runs


class PortAudioError(Exception):
    pass


@dataclass
class FakeStream:
    device: Any
    samplerate: float
    callback: Callable[..., None]
    source: FakeSoundDevice
    active: bool = False
    closed: bool = False
    _thread: threading.Thread | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    _t0: float = 0.0
    _delivered: int = 0

    # The stream's clock is the device's: signal seconds, `speed` times faster than the wall.
    EPOCH = 1000.0

    @property
    def time(self) -> float:
        src = self.source
        if not src.speed:
            return self.EPOCH + self._delivered * BLOCK / RATE
        return self.EPOCH + (time.monotonic() - self._t0) * src.speed

    def start(self) -> None:
        self.active = True
        self._t0 = time.monotonic()
        self._thread = threading.Thread(target=self._deliver, name="portaudio-fake", daemon=True)
        self._thread.start()

    def _deliver(self) -> None:
        src = self.source
        start = src.start_delay_s  # a waking source: what it captured before is lost
        k = 0
        while not self._stop.is_set():
            pos = k * BLOCK
            block = src.signal[pos:pos + BLOCK]
            if len(block) < BLOCK:
                block = np.concatenate([block, np.zeros(BLOCK - len(block), np.float32)])
            captured = start + (k + 1) * BLOCK / RATE  # device time after its last frame
            due = captured
            if src.burst_s:
                due = start + math.ceil(round((k + 1) * BLOCK / RATE / src.burst_s, 6)) * src.burst_s
            due += src.latency_s
            if src.speed:
                wait = (due - (self.time - self.EPOCH)) / src.speed
                if wait > 0 and self._stop.wait(wait):
                    return
            times = SimpleNamespace(inputBufferAdcTime=self.EPOCH + captured - BLOCK / RATE,
                                    currentTime=self.time if src.speed else self.EPOCH + due)
            self._delivered = k + 1
            self.callback(block.reshape(-1, 1).copy(), BLOCK, times if src.times else None, None)
            k += 1

    def die(self) -> None:
        """The sound server went away: PortAudio ends the stream by itself."""
        self._stop.set()
        self.active = False

    def abort(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        self.active = False

    stop = abort

    def close(self) -> None:
        self.closed = True
        self.active = False


class FakeSoundDevice:
    """Enough of the `sounddevice` module for Recorder: one input device, one stream at a time."""

    PortAudioError = PortAudioError

    def __init__(self, signal: np.ndarray | None = None, *, speed: float = 4.0, start_delay_s: float = 0.0,
                 latency_s: float = 0.0, burst_s: float = 0.0, times: bool = True,
                 has_input: bool = True) -> None:
        self.signal = signal if signal is not None else quiet(1.0)
        self.speed = speed  # 1.0 = real time; 0 = as fast as the consumer takes it
        self.start_delay_s = start_delay_s  # device seconds before the first block is captured
        self.latency_s = latency_s  # every block arrives this late (device seconds)
        self.burst_s = burst_s  # blocks arrive together, every burst_s of audio
        self.times = times  # False: the callback gets no capture times (count frames instead)
        self.has_input = has_input
        self.streams: list[FakeStream] = []
        self.default = type("Default", (), {"device": [0 if has_input else -1, -1]})()

    def query_devices(self) -> list[dict[str, Any]]:
        return [{"name": "Fake Mic", "max_input_channels": 1 if self.has_input else 0,
                 "default_samplerate": 16000.0}]

    def InputStream(self, device: Any, samplerate: float, channels: int, dtype: str,  # noqa: N802 - sounddevice's name
                    callback: Callable[..., None]) -> FakeStream:
        stream = FakeStream(device, samplerate, callback, self)
        self.streams.append(stream)
        return stream

    def _terminate(self) -> None:
        pass

    def _initialize(self) -> None:
        pass

    @property
    def open_streams(self) -> int:
        return sum(1 for s in self.streams if s.active)


class LoudnessVad:
    """A Silero stand-in for StreamingVad(session=...): windows louder than a threshold are speech."""

    def run(self, _outputs: Any, feeds: dict[str, np.ndarray]) -> tuple[np.ndarray, Any, Any]:
        windows = feeds["input"][:, 64:]
        probs = (np.sqrt((windows ** 2).mean(axis=1)) > 0.05).astype(np.float32)
        return probs.reshape(-1, 1), feeds["h"], feeds["c"]


@dataclass
class FakeModel:
    name: str = "fake"
    path: str = "/fake"


class FakeEngine:
    """The Engine's interface for PushToTalk; text says how many seconds of sound it got."""

    def __init__(self, fail_load: str | None = None, decode_s: float = 0.0) -> None:
        self.listeners: list[Callable[[str], None]] = []
        self.model: FakeModel | None = None
        self.model_state = "unloaded"
        self.fail_load = fail_load
        self.decode_s = decode_s
        self.jobs: list[np.ndarray] = []
        self.stopped = False

    @property
    def loaded(self) -> bool:
        return self.model is not None

    def add_listener(self, fn: Callable[[str], None]) -> None:
        self.listeners.append(fn)

    def _state(self, state: str) -> None:
        self.model_state = state
        for fn in self.listeners:
            fn(state)

    def load(self) -> Future[Any]:
        f: Future[Any] = Future()
        if self.fail_load:
            self._state("error")
            f.set_exception(RuntimeError(self.fail_load))
        else:
            self.model = FakeModel()
            self._state("loaded")
            f.set_result(self.model)
        return f

    def transcribe(self, audio: np.ndarray, prompt: Any = None, decoding: Any = None) -> Future[ChunkText]:
        f: Future[ChunkText] = Future()
        self.jobs.append(audio)
        if self.fail_load:
            f.set_exception(RuntimeError(f"Cannot load model: {self.fail_load}"))
            return f
        if self.decode_s:
            time.sleep(self.decode_s)  # sleep-ok: stands for decoding time
        words = tuple(Word(a, b, f" sound {b - a:.1f}") for a, b in loud_runs(audio))
        text = "".join(w.text for w in words).strip()
        f.set_result(ChunkText(text, len(audio) / RATE, self.decode_s, (), words))
        return f

    def stop(self) -> None:
        self.stopped = True
