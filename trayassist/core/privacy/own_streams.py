"""How many capture streams are TrayAssist's right now, for the mic watch: a stream that
only claims our pid beyond this count is another program's (see MicStreams)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class OwnCaptureStreams:
    """Callable (any thread, no Qt) -> 0 or 1. Counts the recorder's stream (running, or
    stopped and not closed yet, or closed less than `linger_s` ago: the server lists it
    until it has handled the disconnect), and a push-to-talk action that is running (a
    press may be opening the stream, which the sound server shows before the recorder
    says it runs). `recorder()` returns the current recorder (it is rebuilt on settings
    changes) or None. The cost: a program that claims our pid within `linger_s` after we
    stopped recording is named `linger_s` later."""

    def __init__(self, recorder: Callable[[], Any], linger_s: float = 3.0) -> None:
        self._recorder = recorder
        self.linger_s = linger_s
        self._lock = threading.Lock()
        self._running = 0

    def counting(self, action: Callable[[], T]) -> Callable[[], T]:
        """`action` wrapped so that while it runs, our stream counts as open."""

        def run() -> T:
            with self._lock:
                self._running += 1
            try:
                return action()
            finally:
                with self._lock:
                    self._running -= 1

        return run

    def __call__(self) -> int:
        if self._running:
            return 1
        recorder = self._recorder()
        # Held, and for a moment after closing: between stopping and closing our stream,
        # and until it has handled the disconnect, the server lists it paused; under load
        # that outlasted the impostor check's 1 s grace (CI: our own stream shown as
        # "unknown program (claims to be TrayAssist)").
        return 1 if recorder is not None and bool(recorder.held_within(self.linger_s)) else 0
