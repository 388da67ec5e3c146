from __future__ import annotations

import threading
import time

import pytest

from tests.support.pulse import wait_for
from trayassist.core.assistant.context import Timer
from trayassist.core.assistant.services.memory import MemoryItemStore
from trayassist.core.assistant.services.timers import ITEM_KIND, TimerScheduler

pytestmark = pytest.mark.unit


class Recorder:
    def __init__(self) -> None:
        self.fired: list[tuple[Timer, str]] = []
        self.lock = threading.Lock()

    def __call__(self, timer: Timer) -> None:
        with self.lock:
            self.fired.append((timer, threading.current_thread().name))


def test_fires_on_its_own_thread_and_forgets_the_timer() -> None:
    store, rec = MemoryItemStore(), Recorder()
    sched = TimerScheduler(store, rec)
    sched.start()
    try:
        t = sched.schedule("timer", time.time() + 0.05, label="tea", seconds=0.05)
        assert store.get_items(ITEM_KIND)[0]["id"] == t.id
        assert wait_for(lambda: rec.fired, timeout=5)
        fired, thread = rec.fired[0]
        assert fired == t and thread == "trayassist-timers"
        assert store.get_items(ITEM_KIND) == [] and sched.list() == []
    finally:
        sched.stop()


def test_fires_in_due_order_and_cancel_works() -> None:
    store, rec = MemoryItemStore(), Recorder()
    sched = TimerScheduler(store, rec)
    sched.start()
    try:
        now = time.time()
        late = sched.schedule("timer", now + 0.3)
        early = sched.schedule("timer", now + 0.1)
        dropped = sched.schedule("alarm", now + 0.2)
        assert sched.cancel(dropped.id)
        assert not sched.cancel("no-such-id")
        assert wait_for(lambda: len(rec.fired) == 2, timeout=5)
        assert [t.id for t, _ in rec.fired] == [early.id, late.id]
    finally:
        sched.stop()


def test_survives_restart_and_fires_overdue_once() -> None:
    store, rec = MemoryItemStore(), Recorder()
    first = TimerScheduler(store, rec)  # never started: the app quit before they were due
    overdue = first.schedule("timer", time.time() - 60, label="overdue")
    future = first.schedule("alarm", time.time() + 3600)
    assert len(store.get_items(ITEM_KIND)) == 2

    second = TimerScheduler(store, rec)
    second.start()
    try:
        assert wait_for(lambda: rec.fired, timeout=5)
        assert [t.id for t, _ in rec.fired] == [overdue.id]
        assert [t.id for t in second.list()] == [future.id]
    finally:
        second.stop()
    third = TimerScheduler(store, rec)
    third.start()
    try:
        assert [t.id for t in third.list()] == [future.id]
    finally:
        third.stop()
    assert len(rec.fired) == 1  # the overdue timer fired exactly once across restarts


def test_broken_callback_does_not_kill_the_scheduler(caplog: pytest.LogCaptureFixture) -> None:
    store, rec = MemoryItemStore(), Recorder()
    calls = []

    def on_fire(timer: Timer) -> None:
        calls.append(timer)
        if len(calls) == 1:
            raise RuntimeError("notifier crashed")
        rec(timer)

    sched = TimerScheduler(store, on_fire)
    sched.start()
    try:
        sched.schedule("timer", time.time())
        assert wait_for(lambda: len(calls) == 1, timeout=5)
        sched.schedule("timer", time.time())
        assert wait_for(lambda: rec.fired, timeout=5)
    finally:
        sched.stop()
    assert "timer callback failed" in caplog.text


def test_damaged_stored_timer_is_skipped() -> None:
    store = MemoryItemStore()
    store.put_item(ITEM_KIND, "x", {"id": "x", "due": "not a time"})
    store.put_item(ITEM_KIND, "y", {"id": "y", "due": time.time() + 100, "kind": "timer"})
    sched = TimerScheduler(store, Recorder())
    assert [t.id for t in sched.list()] == ["y"]


def test_stop_joins_the_thread() -> None:
    sched = TimerScheduler(MemoryItemStore(), Recorder())
    sched.start()
    sched.stop()
    assert not any(t.name == "trayassist-timers" and t.is_alive()
                   for t in threading.enumerate())


def test_timer_notifier_messages() -> None:
    from trayassist.core.assistant.services.timers import TimerNotifier

    seen: list[tuple[str, str]] = []
    sounds: list[int] = []
    notifier = TimerNotifier(lambda t, m: seen.append((t, m)), lambda: sounds.append(1))
    notifier(Timer("a", "timer", 0.0, label="pasta", seconds=480))
    notifier(Timer("b", "alarm", 0.0))
    assert seen == [("Timer", "Your pasta timer for 8 minutes is done."), ("Alarm", "Alarm")]
    assert sounds == [1, 1]


def test_real_services_wire_up(tmp_path) -> None:  # noqa: ANN001
    from trayassist.core.assistant import Assistant, load_skills
    from trayassist.core.assistant.services.factory import real_services

    store, rec = MemoryItemStore(), Recorder()
    services = real_services(store, rec, environ={"XDG_DATA_HOME": str(tmp_path)}, home=tmp_path,
                             platform="linux")
    services.timers.start()
    try:
        assistant = Assistant(load_skills(), services.context)
        assert assistant.handle("set a timer for 1 second").performed
        assert wait_for(lambda: rec.fired, timeout=10)
        assert rec.fired[0][0].seconds == 1
        assert assistant.handle("what time is it").performed
    finally:
        services.timers.stop()
