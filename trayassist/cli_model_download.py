"""`trayassist model-download NAME --hub-cache DIR`: the child process that downloads a model.

Not for people: the app starts it after the user consented, so that only this child ever
opens the network and the app stays under its guard. It prints JSON lines on stdout:
{"event": "progress", "done": N, "total": N}, {"event": "verifying"}, then
{"event": "finished", "path": DIR} or {"event": "failed", "error": LINE}. It exits when
its stdin closes (the app went away), so it never outlives the app.
"""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
import threading
import time
from pathlib import Path
from typing import Any, TextIO

from trayassist.core.config import Settings
from trayassist.core.paths import Paths

COMMAND = "model-download"
EXIT_ORPHANED = 3
PROGRESS_EVERY_S = 0.2


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = subparsers.add_parser(COMMAND)  # no help: not for people
    p.add_argument("name")
    p.add_argument("--hub-cache", required=True, type=Path)
    p.add_argument("--endpoint", default=None)
    return p


class Reporter:
    """Writes the JSON lines (from any thread). Progress goes out at most every
    PROGRESS_EVERY_S, and the latest figure always follows, even when the bytes stall."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._lock = threading.Lock()
        self._last = 0.0
        self._pending: tuple[int, int] | None = None
        self._sent: tuple[int, int] | None = None
        self._timer: threading.Timer | None = None

    def _write(self, event: str, **fields: Any) -> None:
        self._out.write(json.dumps({"event": event, **fields}) + "\n")
        self._out.flush()

    def emit(self, event: str, **fields: Any) -> None:
        with self._lock:
            self._write(event, **fields)

    def progress(self, done: int, total: int) -> None:
        with self._lock:
            self._pending = (done, total)
            wait = self._last + PROGRESS_EVERY_S - time.monotonic()
            if wait <= 0:
                self._send_pending()
            elif self._timer is None:
                self._timer = threading.Timer(wait, self.flush_progress)
                self._timer.daemon = True
                self._timer.start()

    def _send_pending(self) -> None:
        if self._pending is not None and self._pending != self._sent:
            self._write("progress", done=self._pending[0], total=self._pending[1])
            self._sent = self._pending
        self._last = time.monotonic()

    def flush_progress(self) -> None:
        with self._lock:
            self._timer = None
            self._send_pending()

    def verifying(self) -> None:
        self.flush_progress()
        self.emit("verifying")

    def close(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None


def _json_channel() -> TextIO:
    """Keep stdout for the JSON lines only: anything else printed (a library's warning,
    native code) goes to stderr."""
    fd = os.dup(sys.stdout.fileno())
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    return os.fdopen(fd, "w", encoding="utf-8")


def _exit_with_parent() -> None:
    """The app holds our stdin open; when it closes (the app quit or died), leave at once."""
    try:
        mode = os.fstat(sys.stdin.fileno()).st_mode
    except (OSError, ValueError):
        return
    if not stat.S_ISFIFO(mode):
        return  # run by hand: no parent to follow

    fd = sys.stdin.fileno()

    def watch() -> None:
        # os.read, not sys.stdin: a buffered reader's lock would stop the interpreter's exit.
        try:
            while os.read(fd, 4096):
                pass
        except OSError:
            pass
        os._exit(EXIT_ORPHANED)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def run(args: argparse.Namespace, _paths: Paths, _settings: Settings) -> int:
    from trayassist.core.transcribe import models

    reporter = Reporter(_json_channel())
    _exit_with_parent()
    reporter.progress(0, 0)
    try:
        resolved = models.download(
            args.name, consent=True, hub_cache=args.hub_cache, endpoint=args.endpoint,
            progress=reporter.progress,
            verifying=reporter.verifying)
    except models.ModelError as exc:
        reporter.flush_progress()
        reporter.emit("failed", error=str(exc).splitlines()[0])
        return 1
    finally:
        reporter.close()
    reporter.flush_progress()
    reporter.emit("finished", path=str(resolved.path))
    return 0
