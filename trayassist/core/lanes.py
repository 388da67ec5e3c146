"""The one way to hand work between threads: named lanes that run jobs in order and
report `(result, error)` to a done-callback, and a gate that holds work until a service
is ready. The thread map is in docs/architecture.md."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
Done = Callable[[Any, BaseException | None], None]


def deliver(future: Future[Any], done: Done) -> None:
    """Call `done(result, error)` when `future` completes (on the thread that completes it)."""

    def finished(f: Future[Any]) -> None:
        if f.cancelled():
            done(None, RuntimeError("cancelled"))
            return
        error = f.exception()
        done(None if error is not None else f.result(), error)

    future.add_done_callback(finished)


class Lane:
    """Jobs run one at a time, in the order submitted, on the lane's own thread(s).

    `done(result, error)` runs on the lane thread right after the job: quick work only
    (the UI re-emits it to the GUI thread). A job without `done` that fails is logged.
    """

    def __init__(self, name: str, workers: int = 1) -> None:
        self.name = name
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)

    def submit(self, fn: Callable[[], T], done: Done | None = None) -> Future[T]:
        future = self._pool.submit(fn)
        if done is not None:
            deliver(future, done)
        else:
            future.add_done_callback(self._log_failure)
        return future

    def _log_failure(self, future: Future[Any]) -> None:
        if not future.cancelled() and future.exception() is not None:
            error = future.exception()
            log.error("%s job failed: %s", self.name, type(error).__name__, exc_info=error)

    def shutdown(self, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=not wait)


class Gate:
    """Holds callbacks until `open()` (e.g. `ask` right after start, while the history and
    so the assistant are still opening). A waiter that is not let through within its
    timeout gets `on_timeout()` instead and is never run later."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open = False
        self._waiting: list[_Waiter] = []

    @property
    def is_open(self) -> bool:
        return self._open

    def when_open(self, fn: Callable[[], None], timeout_s: float, on_timeout: Callable[[], None]) -> None:
        with self._lock:
            if not self._open:
                waiter = _Waiter(fn, on_timeout)
                self._waiting.append(waiter)
                waiter.arm(timeout_s, self._expire)
                return
        fn()

    def open(self) -> None:
        with self._lock:
            self._open = True
            waiting, self._waiting = self._waiting, []
        for waiter in waiting:
            if waiter.claim():
                waiter.fn()

    def close(self) -> None:
        with self._lock:
            self._open = False

    def _expire(self, waiter: _Waiter) -> None:
        with self._lock:
            if waiter in self._waiting:
                self._waiting.remove(waiter)
        if waiter.claim():
            waiter.on_timeout()


class _Waiter:
    def __init__(self, fn: Callable[[], None], on_timeout: Callable[[], None]) -> None:
        self.fn = fn
        self.on_timeout = on_timeout
        self._claimed = threading.Lock()
        self._timer: threading.Timer | None = None

    def arm(self, timeout_s: float, expire: Callable[[_Waiter], None]) -> None:
        self._timer = threading.Timer(timeout_s, expire, args=(self,))
        self._timer.name = "gate-timeout"
        self._timer.daemon = True
        self._timer.start()

    def claim(self) -> bool:
        """Exactly one of fn / on_timeout runs."""
        if not self._claimed.acquire(blocking=False):
            return False
        if self._timer is not None:
            self._timer.cancel()
        return True
