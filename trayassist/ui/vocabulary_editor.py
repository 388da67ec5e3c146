"""The vocabulary list in Settings: add and remove words and names, import and export a text file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from trayassist.core import vocabulary

RunTask = Callable[[Callable[[], Any], Callable[[Any, BaseException | None], None]], Any]
ChooseFile = Callable[[QWidget], Path | None]


def _ask_open(parent: QWidget) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(parent, "Import words", "", "Text files (*.txt);;All files (*)")
    return Path(name) if name else None


def _ask_save(parent: QWidget) -> Path | None:
    name, _ = QFileDialog.getSaveFileName(parent, "Export words", "vocabulary.txt", "Text files (*.txt)")
    return Path(name) if name else None


class VocabularyEditor(QWidget):
    """Edits a copy of the list; `words()` is what Save should store. File reading and
    writing run through `run_task` (off the GUI thread, result back on it)."""

    def __init__(self, words: list[str], run_task: RunTask, parent: QWidget | None = None,
                 choose_open: ChooseFile = _ask_open, choose_save: ChooseFile = _ask_save) -> None:
        super().__init__(parent)
        self._run_task = run_task
        self._choose_open, self._choose_save = choose_open, choose_save
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        intro = QLabel("Names, jargon and product names the speech model should prefer "
                       "(used for every transcription, files included).")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        row = QHBoxLayout()
        self.entry = QLineEdit()
        self.entry.setPlaceholderText("e.g. Siobhan, Kubernetes, Chinua Okonkwo")
        self.entry.returnPressed.connect(self.add_entry)
        row.addWidget(self.entry)
        self.add_button = QPushButton("&Add")
        self.add_button.clicked.connect(self.add_entry)
        row.addWidget(self.add_button)
        layout.addLayout(row)
        self.list = QListWidget()
        self.list.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.list.addItems(words)
        layout.addWidget(self.list)
        buttons = QHBoxLayout()
        self.remove_button = QPushButton("&Remove")
        self.remove_button.clicked.connect(self.remove_selected)
        self.import_button = QPushButton("&Import…")
        self.import_button.clicked.connect(self.import_file)
        self.export_button = QPushButton("E&xport…")
        self.export_button.clicked.connect(self.export_file)
        for b in (self.remove_button, self.import_button, self.export_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        self._note_budget()

    def words(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def _set_words(self, words: list[str]) -> None:
        self.list.clear()
        self.list.addItems(words)
        self._note_budget()

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color: #c0392b" if error else "")
        self.message.setText(text)

    def _note_budget(self) -> None:
        words = self.words()
        kept = vocabulary.fitting(words)
        if kept < len(words):
            self._say(f"Only the first {kept} of {len(words)} entries fit what the model can take; "
                      "put the important ones first.")

    def add_entry(self) -> None:
        text = self.entry.text()
        if not text.strip():
            return
        try:
            change = vocabulary.add(self.words(), [text])
        except vocabulary.VocabularyError as exc:
            self._say(str(exc), error=True)
            return
        self._set_words(change.words)
        self.entry.clear()
        if change.skipped:
            self._say(f"Already in the list: {change.skipped[0]}")
        elif not self.message.text().startswith("Only"):
            self._say("")

    def remove_selected(self) -> None:
        chosen = [item.text() for item in self.list.selectedItems()]
        if chosen:
            self._say("")
            self._set_words(vocabulary.remove(self.words(), chosen).words)

    def import_file(self) -> None:
        path = self._choose_open(self)
        if path is None:
            return

        def read() -> list[str]:
            try:
                return vocabulary.parse_text(path.read_text(encoding="utf-8"))
            except UnicodeDecodeError:
                raise vocabulary.VocabularyError(f"{path.name}: not a UTF-8 text file") from None
            except OSError as exc:
                raise vocabulary.VocabularyError(f"{path.name}: {exc.strerror or 'cannot read'}") from None

        def done(entries: list[str] | None, error: BaseException | None) -> None:
            if error is not None or entries is None:
                self._say(_one_line(error), error=True)
                return
            try:
                change = vocabulary.add(self.words(), entries)
            except vocabulary.VocabularyError as exc:
                self._say(str(exc), error=True)
                return
            self._set_words(change.words)
            self._say(f"Imported {len(change.added)} new entries from {path.name}.")

        self._run_task(read, done)

    def export_file(self) -> None:
        path = self._choose_save(self)
        if path is None:
            return
        text = vocabulary.export_text(self.words())

        def write() -> None:
            from trayassist.core.atomic import write_atomic

            try:
                write_atomic(path, text.encode("utf-8"), mode=0o644)  # a word list, meant to be shared
            except OSError as exc:
                raise vocabulary.VocabularyError(f"{path.name}: {exc.strerror or 'cannot write'}") from None

        def done(_result: Any, error: BaseException | None) -> None:
            if error is not None:
                self._say(_one_line(error), error=True)
            else:
                self._say(f"Exported {len(self.words())} entries to {path.name}.")

        self._run_task(write, done)


def _one_line(error: BaseException | None) -> str:
    text = str(error or "failed").strip()
    return text.splitlines()[0] if text else type(error).__name__
