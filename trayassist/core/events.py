"""Typed events core publishes; ui/bridge re-emits them as queued Qt signals."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StateChanged:
    state: str  # idle | loading | listening | transcribing | error
    detail: str | None = None  # one line for the tooltip, e.g. the error


@dataclass(frozen=True)
class UtteranceDone:
    text: str
    record_id: int | None
    assistant: dict[str, Any] | None = None
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class PrivacyChanged:
    snapshot: dict[str, Any]


@dataclass(frozen=True)
class Notice:
    """Something the user should read: shown by the one notifier."""

    title: str
    message: str
    level: str = "info"  # info | warning | error


@dataclass(frozen=True)
class SettingsChanged:
    settings: Any


Event = StateChanged | UtteranceDone | PrivacyChanged | Notice | SettingsChanged
Listener = Callable[[Event], None]


class EventBus:
    """Synchronous fan-out; listeners run on the publisher's thread and must be quick."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: Listener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def publish(self, event: Event) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception:
                log.exception("event listener failed on %s", type(event).__name__)
