"""Hold / toggle / hybrid push-to-talk logic on top of chord press and release."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

MODES = ("hold", "toggle", "hybrid")
HYBRID_HOLD_S = 0.4  # a press longer than this is push-to-talk; shorter is a tap


class HotkeyController:
    """Decides when to start and stop listening from chord presses and releases.

    hold: press starts, release stops. toggle: each press flips. hybrid: a press starts;
    if the chord was held longer than `hold_threshold_s` the release stops (push-to-talk),
    otherwise it was a tap and listening continues until the next press.

    `on_start`/`on_stop` run synchronously on the thread that calls press()/release()
    (for pynput, its listener thread), so they must be quick and thread-safe. `on_latch`
    runs when listening goes on with no key held (toggle mode's press, a hybrid tap).
    """

    def __init__(
        self,
        mode: str,
        on_start: Callable[[], None],
        on_stop: Callable[[], None],
        clock: Callable[[], float] = time.monotonic,
        hold_threshold_s: float = HYBRID_HOLD_S,
        on_cancel: Callable[[], None] | None = None,
        on_latch: Callable[[], None] | None = None,
    ) -> None:
        self._check(mode)
        self.mode = mode
        self._on_start = on_start
        self._on_stop = on_stop
        self._on_cancel = on_cancel
        self._on_latch = on_latch
        self._clock = clock
        self.hold_threshold_s = hold_threshold_s
        self._lock = threading.RLock()  # callbacks may call sync()
        self._listening = False
        self._pressed_at: float | None = None  # set when this press started listening

    @staticmethod
    def _check(mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"hotkey mode must be one of {', '.join(MODES)}, not {mode!r}")

    @property
    def listening(self) -> bool:
        return self._listening

    def set_mode(self, mode: str) -> None:
        self._check(mode)
        with self._lock:
            self.mode = mode

    def sync(self, listening: bool) -> None:
        """Tell the controller that listening changed elsewhere (tray click, CLI)."""
        with self._lock:
            if listening == self._listening:
                return  # an echo of our own start/stop: keep the press timing
            self._listening = listening
            self._pressed_at = None

    def press(self) -> None:
        with self._lock:
            if self.mode == "toggle" or (self.mode == "hybrid" and self._listening):
                action = self._stop if self._listening else self._start
            elif not self._listening:
                action = self._start
                self._pressed_at = self._clock()
            else:
                return  # hold mode while already listening (started by tray/CLI)
            action()

    def release(self) -> None:
        with self._lock:
            started_at, self._pressed_at = self._pressed_at, None
            if not self._listening or started_at is None:
                return
            if self.mode == "hold" or self.mode == "hybrid" and self._clock() - started_at > self.hold_threshold_s:
                self._stop()
            elif self._on_latch is not None:
                self._on_latch()  # a hybrid tap: listening goes on with no key held

    def cancel(self) -> None:
        """Escape: discard what is being said, in any mode; nothing when not listening."""
        with self._lock:
            if not self._listening:
                return
            self._listening = False
            self._pressed_at = None
            if self._on_cancel is not None:
                self._on_cancel()

    def _start(self) -> None:
        self._listening = True
        self._on_start()
        if self.mode == "toggle" and self._on_latch is not None:
            self._on_latch()

    def _stop(self) -> None:
        self._listening = False
        self._pressed_at = None
        self._on_stop()
