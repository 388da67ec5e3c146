"""The app's brain without Qt: push-to-talk, then history, assistant and output.

Every entry point (hotkey, tray click, the command table behind IPC) calls the same
methods here, from any thread. Results flow out as events on the EventBus; the live
state is one frozen `Status` built by `status()`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from trayassist.core.config import Settings, SettingsStore
from trayassist.core.dictation_text import DictationOptions, shape_dictation
from trayassist.core.errors import UserError
from trayassist.core.events import EventBus, Notice, PartialText, SettingsChanged, StatusChanged, UtteranceDone
from trayassist.core.lanes import Done, Lane
from trayassist.core.ports import (
    AssistantPort,
    Delivery,
    Feedback,
    HistoryPort,
    OutputPort,
    PrivacyPort,
    SessionPort,
    Slot,
)
from trayassist.core.status import (
    LastUtterance,
    Level,
    ModelStatus,
    NetworkStatus,
    Problem,
    ProblemKind,
    State,
    Status,
)

log = logging.getLogger(__name__)

__all__ = ["Controller", "Last", "UserError"]

NO_CAPTURE = "speech capture is not available on this machine (see `trayassist doctor`)"


@dataclass(frozen=True)
class Last:
    record_id: int | None
    text: str
    when: float  # wall clock, to know whether a `forget` covers it


class Controller:
    def __init__(
        self,
        bus: EventBus,
        settings_store: SettingsStore,
        settings: Settings,
        *,
        session: Slot[SessionPort],
        history: Slot[HistoryPort],
        assistant: Slot[AssistantPort],
        output: Slot[OutputPort],
        privacy: Slot[PrivacyPort],
        feedback: Feedback | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.bus = bus
        self.settings_store = settings_store
        self.settings = settings
        self.session, self.history, self.assistant = session, history, assistant
        self.output, self.privacy = output, privacy
        self.feedback = feedback
        self.clock = clock
        self.last: Last | None = None
        self.indicators_paused = False
        self._problems: dict[ProblemKind, Problem] = {}
        self._privacy_snapshot: dict[str, Any] = {}
        self._lock = threading.RLock()
        self._discard: set[int] = set()  # releases cancelled while transcribing
        self._receiving = False  # the session's `receiving` at its last change
        self._release_seq = 0
        # One ordered lane for what happens after a transcript and for `ask`: the
        # assistant and its services are used from this thread only.
        self.pipeline = Lane("pipeline")

    # ---- push-to-talk -------------------------------------------------
    def press(self) -> None:
        session = self._require_session()
        try:
            session.press()
        except Exception as exc:
            problem = session.problem or Problem(ProblemKind.MICROPHONE, _one_line(exc))
            self.report(problem)
            raise UserError(problem.message) from exc
        self.clear(ProblemKind.MICROPHONE, ProblemKind.MODEL)
        if self.feedback is not None:
            _quietly(self.feedback.pressed)

    def release(self) -> Future[dict[str, Any] | None]:
        """Close the mic; the future resolves once text, history and assistant are done."""
        session = self._require_session()
        done: Future[dict[str, Any] | None] = Future()
        was_listening = session.state == "listening"
        try:
            transcript = session.release()
        except Exception as exc:
            done.set_exception(UserError(self._report_line(exc)))
            return done
        with self._lock:
            self._release_seq += 1
            seq = self._release_seq
        if was_listening and self.feedback is not None:
            _quietly(self.feedback.released)

        def finished(f: Future[Any]) -> None:
            exc = f.exception()
            if exc is not None:
                done.set_exception(UserError(self._report_line(exc)))
                return
            self.pipeline.submit(lambda: self._after_transcript(seq, f.result(), done))

        transcript.add_done_callback(finished)
        return done

    def cancel(self) -> bool:
        """Discard the utterance being spoken (or still transcribing): the mic closes,
        nothing is typed, nothing is kept, `last` stays as it was. False: nothing to cancel."""
        session = self._require_session()
        state = session.state
        if state == "listening":
            return session.cancel()
        if state == "transcribing":
            with self._lock:
                self._discard.add(self._release_seq)
            return True
        return False

    def toggle(self) -> str:
        """Press when idle, release when listening; returns what it did."""
        session = self._require_session()
        if session.state == "listening":
            self.release()
            return "released"
        self.press()
        self.hands_free()
        return "pressed"

    def auto_stop(self, why: str, take: int) -> Future[dict[str, Any] | None] | None:
        """(ptt lane) The session asked to end hands-free take `take` (a long silence, the
        maximum length): release it as a key release would, and say why."""
        session = self.session.get()
        if session is None or not session.still_listening(take):
            return None  # released or replaced meanwhile
        self.bus.publish(Notice("Listening stopped", why))
        return self.release()

    def on_partial(self, text: str, tentative: str) -> None:
        """Words heard so far (whisper thread), when the user wants them; ("", "") hides them."""
        if self.settings.partial_text or not (text or tentative):
            self.bus.publish(PartialText(text, tentative))

    def hands_free(self) -> None:
        """Listening goes on with no key held (toggle, a hybrid tap, the tray): the session
        then ends it by itself after a silence or at the maximum length."""
        session = self.session.get()
        if session is not None:
            session.hands_free()

    def _after_transcript(self, seq: int, utterance: Any, done: Future[dict[str, Any] | None]) -> None:
        with self._lock:
            discarded = seq in self._discard
            self._discard.discard(seq)
        if discarded:
            done.set_result({"id": None, "text": "", "assistant": None, "output": None,
                             "timings": {}, "reason": "cancelled", "error": None})
            return
        try:
            result = self._process(utterance)
        except Exception as exc:  # keep the pipeline alive; the user gets one line
            log.exception("processing an utterance failed")
            done.set_exception(UserError(f"could not process the transcript ({type(exc).__name__})"))
            return
        done.set_result(result)

    def _process(self, utterance: Any) -> dict[str, Any] | None:
        if utterance is None:  # released without a press: nothing to do
            return None
        text = (utterance.text or "").strip()
        timings = dict(utterance.timings or {})
        if not text:
            error = utterance.error
            if error:
                # reason "error": transcription failed; otherwise the mic's problem explains the silence.
                title = "Speech model" if utterance.reason == "error" else "Microphone"
                self.bus.publish(Notice(title, error, Level.ERROR))
            else:
                self.bus.publish(Notice("Nothing heard", "No speech was recognised.", Level.INFO))
            return {"id": None, "text": "", "assistant": None, "output": None, "timings": timings,
                    "reason": utterance.reason or "no_speech", "error": error}
        assistant_result = None
        output_mode = self.settings.output_mode
        output_text = text
        assistant = self.assistant.get()
        if assistant is not None and self.settings.assistant_enabled:
            assistant_result = assistant.handle(text)
            if assistant_result.output_override:
                output_mode = assistant_result.output_override
                output_text = assistant_result.output_text or text
            elif assistant_result.skill:
                output_mode = "none"  # a command is not dictation
        if assistant_result is None or not assistant_result.skill:
            # Dictation: spoken punctuation, fillers, replacements. History and `last` keep the
            # shaped text, i.e. what was typed (the command words are noise in a search).
            text = output_text = shape_dictation(text, DictationOptions.from_settings(self.settings))
            if not text.strip():
                self.bus.publish(Notice("Nothing heard", "Only filler words were recognised.", Level.INFO))
                return {"id": None, "text": "", "assistant": None, "output": None, "timings": timings,
                        "reason": "filtered", "error": None}
        record_id = self._save_history(text, utterance, assistant_result)
        with self._lock:
            self.last = Last(record_id, text, self.clock())
        self._publish_status()
        delivered = self._deliver(output_text, output_mode) if output_mode != "none" else None
        a_dict = assistant_result.to_dict() if assistant_result is not None else None
        self.bus.publish(UtteranceDone(text, record_id, a_dict, timings))
        return {"id": record_id, "text": text, "assistant": a_dict, "output": delivered,
                "timings": timings}

    def _deliver(self, text: str, mode: str) -> dict[str, Any] | None:
        output = self.output.get()
        if output is None:
            return None
        try:
            result = output.deliver(text, mode)
        except Exception as exc:
            log.warning("text output failed: %s", type(exc).__name__)
            self.bus.publish(Notice("Could not insert text", _one_line(exc), Level.WARNING))
            return None
        if result.notice:
            self.bus.publish(Notice("Text", result.notice, Level.WARNING if result.error else Level.INFO))
        return _delivery_json(result)

    def _save_history(self, text: str, utterance: Any, assistant_result: Any) -> int | None:
        history = self.history.get()
        if history is None:
            return None
        try:
            return history.save_utterance(text, utterance, assistant_result)
        except Exception as exc:
            log.warning("history write failed: %s", type(exc).__name__)
            self.bus.publish(Notice("History not saved", _one_line(exc), Level.WARNING))
            return None

    # ---- assistant ----------------------------------------------------
    def ask(self, text: str, dry_run: bool = False) -> dict[str, Any]:
        """Run the assistant on typed text (call it on the pipeline lane: `ask_async`)."""
        assistant = self.assistant.get()
        if assistant is None:
            raise UserError("the assistant is not available")
        result: dict[str, Any] = assistant.handle(text, dry_run=dry_run).to_dict()
        return result

    def ask_async(self, text: str, dry_run: bool, done: Done) -> None:
        self.pipeline.submit(lambda: self.ask(text, dry_run), done)

    # ---- history ------------------------------------------------------
    def forget_last_if(self, covered: Callable[[Last], bool]) -> None:
        """History records were erased (wipe, forget, delete): `status.last` must not keep
        showing what was said if its record is among them."""
        with self._lock:
            if self.last is None or not covered(self.last):
                return
            self.last = None
        self._publish_status()

    # ---- problems -----------------------------------------------------
    def report(self, problem: Problem) -> None:
        with self._lock:
            if self._problems.get(problem.kind) == problem:
                return
            self._problems[problem.kind] = problem
        self._publish_status()

    def clear(self, *kinds: ProblemKind) -> None:
        with self._lock:
            removed = [self._problems.pop(k) for k in kinds if k in self._problems]
        if removed:
            self._publish_status()

    def problems(self) -> tuple[Problem, ...]:
        with self._lock:
            return tuple(self._problems.values())

    def _report_line(self, exc: BaseException) -> str:
        session = self.session.get()
        problem = session.problem if session is not None else None
        if problem is not None:
            self.report(problem)
            return problem.message
        return _one_line(exc)

    # ---- privacy ------------------------------------------------------
    def on_privacy(self, snapshot: dict[str, Any]) -> None:
        """Called by the privacy monitor (its own thread) with a fresh snapshot."""
        with self._lock:
            self._privacy_snapshot = snapshot
        self._publish_status()

    def set_indicators_paused(self, paused: bool) -> None:
        self.indicators_paused = paused
        privacy = self.privacy.get()
        if privacy is not None:
            (privacy.pause if paused else privacy.resume)()
        self._publish_status()

    # ---- settings -----------------------------------------------------
    def update_settings(self, settings: Settings) -> None:
        before = self.settings
        self.settings_store.save(settings)
        self.settings = settings
        self.bus.publish(SettingsChanged(settings, before))

    # ---- state --------------------------------------------------------
    def on_session_state(self, _state: str) -> None:
        """The session (any thread) changed state, its stream opened or closed, or the
        first audio of a take arrived (the mic consumer thread: quick from here on)."""
        session = self.session.get()
        if session is not None and session.problem is not None:
            self.report(session.problem)
        receiving = session is not None and session.receiving
        with self._lock:
            started, self._receiving = receiving and not self._receiving, receiving
        if started and self.feedback is not None:
            _quietly(self.feedback.hearing)
        self._publish_status()

    def _publish_status(self) -> None:
        self.bus.publish(StatusChanged(self.status()))

    def _require_session(self) -> SessionPort:
        session = self.session.get()
        if session is None:
            with self._lock:
                capture = self._problems.get(ProblemKind.CAPTURE)
            raise UserError(capture.message if capture else NO_CAPTURE)
        return session

    def status(self) -> Status:
        with self._lock:
            snap = dict(self._privacy_snapshot)
            problems = tuple(sorted(self._problems.values(), key=lambda p: not p.blocking))
            last = self.last
        session = self.session.get()
        mic_self = bool(session.mic_open) if session is not None else False
        receiving = mic_self and bool(session.receiving) if session is not None else False
        phase = session.state if session is not None else "idle"
        if mic_self:
            state = State.LISTENING  # red exactly while our stream is open
        elif phase == "transcribing":
            state = State.TRANSCRIBING
        elif phase == "loading":
            state = State.LOADING
        elif phase == "error" or (problems and problems[0].blocking):
            state = State.ERROR
        else:
            state = State.IDLE
        return Status(
            state=state, mic_self=mic_self, mic_receiving=receiving, mic_others=tuple(snap.get("mic_others") or ()),
            network=NetworkStatus.from_snapshot(snap.get("network") or {}),
            model=session.model_status() if session is not None else ModelStatus(self.settings.model),
            last=LastUtterance(last.record_id, last.text) if last else None,
            indicators_paused=self.indicators_paused, problems=problems)

    def shutdown(self) -> None:
        session = self.session.put(None)
        if session is not None:
            session.shutdown()
        privacy = self.privacy.put(None)
        if privacy is not None:
            privacy.stop()
        self.pipeline.shutdown(wait=True)


def _delivery_json(result: Delivery) -> dict[str, Any]:
    return {"mode": result.mode, "inserted": result.inserted, "method": result.method,
            "on_clipboard": result.on_clipboard, "focus_changed": result.focus_changed,
            "error": result.error}


def _quietly(fn: Callable[[], None]) -> None:
    try:
        fn()
    except Exception:
        log.exception("push-to-talk feedback failed")


def _one_line(exc: BaseException) -> str:
    text = str(exc)
    return text.splitlines()[0] if text else type(exc).__name__
