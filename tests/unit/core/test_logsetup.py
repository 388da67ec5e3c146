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
