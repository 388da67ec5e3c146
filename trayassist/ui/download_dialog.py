"""The consent dialog: a model is downloaded only after the user clicks Download."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def consent_text(name: str, size: str) -> str:
    return (f"The speech model “{name}” is not on this computer.\n\n"
            f"Download it now ({size}) from Hugging Face? This download is the only time "
            "TrayAssist uses the network; the tray shows it while it runs. Your voice is "
            "never sent anywhere.\n\nChoose Cancel to keep using the bundled tiny.en model.")


class DownloadDialog(QMessageBox):
    def __init__(self, name: str, size: str, parent: QWidget | None = None) -> None:
        super().__init__(QMessageBox.Icon.Question, "Download speech model?", consent_text(name, size),
                         QMessageBox.StandardButton.Cancel, parent)
        self.download_button = self.addButton("Download", QMessageBox.ButtonRole.AcceptRole)
        self.setDefaultButton(QMessageBox.StandardButton.Cancel)  # consent is never the default

    def consented(self) -> bool:
        return self.clickedButton() is self.download_button
