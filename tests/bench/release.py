"""Release → text through the running app, in the regimes that matter: speech with pauses,
continuous speech (sentences 0.1 s apart), 1–2 s commands, and a source that delivers late.

Every clip is played into the app's private virtual mic; the same WAV is also transcribed
whole in this process (the app's model and decoding settings) as the reference. The
sentences here are held out: the streaming policy was never tuned on them.
"""

from __future__ import annotations

import statistics
import subprocess
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import psutil

from tests.bench.harness import RunningApp
from tests.bench.report import Budget, Figure
from tests.support import pulse
from tests.support.speech import word_error_rate, words

HELD_OUT = [
    "The harbour was full of small boats waiting for the tide to turn.",
    "Our neighbour lent us a ladder so we could clean the gutters.",
    "Bring a warm jacket because the evenings get cold in October.",
    "The bakery on Elm Street sells fresh bread every morning.",
    "I forgot my umbrella on the bus again this week.",
    "The engineers tested the bridge before they opened it to traffic.",
    "Please move the meeting with the design team to Thursday afternoon.",
    "A flock of geese flew over the lake just before sunset.",
    "He reads the newspaper at breakfast and then walks to the office.",
    "The printer on the second floor has run out of paper.",
    "We planted three apple trees at the bottom of the garden.",
    "The concert was cancelled because the singer had a sore throat.",
    "Write down the address of the hotel before you leave.",
    "The students practised their speeches in front of the mirror.",
    "My brother collects old maps and keeps them in a wooden box.",
    "The soup needs more salt and a little pepper.",
    "They painted the fence blue and the gate bright yellow.",
    "The library will stay open late during the exam period.",
    "Call the plumber if the kitchen sink starts leaking again.",
    "The train to the airport leaves from platform four.",
]
SHORT = "Please close the kitchen window."  # the "2 s" clip (about 1.8 s of espeak-ng)
COMMANDS = ["What time is it?", "Open my notes.", "Stop the timer.", "Turn the volume down."]
RELEASE_AFTER_S = 0.3  # the key goes up this long after the last word
R2T_BUDGET = Budget(0.5, "p50")
PAUSES = (0.5, 0.8, 1.2)  # between sentences in the paused regime, like someone thinking
CONTINUOUS_GAP_S = 0.1  # fluent dictation: no pause a chunker could cut at


@dataclass
class Clip:
    path: Path
    said: str
    seconds: float
    last_sentence: str = ""


@dataclass
class Runs:
    r2t: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)
    whole: list[float] = field(default_factory=list)
    cpu_held: list[float] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)


class Speech:
    """espeak-ng sentences as 16 kHz WAVs, trimmed of espeak's own leading/trailing silence."""

    def __init__(self, d: Path) -> None:
        self.d = d
        self._n = 0

    def sentence(self, text: str) -> Path:
        self._n += 1
        raw = pulse.speak(text, self.d / f"raw{self._n}.wav").path
        out = self.d / f"sent{self._n}.wav"
        subprocess.run(["sox", str(raw), str(out), "silence", "1", "0.02", "0.5%", "reverse",
                        "silence", "1", "0.02", "0.5%", "reverse"], check=True, timeout=60)
        return out

    def gap(self, seconds: float) -> Path:
        return pulse.silence(self.d / f"gap{seconds:g}.wav", seconds)

    def clip(self, sentences: list[str], gaps: tuple[float, ...], name: str) -> Clip:
        parts: list[Path] = [self.gap(0.2)]
        for i, s in enumerate(sentences):
            parts.append(self.sentence(s))
            parts.append(self.gap(gaps[i % len(gaps)] if i < len(sentences) - 1 else 0.2))
        path = pulse.concat(parts, self.d / f"{name}.wav")
        return Clip(path, " ".join(sentences), pulse.duration(path), sentences[-1])

    def sized(self, target_s: float, gaps: tuple[float, ...], name: str, offset: int = 0) -> Clip:
        """Held-out sentences (starting at `offset`) until the clip lasts about `target_s`."""
        if target_s <= 3:
            return self.clip([SHORT], gaps, name)
        chosen: list[str] = []
        total = 0.0
        i = offset
        while total < target_s - 1.0:
            s = HELD_OUT[i % len(HELD_OUT)]
            chosen.append(s)
            total += 0.06 * len(s) + gaps[(i - offset) % len(gaps)]  # espeak at 160 wpm
            i += 1
        return self.clip(chosen, gaps, name)


def read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path)) as w:
        assert w.getframerate() == 16000 and w.getnchannels() == 1 and w.getsampwidth() == 2
        data = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    return data.astype(np.float32) / 32768.0


def cpu_seconds(app: RunningApp) -> float:
    total = 0.0
    for p in app.process_tree():
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def cycle(app: RunningApp, wav: Path) -> tuple[dict[str, Any], float, float]:
    """Press, wait for the microphone, play, release: (the app's result, IPC wall
    release→text, CPU cores while held). The user starts speaking once the tray stops
    saying "Starting the microphone" (`mic.receiving`): what is said before the source's
    first sample is never captured (0.5–1.9 s here), and the whole-buffer reference hears
    the whole WAV, so speaking earlier would count lost words against streaming."""
    pressed = time.monotonic()
    mic = app.call("ptt.press") or {}
    while not mic.get("receiving"):
        if time.monotonic() - pressed > 15:
            raise RuntimeError("the microphone never delivered audio")
        time.sleep(0.01)  # sleep-ok: polling interval of a bounded wait
        mic = (app.call("status") or {}).get("mic") or {}
    waited = time.monotonic() - pressed
    c0, t0 = cpu_seconds(app), time.monotonic()
    app.mic.play(wav)
    time.sleep(RELEASE_AFTER_S)  # sleep-ok: the user lets go a moment after the last word
    cores = (cpu_seconds(app) - c0) / (time.monotonic() - t0)
    t1 = time.monotonic()
    result = app.call("ptt.release", timeout=300, wait=True) or {}
    result["press_to_receiving"] = waited
    return result, time.monotonic() - t1, cores


class Reference:
    """Whole-buffer transcription of the same WAV in this process (what most apps do)."""

    def __init__(self, d: Path) -> None:
        from trayassist.core.transcribe.engine import Engine
        from trayassist.core.transcribe.models import resolve

        self.engine = Engine(lambda: resolve("tiny.en", "", d))  # the app's defaults
        self.engine.load().result(120)
        self.engine.transcribe(np.zeros(16000, dtype=np.float32)).result(60)  # warm up

    def __call__(self, audio: np.ndarray) -> tuple[str, float]:
        t0 = time.perf_counter()
        text = self.engine.transcribe(audio).result(300).text
        return text, time.perf_counter() - t0

    def stop(self) -> None:
        self.engine.stop()


def measure(app: RunningApp, clip: Clip, repeats: int, ref: Reference) -> Runs:
    runs = Runs()
    audio = read_wav(clip.path)
    for _ in range(repeats):
        result, wall, cores = cycle(app, clip.path)
        t = result.get("timings") or {}
        text = result.get("text") or ""
        wtext, wsecs = ref(audio)
        runs.r2t.append(float(t.get("release_to_text") or 0.0))
        runs.wall.append(wall)
        runs.whole.append(wsecs)
        runs.cpu_held.append(cores)
        runs.rows.append({"text": text, "whole_text": wtext, "wer": word_error_rate(clip.said, text),
                          "whole_wer": word_error_rate(clip.said, wtext), "timings": t,
                          "words": len(words(clip.said)), "press_to_receiving": result["press_to_receiving"]})
    return runs


def pooled_wer(rows: list[dict[str, Any]], key: str) -> float:
    """Word-weighted WER over every run (long clips count for their words)."""
    n = sum(r["words"] for r in rows)
    return sum(r[key] * r["words"] for r in rows) / max(1, n)


def regimes(app: RunningApp, d: Path, sizes: tuple[float, ...], repeats: int,
            out: Callable[[str], None], label: str = "",
            from_s: float = 0.0) -> tuple[list[Figure], dict[str, Any]]:
    """`label` names a variant of the app's settings in every figure; sizes under `from_s`
    are skipped (and with the smallest, the 30 s / 2 s ratio), the others get the same clips
    as without it."""
    speech = Speech(d)
    tag = f", {label}" if label else ""
    ref = Reference(d)
    figures: list[Figure] = []
    details: dict[str, Any] = {}
    try:
        for regime, gaps in (("paused", PAUSES), ("continuous", (CONTINUOUS_GAP_S,))):
            p50: dict[float, float] = {}
            all_rows: list[dict[str, Any]] = []
            for k, size in enumerate(sizes):
                if size < from_s:
                    continue
                clip = speech.sized(size, gaps, f"{regime}-{size:g}", offset=3 * k)
                runs = measure(app, clip, repeats, ref)
                p50[size] = statistics.median(runs.r2t)
                wer_a, wer_w = pooled_wer(runs.rows, "wer"), pooled_wer(runs.rows, "whole_wer")
                all_rows += runs.rows
                out(f"  {regime:10s} {clip.seconds:5.1f} s: release→text p50 {p50[size]:.3f} s "
                    f"(IPC wall {statistics.median(runs.wall):.3f}, CPU held {statistics.median(runs.cpu_held):.2f} "
                    f"cores, WER {wer_a:.3f}) | whole buffer {statistics.median(runs.whole):.3f} s "
                    f"(WER {wer_w:.3f})")
                details[f"{regime}-{size:g}s{tag}"] = {"audio_s": clip.seconds, "reference": clip.said,
                                                  "r2t": runs.r2t, "ipc_wall": runs.wall,
                                                  "whole": runs.whole, "cpu_held": runs.cpu_held,
                                                  "runs": runs.rows}
                figures.append(Figure("push-to-talk", f"release → text, {regime}, {clip.seconds:.0f} s{tag}",
                                      "s", runs.r2t, R2T_BUDGET, note=f"WER {wer_a:.3f}"))
                figures.append(Figure("push-to-talk", f"  whole buffer, {regime}, {clip.seconds:.0f} s{tag}",
                                      "s", runs.whole, None, note=f"WER {wer_w:.3f}; same WAV"))
                if size >= 10:
                    figures.append(Figure("push-to-talk", f"CPU while held, {regime}, {clip.seconds:.0f} s{tag}",
                                          "cores", runs.cpu_held, Budget(1.5, "max")))
            small, big = min(sizes), (30 if 30 in sizes else max(sizes))
            if p50.get(small):
                figures.append(Figure("push-to-talk", f"release → text {big:g} s / {small:g} s, {regime}{tag}",
                                      "x", [p50[big] / p50[small]], Budget(1.5, "p50", "≤ 1.5×")))
            long_rows = [r for r in all_rows if r["words"] > 20]
            if long_rows:
                gap = pooled_wer(long_rows, "wer") - pooled_wer(long_rows, "whole_wer")
                out(f"  {regime}: streamed WER − whole-buffer WER = {gap:+.3f} (≥ 10 s clips, word-weighted)")
                figures.append(Figure("push-to-talk", f"streamed WER − whole-buffer WER, {regime}{tag}", "",
                                      [gap], Budget(0.02, "p50", "≤ +0.02")))
    finally:
        ref.stop()
    return figures, details


def commands(app: RunningApp, d: Path, repeats: int,
             out: Callable[[str], None]) -> tuple[list[Figure], dict[str, Any]]:
    """1–2 s commands: the app against whole-buffer transcription of the same clip."""
    speech = Speech(d)
    ref = Reference(d)
    app_t: list[float] = []
    whole_t: list[float] = []
    details: dict[str, Any] = {}
    try:
        for i, text in enumerate(COMMANDS):
            clip = speech.clip([text], (0.2,), f"command{i}")
            runs = measure(app, clip, repeats, ref)
            app_t += runs.r2t
            whole_t += runs.whole
            details[text] = {"audio_s": clip.seconds, "r2t": runs.r2t, "whole": runs.whole,
                             "runs": runs.rows}
            out(f"  {clip.seconds:.1f} s command: app p50 {statistics.median(runs.r2t):.3f} s, "
                f"whole buffer p50 {statistics.median(runs.whole):.3f} s, "
                f"timings {runs.rows[-1]['timings']}")
    finally:
        ref.stop()
    ratio = statistics.median(app_t) / statistics.median(whole_t)
    return [Figure("push-to-talk", "release → text, 1–2 s commands", "s", app_t, R2T_BUDGET),
            Figure("push-to-talk", "  whole buffer, same commands", "s", whole_t, None),
            Figure("push-to-talk", "1–2 s command: app / whole buffer", "x", [ratio],
                   Budget(1.0, "p50", "≤ 1×"))], details


def late_device(app: RunningApp, d: Path, captures: int,
                out: Callable[[str], None]) -> tuple[list[Figure], dict[str, Any]]:
    """A source that delivers 1–2 s late (the app started with PULSE_LATENCY_MSEC): a
    recording with a pause before its last sentence must still end with that sentence."""
    speech = Speech(d)
    clip = speech.clip([HELD_OUT[5], HELD_OUT[12]], (1.0,), "late")
    last = words(clip.last_sentence)
    # tiny.en mishears some espeak-ng words the same way every time: the whole-buffer
    # transcript's last words count as the sentence too.
    ref = Reference(d)
    try:
        whole_tail = " ".join(words(ref(read_wav(clip.path))[0])[-len(last):])
    finally:
        ref.stop()
    ok = 0
    r2t: list[float] = []
    starting: list[float] = []
    rows: list[dict[str, Any]] = []
    for _ in range(captures):
        result, _wall, _cores = cycle(app, clip.path)
        starting.append(result["press_to_receiving"])
        text = result.get("text") or ""
        tail = " ".join(words(text)[-len(last):])
        ended = word_error_rate(" ".join(last), tail) <= 0.34 or word_error_rate(whole_tail, tail) <= 0.2
        ok += ended
        r2t.append(float((result.get("timings") or {}).get("release_to_text") or 0.0))
        rows.append({"ended_with_last_sentence": ended, "timings": result.get("timings"),
                     "wer": word_error_rate(clip.said, text), "text": text})
    out(f"  late source: {ok}/{captures} captures end with the last sentence; "
        f"release→text p50 {statistics.median(r2t):.3f} s; press → 'starting' gone p50 "
        f"{statistics.median(starting):.3f} s")
    return [Figure("push-to-talk", "late source: captures not ending with the last sentence", "",
                   [captures - ok], Budget(0, "max", "0"), note=f"{ok} of {captures} end with it"),
            Figure("push-to-talk", "  late source: release → text", "s", r2t, None,
                   note="waits for the audio of the release instant"),
            Figure("push-to-talk", "  late source: press → microphone delivering", "s", starting, None,
                   note="the tray says 'Starting the microphone' until then")], {"runs": rows}
