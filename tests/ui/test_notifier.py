"""The notifier sends what happened, never the user's words unless allowed, and falls back
to the tray balloon when no notification daemon answers."""

from __future__ import annotations

import pytest

from trayassist.core.lanes import Lane
from trayassist.ui.notifier import Notifier

pytestmark = pytest.mark.ui


class Desktop:
    def __init__(self, up: bool = True) -> None:
        self.up = up
        self.sent: list[tuple[str, str, str]] = []

    def available(self) -> bool:
        return self.up

    def send(self, title: str, message: str, level: str = "info") -> bool:
        self.sent.append((title, message, level))
        return self.up


def test_the_words_stay_out_unless_the_user_allows_them(qtbot) -> None:
    desktop, lane = Desktop(), Lane("notify-test")
    n = Notifier(None, dialogs=False, desktop=desktop, lane=lane)
    n.notify("TrayAssist", "Notes: add note — done", detail="Noted: the pin is 4711")
    lane.submit(lambda: None).result(5)
    assert desktop.sent == [("TrayAssist", "Notes: add note — done", "info")]
    n.show_text = True
    n.notify("TrayAssist", "Notes: add note — done", detail="Noted: the pin is 4711")
    lane.submit(lambda: None).result(5)
    assert desktop.sent[-1][1] == "Noted: the pin is 4711"
    assert all("4711" not in m for _, _, m in n.history[:1])


def test_no_daemon_means_the_tray_balloon(qtbot) -> None:
    desktop, lane = Desktop(up=False), Lane("notify-test")
    n = Notifier(None, dialogs=False, desktop=desktop, lane=lane)
    shown: list[tuple[str, str, str]] = []
    n._balloon = lambda t, m, lvl: shown.append((t, m, lvl))  # type: ignore[method-assign]
    n._fallback.disconnect()
    n._fallback.connect(n._balloon)
    with qtbot.waitSignal(n._fallback, timeout=5000):
        n.notify("Microphone", "No microphone found", "error")
    qtbot.waitUntil(lambda: shown == [("Microphone", "No microphone found", "error")], timeout=5000)
    assert desktop.sent == []  # unavailable: never sent
