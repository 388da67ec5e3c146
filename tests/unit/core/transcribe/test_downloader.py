"""A model downloaded by a child process (the real `trayassist model-download`) from a local
fake of the hub: progress in bytes, cancel, failure, a child that dies, an app that goes
away. None of them leaves a partial model behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from tests.support.fake_hub import FakeHub, model_files, serve
from trayassist.cli_model_download import EXIT_ORPHANED
from trayassist.core.events import DownloadPhase, DownloadProgress
from trayassist.core.transcribe import models
from trayassist.core.transcribe.catalog import Installed, Integrity, ModelCatalog
from trayassist.core.transcribe.downloader import ChildDownload, DownloadCancelled, Downloads, child_command

pytestmark = pytest.mark.unit

REPO_DIR = "models--Systran--faster-whisper-base.en"
MB = 1 << 20


@pytest.fixture
def fake_hub(bundled_model_path: Path) -> Iterator[FakeHub]:
    with serve(model_files(bundled_model_path), repo=models.REPOS["base.en"]) as hub:
        yield hub


class Run:
    """One ChildDownload with what it reported."""

    def __init__(self, hub_cache: Path, endpoint: str, basedir: Path, name: str = "base.en") -> None:
        self.events: list[DownloadProgress] = []
        self.result: Any = None
        self.error: BaseException | None = None
        self.ended = threading.Event()
        self.progressed = threading.Condition()
        self.catalog = ModelCatalog(hub_cache, bundled=lambda: None)
        command = child_command(name, hub_cache, basedir, endpoint=endpoint)
        self.download = ChildDownload(name, command, self.catalog, self._progress, self._done, env=os.environ)

    def _progress(self, p: DownloadProgress) -> None:
        with self.progressed:
            self.events.append(p)
            self.progressed.notify_all()

    def _done(self, result: Any, error: BaseException | None) -> None:
        self.result, self.error = result, error
        self.ended.set()

    def wait_for_bytes(self, n: int, timeout: float = 60) -> None:
        with self.progressed:
            assert self.progressed.wait_for(lambda: any(e.done >= n for e in self.events) or self.ended.is_set(),
                                            timeout), self.events
        assert not self.ended.is_set(), (self.error, self.events)

    def wait(self, timeout: float = 120) -> None:
        assert self.ended.wait(timeout), self.events


def nothing_behind(hub_cache: Path) -> None:
    assert not (hub_cache / REPO_DIR).exists()
    assert not (hub_cache / ".locks" / REPO_DIR).exists()
    assert list(hub_cache.rglob("*.incomplete")) == []


def test_a_consented_download_runs_in_a_child_and_reports_bytes(fake_hub: FakeHub, tmp_path: Path) -> None:
    run = Run(tmp_path / "hub", fake_hub.url, tmp_path)
    run.download.start()
    child = run.download.pid
    run.wait()
    assert run.error is None, run.error
    assert run.result.source == "download" and (run.result.path / "model.bin").is_file()
    # model.bin came to the child, not to this process.
    assert fake_hub.state.model_bin_clients == [child] and child != os.getpid()
    phases = [e.phase for e in run.events]
    assert phases[0] is DownloadPhase.STARTING and phases[-1] is DownloadPhase.FINISHED
    assert DownloadPhase.VERIFYING in phases and DownloadPhase.DOWNLOADING in phases
    size = sum(len(b) for b in fake_hub.state.files.values())
    downloading = [e for e in run.events if e.phase is DownloadPhase.DOWNLOADING]
    assert downloading[-1].done == downloading[-1].total == size
    assert all(e.done <= e.total for e in downloading if e.total)
    assert [e.done for e in downloading] == sorted(e.done for e in downloading)
    entry = run.catalog.entry("base.en")
    assert (entry.installed, entry.path) == (Installed.DOWNLOADED, run.result.path)
    assert run.catalog.verify("base.en").state is Integrity.VERIFIED


def test_cancel_in_the_middle_ends_the_child_and_keeps_nothing(fake_hub: FakeHub, tmp_path: Path) -> None:
    fake_hub.state.hold_after = 30 * MB  # model.bin stops part-way until the test lets go
    run = Run(tmp_path / "hub", fake_hub.url, tmp_path)
    run.download.start()
    run.wait_for_bytes(30 * MB)  # the last figure before the stall is shown, not one 0.2 s older
    hub = tmp_path / "hub"
    assert (hub / REPO_DIR / "blobs").is_dir()  # something partial is there to clean up
    child = psutil.Process(run.download.pid)
    run.download.cancel()
    run.wait()
    assert isinstance(run.error, DownloadCancelled) and run.result is None
    assert run.events[-1].phase is DownloadPhase.CANCELLED
    assert not child.is_running()
    nothing_behind(hub)


def test_a_download_that_fails_keeps_nothing_and_says_why_in_one_line(fake_hub: FakeHub, tmp_path: Path) -> None:
    fake_hub.state.break_after = 12 * MB
    run = Run(tmp_path / "hub", fake_hub.url, tmp_path)
    run.download.start()
    run.wait()
    assert isinstance(run.error, models.ModelError) and not isinstance(run.error, DownloadCancelled)
    assert str(run.error).startswith("Download of base.en failed: ") and "\n" not in str(run.error)
    assert run.events[-1].phase is DownloadPhase.FAILED and run.events[-1].message == str(run.error)
    nothing_behind(tmp_path / "hub")


def test_a_child_that_dies_keeps_nothing(fake_hub: FakeHub, tmp_path: Path) -> None:
    fake_hub.state.hold_after = 30 * MB
    run = Run(tmp_path / "hub", fake_hub.url, tmp_path)
    run.download.start()
    run.wait_for_bytes(10 * MB)
    pid = run.download.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    run.wait()
    assert str(run.error) == "Download of base.en failed: the download process ended (-9)"
    nothing_behind(tmp_path / "hub")


def test_the_child_leaves_when_the_app_goes_away(fake_hub: FakeHub, tmp_path: Path) -> None:
    """The app holds the child's stdin; when it closes (the app died), the child exits."""
    fake_hub.state.hold_after = 30 * MB
    command = child_command("base.en", tmp_path / "hub", tmp_path, endpoint=fake_hub.url)
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    assert proc.stdin is not None and proc.stdout is not None
    first = proc.stdout.readline()
    assert '"event": "progress"' in first
    proc.stdin.close()
    assert proc.wait(timeout=30) == EXIT_ORPHANED
    proc.stdout.close()


def test_the_child_command_carries_only_a_model_name_and_folders(tmp_path: Path) -> None:
    src = child_command("small", tmp_path / "hub", tmp_path / "base", executable="/py")
    assert src == ["/py", "-m", "trayassist.cli", "model-download", "small", "--hub-cache", str(tmp_path / "hub"),
                   "--basedir", str(tmp_path / "base")]
    frozen = child_command("small", tmp_path / "hub", executable="/opt/trayassist/trayassist", frozen=True)
    assert frozen == ["/opt/trayassist/trayassist", "model-download", "small", "--hub-cache", str(tmp_path / "hub")]


def test_the_child_refuses_an_unknown_model_in_one_line(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "trayassist.cli", "model-download", "huge", "--hub-cache",
                           str(tmp_path / "hub"), "--basedir", str(tmp_path)],
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[-1] == '{"event": "failed", "error": "Unknown model \'huge\'"}'


def test_one_download_per_model_at_a_time(fake_hub: FakeHub, tmp_path: Path) -> None:
    fake_hub.state.hold_after = 30 * MB
    published: list[DownloadProgress] = []
    runs: list[Run] = []

    def start(name: str, on_progress: Any, done: Any) -> ChildDownload:
        run = Run(tmp_path / "hub", fake_hub.url, tmp_path, name)
        run.download._on_progress = lambda p: (run._progress(p), on_progress(p))
        run.download._done = lambda r, e: (done(r, e), run._done(r, e))
        runs.append(run)
        return run.download

    downloads = Downloads(start, published.append)
    assert downloads.start("base.en", lambda r, e: None)
    assert not downloads.start("base.en", lambda r, e: None)
    runs[0].wait_for_bytes(10 * MB)
    assert downloads.progress()["base.en"].phase is DownloadPhase.DOWNLOADING
    downloads.cancel_all()  # what the app does at quit: waits until the child is gone and tidied
    assert runs[0].ended.is_set() and downloads.progress() == {}
    assert published[-1].phase is DownloadPhase.CANCELLED
    nothing_behind(tmp_path / "hub")


def test_progress_is_thinned_out_but_the_latest_figure_always_follows() -> None:
    import io
    import json

    from tests.support.pulse import wait_for
    from trayassist.cli_model_download import Reporter

    out = io.StringIO()
    reporter = Reporter(out)
    reporter.progress(1, 10)
    reporter.progress(2, 10)
    reporter.progress(3, 10)  # within 0.2 s: held back, and nothing else comes (a stalled transfer)
    lines = lambda: [json.loads(line) for line in out.getvalue().splitlines()]  # noqa: E731
    assert lines()[0] == {"event": "progress", "done": 1, "total": 10}
    assert wait_for(lambda: len(lines()) == 2, 5)
    assert lines()[1] == {"event": "progress", "done": 3, "total": 10}
    assert reporter._timer is None  # nothing else is due
    reporter.flush_progress()  # nothing new: nothing written twice
    assert len(lines()) == 2
    reporter.close()
