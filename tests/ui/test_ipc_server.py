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


def _connect_as(uid: int, path: str) -> tuple[int, int]:
    """Fork a child that becomes `uid`, sends a status request to `path` and writes what
    came back to a pipe; returns (pid, read end). The child never touches Qt."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            os.setgid(uid)
            os.setuid(uid)
            s = socket.socket(socket.AF_UNIX)
            s.settimeout(5)
            s.connect(path)
            s.sendall(b'{"cmd":"status"}\n')
            data = b""
            while chunk := s.recv(4096):
                data += chunk
            os.write(w, b"reply:" + data)
            code = 0
        except OSError as exc:
            os.write(w, f"error:{type(exc).__name__}".encode())
            code = 0
        finally:
            os._exit(code)
    os.close(w)
    return pid, r


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to connect as another uid")
def test_a_client_of_another_user_is_refused_even_if_the_socket_mode_lets_it_in(qtbot) -> None:
    """SO_PEERCRED, not the file mode, decides: loosen the mode and another uid still gets
    nothing, and its request never reaches a command."""
    import shutil
    import tempfile

    d = tempfile.mkdtemp(prefix="trayassist-ipc-", dir="/tmp")
    os.chmod(d, 0o755)  # reachable by the other uid, as a careless setup would be
    name = os.path.join(d, "ipc.sock")
    seen = []
    srv = IpcServer(name, lambda request, reply: (seen.append(request), reply(encode_reply(True, {}))))
    srv.listen()
    try:
        os.chmod(name, 0o777)
        pid, out = _connect_as(65534, name)
        qtbot.waitUntil(lambda: os.waitpid(pid, os.WNOHANG)[0] == pid, timeout=10000)
        got = os.read(out, 4096)
        os.close(out)
        assert got in (b"reply:", b"error:ConnectionResetError", b"error:BrokenPipeError"), got  # aborted either way
        assert seen == []
        # Our own user still gets through (our client insists on private modes).
        os.chmod(name, 0o700)
        os.chmod(d, 0o700)
        t, box = call_in_thread(name, "status")
        qtbot.waitUntil(lambda: not t.is_alive(), timeout=5000)
        assert box["reply"]["ok"] and len(seen) == 1
    finally:
        srv.close()
        shutil.rmtree(d)
