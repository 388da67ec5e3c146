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
        return None

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


class FakeProcess:
    def __init__(self) -> None:
        self.returncode: int | None = None

    def poll(self) -> int | None:
        return self.returncode

    def terminate(self) -> None:
        self.returncode = -15


def test_a_press_hushes_the_reply_and_a_new_reply_replaces_the_old() -> None:
    started: list[FakeProcess] = []

    def spawn(argv: Sequence[str], stdin: bytes) -> FakeProcess:
        started.append(FakeProcess())
        return started[-1]

    speaker = EspeakSpeaker(spawn, lambda n: "/usr/bin/espeak-ng")
    assert not speaker.hush()  # nothing spoken yet
    speaker.say("Your notes: buy bananas")
    speaker.say("Timer set for ten minutes")
    assert [p.returncode for p in started] == [-15, None]  # never two voices at once
    assert speaker.hush() and started[1].returncode == -15
    assert not speaker.hush()  # already quiet
    speaker.say("Done")
    started[2].returncode = 0  # it finished by itself: nothing to stop
    assert not speaker.hush()


@pytest.mark.audio
def test_hush_stops_the_real_espeak_mid_reply(virtual_mic: str) -> None:
    """Real espeak-ng speaking to the default sink (the test daemon's `speakers`, which no
    microphone records) in real time, stopped a few words in."""
    import subprocess

    from trayassist.core.assistant.services.process import spawn_detached

    started: list[subprocess.Popen[bytes]] = []

    def spawn(argv: Sequence[str], stdin: bytes) -> subprocess.Popen[bytes]:
        started.append(spawn_detached(argv, stdin))
        return started[-1]

    speaker = EspeakSpeaker(spawn, shutil.which)
    assert speaker.say("This reply is long enough to be still speaking. " * 8)  # about 20 s
    proc = started[0]
    assert proc.poll() is None
    assert speaker.hush()
    assert proc.wait(timeout=10) == -15  # stopped, not finished nor failed
