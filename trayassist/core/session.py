"""Push-to-talk: press opens the mic, speech is transcribed while held, release gives text.

Threads: `press`/`release`/`toggle` may be called from any thread (hotkey listener,
IPC). Callbacks run on internal threads, never the caller's GUI thread:
  on_state(state)      — the thread that caused the change (caller, finisher, whisper)
  on_utterance(utt)    — the finisher thread, once per release
  on_error(message)    — the caller of press(), or the mic consumer thread
Listeners must be quick and thread-safe (ui/bridge re-emits them as queued signals).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

from trayassist.core.audio import MicUnavailable, Recorder
from trayassist.core.status import ModelStatus, Problem, ProblemKind
from trayassist.core.transcribe.chunker import Chunk, Chunker, ChunkerOptions, StreamingVad
from trayassist.core.transcribe.engine import ChunkText, Engine
from trayassist.core.transcribe.filters import FilterOptions, drop_whole_output

log = logging.getLogger(__name__)

STATES = ("idle", "loading", "listening", "transcribing", "error")
MIC_FIX = "connect a microphone or pick one in Settings → Microphone (`trayassist doctor` lists them)"


@dataclass(frozen=True)
class Utterance:
    """One press-to-release. `text` is "" when nothing was said (`reason` says why)."""

    text: str
    duration_s: float
    speech_s: float
    model: str
    # press_to_first_sample, release_to_text, last_chunk, captured_s...
    timings: dict[str, float | None]
    chunks: int
    reason: str = ""  # "", "too_short", "no_speech", "filtered", "error"
    error: str | None = None


@dataclass
class _Take:
    chunker: Chunker
    pressed_at: float
    futures: list[Future[ChunkText]] = field(default_factory=list)
    texts: dict[int, str] = field(default_factory=dict)
    spec_key: tuple[int, int] | None = None
    spec: Future[ChunkText] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    mic_closed: threading.Event = field(default_factory=threading.Event)

    def prompt(self) -> str | None:
        # Called on the whisper thread; chunks run in order, so earlier ones are done.
        with self.lock:
            done = [f.result().text for f in self.futures if f.done() and not f.cancelled()
                    and f.exception() is None]
        return done[-1] if done else None


class PushToTalk:
    """The push-to-talk state machine (idle/loading/listening/transcribing/error)."""

    def __init__(
        self,
        recorder: Recorder,
        engine: Engine,
        *,
        vad_factory: Callable[[], StreamingVad] = StreamingVad,
        chunker_options: ChunkerOptions | None = None,
        filters: FilterOptions | None = None,
        tail_s: float = 0.3,
        clock: Callable[[], float] = time.monotonic,
        on_state: Callable[[str], None] | None = None,
        on_utterance: Callable[[Utterance], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        model_name: str = "",
    ) -> None:
        self.default_model_name = model_name  # shown before the model is first loaded
        self.recorder = recorder
        self.engine = engine
        self._vad_factory = vad_factory
        self._vad: StreamingVad | None = None
        self.chunker_options = chunker_options or ChunkerOptions()
        self.filters = filters or FilterOptions()
        self.tail_s = tail_s
        self.silence_ends_tail_s = 0.25
        self._clock = clock
        self._on_state = on_state
        self._on_utterance = on_utterance
        self._on_error = on_error
        self._lock = threading.RLock()
        self._take: _Take | None = None
        self._closing: _Take | None = None
        self._finishing = 0
        self._state = "idle"
        self.error: str | None = None
        self._error_kind = ProblemKind.MICROPHONE
        self.last: Utterance | None = None
        self._last_future: Future[Utterance] | None = None
        engine.add_listener(lambda _s: self._update_state())

    # ---- what `status` shows ----------------------------------------------------
    @property
    def state(self) -> str:
        return self._state

    @property
    def mic_open(self) -> bool:
        """`mic.self`: the real stream state, not our intention."""
        return self.recorder.is_open

    @property
    def listening(self) -> bool:
        return self._take is not None

    @property
    def problem(self) -> Problem | None:
        """Why the last press or utterance failed, until the next press succeeds."""
        error = self.error
        if error is None:
            return None
        fix = (MIC_FIX if self._error_kind is ProblemKind.MICROPHONE
               else "choose another model in Settings, or see `trayassist doctor`")
        return Problem(self._error_kind, error, fix)

    # ---- commands ---------------------------------------------------------------
    def press(self) -> None:
        """Open the mic; returns once the stream runs. Ignored while already listening
        (key repeat). Raises MicUnavailable (and records it as the error state)."""
        with self._lock:
            if self._take is not None:
                return
            pressed = self._clock()
            prev = self._closing
            if prev is not None and not prev.mic_closed.is_set():
                # Pressed again during the previous release's tail: cut the tail short.
                self.recorder.abort_tail()
                prev.mic_closed.wait(5)
            take = _Take(self._new_chunker(), pressed)
            take.chunker.on_chunk = lambda c: self._chunk_closed(take, c)
            take.chunker.on_pause = lambda c: self._paused(take, c)
            self._take = take
            try:
                self.recorder.open(take.chunker.feed)
            except MicUnavailable as exc:
                self._take = None
                self.error = str(exc)
                self._error_kind = ProblemKind.MICROPHONE
                self._update_state()
                if self._on_error:
                    self._on_error(str(exc))
                raise
            self.error = None
            if not self.engine.loaded:
                self.engine.load()  # lazy: loads while the user speaks
            self._update_state()

    def release(self) -> Future[Utterance]:
        """Close the mic (after the tail) and finish; the Future gets the Utterance.
        Releasing when not listening returns the previous result's Future (or None)."""
        with self._lock:
            take = self._take
            if take is None:
                fut: Future[Utterance] = self._last_future or Future()
                if self._last_future is None:
                    fut.set_result(None)  # type: ignore[arg-type]
                return fut
            released = self._clock()
            self._take = None
            self._closing = take
            self._finishing += 1
            fut = Future()
            self._last_future = fut
            self._update_state()
        threading.Thread(target=self._finish, args=(take, released, fut),
                         name="ptt-finish", daemon=True).start()
        return fut

    def release_and_wait(self, timeout: float | None = 60.0) -> Utterance:
        return self.release().result(timeout)

    def cancel(self) -> bool:
        """Close the mic now and discard what was said: no utterance, `last` unchanged,
        and a later `release` finds nothing. False when not listening."""
        with self._lock:
            take = self._take
            if take is None:
                return False
            self._take = None
            self._closing = take
            discarded: Future[Utterance] = Future()
            discarded.set_result(None)  # type: ignore[arg-type]
            self._last_future = discarded
        try:
            self.recorder.close(0)
        finally:
            take.mic_closed.set()
            with take.lock:
                for f in [*take.futures, *([take.spec] if take.spec else [])]:
                    f.cancel()
            self._update_state()
        return True

    def toggle(self) -> Future[Utterance] | None:
        if self.listening:
            return self.release()
        self.press()
        return None

    def model_status(self) -> ModelStatus:
        """`status.model`: name, whether it is in memory, and where it was loaded from."""
        m = self.engine.model
        return ModelStatus(m.name if m else self.default_model_name, self.engine.loaded,
                           str(m.path) if m else None, self.engine.model_state)

    def shutdown(self) -> None:
        """Release the mic if held (waiting for the text) and stop the model worker."""
        if self.listening:
            self.release().result(30)
        self.engine.stop()

    close = shutdown

    # ---- internals --------------------------------------------------------------
    def _update_state(self) -> None:
        with self._lock:
            if self._take is not None:
                new = "listening"
            elif self._finishing:
                new = "transcribing"
            elif self.error:
                new = "error"
            elif self.engine.model_state == "loading":
                new = "loading"
            else:
                new = "idle"
            changed = new != self._state
            self._state = new
        if changed and self._on_state:
            self._on_state(new)

    def _new_chunker(self) -> Chunker:
        if self._vad is None:
            self._vad = self._vad_factory()
        return Chunker(self._vad, lambda c: None, self.chunker_options)

    def _chunk_closed(self, take: _Take, chunk: Chunk) -> None:
        # Mic consumer thread: a chunk closed at a pause while the key is held.
        with take.lock:
            take.futures.append(self._reuse_or_submit(take, chunk))

    def _paused(self, take: _Take, chunk: Chunk) -> None:
        # A pause too early to close a chunk: transcribe what we have speculatively; if
        # the key is released before more speech, that result is the final chunk.
        with take.lock:
            if take.spec is not None:
                take.spec.cancel()
            take.spec_key = chunk.key
            take.spec = self.engine.transcribe(chunk.audio, prompt=take.prompt)

    def _reuse_or_submit(self, take: _Take, chunk: Chunk) -> Future[ChunkText]:
        # Caller holds take.lock. A speculation on exactly this audio is the chunk's result.
        spec, take.spec = take.spec, None
        if spec is not None and take.spec_key == chunk.key and not spec.cancelled():
            return spec
        if spec is not None:
            spec.cancel()  # superseded by more speech; harmless if already running
        return self.engine.transcribe(chunk.audio, prompt=take.prompt)

    def _finish(self, take: _Take, released: float, fut: Future[Utterance]) -> None:
        try:
            utt = self._complete(take, released)
        except BaseException as exc:  # never leave `release --wait` hanging
            log.exception("finishing an utterance failed")
            utt = Utterance("", 0.0, 0.0, self._model_name(), {}, 0, "error", _one_line(exc))
        with self._lock:
            self._finishing -= 1
            self.last = utt
            if utt.reason == "error" and utt.error:
                self.error = utt.error  # e.g. the model failed to load: status says so until the next press
                self._error_kind = ProblemKind.MODEL
        self._update_state()
        fut.set_result(utt)
        if self._on_utterance:
            self._on_utterance(utt)

    def _complete(self, take: _Take, released: float) -> Utterance:
        ch = take.chunker
        # Tail: keep recording up to tail_s after release, but only until the VAD hears
        # a short silence: the last word is then in, and more waiting only delays the text.
        gate = threading.Event()
        while (ch.trailing_silence_s < self.silence_ends_tail_s
               and self._clock() - released < self.tail_s):
            gate.wait(0.01)
        try:
            self.recorder.close(0)
        finally:
            take.mic_closed.set()
        stopped = self._clock()
        tail = stopped - released
        first = self.recorder.first_sample_at
        p2f = (first - take.pressed_at) if first is not None else None
        duration = ch.samples / 16000
        # captured_s: audio that reached the chunker (with press_to_first_sample, shows
        # whether the start of the utterance was lost or only delivered late).
        timings: dict[str, float | None] = {"press_to_first_sample": p2f, "tail": tail,
                                            "captured_s": duration}
        held = released - take.pressed_at  # what the user did, whatever the device delivered
        timings["held"] = held
        if held < self.filters.min_press_s or ch.speech_s < self.filters.min_speech_s:
            with take.lock:
                for f in [*take.futures, *([take.spec] if take.spec else [])]:
                    f.cancel()
            reason = "too_short" if held < self.filters.min_press_s else "no_speech"
            timings["release_to_text"] = self._clock() - released
            return Utterance("", duration, ch.speech_s, self._model_name(), timings, 0, reason,
                             self.recorder.problem)
        final = ch.flush()
        with take.lock:
            if final is not None:
                spec = take.spec
                fut = self._reuse_or_submit(take, final)
                timings["speculation_used"] = float(fut is spec)
                take.futures.append(fut)
            elif take.spec is not None:
                take.spec.cancel()
            futures = list(take.futures)
        t_last = self._clock()
        texts: list[str] = []
        error: str | None = None
        for f in futures:
            try:
                texts.append(f.result(timeout=120).text)
            except Exception as exc:
                error = _one_line(exc)
        text = drop_whole_output(" ".join(t for t in texts if t).strip())
        now = self._clock()
        timings.update(release_to_text=now - released, last_chunk=now - t_last,
                       close=stopped - released)
        reason = "error" if error and not text else ("" if text else "filtered")
        return Utterance(text, duration, ch.speech_s, self._model_name(), timings,
                         len(futures), reason, error or self.recorder.problem)

    def _model_name(self) -> str:
        m = self.engine.model
        return m.name if m else ""


def _one_line(exc: BaseException) -> str:
    s = str(exc).strip().splitlines()
    return s[0] if s else type(exc).__name__

