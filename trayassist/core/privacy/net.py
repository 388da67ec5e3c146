"""Network watch: system upload/download rates (loopback excluded) and the processes with
non-loopback connections ("talkers"), with per-process TCP upload rates where the OS gives
them without admin rights (Linux sock_diag). Sampled by the caller, at most once a second."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import psutil

from trayassist.core.privacy.guard import is_loopback_host
from trayassist.core.privacy.types import BackendStatus, process_identity

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Conn:
    pid: int | None
    proto: str
    remote: tuple[str, int]
    key: object  # stable identity of the socket between samples
    bytes_acked: int | None = None  # None: this source has no byte counters
    inode: int | None = None  # Linux socket inode (sock_diag source)


@dataclass(frozen=True)
class Talker:
    pid: int
    name: str
    exe: str | None
    remote_connections: int
    up_bps: float | None  # None: "not available" on this OS or for this socket type

    def to_dict(self) -> dict[str, Any]:
        return {"pid": self.pid, "name": self.name, "exe": self.exe,
                "remote_connections": self.remote_connections,
                "up_bps": None if self.up_bps is None else round(self.up_bps, 1)}


@dataclass
class NetSample:
    up_bps: float
    down_bps: float
    talkers: list[Talker] = field(default_factory=list)
    per_process_rates: bool = False


class ConnectionSource(Protocol):
    name: str
    has_bytes: bool

    def connections(self) -> list[Conn]:
        """Non-loopback connected sockets with their owning pid (None: not resolved yet)."""
        ...

    def close(self) -> None: ...


class SockDiagSource:
    """Linux: netlink sock_diag, with a cached socket-inode -> pid map."""

    name = "sock_diag"
    has_bytes = True

    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 rescan_s: float = 1.0, retry_unresolved_s: float = 30.0) -> None:
        from trayassist.core.privacy.sockdiag import SockDiag, socket_owners

        self._diag = SockDiag()
        self._owners_of = socket_owners
        self._clock = clock
        self._rescan_s = rescan_s  # an unknown inode triggers a /proc walk at most this often
        self._last_scan = -1e9
        self._owners: dict[int, int] = {}
        # Inodes a full walk could not attribute (another user's process when not root):
        # not worth another walk every second; only new unknown inodes trigger one.
        self._unresolvable: set[int] = set()
        self._retry_s = retry_unresolved_s
        self._last_retry = clock()
        self.scans = 0

    def connections(self) -> list[Conn]:
        socks = [s for s in self._diag.sockets()
                 if s.inode and not is_loopback_host(s.remote[0])]
        inodes = {s.inode for s in socks}
        self._owners = {i: p for i, p in self._owners.items() if i in inodes}
        self._unresolvable &= inodes
        now = self._clock()
        if now - self._last_retry >= self._retry_s:  # now and then, try them all again
            self._last_retry = now
            self._unresolvable.clear()
        missing = inodes - self._owners.keys() - self._unresolvable
        if missing and now - self._last_scan >= self._rescan_s:
            self._last_scan = now
            self.scans += 1
            found = self._owners_of(missing)
            self._owners.update(found)
            self._unresolvable |= missing - found.keys()
        return [Conn(self._owners.get(s.inode), s.proto, s.remote, s.cookie + s.proto.encode(),
                     s.bytes_acked, s.inode) for s in socks]

    def close(self) -> None:
        self._diag.close()


class PsutilSource:
    """Any OS: psutil.net_connections (no byte counters; may need admin on macOS)."""

    name = "psutil"
    has_bytes = False

    def connections(self) -> list[Conn]:
        out = []
        for c in psutil.net_connections(kind="inet"):
            if c.raddr and not is_loopback_host(c.raddr[0]) and c.status != psutil.CONN_LISTEN:
                out.append(Conn(c.pid, "tcp" if c.type == 1 else "udp", tuple(c.raddr),
                                (c.fd, c.pid, tuple(c.laddr), tuple(c.raddr))))
        return out

    def close(self) -> None:
        pass


def default_source(platform: str | None = None) -> ConnectionSource:
    """sock_diag on Linux when the kernel allows it, else psutil (logged)."""
    if (platform or sys.platform).startswith("linux"):
        try:
            return SockDiagSource()
        except OSError as exc:
            log.warning("network watch: sock_diag unavailable (%s); using psutil, "
                        "per-process rates not available", exc)
    return PsutilSource()


def loopback_nics() -> set[str]:
    stats = psutil.net_if_stats()
    return {n for n, s in stats.items()
            if "loopback" in getattr(s, "flags", "") or n == "lo" or n.startswith("Loopback")}


class NetWatch:
    """Call `sample()` from one thread (the monitor's), at most once a second."""

    def __init__(self, source: ConnectionSource | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 io_counters: Callable[[], dict[str, Any]] | None = None,
                 loopbacks: Callable[[], set[str]] = loopback_nics,
                 identify: Callable[[int], tuple[str | None, str | None]] = process_identity,
                 ) -> None:
        self._source = source
        self._owns_source = source is None
        self._clock = clock
        self._io = io_counters or (lambda: psutil.net_io_counters(pernic=True))
        self._loopbacks = loopbacks
        self._identify = identify
        self._lo: set[str] = set()
        self._known_nics: set[str] = set()
        self._prev_io: tuple[float, int, int] | None = None
        self._prev_bytes: dict[object, int] | None = None
        self._prev_t = 0.0
        self._names: dict[int, tuple[str | None, str | None]] = {}
        self.last_connections: list[Conn] = []  # of the latest sample (owner pid may be None)

    @property
    def source(self) -> ConnectionSource:
        if self._source is None:
            self._source = default_source()
        return self._source

    def available(self) -> BackendStatus:
        try:
            src = self.source
            src.connections()
        except Exception as exc:
            return BackendStatus("network", False, f"cannot list connections: {exc}",
                                 "run as a user allowed to list sockets (macOS needs admin)")
        rates = ("per-process TCP upload rates from sock_diag" if src.has_bytes
                 else "per-process rates not available on this OS")
        return BackendStatus("network", True, f"{src.name}; {rates}")

    def reset(self) -> None:
        """Forget baselines (after a pause the first sample starts fresh)."""
        self._prev_io = None
        self._prev_bytes = None

    def close(self) -> None:
        if self._source is not None and self._owns_source:
            self._source.close()
            self._source = None  # made again on the next sample (a restart after stop())

    def _system_rates(self, now: float) -> tuple[float, float]:
        counters = self._io()
        if set(counters) - self._known_nics:  # a new interface: re-learn which are loopback
            self._known_nics = set(counters)
            self._lo = self._loopbacks()
        sent = sum(c.bytes_sent for n, c in counters.items() if n not in self._lo)
        recv = sum(c.bytes_recv for n, c in counters.items() if n not in self._lo)
        prev, self._prev_io = self._prev_io, (now, sent, recv)
        if prev is None or now <= prev[0]:
            return 0.0, 0.0
        dt = now - prev[0]
        # A vanished interface makes the sums drop: clamp instead of showing negative rates.
        return max(0, sent - prev[1]) / dt, max(0, recv - prev[2]) / dt

    def _identity(self, pid: int) -> tuple[str | None, str | None]:
        if pid not in self._names:
            self._names[pid] = self._identify(pid)
        return self._names[pid]

    def sample(self) -> NetSample:
        now = self._clock()
        up, down = self._system_rates(now)
        src = self.source
        conns = src.connections()
        self.last_connections = conns
        first = self._prev_bytes is None
        prev = self._prev_bytes or {}
        dt = now - self._prev_t if not first and now > self._prev_t else 0.0
        per_pid: dict[int, list[Conn]] = {}
        for c in conns:
            if c.pid is not None:
                per_pid.setdefault(c.pid, []).append(c)
        talkers = []
        for pid, cs in sorted(per_pid.items()):
            rate: float | None = None
            tcp = [c for c in cs if c.bytes_acked is not None]
            if src.has_bytes and tcp:
                # A socket first seen now sent all its bytes since the last sample, except
                # on the first sample, which only sets the baseline.
                sent = sum(c.bytes_acked - prev.get(c.key, 0 if not first else c.bytes_acked)
                           for c in tcp if c.bytes_acked is not None)
                rate = max(0, sent) / dt if dt else 0.0
            name, exe = self._identity(pid)
            talkers.append(Talker(pid, name or f"pid {pid}", exe, len(cs), rate))
        self._names = {p: v for p, v in self._names.items() if p in per_pid}
        self._prev_bytes = {c.key: c.bytes_acked for c in conns if c.bytes_acked is not None}
        self._prev_t = now
        return NetSample(up, down, talkers, src.has_bytes)
