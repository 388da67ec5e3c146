"""The assistant's matching time per utterance over the labelled set (dry runs)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.bench.report import Figure
from tests.support.assistant_eval import evaluation_assistant, read_labelled

DATA = Path(__file__).resolve().parents[1] / "data" / "assistant_utterances.tsv"


def run(rounds: int, out: Callable[[str], None]) -> tuple[list[Figure], dict[str, Any]]:
    rows = read_labelled(DATA)
    t = time.perf_counter()
    assistant = evaluation_assistant()
    build_s = time.perf_counter() - t
    t = time.perf_counter()
    assistant.handle("what time is it in paris", dry_run=True)  # first call builds the zone table
    first_ms = (time.perf_counter() - t) * 1000
    times: list[float] = []
    correct = 0
    for _ in range(rounds):
        for text, expected, _note in rows:
            t = time.perf_counter()
            result = assistant.handle(text, dry_run=True)
            times.append((time.perf_counter() - t) * 1000)
            correct += result.skill == expected
    accuracy = correct / (rounds * len(rows))
    out(f"  assistant: {len(rows)} utterances × {rounds}, accuracy {accuracy:.3f}; skills load "
        f"{build_s * 1000:.0f} ms, first call {first_ms:.0f} ms")
    return ([Figure("assistant", "match one utterance (dry run)", "ms", times,
                    note=f"accuracy {accuracy:.3f} on {len(rows)} labelled utterances; no budget in DESIGN.md")],
            {"utterances": len(rows), "accuracy": accuracy, "build_ms": build_s * 1000, "first_ms": first_ms})
