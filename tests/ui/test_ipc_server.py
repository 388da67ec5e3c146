"""The real QLocalServer against the real CLI client (no Qt on the client side)."""

import os
import socket
import stat
import threading
from pathlib import Path

import pytest

from trayassist import ipc_client
from trayassist.core.ipc_protocol import encode_reply
from trayassist.ui.ipc_server import IpcServer

pytestmark = pytest.mark.ui


def call_in_thread(name: str, cmd: str, **args):
    box = {}

    def go():
        try:
            box["reply"] = ipc_client.call(name, cmd, timeout=5, **args)
        except Exception as exc:  # reported to the test below
            box["error"] = exc

    t = threading.Thread(target=go)
    t.start()
    return t, box


@pytest.fixture
def server(qtbot, tmp_path: Path):
    name = str(tmp_path / "ipc.sock")
    seen = []

    def handler(request, reply):
        seen.append(request)
        if request.cmd == "ptt.release":  # answer later, from another thread
            threading.Timer(0.05, lambda: reply(encode_reply(True, {"text": "later"}))).start()
        else:
            reply(encode_reply(True, {"cmd": request.cmd}))

    srv = IpcServer(name, handler)
    srv.listen()
    yield name, seen
    srv.close()


def test_status_round_trip_and_private_socket(qtbot, server) -> None:
    name, seen = server
    assert stat.S_IMODE(os.stat(name).st_mode) & 0o077 == 0  # user only
    t, box = call_in_thread(name, "status")
    qtbot.waitUntil(lambda: not t.is_alive(), timeout=5000)
    assert box["reply"] == {"ok": True, "result": {"cmd": "status"}}


def test_deferred_reply_from_another_thread(qtbot, server) -> None:
    name, _ = server
    t, box = call_in_thread(name, "ptt.release", wait=True)
    qtbot.waitUntil(lambda: not t.is_alive(), timeout=5000)
    assert box["reply"]["result"] == {"text": "later"}


@pytest.mark.parametrize("payload", [b"garbage\n", b'{"cmd":"format-disk"}\n', b"x" * 70000])
def test_malformed_and_oversized_get_an_error_and_the_server_survives(qtbot, server, payload) -> None:
    name, seen = server
    box = {}

    def raw():
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(5)
        s.connect(name)
        s.sendall(payload)
        box["data"] = s.recv(4096)
        s.close()

    t = threading.Thread(target=raw)
    t.start()
    qtbot.waitUntil(lambda: not t.is_alive(), timeout=5000)
    assert box["data"].startswith(b'{"ok":false')
    assert seen == []
    t, box2 = call_in_thread(name, "status")
    qtbot.waitUntil(lambda: not t.is_alive(), timeout=5000)
    assert box2["reply"]["ok"]


def test_nobody_listening_is_not_running(tmp_path: Path) -> None:
    with pytest.raises(ipc_client.NotRunning):
        ipc_client.call(str(tmp_path / "none.sock"), "status", timeout=1)
