"""Push-to-talk through the running app: press→first sample, and release→text for
2–60 s of espeak-ng speech played into the virtual mic, beside whole-buffer
transcription of the same WAV in this process (same model and decoding settings).
"""

from __future__ import annotations

import subprocess
import time
import wave
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from tests.bench.harness import RunningApp
from tests.bench.report import Budget, Figure
from tests.support import pulse
from tests.support.speech import word_error_rate

SENTENCES = [
    "Please remind me to call my sister tomorrow at noon.",
    "Open the calculator and add twelve plus thirty.",
    "I would like to write a note about the meeting.",
    "Set a timer for five minutes and then play some music.",
    "The library closes at six o'clock on Saturday.",
    "My favourite colour is green and my dog is called Max.",
]
SHORT = "Set a timer for five minutes."  # about 2 s of espeak-ng speech
GAPS = (0.5, 0.8, 1.2)  # pauses between sentences, like someone thinking
RELEASE_AFTER_S = 0.3  # the key goes up this long after the last word
R2T_BUDGET = Budget(0.5, "p50")


def make_utterance(d: Path, target_s: float) -> tuple[Path, str]:
    """A WAV of about `target_s` seconds: sentences with short sox silences between."""
    if target_s <= 3:
        sp = pulse.speak(SHORT, d / "utt-short.wav")
        return sp.path, SHORT
    parts: list[Path] = []
    said: list[str] = []
    total, i = 0.0, 0
    while total < target_s - 1.5:
        text = SENTENCES[i % len(SENTENCES)]
        sp = pulse.speak(text, d / f"s{i % len(SENTENCES)}.wav")
        parts.append(sp.path)
        said.append(text)
        total += sp.seconds
        gap = GAPS[i % len(GAPS)]
        if total + gap < target_s - 1.5:
            parts.append(pulse.silence(d / f"gap{gap}.wav", gap))
            total += gap
        i += 1
    return pulse.concat(parts, d / f"utt-{target_s:g}.wav"), " ".join(said)


def read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path)) as w:
        assert w.getframerate() == 16000 and w.getnchannels() == 1 and w.getsampwidth() == 2
        data = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    return data.astype(np.float32) / 32768.0


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


def release_to_text(app: RunningApp, d: Path, sizes: tuple[float, ...], repeats: int,
                    out: Callable[[str], None]) -> tuple[list[Figure], dict[str, Any]]:
    from trayassist.core.transcribe.engine import Engine
    from trayassist.core.transcribe.models import resolve

    # The app's defaults (device auto, int8, en, beam 5), so the comparison is like for like.
    engine = Engine(lambda: resolve("tiny.en", "", d))
    engine.load().result(120)
    engine.transcribe(np.zeros(16000, dtype=np.float32)).result(60)  # first call warms up
    figures: list[Figure] = []
    details: dict[str, Any] = {}
    p50: dict[str, dict[float, float]] = {"app": {}, "whole": {}}
    try:
        for size in sizes:
            wav, said = make_utterance(d, size)
            secs = pulse.duration(wav)
            audio = read_wav(wav)
            chunked: list[float] = []
            walls: list[float] = []
            whole: list[float] = []
            rows: list[dict[str, Any]] = []
            for _ in range(repeats):
                result, wall = ptt_cycle(app, wav)
                t = (result or {}).get("timings", {})
                chunked.append(float(t.get("release_to_text") or 0.0))
                walls.append(wall)
                t0 = time.perf_counter()
                wtext = engine.transcribe(audio).result(300).text
                whole.append(time.perf_counter() - t0)
                rows.append({"app_text": (result or {}).get("text", ""), "whole_text": wtext,
                             "app_wer": word_error_rate(said, (result or {}).get("text", "")),
                             "whole_wer": word_error_rate(said, wtext), "timings": t})
            import statistics

            p50["app"][size] = statistics.median(chunked)
            p50["whole"][size] = statistics.median(whole)
            wer_a = statistics.median(r["app_wer"] for r in rows)
            wer_w = statistics.median(r["whole_wer"] for r in rows)
            cap = [float(r["timings"].get("captured_s") or 0) for r in rows]
            spec = sum(1 for r in rows if r["timings"].get("speculation_used"))
            out(f"  {secs:5.1f} s speech: release→text app p50 {p50['app'][size]:.3f} s "
                f"(IPC wall {statistics.median(walls):.3f} s, WER {wer_a:.2f}, captured "
                f"{min(cap):.2f} s, speculation used {spec}/{len(rows)}) | whole buffer "
                f"p50 {p50['whole'][size]:.3f} s (WER {wer_w:.2f})")
            details[f"{size:g}s"] = {"audio_s": secs, "reference": said, "app": chunked,
                                     "ipc_wall": walls, "whole": whole, "runs": rows}
            figures.append(Figure("push-to-talk", f"release → text, {secs:.1f} s speech (app)", "s",
                                  chunked, R2T_BUDGET, note=f"WER {wer_a:.2f}; speculative last chunk "
                                  f"used in {spec}/{len(rows)}"))
            figures.append(Figure("push-to-talk", f"whole-buffer transcribe, {secs:.1f} s (same WAV)", "s",
                                  whole, None, note=f"WER {wer_w:.2f}; the approach the app avoids"))
    finally:
        engine.stop()
    small = min(sizes)
    big = 30 if 30 in sizes else max(sizes)
    for kind, label in (("app", "app"), ("whole", "whole buffer")):
        if small in p50[kind] and big in p50[kind] and p50[kind][small] > 0:
            ratio = p50[kind][big] / p50[kind][small]
            figures.append(Figure("push-to-talk", f"release → text {big:g} s / {small:g} s ({label})", "x",
                                  [ratio], Budget(1.5, "p50", "≤ 1.5×") if kind == "app" else None))
    return figures, details
