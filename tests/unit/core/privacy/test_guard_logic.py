"""The guard's decisions, called directly (installing the hook happens in tests/security)."""

from __future__ import annotations

import socket
from types import SimpleNamespace

import pytest

from trayassist.core.privacy.guard import (
    ConnectionBlocked,
    NetworkGuard,
    blocked_target,
    is_loopback_host,
)

pytestmark = pytest.mark.unit

INET = SimpleNamespace(family=socket.AF_INET)
INET6 = SimpleNamespace(family=socket.AF_INET6)
UNIX = SimpleNamespace(family=socket.AF_UNIX)


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


@pytest.mark.parametrize("host", ["127.0.0.1", "127.9.9.9", "::1", "::ffff:127.0.0.1",
                                  "localhost", "LOCALHOST", b"127.0.0.1", None, ""])
def test_loopback_hosts(host: object) -> None:
    assert is_loopback_host(host)


@pytest.mark.parametrize("host", ["10.255.255.1", "192.168.1.1", "::ffff:8.8.8.8", "2001:db8::1",
                                  "example.com", "localhost.evil.com", 3232235777])
def test_not_loopback(host: object) -> None:
    assert not is_loopback_host(host)


def test_targets_per_event() -> None:
    assert blocked_target("socket.connect", (INET, ("10.255.255.1", 80))) == "10.255.255.1:80"
    assert blocked_target("socket.connect", (INET, ("127.0.0.1", 80))) is None
    assert blocked_target("socket.connect", (INET6, ("::1", 80, 0, 0))) is None
    assert blocked_target("socket.connect", (UNIX, "/run/x.sock")) is None
    assert blocked_target("socket.sendto", (INET, ("8.8.8.8", 53))) == "8.8.8.8:53"
    assert blocked_target("socket.sendmsg", (INET, None)) is None  # connected: seen at connect
    # A name lookup is traffic (DNS); a literal IP or localhost is not.
    assert blocked_target("socket.getaddrinfo", ("huggingface.co", 443, 0, 0, 0))
    assert blocked_target("socket.getaddrinfo", ("10.1.2.3", 443, 0, 0, 0)) is None
    assert blocked_target("socket.getaddrinfo", ("localhost", 80, 0, 0, 0)) is None
    assert blocked_target("socket.gethostbyname", ("example.org",))
    assert blocked_target("socket.gethostbyaddr", ("8.8.8.8",))
    assert blocked_target("socket.getnameinfo", (("8.8.8.8", 53), 0))
    assert blocked_target("socket.getnameinfo", (("127.0.0.1", 53), 0)) is None


def test_blocks_and_counts_then_consent_allows_until_it_closes() -> None:
    clock = Clock()
    guard = NetworkGuard(clock=clock, own_connections=lambda: [])
    with pytest.raises(ConnectionBlocked):
        guard.check("socket.connect", (INET, ("10.255.255.1", 80)))
    assert isinstance(ConnectionBlocked("x"), PermissionError)
    guard.check("socket.connect", (INET, ("127.0.0.1", 80)))  # loopback: fine, not counted
    assert guard.blocked == 1

    with guard.allow_for(60, "download model tiny.en"):
        guard.check("socket.connect", (INET, ("10.9.9.9", 443)))
        assert guard.status()["consent"] == "download model tiny.en"
    assert guard.allowed == 1
    with pytest.raises(ConnectionBlocked):  # closed by leaving the block
        guard.check("socket.connect", (INET, ("10.9.9.9", 443)))

    guard.allow_for(5, "download")  # used without `with`: expires on its own
    guard.check("socket.connect", (INET, ("10.9.9.9", 443)))
    clock.t += 6
    with pytest.raises(ConnectionBlocked):
        guard.check("socket.connect", (INET, ("10.9.9.9", 443)))
    assert guard.blocked == 3
    assert [a.allowed for a in guard.attempts] == [False, True, False, True, False]
    with pytest.raises(ValueError):
        guard.allow_for(5, "")


def conn(fd: int, raddr: tuple[str, int] | tuple[()], laddr: tuple[str, int] = ("10.0.0.2", 5555)):
    return SimpleNamespace(fd=fd, laddr=laddr, raddr=raddr, type=socket.SOCK_STREAM)


def test_self_check_counts_each_new_non_loopback_socket_once() -> None:
    conns = [conn(3, ("127.0.0.1", 80)), conn(4, ())]
    guard = NetworkGuard(own_connections=lambda: conns)
    assert guard.check_own_sockets() == 0
    conns.append(conn(5, ("93.184.216.34", 443)))
    assert guard.check_own_sockets() == 1
    assert guard.check_own_sockets() == 0  # the same socket next second is not a new one
    assert guard.self_connections == 1


def test_self_check_files_consented_sockets_apart() -> None:
    conns: list[SimpleNamespace] = []
    guard = NetworkGuard(own_connections=lambda: conns)
    with guard.allow_for(60, "download"):
        guard.check("socket.connect", (INET, ("10.9.9.9", 443)))
    conns.append(conn(7, ("10.9.9.9", 443)))  # seen after the window closed, same host
    assert guard.check_own_sockets() == 0
    assert (guard.self_connections, guard.consented_connections) == (0, 1)


def test_real_self_check_sees_no_connection_in_this_process() -> None:
    guard = NetworkGuard()
    assert guard.check_own_sockets() == 0


def test_install_is_idempotent_without_installing_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    import trayassist.core.privacy.guard as guard_mod

    added: list[object] = []
    monkeypatch.setattr(guard_mod.sys, "addaudithook", added.append)
    monkeypatch.setattr(guard_mod, "_installed", [])
    g = NetworkGuard(own_connections=lambda: [])
    g.install()
    g.install()
    assert len(added) == 1 and g.installed
    with pytest.raises(RuntimeError):
        NetworkGuard(own_connections=lambda: []).install()
