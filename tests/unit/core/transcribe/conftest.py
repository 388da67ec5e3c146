"""Real espeak-ng speech and one loaded tiny.en engine shared by the transcription tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.support import pulse
from tests.support.speech import words  # noqa: F401 - the transcription tests import it from here

SENTENCES = [
    "Please remind me to call my sister tomorrow at noon.",
    "Open the calculator and add twelve plus thirty.",
    "I would like to write a note about the meeting.",
    "Set a timer for five minutes and then play some music.",
    "The library closes at six o'clock on Saturday.",
    "My favourite colour is green and my dog is called Max.",
]


def read_wav(path: Path) -> np.ndarray:
    from faster_whisper import decode_audio

    return np.asarray(decode_audio(str(path)), dtype=np.float32)


@pytest.fixture(scope="session")
def speech_parts(speech_dir: Path) -> list[Path]:
    if not shutil.which("espeak-ng") or not shutil.which("sox"):
        pytest.skip("espeak-ng/sox missing")
    return [pulse.speak(s, speech_dir / f"sent{i}.wav").path for i, s in enumerate(SENTENCES)]


@pytest.fixture(scope="session")
def monologue_wav(speech_parts: list[Path], speech_dir: Path) -> Path:
    """Six sentences with 0.7 s of silence between them (about 25 s)."""
    gap = pulse.silence(speech_dir / "gap07.wav", 0.7)
    seq: list[Path] = []
    for p in speech_parts:
        seq += [p, gap]
    return pulse.concat(seq, speech_dir / "monologue.wav")


@pytest.fixture(scope="session")
def engine(bundled_model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from trayassist.core.transcribe.engine import Engine
    from trayassist.core.transcribe.models import resolve

    cache = tmp_path_factory.mktemp("cache")
    eng = Engine(lambda: resolve("tiny.en", "", cache))
    eng.load().result(60)
    yield eng
    eng.stop()


JFK = ("And so, my fellow Americans: ask not what your country can do for you, "
       "ask what you can do for your country.")


@pytest.fixture(scope="session")
def jfk_flac(speech_dir: Path) -> Path:
    """The JFK line faster-whisper's own tests use, spoken by espeak-ng, with a second of
    silence before and after, as FLAC (faster-whisper's wheel does not ship jfk.flac)."""
    if not shutil.which("espeak-ng") or not shutil.which("sox"):
        pytest.skip("espeak-ng/sox missing")
    import subprocess

    said = pulse.speak(JFK, speech_dir / "jfk-speech.wav").path
    gap = pulse.silence(speech_dir / "gap1.wav", 1.0)
    wav = pulse.concat([gap, said, gap], speech_dir / "jfk-padded.wav")
    out = speech_dir / "jfk.flac"
    subprocess.run(["sox", str(wav), str(out)], check=True, timeout=60)
    return out


def speech_span(path: Path) -> tuple[float, float]:
    """First and last moment with sound in it (espeak-ng's silence is digital zero)."""
    audio = read_wav(path)
    loud = np.flatnonzero(np.abs(audio) > 0.02)
    return loud[0] / 16000, loud[-1] / 16000
