"""play_sound through the real PulseAudio daemon (the shared virtual devices)."""

from __future__ import annotations

import shutil
import subprocess
import wave
from pathlib import Path
from typing import Any

import numpy as np
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


def test_what_plays_without_a_sink_never_reaches_the_test_microphone(virtual_mic: str) -> None:
    """A spoken reply from one test once played on into the next test's take (CI: "action."
    for "The purple elephant dances slowly."): the default sink fed the virtual mic."""
    if not shutil.which("paplay") or not shutil.which("parec"):
        pytest.skip("paplay/parec missing")
    rec = subprocess.Popen(["parec", "-d", virtual_mic, "--format=s16le", "--rate=16000",
                            "--channels=1", "--latency-msec=20"], stdout=subprocess.PIPE)
    try:
        assert rec.stdout is not None
        assert pulse.wait_for(lambda: any(o.get("application.process.id") == str(rec.pid)
                                          for o in pulse.source_outputs()), 10)
        subprocess.run(["paplay", str(START_SOUND)], check=True, timeout=30)  # the default sink
        subprocess.run(["paplay", "-d", pulse.SINK, str(START_SOUND)], check=True, timeout=30)
    finally:
        rec.terminate()
        raw, _ = rec.communicate(timeout=10)
    audio = np.frombuffer(raw, dtype=np.int16)
    assert len(audio) and np.abs(audio).max() > 1000  # the chime played into `virt` is heard...
    loud = np.flatnonzero(np.abs(audio) > 1000)
    heard_s = (loud[-1] - loud[0]) / 16000
    assert heard_s < 1.5 * _seconds(START_SOUND), heard_s  # ...once, not twice


def _seconds(wav: Path) -> float:
    with wave.open(str(wav)) as w:
        return w.getnframes() / w.getframerate()
