"""Answering a modal dialog from a Qt test: it blocks the code under test until answered."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget


def answer_modal(handle: Callable[[QWidget], None], tries: int = 500) -> None:
    """Call `handle` with the next modal dialog once it shows (polls every 10 ms, 5 s at most)."""
    left = [tries]

    def poll() -> None:
        widget = QApplication.activeModalWidget()
        if widget is not None:
            handle(widget)
        elif left[0] > 0:
            left[0] -= 1
            QTimer.singleShot(10, poll)

    QTimer.singleShot(0, poll)
