"""The dialogs of a history that did not open: passphrase, key choice, a fresh start.

The runtime asks (`HistoryPrompt.ask`) from a lane; the dialogs run on the GUI thread and
answer through the runtime (open again, start a new history, or go on without one).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog

from trayassist.builder import HistoryOpening, Remedy
from trayassist.runtime import Runtime


class HistoryFlow(QObject):
    _asked = Signal(object, bool)  # crosses from the history lane to the GUI thread

    def __init__(self, runtime: Callable[[], Runtime]) -> None:
        super().__init__()
        self._runtime = runtime
        self._asked.connect(self._ask)

    def ask(self, opening: HistoryOpening, show: bool) -> None:  # any thread
        self._asked.emit(opening, show)

    def _ask(self, opening: HistoryOpening, show: bool) -> None:
        runtime = self._runtime()
        if opening.remedy is Remedy.PASSPHRASE:
            answered = self._passphrase(opening, show)
        elif opening.remedy is Remedy.FRESH_START:
            answered = self._fresh_start(opening, show)
        elif opening.remedy is Remedy.CHOOSE_KEY:
            answered = self._choose_key()
        else:
            answered = False
        if not answered:
            runtime.use_history(opening)  # go on without it; History… asks again

    def _passphrase(self, opening: HistoryOpening, show: bool) -> bool:
        from trayassist.ui.key_dialog import PassphraseDialog

        dialog = PassphraseDialog(opening.problem or "")
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.passphrase.text():
            self._runtime().open_history(dialog.passphrase.text(), show)
            return True
        return False

    def _fresh_start(self, opening: HistoryOpening, show: bool) -> bool:
        """A history that cannot be opened: offer a new one, keeping the old files aside."""
        from trayassist.ui.key_dialog import FreshStartDialog, PassphraseDialog

        if FreshStartDialog(opening.problem or "").exec() != QDialog.DialogCode.Accepted:
            return False
        runtime = self._runtime()
        passphrase = None
        if runtime.settings.history_key_backend == "passphrase":
            dialog = PassphraseDialog("Choose a passphrase for the new history.", new=True)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
            passphrase = dialog.passphrase.text()
        runtime.start_new_history(passphrase, show)
        return True

    def _choose_key(self) -> bool:
        from trayassist.ui.key_dialog import KeyChoiceDialog

        dialog = KeyChoiceDialog("No secure keyring (such as GNOME Keyring or KWallet) is available "
                                 "to keep the key of your encrypted history.")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        backend, passphrase = dialog.choice()
        self._runtime().choose_key_backend(backend, passphrase)
        return True
