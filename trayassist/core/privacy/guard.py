"""The in-process network guard: an audit hook that blocks (and counts) every non-loopback
connect, send or name lookup made from Python code unless the user has just consented, plus
the count of this process's own sockets, which also catches native code (own_watch.py
looks once a second, every 20 ms while a model loads)."""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import psutil

log = logging.getLogger(__name__)

# Audit events that can make traffic leave the machine. DNS lookups are here because the
# resolver talks to the network from C, where no later hook can see it.
WATCHED = frozenset({
    "socket.connect", "socket.sendto", "socket.sendmsg", "socket.getaddrinfo",
    "socket.gethostbyname", "socket.gethostbyaddr", "socket.getnameinfo",
})
LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
LOCAL_FAMILIES = frozenset(
    f for f in (getattr(socket, "AF_UNIX", None), getattr(socket, "AF_NETLINK", None)) if f is not None)

# Audit hooks cannot be removed, so a second guard in one process would stack a second,
# unremovable hook. This records the one that was installed (process-wide by nature).
_installed: list[NetworkGuard] = []


class ConnectionBlocked(PermissionError):
    """Raised into the code that tried to reach a non-loopback address without consent.
    A PermissionError (so an OSError): network code already handles those gracefully."""


def is_loopback_host(host: Any) -> bool:
    """True for 127.0.0.0/8, ::1, v4-mapped loopback, "localhost" and the wildcard/None."""
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    if host in ("", "0.0.0.0", "::") or host.lower() in LOCAL_NAMES:
        return True  # empty/wildcard: a passive lookup or a bind, nothing leaves
    try:
        addr = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False  # a name: resolving it would ask a DNS server
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    return addr.is_loopback


def is_ip_literal(host: Any) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    try:
        ipaddress.ip_address(str(host).split("%", 1)[0])
    except ValueError:
        return False
    return True


def blocked_target(event: str, args: tuple[Any, ...]) -> str | None:
    """What the event would reach if it is off-machine (a printable target), else None."""
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        sock, address = args[0], args[1]
        if address is None:  # sendmsg on a connected socket: checked at connect
            return None
        family = getattr(sock, "family", None)
        if family in LOCAL_FAMILIES:
            return None
        if isinstance(address, tuple) and address and isinstance(address[0], (str, bytes)):
            host = address[0].decode("ascii", "replace") if isinstance(address[0], bytes) else address[0]
            return None if is_loopback_host(host) else f"{host}:{address[1]}"
        return f"{family!r} {address!r}"  # packet, bluetooth...: never needed here
    if event == "socket.getaddrinfo":
        host = args[0]
        # An IP literal resolves without traffic; the connect that follows is checked.
        return None if is_loopback_host(host) or is_ip_literal(host) else f"lookup {host!r}"
    if event in ("socket.gethostbyname", "socket.gethostbyaddr"):
        return None if is_loopback_host(args[0]) else f"lookup {args[0]!r}"
    if event == "socket.getnameinfo":
        sockaddr = args[0]
        host = sockaddr[0] if isinstance(sockaddr, tuple) and sockaddr else sockaddr
        return None if is_loopback_host(host) else f"reverse lookup {host!r}"
    return None


@dataclass(frozen=True)
class Attempt:
    when: float  # wall clock (time.time) for the timeline
    event: str
    target: str
    allowed: bool
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"ts": self.when, "event": self.event, "target": self.target,
                "allowed": self.allowed, "reason": self.reason}


class Consent:
    """An open consent window; closes at `deadline` or when the `with` block ends."""

    def __init__(self, guard: NetworkGuard, deadline: float, reason: str) -> None:
        self._guard, self.deadline, self.reason = guard, deadline, reason
        self.closed = False

    def open(self) -> bool:
        return not self.closed and self._guard._clock() < self.deadline

    def close(self) -> None:
        self.closed = True

    def __enter__(self) -> Consent:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


OwnConnections = Callable[[], Iterable[Any]]  # psutil-style conns with .fd .laddr .raddr .type


class NetworkGuard:
    """Construct once in the composition root and `install()` before anything networks."""

    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 wall_clock: Callable[[], float] = time.time,
                 own_connections: OwnConnections | None = None) -> None:
        self._clock = clock
        self._wall = wall_clock
        self._own_connections = own_connections or (
            lambda: psutil.Process(os.getpid()).net_connections(kind="inet"))
        self._lock = threading.Lock()
        self._consents: list[Consent] = []
        self._consented_hosts: set[str] = set()
        self.blocked = 0
        self.allowed = 0
        self.attempts: deque[Attempt] = deque(maxlen=50)
        self._seen: set[tuple[Any, ...]] = set()
        self.self_connections = 0  # distinct non-loopback sockets seen without consent
        self.consented_connections = 0
        self.installed = False
        self._closely: list[Callable[[float], None]] = []

    # -- consent ----------------------------------------------------------------------
    def allow_for(self, seconds: float, reason: str) -> Consent:
        """Open a consent window now (e.g. the user clicked "download model"). Usable as
        `with guard.allow_for(600, "download tiny.en"): ...` or alone (expires by itself)."""
        if not reason:
            raise ValueError("consent needs a reason the user can read")
        consent = Consent(self, self._clock() + seconds, reason)
        with self._lock:
            self._consents = [c for c in self._consents if c.open()] + [consent]
        log.info("network consent opened for %.0f s: %s", seconds, reason)
        return consent

    def consent(self) -> Consent | None:
        with self._lock:
            self._consents = [c for c in self._consents if c.open()]
            return self._consents[-1] if self._consents else None

    # -- the hook ---------------------------------------------------------------------
    def check(self, event: str, args: tuple[Any, ...]) -> None:
        """The hook's decision (callable directly in tests): raise ConnectionBlocked or return."""
        target = blocked_target(event, args)
        if target is None:
            return
        consent = self.consent()
        with self._lock:
            if consent is not None:
                self.allowed += 1
                self.attempts.append(Attempt(self._wall(), event, target, True, consent.reason))
                if event in ("socket.connect", "socket.sendto") and isinstance(args[1], tuple):
                    self._consented_hosts.add(str(args[1][0]))
                return
            self.blocked += 1
            self.attempts.append(Attempt(self._wall(), event, target, False))
        raise ConnectionBlocked(f"TrayAssist blocked a network attempt ({event} {target}): "
                                "nothing leaves this machine without your consent")

    def _hook(self, event: str, args: tuple[Any, ...]) -> None:
        if event in WATCHED:  # every audited event in the process passes here: stay cheap
            self.check(event, args)

    def install(self) -> None:
        """Add the audit hook (idempotent). Irremovable: tests install it in a subprocess."""
        if self.installed:
            return
        if _installed:
            raise RuntimeError("another NetworkGuard is already installed in this process")
        sys.addaudithook(self._hook)
        _installed.append(self)
        self.installed = True

    # -- native-code check --------------------------------------------------------------
    def check_own_sockets(self, sockets: Iterable[tuple[object, str, int]] | None = None) -> int:
        """Count this process's non-loopback sockets not seen before; returns the new
        unconsented ones. Call about once a second (the PrivacyMonitor does).

        `sockets` are (identity, remote ip, remote port) of our own sockets when the caller
        already has them (the monitor's sock_diag sample: ~0.1 ms); else psutil is asked
        (~8 ms a call here, most of the monitor's budget)."""
        if sockets is None:
            sockets = [((c.fd, tuple(c.laddr), c.type), c.raddr[0], c.raddr[1])
                       for c in self._own_connections() if getattr(c, "raddr", None)]
        new = 0
        consent_open = self.consent() is not None
        for key, ip, port in sockets:
            if is_loopback_host(ip):
                continue
            with self._lock:
                if (key, ip, port) in self._seen:
                    continue
                self._seen.add((key, ip, port))
                if consent_open or ip in self._consented_hosts:
                    self.consented_connections += 1
                    continue
                self.self_connections += 1
                new += 1
            log.warning("TrayAssist itself has a non-loopback connection to %s:%s", ip, port)
        return new

    def on_watch_closely(self, watcher: Callable[[float], None]) -> None:
        """Register the own-socket watch (OwnSocketWatch does, when it starts)."""
        self._closely.append(watcher)

    def watch_closely(self, seconds: float) -> None:
        """Native code that could phone home is about to run (a model loading): have the
        own-socket watch sample every 20 ms for `seconds` instead of once a second."""
        for watcher in list(self._closely):
            watcher(seconds)

    def status(self) -> dict[str, Any]:
        consent = self.consent()
        with self._lock:
            return {"installed": self.installed, "self_connections": self.self_connections,
                    "self_blocked": self.blocked, "self_allowed": self.allowed,
                    "consented_connections": self.consented_connections,
                    "consent": consent.reason if consent else None,
                    "recent": [a.to_dict() for a in self.attempts]}
