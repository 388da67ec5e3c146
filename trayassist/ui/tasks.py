"""Background work from the GUI: `run_task(func, on_done)` runs `func` on a lane and
calls `on_done(result, error)` on the GUI thread (the one way the UI hands work off)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from PySide6.QtCore import QObject, Signal

from trayassist.core.lanes import Lane

Done = Callable[[Any, BaseException | None], None]


class TaskRunner(QObject):
    _finished = Signal(object, object, object)  # on_done, result, error

    def __init__(self, lane: Lane | None = None) -> None:
        super().__init__()
        self._own = lane is None
        self.lane = lane if lane is not None else Lane("tasks", workers=2)
        self._finished.connect(self._deliver)

    def run_task(self, func: Callable[[], Any], on_done: Done | None = None, lane: Lane | None = None) -> Future[Any]:
        """`lane` defaults to this runner's; pass the history lane for history file work."""
        done = None if on_done is None else self.on_gui(on_done)
        return (lane or self.lane).submit(func, done)

    def on_gui(self, on_done: Done) -> Done:
        """A done-callback that may be called on any thread and runs `on_done` on the GUI thread."""
        return lambda result, error: self._finished.emit(on_done, result, error)

    def _deliver(self, on_done: Done, result: Any, error: BaseException | None) -> None:
        on_done(result, error)

    def shutdown(self) -> None:
        if self._own:
            self.lane.shutdown(wait=False)
