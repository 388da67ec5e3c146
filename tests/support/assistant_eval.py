"""Scores the assistant on a labelled TSV (utterance, expected skill or "none", note)."""

from __future__ import annotations

import statistics
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tests.support.assistant_fakes import (
    SAMPLE_APPS,
    FakeHistory,
    FakeLauncher,
    FakeVolume,
    FixedClock,
    sample_folders,
    sample_status,
)
from trayassist.core.assistant.assistant import Assistant
from trayassist.core.assistant.context import Context
from trayassist.core.assistant.loader import load_skills
from trayassist.core.assistant.services.memory import MemoryItemStore
from trayassist.core.assistant.services.timers import TimerScheduler


def read_labelled(path: Path) -> list[tuple[str, str | None, str]]:
    rows = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip("\n"):
            continue
        parts = line.split("\t")
        if len(parts) < 2:
            raise ValueError(f"bad line in {path}: {line!r}")
        expected = parts[1].strip()
        rows.append((parts[0], None if expected == "none" else expected,
                     parts[2] if len(parts) > 2 else ""))
    return rows


def evaluation_assistant() -> Assistant:
    """The built-in skills over in-memory services (a sample desktop), for dry runs."""
    store = MemoryItemStore()
    ctx = Context(
        clock=FixedClock(datetime(2026, 3, 14, 9, 30, tzinfo=ZoneInfo("Europe/London"))),
        store=store, timers=TimerScheduler(store, on_fire=lambda _t: None),
        launcher=FakeLauncher(SAMPLE_APPS, sample_folders()), volume=FakeVolume(),
        privacy_status=sample_status, history=FakeHistory(),
    )
    return Assistant(load_skills(), ctx)


def evaluate(path: Path | str, assistant: Assistant | None = None) -> dict[str, Any]:
    """Accuracy, wrong-action rate (acted with the wrong skill, or acted on a non-command),
    miss rate, per-utterance matching time, and the failures."""
    return evaluate_rows(read_labelled(Path(path)), assistant)


def evaluate_rows(rows: list[tuple[str, str | None, str]],
                  assistant: Assistant | None = None) -> dict[str, Any]:
    """`evaluate` on rows already read (e.g. transcripts of spoken utterances)."""
    assistant = assistant or evaluation_assistant()
    assistant.handle("what time is it in paris", dry_run=True)  # builds the zone table once
    correct = wrong = missed = 0
    times: list[float] = []
    failures: list[dict[str, Any]] = []
    confusion: Counter[tuple[str, str]] = Counter()
    for text, expected, note in rows:
        started = time.perf_counter()
        result = assistant.handle(text, dry_run=True)
        times.append((time.perf_counter() - started) * 1000)
        got = result.skill
        confusion[(expected or "none", got or "none")] += 1
        if got == expected:
            correct += 1
            continue
        if got is None:
            missed += 1
        else:
            wrong += 1
        failures.append({"text": text, "expected": expected, "got": got, "note": note,
                         "reply": result.reply})
    n = len(rows)
    commands = sum(1 for _, e, _ in rows if e is not None)
    times.sort()
    return {
        "total": n, "commands": commands, "non_commands": n - commands,
        "correct": correct, "accuracy": correct / n if n else 0.0,
        "wrong_actions": wrong, "wrong_action_rate": wrong / n if n else 0.0,
        "missed": missed, "miss_rate": missed / commands if commands else 0.0,
        "ms_p50": statistics.median(times) if times else 0.0,
        "ms_p95": times[int(0.95 * (n - 1))] if times else 0.0,
        "ms_max": times[-1] if times else 0.0,
        "failures": failures,
        "confusion": {f"{e}->{g}": c for (e, g), c in sorted(confusion.items())},
    }


# Judged on real requests (CLINC150 val, the SLURP held-out fold): "right skill" is over the
# requests our skills support, "wrong action" over those they do not (any skill named counts as
# acting, as `ask --dry-run --json` would report it), "no action" over the supported ones.
def evaluate_requests(examples: list[Any], assistant: Assistant | None = None,
                      readme_mapping: bool = False) -> dict[str, Any]:
    """`examples`: tools.intent_data.Example rows. With `readme_mapping`, CLINC150's
    measurement_conversion counts as unsupported, as the data's README lists it."""
    from tools.intent_data import skill_of

    assistant = assistant or evaluation_assistant()
    supported = right = missed = wrong_skill = unsupported = wrong_action = 0
    confusion: Counter[tuple[str, str]] = Counter()
    failures: list[dict[str, Any]] = []
    times: list[float] = []
    for ex in examples:
        expected = skill_of(ex.label)
        if readme_mapping and ex.source == "clinc:measurement_conversion":
            expected = None
        started = time.perf_counter()
        got = assistant.handle(ex.text, dry_run=True).skill
        times.append((time.perf_counter() - started) * 1000)
        confusion[(expected or "none", got or "none")] += 1
        if expected is None:
            unsupported += 1
            if got is not None:
                wrong_action += 1
                failures.append({"text": ex.text, "source": ex.source, "expected": None, "got": got})
            continue
        supported += 1
        if got == expected:
            right += 1
            continue
        if got is None:
            missed += 1
        else:
            wrong_skill += 1
        failures.append({"text": ex.text, "source": ex.source, "expected": expected, "got": got})
    times.sort()
    return {
        "supported": supported, "unsupported": unsupported,
        "right_skill": right / supported if supported else 0.0,
        "no_action": missed / supported if supported else 0.0,
        "wrong_skill": wrong_skill / supported if supported else 0.0,
        "wrong_action": wrong_action / unsupported if unsupported else 0.0,
        "wrong_actions": wrong_action,
        "ms_p50": statistics.median(times) if times else 0.0,
        "ms_p95": times[int(0.95 * (len(times) - 1))] if times else 0.0,
        "confusion": {f"{e}->{g}": c for (e, g), c in sorted(confusion.items()) if e != g},
        "failures": failures,
    }
