"""The own-socket watch: our own sockets read straight from our fds (family and peer of a
dup), the guard fed from its own thread, and the CLI wrapper's verdict."""

from __future__ import annotations

import io
import socket
import sys

import pytest

from tests.support.pulse import wait_for
from trayassist.core.privacy.guard import NetworkGuard
from trayassist.core.privacy.own_watch import OwnSockets, OwnSocketWatch, guarded_command

pytestmark = [pytest.mark.unit, pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux /proc")]


def test_own_sockets_reads_peers_of_our_fds_and_skips_local_ones() -> None:
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    client = socket.create_connection(srv.getsockname())
    a, b = socket.socketpair()
    try:
        own = OwnSockets()
        found = own.sample()
        assert found is not None
        peers = {(ip, port) for _key, ip, port in found}
        assert ("127.0.0.1", srv.getsockname()[1]) in peers
        assert client.fileno() >= 0 and client.getpeername()  # our sockets are untouched
        assert own.sample() is not None  # loopback and unix ones are skipped from now on
    finally:
        for s in (client, srv, a, b):
            s.close()


def test_the_watch_feeds_the_guard_from_its_own_thread() -> None:
    guard = NetworkGuard()  # not installed: only the counting is under test here
    outside = [((1, "203.0.113.9", 443), "203.0.113.9", 443)]
    seen: list[str] = []

    def sample() -> list[tuple[object, str, int]]:
        import threading

        seen.append(threading.current_thread().name)
        return outside

    watch = OwnSocketWatch(guard, sample=sample).start()
    try:
        guard.watch_closely(5)  # reaches the watch through the guard
        assert wait_for(lambda: guard.self_connections == 1, 5)
        assert wait_for(lambda: len(seen) > 3, 5)  # sampling fast now
        assert set(seen) == {"own-sockets"}
    finally:
        watch.stop()
    assert guard.self_connections == 1  # the same socket is counted once


def test_guarded_command_reports_what_got_out() -> None:
    err = io.StringIO()
    with guarded_command("transcribe", NetworkGuard(), err) as guard:
        guard.check_own_sockets([((7, "203.0.113.9", 443), "203.0.113.9", 443)])
    assert guard.self_connections == 1
    assert err.getvalue() == ("trayassist transcribe: error: this process made 1 non-loopback connection(s) "
                              "from native code; nothing should ever connect\n")
    err = io.StringIO()
    with guarded_command("ask", NetworkGuard(), err):
        pass
    assert err.getvalue() == ""
