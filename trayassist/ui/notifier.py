"""The one way errors and replies reach the user: desktop notifications (D-Bus), tray
balloons, dialogs or log lines. What the user said is shown only when they allow it."""

from __future__ import annotations

import logging
from typing import Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QSystemTrayIcon

from trayassist.core.lanes import Lane

log = logging.getLogger(__name__)

_ICONS = {
    "info": QSystemTrayIcon.MessageIcon.Information,
    "warning": QSystemTrayIcon.MessageIcon.Warning,
    "error": QSystemTrayIcon.MessageIcon.Critical,
}


class Desktop(Protocol):
    def available(self) -> bool: ...
    def send(self, title: str, message: str, level: str = "info") -> bool: ...


class Notifier(QObject):
    _fallback = Signal(str, str, str)  # from the lane back to the GUI thread: use the balloon

    def __init__(self, tray: QSystemTrayIcon | None, dialogs: bool, notifications: bool = True,
                 show_text: bool = False, desktop: Desktop | None = None, lane: Lane | None = None) -> None:
        super().__init__()
        self._fallback.connect(self._balloon)
        self.tray = tray
        self.dialogs = dialogs
        self.notifications = notifications
        self.show_text = show_text  # settings.notification_text
        self.history: list[tuple[str, str, str]] = []  # recent notices as shown, for tests and About
        self._desktop = desktop
        self._lane = lane  # D-Bus calls stay off the GUI thread
        self._desktop_ok: bool | None = None

    def notify(self, title: str, message: str, level: str = "info", detail: str | None = None) -> None:
        shown = detail if detail and self.show_text else message
        self.history = (self.history + [(level, title, shown)])[-50:]
        # Titles are fixed strings; messages may name a file or a device, so they stay out of the log.
        log.info("notice (%s): %s", level, title)
        if not self.notifications:
            return
        if self._desktop is not None and self._lane is not None and self._desktop_ok is not False:
            self._lane.submit(lambda: self._send(title, shown, level))
            return
        self._balloon(title, shown, level)

    def _send(self, title: str, message: str, level: str) -> None:  # on the lane
        desktop = self._desktop
        assert desktop is not None
        if self._desktop_ok is None:
            self._desktop_ok = desktop.available()
        if not (self._desktop_ok and desktop.send(title, message, level)):
            if self._desktop_ok is not False:
                log.info("falling back to tray balloons for notifications")
            self._desktop_ok = False
            self._fallback.emit(title, message, level)

    def _balloon(self, title: str, message: str, level: str) -> None:
        tray = self.tray
        if tray is not None and tray.isVisible() and QSystemTrayIcon.supportsMessages():
            tray.showMessage(title, message, _ICONS.get(level, _ICONS["info"]), 5000)

    def error_dialog(self, message: str) -> None:
        """Last resort for errors that must not be missed; a log line when dialogs are off."""
        if not self.dialogs:
            log.error("error (dialog suppressed by --no-err-windows): %s", message.splitlines()[0])
            return
        box = QMessageBox(QMessageBox.Icon.Critical, "TrayAssist", message)
        box.setModal(False)
        box.show()
        self._box = box  # keep a reference while it is shown
