"""The project's labelled phrasings spoken by espeak-ng, transcribed by the bundled model,
then routed. (The same for a sample of real requests never trained on is a measurement,
in `make bench`: the assistant section.)"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.assistant_eval import evaluate_rows, read_labelled
from tests.support.spoken import transcriber

pytestmark = pytest.mark.model
DATA = Path(__file__).parents[3] / "data" / "assistant_utterances.tsv"
EVERY = 3  # a third of the set: about 3 minutes on 2 busy cores


def _transcriber(bundled_model_path: Path) -> Callable[[str, Path], str]:
    heard = transcriber(bundled_model_path)
    if heard is None:
        pytest.skip("espeak-ng missing")
    return heard


@pytest.mark.timeout(900)
def test_spoken_utterances_through_the_real_model(bundled_model_path: Path, tmp_path: Path) -> None:
    heard = _transcriber(bundled_model_path)
    rows = [r for r in read_labelled(DATA) if re.search(r"[A-Za-z0-9]", r[0])][::EVERY]
    started = time.perf_counter()
    spoken = [(heard(text, tmp_path / f"u{i}.wav"), expected, f"{note} | said: {text}")
              for i, (text, expected, note) in enumerate(rows)]
    seconds = time.perf_counter() - started
    r = evaluate_rows(spoken)
    print(f"\nspoken (espeak-ng -> tiny.en): n={r['total']} accuracy={r['accuracy']:.3f} "
          f"wrong-action rate={r['wrong_action_rate']:.3f} ({r['wrong_actions']}) "
          f"miss rate={r['miss_rate']:.3f} in {seconds:.0f} s")
    for f in r["failures"]:
        print(f"  expected {f['expected']!s:10} got {f['got']!s:10} heard {f['text']!r} ({f['note']})")
    assert r["wrong_action_rate"] <= 0.05
    assert r["accuracy"] >= 0.75
