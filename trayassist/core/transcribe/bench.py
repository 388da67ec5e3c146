"""Push-to-talk benchmark for `make bench`: release-to-text, chunked vs whole buffer.

Needs the dev checkout (tests.support.pulse), PulseAudio, espeak-ng and sox.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

SENTENCES = [
    "Please remind me to call my sister tomorrow at noon.",
    "Open the calculator and add twelve plus thirty.",
    "I would like to write a note about the meeting.",
    "Set a timer for five minutes and then play some music.",
    "The library closes at six o'clock on Saturday.",
    "My favourite colour is green and my dog is called Max.",
]


def _utterance(pulse, d: Path, target_s: float) -> Path:  # type: ignore[no-untyped-def]
    parts: list[Path] = []
    total, i = 0.0, 0
    while total < target_s - 1.0:
        sp = pulse.speak(SENTENCES[i % len(SENTENCES)], d / f"b{target_s}-{i}.wav")
        parts.append(sp.path)
        total += sp.seconds
        if total < target_s - 2.0:
            gap = (0.8, 1.2, 2.0)[i % 3]
            parts.append(pulse.silence(d / f"gap{gap}.wav", gap))
            total += gap
        i += 1
    if target_s <= 2.5:
        return pulse.speak("Open my notes.", d / "short.wav").path
    return pulse.concat(parts, d / f"utt{target_s}.wav")


def run(out: Callable[[str], None] = print, sizes: tuple[float, ...] = (2, 10, 30, 60),
        repeats: int = 3) -> dict[str, object]:
    import psutil
    import sounddevice as sd

    from tests.support import pulse
    from trayassist.core.audio import Recorder
    from trayassist.core.session import PushToTalk
    from trayassist.core.transcribe.engine import Engine
    from trayassist.core.transcribe.models import resolve

    pulse.ensure_virtual_mic()
    d = Path(tempfile.mkdtemp(prefix="ta-bench-"))
    rss = lambda: psutil.Process().memory_info().rss / 1e6  # noqa: E731
    engine = Engine(lambda: resolve("tiny.en", "", d))
    import faster_whisper  # noqa: F401 - baseline RSS includes the libraries

    base = rss()
    engine.load().result(120)
    results: dict[str, object] = {"model_load_s": engine.load_seconds, "rss_unloaded_mb": None}
    rec = Recorder(sd)
    rec.prepare()
    ptt = PushToTalk(rec, engine)
    p2f: list[float] = []
    for size in sizes:
        wav = _utterance(pulse, d, size)
        secs = pulse.duration(wav)
        chunked: list[float] = []
        whole: list[float] = []
        for _ in range(repeats):
            ptt.press()
            take = ptt._take
            pulse.play(wav)
            pulse.wait_for(lambda: False, timeout=0.3)  # released 0.3 s after the last word
            u = ptt.release().result(300)
            chunked.append(float(u.timings["release_to_text"] or 0))
            if u.timings.get("press_to_first_sample") is not None:
                p2f.append(float(u.timings["press_to_first_sample"] or 0))
            assert take is not None
            audio = take.chunker.audio()
            t0 = time.perf_counter()
            wtext = engine.transcribe(audio).result(300).text
            whole.append(time.perf_counter() - t0)
        line = (f"{secs:5.1f}s utterance: release-to-text chunked p50 {statistics.median(chunked):.3f}s"
                f" max {max(chunked):.3f}s | whole buffer p50 {statistics.median(whole):.3f}s"
                f" max {max(whole):.3f}s | chunks {u.chunks}")
        out(line)
        out(f"    chunked: {u.text}\n    whole:   {wtext}")
        results[f"{size:g}s"] = {"audio_s": secs, "chunked": chunked, "whole": whole}
    loaded = rss()
    engine.unload().result(30)
    unloaded = rss()
    results.update(press_to_first_sample=p2f, rss_base_mb=base, rss_loaded_mb=loaded,
                   rss_unloaded_mb=unloaded)
    out(f"press-to-first-sample p50 {statistics.median(p2f) * 1000:.0f} ms max "
        f"{max(p2f) * 1000:.0f} ms; model load {engine.load_seconds:.2f}s; RSS libs {base:.0f} MB,"
        f" loaded {loaded:.0f} MB, unloaded {unloaded:.0f} MB")
    engine.stop()
    return results


if __name__ == "__main__":
    run()
