"""Logging to the log dir with rotation, and the last-resort crash handler.

Crash logs keep the exception type and the stack (files, lines, functions) but
not the exception message or local variables: those can quote what the user
said, and transcripts never reach a log.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from trayassist import __version__
from trayassist.core.paths import Paths

FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"


def setup_logging(paths: Paths, verbose: bool = False, to_stderr: bool = False) -> None:
    paths.log.mkdir(parents=True, exist_ok=True, mode=0o700)
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    handler = logging.handlers.RotatingFileHandler(
        paths.log_file, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)
    os.chmod(paths.log_file, 0o600)
    if to_stderr:
        err = logging.StreamHandler()
        err.setFormatter(logging.Formatter("trayassist: %(levelname)s %(message)s"))
        err.setLevel(logging.WARNING)
        root.addHandler(err)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    # Libraries chatter at INFO with request details we do not want in logs.
    for noisy in ("faster_whisper", "httpx", "huggingface_hub", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def crash_report(exc_type: type[BaseException], tb: TracebackType | None) -> str:
    frames = traceback.extract_tb(tb)
    lines = [
        f"TrayAssist {__version__} crashed at {time.strftime('%Y-%m-%d %H:%M:%S')}",
        f"Python {sys.version.split()[0]} on {sys.platform}",
        f"Exception: {exc_type.__module__}.{exc_type.__qualname__}",
        "(the exception message is left out on purpose: it may quote a transcript)",
        "Stack:",
    ]
    lines += [f"  {f.filename}:{f.lineno} in {f.name}" for f in frames]
    return "\n".join(lines) + "\n"


def write_crash_log(paths: Paths, exc_type: type[BaseException], tb: TracebackType | None) -> Path:
    paths.crash_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = paths.crash_dir / f"crash-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.txt"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(crash_report(exc_type, tb))
    return path


def install_excepthook(paths: Paths, show: Callable[[str], None] | None) -> None:
    """Unhandled exceptions (any thread) write a crash log and tell the user once."""

    def handle(exc_type: type[BaseException], exc: BaseException | None, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)  # type: ignore[arg-type]
            return
        try:
            path = write_crash_log(paths, exc_type, tb)
        except OSError:
            path = None
        logging.getLogger("trayassist.crash").error(
            "unhandled %s; crash log: %s", exc_type.__name__, path
        )
        if show is not None:
            show(f"TrayAssist hit an unexpected error ({exc_type.__name__}). "
                 f"A crash log without any transcript was written to {path}.")

    sys.excepthook = handle
    threading.excepthook = lambda a: handle(a.exc_type, a.exc_value, a.exc_traceback)
