"""Timers and alarms on one scheduler thread, persisted through the item store."""

from __future__ import annotations

import heapq
import logging
import threading
import time
import uuid
from collections.abc import Callable

from trayassist.core.assistant.context import ItemStore, Timer, item_data

log = logging.getLogger(__name__)

ITEM_KIND = "timer"
# Wake at least this often so a changed wall clock or a resume from suspend is noticed.
MAX_WAIT_S = 30.0


class TimerScheduler:
    """Implements TimerService. `on_fire(timer)` runs on the "trayassist-timers" thread."""

    def __init__(self, store: ItemStore, on_fire: Callable[[Timer], None],
                 time_fn: Callable[[], float] = time.time,
                 id_fn: Callable[[], str] = lambda: uuid.uuid4().hex[:12]) -> None:
        self._store = store
        self._on_fire = on_fire
        self._time = time_fn
        self._new_id = id_fn
        self._cond = threading.Condition()
        self._timers: dict[str, Timer] = {}
        self._loaded = False
        self._thread: threading.Thread | None = None
        self._stopping = False

    def _ensure_loaded(self) -> None:
        if self._loaded:
            return
        try:
            stored = self._store.get_items(ITEM_KIND)
        except Exception:  # e.g. a tampered record: run without the stored timers
            log.exception("could not load stored timers")
            stored = []
        for raw in stored:
            try:
                t = Timer.from_dict(item_data(raw))
            except (KeyError, TypeError, ValueError):
                log.warning("skipping a damaged stored timer")
                continue
            self._timers[t.id] = t
        self._loaded = True

    def start(self) -> None:
        """Reload persisted timers and start firing; overdue ones fire once, right away."""
        with self._cond:
            self._ensure_loaded()
            if self._thread is not None:
                return
            self._stopping = False
            self._thread = threading.Thread(target=self._loop, name="trayassist-timers",
                                            daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)

    def schedule(self, kind: str, due: float, label: str = "", seconds: float = 0.0) -> Timer:
        timer = Timer(id=self._new_id(), kind=kind, due=due, label=label, created=self._time(),
                      seconds=seconds)
        with self._cond:
            self._ensure_loaded()
            self._store.put_item(ITEM_KIND, timer.id, timer.to_dict())
            self._timers[timer.id] = timer
            self._cond.notify_all()
        return timer

    def cancel(self, timer_id: str) -> bool:
        with self._cond:
            self._ensure_loaded()
            found = self._timers.pop(timer_id, None) is not None
            deleted = self._store.delete_item(ITEM_KIND, timer_id)
            self._cond.notify_all()
        return found or deleted

    def list(self) -> list[Timer]:
        with self._cond:
            self._ensure_loaded()
            return sorted(self._timers.values(), key=lambda t: t.due)

    def _loop(self) -> None:
        while True:
            with self._cond:
                if self._stopping:
                    return
                heap = [(t.due, t.id) for t in self._timers.values()]
                heapq.heapify(heap)
                now = self._time()
                if not heap:
                    self._cond.wait(MAX_WAIT_S)
                    continue
                due, timer_id = heap[0]
                if due > now:
                    self._cond.wait(min(due - now, MAX_WAIT_S))
                    continue
                timer = self._timers.pop(timer_id)
                # Forget it before firing, so a crash in on_fire never fires it twice.
                self._store.delete_item(ITEM_KIND, timer_id)
            try:
                self._on_fire(timer)
            except Exception:  # a broken callback must not kill the scheduler
                log.exception("timer callback failed")


def timer_message(timer: Timer) -> str:
    """What to tell the user when a timer or alarm fires."""
    if timer.kind == "alarm":
        return f"Alarm: {timer.label}" if timer.label else "Alarm"
    what = f"{timer.label} " if timer.label else ""
    if timer.seconds:
        from trayassist.core.assistant.timeparse import describe_duration

        return f"Your {what}timer for {describe_duration(timer.seconds)} is done."
    return f"Your {what}timer is done."


class TimerNotifier:
    """An `on_fire` callback: notifies, and plays a sound if one is configured.

    Runs on the timer thread; `notify` must be safe to call from there (the Qt bridge
    re-emits it as a queued signal).
    """

    def __init__(self, notify: Callable[[str, str], None],
                 play_sound: Callable[[], None] | None = None) -> None:
        self._notify = notify
        self._play_sound = play_sound

    def __call__(self, timer: Timer) -> None:
        self._notify("Alarm" if timer.kind == "alarm" else "Timer", timer_message(timer))
        if self._play_sound is not None:
            try:
                self._play_sound()
            except OSError as exc:
                log.info("timer sound failed: %s", exc)
