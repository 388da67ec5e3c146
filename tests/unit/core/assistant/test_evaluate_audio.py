"""The labelled utterances spoken by espeak-ng, transcribed by the bundled model, then routed."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest

from tests.support import pulse
from tests.support.assistant_eval import evaluate_rows, read_labelled

pytestmark = pytest.mark.model
DATA = Path(__file__).parents[3] / "data" / "assistant_utterances.tsv"
EVERY = 3  # a third of the set: about 3 minutes on 2 busy cores


@pytest.mark.timeout(900)
def test_spoken_utterances_through_the_real_model(bundled_model_path: Path,
                                                  tmp_path: Path) -> None:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng missing")
    from faster_whisper import WhisperModel

    model = WhisperModel(str(bundled_model_path), device="cpu", compute_type="int8")
    rows = [r for r in read_labelled(DATA) if re.search(r"[A-Za-z0-9]", r[0])][::EVERY]
    spoken = []
    started = time.perf_counter()
    for i, (text, expected, note) in enumerate(rows):
        wav = tmp_path / f"u{i}.wav"
        pulse.speak(text, wav)
        segments, _info = model.transcribe(str(wav), language="en", beam_size=1)
        heard = " ".join(s.text.strip() for s in segments).strip()
        spoken.append((heard, expected, f"{note} | said: {text}"))
    seconds = time.perf_counter() - started
    r = evaluate_rows(spoken)
    print(f"\nspoken (espeak-ng -> tiny.en): n={r['total']} accuracy={r['accuracy']:.3f} "
          f"wrong-action rate={r['wrong_action_rate']:.3f} ({r['wrong_actions']}) "
          f"miss rate={r['miss_rate']:.3f} in {seconds:.0f} s")
    for f in r["failures"]:
        print(f"  expected {f['expected']!s:10} got {f['got']!s:10} heard {f['text']!r} "
              f"({f['note']})")
    assert r["wrong_action_rate"] <= 0.05
    assert r["accuracy"] >= 0.75
