"""Downloads a model in a child process, so the app itself never opens the network.

The child (`trayassist model-download`, see cli_model_download.py) reports JSON lines;
one reader thread per download turns them into progress. Cancel ends the child. A
download that fails, is cancelled or dies leaves the cache as it was before it started.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from trayassist.core.events import DownloadPhase, DownloadProgress
from trayassist.core.lanes import Done
from trayassist.core.transcribe import models
from trayassist.core.transcribe.catalog import ModelCatalog

log = logging.getLogger(__name__)

OnProgress = Callable[[DownloadProgress], None]


class DownloadCancelled(models.ModelError):
    """The user cancelled the download; nothing of it was kept."""


def child_command(name: str, hub_cache: Path, basedir: Path | None = None, endpoint: str | None = None,
                  executable: str = sys.executable, frozen: bool | None = None) -> list[str]:
    """The child's command line (a frozen build runs its own executable with the CLI's
    arguments). Only a model name and folders: nothing the user said or typed."""
    frozen = bool(getattr(sys, "frozen", False)) if frozen is None else frozen
    command = [executable] if frozen else [executable, "-m", "trayassist.cli"]
    command += ["model-download", name, "--hub-cache", str(hub_cache)]
    if basedir is not None:
        command += ["--basedir", str(basedir)]
    if endpoint:
        command += ["--endpoint", endpoint]
    return command


def child_env(env: Mapping[str, str]) -> dict[str, str]:
    out = dict(env)
    out["HF_HUB_DISABLE_TELEMETRY"] = "1"
    out["PYTHONUNBUFFERED"] = "1"
    return out


class ChildDownload:
    """One download in one child process, begun by `start()`. `done(ResolvedModel | None,
    error)` is called once, on the reader thread, after the cache was tidied."""

    def __init__(self, name: str, command: list[str], catalog: ModelCatalog, on_progress: OnProgress,
                 done: Done, env: Mapping[str, str] | None = None,
                 popen: Callable[..., subprocess.Popen[str]] = subprocess.Popen) -> None:
        self.name = name
        self._command = command
        self._catalog = catalog
        self._on_progress = on_progress
        self._done = done
        self._env = child_env(env) if env is not None else None
        self._popen = popen
        self._proc: subprocess.Popen[str] | None = None
        self._cancelled = threading.Event()
        self._reader: threading.Thread | None = None
        self._stderr: deque[str] = deque(maxlen=20)
        self.last = DownloadProgress(name, DownloadPhase.STARTING)

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def start(self) -> None:
        before = self._catalog.mark(self.name)
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0) if sys.platform == "win32" else 0
        self._report(self.last)
        try:
            self._proc = self._popen(self._command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, encoding="utf-8", errors="replace",
                                     env=self._env, creationflags=flags)
        except OSError as exc:
            self._finish(before, None, models.ModelError(f"Download of {self.name} could not start: {exc}"))
            return
        threading.Thread(target=self._drain_stderr, name="model-download-log", daemon=True).start()
        self._reader = threading.Thread(target=self._read, args=(before,), name="model-download", daemon=True)
        self._reader.start()

    def cancel(self, wait: bool = False, timeout: float = 30.0) -> None:
        """End the child; the reader then tidies the cache and reports "cancelled"."""
        self._cancelled.set()
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
        if wait and self._reader is not None and self._reader is not threading.current_thread():
            self._reader.join(timeout)

    # ---- reader thread ------------------------------------------------------------------
    def _read(self, before: Any) -> None:
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        path: str | None = None
        error: str | None = None
        for line in proc.stdout:
            try:
                msg = json.loads(line)
                event = str(msg["event"])
            except (ValueError, KeyError, TypeError):
                log.debug("model download: unexpected line from the child")
                continue
            if event == "progress":
                self._report(DownloadProgress(self.name, DownloadPhase.DOWNLOADING,
                                              int(msg.get("done", 0)), int(msg.get("total", 0))))
            elif event == "verifying":
                self._report(DownloadProgress(self.name, DownloadPhase.VERIFYING, self.last.done, self.last.total))
            elif event == "finished":
                path = str(msg.get("path", ""))
            elif event == "failed":
                error = str(msg.get("error", "")).splitlines()[0] if msg.get("error") else None
        try:
            code = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
        for pipe in (proc.stdin, proc.stdout):
            if pipe is not None:
                pipe.close()
        if self._cancelled.is_set():
            self._finish(before, None, DownloadCancelled(f"Download of {self.name} cancelled"))
        elif code == 0 and path:
            try:
                models.check_files(Path(path))
            except models.ModelError as exc:
                self._finish(before, None, exc)
            else:
                self._finish(None, models.ResolvedModel(self.name, Path(path), "download"), None)
        else:
            if error is None:
                tail = " ".join(self._stderr).strip()
                log.warning("model download process ended with %s: %s", code, tail[-300:])
                error = f"Download of {self.name} failed: the download process ended ({code})"
            self._finish(before, None, models.ModelError(error))

    def _drain_stderr(self) -> None:
        proc = self._proc
        assert proc is not None and proc.stderr is not None
        with proc.stderr:
            for line in proc.stderr:
                self._stderr.append(line.rstrip())

    def _finish(self, before: Any, result: models.ResolvedModel | None, error: BaseException | None) -> None:
        if before is not None:
            try:
                self._catalog.discard_partial(self.name, before)
            except OSError as exc:
                log.warning("could not tidy the unfinished download of %s: %s", self.name, exc)
        if result is not None:
            phase, message = DownloadPhase.FINISHED, ""
        elif isinstance(error, DownloadCancelled):
            phase, message = DownloadPhase.CANCELLED, str(error)
        else:
            phase, message = DownloadPhase.FAILED, str(error)
        self._report(DownloadProgress(self.name, phase, self.last.done, self.last.total, message))
        self._done(result, error)

    def _report(self, progress: DownloadProgress) -> None:
        self.last = progress
        try:
            self._on_progress(progress)
        except Exception:
            log.exception("download progress listener failed")


Starter = Callable[[str, OnProgress, Done], ChildDownload]


class Downloads:
    """The downloads running now: at most one per model. Progress goes to `publish`."""

    def __init__(self, start: Starter, publish: OnProgress) -> None:
        self._start = start
        self._publish = publish
        self._lock = threading.Lock()
        self._running: dict[str, ChildDownload] = {}

    def start(self, name: str, done: Done) -> bool:
        """False (and `done` is not called) when this model is already downloading."""

        def finished(result: Any, error: BaseException | None) -> None:
            with self._lock:
                if self._running.get(name) is download:
                    del self._running[name]
            done(result, error)

        with self._lock:
            if name in self._running:
                return False
            download = self._start(name, self._publish, finished)
            self._running[name] = download
        download.start()
        return True

    def cancel(self, name: str, wait: bool = False) -> bool:
        with self._lock:
            download = self._running.get(name)
        if download is None:
            return False
        download.cancel(wait=wait)
        return True

    def cancel_all(self) -> None:
        with self._lock:
            running = list(self._running.values())
        for download in running:
            download.cancel(wait=True)

    def progress(self) -> dict[str, DownloadProgress]:
        with self._lock:
            return {name: d.last for name, d in self._running.items()}
