from __future__ import annotations

import shutil
from collections.abc import Sequence

import pytest

from trayassist.core.assistant.services.speech import EspeakSpeaker

pytestmark = pytest.mark.unit


def test_says_through_espeak_without_a_shell() -> None:
    argvs: list[list[str]] = []

    def spawn(argv: Sequence[str]) -> None:
        argvs.append(list(argv))

    speaker = EspeakSpeaker(spawn, lambda n: "/usr/bin/espeak-ng")
    assert speaker.say("-rf; it's 9:30")
    assert argvs == [["espeak-ng", "-v", "en-us", "--", "-rf; it's 9:30"]]
    assert not speaker.say("   ")
    assert not EspeakSpeaker(spawn, lambda n: None).say("hello")


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_real_espeak_runs(tmp_path) -> None:  # noqa: ANN001
    import subprocess

    wav = tmp_path / "out.wav"
    calls: list[list[str]] = []

    def spawn(argv: Sequence[str]) -> None:
        # Write to a file instead of the sound card, so the test is silent and checkable.
        calls.append(list(argv))
        subprocess.run([*argv[:-2], "-w", str(wav), *argv[-2:]], check=True, timeout=30)

    assert EspeakSpeaker(spawn, shutil.which).say("Timer set for ten minutes.")
    assert wav.stat().st_size > 1000
