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
