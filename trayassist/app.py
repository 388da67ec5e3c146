"""Composition root: the one place that builds the running app and wires it together.

Order matters: the network guard before anything can open a socket; logs; the
single-instance lock; the tray icon as early as possible; then, on the next event-loop
turn, the services (off the GUI thread) and the history after them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Iterator
from typing import Any

from trayassist.core.config import SettingsStore
from trayassist.core.instance import InstanceLock
from trayassist.core.paths import Paths

log = logging.getLogger(__name__)

PURGE_EVERY_MS = 3600 * 1000  # expired history is removed hourly and at start


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
    # No core dumps (they would hold the decrypted history and its key), before anything is
    # decrypted; then the guard, before anything else can open a socket.
    from trayassist.core.hardening import harden_process

    harden_process()
    from trayassist.core.privacy.guard import NetworkGuard

    guard = NetworkGuard()
    guard.install()
    from trayassist.core.privacy.own_watch import OwnSocketWatch

    OwnSocketWatch(guard).start()  # its own thread: "Pause indicators" never pauses it
    paths.ensure()
    from trayassist.core.logsetup import setup_logging

    setup_logging(paths, verbose)
    lock = InstanceLock(paths.runtime / "instance.lock")
    if not lock.acquire():
        return hand_over(paths)
    # Offline unless the user consents to a download (the builder lifts it for one call).
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        return _run_tray(paths, guard, dialogs=not no_err_windows)
    finally:
        lock.release()


def _run_tray(paths: Paths, guard: Any, dialogs: bool) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from trayassist import __version__
    from trayassist.builder import ServiceBuilder
    from trayassist.core.commands import AppActions, app_commands
    from trayassist.core.controller import Controller
    from trayassist.core.events import EventBus
    from trayassist.core.logsetup import install_excepthook
    from trayassist.runtime import Feedback, Lanes, Runtime, Slots
    from trayassist.ui.history_flow import HistoryFlow
    from trayassist.ui.ipc_server import IpcServer, command_handler
    from trayassist.ui.shell import Shell
    from trayassist.ui.tasks import TaskRunner

    store = SettingsStore(paths.settings_file)
    settings = store.load()
    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qapp, QApplication)
    qapp.setApplicationName("TrayAssist")
    qapp.setApplicationVersion(__version__)
    qapp.setQuitOnLastWindowClosed(False)

    bus = EventBus()
    slots, lanes = Slots(), Lanes()
    # Services arrive in their slots after the icon shows (Runtime.start); until then the
    # controller answers `status` and the commands wait at the runtime's gates.
    controller = Controller(bus, store, settings, session=slots.session, history=slots.history,
                            assistant=slots.assistant, output=slots.output, privacy=slots.privacy,
                            feedback=Feedback(slots.output, lambda which: runtime.sound(which),
                                              lambda: builder.hush()))
    flow = HistoryFlow(lambda: runtime)
    builder = ServiceBuilder(paths, dict(os.environ), guard)
    runtime = Runtime(builder, controller, bus, slots, lanes, prompt=flow if dialogs else None)
    tasks = TaskRunner(lanes.tasks)
    commands = app_commands(controller, AppActions(
        ptt=runtime.on_ptt_lane, history_lane=lanes.history, history=lambda: runtime.history_store,
        assistant_ready=runtime.assistant_ready, activate=lambda: shell.activate(),
        quit=lambda: QTimer.singleShot(50, QApplication.quit)))
    shell = Shell(bus, controller, runtime, commands, tasks, dialogs=dialogs,
                  desktop=builder.desktop_notifications())
    shell.show()  # the icon first: nothing below waits for the keyring, the history or the model
    install_excepthook(paths, shell.show_crash)
    ipc = IpcServer(paths.ipc_name, command_handler(commands))
    ipc.listen()
    for problem in store.problems:
        shell.notifier.notify("Settings", problem, "warning")
    purge = QTimer()
    purge.timeout.connect(runtime.purge)
    purge.start(PURGE_EVERY_MS)
    QTimer.singleShot(0, runtime.start)
    log.info("TrayAssist %s started (pid %d)", __version__, os.getpid())
    code = qapp.exec()
    ipc.close()
    shell.close()
    if runtime.shutdown():
        # PortAudio never let go of a stream (the sound server died mid-recording);
        # interpreter teardown would crash in its thread, so leave right here.
        logging.shutdown()
        os._exit(int(code))
    return int(code)


@contextlib.contextmanager
def local_assistant(paths: Paths) -> Iterator[Any]:
    """The assistant without a running app, for `trayassist ask` from scripts.

    Uses the history store when it opens without asking (keyring); otherwise notes
    and timers made here are kept only in memory and the reply says nothing more.
    """
    from trayassist.builder import ServiceBuilder

    settings = SettingsStore(paths.settings_file).load()
    builder = ServiceBuilder(paths, dict(os.environ))
    opening = builder.open_history(settings)
    # No tray to notify here: the reply printed by the CLI is the whole answer.
    assistant, _timers = builder.assistant(settings, opening.store, notify=lambda _t, _m: None, status=None)
    try:
        yield assistant
    finally:
        if opening.store is not None:
            with contextlib.suppress(Exception):
                opening.store.close()
