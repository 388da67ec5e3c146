"""The History window: search, copy, delete, export, forget and wipe the encrypted history.

Every store call goes through `run_task(func, on_done)`; `on_done(result, error)` must
arrive on the GUI thread, so the window never blocks on SQLite or the key.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import (
    QCloseEvent,
    QKeyEvent,
    QKeySequence,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from trayassist.core.history.records import Record, write_export
from trayassist.core.history.retention import forget_start

Done = Callable[[Any, BaseException | None], None]
RunTask = Callable[[Callable[[], Any], Done], Any]
AskPath = Callable[[QWidget, str, str], str | None]  # (parent, fmt, suggested name) -> path
Confirm = Callable[[QWidget, str, str], bool]  # (parent, title, text) -> yes?
CopyText = Callable[[str], bool]  # TextOutput.copy: the clipboard with the history hints
# Clipboard managers keep no history of content that carries these (KDE's convention, which
# Klipper and CopyQ honour, and CopyQ's own marker); platform/output does the same.

ID_ROLE = Qt.ItemDataRole.UserRole
_FILTERS = {"md": "Markdown (*.md)", "json": "JSON (*.json)"}


def ask_save_path(parent: QWidget, fmt: str, suggested: str) -> str | None:
    # The native dialog asks before overwriting an existing file.
    path, _ = QFileDialog.getSaveFileName(parent, "Export history", suggested, _FILTERS[fmt])
    return path or None


def confirm(parent: QWidget, title: str, text: str) -> bool:
    answer = QMessageBox.question(parent, title, text,
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                                  QMessageBox.StandardButton.Cancel)
    return answer == QMessageBox.StandardButton.Yes


def _label(record: Record) -> str:
    when = record.time.astimezone().strftime("%d %b %H:%M")
    first = record.text.splitlines()[0] if record.text else ""
    if len(first) > 120:
        first = first[:119] + "…"
    return f"{when}  {first}"


class _RecordList(QListWidget):
    """QListWidget copies its display text on Ctrl+C by itself; we copy the transcript."""

    def __init__(self, on_copy: Callable[[], None], on_delete: Callable[[], None]) -> None:
        super().__init__()
        self._on_copy = on_copy
        self._on_delete = on_delete

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt name
        if event.matches(QKeySequence.StandardKey.Copy):
            self._on_copy()
        elif event.matches(QKeySequence.StandardKey.Delete) or event.key() == Qt.Key.Key_Delete:
            self._on_delete()
        else:
            super().keyPressEvent(event)


class HistoryWindow(QWidget):
    """Newest first; the search box filters live (substring, or whole words)."""

    def __init__(
        self,
        store: Any,
        run_task: RunTask,
        parent: QWidget | None = None,
        ask_path: AskPath = ask_save_path,
        confirm_action: Confirm = confirm,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        limit: int = 500,
        search_delay_ms: int = 150,
        copy_text: CopyText = lambda _text: False,
    ) -> None:
        super().__init__(parent)
        self._copy_text = copy_text
        self.setWindowTitle("TrayAssist history")
        self.resize(720, 480)
        self._store = store
        self._run_task = run_task
        self._ask_path = ask_path
        self._confirm = confirm_action
        self._clock = clock
        self._limit = limit
        self._generation = 0  # results of an older query are dropped
        self._records: dict[int, Record] = {}
        self.last_error: str | None = None
        self._build(search_delay_ms)

    # ---- layout -------------------------------------------------------------
    def _build(self, search_delay_ms: int) -> None:
        self.search = QLineEdit(placeholderText="Search history (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.whole_word = QCheckBox("Whole words")
        self.list = _RecordList(lambda: self.copy_selected(), lambda: self.delete_selected())
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.preview = QPlainTextEdit(readOnly=True)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.copy_button = QPushButton("Copy")
        self.delete_button = QPushButton("Delete")
        self.export_button = QPushButton("Export…")
        self.forget_button = QPushButton("Forget…")
        self.wipe_button = QPushButton("Wipe…")

        export_menu = QMenu(self)
        self.export_actions = {}
        for scope in ("selected", "all"):
            for fmt, name in (("md", "Markdown"), ("json", "JSON")):
                action = export_menu.addAction(f"{scope.capitalize()} as {name}…")
                action.triggered.connect(lambda _=False, s=scope, f=fmt: self.export(s, f))
                self.export_actions[(scope, fmt)] = action
        self.export_button.setMenu(export_menu)
        forget_menu = QMenu(self)
        forget_menu.addAction("Forget the last 5 minutes").triggered.connect(lambda: self.forget("5m"))
        forget_menu.addAction("Forget today").triggered.connect(lambda: self.forget("today"))
        self.forget_button.setMenu(forget_menu)

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.whole_word)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.list)
        split.addWidget(self.preview)
        split.setSizes([320, 140])
        buttons = QHBoxLayout()
        for b in (self.copy_button, self.delete_button, self.export_button, self.forget_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.wipe_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.status)

        self._search_timer = QTimer(self, singleShot=True, interval=search_delay_ms)
        self._search_timer.timeout.connect(lambda: self.refresh())
        self.search.textChanged.connect(lambda _: self._search_timer.start())
        self.whole_word.toggled.connect(lambda _: self.refresh())
        self.list.itemSelectionChanged.connect(self._show_selected)
        self.copy_button.clicked.connect(self.copy_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.wipe_button.clicked.connect(self.wipe)

        QShortcut(QKeySequence.StandardKey.Find, self, self._focus_search)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)
        self._update_buttons()

    # ---- helpers --------------------------------------------------------------------
    def _focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _say(self, text: str, error: bool = False) -> None:
        self.last_error = text if error else None
        self.status.setText(text)
        self.status.setStyleSheet("color: #b00020;" if error else "")

    def _call(self, func: Callable[[], Any], then: Callable[[Any], None]) -> None:
        def done(result: Any, error: BaseException | None) -> None:
            if error is not None:
                # HistoryError messages are one user-facing line; never a transcript.
                self._say(str(error).splitlines()[0] if str(error) else type(error).__name__, error=True)
                return
            then(result)

        self._run_task(func, done)

    def selected_ids(self) -> list[int]:
        return [int(item.data(ID_ROLE)) for item in self.list.selectedItems()]

    def _update_buttons(self) -> None:
        has = bool(self.list.selectedItems())
        for b in (self.copy_button, self.delete_button):
            b.setEnabled(has)
        for (scope, _), action in self.export_actions.items():
            action.setEnabled(has if scope == "selected" else self.list.count() > 0)

    def _show_selected(self) -> None:
        ids = self.selected_ids()
        if len(ids) == 1 and ids[0] in self._records:
            r = self._records[ids[0]]
            when = r.time.astimezone().strftime("%Y-%m-%d %H:%M:%S")
            extra = f"\n\nAssistant: {r.reply}" if r.reply else ""
            self.preview.setPlainText(f"{r.text}{extra}\n\n{when} · {r.duration_s:.1f} s"
                                      + (f" · {r.model}" if r.model else ""))
        else:
            self.preview.setPlainText(f"{len(ids)} selected" if ids else "")
        self._update_buttons()

    # ---- actions ------------------------------------------------------------------------
    def refresh(self, note: str = "") -> None:
        """Reload the list for the current search text (all records when empty); `note`
        (what just happened) leads the status line."""
        self._generation += 1
        generation = self._generation
        query = self.search.text().strip()
        whole = self.whole_word.isChecked()
        limit = self._limit
        store = self._store

        def work() -> tuple[list[Record], int]:
            if query:
                return store.search(query, whole_word=whole, limit=limit), -1
            return store.list(limit), store.count()

        def show(result: tuple[list[Record], int]) -> None:
            if generation != self._generation:
                return  # an older query finished late
            records, total = result
            self._fill(records)
            if query:
                summary = (f"{len(records)} match{'es' if len(records) != 1 else ''}"
                           + (" (first ones shown)" if len(records) >= limit else ""))
            elif total > len(records):
                summary = f"Showing the newest {len(records)} of {total}"
            else:
                summary = f"{total} record{'s' if total != 1 else ''}"
            self._say(f"{note} · {summary}" if note else summary)

        self._call(work, show)

    def _fill(self, records: list[Record]) -> None:
        keep = set(self.selected_ids())
        self.list.clear()
        self._records = {r.id: r for r in records}
        for r in records:
            item = QListWidgetItem(_label(r))
            item.setData(ID_ROLE, r.id)
            self.list.addItem(item)
            if r.id in keep:
                item.setSelected(True)
        if self.list.count() and not self.list.selectedItems():
            self.list.setCurrentRow(0)
        self._show_selected()

    def copy_selected(self) -> None:
        texts = [self._records[i].text for i in self.selected_ids() if i in self._records]
        if not texts:
            return
        text, said = "\n\n".join(texts), f"Copied {len(texts)} item{'s' if len(texts) != 1 else ''}"
        # The platform clipboard (with the clipboard-manager hints), off the GUI thread; one
        # clipboard path for the whole app (Qt's QClipboard crashed at exit on offscreen).
        copy = self._copy_text
        self._call(lambda: copy(text), lambda ok: self._say(said) if ok else
                   self._say("Could not copy to the clipboard", error=True))

    def delete_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        store = self._store
        self._call(lambda: sum(bool(store.delete(i)) for i in ids),
                   lambda n: self.refresh(f"Deleted {n} item{'s' if n != 1 else ''}"))

    def export(self, scope: str, fmt: str) -> None:
        ids = self.selected_ids() if scope == "selected" else None
        if scope == "selected" and not ids:
            return
        suggested = f"trayassist-history-{self._clock().astimezone():%Y%m%d-%H%M}.{fmt}"
        path = self._ask_path(self, fmt, suggested)
        if not path:
            return
        count = f"{len(ids)} selected record{'s' if len(ids) != 1 else ''}" if ids else "the whole history"
        if not self._confirm(self, "Export history",
                             f"Export {count} as readable text (not encrypted) to\n{path}?"):
            return
        store = self._store
        target = Path(path)

        def work() -> int:
            write_export(target, store.export(ids, fmt))
            return len(ids) if ids is not None else int(store.count())

        self._call(work, lambda n: self._say(f"Exported {n} record{'s' if n != 1 else ''} to {target}"))

    def forget(self, span: str) -> None:
        store = self._store
        start = forget_start(span, self._clock())
        what = "the last 5 minutes" if span == "5m" else "today" if span == "today" else span
        self._call(lambda: store.forget_since(start),
                   lambda n: self.refresh(f"Forgot {what}: {n} item{'s' if n != 1 else ''}"))

    def wipe(self) -> None:
        if not self._confirm(self, "Wipe history",
                             "Destroy the history key and delete every record?\n"
                             "Copies of the old files become unreadable. This cannot be undone."):
            return
        self._call(self._store.wipe, lambda _: self.refresh("History wiped; a fresh key is in use"))

    # ---- Qt events ------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt name
        super().showEvent(event)
        self.refresh()
        self._focus_search()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt name
        # Drop decrypted text from the widgets when the window goes away.
        self.list.clear()
        self.preview.clear()
        self._records = {}
        super().closeEvent(event)
