"""A press finds the model missing: consent, then a real download by the child process
(from the local fake hub) with a progress window that follows it, and Cancel."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from tests.support.fake_hub import FakeHub, model_files, serve
from tests.support.modal import answer_modal
from trayassist.builder import ServiceBuilder
from trayassist.core.config import Settings, SettingsStore
from trayassist.core.controller import Controller
from trayassist.core.events import DownloadNeeded, DownloadPhase, DownloadProgress, EventBus
from trayassist.core.paths import Paths
from trayassist.core.transcribe import models
from trayassist.runtime import Lanes, Runtime, Slots
from trayassist.ui.bridge import Bridge
from trayassist.ui.download_dialog import DownloadProgressDialog
from trayassist.ui.models_flow import ModelsFlow
from trayassist.ui.tasks import TaskRunner

pytestmark = pytest.mark.ui

MB = 1 << 20
REPO_DIR = "models--Systran--faster-whisper-base.en"


class Notices:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str, str]] = []

    def notify(self, title: str, message: str, level: str = "info", detail: str | None = None) -> None:
        self.seen.append((title, message, level))


@pytest.fixture
def fake_hub(bundled_model_path: Path) -> Iterator[FakeHub]:
    with serve(model_files(bundled_model_path), repo=models.REPOS["base.en"]) as hub:
        yield hub


@pytest.fixture
def flow(qtbot: Any, tmp_path: Path, fake_hub: FakeHub) -> Iterator[tuple[ModelsFlow, Notices, Paths]]:
    """The app's own pieces: builder, runtime, bridge, task runner; the child downloads from the fake hub."""
    paths = Paths.from_basedir(tmp_path / "base")
    paths.ensure()
    bus, slots, lanes = EventBus(), Slots(), Lanes()
    controller = Controller(bus, SettingsStore(paths.settings_file), Settings(model="base.en"),
                            session=slots.session, history=slots.history, assistant=slots.assistant,
                            output=slots.output, privacy=slots.privacy)
    builder = ServiceBuilder(paths, dict(os.environ) | {"HF_ENDPOINT": fake_hub.url})
    runtime = Runtime(builder, controller, bus, slots, lanes)
    tasks = TaskRunner(lanes.tasks)
    notices = Notices()
    shown: list[QWidget] = []
    models_flow = ModelsFlow(runtime, tasks, notices, True, lambda: controller.settings, controller.update_settings,
                             lambda w: (shown.append(w), w.show()))
    bridge = Bridge(bus)
    bridge.download_progress.connect(models_flow.on_progress)
    yield models_flow, notices, paths
    runtime.downloads.cancel_all()
    for w in shown:
        w.close()
    lanes.shutdown()


def consent(box: QWidget) -> None:
    assert isinstance(box, QMessageBox)
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    next(b for b in box.buttons() if b.text() == "&Download").click()


def needed() -> DownloadNeeded:
    return DownloadNeeded("base.en", models.SIZES["base.en"], "Model base.en is not on this computer")


def test_the_first_press_asks_then_downloads_with_progress(qtbot: Any, flow: Any, fake_hub: FakeHub) -> None:
    models_flow, notices, paths = flow
    fake_hub.state.hold_after = 30 * MB
    answer_modal(consent)
    models_flow.offer(needed())
    window = models_flow.progress_windows["base.en"]
    assert isinstance(window, DownloadProgressDialog) and window.isVisible()
    qtbot.waitUntil(lambda: window.bar.maximum() > 0 and window.bar.value() > 0, timeout=60000)
    assert window.label.text().startswith("Downloading base.en: ") and " of " in window.label.text()
    models_flow.offer(needed())  # asked once: a second press only says it
    assert notices.seen[-1] == ("Model", "Model base.en is not on this computer", "warning")
    fake_hub.state.release.set()
    qtbot.waitUntil(lambda: ("Model", "base.en is downloaded and ready.", "info") in notices.seen, timeout=120000)
    assert not window.isVisible() and "base.en" not in models_flow.progress_windows
    resolved = models.resolve("base.en", "", paths.cache, hub_cache=paths.cache / "models")
    assert resolved.source == "cache"


def test_cancel_in_the_progress_window_keeps_nothing(qtbot: Any, flow: Any, fake_hub: FakeHub) -> None:
    models_flow, notices, paths = flow
    fake_hub.state.hold_after = 30 * MB
    answer_modal(consent)
    models_flow.offer(needed())
    window = models_flow.progress_windows["base.en"]
    qtbot.waitUntil(lambda: window.bar.value() > 0, timeout=60000)
    qtbot.mouseClick(window.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any("cancelled" in m for _t, m, _l in notices.seen), timeout=60000)
    assert "nothing of it was kept" in window.label.text() and not window.cancel_button.isEnabled()
    assert window.hide_button.text() == "&Close"
    hub = paths.cache / "models"
    assert not (hub / REPO_DIR).exists() and list(hub.rglob("*.incomplete")) == []


def test_refusing_consent_downloads_nothing(qtbot: Any, flow: Any, fake_hub: FakeHub) -> None:
    models_flow, notices, _paths = flow

    def refuse(box: QWidget) -> None:
        qtbot.keyClick(box, Qt.Key.Key_Escape)

    answer_modal(refuse)
    models_flow.offer(needed())
    assert models_flow.progress_windows == {} and fake_hub.state.requests == []


def test_the_progress_window_hides_on_escape_and_the_download_goes_on(qtbot: Any) -> None:
    cancelled: list[str] = []
    window = DownloadProgressDialog("small", cancelled.append)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.update_progress(DownloadProgress("small", DownloadPhase.DOWNLOADING, 242_000_000, 484_000_000))
    assert window.label.text() == "Downloading small: 242 MB of 484 MB" and window.bar.value() == 500
    window.update_progress(DownloadProgress("tiny", DownloadPhase.DOWNLOADING, 1, 2))  # another model's: ignored
    assert window.bar.value() == 500
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.isVisible() and cancelled == []
