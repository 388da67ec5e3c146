"""The vocabulary reaches the real model; files give timed segments, progress and cancel."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.support import pulse
from tests.support.speech import assert_heard
from tests.unit.core.transcribe.conftest import SENTENCES, read_wav
from trayassist.core.transcribe.engine import Cancelled, Engine
from trayassist.core.transcribe.files import transcribe_file

pytestmark = [pytest.mark.unit, pytest.mark.model]

# Names tiny.en mishears in espeak-ng speech without help ("breath harder", "cube will need").
NAMED = {"Grafana": "I added a new panel to Grafana.",
         "Kubernetes": "The Kubernetes cluster went down last night."}


def test_vocabulary_names_come_out_spelled_right_and_can_be_changed_live(engine: Engine,
                                                                         speech_dir: Path) -> None:
    audio = {name: read_wav(pulse.speak(s, speech_dir / f"vocab-{name}.wav").path) for name, s in NAMED.items()}
    plain = {name: engine.transcribe(a).result(60).text for name, a in audio.items()}
    try:
        engine.set_vocabulary(["Siobhan", "Grafana", "Kubernetes"])
        helped = {name: engine.transcribe(a).result(60).text for name, a in audio.items()}
    finally:
        engine.set_vocabulary(())
    for name, text in helped.items():
        assert name in text, (name, text)
    # Without the vocabulary again: the very same decoding as before (nothing sticks).
    assert {name: engine.transcribe(a).result(60).text for name, a in audio.items()} == plain


def test_files_give_word_times_across_chunks_and_progress(engine: Engine, monologue_wav: Path) -> None:
    seen: list[float] = []
    result = transcribe_file(engine, monologue_wav, progress=seen.append)
    assert result.error is None
    assert_heard(" ".join(SENTENCES), result.text)
    words = [w for s in result.segments for w in s.words]
    assert words and all(a.start <= b.start for a, b in zip(words, words[1:], strict=False))
    assert words[0].start >= 0 and words[-1].end <= result.duration + 0.1
    assert words[-1].start > 15  # the later chunks' times were shifted to the file's clock
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) >= 3


def test_cancel_stops_a_file_and_the_engine_goes_on(engine: Engine, monologue_wav: Path,
                                                    speech_parts: list[Path]) -> None:
    cancel = threading.Event()

    def progress(fraction: float) -> None:
        if fraction > 0.2:
            cancel.set()

    with pytest.raises(Cancelled):
        transcribe_file(engine, monologue_wav, progress=progress, cancel=cancel)
    assert "calculator" in engine.transcribe(read_wav(speech_parts[1])).result(60).text.lower()
