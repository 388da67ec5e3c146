"""Push-to-talk: press opens the mic, speech is transcribed while held, release gives text.

Threads: `press`/`release`/`toggle`/`cancel` may be called from any thread (hotkey
listener, IPC lane). Callbacks run on internal threads, never the caller's GUI thread:
  on_state(state)       — the thread that caused the change (caller, finisher, whisper);
                          also, state unchanged, from the mic consumer thread when the
                          first audio of a take arrives (`receiving` turned True)
  on_utterance(utt)     — the finisher thread, once per release
  on_error(message)     — the caller of press(), or the mic consumer thread
  on_partial(c, t)      — the whisper thread: committed and tentative text while held;
                          ("", "") from the releasing thread when the take ends
  on_auto_stop(why, n)  — the mic consumer thread: a hands-free take (toggle) should end;
                          the listener releases take `n` the way a key release does
Listeners must be quick and thread-safe (ui/bridge re-emits them as queued signals).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np

from trayassist.core.audio import MicUnavailable, Recorder
from trayassist.core.status import ModelStatus, Problem, ProblemKind
from trayassist.core.take import AutoStop, Tail, Take
from trayassist.core.transcribe.chunker import StreamingVad
from trayassist.core.transcribe.engine import Engine
from trayassist.core.transcribe.filters import FilterOptions, close_released_ending, drop_whole_output
from trayassist.core.transcribe.live import LiveOptions, LiveTranscriber

log = logging.getLogger(__name__)

STATES = ("idle", "loading", "listening", "transcribing", "error")
MIC_FIX = "connect a microphone or pick one in Settings → Microphone (`trayassist doctor` lists them)"
RATE = 16000


@dataclass(frozen=True)
class Utterance:
    """One press-to-release. `text` is "" when nothing was said (`reason` says why)."""

    text: str
    duration_s: float
    speech_s: float
    model: str
    # press_to_first_sample, release_to_text, last_chunk, captured_s...
    timings: dict[str, float | None]
    chunks: int  # decodes made
    reason: str = ""  # "", "too_short", "no_speech", "filtered", "error"
    error: str | None = None


class PushToTalk:
    """The push-to-talk state machine (idle/loading/listening/transcribing/error)."""

    def __init__(
        self,
        recorder: Recorder,
        engine: Engine,
        *,
        vad_factory: Callable[[], StreamingVad] = StreamingVad,
        live_options: LiveOptions | None = None,
        filters: FilterOptions | None = None,
        auto_stop: AutoStop | None = None,
        tail_s: float = 0.3,
        clock: Callable[[], float] = time.monotonic,
        on_state: Callable[[str], None] | None = None,
        on_utterance: Callable[[Utterance], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        on_partial: Callable[[str, str], None] | None = None,
        on_auto_stop: Callable[[str, int], None] | None = None,
        model_name: str = "",
    ) -> None:
        self.default_model_name = model_name  # shown before the model is first loaded
        self.recorder = recorder
        self.engine = engine
        self._vad_factory = vad_factory
        self._vad: StreamingVad | None = None
        self.live_options = live_options or LiveOptions()
        self.filters = filters or FilterOptions()
        self.auto_stop = auto_stop or AutoStop()
        self.tail_s = tail_s  # audio kept after the release while the speaker is not yet quiet
        self.silence_ends_tail_s = 0.25
        # How long past the release to wait for the device to deliver the release instant
        # (beyond the longest burst it delivered so far), before giving up on a dead device.
        self.late_delivery_s = 3.0
        self._clock = clock
        self._on_state = on_state
        self._on_utterance = on_utterance
        self._on_error = on_error
        self._on_partial = on_partial
        self._on_auto_stop = on_auto_stop
        self._lock = threading.RLock()
        self._take: Take | None = None
        self._closing: Take | None = None
        self._takes = 0
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
    def receiving(self) -> bool:
        """`mic.receiving`: the take whose stream is open (listening, or in its release
        tail) has had audio from the device. False between the press and the first audio:
        words said then are not captured."""
        take = self._take or self._closing
        return take is not None and take.audio_arrived and not take.mic_closed.is_set()

    @property
    def take_number(self) -> int:
        """Counts presses: `on_auto_stop` names the take it means."""
        return self._takes

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
    def press(self, hands_free: bool = False) -> None:
        """Open the mic; returns once the stream runs. Ignored while already listening
        (key repeat). `hands_free`: nobody holds a key (toggle), so the take also ends by
        itself after a silence (see AutoStop). Raises MicUnavailable (and records it)."""
        with self._lock:
            if self._take is not None:
                return
            pressed = self._clock()
            prev = self._closing
            if prev is not None and not prev.mic_closed.is_set():
                # Pressed again during the previous release's tail: cut the tail short.
                if prev.tail is not None:
                    prev.tail.done.set()
                prev.mic_closed.wait(5)
            if self._vad is None:
                self._vad = self._vad_factory()
            self._takes += 1
            number = self._takes
            live = LiveTranscriber(self.engine, self._vad, self.live_options,
                                   on_partial=lambda text, tentative: self._partial(number, text, tentative))
            take = Take(number, live, pressed, hands_free)
            self._take = take
            try:
                self.recorder.open(lambda block: self._feed(take, block))
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

    def hands_free(self) -> None:
        """The take goes on without a key held (a hybrid tap): let it end by itself."""
        take = self._take
        if take is not None:
            take.hands_free = True

    def still_listening(self, take: int) -> bool:
        """Whether take number `take` is the one listening now (auto-stop checks this on the
        ptt lane, so a stop meant for an earlier take never ends a new one)."""
        current = self._take
        return current is not None and current.number == take

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
            mark = self.recorder.now()
            take.tail = Tail(mark, mark + self.tail_s)
            self._take = None
            self._closing = take
            self._finishing += 1
            fut = Future()
            self._last_future = fut
            self._update_state()
        self._partial(None, "", "")
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
        take.live.cancel()
        self._partial(None, "", "")
        try:
            self.recorder.close(0)
        finally:
            take.mic_closed.set()
            self._update_state()
        return True

    def toggle(self) -> Future[Utterance] | None:
        if self.listening:
            return self.release()
        self.press(hands_free=True)
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

    def _partial(self, take: int | None, text: str, tentative: str) -> None:
        """Live text of take `take` while it listens; ("", "") when there is none to show
        (released or cancelled: the overlay goes). User text: never logged. Under the lock,
        so a decode finishing as the key goes up never shows its text after the clearing."""
        if self._on_partial is None:
            return
        with self._lock:
            if take is not None and not self.still_listening(take):
                return
            try:
                self._on_partial(text, tentative)
            except Exception:
                log.exception("partial text listener failed")

    def _feed(self, take: Take, block: np.ndarray) -> None:
        """Mic consumer thread: one block, captured up to `recorder.captured_until`."""
        if not take.audio_arrived:
            take.audio_arrived = True
            if self._on_state is not None and self._take is take:
                self._on_state(self._state)  # same state; `receiving` changed
        why = take.feed(block, self.recorder.captured_until, self.silence_ends_tail_s, self.auto_stop)
        if why is not None and self._on_auto_stop is not None:
            self._on_auto_stop(why, take.number)

    def _finish(self, take: Take, released: float, fut: Future[Utterance]) -> None:
        try:
            utt = self._complete(take, released)
        except BaseException as exc:  # never leave `release --wait` hanging
            log.exception("finishing an utterance failed")
            utt = Utterance("", 0.0, 0.0, self._model_name(), {}, 0, "error", _one_line(exc))
        log.info("%s", describe_take(utt))
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

    def _complete(self, take: Take, released: float) -> Utterance:
        live, tail = take.live, take.tail
        assert tail is not None
        # Tail, in audio time: wait until the device delivered what it captured at the
        # release instant (late devices deliver seconds later) and the speaker is quiet.
        deadline = self._clock() + self.tail_s + self.late_delivery_s + self.recorder.longest_burst_s
        while not tail.done.wait(0.25):
            if not self.recorder.is_open:
                break  # the stream ended by itself (sound server gone): nothing more will come
            if self._clock() > deadline:
                log.warning("the microphone delivered no audio for the release instant")
                break
        try:
            self.recorder.close(0)
        finally:
            take.mic_closed.set()
        stopped = self._clock()
        first = self.recorder.first_sample_at
        p2f = (first - take.pressed_at) if first is not None else None
        duration = live.samples / RATE
        # captured_s: audio that reached the transcriber (with press_to_first_sample, shows
        # whether the start of the utterance was lost or only delivered late).
        timings: dict[str, float | None] = {"press_to_first_sample": p2f, "tail": stopped - released,
                                            "captured_s": duration}
        held = released - take.pressed_at  # what the user did, whatever the device delivered
        timings["held"] = held
        if held < self.filters.min_press_s or live.speech_s < self.filters.min_speech_s:
            live.cancel()
            reason = "too_short" if held < self.filters.min_press_s else "no_speech"
            timings["release_to_text"] = self._clock() - released
            return Utterance("", duration, live.speech_s, self._model_name(), timings, 0, reason,
                             self.recorder.problem)
        t_last = self._clock()
        result = live.finish()
        now = self._clock()
        text = close_released_ending(drop_whole_output(result.text))
        timings.update(release_to_text=now - released, last_chunk=now - t_last,
                       close=stopped - released, decoded_at_release=float(result.decoded_at_end),
                       decodes=float(result.decodes), waited_for_decode=result.waited_s,
                       last_decode_audio_s=result.final_audio_s)
        error = result.error
        reason = "error" if error and not text else ("" if text else "filtered")
        return Utterance(text, duration, live.speech_s, self._model_name(), timings,
                         result.decodes, reason, error or self.recorder.problem)

    def _model_name(self) -> str:
        m = self.engine.model
        return m.name if m else ""


def describe_take(utt: Utterance) -> str:
    """One take in figures for the log, never its words (promise 6): enough to tell a mic
    that delivered late or nothing from speech the model did not make out."""
    t = utt.timings

    def secs(key: str) -> str:
        v = t.get(key)
        return "-" if v is None else f"{v:.2f} s"

    outcome = f"{len(utt.text.split())} words" if utt.text else (utt.reason or "nothing")
    return (f"take: held {secs('held')}, first audio {secs('press_to_first_sample')} after the press, "
            f"{utt.duration_s:.2f} s captured, {utt.speech_s:.2f} s of speech, release to text "
            f"{secs('release_to_text')}: {outcome}")


def _one_line(exc: BaseException) -> str:
    s = str(exc).strip().splitlines()
    return s[0] if s else type(exc).__name__
