"""History key dialogs: how to protect the history when no secure OS keyring holds its
key, its passphrase, and the way out when the history cannot be opened."""

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


def sentence(text: str) -> str:
    """Core messages are lower-case clauses; a dialog shows them as a sentence (a leading
    file name such as history.sqlite3 keeps its case)."""
    text = text.strip()
    first = text.split(" ", 1)[0]
    if first.isalpha() and first.islower():
        text = first.capitalize() + text[len(first):]
    return text if text.endswith((".", "?", "!")) else text + "."


def check_new_passphrase(passphrase: str, repeat: str) -> None:
    """ValueError with the reason when a new passphrase is not acceptable."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise ValueError(f"the passphrase needs at least {MIN_PASSPHRASE} characters")
    if passphrase != repeat:
        raise ValueError("the two passphrases differ")


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
        check_new_passphrase(pw, self.repeat.text())
        return "passphrase", pw

    def accept(self) -> None:
        try:
            self.choice()
        except ValueError as exc:
            self.error.setText(sentence(str(exc)))
            return
        super().accept()


class PassphraseDialog(QDialog):
    """Unlocks the history, or (new=True) sets the passphrase of a new one, typed twice."""

    def __init__(self, message: str, parent: QWidget | None = None, new: bool = False) -> None:
        super().__init__(parent)
        self.new = new
        self.setWindowTitle("Protect your new history" if new else "Unlock your history")
        layout = QVBoxLayout(self)
        label = QLabel(sentence(message))
        label.setWordWrap(True)
        layout.addWidget(label)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        layout.addWidget(self.passphrase)
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel("")
        self.error.setStyleSheet("color: #c0392b")
        if new:
            self.passphrase.setPlaceholderText(f"passphrase (at least {MIN_PASSPHRASE} characters)")
            self.repeat.setPlaceholderText("repeat the passphrase")
            layout.addWidget(self.repeat)
            layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def accept(self) -> None:
        if self.new:
            try:
                check_new_passphrase(self.passphrase.text(), self.repeat.text())
            except ValueError as exc:
                self.error.setText(sentence(str(exc)))
                return
        super().accept()


class FreshStartDialog(QDialog):
    """The history cannot be opened: start a new one, the old files kept aside untouched."""

    def __init__(self, problem: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("History could not be opened")
        layout = QVBoxLayout(self)
        text = QLabel(f"TrayAssist could not open your history: {sentence(problem)}\n\n"
                      "Start a new, empty history? The old files stay "
                      "in the data folder, renamed and unchanged, so nothing is lost; "
                      "wiping the history later erases them too.")
        text.setWordWrap(True)
        layout.addWidget(text)
        buttons = QDialogButtonBox()
        self.start = buttons.addButton("Start a &new history", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("&Not now", QDialogButtonBox.ButtonRole.RejectRole)
        self.start.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
