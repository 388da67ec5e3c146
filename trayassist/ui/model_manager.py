"""The model manager: every speech model with its size, languages, whether it is installed
and intact; download (after consent), cancel, delete, use; and where models run."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from trayassist.core.config import Settings
from trayassist.core.events import DownloadPhase, DownloadProgress
from trayassist.core.transcribe import models
from trayassist.core.transcribe.catalog import Installed, Integrity, ModelCatalog, ModelEntry, Verification
from trayassist.core.transcribe.models import human_size
from trayassist.ui.download_dialog import ask_consent, progress_text, show_progress

Done = Callable[[Any, BaseException | None], None]
RunTask = Callable[[Callable[[], Any], Done], Any]

COLUMNS = ("Model", "Languages", "Size", "Installed", "Checksum")
DEVICE_LABELS = {"auto": "Automatic (a CUDA GPU when there is one, else the CPU)", "cpu": "CPU",
                 "cuda": "NVIDIA GPU (CUDA)"}
COMPUTE_LABELS = {"int8": "int8: fastest on a CPU, least memory", "int8_float16": "int8 + float16 (GPU)",
                  "float16": "float16 (GPU)", "float32": "float32: full precision, slowest",
                  "default": "As the model was saved"}
GPU_ONLY = ("float16", "int8_float16")
CHECKING = "checking…"


def ask_confirm(parent: QWidget, title: str, text: str) -> bool:
    box = QMessageBox(QMessageBox.Icon.Warning, title, text,
                      QMessageBox.StandardButton.Cancel, parent)
    delete = box.addButton("&Delete", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is delete


class ModelManager(QDialog):
    """`run_task(fn, done)` runs fn off the GUI thread and calls done on it; `save` stores
    new settings; `download(name)` starts a download the user has just agreed to."""

    def __init__(self, catalog: ModelCatalog, settings: Settings, *, run_task: RunTask,
                 download: Callable[[str], None], cancel_download: Callable[[str], object],
                 save: Callable[[Settings], None], downloads: Mapping[str, DownloadProgress] | None = None,
                 cuda_devices: Callable[[], int] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Speech models")
        self.resize(740, 600)
        self.catalog = catalog
        self.settings = settings
        self._run_task = run_task
        self._download = download
        self._cancel_download = cancel_download
        self._save = save
        self.consent: Callable[[str, str], bool] = lambda name, size: ask_consent(
            name, size, self, after_cancel="Choose Cancel to download nothing.")
        self.confirm: Callable[[str, str], bool] = lambda title, text: ask_confirm(self, title, text)
        self.entries: dict[str, ModelEntry] = {}
        self.checks: dict[str, Verification | None] = {}  # None: being checked
        self.downloads: dict[str, DownloadProgress] = dict(downloads or {})
        self._items: dict[str, QTreeWidgetItem] = {}

        layout = QVBoxLayout(self)
        intro = QLabel("Speech models run on this computer. Downloading one is the only time anything "
                       "goes over the network, and a separate download process does it, never TrayAssist itself.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.folder_note = QLabel("")
        self.folder_note.setWordWrap(True)
        layout.addWidget(self.folder_note)
        label = QLabel("&Models:")
        layout.addWidget(label)
        self.table = QTreeWidget()
        self.table.setRootIsDecorated(False)
        self.table.setHeaderLabels(list(COLUMNS))
        self.table.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setAccessibleName("Speech models")
        label.setBuddy(self.table)
        for name in models.REPOS:
            item = QTreeWidgetItem([name, "", "", "…", ""])
            item.setData(0, Qt.ItemDataRole.UserRole, name)
            self._items[name] = item
            self.table.addTopLevelItem(item)
        self.table.currentItemChanged.connect(lambda *_: self._update_buttons())
        layout.addWidget(self.table, 1)
        self.detail = QLabel("")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.detail)

        self.progress_label = QLabel("")
        self.progress_bar = QProgressBar()
        self.progress_bar.setAccessibleName("Download progress")
        layout.addWidget(self.progress_label)
        layout.addWidget(self.progress_bar)

        row = QHBoxLayout()
        self.download_button = QPushButton("&Download…")
        self.download_button.clicked.connect(self.download_selected)
        self.cancel_button = QPushButton("Cancel do&wnload")
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.delete_button = QPushButton("De&lete…")
        self.delete_button.clicked.connect(self.delete_selected)
        self.use_button = QPushButton("&Use this model")
        self.use_button.clicked.connect(self.use_selected)
        for b in (self.download_button, self.cancel_button, self.delete_button, self.use_button):
            row.addWidget(b)
        row.addStretch(1)
        layout.addLayout(row)

        runs = QGroupBox("Where models run")
        form = QFormLayout(runs)
        self.device = _combo(DEVICE_LABELS, settings.device)
        form.addRow("De&vice:", self.device)
        self.compute = _combo(COMPUTE_LABELS, settings.compute_type)
        form.addRow("Com&pute type:", self.compute)
        self.device_note = QLabel("")
        self.device_note.setWordWrap(True)
        form.addRow(self.device_note)
        self.device.currentIndexChanged.connect(lambda _i: self._save_device())
        self.compute.currentIndexChanged.connect(lambda _i: self._save_device())
        layout.addWidget(runs)

        self.status = QLabel("")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setText("&Close")
        close.setAutoDefault(False)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        # Enter uses the selected model; it never downloads or deletes.
        for b in (self.download_button, self.cancel_button, self.delete_button):
            b.setAutoDefault(False)
        self.use_button.setDefault(True)

        self._gpus: int | None = None
        if cuda_devices is not None:
            run_task(cuda_devices, self._gpus_counted)
        self._show_settings()
        self._show_progress()
        self.refresh()
        self.table.setCurrentItem(self._items.get(settings.model) or self._items[models.BUNDLED_NAME])
        self.table.setFocus()

    # ---- what is selected ---------------------------------------------------------------
    def selected(self) -> str | None:
        item = self.table.currentItem()
        return None if item is None else str(item.data(0, Qt.ItemDataRole.UserRole))

    def select(self, name: str) -> None:
        self.table.setCurrentItem(self._items[name])

    def in_use(self) -> str | None:
        return None if self.settings.model_path else self.settings.model

    # ---- listing and checking -------------------------------------------------------------
    def refresh(self) -> None:
        """List the models (off the GUI thread), then check the installed ones' files."""
        self._run_task(self.catalog.entries, self._listed)

    def _listed(self, entries: list[ModelEntry] | None, error: BaseException | None) -> None:
        if error is not None or entries is None:
            self.status.setText(f"Could not list the models: {error}")
            return
        self.entries = {e.name: e for e in entries}
        for entry in entries:
            if entry.path is None:
                self.checks.pop(entry.name, None)
            elif entry.name not in self.checks:
                self._verify(entry.name)
        self._render()

    def _verify(self, name: str) -> None:
        self.checks[name] = None
        self._run_task(lambda: self.catalog.verify(name), lambda result, err: self._checked(name, result, err))

    def _checked(self, name: str, result: Verification | None, error: BaseException | None) -> None:
        if error is not None or result is None:
            result = Verification(Integrity.DAMAGED, f"could not be checked: {error}")
        self.checks[name] = result
        self._render()

    def _render(self) -> None:
        for name, item in self._items.items():
            entry = self.entries.get(name)
            if entry is None:
                continue
            font = item.font(0)
            font.setBold(name == self.in_use())
            item.setFont(0, font)
            item.setText(0, f"{name} (in use)" if name == self.in_use() else name)
            item.setText(1, entry.languages)
            item.setText(2, human_size(entry.size) if entry.size_on_disk else f"≈ {human_size(entry.size)}")
            progress = self.downloads.get(name)
            item.setText(3, "downloading…" if progress is not None and not progress.ended
                         else entry.installed.value)
            item.setText(4, self._check_text(name))
            item.setToolTip(4, self._check_detail(name))
        self._update_buttons()

    def _check_text(self, name: str) -> str:
        if name not in self.checks:
            return ""
        check = self.checks[name]
        return CHECKING if check is None else check.state.value

    def _check_detail(self, name: str) -> str:
        check = self.checks.get(name)
        return check.detail if check is not None else ""

    def _update_buttons(self) -> None:
        name = self.selected()
        entry = self.entries.get(name or "")
        running = name in self.downloads and not self.downloads[name].ended
        check = self.checks.get(name or "")
        damaged = check is not None and check.state is Integrity.DAMAGED
        self.download_button.setEnabled(entry is not None and not running
                                        and (entry.installed is Installed.MISSING or
                                             (damaged and entry.installed is Installed.DOWNLOADED)))
        self.cancel_button.setEnabled(running)
        self.delete_button.setEnabled(entry is not None and entry.deletable and not running)
        self.delete_button.setToolTip("The bundled model comes with TrayAssist and stays."
                                      if entry is not None and entry.installed is Installed.BUNDLED else "")
        self.use_button.setEnabled(entry is not None and entry.path is not None and not damaged
                                   and name != self.in_use())
        self.detail.setText(self._describe(entry, check))
        self._show_progress()

    @staticmethod
    def _describe(entry: ModelEntry | None, check: Verification | None) -> str:
        """The selected model in a sentence: what it is, where it is, what can be done."""
        if entry is None:
            return ""
        if check is not None and check.state is Integrity.DAMAGED:
            return f"{entry.name} is damaged ({check.detail}): download it again, or delete it."
        if entry.installed is Installed.BUNDLED:
            return f"{entry.name} comes with TrayAssist ({entry.path}); it cannot be deleted."
        if entry.installed is Installed.DOWNLOADED:
            return f"{entry.name} was downloaded to {entry.path}."
        text = f"{entry.name} is not on this computer; the download is about {human_size(entry.approx_size)}."
        return text + (" Files of an unfinished download are there; Delete removes them." if entry.leftovers else "")

    # ---- actions ----------------------------------------------------------------------
    def download_selected(self) -> None:
        name = self.selected()
        entry = self.entries.get(name or "")
        if name is None or entry is None or not self.download_button.isEnabled():
            return
        if not self.consent(name, human_size(entry.approx_size)):
            self.status.setText(f"Nothing downloaded: {name} stays not installed.")
            return
        self.downloads[name] = DownloadProgress(name, DownloadPhase.STARTING)
        self.checks.pop(name, None)
        self._render()
        if entry.installed is not Installed.DOWNLOADED:
            self._download(name)
            return

        def removed(_freed: Any, error: BaseException | None) -> None:
            if error is not None:
                self.update_progress(DownloadProgress(name, DownloadPhase.FAILED,
                                                      message=f"Could not replace the damaged {name}: {error}."))
                return
            self._download(name)

        # A damaged copy is replaced, not added to: the hub cache would keep its bad blob.
        self._run_task(lambda: self.catalog.delete(name), removed)

    def cancel_selected(self) -> None:
        name = self.selected()
        if name is not None and name in self.downloads and not self.downloads[name].ended:
            self.status.setText(f"Cancelling the download of {name}…")
            self._cancel_download(name)

    def delete_selected(self) -> None:
        name = self.selected()
        entry = self.entries.get(name or "")
        if name is None or entry is None or not entry.deletable:
            return
        text = f"Delete the downloaded model {name} ({human_size(entry.size)}) from this computer?"
        if name == self.in_use():
            text += (f"\n\n{name} is the model in use: choose another model first, or TrayAssist will "
                     "offer to download it again at the next press.")
        if not self.confirm(f"Delete {name}?", text):
            return

        def deleted(freed: int | None, error: BaseException | None) -> None:
            self.checks.pop(name, None)
            self.status.setText(f"Could not delete {name}: {error}" if error is not None
                                else f"Deleted {name}; {human_size(freed or 0)} freed.")
            self.refresh()

        self._run_task(lambda: self.catalog.delete(name), deleted)

    def use_selected(self) -> None:
        name = self.selected()
        if name is None or not self.use_button.isEnabled():
            return
        cleared = " (the model folder set in Settings no longer applies)" if self.settings.model_path else ""
        self._apply(self.settings.replace(model=name, model_path=""),
                    f"{name} is used from the next press{cleared}.")

    def _save_device(self) -> None:
        device, compute = self.device.currentData(), self.compute.currentData()
        if (device, compute) == (self.settings.device, self.settings.compute_type):
            return
        self._apply(self.settings.replace(device=device, compute_type=compute),
                    "Saved; the model reloads with it at the next press.")

    def _apply(self, settings: Settings, message: str) -> None:
        self._save(settings)
        self.set_settings(settings)
        self.status.setText(message)

    # ---- news from outside ----------------------------------------------------------------
    def set_settings(self, settings: Settings) -> None:
        self.settings = settings
        self._show_settings()
        self._render()

    def update_progress(self, p: DownloadProgress) -> None:
        self.downloads[p.name] = p
        if p.phase is DownloadPhase.FINISHED:
            # The download process has just checked every file against its checksum.
            self.checks[p.name] = Verification(Integrity.VERIFIED, "checked when it was downloaded")
        if p.ended:
            self.status.setText(progress_text(p))
            self.refresh()
        self._render()

    def _show_settings(self) -> None:
        for box, value in ((self.device, self.settings.device), (self.compute, self.settings.compute_type)):
            box.blockSignals(True)
            box.setCurrentIndex(max(0, box.findData(value)))
            box.blockSignals(False)
        folder = self.settings.model_path
        self.folder_note.setText(f"Settings name a model folder ({folder}); it is used instead of the models "
                                 "listed here until you choose one with “Use this model”." if folder else "")
        self.folder_note.setVisible(bool(folder))
        self._show_device_note()

    def _gpus_counted(self, count: int | None, _error: BaseException | None) -> None:
        self._gpus = int(count or 0)
        self._show_device_note()

    def _show_device_note(self) -> None:
        notes = []
        if self._gpus == 0:
            notes.append("No CUDA GPU found on this computer: models run on the CPU.")
        elif self._gpus:
            notes.append(f"{self._gpus} CUDA GPU(s) found.")
        if self.compute.currentData() in GPU_ONLY and (self.device.currentData() == "cpu" or self._gpus == 0):
            notes.append("On the CPU this compute type runs as int8.")
        self.device_note.setText(" ".join(notes))

    def _show_progress(self) -> None:
        name = self.selected()
        current = self.downloads.get(name or "")
        if current is None and self.downloads:
            current = list(self.downloads.values())[-1]
        self.progress_label.setVisible(current is not None)
        self.progress_bar.setVisible(current is not None)
        if current is not None:
            self.progress_label.setText(progress_text(current))
            show_progress(self.progress_bar, current)


def _combo(labels: dict[str, str], current: str) -> QComboBox:
    box = QComboBox()
    for key, label in labels.items():
        box.addItem(label, key)
    box.setCurrentIndex(max(0, box.findData(current)))
    return box
