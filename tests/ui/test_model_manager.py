"""The model manager window on a real catalog (the bundled tiny.en, snapshots laid out as
the hub cache lays them out): listing, checksums off the GUI thread, consent before a
download, progress and cancel, delete, "Use this model", device and compute type, keys."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from tests.support.fake_hub import put_snapshot
from tests.support.modal import answer_modal
from trayassist.core.config import Settings
from trayassist.core.events import DownloadPhase, DownloadProgress
from trayassist.core.transcribe import models
from trayassist.core.transcribe.catalog import ModelCatalog
from trayassist.ui.model_manager import CHECKING, ModelManager
from trayassist.ui.tasks import TaskRunner

pytestmark = pytest.mark.ui

COL = {"model": 0, "languages": 1, "size": 2, "installed": 3, "checksum": 4}


class Calls:
    def __init__(self) -> None:
        self.downloads: list[str] = []
        self.cancels: list[str] = []
        self.saved: list[Settings] = []


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    r = TaskRunner()
    yield r
    r.shutdown()


@pytest.fixture
def hub(tmp_path: Path) -> Path:
    return tmp_path / "hub"


@pytest.fixture
def make(qtbot: Any, runner: TaskRunner, hub: Path,
         bundled_model_path: Path) -> Callable[..., tuple[ModelManager, Calls]]:
    def build(settings: Settings | None = None, **kwargs: Any) -> tuple[ModelManager, Calls]:
        calls = Calls()
        manager = ModelManager(ModelCatalog(hub, bundled=lambda: bundled_model_path), settings or Settings(),
                               run_task=runner.run_task, download=calls.downloads.append,
                               cancel_download=calls.cancels.append, save=calls.saved.append, **kwargs)
        qtbot.addWidget(manager)
        manager.show()
        qtbot.waitExposed(manager)
        qtbot.waitUntil(lambda: bool(manager.entries) and None not in manager.checks.values(), timeout=30000)
        return manager, calls

    return build


def cell(manager: ModelManager, name: str, column: str) -> str:
    return manager._items[name].text(COL[column])


def test_every_model_is_listed_with_size_languages_and_state(make: Any, hub: Path, bundled_model_path: Path) -> None:
    put_snapshot(hub, "small", bundled_model_path)
    manager, _ = make()
    assert [manager.table.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole)
            for i in range(manager.table.topLevelItemCount())] == list(models.REPOS)
    assert [cell(manager, "tiny.en", c) for c in ("model", "languages", "installed", "checksum")] == [
        "tiny.en (in use)", "English only", "bundled", "verified"]
    assert cell(manager, "tiny.en", "size") == "78 MB"  # its files on disk
    assert [cell(manager, "small", c) for c in ("languages", "installed", "checksum")] == [
        "99 languages", "downloaded", "verified"]
    assert [cell(manager, "large-v3", c) for c in ("size", "installed", "checksum")] == [
        "≈ 3.1 GB", "not installed", ""]
    assert manager.selected() == "tiny.en" and manager.table.hasFocus()
    assert "comes with TrayAssist" in manager.detail.text() and "cannot be deleted" in manager.detail.text()
    manager.select("large-v3")
    assert manager.detail.text() == "large-v3 is not on this computer; the download is about 3.1 GB."


def test_checksums_are_checked_off_the_gui_thread(qtbot: Any, runner: TaskRunner, hub: Path,
                                                  bundled_model_path: Path) -> None:
    import threading

    catalog = ModelCatalog(hub, bundled=lambda: bundled_model_path)
    gate, threads = threading.Event(), []
    real = catalog.verify

    def slow_verify(name: str) -> Any:
        threads.append(threading.current_thread())
        gate.wait(30)
        return real(name)

    catalog.verify = slow_verify  # type: ignore[method-assign]
    manager = ModelManager(catalog, Settings(), run_task=runner.run_task, download=print,
                           cancel_download=print, save=print)
    qtbot.addWidget(manager)
    qtbot.waitUntil(lambda: cell(manager, "tiny.en", "checksum") == CHECKING and bool(threads), timeout=10000)
    assert threads[0] is not threading.main_thread()  # the window stays responsive meanwhile
    gate.set()
    qtbot.waitUntil(lambda: cell(manager, "tiny.en", "checksum") == "verified", timeout=30000)


def test_a_damaged_download_says_so_and_cannot_be_used(make: Any, hub: Path, bundled_model_path: Path) -> None:
    snap = put_snapshot(hub, "base.en", bundled_model_path)
    with (snap / "model.bin").resolve().open("r+b") as f:
        f.seek(2_000_000)
        f.write(b"\x00\x00\x00\x07")
    manager, _ = make()
    assert cell(manager, "base.en", "checksum") == "damaged"
    assert "model.bin does not match its checksum" in manager._items["base.en"].toolTip(COL["checksum"])
    manager.select("base.en")
    assert not manager.use_button.isEnabled()
    assert manager.download_button.isEnabled()  # downloading again replaces it
    assert manager.detail.text() == ("base.en is damaged (model.bin does not match its checksum): "
                                     "download it again, or delete it.")


def test_download_asks_first_and_consent_is_never_the_default(qtbot: Any, make: Any) -> None:
    manager, calls = make()
    manager.select("base.en")
    assert manager.download_button.isEnabled() and not manager.use_button.isEnabled()
    seen: list[str] = []

    def refuse(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
        qtbot.keyClick(box, Qt.Key.Key_Return)  # Enter picks the default: Cancel

    answer_modal(refuse)
    qtbot.mouseClick(manager.download_button, Qt.MouseButton.LeftButton)
    assert "base.en" in seen[0] and "145 MB" in seen[0] and "TrayAssist itself stays offline" in seen[0]
    assert calls.downloads == [] and "Nothing downloaded" in manager.status.text()

    def agree(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        next(b for b in box.buttons() if b.text() == "&Download").click()

    answer_modal(agree)
    qtbot.mouseClick(manager.download_button, Qt.MouseButton.LeftButton)
    assert calls.downloads == ["base.en"]


def test_progress_and_cancel(qtbot: Any, make: Any) -> None:
    manager, calls = make()
    manager.consent = lambda name, size: True
    manager.select("base.en")
    manager.download_selected()
    assert calls.downloads == ["base.en"]
    assert not manager.download_button.isEnabled() and manager.cancel_button.isEnabled()
    manager.update_progress(DownloadProgress("base.en", DownloadPhase.DOWNLOADING, 50_000_000, 100_000_000))
    assert manager.progress_bar.isVisible()
    assert manager.progress_bar.value() == manager.progress_bar.maximum() // 2
    assert manager.progress_label.text() == "Downloading base.en: 50 MB of 100 MB"
    assert cell(manager, "base.en", "installed") == "downloading…"
    qtbot.mouseClick(manager.cancel_button, Qt.MouseButton.LeftButton)
    assert calls.cancels == ["base.en"]
    manager.update_progress(DownloadProgress("base.en", DownloadPhase.CANCELLED, 50_000_000, 100_000_000,
                                             "Download of base.en cancelled"))
    assert "cancelled; nothing of it was kept" in manager.status.text()
    qtbot.waitUntil(lambda: cell(manager, "base.en", "installed") == "not installed")
    assert manager.download_button.isEnabled() and not manager.cancel_button.isEnabled()


def test_a_size_not_yet_known_shows_a_busy_bar_not_a_made_up_figure(make: Any) -> None:
    manager, _ = make()
    manager.select("base.en")
    manager.update_progress(DownloadProgress("base.en", DownloadPhase.DOWNLOADING, 3_000_000, 0))
    assert (manager.progress_bar.minimum(), manager.progress_bar.maximum()) == (0, 0)
    assert manager.progress_label.text() == "Downloading base.en: 3 MB"


def test_a_finished_download_can_be_used_at_once(qtbot: Any, make: Any, hub: Path, bundled_model_path: Path) -> None:
    manager, calls = make()
    manager.select("base.en")
    put_snapshot(hub, "base.en", bundled_model_path)  # what the child leaves when it finishes
    manager.update_progress(DownloadProgress("base.en", DownloadPhase.FINISHED, 10, 10))
    qtbot.waitUntil(lambda: cell(manager, "base.en", "installed") == "downloaded")
    assert cell(manager, "base.en", "checksum") == "verified"
    qtbot.keyClick(manager.table, Qt.Key.Key_Return)  # Enter: "Use this model", the default
    assert [(s.model, s.model_path) for s in calls.saved] == [("base.en", "")]
    assert cell(manager, "base.en", "model") == "base.en (in use)"
    assert "base.en is used from the next press" in manager.status.text()


def test_use_clears_a_model_folder_and_says_so(make: Any, hub: Path, bundled_model_path: Path) -> None:
    put_snapshot(hub, "small", bundled_model_path)
    manager, calls = make(Settings(model_path=str(bundled_model_path)))
    assert manager.folder_note.isVisible() and str(bundled_model_path) in manager.folder_note.text()
    assert cell(manager, "tiny.en", "model") == "tiny.en"  # the folder is in use, not tiny.en
    manager.select("small")
    manager.use_selected()
    assert (calls.saved[-1].model, calls.saved[-1].model_path) == ("small", "")
    assert "no longer applies" in manager.status.text() and not manager.folder_note.isVisible()


def test_delete_asks_never_by_default_and_never_the_bundled_model(qtbot: Any, make: Any, hub: Path,
                                                                   bundled_model_path: Path) -> None:
    put_snapshot(hub, "base.en", bundled_model_path)
    manager, _ = make()
    manager.select("tiny.en")
    assert not manager.delete_button.isEnabled() and "bundled" in manager.delete_button.toolTip()
    manager.select("base.en")
    seen: list[str] = []

    def keep(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
        qtbot.keyClick(box, Qt.Key.Key_Return)

    answer_modal(keep)
    qtbot.mouseClick(manager.delete_button, Qt.MouseButton.LeftButton)
    assert "Delete the downloaded model base.en (78 MB)" in seen[0] and "in use" not in seen[0]
    assert (hub / "models--Systran--faster-whisper-base.en").exists()
    manager.confirm = lambda title, text: True
    manager.delete_selected()
    qtbot.waitUntil(lambda: cell(manager, "base.en", "installed") == "not installed", timeout=10000)
    assert not (hub / "models--Systran--faster-whisper-base.en").exists()
    assert manager.status.text() == "Deleted base.en; 78 MB freed."
    assert (bundled_model_path / "model.bin").is_file()


def test_deleting_the_model_in_use_says_what_happens_next(make: Any, hub: Path, bundled_model_path: Path) -> None:
    put_snapshot(hub, "base.en", bundled_model_path)
    manager, _ = make(Settings(model="base.en"))
    asked: list[str] = []
    manager.confirm = lambda title, text: asked.append(text) or False
    manager.delete_selected()
    assert "base.en is the model in use" in asked[0] and "download it again at the next press" in asked[0]


def test_device_and_compute_type_are_saved_when_chosen(qtbot: Any, make: Any) -> None:
    manager, calls = make(cuda_devices=lambda: 0)
    qtbot.waitUntil(lambda: "No CUDA GPU" in manager.device_note.text())
    manager.device.setCurrentIndex(manager.device.findData("cpu"))
    manager.compute.setCurrentIndex(manager.compute.findData("float16"))
    assert [(s.device, s.compute_type) for s in calls.saved] == [("cpu", "int8"), ("cpu", "float16")]
    assert "runs as int8" in manager.device_note.text()
    manager.set_settings(Settings(device="cuda", compute_type="int8_float16"))  # saved elsewhere
    assert (manager.device.currentData(), manager.compute.currentData()) == ("cuda", "int8_float16")
    assert len(calls.saved) == 2  # showing settings saves nothing


def test_keyboard_mnemonics_are_unique_and_escape_closes(qtbot: Any, make: Any) -> None:
    manager, _ = make()
    texts = [b.text() for b in manager.findChildren(QPushButton) if "&" in b.text()]
    texts += ["De&vice:", "Com&pute type:", "&Models:"]
    keys = [t[t.index("&") + 1].lower() for t in texts]
    assert len(keys) >= 8 and len(set(keys)) == len(keys), texts
    assert manager.use_button.isDefault()
    qtbot.keyClick(manager.table, Qt.Key.Key_Escape)
    assert not manager.isVisible()
