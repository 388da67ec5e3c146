"""Composition root: builds every service, wires them together, starts Qt.

Nothing else constructs services. Heavy modules (the model runtime) are
imported lazily so the tray shows up fast.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Iterator
from typing import Any

from trayassist import __version__
from trayassist.core.config import Settings, SettingsStore
from trayassist.core.instance import InstanceLock
from trayassist.core.paths import Paths

log = logging.getLogger(__name__)


def hand_over(paths: Paths, attempts: float = 15.0) -> int:
    """Another instance holds the lock: tell it we were launched, then exit 0."""
    from trayassist import ipc_client
    from trayassist.core.ipc_protocol import ProtocolError

    deadline = time.monotonic() + attempts
    while True:
        try:
            ipc_client.call(paths.ipc_name, "activate", timeout=5.0)
            print("TrayAssist is already running; handed over to it.")
            return 0
        except (ipc_client.NotRunning, ProtocolError, OSError):
            # The first instance may still be starting up: its socket appears shortly.
            if time.monotonic() > deadline:
                print("trayassist: error: another TrayAssist holds the lock but does not answer",
                      file=sys.stderr)
                return 1
            time.sleep(0.1)


def run(paths: Paths, no_err_windows: bool = False, verbose: bool = False) -> int:
    paths.ensure()
    from trayassist.core.logsetup import setup_logging

    setup_logging(paths, verbose)
    lock = InstanceLock(paths.runtime / "instance.lock")
    if not lock.acquire():
        return hand_over(paths)
    # Offline unless the user consents to a download (that code lifts it for one call).
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        return _run_qt(paths, no_err_windows)
    finally:
        lock.release()


def _run_qt(paths: Paths, no_err_windows: bool) -> int:
    from PySide6.QtWidgets import QApplication

    from trayassist.core.events import EventBus
    from trayassist.core.logsetup import install_excepthook

    store = SettingsStore(paths.settings_file)
    settings = store.load()
    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    qapp.setApplicationName("TrayAssist")
    qapp.setApplicationVersion(__version__)
    qapp.setQuitOnLastWindowClosed(False)
    bus = EventBus()
    shell = TrayShell(paths, store, settings, bus, dialogs=not no_err_windows)
    install_excepthook(paths, shell.show_crash)
    for problem in store.problems:
        shell.notifier.notify("Settings", problem, "warning")
    log.info("TrayAssist %s started (pid %d)", __version__, os.getpid())
    code = qapp.exec()
    shell.shutdown()
    return int(code)


class TrayShell:
    """Owns the Qt side: tray, windows, IPC server, and the controller behind them."""

    def __init__(self, paths: Paths, store: SettingsStore, settings: Settings, bus: Any, dialogs: bool) -> None:
        from PySide6.QtWidgets import QApplication, QSystemTrayIcon

        from trayassist.core.controller import Controller
        from trayassist.ui.bridge import Bridge
        from trayassist.ui.ipc_server import IpcServer
        from trayassist.ui.notifier import Notifier
        from trayassist.ui.tasks import TaskRunner
        from trayassist.ui.tray import Tray

        self.paths = paths
        self.tasks = TaskRunner()
        self.bridge = Bridge(bus)
        self.controller = Controller(bus, store, settings)
        self.tray = Tray(
            actions={"toggle": self.toggle, "history": self.show_history, "privacy": self.show_privacy,
                     "settings": self.show_settings, "about": self.show_about, "quit": QApplication.quit},
            on_pause=self.controller.set_indicators_paused,
        )
        self.notifier = Notifier(self.tray, dialogs=dialogs, notifications=settings.notifications)
        self.bridge.state_changed.connect(lambda _e: self.refresh())
        self.bridge.privacy_changed.connect(lambda e: self.tray.apply(e.snapshot))
        self.bridge.notice.connect(lambda e: self.notifier.notify(e.title, e.message, e.level))
        self.bridge.settings_changed.connect(self._settings_changed)
        self.windows: dict[str, Any] = {}
        self.ipc = IpcServer(paths.ipc_name, self.handle_request)
        self.ipc.listen()
        self.tray_available = QSystemTrayIcon.isSystemTrayAvailable()
        self.tray.show()
        self.refresh()
        if not self.tray_available:
            log.warning("no system tray available; the app runs without an icon (use the CLI)")

    # ---- GUI actions ---------------------------------------------------
    def refresh(self) -> None:
        self.tray.apply(self.controller.status())

    def toggle(self) -> None:
        def done(_result: Any, error: BaseException | None) -> None:
            if error is not None:
                self.notifier.notify("Microphone", str(error), "error")
            self.refresh()

        self.tasks.run_task(self.controller.toggle, done)

    def show_history(self) -> None:
        self.notifier.notify("History", "The history window is not available yet.", "info")

    def show_privacy(self) -> None:
        self.notifier.notify("Privacy", self.tray.toolTip(), "info")

    def show_settings(self) -> None:
        from trayassist.ui.settings_dialog import SettingsDialog

        dialog = self.windows.get("settings")
        if dialog is None:
            dialog = SettingsDialog(self.controller.settings)
            dialog.accepted.connect(lambda: self._save_settings(dialog))
            dialog.finished.connect(lambda _r: self.windows.pop("settings", None))
            self.windows["settings"] = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def _save_settings(self, dialog: Any) -> None:
        settings = dialog.value()
        self.tasks.run_task(lambda: self.controller.update_settings(settings),
                            lambda _r, e: e and self.notifier.notify("Settings", f"not saved: {e}", "error"))

    def _settings_changed(self, event: Any) -> None:
        self.notifier.notifications = event.settings.notifications

    def show_about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.about(None, "About TrayAssist",
                          f"TrayAssist {__version__}\n\nYour voice is transcribed on this computer. "
                          "Nothing is sent anywhere; the tray shows which programs use the "
                          "microphone and the network.")

    def show_crash(self, message: str) -> None:
        self.notifier.error_dialog(message)

    # ---- IPC ------------------------------------------------------------
    def handle_request(self, request: Any, reply: Any) -> None:
        from trayassist.core.controller import UserError
        from trayassist.core.ipc_protocol import encode_reply

        def answer(result: Any, error: BaseException | None) -> None:
            if error is None:
                reply(encode_reply(True, result))
            elif isinstance(error, UserError):
                reply(encode_reply(False, error=str(error)))
            else:
                log.error("command %s failed: %s", request.cmd, type(error).__name__, exc_info=error)
                reply(encode_reply(False, error=f"{request.cmd} failed: {type(error).__name__}"))

        cmd, args = request.cmd, request.args
        if cmd == "status":
            answer(self.controller.status(), None)
        elif cmd == "activate":
            self.notifier.notify("TrayAssist", "TrayAssist is already running in the tray.", "info")
            answer({"pid": os.getpid()}, None)
        elif cmd == "quit":
            from PySide6.QtCore import QTimer
            from PySide6.QtWidgets import QApplication

            answer({"quitting": True}, None)
            QTimer.singleShot(50, QApplication.quit)
        elif cmd == "ptt.press":
            self.tasks.run_task(lambda: (self.controller.press(), self.controller.status()["mic"])[1], answer)
        elif cmd == "ptt.toggle":
            self.tasks.run_task(lambda: {"did": self.controller.toggle()}, answer)
        elif cmd == "ptt.release":
            wait = bool(args.get("wait"))

            def release() -> Any:
                future = self.controller.release()
                return future.result() if wait else {"released": True}

            self.tasks.run_task(release, answer)
        elif cmd == "ask":
            text = args.get("text")
            if not isinstance(text, str) or not text.strip():
                answer(None, UserError("ask needs text"))
                return
            self.tasks.run_task(lambda: self.controller.ask(text, bool(args.get("dry_run"))), answer)
        else:  # pragma: no cover - the protocol rejects unknown commands
            answer(None, UserError(f"unknown command {cmd}"))

    def shutdown(self) -> None:
        self.ipc.close()
        self.tray.hide()
        self.controller.shutdown()
        self.tasks.shutdown()


@contextlib.contextmanager
def build_local_assistant(paths: Paths) -> Iterator[Any]:
    """The assistant without a running app, for `trayassist ask` from scripts."""
    raise RuntimeError("the assistant is not available yet")
    yield  # pragma: no cover
