"""Recorder.prepare's device lookup against a fake PortAudio whose list can be stale."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from trayassist.core.audio import MicUnavailable, Recorder

pytestmark = pytest.mark.unit

MIC = {"name": "USB mic", "max_input_channels": 1, "default_samplerate": 48000.0}
SPEAKER = {"name": "HDMI out", "max_input_channels": 0, "default_samplerate": 48000.0}


class StaleSd:
    """PortAudio caches the device list at initialisation: `after` shows up only once
    the library is re-initialised (sound server started late, USB mic plugged in)."""

    def __init__(self, before: list[dict[str, Any]], after: list[dict[str, Any]]) -> None:
        self.listed = before
        self.after = after
        self.rebuilds = 0
        self.default = type("D", (), {"device": (-1, -1)})()

    def query_devices(self) -> list[dict[str, Any]]:
        return list(self.listed)

    def _terminate(self) -> None:
        self.rebuilds += 1

    def _initialize(self) -> None:
        self.listed = self.after


def test_device_that_appeared_after_start_is_found_by_one_rebuild() -> None:
    sd = StaleSd([SPEAKER], [SPEAKER, MIC])
    info = Recorder(sd).prepare()
    assert (info.index, info.name, info.default_rate) == (1, "USB mic", 48000.0)
    assert sd.rebuilds == 1


def test_named_device_that_appeared_after_start_is_found() -> None:
    sd = StaleSd([SPEAKER], [SPEAKER, MIC])
    assert Recorder(sd, "usb").prepare().name == "USB mic"
    assert sd.rebuilds == 1


def test_present_device_needs_no_rebuild() -> None:
    sd = StaleSd([SPEAKER, MIC], [])
    assert Recorder(sd).prepare().name == "USB mic"
    assert sd.rebuilds == 0


@pytest.mark.parametrize("setting, message", [
    ("", "No microphone found: this computer has no input device"),
    ("Blue Yeti", "No microphone found: 'Blue Yeti' is not connected"),
])
def test_still_missing_after_rebuild_is_one_clear_error(setting: str, message: str) -> None:
    sd = StaleSd([SPEAKER], [SPEAKER])
    with pytest.raises(MicUnavailable) as err:
        Recorder(sd, setting).prepare()
    assert str(err.value) == message
    assert sd.rebuilds == 1  # tried once, no loop


def test_explicit_reinitialise_rebuilds_once_not_twice() -> None:
    sd = StaleSd([SPEAKER], [SPEAKER])
    with pytest.raises(MicUnavailable):
        Recorder(sd).prepare(reinitialise=True)
    assert sd.rebuilds == 1


class SlowRebuildSd(StaleSd):
    """Re-initialising takes a while; records any PortAudio call made meanwhile."""

    PortAudioError = RuntimeError

    def __init__(self) -> None:
        super().__init__([SPEAKER], [SPEAKER, MIC])
        self.rebuilding = threading.Event()
        self.overlaps: list[str] = []

    def _terminate(self) -> None:
        if self.rebuilding.is_set():
            self.overlaps.append("terminate")
        self.rebuilding.set()
        time.sleep(0.3)  # sleep-ok: stands for PortAudio probing ALSA devices
        super()._terminate()

    def _initialize(self) -> None:
        super()._initialize()
        self.rebuilding.clear()

    def InputStream(self, **kw: Any) -> Any:  # noqa: N802 - sounddevice's name
        if self.rebuilding.is_set():
            self.overlaps.append("open")
        return FakeStream()


class FakeStream:
    active = False

    def start(self) -> None:
        self.active = True

    def abort(self) -> None:
        self.active = False

    def close(self) -> None:
        pass


def test_a_press_during_the_start_up_rebuild_waits_for_it() -> None:
    sd = SlowRebuildSd()
    rec = Recorder(sd)
    startup = threading.Thread(target=rec.prepare)
    startup.start()
    assert sd.rebuilding.wait(5)
    rec.open(lambda block: None)  # the push-to-talk lane, while start-up re-initialises
    startup.join(5)
    rec.close(tail_s=0)
    assert sd.overlaps == [] and sd.rebuilds == 1


def test_settings_list_shows_a_mic_plugged_in_since_start() -> None:
    sd = StaleSd([MIC], [SPEAKER, dict(MIC, name="Blue Yeti"), MIC])
    rec = Recorder(sd, "USB mic")
    assert rec.prepare().index == 0
    assert rec.input_names() == ["Blue Yeti", "USB mic"]
    assert rec.device is not None and rec.device.index == 2  # the chosen mic moved: looked up again
    assert sd.rebuilds == 1


def test_settings_list_never_rebuilds_under_an_open_stream() -> None:
    sd = SlowRebuildSd()
    sd.listed = [MIC]
    rec = Recorder(sd)
    rec.open(lambda block: None)
    try:
        assert rec.input_names() == ["USB mic"]
        assert sd.rebuilds == 0
    finally:
        rec.close(tail_s=0)
