"""Typed events core publishes; ui/bridge re-emits them as queued Qt signals."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from trayassist.core.status import Level, Status

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StatusChanged:
    """Anything the tray shows changed: push-to-talk state, our stream, a problem, the
    privacy watch. Carries the whole new status; listeners render from it."""

    status: Status


@dataclass(frozen=True)
class UtteranceDone:
    text: str
    record_id: int | None
    assistant: dict[str, Any] | None = None
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class PartialText:
    """While listening: the words committed so far and the guess after them; both empty
    when there is nothing to show (released, cancelled). User text: never logged."""

    text: str
    tentative: str = ""


@dataclass(frozen=True)
class Notice:
    """Something the user should read: shown by the one notifier."""

    title: str
    message: str  # never the words the user said: notification daemons keep it
    level: Level = Level.INFO
    detail: str | None = None  # may quote the user (a reply, a note): shown only if allowed

    def __post_init__(self) -> None:
        object.__setattr__(self, "level", Level(self.level))  # callers may pass "info"


@dataclass(frozen=True)
class SettingsChanged:
    settings: Any
    before: Any = None  # the settings replaced (None at start)


@dataclass(frozen=True)
class DownloadNeeded:
    """The chosen model is not on this computer: the UI asks before downloading it."""

    name: str
    approx_size: int | None
    message: str


class DownloadPhase(StrEnum):
    STARTING = "starting"
    DOWNLOADING = "downloading"
    VERIFYING = "verifying"
    FINISHED = "finished"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class DownloadProgress:
    """A model download (in its child process) moved on; the last one of a download has
    phase finished, failed or cancelled. `total` 0: the size is not known yet."""

    name: str
    phase: DownloadPhase
    done: int = 0
    total: int = 0
    message: str = ""  # one line when it failed

    @property
    def ended(self) -> bool:
        return self.phase in (DownloadPhase.FINISHED, DownloadPhase.FAILED, DownloadPhase.CANCELLED)


@dataclass(frozen=True)
class HistoryChanged:
    """The history was (re)opened, or is not available: windows drop the old store."""

    available: bool
    show: bool = False  # the user asked for the History window: show it now
    erased: bool = False  # records were erased (any way): what windows show is stale


Event = (StatusChanged | UtteranceDone | PartialText | Notice | SettingsChanged | DownloadNeeded | DownloadProgress
         | HistoryChanged)
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
