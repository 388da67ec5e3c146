"""Run-time backend choice with a logged fallback."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from trayassist.core.privacy.mic import NoMicWatch, candidate_watches, choose_mic_watch
from trayassist.core.privacy.mic_alsa import AlsaMicWatch
from trayassist.core.privacy.mic_pulse import PulseMicWatch

pytestmark = pytest.mark.unit

FIXTURES = Path(__file__).resolve().parents[3] / "data" / "privacy" / "asound"


def test_falls_back_to_alsa_when_no_sound_server(caplog: pytest.LogCaptureFixture) -> None:
    pulse = PulseMicWatch(server="unix:/nonexistent/native")
    alsa = AlsaMicWatch(root=FIXTURES)
    with caplog.at_level(logging.INFO):
        watch, statuses = choose_mic_watch([pulse, alsa])
    assert watch is alsa
    assert [(s.name, s.ok) for s in statuses] == [("pulseaudio", False), ("alsa", True)]
    assert any("using alsa" in r.message and "pulseaudio unavailable" in r.message
               for r in caplog.records)


def test_nothing_runs_gives_an_honest_null_watch(tmp_path: Path) -> None:
    watch, statuses = choose_mic_watch([AlsaMicWatch(root=tmp_path / "none")])
    assert isinstance(watch, NoMicWatch)
    assert not watch.available().ok and "alsa" in watch.available().detail
    assert watch.users() == [] and len(statuses) == 1


def test_candidates_per_platform() -> None:
    assert [w.name for w in candidate_watches("linux")] == ["pulseaudio", "alsa"]
    assert [w.name for w in candidate_watches("win32")] == ["windows-consentstore"]
    assert [w.name for w in candidate_watches("darwin")] == ["macos-coreaudio"]
    assert candidate_watches("plan9") == []
