"""The consent dialog (a model is downloaded only after the user clicks Download) and the
window that shows a download's progress with a way to cancel it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from trayassist.core.events import DownloadPhase, DownloadProgress
from trayassist.core.transcribe.models import human_size

KEEP_BUNDLED = "Choose Cancel to keep using the bundled tiny.en model."


def consent_text(name: str, size: str, after_cancel: str = KEEP_BUNDLED) -> str:
    return (f"The speech model “{name}” is not on this computer.\n\n"
            f"Download it now ({size}) from Hugging Face? A separate download process fetches "
            "it; TrayAssist itself stays offline, and the tray shows that process while it "
            "runs. Your voice is never sent anywhere.\n\n" + after_cancel)


def progress_text(p: DownloadProgress) -> str:
    """One line for a download's state, in the user's words."""
    if p.phase is DownloadPhase.STARTING:
        return f"Starting the download of {p.name}…"
    if p.phase is DownloadPhase.VERIFYING:
        return f"Checking {p.name} against its checksums…"
    if p.phase is DownloadPhase.FINISHED:
        return f"{p.name} is downloaded and checked."
    if p.phase is DownloadPhase.CANCELLED:
        return f"Download of {p.name} cancelled; nothing of it was kept."
    if p.phase is DownloadPhase.FAILED:
        return f"{p.message} Nothing of it was kept."
    if p.total:
        return f"Downloading {p.name}: {human_size(p.done)} of {human_size(p.total)}"
    return f"Downloading {p.name}: {human_size(p.done)}"


def show_progress(bar: QProgressBar, p: DownloadProgress) -> None:
    """Bytes when the size is known, a busy bar when it is not (never a made-up figure)."""
    if p.phase is DownloadPhase.DOWNLOADING and p.total:
        bar.setRange(0, 1000)
        bar.setValue(int(1000 * min(p.done, p.total) / p.total))
    elif p.ended:
        bar.setRange(0, 1000)
        bar.setValue(1000 if p.phase is DownloadPhase.FINISHED else 0)
    else:
        bar.setRange(0, 0)


class DownloadDialog(QMessageBox):
    def __init__(self, name: str, size: str, parent: QWidget | None = None,
                 after_cancel: str = KEEP_BUNDLED) -> None:
        super().__init__(QMessageBox.Icon.Question, "Download speech model?",
                         consent_text(name, size, after_cancel), QMessageBox.StandardButton.Cancel, parent)
        self.download_button = self.addButton("&Download", QMessageBox.ButtonRole.AcceptRole)
        self.setDefaultButton(QMessageBox.StandardButton.Cancel)  # consent is never the default
        self.setEscapeButton(QMessageBox.StandardButton.Cancel)

    def consented(self) -> bool:
        return self.clickedButton() is self.download_button


def ask_consent(name: str, size: str, parent: QWidget | None = None, after_cancel: str = KEEP_BUNDLED) -> bool:
    """Show the consent dialog; True only when the user clicked Download."""
    dialog = DownloadDialog(name, size, parent, after_cancel)
    dialog.exec()
    return dialog.consented()


class DownloadProgressDialog(QDialog):
    """One model's download: a bar, a line of text, Cancel. Hiding it (Escape) leaves the
    download running; the model manager shows it too."""

    def __init__(self, name: str, cancel: Callable[[str], object], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.setWindowTitle(f"Downloading {name}")
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        self.label = QLabel(progress_text(DownloadProgress(name, DownloadPhase.STARTING)))
        self.label.setWordWrap(True)
        layout.addWidget(self.label)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setAccessibleName(f"Download of {name}")
        layout.addWidget(self.bar)
        buttons = QDialogButtonBox()
        self.cancel_button = QPushButton("&Cancel download")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(lambda: cancel(name))
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        self.hide_button = QPushButton("&Hide")
        self.hide_button.setDefault(True)
        self.hide_button.clicked.connect(self.reject)
        buttons.addButton(self.hide_button, QDialogButtonBox.ButtonRole.RejectRole)
        layout.addWidget(buttons)
        self.ended = False

    def update_progress(self, p: DownloadProgress) -> None:
        if p.name != self.name:
            return
        self.label.setText(progress_text(p))
        show_progress(self.bar, p)
        if p.ended:
            self.ended = True
            self.cancel_button.setEnabled(False)
            self.hide_button.setText("&Close")
