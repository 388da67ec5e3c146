"""The transcription worker: one thread owns the Whisper model, loads it lazily, unloads it when idle.

All callbacks (state changes, job futures' done-callbacks) run on the worker thread.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from trayassist.core.transcribe.decoding import (
    WHOLE,
    Cancelled,
    ChunkText,
    Decoding,
    TimedSegment,
    TimedWord,
    Timing,
)
from trayassist.core.transcribe.filters import FilterOptions, clean_segments, is_nonspeech_tag, segment_text
from trayassist.core.transcribe.models import ModelError, ResolvedModel
from trayassist.core.transcribe.streaming import Word

__all__ = ["Cancelled", "ChunkText", "Decoding", "Engine", "TimedSegment", "TimedWord", "Timing"]

log = logging.getLogger(__name__)

Prompt = str | Callable[[], str | None] | None


@dataclass
class _Job:
    kind: str  # "transcribe" | "load" | "unload" | "stop"
    future: Future[Any] = field(default_factory=Future)
    audio: np.ndarray | None = None
    prompt: Prompt = None
    timing: Timing | None = None  # set: segments with word times instead of ChunkText
    decoding: Decoding = WHOLE


# A decode that loops ("…to the board to the board to the board") runs on to the model's
# limit of 448 tokens: 3 s of decoding for 2-4 s of audio. Two voices over each other do it
# (a spoken reply playing over a take: CI, 3.4 s for 3.5 s of audio; here 1 in 60-120 decodes
# of two espeak-ng sentences mixed). Speech needs far fewer tokens: a fast talker says about
# 4 words a second, 5-6 tokens with the timestamps. With this budget 120 such mixtures came
# back word for word the same, the loops in 0.5 s instead of 3.
TOKENS_PER_S = 10
MIN_TOKENS = 24
# The prompt and the new tokens must fit in 448 (faster-whisper raises otherwise): the
# vocabulary hint takes at most HINT_MAX_TOKENS (120), the start of transcript 4.
MAX_TOKENS = 220


def token_budget(seconds: float) -> int:
    """New tokens a decode of `seconds` of audio may produce (per 30 s window)."""
    return min(MIN_TOKENS + int(TOKENS_PER_S * min(seconds, 30.0)), MAX_TOKENS)


def default_cpu_threads() -> int:
    # CTranslate2 gains little past 4 intra-op threads for tiny/base; never more than cores.
    return max(1, min(4, os.cpu_count() or 1))


def _malloc_trim() -> None:
    # glibc keeps freed arenas; trimming is what makes RSS actually drop after unload.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


class Engine:
    """Owns a faster-whisper WhisperModel on its own thread.

    `resolve` returns the model to load (it may raise ModelError / ModelNeedsDownload,
    which then fails the job's future). `on_state(state)` is called on the worker
    thread with "loading", "loaded", "unloaded" or "error".
    """

    def __init__(
        self,
        resolve: Callable[[], ResolvedModel],
        *,
        device: str = "auto",
        compute_type: str = "int8",
        language: str = "en",
        beam_size: int = 5,
        idle_unload_s: float = 300.0,
        cpu_threads: int | None = None,
        on_state: Callable[[str], None] | None = None,
        filters: FilterOptions | None = None,
        model_factory: Callable[..., Any] | None = None,
        vocabulary: Sequence[str] = (),
    ) -> None:
        self._resolve = resolve
        self.device = device
        self.compute_type = compute_type
        self.language = None if language in ("", "auto") else language
        self.beam_size = beam_size
        self.idle_unload_s = idle_unload_s
        self.cpu_threads = cpu_threads or default_cpu_threads()
        self._listeners: list[Callable[[str], None]] = [on_state] if on_state else []
        self.model_state = "unloaded"  # "unloaded" | "loading" | "loaded" | "error"
        self.filters = filters or FilterOptions()
        self._factory = model_factory
        self._vocabulary = tuple(vocabulary)
        self._hint: tuple[tuple[str, ...], str | None] | None = None  # (vocabulary, hint) cache
        self._q: queue.Queue[_Job] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._model: Any = None
        self.model: ResolvedModel | None = None
        self.active_device = ""
        self.load_seconds: float | None = None
        self.last_error: str | None = None
        self._lock = threading.Lock()

    # ---- public, any thread -------------------------------------------------------
    @property
    def loaded(self) -> bool:
        return self._model is not None

    def start(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="whisper", daemon=True)
                self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        with self._lock:
            t = self._thread
        if t is None:
            return
        self._q.put(_Job("stop"))
        t.join(timeout)

    def add_listener(self, fn: Callable[[str], None]) -> None:
        """Another model-state listener (called on the worker thread)."""
        self._listeners.append(fn)

    def set_vocabulary(self, words: Sequence[str]) -> None:
        """Words and names to prefer from the next decode on (any thread)."""
        self._vocabulary = tuple(words)

    @property
    def vocabulary(self) -> tuple[str, ...]:
        return self._vocabulary

    def load(self) -> Future[ResolvedModel]:
        """Load now (e.g. on the first press, so the model is warm by release)."""
        return self._submit(_Job("load"))

    def unload(self) -> Future[None]:
        return self._submit(_Job("unload"))

    def transcribe(self, audio: np.ndarray, prompt: Prompt = None,
                   decoding: Decoding = WHOLE) -> Future[ChunkText]:
        """Queue 16 kHz mono float32 audio; `prompt` may be a callable evaluated at run time
        (so a chunk can use the text of the chunk before it, which is done by then).
        A future cancelled before its turn is skipped."""
        return self._submit(_Job("transcribe", audio=audio, prompt=prompt, decoding=decoding))

    def transcribe_timed(self, audio: np.ndarray, prompt: Prompt = None,
                         timing: Timing | None = None) -> Future[list[TimedSegment]]:
        """Like transcribe(), but the kept segments with segment and word times (for files);
        fails with Cancelled when `timing.cancel` is set while it runs."""
        return self._submit(_Job("transcribe", audio=audio, prompt=prompt, timing=timing or Timing()))

    # ---- worker thread ------------------------------------------------------------
    def _submit(self, job: _Job) -> Future[Any]:
        self.start()
        self._q.put(job)
        return job.future

    def _state(self, state: str) -> None:
        self.model_state = state
        for fn in list(self._listeners):
            try:
                fn(state)
            except Exception:  # a broken listener must not kill the worker
                log.exception("engine state callback failed")

    def _run(self) -> None:
        while True:
            try:
                timeout = self.idle_unload_s if self._model is not None else None
                job = self._q.get(timeout=timeout)
            except queue.Empty:
                self._unload()
                continue
            if job.kind == "stop":
                self._unload()
                job.future.set_result(None)
                return
            if not job.future.set_running_or_notify_cancel():
                continue
            try:
                if job.kind == "load":
                    job.future.set_result(self._ensure_loaded())
                elif job.kind == "unload":
                    self._unload()
                    job.future.set_result(None)
                else:
                    job.future.set_result(self._transcribe(job))
            except BaseException as exc:  # delivered through the future, never lost
                job.future.set_exception(exc)

    def _ensure_loaded(self) -> ResolvedModel:
        if self._model is not None and self.model is not None:
            return self.model
        self._state("loading")
        t0 = time.perf_counter()
        try:
            resolved = self._resolve()
            self._model, self.active_device = self._create(resolved)
        except Exception as exc:
            self.last_error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            self._state("error")
            if isinstance(exc, ModelError):
                raise
            raise ModelError(f"Cannot load model: {self.last_error}") from exc
        self.model = resolved
        self.load_seconds = time.perf_counter() - t0
        self.last_error = None
        log.info("model %s loaded on %s in %.2fs", resolved.name, self.active_device,
                 self.load_seconds)
        self._state("loaded")
        return resolved

    def _create(self, resolved: ResolvedModel) -> tuple[Any, str]:
        factory = self._factory
        if factory is None:
            from faster_whisper import WhisperModel

            factory = WhisperModel
        device = self.device
        if device == "auto":
            device = "cuda" if _cuda_devices() > 0 else "cpu"
        if device != "cpu":
            try:
                return factory(str(resolved.path), device=device,
                               compute_type=self.compute_type, cpu_threads=self.cpu_threads,
                               num_workers=1), device
            except Exception as exc:  # CUDA runtime/cuBLAS/cuDNN missing or no GPU
                log.warning("cannot use %s (%s); falling back to CPU int8", device,
                            str(exc).splitlines()[0] if str(exc) else exc)
        compute = self.compute_type if self.compute_type in ("int8", "float32") else "int8"
        return factory(str(resolved.path), device="cpu", compute_type=compute,
                       cpu_threads=self.cpu_threads, num_workers=1), "cpu"

    def _unload(self) -> None:
        if self._model is None:
            return
        self._model = None
        gc.collect()
        _malloc_trim()
        log.info("model unloaded")
        self._state("unloaded")

    def _transcribe(self, job: _Job) -> ChunkText | list[TimedSegment]:
        audio, timing = job.audio, job.timing
        assert audio is not None
        self._ensure_loaded()
        prompt = job.prompt() if callable(job.prompt) else job.prompt
        if timing is not None:
            segments: list[TimedSegment] = self._with_cpu_retry(
                lambda: self._decode_timed(audio, prompt, timing))
            return segments
        t0 = time.perf_counter()
        text, dropped, words = self._with_cpu_retry(lambda: self._decode(audio, prompt, job.decoding))
        return ChunkText(text, len(audio) / 16000, time.perf_counter() - t0, dropped, words)

    def _with_cpu_retry(self, decode: Callable[[], Any]) -> Any:
        try:
            return decode()
        except RuntimeError as exc:
            msg = str(exc).lower()
            if self.active_device == "cpu" or not any(k in msg for k in ("cuda", "cublas", "cudnn")):
                raise
            # CUDA libraries can fail only at the first real kernel: retry once on CPU.
            log.warning("CUDA failed during transcription (%s); switching to CPU", exc)
            self.device = "cpu"
            self._model = None
            self._ensure_loaded()
            return decode()

    def _hotwords(self) -> str | None:
        """The vocabulary as the model's hint, cut to fit its token budget (cached)."""
        words = self._vocabulary
        if self._hint is None or self._hint[0] != words:
            from trayassist.core.vocabulary import hint_text

            tokenizer = getattr(self._model, "hf_tokenizer", None)
            count = (lambda t: len(tokenizer.encode(t).ids)) if tokenizer is not None else None
            self._hint = (words, hint_text(words, count))
        return self._hint[1]

    def _decode(self, audio: np.ndarray, prompt: str | None,
                how: Decoding) -> tuple[str, tuple[str, ...], tuple[Word, ...]]:
        f = self.filters
        model = self._model
        # Timestamp mode: in no-timestamp mode tiny.en often drops the last words of a short
        # chunk ("tomorrow at noon." -> "tomorrow."), depending on where the chunk starts;
        # measured on chunked espeak speech: WER 0.100 -> 0.071 (10 s), 0.135 -> 0.117 (30 s)
        # over five start offsets, at the same decode time (tests/bench).
        segments, _info = model.transcribe(
            audio,
            language=self.language,
            beam_size=self.beam_size,
            initial_prompt=prompt or None,
            hotwords=self._hotwords(),  # the vocabulary; placed before the prompt
            condition_on_previous_text=False,
            without_timestamps=False,
            word_timestamps=how.words,
            vad_filter=False,
            no_speech_threshold=f.no_speech_threshold,
            log_prob_threshold=f.log_prob_threshold,
            compression_ratio_threshold=f.compression_ratio_threshold,
            repetition_penalty=how.repetition_penalty,
            # No budget beside a prompt: its length is not ours to know (none is given live).
            max_new_tokens=None if prompt else token_budget(len(audio) / 16000),
            **({} if how.fallback else {"temperature": 0.0}),
        )
        segments = list(segments)
        text, dropped = clean_segments(segments, f)
        words = tuple(Word(w.start, w.end, w.word) for seg in segments if segment_text(seg, f) is not None
                      for w in (seg.words or ()) if not is_nonspeech_tag(w.word))
        return text, dropped, words

    def _decode_timed(self, audio: np.ndarray, prompt: str | None, timing: Timing) -> list[TimedSegment]:
        f = self.filters
        segments, _info = self._model.transcribe(
            audio, language=self.language, beam_size=self.beam_size,
            initial_prompt=prompt or None, hotwords=self._hotwords(),
            condition_on_previous_text=False, word_timestamps=True, vad_filter=False,
            no_speech_threshold=f.no_speech_threshold, log_prob_threshold=f.log_prob_threshold,
            compression_ratio_threshold=f.compression_ratio_threshold,
        )
        kept: list[TimedSegment] = []
        for seg in segments:  # a generator: each step decodes one more window
            if timing.cancel is not None and timing.cancel.is_set():
                raise Cancelled("cancelled")
            text = segment_text(seg, f)
            if text is not None:
                words = tuple(TimedWord(float(w.start), float(w.end), str(w.word).strip(),
                                        float(w.probability)) for w in (seg.words or ()))
                kept.append(TimedSegment(float(seg.start), float(seg.end), text, words))
            if timing.on_segment is not None:
                timing.on_segment(float(seg.end))
        return kept


def _cuda_devices() -> int:
    try:
        import ctranslate2

        return int(ctranslate2.get_cuda_device_count())
    except Exception:  # no CUDA runtime at all
        return 0
