"""Recorder.close is bounded even when PortAudio never returns from stopping a stream
(PortAudio 19.6 ALSA after the sound server died mid-stream; reproduced for real in
test_mic_faults.test_pulseaudio_restarted)."""

from __future__ import annotations

import threading
import time
from typing import Any

import numpy as np
import pytest

from trayassist.core.audio import Recorder

pytestmark = [pytest.mark.faults, pytest.mark.unit]


class StuckStream:
    """A stream whose abort/stop block forever, as PortAudio's join on a spinning thread does."""

    def __init__(self, callback: Any) -> None:
        self.callback = callback
        self.release = threading.Event()
        self.active = False

    def start(self) -> None:
        self.active = True
        self.callback(np.zeros((160, 1), dtype=np.float32), 160, None, None)

    def abort(self) -> None:
        self.release.wait()

    stop = abort

    def close(self) -> None:
        self.active = False


class FakeSd:
    PortAudioError = RuntimeError

    def __init__(self) -> None:
        self.default = type("D", (), {"device": (0, 0)})()
        self.streams: list[StuckStream] = []
        self.terminated = 0

    def query_devices(self) -> list[dict[str, Any]]:
        return [{"name": "mic", "max_input_channels": 1, "default_samplerate": 16000.0}]

    def InputStream(self, **kw: Any) -> StuckStream:  # noqa: N802 - sounddevice's name
        s = StuckStream(kw["callback"])
        self.streams.append(s)
        return s

    def _terminate(self) -> None:
        self.terminated += 1

    def _initialize(self) -> None:
        pass


def test_close_returns_and_reports_when_portaudio_never_lets_go() -> None:
    sd = FakeSd()
    problems: list[str] = []
    rec = Recorder(sd, close_timeout_s=0.3, on_problem=problems.append)
    got: list[int] = []
    rec.open(lambda block: got.append(len(block)))
    assert not rec.stuck
    start = time.monotonic()
    rec.close(tail_s=0)
    assert time.monotonic() - start < 3
    assert not rec.is_open and got == [160]
    assert problems and "restart TrayAssist" in problems[0]
    assert rec.stuck
    # A later re-initialisation must not call Pa_Terminate (it would join the stuck stream).
    rec.prepare(reinitialise=True)
    assert sd.terminated == 0
    sd.streams[0].release.set()
