from __future__ import annotations

import shutil
from collections.abc import Sequence

import pytest

from trayassist.core.assistant.services.speech import EspeakSpeaker

pytestmark = pytest.mark.unit


def test_says_through_espeak_with_the_text_on_stdin() -> None:
    calls: list[tuple[list[str], bytes]] = []

    def spawn(argv: Sequence[str], stdin: bytes) -> None:
        calls.append((list(argv), stdin))

    speaker = EspeakSpeaker(spawn, lambda n: "/usr/bin/espeak-ng")
    assert speaker.say("-rf; it's 9:30")  # a leading "-" is text on stdin, never an option
    assert calls == [(["espeak-ng", "-v", "en-us", "--stdin"], b"-rf; it's 9:30")]
    assert not speaker.say("   ")
    assert not EspeakSpeaker(spawn, lambda n: None).say("hello")


def test_long_replies_are_cut() -> None:
    calls: list[bytes] = []
    EspeakSpeaker(lambda argv, data: calls.append(data), lambda n: "/usr/bin/espeak-ng").say("a" * 1000)
    assert calls == [b"a" * 400]


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_real_espeak_runs(tmp_path) -> None:  # noqa: ANN001
    import subprocess

    wav = tmp_path / "out.wav"

    def spawn(argv: Sequence[str], stdin: bytes) -> None:
        # Write to a file instead of the sound card, so the test is silent and checkable.
        subprocess.run([*argv, "-w", str(wav)], input=stdin, check=True, timeout=30)

    assert EspeakSpeaker(spawn, shutil.which).say("-Timer set for ten minutes.")
    assert wav.stat().st_size > 1000
