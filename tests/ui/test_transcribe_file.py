""""Transcribe a file…" with the real model: progress, files written beside the audio, bad files, Cancel."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import pulse
from tests.support.speech import assert_heard
from tests.support.subtitles import check_srt
from trayassist.core.transcribe.engine import Engine
from trayassist.core.transcribe.files import FileResult, transcribe_file
from trayassist.ui.tasks import TaskRunner
from trayassist.ui.transcribe_file import TranscribeFileDialog

pytestmark = [pytest.mark.ui, pytest.mark.model]

DATA = Path(__file__).parents[1] / "data" / "audio"
SAID = "Please remind me to call my sister tomorrow at noon."
LONG = ["Open the calculator and add twelve plus thirty.", "I would like to write a note about the meeting.",
        "Set a timer for five minutes and then play some music.", "The library closes at six o'clock on Saturday."]


@pytest.fixture(scope="module")
def engine(bundled_model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    from trayassist.core.transcribe.models import resolve

    eng = Engine(lambda: resolve("tiny.en", "", tmp_path_factory.mktemp("cache")))
    eng.load().result(60)
    yield eng
    eng.stop()


@pytest.fixture
def tasks() -> Iterator[TaskRunner]:
    runner = TaskRunner()
    yield runner
    runner.shutdown()


def bound(engine: Engine):  # what the app hands the dialog
    def transcribe(path: Path, progress, cancel: threading.Event) -> FileResult:
        return transcribe_file(engine, path, progress=progress, cancel=cancel)

    return transcribe


@pytest.fixture
def workdir(tmp_path: Path, speech_dir: Path) -> Path:
    if not shutil.which("espeak-ng"):
        pytest.skip("espeak-ng missing")
    work = tmp_path / "audio"
    work.mkdir()
    pulse.speak(SAID, work / "note.wav")
    shutil.copy(DATA / "corrupt.wav", work / "broken.wav")
    return work


def test_files_are_transcribed_beside_the_audio_with_progress(qtbot, engine: Engine, tasks: TaskRunner,
                                                               workdir: Path) -> None:
    (workdir / "note.srt").write_text("keep me")  # an existing transcript is never overwritten
    dialog = TranscribeFileDialog(bound(engine), tasks.run_task, "srt",
                                  choose_files=lambda _w: [workdir / "broken.wav", workdir / "note.wav",
                                                           workdir / "gone.mp3"])
    qtbot.addWidget(dialog)
    dialog.choose_button.click()
    values: list[int] = []
    dialog.progress.valueChanged.connect(values.append)
    with qtbot.waitSignal(dialog.finished_all, timeout=60000):
        dialog.start_button.click()
        assert dialog.running and not dialog.start_button.isEnabled()
    assert [o.written is not None for o in dialog.outcomes] == [False, True, False]
    broken, _, gone = (o.error or "" for o in dialog.outcomes)
    assert "cannot read audio" in broken and "no such file" in gone
    assert all("\n" not in o.error for o in dialog.outcomes if o.error)
    written = Path(dialog.outcomes[1].written or "")
    assert written == workdir / "note-2.srt" and (workdir / "note.srt").read_text() == "keep me"
    cues = check_srt(written.read_text())
    assert_heard(SAID, " ".join(t for _, _, t in cues))
    assert values == sorted(values) and values[-1] == 1000
    assert "1 saved, 2 could not be transcribed" in dialog.status.text()
    assert dialog.results.count() == 3 and dialog.start_button.isEnabled()


def test_cancel_stops_and_leaves_no_half_written_file(qtbot, engine: Engine, tasks: TaskRunner,
                                                     workdir: Path, speech_dir: Path) -> None:
    parts = [pulse.speak(s, speech_dir / f"long{i}.wav").path for i, s in enumerate(LONG)]
    gap = pulse.silence(speech_dir / "gap05.wav", 0.5)
    long_wav = pulse.concat([p for part in parts for p in (part, gap)] * 3, workdir / "long.wav")
    dialog = TranscribeFileDialog(bound(engine), tasks.run_task, "vtt")
    qtbot.addWidget(dialog)
    dialog.set_files([long_wav, workdir / "note.wav"])
    dialog.start_button.click()
    qtbot.waitUntil(lambda: dialog.progress.value() > 0, timeout=60000)
    with qtbot.waitSignal(dialog.finished_all, timeout=60000):
        dialog.cancel_button.click()
    assert "Cancelled" in dialog.status.text()
    assert not list(workdir.glob("*.vtt")) and not list(workdir.glob(".*.tmp"))
    assert dialog.cancel_button.text() == "Close" and not dialog.running
    # The engine is free again: the same dialog runs a short file to the end.
    dialog.set_files([workdir / "note.wav"])
    with qtbot.waitSignal(dialog.finished_all, timeout=60000):
        dialog.start_button.click()
    assert (workdir / "note.vtt").is_file()
