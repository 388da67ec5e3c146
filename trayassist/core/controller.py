"""The app's brain without Qt: push-to-talk, then history, assistant and output.

Every entry point (hotkey, tray click, IPC from the CLI) calls the same methods
here, from any thread. Results flow out as events on the EventBus.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from trayassist.core.config import Settings, SettingsStore
from trayassist.core.events import EventBus, Notice, PrivacyChanged, SettingsChanged, StateChanged, UtteranceDone

log = logging.getLogger(__name__)


class UserError(Exception):
    """A failure the user must read: one line, no traceback."""


class SessionLike(Protocol):
    @property
    def state(self) -> str: ...
    @property
    def mic_open(self) -> bool: ...
    def press(self) -> None: ...
    def release(self) -> Future[Any]: ...
    def model_info(self) -> dict[str, Any]: ...
    def shutdown(self) -> None: ...


@dataclass
class Last:
    record_id: int | None
    text: str
    when: float


def empty_network() -> dict[str, Any]:
    return {"up_bps": None, "down_bps": None, "talkers": [], "self_connections": None,
            "self_blocked": None, "alert": None}


class Controller:
    def __init__(
        self,
        bus: EventBus,
        settings_store: SettingsStore,
        settings: Settings,
        session: SessionLike | None = None,
        privacy: Any = None,
        history: Any = None,
        assistant: Any = None,
        output: Callable[[str, str], str | None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.bus = bus
        self.settings_store = settings_store
        self.settings = settings
        self.session = session
        self.privacy = privacy
        self.history = history
        self.assistant = assistant
        self.output = output
        self.clock = clock
        self.last: Last | None = None
        self.error: str | None = None
        self.indicators_paused = False
        # Quick callbacks after the mic opened / was released (focus mark, sounds).
        self.press_hooks: list[Callable[[], None]] = []
        self.release_hooks: list[Callable[[], None]] = []
        self._privacy_snapshot: dict[str, Any] = {"mic_others": [], "network": empty_network()}
        self._lock = threading.RLock()
        # One ordered lane for what happens after a transcript: history, assistant, output.
        self._pipeline = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pipeline")

    # ---- push-to-talk -------------------------------------------------
    def press(self) -> None:
        session = self._require_session()
        try:
            session.press()
        except Exception as exc:
            self._set_error(str(exc) or type(exc).__name__)
            raise UserError(self.error) from exc
        self.error = None
        self._run_hooks(self.press_hooks)

    def _run_hooks(self, hooks: list[Callable[[], None]]) -> None:
        for hook in hooks:
            try:
                hook()
            except Exception:
                log.exception("push-to-talk hook failed")

    def release(self) -> Future[dict[str, Any] | None]:
        """Close the mic; the future resolves once text, history and assistant are done."""
        session = self._require_session()
        done: Future[dict[str, Any] | None] = Future()
        was_listening = session.state == "listening"
        try:
            transcript = session.release()
        except Exception as exc:
            self._set_error(str(exc) or type(exc).__name__)
            done.set_exception(UserError(self.error))
            return done
        if was_listening:
            self._run_hooks(self.release_hooks)

        def finished(f: Future[Any]) -> None:
            exc = f.exception()
            if exc is not None:
                self._set_error(str(exc) or type(exc).__name__)
                done.set_exception(UserError(self.error))
                return
            self._pipeline.submit(self._after_transcript, f.result(), done)

        transcript.add_done_callback(finished)
        return done

    def toggle(self) -> str:
        """Press when idle, release when listening; returns what it did."""
        session = self._require_session()
        if session.state == "listening":
            self.release()
            return "released"
        self.press()
        return "pressed"

    def _after_transcript(self, utterance: Any, done: Future[dict[str, Any] | None]) -> None:
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
        text = (getattr(utterance, "text", "") or "").strip()
        timings = dict(getattr(utterance, "timings", {}) or {})
        if not text:
            error = getattr(utterance, "error", None)
            if error:
                # reason "error": transcription failed; otherwise the mic's problem explains the silence.
                title = "Speech model" if getattr(utterance, "reason", "") == "error" else "Microphone"
                self.bus.publish(Notice(title, error, "error"))
            else:
                self.bus.publish(Notice("Nothing heard", "No speech was recognised.", "info"))
            return {"id": None, "text": "", "assistant": None, "output": None, "timings": timings,
                    "reason": getattr(utterance, "reason", "") or "no_speech", "error": error}
        assistant_result = None
        output_mode = self.settings.output_mode
        output_text = text
        if self.assistant is not None and self.settings.assistant_enabled:
            assistant_result = self.assistant.handle(text)
            override = getattr(assistant_result, "output_override", None)
            if override:
                output_mode = override
                output_text = getattr(assistant_result, "output_text", None) or text
            elif getattr(assistant_result, "skill", None):
                output_mode = "none"  # a command is not dictation
        record_id = self._save_history(text, utterance, assistant_result)
        self.last = Last(record_id, text, self.clock())
        delivered = None
        if self.output is not None and output_mode != "none":
            try:
                delivered = self.output(output_text, output_mode)
            except Exception as exc:
                log.warning("text output failed: %s", type(exc).__name__)
                self.bus.publish(Notice("Could not insert text", _one_line(exc), "warning"))
        a_dict = assistant_result.to_dict() if assistant_result is not None else None
        self.bus.publish(UtteranceDone(text, record_id, a_dict, timings))
        return {"id": record_id, "text": text, "assistant": a_dict, "output": delivered,
                "timings": timings}

    def _save_history(self, text: str, utterance: Any, assistant_result: Any) -> int | None:
        if self.history is None:
            return None
        try:
            return self.history.save_utterance(text, utterance, assistant_result)
        except Exception as exc:
            log.warning("history write failed: %s", type(exc).__name__)
            self.bus.publish(Notice("History not saved", _one_line(exc), "warning"))
            return None

    # ---- assistant ----------------------------------------------------
    def ask(self, text: str, dry_run: bool = False) -> dict[str, Any]:
        if self.assistant is None:
            raise UserError("the assistant is not available")
        result = self.assistant.handle(text, dry_run=dry_run)
        return result.to_dict()  # type: ignore[no-any-return]

    # ---- privacy ------------------------------------------------------
    def on_privacy(self, snapshot: dict[str, Any]) -> None:
        """Called by the privacy monitor (its own thread) with a fresh snapshot."""
        with self._lock:
            self._privacy_snapshot = snapshot
        self.bus.publish(PrivacyChanged(self.status()))

    def set_indicators_paused(self, paused: bool) -> None:
        self.indicators_paused = paused
        if self.privacy is not None:
            (self.privacy.pause if paused else self.privacy.resume)()
        self.bus.publish(PrivacyChanged(self.status()))

    # ---- settings -----------------------------------------------------
    def update_settings(self, settings: Settings) -> None:
        self.settings_store.save(settings)
        self.settings = settings
        self.bus.publish(SettingsChanged(settings))

    # ---- state --------------------------------------------------------
    def on_session_state(self, state: str, detail: str | None = None) -> None:
        """Called by the session (any thread) when its state changes."""
        if state == "error":
            self.error = detail
        elif state == "listening":
            self.error = None
        self.bus.publish(StateChanged(state, detail))

    def _set_error(self, message: str) -> None:
        self.error = message.splitlines()[0] if message else "unknown error"
        self.bus.publish(StateChanged("error", self.error))

    def _require_session(self) -> SessionLike:
        if self.session is None:
            raise UserError("speech capture is not available on this machine (see `trayassist doctor`)")
        return self.session

    def status(self) -> dict[str, Any]:
        with self._lock:
            snap = dict(self._privacy_snapshot)
        session = self.session
        state = session.state if session is not None else "error"
        if self.error and state == "idle":
            state = "error"
        model = (session.model_info() if session is not None
                 else {"name": self.settings.model, "loaded": False, "path": None})
        network = empty_network() | dict(snap.get("network") or {})
        return {
            "state": state,
            "mic": {"self": bool(session.mic_open) if session is not None else False,
                    "others": list(snap.get("mic_others") or [])},
            "network": network,
            "model": model,
            "last": {"id": self.last.record_id, "text": self.last.text} if self.last else None,
            "indicators_paused": self.indicators_paused,
            "error": self.error or (getattr(session, "error", None) if state == "error" else None),
        }

    def shutdown(self) -> None:
        if self.session is not None:
            self.session.shutdown()
        if self.privacy is not None:
            self.privacy.stop()
        self._pipeline.shutdown(wait=True)


def _one_line(exc: BaseException) -> str:
    text = str(exc)
    return text.splitlines()[0] if text else type(exc).__name__
