"""What the controller needs from the services, as Protocols, and the Slot each one sits in.

Services are built after the tray icon shows (and rebuilt when a setting they depend on
changes), so the controller receives a Slot per dependency at construction and reads the
current service from it: the builder fills the slots, nothing else does.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from trayassist.core.status import ModelStatus, Problem

if TYPE_CHECKING:
    from trayassist.core.transcribe.live import LiveOptions

T = TypeVar("T")


class Slot(Generic[T]):
    """The current instance of one service, or None while it is not (yet) available."""

    def __init__(self, value: T | None = None) -> None:
        self._value = value
        self._lock = threading.Lock()

    def get(self) -> T | None:
        return self._value

    def put(self, value: T | None) -> T | None:
        """Install `value`; returns the one it replaces (the caller shuts that down)."""
        with self._lock:
            old, self._value = self._value, value
        return old


class UtteranceLike(Protocol):
    @property
    def text(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def error(self) -> str | None: ...
    @property
    def timings(self) -> dict[str, float | None]: ...


class SessionPort(Protocol):
    """Push-to-talk: the microphone and the model worker."""

    live_options: LiveOptions  # how the next take decodes while held (settable, no rebuild)

    @property
    def state(self) -> str: ...  # idle | loading | listening | transcribing | error
    @property
    def mic_open(self) -> bool: ...  # the real stream state
    @property
    def receiving(self) -> bool: ...  # the take whose stream is open has had audio from the device
    @property
    def problem(self) -> Problem | None: ...
    def press(self) -> None: ...
    def hands_free(self) -> None: ...  # listening goes on without a key held: may end by itself
    def still_listening(self, take: int) -> bool: ...  # take `take` (see on_auto_stop) still listens
    def release(self) -> Future[Any]: ...  # resolves to an UtteranceLike, or None
    def cancel(self) -> bool: ...
    def model_status(self) -> ModelStatus: ...
    def shutdown(self) -> None: ...


class AssistantResultLike(Protocol):
    @property
    def skill(self) -> str | None: ...
    @property
    def output_override(self) -> str | None: ...
    @property
    def output_text(self) -> str | None: ...
    def to_dict(self) -> dict[str, Any]: ...


class AssistantPort(Protocol):
    def handle(self, text: str, dry_run: bool = False) -> Any: ...  # an AssistantResultLike


class HistoryPort(Protocol):
    def save_utterance(self, text: str, utterance: Any, result: Any) -> int | None: ...


class Delivery(Protocol):
    """What happened to one transcript sent to the desktop (platform/output's OutputResult)."""

    @property
    def mode(self) -> str: ...
    @property
    def inserted(self) -> bool: ...
    @property
    def method(self) -> str: ...
    @property
    def on_clipboard(self) -> bool: ...
    @property
    def focus_changed(self) -> bool: ...
    @property
    def error(self) -> str | None: ...
    @property
    def notice(self) -> str | None: ...


class OutputPort(Protocol):
    def deliver(self, text: str, mode: str) -> Delivery: ...


class PrivacyPort(Protocol):
    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def stop(self) -> None: ...


class Feedback(Protocol):
    """Quick reactions to the key: remember the focused window, play the sounds."""

    def pressed(self) -> None: ...
    def hearing(self) -> None: ...  # the device's first audio of this take arrived: speak now
    def released(self) -> None: ...
