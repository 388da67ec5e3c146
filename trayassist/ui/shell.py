"""The Qt shell: tray, windows and the IPC server, wired to the services.

The tray shows first; services start on the next event-loop turn, so the icon
appears fast and heavy work (the model) waits for the first press. Services are
built by the `builders` handed in (trayassist/services.py), never here.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from trayassist import __version__
from trayassist.core.config import Settings, SettingsStore
from trayassist.core.controller import Controller
from trayassist.core.paths import Paths
from trayassist.ui.bridge import Bridge
from trayassist.ui.ipc_server import IpcServer
from trayassist.ui.notifier import Notifier
from trayassist.ui.tasks import TaskRunner
from trayassist.ui.tray import Tray

log = logging.getLogger(__name__)

PURGE_EVERY_MS = 3600 * 1000  # expired history is removed hourly and at start
ASSISTANT_WAIT_S = 20.0
SPEECH_FIELDS = ("model", "model_path", "language", "device", "compute_type", "input_device",
                 "model_idle_unload_s")


def run_shell(paths: Paths, no_err_windows: bool, guard: Any, builders: Any) -> int:
    from trayassist.core.events import EventBus
    from trayassist.core.logsetup import install_excepthook

    store = SettingsStore(paths.settings_file)
    settings = store.load()
    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    qapp.setApplicationName("TrayAssist")
    qapp.setApplicationVersion(__version__)
    qapp.setQuitOnLastWindowClosed(False)
    shell = TrayShell(paths, store, settings, EventBus(), dialogs=not no_err_windows, guard=guard,
                      env=dict(os.environ), builders=builders)
    install_excepthook(paths, shell.show_crash)
    for problem in store.problems:
        shell.notifier.notify("Settings", problem, "warning")
    log.info("TrayAssist %s started (pid %d)", __version__, os.getpid())
    code = qapp.exec()
    shell.shutdown()
    recorder = getattr(shell.controller.session, "recorder", None)
    if getattr(recorder, "stuck", False):
        # PortAudio never let go of a stream (the sound server died mid-recording);
        # interpreter teardown would crash in its thread, so leave right here.
        logging.shutdown()
        os._exit(int(code))
    return int(code)


class TrayShell(QObject):
    """Owns the Qt side: tray, windows, IPC server; wires the services to them."""

    download_needed = Signal(object)  # a ModelNeedsDownload, from the model thread

    def __init__(self, paths: Paths, store: SettingsStore, settings: Settings, bus: Any, dialogs: bool,
                 guard: Any = None, env: dict[str, str] | None = None, builders: Any = None) -> None:
        super().__init__()
        self.builders = builders
        self.paths = paths
        self.dialogs = dialogs
        self.guard = guard
        self.env = env if env is not None else dict(os.environ)
        self.tasks = TaskRunner()
        # Push-to-talk commands keep their order (press before release) on one lane.
        self.ptt_lane = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ptt")
        self.bus = bus
        self.bridge = Bridge(bus)
        self.controller = Controller(bus, store, settings)
        self.tray = Tray(
            actions={"toggle": self.toggle, "history": self.show_history, "privacy": self.show_privacy,
                     "settings": self.show_settings, "about": self.show_about, "quit": QApplication.quit,
                     "forget_5m": lambda: self.forget("5m"), "forget_today": lambda: self.forget("today")},
            on_pause=self.set_paused,
        )
        self.notifier = Notifier(self.tray, dialogs=dialogs, notifications=settings.notifications)
        self.bridge.state_changed.connect(self._state_changed)
        self.bridge.privacy_changed.connect(self._privacy_changed)
        self.bridge.notice.connect(lambda e: self.notifier.notify(e.title, e.message, e.level))
        self.bridge.settings_changed.connect(self._settings_changed)
        self.bridge.utterance_done.connect(self._utterance_done)
        self.download_needed.connect(self.offer_download)
        self._applied = settings
        self.assistant_ready = threading.Event()
        self.windows: dict[str, Any] = {}
        self._settings_pending = False  # the Settings dialog waits for the device list
        self.history_store: Any = None
        self.history_problem: str | None = None
        self.monitor: Any = None
        self.hotkey: Any = None
        self.hotkey_backend: Any = None
        self.output: Any = None
        self.timers: Any = None
        self.autostart: Any = None
        self._download_offered: set[str] = set()
        self.ipc = IpcServer(paths.ipc_name, self.handle_request)
        self.ipc.listen()
        self.tray_available = QSystemTrayIcon.isSystemTrayAvailable()
        self.tray.show()
        self.refresh()
        if not self.tray_available:
            log.warning("no system tray yet: the icon appears when one starts (meanwhile use the hotkey or CLI)")
        self._purge_timer = QTimer(self)
        self._purge_timer.timeout.connect(self._purge)
        self._purge_timer.start(PURGE_EVERY_MS)
        QTimer.singleShot(0, self._start_services)

    # ---- services ---------------------------------------------------------
    def _start_services(self) -> None:
        settings = self.controller.settings
        self._build_session(settings)
        try:
            self.output = self.builders.build_output(self.env)
            self.controller.output = self._deliver
            self.controller.press_hooks.append(self.output.focus.mark)
        except Exception as exc:
            log.warning("text output unavailable: %s", exc)
        self.controller.press_hooks.append(lambda: self._sound("start"))
        self.controller.release_hooks.append(lambda: self._sound("stop"))
        try:
            self.monitor = self.builders.build_privacy(settings, self.controller, self.guard, self._timeline_event)
            self.controller.privacy = self.monitor
            self.monitor.start()
        except Exception as exc:
            log.warning("privacy indicators unavailable: %s", exc)
            self.notifier.notify("Privacy indicators", f"not available: {exc}", "warning")
        self._start_hotkey(settings)
        self._sync_autostart(settings)
        self._open_history(None)

    def _build_session(self, settings: Settings) -> None:
        old = self.controller.session
        try:
            session = self.builders.build_session(self.paths, settings, self.controller,
                                             on_needs_download=self.download_needed.emit)
        except RuntimeError as exc:
            self.controller.session = None
            self.controller.error = str(exc)
            self.notifier.notify("Microphone", str(exc), "error")
            self.refresh()
            return
        self.controller.session = session
        if old is not None:
            self.tasks.run_task(old.shutdown)
        # Look the device up now, so a press never enumerates devices; a missing mic shows at once.
        self.tasks.run_task(session.recorder.prepare, self._device_checked)

    def _device_checked(self, _device: Any, error: BaseException | None) -> None:
        if error is None:
            if self.controller.error and self.controller.error.startswith("No microphone"):
                self.controller.error = None
        else:
            self.controller.error = str(error).splitlines()[0] if str(error) else type(error).__name__
            self.notifier.notify("Microphone", self.controller.error, "error")
        self.refresh()

    def _start_hotkey(self, settings: Settings) -> None:
        """Pick and start the global hotkey off the GUI thread (the portal may wait on a dialog)."""
        from trayassist.platform.hotkeys import HotkeyController, parse_chord, select_backend

        old, self.hotkey_backend = self.hotkey_backend, None
        try:
            chord = parse_chord(settings.hotkey)
        except ValueError as exc:
            self.notifier.notify("Hotkey", f"{exc}; use the tray or `trayassist ptt toggle`", "warning")
            return
        controller = HotkeyController(settings.hotkey_mode, on_start=self._hotkey_start, on_stop=self._hotkey_stop)
        self.hotkey = controller

        def start() -> Any:
            if old is not None:
                old.stop()
            choice = select_backend(self.env, app_id="trayassist")
            choice.backend.start(chord, controller.press, controller.release)
            return choice.backend

        def started(backend: Any, error: BaseException | None) -> None:
            if error is not None:
                log.warning("hotkey backend failed: %s", error)
                self.notifier.notify("Hotkey", "No global hotkey works here. Bind `trayassist ptt toggle` "
                                     "to a key in your desktop's shortcut settings.", "warning")
                return
            self.hotkey_backend = backend
            if not backend.is_global:
                self.notifier.notify("Hotkey", "No global hotkey works in this session. Bind "
                                     "`trayassist ptt toggle` to a key in your desktop's shortcut settings.",
                                     "info")

        self.tasks.run_task(start, started)

    def _hotkey_start(self) -> None:  # hotkey listener thread: hand over at once
        self.ptt_lane.submit(self._guarded, self.controller.press)

    def _hotkey_stop(self) -> None:
        self.ptt_lane.submit(self._guarded, self.controller.release)

    def _guarded(self, fn: Any) -> None:
        from trayassist.core.controller import UserError
        from trayassist.core.events import Notice

        try:
            fn()
        except UserError as exc:
            self.bus.publish(Notice("Microphone", str(exc), "error"))

    def _deliver(self, text: str, mode: str) -> dict[str, Any]:
        from trayassist.core.events import Notice

        result = self.output.deliver(text, mode)
        if result.notice:
            self.bus.publish(Notice("Text", result.notice, "warning" if result.error else "info"))
        return {"mode": result.mode, "inserted": result.inserted, "method": result.method,
                "on_clipboard": result.on_clipboard, "focus_changed": result.focus_changed,
                "error": result.error}

    def _sound(self, which: str) -> None:
        if not self.controller.settings.sounds:
            return
        try:
            from trayassist.platform import sounds

            sounds.play_sound(sounds.START_SOUND if which == "start" else sounds.STOP_SOUND)
        except Exception as exc:  # a missing player never matters
            log.debug("sound %s not played: %s", which, exc)

    def _sync_autostart(self, settings: Settings) -> None:
        try:
            self.autostart = self.autostart or self.builders.autostart_for(self.paths, self.env)
            if self.autostart.is_enabled() != settings.start_at_login:
                self.autostart.set_enabled(settings.start_at_login)
        except Exception as exc:
            self.notifier.notify("Start at login", f"could not be changed: {exc}", "warning")

    # ---- history ----------------------------------------------------------
    def _open_history(self, passphrase: str | None, show: bool = False) -> None:
        settings = self.controller.settings
        self.tasks.run_task(lambda: self.builders.open_history(self.paths, settings, passphrase=passphrase),
                            lambda opening, error: self._history_opened(opening, error, show), serial=True)

    def _history_opened(self, opening: Any, error: BaseException | None, show: bool = False) -> None:
        if error is not None:
            opening = self.builders.HistoryOpening(None, f"history could not open ({type(error).__name__})", "error")
        self.history_store = opening.store
        self.history_problem = opening.problem
        self.controller.history = opening.store
        if opening.store is None and opening.problem:
            if self.dialogs and self._ask_history_key(opening, show):
                return  # reopening with the user's answer
            self.notifier.notify("History", f"History is not being saved: {opening.problem}", "warning")
        elif opening.extra.get("aside"):
            self.notifier.notify("History", "A new history was started; the old one is kept aside, unchanged, "
                                 f"as {opening.extra['aside']}.", "info")
        self._build_assistant()
        if show and opening.store is not None:
            self.show_history()

    def _ask_history_key(self, opening: Any, show: bool = False) -> bool:
        from PySide6.QtWidgets import QDialog

        from trayassist.ui.key_dialog import KeyChoiceDialog, PassphraseDialog

        if opening.kind in ("PassphraseNeeded", "WrongPassphrase"):
            dialog = PassphraseDialog(opening.problem)
            if dialog.exec() == QDialog.DialogCode.Accepted and dialog.passphrase.text():
                self._open_history(dialog.passphrase.text(), show)
                return True
            return False
        if opening.extra.get("fresh_start"):
            return self._offer_fresh_start(opening, show)
        if opening.kind == "KeyUnavailable" and self.controller.settings.history_key_backend == "auto":
            dialog = KeyChoiceDialog("No secure keyring (such as GNOME Keyring or KWallet) is available "
                                     "to keep the key of your encrypted history.")
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            backend, passphrase = dialog.choice()
            self.controller.update_settings(self.controller.settings.replace(history_key_backend=backend))
            self._open_history(passphrase)
            return True
        return False

    def _offer_fresh_start(self, opening: Any, show: bool) -> bool:
        """A history that cannot be opened: offer a new one, keeping the old files aside."""
        from PySide6.QtWidgets import QDialog

        from trayassist.ui.key_dialog import FreshStartDialog, PassphraseDialog

        if FreshStartDialog(opening.problem).exec() != QDialog.DialogCode.Accepted:
            return False
        settings = self.controller.settings
        passphrase = None
        if settings.history_key_backend == "passphrase":
            dialog = PassphraseDialog("Choose a passphrase for the new history.", new=True)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            passphrase = dialog.passphrase.text()
        self.tasks.run_task(lambda: self.builders.start_new_history(self.paths, settings, passphrase=passphrase),
                            lambda result, error: self._history_opened(result, error, show), serial=True)
        return True

    def _build_assistant(self) -> None:
        from trayassist.core.events import Notice

        if self.timers is not None:
            self.timers.stop()
        try:
            assistant, timers = self.builders.build_assistant(
                self.controller.settings, self.history_store,
                notify=lambda title, message: self.bus.publish(Notice(title, message, "info")),
                status=self.controller.status, env=self.env, play_sound=lambda: self._sound("start"))
        except Exception as exc:
            log.exception("assistant unavailable")
            self.notifier.notify("Assistant", f"not available: {type(exc).__name__}", "warning")
            return
        self.controller.assistant = assistant
        self.timers = timers
        timers.start()
        self.assistant_ready.set()

    def _timeline_event(self, event: dict[str, Any]) -> None:
        """Privacy monitor thread: keep the event (encrypted) and show it if the window is open."""
        store = self.history_store
        if store is not None:
            try:
                store.put_item("privacy_event", f"{event.get('ts', time.time())}-{event.get('kind')}", event)
            except Exception as exc:
                log.info("privacy event not stored: %s", type(exc).__name__)

    def _purge(self) -> None:
        store = self.history_store
        if store is not None:
            self.tasks.run_task(store.purge_expired, serial=True)

    # ---- reactions (GUI thread) -------------------------------------------
    def refresh(self) -> None:
        self.tray.apply(self.controller.status())

    def _state_changed(self, event: Any) -> None:
        if self.hotkey is not None:
            self.hotkey.sync(event.state == "listening")
        self.refresh()

    def _privacy_changed(self, event: Any) -> None:
        self.tray.apply(event.snapshot)
        window = self.windows.get("privacy")
        if window is not None and window.isVisible() and self.monitor is not None:
            window.update_snapshot(self.monitor.snapshot())

    def _utterance_done(self, event: Any) -> None:
        reply = (event.assistant or {}).get("reply") if event.assistant else None
        if event.assistant and event.assistant.get("skill"):
            self.notifier.notify("TrayAssist", reply or "Done.", "info")
            if reply and self.controller.settings.spoken_replies:
                self.builders.speak(reply)
            if event.assistant.get("needs_confirmation") and self.history_store is not None:
                self.show_history(confirm_wipe=True)
        elif event.assistant and self.controller.settings.output_mode == "none":
            self.notifier.notify("TrayAssist", "No command recognised; kept in history.", "info")

    def _settings_changed(self, event: Any) -> None:
        before, new = self._applied, event.settings
        self._applied = new
        self.notifier.notifications = new.notifications
        if any(getattr(before, f) != getattr(new, f) for f in SPEECH_FIELDS):
            self._build_session(new)
        if (before.hotkey, before.hotkey_mode) != (new.hotkey, new.hotkey_mode):
            self._start_hotkey(new)
        if before.indicators_enabled != new.indicators_enabled and self.monitor is not None:
            self.set_paused(not new.indicators_enabled)
        if before.start_at_login != new.start_at_login:
            self._sync_autostart(new)
        if self.history_store is not None:
            self.history_store.retention = new.history_retention
        if before.history_key_backend != new.history_key_backend and self.history_store is None:
            self._open_history(None)
        if (before.llm_enabled, before.llm_url, before.llm_model) != (new.llm_enabled, new.llm_url, new.llm_model):
            self._build_assistant()

    # ---- GUI actions -------------------------------------------------------
    def toggle(self) -> None:
        from trayassist.core.controller import UserError

        def run() -> None:
            try:
                self.controller.toggle()
            except UserError as exc:
                from trayassist.core.events import Notice

                self.bus.publish(Notice("Microphone", str(exc), "error"))

        self.ptt_lane.submit(run)

    def set_paused(self, paused: bool) -> None:
        if self.tray.pause_action.isChecked() != paused:
            self.tray.pause_action.setChecked(paused)  # re-enters through the toggled signal
            return
        self.tasks.run_task(lambda: self.controller.set_indicators_paused(paused))

    def show_history(self, confirm_wipe: bool = False) -> None:
        if self.history_store is None and self.history_problem and self.dialogs:
            self._open_history(None, show=True)  # try again: offers the way out if it still fails
            return
        if self.history_store is None:
            self.notifier.notify("History", f"History is not available: {self.history_problem or 'turned off'}",
                                 "warning")
            return
        from trayassist.ui.history_window import HistoryWindow

        window = self.windows.get("history")
        if window is None:
            window = HistoryWindow(self.history_store,
                                   run_task=lambda f, done: self.tasks.run_task(f, done, serial=True))
            self.windows["history"] = window
        self._present(window)
        if confirm_wipe:
            window.wipe()

    def forget(self, span: str) -> None:
        """Tray menu: forget the last 5 minutes / today, without opening the window."""
        store = self.history_store
        if store is None:
            self.notifier.notify("History", f"History is not available: {self.history_problem or 'turned off'}",
                                 "warning")
            return
        from datetime import UTC, datetime

        from trayassist.core.history.retention import forget_start

        start = forget_start(span, datetime.now(UTC))
        what = "the last 5 minutes" if span == "5m" else "today"
        self.tasks.run_task(lambda: store.forget_since(start), lambda n, e: self.notifier.notify(
            "History", f"Forgot {what}: {n} item(s)." if e is None else f"Could not forget: {e}",
            "info" if e is None else "error"), serial=True)

    def show_privacy(self) -> None:
        from trayassist.ui.privacy_window import PrivacyWindow

        window = self.windows.get("privacy")
        if window is None:
            window = PrivacyWindow()
            window.acknowledge_requested.connect(self._acknowledge)
            self.windows["privacy"] = window
        if self.monitor is not None:
            window.update_snapshot(self.monitor.snapshot())
        self._present(window)

    def _acknowledge(self, exe: str) -> None:
        if self.monitor is None:
            return
        try:
            apps = self.monitor.acknowledge(exe)
        except ValueError as exc:
            self.notifier.notify("Privacy", str(exc), "warning")
            return
        settings = self.controller.settings.replace(acknowledged_apps=list(apps))
        self.tasks.run_task(lambda: self.controller.update_settings(settings))

    def show_settings(self) -> None:
        from trayassist.ui.settings_dialog import SettingsDialog

        dialog = self.windows.get("settings")
        if dialog is not None:
            self._present(dialog)
            return
        if self._settings_pending:
            return
        self._settings_pending = True

        def open_dialog(names: list[str] | None, error: BaseException | None) -> None:
            self._settings_pending = False
            dialog = SettingsDialog(self.controller.settings, input_devices=lambda: names or [])
            dialog.accepted.connect(lambda: self._save_settings(dialog))
            dialog.finished.connect(lambda _r: self.windows.pop("settings", None))
            self.windows["settings"] = dialog
            self._present(dialog)

        # Listing devices may re-initialise PortAudio (a mic plugged in since start): off the GUI thread.
        self.tasks.run_task(self._input_devices, open_dialog)

    def _input_devices(self) -> list[str]:
        recorder = getattr(self.controller.session, "recorder", None)
        if recorder is not None:
            return list(recorder.input_names())
        try:
            import sounddevice
        except Exception:  # PortAudio missing: no list to offer
            return []
        from trayassist.core.audio import input_device_names

        return input_device_names(sounddevice)

    def _save_settings(self, dialog: Any) -> None:
        settings = dialog.value()
        self.tasks.run_task(lambda: self.controller.update_settings(settings),
                            lambda _r, e: e and self.notifier.notify("Settings", f"not saved: {e}", "error"))

    @staticmethod
    def _present(window: Any) -> None:
        window.show()
        window.raise_()
        window.activateWindow()

    def show_about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.about(None, "About TrayAssist",
                          f"TrayAssist {__version__}\n\nYour voice is transcribed on this computer. "
                          "Nothing is sent anywhere; the tray shows which programs use the "
                          "microphone and the network.")

    def show_crash(self, message: str) -> None:
        self.notifier.error_dialog(message)

    def offer_download(self, exc: Any) -> None:
        """The model is missing: ask once per model, download only after 'Download'."""
        from trayassist.ui.download_dialog import DownloadDialog

        if not self.dialogs or exc.name in self._download_offered:
            self.notifier.notify("Model", str(exc), "warning")
            return
        self._download_offered.add(exc.name)
        from trayassist.core.transcribe.models import human_size

        dialog = DownloadDialog(exc.name, human_size(exc.approx_size))
        dialog.exec()
        if dialog.consented():
            self._download(exc.name)

    def _download(self, name: str) -> None:
        from trayassist.core.transcribe import models

        def work() -> Any:
            with self.guard.allow_for(3600, f"download model {name}"):
                return models.download(name, consent=True, hub_cache=self.builders.hub_cache(self.paths))

        self.notifier.notify("Model", f"Downloading {name}… the tray shows the traffic.", "info")
        self.tasks.run_task(work, lambda _r, e: self.notifier.notify(
            "Model", f"{name} is ready." if e is None else str(e), "info" if e is None else "error"))

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

        def on_lane(fn: Any) -> None:
            def run() -> None:
                try:
                    answer(fn(), None)
                except BaseException as exc:
                    answer(None, exc)

            self.ptt_lane.submit(run)

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
            on_lane(lambda: (self.controller.press(), self.controller.status()["mic"])[1])
        elif cmd == "ptt.toggle":
            on_lane(lambda: {"did": self.controller.toggle()})
        elif cmd == "ptt.release":
            wait = bool(args.get("wait"))

            def release() -> Any:
                future = self.controller.release()
                if not wait:
                    return {"released": True}
                # Wait off the ptt lane, so a press can follow while we wait.
                self.tasks.run_task(lambda: future.result(timeout=300), answer)
                return None

            def run_release() -> None:
                try:
                    result = release()
                    if not wait:
                        answer(result, None)
                except BaseException as exc:
                    answer(None, exc)

            self.ptt_lane.submit(run_release)
        elif cmd == "ask":
            text = args.get("text")
            if not isinstance(text, str) or not text.strip():
                answer(None, UserError("ask needs text"))
                return
            def ask() -> Any:
                # Right after start the history (and so the assistant) may still be opening.
                if not self.assistant_ready.wait(ASSISTANT_WAIT_S):
                    raise UserError("the assistant is still starting; try again in a moment")
                return self.controller.ask(text, bool(args.get("dry_run")))

            self.tasks.run_task(ask, answer)
        else:  # pragma: no cover - the protocol rejects unknown commands
            answer(None, UserError(f"unknown command {cmd}"))

    def shutdown(self) -> None:
        self.ipc.close()
        self.tray.hide()
        if self.hotkey_backend is not None:
            self.hotkey_backend.stop()
        if self.timers is not None:
            self.timers.stop()
        self.ptt_lane.shutdown(wait=True)
        self.controller.shutdown()
        self.tasks.shutdown()
        if self.history_store is not None:
            with contextlib.suppress(Exception):
                self.history_store.close()
