"""macOS CoreAudio logic with a fake API (the real one is not verified here)."""

from __future__ import annotations

import sys

import pytest

from trayassist.core.privacy.mic_macos import MacMicWatch, fourcc

pytestmark = pytest.mark.unit


class FakeCoreAudio:
    def __init__(self, running: bool, procs: dict[int, tuple[int, bool]] | None) -> None:
        self.running = running
        self.procs = procs  # object id -> (pid, running input); None: before macOS 14.2

    def input_devices(self) -> list[tuple[int, str]]:
        return [(73, "MacBook Pro Microphone")]

    def running_somewhere(self, device: int) -> bool:
        return self.running

    def process_objects(self) -> list[int] | None:
        return None if self.procs is None else list(self.procs)

    def process_pid(self, obj: int) -> int:
        assert self.procs is not None
        return self.procs[obj][0]

    def process_running_input(self, obj: int) -> bool:
        assert self.procs is not None
        return self.procs[obj][1]


def ident(pid: int) -> tuple[str | None, str | None]:
    return {500: ("zoom.us", "/Applications/zoom.us.app/Contents/MacOS/zoom.us")}.get(pid, (None, None))


def test_fourcc_codes_match_coreaudio_headers() -> None:
    assert fourcc("gone") == 0x676F6E65  # kAudioDevicePropertyDeviceIsRunningSomewhere
    assert fourcc("glob") == 0x676C6F62


def test_idle_device_means_nobody() -> None:
    assert MacMicWatch(FakeCoreAudio(False, {1: (500, True)}), identify=ident).scan() == []


def test_process_objects_name_the_capturer() -> None:
    api = FakeCoreAudio(True, {1: (500, True), 2: (600, False), 3: (42, True)})
    watch = MacMicWatch(api, identify=ident, own_pid=42)
    watch.refresh()
    assert [(u.pid, u.name, u.exe) for u in watch.users()] == [
        (500, "zoom.us", "/Applications/zoom.us.app/Contents/MacOS/zoom.us")]
    assert [u.pid for u in watch.own_streams()] == [42]
    assert watch.users()[0].device == "MacBook Pro Microphone"


def test_before_14_2_reports_an_unknown_capturer_instead_of_nothing() -> None:
    watch = MacMicWatch(FakeCoreAudio(True, None), identify=ident, own_pid=42)
    assert [(u.pid, u.name) for u in watch.scan()] == [(None, "unknown process")]
    status = watch.available()
    assert status.ok and "before 14.2" in status.detail and "not verified" in status.detail


@pytest.mark.skipif(sys.platform == "darwin", reason="checks the message off macOS")
def test_real_backend_says_why_it_cannot_run_off_macos() -> None:
    status = MacMicWatch().available()
    assert not status.ok and "CoreAudio" in status.detail
