"""Asks how to protect the history when no secure OS keyring holds its key."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

MIN_PASSPHRASE = 8


class KeyChoiceDialog(QDialog):
    """Passphrase, this session only, or history off. Never a plaintext key on disk."""

    def __init__(self, problem: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Protect your history")
        layout = QVBoxLayout(self)
        intro = QLabel(f"{problem}\n\nTrayAssist never stores the history key in plain text. Choose:")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.group = QButtonGroup(self)
        self.passphrase_choice = QRadioButton("Protect it with a &passphrase (asked at each start)")
        self.session_choice = QRadioButton("Keep history for this &session only (lost when TrayAssist quits)")
        self.off_choice = QRadioButton("Turn history &off")
        for i, b in enumerate((self.passphrase_choice, self.session_choice, self.off_choice)):
            self.group.addButton(b, i)
            layout.addWidget(b)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText(f"passphrase (at least {MIN_PASSPHRASE} characters)")
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat.setPlaceholderText("repeat the passphrase")
        layout.addWidget(self.passphrase)
        layout.addWidget(self.repeat)
        self.error = QLabel("")
        self.error.setStyleSheet("color: #c0392b")
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.passphrase_choice.toggled.connect(self._sync)
        self.passphrase_choice.setChecked(True)
        self._sync(True)

    def _sync(self, on: bool) -> None:
        self.passphrase.setEnabled(on)
        self.repeat.setEnabled(on)

    def choice(self) -> tuple[str, str | None]:
        """("passphrase", pw) | ("session", None) | ("off", None); ValueError if invalid."""
        if self.session_choice.isChecked():
            return "session", None
        if self.off_choice.isChecked():
            return "off", None
        pw = self.passphrase.text()
        if len(pw) < MIN_PASSPHRASE:
            raise ValueError(f"the passphrase needs at least {MIN_PASSPHRASE} characters")
        if pw != self.repeat.text():
            raise ValueError("the two passphrases differ")
        return "passphrase", pw

    def accept(self) -> None:
        try:
            self.choice()
        except ValueError as exc:
            self.error.setText(str(exc))
            return
        super().accept()


class PassphraseDialog(QDialog):
    def __init__(self, message: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Unlock your history")
        layout = QVBoxLayout(self)
        label = QLabel(message)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        layout.addWidget(self.passphrase)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
