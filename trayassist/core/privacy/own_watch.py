"""Watches this process's own sockets for the network guard, on a thread of its own so
that "Pause indicators" never pauses it: once a second, and every 20 ms while native code
that could phone home runs (a model loading, a CLI transcription), so a connect-send-close
between two 1 s looks is still caught while its socket exists."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import socket
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import TextIO

from trayassist.core.privacy.guard import NetworkGuard, is_loopback_host
from trayassist.core.privacy.sockdiag import SockDiag

log = logging.getLogger(__name__)

SLOW_S, FAST_S = 1.0, 0.02
OwnSocket = tuple[object, str, int]  # (identity, remote ip, remote port)


def own_socket_fds(pid: int | str = "self") -> dict[int, int] | None:
    """fd -> socket inode for a process (this one by default; Linux), None where /proc is not there."""
    fd_dir = f"/proc/{pid}/fd"
    try:
        fds = os.listdir(fd_dir)
    except OSError:
        return None
    out: dict[int, int] = {}
    for fd in fds:
        try:
            link = os.readlink(f"{fd_dir}/{fd}")
        except OSError:
            continue  # closed meanwhile
        if link.startswith("socket:["):
            out[int(fd)] = int(link[8:-1])
    return out


class OwnSockets:
    """Our own sockets, asked directly: a dup of each new socket fd tells its family and
    peer (no system-wide walk). Sockets still connecting are looked up with sock_diag."""

    def __init__(self, diag_factory: Callable[[], SockDiag] = SockDiag,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._local: set[int] = set()  # unix/netlink/loopback: never interesting again
        self._diag_factory = diag_factory
        self._clock = clock
        self._pending: set[int] = set()
        self._last_dump = -1e9

    def sample(self) -> list[OwnSocket] | None:
        fds = own_socket_fds()
        if fds is None:
            return None
        found: list[OwnSocket] = []
        pending: set[int] = set()
        for fd, inode in fds.items():
            if inode in self._local:
                continue
            peer = self._peer(fd, inode)
            if isinstance(peer, tuple):
                found.append(((inode, peer[0], peer[1]), peer[0], peer[1]))
                if is_loopback_host(peer[0]):
                    self._local.add(inode)  # e.g. the local LLM: connected for good to loopback
            elif peer == "pending":
                pending.add(inode)
            else:
                self._local.add(inode)
        self._local &= set(fds.values())
        # Connecting (SYN_SENT): only the kernel's table knows where to. An unconnected UDP
        # socket stays "pending" for good, so old ones are looked up once a second at most.
        new, self._pending = pending - self._pending, pending
        if new or (pending and self._clock() - self._last_dump >= SLOW_S):
            self._last_dump = self._clock()
            with self._diag_factory() as diag:
                found += [((s.inode, s.remote[0], s.remote[1]), s.remote[0], s.remote[1])
                          for s in diag.sockets() if s.inode in pending]
        return found

    @staticmethod
    def _peer(fd: int, inode: int) -> tuple[str, int] | str | None:
        """(ip, port) of a connected INET socket; "pending" while it connects; None for
        anything local (or gone)."""
        try:
            dup = os.dup(fd)
        except OSError:
            return None
        try:
            if os.fstat(dup).st_ino != inode or not stat.S_ISSOCK(os.fstat(dup).st_mode):
                return None  # the fd was closed and reused meanwhile
            sock = socket.socket(fileno=dup)
        except OSError:
            os.close(dup)
            return None
        try:
            if sock.family not in (socket.AF_INET, socket.AF_INET6):
                return None
            try:
                name = sock.getpeername()
            except OSError as exc:
                return "pending" if exc.errno == errno.ENOTCONN else None
            return str(name[0]), int(name[1])
        finally:
            sock.close()  # closes the dup only


class OwnSocketWatch:
    """Thread `own-sockets`: feeds the guard's count of our own non-loopback sockets.
    `closely(seconds)` samples every 20 ms for that long (~1.5 % of a core meanwhile)."""

    def __init__(self, guard: NetworkGuard, sample: Callable[[], list[OwnSocket] | None] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.guard = guard
        self._sample = sample or OwnSockets().sample
        self._clock = clock
        self._fast_until = 0.0
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self.checks = 0

    def start(self) -> OwnSocketWatch:
        if self._thread is None:
            self.guard.on_watch_closely(self.closely)
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name="own-sockets", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.check()  # one last look: nothing slips out at the very end

    def closely(self, seconds: float) -> None:
        """Sample fast for `seconds` from now (extends a window already open)."""
        self._fast_until = max(self._fast_until, self._clock() + seconds)
        self._wake.set()

    def check(self) -> int:
        self.checks += 1
        try:
            return self.guard.check_own_sockets(self._sample())
        except Exception:  # keep watching; a failed look must not stop the next ones
            log.exception("own socket check failed")
            return 0

    def _run(self) -> None:
        while not self._stopping:
            self.check()
            fast = self._clock() < self._fast_until
            self._wake.wait(FAST_S if fast else SLOW_S)
            self._wake.clear()


@contextlib.contextmanager
def guarded_command(name: str, guard: NetworkGuard | None = None,
                    err: TextIO | None = None) -> Iterator[NetworkGuard]:
    """For CLI commands that run without the app (`transcribe`, `ask`): the guard installed
    (unless one is given: tests pass one that is not) and our sockets watched closely for
    the whole run. Afterwards, a line on stderr if anything was blocked or got out; the
    caller turns `guard.self_connections` into a failing exit code."""
    err = err or sys.stderr
    if guard is None:
        guard = NetworkGuard()
        guard.install()
    watch = OwnSocketWatch(guard).start()
    watch.closely(1e9)
    try:
        yield guard
    finally:
        watch.stop()
        if guard.self_connections:
            print(f"trayassist {name}: error: this process made {guard.self_connections} non-loopback "
                  "connection(s) from native code; nothing should ever connect", file=err)
        elif guard.blocked:
            print(f"trayassist {name}: warning: blocked {guard.blocked} network attempt(s); "
                  "nothing left this machine", file=err)
