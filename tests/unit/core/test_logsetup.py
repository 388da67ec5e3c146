import io
import logging
import os
import sys
from pathlib import Path

import pytest

from trayassist.core.logsetup import setup_logging, write_crash_log
from trayassist.core.paths import Paths

pytestmark = pytest.mark.unit


def test_crash_log_keeps_the_stack_but_not_the_message(tmp_path: Path) -> None:
    paths = Paths.from_basedir(tmp_path).ensure()
    canary = "my secret canary sentence"
    try:
        raise ValueError(f"failed while handling {canary}")
    except ValueError:
        exc_type, _exc, tb = sys.exc_info()
        path = write_crash_log(paths, exc_type, tb)  # type: ignore[arg-type]
    text = path.read_text()
    assert "ValueError" in text and "test_crash_log_keeps_the_stack" in text
    assert canary not in text
    assert (os.stat(path).st_mode & 0o777) == 0o600


def test_logs_go_under_basedir_with_private_mode(tmp_path: Path) -> None:
    paths = Paths.from_basedir(tmp_path).ensure()
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        setup_logging(paths)
        logging.getLogger("trayassist.test").info("hello")
        for h in root.handlers:
            h.flush()
        assert "hello" in paths.log_file.read_text()
        assert (os.stat(paths.log_file).st_mode & 0o777) == 0o600
    finally:
        for h in root.handlers[:]:
            root.removeHandler(h)
            h.close()
        for h in saved[0]:
            root.addHandler(h)
        root.setLevel(saved[1])


@pytest.fixture
def logging_to(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """setup_logging into a temp base dir and a stderr of our own; read() -> (file, stderr)."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    paths = Paths.from_basedir(tmp_path).ensure()
    stderr = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)
    setup_logging(paths, to_stderr=True)
    ours = root.handlers[:]

    def read() -> tuple[str, str]:
        for h in ours:
            h.flush()
        return paths.log_file.read_text(), stderr.getvalue()

    yield read
    for h in ours:
        root.removeHandler(h)
        h.close()
    for h in saved[0]:
        root.addHandler(h)
    root.setLevel(saved[1])


CANARY = "canary-7f3a quoting the user: buy lavender soap"


def _fail_deep() -> None:
    try:
        raise KeyError(f"inner {CANARY}")
    except KeyError as inner:
        raise ValueError(f"outer {CANARY}") from inner


def test_logged_tracebacks_keep_the_stack_but_not_the_message(logging_to) -> None:
    log = logging.getLogger("trayassist.test")
    try:
        _fail_deep()
    except ValueError as exc:
        log.exception("handling an utterance failed")
        log.error("again with exc_info", exc_info=exc)
        log.warning("and as an argument: %s (%r)", exc, exc)
    try:
        raise OSError(2, "No such file or directory", f"/tmp/{CANARY}")
    except OSError as exc:
        log.warning("open failed: %s", exc)
    text, err = logging_to()
    for out in (text, err):
        assert CANARY not in out and "lavender" not in out
    # What is left is enough to find the bug: types, files, functions, causes.
    assert text.count("builtins.ValueError") == 2 and "builtins.KeyError" in text
    assert "_fail_deep" in text and "caused by:" in text
    assert "and as an argument: ValueError (ValueError)" in text
    assert "open failed: FileNotFoundError: No such file or directory" in text
    assert "handling an utterance failed" in err and "builtins.ValueError" in err


def test_a_traceback_cached_by_another_handler_is_not_reused(logging_to) -> None:
    # A handler added by a library formats first and caches the full text on the record.
    other = logging.StreamHandler(open(os.devnull, "w"))  # noqa: SIM115
    other.setFormatter(logging.Formatter("%(message)s"))
    root = logging.getLogger()
    root.handlers.insert(0, other)
    try:
        try:
            raise RuntimeError(CANARY)
        except RuntimeError:
            logging.getLogger("lib").exception("library failure")
    finally:
        root.removeHandler(other)
        other.stream.close()
    text, err = logging_to()
    assert CANARY not in text + err and "builtins.RuntimeError" in text


def test_basedir_holds_every_directory(tmp_path: Path) -> None:
    paths = Paths.from_basedir(tmp_path / "b").ensure()
    for d in (paths.config, paths.data, paths.cache, paths.state, paths.log, paths.runtime):
        assert d.is_relative_to(tmp_path / "b") and (d.stat().st_mode & 0o777) == 0o700
    assert paths.ipc_name.startswith(str(tmp_path)) or "trayassist-" in paths.ipc_name


def test_excepthook_writes_a_crash_log_and_tells_the_user_once(tmp_path: Path, monkeypatch) -> None:
    import threading

    from trayassist.core.logsetup import install_excepthook

    paths = Paths.from_basedir(tmp_path).ensure()
    shown: list[str] = []
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    install_excepthook(paths, shown.append)
    try:
        raise RuntimeError("quoting the user: a private sentence")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    logs = list(paths.crash_dir.iterdir())
    assert len(logs) == 1 and "RuntimeError" in logs[0].read_text()
    assert "private sentence" not in logs[0].read_text()
    assert len(shown) == 1 and str(logs[0]) in shown[0] and "private sentence" not in shown[0]
