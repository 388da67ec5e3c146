"""Logging to the log dir with rotation, and the last-resort crash handler.

Crash logs and every logged traceback keep the exception type and the stack but not the
exception message or locals: those can quote what the user said.
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
from typing import Any

from trayassist import __version__
from trayassist.core.paths import Paths

FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"
MESSAGE_LEFT_OUT = "(the exception message is left out on purpose: it may quote a transcript)"


def exception_summary(exc_type: type[BaseException], exc: BaseException | None, tb: TracebackType | None) -> list[str]:
    """Type and stack of an exception and of its causes, never their messages."""
    lines: list[str] = []
    seen: set[int] = set()
    while True:
        lines.append(f"Exception: {exc_type.__module__}.{exc_type.__qualname__}")
        lines += [f"  {f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(tb)]
        if exc is None:
            return lines
        seen.add(id(exc))
        nxt = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
        if nxt is None or id(nxt) in seen:
            return lines
        lines.append("raised while handling:" if exc.__cause__ is None else "caused by:")
        exc, exc_type, tb = nxt, type(nxt), nxt.__traceback__


class PrivateFormatter(logging.Formatter):
    """A formatter whose tracebacks carry types and stacks, not exception messages.

    Every handler we install uses it, so `log.exception(...)` and `exc_info=` cannot
    put a transcript quoted in an exception message into a log file or onto stderr.
    """

    def formatException(self, ei: Any) -> str:  # noqa: N802 (logging's name)
        exc_type, exc, tb = ei
        if exc_type is None:
            return ""
        return "\n".join([*exception_summary(exc_type, exc, tb), MESSAGE_LEFT_OUT])

    def format(self, record: logging.LogRecord) -> str:
        # Another formatter may have cached the full traceback text on the record, and
        # `log.warning("failed: %s", exc)` would print the message: name the type instead.
        cached, args = record.exc_text, record.args
        record.exc_text = None
        if isinstance(args, tuple) and any(isinstance(a, BaseException) for a in args):
            record.args = tuple(describe_exception(a) if isinstance(a, BaseException) else a for a in args)
        try:
            return super().format(record)
        finally:
            record.exc_text, record.args = cached, args


class _Described(str):
    """Prints the same with %s and %r."""

    def __repr__(self) -> str:
        return str(self)


def describe_exception(exc: BaseException) -> str:
    """What a log line may say about an exception: its type, and an OS error's errno text."""
    if isinstance(exc, OSError) and exc.strerror:
        return _Described(f"{type(exc).__name__}: {exc.strerror}")
    return _Described(type(exc).__name__)


def setup_logging(paths: Paths, verbose: bool = False, to_stderr: bool = False) -> None:
    paths.log.mkdir(parents=True, exist_ok=True, mode=0o700)
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    handler = logging.handlers.RotatingFileHandler(
        paths.log_file, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(PrivateFormatter(FORMAT))
    root.addHandler(handler)
    os.chmod(paths.log_file, 0o600)
    if to_stderr:
        err = logging.StreamHandler()
        err.setFormatter(PrivateFormatter("trayassist: %(levelname)s %(message)s"))
        err.setLevel(logging.WARNING)
        root.addHandler(err)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    # Libraries chatter at INFO with request details we do not want in logs.
    for noisy in ("faster_whisper", "httpx", "huggingface_hub", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def crash_report(exc_type: type[BaseException], tb: TracebackType | None) -> str:
    lines = [
        f"TrayAssist {__version__} crashed at {time.strftime('%Y-%m-%d %H:%M:%S')}",
        f"Python {sys.version.split()[0]} on {sys.platform}",
        MESSAGE_LEFT_OUT,
        *exception_summary(exc_type, None, tb),
    ]
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
