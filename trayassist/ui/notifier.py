"""The one way errors and replies reach the user: tray balloons, dialogs or log lines."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox, QSystemTrayIcon

log = logging.getLogger(__name__)

_ICONS = {
    "info": QSystemTrayIcon.MessageIcon.Information,
    "warning": QSystemTrayIcon.MessageIcon.Warning,
    "error": QSystemTrayIcon.MessageIcon.Critical,
}


class Notifier:
    def __init__(self, tray: QSystemTrayIcon | None, dialogs: bool, notifications: bool = True) -> None:
        self.tray = tray
        self.dialogs = dialogs
        self.notifications = notifications
        self.history: list[tuple[str, str, str]] = []  # recent notices, for tests and About

    def notify(self, title: str, message: str, level: str = "info") -> None:
        self.history = (self.history + [(level, title, message)])[-50:]
        # Titles are fixed strings; messages may quote a reply, so they stay out of the log.
        log.info("notice (%s): %s", level, title)
        tray = self.tray
        if self.notifications and tray is not None and tray.isVisible() and QSystemTrayIcon.supportsMessages():
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
