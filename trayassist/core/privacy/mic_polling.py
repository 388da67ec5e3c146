"""Base for mic backends that can only poll (ALSA /proc, Windows registry, CoreAudio): one
thread, at most 1 Hz, `on_change` only when the set of users really changed."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from trayassist.core.privacy.types import BackendStatus, MicStreams, MicUser

log = logging.getLogger(__name__)

MIN_INTERVAL_S = 1.0  # the design's polling ceiling


class PollingMicWatch:
    name = "polling"

    def __init__(self, interval_s: float = 1.0, own_pid: int | None = None) -> None:
        self.interval_s = max(MIN_INTERVAL_S, interval_s)
        self.streams = MicStreams(own_pid)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None

    # -- subclasses -------------------------------------------------------------------
    def scan(self) -> list[MicUser]:  # pragma: no cover - abstract
        raise NotImplementedError

    def available(self) -> BackendStatus:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- MicWatch ---------------------------------------------------------------------
    def start(self, on_change: Callable[[], None]) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(on_change,),
                                        name=f"micwatch-{self.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.streams.replace([])

    @property
    def own_pid(self) -> int:
        return self.streams.own_pid

    def users(self) -> list[MicUser]:
        return self.streams.others()

    def own_streams(self) -> list[MicUser]:
        return self.streams.own()

    def refresh(self) -> bool:
        """Scan once now; True when the users changed. Used by the thread and by tests."""
        try:
            found = self.scan()
            self.last_error = None
        except Exception as exc:  # a backend must degrade, never kill the watch thread
            if self.last_error != str(exc):
                log.warning("%s mic watch: scan failed: %s", self.name, exc)
            self.last_error = str(exc)
            found = []
        changed = self.streams.replace(found)
        return changed

    def _run(self, on_change: Callable[[], None]) -> None:
        while True:
            if self.refresh():
                on_change()
            if self._stop.wait(self.interval_s):
                return
