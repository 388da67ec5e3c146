"""The Qt side of speech models: consent when a press finds the model missing, the
download's progress window, and the model manager window."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QWidget

from trayassist.core.config import Settings
from trayassist.core.events import DownloadNeeded, DownloadPhase, DownloadProgress
from trayassist.core.transcribe.catalog import ModelCatalog
from trayassist.core.transcribe.downloader import DownloadCancelled
from trayassist.core.transcribe.models import human_size
from trayassist.runtime import Runtime
from trayassist.ui.notifier import Notifier
from trayassist.ui.tasks import TaskRunner


def cuda_devices() -> int:
    """CUDA GPUs CTranslate2 can use (0 without a CUDA runtime); loads ctranslate2: off the GUI thread."""
    try:
        import ctranslate2

        return int(ctranslate2.get_cuda_device_count())
    except Exception:
        return 0


class ModelsFlow:
    def __init__(self, runtime: Runtime, tasks: TaskRunner, notifier: Notifier, dialogs: bool,
                 settings: Callable[[], Settings], save: Callable[[Settings], None],
                 present: Callable[[QWidget], None]) -> None:
        self.runtime = runtime
        self.tasks = tasks
        self.notifier = notifier
        self.dialogs = dialogs
        self._settings = settings
        self._save = save
        self._present = present
        self.manager: Any = None
        self.progress_windows: dict[str, Any] = {}
        self._offered: set[str] = set()
        self._catalog: ModelCatalog | None = None

    @property
    def catalog(self) -> ModelCatalog:
        if self._catalog is None:
            self._catalog = self.runtime.builder.model_catalog()
        return self._catalog

    def offer(self, event: DownloadNeeded) -> None:
        """A press found the model missing: ask once per model, download only after 'Download'."""
        from trayassist.ui.download_dialog import ask_consent

        if not self.dialogs or event.name in self._offered:
            self.notifier.notify("Model", event.message, "warning")
            return
        self._offered.add(event.name)
        if ask_consent(event.name, human_size(event.approx_size or 0)):
            self.download(event.name, window=True)

    def download(self, name: str, window: bool) -> None:
        """Start a download the user agreed to; `window`: show its own progress window."""
        if window:
            from trayassist.ui.download_dialog import DownloadProgressDialog

            progress = DownloadProgressDialog(name, self.runtime.cancel_download)
            self.progress_windows[name] = progress
            progress.finished.connect(lambda _r: self._progress_closed(name, progress))
            self._present(progress)

        def done(_result: Any, error: BaseException | None) -> None:
            if error is None:
                self.notifier.notify("Model", f"{name} is downloaded and ready.")
            elif isinstance(error, DownloadCancelled):
                self.notifier.notify("Model", f"Download of {name} cancelled; nothing of it was kept.")
            else:
                self._offered.discard(name)  # a failure may be worth another try at the next press
                self.notifier.notify("Model", f"{error} Nothing of it was kept.", "error")

        self.runtime.download(name, self.tasks.on_gui(done))

    def _progress_closed(self, name: str, window: Any) -> None:
        if window.ended and self.progress_windows.get(name) is window:
            del self.progress_windows[name]  # hidden while running, it still follows the download

    def on_progress(self, p: DownloadProgress) -> None:
        window = self.progress_windows.get(p.name)
        if window is not None:
            window.update_progress(p)
            # Done: the notice says it is ready. A failure stays readable until closed.
            if p.ended and (p.phase is DownloadPhase.FINISHED or not window.isVisible()):
                window.close()
                self.progress_windows.pop(p.name, None)
        if self.manager is not None:
            self.manager.update_progress(p)

    def on_settings(self, settings: Settings) -> None:
        if self.manager is not None:
            self.manager.set_settings(settings)

    def show_manager(self) -> None:
        from trayassist.ui.model_manager import ModelManager

        if self.manager is None:
            self.manager = ModelManager(
                self.catalog, self._settings(), run_task=self.tasks.run_task,
                download=lambda name: self.download(name, window=False),
                cancel_download=self.runtime.cancel_download, save=self._save,
                downloads=self.runtime.downloads.progress(), cuda_devices=cuda_devices)
            self.manager.finished.connect(self._manager_closed)
        self._present(self.manager)

    def _manager_closed(self, _result: int) -> None:
        self.manager = None
