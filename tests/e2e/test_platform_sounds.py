"""play_sound through the real PulseAudio daemon (the shared virtual devices)."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pytest

from tests.support import pulse
from trayassist.platform.sounds import START_SOUND, play_sound

pytestmark = [pytest.mark.e2e, pytest.mark.audio]


def test_really_plays_into_pulseaudio_without_blocking(virtual_mic: str) -> None:
    if not shutil.which("paplay"):
        pytest.skip("paplay missing")
    started: list[subprocess.Popen[bytes]] = []

    def popen(args: Any) -> subprocess.Popen[bytes]:
        started.append(subprocess.Popen(list(args), stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE))
        return started[-1]

    assert play_sound(START_SOUND, platform="linux", popen=popen)
    proc = started[0]
    still_playing = proc.poll() is None  # play_sound returned without waiting for it
    assert pulse.wait_for(lambda: proc.poll() is not None, 10)
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else b""
    assert proc.stderr is not None
    proc.stderr.close()
    assert still_playing
