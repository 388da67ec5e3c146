from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.support.assistant_fakes import FakeHistory
from trayassist.core.assistant import Assistant, Context

pytestmark = pytest.mark.unit


def _history(ctx: Context) -> FakeHistory:
    assert isinstance(ctx.history, FakeHistory)
    return ctx.history


def test_delete_last(assistant: Assistant, ctx: Context) -> None:
    r = assistant.handle("Delete what I just said.")
    assert (r.skill, r.intent, r.performed) == ("history", "delete_last", True)
    assert len(_history(ctx).times) == 3


def test_forget_span(assistant: Assistant, ctx: Context) -> None:
    r = assistant.handle("Forget the last ten minutes.")
    assert r.performed and r.reply == "Forgot 2 items from the last 10 minutes."
    assert _history(ctx).calls == [("forget_since", ctx.clock.now() - timedelta(minutes=10))]


def test_forget_hour_and_today(assistant: Assistant, ctx: Context) -> None:
    assert assistant.handle("forget the last hour").params == {"seconds": 3600.0}
    r = assistant.handle("Forget everything from today.")
    midnight = ctx.clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
    assert _history(ctx).calls[-1] == ("forget_since", midnight)
    assert r.performed


@pytest.mark.parametrize("text", ["Wipe my history.", "delete my entire history",
                                  "clear all my history", "delete all my recordings"])
def test_wipe_never_by_voice_alone(assistant: Assistant, ctx: Context, text: str) -> None:
    r = assistant.handle(text)
    assert (r.skill, r.intent) == ("history", "wipe")
    assert r.needs_confirmation and not r.performed
    assert _history(ctx).calls == []


def test_bad_span(assistant: Assistant, ctx: Context) -> None:
    r = assistant.handle("forget the last banana")
    assert r.skill == "history" and not r.performed
    assert _history(ctx).calls == []


def test_nothing_to_delete_and_history_off(assistant: Assistant, ctx: Context) -> None:
    ctx.history = FakeHistory([])
    assert not assistant.handle("delete that").performed
    ctx.history = None
    assert not assistant.handle("delete that").performed


@pytest.mark.parametrize("text", ["My history teacher was great.", "History repeats itself.",
                                  "Let's forget about it.", "Delete the email from Bob."])
def test_not_history(assistant: Assistant, text: str) -> None:
    assert assistant.handle(text).skill is None



def test_store_adapter_on_the_real_history_store(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from tests.unit.core.history.support import Clock, MemoryKeyring, keyring_store
    from trayassist.core.assistant.services.history import StoreHistoryActions

    clock = Clock()
    store = keyring_store(tmp_path, MemoryKeyring(), clock).open()
    try:
        store.append("first thing")
        clock.advance(minutes=20)
        store.append("second thing")
        clock.advance(minutes=1)
        store.append("third thing")
        actions = StoreHistoryActions(store)
        assert actions.delete_last()
        assert [r.text for r in store.list()] == ["second thing", "first thing"]
        assert actions.forget_since(clock.now - timedelta(minutes=10)) == 1
        assert [r.text for r in store.list()] == ["first thing"]
        assert actions.forget_since(datetime(2000, 1, 1, tzinfo=UTC)) == 1
        assert not actions.delete_last()
    finally:
        store.close()
