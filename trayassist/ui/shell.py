"""The Qt side: the tray and its windows, rendering the status and the notices.

Built by `app.py`; it builds no service and runs no service work on the GUI thread:
actions go to the runtime, the controller's lanes or the command table.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QWidget

from trayassist import __version__
from trayassist.core.commands import CommandTable
from trayassist.core.controller import Controller
from trayassist.core.events import DownloadNeeded, EventBus, HistoryChanged, Notice, SettingsChanged, UtteranceDone
from trayassist.core.status import State, Status
from trayassist.runtime import Runtime
from trayassist.ui.bridge import Bridge
from trayassist.ui.models_flow import ModelsFlow
from trayassist.ui.notifier import Desktop, Notifier
from trayassist.ui.tasks import TaskRunner
from trayassist.ui.tray import Tray

log = logging.getLogger(__name__)

ABOUT = ("TrayAssist {version}\n\nYour voice is transcribed on this computer. Nothing is sent anywhere; "
         "the tray shows which programs use the microphone and the network.\n\n"
         "The assistant's understanding was trained on CLINC150 (Larson et al., EMNLP 2019; CC BY 3.0) "
         "and SLURP (Bastianelli et al., EMNLP 2020; text CC BY 4.0). Their licences ship with the "
         "model in resources/intents. Speech recognition: faster-whisper with OpenAI's Whisper "
         "tiny.en (MIT).")


class Shell(QObject):
    """Owns the tray and the windows; reacts to core events on the GUI thread."""

    def __init__(self, bus: EventBus, controller: Controller, runtime: Runtime, commands: CommandTable,
                 tasks: TaskRunner, dialogs: bool, desktop: Desktop | None = None) -> None:
        super().__init__()
        self.controller = controller
        self.runtime = runtime
        self.commands = commands
        self.tasks = tasks
        self.dialogs = dialogs
        self.windows: dict[str, Any] = {}
        self._settings_pending = False  # the Settings dialog waits for the device list
        self.tray = Tray(
            actions={"toggle": lambda: runtime.ptt(controller.toggle),
                     "cancel": lambda: runtime.ptt(controller.cancel),
                     "history": self.show_history, "privacy": self.show_privacy,
                     "settings": self.show_settings, "models": self.show_models,
                     "about": self.show_about, "quit": QApplication.quit,
                     "transcribe_file": self.transcribe_file,
                     "forget_5m": lambda: self.forget("5m"), "forget_today": lambda: self.forget("today")},
            on_pause=self.set_paused,
        )
        settings = controller.settings
        self.notifier = Notifier(self.tray, dialogs=dialogs, notifications=settings.notifications,
                                 show_text=settings.notification_text, desktop=desktop, lane=tasks.lane)
        self.models = ModelsFlow(runtime, tasks, self.notifier, dialogs, lambda: controller.settings,
                                 self._save, self._present)
        self.bridge = Bridge(bus)
        self.bridge.status_changed.connect(self._status_changed)
        self.bridge.notice.connect(self._notice)
        self.bridge.settings_changed.connect(self._settings_changed)
        self.bridge.utterance_done.connect(self._utterance_done)
        self.bridge.download_needed.connect(self.offer_download)
        self.bridge.download_progress.connect(self.models.on_progress)
        self.bridge.history_changed.connect(self._history_changed)
        from trayassist.ui.partial_overlay import PartialOverlay

        self.overlay = PartialOverlay(anchor=self.tray.geometry)  # the words heard so far, near the tray
        self.bridge.partial_text.connect(self.overlay.on_partial)

    def show(self) -> None:
        self.tray.show()
        self.tray.apply(self.controller.status())

    # ---- reactions (GUI thread) -------------------------------------------
    def _status_changed(self, status: Status) -> None:
        self.tray.apply(status)
        self.overlay.on_mic(self.controller.settings.partial_text and status.state is State.LISTENING,
                            status.mic_receiving)
        window = self.windows.get("privacy")
        if window is not None and window.isVisible() and self.runtime.monitor is not None:
            window.update_snapshot(self.runtime.monitor.snapshot())

    def _notice(self, notice: Notice) -> None:
        self.notifier.notify(notice.title, notice.message, notice.level.value, notice.detail)

    def _utterance_done(self, event: UtteranceDone) -> None:
        settings = self.controller.settings
        result = event.assistant or {}
        if result.get("skill"):
            reply = result.get("reply") or "Done."
            # The reply may quote a note or a list: shown only when the user asked for it.
            self.notifier.notify("TrayAssist", action_summary(result), detail=reply)
            if reply and settings.spoken_replies:
                self.tasks.run_task(lambda: self.runtime.builder.speak(reply))
            if result.get("needs_confirmation") and self.runtime.history_store is not None:
                self.show_history(confirm_wipe=True)
        elif event.assistant is not None and settings.output_mode == "none":
            self.notifier.notify("TrayAssist", "No command recognised; kept in history.")

    def _settings_changed(self, event: SettingsChanged) -> None:
        self.notifier.notifications = event.settings.notifications
        self.notifier.show_text = event.settings.notification_text
        self.models.on_settings(event.settings)
        dialog = self.windows.get("settings")
        if dialog is not None:
            dialog.adopt(event.settings)  # a model chosen in the model manager while Settings is open

    def _history_changed(self, event: HistoryChanged) -> None:
        if event.erased:  # same store, fewer records: no decrypted text stays on screen
            window = self.windows.get("history")
            if window is not None and window.isVisible():
                window.refresh()
            return
        window = self.windows.pop("history", None)
        if window is not None:  # it holds the store that was replaced
            window.close()
        if event.show and event.available:
            self.show_history()

    # ---- GUI actions -------------------------------------------------------
    def set_paused(self, paused: bool) -> None:
        if self.tray.pause_action.isChecked() != paused:
            self.tray.pause_action.setChecked(paused)  # re-enters through the toggled signal
            return
        self.runtime.set_paused(paused)

    def show_history(self, confirm_wipe: bool = False) -> None:
        runtime = self.runtime
        if runtime.history_store is None and runtime.history_problem and self.dialogs:
            runtime.open_history(None, show=True)  # try again: offers the way out if it still fails
            return
        if runtime.history_store is None:
            self.notifier.notify("History", f"History is not available: {runtime.history_problem or 'turned off'}",
                                 "warning")
            return
        from trayassist.ui.history_window import HistoryWindow

        window = self.windows.get("history")
        if window is None:
            history_lane = runtime.lanes.history
            window = HistoryWindow(runtime.history_store,
                                   run_task=lambda f, done: self.tasks.run_task(f, done, lane=history_lane),
                                   copy_text=self._copy_text)
            self.windows["history"] = window
        self._present(window)
        if confirm_wipe:
            window.wipe()

    def _copy_text(self, text: str) -> bool:
        """History › Copy: the platform clipboard with the clipboard-manager hints."""
        output = self.runtime.slots.output.get()
        copy = getattr(output, "copy", None)
        return bool(copy(text)) if copy is not None else False

    def forget(self, span: str) -> None:
        """Tray menu: forget the last 5 minutes / today, without opening the window."""
        what = "the last 5 minutes" if span == "5m" else "today"

        def done(result: Any, error: BaseException | None) -> None:
            if error is None:
                self.notifier.notify("History", f"Forgot {what}: {result['forgotten']} item(s).")
            else:
                self.notifier.notify("History", f"Could not forget: {error}", "error")

        self.commands.dispatch("history.forget", {"span": span}, self.tasks.on_gui(done))

    def transcribe_file(self) -> None:
        """Tray: subtitles or a transcript of audio files, written beside them."""
        from trayassist.core.transcribe.files import transcribe_file
        from trayassist.ui.transcribe_file import TranscribeFileDialog

        session = self.runtime.slots.session.get()
        engine = getattr(session, "engine", None)
        if engine is None:
            self.notifier.notify("Transcribe a file", "speech capture is not ready yet", "warning")
            return
        dialog = self.windows.get("transcribe")
        if dialog is None:
            # The session's own engine: one model in memory; dictation waits at most one window.
            dialog = TranscribeFileDialog(
                lambda path, progress, cancel: transcribe_file(engine, path, progress=progress, cancel=cancel),
                self.tasks.run_task, self.controller.settings.transcribe_format)
            dialog.finished.connect(lambda _r: self.windows.pop("transcribe", None))
            self.windows["transcribe"] = dialog
        self._present(dialog)

    def show_privacy(self) -> None:
        from trayassist.ui.privacy_window import PrivacyWindow

        window = self.windows.get("privacy")
        if window is None:
            window = PrivacyWindow()
            window.acknowledge_requested.connect(self.runtime.acknowledge)
            self.windows["privacy"] = window
        if self.runtime.monitor is not None:
            window.update_snapshot(self.runtime.monitor.snapshot())
        self._present(window)

    def show_settings(self) -> None:
        from trayassist.ui.settings_dialog import SettingsDialog

        dialog = self.windows.get("settings")
        if dialog is not None:
            self._present(dialog)
            return
        if self._settings_pending:
            return
        self._settings_pending = True

        def open_dialog(names: list[str] | None, _error: BaseException | None) -> None:
            self._settings_pending = False
            dialog = SettingsDialog(self.controller.settings, input_devices=lambda: names or [],
                                    run_task=self.tasks.run_task, on_models=self.show_models)
            dialog.accepted.connect(lambda: self._save_settings(dialog))
            dialog.finished.connect(lambda _r: self.windows.pop("settings", None))
            self.windows["settings"] = dialog
            self._present(dialog)

        # Listing devices may re-initialise PortAudio (a mic plugged in since start): off the GUI thread.
        self.tasks.run_task(self.runtime.input_devices, open_dialog)

    def _save_settings(self, dialog: Any) -> None:
        self._save(dialog.value())

    def _save(self, settings: Any) -> None:
        def saved(_result: Any, error: BaseException | None) -> None:
            if error is not None:
                self.notifier.notify("Settings", f"not saved: {error}", "error")

        self.tasks.run_task(lambda: self.controller.update_settings(settings), saved)

    @staticmethod
    def _present(window: QWidget) -> None:
        window.show()
        window.raise_()
        window.activateWindow()

    def show_about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.about(None, "About TrayAssist", ABOUT.format(version=__version__))

    def show_crash(self, message: str) -> None:
        self.notifier.error_dialog(message)

    def activate(self) -> None:
        self.notifier.notify("TrayAssist", "TrayAssist is already running in the tray.")

    def offer_download(self, event: DownloadNeeded) -> None:
        """The model is missing: ask once per model, download only after 'Download' (with progress)."""
        self.models.offer(event)

    def show_models(self) -> None:
        self.models.show_manager()

    def close(self) -> None:
        self.tray.hide()


def action_summary(result: dict[str, Any]) -> str:
    """What the assistant did, without the words of a note, a list or a dictation."""
    skill = str(result.get("skill") or "assistant")
    intent = str(result.get("intent") or "").replace("_", " ")
    done = "done" if result.get("performed") else "not done"
    return f"{skill.capitalize()}: {intent} — {done}" if intent else f"{skill.capitalize()}: {done}"


def on_gui_thread(fn: Callable[[], None]) -> None:
    """Run `fn` on the GUI thread at its next turn (from the IPC handler, which is already on it)."""
    from PySide6.QtCore import QTimer

    QTimer.singleShot(0, fn)
