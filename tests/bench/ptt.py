"""Push-to-talk through the running app: press → first sample (release → text is in
tests/bench/release.py)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.bench.harness import RunningApp
from tests.bench.report import Budget, Figure
from tests.support import pulse

RELEASE_AFTER_S = 0.3  # the key goes up this long after the last word


def ptt_cycle(app: RunningApp, wav: Path, presses: list[float] | None = None
              ) -> tuple[dict[str, Any], float]:
    """Press, play `wav` into the mic, release; returns the app's result and the
    wall time from sending release to having the text back over IPC. `presses` gets
    the `ptt.press` round trip (it returns once the input stream runs)."""
    t0 = time.monotonic()
    app.call("ptt.press")
    if presses is not None:
        presses.append((time.monotonic() - t0) * 1000)
    app.mic.play(wav)
    time.sleep(RELEASE_AFTER_S)  # sleep-ok: the user lets go a moment after the last word
    t0 = time.monotonic()
    result = app.call("ptt.release", timeout=300, wait=True)
    return result, time.monotonic() - t0


@contextmanager
def sink_driven_at_low_latency(sink: str) -> Iterator[None]:
    """Silence written into our sink by a client asking for 20 ms of latency, so the null sink
    renders, and its monitor delivers, in short blocks, as a hardware source delivers one
    period at a time. Idle, or fed by a client content with the default latency (paplay), the
    null sink renders up to 2 s at once and a new recording waits for the block in progress
    to end: its first audio comes 0.5-2 s after the start, whoever records (parec too)."""
    proc = subprocess.Popen(["pacat", "--playback", "-d", sink, "--latency-msec=20", "--raw",
                             "--format=s16le", "--rate=16000", "--channels=1", "/dev/zero"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(2.5)  # sleep-ok: past the block the sink was rendering when the writer came
    try:
        yield
    finally:
        proc.terminate()
        proc.wait(5)


def press_to_first_sample(app: RunningApp, d: Path, cycles: int,
                          out: Callable[[str], None]) -> tuple[list[Figure], dict[str, Any]]:
    wav = pulse.speak("Open my notes.", d / "p2f.wav").path
    figures: list[Figure] = []
    details: dict[str, Any] = {}
    variants = (("as-is (idle source)", _nothing()),
                ("sink driven at 20 ms (pacat writing silence)", sink_driven_at_low_latency(app.mic.sink)),
                ("source kept running (parec at 20 ms on it)", source_kept_running(app.mic.source)))
    presses: list[float] = []
    for label, ctx in variants:
        values: list[float] = []
        with ctx:
            for _ in range(cycles):
                time.sleep(1.5)  # sleep-ok: let the source go idle again between presses
                result, _wall = ptt_cycle(app, wav, presses)
                p2f = (result or {}).get("timings", {}).get("press_to_first_sample")
                if p2f is not None:
                    values.append(p2f * 1000)
        out(f"  press→first sample, {label}: {[round(v) for v in values]} ms")
        details[label] = values
        figures.append(Figure("push-to-talk", f"press → first sample, {label}", "ms", values,
                              Budget(150, "p50")))
    native = native_first_byte(app.mic.source, cycles)
    out(f"  reference, parec's first byte from the same source: {[round(v) for v in native]} ms; "
        f"ptt.press round trip (stream running): p50 {sorted(presses)[len(presses) // 2]:.0f} ms")
    figures.append(Figure("push-to-talk", "  reference: parec's first byte, same source, no app", "ms", native,
                          note="an idle null sink renders up to 2 s at once; a new recording waits for "
                               "that block to end (the variants above drive it at 20 ms)"))
    figures.append(Figure("push-to-talk", "press → input stream running (ptt.press round trip)", "ms", presses,
                          Budget(150, "p50"), note="the app's own share of press → first sample"))
    details["native_first_byte"], details["press_round_trip"] = native, presses
    return figures, details


def native_first_byte(source: str, runs: int) -> list[float]:
    """What any client waits for the first captured byte from this source (process start
    included, so an upper bound)."""
    times: list[float] = []
    for _ in range(runs):
        time.sleep(1.5)  # sleep-ok: the same idle gap as between presses
        t0 = time.monotonic()
        proc = subprocess.Popen(["parec", "-d", source, "--latency-msec=20"], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL)
        try:
            assert proc.stdout is not None
            if proc.stdout.read(1):
                times.append((time.monotonic() - t0) * 1000)
        finally:
            proc.kill()
            proc.wait(5)
    return times


@contextmanager
def source_kept_running(source: str) -> Iterator[None]:
    """A second recorder on the source asking for 20 ms of latency: the sink under it then
    renders in short blocks too (see `sink_driven_at_low_latency`)."""
    proc = subprocess.Popen(["parec", "-d", source, "--latency-msec=20"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    time.sleep(2.5)  # sleep-ok: past the source's wake-up
    try:
        yield
    finally:
        proc.terminate()
        proc.wait(5)


@contextmanager
def _nothing() -> Iterator[None]:
    yield
