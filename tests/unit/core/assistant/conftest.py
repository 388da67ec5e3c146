"""Fixtures for assistant tests: a context of in-memory services at a fixed moment."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.support.assistant_fakes import (
    SAMPLE_APPS,
    FakeHistory,
    FakeLauncher,
    FakeVolume,
    FixedClock,
    sample_folders,
    sample_status,
)
from trayassist.core.assistant import Assistant, Context, load_skills
from trayassist.core.assistant.services.memory import MemoryItemStore
from trayassist.core.assistant.services.timers import TimerScheduler

NOW = datetime(2026, 3, 14, 9, 30, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture
def ctx() -> Context:
    store = MemoryItemStore()
    return Context(
        clock=FixedClock(NOW), store=store,
        timers=TimerScheduler(store, on_fire=lambda _t: None, time_fn=lambda: NOW.timestamp()),
        launcher=FakeLauncher(SAMPLE_APPS, sample_folders()), volume=FakeVolume(),
        privacy_status=sample_status, history=FakeHistory([NOW.timestamp() - s
                                                           for s in (7200, 1200, 300, 5)]),
    )


@pytest.fixture
def assistant(ctx: Context) -> Assistant:
    return Assistant(load_skills(), ctx)
