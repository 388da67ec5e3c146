"""Turns core events (published on any thread) into queued Qt signals."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from trayassist.core.events import (
    DownloadNeeded,
    DownloadProgress,
    Event,
    EventBus,
    HistoryChanged,
    Notice,
    PartialText,
    SettingsChanged,
    StatusChanged,
    UtteranceDone,
)


class Bridge(QObject):
    status_changed = Signal(object)  # a Status
    utterance_done = Signal(object)
    partial_text = Signal(object)  # a PartialText
    notice = Signal(object)
    settings_changed = Signal(object)
    download_needed = Signal(object)
    download_progress = Signal(object)  # a DownloadProgress
    history_changed = Signal(object)

    def __init__(self, bus: EventBus) -> None:
        super().__init__()
        bus.subscribe(self._on_event)

    def _on_event(self, event: Event) -> None:
        # Signals of an object living on the GUI thread are queued when emitted elsewhere.
        if isinstance(event, StatusChanged):
            self.status_changed.emit(event.status)
        elif isinstance(event, UtteranceDone):
            self.utterance_done.emit(event)
        elif isinstance(event, PartialText):
            self.partial_text.emit(event)
        elif isinstance(event, Notice):
            self.notice.emit(event)
        elif isinstance(event, SettingsChanged):
            self.settings_changed.emit(event)
        elif isinstance(event, DownloadNeeded):
            self.download_needed.emit(event)
        elif isinstance(event, DownloadProgress):
            self.download_progress.emit(event)
        elif isinstance(event, HistoryChanged):
            self.history_changed.emit(event)
