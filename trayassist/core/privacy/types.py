"""Plain values shared by the privacy watchers: who holds the mic, who talks, backend health."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol

import psutil

OWN_NAME = "TrayAssist"


@dataclass(frozen=True)
class MicUser:
    """A process capturing audio. `name` is what the program says about itself; `exe`
    comes from the OS (psutil), so a fake name shows up next to the real binary. `claims`
    is set when the stream claimed to be a process it is not (TrayAssist, or another app):
    then pid/exe are the real process when the kernel or the sound server told us, else None."""

    pid: int | None
    name: str
    exe: str | None
    device: str = ""  # the source / card it captures from, when known
    streams: int = 1
    corked: bool = False  # every stream paused (holds the mic, receives no audio)
    claims: str | None = None  # what it falsely claimed to be, e.g. "TrayAssist"
    claims_exe: str | None = None  # the executable of the process it claimed to be
    verified: bool = True  # pid from the kernel or the sound server, not the program's word
    # A process connected to the sound server that no client admits to being: where the
    # streams claiming to be us come from, when that is one process.
    suspect_pid: int | None = None
    suspect_exe: str | None = None

    @property
    def label(self) -> str:
        """For people: the verified executable first, what it says about itself second."""
        if self.claims:
            return f"{self.exe or 'unknown program'} (claims to be {self.claims})"
        return self.name

    def to_dict(self) -> dict[str, Any]:
        return {"pid": self.pid, "name": self.name, "exe": self.exe,
                "device": self.device, "corked": self.corked, "claims": self.claims,
                "verified": self.verified, "label": self.label}


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


OwnStreamCount = Callable[[], int]


class MicStreams:
    """The capture streams a backend sees right now, split into ours and everyone else's.
    Thread-safe: the backend's thread replaces the list, the monitor reads it.

    `own_count` says how many capture streams TrayAssist has open (or is opening or
    closing) right now; streams claiming our pid beyond that are another program's and
    show as "unknown program (claims to be TrayAssist)". None trusts every claim (doctor)."""

    def __init__(self, own_pid: int | None = None, own_count: OwnStreamCount | None = None,
                 grace_s: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.own_pid = os.getpid() if own_pid is None else own_pid
        self._own_count = own_count
        # Our stream shows in the sound server a moment before the recorder says it is
        # open (and a moment after it closed): an excess must last this long to count.
        self._grace_s, self._clock = grace_s, clock
        self._excess_since: float | None = None
        self._lock = threading.Lock()
        self._all: list[MicUser] = []

    def replace(self, found: list[MicUser]) -> bool:
        """Store what the backend found; True when it differs from before."""
        with self._lock:
            changed = found != self._all
            self._all = found
        return changed

    def _split(self) -> tuple[list[MicUser], list[MicUser]]:
        with self._lock:
            found = list(self._all)
        own: list[MicUser] = []
        others: list[MicUser] = []
        if all(u.pid != self.own_pid for u in found):
            self._excess_lasts(False)
        for u in found:
            if u.pid != self.own_pid:
                others.append(u)
                continue
            ours = u.streams if self._own_count is None else max(0, self._own_count())
            if not self._excess_lasts(u.streams > ours):
                own.append(u)
                continue
            if ours:
                own.append(replace(u, streams=ours))
            others.append(MicUser(u.suspect_pid, u.name, u.suspect_exe, u.device, u.streams - ours, u.corked,
                                  claims=OWN_NAME, claims_exe=u.exe, verified=u.suspect_pid is not None))
        return own, others

    def _excess_lasts(self, excess: bool) -> bool:
        with self._lock:
            if not excess:
                self._excess_since = None
                return False
            now = self._clock()
            if self._excess_since is None:
                self._excess_since = now
            return now - self._excess_since >= self._grace_s

    def others(self) -> list[MicUser]:
        return self._split()[1]

    def own(self) -> list[MicUser]:
        return self._split()[0]
