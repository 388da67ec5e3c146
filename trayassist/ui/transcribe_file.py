""""Transcribe a file…": choose audio files and a format; each transcript is written beside its file.

The work runs off the GUI thread through `run_task`; progress comes from the engine's
segments and crosses back to the GUI thread as a queued signal.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from trayassist.core.transcribe.files import FileResult, OutputError, free_path, output_path, write_transcript

FORMAT_LABELS = {"txt": "Plain text (.txt)", "srt": "Subtitles, SubRip (.srt)",
                 "vtt": "Subtitles, WebVTT (.vtt)", "json": "JSON with word times (.json)"}
AUDIO_FILTER = "Audio and video (*.wav *.flac *.mp3 *.ogg *.opus *.m4a *.aac *.webm *.mp4 *.mkv);;All files (*)"
STEPS = 1000

# (file, progress 0..1, cancel) -> result; the app binds it to its engine.
Transcribe = Callable[[Path, Callable[[float], None], threading.Event], FileResult]
RunTask = Callable[[Callable[[], Any], Callable[[Any, BaseException | None], None]], Any]


@dataclass(frozen=True)
class Outcome:
    file: str
    written: str | None  # the transcript's path
    error: str | None  # one line


def _ask_files(parent: QWidget) -> list[Path]:
    names, _ = QFileDialog.getOpenFileNames(parent, "Transcribe audio files", "", AUDIO_FILTER)
    return [Path(n) for n in names]


class TranscribeFileDialog(QDialog):
    progressed = Signal(float)  # 0..1 over all files; emitted from the worker thread
    file_done = Signal(object)  # Outcome; emitted from the worker thread
    finished_all = Signal()  # the GUI thread, after the task's done-callback

    def __init__(self, transcribe: Transcribe, run_task: RunTask, default_format: str = "srt",
                 parent: QWidget | None = None,
                 choose_files: Callable[[QWidget], list[Path]] = _ask_files) -> None:
        super().__init__(parent)
        self.setWindowTitle("Transcribe a file — TrayAssist")
        self._transcribe, self._run_task, self._choose = transcribe, run_task, choose_files
        self._cancel: threading.Event | None = None
        self.outcomes: list[Outcome] = []
        layout = QVBoxLayout(self)
        note = QLabel("Transcribed on this computer. Each transcript is saved beside its audio file, "
                      "never over an existing file.")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.files = QListWidget()
        layout.addWidget(self.files)
        form = QFormLayout()
        self.format = QComboBox()
        for key, label in FORMAT_LABELS.items():
            self.format.addItem(label, key)
        self.format.setCurrentIndex(max(0, self.format.findData(default_format)))
        form.addRow("&Format:", self.format)
        layout.addLayout(form)
        self.progress = QProgressBar()
        self.progress.setRange(0, STEPS)
        layout.addWidget(self.progress)
        self.status = QLabel("Choose one or more audio files.")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status)
        self.results = QListWidget()
        layout.addWidget(self.results)
        buttons = QHBoxLayout()
        self.choose_button = QPushButton("&Choose files…")
        self.choose_button.clicked.connect(self.choose_files)
        self.start_button = QPushButton("&Transcribe")
        self.start_button.setEnabled(False)
        self.start_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Close")
        self.cancel_button.clicked.connect(self.cancel_or_close)
        for b in (self.choose_button, self.start_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        self.progressed.connect(lambda f: self.progress.setValue(round(f * STEPS)))
        self.file_done.connect(self._show_outcome)

    @property
    def running(self) -> bool:
        return self._cancel is not None

    def set_files(self, paths: list[Path]) -> None:
        self.files.clear()
        self.files.addItems([str(p) for p in paths])
        self.start_button.setEnabled(bool(paths) and not self.running)
        self.status.setText(f"{len(paths)} file(s) chosen." if paths else "Choose one or more audio files.")

    def choose_files(self) -> None:
        paths = self._choose(self)
        if paths:
            self.set_files(paths)

    def start(self) -> None:
        paths = [Path(self.files.item(i).text()) for i in range(self.files.count())]
        if not paths or self.running:
            return
        fmt = str(self.format.currentData())
        cancel = self._cancel = threading.Event()
        self.outcomes = []
        self.results.clear()
        self.progress.setValue(0)
        self.status.setText("Transcribing…")
        self.cancel_button.setText("Cancel")
        for w in (self.start_button, self.choose_button, self.format):
            w.setEnabled(False)
        self._run_task(lambda: self._work(paths, fmt, cancel), self._done)

    def _work(self, paths: list[Path], fmt: str, cancel: threading.Event) -> int:
        """Worker thread: one file after another; a bad file is one line and the rest go on."""
        written = 0
        for k, path in enumerate(paths):
            def seen(fraction: float, k: int = k) -> None:
                self.progressed.emit((k + fraction) / len(paths))

            result = self._transcribe(path, seen, cancel)  # raises Cancelled
            if result.error:
                self.file_done.emit(Outcome(str(path), None, result.error))
                continue
            try:
                target = write_transcript(result, fmt, free_path(output_path(path, fmt)))
            except OutputError as exc:
                self.file_done.emit(Outcome(str(path), None, str(exc)))
                continue
            written += 1
            self.file_done.emit(Outcome(str(path), str(target), None))
        self.progressed.emit(1.0)
        return written

    def _show_outcome(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)
        name = Path(outcome.file).name
        self.results.addItem(f"{name} → {Path(outcome.written).name}" if outcome.written
                             else f"{name}: {outcome.error}")

    def _done(self, _written: int | None, error: BaseException | None) -> None:
        from trayassist.core.transcribe.decoding import Cancelled

        self._cancel = None
        for w in (self.start_button, self.choose_button, self.format):
            w.setEnabled(True)
        self.cancel_button.setText("Close")
        failed = sum(1 for o in self.outcomes if o.error)
        saved = sum(1 for o in self.outcomes if o.written)
        if isinstance(error, Cancelled):
            self.status.setText(f"Cancelled. {saved} transcript(s) saved before that; "
                                "nothing half-written was left.")
        elif error is not None:
            text = str(error).strip()
            self.status.setText(f"Transcription failed: {text.splitlines()[0] if text else type(error).__name__}")
        else:
            self.status.setText(f"Done: {saved} saved" + (f", {failed} could not be transcribed." if failed else "."))
        self.finished_all.emit()

    def cancel_or_close(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
            self.status.setText("Cancelling…")
        else:
            self.reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if self._cancel is not None:
            self._cancel.set()  # the worker stops at the next segment; nothing half-written stays
        super().closeEvent(event)
