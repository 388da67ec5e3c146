from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator, Sequence

import pytest

from trayassist.core.assistant.services.process import run_quiet
from trayassist.core.assistant.services.volume import PactlVolume, VolumeError


class Runner:
    def __init__(self, code: int = 0) -> None:
        self.code = code
        self.argvs: list[list[str]] = []

    def __call__(self, argv: Sequence[str]) -> int:
        self.argvs.append(list(argv))
        return self.code


@pytest.mark.unit
def test_pactl_commands() -> None:
    run = Runner()
    vol = PactlVolume(run)
    vol.change(10)
    vol.change(-5)
    vol.set(250)
    vol.mute(True)
    vol.mute(False)
    vol.mute(None)
    sink = "@DEFAULT_SINK@"
    assert run.argvs == [
        ["pactl", "set-sink-volume", sink, "+10%"], ["pactl", "set-sink-volume", sink, "-5%"],
        ["pactl", "set-sink-volume", sink, "150%"], ["pactl", "set-sink-mute", sink, "1"],
        ["pactl", "set-sink-mute", sink, "0"], ["pactl", "set-sink-mute", sink, "toggle"]]


@pytest.mark.unit
@pytest.mark.parametrize(("code", "message"), [(127, "pactl is missing"), (1, "exit 1")])
def test_pactl_failures(code: int, message: str) -> None:
    with pytest.raises(VolumeError, match=message):
        PactlVolume(Runner(code)).change(10)


@pytest.fixture
def scratch_sink(virtual_mic: str) -> Iterator[str]:
    # Our own null sink: the shared default sink feeds other helpers' virtual mic.
    name = f"ta_assist_test_{os.getpid()}"
    out = subprocess.run(["pactl", "load-module", "module-null-sink", f"sink_name={name}"],
                         capture_output=True, text=True, check=True)
    try:
        yield name
    finally:
        subprocess.run(["pactl", "unload-module", out.stdout.strip()], check=False)


def _volume(sink: str) -> int:
    out = subprocess.run(["pactl", "get-sink-volume", sink], capture_output=True, text=True,
                         check=True).stdout
    return int(re.search(r"(\d+)%", out).group(1))  # type: ignore[union-attr]


def _muted(sink: str) -> bool:
    out = subprocess.run(["pactl", "get-sink-mute", sink], capture_output=True, text=True,
                         check=True).stdout
    return "yes" in out


@pytest.mark.audio
def test_real_pulseaudio_sink(scratch_sink: str) -> None:
    vol = PactlVolume(run_quiet, sink=scratch_sink)
    vol.set(40)
    assert _volume(scratch_sink) == 40
    vol.change(10)
    assert _volume(scratch_sink) == 50
    vol.change(-20)
    assert _volume(scratch_sink) == 30
    vol.mute(True)
    assert _muted(scratch_sink)
    vol.mute(None)
    assert not _muted(scratch_sink)
    with pytest.raises(VolumeError):
        PactlVolume(run_quiet, sink="no_such_sink_xyz").change(10)
