"""The History window on a real encrypted store, offscreen, with a synchronous run_task."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from tests.unit.core.history.support import Clock, MemoryKeyring, keyring_store
from trayassist.core.history import HistoryStore
from trayassist.ui.history_window import HistoryWindow

pytestmark = pytest.mark.ui


class Runner:
    """Runs the task at once and counts calls (the app's runner delivers on the GUI thread)."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, func: Callable[[], Any], on_done: Callable[[Any, BaseException | None], None]) -> None:
        self.calls += 1
        try:
            result = func()
        except Exception as exc:
            on_done(None, exc)
        else:
            on_done(result, None)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> HistoryStore:
    s = keyring_store(tmp_path, MemoryKeyring(), clock).open()
    for text in ("buy milk tomorrow", "call the dentist", "Milkshake recipe", "water the plants"):
        clock.advance(minutes=10)
        s.append(text, duration_s=1.5, model="tiny.en")
    yield s
    s.close()


@pytest.fixture
def make_window(qtbot: Any, store: HistoryStore, clock: Clock) -> Callable[..., HistoryWindow]:
    def make(**kw: Any) -> HistoryWindow:
        kw.setdefault("confirm_action", lambda *_: True)
        kw.setdefault("ask_path", lambda *_: None)
        w = HistoryWindow(store, kw.pop("run_task", Runner()), clock=clock, search_delay_ms=10, **kw)
        qtbot.addWidget(w)
        w.show()
        qtbot.waitExposed(w)
        # Window shortcuts (Ctrl+F, Esc) need the active window; offscreen needs asking.
        w.windowHandle().requestActivate()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=2000)
        return w
    return make


def texts(w: HistoryWindow) -> list[str]:
    return [w.list.item(i).text().split("  ", 1)[1] for i in range(w.list.count())]


def test_newest_first_and_live_search(qtbot: Any, make_window: Callable[..., HistoryWindow]) -> None:
    w = make_window()
    assert texts(w) == ["water the plants", "Milkshake recipe", "call the dentist", "buy milk tomorrow"]
    assert w.status.text() == "4 records"
    qtbot.keyClicks(w.search, "MILK")
    qtbot.waitUntil(lambda: w.list.count() == 2, timeout=2000)
    assert texts(w) == ["Milkshake recipe", "buy milk tomorrow"]
    w.whole_word.setChecked(True)
    assert texts(w) == ["buy milk tomorrow"]
    assert "buy milk tomorrow" in w.preview.toPlainText()


def test_keyboard_copy_delete_and_escape(qtbot: Any, make_window: Callable[..., HistoryWindow],
                                         store: HistoryStore) -> None:
    copied: list[str] = []
    w = make_window(copy_text=lambda text: copied.append(text) or True)
    w.list.setFocus()
    w.list.setCurrentRow(1)
    qtbot.keyClick(w.list, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert copied == ["Milkshake recipe"]  # through the platform clipboard, which adds the hints
    qtbot.keyClick(w.list, Qt.Key.Key_Delete)
    assert texts(w) == ["water the plants", "call the dentist", "buy milk tomorrow"]
    assert store.count() == 3 and w.status.text().startswith("Deleted 1 item")
    qtbot.keyClick(w, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert w.search.hasFocus()
    qtbot.keyClick(w, Qt.Key.Key_Escape)
    assert not w.isVisible()
    assert w.list.count() == 0  # decrypted text leaves the widgets on close


def test_export_selected_and_all(make_window: Callable[..., HistoryWindow], tmp_path: Path) -> None:
    asked: list[tuple[str, str]] = []
    confirmations: list[str] = []
    target = tmp_path / "export.json"

    def ask(_: QWidget, fmt: str, suggested: str) -> str:
        asked.append((fmt, suggested))
        return str(target)

    def confirm(_: QWidget, title: str, text: str) -> bool:
        confirmations.append(text)
        return True

    w = make_window(ask_path=ask, confirm_action=confirm)
    w.list.setCurrentRow(2)
    w.export_actions[("selected", "json")].trigger()
    assert asked[0][0] == "json" and asked[0][1].endswith(".json")
    assert str(target) in confirmations[0] and "not encrypted" in confirmations[0]
    assert [r["text"] for r in json.loads(target.read_text())["records"]] == ["call the dentist"]
    assert target.stat().st_mode & 0o777 == 0o600
    w.export_actions[("all", "md")].trigger()
    md = target.read_text()
    assert all(t in md for t in ("buy milk", "dentist", "Milkshake", "plants"))
    assert w.status.text() == f"Exported 4 records to {target}"


def test_export_cancelled_writes_nothing(make_window: Callable[..., HistoryWindow], tmp_path: Path) -> None:
    target = tmp_path / "no.md"
    w = make_window(ask_path=lambda *_: str(target), confirm_action=lambda *_: False)
    w.export_actions[("all", "md")].trigger()
    assert not target.exists()


def test_forget_and_wipe(make_window: Callable[..., HistoryWindow], store: HistoryStore,
                         clock: Clock) -> None:
    refused = make_window(confirm_action=lambda *_: False)
    refused.wipe()
    assert store.count() == 4  # no confirmation, no wipe
    w = make_window()
    clock.advance(minutes=3)
    w.forget("5m")  # the newest record is 3 minutes old
    assert texts(w) == ["Milkshake recipe", "call the dentist", "buy milk tomorrow"]
    assert w.status.text().startswith("Forgot the last 5 minutes: 1 item")
    w.wipe()
    assert w.list.count() == 0 and store.count() == 0
    assert w.status.text().startswith("History wiped")


def test_store_errors_show_in_the_status_line(make_window: Callable[..., HistoryWindow],
                                              store: HistoryStore) -> None:
    assert store.db_path is not None
    import sqlite3

    with sqlite3.connect(store.db_path) as db:
        db.execute("UPDATE records SET blob = x'01' WHERE id = 2")
    w = make_window()
    assert w.last_error is not None and "failed authentication" in w.last_error
    assert "dentist" not in w.last_error


def test_store_calls_go_through_run_task(make_window: Callable[..., HistoryWindow], clock: Clock) -> None:
    pending: list[tuple[Callable[[], Any], Any]] = []
    w = make_window(run_task=lambda func, done: pending.append((func, done)))
    assert w.list.count() == 0 and len(pending) == 1  # nothing ran on the GUI thread
    func, done = pending.pop()
    done(func(), None)
    assert w.list.count() == 4
    clock.advance(minutes=1)
    w.refresh()
    w.search.setText("dentist")
    w.refresh()
    newer_func, newer_done = pending.pop()
    older_func, older_done = pending.pop()
    newer_done(newer_func(), None)
    older_done(older_func(), None)  # a late, older answer must not win
    assert texts(w) == ["call the dentist"]


def test_copy_goes_through_the_given_clipboard_function(make_window: Callable[..., HistoryWindow]) -> None:
    copied: list[str] = []
    w = make_window(copy_text=lambda text: copied.append(text) or True)
    w.list.setCurrentRow(1)
    w.copy_selected()
    assert copied == ["Milkshake recipe"] and w.status.text() == "Copied 1 item"
    failing = make_window(copy_text=lambda text: False)
    failing.list.setCurrentRow(1)
    failing.copy_selected()
    assert failing.last_error == "Could not copy to the clipboard"
