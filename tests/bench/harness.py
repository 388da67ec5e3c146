"""The running tray for benchmarks: Xvfb + trayer, the virtual mic, the app as a process.

Commands go over the app's own IPC socket (what `trayassist status/ptt` send), so
polling costs a socket round trip, not a Python start-up per call.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from tests.support.app import App, app_env
from tests.support.desktop import Desktop
from trayassist import ipc_client
from trayassist.core.config import Settings
from trayassist.core.ipc_protocol import ProtocolError
from trayassist.core.paths import Paths

# The tray area trayer draws at the top-left (see tests/support/desktop.py).
TRAY_CROP = "48x32+0+0"
# Session-only history key (no keyring on a headless bench) and no typing into
# whatever window has focus: release-to-text measures transcription, not xdotool.
BENCH_SETTINGS = {"history_key_backend": "session", "output_mode": "none", "sounds": False,
                  "notifications": False}


@dataclass(frozen=True)
class PrivateMic:
    """A null sink and a virtual source of our own on the shared PulseAudio daemon.

    Other sessions play speech into the shared `virt` sink while they test; recorded
    through `vmic` it mixes into ours and garbles the transcripts. The app records our
    source through PULSE_SOURCE (libpulse's default for new streams); nothing global
    (the default source) changes.
    """

    sink: str
    source: str

    def play(self, wav: Path) -> None:
        subprocess.run(["paplay", "-d", self.sink, str(wav)], check=True, timeout=300)

    def env(self) -> dict[str, str]:
        return {"PULSE_SOURCE": self.source}


@contextmanager
def private_mic() -> Iterator[PrivateMic]:
    from tests.support import pulse

    pulse.start_server()
    tag = f"ta_bench_{os.getpid()}"
    mic = PrivateMic(f"{tag}_sink", f"{tag}_mic")
    modules: list[str] = []

    def load(*args: str) -> None:
        out = subprocess.run(["pactl", "load-module", *args], capture_output=True, text=True,
                             timeout=10, check=True).stdout.strip()
        modules.append(out)

    try:
        load("module-null-sink", f"sink_name={mic.sink}")
        load("module-virtual-source", f"source_name={mic.source}", f"master={mic.sink}.monitor")
        yield mic
    finally:
        for module in reversed(modules):
            subprocess.run(["pactl", "unload-module", module], capture_output=True, timeout=10)


def tray_pixels(desk: Desktop) -> bytes:
    """The tray area as raw RGB (about 15 ms on Xvfb)."""
    return subprocess.run(["import", "-window", "root", "-crop", TRAY_CROP, "-depth", "8", "rgb:-"],
                          env=desk.env(), capture_output=True, timeout=10).stdout


def changed_pixels(a: bytes, b: bytes) -> int:
    if len(a) != len(b):
        return max(len(a), len(b)) // 3
    return sum(1 for i in range(0, len(a), 3) if a[i:i + 3] != b[i:i + 3])


@dataclass
class RunningApp:
    app: App
    paths: Paths
    launched_at: float
    mic: PrivateMic

    @property
    def pid(self) -> int:
        assert self.app.proc is not None
        return self.app.proc.pid

    def call(self, cmd: str, timeout: float = 30.0, **args: Any) -> Any:
        reply = ipc_client.call(self.paths.ipc_name, cmd, timeout=timeout, **args)
        if not reply.get("ok"):
            raise RuntimeError(f"{cmd}: {reply.get('error')}")
        return reply.get("result")

    def try_status(self) -> dict[str, Any] | None:
        try:
            return self.call("status", timeout=5.0)  # type: ignore[no-any-return]
        except (ipc_client.NotRunning, ProtocolError, OSError, RuntimeError):
            return None

    def wait_state(self, states: tuple[str, ...], timeout: float = 60.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s = self.try_status()
            if s is not None and s["state"] in states:
                return s
            time.sleep(0.02)  # sleep-ok: polling interval of a bounded wait
        raise RuntimeError(f"app did not reach {states} within {timeout:.0f} s")

    def process_tree(self) -> list[psutil.Process]:
        root = psutil.Process(self.pid)
        return [root, *root.children(recursive=True)]

    def stop(self) -> None:
        self.app.stop()

    def log(self) -> str:
        return self.paths.log_file.read_text() if self.paths.log_file.exists() else ""


def launch(desk: Desktop, mic: PrivateMic, basedir: Path, settings: dict[str, Any] | None = None,
           wait: bool = True, env: dict[str, str] | None = None) -> RunningApp:
    """`env`: a whole environment to start from (a private Secret Service's), else ours."""
    paths = Paths.from_basedir(basedir).ensure()
    values, problems = Settings.from_dict(BENCH_SETTINGS | (settings or {}))
    assert not problems, problems
    paths.settings_file.write_text(json.dumps(values.to_dict(), indent=2))
    app = App(basedir, app_env(desk.display, (env or {}) | mic.env()))
    started = time.monotonic()
    app.start(wait=False)
    running = RunningApp(app, paths, started, mic)
    if wait:
        deadline = started + 60
        while running.try_status() is None:
            if time.monotonic() > deadline or (app.proc is not None and app.proc.poll() is not None):
                raise RuntimeError(f"app did not answer status:\n{app.output()[-2000:]}")
            time.sleep(0.01)  # sleep-ok: polling interval of a bounded wait
    return running
