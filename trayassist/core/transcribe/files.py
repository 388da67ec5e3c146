"""Transcribe audio files (wav, flac, mp3, ogg… anything PyAV decodes), with segment and word times."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from trayassist.core.atomic import write_atomic
from trayassist.core.transcribe.chunker import Chunk, Chunker, ChunkerOptions, StreamingVad
from trayassist.core.transcribe.engine import Cancelled, Engine, TimedSegment, Timing
from trayassist.core.transcribe.subtitles import render

RATE = 16000

Progress = Callable[[float], None]  # 0.0 … 1.0 of the file, from the whisper thread


@dataclass(frozen=True)
class FileResult:
    file: str
    text: str
    duration: float
    error: str | None
    segments: tuple[TimedSegment, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {"file": self.file, "text": self.text, "duration": round(self.duration, 3),
                "error": self.error}

    def render(self, fmt: str) -> str:
        return render(fmt, self.text, self.segments, self.to_dict())


class AudioFileError(RuntimeError):
    pass


class OutputError(RuntimeError):
    """The transcript could not be written (one line)."""


def decode(path: Path) -> np.ndarray:
    """16 kHz mono float32; AudioFileError with a one-line reason when it cannot be read.
    The one place audio files are opened."""
    if not path.is_file():
        raise AudioFileError("no such file")
    try:
        audio = decode_local(path)
    except Exception as exc:  # PyAV raises many error types for bad input
        raise AudioFileError(_reason(exc)) from exc
    if audio.size == 0:
        raise AudioFileError("no audio stream or empty audio")
    return np.asarray(audio, dtype=np.float32)


# FFmpeg opens URLs as well as files: a path that reads as one ("http:/host/a.wav"), or a
# playlist or SDP naming remote parts, would make native code connect past the guard.
ONLY_FILES = {"protocol_whitelist": "file"}


def decode_local(path: Path) -> np.ndarray:
    """Decode with FFmpeg allowed to open local files only, to 16 kHz mono float32."""
    import av

    resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
    parts: list[np.ndarray] = []
    with av.open(f"file:{path.resolve()}", mode="r", metadata_errors="ignore",
                 container_options=ONLY_FILES) as container:
        frames = container.decode(audio=0)
        while True:
            try:
                frame = next(frames)
            except StopIteration:
                break
            except av.error.InvalidDataError:  # a damaged packet: skip it, as faster-whisper does
                continue
            frame.pts = None  # the resampler checks timestamps we do not need
            parts += [f.to_ndarray() for f in resampler.resample(frame)]
    parts += [f.to_ndarray() for f in resampler.resample(None)]
    if not parts:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(parts, axis=None).astype(np.float32) / 32768.0


def transcribe_file(engine: Engine, path: Path, max_chunk_s: float = 30.0, *,
                    progress: Progress | None = None,
                    cancel: threading.Event | None = None) -> FileResult:
    """Whole file through the engine, cut into ≤30 s windows at quiet points. Raises
    Cancelled when `cancel` is set; every other failure is the result's one-line error."""
    try:
        audio = decode(path)
    except AudioFileError as exc:
        return FileResult(str(path), "", 0.0, f"{path}: cannot read audio ({exc})")
    duration = len(audio) / RATE
    futures: list[Future[list[TimedSegment]]] = []
    starts: list[float] = []

    def prompt() -> str | None:  # whisper thread: earlier chunks are done by now
        done = [f.result() for f in futures if f.done() and not f.cancelled() and f.exception() is None]
        if not done:
            return None
        return " ".join(s.text for s in done[-1]) or None

    def submit(chunk: Chunk) -> None:
        start = chunk.start_s

        def seen(seconds: float) -> None:
            if progress is not None:
                progress(min(1.0, (start + seconds) / duration))

        starts.append(start)
        futures.append(engine.transcribe_timed(chunk.audio, prompt, Timing(seen, cancel)))

    # The live chunker cuts at pauses; files get longer chunks (more context, no latency need).
    ch = Chunker(StreamingVad(), submit, ChunkerOptions(min_chunk_s=15.0, max_chunk_s=max_chunk_s,
                                                        min_speech_s=1.0))
    step = RATE  # feed one second at a time, as the microphone would
    for i in range(0, len(audio), step):
        if cancel is not None and cancel.is_set():
            break
        ch.feed(audio[i:i + step])
    last = ch.flush()
    if last is not None:
        submit(last)
    segments: list[TimedSegment] = []
    try:
        for start, f in zip(starts, futures, strict=True):
            if cancel is not None and cancel.is_set():
                raise Cancelled("cancelled")
            segments.extend(_shift(s, start) for s in f.result())
    except Cancelled:
        for f in futures:
            f.cancel()
        raise
    except Exception as exc:
        return FileResult(str(path), "", duration, f"{path}: {_reason(exc)}")
    if progress is not None:
        progress(1.0)
    text = " ".join(s.text for s in segments if s.text)
    return FileResult(str(path), text, duration, None, tuple(segments))


def _shift(seg: TimedSegment, by: float) -> TimedSegment:
    from dataclasses import replace

    return TimedSegment(seg.start + by, seg.end + by, seg.text,
                        tuple(replace(w, start=w.start + by, end=w.end + by) for w in seg.words))


def output_path(source: Path, fmt: str, out_dir: Path | None = None) -> Path:
    """Where a transcript of `source` goes: beside it (or in out_dir), the audio suffix swapped."""
    return (out_dir if out_dir is not None else source.parent) / f"{source.stem}.{fmt}"


def free_path(target: Path) -> Path:
    """`target`, or `name-2.srt`, `name-3.srt`… when it exists (never overwrite unasked)."""
    n = 2
    candidate = target
    while candidate.exists():
        candidate = target.with_name(f"{target.stem}-{n}{target.suffix}")
        n += 1
    return candidate


def write_transcript(result: FileResult, fmt: str, target: Path, overwrite: bool = False) -> Path:
    """Write atomically (mode 0600: a transcript is private); OutputError in one line."""
    if target.exists() and not overwrite:
        raise OutputError(f"{target}: already exists (not overwritten)")
    if not target.parent.is_dir():
        raise OutputError(f"{target.parent}: no such folder")
    try:
        write_atomic(target, result.render(fmt).encode("utf-8"))
    except OSError as exc:
        raise OutputError(f"{target}: cannot write ({exc.strerror or type(exc).__name__})") from None
    return target


def _reason(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
