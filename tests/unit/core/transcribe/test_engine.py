"""The model-owning worker: lazy load, idle unload (memory given back), CPU fallback."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import psutil
import pytest

from tests.support.pulse import wait_for
from tests.unit.core.transcribe.conftest import read_wav
from trayassist.core.transcribe.engine import Engine
from trayassist.core.transcribe.models import ModelError, ModelNeedsDownload, resolve

pytestmark = [pytest.mark.unit, pytest.mark.model]


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 1e6


def test_lazy_load_idle_unload_and_memory_given_back(tmp_path: Path,
                                                     speech_parts: list[Path]) -> None:
    states: list[str] = []
    threads: set[str] = set()

    def on_state(s: str) -> None:
        states.append(s)
        threads.add(threading.current_thread().name)

    eng = Engine(lambda: resolve("tiny.en", "", tmp_path), idle_unload_s=1.0, on_state=on_state)
    try:
        assert not eng.loaded and states == []  # nothing loads at construction
        before = rss_mb()
        text = eng.transcribe(read_wav(speech_parts[1])).result(60).text
        assert "calculator" in text.lower()
        loaded = rss_mb()
        assert states[:2] == ["loading", "loaded"] and eng.loaded
        assert eng.active_device == "cpu" and eng.load_seconds is not None
        assert wait_for(lambda: states[-1] == "unloaded", timeout=10)
        assert not eng.loaded and threads == {"whisper"}
        after = rss_mb()
        print(f"\nRSS before {before:.0f} MB, loaded {loaded:.0f} MB, unloaded {after:.0f} MB;"
              f" load {eng.load_seconds:.2f}s")
        # The int8 weights are ~40 MB in memory; libraries and thread pools stay mapped.
        assert loaded - after >= 40
        # It loads again on the next job.
        assert eng.transcribe(read_wav(speech_parts[0])).result(60).text
    finally:
        eng.stop()


def test_cuda_unavailable_falls_back_to_cpu_int8(tmp_path: Path) -> None:
    eng = Engine(lambda: resolve("tiny.en", "", tmp_path), device="cuda",
                 compute_type="float16")
    try:
        eng.load().result(60)
        assert eng.active_device == "cpu"
        assert eng.transcribe(np.zeros(16000, dtype=np.float32)).result(60).text == ""
    finally:
        eng.stop()


def test_model_errors_reach_the_caller_and_the_state(tmp_path: Path) -> None:
    states: list[str] = []
    eng = Engine(lambda: resolve("small.en", "", tmp_path, hub_cache=tmp_path / "hub"),
                 on_state=states.append)
    try:
        with pytest.raises(ModelNeedsDownload):
            eng.transcribe(np.zeros(16000, dtype=np.float32)).result(30)
        assert states == ["loading", "error"] and not eng.loaded
        assert eng.last_error and "download" in eng.last_error
        bad = tmp_path / "bad"
        bad.mkdir()
        (bad / "config.json").write_text("{}")
        (bad / "model.bin").write_bytes(b"not a model")
        (bad / "tokenizer.json").write_text("{}")
        eng2 = Engine(lambda: resolve("tiny.en", str(bad), tmp_path))
        with pytest.raises(ModelError, match="Cannot load model"):
            eng2.load().result(30)
        eng2.stop()
    finally:
        eng.stop()


def test_a_decode_gets_a_token_budget_for_its_audio(tmp_path: Path) -> None:
    """A loop runs to the model's 448 tokens (3 s for 3 s of two voices over each other):
    each decode may make the tokens its audio could hold, no more."""
    from trayassist.core.transcribe.engine import MAX_TOKENS, token_budget
    from trayassist.core.transcribe.live import LIVE
    from trayassist.core.vocabulary import HINT_MAX_TOKENS

    asked: list[dict[str, object]] = []

    class Model:
        def __init__(self, *_a: object, **_kw: object) -> None: ...

        def transcribe(self, audio: np.ndarray, **kw: object) -> tuple[list[object], None]:
            asked.append(kw)
            return [], None

    eng = Engine(lambda: resolve("tiny.en", "", tmp_path), model_factory=Model)
    try:
        for seconds in (1.0, 3.5, 30.0, 45.0):
            eng.transcribe(np.zeros(int(16000 * seconds), dtype=np.float32), None, LIVE).result(30)
        eng.transcribe(np.zeros(16000, dtype=np.float32), "the sentence before").result(30)
    finally:
        eng.stop()
    budgets = [kw["max_new_tokens"] for kw in asked]
    assert budgets == [34, 59, MAX_TOKENS, MAX_TOKENS, None]  # none beside a prompt of unknown length
    # Fast speech (5 words a second, about 7 tokens with timestamps) always fits...
    assert all(token_budget(s) >= 7 * s for s in (0.5, 1, 2, 5, 10, 30))
    # ...and so does the prompt: the vocabulary hint, the start of transcript, the budget.
    assert HINT_MAX_TOKENS + 4 + MAX_TOKENS <= 448
