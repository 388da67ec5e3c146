"""Network watch: sock_diag against the real kernel, rates and talkers with fakes."""

from __future__ import annotations

import os
import re
import socket
import subprocess
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from tests.support.pulse import wait_for
from trayassist.core.privacy.net import Conn, NetWatch, PsutilSource, SockDiagSource
from trayassist.core.privacy.sockdiag import DiagSocket, SockDiag, socket_owners

pytestmark = pytest.mark.unit
linux = pytest.mark.skipif(not os.path.exists("/proc/net/tcp"), reason="Linux sock_diag")


@pytest.fixture
def loopback_pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    client = socket.create_connection(srv.getsockname())
    peer, _ = srv.accept()
    yield client, peer
    for s in (client, peer, srv):
        s.close()


@linux
def test_sock_diag_byte_counters_match_ss(loopback_pair: tuple[socket.socket, socket.socket]) -> None:
    client, peer = loopback_pair
    client.sendall(b"x" * 50_000)
    got = 0
    while got < 50_000:
        got += len(peer.recv(65536))
    peer.sendall(b"z" * 123)  # ss leaves out counters that are zero
    assert client.recv(1000)
    port = client.getsockname()[1]

    def ours() -> DiagSocket:
        with SockDiag() as diag:
            return next(s for s in diag.sockets() if s.proto == "tcp" and s.local[1] == port)

    assert wait_for(lambda: (ours().bytes_acked or 0) >= 50_000, 2)
    mine = ours()
    ss = subprocess.run(["ss", "-tin", "src", f"127.0.0.1:{port}"], capture_output=True,
                        text=True, check=True).stdout
    assert f"bytes_acked:{mine.bytes_acked}" in ss
    assert re.search(rf"bytes_received:{mine.bytes_received}\b", ss)
    assert mine.remote == peer.getsockname() and mine.inode > 0
    assert socket_owners({mine.inode}) == {mine.inode: os.getpid()}


@linux
def test_loopback_traffic_is_not_a_talker(loopback_pair: tuple[socket.socket, socket.socket]) -> None:
    client, peer = loopback_pair
    watch = NetWatch()
    watch.sample()
    client.sendall(b"y" * 10_000)
    peer.recv(65536)
    assert all(t.pid != os.getpid() for t in watch.sample().talkers)
    assert watch.available().ok and "sock_diag" in watch.available().detail
    watch.close()


class FakeSource:
    name, has_bytes = "fake", True

    def __init__(self) -> None:
        self.conns: list[Conn] = []

    def connections(self) -> list[Conn]:
        return list(self.conns)

    def close(self) -> None:
        pass


class Clock:
    def __init__(self) -> None:
        self.t = 10.0

    def __call__(self) -> float:
        return self.t


def io(**nics: tuple[int, int]) -> dict[str, SimpleNamespace]:
    return {n: SimpleNamespace(bytes_sent=s, bytes_recv=r) for n, (s, r) in nics.items()}


def test_rates_per_process_and_system_excluding_loopback() -> None:
    src, clock = FakeSource(), Clock()
    counters = io(lo=(0, 0), eth0=(1000, 5000))
    watch = NetWatch(src, clock, lambda: counters, lambda: {"lo"},
                     identify=lambda p: ("zoom", "/opt/zoom/zoom"))
    src.conns = [Conn(50, "tcp", ("10.0.0.9", 443), "a", 1_000_000)]
    first = watch.sample()
    assert (first.up_bps, first.talkers[0].up_bps) == (0.0, 0.0)  # baseline only
    clock.t += 2
    counters = io(lo=(9_999_999, 9_999_999), eth0=(5000, 6000))
    src.conns = [Conn(50, "tcp", ("10.0.0.9", 443), "a", 1_004_000),
                 Conn(50, "tcp", ("10.0.0.8", 443), "b", 2000),  # new since last: all counts
                 Conn(50, "udp", ("10.0.0.7", 53), "c", None),
                 Conn(None, "tcp", ("10.0.0.6", 80), "d", 50)]  # owner unknown: not a talker
    s = watch.sample()
    assert (s.up_bps, s.down_bps) == (2000.0, 500.0)
    assert [t.to_dict() for t in s.talkers] == [
        {"pid": 50, "name": "zoom", "exe": "/opt/zoom/zoom", "remote_connections": 3,
         "up_bps": 3000.0}]


def test_udp_only_talker_and_psutil_source_say_not_available() -> None:
    src, clock = FakeSource(), Clock()
    watch = NetWatch(src, clock, lambda: {}, set, identify=lambda p: ("dns", None))
    src.conns = [Conn(9, "udp", ("10.0.0.7", 53), "c", None)]
    assert watch.sample().talkers[0].up_bps is None
    psrc = PsutilSource()
    assert psrc.has_bytes is False
    assert all(c.bytes_acked is None for c in psrc.connections())


def test_reset_restarts_baselines() -> None:
    src, clock = FakeSource(), Clock()
    watch = NetWatch(src, clock, lambda: {}, set, identify=lambda p: ("x", None))
    src.conns = [Conn(1, "tcp", ("10.0.0.1", 1), "a", 100)]
    watch.sample()
    clock.t += 1
    watch.reset()
    src.conns = [Conn(1, "tcp", ("10.0.0.1", 1), "a", 900_000)]
    assert watch.sample().talkers[0].up_bps == 0.0  # no spike from the paused period


def test_unattributable_socket_does_not_cost_a_walk_every_second() -> None:
    clock = Clock()
    src = SockDiagSource(clock=clock, rescan_s=1.0)
    src._diag.close()
    socks = [DiagSocket("tcp", socket.AF_INET, 1, ("10.0.0.2", 1), ("10.0.0.9", 443), 77, 0,
                        b"k", 10, 0)]
    src._diag = SimpleNamespace(sockets=lambda: socks, close=lambda: None)
    walks: list[set[int]] = []
    src._owners_of = lambda wanted: walks.append(set(wanted)) or {}  # e.g. another user's
    assert [c.pid for c in src.connections()] == [None]
    clock.t += 1
    for _ in range(5):
        src.connections()
        clock.t += 1
    assert walks == [{77}]
    socks.append(DiagSocket("tcp", socket.AF_INET, 1, ("10.0.0.2", 2), ("10.0.0.9", 443), 79, 0,
                            b"m", 10, 0))
    src.connections()
    assert walks == [{77}, {79}]  # a new unknown socket still gets its walk
    src.connections()
    assert len(walks) == 2  # and no second walk within the same second
    clock.t += 30
    src._owners_of = lambda wanted: walks.append(set(wanted)) or {77: 4242, 79: 4243}
    assert sorted(c.pid for c in src.connections()) == [4242, 4243]  # retried now and then
    assert walks[-1] == {77, 79} and src.scans == 3
    src.connections()
    assert src.scans == 3  # resolved owners are cached
