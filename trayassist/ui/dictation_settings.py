"""The Dictation part of Settings: spoken punctuation, fillers, replacements and the vocabulary.

A self-contained page: the Settings dialog adds it and merges `changes()` into its value.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from trayassist.core.config import Settings
from trayassist.core.dictation_text import DictationOptions, shape_dictation
from trayassist.ui.vocabulary_editor import RunTask, VocabularyEditor


class ReplacementsEditor(QWidget):
    """Rules "from -> to", one per row; an empty "to" deletes the words."""

    def __init__(self, pairs: list[list[str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["When I say", "Write"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for source, target in pairs:
            self._append(source, target)
        layout.addWidget(self.table)
        row = QHBoxLayout()
        self.add_button = QPushButton("Add &rule")
        self.add_button.clicked.connect(self.add_rule)
        self.remove_button = QPushButton("Remo&ve rule")
        self.remove_button.clicked.connect(self.remove_selected)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        layout.addLayout(row)

    def _append(self, source: str, target: str) -> int:
        n = self.table.rowCount()
        self.table.insertRow(n)
        self.table.setItem(n, 0, QTableWidgetItem(source))
        self.table.setItem(n, 1, QTableWidgetItem(target))
        return n

    def add_rule(self) -> None:
        n = self._append("", "")
        self.table.setCurrentCell(n, 0)
        item = self.table.item(n, 0)
        if item is not None:
            self.table.editItem(item)

    def remove_selected(self) -> None:
        for n in sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True):
            self.table.removeRow(n)

    def pairs(self) -> list[list[str]]:
        """The rules; rows with nothing in them are skipped. ValueError (one line) for a row
        that writes something but says nothing to listen for."""
        out: list[list[str]] = []
        for n in range(self.table.rowCount()):
            cells = [self.table.item(n, c) for c in (0, 1)]
            source, target = ((c.text() if c is not None else "") for c in cells)
            if not source.strip():
                if target.strip():
                    raise ValueError(f"Replacement rule {n + 1}: say what to listen for")
                continue
            out.append([" ".join(source.split()), target])
        return out


class DictationPage(QWidget):
    def __init__(self, settings: Settings, run_task: RunTask, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        shaping = QGroupBox("Dictation")
        form = QVBoxLayout(shaping)
        self.spoken_punctuation = QCheckBox(
            'Spoken punctuation: "comma", "period", "question mark", "new line", "new paragraph"… '
            '(say "literal comma" for the word)')
        self.spoken_punctuation.setChecked(settings.spoken_punctuation)
        form.addWidget(self.spoken_punctuation)
        self.drop_fillers = QCheckBox('Leave out "um", "uh" and a "you know" said in passing')
        self.drop_fillers.setChecked(settings.drop_fillers)
        form.addWidget(self.drop_fillers)
        form.addWidget(QLabel("Replacements (whole words; a rule written in lower case matches any case):"))
        self.replacements = ReplacementsEditor([list(p) for p in settings.replacements])
        form.addWidget(self.replacements)
        trial = QHBoxLayout()
        self.sample = QLineEdit()
        self.sample.setPlaceholderText("Try it: type what the model might write, e.g. Hello, comma, world.")
        self.preview = QLabel("")
        self.preview.setWordWrap(True)
        trial.addWidget(self.sample, 1)
        trial.addWidget(self.preview, 1)
        form.addLayout(trial)
        layout.addWidget(shaping)
        words = QGroupBox("Vocabulary")
        box = QVBoxLayout(words)
        self.vocabulary = VocabularyEditor(list(settings.vocabulary), run_task)
        box.addWidget(self.vocabulary)
        layout.addWidget(words)
        self.sample.textChanged.connect(self.update_preview)
        self.spoken_punctuation.toggled.connect(self.update_preview)
        self.drop_fillers.toggled.connect(self.update_preview)
        self.replacements.table.itemChanged.connect(self.update_preview)

    def update_preview(self, *_args: Any) -> None:
        try:
            rules = tuple((a, b) for a, b in self.replacements.pairs())
        except ValueError:
            rules = ()
        options = DictationOptions(self.spoken_punctuation.isChecked(), self.drop_fillers.isChecked(), rules)
        self.preview.setText("→ " + shape_dictation(self.sample.text(), options).replace("\n", "⏎"))

    def changes(self) -> dict[str, Any]:
        """Fields for Settings.replace(); ValueError (one line) if a rule is incomplete."""
        return {"spoken_punctuation": self.spoken_punctuation.isChecked(),
                "drop_fillers": self.drop_fillers.isChecked(),
                "replacements": self.replacements.pairs(),
                "vocabulary": self.vocabulary.words()}
