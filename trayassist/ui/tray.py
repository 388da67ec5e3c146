"""The tray icon: its drawn state, tooltip in words, and menu."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from trayassist.core.status import State, Status
from trayassist.core.status_text import describe
from trayassist.ui.icons import IconState, make_icon

UPLOADING_BPS = 20_000  # below this, background chatter; above it the arrow shows


def icon_state(status: Status) -> IconState:
    net = status.network
    own = net.self_connections or 0
    paused = status.indicators_paused
    return IconState(
        state=status.state.value,
        others_on_mic=bool(status.mic_others),
        uploading=(net.up_bps or 0) >= UPLOADING_BPS,
        # Our own promise broken, or a recording program that uploads: red.
        alert=not paused and (net.alert is not None or own > 0),
        paused=paused,
        waiting=status.state is State.LISTENING and not status.mic_receiving,
    )


class Tray(QSystemTrayIcon):
    def __init__(self, actions: dict[str, Callable[[], None]], on_pause: Callable[[bool], None]) -> None:
        super().__init__()
        self._icon_state: IconState | None = None
        menu = QMenu()
        # Every entry has a mnemonic: the menu works from the keyboard (unique letters).
        self.listen_action = QAction("Start &listening", menu)
        self.listen_action.triggered.connect(actions["toggle"])
        menu.addAction(self.listen_action)
        # Only while listening: discard what is being said (Escape on the keyboard does the same).
        self.cancel_action = QAction("&Cancel (discard what I said)", menu)
        self.cancel_action.triggered.connect(actions["cancel"])
        self.cancel_action.setVisible(False)
        menu.addAction(self.cancel_action)
        menu.addSeparator()
        entries = (("&History…", "history"), ("&Privacy…", "privacy"),
                   ("&Transcribe a file…", "transcribe_file"), ("&Settings…", "settings"),
                   ("Speech &models…", "models"))
        for label, key in entries:
            if key not in actions:
                continue
            act = QAction(label, menu)
            act.triggered.connect(actions[key])
            menu.addAction(act)
        forget = menu.addMenu("&Forget")
        for label, key in (("The last &5 minutes", "forget_5m"), ("&Today", "forget_today")):
            act = QAction(label, forget)
            act.triggered.connect(actions[key])
            forget.addAction(act)
        self.pause_action = QAction("Pa&use indicators", menu)
        self.pause_action.setCheckable(True)
        self.pause_action.toggled.connect(on_pause)
        menu.addAction(self.pause_action)
        menu.addSeparator()
        about = QAction("&About TrayAssist", menu)
        about.triggered.connect(actions["about"])
        menu.addAction(about)
        quit_ = QAction("&Quit", menu)
        quit_.triggered.connect(actions["quit"])
        menu.addAction(quit_)
        self._menu = menu
        self.setContextMenu(menu)
        self.activated.connect(lambda reason: self._activated(reason, actions["toggle"]))
        self.apply(Status(State.IDLE))

    @staticmethod
    def _activated(reason: QSystemTrayIcon.ActivationReason, toggle: Callable[[], None]) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:  # left click
            toggle()

    def apply(self, status: Status) -> None:
        state = icon_state(status)
        if state != self._icon_state:  # repainting costs; the status arrives every second
            self._icon_state = state
            self.setIcon(make_icon(state))
        listening = status.state is State.LISTENING
        self.listen_action.setText("Stop &listening" if listening else "Start &listening")
        self.cancel_action.setVisible(listening)
        tip = describe(status)
        if tip != self.toolTip():
            self.setToolTip(tip)
