"""Composition root: guard first, logs, the single-instance lock, then the Qt shell.

Services are built by `services.py` and handed to the shell (`ui/shell.py`), which
shows the tray first and starts them right after, so the icon appears fast.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Iterator
from typing import Any

from trayassist import services
from trayassist.core.config import SettingsStore
from trayassist.core.instance import InstanceLock
from trayassist.core.paths import Paths

log = logging.getLogger(__name__)


def hand_over(paths: Paths, attempts: float = 15.0) -> int:
    """Another instance holds the lock: tell it we were launched, then exit 0."""
    from trayassist import ipc_client
    from trayassist.core.ipc_protocol import ProtocolError

    deadline = time.monotonic() + attempts
    while True:
        try:
            ipc_client.call(paths.ipc_name, "activate", timeout=5.0)
            print("TrayAssist is already running; handed over to it.")
            return 0
        except (ipc_client.NotRunning, ProtocolError, OSError):
            # The first instance may still be starting up: its socket appears shortly.
            if time.monotonic() > deadline:
                print("trayassist: error: another TrayAssist holds the lock but does not answer",
                      file=sys.stderr)
                return 1
            time.sleep(0.1)


def run(paths: Paths, no_err_windows: bool = False, verbose: bool = False) -> int:
    # The guard goes in before anything else can open a socket.
    from trayassist.core.privacy.guard import NetworkGuard

    guard = NetworkGuard()
    guard.install()
    paths.ensure()
    from trayassist.core.logsetup import setup_logging

    setup_logging(paths, verbose)
    lock = InstanceLock(paths.runtime / "instance.lock")
    if not lock.acquire():
        return hand_over(paths)
    # Offline unless the user consents to a download (models.download lifts it for one call).
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        from trayassist.ui.shell import run_shell

        return run_shell(paths, no_err_windows, guard, services)
    finally:
        lock.release()


@contextlib.contextmanager
def build_local_assistant(paths: Paths) -> Iterator[Any]:
    """The assistant without a running app, for `trayassist ask` from scripts.

    Uses the history store when it opens without asking (keyring); otherwise notes
    and timers made here are kept only in memory and the reply says nothing more.
    """
    settings = SettingsStore(paths.settings_file).load()
    opening = services.open_history(paths, settings)
    # No tray to notify here: the reply printed by the CLI is the whole answer.
    assistant, _timers = services.build_assistant(settings, opening.store, notify=lambda _t, _m: None,
                                                  status=None, env=dict(os.environ))
    try:
        yield assistant
    finally:
        if opening.store is not None:
            with contextlib.suppress(Exception):
                opening.store.close()


