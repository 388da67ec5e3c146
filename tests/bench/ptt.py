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
def sink_kept_awake(d: Path, sink: str) -> Iterator[None]:
    """Loop silence into our sink so the null sink and its monitor never idle."""
    quiet = pulse.silence(d / "quiet-30s.wav", 30.0)
    stop = False
    procs: list[subprocess.Popen[bytes]] = []

    def loop() -> None:
        while not stop:
            p = subprocess.Popen(["paplay", "-d", sink, str(quiet)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            procs.append(p)
            p.wait()

    import threading

    t = threading.Thread(target=loop, daemon=True)
    t.start()
    time.sleep(2.5)  # sleep-ok: past the stream's 2 s prebuffer, before measuring
    try:
        yield
    finally:
        stop = True
        for p in procs:
            if p.poll() is None:
                p.terminate()
        t.join(5)


def press_to_first_sample(app: RunningApp, d: Path, cycles: int,
                          out: Callable[[str], None]) -> tuple[list[Figure], dict[str, Any]]:
    wav = pulse.speak("Open my notes.", d / "p2f.wav").path
    figures: list[Figure] = []
    details: dict[str, Any] = {}
    variants = (("as-is (idle source)", _nothing()),
                ("silence looping into the sink", sink_kept_awake(d, app.mic.sink)),
                ("source kept running (parec on it)", source_kept_running(app.mic.source)))
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
                          note="PulseAudio's null sink + virtual source deliver a new stream's first "
                               "block late; a hardware source delivers within one period"))
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
    """A second recorder on the source, so PulseAudio never idles the virtual source.

    Measured here: an idle module-virtual-source delivers its first block ~0.5 s after
    any client (parec too) starts recording; a running one in ~20 ms."""
    proc = subprocess.Popen(["parec", "-d", source], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(2.5)  # sleep-ok: past the source's wake-up
    try:
        yield
    finally:
        proc.terminate()
        proc.wait(5)


@contextmanager
def _nothing() -> Iterator[None]:
    yield
