"""Requests spoken by espeak-ng and transcribed by the bundled model: what the assistant
gets from a voice, not from a keyboard (used by the suite and by `make bench`)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from tests.support import pulse
from tools.intent_data import Example, judged_splits


def transcriber(model_path: Path) -> Callable[[str, Path], str] | None:
    """`heard(text, wav)`: what tiny.en makes of `text` spoken; None without espeak-ng."""
    if shutil.which("espeak-ng") is None:
        return None
    from faster_whisper import WhisperModel

    model = WhisperModel(str(model_path), device="cpu", compute_type="int8")

    def heard(text: str, wav: Path) -> str:
        pulse.speak(text, wav)
        segments, _info = model.transcribe(str(wav), language="en", beam_size=1)
        return " ".join(s.text.strip() for s in segments).strip()

    return heard


def real_requests_sample() -> list[Example]:
    """A fixed sample of both judged splits (never trained or tuned on): every fourth
    supported request and every fortieth unsupported one (about 150, a few minutes)."""
    out: list[Example] = []
    for rows in judged_splits().values():
        supported = [e for e in rows if e.label != "none"]
        unsupported = [e for e in rows if e.label == "none"]
        out += supported[::4] + unsupported[::40]
    return out
