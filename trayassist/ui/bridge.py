"""Turns core events (published on any thread) into queued Qt signals."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from trayassist.core.events import Event, EventBus, Notice, PrivacyChanged, SettingsChanged, StateChanged, UtteranceDone


class Bridge(QObject):
    state_changed = Signal(object)
    utterance_done = Signal(object)
    privacy_changed = Signal(object)
    notice = Signal(object)
    settings_changed = Signal(object)

    def __init__(self, bus: EventBus) -> None:
        super().__init__()
        bus.subscribe(self._on_event)

    def _on_event(self, event: Event) -> None:
        # Signals of an object living on the GUI thread are queued when emitted elsewhere.
        if isinstance(event, StateChanged):
            self.state_changed.emit(event)
        elif isinstance(event, UtteranceDone):
            self.utterance_done.emit(event)
        elif isinstance(event, PrivacyChanged):
            self.privacy_changed.emit(event)
        elif isinstance(event, Notice):
            self.notice.emit(event)
        elif isinstance(event, SettingsChanged):
            self.settings_changed.emit(event)
