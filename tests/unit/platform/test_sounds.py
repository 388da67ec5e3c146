"""The bundled start/stop sounds and the non-blocking player."""

from __future__ import annotations

import wave
from pathlib import Path
from typing import Any

import pytest

from trayassist.platform.sounds import START_SOUND, STOP_SOUND, play_sound, player_command

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("path", [START_SOUND, STOP_SOUND])
def test_bundled_sounds_are_short_small_wavs(path: Path) -> None:
    assert path.stat().st_size < 50_000
    with wave.open(str(path)) as w:
        seconds = w.getnframes() / w.getframerate()
        assert 0.05 < seconds < 0.5 and w.getnchannels() == 1


def test_start_and_stop_sound_differ() -> None:
    assert START_SOUND.read_bytes() != STOP_SOUND.read_bytes()


def test_player_preference_and_none() -> None:
    tools = {"aplay": "/usr/bin/aplay", "paplay": "/usr/bin/paplay"}
    assert player_command(START_SOUND, tools.get) == ["/usr/bin/paplay", str(START_SOUND)]
    assert player_command(START_SOUND, {"aplay": "/bin/aplay"}.get) == [
        "/bin/aplay", "-q", str(START_SOUND)]
    assert player_command(START_SOUND, {}.get) is None


def test_no_player_is_silently_skipped() -> None:
    assert play_sound(START_SOUND, platform="linux", which=lambda n: None) is False


def test_missing_file_is_skipped(tmp_path: Path) -> None:
    assert play_sound(tmp_path / "nope.wav", platform="linux") is False


def test_player_that_cannot_start_is_skipped() -> None:
    def boom(args: Any) -> Any:
        raise OSError("exec format error")

    assert play_sound(START_SOUND, platform="linux", which=lambda n: f"/x/{n}", popen=boom) is False


def test_windows_uses_winsound_async() -> None:
    calls: list[tuple[str, int]] = []

    class FakeWinsound:
        SND_FILENAME, SND_ASYNC = 0x20000, 0x1

        def PlaySound(self, path: str, flags: int) -> None:  # noqa: N802
            calls.append((path, flags))

    assert play_sound(STOP_SOUND, platform="win32", winsound=FakeWinsound())
    assert calls == [(str(STOP_SOUND), 0x20001)]
