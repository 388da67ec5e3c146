"""Plain values shared by the privacy watchers: who holds the mic, who talks, backend health."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import psutil


@dataclass(frozen=True)
class MicUser:
    """A process capturing audio. `name` is what the program says about itself; `exe`
    comes from the OS (psutil), so a fake name shows up next to the real binary."""

    pid: int | None
    name: str
    exe: str | None
    device: str = ""  # the source / card it captures from, when known
    streams: int = 1
    corked: bool = False  # every stream paused (holds the mic, receives no audio)

    def to_dict(self) -> dict[str, Any]:
        return {"pid": self.pid, "name": self.name, "exe": self.exe,
                "device": self.device, "corked": self.corked}


@dataclass(frozen=True)
class BackendStatus:
    """What `doctor` prints for one backend: can it run here, and if not, why and how to fix."""

    name: str
    ok: bool
    detail: str
    fix: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail, "fix": self.fix}


class MicWatch(Protocol):
    """One interface for every OS / sound server. `on_change` runs on the watch's own thread."""

    name: str

    def available(self) -> BackendStatus: ...

    def start(self, on_change: Callable[[], None]) -> None: ...

    def stop(self) -> None: ...

    def users(self) -> list[MicUser]:
        """Other processes capturing now (this process excluded)."""
        ...

    def own_streams(self) -> list[MicUser]:
        """This process's own captures as the OS sees them (to cross-check `mic.self`)."""
        ...


def process_identity(pid: int) -> tuple[str | None, str | None]:
    """(process name, executable path) from the OS; None where the OS refuses or the pid is gone."""
    try:
        proc = psutil.Process(pid)
        name = proc.name()
    except (psutil.Error, ValueError):
        return None, None
    try:
        exe = proc.exe() or None
    except (psutil.Error, OSError):
        exe = None
    return name, exe


class MicStreams:
    """The capture streams a backend sees right now, split into ours and everyone else's.
    Thread-safe: the backend's thread replaces the list, the monitor reads it."""

    def __init__(self, own_pid: int | None = None) -> None:
        self.own_pid = os.getpid() if own_pid is None else own_pid
        self._lock = threading.Lock()
        self._all: list[MicUser] = []

    def replace(self, found: list[MicUser]) -> bool:
        """Store what the backend found; True when it differs from before."""
        with self._lock:
            changed = found != self._all
            self._all = found
        return changed

    def others(self) -> list[MicUser]:
        with self._lock:
            return [u for u in self._all if u.pid != self.own_pid]

    def own(self) -> list[MicUser]:
        with self._lock:
            return [u for u in self._all if u.pid == self.own_pid]
