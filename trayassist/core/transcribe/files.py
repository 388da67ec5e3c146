"""Transcribe audio files (wav, flac, mp3, ogg… anything PyAV decodes)."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from trayassist.core.transcribe.chunker import Chunk, Chunker, ChunkerOptions, StreamingVad
from trayassist.core.transcribe.engine import ChunkText, Engine

RATE = 16000


@dataclass(frozen=True)
class FileResult:
    file: str
    text: str
    duration: float
    error: str | None

    def to_dict(self) -> dict[str, object]:
        return {"file": self.file, "text": self.text, "duration": round(self.duration, 3),
                "error": self.error}


class AudioFileError(RuntimeError):
    pass


def decode(path: Path) -> np.ndarray:
    """16 kHz mono float32; AudioFileError with a one-line reason when it cannot be read."""
    if not path.is_file():
        raise AudioFileError("no such file")
    from faster_whisper import decode_audio

    try:
        audio = decode_audio(str(path), sampling_rate=RATE)
    except Exception as exc:  # PyAV raises many error types for bad input
        raise AudioFileError(_reason(exc)) from exc
    if audio.size == 0:
        raise AudioFileError("no audio stream or empty audio")
    return np.asarray(audio, dtype=np.float32)


def transcribe_file(engine: Engine, path: Path, max_chunk_s: float = 30.0) -> FileResult:
    """Whole file through the engine, cut into ≤30 s windows at quiet points."""
    try:
        audio = decode(path)
    except AudioFileError as exc:
        return FileResult(str(path), "", 0.0, f"{path}: cannot read audio ({exc})")
    futures: list[Future[ChunkText]] = []

    def prompt() -> str | None:  # whisper thread: earlier chunks are done by now
        done = [f.result().text for f in futures if f.done() and f.exception() is None]
        return done[-1] if done else None

    def closed(chunk: Chunk) -> None:
        futures.append(engine.transcribe(chunk.audio, prompt=prompt))

    # The live chunker cuts at pauses; files get longer chunks (more context, no latency need).
    ch = Chunker(StreamingVad(), closed, ChunkerOptions(min_chunk_s=15.0, max_chunk_s=max_chunk_s,
                                                        min_speech_s=1.0))
    step = RATE  # feed one second at a time, as the microphone would
    for i in range(0, len(audio), step):
        ch.feed(audio[i:i + step])
    last = ch.flush()
    if last is not None:
        futures.append(engine.transcribe(last.audio, prompt=prompt))
    texts: list[str] = []
    try:
        for f in futures:
            texts.append(f.result().text)
    except Exception as exc:
        return FileResult(str(path), "", len(audio) / RATE, f"{path}: {_reason(exc)}")
    return FileResult(str(path), " ".join(t for t in texts if t), len(audio) / RATE, None)


def _reason(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
