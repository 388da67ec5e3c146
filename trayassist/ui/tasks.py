"""The one way to run background work from the GUI: run_task(func, on_done).

`on_done(result, error)` always runs on the GUI thread. Work runs on a small
thread pool; pass `serial=True` for work whose order matters (history writes).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

Done = Callable[[Any, BaseException | None], None]


class TaskRunner(QObject):
    _finished = Signal(object, object, object)  # on_done, result, error

    def __init__(self, workers: int = 2) -> None:
        super().__init__()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="task")
        self._serial = ThreadPoolExecutor(max_workers=1, thread_name_prefix="task-serial")
        self._finished.connect(self._deliver)

    def run_task(self, func: Callable[[], Any], on_done: Done | None = None, serial: bool = False) -> Future[Any]:
        pool = self._serial if serial else self._pool
        future = pool.submit(func)

        def done(f: Future[Any]) -> None:
            error = f.exception()
            result = None if error else f.result()
            if error is not None and on_done is None:
                log.error("background task failed: %s", type(error).__name__, exc_info=error)
            if on_done is not None:
                self._finished.emit(on_done, result, error)

        future.add_done_callback(done)
        return future

    def _deliver(self, on_done: Done, result: Any, error: BaseException | None) -> None:
        on_done(result, error)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._serial.shutdown(wait=True, cancel_futures=False)
